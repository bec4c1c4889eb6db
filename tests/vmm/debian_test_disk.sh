#!/bin/sh
# A per-test copy of Debian's cached system image (scripts/build-debian-image) with two
# changes for tests on a loaded machine, written into its root file system with debugfs (no
# mount, no root needed): systemd's start timeouts at 10 minutes (it gives each device, the
# serial console's tty among them, 90 s to show up by default: less than udev's start takes
# at a load average of 20 in the full stack), and no getty on hvc0 (its login
# would interleave with the serial console's in gzvmm's one console output). The cached
# image is never written.
#   debian_test_disk.sh IMAGE COPY
set -u
img=$1 out=$2
rm -f "$out" && cp --sparse=always "$img" "$out" || exit 1
# The root file system is the second GPT partition.
first=$(sgdisk -i 2 "$out" | sed -n 's/^First sector: \([0-9]*\).*$/\1/p')
[ -n "$first" ] || { echo "debian_test_disk: no second partition in $out"; exit 1; }
conf=$out.conf dev=$out.dev
printf '[Manager]\nDefaultTimeoutStartSec=600\n' >"$conf" &&
	printf '[Unit]\nJobRunningTimeoutSec=600\n' >"$dev" || exit 1
# Device units keep their own 90 s (JobRunningTimeoutSec, as fstab's x-systemd.device-timeout
# sets it): the serial console's tty and the EFI system partition get a drop-in each.
s=/etc/systemd/system
debugfs -w -f - "$out?offset=$((first * 512))" >"$out.log" 2>&1 <<CMDS
mkdir /etc/systemd/system.conf.d
write $conf /etc/systemd/system.conf.d/opengz-test.conf
mkdir $s/dev-ttyAMA0.device.d
write $dev $s/dev-ttyAMA0.device.d/opengz-test.conf
mkdir $s/dev-vda1.device.d
write $dev $s/dev-vda1.device.d/opengz-test.conf
symlink $s/serial-getty@hvc0.service /dev/null
CMDS
rm -f "$conf" "$dev"
debugfs -R "cat $s/dev-vda1.device.d/opengz-test.conf" "$out?offset=$((first * 512))" 2>/dev/null |
	grep -q '^JobRunningTimeoutSec=600$' ||
	{ echo "debian_test_disk: could not write into $out:"; cat "$out.log"; exit 1; }
rm -f "$out.log"
