#!/usr/bin/env bash
# Real 2 MiB stage-2 blocks in the whole stack (gzhyp at EL2, Debian's kernel as the host VM,
# gzvm.ko, a static gzvmm) with the memtouch guest, which writes every page of its 64 MiB:
#   thp      gzvmm's default (--hugepages thp: RAM 2 MiB-aligned, MADV_HUGEPAGE): the host
#            backs blocks with transparent huge pages, gzvm.ko hands each whole to gzhyp in one
#            MAP_GUEST, and gzhyp's count of block descriptors (sysfs s2_blocks, from
#            MAP_GUEST's x1, added when the VM is released) grows by at least half the RAM's
#            32 blocks;
#   off      --hugepages off: 4 KiB pages, the blocks go through the PFN buffer; a block
#            descriptor only where the host's page allocator happened to hand out 512
#            contiguous, aligned 4 KiB pages (a legitimate block: seen once in CI, right
#            after the thp run freed its huge pages), so fewer than half the thp minimum;
#   hugetlb  --hugepages hugetlb from a pool of 40 reserved huge pages: every one of the 32
#            blocks is one descriptor.
# Each run's console must say the guest touched its RAM and ended; after each every pin and
# gzhyp's pool come back. The time of each run (the host's uptime around gzvmm) is printed.
#   fullstack_s2block.sh GZHYP_IMAGE GUEST_DIR WORK
# QEMU's time limit: GZ_QEMU_TIMEOUT seconds (default 150).
set -uo pipefail

image=$1 guests_dir=$2 work=$3
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
gz_stack_root "$image" "$work" g
cp "$guests_dir/memtouch.elf" "$r/g/" || exit 1
cat >"$r/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
t=/sys/kernel/mm/transparent_hugepage/enabled
[ -w $t ] && echo madvise >$t
echo "init: thp $(cat $t 2>/dev/null)"
echo 40 >/proc/sys/vm/nr_hugepages
echo "init: hugetlb pages $(cat /proc/sys/vm/nr_hugepages)"
pool0=$(cat /sys/kernel/gzvm/hyp_pool_used_bytes)
. /gz_lib.sh
# run NAME ARGS...: memtouch in 64 MiB with ARGS; the blocks gzhyp made, the time, and what
# came back afterwards
run() {
  name=$1
  shift
  b0=$(cat $s/s2_blocks) t0=$(cut -d' ' -f1 /proc/uptime)
  gzvmm run --backend gzvm --kernel /g/memtouch.elf --mem 64M --console file:/tmp/out "$@" 2>/tmp/err </dev/null
  rc=$?
  t1=$(cut -d' ' -f1 /proc/uptime)
  gz_settle
  b1=$(cat $s/s2_blocks) # counted when the VM is released
  echo "s2block: $name: status $rc blocks $((b1 - b0)) console '$(tr '\n' '|' </tmp/out)' seconds $t0 $t1 pinned_pages $(cat $s/pinned_pages) pool_back $([ "$(cat $s/hyp_pool_used_bytes)" = $pool0 ] && echo yes || echo no)"
  cat /tmp/err
}
run thp
run off --hugepages off
run hugetlb --hugepages hugetlb
echo "init: done"; poweroff -f
INIT
GZ_STACK_MEM=${GZ_STACK_MEM:-512} gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-150}" 1048576
gz_stack_verdict "^(host|init|s2block):|gzvmm:|panic|Oops|BUG"
fail() {
	echo "FAIL: $*"
	ok=0
}
grep -q "^init: insmod gzvm.ko ok$" "$log" || fail "gzvm.ko did not load"
grep -q "^init: done" "$log" || fail "the host's /init did not finish"
grep -Eq "^init: hugetlb pages (4[0-9]|[5-9][0-9])" "$log" || fail "the host reserved no 40 huge pages"
line() { sed -n "s/^s2block: $1: //p" "$log"; }
blocks() { line "$1" | sed -n 's/.* blocks \([0-9-]*\) .*/\1/p'; }
for n in thp off hugetlb; do
	l=$(line $n)
	[ -n "$l" ] || { fail "no result of the $n run"; continue; }
	echo "$l" | grep -Eq "^status 0 blocks [0-9]+ console 'memtouch: [0-9]+ MiB touched\|memtouch: bye\|' " ||
		fail "$n: memtouch did not run to its end: $l"
	echo "$l" | grep -q "pinned_pages 0 pool_back yes$" || fail "$n: pins or gzhyp's pool not back: $l"
done
b=$(blocks thp)
[ -n "$b" ] && [ "$b" -ge 16 ] || fail "thp: $b block descriptors, want at least 16 of 32"
b=$(blocks off)
[ -n "$b" ] && [ "$b" -lt 8 ] || fail "off: $b block descriptors, want fewer than 8 (only chance contiguity)"
b=$(blocks hugetlb)
[ "$b" = 32 ] || fail "hugetlb: $b block descriptors, want 32"
[ "$ok" = 1 ] && echo "PASS: 2 MiB stage-2 blocks from transparent and hugetlbfs huge pages, from 4 KiB pages only by chance"
[ "$ok" = 1 ]
