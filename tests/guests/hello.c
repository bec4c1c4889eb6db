/* hello: the smallest guest: prints where it runs and what PSCI says, then powers off. */
#include "common/guest.h"

void guest_main(unsigned cpu)
{
	uint64_t el = read_sysreg(CurrentEL) >> 2;
	uint64_t v = hvc(PSCI_VERSION, 0, 0, 0);

	printf_("Hello from an opengz guest on cpu %u\n", cpu);
	printf_("CurrentEL %lu, MPIDR %lx\n", el, read_sysreg(mpidr_el1));
	printf_("PSCI version %lu.%lu\n", v >> 16, v & 0xffff);
	puts_("bye\n");
}
