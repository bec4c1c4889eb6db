#!/usr/bin/env bash
# Runs one test guest under gzhyp's test mode (gz.test=guest) on QEMU and compares what the
# guest printed with the simulator's expected transcript.
#   guest_test.sh GZHYP_IMAGE GUEST_BIN VCPUS EXPECTED [--expect REGEX]... [--append ARGS]
#                 [--fails] -- QEMU-ARGS...
# QEMU's generic loader puts the guest binary at GUEST_ADDR in the machine's RAM; gzhyp,
# playing the host driver, donates memory to a VM, copies it there and runs it. The guest's
# console is framed by marker lines; the text between them must equal EXPECTED byte for byte,
# gzhyp must end with status 0 (the guest powered off through PSCI SYSTEM_OFF) and every
# --expect regex (grep -E) must match a line of gzhyp's own record; --append adds gzhyp
# arguments (gz.pcpus=N, gz.entry_delay_us=N, gz.stall_s=N) to the command line. With
# --fails the run must end in gzhyp's failure report instead (status 1), and EXPECTED is
# what the guest printed before it. The run is bounded (GZ_QEMU_TIMEOUT seconds, default 60:
# gzhyp reports a guest that stops making progress itself, after 10 s; a loaded machine only
# makes a moving guest slower) and its output capped.
set -uo pipefail

image=$1 guest=$2 vcpus=$3 expected=$4
shift 4
expects=() extra= fails=0
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --expect) expects+=("$2"); shift 2 ;;
    --append) extra+=" $2"; shift 2 ;;
    --fails) fails=1; shift ;;
    *) echo "guest_test: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "${1:-}" = "--" ] && shift
guest_addr=0x42000000

qemu=${GZ_QEMU:-qemu-system-aarch64}
if ! command -v "$qemu" >/dev/null 2>&1; then
  echo "FAIL: $qemu not found: run scripts/deps (it installs qemu-system-arm)"
  exit 1
fi
for f in "$image" "$guest" "$expected"; do
  if [ ! -f "$f" ]; then
    echo "FAIL: $f missing (the el2 sub-build makes gzhyp and the guests: run scripts/deps, then build)"
    exit 1
  fi
done
size=$(stat -c %s "$guest")

log=$(mktemp) got=$(mktemp)
trap 'rm -f "$log" "$got"' EXIT
args=("$@" -kernel "$image" -device "loader,file=$guest,addr=$guest_addr,force-raw=on"
      -append "gz.test=guest gz.image=$guest_addr,$size gz.vcpus=$vcpus$extra")
echo "+ timeout ${GZ_QEMU_TIMEOUT:-60} $qemu ${args[*]}"
timeout "${GZ_QEMU_TIMEOUT:-60}" "$qemu" "${args[@]}" </dev/null 2>&1 | head -c 262144 | tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
cat "$log"
echo "+ qemu exit status: $status"

end='\@\@guest-console-end\@\@' want=0
[ $fails = 1 ] && end='\ntest: ' want=1
perl -0777 -ne "print \$1 if /\@\@guest-console-begin\@\@\n(.*?)$end/s" "$log" >"$got"
ok=1
if [ "$status" = 124 ]; then
  echo "FAIL: QEMU did not finish within ${GZ_QEMU_TIMEOUT:-60} s"
  ok=0
elif [ "$status" != $want ]; then
  echo "FAIL: exit status $status, expected $want"
  ok=0
fi
if [ $fails = 0 ] && ! grep -q '@@guest-console-end@@' "$log"; then
  echo "FAIL: the guest's console was not closed (the run did not finish)"
  ok=0
elif ! cmp -s "$got" "$expected"; then
  echo "FAIL: the guest's transcript differs from $expected:"
  diff -u "$expected" "$got" | head -50
  ok=0
fi
for re in "${expects[@]}"; do
  if ! grep -Eq -- "$re" "$log"; then
    echo "FAIL: no console line matches: $re"
    ok=0
  fi
done
[ $ok = 1 ] && echo "PASS: transcript equals $(basename "$expected")" && exit 0
exit 1
