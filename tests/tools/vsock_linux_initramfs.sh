#!/usr/bin/env bash
# The initramfs of a stock Debian vsock guest: busybox and Debian's own virtio_mmio, vsock,
# vmw_vsock_virtio_transport_common and vmw_vsock_virtio_transport modules (scripts/fetch-linux,
# insmod in dependency order: no modules.dep), vsock_linux.c built static for aarch64, and an
# /init that runs it against vsock_echo on the host side (its lines on the console), prints
# what it knows on a failure and powers off. Used by the full stack
# (tests/qemu/fullstack_vsock_debian.sh) and by KVM's run in bench/vsock (kvm.sh).
#   vsock_linux_initramfs.sh WORKDIR OUT.cpio.gz      (prints the kernel Image's path)
set -uo pipefail
work=$1 out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
command -v "$cc" >/dev/null 2>&1 || { echo "FAIL: $cc not found: run scripts/deps" >&2; exit 1; }
lnx=$(GZ_KERNEL_ABI=${GZ_KERNEL_ABI:-6.1.0-50} "$root/scripts/fetch-linux" --print) ||
  { echo "FAIL: guest kernel and modules missing: run scripts/fetch-linux" >&2; exit 1; }
g=$work/guest-root
rm -rf "$g" && mkdir -p "$g/bin" "$g/proc" "$g/sys" "$g/dev" "$g/lib" "$g/tmp" || exit 1
cp "$lnx/busybox" "$g/bin/busybox" || exit 1
mods="virtio_mmio vsock vmw_vsock_virtio_transport_common vmw_vsock_virtio_transport"
for m in $mods; do
  cp "$lnx/modules/$m.ko" "$g/lib/" ||
    { echo "FAIL: $m.ko missing: run scripts/fetch-linux" >&2; exit 1; }
done
"$cc" -static -O2 -std=gnu11 "$root/tests/tools/vsock_linux.c" -o "$g/bin/vsock_linux" ||
  { echo "FAIL: vsock_linux did not build for aarch64" >&2; exit 1; }
cat >"$g/init" <<EOI
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $mods; do insmod /lib/\$m.ko || echo "guest: insmod \$m FAILED"; done
vsock_linux 150
rc=\$?
echo "guest: vsock_linux exit \$rc"
if [ \$rc != 0 ]; then
  echo "guest: virtio devices \$(cat /sys/bus/virtio/devices/*/device | tr '\\n' ' ')"
  dmesg | grep -i -E "vsock|virtio" | tail -n 20
fi
poweroff -f
EOI
chmod +x "$g/init" "$g/bin/busybox" "$g/bin/vsock_linux"
(cd "$g" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$out") ||
  { echo "FAIL: could not pack the guest initramfs" >&2; exit 1; }
echo "$lnx/Image"
