#!/usr/bin/env bash
# Cross-builds gzvm.ko for Debian's arm64 6.1 kernel with Kbuild, out of the source tree:
# OUT gets links to the module's sources (src/driver/linux), the portable logic
# (src/driver/common, as gzdrv_*.c) and the project's include/, and Kbuild writes its
# objects there. Fails on any compiler warning.
#
#   build.sh OUT [KDIR]    KDIR: a prepared kernel header tree; default: scripts/fetch-kernel
#   GZ_NO_FETCH=1          never download: fail with a message if the headers are missing
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT="${1:?usage: build.sh OUT [KDIR]}"
KDIR="${2:-}"
CROSS="${CROSS_COMPILE:-aarch64-linux-gnu-}"

if [ -z "$KDIR" ]; then
  if [ -n "${GZ_NO_FETCH:-}" ]; then
    KDIR="$("$ROOT/scripts/fetch-kernel" --print)" || exit 1
  else
    KDIR="$("$ROOT/scripts/fetch-kernel")"
  fi
fi
if [ ! -f "$KDIR/Makefile" ] || [ ! -f "$KDIR/.config" ]; then
  echo "gzvm.ko: $KDIR is not a prepared kernel header tree (run scripts/fetch-kernel)" >&2
  exit 1
fi
command -v "${CROSS}gcc" >/dev/null || { echo "gzvm.ko: ${CROSS}gcc not found (scripts/deps)" >&2; exit 1; }

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
find "$OUT" -maxdepth 1 -type l -delete
for f in "$HERE"/Kbuild "$HERE"/*.c "$HERE"/*.h; do
  ln -sfn "$f" "$OUT/$(basename "$f")"
done
for f in "$ROOT"/src/driver/common/*.c; do
  ln -sfn "$f" "$OUT/gzdrv_$(basename "$f")"
done
for f in "$ROOT"/src/driver/common/*.h; do
  ln -sfn "$f" "$OUT/$(basename "$f")"
done
ln -sfn "$ROOT/include" "$OUT/include"

set +e
make -C "$KDIR" M="$OUT" ARCH=arm64 CROSS_COMPILE="$CROSS" ${GZ_KBUILD_FLAGS:-} modules \
  >"$OUT/build.log" 2>&1
rc=$?
set -e
cat "$OUT/build.log"
if [ $rc -ne 0 ]; then
  echo "gzvm.ko: build failed" >&2
  exit $rc
fi
if grep -E "warning:|WARNING:" "$OUT/build.log" >/dev/null; then
  echo "gzvm.ko: the build has warnings" >&2
  exit 1
fi
echo "gzvm.ko: $OUT/gzvm.ko"
