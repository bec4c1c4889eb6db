#!/usr/bin/env bash
# virtio-net in the whole stack: gzhyp at EL2 boots Debian's kernel as the host VM, whose init
# loads gzvm.ko and tun.ko, creates the TAP gztap0 (busybox tunctl) with 10.0.2.2/24, and runs
# the net guest (tests/guests/net.c, 10.0.2.15) through gzvmm --backend gzvm --net. The host
# VM pings it three times with 56 bytes of data and twice with 1,400 (busybox has no UDP
# client); an echo request full of 'q's ends the guest, which prints its counts. gzvm.ko's pinned_pages is 0 afterwards.
#   fullstack_net.sh GZHYP_IMAGE GUEST_DIR WORKDIR
# Needs scripts/fetch-kernel --image, scripts/fetch-linux and scripts/fetch-vmm-arm64.
set -uo pipefail

image=$1 guests=$2 work=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
lnx=$(GZ_KERNEL_ABI=${GZ_KERNEL_ABI:-6.1.0-50} "$root/scripts/fetch-linux" --print) ||
  { echo "FAIL: kernel modules missing: run scripts/fetch-linux"; exit 1; }
[ -f "$guests/net.elf" ] || { echo "FAIL: $guests/net.elf missing"; exit 1; }
gz_stack_root "$image" "$work" lib
cp "$lnx/modules/tun.ko" "$r/lib/" && cp "$guests/net.elf" "$r/net.elf" || exit 1
cat >"$r/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
insmod /lib/tun.ko && tunctl -t gztap0 >/dev/null && ip addr add 10.0.2.2/24 dev gztap0 &&
  ip link set gztap0 up && echo "init: gztap0 up"
gzvmm run --backend gzvm --kernel /net.elf --net tap=gztap0,mac=52:54:00:ab:cd:ef \
  --console file:/tmp/net.con --stats 2>/tmp/net.err &
pid=$!
i=0; while ! grep -q "^net: serving" /tmp/net.con 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
ping -c 3 -W 10 10.0.2.15 >/tmp/ping.txt 2>&1
echo "init: ping $(grep -c 'bytes from 10.0.2.15' /tmp/ping.txt) replies"
ping -c 2 -s 1400 -W 10 10.0.2.15 >/tmp/ping.txt 2>&1
echo "init: ping -s 1400: $(grep -c '^1408 bytes from 10.0.2.15' /tmp/ping.txt) replies"
ping -c 1 -s 64 -p 71 -W 10 10.0.2.15 >/tmp/ping.txt 2>&1
echo "init: ping -p 71: $(grep -c 'bytes from 10.0.2.15' /tmp/ping.txt) reply"
wait $pid
echo "init: gzvmm exit $?"
sed 's/^/guest: /' /tmp/net.con
grep -E "virtio-net|^gzvmm:" /tmp/net.err | sed 's/^/stats: /'
echo "init: pinned_pages $(cat /sys/kernel/gzvm/pinned_pages)"
echo "init: done"; poweroff -f
INIT
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-150}" 1048576
grep -E "^(init|guest|stats):|panic|Oops" "$log"
echo "+ qemu exit status: $status (full console: $log)"

ok=1
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status (124: timeout)"; ok=0; }
for want in "init: insmod gzvm.ko ok" "init: gztap0 up" "init: ping 3 replies" \
            "init: ping -s 1400: 2 replies" "init: ping -p 71: 1 reply" "init: gzvmm exit 0" \
            "guest: net: mac 52:54:00:ab:cd:ef, link up" \
            "guest: net: 0 udp echoes (0 bytes), 6 icmp echoes, arp answered yes" \
            "init: pinned_pages 0"; do
  grep -qxF "$want" "$log" || { echo "FAIL: no line '$want'"; ok=0; }
done
grep -q "^stats: .*virtio-net@.* errors=0 .*rx_dropped=0 .*tx_dropped=0" "$log" ||
  { echo "FAIL: virtio-net errors or dropped frames"; ok=0; }
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
