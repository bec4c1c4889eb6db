#!/usr/bin/env bash
# bench/soak's full-stack half: gzhyp at EL2 boots Debian's kernel as the host VM (as
# tests/qemu/full_stack_test.sh does), and its /init loads gzvm.ko and runs CYCLES guests one
# after the other with gzvmm --backend gzvm, each the next line of SPEC_FILE (guest, vCPUs,
# MiB of RAM, "protected" or not); every console must equal the guest's transcript. Before
# the first cycle and every EVERY cycles /init prints one "soak:" line: the driver's pinned
# pages and gzhyp's pool (/sys/kernel/gzvm), the host's free memory (MemFree), the time.
# Those lines go to WORK/soak.log (report.py reads them). With GZ_SOAK_SECONDS (not 0) the
# loop ends at the first sample past that much time since the first.
#   fullstack.sh GZHYP_IMAGE GUEST_DIR EXPECTED_DIR SPEC_FILE CYCLES EVERY WORK
# GZ_SOAK_JOBS (default 1): VMs run side by side, each by its own gzvmm, in rounds; the samples
# fall between rounds (no VM alive), at the first round's end past each EVERY cycles. A gzvmm
# still running after 300 s is a failed cycle.
# QEMU's time limit: GZ_QEMU_TIMEOUT seconds (default 110).
set -uo pipefail

image=$1 guests_dir=$2 exp_dir=$3 spec_file=$4 cycles=$5 every=$6 work=$7
jobs=${GZ_SOAK_JOBS:-1}
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$root/tests/qemu/host_vm.sh"
gz_stack_root "$image" "$work" g exp
specs=()
while read -r g n m p; do
  case $g in '#'* | '') continue ;; esac
  cp "$guests_dir/$g.elf" "$r/g/" || exit 1
  e=$exp_dir/$g-$n.txt
  [ -f "$e" ] || e=$exp_dir/$g.txt
  cp "$e" "$r/exp/$g-$n.txt" || exit 1
  specs+=("$g:$n:$m:${p:-normal}")
done <"$spec_file"
cat >"$r/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
s=/sys/kernel/gzvm
sample() {
  echo "soak: cycle \$1 pinned_pages \$(cat \$s/pinned_pages) host_free_bytes \$((\$(awk '/^MemFree:/ {print \$2}' /proc/meminfo) * 1024)) pool_used_bytes \$(cat \$s/hyp_pool_used_bytes) pool_total_bytes \$(cat \$s/hyp_pool_total_bytes) table_bytes \$(cat \$s/hyp_table_bytes) seconds \$(cut -d' ' -f1 /proc/uptime)"
}
set -- ${specs[*]}
nspecs=\$#
i=0 failed=0 next=$every
t0=\$(cut -d' ' -f1 /proc/uptime)
sample 0
while [ \$i -lt $cycles ]; do
  # A round: up to JOBS VMs started side by side, each its own gzvmm, then all waited for;
  # samples are taken between rounds, when no VM exists.
  j=0
  while [ \$j -lt $jobs ] && [ \$i -lt $cycles ]; do
    k=\$((i % nspecs + 1))
    eval spec=\\\${\$k}
    IFS=: read g n m p <<SPEC
\$spec
SPEC
    prot=
    [ "\$p" = protected ] && prot=--protected
    timeout 300 gzvmm run --backend gzvm --kernel /g/\$g.elf --cpus \$n --mem \${m}M \$prot --console file:/tmp/out\$j 2>/tmp/err\$j &
    eval pid\$j=\$! spec\$j=\$spec
    i=\$((i + 1)) j=\$((j + 1))
  done
  w=0
  while [ \$w -lt \$j ]; do
    eval wait \\\$pid\$w
    rc=\$?
    eval spec=\\\$spec\$w
    IFS=: read g n m p <<SPEC
\$spec
SPEC
    if [ \$rc != 0 ] || ! cmp -s /tmp/out\$w /exp/\$g-\$n.txt; then
      failed=\$((failed + 1))
      echo "soak: cycle \$((i - j + w)) FAILED: \$g with \$n vCPUs, \$m MiB, \$p: gzvmm status \$rc"
      head -c 2000 /tmp/err\$w
    fi
    w=\$((w + 1))
  done
  if [ \$i -ge \$next ] || [ \$i -ge $cycles ]; then
    next=\$((next + $every))
    sample \$i
    [ ${GZ_SOAK_SECONDS:-0} != 0 ] && [ \$(awk -v a=\$t0 -v b=\$(cut -d' ' -f1 /proc/uptime) -v l=${GZ_SOAK_SECONDS:-0} 'BEGIN {print (b - a >= l)}') = 1 ] && break
  fi
done
echo "soak: done, \$i cycles, \$failed failed, \$(awk -v a=\$t0 -v b=\$(cut -d' ' -f1 /proc/uptime) 'BEGIN {print b - a}') seconds"
poweroff -f
EOF
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-110}" 4194304
grep -E "^soak:" "$log" >"$work/soak.log"
grep -E "^(init|soak):|panic|Oops|BUG" "$log" | grep -v "^soak: cycle [0-9]* pinned" | head -50
echo "+ qemu exit status: $status (full console: $log)"
grep -q "^init: insmod gzvm.ko ok$" "$log" || { echo "FAIL: gzvm.ko did not load"; exit 1; }
grep -q "^soak: done" "$log" || { echo "FAIL: the soak did not finish (QEMU status $status)"; exit 1; }
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status"; exit 1; }
exit 0
