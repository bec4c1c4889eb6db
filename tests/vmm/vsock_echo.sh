#!/usr/bin/env bash
# virtio-vsock end to end in the simulator: gzvmm --backend sim runs the vsock guest
# (tests/guests/vsock.c) with --vsock 3,WORK/v.sock while vsock_echo (tests/tools) is its host
# side: a host-initiated and a guest-initiated stream of BYTES each, every byte checked at
# both ends, then the refusals. The guest's console (less its "time:" lines) must equal
# tests/sim/expected/vsock.txt, the host's output expected/vsock-host.txt; gzvmm must remove
# its socket when it ends. GZ_VSOCK_TIMEOUT: seconds gzvmm may take (default 250).
#   vsock_echo.sh GZVMM GUEST_ELF VSOCK_ECHO WORK BYTES
set -uo pipefail
gzvmm=$1 guest=$2 echo_tool=$3 work=$4 bytes=$5
. "$(dirname "$0")/../tools/vsock_verdict.sh"
rm -rf "$work" && mkdir -p "$work" || exit 1
"$echo_tool" "$work/v.sock" "$bytes" 200 >"$work/host.txt" 2>"$work/host.err" &
epid=$!
timeout "${GZ_VSOCK_TIMEOUT:-250}" "$gzvmm" run --backend sim --kernel "$guest" --vsock "3,$work/v.sock" \
  --console "file:$work/out.txt" --stats 2>"$work/gzvmm.err"
rc=$?
wait $epid
erc=$?
ok=1
[ "$rc" = 0 ] || { echo "FAIL: gzvmm exited with $rc"; ok=0; }
[ "$erc" = 0 ] || { echo "FAIL: vsock_echo exited with $erc"; cat "$work/host.err"; ok=0; }
gz_vsock_compare tests/sim/expected/vsock.txt "$bytes" "$work/out.txt" "$work/host.txt"
[ ! -e "$work/v.sock" ] || { echo "FAIL: gzvmm left its socket behind"; ok=0; }
grep -E '^time:' "$work/out.txt" "$work/host.err"
grep virtio-vsock "$work/gzvmm.err"
[ $ok = 1 ] && echo PASS && exit 0
exit 1
