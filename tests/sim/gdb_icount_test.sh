#!/usr/bin/env bash
# A recorded run stopped in gdb at the instruction its recording names: the echo guest (two
# vCPUs) gets console input through a pipe under --record; the first 'input STEP INSNS DATA'
# line names the machine's instruction count N at which that input reached the guest. Then,
# twice: --replay with --gdb --gdb-wait, gdb-multiarch -batch sets `monitor break-icount N`
# and continues; the machine must stop with its count at exactly N, both replays at the same
# vCPU and PC with the same registers, and go on to the end as the recording did (status 0,
# console and statistics equal: the stop changed nothing of the run). A count already passed
# is refused, `off` clears it.
# usage: gdb_icount_test.sh GZVMM ELF OUTDIR
set -u
gzvmm=$1 elf=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/gdb/start_gzvmm.sh"
mkdir -p "$out"
rm -f "$out"/*
run=("$gzvmm" run --backend sim --kernel "$elf" --cpus 2 --input pl011 --stats)
fail() {
	echo "gdb_icount_test: $*"
	for f in "$out"/*.log "$out"/*.err; do
		[ -f "$f" ] && { echo "---- $f"; head -c 6000 "$f"; }
	done
	exit 1
}

(sleep 0.2; printf 'hello there\n'; sleep 0.3; printf 'second line\nq\n') |
	timeout 120 "${run[@]}" --console "file:$out/rec.console" --record "$out/echo.rec" \
		2>"$out/rec.err" || fail "the recorded run failed"
n=$(awk '$1 == "input" { print $3; exit }' "$out/echo.rec")
[ -n "$n" ] || fail "the recording holds no input"

cat >"$out/session.gdb" <<EOF
set pagination off
set confirm off
monitor break-icount $n
monitor break-icount off
monitor break-icount
monitor break-icount $n
continue
monitor icount
printf "stop: thread %d pc=%#lx x0=%#lx x1=%#lx sp=%#lx\\n", \$_thread, \$pc, \$x0, \$x1, \$sp
x/1i \$pc
monitor break-icount 5
continue
EOF

for i in 1 2; do
	gz_gdb_start "$out/play$i.err" "${run[@]}" --console "file:$out/play$i.console" \
		--replay "$out/echo.rec" </dev/null
	timeout 240 gdb-multiarch -batch -nx "$elf" -ex "set remotetimeout 60" \
		-ex "target remote 127.0.0.1:$port" -x "$out/session.gdb" >"$out/gdb$i.log" 2>&1
	gdb_rc=$?
	wait $vmm
	vmm_rc=$?
	[ "$gdb_rc" -eq 0 ] || fail "replay $i: gdb-multiarch exited $gdb_rc"
	[ "$vmm_rc" -eq 0 ] || fail "replay $i: gzvmm exited $vmm_rc"
	for want in "the machine stops at instruction $n (now at 0)" \
		"no instruction count to stop at" \
		"received signal SIGTRAP" \
		"machine: $n instructions" \
		"instruction 5 has run: the machine is at $n" \
		"exited normally"; do
		grep -qF -- "$want" "$out/gdb$i.log" || fail "replay $i: gdb did not print: $want"
	done
	cmp -s "$out/play$i.console" "$out/rec.console" ||
		fail "replay $i: the console differs from the recorded run's"
	# the statistics: the stderr after the gdb server's line
	grep -v "gdb server on" "$out/play$i.err" >"$out/play$i.stats"
	cmp -s "$out/play$i.stats" "$out/rec.err" ||
		fail "replay $i: the statistics differ from the recorded run's"
	grep "^stop: " "$out/gdb$i.log" >"$out/stop$i.txt" || fail "replay $i: no stop line"
done
cmp -s "$out/stop1.txt" "$out/stop2.txt" || fail "the two replays stopped at different places"
echo "stopped at instruction $n: $(cat "$out/stop1.txt")"
