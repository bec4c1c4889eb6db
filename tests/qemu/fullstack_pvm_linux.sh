#!/usr/bin/env bash
# Debian's stock arm64 Linux as a PROTECTED guest of the whole stack: QEMU -> gzhyp -> Debian
# Linux host VM -> gzvm.ko -> gzvmm run --protected -> Debian's 6.1 kernel with a busybox
# initramfs, virtio-blk and virtio-console. The kernel has no restricted DMA pool; the
# initramfs loads gzbounce.ko (tests/qemu/guest-share) before virtio_mmio: it shares only
# gzvmm's bounce pool with the host and makes the virtio transports bounce through it
# (docs/security.md, "A protected Linux guest"). gzsecret.ko holds a secret in private memory
# and puts the attacker's mailbox in the pool. The guest reads and writes its disk, writes on
# /dev/hvc0, then waits; meanwhile the malicious host (tests/qemu/gzattack: gzattack.ko and
# host_attack, as in host_attack_test.sh) reads every page of the guest's RAM and forges its
# calls: it reads the pool and nothing else, no readable page holds a word of the secret, every
# call is refused (the transcript is pvm_blk's: expected/host_attack_blk.txt), the secret stays intact and the pages come
# back scrubbed.
#
#   fullstack_pvm_linux.sh GZHYP_IMAGE PVMFW GZ_SIGN GZVMM WORKDIR MODE
#     (GZVMM: the build machine's, which writes the device tree the signature binds)
#     MODE attack       the above (the ctest)
#     MODE pvmfw        the same guest booted through opengz's pvmfw: kernel, initrd,
#                       bootargs and machine (the device tree gzvmm gives it) signed with
#                       gz-sign (the key on gzhyp's command line), the verified measurements
#                       and the guest's attestation report over the host's nonce, checked by
#                       gz-sign report up to the platform's attestation root (gz.attest_root,
#                       which certified gzhyp's key); then the kernel with one byte changed,
#                       refused before it runs (gzvmm status 5)
#     MODE interactive  pvmfw's run with the console on the terminal (scripts/run --protected)
# Needs scripts/fetch-kernel --image, scripts/fetch-linux and scripts/fetch-vmm-arm64.
# GZ_QEMU_TIMEOUT (seconds) bounds the QEMU run.
set -uo pipefail
image=$1 fw=$2 sign=$3 gzvmm_build=$4 work=$5 mode=$6
root=$(cd "$(dirname "$0")/../.." && pwd)
exp=$root/tests/sim/expected
abi=${GZ_KERNEL_ABI:-6.1.0-50}
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
. "$(dirname "$0")/guest-share/pvm_guest.sh"
case $mode in attack | pvmfw | interactive) ;; *) echo "FAIL: unknown mode '$mode'"; exit 2 ;; esac
pv=0
[ "$mode" != attack ] && pv=1
command -v "$cc" >/dev/null 2>&1 || { echo "FAIL: $cc not found: run scripts/deps"; exit 1; }
lnx=$(GZ_KERNEL_ABI=$abi "$root/scripts/fetch-linux" --print) ||
  { echo "FAIL: guest kernel and modules missing: run scripts/fetch-linux"; exit 1; }
kdir=$("$root/scripts/fetch-kernel" --print) ||
  { echo "FAIL: no Debian arm64 kernel headers: run scripts/fetch-kernel"; exit 1; }
gz_stack_root "$image" "$work" guest
work=$(cd "$work" && pwd)

# the guest's modules and the malicious host's, both for Debian's 6.1 kernel
"$root/tests/qemu/kmod-build.sh" "$root/tests/qemu/guest-share" "$work/guest-ko" "$kdir" \
  >"$work/guest-ko.log" 2>&1 ||
  { cat "$work/guest-ko.log"; echo "FAIL: gzbounce.ko/gzsecret.ko did not build"; exit 1; }
gz_stack_attacker "$work" "$kdir"

gz_pvm_guest "$lnx" "$work" || exit 1
cp "$lnx/Image" "$r/guest/Image" && cp "$work/guest-initramfs.cpio.gz" "$r/guest/initramfs.cpio.gz" || exit 1

tag=$(gz_pvm_disk "$r/guest/disk.img") || exit 1

bootargs="console=ttyAMA0 panic=-1 rdinit=/init quiet"
pvargs=""
hypargs=""
if [ $pv = 1 ]; then
  [ -f "$fw" ] || { echo "FAIL: $fw missing (el2 sub-build)"; exit 1; }
  [ -x "$sign" ] || { echo "FAIL: $sign missing (gz-sign needs libsodium)"; exit 1; }
  # the machine as gzvmm in the host VM will describe it: the same options (vmargs below)
  "$gzvmm_build" run --backend sim --dry-run --protected --pvmfw "$fw" --kernel "$r/guest/Image" \
    --initrd "$r/guest/initramfs.cpio.gz" --append "$bootargs" --disk "$r/guest/disk.img" \
    --mem 128M --cpus 1 --input none --dump-dtb "$work/guest.dtb" >/dev/null &&
    "$sign" keygen "$work/vm.sec" "$work/vm.pub" >/dev/null &&
    "$sign" keygen "$work/root.sec" "$work/root.pub" >/dev/null &&
    "$sign" sign "$work/vm.sec" "$r/guest/boot.sig" --kernel "$r/guest/Image" \
      --initrd "$r/guest/initramfs.cpio.gz" --bootargs "$bootargs" --dtb "$work/guest.dtb" >/dev/null ||
    { echo "FAIL: gz-sign could not sign the guest"; exit 1; }
  cp "$fw" "$r/guest/pvmfw.bin" || exit 1
  pvargs="--pvmfw /guest/pvmfw.bin --boot-sig /guest/boot.sig"
  hypargs="gz.pvmfw_key=$(cat "$work/vm.pub") gz.attest_root=$(cat "$work/root.sec")"
fi

{
  cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /gzvm.ko && insmod /gzattack.ko && echo "host: insmod gzvm.ko gzattack.ko ok"
up() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(up)" 'BEGIN { printf "%.2f", b - a }'; }
EOF
  echo "BOOTARGS='$bootargs' PVARGS='$pvargs' PV=$pv"
  cat <<'EOF'
# (the first run below is the same command, started in the background: host_attack needs
# gzvmm's own pid)
protected() {
  gzvmm run --backend gzvm --protected $PVARGS --kernel "$1" --initrd /guest/initramfs.cpio.gz \
    --append "$BOOTARGS" --disk /guest/disk.img --mem 128M --cpus 1 --input none --stats \
    --console file:/tmp/out 2>/tmp/err
}
if [ $PV = 1 ]; then
  nonce=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
  echo "host: nonce $nonce"
  printf 'NONCE-%s\n' "$nonce" | dd of=/guest/disk.img bs=512 seek=24 conv=notrunc 2>/dev/null
fi
echo "host: starting Debian's kernel as a protected VM (gzvmm run --protected${PVARGS:+ --pvmfw})"
t0=$(up)
gzvmm run --backend gzvm --protected $PVARGS --kernel /guest/Image --initrd /guest/initramfs.cpio.gz \
  --append "$BOOTARGS" --disk /guest/disk.img --mem 128M --cpus 1 --input none --stats \
  --console file:/tmp/out 2>/tmp/err &
pid=$!
n=0
while ! grep -q "guest: waiting for the host" /tmp/out 2>/dev/null && [ -d /proc/$pid ] && [ $n -lt 2400 ]; do
  sleep 0.1; n=$((n + 1))
done
echo "host: the guest waits for the host after $(since $t0) s; the attack starts"
host_attack attack $pid /tmp/state >/tmp/attack 2>&1
wait $pid
echo "gzvmm: exit status $?" >>/tmp/attack
host_attack after /tmp/state "after the VM ended" >>/tmp/attack 2>&1
echo "host: the protected guest ended after $(since $t0) s"
printf '@@begin@@ attack\n'; cat /tmp/attack; printf '@@end@@\n'
printf '@@begin@@ guest\n'; cat /tmp/out; printf '@@end@@\n'
sed 's/^/host: gzvmm: /' /tmp/err
echo "host: disk block 8 after the guest: $(dd if=/guest/disk.img bs=512 skip=8 count=1 2>/dev/null | head -n 1)"
if [ $PV = 1 ]; then
  # one byte of the kernel changed (in its text, past the header): pvmfw refuses it
  cp /guest/Image /tmp/Image.bad
  printf '\377' | dd of=/tmp/Image.bad bs=1 seek=1048576 conv=notrunc 2>/dev/null
  protected /tmp/Image.bad
  echo "host: tampered kernel: gzvmm exit status $?"
  grep -E "^pvmfw:" /tmp/out | sed 's/^/host: tampered: /'
  grep "pvmfw refused" /tmp/err | sed "s/^/host: tampered: /"
  grep -q GUEST-LINUX-OK /tmp/out && echo "host: tampered: the kernel RAN"
fi
echo "host: pinned_pages after the guests: $(cat /sys/kernel/gzvm/pinned_pages)"
echo "host: done"
poweroff -f
EOF
} >"$r/init"

tmo=${GZ_QEMU_TIMEOUT:-300}
if [ "$mode" = interactive ]; then
  chmod +x "$r/init" "$r/bin/busybox" "$r/bin/gzvmm"
  gz_pack_initramfs "$r" "$work/initramfs.cpio.gz" || exit 1
  GZ_HYP_ARGS=$hypargs gz_host_vm_args "$image" "$kimg" "$kaddr" "$work/initramfs.cpio.gz" 1024
  log=$work/console.log
  echo "+ timeout $tmo $qemu ${host_args[*]}"
  timeout "$tmo" "$qemu" "${host_args[@]}" </dev/null 2>&1 | tee "$log.raw"
  status=${PIPESTATUS[0]}
  tr -d '\r' <"$log.raw" >"$log"
else
  GZ_HYP_ARGS=$hypargs gz_stack_run "$image" "$work" "$tmo" 4194304
  grep -E "^(host|guest|pvmfw):|GUEST-|HVC0-|gzvm hypervisor|Power down|panic|Oops" "$log" |
    grep -v "attestation report" | head -n 80
fi
echo "+ qemu exit status: $status (full console: $log)"

ok=1
fail() { echo "FAIL: $*"; ok=0; }
need() { grep -qE "$1" "$log" || fail "$2"; }
section() { perl -0777 -ne "print \$1 if /\@\@begin\@\@ \Q$1\E\n(.*?)\@\@end\@\@/s" "$log"; }
[ "$status" = 0 ] || fail "QEMU exit status $status (124: timeout)"
grep -E "Kernel panic|Oops|BUG:|Call trace:|UNEXPECTED EXCEPTION" "$log" | head -n 5 |
  while IFS= read -r l; do echo "FAIL: on the console: $l"; done | grep . && ok=0
section guest >"$work/guest.out"
section attack >"$work/attack.out"
need "^host: insmod gzvm.ko gzattack.ko ok$" "the host's modules did not load"
gz_pvm_guest_check "$work/guest.out" "$tag" "$abi" || ok=0
need "^host: disk block 8 after the guest: GUEST-WROTE-THIS " "the guest's write did not reach the disk file"
if cmp -s "$work/attack.out" "$exp/host_attack_blk.txt"; then
  echo "ok: the malicious host's transcript equals host_attack_blk.txt"
else
  fail "the attack transcript differs from host_attack_blk.txt:"
  diff -u "$exp/host_attack_blk.txt" "$work/attack.out" | head -40
fi
need "^host: pinned_pages after the guests: 0$" "pages stayed pinned after the VM was gone"
if [ $pv = 1 ]; then
  grep -qE "^pvmfw: verified kernel \($(stat -c %s "$r/guest/Image") bytes\), initrd \($(stat -c %s "$r/guest/initramfs.cpio.gz") bytes\), bootargs \(${#bootargs} bytes\), memory \([0-9]+ MiB\), devices \([0-9]+\)$" "$work/guest.out" ||
    fail "pvmfw did not verify the signed kernel, initrd, bootargs and machine"
  nonce=$(sed -n 's/^host: nonce \([0-9a-f]\{64\}\)$/\1/p' "$log")
  sed -n 's/^host: attestation certificate \([0-9a-f]\{288\}\) .*/\1/p' "$log" >"$work/attest.cert"
  sed -n 's/^guest: attestation report \([0-9a-f]\{544\}\)$/\1/p' "$work/guest.out" >"$work/report.hex"
  vargs=(--cert "$work/attest.cert" --nonce "$nonce" --pvmfw "$fw" --kernel "$r/guest/Image" --initrd "$r/guest/initramfs.cpio.gz" --bootargs "$bootargs"
         --dtb "$work/guest.dtb")
  if [ ! -s "$work/report.hex" ] || [ ! -s "$work/attest.cert" ]; then
    fail "no attestation report or no attestation certificate: $(grep 'attestation report' "$work/guest.out" | head -c 200)"
  else
    hex=$(cat "$work/report.hex")
    echo "the guest's attestation report, as gzhyp signed it (SHA-256 measurements):"
    printf '  firmware       %s\n  kernel         %s\n  initrd         %s\n  configuration  %s\n  nonce          %s\n' \
      "${hex:32:64}" "${hex:96:64}" "${hex:160:64}" "${hex:224:64}" "${hex:288:64}"
    echo "+ gz-sign report ROOT_KEY REPORT ${vargs[*]}"
    out=$("$sign" report "$work/root.pub" "$work/report.hex" "${vargs[@]}" 2>&1)
    st=$?
    echo "  $out"
    [ $st = 0 ] || fail "the verifier refused the report (status $st)"
    other=$([ "${nonce:0:1}" = 0 ] && echo 1 || echo 0)${nonce:1}
    out=$("$sign" report "$work/root.pub" "$work/report.hex" "${vargs[@]}" --nonce "$other" 2>&1)
    echo "$out" | grep -q "report is not for this nonce" ||
      fail "the verifier took the report for another nonce: $out"
  fi
  need "^host: tampered kernel: gzvmm exit status 5$" "the tampered kernel was not refused with status 5"
  need "^host: tampered: pvmfw: refused: kernel does not match its signature$" "pvmfw did not name the tampered kernel"
  grep -q "^host: tampered: the kernel RAN" "$log" && fail "the tampered kernel ran"
fi
[ $ok = 1 ] && echo PASS && exit 0
exit 1
