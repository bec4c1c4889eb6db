#!/usr/bin/env bash
# gzvmm --backend sim killed with SIGKILL at random moments, KILLS times, four kinds in turn:
#   boot     the smp guest on 4 vCPUs, killed 0-300 ms after gzvmm starts (set-up: RAM,
#            memslots, vCPU threads, the first RUNs and stage-2 faults);
#   run      the stall guest's 2 vCPUs spinning in RUN, killed 0.2-1.5 s in;
#   vsock    the vsock guest streaming to vsock_echo through gzvmm's --vsock socket (virtio
#            I/O both ways), killed 0.1-1 s after the socket appears;
#   memslot  U-Boot from flash (its flash memslots deleted and registered again as it probes
#            the flash and writes its environment), killed 0.3-3 s in; without the firmware
#            (scripts/fetch-firmware) this kind runs the ipi guest on 8 vCPUs instead.
# A guest that ends by itself before its moment is no kill: the moment is drawn again below
# what the run lasted (3 times at most, then the run counts as "ended by itself").
# After each kill: gzvmm is gone with status 137 and no process it started is left; its
# temporary directory (TMPDIR) and /dev/shm hold nothing new; the vsock socket a killed run
# could not remove is taken over by the next run on the same path, which removes it at its
# end; and that next run (hello) prints its transcript. One "kill:" line per kill and
# "kill: done K kills, F failed" at the end; exit status 0 when every kill came back clean.
#   sim_kill.sh GZVMM GUEST_DIR VSOCK_ECHO EXPECTED_DIR WORK KILLS [SEED]
set -uo pipefail
gzvmm=$1 guests=$2 echo_tool=$3 exp=$4 work=$5 kills=$6 seed=${7:-$$}
here=$(cd "$(dirname "$0")" && pwd)
fw=$("$here/../../scripts/fetch-firmware" --print 2>/dev/null) && [ -f "$fw/u-boot.bin" ] || fw=
rm -rf "$work" && mkdir -p "$work/tmp" || exit 1
export TMPDIR=$work/tmp
RANDOM=$seed
echo "sim_kill: seed $seed, $kills kills${fw:+, U-Boot from $fw}"

shm_list() { ls -A /dev/shm 2>/dev/null | sort; }
# rnd LO HI: a number in [LO, HI)
rnd() { echo $(($1 + RANDOM % ($2 - $1))); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

failed=0
for ((i = 0; i < kills; i++)); do
	kind=$((i % 4))
	case $kind in
	0) what=boot lo=0 hi=300 ;;
	1) what=run lo=200 hi=1500 ;;
	2) what=vsock lo=100 hi=1000 ;;
	3) what=memslot lo=300 hi=3000 ;;
	esac
	ms=$(rnd $lo $hi)
	shm0=$(shm_list)
	for ((try = 0; ; try++)); do
		rm -f "$work/out" "$work/err" "$work/v.sock"*
		epid=
		case $what in
		boot) set -- --kernel "$guests/smp.elf" --cpus 4 ;;
		run) set -- --kernel "$guests/stall.elf" --cpus 2 ;;
		vsock)
			"$echo_tool" "$work/v.sock" 8388608 200 >/dev/null 2>&1 &
			epid=$!
			set -- --kernel "$guests/vsock.elf" --vsock "3,$work/v.sock"
			;;
		memslot)
			if [ -n "$fw" ]; then
				rm -f "$work/vars" && truncate -s 64M "$work/vars"
				set -- --bios "$fw/u-boot.bin" --bios-vars "$work/vars" --mem 256M
			else
				set -- --kernel "$guests/ipi.elf" --cpus 8
			fi
			;;
		esac
		t0=$(now_ms)
		"$gzvmm" run --backend sim "$@" --console "file:$work/out" 2>"$work/err" </dev/null &
		pid=$!
		if [ $what = vsock ]; then # from the moment the socket is there
			n=0
			while [ $n -lt 200 ] && [ ! -S "$work/v.sock" ]; do sleep 0.05; n=$((n + 1)); done
		fi
		sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		alive=yes
		kill -0 $pid 2>/dev/null || alive=no
		kill -9 $pid 2>/dev/null
		{ wait $pid; } 2>/dev/null
		rc=$?
		lasted=$(($(now_ms) - t0))
		if [ -n "$epid" ]; then
			kill $epid 2>/dev/null
			wait $epid 2>/dev/null
		fi
		# ended by itself first: draw the moment again, below what it lasted
		if [ $alive = no ] && [ $rc = 0 ] && [ $try -lt 3 ]; then
			echo "kill: $i $what ended by itself before ${ms}ms; again"
			ms=$(rnd 0 $((lasted > 1 ? lasted / 2 : 1)))
			continue
		fi
		break
	done
	ok=yes why=
	if [ $alive = no ] && [ $rc = 0 ]; then
		rc=ended-by-itself
	elif [ $alive = no ] || [ $rc != 137 ]; then
		ok=no why="$why gzvmm-ended-before-the-kill(status-$rc)"
		head -c 600 "$work/err"
	fi
	# nothing of it left running, nothing left in its TMPDIR or in /dev/shm
	left=$(pgrep -P $pid 2>/dev/null | wc -l)
	[ "$left" = 0 ] || { ok=no why="$why $left-processes-left"; }
	[ -z "$(ls -A "$work/tmp")" ] || { ok=no why="$why files-left-in-TMPDIR"; ls -A "$work/tmp" | head; }
	[ "$(shm_list)" = "$shm0" ] || { ok=no why="$why /dev/shm-changed"; }
	bytes=$(wc -c <"$work/out" 2>/dev/null || echo 0)
	stale=-
	next_args=()
	if [ $what = vsock ]; then
		stale=$([ -S "$work/v.sock" ] && echo yes || echo no)
		next_args=(--vsock "3,$work/v.sock")
	fi
	# the next VM, on the same socket path after a vsock kill
	"$gzvmm" run --backend sim --kernel "$guests/hello.elf" "${next_args[@]}" \
		--console "file:$work/next" 2>"$work/next.err" </dev/null
	nrc=$?
	next=ok
	if [ $nrc != 0 ] || ! cmp -s "$work/next" "$exp/hello.txt"; then
		next=FAILED ok=no why="$why next-VM-status-$nrc"
		head -c 600 "$work/next.err"
	fi
	[ ! -e "$work/v.sock" ] || { ok=no why="$why socket-left-after-the-next-run"; }
	[ $ok = yes ] || failed=$((failed + 1))
	echo "kill: $i $what after ${ms}ms console_bytes $bytes status $rc stale_socket $stale next_vm $next $([ $ok = yes ] && echo ok || echo "FAILED:$why")"
done
echo "kill: done $kills kills, $failed failed"
[ $failed = 0 ]
