#!/usr/bin/env bash
# Verified boot in the simulator: gzvmm --protected --pvmfw boots signed guests through
# opengz's pvmfw, and every changed kernel, initrd or bootargs, foreign, forged, truncated or
# malformed signature block, missing block or missing platform key, other memory, an added or
# removed device or a changed interrupt ends gzvmm with status 5 and one line before the kernel
# printed anything; a host write to the firmware after
# SET_PVMFW_GPA faults (status 4); an ELF kernel is a usage error. The cases are tests/sim/pvmfw_cases.sh's, shared with the
# full stack.
#   pvmfw.sh GZVMM GZ_SIGN PVMFW_BIN GUEST_DIR WORKDIR
set -uo pipefail
gzvmm=$1 sign=$2 fw=$3 guests=$4 work=$5
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/sim/pvmfw_cases.sh"
rm -rf "$work" && mkdir -p "$work" || exit 1
pvmfw_prepare "$sign" "$gzvmm" "$fw" "$guests" "$root/tests/guests/initrd-data.txt" "$work/files" ||
  { echo "FAIL: could not prepare the signed images"; exit 1; }
ok=1
run() { # NAME ARGS...: gzvmm's status in rc, its stderr in $work/NAME.err, console NAME.out
  local name=$1
  shift
  timeout 120 "$gzvmm" run --backend sim --deterministic --protected --pvmfw "$fw" \
    --console "file:$work/$name.out" "$@" 2>"$work/$name.err"
  rc=$?
}
while IFS='|' read -r name want args line con; do
  run "$name" --sim-pvmfw-key "$work/files/k.pub" ${args//@/$work/files}
  pvmfw_check "$name" "$rc" "$want" "$work/$name.err" "$line" "$work/$name.out" "$con" \
    "$root/tests/sim/expected" || ok=0
done < <(pvmfw_cases)
# The platform without a trusted key (no --sim-pvmfw-key): every kernel refused.
run no_platform_key --kernel "$work/files/hello.bin" --boot-sig "$work/files/hello.sig"
pvmfw_check no_platform_key "$rc" 5 "$work/no_platform_key.err" \
  "gzvmm: pvmfw refused to boot the kernel: the platform gave the hypervisor no trusted key" \
  "$work/no_platform_key.out" "pvmfw: refused: no trusted key" "" || ok=0
# Measured boot: the attest guest's report checked by gz-sign report, up to the platform's
# attestation root that certified the key at the simulated hypervisor's start.
run attest --sim-pvmfw-key "$work/files/k.pub" --sim-attest-key "$work/attest.pub" \
  --sim-attest-root "$work/files/root.sec" --sim-attest-cert "$work/attest.cert" \
  $(pvmfw_attest_args | sed "s|@|$work/files|g")
pvmfw_attest_check "$sign" "$fw" "$work/files" "$rc" "$work/attest.out" "$work/attest.cert" \
  "$root/tests/sim/expected" || ok=0
# An ELF kernel: its file is not what runs, so pvmfw could not check it; refused up front.
run elf_kernel --kernel "$guests/hello.elf" --boot-sig "$work/files/hello.sig" \
  --sim-pvmfw-key "$work/files/k.pub"
pvmfw_check elf_kernel "$rc" 2 "$work/elf_kernel.err" \
  "gzvmm: --pvmfw needs a raw or arm64 Image kernel, not an ELF" "$work/elf_kernel.out" "" "" || ok=0
[ $ok = 1 ] && echo PASS && exit 0
exit 1
