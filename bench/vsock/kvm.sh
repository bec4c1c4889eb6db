#!/usr/bin/env bash
# The KVM side of bench/vsock: what a KVM user runs in the same outer QEMU (TCG, -M
# virt,virtualization=on,gic-version=3 -cpu cortex-a72 -smp 2): Debian's kernel entered at EL2
# (nVHE KVM) as the host, Debian's own qemu-system-aarch64 -accel kvm with vhost-vsock-device
# (Debian's vhost_vsock module) running the same stock Debian vsock guest as the opengz runs
# (tests/tools/vsock_linux_initramfs.sh), and vsock_echo on the host kernel's AF_VSOCK as its
# host side: a host-initiated and a guest-initiated stream of BYTES each way, every byte
# checked. Debian's QEMU and its libraries come from .cache/bench-distro/kvm-root.tar
# (mmdebstrap --variant=extract of qemu-system-arm:arm64, made here if missing), a chroot in
# the host's initramfs. The console goes to WORK/console.log; prints the run's lines and its
# "time:" lines, and ends with status 0 only if both streams went through intact.
#   bench/vsock/kvm.sh WORK BYTES
set -uo pipefail
work=$1 bytes=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
qemu=${GZ_QEMU:-qemu-system-aarch64}
lnx=$("$root/scripts/fetch-linux" --print) || { echo "kvm.sh: run scripts/fetch-linux" >&2; exit 1; }
kvmroot=$root/.cache/bench-distro/kvm-root.tar
if [ ! -f "$kvmroot" ]; then
  echo "kvm.sh: Debian's qemu-system-aarch64 for arm64 (mmdebstrap --variant=extract)" >&2
  mkdir -p "$(dirname "$kvmroot")"
  mmdebstrap --arch=arm64 --variant=extract --include=qemu-system-arm,libc6 \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' bookworm "$kvmroot.tmp" >&2 &&
    mv "$kvmroot.tmp" "$kvmroot" || exit 1
fi
mkdir -p "$work" && work=$(cd "$work" && pwd)
r=$work/host-root
rm -rf "$r" && mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/lib" "$r/kvm/b" || exit 1
cp "$lnx/busybox" "$r/bin/busybox" || exit 1
mods="vhost_iotlb vhost vsock vmw_vsock_virtio_transport_common vhost_vsock"
for m in $mods; do cp "$lnx/modules/$m.ko" "$r/lib/" || exit 1; done
# Debian's QEMU less what it does not need here (the 32-bit QEMU, docs, firmware images).
tar -xf "$kvmroot" -C "$r/kvm" --exclude=./usr/bin/qemu-system-arm \
  --exclude=./usr/bin/qemu-storage-daemon --exclude=./usr/bin/qemu-pr-helper \
  --exclude='./usr/share/*' --exclude='./var/*' || exit 1
kernel=$("$root/tests/tools/vsock_linux_initramfs.sh" "$work" "$r/kvm/b/initramfs.cpio.gz") &&
  cp "$kernel" "$r/kvm/b/Image" || exit 1
"$cc" -static -O2 -std=gnu11 "$root/tests/tools/vsock_echo.c" -o "$r/bin/vsock_echo" || exit 1
cat >"$r/init" <<EOI
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $mods; do insmod /lib/\$m.ko || echo "kvm: insmod \$m FAILED"; done
mkdir -p /kvm/dev /kvm/proc /kvm/sys /kvm/tmp
mount --bind /dev /kvm/dev; mount -t proc proc /kvm/proc; mount -t sysfs sys /kvm/sys
echo "kvm: /dev/kvm \$([ -c /dev/kvm ] && echo yes || echo no), /dev/vhost-vsock \$([ -c /dev/vhost-vsock ] && echo yes || echo no)"
chroot /kvm /usr/bin/qemu-system-aarch64 -M virt,gic-version=3 -accel kvm -cpu host -smp 2 \
  -m 256 -display none -monitor none -nodefaults -serial file:/tmp/out \
  -kernel /b/Image -initrd /b/initramfs.cpio.gz \
  -append "console=ttyAMA0 panic=-1 rdinit=/init quiet" \
  -device vhost-vsock-device,guest-cid=3 >/tmp/qemu.err 2>&1 &
pid=\$!
i=0; while ! grep -q "^vsock: listening" /kvm/tmp/out 2>/dev/null && [ \$i -lt 3000 ]; do sleep 0.1; i=\$((i + 1)); done
vsock_echo vsock:3 $bytes 300 >/tmp/host.txt 2>/tmp/host.err
erc=\$?
wait \$pid
echo "kvm: qemu exit \$?, vsock_echo exit \$erc"
sed 's/^/guest: /' /kvm/tmp/out; cat /tmp/host.txt /tmp/host.err /tmp/qemu.err
echo "kvm: done"; poweroff -f
EOI
chmod +x "$r/init"
(cd "$r" && find . | cpio -o -H newc 2>/dev/null >"$work/host.cpio") || exit 1
timeout "${GZ_QEMU_TIMEOUT:-1200}" "$qemu" -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 \
  -smp 2 -m 2048 -nographic -net none -kernel "$lnx/Image" -initrd "$work/host.cpio" \
  -append "console=ttyAMA0 panic=-1 quiet" </dev/null 2>&1 | head -c 2000000 | tr -d '\r' \
  >"$work/console.log"
grep -E "^(kvm|time|host):|guest: (vsock|host-|guest-)" "$work/console.log"
grep -q "^kvm: qemu exit 0, vsock_echo exit 0$" "$work/console.log"
