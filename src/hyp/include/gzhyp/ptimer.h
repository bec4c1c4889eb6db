/*
 * The EL1 physical timer of a vCPU, emulated as KVM has done since 2019: CNTHCTL_EL2.EL1PCEN
 * is clear, so every guest access to CNTP_CTL_EL0, CNTP_CVAL_EL0 and CNTP_TVAL_EL0 traps and
 * is answered from the vCPU context (ctx->cntp_ctl, ctx->cntp_cval); the CPU's own physical
 * timer is never the guest's.
 *
 * Counter: the guest's physical count is CNTPCT - ctx->cntpoff, with cntpoff the VM's offset,
 * the same as its CNTVOFF_EL2. A guest therefore reads the same count through CNTPCT_EL0 and
 * CNTVCT_EL0 (as on a machine whose firmware left CNTVOFF_EL2 at 0), starting at 0 when the
 * VM was created, and the physical timer compares against the count the guest reads. With a
 * nonzero offset, and no FEAT_ECV to apply it in hardware, CNTPCT_EL0 traps as well
 * (CNTHCTL_EL2.EL1PCTEN clear) and is answered here.
 *
 * Condition and interrupt: ENABLE = 1 and count >= CVAL sets ISTATUS; ISTATUS and IMASK = 0
 * drive PPI 30 (level) high in the vGIC, otherwise low. As the timer has no hardware behind
 * it, gz_ptimer_update also asks the HAL, through ctx->exit_at, to bring a running vCPU back
 * when the condition comes true (the HAL turns that into an IRQ exit), and the idle budget
 * counts its deadline. Call gz_ptimer_update after every exit and before every entry, and
 * after a trapped write.
 */
#ifndef GZ_PTIMER_H
#define GZ_PTIMER_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>
#include <arm64/sysreg.h>
#include <gzhyp/vgic.h>

/* Reset the vCPU's physical timer (CTL = 0, CVAL = 0), give it the VM's counter offset and
 * the trap configuration that offset needs. */
void gz_ptimer_reset(struct gz_cpu_ctx *ctx, uint64_t cntpoff);
/* The guest's physical count at host physical count @cntpct. */
uint64_t gz_ptimer_count(const struct gz_cpu_ctx *ctx, uint64_t cntpct);
/* The timer condition (ENABLE and count >= CVAL), regardless of IMASK: ISTATUS. */
bool gz_ptimer_istatus(const struct gz_cpu_ctx *ctx, uint64_t cntpct);
/* The interrupt output (condition met and not masked). */
bool gz_ptimer_asserted(const struct gz_cpu_ctx *ctx, uint64_t cntpct);
/* Set PPI 30 of @vcpu high or low in @vgic from the output now, and ctx->exit_at to the host
 * count at which the output goes up (0 when it is up already or cannot go up). Returns
 * gz_vgic_inject()'s status. */
int gz_ptimer_update(struct gz_vgic *vgic, unsigned vcpu, struct gz_cpu_ctx *ctx);
/* For an idle vCPU: true when the output can go up (ENABLE = 1, IMASK = 0), with *delay the
 * counter ticks until it does (0 when it is up). */
bool gz_ptimer_idle_delay(const struct gz_cpu_ctx *ctx, uint64_t cntpct, uint64_t *delay);

/* True when @enc (SYS_ENC) is a register this timer answers: CNTP_CTL_EL0, CNTP_CVAL_EL0,
 * CNTP_TVAL_EL0 and CNTPCT_EL0. */
bool gz_ptimer_is_reg(uint32_t enc);
/* A trapped access to one of them at host count @cntpct, as the architecture defines it:
 * CTL reads ISTATUS, keeps ENABLE and IMASK of a write; a TVAL read is CVAL - count as a
 * signed 32-bit value, a write sets CVAL = count + sign-extended TVAL; CNTPCT_EL0 is
 * read-only (a write is GZ_ERR_INVALID_ARGS: MSR to it is UNDEFINED). Returns
 * GZ_ERR_NOT_SUPPORTED for any other register. */
int gz_ptimer_access(struct gz_cpu_ctx *ctx, uint32_t enc, bool write, uint64_t *val,
		     uint64_t cntpct);

#endif
