#!/bin/bash
# gzvmm's command line and input files, end to end: every bad argument or file gives exactly
# one line on stderr naming the problem and a non-zero status (2); --help and --version
# succeed. Usage: cli_errors.sh GZVMM
set -u
GZVMM=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

printf 'raw-kernel-bytes' > "$T/kernel"
: > "$T/empty"
printf '\x1f\x8b\x08\x00rest' > "$T/kernel.gz"
printf '\x7fELF\x01\x01\x01\x00pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad' > "$T/elf32"
head -c 3000000 /dev/zero > "$T/big"
head -c 3800000 /dev/zero > "$T/big2"
# a raw kernel leaves min(RAM / 2, 128 MiB) free above its load address: with --mem 4M the
# initrd starts at 0x40280000 and this one reaches into the last page, where the DTB goes
head -c 1572000 /dev/zero > "$T/big3"
printf 'not a dtb at all, not a dtb at all, not a dtb at all' > "$T/bad.dtb"
printf 'tiny' > "$T/tiny.img"
head -c 4096 /dev/zero > "$T/disk.img"
mkdir "$T/dir"

# expect STATUS MESSAGE -- ARGS...
expect() {
	local want_rc=$1 want_msg=$2
	shift 3
	local out rc lines
	out=$("$GZVMM" "$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s' "$out" | grep -c '')
	if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_msg" ] || [ "$lines" -gt 1 ]; then
		echo "FAIL: gzvmm $*"
		echo "  got  status $rc: $out"
		echo "  want status $want_rc: $want_msg"
		fails=$((fails + 1))
	else
		echo "ok: $want_msg"
	fi
}

K="--kernel $T/kernel"
expect 2 "gzvmm: no command given (try 'gzvmm --help')" --
expect 2 "gzvmm: unknown command 'start' (try 'gzvmm --help')" -- start
expect 2 "gzvmm: missing --kernel FILE" -- run
expect 2 "gzvmm: unknown option '--kernal'" -- run --kernal x
expect 2 "gzvmm: option --kernel needs a value" -- run --kernel
expect 2 "gzvmm: unknown backend 'xen' (gzvm or sim)" -- run $K --backend xen
expect 2 "gzvmm: invalid --mem '1Q' (a size such as 256M or 1G)" -- run $K --mem 1Q
expect 2 "gzvmm: --mem '16G' out of range (2M to 8G)" -- run $K --mem 16G
expect 2 "gzvmm: --mem '5M' is not a multiple of 2M" -- run $K --mem 5M
expect 2 "gzvmm: invalid --cpus '0' (1 to 8)" -- run $K --cpus 0
expect 2 "gzvmm: invalid --cpus 'two' (1 to 8)" -- run $K --cpus two
expect 2 "gzvmm: invalid --disk option 'rw' (only ',ro' is known)" -- run $K --disk a,rw
expect 2 "gzvmm: invalid --console 'serial' (stdio or file:PATH)" -- run $K --console serial
expect 2 "gzvmm: option --cpus given twice" -- run $K --cpus 1 --cpus 2
expect 2 "gzvmm: invalid --unassigned 'raise' (abort or zero)" -- run $K --unassigned raise
expect 2 "gzvmm: option --clock needs --backend sim" -- run $K --clock wall
expect 2 "gzvmm: invalid --max-insns '0' (a number, at least 1)" -- run $K --backend sim --max-insns 0
expect 2 "gzvmm: invalid --slice '10' (a number, at least 1000)" -- run $K --backend sim --slice 10
expect 2 "gzvmm: cannot open kernel '$T/nope': No such file or directory" -- run --kernel "$T/nope"
expect 2 "gzvmm: kernel '$T/dir' is not a regular file" -- run --kernel "$T/dir"
expect 2 "gzvmm: kernel '$T/empty' is empty" -- run --kernel "$T/empty"
expect 2 "gzvmm: kernel is gzip-compressed (decompress it first)" -- run --kernel "$T/kernel.gz" --dry-run
expect 2 "gzvmm: kernel ELF is not 64-bit" -- run --kernel "$T/elf32" --dry-run
expect 2 "gzvmm: kernel '$T/big' is too big for guest memory (3000000 bytes)" -- run --kernel "$T/big" --mem 2M
expect 2 "gzvmm: kernel binary (3800000 bytes) does not fit in guest memory" -- run --kernel "$T/big2" --mem 4M
expect 2 "gzvmm: cannot open initrd '$T/nope': No such file or directory" -- run $K --initrd "$T/nope"
expect 2 "gzvmm: initrd '$T/empty' is empty" -- run $K --initrd "$T/empty"
expect 2 "gzvmm: initrd (3800000 bytes) does not fit in guest memory above the kernel (from 0x40280000; use a larger --mem)" -- run $K --initrd "$T/big2" --mem 4M
expect 2 "gzvmm: no room for the device tree: it would overlap the initrd (use a larger --mem)" -- run $K --initrd "$T/big3" --mem 4M --dry-run
expect 2 "gzvmm: dtb '$T/bad.dtb' is not a valid device tree blob" -- run $K --dtb "$T/bad.dtb"
expect 2 "gzvmm: dtb '$T/big' is too big for guest memory (3000000 bytes)" -- run $K --dtb "$T/big"
expect 2 "gzvmm: cannot open disk '$T/nope': No such file or directory" -- run $K --disk "$T/nope"
expect 2 "gzvmm: disk '$T/tiny.img' is smaller than one 512-byte sector" -- run $K --disk "$T/tiny.img"
expect 2 "gzvmm: disk '$T/dir' is not a regular file" -- run $K --disk "$T/dir,ro"
expect 2 "gzvmm: cannot open console file '$T/no/such/out': No such file or directory" -- run $K --console "file:$T/no/such/out"
expect 2 "gzvmm: cannot write --dump-dtb file '$T/no/x.dtb': No such file or directory" -- run $K --dump-dtb "$T/no/x.dtb" --dry-run
# Firmware in flash: at most one 64 MiB bank; the variable store exactly one.
truncate -s 67108865 "$T/fw.big"
truncate -s 67108864 "$T/vars.ok"
truncate -s 1048576 "$T/vars.small"
B="--bios $T/kernel"
expect 2 "gzvmm: --kernel and --bios exclude each other (the firmware boots the system)" -- run $K $B
expect 2 "gzvmm: --bios-vars needs --bios" -- run $K --bios-vars "$T/vars.ok"
expect 2 "gzvmm: cannot open firmware '$T/nope': No such file or directory" -- run --bios "$T/nope" --dry-run
expect 2 "gzvmm: firmware '$T/empty' is empty" -- run --bios "$T/empty" --dry-run
expect 2 "gzvmm: firmware '$T/dir' is not a regular file" -- run --bios "$T/dir" --dry-run
expect 2 "gzvmm: firmware '$T/fw.big' is 67108865 bytes, larger than its flash bank (64 MiB)" -- run --bios "$T/fw.big" --dry-run
expect 2 "gzvmm: variable store '$T/vars.small' is 1048576 bytes; it must be exactly 67108864 (64 MiB: truncate -s 64M makes an empty one)" -- run $B --bios-vars "$T/vars.small" --dry-run
expect 2 "gzvmm: cannot open variable store '$T/nope': No such file or directory" -- run $B --bios-vars "$T/nope" --dry-run
expect 2 "gzvmm: invalid --on-reset 'halt' (restart or exit)" -- run $K --on-reset halt
expect 2 "gzvmm: --stop-timeout '9999' out of range (0 to 3600)" -- run $K --stop-timeout 9999

# Good forms.
if ! "$GZVMM" --help | grep -q '^usage: gzvmm run'; then echo "FAIL: --help"; fails=$((fails + 1)); fi
if ! "$GZVMM" --version | grep -q '^gzvmm (opengz)'; then echo "FAIL: --version"; fails=$((fails + 1)); fi
out=$("$GZVMM" run $K --disk "$T/disk.img,ro" --dry-run --dump-dtb "$T/ok.dtb" 2>&1)
if [ $? != 0 ] || [ ! -s "$T/ok.dtb" ]; then echo "FAIL: dry run: $out"; fails=$((fails + 1)); fi
out=$("$GZVMM" run $B --bios-vars "$T/vars.ok" --dry-run 2>&1)
if [ $? != 0 ] || ! printf '%s\n' "$out" | grep -qx 'firmware: 16 bytes in flash bank 0 at 0x0, entry 0x0' ||
	! printf '%s\n' "$out" | grep -qE '^dtb: 0x40000000 \([0-9]+ bytes\)$'; then
	echo "FAIL: firmware dry run: $out"
	fails=$((fails + 1))
fi

echo "cli_errors: $fails failure(s)"
[ "$fails" = 0 ]
