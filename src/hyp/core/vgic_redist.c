/*
 * The redistributor of each vCPU: a 128 KiB frame (RD frame, then SGI frame) at
 * redist_base + vcpu * 128 KiB. RD frame: CTLR (no LPIs: RAZ/WI), IIDR, TYPER (64-bit or
 * 32-bit halves: affinity, processor number = vCPU index, Last on the final frame), WAKER
 * (ProcessorSleep, ChildrenAsleep follows it at once), PROPBASER/PENDBASER RAZ/WI, ID
 * registers. SGI frame: the SGI/PPI group, enable, pending, active, priority and
 * configuration registers of that vCPU. Holes are RAZ/WI; a frame whose vCPU is not
 * registered reads as zero.
 */
#include <arm64/gicv3.h>
#include <gzabi/status.h>
#include <gzhyp/vgic.h>

#include "vgic_priv.h"

#define SGI(off) (ARCH_GICR_SGI_BASE + (off))

static const struct vgic_reg_range redist_regs[] = {
    {ARCH_GICR_CTLR, ARCH_GICR_CTLR + 4, 4, VGIC_R_RAZWI, 0},
    {ARCH_GICR_IIDR, ARCH_GICR_IIDR + 4, 4, VGIC_R_IIDR, 0},
    {ARCH_GICR_TYPER, ARCH_GICR_TYPER + 8, 4 | 8, VGIC_R_GICR_TYPER, 0},
    {ARCH_GICR_STATUSR, ARCH_GICR_STATUSR + 4, 4, VGIC_R_RAZWI, 0},
    {ARCH_GICR_WAKER, ARCH_GICR_WAKER + 4, 4, VGIC_R_GICR_WAKER, 0},
    {ARCH_GICR_PROPBASER, ARCH_GICR_PENDBASER + 8, 4 | 8, VGIC_R_RAZWI, 0},
    {0xffd0, 0x10000, 4, VGIC_R_ID, 0},
    {SGI(ARCH_GICR_IGROUPR0), SGI(ARCH_GICR_IGROUPR0) + 4, 4, VGIC_R_BITS, VGIC_BITS_GROUP},
    {SGI(ARCH_GICR_ISENABLER0), SGI(ARCH_GICR_ISENABLER0) + 4, 4, VGIC_R_BITS, VGIC_BITS_SENABLE},
    {SGI(ARCH_GICR_ICENABLER0), SGI(ARCH_GICR_ICENABLER0) + 4, 4, VGIC_R_BITS, VGIC_BITS_CENABLE},
    {SGI(ARCH_GICR_ISPENDR0), SGI(ARCH_GICR_ISPENDR0) + 4, 4, VGIC_R_BITS, VGIC_BITS_SPEND},
    {SGI(ARCH_GICR_ICPENDR0), SGI(ARCH_GICR_ICPENDR0) + 4, 4, VGIC_R_BITS, VGIC_BITS_CPEND},
    {SGI(ARCH_GICR_ISACTIVER0), SGI(ARCH_GICR_ISACTIVER0) + 4, 4, VGIC_R_BITS, VGIC_BITS_SACTIVE},
    {SGI(ARCH_GICR_ICACTIVER0), SGI(ARCH_GICR_ICACTIVER0) + 4, 4, VGIC_R_BITS, VGIC_BITS_CACTIVE},
    {SGI(ARCH_GICR_IPRIORITYR0), SGI(ARCH_GICR_IPRIORITYR0) + GZ_VGIC_NR_PRIVATE, 1 | 4,
     VGIC_R_PRIO, 0},
    {SGI(ARCH_GICR_ICFGR0), SGI(ARCH_GICR_ICFGR1) + 4, 4, VGIC_R_CFG, 0},
    {SGI(ARCH_GICR_IGRPMODR0), SGI(ARCH_GICR_IGRPMODR0) + 4, 4, VGIC_R_RAZWI, 0},
    {SGI(ARCH_GICR_NSACR), SGI(ARCH_GICR_NSACR) + 4, 4, VGIC_R_RAZWI, 0},
};

static uint64_t gicr_typer(const struct gz_vgic *v, unsigned bank)
{
	uint64_t frames = vgic_redist_frames(v);
	uint64_t t = GZ_FIELD_PREP(ARCH_GICR_TYPER_AFFINITY, vgic_mpidr_aff(v->cpu[bank].mpidr)) |
		     GZ_FIELD_PREP(ARCH_GICR_TYPER_PROCNUM, bank);

	if (bank + 1 == frames)
		t |= ARCH_GICR_TYPER_LAST;
	return t;
}

const struct vgic_reg_range *vgic_redist_range(uint32_t off)
{
	return vgic_find_range(redist_regs, GZ_ARRAY_SIZE(redist_regs), off);
}

int vgic_redist_access(struct gz_vgic *v, unsigned bank, unsigned who, uint32_t off, unsigned size,
		       bool wr, uint64_t *val, struct vgic_defer *d)
{
	const struct vgic_reg_range *r = vgic_redist_range(off);
	struct gz_vgic_cpu *cpu = &v->cpu[bank];
	uint32_t rel;
	uint64_t rd = 0;

	if (r && !(r->widths & size))
		return GZ_ERR_INVALID_ARGS;
	rel = r ? off - r->start : 0;
	switch (r && cpu->present ? r->kind : VGIC_R_RAZWI) {
	case VGIC_R_IIDR:
		rd = VGIC_IIDR;
		break;
	case VGIC_R_GICR_TYPER:
		rd = vgic_win_read(gicr_typer(v, bank), rel, size);
		break;
	case VGIC_R_GICR_WAKER:
		if (wr)
			cpu->sleep = *val & ARCH_GICR_WAKER_PROCESSOR_SLEEP;
		rd = cpu->sleep ? ARCH_GICR_WAKER_PROCESSOR_SLEEP | ARCH_GICR_WAKER_CHILDREN_ASLEEP
				: 0;
		break;
	case VGIC_R_ID:
		rd = vgic_id_reg(off);
		break;
	case VGIC_R_BITS:
		if (wr)
			vgic_bits_write(v, bank, who, 0, r->sub, (uint32_t)*val, d);
		rd = vgic_bits_read(v, bank, 0, r->sub);
		break;
	case VGIC_R_PRIO:
		if (wr)
			vgic_prio_write(v, bank, rel, size, *val, d);
		rd = vgic_prio_read(v, bank, rel, size);
		break;
	case VGIC_R_CFG:
		rd = vgic_cfg_read(v, bank, rel * 4);
		break;
	default:
		break;
	}
	if (!wr)
		*val = rd;
	return GZ_OK;
}
