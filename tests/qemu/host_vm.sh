# Sourced by the tests that boot Debian's Linux as the host VM under gzhyp (gz.test=host): the
# initramfs packing, the one QEMU command line of that boot, a QEMU run bounded in time and
# in output, and the whole stack's preparation. Needs $qemu set by the caller.

. "$(dirname "${BASH_SOURCE[0]}")/../tools/vsock_verdict.sh"

# gz_pack_initramfs DIR OUT: DIR as a gzip'd newc cpio archive.
gz_pack_initramfs() {
  (cd "$1" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$2")
}

# gz_host_vm_args IMAGE KERNEL KADDR INITRD [MEM_MB]: sets host_args to the virt board with
# gzhyp at EL2 (IMAGE), Debian's kernel at KADDR and INITRD as the host VM's initramfs;
# $GZ_HYP_ARGS, if set, goes on gzhyp's command line too (the platform's boot configuration,
# such as gz.pvmfw_key).
gz_host_vm_args() {
  host_args=(-M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -smp 2 -m "${5:-1024}"
             -nographic -net none -kernel "$1" -device "loader,file=$2,addr=$3,force-raw=on"
             -initrd "$4" -append "gz.test=host gz.kernel=$3${GZ_HYP_ARGS:+ $GZ_HYP_ARGS}")
}

# gz_run_qemu SECONDS MAX_BYTES LOG ARGS...: prints the command, runs QEMU under timeout with its
# console capped and CRs dropped into LOG; sets status to QEMU's exit status (124: timeout).
gz_run_qemu() {
  local tmo=$1 cap=$2 log=$3
  shift 3
  echo "+ timeout $tmo $qemu $*"
  timeout "$tmo" "$qemu" "$@" </dev/null 2>&1 | head -c "$cap" | tr -d '\r' >"$log"
  status=${PIPESTATUS[0]}
}

# gz_stack_root IMAGE WORK [DIR...]: for a run of the whole stack (gzvm.ko and gzvmm in the
# host VM), the checks (QEMU, gzhyp's IMAGE, Debian's kernel and busybox from
# scripts/fetch-kernel --image), gzvm.ko and the static aarch64 gzvmm built into WORK
# (scripts/build-host-tools, nothing downloaded), and a fresh initramfs tree $r = WORK/root
# with busybox, gzvmm, gzvm.ko and the DIRs. Sets r, kimg and kaddr; exits the calling script
# with a FAIL line when something is missing.
gz_stack_root() {
  local image=$1 work=$2 top bbox abi=${GZ_KERNEL_ABI:-6.1.0-50} d
  shift 2
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  kimg=$top/.cache/kernel/$abi/image/Image bbox=$top/.cache/kernel/$abi/image/busybox
  kaddr=0x40200000
  command -v "$qemu" >/dev/null 2>&1 || { echo "FAIL: $qemu not found: run scripts/deps"; exit 1; }
  [ -f "$image" ] || { echo "FAIL: $image missing: build a host preset (el2 sub-build)"; exit 1; }
  [ -f "$kimg" ] && [ -f "$bbox" ] ||
    { echo "FAIL: Debian kernel Image/busybox missing: run scripts/fetch-kernel --image"; exit 1; }
  mkdir -p "$work"
  GZ_NO_FETCH=1 "$top/scripts/build-host-tools" "$work" ||
    { echo "FAIL: gzvm.ko or the static aarch64 gzvmm did not build (logs in $work)"; exit 1; }
  r=$work/root
  rm -rf "$r" && mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" || exit 1
  for d in "$@"; do mkdir -p "$r/$d" || exit 1; done
  cp "$bbox" "$r/bin/busybox" && cp "$work/gzvmm" "$r/bin/gzvmm" &&
    cp "$work/ko/gzvm.ko" "$r/gzvm.ko" && cp "$top/tests/qemu/host_init_lib.sh" "$r/gz_lib.sh" ||
    { echo "FAIL: could not fill $r"; exit 1; }
}

# gz_stack_run IMAGE WORK SECONDS MAX_BYTES [QEMU-ARG...]: packs $r (gz_stack_root's tree, its
# /init written by the caller) and boots it as the host VM's initramfs under gzhyp's IMAGE
# (with ${GZ_STACK_MEM:-1024} MiB and the extra QEMU arguments), bounded by gz_run_qemu; the
# console goes to $log (WORK/console.log), QEMU's exit status to $status.
gz_stack_run() {
  local image=$1 work=$2 tmo=$3 cap=$4
  shift 4
  chmod +x "$r/init" "$r/bin/busybox" "$r/bin/gzvmm"
  gz_pack_initramfs "$r" "$work/initramfs.cpio.gz" ||
    { echo "FAIL: could not pack the initramfs"; exit 1; }
  log=$work/console.log
  gz_host_vm_args "$image" "$kimg" "$kaddr" "$work/initramfs.cpio.gz" "${GZ_STACK_MEM:-1024}"
  gz_run_qemu "$tmo" "$cap" "$log" "${host_args[@]}" "$@"
}

# gz_stack_verdict PATTERN: after gz_stack_run, the console lines matching PATTERN and QEMU's
# exit status; sets ok=1, or 0 when QEMU did not end by itself with status 0.
gz_stack_verdict() {
  grep -E "$1" "$log"
  echo "+ qemu exit status: $status (full console: $log)"
  ok=1
  [ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status (124: timeout)"; ok=0; }
}

# gz_vsock_verdict WANT_GUEST BYTES: after a run of vsock_echo beside a vsock guest whose /init
# framed the guest's console (@@guest-console-begin@@) and vsock_echo's output (@@host-begin@@)
# and printed "init: gzvmm exit 0, vsock_echo exit 0": checks both against their transcripts
# (WANT_GUEST, a path under the repository, and tests/vmm/expected/vsock-host.txt, both of
# 262144 bytes: BYTES replaces that number), less the guest's "time:" lines and a Linux
# guest's kernel messages ("[ seconds ] ..."). Clears ok on a difference (set it first).
gz_vsock_verdict() {
  local want=$1 bytes=$2
  grep -q "^init: gzvmm exit 0, vsock_echo exit 0$" "$log" ||
    { echo "FAIL: gzvmm and vsock_echo did not both end with status 0"; ok=0; }
  perl -0777 -ne 'print $1 if /\@\@guest-console-begin\@\@\n(.*?)\@\@guest-console-end\@\@/s' "$log" >"$work/console.txt"
  perl -0777 -ne 'print $1 if /\@\@host-begin\@\@\n(.*?)\@\@host-end\@\@/s' "$log" >"$work/host.txt"
  gz_vsock_compare "$want" "$bytes" "$work/console.txt" "$work/host.txt"
}

# gz_stack_attacker WORK KDIR: the malicious host in $r (gz_stack_root's tree): the test-only
# gzattack.ko (tests/qemu/gzattack, kmod-build.sh against KDIR's headers) as $r/gzattack.ko and
# host_attack, static, as $r/bin/host_attack; exits the calling script with a FAIL line when
# either does not build.
gz_stack_attacker() {
  local work=$1 kdir=$2 top cc=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  "$top/tests/qemu/kmod-build.sh" "$top/tests/qemu/gzattack" "$work/attack-ko" "$kdir" \
    >"$work/attack-ko.log" 2>&1 || { cat "$work/attack-ko.log"; echo "FAIL: gzattack.ko did not build"; exit 1; }
  "$cc" -static -O2 -std=gnu11 -Wall -Wextra -Werror -I"$top/include" -I"$top/tests/qemu/gzattack" \
    "$top/tests/qemu/gzattack/host_attack.c" "$top/tests/qemu/gzattack/hattack.c" \
    -o "$r/bin/host_attack" || { echo "FAIL: host_attack did not build"; exit 1; }
  cp "$work/attack-ko/gzattack.ko" "$r/gzattack.ko" || exit 1
}
