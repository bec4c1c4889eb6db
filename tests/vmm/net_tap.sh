#!/bin/bash
# virtio-net over a TAP on the build machine: inside a network namespace of its own (nothing
# outside it is touched, only its addresses are used) the test makes a TAP with 10.0.2.2/24,
# boots the net guest (tests/guests/net.c, 10.0.2.15) with --net tap=...,mac=..., and checks
# ARP and UDP echoes of several sizes through bash's /dev/udp, every byte compared; "quit"
# ends the guest, which prints its counts; gzvmm's statistics show no dropped frame and no
# device error. Root (or CAP_NET_ADMIN) and /dev/net/tun are needed: without them the test
# is skipped (status 77).
#   net_tap.sh GZVMM GUEST WORKDIR [GZVMM-OPTION...]
set -u
gzvmm=$1 guest=$2 work=$3
shift 3
if [ -z "${GZ_NET_NS:-}" ]; then
  [ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
  unshare -n true 2>/dev/null || { echo "SKIP: cannot make a network namespace (root needed)"; exit 77; }
  GZ_NET_NS=1 exec unshare -n "$0" "$gzvmm" "$guest" "$work" "$@"
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
con=$work/console.txt err=$work/stderr.txt
tap=gztap0 mac=52:54:00:ab:cd:ef
ip link set lo up && ip tuntap add dev $tap mode tap && ip addr add 10.0.2.2/24 dev $tap &&
  ip link set $tap up || { echo "FAIL: could not set up $tap in the namespace"; exit 1; }
# Not a TAP, and a TAP that is not there: one line each, status 2.
out=$("$gzvmm" run --kernel "$guest" "$@" --net tap=lo --dry-run 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "gzvmm: cannot attach to tap 'lo': Invalid argument (not a tap interface)" ] ||
  { echo "FAIL: --net tap=lo gave status $rc: $out"; exit 1; }
echo "ok: $out"

timeout -s KILL 240 "$gzvmm" run --kernel "$guest" "$@" --net "tap=$tap,mac=$mac" \
  --console "file:$con" --stats 2>"$err" &
pid=$!
for _ in $(seq 1200); do
  grep -q "^net: serving" "$con" 2>/dev/null && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
grep -q "^net: serving" "$con" 2>/dev/null || { echo "FAIL: the guest never served"; cat "$con" "$err"; exit 1; }
fails=0
exec 3<>/dev/udp/10.0.2.15/7
for n in 1 64 1000 1472; do
  msg=$(head -c $n /dev/zero | tr '\0' "$(printf \\$(printf '%03o' $((97 + n % 26))))")
  printf '%s' "$msg" >&3
  got=
  IFS= read -r -t 20 -N $n got <&3
  if [ "$got" = "$msg" ]; then echo "ok: udp echo of $n bytes"; else echo "FAIL: udp echo of $n bytes: got ${#got}"; fails=$((fails + 1)); fi
done
printf 'quit' >&3
IFS= read -r -t 20 -N 4 got <&3
[ "$got" = quit ] && echo "ok: quit echoed" || { echo "FAIL: quit not echoed"; fails=$((fails + 1)); }
exec 3<&-
wait $pid
rc=$?
cat "$con"
grep -E "virtio-net|^gzvmm:" "$err"
[ $rc = 0 ] || { echo "FAIL: gzvmm exit status $rc"; fails=$((fails + 1)); }
for want in "net: mac ${mac}, link up" "net: 5 udp echoes (2541 bytes), 0 icmp echoes, arp answered yes" \
            "net: interrupts taken, other frames ignored"; do
  grep -qxF "$want" "$con" || { echo "FAIL: no line '$want'"; fails=$((fails + 1)); }
done
grep -q "virtio-net@.* errors=0 .*rx_dropped=0 tx_frames=[0-9]* tx_bytes=[0-9]* tx_dropped=0" "$err" ||
  { echo "FAIL: virtio-net errors or dropped frames"; fails=$((fails + 1)); }
[ $fails = 0 ] && echo PASS && exit 0
exit 1
