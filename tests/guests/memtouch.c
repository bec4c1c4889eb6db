/* memtouch: writes every page of its RAM between the end of its image and the device tree
 * (which gzvmm puts in the last pages of RAM: x0 at boot), so the VM really holds its --mem in
 * host memory, says how much, keeps it for HOLD_S seconds of its virtual counter (time for
 * the host to look, or for other VMs to start beside it) and powers off. For the host
 * memory tests of the whole stack (tests/qemu/fullstack_memcg.sh): memory cgroup charges and
 * limits, --prealloc's refusals, a host VM whose guests sum past its memory. */
#include "common/guest.h"

#define HOLD_S 3

extern char __image_end[];

void guest_main(unsigned cpu)
{
	uint64_t from = ((uint64_t)__image_end + 4095) & ~4095ull;
	uint64_t to = guest_boot_x0 & ~4095ull, freq, t0;

	(void)cpu;
	if (to <= from || to - from > (8ull << 30)) {
		printf_("memtouch: no RAM above the image (DTB at %lx)\n", guest_boot_x0);
		return;
	}
	for (uint64_t a = from; a < to; a += 4096)
		*(volatile uint64_t *)a = a;
	printf_("memtouch: %lu MiB touched\n", (to - from) >> 20);
	freq = read_sysreg(cntfrq_el0);
	t0 = read_sysreg(cntvct_el0);
	while (read_sysreg(cntvct_el0) - t0 < HOLD_S * freq)
		__asm__ volatile("yield");
	puts_("memtouch: bye\n");
}
