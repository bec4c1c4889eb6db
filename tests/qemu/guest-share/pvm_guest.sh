# Sourced by the tests that run Debian's kernel as a protected VM (tests/qemu/fullstack_pvm_linux.sh,
# tests/sim/pvm_linux.sh): the guest's initramfs, its disk, and the checks of what the guest
# printed. The modules come from tests/qemu/kmod-build.sh (WORK/guest-ko).

# gz_pvm_guest LNX WORK: WORK/guest-initramfs.cpio.gz from scripts/fetch-linux's folder LNX:
# busybox, gzbounce.ko and gzsecret.ko before the virtio modules, and an /init that uses the
# disk and /dev/hvc0, asks for an attestation report when the disk's block 24 holds a nonce,
# then waits until the host writes "done" into gzsecret's mailbox.
gz_pvm_guest() {
  local lnx=$1 work=$2 g=$2/guest-root m
  rm -rf "$g" && mkdir -p "$g/bin" "$g/proc" "$g/sys" "$g/dev" "$g/lib" "$g/tmp" || return 1
  cp "$lnx/busybox" "$g/bin/busybox" && cp "$work"/guest-ko/gz{bounce,secret}.ko "$g/lib/" || return 1
  for m in virtio_mmio virtio_blk virtio_console; do
    cp "$lnx/modules/$m.ko" "$g/lib/" || { echo "FAIL: $m.ko missing in $lnx/modules"; return 1; }
  done
  cat >"$g/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in gzbounce gzsecret virtio_mmio virtio_blk virtio_console; do
  insmod /lib/$m.ko || echo "guest: insmod $m FAILED"
done
n=0
while [ $n -lt 100 ] && { [ ! -b /dev/vda ] || [ ! -c /dev/hvc0 ]; }; do sleep 0.1; n=$((n + 1)); done
echo "GUEST-LINUX-OK: /init of kernel $(uname -r), a protected VM"
echo "guest: gzbounce: $(cat /sys/module/gzbounce/parameters/status)"
echo "guest: vda $(cat /sys/block/vda/size 2>/dev/null) sectors, first block: $(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -n 1)"
echo "guest: at 1 MiB: $(dd if=/dev/vda bs=512 skip=2048 count=1 2>/dev/null | head -n 1)"
echo "GUEST-WROTE-THIS $(cut -d' ' -f1 /proc/uptime)" | dd of=/dev/vda bs=512 seek=8 conv=sync 2>/dev/null && sync
echo "HVC0-HELLO from the protected guest over virtio-console" >/dev/hvc0
nonce=$(dd if=/dev/vda bs=512 skip=24 count=1 2>/dev/null | head -n 1)
case $nonce in
  NONCE-*)
    echo "${nonce#NONCE-}" >/sys/module/gzsecret/parameters/attest
    echo "guest: attestation report $(cat /sys/module/gzsecret/parameters/attest)" ;;
esac
echo "guest: waiting for the host"
# (read is the shell's own: a fork per poll costs the guest dearly under TCG)
n=0
while [ $n -lt 600 ]; do
  read -r st </sys/module/gzsecret/parameters/state
  case $st in *done=yes*) break ;; esac
  sleep 1; n=$((n + 1))
done
echo "guest: $(cat /sys/module/gzsecret/parameters/state)"
echo "guest: powering off"
poweroff -f
INIT
  chmod +x "$g/init" "$g/bin/busybox"
  (cd "$g" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$work/guest-initramfs.cpio.gz") ||
    { echo "FAIL: could not pack the guest initramfs"; return 1; }
}

# gz_pvm_disk FILE: a 4 MiB disk with two patterns the guest reads back, a fresh tag each
# run; prints the tag.
gz_pvm_disk() {
  local tag
  tag=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
  dd if=/dev/zero of="$1" bs=1M count=4 status=none &&
    printf 'OPENGZ-DISK-PATTERN-%s\n' "$tag" | dd of="$1" conv=notrunc status=none &&
    printf 'OPENGZ-DISK-AT-1MIB-%s\n' "$tag" | dd of="$1" bs=512 seek=2048 conv=notrunc status=none &&
    echo "$tag"
}

# gz_pvm_guest_check CONSOLE TAG ABI: what the guest must have printed (its console: PL011
# and virtio-console; CRs dropped into CONSOLE.lf); a FAIL line for each miss, status 1 if any.
gz_pvm_guest_check() {
  local con=$1.lf tag=$2 abi=$3 ok=0
  tr -d '\r' <"$1" >"$con"
  chk() { grep -qE "$1" "$con" || { echo "FAIL: $2"; ok=1; }; }
  chk "^GUEST-LINUX-OK: /init of kernel $abi-arm64, a protected VM$" "the protected guest did not reach /init"
  chk "^guest: gzbounce: bounce pool of 4096 KiB at 0x0*47c00000 shared with the host, nothing else; 3 transports bounce through it, [0-9]+ bytes in use$" \
    "gzbounce did not share the pool, or the virtio transports do not bounce through it"
  chk "^guest: vda 8192 sectors, first block: OPENGZ-DISK-PATTERN-$tag$" "the guest did not read the disk pattern"
  chk "^guest: at 1 MiB: OPENGZ-DISK-AT-1MIB-$tag$" "the guest did not read the pattern at 1 MiB"
  chk "^HVC0-HELLO from the protected guest over virtio-console$" "nothing came over /dev/hvc0"
  chk "^guest: done=yes intact=yes$" "the guest's secret was not intact after the host said done"
  if grep -E "guest: insmod .* FAILED|Kernel panic|Oops|BUG:|Call trace:" "$con" | head -n 3 | sed 's/^/FAIL: guest: /' | grep .; then
    ok=1
  fi
  return $ok
}
