#!/usr/bin/env bash
# Verified boot through the whole stack: gzhyp at EL2 gets the platform's trusted key on its
# own command line (gz.pvmfw_key, before the host runs); in the host VM gzvmm --backend gzvm
# --protected --pvmfw loads opengz's pvmfw, gzvm.ko populates its PROTECT_FW slot and forwards
# SET_PVMFW_GPA, and gzhyp starts the VM in the firmware. The cases are the simulator's
# (tests/sim/pvmfw_cases.sh): signed guests boot with their transcripts, every tampering
# (images, block, memory, devices, an interrupt) is refused with status 5 before the kernel ran,
# a host write to the firmware faults (status 4). The build machine's GZVMM writes the device
# trees the blocks are signed for: the same machine gzvmm describes in the host VM. gzhyp also
# gets the platform's attestation root (gz.attest_root), certifies its attestation key with it
# and keeps the secret off the console and out of the host's command line; the attest guest's
# report verifies up to that root.
#   fullstack_pvmfw.sh GZHYP_IMAGE GUEST_DIR PVMFW_BIN GZ_SIGN GZVMM WORKDIR
set -uo pipefail
image=$1 guests=$2 fw=$3 sign=$4 gzvmm_build=$5 work=$6
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
. "$root/tests/sim/pvmfw_cases.sh"
gz_stack_root "$image" "$work" pv
pvmfw_prepare "$sign" "$gzvmm_build" "$fw" "$guests" "$root/tests/guests/initrd-data.txt" "$work/files" ||
  { echo "FAIL: could not prepare the signed images"; exit 1; }
cp "$work"/files/*.bin "$work"/files/*.img "$work"/files/*.sig "$work"/files/*.dtb "$fw" "$r/pv/" ||
  exit 1
{
  echo '#!/bin/busybox sh'
  echo '/bin/busybox --install -s /bin'
  echo 'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev'
  echo 'insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"'
  echo 'echo "init: the host'"'"'s command line: $(cat /proc/cmdline)"'
  while IFS='|' read -r name want args line con; do
    echo "gzvmm run --backend gzvm --protected --pvmfw /pv/$(basename "$fw") ${args//@//pv} --console file:/tmp/out 2>/tmp/err"
    echo "rc=\$?; echo \"@@case $name \$rc\"; cat /tmp/out; echo @@err; cat /tmp/err; echo @@end"
  done < <(pvmfw_cases)
  echo "gzvmm run --backend gzvm --protected --pvmfw /pv/$(basename "$fw") $(pvmfw_attest_args | sed 's|@|/pv|g') --console file:/tmp/out 2>/tmp/err"
  echo "rc=\$?; echo \"@@case attest \$rc\"; cat /tmp/out; echo @@err; cat /tmp/err; echo @@end"
  echo 'echo "init: done"; poweroff -f'
} >"$r/init"
GZ_HYP_ARGS="gz.pvmfw_key=$(cat "$work/files/k.pub") gz.attest_root=$(cat "$work/files/root.sec")" \
  gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-80}" 1048576
grep -E "^(host|init):|gzvm hypervisor|Power down|panic|Oops" "$log"
echo "+ qemu exit status: $status (full console: $log)"
ok=1
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status (124: timeout)"; ok=0; }
grep -q "^host: pvmfw's trusted key $(head -c 8 "$work/files/k.pub")\.\.\. from gzhyp's command line$" "$log" ||
  { echo "FAIL: gzhyp did not take the key from its command line"; ok=0; }
while IFS='|' read -r name want args line con; do
  rc=$(sed -n "s/^@@case $name \([0-9]*\)$/\1/p" "$log")
  perl -0777 -ne "print \$1 if /\@\@case $name \d+\n(.*?)\@\@err\n/s" "$log" >"$work/$name.out"
  perl -0777 -ne "print \$1 if /\@\@case $name \d+\n.*?\@\@err\n(.*?)\@\@end\n/s" "$log" >"$work/$name.err"
  pvmfw_check "$name" "${rc:-none}" "$want" "$work/$name.err" "$line" "$work/$name.out" "$con" \
    "$root/tests/sim/expected" || ok=0
done < <(pvmfw_cases)
# the platform's attestation root: in no line of the console (gzhyp's log, the host's command
# line), stars in the host's command line
if grep -qi "$(head -c 64 "$work/files/root.sec")" "$log"; then
  echo "FAIL: the attestation root's secret is on the console"; ok=0
fi
grep -q "^init: the host's command line: .*gz\.attest_root=\*\{64\}\( \|$\)" "$log" ||
  { echo "FAIL: the host's command line does not have gz.attest_root starred"; ok=0; }
# the report, up to the root that certified the attestation key gzhyp published in its log
sed -n 's/^host: attestation certificate \([0-9a-f]\{288\}\) .*/\1/p' "$log" >"$work/attest.cert"
rc=$(sed -n "s/^@@case attest \([0-9]*\)$/\1/p" "$log")
perl -0777 -ne "print \$1 if /\@\@case attest \d+\n(.*?)\@\@err\n/s" "$log" >"$work/attest.out"
if [ ! -s "$work/attest.cert" ]; then
  echo "FAIL: gzhyp published no attestation certificate"; ok=0
else
  pvmfw_attest_check "$sign" "$fw" "$work/files" "${rc:-none}" "$work/attest.out" "$work/attest.cert" \
    "$root/tests/sim/expected" || ok=0
fi
[ $ok = 1 ] && echo PASS && exit 0
exit 1
