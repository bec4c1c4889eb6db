/* Internals shared by the vGIC files: interrupt lookup and state predicates, the deferred
 * callbacks (kick / resample run after the lock is dropped), and the register-range table
 * walker the distributor and redistributor frames use. */
#ifndef GZ_VGIC_PRIV_H
#define GZ_VGIC_PRIV_H

#include <arm64/gicv3.h>
#include <gzhyp/vgic.h>

/* Callbacks collected under the lock, run after it is released. */
#define VGIC_MAX_RESAMPLE (GZ_ICH_MAX_LRS + 32)
struct vgic_defer {
	uint32_t kick; /* bit per vCPU */
	unsigned nr_resample;
	uint16_t resample[VGIC_MAX_RESAMPLE];
};

static inline void vgic_defer_kick(struct vgic_defer *d, unsigned vcpu)
{
	if (vcpu < GZ_VGIC_MAX_VCPUS)
		d->kick |= 1u << vcpu;
}

void vgic_defer_resample(struct vgic_defer *d, uint32_t intid);
/* Unlock @v and run the collected callbacks. */
void vgic_unlock_run(struct gz_vgic *v, struct vgic_defer *d);

/* A fresh gz_vgic_cpu.load_id (never 0, never reused). */
uint64_t vgic_new_load_id(void);

static inline bool vgic_vcpu_ok(const struct gz_vgic *v, unsigned vcpu)
{
	return vcpu < GZ_VGIC_MAX_VCPUS && v->cpu[vcpu].present;
}

/* The interrupt @intid as seen from bank @vcpu, or NULL when it does not exist. */
struct gz_vgic_irq *vgic_irq(struct gz_vgic *v, unsigned vcpu, uint32_t intid);

static inline bool vgic_is_edge(const struct gz_vgic_irq *irq)
{
	return irq->flags & GZ_VGIC_IRQ_EDGE;
}

/* Architectural pending state outside any LR: latch, or line for level-sensitive. */
static inline bool vgic_pending(const struct gz_vgic_irq *irq)
{
	return (irq->flags & GZ_VGIC_IRQ_LATCH) ||
	       (!vgic_is_edge(irq) && (irq->flags & GZ_VGIC_IRQ_LINE));
}

/* Pending state including a pending copy sitting in a running vCPU's LR. */
static inline bool vgic_pending_any(const struct gz_vgic_irq *irq)
{
	return vgic_pending(irq) ||
	       ((irq->lr_state & GZ_VGIC_LRS_PENDING) && !(irq->override & GZ_VGIC_OVR_CLR_PEND));
}

/* Active or pending outside any LR: the state the busy summaries record. */
static inline bool vgic_busy(const struct gz_vgic_irq *irq)
{
	return (irq->flags & (GZ_VGIC_IRQ_ACTIVE | GZ_VGIC_IRQ_LATCH)) ||
	       (irq->flags & (GZ_VGIC_IRQ_LINE | GZ_VGIC_IRQ_EDGE)) == GZ_VGIC_IRQ_LINE;
}

/* Bring @irq's bit in the busy summary (its bank's word, or the VM's SPI words) in line
 * with its state. Every change of ACTIVE, LATCH, LINE or EDGE calls it. SPI n is bit
 * n % 32 of word n / 32, and n % 32 == intid % 32. */
static inline void vgic_update(struct gz_vgic *v, const struct gz_vgic_irq *irq)
{
	uint32_t id = irq->intid;
	uint32_t *w = id < ARCH_GIC_SPI_BASE ? &v->cpu[irq->target].busy
					     : &v->spi_busy[(id - ARCH_GIC_SPI_BASE) / 32];
	uint32_t bit = 1u << (id % 32);

	*w = (*w & ~bit) | (bit & -(uint32_t)vgic_busy(irq));
}

/* The next busy interrupt seen from @vcpu (a registered vCPU) at INTID >= *pos: its own
 * private ones, then the SPIs, in INTID order; NULL when there is none. Advances *pos past
 * it. Word 0 is the bank's summary, word k >= 1 the SPI word k - 1, so INTIDs count on. */
static inline struct gz_vgic_irq *vgic_next_busy(struct gz_vgic *v, unsigned vcpu, uint32_t *pos)
{
	uint32_t nwords = 1 + v->nr_spis / 32, mask = ~0u << (*pos % 32);

	for (uint32_t w = *pos / 32; w < nwords; w++, mask = ~0u) {
		uint32_t bits = (w ? v->spi_busy[w - 1] : v->cpu[vcpu].busy) & mask, id;

		if (!bits)
			continue;
		id = w * 32 + (uint32_t)__builtin_ctz(bits);
		*pos = id + 1;
		return id < ARCH_GIC_SPI_BASE ? &v->cpu[vcpu].priv[id]
					      : &v->spi[id - ARCH_GIC_SPI_BASE];
	}
	return NULL;
}

/* Pending, enabled and its group enabled in GICD_CTLR: may be signalled to a vCPU. */
static inline bool vgic_deliverable(const struct gz_vgic *v, const struct gz_vgic_irq *irq)
{
	uint32_t grp = irq->flags & GZ_VGIC_IRQ_GROUP1 ? (uint32_t)ARCH_GICD_CTLR_ENABLE_G1
						       : (uint32_t)ARCH_GICD_CTLR_ENABLE_G0;

	return vgic_pending(irq) && (irq->flags & GZ_VGIC_IRQ_ENABLED) && (v->ctlr & grp);
}

/* The vCPU that should hold the interrupt: the bank for private ones; for SPIs the vCPU it
 * is active on, else its route target (GZ_VGIC_NO_VCPU when the route matches nobody). */
static inline unsigned vgic_owner(const struct gz_vgic_irq *irq)
{
	if (irq->intid >= ARCH_GIC_SPI_BASE && (irq->flags & GZ_VGIC_IRQ_ACTIVE))
		return irq->active_vcpu;
	return irq->target;
}
/* Resolve an SPI's route to a vCPU index (after IROUTER writes and vCPU registration). */
void vgic_resolve_route(struct gz_vgic *v, struct gz_vgic_irq *irq);
/* The interrupt changed state: kick whoever must notice (its owner when it can be
 * delivered, the vCPU whose LR holds it). */
void vgic_notify(struct gz_vgic *v, struct gz_vgic_irq *irq, struct vgic_defer *d);

/* ---- register arrays shared by GICD and the GICR SGI frame -------------------------- */

enum vgic_bits_reg {
	VGIC_BITS_GROUP,
	VGIC_BITS_SENABLE,
	VGIC_BITS_CENABLE,
	VGIC_BITS_SPEND,
	VGIC_BITS_CPEND,
	VGIC_BITS_SACTIVE,
	VGIC_BITS_CACTIVE,
};

/* 32 interrupts from @first (a multiple of 32) of bank @bank; @who is the accessing vCPU. */
uint32_t vgic_bits_read(struct gz_vgic *v, unsigned bank, uint32_t first, enum vgic_bits_reg r);
void vgic_bits_write(struct gz_vgic *v, unsigned bank, unsigned who, uint32_t first,
		     enum vgic_bits_reg r, uint32_t val, struct vgic_defer *d);
/* Priority bytes: @n bytes from @intid. */
uint64_t vgic_prio_read(struct gz_vgic *v, unsigned bank, uint32_t intid, unsigned n);
void vgic_prio_write(struct gz_vgic *v, unsigned bank, uint32_t intid, unsigned n, uint64_t val,
		     struct vgic_defer *d);
/* ICFGR word covering 16 interrupts from @first (a multiple of 16). */
uint32_t vgic_cfg_read(struct gz_vgic *v, unsigned bank, uint32_t first);
void vgic_cfg_write(struct gz_vgic *v, unsigned bank, uint32_t first, uint32_t val);

/* ---- register-range tables ------------------------------------------------------------ */

enum vgic_reg_kind {
	VGIC_R_RAZWI,
	VGIC_R_GICD_CTLR,
	VGIC_R_GICD_TYPER,
	VGIC_R_IIDR,
	VGIC_R_BITS, /* sub = enum vgic_bits_reg */
	VGIC_R_PRIO,
	VGIC_R_CFG,
	VGIC_R_IROUTER,
	VGIC_R_ID,
	VGIC_R_GICR_TYPER,
	VGIC_R_GICR_WAKER,
};

struct vgic_reg_range {
	uint32_t start, end; /* [start, end) in the frame */
	uint8_t widths;	     /* allowed access sizes, OR of 1/2/4/8 */
	uint8_t kind;	     /* enum vgic_reg_kind */
	uint8_t sub;
};

/* The range holding @off, or NULL (reserved: RAZ/WI at any width). */
const struct vgic_reg_range *vgic_find_range(const struct vgic_reg_range *t, size_t n,
					     uint32_t off);

#define VGIC_IIDR 0x4700043bu /* ProductID 'G', variant 0, revision 0, implementer 0x43b */

/* ID registers 0xffd0-0xfffc shared by both frames (PIDR2: GICv3, CIDR: the standard
 * component ID). */
uint32_t vgic_id_reg(uint32_t off);

/* The distributor register range holding @off, or NULL; a distributor frame access by
 * vCPU @who (vgic_dist.c). */
const struct vgic_reg_range *vgic_dist_range(uint32_t off);
int vgic_dist_access(struct gz_vgic *v, unsigned who, uint32_t off, unsigned size, bool wr,
		     uint64_t *val, struct vgic_defer *d);

/* Redistributor frames the guest sees now: one per registered vCPU, at most the number
 * CREATE_DEVICE placed. */
static inline uint64_t vgic_redist_frames(const struct gz_vgic *v)
{
	return v->redist_frames ? GZ_MIN(v->redist_frames, (uint64_t)v->nr_vcpus) : v->nr_vcpus;
}

/* The redistributor register range holding @off (within a 128 KiB frame), or NULL. */
const struct vgic_reg_range *vgic_redist_range(uint32_t off);
/* Redistributor frame access (vgic_redist.c); @off within the 128 KiB frame of @bank. */
int vgic_redist_access(struct gz_vgic *v, unsigned bank, unsigned who, uint32_t off, unsigned size,
		       bool wr, uint64_t *val, struct vgic_defer *d);

/* Value of an aligned @size-byte window at byte @shift of a 64-bit register, and the merge
 * of a write into it. */
static inline uint64_t vgic_win_read(uint64_t reg, unsigned shift, unsigned size)
{
	uint64_t v = reg >> (8 * shift);

	return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

static inline uint64_t vgic_win_write(uint64_t reg, unsigned shift, unsigned size, uint64_t val)
{
	uint64_t m = size == 8 ? ~0ULL : ((1ULL << (8 * size)) - 1) << (8 * shift);

	return (reg & ~m) | ((val << (8 * shift)) & m);
}

/* MPIDR affinity packed as Aff3.Aff2.Aff1.Aff0 (GICR_TYPER / routing form). */
uint32_t vgic_mpidr_aff(uint64_t mpidr);

#endif
