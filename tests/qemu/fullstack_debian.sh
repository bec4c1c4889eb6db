#!/usr/bin/env bash
# Debian 12's system image (scripts/build-debian-image) as the guest of the whole stack: gzhyp
# at EL2 boots Debian's kernel as the host VM, which gets a copy of the image made for the
# test (tests/vmm/debian_test_disk.sh: systemd's start timeouts at 10 minutes, no getty on
# hvc0; the cached image is never written) as its own virtio disk and passes that block
# device to gzvmm --backend gzvm --disk /dev/vda. tests/vmm/debian_boot.sh then boots it twice:
# login on the serial console, systemctl is-system-running, a line sent to the host VM over
# TCP and read back (the host VM makes the TAP gztap0 with 10.0.2.2/24 and runs busybox's nc
# as an echo server on port 5007; the guest gets --net and 10.0.2.15 from systemd-networkd),
# a file written, power key, the file found again.
#   fullstack_debian.sh GZHYP_IMAGE WORKDIR direct|edk2
#     direct: gzvmm loads the image's kernel and initramfs (root=/dev/vda2); the first boot
#       also reboots in place (PSCI SYSTEM_RESET) once its file is written, logs in again,
#       asks systemd again and reads the file back before the power key;
#     edk2: EDK2 boots the disk's GRUB, which loads the image's kernel.
# Needs scripts/fetch-kernel --image, scripts/fetch-linux, scripts/fetch-vmm-arm64,
# scripts/fetch-firmware and scripts/build-debian-image (never built here: minutes).
set -uo pipefail

image=$1 work=$2 what=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
lnx=$(GZ_KERNEL_ABI=${GZ_KERNEL_ABI:-6.1.0-50} "$root/scripts/fetch-linux" --print) ||
  { echo "FAIL: kernel modules missing: run scripts/fetch-linux"; exit 1; }
fw=$("$root/scripts/fetch-firmware") || { echo "FAIL: no firmware: run scripts/fetch-firmware"; exit 1; }
disk=$("$root/scripts/build-debian-image" --print) ||
  { echo "FAIL: no Debian image: run scripts/build-debian-image"; exit 1; }
gz_stack_root "$image" "$work" lib boot t
"$root/tests/vmm/debian_test_disk.sh" "$disk" "$work/disk.img" ||
  { echo "FAIL: could not make the test's copy of $disk"; exit 1; }
cp "$lnx/modules/virtio_mmio.ko" "$lnx/modules/virtio_blk.ko" "$lnx/modules/tun.ko" "$r/lib/" &&
  cp "$root/tests/vmm/debian_boot.sh" "$root/tests/vmm/console_session.sh" "$r/t/" || exit 1
reboot=0
case $what in
direct) reboot=1 && "$root/scripts/build-debian-image" --extract "$r/boot" >/dev/null ;;
edk2) cp "$fw/QEMU_EFI.fd" "$r/boot/" ;;
*) echo "usage: fullstack_debian.sh GZHYP_IMAGE WORKDIR direct|edk2"; exit 2 ;;
esac || { echo "FAIL: could not stage the $what boot"; exit 1; }
cat >"$r/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
insmod /lib/virtio_mmio.ko; insmod /lib/virtio_blk.ko
i=0; while [ ! -b /dev/vda ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
[ -b /dev/vda ] && echo "init: the host has /dev/vda"
insmod /lib/tun.ko && tunctl -t gztap0 >/dev/null && ip addr add 10.0.2.2/24 dev gztap0 &&
  ip link set gztap0 up && echo "init: gztap0 up"
nc -ll -p 5007 -e /bin/cat &
GZ_DEBIAN_NET=gztap0 GZ_DEBIAN_REBOOT=$reboot GZ_DEBIAN_LIMIT=${GZ_DEBIAN_LIMIT:-800} /t/debian_boot.sh $what /bin/gzvmm /tmp/debian /dev/vda /boot --backend gzvm --mem 512M >/tmp/debian.log 2>&1
echo "init: debian_boot.sh exit \$?"
sed 's/^/debian: /' /tmp/debian.log
echo "init: pinned_pages \$(cat /sys/kernel/gzvm/pinned_pages)"
echo "init: done"; poweroff -f
INIT
chmod +x "$r/t/"*.sh
GZ_STACK_MEM=1536 gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-2700}" 4194304 \
  -drive "file=$work/disk.img,format=raw,if=none,id=hd0" -device virtio-blk-device,drive=hd0
rm -f "$work/disk.img"
grep -aE "^(init|debian: (boot[12]: session|debian))|panic|Oops" "$log"
echo "+ qemu exit status: $status (full console: $log)"

ok=1
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status (124: timeout)"; ok=0; }
grep -q "^init: insmod gzvm.ko ok$" "$log" || { echo "FAIL: gzvm.ko did not load"; ok=0; }
grep -q "^init: the host has /dev/vda$" "$log" || { echo "FAIL: the host VM has no disk"; ok=0; }
grep -q "^init: gztap0 up$" "$log" || { echo "FAIL: the host VM has no TAP"; ok=0; }
grep -q "^init: debian_boot.sh exit 0$" "$log" &&
  grep -q "^debian: debian: system \(running\|degraded\)$" "$log" &&
  grep -q "^debian: debian: network echo after " "$log" &&
  { [ $reboot = 0 ] || grep -q "^debian: debian: reboot login after " "$log"; } &&
  grep -q "^debian: debian: the file written in the first boot is there in the second$" "$log" ||
  { echo "FAIL: Debian did not boot twice to its login, echo over the network, reboot, keep its file and power off"; ok=0; }
grep -q "^init: pinned_pages 0$" "$log" || { echo "FAIL: pages still pinned after the VMs"; ok=0; }
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
