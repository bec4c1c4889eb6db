#!/usr/bin/env bash
# The whole stack on QEMU: gzhyp at EL2 boots Debian's arm64 kernel as the host VM
# (gz.test=host); in it gzvm.ko binds gzhyp and a static aarch64 gzvmm runs test guests with
# --backend gzvm, so every guest run goes gzvmm -> /dev/gzvm ioctls -> gzvm.ko -> HVC ->
# gzhyp's core -> world switch -> the guest at EL1. Each guest's console must equal the
# simulator's transcript (tests/sim/expected).
#   full_stack_test.sh GZHYP_IMAGE GUEST_DIR WORKDIR GUEST[.bin][+protected][!STATUS][%vsock|%region][@PEER]:VCPUS[:INITRD]...
# GUEST boots from its ELF, GUEST.bin from its raw binary; INITRD (a host path) is passed
# with --initrd; +protected runs it as a protected VM (gzvmm --protected), against the same
# transcript. !STATUS: gzvmm must end with that status after reporting a host access to
# guest memory the guest did not share (the simulator stops it at the same point). @PEER: a
# second VM in the same gzvmm (--peer-vm, PEER.elf with 64 MiB) joined to GUEST by a hypervisor
# channel; PEER's console must equal tests/sim/expected/GUEST.peer.txt too. GUEST%vsock@PEER:
# both VMs also get a vsock CID (3 and 4), so the channel carries vsock between them.
# GUEST%region@PEER: the channel gets a bulk region of 256 KiB (--chan-region), GUEST's.
# Needs scripts/fetch-kernel --image (kernel, busybox, headers for gzvm.ko) and
# scripts/fetch-vmm-arm64 (libfdt for the static gzvmm).
set -uo pipefail

image=$1 guests_dir=$2 work=$3
shift 3
specs=("$@")
# spec -> g (guest name), img (file in GUEST_DIR), n (vCPUs), rd (initrd path or empty),
# prot (--protected or empty), want (gzvmm's exit status), peer (the peer VM's guest or
# empty), vs (--vsock for GUEST, or empty), tag (names the run in the console log), desc (in
# messages)
parse_spec() {
  local s=$1 name
  name=${s%%:*} s=${s#*:}
  n=${s%%:*} rd= prot= want=0 peer= vs= cr=
  [ "${name%@*}" = "$name" ] || { peer=${name##*@} name=${name%@*}; }
  [ "${name%\%vsock}" = "$name" ] || { vs="--vsock 3,/tmp/a.sock" name=${name%\%vsock}; }
  [ "${name%\%region}" = "$name" ] || { cr="--chan-region 256K" name=${name%\%region}; }
  [ "$s" = "$n" ] || rd=${s#*:}
  [ "${name%!*}" = "$name" ] || { want=${name##*!} name=${name%!*}; }
  [ "${name%+protected}" = "$name" ] || { prot=--protected name=${name%+protected}; }
  g=${name%.bin} img=$g.elf
  [ "$name" = "$g" ] || img=$g.bin
  tag="$g $n${prot:+ protected}${peer:+ peer $peer}"
  desc="$g with $n vCPUs${prot:+ as a protected VM}${peer:+ and $peer as its peer VM}"
}
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc

qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
command -v "$cc" >/dev/null 2>&1 || { echo "FAIL: $cc not found: run scripts/deps"; exit 1; }
# gzvm.ko for that kernel and gzvmm linked statically for aarch64; the initramfs: busybox,
# gzvm.ko, gzvmm, the guests, an /init that runs each and frames its console
gz_stack_root "$image" "$work"
{
  echo '#!/bin/busybox sh'
  echo '/bin/busybox --install -s /bin'
  echo 'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev'
  echo 'insmod /gzvm.ko && echo "init: insmod gzvm.ko ok"'
  for s in "${specs[@]}"; do
    parse_spec "$s"
    cp "$guests_dir/$img" "$r/$img" || exit 1
    opt=
    if [ -n "$rd" ]; then
      cp "$rd" "$r/$g.initrd" || exit 1
      opt="--initrd /$g.initrd"
    fi
    if [ -n "$peer" ]; then
      cp "$guests_dir/$peer.elf" "$r/$peer.elf" || exit 1
      opt="$opt $vs $cr --peer-vm '--kernel /$peer.elf --mem 64M --console file:/tmp/peer${vs:+ --vsock 4,/tmp/b.sock}'"
    fi
    echo "gzvmm run --backend gzvm --kernel /$img $opt $prot --mem 128M --cpus $n --console file:/tmp/out 2>/tmp/err"
    echo "rc=\$?; printf '@@guest-console-begin@@ $tag\\n'; cat /tmp/out; printf '@@guest-console-end@@\\n'"
    [ -z "$peer" ] ||
      echo "printf '@@guest-console-begin@@ $tag peer\\n'; cat /tmp/peer; printf '@@guest-console-end@@\\n'"
    echo "echo \"init: gzvmm $tag exit \$rc\"; cat /tmp/err"
  done
  echo 'echo "init: done"; poweroff -f'
} >"$r/init"
gz_stack_run "$image" "$work" "${GZ_QEMU_TIMEOUT:-28}" 1048576
gz_stack_verdict "^(host|init):|gzvm hypervisor|Power down|panic|Oops"
grep -q "^init: insmod gzvm.ko ok$" "$log" || { echo "FAIL: gzvm.ko did not load"; ok=0; }
for s in "${specs[@]}"; do
  parse_spec "$s"
  exp=$root/tests/sim/expected/$g.txt
  [ "$n" = 1 ] || exp=$root/tests/sim/expected/$g-$n.txt
  out=$work/$g-$n${prot:+-protected}.out
  perl -0777 -ne "print \$1 if /\@\@guest-console-begin\@\@ $tag\n(.*?)\@\@guest-console-end\@\@/s" \
    "$log" >"$out"
  if ! grep -q "^init: gzvmm $tag exit $want$" "$log"; then
    echo "FAIL: gzvmm did not run $desc to exit status $want"
    ok=0
  elif [ "$want" != 0 ] &&
    ! grep -Eq "^gzvmm: guest memory at IPA 0x[0-9a-f]+ is not accessible to the host" "$log"; then
    echo "FAIL: $desc: gzvmm did not report the guest memory the host could not read"
    ok=0
  elif ! cmp -s "$out" "$exp"; then
    echo "FAIL: $desc: transcript differs from $(basename "$exp"):"
    diff -u "$exp" "$out" | head -20
    ok=0
  elif [ -n "$peer" ] && ! perl -0777 -ne "print \$1 if /\@\@guest-console-begin\@\@ $tag peer\n(.*?)\@\@guest-console-end\@\@/s" \
    "$log" | tee "$out.peer" | cmp -s - "${exp%.txt}.peer.txt"; then
    echo "FAIL: $desc: the peer's transcript differs from $(basename "${exp%.txt}.peer.txt"):"
    diff -u "${exp%.txt}.peer.txt" "$out.peer" | head -20
    ok=0
  else
    echo "ok: $desc through the whole stack equals $(basename "$exp")"
  fi
done
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
