#!/bin/sh
# Drives gzvmm's console as a user at a terminal would: waits for what the guest prints and
# types the answers. POSIX sh, so the same script runs on the build machine (gzvmm --backend
# sim) and in the full stack's host VM (busybox sh, --backend gzvm).
#   console_session.sh WORKDIR SECONDS STEP... -- GZVMM-COMMAND...
# GZ_TIME_SCALE (default 1) multiplies SECONDS (the asan and coverage builds set it).
# STEP is PATTERN|COUNT|TEXT: once COUNT console lines match the grep PATTERN, TEXT is typed
# (printf %b: \r is Enter; empty: nothing; @TERM: SIGTERM to gzvmm, which presses the
# board's power key). The command gets --console file:WORKDIR/console
# --input pl011 added and stdin from a FIFO. Prints "session: step N (PATTERN) after S s" per
# step, then "session: gzvmm exit STATUS" and the console; exit status 0 when every step was
# met within SECONDS and gzvmm ended with status 0.
work=$1 limit=$((${2} * ${GZ_TIME_SCALE:-1}))
shift 2
nsteps=0
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	nsteps=$((nsteps + 1))
	eval "step_$nsteps=\$1"
	shift
done
[ "${1:-}" = "--" ] && shift
out=$work/console fifo=$work/console.in
mkdir -p "$work" && rm -f "$out" "$fifo" && mkfifo "$fifo" || exit 1
: >"$out"

centis() { # hundredths of a second since boot
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

t0=$(centis)
"$@" --console "file:$out" --input pl011 <"$fifo" &
pid=$!
exec 3>"$fifo"

# wait_for PATTERN COUNT: until COUNT lines of the console match, gzvmm ended, or time is up.
wait_for() {
	while :; do
		[ "$(grep -c -e "$1" "$out")" -ge "$2" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		[ $(($(centis) - t0)) -lt $((limit * 100)) ] || return 1
		sleep 0.1
	done
}

ok=1 n=1
while [ $n -le $nsteps ]; do
	eval "step=\$step_$n"
	pat=${step%%|*} rest=${step#*|}
	count=${rest%%|*} text=${rest#*|}
	if ! wait_for "$pat" "$count"; then
		echo "session: step $n ($pat) not met"
		ok=0
		break
	fi
	t=$(($(centis) - t0))
	echo "session: step $n ($pat) after $((t / 100)).$((t / 10 % 10))$((t % 10)) s"
	case $text in
	'') ;;
	@TERM) kill -TERM "$pid" ;;
	*) printf '%b' "$text" >&3 ;;
	esac
	n=$((n + 1))
done
if [ $ok = 0 ]; then
	# The first SIGTERM presses the power key, which firmware ignores; the second stops it.
	kill -TERM "$pid" 2>/dev/null
	sleep 1
	kill -TERM "$pid" 2>/dev/null
fi
exec 3>&-
wait "$pid"
rc=$?
echo "session: gzvmm exit $rc"
echo "session: console:"
sed 's/^/| /' "$out" | head -c 8192
echo
[ $ok = 1 ] && [ $rc = 0 ]
