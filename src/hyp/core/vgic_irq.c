/*
 * Per-interrupt state of the vGIC: lookup, pending/delivery predicates, routing, what the
 * distributor and redistributor frames share (the register-range table walker, the ID
 * registers, the register arrays: enable, pending, active, group, priority, configuration)
 * and the one injection function.
 */
#include <arm64/gicv3.h>
#include <arm64/sysreg.h>
#include <arm64/ich.h>
#include <gzabi/status.h>
#include <gzhyp/vgic.h>

#include "vgic_priv.h"

void vgic_defer_resample(struct vgic_defer *d, uint32_t intid)
{
	if (d->nr_resample < VGIC_MAX_RESAMPLE)
		d->resample[d->nr_resample++] = (uint16_t)intid;
}

void vgic_unlock_run(struct gz_vgic *v, struct vgic_defer *d)
{
	gz_hal_unlock(&v->lock);
	if (!v->ops)
		return;
	for (unsigned i = 0; i < d->nr_resample; i++)
		if (v->ops->resample)
			v->ops->resample(v->ops_ctx, d->resample[i]);
	for (uint32_t k = d->kick; k && v->ops->kick; k &= k - 1)
		v->ops->kick(v->ops_ctx, (unsigned)__builtin_ctz(k));
}

struct gz_vgic_irq *vgic_irq(struct gz_vgic *v, unsigned vcpu, uint32_t intid)
{
	if (intid < GZ_VGIC_NR_PRIVATE)
		return vgic_vcpu_ok(v, vcpu) ? &v->cpu[vcpu].priv[intid] : NULL;
	if (intid - ARCH_GIC_SPI_BASE < v->nr_spis)
		return &v->spi[intid - ARCH_GIC_SPI_BASE];
	return NULL;
}

uint32_t vgic_mpidr_aff(uint64_t mpidr)
{
	return (uint32_t)(GZ_FIELD_GET(MPIDR_AFF0, mpidr) | GZ_FIELD_GET(MPIDR_AFF1, mpidr) << 8 |
			  GZ_FIELD_GET(MPIDR_AFF2, mpidr) << 16 |
			  GZ_FIELD_GET(MPIDR_AFF3, mpidr) << 24);
}

void vgic_resolve_route(struct gz_vgic *v, struct gz_vgic_irq *irq)
{
	irq->target = GZ_VGIC_NO_VCPU;
	for (unsigned c = 0; c < v->nr_vcpus; c++) {
		if (v->cpu[c].present && vgic_mpidr_aff(v->cpu[c].mpidr) == irq->route) {
			irq->target = (uint8_t)c;
			return;
		}
	}
}

void vgic_notify(struct gz_vgic *v, struct gz_vgic_irq *irq, struct vgic_defer *d)
{
	if (irq->lr_vcpu != GZ_VGIC_NO_VCPU)
		vgic_defer_kick(d, irq->lr_vcpu);
	else if (vgic_deliverable(v, irq))
		vgic_defer_kick(d, vgic_owner(irq));
}

/* ---- register arrays ------------------------------------------------------------------- */

const struct vgic_reg_range *vgic_find_range(const struct vgic_reg_range *t, size_t n, uint32_t off)
{
	for (size_t i = 0; i < n; i++)
		if (off >= t[i].start && off < t[i].end)
			return &t[i];
	return NULL;
}

uint32_t vgic_id_reg(uint32_t off)
{
	switch (off) {
	case ARCH_GICD_PIDR2:
		/* ArchRev 3, JEDEC-assigned, JEP106 identity code bits [6:4] of 0x3b. */
		return GZ_FIELD_PREP(ARCH_GIC_PIDR2_ARCHREV, ARCH_GIC_ARCHREV_GICV3) | 0xb;
	case 0xfff0:
		return 0x0d; /* CIDR0..3: the standard CoreSight/PrimeCell component ID */
	case 0xfff4:
		return 0xf0;
	case 0xfff8:
		return 0x05;
	case 0xfffc:
		return 0xb1;
	default:
		return 0;
	}
}

static bool bits_get(const struct gz_vgic_irq *irq, enum vgic_bits_reg r)
{
	switch (r) {
	case VGIC_BITS_GROUP:
		return irq->flags & GZ_VGIC_IRQ_GROUP1;
	case VGIC_BITS_SENABLE:
	case VGIC_BITS_CENABLE:
		return irq->flags & GZ_VGIC_IRQ_ENABLED;
	case VGIC_BITS_SPEND:
	case VGIC_BITS_CPEND:
		return vgic_pending_any(irq);
	default:
		return irq->flags & GZ_VGIC_IRQ_ACTIVE;
	}
}

uint32_t vgic_bits_read(struct gz_vgic *v, unsigned bank, uint32_t first, enum vgic_bits_reg r)
{
	uint32_t val = 0;

	for (unsigned i = 0; i < 32; i++) {
		const struct gz_vgic_irq *irq = vgic_irq(v, bank, first + i);

		if (irq && bits_get(irq, r))
			val |= 1u << i;
	}
	return val;
}

static void set_active(struct gz_vgic_irq *irq, bool on, unsigned who)
{
	if (on) {
		irq->flags |= GZ_VGIC_IRQ_ACTIVE;
		if (irq->intid >= ARCH_GIC_SPI_BASE)
			irq->active_vcpu = (uint8_t)who;
	} else {
		irq->flags &= (uint8_t)~GZ_VGIC_IRQ_ACTIVE;
	}
	if (irq->lr_vcpu != GZ_VGIC_NO_VCPU) {
		irq->override &= (uint8_t) ~(GZ_VGIC_OVR_SET_ACT | GZ_VGIC_OVR_CLR_ACT);
		irq->override |= on ? GZ_VGIC_OVR_SET_ACT : GZ_VGIC_OVR_CLR_ACT;
	}
}

static void bits_set(struct gz_vgic_irq *irq, enum vgic_bits_reg r, bool one, unsigned who)
{
	switch (r) {
	case VGIC_BITS_GROUP:
		irq->flags = one ? irq->flags | GZ_VGIC_IRQ_GROUP1
				 : irq->flags & (uint8_t)~GZ_VGIC_IRQ_GROUP1;
		break;
	case VGIC_BITS_SENABLE:
		if (one)
			irq->flags |= GZ_VGIC_IRQ_ENABLED;
		break;
	case VGIC_BITS_CENABLE:
		if (one)
			irq->flags &= (uint8_t)~GZ_VGIC_IRQ_ENABLED;
		break;
	case VGIC_BITS_SPEND:
		if (one)
			irq->flags |= GZ_VGIC_IRQ_LATCH;
		break;
	case VGIC_BITS_CPEND:
		if (one) {
			irq->flags &= (uint8_t)~GZ_VGIC_IRQ_LATCH;
			if (irq->lr_state & GZ_VGIC_LRS_PENDING)
				irq->override |= GZ_VGIC_OVR_CLR_PEND;
		}
		break;
	case VGIC_BITS_SACTIVE:
		if (one)
			set_active(irq, true, who);
		break;
	default:
		if (one)
			set_active(irq, false, who);
		break;
	}
}

void vgic_bits_write(struct gz_vgic *v, unsigned bank, unsigned who, uint32_t first,
		     enum vgic_bits_reg r, uint32_t val, struct vgic_defer *d)
{
	for (unsigned i = 0; i < 32; i++) {
		struct gz_vgic_irq *irq = vgic_irq(v, bank, first + i);
		bool one = (val >> i) & 1;

		/* SGI/PPI group and the set/clear registers act on 1 bits only, except IGROUPR
		 * which is a plain read/write register. */
		if (!irq || (!one && r != VGIC_BITS_GROUP))
			continue;
		bits_set(irq, r, one, who);
		vgic_update(v, irq);
		vgic_notify(v, irq, d);
	}
}

uint64_t vgic_prio_read(struct gz_vgic *v, unsigned bank, uint32_t intid, unsigned n)
{
	uint64_t val = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct gz_vgic_irq *irq = vgic_irq(v, bank, intid + i);

		if (irq)
			val |= (uint64_t)irq->priority << (8 * i);
	}
	return val;
}

void vgic_prio_write(struct gz_vgic *v, unsigned bank, uint32_t intid, unsigned n, uint64_t val,
		     struct vgic_defer *d)
{
	for (unsigned i = 0; i < n; i++) {
		struct gz_vgic_irq *irq = vgic_irq(v, bank, intid + i);

		if (!irq)
			continue;
		irq->priority = (uint8_t)(val >> (8 * i)) & v->pri_mask;
		vgic_notify(v, irq, d);
	}
}

uint32_t vgic_cfg_read(struct gz_vgic *v, unsigned bank, uint32_t first)
{
	uint32_t val = 0;

	for (unsigned i = 0; i < 16; i++) {
		const struct gz_vgic_irq *irq = vgic_irq(v, bank, first + i);

		if (irq && vgic_is_edge(irq))
			val |= ARCH_GIC_ICFGR_EDGE << (2 * i);
	}
	return val;
}

void vgic_cfg_write(struct gz_vgic *v, unsigned bank, uint32_t first, uint32_t val)
{
	/* SGIs are always edge and PPIs always level (read-only, as KVM does); only SPIs
	 * take the configuration. */
	if (first < ARCH_GIC_SPI_BASE)
		return;
	for (unsigned i = 0; i < 16; i++) {
		struct gz_vgic_irq *irq = vgic_irq(v, bank, first + i);

		if (!irq)
			continue;
		if ((val >> (2 * i)) & ARCH_GIC_ICFGR_EDGE)
			irq->flags |= GZ_VGIC_IRQ_EDGE;
		else
			irq->flags &= (uint8_t)~GZ_VGIC_IRQ_EDGE;
		vgic_update(v, irq);
	}
}

/* ---- injection ------------------------------------------------------------------------- */

int gz_vgic_inject(struct gz_vgic *vgic, unsigned vcpu, uint32_t intid, uint32_t level)
{
	struct vgic_defer d = {0};
	struct gz_vgic_irq *irq;
	uint8_t old;

	if (level > GZ_VGIC_PULSE)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&vgic->lock);
	irq = vgic_irq(vgic, vcpu, intid);
	if (!irq) {
		gz_hal_unlock(&vgic->lock);
		return GZ_ERR_INVALID_ARGS;
	}
	old = irq->flags;
	if (level == GZ_VGIC_LINE_LOW) {
		irq->flags &= (uint8_t)~GZ_VGIC_IRQ_LINE;
		/* A level interrupt that lost its line must leave the LR it sits in. */
		if (!vgic_is_edge(irq) && (irq->lr_state & GZ_VGIC_LRS_PENDING))
			vgic_defer_kick(&d, irq->lr_vcpu);
	} else {
		if (level == GZ_VGIC_LINE_HIGH)
			irq->flags |= GZ_VGIC_IRQ_LINE;
		/* Every raise of an edge-configured interrupt is one edge (irqfds never lower
		 * their line); a pulse latches whatever the configuration. */
		if (level == GZ_VGIC_PULSE || vgic_is_edge(irq))
			irq->flags |= GZ_VGIC_IRQ_LATCH;
		vgic_notify(vgic, irq, &d);
	}
	/* The virtual timer drives its line before and after every run, mostly unchanged. */
	if (irq->flags != old)
		vgic_update(vgic, irq);
	vgic_unlock_run(vgic, &d);
	return GZ_OK;
}

int gz_vgic_set_resample(struct gz_vgic *vgic, uint32_t intid, bool on)
{
	struct gz_vgic_irq *irq;

	if (intid < ARCH_GIC_SPI_BASE)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&vgic->lock);
	irq = vgic_irq(vgic, 0, intid);
	if (irq) {
		if (on)
			irq->flags |= GZ_VGIC_IRQ_RESAMPLE;
		else
			irq->flags &= (uint8_t)~GZ_VGIC_IRQ_RESAMPLE;
	}
	gz_hal_unlock(&vgic->lock);
	return irq ? GZ_OK : GZ_ERR_INVALID_ARGS;
}

/* ---- queries --------------------------------------------------------------------------- */

static bool vmcr_allows(const struct gz_vgic *v, uint64_t vmcr, const struct gz_vgic_irq *irq)
{
	uint64_t eng = irq->flags & GZ_VGIC_IRQ_GROUP1 ? ARCH_ICH_VMCR_ENG1 : ARCH_ICH_VMCR_ENG0;
	unsigned pmr = (unsigned)GZ_FIELD_GET(ARCH_ICH_VMCR_PMR, vmcr) & v->pri_mask;

	return (vmcr & eng) && irq->priority < pmr;
}

bool gz_vgic_vcpu_pending(struct gz_vgic *vgic, unsigned vcpu)
{
	bool found = false;

	gz_hal_lock(&vgic->lock);
	if (vgic_vcpu_ok(vgic, vcpu)) {
		uint64_t vmcr = vgic->cpu[vcpu].vmcr;
		const struct gz_vgic_irq *irq;

		for (uint32_t pos = 0; !found && (irq = vgic_next_busy(vgic, vcpu, &pos));)
			found = vgic_owner(irq) == vcpu && vgic_deliverable(vgic, irq) &&
				!(irq->flags & GZ_VGIC_IRQ_ACTIVE) && vmcr_allows(vgic, vmcr, irq);
	}
	gz_hal_unlock(&vgic->lock);
	return found;
}

int gz_vgic_irq_info(struct gz_vgic *vgic, unsigned vcpu, uint32_t intid,
		     struct gz_vgic_irq_info *info)
{
	const struct gz_vgic_irq *irq;

	gz_hal_lock(&vgic->lock);
	irq = vgic_irq(vgic, vcpu, intid);
	if (irq) {
		info->pending = vgic_pending_any(irq);
		info->active = irq->flags & GZ_VGIC_IRQ_ACTIVE;
		info->enabled = irq->flags & GZ_VGIC_IRQ_ENABLED;
		info->group1 = irq->flags & GZ_VGIC_IRQ_GROUP1;
		info->edge = vgic_is_edge(irq);
		info->line = irq->flags & GZ_VGIC_IRQ_LINE;
		info->priority = irq->priority;
		info->target = irq->target;
	}
	gz_hal_unlock(&vgic->lock);
	return irq ? GZ_OK : GZ_ERR_INVALID_ARGS;
}

unsigned gz_vgic_nr_lrs(const struct gz_vgic *vgic)
{
	return vgic->nr_lrs;
}
