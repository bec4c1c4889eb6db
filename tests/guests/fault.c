/* fault: accesses outside every memory region the VM has; each must arrive as a data abort
 * in the guest's own vectors, which reports ESR_EL1 and FAR_EL1 and steps over it. */
#include "common/guest.h"

static volatile unsigned aborts;

void guest_sync(struct frame *f, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);

	printf_("abort %u: kind %u EC %lx ISS %lx FAR %lx\n", aborts, kind, esr >> 26,
		esr & 0x1ffffff, far);
	aborts++;
	if ((esr >> 26) == 0x25 || (esr >> 26) == 0x24)
		f->elr += 4; /* step over the faulting access; SVC already returns past itself */
}

void guest_main(unsigned cpu)
{
	uint64_t v;

	(void)cpu;
	v = r32(0x20000000UL);
	puts_("read continued\n");
	w64(0x30000000UL, 1);
	puts_("write continued\n");
	v += r8(0x7ff00000UL + RAM_BASE);
	(void)v;
	puts_("read beyond RAM continued\n");
	__asm__ volatile("svc #0x42");
	printf_("%u aborts, still running\n", aborts);
}
