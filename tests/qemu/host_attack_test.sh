#!/usr/bin/env bash
# The malicious host through the whole stack: in the host VM under gzhyp, gzvmm runs the
# protected guest pvm_secret through gzvm.ko while the test-only module gzattack.ko
# (tests/qemu/gzattack, built like gzvm.ko and loaded by this test only) lets host_attack, a
# root program, issue gzhyp's host calls with forged arguments and read and write any
# physical page (/dev/mem-style). The attacks and their transcript are the simulator's
# (tests/sim/host_attack.c, expected/host_attack.txt): every read of the guest's RAM faults
# but its mailbox, every forged call is refused, the guest's secret is intact
# (expected/pvm_secret.txt), and the pages gzhyp gives back when the VM is destroyed hold
# nothing of it. A second run kills gzvmm with SIGKILL mid-run: the pages come back scrubbed
# too (expected/host_attack_kill.txt). A third runs pvm_blk, whose virtio disk goes through the
# bounce pool it shared (gzvmm's STATIC_SWIOTLB memslot): the attacker reads that pool and the
# mailbox, nothing else (expected/host_attack_blk.txt, pvm_blk.txt).
#   host_attack_test.sh GZHYP_IMAGE GUEST_DIR WORKDIR
set -uo pipefail
image=$1 guests_dir=$2 work=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
exp=$root/tests/sim/expected
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
command -v "$cc" >/dev/null 2>&1 || { echo "FAIL: $cc not found: run scripts/deps"; exit 1; }
gz_stack_root "$image" "$work"
kdir=$("$root/scripts/fetch-kernel" --print) ||
  { echo "FAIL: no Debian arm64 kernel headers: run scripts/fetch-kernel"; exit 1; }
gz_stack_attacker "$work" "$kdir"
cp "$guests_dir"/pvm_{secret,blk}.elf "$r/" || exit 1

# The guest's console shows "waiting for the host" once its secret is written and its mailbox
# shared: the attacker starts then (a hang guard of 120 s, in the host's time).
cat >"$r/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && insmod /gzattack.ko && echo "init: insmod gzvm.ko gzattack.ko ok"
guest() {
  name=$1 elf=$2
  shift 2
  gzvmm run --backend gzvm --protected --kernel /$elf --mem 128M --cpus 1 "$@" \
    --console file:/tmp/out.$name 2>/tmp/err.$name &
  pid=$!
  n=0
  while ! grep -q "waiting for the host" /tmp/out.$name 2>/dev/null && [ $n -lt 240 ]; do
    sleep 0.5; n=$((n + 1))
  done
}
attack() {
  host_attack attack $pid /tmp/state.$name >/tmp/$name 2>&1
  wait $pid
  echo "gzvmm: exit status $?" >>/tmp/$name
  host_attack after /tmp/state.$name "after the VM ended" >>/tmp/$name 2>&1
}
guest attack pvm_secret.elf
attack
guest kill pvm_secret.elf
host_attack scan $pid /tmp/state.kill >/tmp/kill 2>&1
kill -9 $pid; wait $pid
host_attack after /tmp/state.kill "after the VMM was killed" >>/tmp/kill 2>&1
# the disk through the bounce pool: sector 0 names it
dd if=/dev/zero of=/tmp/disk bs=512 count=128 2>/dev/null
printf 'opengz bounce disk, sector 0\n' | dd of=/tmp/disk conv=notrunc 2>/dev/null
guest blk pvm_blk.elf --disk /tmp/disk
attack
for f in attack out.attack kill blk out.blk; do
  printf '@@begin@@ %s\n' $f; cat /tmp/$f; printf '@@end@@\n'
done
cat /tmp/err.attack /tmp/err.kill /tmp/err.blk
echo "init: done"; poweroff -f
EOF
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-100}" 1048576
gz_stack_verdict "^(host|init|gzvmm):|gzvm hypervisor|Power down|panic|Oops|Internal error"
grep -q "^init: insmod gzvm.ko gzattack.ko ok$" "$log" || { echo "FAIL: the modules did not load"; ok=0; }
! grep -Eq "Oops|Internal error|Kernel panic" "$log" || { echo "FAIL: the host kernel broke"; ok=0; }
for pair in attack:host_attack.txt out.attack:pvm_secret.txt kill:host_attack_kill.txt \
  blk:host_attack_blk.txt out.blk:pvm_blk.txt; do
  name=${pair%%:*} want=$exp/${pair#*:}
  perl -0777 -ne "print \$1 if /\@\@begin\@\@ \Q$name\E\n(.*?)\@\@end\@\@/s" "$log" >"$work/$name.out"
  if cmp -s "$work/$name.out" "$want"; then
    echo "ok: $name equals $(basename "$want")"
  else
    echo "FAIL: $name differs from $(basename "$want"):"
    diff -u "$want" "$work/$name.out" | head -40
    ok=0
  fi
done
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
