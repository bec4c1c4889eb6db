#!/usr/bin/env bash
# ctest bench_guest_sim: the benchmark guest runs to its end on the simulator through
# `gzvmm run --backend sim` (2 vCPUs, the scratch device): every operation prints its line,
# no "bench: error", power off (exit 0). Figures are not checked: this proves the guest and
# the platform work, timing is bench/vs-kvm's business.
#   sim_test.sh GZVMM BENCH_BIN
set -uo pipefail
gzvmm=${1:?usage: sim_test.sh GZVMM BENCH_BIN}
bin=${2:?}
[ -f "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout 150 "$gzvmm" run --backend sim --kernel "$bin" --cpus 2 --mem 256M --testdev </dev/null 2>&1 |
  head -c 100000 | tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
cat "$log"
fail=0
[ "$status" = 0 ] || { echo "FAIL: gzvmm exit status $status (0 expected: power off)"; fail=1; }
for op in null hvc_smccc_version hvc_psci_version world_switch mmio_exit_read mmio_exit_write \
  mmio_gicd_typer hvc_unimplemented mmio_virtio_id virq_ack_eoi sgi_send vtimer vtimer_wfi s2fault \
  s2mapped ipi ipi_wfi ipi_pingpong; do
  grep -qE "^bench: $op median=[0-9]+ min=[0-9]+ max=[0-9]+ n=[1-9][0-9]* mean=[0-9]+$" "$log" ||
    { echo "FAIL: no line for $op"; fail=1; }
done
grep -q '^bench: done cpus=2$' "$log" || { echo "FAIL: no 'bench: done cpus=2'"; fail=1; }
if grep -q '^bench: error' "$log"; then echo "FAIL: the guest reported an error"; fail=1; fi
[ $fail = 0 ] && echo "PASS: benchmark guest complete on the simulator"
exit $fail
