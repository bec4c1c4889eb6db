/*
 * The vGIC object's setup (init, vCPU registration, frame placement from CREATE_DEVICE) and
 * the distributor frame (GICD_*), which the MMIO entry point (vgic_mmio.c) calls. Affinity routing
 * is always on and there is a single security state, so the distributor's SGI/PPI registers are
 * RAZ/WI (those live in each redistributor's SGI frame). Access widths: 32-bit for every register,
 * 8-bit also for IPRIORITYR (and the RAZ/WI ITARGETSR/xPENDSGIR), 64-bit and 32-bit halves
 * for IROUTER; another width on a register is a bad access (abort); holes are RAZ/WI.
 */
#include <arm64/gicv3.h>
#include <arm64/ich.h>
#include <gzhyp/lib.h>
#include <gzabi/status.h>
#include <gzhyp/vgic.h>

#include "vgic_priv.h"

#define GICD_TYPER_IDBITS_VAL 9 /* INTIDs below 1024 */

static const struct vgic_reg_range dist_regs[] = {
    {ARCH_GICD_CTLR, ARCH_GICD_CTLR + 4, 4, VGIC_R_GICD_CTLR, 0},
    {ARCH_GICD_TYPER, ARCH_GICD_TYPER + 4, 4, VGIC_R_GICD_TYPER, 0},
    {ARCH_GICD_IIDR, ARCH_GICD_IIDR + 4, 4, VGIC_R_IIDR, 0},
    /* TYPER2, STATUSR; SETSPI/CLRSPI (no message-based SPIs) */
    {ARCH_GICD_TYPER2, ARCH_GICD_STATUSR + 4, 4, VGIC_R_RAZWI, 0},
    {ARCH_GICD_SETSPI_NSR, ARCH_GICD_CLRSPI_SR + 4, 4, VGIC_R_RAZWI, 0},
    {ARCH_GICD_IGROUPR, ARCH_GICD_IGROUPR + ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_BITS, VGIC_BITS_GROUP},
    {ARCH_GICD_ISENABLER, ARCH_GICD_ISENABLER + ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_BITS,
     VGIC_BITS_SENABLE},
    {ARCH_GICD_ICENABLER, ARCH_GICD_ICENABLER + ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_BITS,
     VGIC_BITS_CENABLE},
    {ARCH_GICD_ISPENDR, ARCH_GICD_ISPENDR + ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_BITS, VGIC_BITS_SPEND},
    {ARCH_GICD_ICPENDR, ARCH_GICD_ICPENDR + ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_BITS, VGIC_BITS_CPEND},
    {ARCH_GICD_ISACTIVER, ARCH_GICD_ISACTIVER + ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_BITS,
     VGIC_BITS_SACTIVE},
    {ARCH_GICD_ICACTIVER, ARCH_GICD_ICACTIVER + ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_BITS,
     VGIC_BITS_CACTIVE},
    {ARCH_GICD_IPRIORITYR, ARCH_GICD_IPRIORITYR + ARCH_GICD_PRIORITY_SIZE, 1 | 4, VGIC_R_PRIO, 0},
    /* ITARGETSR: legacy targets, RAZ/WI with affinity routing */
    {ARCH_GICD_ITARGETSR, ARCH_GICD_ITARGETSR + ARCH_GICD_PRIORITY_SIZE, 1 | 4, VGIC_R_RAZWI, 0},
    {ARCH_GICD_ICFGR, ARCH_GICD_ICFGR + ARCH_GICD_ICFGR_SIZE, 4, VGIC_R_CFG, 0},
    /* IGRPMODR, NSACR: single security state; SGIR, C/SPENDSGIR: legacy, RAZ/WI */
    {ARCH_GICD_IGRPMODR, ARCH_GICD_IGRPMODR + ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_RAZWI, 0},
    {ARCH_GICD_NSACR, ARCH_GICD_NSACR + 2 * ARCH_GICD_BITMAP_SIZE, 4, VGIC_R_RAZWI, 0},
    {ARCH_GICD_SGIR, ARCH_GICD_SGIR + 4, 4, VGIC_R_RAZWI, 0},
    {ARCH_GICD_CPENDSGIR, ARCH_GICD_SPENDSGIR + 0x10, 1 | 4, VGIC_R_RAZWI, 0},
    {ARCH_GICD_IROUTER, ARCH_GICD_IROUTER_END, 4 | 8, VGIC_R_IROUTER, 0},
    {0xffd0, 0x10000, 4, VGIC_R_ID, 0},
};

/* ---- setup ------------------------------------------------------------------------------ */

int gz_vgic_init(struct gz_vgic *vgic, uint32_t nr_spis, uint64_t ipa_limit,
		 const struct gz_vgic_ops *ops, void *ops_ctx)
{
	uint64_t vtr;
	unsigned pre, pri;

	if (nr_spis % 32 || nr_spis > GZ_VGIC_MAX_SPIS || ipa_limit < ARCH_GICD_SIZE)
		return GZ_ERR_INVALID_ARGS;
	gz_memset(vgic, 0, sizeof(*vgic));
	vgic->ops = ops;
	vgic->ops_ctx = ops_ctx;
	vgic->ipa_limit = ipa_limit;
	vgic->dist_base = GZ_VGIC_BASE_UNSET;
	vgic->redist_base = GZ_VGIC_BASE_UNSET;
	vgic->nr_spis = nr_spis;

	vtr = gz_hal_ich_read(GZ_ICH_VTR);
	vgic->nr_lrs =
	    (uint8_t)GZ_MIN(GZ_FIELD_GET(ARCH_ICH_VTR_LISTREGS, vtr) + 1, (uint64_t)GZ_ICH_MAX_LRS);
	/* The architecture implements 5 to 7 preemption bits and 5 to 8 priority bits. */
	pre = (unsigned)GZ_MIN(GZ_MAX(GZ_FIELD_GET(ARCH_ICH_VTR_PREBITS, vtr), 4), 6);
	pri = (unsigned)GZ_MAX(GZ_FIELD_GET(ARCH_ICH_VTR_PRIBITS, vtr), 4) + 1;
	vgic->nr_apr = (uint8_t)ARCH_ICH_NR_APR(pre);
	vgic->pri_mask = (uint8_t)(0xffu << (8 - pri));

	for (uint32_t i = 0; i < nr_spis; i++) {
		struct gz_vgic_irq *irq = &vgic->spi[i];

		irq->intid = (uint16_t)(ARCH_GIC_SPI_BASE + i);
		irq->flags = GZ_VGIC_IRQ_GROUP1;
		irq->target = GZ_VGIC_NO_VCPU;
		irq->lr_vcpu = GZ_VGIC_NO_VCPU;
	}
	return GZ_OK;
}

int gz_vgic_vcpu_init(struct gz_vgic *vgic, unsigned vcpu, uint64_t mpidr)
{
	struct gz_vgic_cpu *cpu;
	int ret = GZ_OK;

	if (vcpu >= GZ_VGIC_MAX_VCPUS)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&vgic->lock);
	cpu = &vgic->cpu[vcpu];
	if (cpu->present)
		ret = GZ_ERR_ALREADY_EXISTS;
	for (unsigned c = 0; c < GZ_VGIC_MAX_VCPUS && ret == GZ_OK; c++)
		if (vgic->cpu[c].present &&
		    vgic_mpidr_aff(vgic->cpu[c].mpidr) == vgic_mpidr_aff(mpidr))
			ret = GZ_ERR_ALREADY_EXISTS;
	if (ret != GZ_OK) {
		gz_hal_unlock(&vgic->lock);
		return ret;
	}
	gz_memset(cpu, 0, sizeof(*cpu));
	cpu->load_id = vgic_new_load_id();
	cpu->present = true;
	cpu->mpidr = mpidr;
	cpu->sleep = true;
	for (uint32_t i = 0; i < GZ_VGIC_NR_PRIVATE; i++) {
		struct gz_vgic_irq *irq = &cpu->priv[i];

		irq->intid = (uint16_t)i;
		irq->flags = GZ_VGIC_IRQ_GROUP1;
		/* SGIs: edge and enabled out of reset (as KVM), PPIs: level, disabled. */
		if (i < GZ_VGIC_NR_SGIS)
			irq->flags |= GZ_VGIC_IRQ_EDGE | GZ_VGIC_IRQ_ENABLED;
		irq->target = (uint8_t)vcpu;
		irq->lr_vcpu = GZ_VGIC_NO_VCPU;
	}
	if (vcpu + 1 > vgic->nr_vcpus)
		vgic->nr_vcpus = vcpu + 1;
	for (uint32_t i = 0; i < vgic->nr_spis; i++)
		vgic_resolve_route(vgic, &vgic->spi[i]);
	gz_hal_unlock(&vgic->lock);
	return GZ_OK;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static uint64_t redist_span(const struct gz_vgic *v)
{
	uint64_t frames = v->redist_frames ? v->redist_frames : GZ_MAX(v->nr_vcpus, 1u);

	return frames * ARCH_GICR_STRIDE;
}

static int check_base(const struct gz_vgic *v, gz_ipa_t base, uint64_t len)
{
	uint64_t end;

	if (!GZ_IS_ALIGNED(base, ARCH_GICD_SIZE))
		return GZ_ERR_INVALID_ARGS;
	if (!gz_range_end(base, len, &end) || end > v->ipa_limit)
		return GZ_ERR_OUT_OF_RANGE;
	return GZ_OK;
}

int gz_vgic_set_dist_base(struct gz_vgic *vgic, gz_ipa_t base, uint64_t size)
{
	int ret;

	if (size != 0 && size != ARCH_GICD_SIZE)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&vgic->lock);
	ret = check_base(vgic, base, ARCH_GICD_SIZE);
	if (ret == GZ_OK && vgic->dist_base != GZ_VGIC_BASE_UNSET)
		ret = GZ_ERR_ALREADY_EXISTS;
	if (ret == GZ_OK && vgic->redist_base != GZ_VGIC_BASE_UNSET &&
	    overlaps(base, ARCH_GICD_SIZE, vgic->redist_base, redist_span(vgic)))
		ret = GZ_ERR_INVALID_ARGS;
	if (ret == GZ_OK)
		vgic->dist_base = base;
	gz_hal_unlock(&vgic->lock);
	return ret;
}

int gz_vgic_set_redist_base(struct gz_vgic *vgic, gz_ipa_t base, uint64_t size)
{
	uint64_t frames = 0;
	int ret;

	if (size > ARCH_GICR_STRIDE) {
		if (size % ARCH_GICR_STRIDE || size > GZ_VGIC_MAX_VCPUS * ARCH_GICR_STRIDE)
			return GZ_ERR_INVALID_ARGS;
		frames = size / ARCH_GICR_STRIDE;
	} else if (size != 0 && size != ARCH_GICR_STRIDE) {
		return GZ_ERR_INVALID_ARGS;
	}
	gz_hal_lock(&vgic->lock);
	ret = check_base(vgic, base,
			 (frames ? frames : GZ_MAX(vgic->nr_vcpus, 1u)) * ARCH_GICR_STRIDE);
	if (ret == GZ_OK && vgic->redist_base != GZ_VGIC_BASE_UNSET)
		ret = GZ_ERR_ALREADY_EXISTS;
	if (ret == GZ_OK) {
		vgic->redist_frames = frames;
		if (vgic->dist_base != GZ_VGIC_BASE_UNSET &&
		    overlaps(vgic->dist_base, ARCH_GICD_SIZE, base, redist_span(vgic))) {
			vgic->redist_frames = 0;
			ret = GZ_ERR_INVALID_ARGS;
		}
	}
	if (ret == GZ_OK)
		vgic->redist_base = base;
	gz_hal_unlock(&vgic->lock);
	return ret;
}

int gz_vgic_create_device(struct gz_vgic *vgic, uint32_t dev_type, gz_ipa_t addr, uint64_t size)
{
	switch (dev_type) {
	case GZ_VGIC_DEV_DIST:
		return gz_vgic_set_dist_base(vgic, addr, size);
	case GZ_VGIC_DEV_REDIST:
		return gz_vgic_set_redist_base(vgic, addr, size);
	default:
		return GZ_ERR_NOT_SUPPORTED;
	}
}

/* ---- distributor registers ----------------------------------------------------------- */

static uint64_t irouter_of(const struct gz_vgic_irq *irq)
{
	return (uint64_t)(irq->route & 0xffffff) | (uint64_t)(irq->route >> 24) << 32;
}

static void write_irouter(struct gz_vgic *v, struct gz_vgic_irq *irq, uint64_t val,
			  struct vgic_defer *d)
{
	/* IRM is RES0 (GICD_TYPER.No1N = 1); reserved bits are ignored. */
	val &= ARCH_GICD_IROUTER_AFF_MASK;
	vgic_notify(v, irq, d); /* the old holder lets it go */
	irq->route = (uint32_t)(val & 0xffffff) | (uint32_t)(val >> 32) << 24;
	vgic_resolve_route(v, irq);
	vgic_notify(v, irq, d);
}

static void write_ctlr(struct gz_vgic *v, uint64_t val, struct vgic_defer *d)
{
	v->ctlr = (uint32_t)val & (ARCH_GICD_CTLR_ENABLE_G0 | ARCH_GICD_CTLR_ENABLE_G1);
	/* Enables change what can be delivered anywhere: every vCPU re-evaluates. */
	for (unsigned c = 0; c < v->nr_vcpus; c++)
		if (v->cpu[c].present)
			vgic_defer_kick(d, c);
}

const struct vgic_reg_range *vgic_dist_range(uint32_t off)
{
	return vgic_find_range(dist_regs, GZ_ARRAY_SIZE(dist_regs), off);
}

int vgic_dist_access(struct gz_vgic *v, unsigned who, uint32_t off, unsigned size, bool wr,
		     uint64_t *val, struct vgic_defer *d)
{
	const struct vgic_reg_range *r = vgic_dist_range(off);
	uint32_t rel, intid;
	struct gz_vgic_irq *irq;
	uint64_t rd = 0;

	if (r && !(r->widths & size))
		return GZ_ERR_INVALID_ARGS;
	rel = r ? off - r->start : 0;
	switch (r ? r->kind : VGIC_R_RAZWI) {
	case VGIC_R_GICD_CTLR:
		if (wr)
			write_ctlr(v, *val, d);
		rd = v->ctlr | ARCH_GICD_CTLR_ARE | ARCH_GICD_CTLR_DS;
		break;
	case VGIC_R_GICD_TYPER:
		rd = GZ_FIELD_PREP(ARCH_GICD_TYPER_ITLINES, v->nr_spis / 32) |
		     GZ_FIELD_PREP(ARCH_GICD_TYPER_IDBITS, GICD_TYPER_IDBITS_VAL) |
		     ARCH_GICD_TYPER_NO1N;
		break;
	case VGIC_R_IIDR:
		rd = VGIC_IIDR;
		break;
	case VGIC_R_BITS:
		intid = rel * 8;
		if (intid < ARCH_GIC_SPI_BASE)
			break;
		if (wr)
			vgic_bits_write(v, who, who, intid, r->sub, (uint32_t)*val, d);
		rd = vgic_bits_read(v, who, intid, r->sub);
		break;
	case VGIC_R_PRIO:
		if (rel < ARCH_GIC_SPI_BASE)
			break;
		if (wr)
			vgic_prio_write(v, who, rel, size, *val, d);
		rd = vgic_prio_read(v, who, rel, size);
		break;
	case VGIC_R_CFG:
		intid = rel * 4;
		if (intid < ARCH_GIC_SPI_BASE)
			break;
		if (wr)
			vgic_cfg_write(v, who, intid, (uint32_t)*val);
		rd = vgic_cfg_read(v, who, intid);
		break;
	case VGIC_R_IROUTER:
		irq = vgic_irq(v, who, rel / 8);
		if (rel / 8 < ARCH_GIC_SPI_BASE || !irq)
			break;
		if (wr)
			write_irouter(v, irq, vgic_win_write(irouter_of(irq), rel % 8, size, *val),
				      d);
		rd = vgic_win_read(irouter_of(irq), rel % 8, size);
		break;
	case VGIC_R_ID:
		rd = vgic_id_reg(off);
		break;
	default:
		break;
	}
	if (!wr)
		*val = rd;
	return GZ_OK;
}
