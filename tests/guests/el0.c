/* el0: the guest's own user mode. EL1 drops to EL0 with ERET; EL0 code makes system calls
 * (SVC), hits a breakpoint (BRK), reads a device register (trapped at stage 2 while at EL0)
 * and is interrupted by the virtual timer; every exception arrives at the lower-EL vectors
 * with the right syndrome, and ERET returns to EL0. */
#include "common/guest.h"

#define TIMER_PPI 27

static volatile unsigned irqs, svcs;
static volatile uint64_t user_spins;

void guest_irq(unsigned intid)
{
	if (intid == TIMER_PPI) {
		irqs++;
		write_sysreg(cntv_ctl_el0, 0);
	}
}

void guest_sync(struct frame *f, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1), spsr = f->spsr;

	if (kind != VEC_LOW_SYNC) {
		printf_("unexpected kind %u ESR %lx ELR %lx\n", kind, esr, f->elr);
		system_off();
	}
	switch (esr >> 26) {
	case 0x15: /* SVC */
		svcs++;
		printf_("svc #%lu from EL%lu, x0 %lx\n", esr & 0xffff, (spsr >> 2) & 3, f->x[0]);
		if ((esr & 0xffff) == 9) {
			printf_("%u svcs, %u timer irqs taken at EL0, user spun %s\n", svcs, irqs,
				user_spins ? "yes" : "no");
			system_off();
		}
		f->x[0] = f->x[0] + 1;
		break;
	case 0x3c: /* BRK: ELR on the BRK itself */
		printf_("brk #%lu from EL0\n", esr & 0xffff);
		f->elr += 4;
		break;
	default:
		printf_("EL0 exception EC %lx ISS %lx FAR %lx\n", esr >> 26, esr & 0x1ffffff,
			read_sysreg(far_el1));
		f->elr += 4;
		break;
	}
}

static uint64_t svc(unsigned n, uint64_t a)
{
	register uint64_t x0 __asm__("x0") = a;

	switch (n) {
	case 1:
		__asm__ volatile("svc #1" : "+r"(x0) : : "memory");
		break;
	default:
		__asm__ volatile("svc #9" : "+r"(x0) : : "memory");
		break;
	}
	return x0;
}

static void user_main(void)
{
	uint64_t r = svc(1, 41);

	__asm__ volatile("brk #7");
	/* the PL011's flag register, read from EL0 (MMU off: no stage-1 permission check) */
	r += (r32(UART_BASE + 0x18) & 0);
	while (irqs == 0)
		user_spins++;
	svc(1, r);
	svc(9, 0);
	for (;;)
		;
}

static uint8_t user_stack[4096] __attribute__((aligned(16)));

void guest_main(unsigned cpu)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	gic_init_dist();
	gic_init_cpu(cpu);
	gic_enable_ppi(cpu, TIMER_PPI, 0x80);
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + freq / 1000);
	write_sysreg(cntv_ctl_el0, 1);
	puts_("dropping to EL0\n");
	write_sysreg(sp_el0, (uint64_t)(user_stack + sizeof(user_stack)));
	write_sysreg(elr_el1, (uint64_t)user_main);
	write_sysreg(spsr_el1, 0); /* EL0t, interrupts unmasked */
	isb();
	__asm__ volatile("eret");
}
