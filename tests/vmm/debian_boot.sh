#!/bin/sh
# Debian 12's system image (scripts/build-debian-image) under gzvmm, through console_session.sh:
# two boots of the same disk. The first reaches the serial console's automatic root login,
# asks systemd whether the system is up ("running" or "degraded", printed), writes a file and
# is powered off through the board's power key (SIGTERM to gzvmm: systemd-logind shuts down,
# gzvmm ends with status 0); the second boot finds the file and powers off the same way.
#   debian_boot.sh direct|edk2 GZVMM WORKDIR DISK BOOTDIR [GZVMM-OPTION...]
#     direct: gzvmm loads BOOTDIR/vmlinuz and BOOTDIR/initrd.img (the image's /boot, from
#       scripts/build-debian-image --extract), root=/dev/vda2 on virtio-blk.
#     edk2: EDK2 (BOOTDIR/QEMU_EFI.fd) boots the disk's GRUB, which loads the image's kernel.
# DISK is written to: give a copy. POSIX sh (busybox in the full stack's host VM).
# Prints "debian: BOOT login after S s" per boot and "debian: system STATE".
set -u
what=$1 gzvmm=$2 work=$3 disk=$4 bootdir=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
session=$here/console_session.sh
limit=${GZ_DEBIAN_LIMIT:-600}
mkdir -p "$work"
token=$$-$(date +%s)
prompt='root@opengz:~# '

boot() { # NAME STEP...: one boot of the disk through a console session
	name=$1
	shift
	case $what in
	direct)
		"$session" "$work/$name" "$limit" "$@" -- "$gzvmm" run --kernel "$bootdir/vmlinuz" \
			--initrd "$bootdir/initrd.img" --append "root=/dev/vda2 rw console=ttyAMA0" \
			--disk "$disk" $opts
		;;
	edk2)
		"$session" "$work/$name" "$limit" "$@" -- "$gzvmm" run --bios "$bootdir/QEMU_EFI.fd" \
			--bios-vars "$work/vars.img" --disk "$disk" $opts
		;;
	esac >"$work/$name.log" 2>&1
	rc=$?
	grep '^session: \(step\|gzvmm\)' "$work/$name.log" | sed "s/^/$name: /"
	t=$(sed -n 's/^session: step 1 (.*) after \(.*\) s$/\1/p' "$work/$name.log")
	[ -n "$t" ] && echo "debian: $name login after $t s"
	[ $rc = 0 ] || {
		echo "debian: $name failed; the console's end:"
		tail -n 40 "$work/$name/console"
	}
	return $rc
}

case $what in
direct | edk2) ;;
*)
	echo "usage: debian_boot.sh direct|edk2 GZVMM WORKDIR DISK BOOTDIR [GZVMM-OPTION...]"
	exit 2
	;;
esac
opts="$*"
[ "$what" = edk2 ] && { rm -f "$work/vars.img" && truncate -s 64M "$work/vars.img" || exit 1; }

# A step's pattern ends at its first "|": the shell says whether the state is one of the two.
state='s=$(timeout 120 systemctl is-system-running --wait); case $s in running | degraded)'
state="$state echo opengz-state-ok: \$s ;; *) echo opengz-state-bad: \$s ;; esac\r"
boot boot1 "$prompt|1|$state" \
	'^opengz-state-ok: |1|echo opengz-mark-'"$token"' >/root/opengz-mark; sync; echo opengz-written\r' \
	'^opengz-written|1|@TERM' || exit 1
sed -n 's/^opengz-state-ok: \([a-z]*\).*$/debian: system \1/p' "$work/boot1/console" | head -n 1
boot boot2 "$prompt|1|cat /root/opengz-mark\r" "^opengz-mark-$token|1|@TERM" || exit 1
echo "debian: the file written in the first boot is there in the second"
