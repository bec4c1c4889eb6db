#!/usr/bin/env bash
# Checks bench/vs-kvm/report.py on fixed logs (testdata/): ratios against the better KVM
# mode, a missing configuration shown as missing, boot markers, KVM modes and errors noted.
#   report_test.sh PYTHON
set -uo pipefail
py=${1:?usage: report_test.sh PYTHON}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$py" "$here/report.py" --logs "$here/testdata" --rounds 1 --out "$out/R.md" --plot "$out/p.png" ||
  { echo "FAIL: report.py exited non-zero"; exit 1; }
fail=0
check() { # regex description
  if grep -qE -- "$1" "$out/R.md"; then echo "ok: $2"; else echo "FAIL: $2 (no /$1/)"; fail=1; fi
}
# hvc: KVM nVHE 2000 ticks = 32 us, VHE 40 us, gzhyp 16 us -> 0.50x of the better (nVHE).
check '^\| `hvc_smccc_version`.*\| 32\.0 \| 40\.0 \| 16\.0 \| n/a \| 0\.50x \| — \| ≤ 0\.2x \|$' "hvc row and ratio"
# mmio exit: VHE (80 us) is better than nVHE (96 us): gzhyp 40 us -> 0.50x.
check '^\| `mmio_exit_read`.*\| 96\.0 \| 80\.0 \| 40\.0 \| n/a \| 0\.50x \|' "ratio against the better mode"
check '^\| KVM nVHE \| 18348 \| 18348 \| 4\.17 \|$' "nested Linux boot marker"
check 'Hyp mode initialized successfully' "KVM mode recorded"
check 'kvm-vhe kvm-vhe-1.log: kvmvmm: timeout' "timeout noted"
check 'kvm-vhe kvm-vhe-1.log: the guest did not finish' "unfinished guest noted"
check '^\| opengz full stack \| .* \| none \|$' "missing configuration shown as none"
check '^\| `s2fault`.* \| no fault per page \|' "pre-mapped memory is not a fault-in"
check 'gzhyp-el2-1.log: test: guest run failed' "a failed gzhyp run noted"
[ -s "$out/p.png" ] || { echo "FAIL: no plot"; fail=1; }
# simcount.py: (2,105,462,509 - 2,100,056,309) / 1,336 exits = 4,047 per exit; flush 2,045.
"$py" "$here/simcount.py" "$here/testdata/sim.callgrind.txt" >"$out/sc.md" ||
  { echo "FAIL: simcount.py exited non-zero"; fail=1; }
grep -q '1336 exits (1336 through the run loop, 0 completed .*share 5,406,200 instructions: \*\*4,047 per exit' "$out/sc.md" &&
  grep -q '^| `gz_vgic_flush`.* | 2,045 | 51% |$' "$out/sc.md" && echo "ok: simcount per-exit figures" ||
  { echo "FAIL: simcount figures"; cat "$out/sc.md"; fail=1; }
# Fast exits run inside gz_hal_vcpu_run: 10 full + 30 fast exits, core = 1,000,000 - 900,000
# + 50,000 (gz_exit_fast) = 150,000: 3,750 per exit; dispatch 60,000 + 20,000 over 40 exits.
cat >"$out/fast.txt" <<'TREE'
1,000,000 (100.0%)  *  ???:gz_vcpu_run [gzvmm]
  900,000 (90.00%)  >   ???:gz_hal_vcpu_run (10x) [gzvmm]
   60,000 ( 6.00%)  >   ???:gz_exit_dispatch (10x) [gzvmm]

  900,000 (90.00%)  *  ???:gz_hal_vcpu_run [gzvmm]
   50,000 ( 5.00%)  >   ???:gz_exit_fast (40x) [gzvmm]

   50,000 ( 5.00%)  *  ???:gz_exit_fast [gzvmm]
   20,000 ( 2.00%)  >   ???:gz_exit_dispatch (30x) [gzvmm]
TREE
"$py" "$here/simcount.py" "$out/fast.txt" >"$out/fast.md" &&
  grep -q '40 exits (10 through the run loop, 30 completed by the exit fast path of 40 offered).*\*\*3,750 per exit' "$out/fast.md" &&
  grep -q '^| `gz_exit_dispatch`.* | 2,000 | 53% |$' "$out/fast.md" && echo "ok: simcount counts fast exits" ||
  { echo "FAIL: simcount fast exits"; cat "$out/fast.md"; fail=1; }
# The same when the HAL offers exits through a helper of its own (the simulator's
# gz_sim_ctx_fast_exit): the fast path's cost and calls count wherever it is called from.
sed 's/>   ???:gz_exit_fast (40x)/>   ???:gz_sim_ctx_fast_exit (40x)/' "$out/fast.txt" >"$out/helper.txt"
cat >>"$out/helper.txt" <<'TREE'

   50,000 ( 5.00%)  *  ???:gz_sim_ctx_fast_exit [gzvmm]
   50,000 ( 5.00%)  >   ???:gz_exit_fast (40x) [gzvmm]
TREE
"$py" "$here/simcount.py" "$out/helper.txt" >"$out/helper.md" &&
  grep -q '40 exits (10 through the run loop, 30 completed by the exit fast path of 40 offered).*\*\*3,750 per exit' "$out/helper.md" &&
  echo "ok: simcount finds the fast path behind a HAL helper" ||
  { echo "FAIL: simcount fast path behind a helper"; cat "$out/helper.md"; fail=1; }
if "$py" "$here/simcount.py" "$here/testdata/kvm-nvhe-1.log" >/dev/null 2>&1; then
  echo "FAIL: simcount.py accepted a file without callgrind data"; fail=1
else
  echo "ok: simcount refuses a file without callgrind data"
fi
[ $fail = 0 ] && echo "report_test: all checks passed"
exit $fail
