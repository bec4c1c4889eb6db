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
	out=$(timeout -s KILL 30 "$GZVMM" "$@" 2>&1 >/dev/null) # a hang fails (status 137)
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
B0="--bios $T/kernel"
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
expect 2 "gzvmm: invalid --gdb port '99999' (1 to 65535)" -- run $K --backend sim --gdb 99999
expect 2 "gzvmm: --gdb-wait needs --gdb PORT" -- run $K --backend sim --gdb-wait
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
expect 2 "gzvmm: disk '$T/dir' is not a regular file or a block device" -- run $K --disk "$T/dir,ro"
# --net: the syntax, the MAC, a TAP that is not there (looked up, never created)
expect 2 "gzvmm: invalid --net 'user' (tap=NAME[,mac=XX:XX:XX:XX:XX:XX])" -- run $K --net user
expect 2 "gzvmm: --net tap= needs an interface name" -- run $K --net tap=,mac=52:54:00:12:34:56
expect 2 "gzvmm: tap name 'a-name-of-16-chars' is too long (at most 15 characters)" -- run $K --net tap=a-name-of-16-chars
expect 2 "gzvmm: invalid --net option 'model=e1000' (only mac=XX:XX:XX:XX:XX:XX is known)" -- run $K --net tap=t0,model=e1000
expect 2 "gzvmm: invalid MAC address '52:54:00:12:34' (six hex bytes such as 52:54:00:12:34:56, unicast, not all zeros)" -- run $K --net tap=t0,mac=52:54:00:12:34
expect 2 "gzvmm: invalid MAC address '52:54:00:12:34:5g' (six hex bytes such as 52:54:00:12:34:56, unicast, not all zeros)" -- run $K --net tap=t0,mac=52:54:00:12:34:5g
expect 2 "gzvmm: invalid MAC address '01:00:5e:00:00:01' (six hex bytes such as 52:54:00:12:34:56, unicast, not all zeros)" -- run $K --net tap=t0,mac=01:00:5e:00:00:01
expect 2 "gzvmm: invalid MAC address '00:00:00:00:00:00' (six hex bytes such as 52:54:00:12:34:56, unicast, not all zeros)" -- run $K --net tap=t0,mac=00:00:00:00:00:00
expect 2 "gzvmm: invalid MAC address '52:54:00:12:34:56:78' (six hex bytes such as 52:54:00:12:34:56, unicast, not all zeros)" -- run $K --net tap=t0,mac=52:54:00:12:34:56:78
expect 2 "gzvmm: option --net given twice" -- run $K --net tap=t0 --net tap=t1
expect 2 "gzvmm: --deterministic cannot take --net (frames arrive in the host's time)" -- run $K --backend sim --deterministic --net tap=t0
expect 2 "gzvmm: tap 'gznotap9' does not exist (create it first: ip tuntap add dev gznotap9 mode tap)" -- run $K --net tap=gznotap9 --dry-run
expect 2 "gzvmm: cannot open console file '$T/no/such/out': No such file or directory" -- run $K --console "file:$T/no/such/out"
expect 2 "gzvmm: cannot write --dump-dtb file '$T/no/x.dtb': No such file or directory" -- run $K --dump-dtb "$T/no/x.dtb" --dry-run
# --dtb: libfdt's full check, the reservation map, nesting, /cpus and /memory, phandles and
# interrupt-parent chains. Each blob is
# compiled with dtc and, for the structural cases, patched at offsets dtc's layout fixes
# (header 40 bytes, reservation map at 0x28 with only its end marker, structure block at
# 0x38: root node tag and name, then the first property's tag, length at 0x44, name offset
# at 0x48).
command -v dtc >/dev/null || { echo "FAIL: dtc not found (scripts/deps)"; exit 1; }
mkdtb() { # NAME ROOT-BODY
	printf '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; %s };\n' "$2" > "$T/$1.dts"
	dtc -q ${DTC_FORCE:-} -I dts -O dtb -o "$T/$1.dtb" "$T/$1.dts" 2>"$T/$1.dtc" ||
		{ echo "FAIL: dtc $1"; cat "$T/$1.dtc"; exit 1; }
}
patch() { # FILE OFFSET HEX-BYTES (e.g. fffffff0)
	printf "$(printf '%s' "$3" | sed 's/../\\x&/g')" |
		dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
be32() { # FILE OFFSET
	echo $((16#$(od -An -tx1 -j$(($2)) -N4 "$1" | tr -d ' \n')))
}
CPUS='cpus { #address-cells = <1>; #size-cells = <0>; cpu@0 { device_type = "cpu"; reg = <0>; }; };'
MEM='memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x8000000>; };'
mkdtb ok "compatible = \"linux,dummy-virt\"; $CPUS $MEM"
for c in proplen nameoff noend rsvmap; do cp "$T/ok.dtb" "$T/$c.dtb"; done
patch "$T/proplen.dtb" 0x44 fffffff0
patch "$T/nameoff.dtb" 0x48 00fffff0
patch "$T/noend.dtb" $(($(be32 "$T/ok.dtb" 8) + $(be32 "$T/ok.dtb" 36) - 4)) 00000004
patch "$T/rsvmap.dtb" 0x30 00000000deadbeef
mkdtb nocpus "$MEM"
mkdtb nocpu "cpus { }; $MEM"
mkdtb nomem "$CPUS"
mkdtb mem0 "$CPUS memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0>; };"
mkdtb membig "$CPUS memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x20000000>; };"
deep="$CPUS $MEM"
for i in $(seq 65); do deep="n$i { $deep };"; done
mkdtb deep "$deep"
# phandles (dtc itself refuses the bad and duplicate ones: -f writes them anyway) and
# interrupt-parent chains that name no node or loop
GIC='intc: intc@8000000 { interrupt-controller; #interrupt-cells = <3>; phandle = <1>; };'
DTC_FORCE=-f mkdtb ph0 "$CPUS $MEM dev@1 { phandle = <0>; };"
DTC_FORCE=-f mkdtb phff "$CPUS $MEM dev@1 { phandle = <0xffffffff>; };"
DTC_FORCE=-f mkdtb phlong "$CPUS $MEM dev@1 { linux,phandle = <5 6>; };"
DTC_FORCE=-f mkdtb phdup "$CPUS $MEM $GIC dev@1 { phandle = <1>; };"
mkdtb ipnone "$CPUS $MEM $GIC dev@1 { interrupt-parent = <7>; };"
mkdtb iploop "$CPUS $MEM $GIC a@1 { interrupt-parent = <3>; phandle = <2>; }; b@2 { interrupt-parent = <2>; phandle = <3>; }; dev@3 { interrupt-parent = <2>; };"
mkdtb ipself "$CPUS $MEM dev@1 { interrupt-parent = <4>; phandle = <4>; };"
mkdtb ipok "$CPUS $MEM $GIC a@1 { interrupt-parent = <1>; phandle = <2>; }; dev@3 { interrupt-parent = <2>; }; gic2@4 { interrupt-controller; interrupt-parent = <1>; };"
expect 2 "gzvmm: dtb '$T/ph0.dtb': node 'dev@1' has a bad phandle" -- run $K --dtb "$T/ph0.dtb"
expect 2 "gzvmm: dtb '$T/phff.dtb': node 'dev@1' has a bad phandle" -- run $K --dtb "$T/phff.dtb"
expect 2 "gzvmm: dtb '$T/phlong.dtb': node 'dev@1' has a bad phandle" -- run $K --dtb "$T/phlong.dtb"
expect 2 "gzvmm: dtb '$T/phdup.dtb': phandle 0x1 belongs to two nodes ('intc@8000000' and 'dev@1')" -- run $K --dtb "$T/phdup.dtb"
expect 2 "gzvmm: dtb '$T/ipnone.dtb': node 'dev@1' names an interrupt-parent no node has" -- run $K --dtb "$T/ipnone.dtb"
expect 2 "gzvmm: dtb '$T/iploop.dtb': the interrupt-parent chain from node 'a@1' loops" -- run $K --dtb "$T/iploop.dtb"
expect 2 "gzvmm: dtb '$T/ipself.dtb': the interrupt-parent chain from node 'dev@1' loops" -- run $K --dtb "$T/ipself.dtb"
out=$("$GZVMM" run $K --dtb "$T/ipok.dtb" --dry-run 2>&1)
if [ $? != 0 ]; then echo "FAIL: dry run with interrupt-parent chains that end: $out"; fails=$((fails + 1)); fi
expect 2 "gzvmm: dtb '$T/proplen.dtb' is malformed (libfdt: FDT_ERR_BADSTRUCTURE)" -- run $K --dtb "$T/proplen.dtb"
expect 2 "gzvmm: dtb '$T/nameoff.dtb' is malformed (libfdt: FDT_ERR_BADOFFSET)" -- run $K --dtb "$T/nameoff.dtb"
expect 2 "gzvmm: dtb '$T/noend.dtb' is malformed (libfdt: FDT_ERR_BADSTRUCTURE)" -- run $K --dtb "$T/noend.dtb"
expect 2 "gzvmm: dtb '$T/rsvmap.dtb': the memory reservation map has no end marker" -- run $K --dtb "$T/rsvmap.dtb"
expect 2 "gzvmm: dtb '$T/deep.dtb' nests nodes deeper than 64 levels" -- run $K --dtb "$T/deep.dtb"
expect 2 "gzvmm: dtb '$T/nocpus.dtb' has no /cpus node" -- run $K --dtb "$T/nocpus.dtb"
expect 2 "gzvmm: dtb '$T/nocpu.dtb' has no CPU under /cpus" -- run $K --dtb "$T/nocpu.dtb"
expect 2 "gzvmm: dtb '$T/nomem.dtb' has no /memory node" -- run $K --dtb "$T/nomem.dtb"
expect 2 "gzvmm: dtb '$T/mem0.dtb': its memory size is 0" -- run $K --dtb "$T/mem0.dtb"
expect 2 "gzvmm: dtb '$T/membig.dtb': memory 0x40000000+0x20000000 in 'memory@40000000' is outside the guest's RAM (0x40000000, 256 MiB: --mem)" -- run $K --dtb "$T/membig.dtb"
out=$("$GZVMM" run $K --dtb "$T/ok.dtb" --dry-run 2>&1)
if [ $? != 0 ]; then echo "FAIL: dry run with a good --dtb: $out"; fails=$((fails + 1)); fi

# An ELF entry point must be 4-byte aligned and inside a loaded segment. One PT_LOAD of 4
# bytes at 0x40080000 (file offset 0x78).
le() { # VALUE BYTES
	local i
	for ((i = 0; i < $2; i++)); do printf "\\x$(printf %02x $((($1 >> (8 * i)) & 255)))"; done
}
mkelf() { # FILE ENTRY
	{
		printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00'
		le 2 2; le 183 2; le 1 4; le "$2" 8; le 64 8; le 0 8; le 0 4
		le 64 2; le 56 2; le 1 2; le 0 2; le 0 2; le 0 2
		le 1 4; le 5 4; le 0x78 8; le 0x40080000 8; le 0x40080000 8; le 4 8; le 4 8; le 0 8
		printf '\x00\x00\x00\x14' # b .
	} > "$1"
}
mkelf "$T/elf.ok" 0x40080000
mkelf "$T/elf.odd" 0x40080002
mkelf "$T/elf.out" 0x40090000
expect 2 "gzvmm: kernel ELF entry point 0x40080002 is not 4-byte aligned" -- run --kernel "$T/elf.odd" --dry-run
expect 2 "gzvmm: kernel ELF entry point 0x40090000 is not in a loaded segment" -- run --kernel "$T/elf.out" --dry-run
out=$("$GZVMM" run --kernel "$T/elf.ok" --dry-run 2>&1)
if [ $? != 0 ]; then echo "FAIL: dry run of a good ELF: $out"; fails=$((fails + 1)); fi

# A FIFO (or any file that is not a regular one) where a file is read never blocks set-up:
# refused at once. --console accepts a FIFO only while a process reads it.
mkfifo "$T/fifo"
expect 2 "gzvmm: kernel '$T/fifo' is not a regular file" -- run --kernel "$T/fifo" --dry-run
expect 2 "gzvmm: initrd '$T/fifo' is not a regular file" -- run $K --initrd "$T/fifo" --dry-run
expect 2 "gzvmm: dtb '$T/fifo' is not a regular file" -- run $K --dtb "$T/fifo" --dry-run
expect 2 "gzvmm: firmware '$T/fifo' is not a regular file" -- run --bios "$T/fifo" --dry-run
expect 2 "gzvmm: variable store '$T/fifo' is not a regular file" -- run $B0 --bios-vars "$T/fifo" --dry-run
expect 2 "gzvmm: disk '$T/fifo' is not a regular file or a block device" -- run $K --disk "$T/fifo,ro" --dry-run
expect 2 "gzvmm: console file '$T/fifo' is a FIFO that no process reads" -- run $K --console "file:$T/fifo" --dry-run
expect 2 "gzvmm: --dump-dtb file '$T/fifo' is a FIFO that no process reads" -- run $K --dump-dtb "$T/fifo" --dry-run
# with a reader the FIFO is a good --dump-dtb
timeout 10 cat "$T/fifo" > "$T/fifo.dtb" &
reader=$!
for _ in $(seq 100); do "$GZVMM" run $K --dump-dtb "$T/fifo" --dry-run >/dev/null 2>&1 && break; sleep 0.05; done
wait $reader
if ! fdtdump "$T/fifo.dtb" 2>/dev/null | grep -q 'memory@40000000'; then echo "FAIL: --dump-dtb to a FIFO with a reader"; fails=$((fails + 1)); fi

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
expect 2 "gzvmm: invalid --hyp-mem '1K' (a size such as 8M, at least 4K)" -- run $K --hyp-mem 1K
expect 2 "gzvmm: invalid --hyp-mem 'lots' (a size such as 8M, at least 4K)" -- run $K --hyp-mem lots
expect 2 "gzvmm: --mem-file needs --backend gzvm (the simulator's RAM is its own)" -- run $K --backend sim --mem-file "$T/ram"
expect 2 "gzvmm: --mem-file needs a file name" -- run $K --mem-file=
expect 2 "gzvmm: option --prealloc given twice" -- run $K --prealloc --prealloc
out=$("$GZVMM" run $K --backend sim --mem 64M --prealloc --dry-run 2>&1)
if [ $? != 0 ]; then echo "FAIL: dry run with --prealloc: $out"; fails=$((fails + 1)); fi

# virtio-vsock: the guest's CID (0, 1, 2 and 4294967295 are reserved), the AF_UNIX path
# ("PATH_PORT" must fit 108 bytes), a socket another process listens on.
long=$(printf 'p%.0s' $(seq 97))
expect 2 "gzvmm: invalid --vsock '2,$T/v' (CID,PATH with a CID of 3 to 4294967294)" -- run $K --vsock "2,$T/v"
expect 2 "gzvmm: invalid --vsock '0,$T/v' (CID,PATH with a CID of 3 to 4294967294)" -- run $K --vsock "0,$T/v"
expect 2 "gzvmm: invalid --vsock '1,$T/v' (CID,PATH with a CID of 3 to 4294967294)" -- run $K --vsock "1,$T/v"
expect 2 "gzvmm: invalid --vsock '4294967295,$T/v' (CID,PATH with a CID of 3 to 4294967294)" -- run $K --vsock "4294967295,$T/v"
expect 2 "gzvmm: invalid --vsock '99999999999999999999,$T/v' (CID,PATH with a CID of 3 to 4294967294)" -- run $K --vsock "99999999999999999999,$T/v"
expect 2 "gzvmm: invalid --vsock '$T/v' (CID,PATH with a CID of 3 to 4294967294)" -- run $K --vsock "$T/v"
expect 2 "gzvmm: --vsock needs a socket path after the CID" -- run $K --vsock 3,
expect 2 "gzvmm: --vsock path is too long (at most 96 bytes)" -- run $K --vsock "3,$long"
expect 2 "gzvmm: --vsock path '$T/kernel' exists and is not a socket" -- run $K --vsock "3,$T/kernel" --dry-run
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(60)' "$T/busy.sock" &
busy=$!
for _ in $(seq 600); do [ -S "$T/busy.sock" ] && break; sleep 0.1; done
expect 2 "gzvmm: --vsock socket '$T/busy.sock' is in use" -- run $K --vsock "3,$T/busy.sock" --dry-run
kill "$busy" 2>/dev/null
expect 2 "gzvmm: --deterministic cannot take --vsock (host sockets are not replayed)" -- run $K --backend sim --deterministic --vsock "3,$T/v"

# Deterministic runs, their recordings and traces (sim backend).
S="--backend sim"
printf 'gzvmm-record 1\nseed 0\nepoch 0\ncpus 2\ninput-device pl011\nimage 0000000000000000\n' > "$T/rec.2cpus"
printf 'gzvmm-record 1\nseed 0\nepoch 0\ncpus 1\ninput-device pl011\nimage 0000000000000000\n' > "$T/rec.image"
printf 'gzvmm-record 1\nseed 0\nseed 1\n' > "$T/rec.twice"
expect 2 "gzvmm: option --deterministic needs --backend sim" -- run $K --deterministic
expect 2 "gzvmm: option --seed needs --backend sim" -- run $K --seed 1
expect 2 "gzvmm: option --trace needs --backend sim" -- run $K --trace "$T/t"
expect 2 "gzvmm: invalid --seed 'x' (a number, at least 0)" -- run $K $S --seed x
expect 2 "gzvmm: --deterministic needs --clock insns" -- run $K $S --deterministic --clock wall
expect 2 "gzvmm: --deterministic needs --clock insns" -- run $K $S --seed 3 --clock wall
expect 2 "gzvmm: --record and --replay exclude each other" -- run $K $S --record a --replay b
expect 2 "gzvmm: --deterministic runs one VM, not a --peer-vm pair" -- run $K $S --deterministic --peer-vm "--kernel x"
expect 2 "gzvmm: --deterministic runs one VM, not a --peer-vm pair" -- run $K $S --replay a --peer-vm "--kernel x"
expect 2 "gzvmm: --gdb debugs one VM, not a --peer-vm pair" -- run $K $S --gdb 1234 --peer-vm "--kernel x"
expect 2 "gzvmm: --chan-region needs --peer-vm (the first VM's, mapped in both)" -- run $K $S --chan-region 64K
expect 2 "gzvmm: invalid --chan-region '6K' (a multiple of 4K up to 2M)" -- run $K $S --chan-region 6K --peer-vm "--kernel x"
expect 2 "gzvmm: invalid --chan-region '4M' (a multiple of 4K up to 2M)" -- run $K $S --chan-region 4M --peer-vm "--kernel x"
expect 2 "gzvmm: invalid --chan-region '0' (a multiple of 4K up to 2M)" -- run $K $S --chan-region 0 --peer-vm "--kernel x"
expect 2 "gzvmm: --replay takes the seed from the recording, not --seed" -- run $K $S --replay a --seed 1
expect 2 "gzvmm: --record needs a file name" -- run $K $S --record ""
expect 2 "gzvmm: --trace-max needs --trace FILE" -- run $K $S --trace-max 1M
expect 2 "gzvmm: invalid --trace-max '1K' (a size of at least 4K, such as 64M)" -- run $K $S --trace "$T/t" --trace-max 1K
expect 2 "gzvmm: cannot open --replay file '$T/nope': No such file or directory" -- run $K $S --replay "$T/nope" --dry-run
expect 2 "gzvmm: --replay file '$T/kernel': not a gzvmm record file (no 'gzvmm-record 1' line)" -- run $K $S --replay "$T/kernel" --dry-run
expect 2 "gzvmm: --replay file '$T/rec.twice': line 3: item given twice" -- run $K $S --replay "$T/rec.twice" --dry-run
expect 2 "gzvmm: --replay file '$T/rec.2cpus' is of a run with 2 vCPUs, not 1" -- run $K $S --replay "$T/rec.2cpus" --dry-run
expect 2 "gzvmm: --replay file '$T/rec.image' is of another kernel or firmware" -- run $K $S --replay "$T/rec.image" --dry-run
expect 2 "gzvmm: cannot create --record file '$T/dir/no/rec': No such file or directory" -- run $K $S --record "$T/dir/no/rec" --dry-run

# Booting through pvmfw: the options' dependencies, the image's header (gzabi/pvmfw.h), the
# room below the firmware, the simulated platform's key file.
# pvmfw_hdr FILE IMAGE MEM ENTRY [VERSION]: a header of 64 bytes, zeros up to IMAGE bytes
pvmfw_hdr() {
	{
		printf 'GZPVMW1\0'
		printf "$(printf '\\x%02x\\x00\\x00\\x00' "${5:-1}")\x40\x00\x00\x00"
		for v in "$2" "$3" "$4"; do
			printf "$(printf '%016x' "$v" | sed 's/\(..\)/\1 /g' | awk '{for (i = 8; i >= 1; i--) printf "\\x%s", $i}')"
		done
		head -c $(($2 - 40)) /dev/zero
	} >"$1"
}
pvmfw_hdr "$T/fw.bin" 128 4096 64
{ cat "$T/fw.bin"; printf 'x'; } >"$T/fw-size.bin"
pvmfw_hdr "$T/fw-entry.bin" 128 4096 66
pvmfw_hdr "$T/fw-mem.bin" 128 64 64
pvmfw_hdr "$T/fw-version.bin" 128 4096 64 2
printf '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n' >"$T/key.pub"
printf '0123456789abcdef\n' >"$T/short.pub"
P="--protected --pvmfw $T/fw.bin"
expect 2 "gzvmm: --pvmfw needs --protected" -- run $K --pvmfw "$T/fw.bin"
expect 2 "gzvmm: --boot-sig needs --protected" -- run $K --boot-sig "$T/kernel"
expect 2 "gzvmm: --test-pvmfw-write needs --protected" -- run $K --test-pvmfw-write
expect 2 "gzvmm: --boot-sig needs --pvmfw FILE" -- run $K --protected --boot-sig "$T/kernel"
expect 2 "gzvmm: --test-pvmfw-write needs --pvmfw FILE" -- run $K --protected --test-pvmfw-write
expect 2 "gzvmm: --pvmfw needs --kernel (it verifies the kernel)" -- run $B0 $P
expect 2 "gzvmm: option --sim-pvmfw-key needs --backend sim" -- run $K --sim-pvmfw-key "$T/key.pub"
expect 2 "gzvmm: --pvmfw '$T/kernel': not an opengz pvmfw image (no GZPVMW1 header)" -- run $K --protected --pvmfw "$T/kernel" --dry-run
expect 2 "gzvmm: --pvmfw '$T/fw-size.bin': the header's image size is not the file's" -- run $K --protected --pvmfw "$T/fw-size.bin" --dry-run
expect 2 "gzvmm: --pvmfw '$T/fw-entry.bin': the header's memory size or entry point is out of range" -- run $K --protected --pvmfw "$T/fw-entry.bin" --dry-run
expect 2 "gzvmm: --pvmfw '$T/fw-mem.bin': the header's memory size or entry point is out of range" -- run $K --protected --pvmfw "$T/fw-mem.bin" --dry-run
expect 2 "gzvmm: --pvmfw '$T/fw-version.bin': unknown pvmfw header version" -- run $K --protected --pvmfw "$T/fw-version.bin" --dry-run
expect 2 "gzvmm: --pvmfw: guest RAM must end below the firmware at 0x7fc00000 (--mem 1020M at most)" -- run $K $P --mem 1G --dry-run
expect 2 "gzvmm: cannot open pvmfw '$T/nothing': No such file or directory" -- run $K --protected --pvmfw "$T/nothing" --dry-run
expect 1 "gzvmm: cannot open --sim-pvmfw-key '$T/nothing': No such file or directory" -- run $K --backend sim --sim-pvmfw-key "$T/nothing" --dry-run
expect 1 "gzvmm: --sim-pvmfw-key '$T/short.pub' is not a public key (64 hex digits)" -- run $K --backend sim --sim-pvmfw-key "$T/short.pub" --dry-run
expect 2 "gzvmm: option --sim-attest-key needs --backend sim" -- run $K --sim-attest-key "$T/a.pub"
expect 1 "gzvmm: cannot write --sim-attest-key '$T/dir/no/a.pub': No such file or directory" -- run $K --backend sim --sim-attest-key "$T/dir/no/a.pub" --dry-run
expect 2 "gzvmm: option --sim-attest-root needs --backend sim" -- run $K --sim-attest-root "$T/key.pub"
expect 2 "gzvmm: option --sim-attest-cert needs --backend sim" -- run $K --sim-attest-cert "$T/a.cert"
expect 1 "gzvmm: cannot open --sim-attest-root '$T/nothing': No such file or directory" -- run $K --backend sim --sim-attest-root "$T/nothing" --dry-run
expect 1 "gzvmm: --sim-attest-root '$T/short.pub' is not a secret key (64 hex digits)" -- run $K --backend sim --sim-attest-root "$T/short.pub" --dry-run
expect 1 "gzvmm: --sim-attest-cert needs --sim-attest-root" -- run $K --backend sim --sim-attest-cert "$T/a.cert" --dry-run
expect 1 "gzvmm: cannot write --sim-attest-cert '$T/dir/no/a.cert': No such file or directory" -- run $K --backend sim --sim-attest-root "$T/key.pub" --sim-attest-cert "$T/dir/no/a.cert" --dry-run

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
