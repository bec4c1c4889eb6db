/* stall: a guest that stops making progress on purpose, for gzhyp's stall watch: vCPU 0
 * starts vCPU 1, both say so, then both spin forever without an exit of their own (only
 * the preemption tick brings them back), as vCPUs that wait for a stuck one do. */
#include "common/guest.h"

static volatile unsigned up;

void guest_main(unsigned cpu)
{
	if (cpu == 0) {
		if (hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) != 0) {
			puts_("stall: no second vCPU\n");
			return;
		}
		while (!up)
			__asm__ volatile("yield");
		puts_("stall: 2 vCPUs spinning\n");
	} else {
		up = 1;
	}
	for (;;)
		__asm__ volatile("yield");
}
