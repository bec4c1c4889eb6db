#!/usr/bin/env bash
# Cross-builds the test-only kernel modules of a folder (tests/qemu/gzattack: gzattack.ko;
# tests/qemu/guest-share: the protected Linux guest's gzbounce.ko, gzsecret.ko, gzshare.ko) for
# Debian's arm64 6.1 kernel with Kbuild, out of the source tree, as src/driver/linux/build.sh
# builds gzvm.ko; fails on any warning. Host and guest run the same kernel package, so the
# host's headers (scripts/fetch-kernel) serve both.
#   kmod-build.sh DIR OUT KDIR
set -euo pipefail
DIR="$(cd "${1:?usage: kmod-build.sh DIR OUT KDIR}" && pwd)"
OUT="${2:?usage: kmod-build.sh DIR OUT KDIR}"
KDIR="${3:?usage: kmod-build.sh DIR OUT KDIR}"
CROSS="${CROSS_COMPILE:-aarch64-linux-gnu-}"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
find "$OUT" -maxdepth 1 -type l -delete
for f in "$DIR"/Kbuild "$DIR"/*.c "$DIR"/*.h; do
  ln -sfn "$f" "$OUT/$(basename "$f")"
done
if ! make -C "$KDIR" M="$OUT" ARCH=arm64 CROSS_COMPILE="$CROSS" modules >"$OUT/build.log" 2>&1 ||
  grep -E "warning:|WARNING:" "$OUT/build.log" >/dev/null; then
  cat "$OUT/build.log"
  echo "$(basename "$DIR"): build failed or has warnings" >&2
  exit 1
fi
echo "$(basename "$DIR"): $(ls "$OUT"/*.ko | tr '\n' ' ')"
