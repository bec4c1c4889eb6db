#!/usr/bin/env bash
# Cross-builds the test-only gzattack.ko for Debian's arm64 6.1 kernel with Kbuild, out of
# the source tree, as src/driver/linux/build.sh builds gzvm.ko; fails on any warning.
#   build.sh OUT KDIR
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:?usage: build.sh OUT KDIR}"
KDIR="${2:?usage: build.sh OUT KDIR}"
CROSS="${CROSS_COMPILE:-aarch64-linux-gnu-}"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
find "$OUT" -maxdepth 1 -type l -delete
for f in Kbuild gzattack.c gzattack.h; do
  ln -sfn "$HERE/$f" "$OUT/$f"
done
if ! make -C "$KDIR" M="$OUT" ARCH=arm64 CROSS_COMPILE="$CROSS" modules >"$OUT/build.log" 2>&1 ||
  grep -E "warning:|WARNING:" "$OUT/build.log" >/dev/null; then
  cat "$OUT/build.log"
  echo "gzattack.ko: build failed or has warnings" >&2
  exit 1
fi
echo "gzattack.ko: $OUT/gzattack.ko"
