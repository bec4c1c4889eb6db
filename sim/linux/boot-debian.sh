#!/usr/bin/env bash
# Stretch target: Debian's arm64 kernel with a busybox initramfs booting in the simulator
# (gzvmm --backend sim: VMM, in-process driver, the core and the Unicorn HAL) to /init.
# Uses the kernel and busybox that scripts/fetch-kernel puts into .cache/kernel/<abi>/image
# (run it first), packs .cache/sim-linux/initramfs.cpio.gz and boots it.
# Usage: sim/linux/boot-debian.sh [build-dir]       (default build/dev; needs gzvmm built)
# Exit status: 0 when /init ran and powered the machine off.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build/dev}
img=$(ls -d .cache/kernel/*/image 2>/dev/null | head -1)
if [ -z "$img" ] || [ ! -f "$img/Image" ] || [ ! -f "$img/busybox" ]; then
	echo "boot-debian: no kernel/busybox in .cache/kernel/*/image: run scripts/fetch-kernel" >&2
	exit 2
fi
work=.cache/sim-linux
rm -rf "$work/root"
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
cp "$img/busybox" "$work/root/bin/busybox"
cat >"$work/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "opengz-sim: /init reached, $(cat /proc/cpuinfo | grep -c processor) cpu(s), kernel $(uname -r)"
echo "opengz-sim: uptime $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
INIT
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"
start=$(date +%s.%N)
set +e
timeout 1200 "$B/src/vmm/gzvmm" run --backend sim --kernel "$img/Image" \
	--initrd "$work/initramfs.cpio.gz" --mem 512M --cpus "${CPUS:-1}" \
	--append "console=ttyAMA0 panic=-1 rdinit=/init" --stats 2>&1 | tee "$work/console.log" |
	grep -E "opengz-sim|Kernel panic|gzvmm:|exits:" 
st=${PIPESTATUS[0]}
set -e
echo "boot-debian: gzvmm exit status $st after $(echo "$(date +%s.%N) - $start" | bc) s (console in $work/console.log)"
grep -q "opengz-sim: /init reached" "$work/console.log"
