/*
 * The EL1 virtual timer of a vCPU. The guest owns CNTV_CTL_EL0 / CNTV_CVAL_EL0 directly while
 * it runs (the HAL saves and restores them in struct gz_cpu_ctx sys[GZ_SYS_CNTV_CTL_EL0] and
 * sys[GZ_SYS_CNTV_CVAL_EL0]); CNTVOFF_EL2 is per VM (every vCPU's ctx->cntvoff_el2 carries the
 * VM's value, the host counter at VM creation). CNTFRQ_EL0 is the hardware's.
 *
 * While a vCPU is not running the core evaluates the timer condition itself:
 *   ENABLE = 1 and (CNTPCT - CNTVOFF) >= CVAL   -> ISTATUS = 1,
 *   ISTATUS = 1 and IMASK = 0                    -> PPI 27 line high, otherwise low,
 * and drives the vGIC line of PPI 27 (level-sensitive) through gz_vgic_inject(). Call
 * gz_vtimer_update() after every exit and before every entry.
 *
 * The EL1 physical timer is emulated by the core: gzhyp/ptimer.h.
 */
#ifndef GZ_VTIMER_H
#define GZ_VTIMER_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>
#include <arm64/sysreg.h>
#include <gzhyp/vgic.h>

/* Reset the vCPU's timer registers (CTL = 0, CVAL = 0) and give it the VM's offset. */
void gz_vtimer_reset(struct gz_cpu_ctx *ctx, uint64_t cntvoff);
/* The per-VM offset to use: the host's physical counter now (virtual count starts at 0). */
uint64_t gz_vtimer_vm_offset(void);
/* Counter frequency reported to guests (CNTFRQ_EL0), in Hz. */
uint64_t gz_vtimer_cntfrq(void);
/* Guest virtual count at host physical count @cntpct. */
uint64_t gz_vtimer_vcount(const struct gz_cpu_ctx *ctx, uint64_t cntpct);
/* Timer condition met (ENABLE and count >= CVAL), regardless of IMASK. */
bool gz_vtimer_istatus(const struct gz_cpu_ctx *ctx, uint64_t cntpct);
/* Interrupt output (condition met and not masked). */
bool gz_vtimer_asserted(const struct gz_cpu_ctx *ctx, uint64_t cntpct);
/* For a vCPU that is not running: recompute CNTV_CTL.ISTATUS at the current counter and set
 * PPI 27 of @vcpu high or low in @vgic. Returns gz_vgic_inject()'s status. */
int gz_vtimer_update(struct gz_vgic *vgic, unsigned vcpu, struct gz_cpu_ctx *ctx);
/* The hwstate fields for a vCPU about to idle on the host (GZVM_EXIT_IDLE, reference §2.5 and
 * §4.4): *migrate = 1 when a timer can fire (ENABLE = 1, IMASK = 0: the virtual one, or the
 * emulated physical one), with *delay = counter ticks until the first does (0 when already
 * due); *migrate = 0 and *delay = 0 otherwise (only an injection can wake the vCPU then). */
void gz_vtimer_idle_info(const struct gz_cpu_ctx *ctx, uint64_t cntpct, uint64_t *delay,
			 uint32_t *migrate);

#endif
