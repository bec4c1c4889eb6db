/*
 * List-register allocation. Before a vCPU runs, gz_vgic_flush() chooses the interrupts it
 * should see (active ones first, then pending+enabled ones by priority, then INTID), writes
 * them into the LRs and arms the maintenance interrupts that bring the vCPU back when more
 * were waiting than LRs exist. After it stops, gz_vgic_sync() reads every LR back and folds
 * its state into the interrupt, so between two runs no interrupt lives in an LR: each flush
 * chooses afresh (see gzhyp/vgic.h for the protocol and the overflow rules).
 */
#include <arm64/ich.h>
#include <gzabi/status.h>
#include <gzhyp/vmid.h>
#include <gzhyp/vgic.h>

#include "vgic_priv.h"

/* Order key: active before pending, then lower priority value, then lower INTID. */
static uint32_t lr_key(const struct gz_vgic_irq *irq)
{
	return (irq->flags & GZ_VGIC_IRQ_ACTIVE ? 0u : 1u << 18) | (uint32_t)irq->priority << 10 |
	       irq->intid;
}

struct lr_pick {
	struct gz_vgic_irq *irq[GZ_ICH_MAX_LRS];
	uint32_t key[GZ_ICH_MAX_LRS];
	unsigned nr, max;
	unsigned candidates, active;
};

/* Keep the @max best candidates, sorted by key (insertion into a short array). */
static void pick(struct lr_pick *p, struct gz_vgic_irq *irq)
{
	uint32_t key = lr_key(irq);
	unsigned i;

	p->candidates++;
	if (irq->flags & GZ_VGIC_IRQ_ACTIVE)
		p->active++;
	if (p->nr == p->max && key >= p->key[p->nr - 1])
		return;
	i = p->nr < p->max ? p->nr++ : p->nr - 1;
	for (; i > 0 && p->key[i - 1] > key; i--) {
		p->key[i] = p->key[i - 1];
		p->irq[i] = p->irq[i - 1];
	}
	p->key[i] = key;
	p->irq[i] = irq;
}

/* @irq is busy (pending or active): is it one for @vcpu's LRs? */
static void consider(struct gz_vgic *v, struct lr_pick *p, struct gz_vgic_irq *irq, unsigned vcpu)
{
	if (irq->lr_vcpu != GZ_VGIC_NO_VCPU || vgic_owner(irq) != vcpu)
		return;
	if ((irq->flags & GZ_VGIC_IRQ_ACTIVE) || vgic_deliverable(v, irq))
		pick(p, irq);
}

/* Consider the busy interrupts of one summary word: bit i names base[i]. */
static void consider_word(struct gz_vgic *v, struct lr_pick *p, struct gz_vgic_irq *base,
			  uint32_t bits, unsigned vcpu)
{
	for (; bits; bits &= bits - 1)
		consider(v, p, &base[__builtin_ctz(bits)], vcpu);
}

/* @overflow: candidates were left out. Then an active interrupt goes in as active only, with
 * the EOI bit, its pending state staying here: were it pending+active, the guest's EOI would
 * turn it pending in the LR with no exit, and it would be taken before a higher-priority
 * interrupt waiting outside. With one LR every entry asks for the EOI exit. An active
 * level-sensitive interrupt also goes in active-only: its line can drop while the guest
 * runs (a guest reprogramming its virtual timer does not exit), and a pending copy in the
 * LR would then be taken once more after the EOI; the EOI exit resamples the line. */
static uint64_t make_lr(struct gz_vgic *v, struct gz_vgic_irq *irq, unsigned vcpu, bool overflow,
			bool one_lr)
{
	uint64_t lr = GZ_FIELD_PREP(ARCH_ICH_LR_VINTID, irq->intid) |
		      GZ_FIELD_PREP(ARCH_ICH_LR_PRIORITY, irq->priority);
	bool active = irq->flags & GZ_VGIC_IRQ_ACTIVE;
	uint8_t st = 0;

	if (irq->flags & GZ_VGIC_IRQ_GROUP1)
		lr |= ARCH_ICH_LR_GROUP;
	if (active) {
		lr |= ARCH_ICH_LR_ACTIVE;
		st |= GZ_VGIC_LRS_ACTIVE;
	}
	if (vgic_deliverable(v, irq) && !(active && (overflow || !vgic_is_edge(irq)))) {
		lr |= ARCH_ICH_LR_PENDING;
		st |= GZ_VGIC_LRS_PENDING;
		/* The latch moves into the LR; sync puts it back if the guest did not take it,
		 * so an edge arriving meanwhile is a new one. */
		if (irq->flags & GZ_VGIC_IRQ_LATCH) {
			st |= GZ_VGIC_LRS_LATCH;
			irq->flags &= (uint8_t)~GZ_VGIC_IRQ_LATCH;
			vgic_update(v, irq);
		}
	}
	/* Level interrupts come back at EOI to be resampled (re-pend while the line is high,
	 * notify a resample irqfd). */
	if (!vgic_is_edge(irq) || (overflow && (active || one_lr)))
		lr |= ARCH_ICH_LR_EOI;
	irq->lr_vcpu = (uint8_t)vcpu;
	irq->lr_state = st;
	irq->override = 0;
	return lr;
}

/* Physical CPUs whose LRs are known to be all invalid outside a flush/sync pair. A CPU's
 * LRs are UNKNOWN after reset, so its first flush writes every one; from then on each sync
 * clears the LRs its flush used. */
static bool lrs_clean[GZ_MAX_PCPUS];

/* The vCPU (gz_vgic_cpu.load_id, 0: none known) whose VMCR and active priorities each
 * physical CPU's interface holds as that vCPU's last sync left them. Only the flush and sync
 * write those registers, a guest changes them only while it runs between the two, and the
 * sync reads back whatever it can have changed: a vCPU entered again on the CPU it left,
 * with no other vCPU there in between, finds them as they were (its gz_vgic_cpu.loaded_on
 * says where they were left last). */
static uint64_t loaded[GZ_MAX_PCPUS];
static uint64_t last_load_id;

uint64_t vgic_new_load_id(void)
{
	return __atomic_add_fetch(&last_load_id, 1, __ATOMIC_RELAXED);
}

void gz_vgic_cpu_interface_reset(unsigned pcpu)
{
	if (pcpu >= GZ_MAX_PCPUS)
		return;
	lrs_clean[pcpu] = false;
	loaded[pcpu] = 0;
}

/* Are @cpu's VMCR and active priorities in this physical CPU's interface already? (The
 * values are compared too: whatever changes them between a sync and a flush is written.) */
static bool state_held(const struct gz_vgic *v, const struct gz_vgic_cpu *cpu, unsigned pcpu)
{
	if (pcpu >= GZ_MAX_PCPUS || loaded[pcpu] != cpu->load_id || cpu->loaded_on != pcpu ||
	    cpu->vmcr != cpu->held_vmcr)
		return false;
	for (unsigned i = 0; i < v->nr_apr; i++)
		if (cpu->ap0r[i] != cpu->held_ap0r[i] || cpu->ap1r[i] != cpu->held_ap1r[i])
			return false;
	return true;
}

/* The interface holds @cpu's VMCR and active priorities as they are now. */
static void state_hold(const struct gz_vgic *v, struct gz_vgic_cpu *cpu)
{
	cpu->held_vmcr = cpu->vmcr;
	for (unsigned i = 0; i < v->nr_apr; i++) {
		cpu->held_ap0r[i] = cpu->ap0r[i];
		cpu->held_ap1r[i] = cpu->ap1r[i];
	}
}

int gz_vgic_flush(struct gz_vgic *vgic, unsigned vcpu)
{
	struct lr_pick p;
	struct gz_vgic_cpu *cpu;
	uint64_t hcr = ARCH_ICH_HCR_EN;
	bool overflow, any_pending = false;
	unsigned pcpu;

	gz_hal_lock(&vgic->lock);
	if (!vgic_vcpu_ok(vgic, vcpu) || vgic->cpu[vcpu].hcr) {
		int ret = vgic_vcpu_ok(vgic, vcpu) ? GZ_ERR_BAD_STATE : GZ_ERR_INVALID_ARGS;

		gz_hal_unlock(&vgic->lock);
		return ret;
	}
	cpu = &vgic->cpu[vcpu];
	p.nr = 0;
	p.max = vgic->nr_lrs;
	p.candidates = 0;
	p.active = 0;
	/* Only interrupts that are pending or active can be candidates: the busy summaries
	 * name them, so the scan costs a few words when nothing is. */
	consider_word(vgic, &p, cpu->priv, cpu->busy, vcpu);
	for (unsigned w = 0; w < vgic->nr_spis / 32; w++)
		consider_word(vgic, &p, &vgic->spi[w * 32], vgic->spi_busy[w], vcpu);

	overflow = p.candidates > p.nr;
	for (unsigned i = 0; i < p.nr; i++) {
		uint64_t lr = make_lr(vgic, p.irq[i], vcpu, overflow, p.max == 1);

		/* NP fires while no LR is in the pending state; a pending+active LR does not
		 * count, so arming NPIE needs a purely pending one or it fires at once. */
		any_pending |= GZ_FIELD_GET(ARCH_ICH_LR_STATE, lr) == ARCH_ICH_LR_STATE_PENDING;
		cpu->lr[i] = lr;
		cpu->lr_intid[i] = p.irq[i]->intid;
		gz_hal_ich_write(GZ_ICH_LR(i), lr);
	}
	cpu->nr_lr_used = (uint8_t)p.nr;
	pcpu = gz_hal_cpu_id();
	if (pcpu >= GZ_MAX_PCPUS || !lrs_clean[pcpu]) {
		for (unsigned i = p.nr; i < GZ_ICH_MAX_LRS && i < vgic->nr_lrs; i++)
			gz_hal_ich_write(GZ_ICH_LR(i), 0);
		if (pcpu < GZ_MAX_PCPUS)
			lrs_clean[pcpu] = true;
	}
	if (overflow && any_pending)
		hcr |= ARCH_ICH_HCR_NPIE;
	if (overflow && p.max >= 2)
		hcr |= ARCH_ICH_HCR_UIE;
	if (p.active > p.nr)
		hcr |= ARCH_ICH_HCR_LRENPIE;
	cpu->apr_live = p.nr > 0;
	for (unsigned i = 0; i < vgic->nr_apr; i++)
		cpu->apr_live |= (cpu->ap0r[i] | cpu->ap1r[i]) != 0;
	if (!state_held(vgic, cpu, pcpu)) {
		for (unsigned i = 0; i < vgic->nr_apr; i++) {
			gz_hal_ich_write((enum gz_ich_reg)(GZ_ICH_AP0R0 + i), cpu->ap0r[i]);
			gz_hal_ich_write((enum gz_ich_reg)(GZ_ICH_AP1R0 + i), cpu->ap1r[i]);
		}
		gz_hal_ich_write(GZ_ICH_VMCR, cpu->vmcr);
		if (pcpu < GZ_MAX_PCPUS) {
			loaded[pcpu] = cpu->load_id;
			cpu->loaded_on = (uint8_t)pcpu;
			state_hold(vgic, cpu);
		}
	}
	/* Always written whole: its EOIcount may hold a guest's stray EOIs. */
	gz_hal_ich_write(GZ_ICH_HCR, hcr);
	cpu->hcr = hcr;
	gz_hal_unlock(&vgic->lock);
	return GZ_OK;
}

/* The guest deactivated @irq (EOI of an LR, or counted in EOIcount). */
static void deactivated(struct gz_vgic_irq *irq, struct vgic_defer *d)
{
	if (!vgic_is_edge(irq) && (irq->flags & GZ_VGIC_IRQ_RESAMPLE))
		vgic_defer_resample(d, irq->intid);
}

static void fold(struct gz_vgic *v, struct gz_vgic_irq *irq, unsigned vcpu, uint64_t lr,
		 struct vgic_defer *d)
{
	bool pend = lr & ARCH_ICH_LR_PENDING, act = lr & ARCH_ICH_LR_ACTIVE;
	uint8_t ovr = irq->override;

	if (ovr & GZ_VGIC_OVR_CLR_PEND)
		pend = false;
	if (pend && (irq->lr_state & GZ_VGIC_LRS_LATCH))
		irq->flags |= GZ_VGIC_IRQ_LATCH;
	if (!(lr & ARCH_ICH_LR_STATE) && irq->lr_state)
		deactivated(irq, d);
	if (ovr & GZ_VGIC_OVR_CLR_ACT)
		act = false;
	if (ovr & GZ_VGIC_OVR_SET_ACT)
		act = true;
	if (act) {
		irq->flags |= GZ_VGIC_IRQ_ACTIVE;
		irq->active_vcpu = (uint8_t)vcpu;
	} else {
		irq->flags &= (uint8_t)~GZ_VGIC_IRQ_ACTIVE;
	}
	irq->lr_vcpu = GZ_VGIC_NO_VCPU;
	irq->lr_state = 0;
	irq->override = 0;
	vgic_update(v, irq);
	/* Route or state may have moved it elsewhere while it sat in this LR. */
	if (vgic_deliverable(v, irq) && vgic_owner(irq) != vcpu)
		vgic_defer_kick(d, vgic_owner(irq));
}

/* The highest-priority interrupt active on @vcpu outside its LRs, or NULL: the one an
 * EOIcount step deactivates (acknowledged last). */
static struct gz_vgic_irq *active_outside(struct gz_vgic *v, unsigned vcpu)
{
	struct gz_vgic_irq *best = NULL, *irq;

	for (uint32_t pos = 0; (irq = vgic_next_busy(v, vcpu, &pos));) {
		if ((irq->flags & GZ_VGIC_IRQ_ACTIVE) && vgic_owner(irq) == vcpu &&
		    irq->lr_vcpu == GZ_VGIC_NO_VCPU && (!best || irq->priority < best->priority))
			best = irq;
	}
	return best;
}

/* EOIcount: the guest deactivated active interrupts that were not in an LR, highest
 * priority first (they were acknowledged last). */
static void eoi_count(struct gz_vgic *v, unsigned vcpu, unsigned count, struct vgic_defer *d)
{
	while (count--) {
		struct gz_vgic_irq *best = active_outside(v, vcpu);

		if (!best)
			return;
		best->flags &= (uint8_t)~GZ_VGIC_IRQ_ACTIVE;
		vgic_update(v, best);
		deactivated(best, d);
	}
}

int gz_vgic_sync(struct gz_vgic *vgic, unsigned vcpu)
{
	struct vgic_defer d = {0};
	struct gz_vgic_cpu *cpu;
	uint64_t hcr;

	gz_hal_lock(&vgic->lock);
	if (!vgic_vcpu_ok(vgic, vcpu) || !vgic->cpu[vcpu].hcr) {
		int ret = vgic_vcpu_ok(vgic, vcpu) ? GZ_ERR_BAD_STATE : GZ_ERR_INVALID_ARGS;

		gz_hal_unlock(&vgic->lock);
		return ret;
	}
	cpu = &vgic->cpu[vcpu];
	/* Active interrupts outside the LRs first, while the LR ones are still marked. With
	 * none, EOIcount has nothing to deactivate: ICH_HCR_EL2 is not read (every access to
	 * the CPU interface is costly under emulation; the next flush resets the count). */
	if (active_outside(vgic, vcpu)) {
		hcr = gz_hal_ich_read(GZ_ICH_HCR);
		eoi_count(vgic, vcpu, (unsigned)GZ_FIELD_GET(ARCH_ICH_HCR_EOICOUNT, hcr), &d);
	}
	for (unsigned i = 0; i < cpu->nr_lr_used; i++) {
		struct gz_vgic_irq *irq = vgic_irq(vgic, vcpu, cpu->lr_intid[i]);

		cpu->lr[i] = gz_hal_ich_read(GZ_ICH_LR(i));
		fold(vgic, irq, vcpu, cpu->lr[i], &d);
		gz_hal_ich_write(GZ_ICH_LR(i), 0);
	}
	/* The guest changes VMCR without an exit (ICC_PMR/BPR/IGRPEN/CTLR): always read. */
	cpu->vmcr = gz_hal_ich_read(GZ_ICH_VMCR);
	/* An active priority is set only by acknowledging an interrupt from a pending LR and
	 * cleared only by a priority drop; software may write back only the value it read or
	 * zero (GICv3, ICC_AP1R<n>_EL1: anything else is UNPREDICTABLE). With no LR and none
	 * set at the flush they are still zero: not read. */
	if (cpu->apr_live) {
		for (unsigned i = 0; i < vgic->nr_apr; i++) {
			cpu->ap0r[i] = gz_hal_ich_read((enum gz_ich_reg)(GZ_ICH_AP0R0 + i));
			cpu->ap1r[i] = gz_hal_ich_read((enum gz_ich_reg)(GZ_ICH_AP1R0 + i));
		}
	}
	state_hold(vgic, cpu);
	/* Maintenance interrupts armed by the flush must not fire while the host runs. En
	 * alone may stay: no LR is valid now, so nothing is signalled, and a host VM (IMO and
	 * FMO clear) reaches the physical CPU interface whatever it says; the next flush
	 * writes the register whole (and its EOIcount with it). */
	if (cpu->hcr != ARCH_ICH_HCR_EN)
		gz_hal_ich_write(GZ_ICH_HCR, 0);
	cpu->hcr = 0;
	vgic_unlock_run(vgic, &d);
	return GZ_OK;
}

const uint64_t *gz_vgic_lrs(const struct gz_vgic *vgic, unsigned vcpu, unsigned *nr)
{
	if (vcpu >= GZ_VGIC_MAX_VCPUS || !vgic->cpu[vcpu].present) {
		*nr = 0;
		return NULL;
	}
	*nr = vgic->cpu[vcpu].nr_lr_used;
	return vgic->cpu[vcpu].lr;
}
