/* A minimal GICv3 driver: distributor with affinity routing, one redistributor per CPU,
 * system-register CPU interface (ICC_*), group 1 only. */
#include "guest.h"

#define GICD_CTLR	0x0000
#define GICD_CTLR_ARE	(1u << 4)
#define GICD_CTLR_G1A	(1u << 1)
#define GICR_WAKER	0x0014
#define GICR_SGI	0x10000
#define GICR_IGROUPR0	(GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)

static uint64_t rd_base(unsigned cpu)
{
	return GICR_BASE + cpu * GICR_STRIDE;
}

void gic_init_dist(void)
{
	w32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_G1A);
}

void gic_init_cpu(unsigned cpu)
{
	uint64_t rd = rd_base(cpu);

	w32(rd + GICR_WAKER, r32(rd + GICR_WAKER) & ~2u); /* ProcessorSleep = 0 */
	while (r32(rd + GICR_WAKER) & 4u)		  /* ChildrenAsleep */
		;
	w32(rd + GICR_IGROUPR0, 0xffffffffu);
	write_sysreg(S3_0_C12_C12_5, 7);  /* ICC_SRE_EL1 */
	write_sysreg(S3_0_C4_C6_0, 0xf0); /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);  /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4, 0);  /* ICC_CTLR_EL1: EOImode 0 */
	write_sysreg(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
	isb();
}

void gic_enable_ppi(unsigned cpu, unsigned intid, uint8_t prio)
{
	uint64_t rd = rd_base(cpu);

	w8(rd + GICR_IPRIORITYR + intid, prio);
	w32(rd + GICR_ISENABLER0, 1u << intid);
}

void gic_send_sgi(unsigned intid, unsigned target_cpu)
{
	/* Aff3.Aff2.Aff1 = 0, target list bit for Aff0 = target_cpu. */
	uint64_t v = ((uint64_t)intid << 24) | (1u << (target_cpu & 15));

	write_sysreg(S3_0_C12_C11_5, v); /* ICC_SGI1R_EL1 */
	isb();
}

unsigned gic_ack(void)
{
	return (unsigned)read_sysreg(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
}

void gic_eoi(unsigned intid)
{
	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
	isb();
}
