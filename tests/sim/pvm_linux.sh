#!/usr/bin/env bash
# Debian's stock arm64 kernel as a PROTECTED VM in the simulator, the malicious host beside it:
# the guest of tests/qemu/fullstack_pvm_linux.sh (a busybox initramfs that loads gzbounce.ko,
# which shares only gzvmm's bounce pool and makes virtio bounce through it, and gzsecret.ko,
# which holds a secret in private memory and puts the attacker's mailbox in the pool) runs on
# gzvmm's sim backend inside gz_host_attack (tests/sim/host_attack.c), which scans its RAM
# through the host's view and forges gzhyp's host calls while it waits: the transcript equals
# pvm_blk's in both worlds (expected/host_attack_blk.txt), and the guest read and wrote its disk,
# wrote on /dev/hvc0 and found its secret intact. Needs scripts/fetch-linux and
# scripts/fetch-kernel (the headers the guest's modules build against).
#   pvm_linux.sh GZ_HOST_ATTACK WORKDIR
set -uo pipefail
attack=$1 work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
abi=${GZ_KERNEL_ABI:-6.1.0-50}
. "$root/tests/qemu/guest-share/pvm_guest.sh"
lnx=$(GZ_KERNEL_ABI=$abi "$root/scripts/fetch-linux" --print) ||
  { echo "FAIL: guest kernel and modules missing: run scripts/fetch-linux"; exit 1; }
kdir=$("$root/scripts/fetch-kernel" --print) ||
  { echo "FAIL: no Debian arm64 kernel headers: run scripts/fetch-kernel"; exit 1; }
mkdir -p "$work" && work=$(cd "$work" && pwd)
"$root/tests/qemu/kmod-build.sh" "$root/tests/qemu/guest-share" "$work/guest-ko" "$kdir" \
  >"$work/guest-ko.log" 2>&1 ||
  { cat "$work/guest-ko.log"; echo "FAIL: gzbounce.ko/gzsecret.ko did not build"; exit 1; }
gz_pvm_guest "$lnx" "$work" || exit 1
tag=$(gz_pvm_disk "$work/disk.img") || exit 1
con=$work/Image-attack-console.txt
rm -f "$con"
start=$(date +%s)
"$attack" attack "$lnx/Image" "$work" "$root/tests/sim/expected/host_attack_blk.txt" - -- \
  --initrd "$work/guest-initramfs.cpio.gz" --append "console=ttyAMA0 panic=-1 rdinit=/init quiet" \
  --disk "$work/disk.img" --cpus 1 >"$work/attack.log" 2>&1
st=$?
sed -n '/^--- the guest.s console$/q;p' "$work/attack.log" | grep -v "^scan\|^  \|: [A-Z_]*$" | head -n 20
tr -d '\r' <"$con" | grep -E "^(GUEST-|guest:|HVC0-)"
echo "+ gz_host_attack: status $st after $(($(date +%s) - start)) s (log: $work/attack.log)"
ok=1
[ $st = 0 ] || { echo "FAIL: gz_host_attack: status $st (the transcript or the run failed)"; ok=0; }
gz_pvm_guest_check "$con" "$tag" "$abi" || ok=0
grep -q "^GUEST-WROTE-THIS " <(dd if="$work/disk.img" bs=512 skip=8 count=1 2>/dev/null) ||
  { echo "FAIL: the guest's write did not reach the disk file"; ok=0; }
[ $ok = 1 ] && echo PASS && exit 0
exit 1
