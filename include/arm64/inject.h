/*
 * Guest exception entry: an exception taken to EL1 as the Arm ARM describes it (D1.3), on a
 * vCPU context. ELR_EL1 = PC, SPSR_EL1 = PSTATE, ESR_EL1 (and FAR_EL1 for aborts), then
 * PSTATE = EL1h with DAIF masked (PAN, DIT and SSBS as the architecture sets them) and PC =
 * VBAR_EL1 + the vector offset. Freestanding: the core, gzhyp's host VM and the simulator
 * use it.
 */
#ifndef ARM64_INJECT_H
#define ARM64_INJECT_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>
#include <arm64/sysreg.h>

/* The kind of exception: its offset inside a vector group. */
enum arm64_exc_kind {
	ARM64_EXC_SYNC = VBAR_OFF_SYNC,
	ARM64_EXC_IRQ = VBAR_OFF_IRQ,
	ARM64_EXC_FIQ = VBAR_OFF_FIQ,
	ARM64_EXC_SERROR = VBAR_OFF_SERROR,
};

/* Offset from VBAR_EL1 of the vector an exception of @kind taken to EL1 from @pstate uses. */
uint64_t arm64_exc_vector(uint64_t pstate, enum arm64_exc_kind kind);
/* PSTATE after an exception taken to EL1 from @pstate, with SCTLR_EL1 = @sctlr. */
uint64_t arm64_exc_pstate(uint64_t pstate, uint64_t sctlr);
/* Take an exception of @kind to EL1 on @c; @esr goes to ESR_EL1 for synchronous exceptions and
 * SErrors (ignored for IRQ and FIQ). FAR_EL1 is the caller's. */
void arm64_take_exception(struct gz_cpu_ctx *c, enum arm64_exc_kind kind, uint64_t esr);

/* An instruction the vCPU does not have: EC 0 (unknown reason). */
void arm64_inject_undef(struct gz_cpu_ctx *c);
/* A synchronous external abort on a data access to @far (a write when @write). */
void arm64_inject_dabt(struct gz_cpu_ctx *c, uint64_t far, bool write);
/* A synchronous external abort on an instruction fetch from @far. */
void arm64_inject_iabt(struct gz_cpu_ctx *c, uint64_t far);

#endif
