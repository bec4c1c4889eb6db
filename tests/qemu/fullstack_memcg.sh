#!/usr/bin/env bash
# Host memory in the whole stack (gzhyp at EL2, Debian's kernel as a small host VM of 384 MiB,
# gzvm.ko, a static gzvmm), with the memtouch guest, which writes all of its RAM and holds it
# for 3 s (docs/driver.md, "Host memory", is the policy this checks):
#   charged   a VM of 64 MiB in memory cgroup a (no limit): the cgroup's memory.peak shows the
#             guest's pages, which gzvm.ko pinned at its stage-2 faults, charged to it;
#   contained the same VM in cgroup b (memory.max 32 MiB) while another VM runs outside it:
#             the cgroup's OOM killer ends that gzvmm (status 137, memory.events oom_kill),
#             the VM outside runs to its end;
#   prealloc  gzvmm --prealloc in cgroup b: one line naming the cgroup's limit, status 1, no
#             OOM kill; then a VM of 160 MiB with --prealloc holding its memory while a second
#             one asks for 160 MiB: one line naming the host's available memory, status 1;
#   overcommit two VMs of 160 MiB at once without --prealloc (more than the host has): the
#             kernel's OOM killer may end either; gzhyp and the host go on.
# After each: the driver's pinned pages 0, gzhyp's pool in use back at its start, and a hello
# VM prints its transcript; no panic, oops or BUG anywhere.
#   fullstack_memcg.sh GZHYP_IMAGE GUEST_DIR EXPECTED_DIR WORK
# QEMU's time limit: GZ_QEMU_TIMEOUT seconds (default 150).
set -uo pipefail

image=$1 guests_dir=$2 exp_dir=$3 work=$4
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
gz_stack_root "$image" "$work" g exp
cp "$guests_dir/memtouch.elf" "$guests_dir/hello.elf" "$r/g/" && cp "$exp_dir/hello.txt" "$r/exp/" || exit 1
cat >"$r/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo -1000 >/proc/self/oom_score_adj # the OOM killer's victims are gzvmm processes
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
s=/sys/kernel/gzvm cg=/sys/fs/cgroup
mount -t cgroup2 none $cg && echo +memory >$cg/cgroup.subtree_control && mkdir $cg/a $cg/b &&
  echo 32M >$cg/b/memory.max && echo "init: cgroups ok"
pool0=$(cat $s/hyp_pool_used_bytes)
. /gz_lib.sh
# vm CGROUP OUT ARGS...: gzvmm with memtouch in CGROUP (- for none), console to OUT
vm() {
  c=$1 o=$2
  shift 2
  sh -c 'c=$0 o=$1; shift; echo 0 >/proc/self/oom_score_adj; [ $c = - ] || echo $$ >'$cg'/$c/cgroup.procs
    exec gzvmm run --backend gzvm --kernel /g/memtouch.elf --console file:$o "$@"' "$c" "$o" "$@"
}
# back NAME: every page and gzhyp's pool back (10 s at most), then a hello VM.
back() {
  gz_settle
  gz_next_vm
  [ $next_ok = yes ] || [ $nrc != 0 ] || nrc="$nrc, transcript differs"
  echo "memcg: $1: back: pinned_pages $(cat $s/pinned_pages) pool_used_bytes $(cat $s/hyp_pool_used_bytes) (start $pool0) next_vm status $nrc"
}
oomkills() { awk '/^oom_kill / {print $2}' $cg/$1/memory.events; }

vm a /tmp/a --mem 64M 2>/tmp/err.a </dev/null
echo "memcg: charged: status $? console '$(tail -c 200 /tmp/a | tr '\n' '|')' peak_mib $(($(cat $cg/a/memory.peak) >> 20))"
back charged

vm - /tmp/o --mem 48M 2>/tmp/err.o </dev/null &
outside=$!
vm b /tmp/b --mem 64M 2>/tmp/err.b </dev/null
rcb=$?
wait $outside
echo "memcg: contained: status $rcb oom_kill $(oomkills b) outside status $? console '$(tr '\n' '|' </tmp/o)'"
back contained

k0=$(oomkills b)
vm b /tmp/p --mem 64M --prealloc 2>/tmp/err.p </dev/null
echo "memcg: prealloc-cgroup: status $? oom_kill_more $(($(oomkills b) - k0)) stderr '$(cat /tmp/err.p)'"
back prealloc-cgroup

vm - /tmp/h1 --mem 160M --prealloc 2>/tmp/err.h1 </dev/null &
first=$!
n=0
while ! grep -q touched /tmp/h1 2>/dev/null && [ $n -lt 300 ]; do usleep 100000; n=$((n + 1)); done
vm - /tmp/h2 --mem 160M --prealloc 2>/tmp/err.h2 </dev/null
rc2=$?
wait $first
echo "memcg: prealloc-host: first status $? console '$(tr '\n' '|' </tmp/h1)' second status $rc2 stderr '$(cat /tmp/err.h2)'"
back prealloc-host

vm - /tmp/x1 --mem 160M 2>/tmp/err.x1 </dev/null &
p1=$!
vm - /tmp/x2 --mem 160M 2>/tmp/err.x2 </dev/null &
p2=$!
wait $p1
r1=$?
wait $p2
echo "memcg: overcommit: statuses $r1 $? (0: ran to its end, 137: the OOM killer)"
back overcommit
echo "init: done"
poweroff -f
INIT
GZ_STACK_MEM=${GZ_STACK_MEM:-384} gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-150}" 1048576
grep -E "^(init|memcg):|panic|Oops|BUG|Out of memory|oom-kill" "$log" | head -40
echo "+ qemu exit status: $status (full console: $log)"
ok=1
fail() { echo "FAIL: $*"; ok=0; }
grep -q "^init: insmod gzvm.ko ok$" "$log" || fail "gzvm.ko did not load"
grep -q "^init: cgroups ok$" "$log" || fail "no memory cgroups (cgroup v2 with the memory controller)"
grep -q "^init: done$" "$log" || fail "the run did not finish (QEMU status $status)"
grep -qE "panic|Oops|BUG:" "$log" && fail "a panic, oops or BUG in the console"
peak=$(sed -n 's/^memcg: charged: status 0 .*memtouch: bye.* peak_mib \([0-9]*\)$/\1/p' "$log")
[ -n "$peak" ] && [ "$peak" -ge 60 ] || fail "the 64 MiB VM ran, but its pages were not charged to its memory cgroup (peak '$peak' MiB)"
grep -qE "^memcg: contained: status 137 oom_kill [1-9][0-9]* outside status 0 console 'memtouch: [0-9]+ MiB touched\|memtouch: bye\|'" "$log" ||
  fail "the VM over its cgroup's limit was not the only one ended"
grep -qF "memcg: prealloc-cgroup: status 1 oom_kill_more 0 stderr 'gzvmm: --prealloc: out of memory: the guest's 64 MiB exceed the " "$log" &&
  grep -qF "MiB its memory cgroup has left (memory.max 32 MiB in /sys/fs/cgroup/b)'" "$log" ||
  fail "--prealloc over the cgroup's limit did not fail with its one line"
grep -qE "^memcg: prealloc-host: first status 0 console 'memtouch: [0-9]+ MiB touched\|memtouch: bye\|' second status 1 stderr 'gzvmm: --prealloc: out of memory: the guest's 160 MiB exceed the host's available [0-9]+ MiB'$" "$log" ||
  fail "--prealloc past the host's memory did not fail with its one line while the first VM ran on"
grep -qE "^memcg: overcommit: statuses (0|137) (0|137) " "$log" || fail "an overcommitted VM ended otherwise than by itself or the OOM killer"
n=$(grep -cE "^memcg: [a-z-]+: back: pinned_pages 0 pool_used_bytes ([0-9]+) \(start \1\) next_vm status 0$" "$log")
[ "$n" = 5 ] || fail "pages or gzhyp's pool not back, or the next VM failed, after $((5 - n)) of the 5 cases"
[ "$status" = 0 ] || fail "QEMU exit status $status"
[ $ok = 1 ] && echo PASS && exit 0
exit 1
