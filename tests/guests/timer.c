/* timer: the virtual timer interrupts every 1 ms of guest time through the guest's own GICv3
 * driver; 100 ticks, then it checks that 100 ms of counter time have passed. */
#include "common/guest.h"

#define TIMER_PPI 27
#define TICKS	  100

static volatile unsigned ticks;
static uint64_t period;

void guest_irq(unsigned intid)
{
	if (intid != TIMER_PPI) {
		printf_("unexpected interrupt %u\n", intid);
		return;
	}
	ticks++;
	if (ticks % 10 == 0)
		printf_("tick %u\n", ticks);
	if (ticks >= TICKS) {
		write_sysreg(cntv_ctl_el0, 0);
	} else {
		write_sysreg(cntv_cval_el0, read_sysreg(cntv_cval_el0) + period);
	}
	isb();
}

void guest_main(unsigned cpu)
{
	uint64_t freq = read_sysreg(cntfrq_el0), start, elapsed;

	period = freq / 1000;
	printf_("timer: frequency %lu Hz, period %lu ticks\n", freq, period);
	gic_init_dist();
	gic_init_cpu(cpu);
	gic_enable_ppi(cpu, TIMER_PPI, 0xa0);
	start = read_sysreg(cntvct_el0);
	write_sysreg(cntv_cval_el0, start + period);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	/* The 100th tick stops the timer: taken between a check and a plain WFI, it would leave
	 * the WFI waiting for a tick that never comes. */
	irq_enable();
	wfi_until(ticks >= TICKS);
	irq_disable();
	elapsed = read_sysreg(cntvct_el0) - start;
	printf_("%u ticks, %s\n", ticks,
		elapsed >= TICKS * period && elapsed < TICKS * period + 2 * period
		    ? "100 ms of guest time"
		    : "WRONG elapsed time");
	printf_("CNTV_CTL after stop: %lx\n", read_sysreg(cntv_ctl_el0));
}
