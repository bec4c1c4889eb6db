#!/usr/bin/env bash
# Debian's arm64 kernel (scripts/fetch-linux) with a busybox initramfs and 2 vCPUs booted to
# /init RUNS times in deterministic mode (--deterministic --trace --stats): every run must
# print the same console (the kernel's timestamps included), the same statistics and the same
# exit trace once its host times are dropped. Prints one hash line per run.
# usage: debian_det.sh GZVMM OUTDIR RUNS
set -euo pipefail
gzvmm=$1 out=$2 runs=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
img=$("$root/scripts/fetch-linux" --print)
rm -rf "$out"
mkdir -p "$out/root/bin" "$out/root/proc" "$out/root/sys" "$out/root/dev"
cp "$img/busybox" "$out/root/bin/busybox"
cat >"$out/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
echo "opengz-sim: /init reached, $(grep -c processor /proc/cpuinfo) cpu(s), uptime $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
INIT
chmod +x "$out/root/init"
# a fixed archive: the same bytes every time (sorted names, fixed times, no compression)
find "$out/root" -exec touch -h -d @0 {} +
(cd "$out/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible) \
	>"$out/initramfs.cpio"
first=
for i in $(seq "$runs"); do
	start=$(date +%s.%N)
	timeout 600 "$gzvmm" run --backend sim --kernel "$img/Image" --initrd "$out/initramfs.cpio" \
		--mem 512M --cpus 2 --append "console=ttyAMA0 panic=-1 rdinit=/init" --deterministic \
		--trace "$out/trace$i" --console "file:$out/console$i" --stats 2>"$out/stats$i" || {
		echo "debian_det: run $i: gzvmm exited $?"
		tail -n 20 "$out/console$i" "$out/stats$i"
		exit 1
	}
	grep -q "opengz-sim: /init reached, 2 cpu(s)" "$out/console$i" || {
		echo "debian_det: run $i did not reach /init"
		tail -n 20 "$out/console$i"
		exit 1
	}
	h=$({
		cat "$out/console$i" "$out/stats$i"
		sed 's/,"host_ns":[0-9]*}$/}/' "$out/trace$i"
	} | sha256sum | cut -c1-16)
	echo "debian_det: run $i: hash $h, $(wc -l <"$out/trace$i") exits," \
		"$(grep -o 'insns=[0-9]*' "$out/stats$i"), $(echo "$(date +%s.%N) - $start" | bc) s"
	if [ -z "$first" ]; then
		first=$h
	elif [ "$h" != "$first" ]; then
		echo "debian_det: run $i differs from run 1"
		diff "$out/console1" "$out/console$i" | head -20
		diff "$out/stats1" "$out/stats$i" | head -20
		exit 1
	fi
	rm -f "$out/trace$i" # tens of MB each
done
