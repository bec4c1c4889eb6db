#!/usr/bin/env bash
# virtio-vsock with a stock Debian guest in the whole stack: QEMU -> gzhyp (EL2) -> Debian's
# Linux as the host VM -> gzvm.ko -> gzvmm --backend gzvm --vsock 3,/tmp/v.sock -> Debian's
# Linux as the guest, which loads Debian's own vsock, vmw_vsock_virtio_transport_common and
# vmw_vsock_virtio_transport modules and runs vsock_linux (tests/tools, static) from its
# initramfs (tests/tools/vsock_linux_initramfs.sh). vsock_echo (tests/tools, static) is the
# host side, started once the guest listens: a host-initiated and a guest-initiated stream of BYTES each way, every byte checked
# at both ends (vsock_echo's lines must equal tests/vmm/expected/vsock-host.txt, the guest's
# tests/qemu/expected/vsock-linux.txt, both for BYTES).
#   fullstack_vsock_debian.sh GZHYP_IMAGE WORKDIR BYTES
# Needs scripts/fetch-kernel --image, scripts/fetch-linux (the vsock modules) and
# scripts/fetch-vmm-arm64. GZ_QEMU_TIMEOUT (seconds) bounds the QEMU run.
set -uo pipefail
image=$1 work=$2 bytes=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
command -v "$cc" >/dev/null 2>&1 || { echo "FAIL: $cc not found: run scripts/deps"; exit 1; }
gz_stack_root "$image" "$work" guest bin
kernel=$("$root/tests/tools/vsock_linux_initramfs.sh" "$work" "$r/guest/initramfs.cpio.gz") &&
  cp "$kernel" "$r/guest/Image" || exit 1
"$cc" -static -O2 -std=gnu11 "$root/tests/tools/vsock_echo.c" -o "$r/bin/vsock_echo" ||
  { echo "FAIL: vsock_echo did not build for aarch64"; exit 1; }

cat >"$r/init" <<EOI
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
gzvmm run --backend gzvm --kernel /guest/Image --initrd /guest/initramfs.cpio.gz --input none \
  --append "console=ttyAMA0 panic=-1 rdinit=/init quiet" --mem 256M --cpus 2 \
  --vsock 3,/tmp/v.sock --console file:/tmp/out --stats 2>/tmp/err &
pid=\$!
# The guest's kernel refuses a connection to a port nobody listens on yet.
i=0; while ! grep -q "^vsock: listening" /tmp/out 2>/dev/null && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
vsock_echo /tmp/v.sock $bytes 150 >/tmp/host.txt 2>/tmp/host.err
erc=\$?
wait \$pid
echo "init: gzvmm exit \$?, vsock_echo exit \$erc"
printf '@@guest-console-begin@@\n'; cat /tmp/out; printf '@@guest-console-end@@\n'
printf '@@host-begin@@\n'; cat /tmp/host.txt; printf '@@host-end@@\n'
cat /tmp/host.err /tmp/err
echo "init: pinned_pages \$(cat /sys/kernel/gzvm/pinned_pages)"
echo "init: done"; poweroff -f
EOI
GZ_STACK_MEM=${GZ_STACK_MEM:-1024} gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-300}" 2097152
grep -E "^(init|time|guest|host|vsock|host-initiated|guest-initiated):|virtio-vsock|gzvmm:|vsock_echo:|panic|Oops" "$log"
echo "+ qemu exit status: $status (full console: $log)"

ok=1
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status (124: timeout)"; ok=0; }
grep -q "^init: pinned_pages 0$" "$log" || { echo "FAIL: pages stayed pinned"; ok=0; }
gz_vsock_verdict tests/qemu/expected/vsock-linux.txt "$bytes"
grep -q "virtio-vsock.* dropped=0" "$log" || { echo "FAIL: virtio-vsock dropped packets (or no stats)"; ok=0; }
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
