/* pmu: the virtual PMU: what PMCR_EL0 and PMCEID say (4 event counters; SW_INCR and CPU_CYCLES
 * count), a cycle counter that counts while enabled and stands still while not, software
 * increments, and the overflow interrupt (PPI 23 through the guest's GICv3) of an event counter
 * a software increment wraps and of the cycle counter wrapping its low 32 bits. */
#include "common/guest.h"

#define PMU_PPI	  23
#define PMCR_E	  (1UL << 0)
#define PMCR_P	  (1UL << 1)
#define PMCR_C	  (1UL << 2)
#define CYCLE_BIT (1UL << 31)

static volatile unsigned irqs;
static volatile uint64_t ovs_seen;

void guest_irq(unsigned intid)
{
	uint64_t ovs = read_sysreg(pmovsset_el0);

	if (intid != PMU_PPI) {
		printf_("unexpected interrupt %u\n", intid);
		return;
	}
	irqs++;
	ovs_seen = ovs;
	write_sysreg(pmovsclr_el0, ovs); /* the line drops */
	isb();
}

static void spin(void)
{
	for (volatile unsigned i = 0; i < 1000; i++)
		;
}

void guest_main(unsigned cpu)
{
	uint64_t c1, c2, c3, c4;
	unsigned n;

	printf_("PMCR_EL0 N %lu, PMCEID0_EL0 %lx, PMCEID1_EL0 %lx\n",
		read_sysreg(pmcr_el0) >> 11 & 0x1f, read_sysreg(pmceid0_el0),
		read_sysreg(pmceid1_el0));
	gic_init_dist();
	gic_init_cpu(cpu);
	gic_enable_ppi(cpu, PMU_PPI, 0xa0);
	irq_enable();

	/* the cycle counter */
	write_sysreg(pmcr_el0, PMCR_E | PMCR_P | PMCR_C);
	write_sysreg(pmcntenset_el0, CYCLE_BIT);
	isb();
	c1 = read_sysreg(pmccntr_el0);
	spin();
	c2 = read_sysreg(pmccntr_el0);
	write_sysreg(pmcntenclr_el0, CYCLE_BIT);
	isb();
	c3 = read_sysreg(pmccntr_el0);
	spin();
	c4 = read_sysreg(pmccntr_el0);
	printf_("cycle counter counts: %d, stands still when disabled: %d\n", c2 > c1, c3 == c4);

	/* software increment of event counter 0 (event 0, SW_INCR) */
	write_sysreg(pmselr_el0, 0);
	isb();
	write_sysreg(pmxevtyper_el0, 0);
	write_sysreg(pmcntenset_el0, 1);
	for (n = 0; n < 3; n++)
		write_sysreg(pmswinc_el0, 1);
	write_sysreg(pmswinc_el0, 2); /* counter 1 is off: nothing */
	printf_("PMEVCNTR0_EL0 %lx after 3 increments, PMEVCNTR1_EL0 %lx\n",
		read_sysreg(pmevcntr0_el0), read_sysreg(pmevcntr1_el0));

	/* its overflow interrupt */
	write_sysreg(pmevcntr0_el0, 0xffffffffUL);
	write_sysreg(pmintenset_el1, 1);
	isb();
	write_sysreg(pmswinc_el0, 1);
	isb();
	printf_("after the wrap: PMEVCNTR0_EL0 %lx, %u interrupt, overflow flags %lx\n",
		read_sysreg(pmevcntr0_el0), irqs, ovs_seen);
	write_sysreg(pmintenclr_el1, 1);

	/* the cycle counter's: its low 32 bits wrap (PMCR_EL0.LC clear) */
	write_sysreg(pmccntr_el0, 0xffffff00UL);
	write_sysreg(pmintenset_el1, CYCLE_BIT);
	write_sysreg(pmcntenset_el0, CYCLE_BIT);
	isb();
	for (n = 0; n < 1000000 && irqs < 2; n++)
		c1 = read_sysreg(pmccntr_el0);
	printf_("cycle counter wrapped: %d, %u interrupts, overflow flags %lx\n",
		c1 >= 0x100000000UL, irqs, ovs_seen);
	write_sysreg(pmcr_el0, 0);
	irq_disable();
}
