#!/usr/bin/env bash
# bench/io's smoke test (seconds): iobench, built for the build machine, writes a 4 MiB file,
# reads it back and reads it at random (buffered: tmpfs refuses O_DIRECT), every 4 KiB stamp
# checked; report.py makes the report's table from its lines (as both worlds of one round).
#   smoke_test.sh IOBENCH PYTHON
set -uo pipefail
bin=${1:?usage: smoke_test.sh IOBENCH PYTHON} py=${2:?usage: smoke_test.sh IOBENCH PYTHON}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
check() { # FILE REGEX DESCRIPTION
  if grep -qE -- "$2" "$1"; then echo "ok: $3"; else echo "FAIL: $3 (no /$2/ in $1)"; fail=1; fi
}
head -c 4194304 /dev/zero >"$out/disk"
"$bin" --buffered --bs 64 --secs 1 "$out/disk" >"$out/opengz-1.txt" ||
  { echo "FAIL: iobench exited non-zero"; cat "$out/opengz-1.txt"; exit 1; }
check "$out/opengz-1.txt" '^iobench: seqwrite bytes=4194304 requests=64 ns=[0-9]+ MBps=' "sequential write"
check "$out/opengz-1.txt" '^iobench: seqread bytes=4194304 requests=64 ' "sequential read, stamps checked"
check "$out/opengz-1.txt" '^iobench: randread4k bytes=[0-9]+ requests=[1-9][0-9]* ' "random reads"
check "$out/opengz-1.txt" '^iobench: done$' "done"
cp "$out/opengz-1.txt" "$out/kvm-1.txt"
"$py" "$here/report.py" --dir "$out" --rounds 1 --command "smoke" >"$out/REPORT.md" ||
  { echo "FAIL: report.py exited non-zero"; exit 1; }
check "$out/REPORT.md" '^\| sequential read, O_DIRECT \(MB/s\) \| .* \(1/1\) \| .* \(1/1\) \| 1\.00x \| 1\.00x \|$' "report row and ratios"
exit $fail
