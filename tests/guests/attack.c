/* attack: a hostile guest. It reads and writes IPAs where the hypervisor's and the host's
 * memory live in the simulator's physical map, abuses the page share/unshare/relinquish calls,
 * calls host-only hypercalls and PSCI with bad arguments and CPU_ON with bad entry points.
 * Every attempt must be refused (an error code, or an access that reaches no memory) and the
 * guest must keep running undisturbed; it prints what it got. */
#include "common/guest.h"
#include "gzabi/hvc.h"

static uint64_t page[512] __attribute__((aligned(4096)));
static uint64_t canary = 0x600d600d600d600dUL;

void guest_sync(struct frame *f, unsigned kind)
{
	guest_count_dabt(f, kind);
}

/* Reads and writes an IPA: either nothing answers (reads as zero, writes vanish) or the
 * access aborts; either way no memory of anyone else is reached. */
static void probe(const char *what, uint64_t ipa)
{
	volatile uint64_t *p = (volatile uint64_t *)ipa;
	unsigned before_aborts = guest_dabts;
	uint64_t before = 0, after = 0;

	__asm__ volatile("mov %0, xzr\n ldr %0, [%1]" : "=&r"(before) : "r"(p) : "memory");
	*p = 0x4141414141414141UL;
	__asm__ volatile("mov %0, xzr\n ldr %0, [%1]" : "=&r"(after) : "r"(p) : "memory");
	if (guest_dabts != before_aborts)
		printf_("%s %lx: %u aborts\n", what, ipa, guest_dabts - before_aborts);
	else
		printf_("%s %lx: read %lx, after write %lx\n", what, ipa, before, after);
}

void guest_main(unsigned cpu)
{
	uint64_t pg = (uint64_t)page;

	(void)cpu;
	/* The simulator's physical memory (hypervisor pool, host allocations) starts at 4 GiB;
	 * as IPAs these are outside the VM's memslots and reach no memory. */
	probe("hypervisor PA as IPA", 0x100000000UL);
	probe("host PA as IPA", 0x102000000UL);
	probe("IPA beyond RAM", RAM_BASE + 0x10000000UL);

	print_status("share unaligned", (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, pg + 8, 0, 0));
	print_status("share outside RAM",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, 0x20000000UL, 0, 0));
	print_status("unshare never shared", (int64_t)hvc(GZ_VENDOR_HYP_MEM_UNSHARE, pg, 0, 0));
	print_status("share", (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, pg, 0, 0));
	print_status("share again", (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, pg, 0, 0));
	print_status("relinquish shared", (int64_t)hvc(GZ_VENDOR_HYP_MEM_RELINQUISH, pg, 0, 0));
	print_status("unshare", (int64_t)hvc(GZ_VENDOR_HYP_MEM_UNSHARE, pg, 0, 0));
	print_status("unshare again", (int64_t)hvc(GZ_VENDOR_HYP_MEM_UNSHARE, pg, 0, 0));
	page[3] = 0x1234;
	printf_("page still ours: %lx\n", page[3]);
	/* x2 is a granule count (1: this page alone); x3 must be zero */
	print_status("extra args to share", (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, pg, 0, 1));

	print_status("host CREATE_VM from guest", (int64_t)hvc(GZ_HVC_CREATE_VM, 0, 0, 0));
	print_status("host SET_MEMREGION from guest", (int64_t)hvc(GZ_HVC_SET_MEMREGION, 0, 0, 0));
	print_status("unknown function", (int64_t)hvc(0xc2ffffffUL, 0, 0, 0));
	print_status("CPU_ON unaligned entry",
		     (int64_t)hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry + 2, 0));
	print_status("CPU_ON entry beyond the IPA space",
		     (int64_t)hvc(PSCI_CPU_ON, 1, 1UL << 52, 0));
	print_status("CPU_ON self", (int64_t)hvc(PSCI_CPU_ON, 0, (uint64_t)secondary_entry, 0));
	print_status("CPU_ON no such cpu",
		     (int64_t)hvc(PSCI_CPU_ON, 0xff00, (uint64_t)secondary_entry, 0));
	/* An entry outside RAM but inside the IPA space starts the CPU (as KVM does): it only
	 * faults in its own vectors. */
	print_status("CPU_ON entry outside RAM", (int64_t)hvc(PSCI_CPU_ON, 1, 0x20000000UL, 0));
	{
		int64_t r = (int64_t)hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 0);

		/* ALREADY_ON or ON_PENDING, depending on whether it has run yet */
		printf_("CPU_ON it again: %s\n", r == -4 || r == -5 ? "refused" : "WRONG");
	}
	printf_("canary %lx, still running\n", canary);
}
