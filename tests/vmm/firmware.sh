#!/bin/sh
# Debian's firmware for QEMU's virt board under gzvmm, through console_session.sh.
#   firmware.sh uboot GZVMM WORKDIR [GZVMM-OPTION...]
#     U-Boot to its prompt, "version", "date" (the PL031: this year by the host's clock),
#     "reset" (the VM restarts in place), the prompt again, "poweroff" (gzvmm status 0).
#   firmware.sh uboot-env GZVMM WORKDIR [GZVMM-OPTION...]
#     The same with a variable saved to the flash store before the reset ("saveenv": an erase
#     and 256 KiB of buffered programs): it is there after the reboot, and a second run of
#     gzvmm on the same store finds it again.
#   firmware.sh edk2 GZVMM WORKDIR [GZVMM-OPTION...]
#     EDK2 to its UEFI shell on an empty variable store, which it formats (the firmware
#     volume header lands in the file), a key typed at the shell's startup countdown;
#     "reset -s" powers off.
#   firmware.sh uboot-disk GZVMM WORKDIR [GZVMM-OPTION...]
#     U-Boot with the test disk (esp-test.img, read-only virtio-blk): "virtio info" names the
#     disk and its size, "part list virtio 0" its GPT and EFI system partition, "poweroff".
#   firmware.sh edk2-disk GZVMM WORKDIR [GZVMM-OPTION...]
#     EDK2 with the test disk boots GRUB from its EFI system partition (the removable-media
#     path EFI/BOOT/BOOTAA64.EFI, no boot variable): GRUB prints its marker and powers off.
# Console lines end in \r\n: patterns are not anchored at the end.
# The images come from scripts/fetch-firmware (Debian's u-boot-qemu and qemu-efi-aarch64, and
# esp-test.img: an 8 MiB GPT disk whose ESP holds GRUB with an embedded configuration), or
# from the folder GZ_FIRMWARE_DIR names (the full stack's host VM has no scripts/); the disk
# sessions take GZ_ESP_DISK instead of esp-test.img when it is set (a block device).
set -u
what=$1 gzvmm=$2 work=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
fw=${GZ_FIRMWARE_DIR:-$("$here/../../scripts/fetch-firmware")} || exit 1
session=$here/console_session.sh
esp=${GZ_ESP_DISK:-$fw/esp-test.img}
mkdir -p "$work"
vars=$work/vars.img
rm -f "$vars" && truncate -s 64M "$vars" || exit 1
key='Hit any key to stop autoboot'
year=$(date -u +%Y)

case $what in
uboot)
	"$session" "$work/1" 60 "$key|1| " '^=> |1|version\r' '^aarch64-linux-gnu-gcc|1|' \
		'^=> |2|date\r' "^Date: $year-|1|" '^=> |3|reset\r' "$key|2| " '^=> |4|poweroff\r' -- \
		"$gzvmm" run --bios "$fw/u-boot.bin" --bios-vars "$vars" "$@"
	;;
uboot-env)
	"$session" "$work/1" 120 "$key|1| " '^=> |1|version\r' '^aarch64-linux-gnu-gcc|1|' \
		'^=> |2|date\r' "^Date: $year-|1|" '^=> |3|setenv opengz saved; saveenv\r' \
		'^OK|1|reset\r' "$key|2| " '^=> |5|printenv opengz\r' '^opengz=saved|1|' \
		'^=> |6|poweroff\r' -- \
		"$gzvmm" run --bios "$fw/u-boot.bin" --bios-vars "$vars" "$@" || exit 1
	"$session" "$work/2" 60 "$key|1| " '^=> |1|printenv opengz\r' '^opengz=saved|1|' \
		'^=> |2|poweroff\r' -- "$gzvmm" run --bios "$fw/u-boot.bin" --bios-vars "$vars" "$@"
	;;
edk2)
	# Enter at the shell's "Press ESC in 5 seconds to skip startup.nsh" (colour codes between
	# its words) ends its countdown after the first of five busy-waited seconds: in the
	# simulator's instruction clock each one costs 100 M instructions, and the five were half
	# of the run's.
	"$session" "$work/1" 240 'in 5 seconds to skip|1|\r' 'Shell>|1|reset -s\r' -- \
		"$gzvmm" run --bios "$fw/QEMU_EFI.fd" --bios-vars "$vars" "$@" || exit 1
	# EFI_FIRMWARE_VOLUME_HEADER.Signature "_FVH" at offset 40 of the store.
	sig=$(dd if="$vars" bs=1 skip=40 count=4 2>/dev/null)
	[ "$sig" = "_FVH" ] || { echo "firmware: the variable store was not formatted"; exit 1; }
	echo "firmware: the variable store holds a firmware volume"
	;;
uboot-disk)
	"$session" "$work/1" 60 "$key|1| " '^=> |1|virtio scan; virtio info\r' \
		'^Device 0: .*VirtIO Block Device|1|' '16384 x 512|1|part list virtio 0\r' \
		'Partition Type: EFI|1|' '^  1	0x00000800	0x000037ff	"ESP"|1|' \
		'type:	c12a7328-f81f-11d2-ba4b-00a0c93ec93b|1|' '^=> |3|poweroff\r' -- \
		"$gzvmm" run --bios "$fw/u-boot.bin" --bios-vars "$vars" --disk "$esp,ro" "$@"
	;;
edk2-disk)
	"$session" "$work/1" 240 'opengz-esp: GRUB started from the virtio disk|1|' -- \
		"$gzvmm" run --bios "$fw/QEMU_EFI.fd" --bios-vars "$vars" --disk "$esp,ro" "$@"
	;;
*)
	echo "usage: firmware.sh uboot|uboot-env|edk2|uboot-disk|edk2-disk GZVMM WORKDIR [GZVMM-OPTION...]"
	exit 2
	;;
esac
