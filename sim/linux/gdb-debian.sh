#!/usr/bin/env bash
# Debugging Debian's arm64 kernel in the simulator with gdb (docs/debugging.md). Debian ships
# no symbols outside its -dbg package (about 1 GB; /boot/System.map is a placeholder), so they
# are recovered from the Image's own kallsyms table by vmlinux-to-elf (PyPI; scripts/deps puts
# it in .venv, else it is installed on first use). Both are cached per machine, outside the
# checkout, under ${XDG_CACHE_HOME:-~/.cache}/opengz (the ELF by the Image's SHA-256: 35 MB, made once in a few
# minutes). gzvmm runs the kernel with --gdb --gdb-wait; gdb-multiarch -batch sets a hardware
# breakpoint on start_kernel and shows the backtrace, the kernel's registers and code through
# its own stage 1 (TTBR1), breaks on do_one_initcall during boot and shows the backtrace, then
# kills the guest.
# Usage: sim/linux/gdb-debian.sh [build-dir [work-dir]]   (default build/dev, a temporary
# directory; needs gzvmm built and scripts/fetch-linux's kernel)
# Exit status: 0 when gdb showed all of that.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build/dev}
img=$(scripts/fetch-linux --print)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/opengz"
sum=$(sha256sum "$img/Image" | cut -c1-16)
elf="$cache/linux-symbols/$sum/vmlinux.elf"
if [ ! -s "$elf" ]; then
	mkdir -p "$cache/linux-symbols/$sum"
	exec 9>"$cache/linux-symbols/.lock"
	flock 9
fi
if [ ! -s "$elf" ] && [ -s "$img/vmlinux.elf" ]; then
	cp "$img/vmlinux.elf" "$elf.tmp" # where earlier versions of this script kept it
	mv "$elf.tmp" "$elf"
fi
if [ ! -s "$elf" ]; then
	v2e="$cache/tools/v2e"
	[ -x .venv/bin/vmlinux-to-elf ] && v2e=.venv # scripts/deps installs it there
	if [ ! -x "$v2e/bin/vmlinux-to-elf" ]; then
		python3 -m venv "$v2e"
		"$v2e/bin/pip" install -q vmlinux-to-elf==1.4.0
	fi
	echo "gdb-debian: recovering the kernel's symbols (vmlinux-to-elf, once per machine)" >&2
	"$v2e/bin/vmlinux-to-elf" "$img/Image" "$elf.tmp" >/dev/null
	mv "$elf.tmp" "$elf"
fi
exec 9>&-
if [ -n "${2:-}" ]; then
	work=$2
	rm -rf "$work"
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
cat >"$work/session.gdb" <<'GDB'
set pagination off
set confirm off
hbreak start_kernel
continue
bt
info registers pc sp cpsr sctlr_el1 ttbr1_el1 tcr_el1
break do_one_initcall
continue
bt
x/4i $pc
monitor icount
delete
kill
GDB
. tests/sim/gdb/start_gzvmm.sh
start=$(date +%s.%N)
# deterministic: the boot, and so where each stop lands, is the same in every run
gz_gdb_start "$work/gzvmm.err" "$B/src/vmm/gzvmm" run --backend sim --kernel "$img/Image" \
	--mem 512M --deterministic --append "console=ttyAMA0 earlycon=pl011,0x09000000" \
	--console "file:$work/console.txt"
set +e
timeout 500 gdb-multiarch -batch -nx "$elf" -ex "set remotetimeout 60" \
	-ex "target remote 127.0.0.1:$port" \
	-x "$work/session.gdb" 2>&1 | tee "$work/gdb.log"
wait $vmm
st=$?
set -e
fail=0
for want in "Breakpoint 1, 0x" "in start_kernel ()" "sctlr_el1" "ttbr1_el1" \
	"Breakpoint 2, 0x" "#0  0x" "in do_one_initcall ()" "in kernel_init_freeable ()" \
	"<do_one_initcall>:" "machine: " "[Inferior 1 (Remote target) killed]"; do
	grep -qF -- "$want" "$work/gdb.log" || { echo "gdb-debian: gdb did not show: $want"; fail=1; }
done
grep -q "the debugger killed the guest" "$work/gzvmm.err" && [ $st -eq 1 ] ||
	{ echo "gdb-debian: gzvmm ended with $st"; cat "$work/gzvmm.err"; fail=1; }
echo "gdb-debian: $(echo "$(date +%s.%N) - $start" | bc) s; the kernel printed $(wc -l <"$work/console.txt") lines"
exit $fail
