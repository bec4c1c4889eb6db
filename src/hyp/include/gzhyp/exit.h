/*
 * Exit handling: the HAL's exit record (ESR_EL2, FAR_EL2, HPFAR_EL2) is decoded once into
 * an arch-neutral description (struct gz_exit_desc), then dispatched through a registry of
 * handlers per exit type. Handlers run in priority order; the first that does not answer
 * GZ_EXIT_NEXT decides. What no handler claims gets the type's defined outcome (exit.c).
 */
#ifndef GZ_EXIT_H
#define GZ_EXIT_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>

enum gz_exit_type {
	GZ_XT_UNDEF, /* unknown / not emulated: the guest gets UNDEF */
	GZ_XT_DABT,  /* stage-2 data abort from the guest */
	GZ_XT_IABT,  /* stage-2 instruction abort from the guest */
	GZ_XT_HVC,   /* HVC64 */
	GZ_XT_SMC,   /* SMC64 (HCR_EL2.TSC) */
	GZ_XT_WFI,
	GZ_XT_WFE,
	GZ_XT_SYSREG,	  /* trapped MSR/MRS */
	GZ_XT_IRQ,	  /* a host interrupt preempted the guest */
	GZ_XT_SERROR,	  /* asynchronous external abort */
	GZ_XT_FAIL_ENTRY, /* the HAL could not enter the vCPU */
	GZ_XT_DEBUG,	  /* breakpoint / step / watchpoint trapped to EL2 */
	GZ_XT_NR
};

/* Fault kinds of aborts (the FSC without its level) */
enum gz_fault_kind {
	GZ_FAULT_TRANSLATION,
	GZ_FAULT_ACCESS_FLAG,
	GZ_FAULT_PERMISSION,
	GZ_FAULT_ADDR_SIZE,
	GZ_FAULT_EXTERNAL,
	GZ_FAULT_ALIGNMENT,
	GZ_FAULT_OTHER,
};

struct gz_exit_abort {
	gz_ipa_t ipa;	  /* faulting IPA (HPFAR_EL2 page | FAR_EL2 page offset) */
	uint64_t va;	  /* FAR_EL2 */
	bool far_valid;	  /* !FnV */
	bool isv;	  /* the fields below describe the access */
	bool write;	  /* WnR (also set for cache maintenance, see cm) */
	uint8_t size;	  /* bytes: 1, 2, 4, 8 */
	bool sign_extend; /* SSE */
	bool sf;	  /* 64-bit register */
	uint8_t reg;	  /* SRT: 0..30, 31 = XZR */
	bool acqrel;	  /* AR */
	bool cm;	  /* cache maintenance */
	bool s1ptw;	  /* stage-1 table walk faulted at stage 2 */
	bool ea;	  /* external abort */
	enum gz_fault_kind kind;
	uint8_t level; /* table level of translation/access/permission faults */
	uint8_t fsc;   /* raw FSC */
};

struct gz_exit_call {
	uint16_t imm; /* HVC/SMC immediate */
};

struct gz_exit_wfx {
	bool with_timeout; /* WFIT/WFET */
	bool reg_valid;
	uint8_t reg;
};

struct gz_exit_sysreg {
	uint32_t enc; /* SYS_ENC(op0, op1, crn, crm, op2) */
	bool read;    /* MRS */
	uint8_t reg;  /* Rt, 31 = XZR */
};

struct gz_exit_desc {
	enum gz_exit_type type;
	uint8_t ec;
	bool il; /* 32-bit instruction (the PC advances by 4, else by 2) */
	uint32_t iss;
	uint64_t esr; /* raw ESR_EL2 (for reports to the host) */
	union {
		struct gz_exit_abort abort;
		struct gz_exit_call call;
		struct gz_exit_wfx wfx;
		struct gz_exit_sysreg sysreg;
	};
};

/* internal.suberror of GZVM_EXIT_INTERNAL_ERROR exits (data[] contents in docs/abi.md) */
#define GZ_INTERNAL_MMIO_NO_ISV 1 /* data: ESR_EL2, FAR_EL2, IPA, PC */
#define GZ_INTERNAL_SERROR	2 /* data: ESR_EL2, PC */

/* Decode @rec. Never fails: what is not understood becomes GZ_XT_UNDEF (for synchronous
 * exceptions) with ec/iss kept. */
void gz_exit_decode(const struct gz_exit_record *rec, struct gz_exit_desc *desc);

/* Human-readable name of a type (logs, tests). */
const char *gz_exit_type_name(enum gz_exit_type type);

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
