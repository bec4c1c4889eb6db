/* ptimer: the EL1 physical timer (CNTP_*, PPI 30) as a guest OS or firmware uses it. The
 * physical count equals the virtual one (the hypervisor offsets both alike); the registers
 * follow the architecture (CTL's ISTATUS, TVAL counting down, signed on write); ticks through
 * the guest's GICv3 driver while it waits in WFI and while it spins without one (nothing but
 * the timer brings the vCPU back then); a masked timer (IMASK, or PPI 30 disabled at the GIC)
 * with its condition met delivers nothing and stops nothing; both timers armed at once, each
 * fires once, not before its CVAL. */
#include "common/guest.h"

#define PTIMER_PPI	30
#define VTIMER_PPI	27
#define TICKS		10
#define GICR_ISENABLER0 (GICR_BASE + 0x10100)
#define GICR_ICENABLER0 (GICR_BASE + 0x10180)
#define GICR_ISPENDR0	(GICR_BASE + 0x10200)

static volatile unsigned pticks, vticks;
static volatile bool early; /* a timer interrupt taken before its CVAL */
static uint64_t period;
static bool rearm;

static void vtimer_irq(void)
{
	vticks++;
	early |= read_sysreg(cntvct_el0) < read_sysreg(cntv_cval_el0);
	write_sysreg(cntv_ctl_el0, 0);
}

static void ptimer_irq(void)
{
	early |= read_sysreg(cntpct_el0) < read_sysreg(cntp_cval_el0);
	if (rearm && ++pticks < TICKS) {
		/* the next tick one period after this one was due, not after now */
		write_sysreg(cntp_cval_el0, read_sysreg(cntp_cval_el0) + period);
		return;
	}
	if (!rearm)
		pticks++;
	write_sysreg(cntp_ctl_el0, 0);
}

void guest_irq(unsigned intid)
{
	if (intid == VTIMER_PPI)
		vtimer_irq();
	else if (intid == PTIMER_PPI)
		ptimer_irq();
	else
		printf_("unexpected interrupt %u\n", intid);
	isb();
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static bool ppi30_pending(void)
{
	return r32(GICR_ISPENDR0) & (1u << PTIMER_PPI);
}

void guest_main(unsigned cpu)
{
	uint64_t freq = read_sysreg(cntfrq_el0), v1, p, v2, t, start, cval;

	period = freq / 1000;
	gic_init_dist();
	gic_init_cpu(cpu);
	gic_enable_ppi(cpu, PTIMER_PPI, 0xa0);

	/* The counters: one view. */
	v1 = read_sysreg(cntvct_el0);
	p = read_sysreg(cntpct_el0);
	v2 = read_sysreg(cntvct_el0);
	printf_("CNTPCT between two CNTVCT reads: %s\n", yes(v1 <= p && p <= v2));
	printf_("CNTP_CTL out of reset: %lx\n", read_sysreg(cntp_ctl_el0));

	/* The registers. */
	write_sysreg(cntp_cval_el0, read_sysreg(cntpct_el0) + 1000 * period);
	t = read_sysreg(cntp_tval_el0);
	printf_("TVAL counts down from CVAL: %s\n", yes(t > 0 && t <= 1000 * period));
	write_sysreg(cntp_tval_el0, (uint32_t)-5);
	cval = read_sysreg(cntp_cval_el0);
	p = read_sysreg(cntpct_el0);
	printf_("TVAL -5 puts CVAL 5 ticks before the count: %s\n", yes(cval + 5 <= p));
	write_sysreg(cntp_ctl_el0, 3); /* enabled, masked: the condition holds */
	isb();
	printf_("masked: CNTP_CTL %lx, TVAL negative %s\n", read_sysreg(cntp_ctl_el0),
		yes((int32_t)read_sysreg(cntp_tval_el0) < 0));
	irq_enable();
	printf_("masked: PPI 30 pending %s, %u taken\n", yes(ppi30_pending()), pticks);
	write_sysreg(cntp_ctl_el0, 1); /* unmasked: taken at once */
	isb();
	while (!pticks)
		;
	printf_("unmasked: %u taken, CNTP_CTL %lx\n", pticks, read_sysreg(cntp_ctl_el0));

	/* Disabled at the GIC: pending, nothing taken, the vCPU runs on. */
	w32(GICR_ICENABLER0, 1u << PTIMER_PPI);
	write_sysreg(cntp_tval_el0, 0);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
	t = read_sysreg(cntpct_el0) + 2 * period;
	while (read_sysreg(cntpct_el0) < t)
		;
	printf_("disabled at the GIC: PPI 30 pending %s, %u taken\n", yes(ppi30_pending()), pticks);
	w32(GICR_ISENABLER0, 1u << PTIMER_PPI);
	while (pticks < 2)
		;
	printf_("enabled at the GIC: %u taken\n", pticks);

	/* Ticks while waiting in WFI. */
	pticks = 0;
	rearm = true;
	start = read_sysreg(cntpct_el0);
	write_sysreg(cntp_cval_el0, start + period);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
	wfi_until(pticks >= TICKS);
	printf_("%u ticks in WFI, at least %u periods apart: %s\n", pticks, TICKS,
		yes(read_sysreg(cntpct_el0) - start >= TICKS * period));

	/* A tick while spinning: only the timer can end the loop. */
	rearm = false;
	pticks = 0;
	write_sysreg(cntp_tval_el0, 2 * period);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
	while (!pticks)
		;
	printf_("a tick while spinning: %u\n", pticks);

	/* Both timers at once, each its own PPI, once, not before its CVAL. */
	gic_enable_ppi(cpu, VTIMER_PPI, 0xa0);
	pticks = 0;
	cval = read_sysreg(cntvct_el0) + 2 * period;
	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntp_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, 1);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
	wfi_until(vticks && pticks);
	irq_disable();
	printf_("both timers: physical %u, virtual %u, one too early %s\n", pticks, vticks,
		yes(early));
}
