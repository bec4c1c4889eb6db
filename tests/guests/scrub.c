/* scrub: fills 4 MiB of its RAM with a marker the host can look for ("GZSCRUB!" in every
 * 8 bytes, built in registers so that no copy of it sits in the image), says so, and spins.
 * Run with gzvmm --mem-file and killed (tests/qemu/fullstack_kill.sh): as a protected VM
 * every page it wrote must come back to the host scrubbed, so the file holds no marker; as a
 * normal VM the host's memory was the guest's all along and the marker is still there. */
#include "common/guest.h"

#define FILL_WORDS (4u << 20) / 8

static uint64_t fill[FILL_WORDS] __attribute__((aligned(4096)));

void guest_main(unsigned cpu)
{
	/* "GZSCRUB!" little-endian, one half at a time */
	uint64_t mark = ((uint64_t)0x21425552u << 32) | 0x43535a47u;

	(void)cpu;
	for (unsigned i = 0; i < FILL_WORDS; i++)
		((volatile uint64_t *)fill)[i] = mark;
	dsb();
	puts_("scrub: filled 4 MiB\n");
	for (;;)
		__asm__ volatile("yield");
}
