#!/usr/bin/env bash
# Many VMs at once in the whole stack (gzhyp at EL2, Debian's kernel as the host VM on 2
# CPUs, gzvm.ko, one static gzvmm per VM), with the crowd guest (2 vCPUs that wait in WFI
# until a line on their console releases them):
#   32  the host's VM limit set to 32 (sysfs max_vms): 32 VMs, 64 vCPUs, all up at once; the
#       33rd to the 40th VM each get gzvmm's one line naming the limit (status 1) while the
#       32 wait (a run of the whole 33-100 refused 68 of 68 the same way: the count does not
#       change); then all 32 are released and each transcript must equal crowd-2.txt;
#   64  the limit back at 64: 64 VMs (128 vCPUs) up at once, the 65th refused naming 64,
#       all 64 released and checked;
#   quota a VM asking for a quota of gzhyp's memory larger than its pool: refused at set-up
#       with one line (a quota set for one VM is held for it).
# Then the driver's pinned pages 0, gzhyp's pool in use back at its start and a hello VM
# correct; no panic, oops or BUG.
#   fullstack_many.sh GZHYP_IMAGE GUEST_DIR EXPECTED_DIR WORK
# QEMU's time limit: GZ_QEMU_TIMEOUT seconds (default 280).
set -uo pipefail

image=$1 guests_dir=$2 exp_dir=$3 work=$4
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
gz_stack_root "$image" "$work" g exp
cp "$guests_dir/crowd.elf" "$guests_dir/hello.elf" "$r/g/" &&
  cp "$exp_dir/crowd-2.txt" "$exp_dir/hello.txt" "$r/exp/" || exit 1
cat >"$r/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
s=/sys/kernel/gzvm
pool0=$(cat $s/hyp_pool_used_bytes)
. /gz_lib.sh
t() { cut -d' ' -f1 /proc/uptime; }
# crowd N MEM: N crowd VMs in the background, each held until /tmp/go is opened for writing.
crowd() {
  rm -f /tmp/go /tmp/c.* /tmp/e.* && mkfifo /tmp/go
  i=1
  while [ $i -le $1 ]; do
    (cat /tmp/go >/dev/null; echo go) |
      gzvmm run --backend gzvm --kernel /g/crowd.elf --cpus 2 --mem $2 --input pl011 --console file:/tmp/c.$i 2>/tmp/e.$i &
    i=$((i + 1))
  done
}
# all_up N: until N consoles say "up" (240 s at most); prints how many did.
all_up() {
  n=0 k=0
  while [ $k -lt 2400 ]; do
    n=$(cat /tmp/c.* 2>/dev/null | grep -c "2 vCPUs up")
    [ "$n" -ge $1 ] && break
    usleep 100000; k=$((k + 1))
  done
  echo $n
}
# refusals FROM TO: VMs number FROM..TO tried while the others wait; counts the one-line refusals.
refusals() {
  i=$1 ok=0
  while [ $i -le $2 ]; do
    gzvmm run --backend gzvm --kernel /g/hello.elf --mem 16M --console file:/tmp/x 2>/tmp/x.err </dev/null
    rc=$?
    [ $rc = 1 ] && [ "$(cat /tmp/x.err)" = "gzvmm: GZVM_CREATE_VM: the hypervisor's VM limit ($3) is reached" ] &&
      ok=$((ok + 1))
    [ $i = $1 ] && echo "many: VM $i gets status $rc: $(cat /tmp/x.err)"
    i=$((i + 1))
  done
  echo "many: VMs $1 to $2: $ok of $(($2 - $1 + 1)) refused naming the limit ($3)"
}
# release N: opens the FIFO (every VM gets its line), waits for all; counts transcripts.
release() {
  : >/tmp/go
  wait
  good=0 i=1
  while [ $i -le $1 ]; do
    cmp -s /tmp/c.$i /exp/crowd-2.txt && good=$((good + 1))
    i=$((i + 1))
  done
  echo "many: released: $good of $1 transcripts equal crowd-2.txt"
}
for n in 32 64; do
  echo $n >$s/max_vms
  t0=$(t)
  crowd $n 4M
  up=$(all_up $n)
  echo "many: $n VMs: $up up at once ($((up * 2)) vCPUs) after $(awk -v a=$t0 -v b=$(t) 'BEGIN {print b - a}') s, max_vms $(cat $s/max_vms)"
  if [ $n = 32 ]; then refusals 33 40 32; else refusals 65 65 64; fi
  release $n
done
gzvmm run --backend gzvm --kernel /g/hello.elf --mem 16M --hyp-mem 64M --console file:/tmp/x 2>/tmp/x.err </dev/null
echo "many: quota: status $?: $(cat /tmp/x.err)"
gz_settle
gz_next_vm
[ $next_ok = yes ] || [ $nrc != 0 ] || nrc="$nrc, transcript differs"
echo "many: back: pinned_pages $(cat $s/pinned_pages) pool_used_bytes $(cat $s/hyp_pool_used_bytes) (start $pool0) next_vm status $nrc"
echo "init: done"
poweroff -f
INIT
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-280}" 1048576
grep -E "^(init|many):|panic|Oops|BUG" "$log" | head -40
echo "+ qemu exit status: $status (full console: $log)"
ok=1
fail() { echo "FAIL: $*"; ok=0; }
grep -q "^init: insmod gzvm.ko ok$" "$log" || fail "gzvm.ko did not load"
grep -q "^init: done$" "$log" || fail "the run did not finish (QEMU status $status)"
grep -qE "panic|Oops|BUG:" "$log" && fail "a panic, oops or BUG in the console"
grep -qE "^many: 32 VMs: 32 up at once \(64 vCPUs\) after [0-9.]+ s, max_vms 32$" "$log" || fail "32 VMs were not up at once"
grep -q "^many: VMs 33 to 40: 8 of 8 refused naming the limit (32)$" "$log" || fail "VMs past 32 were not refused naming the limit"
grep -qE "^many: 64 VMs: 64 up at once \(128 vCPUs\) after [0-9.]+ s, max_vms 64$" "$log" || fail "64 VMs were not up at once"
grep -q "^many: VMs 65 to 65: 1 of 1 refused naming the limit (64)$" "$log" || fail "the 65th VM was not refused naming the limit"
grep -q "^many: released: 32 of 32 transcripts equal crowd-2.txt$" "$log" || fail "not every one of the 32 VMs ran to its end"
grep -q "^many: released: 64 of 64 transcripts equal crowd-2.txt$" "$log" || fail "not every one of the 64 VMs ran to its end"
grep -qF "many: quota: status 1: gzvmm: GZVM_ENABLE_CAP (--hyp-mem): the hypervisor's free memory cannot hold 65536 KiB for this VM beside the other VMs' quotas" "$log" ||
  fail "a quota past gzhyp's pool was not refused with its one line"
grep -qE "^many: back: pinned_pages 0 pool_used_bytes ([0-9]+) \(start \1\) next_vm status 0$" "$log" ||
  fail "pages or gzhyp's pool not back, or the next VM failed"
[ "$status" = 0 ] || fail "QEMU exit status $status"
[ $ok = 1 ] && echo PASS && exit 0
exit 1
