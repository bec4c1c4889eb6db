/*
 * The syndrome decoder: a HAL's exit record (ESR_EL2, FAR_EL2, HPFAR_EL2) becomes a
 * description (struct gz_exit_desc) handlers read without knowing the ESR layout. Pure (no
 * state, no side effects), freestanding: the core, gzhyp's host VM and the simulator use it.
 */
#ifndef ARM64_DECODE_H
#define ARM64_DECODE_H

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

/* Decode @rec. Never fails: what is not understood becomes GZ_XT_UNDEF (for synchronous
 * exceptions) with ec/iss kept. */
void arm64_exit_decode(const struct gz_exit_record *rec, struct gz_exit_desc *desc);

/* Human-readable name of a type (logs, tests). */
const char *arm64_exit_type_name(enum gz_exit_type type);

#endif
