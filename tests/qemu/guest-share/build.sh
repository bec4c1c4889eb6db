#!/usr/bin/env bash
# Cross-builds the protected Linux guest's modules (gzbounce.ko, gzsecret.ko, and gzshare.ko)
# for Debian's arm64 6.1 kernel with Kbuild, out of the source tree, as src/driver/linux/build.sh
# builds gzvm.ko; fails on any warning. The guest runs the same kernel package as the host VM,
# so the host's headers (scripts/fetch-kernel) serve.
#   build.sh OUT KDIR
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:?usage: build.sh OUT KDIR}"
KDIR="${2:?usage: build.sh OUT KDIR}"
CROSS="${CROSS_COMPILE:-aarch64-linux-gnu-}"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
find "$OUT" -maxdepth 1 -type l -delete
for f in Kbuild gzshare.c gzbounce.c gzbounce.h gzsecret.c; do
  ln -sfn "$HERE/$f" "$OUT/$f"
done
if ! make -C "$KDIR" M="$OUT" ARCH=arm64 CROSS_COMPILE="$CROSS" modules >"$OUT/build.log" 2>&1 ||
  grep -E "warning:|WARNING:" "$OUT/build.log" >/dev/null; then
  cat "$OUT/build.log"
  echo "guest-share: build failed or has warnings" >&2
  exit 1
fi
echo "guest-share: $OUT/gzbounce.ko $OUT/gzsecret.ko"
