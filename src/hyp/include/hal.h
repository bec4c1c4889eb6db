/*
 * The HAL contract: the portable core's only door to hardware.
 *
 * Three implementations exist: the EL2 port (src/hyp/arch/aarch64, real registers), the
 * simulator (sim/, Unicorn-backed vCPUs) and the recording fake of the unit tests
 * (tests/unit/fake). Every function here is called by the core on the physical CPU it runs
 * on; none of them may fail silently, and none allocate from libc.
 */
#ifndef GZ_HAL_H
#define GZ_HAL_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>

/* ---- TLB and cache maintenance ------------------------------------------------------- */

/* Invalidate stage-2 (and combined) TLB entries for one IPA page of @vmid, for the
 * translation level that held it (TLBI IPAS2E1IS + TLBI VMALLE1IS as the architecture
 * requires when stage-1 may have cached combined entries). */
void gz_hal_tlbi_ipa(uint16_t vmid, gz_ipa_t ipa, unsigned level);
/* Invalidate every stage-1 and stage-2 entry tagged with @vmid. */
void gz_hal_tlbi_vmid(uint16_t vmid);
/* Invalidate every guest TLB entry of every VMID (VMID rollover). */
void gz_hal_tlbi_all_vmids(void);
/* Invalidate hypervisor (EL2 stage-1) TLB entries for one VA. */
void gz_hal_tlbi_el2_va(uint64_t va);
/* Barriers: DSB ISH (complete maintenance and descriptor writes), ISB. */
void gz_hal_dsb(void);
void gz_hal_isb(void);
/* Clean and invalidate data cache lines to the point of coherency for [va, va+len). */
void gz_hal_dcache_clean_inval(const void *va, size_t len);
/* Invalidate the instruction cache to the point of unification (all). */
void gz_hal_icache_inval_all(void);

/* ---- Physical memory ---------------------------------------------------------------- */

/* The hypervisor's linear view of physical memory: the address a RAM page has there. Returns
 * NULL for a PA that is not backed (the caller treats it as a bad address, never
 * dereferences it). The address is only usable while the page is mapped for the hypervisor
 * (least privilege, below): its image, its pool and pages shared with it. Anything else is
 * reached through gz_hal_fixmap or not at all. */
void *gz_hal_pa_to_va(gz_pa_t pa);
gz_pa_t gz_hal_va_to_pa(const void *va);
/* Map [pa, pa + nr pages) read-write into the hypervisor's linear view (never executable):
 * the core calls it when pages become the hypervisor's to use (its working memory at init,
 * a donation to the pool, a host page shared with it) and gz_hal_hyp_unmap when they stop
 * being so (returned to the host, unshared), after which a stray access faults.
 * GZ_ERR_OUT_OF_RANGE (not backed RAM), GZ_ERR_NO_MEMORY (no table page; nothing mapped). */
int gz_hal_hyp_map(gz_pa_t pa, uint64_t nr);
void gz_hal_hyp_unmap(gz_pa_t pa, uint64_t nr);
/* A bounded temporary window on one page the caller checked it may touch (a host structure
 * passed by PA, a page to scrub): maps the page at @pa (page aligned) read-write in this
 * CPU's one slot and returns its address, or NULL when @pa is not backed RAM. Not nested:
 * gz_hal_fixunmap(va) comes before this CPU's next gz_hal_fixmap. */
void *gz_hal_fixmap(gz_pa_t pa);
void gz_hal_fixunmap(void *va);
/* The page-state store changed [pa, pa + nr pages) (one owner and state for the range):
 * @accessible says whether the host may use the pages now (its own, lent, or shared with it).
 * Where the host runs under its stage 2 (gzhyp) nothing is left to do: that stage 2 follows
 * the store (host faults map, gz_host_s2_unmap removes). Where it does not (the simulator's
 * host is the build machine's process) the HAL opens or closes the host's own view of the
 * range, so that a host access to a page it may not use faults there too. */
void gz_hal_host_access(gz_pa_t pa, uint64_t nr, bool accessible);
/* Physical memory the machine has: [*base, *base + *size) for region @idx; false past the
 * last region. The page-state store covers exactly these ranges. */
bool gz_hal_phys_region(unsigned idx, gz_pa_t *base, uint64_t *size);

/* ---- vCPU entry ---------------------------------------------------------------------- */

/* Load @ctx (registers, EL1 system registers, stage-2 configuration, timer), run the vCPU
 * at EL1/EL0 until it traps to EL2 or a host interrupt arrives, save the state back into
 * @ctx and describe why it stopped in @exit. List registers are whatever the core last
 * wrote with gz_hal_ich_write() on this CPU. Returns 0, or a negative GZ_E* when the vCPU
 * could not be entered at all (exit->kind = GZ_EXIT_KIND_FAIL_ENTRY then).
 * Fast path: when ctx->fast_exits is set, the HAL may offer each synchronous trap to the
 * core's gz_exit_fast (gzhyp/exit.h) with ctx->x, pc, pstate and sys[GZ_SYS_SCTLR_EL1] current
 * and everything else still loaded; when that returns true the exit is complete (x, pc,
 * pstate updated in @ctx) and the HAL resumes the guest without returning. When it returns
 * false, gz_hal_vcpu_run returns that very exit (the core keeps what it decoded of it) and
 * ctx->x, pc and pstate already hold the guest's values: the HAL's save on the way out need
 * not copy them again. One copy of the guest's general registers per trap. */
int gz_hal_vcpu_run(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit);
/* After an IRQ exit of gz_hal_vcpu_run on this CPU: true when that interrupt was the
 * hypervisor's own (the vCPU's virtual timer, the vGIC maintenance interrupt, a kick of
 * gz_hal_vcpu_kick) and is consumed, so the core re-enters the vCPU without the host. */
bool gz_hal_vcpu_irq_consumed(void);
/* Another vCPU made an interrupt pending for @ctx, which may be loaded on another physical
 * CPU right now: make that CPU leave it soon (the core's next entry refills the list
 * registers). Nothing happens when @ctx runs nowhere else or the platform cannot interrupt
 * that CPU; a kick that arrives after the exit is harmless. */
void gz_hal_vcpu_kick(const struct gz_cpu_ctx *ctx);
/* Before each entry, ahead of the core's flush: when the last exit handled on this CPU
 * kicked a vCPU inside its RUN on another CPU (loaded there, or polling at EL2 or between an
 * exit and its next entry: the context's run_cpu), the HAL may wait (briefly, bounded) until
 * that CPU has taken the kick and entered again. gzhyp does so: under emulation every step of
 * the target's exit (or the end of its poll) and re-entry takes the emulator's global lock,
 * which a sender running on (its flush, its guest spinning on the counter) keeps taking too.
 * Others return at once. */
void gz_hal_vcpu_kick_settle(void);
/* The kick's race with an entry. A HAL makes @ctx visible to gz_hal_vcpu_kick as loaded on
 * this CPU before it enters it, then asks this: a kick that came after the core's last look
 * at the vGIC (the flush before gz_hal_vcpu_run) but before that publication found the vCPU
 * loaded nowhere and interrupted nothing, and its interrupt may be missing from the list
 * registers. Such an entry must not happen: gz_hal_vcpu_run returns an IRQ exit that
 * gz_hal_vcpu_irq_consumed reports as consumed, and the core flushes and enters again. The
 * kick sets the bit (sequentially consistent) before it looks for the loaded context, and
 * the HAL publishes it (sequentially consistent) before this load: one of the two sees the
 * other's store. A bit set by a kick the flush already served costs one more flush. */
static inline bool gz_hal_ctx_kicked(const struct gz_cpu_ctx *ctx)
{
	return ctx->kick_word &&
	       (__atomic_load_n(ctx->kick_word, __ATOMIC_SEQ_CST) & ctx->kick_bit);
}

/* ---- GIC virtual CPU interface (ICH_*_EL2) of this physical CPU --------------------- */

uint64_t gz_hal_ich_read(enum gz_ich_reg reg);
void gz_hal_ich_write(enum gz_ich_reg reg, uint64_t val);

/* ---- Generic timer ------------------------------------------------------------------- */

uint64_t gz_hal_cntpct(void); /* physical counter */
uint64_t gz_hal_cntfrq(void); /* counter frequency in Hz */

/* ---- Idle ---------------------------------------------------------------------------- */

/* Halt polling: the longest the core may spin, in counter ticks, watching for an interrupt of
 * a vCPU that waits (WFI) before it gives the CPU back to the host with an IDLE exit; 0: never
 * (a platform whose counter does not advance while the core spins). */
uint64_t gz_hal_idle_poll_max(void);
/* A physical interrupt for the host is pending on this CPU: polling stops for it. */
bool gz_hal_host_irq_pending(void);

/* ---- Console and identity ------------------------------------------------------------ */

void gz_hal_console_putc(char c);
unsigned gz_hal_cpu_id(void); /* index of this physical CPU, 0 .. GZ_MAX_PCPUS-1 */
/* This CPU's value of the AArch64 ID register @enc (op0 3, op1 0, CRn 0, CRm 4..7; 0 for any
 * other encoding): the upper bound of what the core tells its guests (gzhyp/sysreg_id.h). */
uint64_t gz_hal_cpu_id_reg(uint32_t enc);

/* ---- Locks --------------------------------------------------------------------------- */

typedef struct gz_lock {
	volatile uint32_t next;
	volatile uint32_t owner;
} gz_lock_t;
#define GZ_LOCK_INIT                                                                               \
	{                                                                                          \
		0, 0                                                                               \
	}

void gz_hal_lock(gz_lock_t *lock);
void gz_hal_unlock(gz_lock_t *lock);

/* ---- Fatal errors -------------------------------------------------------------------- */

/* The hypervisor broke one of its own invariants: report and stop this CPU (EL2), abort the
 * process (sim, tests). Never used for bad input. */
__attribute__((noreturn)) void gz_hal_panic(const char *msg);

#endif
