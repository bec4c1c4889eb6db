#!/usr/bin/env bash
# gzvmm killed with SIGKILL at random points in the whole stack (gzhyp at EL2, Debian's kernel
# as the host VM, gzvm.ko, a static gzvmm), KILLS times, six kinds of moment in turn:
#   boot      the smp guest on 4 vCPUs, killed 0-400 ms after gzvmm starts (set-up: memslots,
#             vCPUs, the first RUNs and stage-2 faults);
#   run       the stall guest's 2 vCPUs spinning in RUN, killed 0.3-2 s in;
#   scrub-pvm the scrub guest as a protected VM over gzvmm --mem-file: once it has filled
#             4 MiB with its marker, killed 0-300 ms later; the file must hold no marker
#             (every page it had came back scrubbed);
#   scrub     the same as a normal VM: the marker must still be there (the check sees it);
#   u-boot    U-Boot from flash with a virtio disk, killed 0.5-5 s in (flash memslots deleted
#             and registered again as it probes the flash, its virtio scan of the disk);
#   edk2      EDK2 with its variable store and the disk, killed 1-8 s in (the store being
#             formatted through the flash's memslot switches, virtio-blk reads).
# A guest that ends by itself first (status 0) is no kill: its moment is drawn again below what
# the run lasted (EDK2 reaching GRUB, which powers off, inside its window on a fast machine),
# 3 times at most; one that still ends by itself gets the same checks ("status
# ended-by-itself"). After each kill: the driver's pinned pages back to 0 and gzhyp's pool in use back at its
# value before the first VM (polled for up to 10 s), then a hello VM must print its
# transcript. One "kill:" line per kill, "kill: done K kills, F failed" at the end.
#   fullstack_kill.sh GZHYP_IMAGE GUEST_DIR EXPECTED_DIR WORK KILLS
# QEMU's time limit: GZ_QEMU_TIMEOUT seconds (default 150). Exit status 0 when every kill came
# back clean. bench/faults/run runs it 100 times and writes the report.
set -uo pipefail

image=$1 guests_dir=$2 exp_dir=$3 work=$4 kills=$5
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
fw=$("$root/scripts/fetch-firmware" --print) || { echo "FAIL: no firmware: run scripts/fetch-firmware"; exit 1; }
gz_stack_root "$image" "$work" g fw exp
for g in smp stall scrub hello; do cp "$guests_dir/$g.elf" "$r/g/" || exit 1; done
cp "$exp_dir/hello.txt" "$r/exp/" && cp "$fw/u-boot.bin" "$fw/QEMU_EFI.fd" "$fw/esp-test.img" "$r/fw/" || exit 1
cat >"$r/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"
s=/sys/kernel/gzvm
kills=$(cat /kills)
truncate -s 64M /tmp/vars
pool0=$(cat $s/hyp_pool_used_bytes)
. /gz_lib.sh
echo "init: pinned_pages $(cat $s/pinned_pages) pool_used_bytes $pool0"
# rnd LO HI: a number in [LO, HI)
rnd() { echo $(($1 + RANDOM % ($2 - $1))); }
i=0 failed=0
while [ $i -lt $kills ]; do
  try=0
  while :; do
  rm -f /tmp/out /tmp/ram
  wait_for=
  case $((i % 6)) in
  0) what=boot; ms=$(rnd 0 400); set -- --kernel /g/smp.elf --cpus 4 --mem 64M ;;
  1) what=run; ms=$(rnd 300 2000); set -- --kernel /g/stall.elf --cpus 2 --mem 32M ;;
  2) what=scrub-pvm; ms=$(rnd 0 300); wait_for=filled
     set -- --kernel /g/scrub.elf --mem 32M --protected --mem-file /tmp/ram ;;
  3) what=scrub; ms=$(rnd 0 300); wait_for=filled
     set -- --kernel /g/scrub.elf --mem 32M --mem-file /tmp/ram ;;
  4) what=u-boot; ms=$(rnd 500 5000); set -- --bios /fw/u-boot.bin --disk /fw/esp-test.img,ro --mem 128M ;;
  5) what=edk2; ms=$(rnd 1000 8000)
     set -- --bios /fw/QEMU_EFI.fd --bios-vars /tmp/vars --disk /fw/esp-test.img,ro --mem 128M ;;
  esac
  [ $try = 0 ] || ms=$again
  t0=$(cut -d' ' -f1 /proc/uptime)
  gzvmm run --backend gzvm "$@" --console file:/tmp/out 2>/tmp/err </dev/null &
  pid=$!
  if [ -n "$wait_for" ]; then
    n=0
    while ! grep -q "$wait_for" /tmp/out 2>/dev/null && [ $n -lt 300 ]; do usleep 100000; n=$((n + 1)); done
  fi
  usleep $((ms * 1000))
  alive=yes
  kill -0 $pid 2>/dev/null || alive=no
  kill -9 $pid 2>/dev/null
  wait $pid
  rc=$?
  # ended by itself before its moment: again, at a moment drawn below what it lasted
  if [ $alive = no ] && [ $rc = 0 ] && [ $try -lt 3 ]; then
    t1=$(cut -d' ' -f1 /proc/uptime)
    lasted=$(( (${t1%.*} * 100 + 1${t1#*.} - 100) * 10 - (${t0%.*} * 100 + 1${t0#*.} - 100) * 10 ))
    [ $lasted -gt 2 ] || lasted=2
    again=$(rnd 0 $((lasted / 2)))
    echo "kill: $i $what ended by itself before ${ms}ms (lasted ${lasted}ms); again at ${again}ms"
    try=$((try + 1))
    continue
  fi
  break
  done
  bytes=$(wc -c </tmp/out 2>/dev/null || echo 0)
  gz_settle
  pinned=$(cat $s/pinned_pages) pool=$(cat $s/hyp_pool_used_bytes)
  ok=yes why=
  # A guest may finish before its moment comes (EDK2 reaching GRUB, which powers off, on a
  # fast machine): no kill then, but the same checks; any other end is a failure.
  if [ $alive = no ] && [ $rc = 0 ]; then
    rc=ended-by-itself
  elif [ $alive = no ] || [ $rc != 137 ]; then
    ok=no why="$why gzvmm-ended-before-the-kill(status-$rc)"
    head -c 600 /tmp/err
  fi
  [ "$pinned" = 0 ] || { ok=no why="$why pages-still-pinned"; }
  [ "$pool" = $pool0 ] || { ok=no why="$why pool-not-back"; }
  marks=-
  case $what in
  scrub-pvm|scrub)
    grep -q filled /tmp/out || { ok=no why="$why the-guest-never-filled-its-memory"; }
    if grep -q 'GZSCRUB!' /tmp/ram; then marks=found; else marks=none; fi
    [ $what = scrub-pvm ] && [ $marks = found ] && { ok=no why="$why not-scrubbed"; }
    [ $what = scrub ] && [ $marks = none ] && { ok=no why="$why marker-missing-from-a-normal-VM"; }
    ;;
  esac
  gz_next_vm
  next=ok
  [ $next_ok = yes ] || { next=FAILED; ok=no why="$why next-VM-status-$nrc"; head -c 600 /tmp/err; }
  [ $ok = yes ] || failed=$((failed + 1))
  echo "kill: $i $what after ${ms}ms console_bytes $bytes status $rc pinned_pages $pinned pool_used_bytes $pool markers $marks next_vm $next back_after_ms $((n * 100)) $([ $ok = yes ] && echo ok || echo "FAILED:$why")"
  i=$((i + 1))
done
echo "kill: done $i kills, $failed failed"
poweroff -f
INIT
echo "$kills" >"$r/kills"
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-150}" 2097152
grep -E "^(init|kill):|panic|Oops|BUG" "$log" | head -$((kills + 20))
echo "+ qemu exit status: $status (full console: $log)"
grep -q "^init: insmod gzvm.ko ok$" "$log" || { echo "FAIL: gzvm.ko did not load"; exit 1; }
grep -qE "panic|Oops|BUG:" "$log" && { echo "FAIL: a panic, oops or BUG in the console"; exit 1; }
grep -q "^kill: done $kills kills, 0 failed$" "$log" || { echo "FAIL: not every kill came back clean (QEMU status $status)"; exit 1; }
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status"; exit 1; }
echo PASS
