/* System-register emulation (sysemu.h). */
#include <arm64/traps.h>
#include "timer.h"
#include "ucreg.h"
#include "sysemu.h"

enum gz_sim_timer_route gz_sim_sysemu_timer_route(const struct gz_sim_vcpu *v, uint32_t enc)
{
	bool el0 = gz_sim_ucreg_at_el0(v->uc);

	return gz_sim_timer_route(
	    v->ctx, enc, el0,
	    el0 ? gz_sim_ucreg_cp_read(v->uc, gz_sim_ucreg_sys_enc[GZ_SYS_CNTKCTL_EL1]) : 0);
}

bool gz_sim_sysemu_traps_to_el2(const struct gz_sim_vcpu *v, uint32_t enc)
{
	switch (enc) {
	case SYS_ICC_SGI1R_EL1:
	case SYS_ICC_ASGI1R_EL1:
	case SYS_ICC_SGI0R_EL1:
		return true;
	default:
		/* the counter and timer registers' own controls (CNTKCTL_EL1 for EL0, then the
		 * vCPU's CNTHCTL_EL2), else the core's trap controls as the CPU applies them
		 * (arm64/traps.h) */
		switch (gz_sim_sysemu_timer_route(v, enc)) {
		case GZ_SIM_TIMER_NONE:
			return arm64_sysreg_traps_to_el2(enc, v->ctx->hcr_el2, v->ctx->mdcr_el2,
							 gz_sim_ucreg_at_el0(v->uc));
		case GZ_SIM_TIMER_TO_EL2:
			return true;
		default:
			return false;
		}
	}
}

bool gz_sim_sysemu_is_icc(uint32_t enc)
{
	unsigned crn = SYS_ENC_CRN(enc), crm = SYS_ENC_CRM(enc);

	return SYS_ENC_OP0(enc) == 3 && SYS_ENC_OP1(enc) == 0 &&
	       (crn == 12 || (crn == 4 && crm == 6)) && (crn != 12 || crm >= 8);
}

bool gz_sim_sysemu_icc(struct gz_sim_vcpu *v, const struct gz_sim_msr *m)
{
	uint64_t val;

	if (m->read) {
		if (!gz_sim_icc_read(v->ich, m->enc, &val))
			return false;
		gz_sim_ucreg_set_gpr(v->uc, m->rt, val);
	} else if (!gz_sim_icc_write(v->ich, m->enc, gz_sim_ucreg_gpr(v->uc, m->rt))) {
		return false;
	}
	gz_sim_vcpu_sample(v);
	gz_sim_vcpu_set_vi(v, v->virq);
	v->reason = v->maint ? GZ_SIM_STOP_HOSTIRQ : GZ_SIM_STOP_RETRY;
	return true;
}

/* The counters and the virtual timer, which CNTKCTL_EL1 and CNTHCTL_EL2 let through: 1 when
 * answered here. */
static uint32_t timer_access(uc_engine *uc, uc_arm64_reg reg, struct gz_sim_vcpu *v, uint32_t enc,
			     bool read)
{
	if (enc == SYS_CNTFRQ_EL0 && !read) {
		v->sys_dirty = true;
		return 0; /* CNTFRQ_EL0 is read-only at EL1: Unicorn says so */
	}
	if (read) {
		gz_sim_ucreg_set_operand(uc, reg, gz_sim_timer_read(v->ctx, enc));
	} else {
		gz_sim_timer_write(v->ctx, enc, gz_sim_ucreg_operand(uc, reg));
		gz_sim_vcpu_sample(v);
	}
	return 1;
}

/* MRS/MSR/SYS of a register Unicorn has. Returning 1 makes Unicorn 2.1 step over the
 * instruction; writing the PC from a hook instead makes later fault PCs of the same run
 * imprecise (seen with 2.1.4), and for registers Unicorn lacks it re-executes the access, so
 * those (ICC_*) are left to raise UNDEF and are emulated in trap.c. An access that UNDEFs at
 * the current EL must not be answered by a hook either: returning 1 for it makes Unicorn
 * re-execute it forever. */
static uint32_t sys_access(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
			   struct gz_sim_vcpu *v, bool read)
{
	uint32_t enc = SYS_ENC(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);

	if (cp->op0 < 2) {
		v->sys_dirty = true;
		return 0;
	}
	/* An access that must trap to EL2 is left to Unicorn, which is configured (HCR_EL2,
	 * CNTHCTL_EL2, no GIC registers) to raise a precise UNDEF for it: trap.c makes it an
	 * EC 0x18 exit with the PC on the instruction. So is one CNTKCTL_EL1 refuses at EL0:
	 * Unicorn refuses it too, and trap.c gives it to the guest's EL1. */
	if (gz_sim_sysemu_traps_to_el2(v, enc))
		return 0;
	if (gz_sim_sysemu_is_icc(enc))
		return 0; /* not a Unicorn register: it raises UNDEF, emulated in trap.c */
	switch (gz_sim_sysemu_timer_route(v, enc)) {
	case GZ_SIM_TIMER_ANSWER:
		return timer_access(uc, reg, v, enc, read);
	case GZ_SIM_TIMER_TO_EL1:
		return 0;
	default:
		break;
	}
	if (read && enc == SYS_MPIDR_EL1 && !gz_sim_ucreg_at_el0(uc)) {
		gz_sim_ucreg_set_operand(uc, reg, v->ctx->vmpidr_el2);
		return 1;
	}
	if (read && enc == SYS_MIDR_EL1 && !gz_sim_ucreg_at_el0(uc)) {
		/* VPIDR_EL2 0 means the CPU's own MIDR, as on gzhyp (vcpu_run.c) */
		gz_sim_ucreg_set_operand(uc, reg,
					 v->ctx->vpidr_el2
					     ? v->ctx->vpidr_el2
					     : gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_midr_el1));
		return 1;
	}
	if (!read)
		v->sys_dirty = true;
	return 0;
}

uint32_t gz_sim_sysemu_mrs_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
				void *arg)
{
	return sys_access(uc, reg, cp, arg, true);
}

uint32_t gz_sim_sysemu_msr_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
				void *arg)
{
	return sys_access(uc, reg, cp, arg, false);
}

/* SYS (TLBI, AT, DC, IC): Unicorn executes it; AT may change PAR_EL1. */
uint32_t gz_sim_sysemu_sys_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
				void *arg)
{
	struct gz_sim_vcpu *v = arg;

	(void)uc;
	(void)reg;
	(void)cp;
	v->sys_dirty = true;
	return 0;
}
