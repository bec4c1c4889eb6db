#!/usr/bin/env bash
# Checks the arm64 Linux Image header of gzhyp.bin (what makes QEMU and boot loaders pass
# x0 = DTB): branch at code0, text_offset 0x80000, image_size covering the file, flags
# little-endian/4K, magic "ARM\x64" at 0x38.
set -euo pipefail
img=$1
[ -f "$img" ] || { echo "FAIL: $img missing: run scripts/deps, then build a host preset"; exit 1; }
le64() { od -An -t u8 -j "$1" -N 8 "$img" | tr -d ' '; }
le32() { od -An -t x4 -j "$1" -N 4 "$img" | tr -d ' '; }
size=$(stat -c %s "$img")
code0=$(le32 0) text_offset=$(le64 8) image_size=$(le64 16) flags=$(le64 24) magic=$(le32 56)
echo "code0=0x$code0 text_offset=$text_offset image_size=$image_size flags=$flags magic=0x$magic file=$size"
ok=1
[ $(( 0x$code0 >> 26 )) = 5 ] || { echo "FAIL: code0 is not a B instruction"; ok=0; }
[ "$text_offset" = $((0x80000)) ] || { echo "FAIL: text_offset"; ok=0; }
[ "$image_size" -ge "$size" ] || { echo "FAIL: image_size smaller than the file"; ok=0; }
[ "$flags" = 2 ] || { echo "FAIL: flags"; ok=0; }
[ "$magic" = 644d5241 ] || { echo "FAIL: magic"; ok=0; }
[ $ok = 1 ] && echo PASS
