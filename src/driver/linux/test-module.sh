#!/usr/bin/env bash
# ctest "driver_gzvm_ko": cross-builds gzvm.ko against the fetched Debian arm64 headers
# (the fixture driver_fetch_kernel runs scripts/fetch-kernel first) with zero warnings (and
# sparse over every file when it is installed), then checks the module's metadata: an
# AArch64 ELF, vermagic of exactly that kernel, GPL, the DT alias that binds it to gzhyp's
# "mediatek,geniezone" node, no module dependencies.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT="${1:?usage: test-module.sh OUT}"

if ! KDIR="$("$ROOT/scripts/fetch-kernel" --print)"; then
  echo "FAIL: no Debian arm64 kernel headers under $ROOT/.cache/kernel." >&2
  echo "      scripts/fetch-kernel (the test fixture) could not fetch them: network or apt?" >&2
  exit 1
fi
# With sparse installed, Kbuild runs it on every file (C=2); build.sh fails on any warning.
if command -v sparse >/dev/null; then
  GZ_KBUILD_FLAGS="C=2 ${GZ_KBUILD_FLAGS:-}" GZ_NO_FETCH=1 "$HERE/build.sh" "$OUT" "$KDIR"
  grep -q "CHECK.*gzdrv_vcpu.c" "$OUT/build.log" || { echo "FAIL: sparse did not run" >&2; exit 1; }
else
  echo "NOTE: sparse is not installed (apt-get install sparse): building without C=2"
  GZ_NO_FETCH=1 "$HERE/build.sh" "$OUT" "$KDIR"
fi
KO="$OUT/gzvm.ko"

fail() { echo "FAIL: $*" >&2; exit 1; }

if command -v modinfo >/dev/null; then
  info="$(modinfo "$KO")"
  field() { modinfo -F "$1" "$KO"; }
else
  # modinfo (kmod) is not required: .modinfo is a list of NUL-separated key=value strings.
  info="$(aarch64-linux-gnu-objcopy -O binary --only-section=.modinfo "$KO" /dev/stdout | tr '\0' '\n')"
  field() { printf '%s\n' "$info" | sed -n "s/^$1=//p"; }
fi
echo "$info"

release="$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")"
[ -n "$release" ] || fail "no UTS_RELEASE in $KDIR"
hdr="$(aarch64-linux-gnu-readelf -h "$KO")"
grep -q "Machine:.*AArch64" <<<"$hdr" || fail "not an AArch64 object"
grep -q "Type:.*REL" <<<"$hdr" || fail "not a relocatable module"
[ "$(field vermagic)" = "$release SMP mod_unload modversions aarch64" ] ||
  fail "vermagic '$(field vermagic)' does not match kernel $release"
[ "$(field name)" = gzvm ] || fail "module name"
[ "$(field license)" = GPL ] || fail "license"
[ "$(field version)" = 16.0.0 ] || fail "version"
[ -z "$(field depends)" ] || fail "unexpected dependencies: $(field depends)"
field alias | grep -qx 'of:N\*T\*Cmediatek,geniezone' || fail "no DT alias for mediatek,geniezone"
# every symbol it needs is exported by that kernel (modpost would have warned, checked again)
aarch64-linux-gnu-nm -u "$KO" | awk '{print $2}' | while read -r sym; do
  grep -qP "^0x[0-9a-f]+\t\Q$sym\E\t" "$KDIR/Module.symvers" ||
    fail "$sym is not exported by $release"
done
# the tracepoints, the sysfs tunables and the misc device are in the image
strs="$(aarch64-linux-gnu-strings "$KO")"
for s in mtk_hypcall_enter mtk_hypcall_leave mtk_vcpu_exit demand_paging_batch_pages \
  destroy_batch_pages protected_hyp_mem; do
  grep -q "$s" <<<"$strs" || fail "string $s missing"
done
echo "PASS: $KO for $release"
