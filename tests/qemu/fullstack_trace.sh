#!/usr/bin/env bash
# Exit traces from the whole stack, compared with the simulator's (docs/debugging.md). In the
# host VM gzvm.ko is loaded with exit_trace=65536 and gzvmm runs GUEST with VCPUS through
# gzhyp; gzhyp logs every exit of the guest's vCPUs, the driver takes each into its trace, and
# /init prints debugfs gzvm/exit_trace (gzip, base64). Here scripts/gzvm-exit-trace turns it
# into gzvmm --trace's JSON lines and scripts/trace-summary summarises it beside the
# simulator's trace of the same guest (gzvmm --backend sim --deterministic --trace). Checks:
# the guest's transcript is the simulator's, no exit was lost, every vCPU and every handler of
# the full stack (gzhyp's fast path and run loop, the driver, gzvmm) appears, and the exits
# gzvmm served (the PL011's, by vCPU) are as many in both worlds: the same guest code makes
# the same device accesses whatever world runs it.
#   fullstack_trace.sh GZHYP_IMAGE GUEST_DIR WORKDIR GZVMM GUEST VCPUS
set -uo pipefail
image=$1 guests_dir=$2 work=$3 gzvmm=$4 g=$5 n=$6
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
exp=$root/tests/sim/expected/$g-$n.txt
[ "$n" != 1 ] || exp=$root/tests/sim/expected/$g.txt

gz_stack_root "$image" "$work"
cp "$guests_dir/$g.elf" "$r/$g.elf" || exit 1
cat >"$r/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
insmod /gzvm.ko exit_trace=65536 && echo "init: insmod gzvm.ko ok"
gzvmm run --backend gzvm --kernel /$g.elf --mem 128M --cpus $n --console file:/tmp/out 2>/tmp/err
echo "init: gzvmm exit \$?"; cat /tmp/err
printf '@@guest-console-begin@@\n'; cat /tmp/out; printf '@@guest-console-end@@\n'
printf '@@exit-trace-begin@@\n'; gzip -c /sys/kernel/debug/gzvm/exit_trace | base64
printf '@@exit-trace-end@@\n'
echo "init: done"; poweroff -f
EOF
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-60}" 16777216
grep -E "^(host|init):|panic|Oops" "$log"
echo "+ qemu exit status: $status (full console: $log)"

fail() {
	echo "FAIL: $*"
	exit 1
}
[ "$status" = 0 ] || fail "QEMU exit status $status (124: timeout)"
grep -q "^init: gzvmm exit 0$" "$log" || fail "gzvmm did not run $g with $n vCPUs to status 0"
perl -0777 -ne 'print $1 if /\@\@guest-console-begin\@\@\n(.*?)\@\@guest-console-end\@\@/s' \
	"$log" >"$work/console.txt"
cmp -s "$work/console.txt" "$exp" || fail "the transcript differs from $(basename "$exp")"
perl -0777 -ne 'print $1 if /\@\@exit-trace-begin\@\@\n(.*?)\@\@exit-trace-end\@\@/s' "$log" |
	base64 -d | gunzip >"$work/exit_trace.txt" || fail "no exit trace in the console"
head -1 "$work/exit_trace.txt"
grep -q "^# gzvm exit trace: cntfrq=[0-9]* lost=0$" "$work/exit_trace.txt" ||
	fail "the trace has no header or lost exits"
"$root/scripts/gzvm-exit-trace" "$work/exit_trace.txt" >"$work/fullstack.trace" ||
	fail "gzvm-exit-trace failed"

timeout 120 "$gzvmm" run --backend sim --kernel "$guests_dir/$g.elf" --mem 128M --cpus "$n" \
	--deterministic --trace "$work/sim.trace" --console "file:$work/sim.console" ||
	fail "the simulator's run failed"
"$root/scripts/trace-summary" "$work/fullstack.trace" --compare "$work/sim.trace" \
	--svg "$work/fullstack.svg" --no-matplotlib | tee "$work/summary.txt"
[ "${PIPESTATUS[0]}" = 0 ] || fail "trace-summary failed"

for h in fast core driver vmm; do
	grep -Eq "^  $h +[0-9]+ " "$work/summary.txt" || fail "no exit handled by '$h'"
done
for v in $(seq 0 $((n - 1))); do
	grep -q "\"vcpu\":$v," "$work/fullstack.trace" || fail "no exit of vCPU $v"
done
# the PL011's exits by vCPU: as many in both worlds
count() { grep '"device":"pl011"' "$1" | grep -o '"vcpu":[0-9]*' | sort | uniq -c; }
count "$work/fullstack.trace" >"$work/pl011.fullstack"
count "$work/sim.trace" >"$work/pl011.sim"
[ -s "$work/pl011.sim" ] || fail "no PL011 exits in the simulator's trace"
cmp -s "$work/pl011.fullstack" "$work/pl011.sim" || {
	diff "$work/pl011.sim" "$work/pl011.fullstack"
	fail "the PL011 exits by vCPU differ between the worlds"
}
echo "PASS: $(wc -l <"$work/fullstack.trace") exits from the full stack," \
	"$(wc -l <"$work/sim.trace") in the simulator; the PL011's the same in both"
