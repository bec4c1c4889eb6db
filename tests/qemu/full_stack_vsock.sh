#!/usr/bin/env bash
# virtio-vsock through the whole stack: in the host VM (gzhyp, Debian's kernel, gzvm.ko) a
# static aarch64 gzvmm --backend gzvm runs the vsock guest (tests/guests/vsock.c) with
# --vsock 3,/tmp/v.sock while vsock_echo (tests/tools, static for aarch64) is its host side:
# a host-initiated and a guest-initiated stream of BYTES each, every byte checked at both
# ends, then the refusals. The guest's console (less its "time:" lines) must equal the
# simulator's (tests/sim/expected/vsock.txt), the host's output tests/vmm/expected/vsock-host.txt.
#   full_stack_vsock.sh GZHYP_IMAGE GUEST_DIR WORKDIR BYTES
set -uo pipefail
image=$1 guests_dir=$2 work=$3 bytes=$4
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
command -v "$cc" >/dev/null 2>&1 || { echo "FAIL: $cc not found: run scripts/deps"; exit 1; }
gz_stack_root "$image" "$work"
cp "$guests_dir/vsock.elf" "$r/vsock.elf" || exit 1
"$cc" -static -O2 -std=gnu11 "$root/tests/tools/vsock_echo.c" -o "$r/bin/vsock_echo" ||
  { echo "FAIL: vsock_echo did not build for aarch64"; exit 1; }
cat >"$r/init" <<EOI
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
vsock_echo /tmp/v.sock $bytes 150 >/tmp/host.txt 2>/tmp/host.err &
gzvmm run --backend gzvm --kernel /vsock.elf --mem 128M --vsock 3,/tmp/v.sock --console file:/tmp/out --stats 2>/tmp/err
rc=\$?
wait \$!
erc=\$?
printf '@@guest-console-begin@@\n'; cat /tmp/out; printf '@@guest-console-end@@\n'
printf '@@host-begin@@\n'; cat /tmp/host.txt; printf '@@host-end@@\n'
cat /tmp/host.err; grep virtio-vsock /tmp/err; grep -v '^ ' /tmp/err
echo "init: gzvmm exit \$rc, vsock_echo exit \$erc"
echo "init: done"; poweroff -f
EOI
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-150}" 1048576
grep -E "^(init|time):|virtio-vsock|gzvmm:|vsock_echo:|panic|Oops" "$log"
echo "+ qemu exit status: $status (full console: $log)"
ok=1
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status (124: timeout)"; ok=0; }
gz_vsock_verdict tests/sim/expected/vsock.txt "$bytes"
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
