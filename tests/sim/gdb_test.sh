#!/usr/bin/env bash
# The gdb server end to end: gzvmm runs the gdb guest on 2 vCPUs with --gdb PORT --gdb-wait,
# gdb-multiarch -batch drives tests/sim/gdb/session.gdb against it (a breakpoint on a symbol,
# a step, registers and memory read and written, a watchpoint that fires twice, monitor
# commands, the second thread's backtrace, continue to the end), then: gzvmm exits 0, the
# console equals the guest's expected transcript, gdb saw what each step should show.
# usage: gdb_test.sh GZVMM ELF EXPECTED OUTDIR [GZVMM OPTION...] (--deterministic: the same
# session with the vCPUs in the deterministic scheduler's turns; vCPU 1 waits for its turn)
set -u
gzvmm=$1 elf=$2 expected=$3 out=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
rm -f "$out"/{console.txt,gzvmm.err,gdb.log}
. "$here/gdb/start_gzvmm.sh"
gz_gdb_start "$out/gzvmm.err" "$gzvmm" run --backend sim --kernel "$elf" --cpus 2 \
	--console "file:$out/console.txt" "$@"
timeout 240 gdb-multiarch -batch -nx "$elf" -ex "set remotetimeout 60" \
	-ex "target remote 127.0.0.1:$port" \
	-x "$here/gdb/session.gdb" >"$out/gdb.log" 2>&1
gdb_rc=$?
wait $vmm
vmm_rc=$?
fail=0
check() { # fixed string gdb must have printed
	if ! grep -qF -- "$1" "$out/gdb.log"; then
		echo "gdb_test: gdb did not print: $1"
		fail=1
	fi
}
check "Thread 2 (vCPU 1"
case " $* " in
*" --deterministic "*) check "(vCPU 1, waiting for its turn)" ;;
esac
check "hit Breakpoint 1, gdb_add"
check "arg x0=1"
check "counter at entry=0"
check "stepped by=4"
check "x17=0x1234abcd"
check "spins=1000"
check "sctlr_el1"
check "hcr_el2"
check "hit Hardware watchpoint 2"
check "Old value = 0"
check "New value = 1"
check "Old value = 1"
check "New value = 3"
check "stage 2: IPA 0x40080000 -> PA"
check "stage 1: VA 0x40080000 -> IPA 0x40080000 (MMU off)"
check "0000000040080000:"
check "exits since the server started"
check "list registers at its last run"
check "guest_main ("
check "exited normally"
[ "$gdb_rc" -eq 0 ] || { echo "gdb_test: gdb-multiarch exited $gdb_rc"; fail=1; }
[ "$vmm_rc" -eq 0 ] || { echo "gdb_test: gzvmm exited $vmm_rc"; fail=1; }
if ! diff -u "$expected" "$out/console.txt"; then
	echo "gdb_test: the console differs from $expected"
	fail=1
fi
if [ $fail -ne 0 ]; then
	echo "---- gdb log"
	head -c 20000 "$out/gdb.log"
	echo "---- gzvmm stderr"
	head -c 4000 "$out/gzvmm.err"
fi
exit $fail
