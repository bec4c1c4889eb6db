#!/usr/bin/env bash
# ctest "driver_gzvm_ko_qemu": boots Debian's arm64 kernel (the ABI gzvm.ko is built for)
# under QEMU with EL2 present (so the kernel's own KVM/nVHE owns EL2 and answers HVCs) and a
# device tree that has gzhyp's "mediatek,geniezone" node, then from a busybox /init:
# insmod gzvm.ko, check that the platform driver bound the node and that the PROBE handshake
# was refused cleanly by a hypervisor that is not GenieZone (no /dev/gzvm, no oops), rmmod.
# The kernel image and busybox come from `scripts/fetch-kernel --image` (the test fixture).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT="${1:?usage: qemu-smoke.sh OUT}"

fail() { echo "FAIL: $*" >&2; exit 1; }
KDIR="$("$ROOT/scripts/fetch-kernel" --print)" || fail "no kernel headers (scripts/fetch-kernel)"
IMG="${KDIR%/usr/src/*}/image"
[ -f "$IMG/.complete" ] || fail "no kernel image under $IMG: scripts/fetch-kernel --image"
command -v qemu-system-aarch64 >/dev/null || fail "qemu-system-aarch64 not found (scripts/deps)"
command -v dtc >/dev/null || fail "dtc not found (scripts/deps)"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
GZ_NO_FETCH=1 "$HERE/build.sh" "$OUT/ko" "$KDIR" >/dev/null

# QEMU's own tree for this machine, plus the node gzhyp adds for the host kernel.
QEMU=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -m 512
  -nographic -nic none -no-reboot)
rm -f "$OUT/virt.dtb"
"${QEMU[@]}" -machine dumpdtb="$OUT/virt.dtb" >/dev/null 2>&1 || true
[ -s "$OUT/virt.dtb" ] || fail "QEMU did not dump its device tree"
dtc -q -I dtb -O dts -o "$OUT/virt.dts" "$OUT/virt.dtb"
python3 - "$OUT/virt.dts" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
i = s.rindex('};')
s = s[:i] + '\thypervisor {\n\t\tcompatible = "mediatek,geniezone";\n\t};\n' + s[i:]
open(p, 'w').write(s)
PY
dtc -q -I dts -O dtb -o "$OUT/virt-gz.dtb" "$OUT/virt.dts"

rm -rf "$OUT/initrd"
mkdir -p "$OUT/initrd/bin" "$OUT/initrd/proc" "$OUT/initrd/sys" "$OUT/initrd/dev"
cp "$IMG/busybox" "$OUT/initrd/bin/busybox"
cp "$OUT/ko/gzvm.ko" "$OUT/initrd/gzvm.ko"
cat >"$OUT/initrd/init" <<'SH'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
insmod /gzvm.ko && echo "GZTEST: insmod ok"
[ -e /sys/bus/platform/drivers/gzvm ] && echo "GZTEST: platform driver registered"
[ -e /sys/firmware/devicetree/base/hypervisor/compatible ] && echo "GZTEST: node present"
[ -e /dev/gzvm ] || echo "GZTEST: no /dev/gzvm"
dmesg | grep "gzvm hypervisor"
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
for e in mtk_hypcall_enter mtk_hypcall_leave mtk_vcpu_exit; do
  [ -e /sys/kernel/tracing/events/geniezone/$e/format ] && echo "GZTEST: tracepoint $e"
done
rmmod gzvm && echo "GZTEST: rmmod ok"
[ -e /sys/bus/platform/drivers/gzvm ] || echo "GZTEST: driver gone"
echo "GZTEST: done"
poweroff -f
SH
chmod +x "$OUT/initrd/init"
(cd "$OUT/initrd" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$OUT/initrd.gz")

set +e
timeout 120 "${QEMU[@]}" -dtb "$OUT/virt-gz.dtb" -kernel "$IMG/Image" -initrd "$OUT/initrd.gz" \
  -append "console=ttyAMA0 panic=-1 loglevel=4" </dev/null 2>&1 | head -c 200k >"$OUT/console.log"
set -e
grep "GZTEST\|gzvm" "$OUT/console.log" || true

for m in "GZTEST: tracepoint mtk_hypcall_enter" "GZTEST: tracepoint mtk_hypcall_leave" \
  "GZTEST: tracepoint mtk_vcpu_exit" "GZTEST: insmod ok" "GZTEST: platform driver registered" "GZTEST: node present" \
  "no GenieZone hypervisor answered the probe" "GZTEST: no /dev/gzvm" "GZTEST: rmmod ok" \
  "GZTEST: driver gone" "GZTEST: done"; do
  grep -q "$m" "$OUT/console.log" || fail "missing '$m' (console: $OUT/console.log)"
done
if grep -E "Oops|BUG:|WARNING:|Call trace|Kernel panic" "$OUT/console.log"; then
  fail "the kernel complained (console: $OUT/console.log)"
fi
release="$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")"
echo "PASS: gzvm.ko loads into Debian's $release, binds mediatek,geniezone, unloads"
