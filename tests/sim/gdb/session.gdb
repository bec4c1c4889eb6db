# The gdb server's session test (gdb_test.sh runs it with gdb-multiarch -batch against the
# gdb guest, 2 vCPUs, --gdb-wait). Each printf names what it proves; gdb_test.sh greps them.
set pagination off
set confirm off
info threads
break gdb_add
continue
printf "arg x0=%d\n", $x0
printf "counter at entry=%d\n", *(unsigned long *)&gdb_counter
set $bp = $pc
stepi
printf "stepped by=%d\n", $pc - $bp
x/1i $pc
# a register and a memory word written and read back (x17 is free at a function's entry,
# gdb_spins is only counted)
set $x17 = 0x1234abcd
printf "x17=%#x\n", $x17
set *(unsigned long *)&gdb_spins = 1000
printf "spins=%d\n", *(unsigned long *)&gdb_spins
info registers sctlr_el1 vbar_el1 hcr_el2
delete
watch *(unsigned long *)&gdb_counter
continue
continue
delete
monitor s2 0x40080000
monitor va 0x40080000
monitor ipa 0x40080000 16
monitor exits
monitor lrs
thread 2
bt
continue
