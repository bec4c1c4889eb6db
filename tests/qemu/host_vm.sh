# Sourced by the tests that boot Debian's Linux as the host VM under gzhyp (gz.test=host): the
# initramfs packing, the one QEMU command line of that boot, and a QEMU run bounded in time and
# in output. Needs $qemu set by the caller.

# gz_pack_initramfs DIR OUT: DIR as a gzip'd newc cpio archive.
gz_pack_initramfs() {
  (cd "$1" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$2")
}

# gz_host_vm_args IMAGE KERNEL KADDR INITRD [MEM_MB]: sets host_args to the virt board with
# gzhyp at EL2 (IMAGE), Debian's kernel at KADDR and INITRD as the host VM's initramfs.
gz_host_vm_args() {
  host_args=(-M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -smp 2 -m "${5:-1024}"
             -nographic -net none -kernel "$1" -device "loader,file=$2,addr=$3,force-raw=on"
             -initrd "$4" -append "gz.test=host gz.kernel=$3")
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
