/*
 * The emulated GICv3 of a VM: distributor, one redistributor per vCPU, per-interrupt state,
 * the one injection path, and the list-register (LR) allocator that moves interrupts into the
 * GIC virtual CPU interface (ICH_*_EL2) before a vCPU runs and folds them back after it stops.
 *
 * The object is independent of the VM object that embeds it: the embedder (vm/vcpu code)
 * owns one struct gz_vgic per VM, registers its vCPUs with their MPIDRs and gives two
 * callbacks (kick, resample). Everything is protected by one lock inside the object; every
 * entry point takes it, so injections from host calls may race with running vCPUs. The
 * callbacks are always called with that lock released (they may call back into the vgic).
 *
 * Guest-visible model (see docs of each register in vgic_dist.c / vgic_redist.c):
 *  - affinity routing only (GICD_CTLR.ARE reads 1, writes ignored), a single security state
 *    (GICD_CTLR.DS reads 1): GICD_CTLR bit 0 enables Group 0, bit 1 enables Group 1;
 *  - interrupts reset to Group 1 (IGROUPR all ones, as Linux uses them), priority 0,
 *    disabled, level-sensitive (SGIs are edge and read-only, PPIs level and read-only);
 *  - no LPIs, no ITS, no 1-of-N SPI routing (GICD_TYPER.No1N = 1, IROUTER.IRM is RES0).
 *
 * LR protocol (what the simulator's model of the guest CPU interface relies on):
 *  - gz_vgic_flush() writes ICH_LR0.. ICH_LR<n-1> (n <= ICH_VTR_EL2.ListRegs + 1) with
 *    vINTID, priority, group, state (pending / active / pending+active), HW = 0, and the
 *    EOI-maintenance bit (arm64/ich.h ARCH_ICH_LR_EOI) for level-sensitive interrupts and
 *    whenever a refill on EOI is needed (the first flush on a physical CPU also writes 0
 *    into the LRs above n: their reset value is UNKNOWN); then ICH_AP0R<n>/ICH_AP1R<n> and
 *    ICH_VMCR_EL2 as the
 *    guest left them (unless the interface holds them still: the same vCPU synced last on
 *    this CPU); then ICH_HCR_EL2 with En = 1 and UIE / NPIE / LRENPIE as needed.
 *  - gz_vgic_sync() reads back those LRs and ICH_VMCR_EL2, the active-priority registers
 *    when an LR was used or one was set, and ICH_HCR_EL2.EOIcount when an interrupt is
 *    active outside the LRs (nothing else can change them); it writes 0 into every LR it
 *    used and ICH_HCR_EL2 = 0 when the flush armed maintenance (none fires while the host
 *    runs; En alone stays: with no valid LR it signals nothing).
 *  - An LR the guest acknowledged goes pending -> active; an EOI (EOImode 0) makes it
 *    invalid; an interrupt whose LR reads invalid after being written valid was deactivated.
 *
 * Overflow (more candidates than LRs): the highest-priority candidates are chosen (active
 * interrupts first, since the guest must be able to deactivate them, then pending ones by
 * priority value, then INTID). The others stay pending in the distributor state; the
 * maintenance interrupts bring the vCPU back for a refill: NPIE when at least one LR holds a
 * pending interrupt (fires when the guest took them all), UIE when n >= 2 (fires when at most
 * one LR is still valid), the per-LR EOI bit on active interrupts (written active only, their
 * pending state kept back, so a deactivation exits and the refill ranks it again) and on every
 * LR when n == 1, LRENPIE when active interrupts did not fit (an EOI of one of them then
 * counts in EOIcount). Every sync folds every LR and every
 * flush re-chooses from scratch, so an interrupt is never in two LRs, a higher-priority
 * injection displaces lower pending ones at the next entry, and nothing is lost.
 */
#ifndef GZ_VGIC_H
#define GZ_VGIC_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>
#include <arm64/gicv3.h>
#include <hal.h>

#define GZ_VGIC_MAX_VCPUS  8
#define GZ_VGIC_NR_SGIS	   16
#define GZ_VGIC_NR_PRIVATE 32 /* SGIs 0-15 and PPIs 16-31, per vCPU */
#define GZ_VGIC_MAX_SPIS   256
#define GZ_VGIC_MAX_INTID  (ARCH_GIC_SPI_BASE + GZ_VGIC_MAX_SPIS - 1)
#define GZ_VGIC_VTIMER_PPI 27 /* EL1 virtual timer */
#define GZ_VGIC_MAINT_PPI  25 /* maintenance interrupt (physical, to EL2) */

#define GZ_VGIC_BASE_UNSET (~(gz_ipa_t)0)

/* CREATE_DEVICE dev_type values (gzvm ABI). */
#define GZ_VGIC_DEV_DIST   0
#define GZ_VGIC_DEV_REDIST 1

/* gz_vgic_mmio_access() results besides GZ_OK (handled) and negative GZ_ERR_* (bad access:
 * the caller injects a synchronous external abort into the guest). */
#define GZ_VGIC_MMIO_NOT_MINE 1

/* gz_vgic_inject() level values. */
#define GZ_VGIC_LINE_LOW  0 /* drop the line (level-sensitive interrupts) */
#define GZ_VGIC_LINE_HIGH 1 /* raise the line; for an edge-configured interrupt: one edge */
#define GZ_VGIC_PULSE                                                                              \
	2 /* one edge whatever the configuration: latches pending until                            \
	   * the guest acknowledges it (irqfd without resample) */

/* Trapped guest SGI-generation registers (gz_vgic_sysreg_sgi). */
enum gz_vgic_sgi_reg {
	GZ_VGIC_SGI1R,	/* ICC_SGI1R_EL1: SGIs configured Group 1 on the target */
	GZ_VGIC_ASGI1R, /* ICC_ASGI1R_EL1: single security state: acts on Group 0 SGIs */
	GZ_VGIC_SGI0R,	/* ICC_SGI0R_EL1: SGIs configured Group 0 on the target */
};

/* Callbacks of the embedder. Called with the vgic lock released. */
struct gz_vgic_ops {
	/* An interrupt became pending for @vcpu (or its LRs became stale): wake it if it is
	 * idle on the host (GZVM_EXIT_IPI / idle protocol), or make it exit if it is running so
	 * that the next gz_vgic_flush() picks the change up. May be called for a vCPU that is
	 * neither (then it does nothing). */
	void (*kick)(void *ctx, unsigned vcpu);
	/* The guest deactivated level-sensitive interrupt @intid marked with
	 * gz_vgic_set_resample(): a level irqfd lowers its line and signals its resamplefd. */
	void (*resample)(void *ctx, uint32_t intid);
};

/* Per-interrupt flags (struct gz_vgic_irq.flags). */
#define GZ_VGIC_IRQ_ENABLED  GZ_BIT(0)
#define GZ_VGIC_IRQ_LATCH    GZ_BIT(1) /* pending latch (edge, ISPENDR, pulse) */
#define GZ_VGIC_IRQ_LINE     GZ_BIT(2) /* input line level (level-sensitive) */
#define GZ_VGIC_IRQ_ACTIVE   GZ_BIT(3)
#define GZ_VGIC_IRQ_GROUP1   GZ_BIT(4)
#define GZ_VGIC_IRQ_EDGE     GZ_BIT(5) /* ICFGR: edge-triggered */
#define GZ_VGIC_IRQ_RESAMPLE GZ_BIT(6) /* notify ops->resample on deactivation */

/* Guest changes made while the interrupt sits in a running vCPU's LR; applied at sync. */
#define GZ_VGIC_OVR_CLR_PEND GZ_BIT(0)
#define GZ_VGIC_OVR_CLR_ACT  GZ_BIT(1)
#define GZ_VGIC_OVR_SET_ACT  GZ_BIT(2)

#define GZ_VGIC_NO_VCPU 0xff

struct gz_vgic_irq {
	uint32_t route; /* SPIs: GICD_IROUTER affinity packed Aff3.Aff2.Aff1.Aff0 */
	uint16_t intid;
	uint8_t priority;    /* implemented bits only (ICH_VTR_EL2.PRIbits) */
	uint8_t flags;	     /* GZ_VGIC_IRQ_* */
	uint8_t target;	     /* SPIs: vCPU the route resolves to, or GZ_VGIC_NO_VCPU;
			      * private: the vCPU whose bank holds it */
	uint8_t active_vcpu; /* SPIs: vCPU it is active on (meaningful while ACTIVE) */
	uint8_t lr_vcpu;     /* vCPU whose LR holds it between flush and sync, or NO_VCPU */
	uint8_t lr_state;    /* GZ_VGIC_LRS_*: what the flush put into that LR */
	uint8_t override;    /* GZ_VGIC_OVR_* */
};

/* struct gz_vgic_irq.lr_state */
#define GZ_VGIC_LRS_PENDING GZ_BIT(0)
#define GZ_VGIC_LRS_ACTIVE  GZ_BIT(1)
#define GZ_VGIC_LRS_LATCH   GZ_BIT(2) /* the LR's pending state came from the latch */

/* Per-vCPU state: private interrupts, redistributor registers, the saved virtual CPU
 * interface (LRs as last written, VMCR, active priorities). */
struct gz_vgic_cpu {
	struct gz_vgic_irq priv[GZ_VGIC_NR_PRIVATE];
	uint64_t mpidr;
	bool present;
	bool sleep;	    /* GICR_WAKER.ProcessorSleep */
	uint8_t nr_lr_used; /* LRs written by the last flush */
	bool apr_live;	    /* the last flush used an LR or set an active priority */
	uint8_t loaded_on;  /* the physical CPU the last flush left VMCR and priorities on */
	uint64_t load_id;   /* this vCPU's name in the physical CPUs' interfaces (vgic_lr.c) */
	uint64_t held_vmcr; /* VMCR and active priorities as the interface on loaded_on holds */
	uint64_t held_ap0r[4], held_ap1r[4]; /* them for this vCPU (vgic_lr.c) */
	uint32_t busy; /* bit i: priv[i] is pending or active (see gz_vgic.spi_busy) */
	uint16_t lr_intid[GZ_ICH_MAX_LRS];
	uint64_t lr[GZ_ICH_MAX_LRS]; /* written by the last flush, read back by sync */
	uint64_t hcr;		     /* ICH_HCR_EL2 of the last flush; 0 once synced */
	uint64_t vmcr;		     /* ICH_VMCR_EL2 as the guest left it */
	uint64_t ap0r[4], ap1r[4];   /* ICH_AP0R<n>/AP1R<n> as the guest left them */
};

struct gz_vgic {
	gz_lock_t lock;
	const struct gz_vgic_ops *ops;
	void *ops_ctx;
	uint64_t ipa_limit;	/* IPAs are < ipa_limit */
	gz_ipa_t dist_base;	/* GZ_VGIC_BASE_UNSET until CREATE_DEVICE */
	gz_ipa_t redist_base;	/* GZ_VGIC_BASE_UNSET until CREATE_DEVICE */
	uint64_t redist_frames; /* 0: one frame per registered vCPU (crosvm passes the per-vCPU
				 * size); otherwise the region's size / frame size */
	uint32_t nr_spis;	/* multiple of 32, 0 .. GZ_VGIC_MAX_SPIS */
	uint32_t nr_vcpus;	/* highest registered vCPU index + 1 */
	uint32_t ctlr;		/* GICD_CTLR enable bits */
	uint8_t nr_lrs;		/* ICH_VTR_EL2.ListRegs + 1 */
	uint8_t nr_apr;		/* implemented ICH_AP{0,1}R<n> (from PREbits) */
	uint8_t pri_mask;	/* implemented priority bits (ICH_VTR_EL2.PRIbits) */
	struct gz_vgic_irq spi[GZ_VGIC_MAX_SPIS];
	/* Summary for the flush, sync and pending scans: bit n of word n / 32 is set exactly
	 * when spi[n] is active or architecturally pending (latch, or line when level). Kept
	 * by every state change, so an entry with nothing pending scans a few words. */
	uint32_t spi_busy[GZ_VGIC_MAX_SPIS / 32];
	struct gz_vgic_cpu cpu[GZ_VGIC_MAX_VCPUS];
};

/* ---- setup (vgic_dist.c) ---------------------------------------------------------------- */

/* Reset @vgic: @nr_spis SPIs (multiple of 32, at most GZ_VGIC_MAX_SPIS), guest IPAs below
 * @ipa_limit, no frames placed, no vCPUs. Reads ICH_VTR_EL2 for the number of LRs and
 * active-priority registers. GZ_ERR_INVALID_ARGS on a bad @nr_spis or @ipa_limit. */
int gz_vgic_init(struct gz_vgic *vgic, uint32_t nr_spis, uint64_t ipa_limit,
		 const struct gz_vgic_ops *ops, void *ops_ctx);
/* Register vCPU @vcpu (< GZ_VGIC_MAX_VCPUS) with its MPIDR_EL1 (affinity used for routing,
 * GICR_TYPER and SGI targets). Its redistributor is frame @vcpu of the redistributor region.
 * GZ_ERR_INVALID_ARGS for a bad index, GZ_ERR_ALREADY_EXISTS when registered twice or when
 * another vCPU has the same affinity. */
int gz_vgic_vcpu_init(struct gz_vgic *vgic, unsigned vcpu, uint64_t mpidr);
/* Place the distributor (CREATE_DEVICE dev_type 0): @base 64 KiB aligned, @size 0 or
 * ARCH_GICD_SIZE, inside the IPA space, no overlap with the redistributors.
 * GZ_ERR_INVALID_ARGS / GZ_ERR_OUT_OF_RANGE / GZ_ERR_ALREADY_EXISTS (placed twice). */
int gz_vgic_set_dist_base(struct gz_vgic *vgic, gz_ipa_t base, uint64_t size);
/* Place the redistributor region (dev_type 1): frame i (128 KiB) at @base + i * 128 KiB
 * serves vCPU i. @size 0 or ARCH_GICR_STRIDE (crosvm's per-vCPU size): as many
 * frames as vCPUs are registered; a larger multiple of the frame size: that many frames at
 * most. Same validation and errors as the distributor. */
int gz_vgic_set_redist_base(struct gz_vgic *vgic, gz_ipa_t base, uint64_t size);
/* CREATE_DEVICE: dev_type 0 or 1 as above; any other type is GZ_ERR_NOT_SUPPORTED. */
int gz_vgic_create_device(struct gz_vgic *vgic, uint32_t dev_type, gz_ipa_t addr, uint64_t size);

/* ---- guest MMIO (vgic_dist.c, vgic_redist.c) ------------------------------------------- */

/* Where a guest access lands in the vGIC: found once (gz_vgic_mmio_locate), performed
 * without looking again (gz_vgic_mmio_access). Frames never move once placed and only grow
 * in number, so a location stays valid. */
enum gz_vgic_frame {
	GZ_VGIC_FRAME_NONE, /* not the vGIC's */
	GZ_VGIC_FRAME_DIST,
	GZ_VGIC_FRAME_REDIST,
};

struct gz_vgic_loc {
	uint8_t frame;	  /* enum gz_vgic_frame */
	bool read_stable; /* a read here is one gz_vgic_mmio_access performs (GZ_OK) and whose
			   * value does not depend on list-register state (the pending and active
			   * bits do): what the exit fast path may serve while the guest's list
			   * registers are live */
	uint32_t off;	  /* from the distributor frame / from the first redistributor frame */
};

/* Where an access by vCPU @vcpu at @ipa of @size bytes lands. */
void gz_vgic_mmio_locate(struct gz_vgic *vgic, unsigned vcpu, gz_ipa_t ipa, unsigned size,
			 struct gz_vgic_loc *loc);
/* The access of @size bytes (1, 2, 4, 8) by vCPU @vcpu at @loc. For a write *val holds the
 * value; for a read it receives it (zero-extended). Returns GZ_OK when the access hit a vGIC
 * frame and was performed (reserved offsets are RAZ/WI), GZ_VGIC_MMIO_NOT_MINE outside every
 * frame, or GZ_ERR_INVALID_ARGS for an unregistered vCPU or an access the frames do not
 * support (misaligned, or a width the register does not allow): the caller injects an
 * abort. May call ops->kick. */
int gz_vgic_mmio_access(struct gz_vgic *vgic, unsigned vcpu, const struct gz_vgic_loc *loc,
			unsigned size, bool is_write, uint64_t *val);
/* Both in one call: the access by vCPU @vcpu at @ipa. */
int gz_vgic_mmio(struct gz_vgic *vgic, unsigned vcpu, gz_ipa_t ipa, unsigned size, bool is_write,
		 uint64_t *val);

/* ---- injection (vgic_irq.c) ------------------------------------------------------------- */

/* The one injection path: IRQ_LINE (SPI: intid = ARCH_GIC_SPI_BASE + index; PPI: typed form
 * with a target vCPU), irqfd, the virtual timer (PPI 27), SGIs. @vcpu selects the bank for
 * SGIs/PPIs and is ignored for SPIs (they follow GICD_IROUTER). @level is GZ_VGIC_LINE_LOW,
 * GZ_VGIC_LINE_HIGH or GZ_VGIC_PULSE. Kicks the vCPU that should now see the interrupt.
 * GZ_ERR_INVALID_ARGS for an unregistered vCPU (private interrupts), an INTID beyond the
 * configured SPIs or a bad level. */
int gz_vgic_inject(struct gz_vgic *vgic, unsigned vcpu, uint32_t intid, uint32_t level);
/* Mark SPI @intid as a level irqfd with resample: ops->resample is called when the guest
 * deactivates it. GZ_ERR_INVALID_ARGS for a non-SPI. */
int gz_vgic_set_resample(struct gz_vgic *vgic, uint32_t intid, bool on);
/* Trapped write of an SGI-generation register by @vcpu. GZ_ERR_INVALID_ARGS for a bad
 * vCPU or register; SGIs to affinities without a vCPU are dropped (as on hardware). */
int gz_vgic_sysreg_sgi(struct gz_vgic *vgic, unsigned vcpu, enum gz_vgic_sgi_reg which,
		       uint64_t value);

/* ---- queries ------------------------------------------------------------------------------ */

/* Does @vcpu have an interrupt the guest would take (pending, enabled, group enabled in
 * GICD_CTLR and in its VMCR, priority below the VMCR priority mask)? Used to decide whether
 * a WFI may idle. False for a bad vCPU. */
bool gz_vgic_vcpu_pending(struct gz_vgic *vgic, unsigned vcpu);
/* Snapshot of one interrupt (for tests, hwstate and debugging). GZ_ERR_INVALID_ARGS for a
 * bad vCPU/INTID. *pending is the architectural pending state (latch, or line for level). */
struct gz_vgic_irq_info {
	bool pending, active, enabled, group1, edge, line;
	uint8_t priority;
	uint8_t target; /* SPIs: resolved vCPU or GZ_VGIC_NO_VCPU; private: the bank */
};
int gz_vgic_irq_info(struct gz_vgic *vgic, unsigned vcpu, uint32_t intid,
		     struct gz_vgic_irq_info *info);
/* Number of list registers in use (ICH_VTR_EL2.ListRegs + 1, at most GZ_ICH_MAX_LRS). */
unsigned gz_vgic_nr_lrs(const struct gz_vgic *vgic);

/* ---- list registers (vgic_lr.c) ---------------------------------------------------------- */

/* Before entering @vcpu on this physical CPU: program the LRs, active priorities, VMCR and
 * ICH_HCR_EL2 (protocol above; the active priorities and VMCR only when the interface does
 * not hold them as @vcpu's last sync on this CPU left them). GZ_ERR_INVALID_ARGS for an
 * unregistered vCPU. */
int gz_vgic_flush(struct gz_vgic *vgic, unsigned vcpu);
/* After @vcpu stopped on this physical CPU: fold every LR back, save VMCR and active
 * priorities, clear the interface. Level interrupts whose line is still high are pending
 * again after their EOI; resample notifications and kicks go out after the lock is dropped.
 * GZ_ERR_INVALID_ARGS for an unregistered vCPU; GZ_ERR_BAD_STATE if no flush preceded. */
int gz_vgic_sync(struct gz_vgic *vgic, unsigned vcpu);
/* The LRs of @vcpu's last run (hwstate.lr copy): as the flush wrote them, replaced by the
 * values read back once synced; *nr gets the count (0 and NULL for a bad vCPU). */
const uint64_t *gz_vgic_lrs(const struct gz_vgic *vgic, unsigned vcpu, unsigned *nr);
/* Physical CPU @pcpu came out of reset (boot, or a CPU_ON after CPU_OFF): its interface's
 * LRs, VMCR and active priorities are UNKNOWN, and its next flush writes them all. */
void gz_vgic_cpu_interface_reset(unsigned pcpu);

#endif
