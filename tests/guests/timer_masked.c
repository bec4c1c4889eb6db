/* timer_masked: the virtual timer's condition met while its interrupt cannot be taken, masked
 * at the GIC (PPI 27 disabled) or in the timer (CNTV_CTL_EL0.IMASK). The vCPU must run on:
 * the line reads pending at the GIC while it is high and the guest takes nothing, for 2 ms
 * of guest time each; enabling the PPI, or clearing IMASK, then delivers exactly one
 * interrupt, whose handler turns the timer off. */
#include "common/guest.h"

#define TIMER_PPI	27
#define GICR_ISENABLER0 (GICR_BASE + 0x10100)
#define GICR_ICENABLER0 (GICR_BASE + 0x10180)
#define GICR_ISPENDR0	(GICR_BASE + 0x10200)

static volatile unsigned taken;

void guest_irq(unsigned intid)
{
	if (intid != TIMER_PPI) {
		printf_("unexpected interrupt %u\n", intid);
		return;
	}
	taken++;
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

/* Spin (no WFI, no exit of the guest's own) for 2 ms of guest time. */
static void spin_2ms(uint64_t freq)
{
	uint64_t end = read_sysreg(cntvct_el0) + freq / 500;

	while (read_sysreg(cntvct_el0) < end)
		;
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static void show(const char *what)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);
	bool pending = r32(GICR_ISPENDR0) & (1u << TIMER_PPI);

	printf_("%s: CNTV_CTL %lx, PPI 27 pending %s, %u taken\n", what, ctl, yes(pending), taken);
}

/* Wait (bounded: 1 s of guest time, far more than a loaded machine delays it) for the
 * interrupt number @n. */
static void wait_taken(unsigned n, uint64_t freq)
{
	uint64_t end = read_sysreg(cntvct_el0) + freq;

	while (taken < n && read_sysreg(cntvct_el0) < end)
		;
}

void guest_main(unsigned cpu)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	gic_init_dist();
	gic_init_cpu(cpu);
	w8(GICR_BASE + 0x10400 + TIMER_PPI, 0xa0); /* IPRIORITYR */
	w32(GICR_ICENABLER0, 1u << TIMER_PPI);
	irq_enable();

	/* Masked at the GIC: the line is high, nothing is delivered, the vCPU runs. */
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) - 1);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	spin_2ms(freq);
	show("disabled at the GIC");
	w32(GICR_ISENABLER0, 1u << TIMER_PPI);
	wait_taken(1, freq);
	show("enabled at the GIC");

	/* Masked in the timer: the condition holds (ISTATUS), the line is low. */
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) - 1);
	write_sysreg(cntv_ctl_el0, 3);
	isb();
	spin_2ms(freq);
	show("IMASK set");
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	wait_taken(2, freq);
	show("IMASK clear");
	irq_disable();
}
