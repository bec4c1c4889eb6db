/*
 * Exit handling: the HAL's exit record (ESR_EL2, FAR_EL2, HPFAR_EL2) is decoded once
 * (arm64_exit_decode, <arm64/decode.h>) into a struct gz_exit_desc, then dispatched through
 * a registry of handlers per exit type. Handlers run in priority order; the first that does not
 * answer GZ_EXIT_NEXT decides. What no handler claims gets the type's defined outcome (exit.c).
 */
#ifndef GZ_EXIT_H
#define GZ_EXIT_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>
#include <arm64/decode.h>

/* internal.suberror of GZVM_EXIT_INTERNAL_ERROR exits (data[] contents in docs/abi.md) */
#define GZ_INTERNAL_MMIO_NO_ISV 1 /* data: ESR_EL2, FAR_EL2, IPA, PC */
#define GZ_INTERNAL_SERROR	2 /* data: ESR_EL2, PC */

/* ---- Handler registry ------------------------------------------------------------------ */
struct gz_vcpu;

enum gz_exit_action {
	GZ_EXIT_NEXT,	 /* not mine: ask the next handler */
	GZ_EXIT_RESUME,	 /* handled in the hypervisor: re-enter the guest */
	GZ_EXIT_TO_HOST, /* the run page holds an exit for the host */
};

typedef enum gz_exit_action (*gz_exit_handler_fn)(struct gz_vcpu *vcpu,
						  const struct gz_exit_desc *desc);

#define GZ_EXIT_MAX_HANDLERS 6 /* per type */

/* Priorities: lower runs first. */
#define GZ_EXIT_PRIO_VGIC    10
#define GZ_EXIT_PRIO_TIMER   20
#define GZ_EXIT_PRIO_PSCI    30
#define GZ_EXIT_PRIO_SMCCC   40
#define GZ_EXIT_PRIO_MEM     50
#define GZ_EXIT_PRIO_DEFAULT 100

/* Empty the registry, then install the core's own handlers (PSCI, SMCCC, vendor calls,
 * MMIO, WFx, ID registers). Called by gz_core_init. */
void gz_exit_registry_init(void);
/* Add a handler. GZ_ERR_INVALID_ARGS for a bad type or NULL fn, GZ_ERR_NO_RESOURCES when the
 * type's slots are full, GZ_ERR_ALREADY_EXISTS when @fn is already registered for @type. */
int gz_exit_register(enum gz_exit_type type, int prio, gz_exit_handler_fn fn);
/* Run the handlers of @desc->type, then the type's defined outcome. */
enum gz_exit_action gz_exit_dispatch(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc);

/* Trapped debug and PMU registers of a guest: RAZ/WI (sysreg_dbg.c; registered by
 * gz_exit_registry_init). */
enum gz_exit_action gz_sysreg_debug_pmu(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc);

/* The exit fast path (exit_fast.c), called by a HAL from inside gz_hal_vcpu_run for a vCPU
 * context with fast_exits set (hal.h). Completes @rec through gz_exit_dispatch and returns
 * true when it is an exit whose handling reads and changes only the general registers, PC
 * and PSTATE: the guest-call queries and the vGIC reads gz_vgic_mmio_read_is_stable
 * accepts. Anything else returns false with nothing changed, for the full exit path. */
bool gz_exit_fast(struct gz_cpu_ctx *ctx, const struct gz_exit_record *rec);

#endif
