/*
 * gz_hal_vcpu_run on real registers, the C half of the world switch: check the context the
 * core built, load the EL1 system registers, the EL2 configuration of the VM (HCR_EL2,
 * VTTBR_EL2/VTCR_EL2, VMPIDR_EL2/VPIDR_EL2, CNTVOFF_EL2, CNTHCTL_EL2) and the virtual
 * timer, arm the EL2 timer for the deadline of the core's emulated timer, enter through
 * switch.S and, on the way back, save the guest and describe the exit.
 * Synchronous traps the core completes from the registers alone (gz_exit_fast) are served
 * in the trap path without any of this: the vectors save the guest's registers into its
 * context once, and the fast path works on them there.
 * The GIC list registers are not touched here: the core writes them (gz_hal_ich_write)
 * before the run and reads them back after it on this same CPU.
 */
#include <hal.h>
#include <gzhyp/exit.h>
#include <gzhyp/vgic.h>
#include <gzabi/status.h>
#include <arm64/traps.h>

#include "el2.h"

_Static_assert(__builtin_offsetof(struct gz_cpu_ctx, x) == 0, "ctx x0");
_Static_assert(__builtin_offsetof(struct gz_cpu_ctx, pc) == GZ_CTX_PC, "ctx pc");
_Static_assert(__builtin_offsetof(struct gz_cpu_ctx, pstate) == GZ_CTX_PC + 8, "ctx pstate");
_Static_assert(__builtin_offsetof(struct gz_el2_percpu, guest) == GZ_PERCPU_GUEST, "guest");
_Static_assert(__builtin_offsetof(struct gz_cpu_ctx, fp) == GZ_CTX_FP, "ctx fp");
_Static_assert(__builtin_offsetof(struct gz_fpsimd, fpsr) == GZ_FP_FPSR, "fpsr");
_Static_assert(__builtin_offsetof(struct gz_fpsimd, fpcr) == GZ_FP_FPCR, "fpcr");

/* X(index, register): the EL1/EL0 context of struct gz_cpu_ctx sys[], minus the virtual timer
 * (loaded after CNTVOFF_EL2, see below). */
#define EL1_SYSREGS(X)                                                                             \
	X(GZ_SYS_SCTLR_EL1, sctlr_el1)                                                             \
	X(GZ_SYS_ACTLR_EL1, actlr_el1)                                                             \
	X(GZ_SYS_CPACR_EL1, cpacr_el1)                                                             \
	X(GZ_SYS_TTBR0_EL1, ttbr0_el1)                                                             \
	X(GZ_SYS_TTBR1_EL1, ttbr1_el1)                                                             \
	X(GZ_SYS_TCR_EL1, tcr_el1)                                                                 \
	X(GZ_SYS_ESR_EL1, esr_el1)                                                                 \
	X(GZ_SYS_AFSR0_EL1, afsr0_el1)                                                             \
	X(GZ_SYS_AFSR1_EL1, afsr1_el1)                                                             \
	X(GZ_SYS_FAR_EL1, far_el1)                                                                 \
	X(GZ_SYS_MAIR_EL1, mair_el1)                                                               \
	X(GZ_SYS_AMAIR_EL1, amair_el1)                                                             \
	X(GZ_SYS_VBAR_EL1, vbar_el1)                                                               \
	X(GZ_SYS_CONTEXTIDR_EL1, contextidr_el1)                                                   \
	X(GZ_SYS_TPIDR_EL0, tpidr_el0)                                                             \
	X(GZ_SYS_TPIDRRO_EL0, tpidrro_el0)                                                         \
	X(GZ_SYS_TPIDR_EL1, tpidr_el1)                                                             \
	X(GZ_SYS_PAR_EL1, par_el1)                                                                 \
	X(GZ_SYS_CNTKCTL_EL1, cntkctl_el1)                                                         \
	X(GZ_SYS_CSSELR_EL1, csselr_el1)                                                           \
	X(GZ_SYS_MDSCR_EL1, mdscr_el1)

static void el1_sys_save(uint64_t *sys)
{
#define SAVE(i, r) sys[i] = gz_sysreg_read(r);
	EL1_SYSREGS(SAVE)
#undef SAVE
}

/* Write a register only when its value changes. A guest re-entered after an exit the core
 * finished finds its own values still there, and many of these writes are expensive (under
 * QEMU's TCG a write of SCTLR/TTBR/TCR/HCR/VTTBR flushes the emulated TLB). */
#define SET(r, val)                                                                                \
	do {                                                                                       \
		uint64_t v_ = (val);                                                               \
		if (gz_sysreg_read(r) != v_)                                                       \
			gz_sysreg_write(r, v_);                                                    \
	} while (0)

static void el1_sys_load(const uint64_t *sys)
{
#define LOAD(i, r) SET(r, sys[i]);
	EL1_SYSREGS(LOAD)
#undef LOAD
}

struct gz_el2_percpu *gz_el2_this_cpu(void)
{
	return (struct gz_el2_percpu *)(uintptr_t)gz_sysreg_read(tpidr_el2);
}

static bool ctx_ok(const struct gz_cpu_ctx *c)
{
	/* SPSR_EL2.M[4:0] a guest may be entered in: AArch64 EL0t, EL1t, EL1h. */
	uint64_t m = c->pstate & PSR_MODE_MASK;

	if (m != PSR_MODE_EL0t && m != PSR_MODE_EL1t && m != PSR_MODE_EL1h)
		return false; /* EL2 modes and AArch32 are never entered */
	if ((c->hcr_el2 & (HCR_VM | HCR_RW)) != (HCR_VM | HCR_RW) ||
	    (c->hcr_el2 & HCR_EL2_GUEST_FORBIDDEN))
		return false; /* a guest always runs under its stage 2, AArch64 at EL1 */
	if (c->cnthctl_el2 & ~CNTHCTL_GUEST_ALLOWED)
		return false; /* the CPU's physical timer is never a guest's */
	return (c->vttbr_el2 & ((1UL << VTTBR_VMID_SHIFT) - 1)) != 0; /* a stage-2 root */
}

/* Offer a synchronous trap to the core's fast path (gzhyp/exit.h) with the guest still
 * loaded: on success the vectors ERET into the guest from its context. */
static bool fast_exit(struct gz_cpu_ctx *c, const struct gz_exit_record *rec)
{
	c->sys[GZ_SYS_SCTLR_EL1] = gz_sysreg_read(sctlr_el1); /* MMIO endianness */
	return gz_exit_fast(c, rec);
}

void gz_el2_guest_trap(struct gz_cpu_ctx *c, unsigned slot)
{
	struct gz_el2_percpu *pc = gz_el2_this_cpu();
	struct gz_exit_record rec = {
	    .kind = GZ_EXIT_KIND_SYNC,
	    .esr = gz_sysreg_read(esr_el2),
	    .far = gz_sysreg_read(far_el2),
	    .hpfar = gz_sysreg_read(hpfar_el2),
	};

	if (slot == GZ_VEC_LOW64_SYNC && c->fast_exits && fast_exit(c, &rec))
		return;
	pc->exit_slot = slot;
	pc->exit_esr = rec.esr;
	pc->exit_far = rec.far;
	pc->exit_hpfar = rec.hpfar;
	gz_el2_leave_guest(&pc->host, slot, &c->fp);
}

/* MDCR_EL2.HPMN: every counter belongs to EL1 (the host VM's PMU is its own). */
static uint64_t hpmn;

void gz_el2_vcpu_init_cpu(void)
{
	hpmn = (gz_sysreg_read(pmcr_el0) >> PMCR_EL0_N_SHIFT) & PMCR_EL0_N_MASK;
	gz_sysreg_write(mdcr_el2, hpmn);
	gz_sysreg_write(cptr_el2, CPTR_GUEST);
	gz_sysreg_write(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
	gz_sysreg_write(hcr_el2, HCR_EL2_HOST);
	gz_sysreg_write(vttbr_el2, 0);
	__asm__ volatile("isb");
	gz_vgic_cpu_interface_reset(gz_hal_cpu_id());
}

/* The context's virtual timer in. A timer that is off is turned off before its compare value
 * changes, one that is on only after: under emulation a compare value written to an enabled
 * timer reprograms a host timer. Only what differs is written (ISTATUS is read-only). */
static void vtimer_load(uint64_t ctl, uint64_t cval)
{
	const uint64_t rw = CNT_CTL_ENABLE | CNT_CTL_IMASK;
	bool ctl_differs = (gz_sysreg_read(cntv_ctl_el0) & rw) != (ctl & rw);

	if (!(ctl & CNT_CTL_ENABLE) && ctl_differs) {
		gz_sysreg_write(cntv_ctl_el0, ctl & rw);
		ctl_differs = false;
	}
	SET(cntv_cval_el0, cval);
	if (ctl_differs)
		gz_sysreg_write(cntv_ctl_el0, ctl & rw);
}

/* The guest's timer output is high now (the core has made it a virtual interrupt). */
static bool vtimer_asserted(const struct gz_cpu_ctx *c)
{
	uint64_t ctl = c->sys[GZ_SYS_CNTV_CTL_EL0];

	return (ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK) &&
	       gz_hal_cntpct() - c->cntvoff_el2 >= c->sys[GZ_SYS_CNTV_CVAL_EL0];
}

/* The deadline of the timer the core emulates (c->exit_at) on the EL2 timer: armed for the
 * run unless that fires earlier already (the test mode's slice, a host VM's own deadline
 * during its RUN; PPI 26 is enabled with the guest's PPIs, gz_el2_gic_guest_enter); the
 * previous setting comes back after the run. */
struct exit_at_tick {
	bool armed;
	uint64_t ctl, cval; /* the EL2 timer before */
};

/* Will the EL2 timer interrupt at its deadline (enabled, not masked)? */
static bool tick_live(uint64_t ctl)
{
	return (ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) == CNT_CTL_ENABLE;
}

static void exit_at_arm(const struct gz_cpu_ctx *c, struct exit_at_tick *t)
{
	t->armed = false;
	if (!c->exit_at)
		return;
	t->ctl = gz_sysreg_read(cnthp_ctl_el2);
	t->cval = gz_sysreg_read(cnthp_cval_el2);
	if (tick_live(t->ctl) && t->cval <= c->exit_at)
		return;
	gz_el2_tick_arm_at(c->exit_at);
	t->armed = true;
}

/* The EL2 timer fired for the core's deadline only (not for the setting it displaced). */
static bool exit_at_fired(const struct gz_cpu_ctx *c, const struct exit_at_tick *t)
{
	uint64_t now = gz_hal_cntpct();

	return t->armed && now >= c->exit_at && !(tick_live(t->ctl) && now >= t->cval);
}

static void exit_at_restore(const struct exit_at_tick *t)
{
	if (t->armed)
		gz_el2_tick_restore(t->ctl, t->cval);
}

static enum gz_exit_kind slot_kind(unsigned slot)
{
	switch (slot) {
	case GZ_VEC_LOW64_IRQ:
	case GZ_VEC_LOW64_FIQ:
	case GZ_VEC_LOW32_IRQ:
	case GZ_VEC_LOW32_FIQ:
		return GZ_EXIT_KIND_IRQ;
	case GZ_VEC_LOW64_SERR:
	case GZ_VEC_LOW32_SERR:
		return GZ_EXIT_KIND_SERROR;
	default:
		return GZ_EXIT_KIND_SYNC;
	}
}

int gz_hal_vcpu_run(struct gz_cpu_ctx *c, struct gz_exit_record *exit)
{
	struct gz_el2_percpu *pc = gz_el2_this_cpu();
	uint64_t daif = gz_sysreg_read(daif) & PSR_DAIF;
	struct exit_at_tick tick = {.armed = false};
	bool owns_irqs, debug, kicked;
	unsigned slot;

	exit->esr = exit->far = exit->hpfar = 0;
	if (!pc || pc->guest)
		gz_hal_panic("vcpu_run: no per-CPU data, or a guest already loaded");
	if (!ctx_ok(c)) {
		exit->kind = GZ_EXIT_KIND_FAIL_ENTRY;
		return GZ_ERR_INVALID_ARGS;
	}
	if (daif != PSR_DAIF) /* gzhyp runs with everything masked: usually nothing to do */
		__asm__ volatile("msr daifset, #" GZ_STR(DAIFSET_ALL));
	if (!(c->hcr_el2 & HCR_IMO))
		pc->kick_wait_cpu = 0; /* the host VM's kicks (IRQ_LINE) are not waited for */

	/* The vCPU's EL1 context in. gzhyp runs at EL2 only and has no EL1 or FP/SIMD state of
	 * its own: whatever the previous context left there is simply overwritten, and a
	 * vCPU that comes straight back finds most of its registers unchanged. */
	el1_sys_load(c->sys);
	SET(sp_el0, c->sp_el0);
	SET(sp_el1, c->sp_el1);
	SET(elr_el1, c->elr_el1);
	SET(spsr_el1, c->spsr_el1);

	/* The VM's EL2 configuration. The virtual timer is loaded after its offset so it never
	 * compares against a stale CNTVOFF_EL2. A zero VPIDR means "the physical MIDR". */
	SET(vttbr_el2, c->vttbr_el2);
	SET(vtcr_el2, c->vtcr_el2);
	SET(vmpidr_el2, c->vmpidr_el2);
	SET(vpidr_el2, c->vpidr_el2 ? c->vpidr_el2 : gz_sysreg_read(midr_el1));
	SET(cntvoff_el2, c->cntvoff_el2);
	SET(cnthctl_el2, c->cnthctl_el2); /* the physical timer traps, the counter may */
	SET(mdcr_el2, (c->mdcr_el2 & ~MDCR_EL2_HPMN) | hpmn); /* the core's traps */
	vtimer_load(c->sys[GZ_SYS_CNTV_CTL_EL0], c->sys[GZ_SYS_CNTV_CVAL_EL0]);
	/* A guest (IMO set) must not see its own timer line twice; the host VM (IMO clear)
	 * owns the physical interrupts and its timer stays live across its exits. */
	owns_irqs = !(c->hcr_el2 & HCR_IMO);
	if (!owns_irqs) {
		gz_el2_gic_vtimer_gate(!vtimer_asserted(c));
		gz_el2_gic_guest_enter();
	} else {
		gz_el2_gic_host_enter();
	}
	pc->irq_consumed = false;
	debug = gz_el2_debug_enter(c, &pc->debug_save);
	SET(hcr_el2, c->hcr_el2);
	gz_sysreg_write(elr_el2, c->pc);
	gz_sysreg_write(spsr_el2, c->pstate);
	__asm__ volatile("isb");

	/* The test mode's slice starts with the guest, not before its entry: when this CPU is
	 * stalled (an emulator's thread descheduled on a loaded machine, spinning on a lock
	 * whose holder is) the entry can outlast a slice, and a tick armed before it would stop
	 * the guest before its first instruction, every time. */
	if (pc->entry_slice) {
		gz_el2_tick_arm(pc->entry_slice);
		pc->entry_slice = 0;
	}
	exit_at_arm(c, &tick);
	__atomic_store_n(&pc->guest, c, __ATOMIC_SEQ_CST);
	__atomic_store_n(&pc->entries, pc->entries + 1, __ATOMIC_RELAXED);
	/* A kick that came before the store above sent no SGI and the flush may have missed its
	 * interrupt (hal.h): no entry, an IRQ exit the core re-enters from at once. */
	kicked = gz_hal_ctx_kicked(c);
	slot = kicked ? GZ_VEC_LOW64_IRQ : gz_el2_enter_guest(&pc->host, c);
	__atomic_store_n(&pc->guest, NULL, __ATOMIC_SEQ_CST); /* kick senders look at it */

	/* Back at EL2, HCR_EL2 stays the context's: its traps and routing only apply to EL1/EL0,
	 * which do not run until the next entry loads its own (a vCPU re-entered keeps it, and
	 * every write of it is costly under emulation), and gzhyp at EL2 runs with interrupts
	 * masked and reads the physical lines in ISR_EL1 whatever IMO says. */
	c->sys[GZ_SYS_CNTV_CTL_EL0] = gz_sysreg_read(cntv_ctl_el0);
	c->sys[GZ_SYS_CNTV_CVAL_EL0] = gz_sysreg_read(cntv_cval_el0);
	/* A guest's timer must not interrupt the host: its line drops with ENABLE = 0; PPI 27
	 * is the host's timer interrupt again (a host VM's own timer uses it too). */
	if (!owns_irqs) {
		/* Which interrupt it was, before the timer's line drops with it. */
		if (kicked)
			pc->irq_consumed = true;
		else if (slot_kind(slot) == GZ_EXIT_KIND_IRQ)
			pc->irq_consumed =
			    gz_el2_gic_irq_consume(vtimer_asserted(c), exit_at_fired(c, &tick));
		pc->irqs_consumed += pc->irq_consumed;
		gz_el2_gic_guest_leave();
		SET(cntv_ctl_el0, 0);
		gz_el2_gic_vtimer_gate(true);
	}
	if (debug)
		gz_el2_debug_leave(c, &pc->debug_save);
	exit_at_restore(&tick);
	el1_sys_save(c->sys);
	c->sp_el0 = gz_sysreg_read(sp_el0);
	c->sp_el1 = gz_sysreg_read(sp_el1);
	c->elr_el1 = gz_sysreg_read(elr_el1);
	c->spsr_el1 = gz_sysreg_read(spsr_el1);
	__asm__ volatile("isb");
	if (daif != PSR_DAIF)
		gz_sysreg_write(daif, daif);

	exit->kind = slot_kind(slot);
	if (exit->kind == GZ_EXIT_KIND_SYNC || exit->kind == GZ_EXIT_KIND_SERROR) {
		exit->esr = pc->exit_esr;
		exit->far = pc->exit_far;
		exit->hpfar = pc->exit_hpfar;
	}
	return GZ_OK;
}

bool gz_hal_vcpu_irq_consumed(void)
{
	struct gz_el2_percpu *pc = gz_el2_this_cpu();

	return pc && pc->irq_consumed;
}

void gz_hal_vcpu_kick(const struct gz_cpu_ctx *ctx)
{
	gz_el2_gic_kick(ctx);
}

void gz_hal_vcpu_kick_settle(void)
{
	gz_el2_gic_kick_settle();
}
