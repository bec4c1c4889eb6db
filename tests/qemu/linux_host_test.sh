#!/usr/bin/env bash
# gzhyp boots Debian's arm64 kernel as the host VM (gz.test=host) on 2 CPUs and the host
# reaches a busybox /init (tests/qemu/linux/init), which runs cat /proc/cpuinfo on both CPUs
# loads gzvm.ko (it binds the "mediatek,geniezone" node gzhyp adds to the host's DTB and its
# PROBE hypercall must be answered: /dev/gzvm appears) and reads gzhyp's memory through
# /dev/mem: that read must fault in the host.
#   linux_host_test.sh GZHYP_IMAGE WORKDIR [-- extra QEMU args]
# The kernel Image and a static busybox come from scripts/fetch-kernel --image (Debian
# packages fetched with apt-get download into the ignored .cache/ folder, never committed).
set -uo pipefail

image=$1 work=$2
shift 2
[ "${1:-}" = "--" ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
abi=${GZ_KERNEL_ABI:-6.1.0-50}
kimg=$root/.cache/kernel/$abi/image/Image bbox=$root/.cache/kernel/$abi/image/busybox
kaddr=0x40200000

qemu=${GZ_QEMU:-qemu-system-aarch64}
. "$(dirname "$0")/host_vm.sh"
command -v "$qemu" >/dev/null 2>&1 || { echo "FAIL: $qemu not found: run scripts/deps"; exit 1; }
[ -f "$image" ] || { echo "FAIL: $image missing: build a host preset (el2 sub-build)"; exit 1; }
if [ ! -f "$kimg" ] || [ ! -f "$bbox" ]; then
  echo "FAIL: Debian kernel Image/busybox missing: run scripts/fetch-kernel --image"
  exit 1
fi

# gzvm.ko for that kernel (src/driver/linux/build.sh, headers from scripts/fetch-kernel)
GZ_NO_FETCH=1 "$root/src/driver/linux/build.sh" "$work/ko" >"$work/ko.log" 2>&1 ||
  { echo "FAIL: gzvm.ko did not build (log: $work/ko.log)"; exit 1; }

# initramfs: busybox, /init, gzvm.ko, the mount points
rm -rf "$work/root" && mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
cp "$bbox" "$work/root/bin/busybox" && cp "$root/tests/qemu/linux/init" "$work/root/init"
cp "$work/ko/gzvm.ko" "$work/root/gzvm.ko"
chmod +x "$work/root/init" "$work/root/bin/busybox"
gz_pack_initramfs "$work/root" "$work/initramfs.cpio.gz" ||
  { echo "FAIL: could not pack the initramfs (cpio, gzip)"; exit 1; }

log=$work/console.log
gz_host_vm_args "$image" "$kimg" "$kaddr" "$work/initramfs.cpio.gz"
gz_run_qemu "${GZ_QEMU_TIMEOUT:-28}" 1048576 "$log" "${host_args[@]}" "$@"
grep -E "^(gzhyp|host|init|smp|mmu):|gzvm|Booting Linux|Brought up|Run /init|Bus error|Power down|panic|Internal error" "$log"
echo "+ qemu exit status: $status (full console: $log)"

ok=1
[ "$status" = 0 ] || { echo "FAIL: QEMU exit status $status (124: timeout)"; ok=0; }
for re in "^host: Linux at $kaddr, DTB 0x[0-9a-f]+. host memory 0x[0-9a-f]+-0x[0-9a-f]+. gzhyp keeps" \
          "^\[ *[0-9.]+\] Booting Linux on physical CPU 0x0+ " \
          "^\[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs$" \
          "^init: reached /init under gzhyp$" "^init: cpus 2$" \
          "^init: cat /proc/cpuinfo ran on cpu 0$" "^init: cat /proc/cpuinfo ran on cpu 1$" \
          "^init: insmod gzvm.ko ok$" "^init: /dev/gzvm present" \
          "^host: access to 0x40080000 refused \(not the host's memory\)$" "^Bus error" \
          "^init: done$" "reboot: Power down"; do
  grep -Eq -- "$re" "$log" || { echo "FAIL: no console line matches: $re"; ok=0; }
done
for re in "PROTECTION FAILED" "Kernel panic" "UNEXPECTED EXCEPTION" "^host: failed"; do
  ! grep -Eq -- "$re" "$log" || { echo "FAIL: console line must not match: $re"; ok=0; }
done
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
