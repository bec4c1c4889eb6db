#!/usr/bin/env bash
# Debian's arm64 Linux as the GUEST of the whole stack: QEMU -> gzhyp (EL2) -> Debian Linux as
# the host VM (gz.test=host) -> insmod gzvm.ko -> gzvmm run --backend gzvm -> Debian Linux as
# a guest VM with a busybox initramfs, virtio-blk and virtio-console. The guest's /init prints
# GUEST-LINUX-OK, reads a known pattern from /dev/vda, writes one back, says hello on
# /dev/hvc0 and powers off; the host then checks the disk file and that gzvm.ko holds no
# pinned page any more. The guest is a normal VM: gzhyp lends it the host's pages, so gzvmm
# reads its virtqueues with no help from the guest (a stock kernel, no module of ours).
#
#   fullstack_linux.sh GZHYP_IMAGE GUEST_DIR WORKDIR MODE
#     MODE linux        one Linux guest (checks the markers; the ctest)
#     MODE two          a Linux guest and the hostile `attack` guest at once (checks both)
#     MODE interactive  one Linux guest, QEMU in the foreground (scripts/run's main job)
# Needs scripts/fetch-kernel --image (headers for gzvm.ko), scripts/fetch-linux (the guest
# kernel, its virtio modules, busybox) and scripts/fetch-vmm-arm64 (libfdt for gzvmm).
# GZ_QEMU_TIMEOUT (seconds) bounds the QEMU run.
set -uo pipefail

image=$1 guests_dir=$2 work=$3 mode=$4
root=$(cd "$(dirname "$0")/../.." && pwd)
abi=${GZ_KERNEL_ABI:-6.1.0-50}
kimg=$root/.cache/kernel/$abi/image/Image
kaddr=0x40200000
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
case $mode in linux | two | interactive) ;; *) echo "FAIL: unknown mode '$mode'"; exit 2 ;; esac

command -v "$qemu" >/dev/null 2>&1 || { echo "FAIL: $qemu not found: run scripts/deps"; exit 1; }
command -v "$cc" >/dev/null 2>&1 || { echo "FAIL: $cc not found: run scripts/deps"; exit 1; }
[ -f "$image" ] || { echo "FAIL: $image missing: build a host preset (el2 sub-build)"; exit 1; }
[ -f "$kimg" ] || { echo "FAIL: Debian kernel Image missing: run scripts/fetch-kernel --image"; exit 1; }
lnx=$(GZ_KERNEL_ABI=$abi "$root/scripts/fetch-linux" --print) ||
  { echo "FAIL: guest kernel and modules missing: run scripts/fetch-linux"; exit 1; }
mkdir -p "$work"
work=$(cd "$work" && pwd)

# gzvm.ko for that kernel and gzvmm linked statically for aarch64, nothing downloaded here
GZ_NO_FETCH=1 "$root/scripts/build-host-tools" "$work" ||
  { echo "FAIL: gzvm.ko or the static aarch64 gzvmm did not build (logs in $work)"; exit 1; }

# The guest's initramfs: busybox, the virtio modules of the same kernel package (no
# modules.dep in it: insmod in dependency order), an /init that exercises both devices.
g=$work/guest-root
rm -rf "$g" && mkdir -p "$g/bin" "$g/proc" "$g/sys" "$g/dev" "$g/lib" "$g/tmp"
cp "$lnx/busybox" "$g/bin/busybox"
for m in virtio_mmio virtio_blk virtio_console; do
  cp "$lnx/modules/$m.ko" "$g/lib/" || { echo "FAIL: $m.ko missing in $lnx/modules"; exit 1; }
done
cat >"$g/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "GUEST-LINUX-OK: /init of kernel $(uname -r) on $(grep -c ^processor /proc/cpuinfo) cpu(s), guest uptime $(cut -d' ' -f1 /proc/uptime) s"
# gz.peek=IPA,...: the confinement check's second guest reads those IPAs (another VM's
# page, gzhyp's, the host's) and reports what it got, then powers off
peek=$(sed -n 's/.*gz\.peek=\([0-9a-fx,]*\).*/\1/p' /proc/cmdline)
if [ -n "$peek" ]; then
  for a in $(echo "$peek" | tr , ' '); do
    (devmem "$a" 64) >/tmp/peek 2>&1
    rc=$?
    if [ $rc = 0 ]; then echo "guest: peek at IPA $a: READ $(cat /tmp/peek)"; else echo "guest: peek at IPA $a: refused (devmem status $rc: $(head -c 120 /tmp/peek | tr "\n" " "))"; fi
  done
  echo "guest: peeks done, powering off"
  poweroff -f
fi
for m in virtio_mmio virtio_blk virtio_console; do
  insmod /lib/$m.ko || echo "guest: insmod $m FAILED"
done
n=0
while [ $n -lt 50 ] && { [ ! -b /dev/vda ] || [ ! -c /dev/hvc0 ]; }; do sleep 0.1; n=$((n + 1)); done
echo "guest: vda $(cat /sys/block/vda/size 2>/dev/null) sectors, first block: $(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -n 1)"
echo "guest: at 1 MiB: $(dd if=/dev/vda bs=512 skip=2048 count=1 2>/dev/null | head -n 1)"
echo "GUEST-WROTE-THIS $(cut -d' ' -f1 /proc/uptime)" | dd of=/dev/vda bs=512 seek=8 conv=sync 2>/dev/null && sync
echo "HVC0-HELLO from the guest over virtio-console" >/dev/hvc0
# gz.wait: stay up (idle) until the host writes HOST-SAYS-STOP into block 16 of the disk
if grep -q "gz.wait" /proc/cmdline; then
  n=0
  while [ $n -lt 600 ]; do
    echo 3 >/proc/sys/vm/drop_caches
    dd if=/dev/vda bs=512 skip=16 count=1 2>/dev/null | grep -q HOST-SAYS-STOP && break
    sleep 0.2; n=$((n + 1))
  done
  echo "guest: the host said stop after $n polls of block 16"
fi
echo "guest: powering off"
poweroff -f
INIT
chmod +x "$g/init" "$g/bin/busybox"
gz_pack_initramfs "$g" "$work/guest-initramfs.cpio.gz" ||
  { echo "FAIL: could not pack the guest initramfs"; exit 1; }

# A disk with a pattern the guest must read back (a fresh random tag on every run).
tag=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
dd if=/dev/zero of="$work/disk.img" bs=1M count=4 status=none
printf 'OPENGZ-DISK-PATTERN-%s\n' "$tag" | dd of="$work/disk.img" conv=notrunc status=none
printf 'OPENGZ-DISK-AT-1MIB-%s\n' "$tag" | dd of="$work/disk.img" bs=512 seek=2048 conv=notrunc status=none

# The host's initramfs: busybox, gzvm.ko, gzvmm, the guest kernel, initramfs and disk, the
# attack guest, and an /init for the mode.
r=$work/host-root
rm -rf "$r" && mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/guest"
cp "$lnx/busybox" "$r/bin/busybox" && cp "$work/gzvmm" "$r/bin/gzvmm" && cp "$work/ko/gzvm.ko" "$r/gzvm.ko"
cp "$lnx/Image" "$r/guest/Image" && cp "$work/guest-initramfs.cpio.gz" "$r/guest/initramfs.cpio.gz"
cp "$work/disk.img" "$r/guest/disk.img"
if [ "$mode" = two ]; then
  cp "$guests_dir/attack.elf" "$r/guest/attack.elf" || { echo "FAIL: attack guest missing in $guests_dir"; exit 1; }
fi
gmem=${GZ_GUEST_MEM:-128M} gcpus=${GZ_GUEST_CPUS:-2}
# quiet: every console byte of the guest is an MMIO exit to gzvmm (about 3 ms each under TCG)
GZ_GUEST_APPEND=${GZ_GUEST_APPEND-quiet}
{
  cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "host: insmod gzvm.ko ok"
up() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(up)" 'BEGIN { printf "%.2f", b - a }'; }
EOF
  echo "GMEM=$gmem GCPUS=$gcpus GUEST_CMDLINE='console=ttyAMA0 panic=-1 rdinit=/init $GZ_GUEST_APPEND'"
  cat <<'EOF'
# linux_guest EXTRA-CMDLINE GZVMM-OPTIONS...
linux_guest() {
  x=$1; shift
  gzvmm run --backend gzvm --kernel /guest/Image --initrd /guest/initramfs.cpio.gz --input none --stats --append "$GUEST_CMDLINE $x" "$@"
}
EOF
  if [ "$mode" = two ]; then
    cat <<'EOF'
echo "host: starting the Linux guest and the attack guest at once"
t0=$(up)
( linux_guest gz.wait --disk /guest/disk.img --mem $GMEM --cpus $GCPUS --console file:/tmp/linux.out 2>/tmp/linux.err; echo $? >/tmp/linux.rc ) &
lpid=$!
n=0
while ! grep -q GUEST-LINUX-OK /tmp/linux.out 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
echo "host: Linux guest marker after $(since $t0) s; attack guest starts while it runs"
gzvmm run --backend gzvm --kernel /guest/attack.elf --mem 128M --cpus 2 --input none --unassigned abort --stats --console file:/tmp/attack.out 2>/tmp/attack.err
echo "host: attack guest exit $?"
printf '@@attack-console-begin@@\n'; cat /tmp/attack.out; printf '@@attack-console-end@@\n'
sed 's/^/host: attack gzvmm: /' /tmp/attack.err
echo "host: pinned_pages while the Linux guest runs: $(cat /sys/kernel/gzvm/pinned_pages)"
# A physical page of the running Linux guest: its gzvmm's RAM mapping (the anonymous one of
# the guest's size), the middle page's PFN from /proc/PID/pagemap (pinned, so stable).
pid=$(pidof gzvmm)
gbytes=$(( ${GMEM%M} << 20 ))
base=0
while read -r range perm _ _ _ path; do
  s=${range%-*} e=${range#*-}
  [ -z "$path" ] && [ $((0x$e - 0x$s)) = $gbytes ] && base=$((0x$s))
done </proc/$pid/maps
# a page whose PA is not also an IPA of the second guest's own RAM (0x40000000-0x44000000)
for k in 4 5 6 7 3 2 1; do
  va=$((base + k * gbytes / 8))
  ent=$(dd if=/proc/$pid/pagemap bs=8 skip=$((va / 4096)) count=1 2>/dev/null | od -An -tx8 | tr -d ' ')
  pa=$(printf '0x%x' $(( (0x${ent:-0} & 0x7fffffffffffff) << 12 )))
  [ $((pa)) -ge $((0x44000000)) ] && break
done
echo "host: Linux guest (gzvmm pid $pid) RAM page at VA $(printf '0x%x' $va) is host PA $pa (pagemap entry 0x$ent)"
echo "host: a second Linux guest (64M, RAM IPAs 0x40000000-0x44000000) reads that PA, gzhyp's 0x7e000000 and the host's 0x60000000 as IPAs"
linux_guest "gz.peek=$pa,0x7e000000,0x60000000" --mem 64M --cpus 1 --console file:/tmp/peek.out 2>/tmp/peek.err
echo "host: peeking guest exit $?"
sed 's/^/peeker: /' /tmp/peek.out | grep -E "GUEST-LINUX-OK|guest:"
grep -E "aborts_injected|unhandled" /tmp/peek.err | sed 's/^/host: peeker gzvmm: /'
[ -f /tmp/linux.rc ] && echo "host: the Linux guest was gone before the peeks" || echo "host: the Linux guest is still running"
printf 'HOST-SAYS-STOP\n' | dd of=/guest/disk.img bs=512 seek=16 conv=notrunc 2>/dev/null
wait $lpid
echo "host: Linux guest exit $(cat /tmp/linux.rc) after $(since $t0) s"
sed 's/^/linux: /' /tmp/linux.out
sed 's/^/host: linux gzvmm: /' /tmp/linux.err
EOF
  else
    cat <<'EOF'
echo "host: starting the Linux guest: gzvmm run --backend gzvm (its console follows)"
t0=$(up)
{ linux_guest "" --disk /guest/disk.img --mem $GMEM --cpus $GCPUS 2>/tmp/linux.err; echo $? >/tmp/linux.rc; } | while IFS= read -r l; do
  echo "$l"
  case $l in *GUEST-LINUX-OK*) echo "host: guest boot time $(since $t0) s (gzvmm start to the guest's /init marker, host clock)" ;; esac
done
echo "host: Linux guest exit $(cat /tmp/linux.rc) after $(since $t0) s"
sed 's/^/host: linux gzvmm: /' /tmp/linux.err
EOF
  fi
  cat <<'EOF'
echo "host: disk block 8 after the guest: $(dd if=/guest/disk.img bs=512 skip=8 count=1 2>/dev/null | head -n 1)"
echo "host: pinned_pages after the guests: $(cat /sys/kernel/gzvm/pinned_pages)"
echo "host: done"
poweroff -f
EOF
} >"$r/init"
chmod +x "$r/init" "$r/bin/busybox" "$r/bin/gzvmm"
gz_pack_initramfs "$r" "$work/host-initramfs.cpio.gz" ||
  { echo "FAIL: could not pack the host initramfs"; exit 1; }

gz_host_vm_args "$image" "$kimg" "$kaddr" "$work/host-initramfs.cpio.gz" "${GZ_QEMU_MEM:-1024}"
args=("${host_args[@]}")
tmo=${GZ_QEMU_TIMEOUT:-80}
echo "+ timeout $tmo $qemu ${args[*]}"
if [ "$mode" = interactive ]; then
  timeout "$tmo" "$qemu" "${args[@]}" </dev/null
  exit $?
fi
log=$work/console-$mode.log
start=$(date +%s.%N)
timeout "$tmo" "$qemu" "${args[@]}" </dev/null 2>&1 | head -c 2097152 | tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
wall=$(echo "$(date +%s.%N) - $start" | bc)
grep -E "^(host|guest|linux):|GUEST-|HVC0-|gzvm hypervisor|Power down|panic|Oops|Unable|FAILED" "$log" | head -n 80
printf '+ qemu exit status: %s after %.1f s (full console: %s)\n' "$status" "$wall" "$log"

ok=1
fail() { echo "FAIL: $*"; ok=0; }
need() { grep -qE "$1" "$log" || fail "$2"; }
[ "$status" = 0 ] || fail "QEMU exit status $status (124: timeout)"
# (no mode reads memory the host does not own: a normal guest's pages are lent to it)
grep -E "Kernel panic|Oops|BUG:|Call trace:|UNEXPECTED EXCEPTION|refused \(not the host's memory\)" "$log" | head -n 5 |
  while IFS= read -r l; do echo "FAIL: on the console: $l"; done | grep . && ok=0
need "^host: insmod gzvm.ko ok$" "gzvm.ko did not load"
need "GUEST-LINUX-OK: /init of kernel $abi-arm64 on $gcpus cpu" "the guest Linux did not reach /init"
need "guest: vda 8192 sectors, first block: OPENGZ-DISK-PATTERN-$tag$" "the guest did not read the disk pattern from /dev/vda"
need "guest: at 1 MiB: OPENGZ-DISK-AT-1MIB-$tag$" "the guest did not read the pattern at 1 MiB"
need "HVC0-HELLO from the guest over virtio-console" "nothing came over /dev/hvc0"
need "^host: disk block 8 after the guest: GUEST-WROTE-THIS " "the guest's write to /dev/vda did not reach the disk file"
need "^host: Linux guest exit 0 " "gzvmm did not end with the guest's power-off (exit 0)"
need "^host: pinned_pages after the guests: 0$" "pages stayed pinned after the VMs were gone"
if [ "$mode" = linux ]; then
  need "^host: guest boot time [0-9.]+ s" "no boot time"
  grep -oE "host: guest boot time [0-9.]+ s.*" "$log" | head -n 1
fi
if [ "$mode" = two ]; then
  need "^host: attack guest exit 0$" "the attack guest did not run to a clean power-off"
  perl -0777 -ne 'print $1 if /\@\@attack-console-begin\@\@\n(.*?)\@\@attack-console-end\@\@/s' "$log" >"$work/attack.out"
  if cmp -s "$work/attack.out" "$root/tests/sim/expected/attack-2.txt"; then
    echo "ok: the attack guest's transcript equals the simulator's (attack-2.txt): every probe refused"
  else
    fail "attack transcript differs from attack-2.txt:"
    diff -u "$root/tests/sim/expected/attack-2.txt" "$work/attack.out" | head -n 30
  fi
  need "^host: pinned_pages while the Linux guest runs: [1-9]" "no pinned pages seen while the Linux guest ran"
  need "^host: Linux guest \(gzvmm pid [0-9]+\) RAM page at VA 0x[0-9a-f]+ is host PA 0x[1-9a-f][0-9a-f]{3,}000 " "no host PA of the first guest's RAM found"
  need "^host: peeking guest exit 0$" "the peeking guest did not power off cleanly"
  for a in 0x7e000000 0x60000000; do
    need "^peeker: guest: peek at IPA $a: refused " "the second guest's read of $a was not refused"
  done
  need "^peeker: guest: peek at IPA 0x[0-9a-f]+: refused .*" "the second guest's read of the first guest's page was not refused"
  grep -E "^peeker: guest: peek .*READ" "$log" && fail "a peek read memory"
  need "^host: peeker gzvmm: .*aborts_injected=3 " "gzvmm did not report the three refused reads (aborts injected)"
  need "^host: the Linux guest is still running$" "the first guest was not running during the peeks"
  need "^linux: guest: the host said stop" "the first guest did not keep running to the host's stop"
fi
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
