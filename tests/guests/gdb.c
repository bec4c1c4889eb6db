/* gdb: the gdb server's test guest (tests/sim/gdb_test.sh): a function to break in, a counter
 * to watch, a second vCPU spinning meanwhile; it prints the same with or without a debugger. */
#include "common/guest.h"

volatile uint64_t gdb_counter;
volatile uint64_t gdb_spins;
static volatile int done;

__attribute__((noinline)) uint64_t gdb_add(uint64_t x)
{
	gdb_counter += x;
	return gdb_counter;
}

void guest_main(unsigned cpu)
{
	if (cpu != 0) {
		while (!done)
			gdb_spins++;
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		for (;;)
			wfi();
	}
	printf_("gdb guest on cpu %u\n", cpu);
	/* with a second vCPU, it spins while the first one works */
	if (hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) == 0)
		while (!gdb_spins)
			;
	for (uint64_t i = 1; i <= 5; i++)
		printf_("add %lu: %lu\n", i, gdb_add(i));
	done = 1;
	printf_("counter %lu\n", gdb_counter);
	puts_("bye\n");
}
