#!/bin/sh
# debian_boot.sh on the build machine: a sparse copy of the cached Debian image
# (scripts/build-debian-image; the test fails when it is not built yet, it never builds it),
# its kernel and initramfs taken out for the direct boot, EDK2 from scripts/fetch-firmware.
#   debian_image.sh direct|edk2 GZVMM WORKDIR [GZVMM-OPTION...]
set -u
what=$1 gzvmm=$2 work=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
scripts=$here/../../scripts
img=$("$scripts/build-debian-image" --print) || exit 1
rm -rf "$work" && mkdir -p "$work/boot" || exit 1
cp --sparse=always "$img" "$work/disk.img" || exit 1
case $what in
direct) "$scripts/build-debian-image" --extract "$work/boot" >/dev/null || exit 1 ;;
edk2) cp "$("$scripts/fetch-firmware")/QEMU_EFI.fd" "$work/boot/" || exit 1 ;;
esac
"$here/debian_boot.sh" "$what" "$gzvmm" "$work/run" "$work/disk.img" "$work/boot" "$@"
rc=$?
rm -f "$work/disk.img"
exit $rc
