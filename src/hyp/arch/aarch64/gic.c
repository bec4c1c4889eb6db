/*
 * The physical GICv3 as gzhyp uses it when it is the host itself (test mode): distributor
 * with affinity routing and group 1 on, this CPU's redistributor awake, the CPU interface
 * through system registers (ICC_SRE_EL2 also lets guests use ICC_*_EL1, which HCR_EL2.IMO
 * turns into the virtual interface). Three PPIs matter: 26, the EL2 physical timer that
 * preempts a running guest (the tick); 27, a guest's virtual timer while it runs; 25, the
 * GIC maintenance interrupt the core's vGIC arms. All are group 1 and enabled; while a guest
 * runs (HCR_EL2.IMO = 1) each makes the guest exit to EL2 with an IRQ. gzhyp itself never
 * unmasks IRQs: the host side drains them by polling ICC_IAR1_EL1 after each run.
 */
#include <hal.h>
#include <gzhyp/log.h>
#include <gzabi/status.h>
#include <arm64/gicv3.h>
#include <arm64/sysreg_el2.h>

#include "el2.h"
#include "mmio.h"

#define PPI_MAINTENANCE 25
#define PPI_HYP_TIMER	26
#define PPI_VTIMER	27
/* The kick (gz_hal_vcpu_kick): an SGI gzhyp sends to a CPU running a vCPU and consumes itself
 * at EL2. 15, the last SGI: Linux uses 0-7 for its IPIs and leaves 8-15 to the secure side
 * (its GIC driver enables all 16 and would warn about an unexpected 15, so a kick that
 * arrives after the exit is cleared before the host runs: gz_el2_gic_guest_leave). */
#define SGI_KICK       15
#define GIC_PRIO_HOST  0x80U
#define GIC_PMR_ALL    0xffU
#define GIC_POLL_LIMIT 1000000U

static bool wait_clear(uint64_t reg, uint32_t bits)
{
	for (unsigned i = 0; i < GIC_POLL_LIMIT; i++)
		if (!(gz_mmio_read32(reg) & bits))
			return true;
	return false;
}

int gz_el2_gic_init(void)
{
	uint64_t d = gz_el2_platform.gicd_base;

	gz_mmio_write32(d + ARCH_GICD_CTLR, 0);
	if (!wait_clear(d + ARCH_GICD_CTLR, (uint32_t)ARCH_GICD_CTLR_RWP))
		return GZ_ERR_BUSY;
	gz_mmio_write32(
	    d + ARCH_GICD_CTLR,
	    (uint32_t)(ARCH_GICD_CTLR_ARE | ARCH_GICD_CTLR_ENABLE_G1 | ARCH_GICD_CTLR_ENABLE_G0));
	if (!wait_clear(d + ARCH_GICD_CTLR, (uint32_t)ARCH_GICD_CTLR_RWP))
		return GZ_ERR_BUSY;
	return GZ_OK;
}

/* This CPU's redistributor: the frame whose affinity equals MPIDR's. */
static uint64_t find_rd(void)
{
	const struct gz_el2_platform *p = &gz_el2_platform;
	uint64_t mpidr = gz_sysreg_read(mpidr_el1);
	uint64_t aff = (mpidr & 0xffffffUL) | ((mpidr >> 32 & 0xffUL) << 24);

	for (uint64_t off = 0; off + ARCH_GICR_STRIDE <= p->gicr_size; off += ARCH_GICR_STRIDE) {
		uint64_t typer = gz_mmio_read64(p->gicr_base + off + ARCH_GICR_TYPER);

		if ((typer >> 32) == aff)
			return p->gicr_base + off;
		if (typer & ARCH_GICR_TYPER_LAST)
			break;
	}
	return 0;
}

int gz_el2_gic_init_cpu(void)
{
	uint64_t rd = find_rd(), sgi;
	uint32_t ppis =
	    (1u << PPI_MAINTENANCE) | (1u << PPI_HYP_TIMER) | (1u << PPI_VTIMER) | (1u << SGI_KICK);

	if (!rd)
		return GZ_ERR_NOT_FOUND;
	sgi = rd + ARCH_GICR_SGI_BASE;
	gz_mmio_write32(rd + ARCH_GICR_WAKER, gz_mmio_read32(rd + ARCH_GICR_WAKER) &
						  ~(uint32_t)ARCH_GICR_WAKER_PROCESSOR_SLEEP);
	if (!wait_clear(rd + ARCH_GICR_WAKER, (uint32_t)ARCH_GICR_WAKER_CHILDREN_ASLEEP))
		return GZ_ERR_BUSY;
	gz_mmio_write32(sgi + ARCH_GICR_ICENABLER0, 0xffffffffu);
	gz_mmio_write32(sgi + ARCH_GICR_IGROUPR0, 0xffffffffu);
	for (unsigned i = 0; i < 32; i += 4)
		gz_mmio_write32(sgi + ARCH_GICR_IPRIORITYR0 + i, GIC_PRIO_HOST * 0x01010101u);
	gz_mmio_write32(sgi + ARCH_GICR_ISENABLER0, ppis);
	gz_el2_this_cpu()->gicr_sgi = sgi;
	gz_el2_this_cpu()->vtimer_ppi_on = true;

	gz_sysreg_write(S3_4_C12_C9_5, ICC_SRE_EL2_VALUE); /* ICC_SRE_EL2 */
	__asm__ volatile("isb");
	gz_sysreg_write(S3_0_C12_C12_4, 0);	    /* ICC_CTLR_EL1: EOImode 0 (EOI deactivates) */
	gz_sysreg_write(S3_0_C4_C6_0, GIC_PMR_ALL); /* ICC_PMR_EL1 */
	gz_sysreg_write(S3_0_C12_C12_3, 0);	    /* ICC_BPR1_EL1 */
	gz_sysreg_write(S3_0_C12_C12_7, 1);	    /* ICC_IGRPEN1_EL1 */
	__asm__ volatile("isb");
	return GZ_OK;
}

void gz_el2_gic_vtimer_gate(bool allow)
{
	struct gz_el2_percpu *pc = gz_el2_this_cpu();

	if (pc->vtimer_ppi_on == allow || !pc->gicr_sgi)
		return;
	gz_mmio_write32(pc->gicr_sgi + (allow ? ARCH_GICR_ISENABLER0 : ARCH_GICR_ICENABLER0),
			1u << PPI_VTIMER);
	pc->vtimer_ppi_on = allow;
}

void gz_el2_tick_arm_at(uint64_t cval)
{
	/* A host's deadline is the same for many RUNs in a row: under emulation every timer
	 * register write reprograms a host timer. */
	if (gz_sysreg_read(cnthp_cval_el2) != cval)
		gz_sysreg_write(cnthp_cval_el2, cval);
	gz_sysreg_write(cnthp_ctl_el2, CNT_CTL_ENABLE);
	__asm__ volatile("isb");
}

void gz_el2_tick_mask(void)
{
	gz_sysreg_write(cnthp_ctl_el2, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	__asm__ volatile("isb");
}

void gz_el2_tick_restore(uint64_t ctl, uint64_t cval)
{
	ctl &= CNT_CTL_ENABLE | CNT_CTL_IMASK;
	if (ctl & CNT_CTL_ENABLE) {
		if (gz_sysreg_read(cnthp_cval_el2) != cval)
			gz_sysreg_write(cnthp_cval_el2, cval);
	}
	gz_sysreg_write(cnthp_ctl_el2, ctl);
	__asm__ volatile("isb");
}

void gz_el2_tick_arm(uint64_t ticks)
{
	if (!ticks) {
		gz_sysreg_write(cnthp_ctl_el2, 0);
	} else {
		gz_sysreg_write(cnthp_tval_el2, ticks);
		gz_sysreg_write(cnthp_ctl_el2, CNT_CTL_ENABLE);
	}
	__asm__ volatile("isb");
}

bool gz_el2_tick_due(void)
{
	return (gz_sysreg_read(cnthp_ctl_el2) & CNT_CTL_ENABLE) &&
	       gz_hal_cntpct() >= gz_sysreg_read(cnthp_cval_el2);
}

unsigned gz_el2_irq_drain(void)
{
	struct gz_el2_percpu *pc = gz_el2_this_cpu();
	unsigned n = 0;

	for (;;) {
		uint64_t iar = gz_sysreg_read(S3_0_C12_C12_0) & ICC_IAR_INTID_MASK; /* IAR1 */

		if (iar >= ICC_IAR_SPURIOUS)
			break;
		if (iar == PPI_HYP_TIMER) {
			gz_sysreg_write(cnthp_ctl_el2, 0); /* one-shot: the scheduler re-arms */
			pc->timer_irqs++;
		}
		/* 27: the guest's timer line dropped when its context was saved; 25: the
		 * core's vGIC sync already disarmed it (ICH_HCR_EL2). Nothing else is enabled. */
		gz_sysreg_write(S3_0_C12_C12_1, iar); /* ICC_EOIR1_EL1 */
		__asm__ volatile("isb");
		pc->irqs++;
		n++;
	}
	return n;
}

void gz_el2_gic_guest_enter(void)
{
	struct gz_el2_percpu *pc = gz_el2_this_cpu();
	uint32_t want = (1u << PPI_MAINTENANCE) | (1u << SGI_KICK) | (1u << PPI_HYP_TIMER), on;

	/* A host VM's GIC driver disables the PPIs and SGIs it does not use, the maintenance
	 * interrupt, the EL2 timer and SGI 15 among them: without the first a guest's EOI of
	 * its timer would not come back to EL2 and the timer's line (gated while injected)
	 * would stay off until some other exit; without the second neither the host's
	 * deadline during a RUN nor the core's emulated timer would stop the guest; without
	 * the third a kick would never arrive. They stay enabled: none fires while the host
	 * runs (the EL2 timer is armed only around a RUN and while a guest runs, and a kick
	 * that comes late is cleared by guest_leave), and one look per RUN finds them so. */
	if (!pc->gicr_sgi || pc->guest_ppis_on)
		return; /* checked, and no host VM ran since: skip the MMIO read */
	on = gz_mmio_read32(pc->gicr_sgi + ARCH_GICR_ISENABLER0);
	if ((on & want) != want)
		gz_mmio_write32(pc->gicr_sgi + ARCH_GICR_ISENABLER0, want & ~on);
	pc->guest_ppis_on = true;
}

void gz_el2_gic_host_enter(void)
{
	gz_el2_this_cpu()->guest_ppis_on = false;
}

void gz_el2_gic_guest_leave(void)
{
	struct gz_el2_percpu *pc = gz_el2_this_cpu();

	/* The guest is unloaded (pc->guest is NULL): a sender that saw it loaded has finished
	 * once the count is 0, and its kick, if it was not the exit's cause, must not reach the
	 * host (its GIC driver has no handler for SGI 15). */
	while (__atomic_load_n(&pc->kicks_inflight, __ATOMIC_SEQ_CST))
		__asm__ volatile("yield");
	if (__atomic_exchange_n(&pc->kick_sent, false, __ATOMIC_SEQ_CST) && pc->gicr_sgi)
		gz_mmio_write32(pc->gicr_sgi + ARCH_GICR_ICPENDR0, 1u << SGI_KICK);
}

bool gz_el2_gic_irq_consume(bool vtimer_high, bool hyp_timer_mine)
{
	uint64_t id = gz_sysreg_read(S3_0_C12_C12_2) & ICC_IAR_INTID_MASK; /* ICC_HPPIR1_EL1 */

	switch (id) {
	case PPI_VTIMER:
		/* The guest's own line: it drops when the world switch turns the saved timer
		 * off, and the next entry gates it while the core has it injected. */
		return vtimer_high;
	case PPI_HYP_TIMER:
		/* The deadline of the core's emulated timer (the line drops when the world
		 * switch restores the EL2 timer), or the host's own tick. */
		return hyp_timer_mine;
	case PPI_MAINTENANCE:
		/* Level: the core's vGIC sync lowers it (ICH_HCR_EL2 = 0 when it was armed)
		 * before the next flush decides what to arm. */
		return true;
	case SGI_KICK:
		id = gz_sysreg_read(S3_0_C12_C12_0) & ICC_IAR_INTID_MASK; /* ICC_IAR1_EL1 */
		if (id >= ICC_IAR_SPURIOUS)
			return false;
		gz_sysreg_write(S3_0_C12_C12_1, id); /* ICC_EOIR1_EL1: priority drop */
		if (gz_sysreg_read(S3_0_C12_C12_4) & ICC_CTLR_EOIMODE) /* ICC_CTLR_EL1 */
			gz_sysreg_write(S3_0_C12_C11_1, id); /* a host's EOImode 1: ICC_DIR_EL1 */
		__asm__ volatile("isb");
		if (id != SGI_KICK) {
			/* Another one overtook the kick: a host interrupt, counted as drained. */
			gz_el2_this_cpu()->irqs++;
			return false;
		}
		return true;
	default:
		return false;
	}
}

void gz_el2_gic_kick(const struct gz_cpu_ctx *ctx)
{
	unsigned self = gz_hal_cpu_id(), run = ctx->run_cpu;
	bool sent = false;

	if (!gz_el2_gic_ready)
		return;
	for (unsigned i = 0; i < GZ_EL2_MAX_CPUS; i++) {
		struct gz_el2_percpu *pc = &gz_el2_percpu[i];
		uint64_t m = pc->mpidr, sgi;

		if (i == self)
			continue;
		/* In flight while it looks at the target: pairs with guest_leave's wait. */
		__atomic_fetch_add(&pc->kicks_inflight, 1U, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&pc->guest, __ATOMIC_SEQ_CST) == ctx) {
			__atomic_store_n(&pc->kick_sent, true, __ATOMIC_SEQ_CST);
			gz_el2_this_cpu()->kick_wait_cpu = i + 1;
			gz_el2_this_cpu()->kick_wait_entries =
			    __atomic_load_n(&pc->entries, __ATOMIC_RELAXED);
			sgi = GZ_FIELD_PREP(ARCH_ICC_SGIR_INTID, SGI_KICK) |
			      GZ_FIELD_PREP(ARCH_ICC_SGIR_TARGETLIST, 1u << (m & 0xf)) |
			      GZ_FIELD_PREP(ARCH_ICC_SGIR_RS, (m & 0xff) >> 4) |
			      GZ_FIELD_PREP(ARCH_ICC_SGIR_AFF1, (m >> 8) & 0xff) |
			      GZ_FIELD_PREP(ARCH_ICC_SGIR_AFF2, (m >> 16) & 0xff) |
			      GZ_FIELD_PREP(ARCH_ICC_SGIR_AFF3, (m >> 32) & 0xff);
			gz_sysreg_write(S3_0_C12_C11_5, sgi); /* ICC_SGI1R_EL1 */
			__asm__ volatile("isb");
			gz_el2_this_cpu()->kicks_sent++;
			sent = true;
		}
		__atomic_fetch_sub(&pc->kicks_inflight, 1U, __ATOMIC_SEQ_CST);
	}
	/* Inside its RUN on another CPU but not loaded: polling at EL2 for a wake-up, or between
	 * an exit and its next entry. It needs no SGI (it looks at its kick bit or the vGIC
	 * before it enters), but its flush and entry take QEMU's lock as a loaded one's do:
	 * this CPU waits for that entry too (gz_el2_gic_kick_settle). */
	if (!sent && run && run - 1 != self && run - 1 < GZ_EL2_MAX_CPUS) {
		gz_el2_this_cpu()->kick_wait_cpu = run;
		gz_el2_this_cpu()->kick_wait_entries =
		    __atomic_load_n(&gz_el2_percpu[run - 1].entries, __ATOMIC_RELAXED);
	}
}

void gz_el2_gic_kick_settle(void)
{
	struct gz_el2_percpu *self = gz_el2_this_cpu(), *t;
	uint64_t limit, start;

	if (!self->kick_wait_cpu)
		return;
	t = &gz_el2_percpu[self->kick_wait_cpu - 1];
	self->kick_wait_cpu = 0;
	/* The kicked CPU leaves its guest, takes the kick, flushes and enters again: on
	 * hardware a microsecond or two. Under emulation every step of that takes QEMU's
	 * global lock, which a sender that is back in its guest at once and spins there
	 * (reading the counter takes it too) keeps taking in a loop: the kick then waited up
	 * to milliseconds. So the sender waits here, before its own flush, on memory only,
	 * until the target has entered again, at most a halt poll's window; the counter is
	 * read every 256 rounds. */
	limit = gz_hal_idle_poll_max();
	start = gz_hal_cntpct();
	__atomic_store_n(&self->kick_settling, true, __ATOMIC_SEQ_CST);
	for (unsigned n = 1;
	     __atomic_load_n(&t->entries, __ATOMIC_RELAXED) == self->kick_wait_entries; n++) {
		if (__atomic_load_n(&t->kick_settling, __ATOMIC_SEQ_CST))
			break; /* it waits too, perhaps for this CPU */
		if (!(n % 256) && gz_hal_cntpct() - start >= limit)
			break;
		__asm__ volatile("yield");
	}
	__atomic_store_n(&self->kick_settling, false, __ATOMIC_RELAXED);
}
