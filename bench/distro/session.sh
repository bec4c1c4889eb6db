#!/bin/sh
# One measured boot of Debian 12's image inside bench/distro's host VM (busybox sh), under
# gzvmm --backend gzvm or under Debian's qemu-system-aarch64 with KVM (kvm-qemu), driven by
# tests/vmm/console_session.sh: the time from the VMM's start to the root prompt of the
# serial console (the getty logs root in by itself), then the network (systemd-networkd gives
# 10.0.2.15/24 to the NIC with MAC 52:54:00:ab:cd:ef) and MIB MiB each way over TCP with
# bash's /dev/tcp, timed inside the guest: sent to the host VM's "nc -l -p 5008" and
# received from its "nc -l -p 5009" (the caller's receivers), then poweroff.
#   session.sh gzvmm|kvm direct|edk2 WORK DISK BOOTDIR TAP MIB
# (with kvm, DISK and BOOTDIR are paths inside the chroot /kvm.)
# Prints "bench: VMM BOOT prompt S" (seconds), "bench: VMM BOOT tx MS" and "bench: VMM BOOT rx
# MS" (milliseconds for MIB MiB), "bench: VMM BOOT exit STATUS".
vmm=$1 boot=$2 work=$3 disk=$4 bootdir=$5 tap=$6 mib=$7
here=$(cd "$(dirname "$0")" && pwd)
mac=52:54:00:ab:cd:ef nw=/run/systemd/network/50-opengz.network
# The guest's commands, typed as one line (printf %b turns \\n into \n for the guest's printf).
net=$(printf '%s; ' 'mkdir -p /run/systemd/network' \
	"printf '[Match]\\\\nMACAddress=$mac\\\\n[Network]\\\\nAddress=10.0.2.15/24\\\\n' >$nw" \
	'systemctl restart systemd-networkd' \
	'for i in $(seq 90); do exec 3<>/dev/tcp/10.0.2.2/5007 && break; sleep 1; done 2>/dev/null' \
	'exec 3<&-' "s=\$(date +%s%N)" "head -c ${mib}M /dev/zero >/dev/tcp/10.0.2.2/5008" \
	"e=\$(date +%s%N)" 'cat </dev/tcp/10.0.2.2/5009 | wc -c >/tmp/n' "f=\$(date +%s%N)")
net="${net}echo opengz-tput \$(((e - s) / 1000000)) \$(((f - e) / 1000000)) \$(cat /tmp/n)\r"
case $vmm.$boot in
gzvmm.direct)
	set -- gzvmm run --backend gzvm --mem 512M --kernel "$bootdir/vmlinuz" \
		--initrd "$bootdir/initrd.img" --append "root=/dev/vda2 rw console=ttyAMA0"
	;;
gzvmm.edk2)
	truncate -s 64M "$work.vars" &&
		set -- gzvmm run --backend gzvm --mem 512M --bios "$bootdir/QEMU_EFI.fd" \
			--bios-vars "$work.vars"
	;;
kvm.direct)
	set -- "$here/kvm-qemu" -kernel "$bootdir/vmlinuz" -initrd "$bootdir/initrd.img" \
		-append "root=/dev/vda2 rw console=ttyAMA0"
	;;
kvm.edk2)
	# The firmware in flash bank 0 padded to the bank's 64 MiB, the variable store in bank 1,
	# both inside the chroot QEMU runs in (BOOTDIR is a path inside it too).
	cp "/kvm$bootdir/QEMU_EFI.fd" /kvm/tmp/efi.img && truncate -s 64M /kvm/tmp/efi.img &&
		rm -f /kvm/tmp/vars.img && truncate -s 64M /kvm/tmp/vars.img &&
		set -- "$here/kvm-qemu" -drive "if=pflash,format=raw,readonly=on,file=/tmp/efi.img" \
			-drive "if=pflash,format=raw,file=/tmp/vars.img"
	;;
*)
	echo "usage: session.sh gzvmm|kvm direct|edk2 WORK DISK BOOTDIR TAP MIB"
	exit 2
	;;
esac
if [ "$vmm" = gzvmm ]; then
	set -- "$@" --disk "$disk" --net "tap=$tap,mac=$mac"
else
	set -- "$@" -drive "file=$disk,format=raw,if=none,id=d0" -device virtio-blk-device,drive=d0 \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=on" \
		-device "virtio-net-device,netdev=n0,mac=$mac"
fi
# Bash starts a command's output with the end of bracketed paste (ESC [?2004l): no anchors.
"$here/console_session.sh" "$work" 1800 'root@opengz:~# |1|'"$net" \
	'opengz-tput [0-9]|1|poweroff\r' -- "$@" >"$work.log" 2>&1
rc=$?
t=$(sed -n 's/^session: step 1 (.*) after \(.*\) s$/\1/p' "$work.log")
set -- $(sed -n 's/^.*opengz-tput \([0-9]* [0-9]* [0-9]*\).*$/\1/p' "$work/console" | head -n 1)
echo "bench: $vmm $boot prompt ${t:-?}"
echo "bench: $vmm $boot tx ${1:-?}"
[ "${3:-}" = $((mib * 1048576)) ] && echo "bench: $vmm $boot rx $2" ||
	echo "bench: $vmm $boot rx ? (${3:-no} bytes)"
echo "bench: $vmm $boot exit $rc"
[ -n "$t" ] && [ -n "${1:-}" ] || { grep '^session' "$work.log"; tail -n 30 "$work/console"; }
