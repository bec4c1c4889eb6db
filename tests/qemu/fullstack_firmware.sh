#!/usr/bin/env bash
# Debian's firmware for QEMU virt as a guest of the whole stack: gzhyp at EL2 boots Debian's
# arm64 kernel as the host VM; in it gzvm.ko and a static aarch64 gzvmm run
# tests/vmm/firmware.sh with --backend gzvm:
#   uboot: U-Boot executes in place from the read-only flash memslot, probes the flash
#     through its command set, reaches its prompt, answers "version" and "date" (the PL031's
#     wall clock), "reset" restarts the VM in place, U-Boot's prompt again, "poweroff".
#     (Saving its environment, 256 KiB of flash programming, is tested in the simulator:
#     here each of its 131,072 16-bit writes is an MMIO exit through the nested stack.)
#   edk2: EDK2 reaches its UEFI shell, formatting an empty variable store through the flash,
#     and powers off.
# Then a second session with the test disk (esp-test.img as read-only virtio-blk, through
# gzvmm's ioeventfds and irqfds): uboot-disk: U-Boot lists the disk and its EFI system
# partition ("virtio info", "part list virtio 0"), gzvmm reading the file; edk2-disk: EDK2
# boots GRUB from the partition, which prints its marker and powers off, gzvmm reading a block
# device (the host VM gets the image as QEMU's virtio-blk, /dev/vda: gzvmm --disk /dev/vda,ro).
#   fullstack_firmware.sh GZHYP_IMAGE WORKDIR uboot|edk2
# Needs scripts/fetch-kernel --image, scripts/fetch-vmm-arm64 and scripts/fetch-firmware.
set -uo pipefail

image=$1 work=$2 what=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
fw=$("$root/scripts/fetch-firmware") || { echo "FAIL: no firmware: run scripts/fetch-firmware"; exit 1; }
lnx=$(GZ_KERNEL_ABI=${GZ_KERNEL_ABI:-6.1.0-50} "$root/scripts/fetch-linux" --print) ||
  { echo "FAIL: kernel modules missing: run scripts/fetch-linux"; exit 1; }
gz_stack_root "$image" "$work" fw t lib
cp "$fw/u-boot.bin" "$fw/QEMU_EFI.fd" "$fw/esp-test.img" "$r/fw/" && cp "$root/tests/vmm/firmware.sh" "$root/tests/vmm/console_session.sh" "$r/t/"
cp "$lnx/modules/virtio_mmio.ko" "$lnx/modules/virtio_blk.ko" "$r/lib/" || exit 1
esp=/fw/esp-test.img
[ "$what" = edk2 ] && esp=/dev/vda
cat >"$r/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
GZ_FIRMWARE_DIR=/fw /t/firmware.sh $what /bin/gzvmm /tmp/fw --backend gzvm --mem 256M >/tmp/fw.log 2>&1
echo "init: firmware.sh exit \$?"
sed 's/^/fw: /' /tmp/fw.log
insmod /lib/virtio_mmio.ko; insmod /lib/virtio_blk.ko
i=0; while [ ! -b /dev/vda ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
GZ_ESP_DISK=$esp GZ_FIRMWARE_DIR=/fw /t/firmware.sh $what-disk /bin/gzvmm /tmp/disk --backend gzvm --mem 256M >/tmp/disk.log 2>&1
echo "init: firmware.sh disk exit \$?"
sed 's/^/disk: /' /tmp/disk.log
echo "init: pinned_pages \$(cat /sys/kernel/gzvm/pinned_pages)"
echo "init: done"; poweroff -f
INIT
chmod +x "$r/t/"*.sh
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-28}" 1048576 \
  -drive "file=$fw/esp-test.img,format=raw,if=none,id=hd0,readonly=on" \
  -device virtio-blk-device,drive=hd0
grep -E "^(init|(fw|disk): session: (step|gzvmm))|^fw: firmware|panic|Oops" "$log"
echo "+ qemu exit status: $status (full console: $log)"

ok=1
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status (124: timeout)"; ok=0; }
grep -q "^init: insmod gzvm.ko ok$" "$log" || { echo "FAIL: gzvm.ko did not load"; ok=0; }
grep -q "^init: firmware.sh exit 0$" "$log" && grep -q '^fw: session: gzvmm exit 0$' "$log" ||
  { echo "FAIL: the $what session did not go through (gzvmm status 0)"; ok=0; }
case $what in
uboot)
  grep -q "^fw: session: step 3 (^aarch64-linux-gnu-gcc) after" "$log" &&
    grep -q "^fw: session: step 5 (^Date: 20[0-9][0-9]-) after" "$log" &&
    grep -q "^fw: session: step 8 (^=> ) after" "$log" ||
    { echo "FAIL: U-Boot did not answer 'version' and 'date' or come back after its reset"; ok=0; }
  ;;
edk2)
  grep -q "^fw: session: step 2 (Shell>) after" "$log" &&
    grep -q "^fw: firmware: the variable store holds a firmware volume$" "$log" ||
    { echo "FAIL: EDK2 did not reach its shell or format its variable store"; ok=0; }
  ;;
esac
grep -q "^init: firmware.sh disk exit 0$" "$log" && grep -q '^disk: session: gzvmm exit 0$' "$log" ||
  { echo "FAIL: the $what-disk session did not go through (gzvmm status 0)"; ok=0; }
case $what in
uboot)
  grep -q '^disk: session: step 7 (type:.c12a7328-f81f-11d2-ba4b-00a0c93ec93b) after' "$log" ||
    { echo "FAIL: U-Boot did not list the virtio disk's EFI system partition"; ok=0; }
  ;;
edk2)
  grep -q '^disk: session: step 1 (opengz-esp: GRUB started from the virtio disk) after' "$log" ||
    { echo "FAIL: EDK2 did not start GRUB from the virtio disk"; ok=0; }
  ;;
esac
grep -q "^init: pinned_pages 0$" "$log" || { echo "FAIL: pages still pinned after the VMs"; ok=0; }
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
