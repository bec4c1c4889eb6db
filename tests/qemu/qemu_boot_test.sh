#!/usr/bin/env bash
# Boots gzhyp under QEMU and checks its console and exit status.
#   qemu_boot_test.sh IMAGE STATUS [--expect REGEX]... [--reject REGEX]... -- QEMU-ARGS...
# STATUS is the exit status QEMU must end with (gzhyp's own status, through semihosting).
# Every --expect regex (grep -E) must match a console line, no --reject regex may. The run is
# bounded (GZ_QEMU_TIMEOUT seconds, default 20) and its output capped.
set -uo pipefail

image=$1 want_status=$2
shift 2
expects=() rejects=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --expect) expects+=("$2"); shift 2 ;;
    --reject) rejects+=("$2"); shift 2 ;;
    *) echo "qemu_boot_test: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "${1:-}" = "--" ] && shift

qemu=${GZ_QEMU:-qemu-system-aarch64}
if ! command -v "$qemu" >/dev/null 2>&1; then
  echo "FAIL: $qemu not found: run scripts/deps (it installs qemu-system-arm)"
  exit 1
fi
if [ ! -f "$image" ]; then
  echo "FAIL: gzhyp image $image missing: run scripts/deps (aarch64 cross compiler), then build a host preset (it runs the el2 sub-build)"
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "+ timeout ${GZ_QEMU_TIMEOUT:-20} $qemu $* -kernel $image"
timeout "${GZ_QEMU_TIMEOUT:-20}" "$qemu" "$@" -kernel "$image" </dev/null 2>&1 | head -c 65536 >"$log"
status=${PIPESTATUS[0]}
tr -d '\r' <"$log"
echo "+ qemu exit status: $status"

ok=1
if [ "$status" = 124 ]; then
  echo "FAIL: QEMU did not finish within ${GZ_QEMU_TIMEOUT:-20} s"
  ok=0
elif [ "$status" != "$want_status" ]; then
  echo "FAIL: exit status $status, expected $want_status"
  ok=0
fi
for re in "${expects[@]}"; do
  if ! tr -d '\r' <"$log" | grep -Eq -- "$re"; then
    echo "FAIL: no console line matches: $re"
    ok=0
  fi
done
for re in "${rejects[@]}"; do
  if tr -d '\r' <"$log" | grep -Eq -- "$re"; then
    echo "FAIL: console line must not match: $re"
    ok=0
  fi
done
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
