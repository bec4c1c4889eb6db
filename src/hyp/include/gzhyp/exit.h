/*
 * Exit handling: the HAL's exit record (ESR_EL2, FAR_EL2, HPFAR_EL2) is decoded once
 * (arm64_exit_decode, <arm64/decode.h>) into a struct gz_exit, then dispatched through one
 * static table (exit.c): per exit type, the in-hypervisor handlers in the order they are
 * asked (the first that does not answer GZ_EXIT_NEXT decides), then the type's defined
 * outcome for what none of them claims.
 */
#ifndef GZ_EXIT_H
#define GZ_EXIT_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>
#include <arm64/decode.h>
#include <gzhyp/vgic.h>

/* internal.suberror of GZVM_EXIT_INTERNAL_ERROR exits (data[] contents in docs/abi.md) */
#define GZ_INTERNAL_MMIO_NO_ISV GZVM_INTERNAL_MMIO_NO_ISV /* data: ESR_EL2, FAR_EL2, IPA, PC */
#define GZ_INTERNAL_SERROR	GZVM_INTERNAL_SERROR	  /* data: ESR_EL2, PC */

struct gz_vcpu;

/* One exit as the core handles it: the syndrome decoded once, and what was found out about
 * it on the way (the fast path hands both to the full path when it declines the exit). */
struct gz_exit {
	struct gz_exit_desc desc;
	bool vgic_located;	 /* a data abort's place in the vGIC is in vgic */
	struct gz_vgic_loc vgic; /* where the access lands in the vGIC */
	/* a data abort was looked up among the VMM's constant registers (gz_mmio_const_read):
	 * const_hit says whether it is a read of one, const_val its value */
	bool const_located;
	bool const_hit;
	uint32_t const_val;
};

enum gz_exit_action {
	GZ_EXIT_NEXT,	 /* not mine: ask the next handler */
	GZ_EXIT_RESUME,	 /* handled in the hypervisor: re-enter the guest */
	GZ_EXIT_TO_HOST, /* the run page holds an exit for the host */
};

typedef enum gz_exit_action (*gz_exit_handler_fn)(struct gz_vcpu *vcpu, const struct gz_exit *x);

/* Ask the handlers of @x's type in their order, then the type's defined outcome. */
enum gz_exit_action gz_exit_dispatch(struct gz_vcpu *vcpu, const struct gz_exit *x);

/* Trapped debug registers of a guest (sysreg_dbg.c; a handler of trapped system registers):
 * the vCPU's breakpoints, watchpoints, MDSCR_EL1 and OS lock in ctx->dbg, the rest RAZ/WI. */
enum gz_exit_action gz_sysreg_debug(struct gz_vcpu *vcpu, const struct gz_exit *x);
/* A vCPU's debug state at reset: nothing armed, the OS lock unlocked, as many breakpoints and
 * watchpoints as @dfr0 (the VM's ID_AA64DFR0_EL1) says. */
void gz_sysreg_dbg_reset(struct gz_cpu_ctx *ctx, uint64_t dfr0);
/* Trapped accesses to the EL1 physical timer and the physical counter: the emulated timer
 * (sysreg_timer.c, gzhyp/ptimer.h; a handler of trapped system registers). */
enum gz_exit_action gz_sysreg_ptimer(struct gz_vcpu *vcpu, const struct gz_exit *x);

/* The exit fast path (exit_fast.c), called by a HAL from inside gz_hal_vcpu_run for a vCPU
 * context with fast_exits set (hal.h). Completes @rec through gz_exit_dispatch and returns
 * true when it is an exit whose handling reads and changes only the general registers, PC
 * and PSTATE: the guest-call queries, the vGIC reads whose value does not depend on
 * list-register state and reads of registers the VMM declared constant. Anything else returns false with nothing of the guest's changed, for
 * the full exit path; what it decoded of that exit is handed to the run loop with it
 * (vcpu->exit), which then decodes nothing again. */
bool gz_exit_fast(struct gz_cpu_ctx *ctx, const struct gz_exit_record *rec);

#endif
