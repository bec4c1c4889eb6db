/* attack_pvm: a hostile protected guest (gzvmm --protected). It abuses the memory calls a
 * protected VM has (MEM_SHARE of pages it does not own or already shared, MEM_UNSHARE of what
 * it never shared, MEM_RELINQUISH twice, ranges that run off its RAM) and the MMIO guard
 * (map before enrolling, enroll twice, map its own RAM, unmap what it never mapped), and
 * shows the guard at work: once enrolled, a device it did not map (gzvmm's virtio-mmio
 * window) is an abort in the guest; mapped, the VMM answers. Every attempt must be refused
 * and the guest must run on; a relinquished page reads back scrubbed. */
#include "common/guest.h"

#define VIRTIO_BASE	   0x0a000000UL /* gzvmm's virtio-mmio window */
#define VIRTIO_MAGIC_VALUE 0x74726976U	/* "virt" */

static uint64_t pages[4][512] __attribute__((aligned(4096)));

void guest_sync(struct frame *f, unsigned kind)
{
	guest_count_dabt(f, kind);
}

/* Reads the virtio window's magic: the VMM's answer, or an abort in the guest. */
static void virtio_probe(const char *what)
{
	unsigned before = guest_dabts;
	uint32_t v = 0;

	__asm__ volatile("mov %w0, wzr\n ldr %w0, [%1]" : "=&r"(v) : "r"(VIRTIO_BASE) : "memory");
	if (guest_dabts != before)
		printf_("%s: %u aborts\n", what, guest_dabts - before);
	else
		printf_("%s: %s\n", what, v == VIRTIO_MAGIC_VALUE ? "virtio magic" : "WRONG");
}

void guest_main(unsigned cpu)
{
	uint64_t p0 = (uint64_t)pages[0], p1 = (uint64_t)pages[1], p2 = (uint64_t)pages[2];
	uint64_t p3 = (uint64_t)pages[3];
	int64_t enroll, enroll_again, map_uart;

	(void)cpu;
	print_status("MEMINFO granule", (int64_t)hvc(GZ_VENDOR_HYP_MEMINFO, 0, 0, 0));
	print_status("MMIO_GUARD_INFO granule",
		     (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_INFO, 0, 0, 0));

	/* memory it does not own, or not in the state the call wants */
	print_status("share outside RAM",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, 0x20000000UL, 0, 0));
	print_status("share a range starting below RAM",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, RAM_BASE - 4096, 2, 0));
	print_status("share a range of 513 granules",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, p0, 513, 0));
	print_status("share a range that wraps",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, ~0xfffUL, 2, 0));
	print_status("share 2 pages", (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, p0, 2, 0));
	print_status("share the first again", (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, p0, 0, 0));
	print_status("share a range holding a shared page",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, p1, 2, 0));
	print_status("unshare never shared", (int64_t)hvc(GZ_VENDOR_HYP_MEM_UNSHARE, p2, 0, 0));
	print_status("unshare a range holding a private page",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_UNSHARE, p1, 2, 0));
	print_status("relinquish a shared page",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_RELINQUISH, p0, 0, 0));
	print_status("unshare 2 pages", (int64_t)hvc(GZ_VENDOR_HYP_MEM_UNSHARE, p0, 2, 0));
	print_status("unshare them again", (int64_t)hvc(GZ_VENDOR_HYP_MEM_UNSHARE, p0, 2, 0));
	pages[3][7] = 0x4141414141414141UL;
	print_status("relinquish", (int64_t)hvc(GZ_VENDOR_HYP_MEM_RELINQUISH, p3, 0, 0));
	print_status("relinquish again", (int64_t)hvc(GZ_VENDOR_HYP_MEM_RELINQUISH, p3, 0, 0));
	printf_("relinquished page reads back %lx (scrubbed)\n", pages[3][7]);

	/* the MMIO guard */
	virtio_probe("virtio before enrolling");
	print_status("guard map before enrolling",
		     (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_MAP, UART_BASE, 0, 0));
	/* From the enrolment on, the console's granule must be mapped before the next print. */
	enroll = (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_ENROLL, 0, 0, 0);
	map_uart = (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_MAP, UART_BASE, 0, 0);
	enroll_again = (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_ENROLL, 0, 0, 0);
	print_status("enroll", enroll);
	print_status("guard map the console", map_uart);
	print_status("enroll again", enroll_again);
	print_status("guard map its own RAM", (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_MAP, p2, 0, 0));
	print_status("guard map unaligned",
		     (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_MAP, VIRTIO_BASE + 8, 0, 0));
	print_status("guard unmap never mapped",
		     (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_UNMAP, VIRTIO_BASE, 0, 0));
	print_status("guard unmap its own RAM",
		     (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_UNMAP, p2, 0, 0));
	virtio_probe("virtio not mapped");
	print_status("guard map virtio",
		     (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_MAP, VIRTIO_BASE, 0, 0));
	virtio_probe("virtio mapped");
	print_status("guard unmap virtio",
		     (int64_t)hvc(GZ_VENDOR_HYP_MMIO_GUARD_UNMAP, VIRTIO_BASE, 0, 0));
	virtio_probe("virtio unmapped");
	pages[2][0] = 0x600d;
	printf_("own pages still ours: %lx, still running\n", pages[2][0]);
}
