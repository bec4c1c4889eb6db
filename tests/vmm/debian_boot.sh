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
# With GZ_DEBIAN_NET=TAP (an existing TAP with 10.0.2.2/24 whose side runs a TCP echo server
# on port 5007) the first boot also gets --net tap=TAP,mac=52:54:00:ab:cd:ef: Debian's
# systemd-networkd is given 10.0.2.15/24 for that MAC (a file in /run, nothing kept on the
# disk), and bash's /dev/tcp sends a line to the host and reads it back.
# With GZ_DEBIAN_REBOOT=1 the first boot, once its file is written, reboots (PSCI SYSTEM_RESET:
# gzvmm restarts the VM in place); logged in again, it asks systemd again and reads the file
# back before the power key. That counts logins: it needs a disk without a getty on hvc0
# (debian_test_disk.sh), whose login would interleave with the serial console's.
# GZ_DEBIAN_LIMIT: seconds each boot may take to its power-off (default 600; twice that for
# the run with the reboot). DISK is written to: give a copy. POSIX sh (busybox in the full
# stack's host VM).
# Prints "debian: BOOT login after S s" per boot, "debian: system STATE" and, with the
# network, "debian: network echo after S s", with the reboot "debian: reboot login after S s".
set -u
what=$1 gzvmm=$2 work=$3 disk=$4 bootdir=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
session=$here/console_session.sh
limit=${GZ_DEBIAN_LIMIT:-600}
mkdir -p "$work"
token=$$-$(date +%s)
prompt='root@opengz:~# '

boot() { # NAME SECONDS STEP...: one run of gzvmm on the disk through a console session
	name=$1 secs=$2
	shift 2
	case $what in
	direct)
		"$session" "$work/$name" "$secs" "$@" -- "$gzvmm" run --kernel "$bootdir/vmlinuz" \
			--initrd "$bootdir/initrd.img" --append "root=/dev/vda2 rw console=ttyAMA0" \
			--disk "$disk" $opts
		;;
	edk2)
		"$session" "$work/$name" "$secs" "$@" -- "$gzvmm" run --bios "$bootdir/QEMU_EFI.fd" \
			--bios-vars "$work/vars.img" --disk "$disk" $opts
		;;
	esac >"$work/$name.log" 2>&1
	rc=$?
	grep '^session: \(step\|gzvmm\)' "$work/$name.log" | sed "s/^/$name: /"
	t=$(step_time 1)
	[ -n "$t" ] && echo "debian: $name login after $t s"
	[ $rc = 0 ] || {
		echo "debian: $name failed; the console's end:"
		tail -n 40 "$work/$name/console"
		echo
	}
	return $rc
}

step_time() { # N: when step N of the last boot was met, in seconds from gzvmm's start
	sed -n "s/^session: step $1 (.*) after \(.*\) s\$/\1/p" "$work/$name.log"
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

# Steps: PATTERN|COUNT|TEXT (console_session.sh). Bash starts each command's output with the
# end of bracketed paste (ESC [?2004l), so no pattern is anchored; each is the output of a
# command and never the command's own echo ($((6 * 7)) is typed, 42 printed).
state='s=$(timeout 600 systemctl is-system-running --wait); case $s in running | degraded)'
state="$state echo opengz-state-ok: \$s ;; *) echo opengz-state-bad: \$s ;; esac\r"
next='opengz-state-ok: [a-z]'
if [ -n "${GZ_DEBIAN_NET:-}" ]; then
	mac=52:54:00:ab:cd:ef nw=/run/systemd/network/50-opengz.network
	net="mkdir -p /run/systemd/network; echo [Match] >$nw; echo MACAddress=$mac >>$nw;"
	net="$net echo [Network] >>$nw; echo Address=10.0.2.15/24 >>$nw;"
	net="$net systemctl restart systemd-networkd; for i in \$(seq 90); do"
	net="$net exec 3<>/dev/tcp/10.0.2.2/5007 && break; sleep 1; done 2>/dev/null;"
	net="$net echo opengz-net-$token >&3; read -t 60 -r r <&3; exec 3<&-; echo \"net:\$r\"\r"
	set -- "$next|1|$net"
	next="net:opengz-net-$token"
	opts1="$opts --net tap=$GZ_DEBIAN_NET,mac=$mac"
else
	set --
	opts1=$opts
fi
set -- "$prompt|1|$state" "$@" \
	"$next|1|echo opengz-mark-$token >/root/opengz-mark; sync; echo opengz-written-\$((6 * 7))\r"
if [ "${GZ_DEBIAN_REBOOT:-}" = 1 ]; then
	# The message of the day follows each login; after the second, systemd is asked again
	# and the file read back before the power key.
	again='s=$(timeout 600 systemctl is-system-running --wait);'
	again="$again echo opengz-again-\$((6 * 7)): \$s \$(cat /root/opengz-mark)\r"
	set -- "$@" 'opengz-written-42|1|reboot\r' "ABSOLUTELY NO WARRANTY|2|$again" \
		"opengz-again-42: [a-z]* opengz-mark-$token|1|@TERM"
else
	set -- "$@" 'opengz-written-42|1|@TERM'
fi
nsteps=$#
opts0=$opts opts=$opts1
secs=$limit
[ "${GZ_DEBIAN_REBOOT:-}" = 1 ] && secs=$((limit * 2))
boot boot1 "$secs" "$@" || exit 1
opts=$opts0
sed -n 's/^.*opengz-state-ok: \([a-z][a-z]*\).*$/debian: system \1/p' "$work/boot1/console" | head -n 1
[ -n "${GZ_DEBIAN_NET:-}" ] &&
	echo "debian: network echo after $(echo "$(step_time 2) $(step_time 3)" | awk '{printf "%.1f", $2 - $1}') s"
[ "${GZ_DEBIAN_REBOOT:-}" = 1 ] &&
	echo "debian: reboot login after $(echo "$(step_time $((nsteps - 2))) $(step_time $((nsteps - 1)))" | awk '{printf "%.1f", $2 - $1}') s"
boot boot2 "$limit" "$prompt|1|cat /root/opengz-mark\r" "opengz-mark-$token|1|@TERM" || exit 1
echo "debian: the file written in the first boot is there in the second"
