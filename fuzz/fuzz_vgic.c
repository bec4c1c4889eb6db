/* Fuzz target: the vGIC. The input is a program of operations on one VM of 1-4 vCPUs and
 * 1-16 list registers: guest MMIO to the distributor and redistributor frames, injections
 * (lines, pulses, SGIs through ICC_SGI1R/ASGI1R/SGI0R, the virtual and the emulated physical
 * timer), vCPU entry/exit, and guest acknowledge/EOI through the model CPU interface
 * (tests/unit/vgic_model.h). Each
 * vCPU "runs" on its own simulated ICH register file; a kick or a maintenance condition makes
 * the running vCPU exit and re-enter at once, as hardware would. Invariants checked:
 *  - no interrupt in two valid LRs (the same file, or an SPI in two vCPUs' files), and every
 *    valid LR is one the vGIC believes it placed there;
 *  - priority order: an acknowledged interrupt has a priority no lower than any deliverable
 *    interrupt of that vCPU left outside the LRs;
 *  - the busy summaries (gz_vgic_cpu.busy, gz_vgic.spi_busy) equal a recomputation from
 *    every interrupt's state after each step: the flush and sync scan only what they name;
 *  - the physical timer's PPI 30 line is its output, and the deadline it leaves the HAL is
 *    exactly when that output goes up;
 *  - no edge lost: after a final drain (everything enabled, routed to a vCPU, lines low,
 *    actives cleared), every edge injected since its last acknowledge has been delivered and
 *    nothing is left pending. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arm64/gicv3.h>
#include <arm64/ich.h>
#include <gzabi/status.h>
#include <gzhyp/vgic.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vtimer.h>
#include "fake_hal.h"
#include "../tests/unit/vgic_model.h"

#define NR_SPIS	 64
#define NR_IRQS	 (ARCH_GIC_SPI_BASE + NR_SPIS)
#define MAX_VCPU 4
#define DIST	 0x08000000ULL
#define REDIST	 0x080a0000ULL

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v |= (uint64_t)(in->n ? *in->p : 0) << (8 * i);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

static struct gz_vgic vg;
static unsigned nv, nl;
static uint64_t file[MAX_VCPU][GZ_ICH_NR_REGS]; /* each vCPU's physical ICH registers */
static bool running[MAX_VCPU];
static bool owed[MAX_VCPU][NR_IRQS]; /* SPIs tracked in bank 0 */
static int acked[MAX_VCPU][64];
static unsigned nr_acked[MAX_VCPU];
static uint32_t kicks;
static struct gz_cpu_ctx tctx[MAX_VCPU];

static void kick(void *ctx, unsigned vcpu)
{
	(void)ctx;
	kicks |= 1u << vcpu;
}

static void resample(void *ctx, uint32_t intid)
{
	(void)ctx;
	if (intid < ARCH_GIC_SPI_BASE || intid >= NR_IRQS)
		abort();
}

static const struct gz_vgic_ops ops = {kick, resample};

static void load(unsigned v)
{
	for (unsigned r = 0; r < GZ_ICH_NR_REGS; r++)
		if (r != GZ_ICH_VTR)
			fake_hal_set_ich((enum gz_ich_reg)r, file[v][r]);
}

static void store(unsigned v)
{
	for (unsigned r = 0; r < GZ_ICH_NR_REGS; r++)
		file[v][r] = fake_hal_ich((enum gz_ich_reg)r);
}

static struct gz_vgic_irq *irq_of(unsigned v, uint32_t intid)
{
	return intid < ARCH_GIC_SPI_BASE ? &vg.cpu[v].priv[intid]
					 : &vg.spi[intid - ARCH_GIC_SPI_BASE];
}

static bool *owed_of(unsigned v, uint32_t intid)
{
	return &owed[intid < ARCH_GIC_SPI_BASE ? v : 0][intid];
}

static void check_files(void)
{
	for (unsigned v = 0; v < nv; v++) {
		if (!running[v])
			continue;
		load(v);
		if (!model_lrs_unique(nl))
			abort();
		for (unsigned i = 0; i < nl; i++) {
			uint64_t lr = file[v][GZ_ICH_LR(i)];
			uint32_t id = (uint32_t)GZ_FIELD_GET(ARCH_ICH_LR_VINTID, lr);

			if (model_lr_state(lr) == ARCH_ICH_LR_STATE_INVALID)
				continue;
			if (id >= NR_IRQS || irq_of(v, id)->lr_vcpu != v)
				abort();
			for (unsigned w = 0; w < nv && id >= ARCH_GIC_SPI_BASE; w++) {
				if (w == v || !running[w])
					continue;
				for (unsigned j = 0; j < nl; j++) {
					uint64_t o = file[w][GZ_ICH_LR(j)];

					if (model_lr_state(o) != ARCH_ICH_LR_STATE_INVALID &&
					    GZ_FIELD_GET(ARCH_ICH_LR_VINTID, o) == id)
						abort();
				}
			}
		}
	}
}

static void enter(unsigned v)
{
	load(v);
	if (gz_vgic_flush(&vg, v) != GZ_OK)
		abort();
	store(v);
	running[v] = true;
}

static void leave(unsigned v)
{
	load(v);
	if (gz_vgic_sync(&vg, v) != GZ_OK)
		abort();
	store(v);
	running[v] = false;
}

/* Active, or pending outside an LR (latch, or line when level-sensitive). */
static bool busy(const struct gz_vgic_irq *irq)
{
	return (irq->flags & (GZ_VGIC_IRQ_ACTIVE | GZ_VGIC_IRQ_LATCH)) ||
	       ((irq->flags & GZ_VGIC_IRQ_LINE) && !(irq->flags & GZ_VGIC_IRQ_EDGE));
}

static void check_summaries(void)
{
	for (unsigned v = 0; v < MAX_VCPU; v++) {
		uint32_t want = 0;

		for (uint32_t i = 0; i < GZ_VGIC_NR_PRIVATE && v < nv; i++)
			want |= (uint32_t)busy(&vg.cpu[v].priv[i]) << i;
		if (vg.cpu[v].busy != want)
			abort();
	}
	for (uint32_t w = 0; w < GZ_VGIC_MAX_SPIS / 32; w++) {
		uint32_t want = 0;

		for (uint32_t i = 0; i < 32 && w * 32 + i < NR_SPIS; i++)
			want |= (uint32_t)busy(&vg.spi[w * 32 + i]) << i;
		if (vg.spi_busy[w] != want)
			abort();
	}
}

/* Exits the hardware would take now: kicks, then maintenance interrupts, until quiet. */
static void settle(void)
{
	for (unsigned round = 0; round < 64; round++) {
		bool again = false;

		for (unsigned v = 0; v < nv; v++) {
			bool maint;

			if (!running[v])
				continue;
			load(v);
			maint = model_misr(nl) != 0;
			if ((kicks & (1u << v)) || maint) {
				kicks &= ~(1u << v);
				leave(v);
				enter(v);
				load(v);
				again |= model_misr(nl) != 0;
			}
		}
		check_files();
		check_summaries();
		/* Kicks to vCPUs that are not running only matter at their next entry. */
		for (unsigned v = 0; v < nv; v++)
			if (!running[v])
				kicks &= ~(1u << v);
		if (!again && !kicks)
			break;
		if (round == 63)
			abort(); /* exits forever: a maintenance storm */
	}
}

static bool deliverable(const struct gz_vgic_irq *irq)
{
	uint32_t grp =
	    irq->flags & GZ_VGIC_IRQ_GROUP1 ? ARCH_GICD_CTLR_ENABLE_G1 : ARCH_GICD_CTLR_ENABLE_G0;
	bool pending = (irq->flags & GZ_VGIC_IRQ_LATCH) ||
		       (!(irq->flags & GZ_VGIC_IRQ_EDGE) && (irq->flags & GZ_VGIC_IRQ_LINE));

	return pending && (irq->flags & GZ_VGIC_IRQ_ENABLED) && (vg.ctlr & grp);
}

static unsigned owner(const struct gz_vgic_irq *irq)
{
	if (irq->intid >= ARCH_GIC_SPI_BASE && (irq->flags & GZ_VGIC_IRQ_ACTIVE))
		return irq->active_vcpu;
	return irq->target;
}

static void guest_ack(unsigned v)
{
	int id;

	if (!running[v])
		return;
	load(v);
	id = model_ack(nl);
	store(v);
	if (id < 0)
		return;
	if (id >= NR_IRQS)
		abort();
	/* Priority order. */
	uint8_t prio = irq_of(v, (uint32_t)id)->priority;

	for (uint32_t i = 0; i < NR_IRQS; i++) {
		const struct gz_vgic_irq *irq = irq_of(v, i);

		if (irq->lr_vcpu == GZ_VGIC_NO_VCPU && owner(irq) == v &&
		    !(irq->flags & GZ_VGIC_IRQ_ACTIVE) && deliverable(irq) && irq->priority < prio)
			abort();
	}
	*owed_of(v, (uint32_t)id) = false;
	if (nr_acked[v] < 64)
		acked[v][nr_acked[v]++] = id;
}

static void guest_eoi(unsigned v)
{
	if (!running[v] || !nr_acked[v])
		return;
	load(v);
	model_eoi(nl, (uint32_t)acked[v][--nr_acked[v]]);
	store(v);
}

static bool pending_now(unsigned v, uint32_t intid)
{
	struct gz_vgic_irq_info info;

	return gz_vgic_irq_info(&vg, v, intid, &info) == GZ_OK && info.pending;
}

static void op_mmio(struct input *in)
{
	static const uint32_t bases[] = {
	    ARCH_GICD_CTLR,	  ARCH_GICD_IGROUPR, ARCH_GICD_ISENABLER,	ARCH_GICD_ICENABLER,
	    ARCH_GICD_ISPENDR,	  ARCH_GICD_ICPENDR, ARCH_GICD_ISACTIVER,	ARCH_GICD_ICACTIVER,
	    ARCH_GICD_IPRIORITYR, ARCH_GICD_ICFGR,   ARCH_GICD_IROUTER + 0x100, 0,
	};
	unsigned v = (unsigned)take(in, 1) % nv;
	unsigned sel = (unsigned)take(in, 1); /* [3:0] register, [5:4] frame, 6 anywhere, 7 write */
	unsigned idx = (unsigned)take(in, 2); /* [9:0] word in the register array, [15:12] bank */
	unsigned size = 1u << (take(in, 1) % 4);
	bool wr = sel & 0x80;
	uint64_t val = take(in, 8), ipa;
	unsigned frame = ((sel >> 4) & 3) % 3, bank = (idx >> 12) % nv;
	uint32_t off = bases[(sel & 0xf) % GZ_ARRAY_SIZE(bases)] + (idx & 0x3ff) * 4;
	int ret;

	if (frame == 0)
		ipa = DIST + (off & 0xffff);
	else
		ipa = REDIST + bank * ARCH_GICR_STRIDE + (frame == 2 ? ARCH_GICR_SGI_BASE : 0) +
		      (off & 0xffff);
	if (sel & 0x40) /* anywhere, including misaligned and outside */
		ipa = DIST - 0x20000 + (take(in, 3) & 0x3ffff) * 4 + (idx & 3);
	ret = gz_vgic_mmio(&vg, v, ipa, size, wr, &val);
	if (ret != GZ_OK && ret != GZ_VGIC_MMIO_NOT_MINE && ret != GZ_ERR_INVALID_ARGS)
		abort();
	if (!wr && ret == GZ_OK && size < 8 && (val >> (8 * size)))
		abort(); /* reads are zero-extended */
	/* A guest write to ICPENDR legitimately takes owed edges away (the bits written). */
	if (wr && ret == GZ_OK) {
		uint64_t d = ipa - DIST, r = ipa - REDIST;
		uint32_t bits = (uint32_t)val;

		for (unsigned b = 0; b < 32; b++) {
			if (!((bits >> b) & 1))
				continue;
			if (d >= ARCH_GICD_ICPENDR && d < ARCH_GICD_ICPENDR + 0x80) {
				uint32_t id = (uint32_t)(d - ARCH_GICD_ICPENDR) * 8 + b;

				if (id >= ARCH_GIC_SPI_BASE && id < NR_IRQS)
					*owed_of(0, id) = false;
			}
			if (r < nv * ARCH_GICR_STRIDE &&
			    r % ARCH_GICR_STRIDE == ARCH_GICR_SGI_BASE + ARCH_GICR_ICPENDR0)
				*owed_of((unsigned)(r / ARCH_GICR_STRIDE), b) = false;
		}
	}
}

static void op_inject(struct input *in)
{
	unsigned v = (unsigned)take(in, 1) % nv;
	uint32_t intid = (uint32_t)take(in, 1) % (NR_IRQS + 4); /* a few invalid ones */
	uint32_t level = (uint32_t)take(in, 1) % 4;
	bool edge_cfg = intid < NR_IRQS && (irq_of(v, intid)->flags & GZ_VGIC_IRQ_EDGE);
	int ret = gz_vgic_inject(&vg, v, intid, level);

	if ((intid >= NR_IRQS || level > GZ_VGIC_PULSE) != (ret != GZ_OK))
		abort();
	if (ret == GZ_OK && (level == GZ_VGIC_PULSE || (level == GZ_VGIC_LINE_HIGH && edge_cfg))) {
		if (!pending_now(v, intid))
			abort(); /* an edge always leaves the interrupt pending */
		*owed_of(v, intid) = true;
	}
}

static void op_sgi(struct input *in)
{
	unsigned v = (unsigned)take(in, 1) % nv;
	enum gz_vgic_sgi_reg which = (enum gz_vgic_sgi_reg)(take(in, 1) % 3);
	uint64_t val = take(in, 8);
	uint32_t intid = (uint32_t)GZ_FIELD_GET(ARCH_ICC_SGIR_INTID, val);
	bool before[MAX_VCPU];

	for (unsigned c = 0; c < nv; c++)
		before[c] = pending_now(c, intid);
	if (gz_vgic_sysreg_sgi(&vg, v, which, val) != GZ_OK)
		abort();
	for (unsigned c = 0; c < nv; c++)
		if (!before[c] && pending_now(c, intid))
			*owed_of(c, intid) = true;
}

/* The emulated physical timer (PPI 30) after one of its updates: the line is its output, and
 * the deadline it leaves the HAL is exactly the host count at which the output goes up (none
 * once it is up, masked, disabled, or beyond the counter's range). */
static void op_ptimer(struct input *in, unsigned v)
{
	struct gz_cpu_ctx *c = &tctx[v];
	struct gz_vgic_irq_info info;
	uint64_t now;

	c->cntp_ctl = take(in, 1) & 3;
	c->cntp_cval = take(in, 2);
	c->cntpoff = 0x100; /* counts below it wrap: far-future deadlines */
	fake_hal_set_cntpct(take(in, 2));
	now = gz_hal_cntpct();
	if (gz_ptimer_update(&vg, v, c) != GZ_OK ||
	    gz_vgic_irq_info(&vg, v, ARCH_GIC_PPI_PTIMER, &info) != GZ_OK)
		abort();
	if (info.line != gz_ptimer_asserted(c, now))
		abort();
	if (c->exit_at && (c->exit_at <= now || info.line || !gz_ptimer_asserted(c, c->exit_at) ||
			   gz_ptimer_asserted(c, c->exit_at - 1)))
		abort();
	if (!c->exit_at && !info.line && c->cntp_ctl == CNT_CTL_ENABLE &&
	    c->cntp_cval + c->cntpoff >= c->cntpoff)
		abort(); /* an armed timer that would never bring its vCPU back */
}

static void op_timer(struct input *in)
{
	unsigned sel = (unsigned)take(in, 1), v = sel % nv;

	if (sel & 0x80) {
		op_ptimer(in, v);
		return;
	}
	tctx[v].sys[GZ_SYS_CNTV_CTL_EL0] = take(in, 1) & 3;
	tctx[v].sys[GZ_SYS_CNTV_CVAL_EL0] = take(in, 2);
	fake_hal_set_cntpct(take(in, 2));
	if (gz_vtimer_update(&vg, v, &tctx[v]) != GZ_OK)
		abort();
	if (!!(tctx[v].sys[GZ_SYS_CNTV_CTL_EL0] & CNT_CTL_ISTATUS) !=
	    gz_vtimer_istatus(&tctx[v], gz_hal_cntpct()))
		abort();
}

/* Work left for @v: a deliverable interrupt it owns (ignoring the priority mask). */
static bool has_work(unsigned v)
{
	for (uint32_t i = 0; i < NR_IRQS; i++) {
		const struct gz_vgic_irq *irq = irq_of(v, i);

		if (owner(irq) == v && deliverable(irq))
			return true;
	}
	return false;
}

static void drain(void)
{
	uint64_t val;

	for (unsigned v = 0; v < nv; v++)
		if (running[v])
			leave(v);
	val = ARCH_GICD_CTLR_ENABLE_G0 | ARCH_GICD_CTLR_ENABLE_G1;
	gz_vgic_mmio(&vg, 0, DIST + ARCH_GICD_CTLR, 4, true, &val);
	for (uint32_t w = 1; w < NR_IRQS / 32; w++) {
		val = ~0u;
		gz_vgic_mmio(&vg, 0, DIST + ARCH_GICD_ISENABLER + w * 4, 4, true, &val);
		gz_vgic_mmio(&vg, 0, DIST + ARCH_GICD_ICACTIVER + w * 4, 4, true, &val);
	}
	for (uint32_t i = ARCH_GIC_SPI_BASE; i < NR_IRQS; i++) {
		val = 0;
		gz_vgic_mmio(&vg, 0, DIST + ARCH_GICD_IROUTER + i * 8, 8, true, &val);
		gz_vgic_inject(&vg, 0, i, GZ_VGIC_LINE_LOW);
	}
	for (unsigned v = 0; v < nv; v++) {
		val = ~0u;
		gz_vgic_mmio(&vg, v,
			     REDIST + v * ARCH_GICR_STRIDE + ARCH_GICR_SGI_BASE +
				 ARCH_GICR_ISENABLER0,
			     4, true, &val);
		gz_vgic_mmio(&vg, v,
			     REDIST + v * ARCH_GICR_STRIDE + ARCH_GICR_SGI_BASE +
				 ARCH_GICR_ICACTIVER0,
			     4, true, &val);
		for (uint32_t i = 0; i < GZ_VGIC_NR_PRIVATE; i++)
			gz_vgic_inject(&vg, v, i, GZ_VGIC_LINE_LOW);
		nr_acked[v] = 0;
		memset(file[v], 0, sizeof(file[v]));
	}
	kicks = 0;
	for (unsigned v = 0; v < nv; v++) {
		for (unsigned round = 0;; round++) {
			int id;

			if (round > 4 * NR_IRQS)
				abort(); /* the guest never settles */
			enter(v);
			while (!model_misr(nl) && (id = model_ack(nl)) >= 0) {
				*owed_of(v, (uint32_t)id) = false;
				model_eoi(nl, (uint32_t)id);
			}
			store(v);
			leave(v);
			kicks = 0;
			if (!has_work(v))
				break;
		}
	}
	for (unsigned v = 0; v < nv; v++)
		for (uint32_t i = 0; i < NR_IRQS; i++)
			if (*owed_of(v, i) || pending_now(v, i))
				abort(); /* an edge was lost, or something is stuck */
	check_summaries();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	uint64_t vmcr =
	    ARCH_ICH_VMCR_ENG0 | ARCH_ICH_VMCR_ENG1 | GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0xff);

	nl = (unsigned)take(&in, 1) % GZ_ICH_MAX_LRS + 1;
	nv = (unsigned)take(&in, 1) % MAX_VCPU + 1;
	fake_hal_reset(1 << 16, nl);
	memset(file, 0, sizeof(file));
	memset(running, 0, sizeof(running));
	memset(owed, 0, sizeof(owed));
	memset(nr_acked, 0, sizeof(nr_acked));
	memset(tctx, 0, sizeof(tctx));
	kicks = 0;
	if (gz_vgic_init(&vg, NR_SPIS, 1ULL << 40, &ops, NULL) != GZ_OK)
		abort();
	for (unsigned v = 0; v < nv; v++) {
		if (gz_vgic_vcpu_init(&vg, v, v) != GZ_OK)
			abort();
		vg.cpu[v].vmcr = vmcr;
	}
	if (gz_vgic_set_dist_base(&vg, DIST, 0) != GZ_OK ||
	    gz_vgic_set_redist_base(&vg, REDIST, ARCH_GICR_STRIDE) != GZ_OK)
		abort();

	for (unsigned steps = 0; in.n && steps < 2000; steps++) {
		switch (take(&in, 1) % 8) {
		case 0:
			op_mmio(&in);
			break;
		case 1:
		case 2:
			op_inject(&in);
			break;
		case 3:
			op_sgi(&in);
			break;
		case 4: {
			unsigned v = (unsigned)take(&in, 1) % nv;

			if (running[v])
				leave(v);
			else
				enter(v);
			break;
		}
		case 5:
			guest_ack((unsigned)take(&in, 1) % nv);
			break;
		case 6:
			guest_eoi((unsigned)take(&in, 1) % nv);
			break;
		default:
			op_timer(&in);
			break;
		}
		settle();
	}
	drain();
	return 0;
}
