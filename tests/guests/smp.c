/* smp: the boot CPU starts every other vCPU with PSCI CPU_ON; each prints its MPIDR in turn;
 * starting a CPU twice or one that does not exist is refused. */
#include "common/guest.h"

#define PSCI_E_INVALID_PARAMS (-2L)
#define PSCI_E_ALREADY_ON     (-4L)
#define PSCI_E_ON_PENDING     (-5L)

static volatile unsigned turn;

static void say_hello(unsigned cpu)
{
	while (turn != cpu)
		__asm__ volatile("yield");
	printf_("cpu %u up, MPIDR %lx\n", cpu, read_sysreg(mpidr_el1));
	__atomic_fetch_add(&turn, 1, __ATOMIC_SEQ_CST);
}

void guest_main(unsigned cpu)
{
	unsigned n = 1;

	if (cpu != 0) {
		say_hello(cpu);
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		for (;;)
			wfi();
	}
	for (unsigned i = 1; i < 8; i++) {
		int64_t r = (int64_t)hvc(PSCI_CPU_ON, i, (uint64_t)secondary_entry, i);

		if (r == PSCI_E_INVALID_PARAMS)
			break;
		if (r != 0) {
			printf_("CPU_ON %u failed: %ld\n", i, r);
			return;
		}
		n++;
	}
	printf_("%u cpus\n", n);
	if (n > 1) {
		/* ALREADY_ON, or ON_PENDING while the target has not run yet (PSCI 1.1). */
		int64_t r = (int64_t)hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1);

		printf_("CPU_ON cpu 1 again: %s\n",
			r == PSCI_E_ALREADY_ON || r == PSCI_E_ON_PENDING ? "refused" : "WRONG");
	}
	printf_("CPU_ON cpu 42: %ld\n",
		(int64_t)hvc(PSCI_CPU_ON, 42, (uint64_t)secondary_entry, 42));
	say_hello(0);
	while (turn != n)
		__asm__ volatile("yield");
	printf_("all %u cpus said hello\n", n);
}
