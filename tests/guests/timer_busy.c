/* timer_busy: vCPU 1 sleeps in WFI until its virtual timer fires 2 ms ahead while vCPU 0
 * keeps running (reading the counter, no WFI): the sleeper's deadline must end its sleep
 * though another vCPU is never idle. vCPU 0 gives up after 1 s of counter time. */
#include "common/guest.h"

#define TIMER_PPI 27

static volatile unsigned go, armed, fired;

void guest_irq(unsigned intid)
{
	if (intid != TIMER_PPI) {
		printf_("unexpected interrupt %u\n", intid);
		return;
	}
	write_sysreg(cntv_ctl_el0, 0); /* one shot */
	isb();
	fired = 1;
}

static void sleeper(unsigned cpu)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	while (!go)
		__asm__ volatile("yield");
	gic_init_cpu(cpu);
	gic_enable_ppi(cpu, TIMER_PPI, 0xa0);
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + freq / 500);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	armed = 1;
	wfi_until(fired);
}

void guest_main(unsigned cpu)
{
	uint64_t freq = read_sysreg(cntfrq_el0), start;

	if (cpu != 0) {
		sleeper(cpu);
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		for (;;)
			wfi();
	}
	gic_init_dist();
	if (hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) != 0) {
		puts_("timer_busy: no second vCPU\n");
		return;
	}
	go = 1;
	while (!armed)
		__asm__ volatile("yield");
	start = read_sysreg(cntvct_el0);
	while (!fired && read_sysreg(cntvct_el0) - start < freq)
		;
	puts_(fired ? "timer_busy: vCPU 1 woke at its deadline while vCPU 0 ran\n"
		    : "timer_busy: vCPU 1 still asleep after 1 s\n");
}
