#!/usr/bin/env bash
# virtio-vsock with a stock Debian guest in the simulator: gzvmm --backend sim runs Debian's
# arm64 kernel with the initramfs of tests/tools/vsock_linux_initramfs.sh (Debian's own
# virtio_mmio, vsock and vmw_vsock_virtio_transport modules and vsock_linux), the same guest
# as the full stack's fullstack_vsock_debian. vsock_echo (tests/tools, built for the build
# machine) is the host side, started once the guest listens: a host-initiated and a
# guest-initiated stream of BYTES each way, every byte checked at both ends; the transcripts are
# the full stack's (tests/qemu/expected/vsock-linux.txt, tests/vmm/expected/vsock-host.txt).
# The guest waits for its peer with timeouts, so its counter is the host's clock (--clock wall).
# gzvmm must end with 0 and remove its socket; its --stats line must show no dropped packet.
#   sim_vsock_debian.sh GZVMM VSOCK_ECHO WORK BYTES
# Needs scripts/fetch-linux. GZ_VSOCK_TIMEOUT: seconds gzvmm may take (default 400);
# GZ_TIME_SCALE (default 1) multiplies it and vsock_echo's 300 s.
set -uo pipefail
gzvmm=$1 echo_tool=$2 work=$3 bytes=$4
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/tools/vsock_verdict.sh"
rm -rf "$work" && mkdir -p "$work" || exit 1
kernel=$("$root/tests/tools/vsock_linux_initramfs.sh" "$work" "$work/initramfs.cpio.gz") || exit 1
t0=$(date +%s.%N)
scale=${GZ_TIME_SCALE:-1}
timeout $((${GZ_VSOCK_TIMEOUT:-400} * scale)) "$gzvmm" run --backend sim --kernel "$kernel" \
  --initrd "$work/initramfs.cpio.gz" --input none --mem 256M --cpus 2 --clock wall \
  --append "console=ttyAMA0 panic=-1 rdinit=/init quiet" --vsock "3,$work/v.sock" \
  --console "file:$work/out.txt" --stats 2>"$work/gzvmm.err" &
pid=$!
# The guest's kernel refuses a connection to a port nobody listens on yet.
while ! grep -q "^vsock: listening" "$work/out.txt" 2>/dev/null && kill -0 $pid 2>/dev/null; do
  sleep 0.2
done
t1=$(date +%s.%N)
erc=none
if kill -0 $pid 2>/dev/null; then
  timeout $((300 * scale)) "$echo_tool" "$work/v.sock" "$bytes" 150 >"$work/host.txt" 2>"$work/host.err"
  erc=$?
fi
wait $pid
rc=$?
t2=$(date +%s.%N)
ok=1
[ "$rc" = 0 ] || { echo "FAIL: gzvmm exited with $rc (124: timeout)"; ok=0; }
[ "$erc" = 0 ] || { echo "FAIL: vsock_echo exited with $erc"; head -c 2000 "$work/host.err"; ok=0; }
gz_vsock_compare tests/qemu/expected/vsock-linux.txt "$bytes" "$work/out.txt" "$work/host.txt"
[ ! -e "$work/v.sock" ] || { echo "FAIL: gzvmm left its socket behind"; ok=0; }
grep -q "virtio-vsock.* dropped=0" "$work/gzvmm.err" ||
  { echo "FAIL: virtio-vsock dropped packets (or no stats)"; ok=0; }
grep -E '^time:' "$work/out.txt" "$work/host.err"
grep virtio-vsock "$work/gzvmm.err"
awk -v a=$t0 -v b=$t1 -v c=$t2 'BEGIN {printf "sim: guest listening after %.1f s, run ended after %.1f s\n", b - a, c - a}'
[ $ok = 1 ] && echo PASS && exit 0
[ $ok = 1 ] || { echo "--- guest console (tail) ---"; tail -c 3000 "$work/out.txt"; tail -c 2000 "$work/gzvmm.err"; }
exit 1
