/* Synchronous exceptions the hypervisor injects into a guest (UNDEF, data and instruction
 * aborts), taken to EL1 as the architecture would: ESR_EL1, FAR_EL1, ELR_EL1 = PC,
 * SPSR_EL1 = PSTATE, PSTATE = EL1h with DAIF masked, PC = VBAR_EL1 + vector offset. */
#include <arm64/esr.h>
#include <arm64/sysreg.h>
#include <gzhyp/vcpu.h>

/* Offset of the synchronous vector for an exception taken from @pstate to EL1. */
static uint64_t sync_vector_offset(uint64_t pstate)
{
	if (pstate & PSR_MODE_nRW)
		return VBAR_OFF_LOWER_A32 + VBAR_OFF_SYNC;
	switch (pstate & PSR_MODE_MASK) {
	case PSR_MODE_EL1t:
		return VBAR_OFF_CUR_SP0 + VBAR_OFF_SYNC;
	case PSR_MODE_EL1h:
		return VBAR_OFF_CUR_SPX + VBAR_OFF_SYNC;
	default:
		return VBAR_OFF_LOWER_A64 + VBAR_OFF_SYNC;
	}
}

static bool from_el1(uint64_t pstate)
{
	unsigned mode = pstate & PSR_MODE_MASK;

	return !(pstate & PSR_MODE_nRW) && (mode == PSR_MODE_EL1t || mode == PSR_MODE_EL1h);
}

static void take_exception(struct gz_vcpu *vcpu, uint64_t esr)
{
	struct gz_cpu_ctx *c = &vcpu->ctx;
	uint64_t old = c->pstate;
	uint64_t sctlr = c->sys[GZ_SYS_SCTLR_EL1];
	uint64_t new = PSR_MODE_EL1h | PSR_DAIF;

	c->elr_el1 = c->pc;
	c->spsr_el1 = old;
	c->sys[GZ_SYS_ESR_EL1] = esr;
	/* PSTATE on taking an exception to EL1 (Arm ARM D1.3.6): DIT kept, PAN set when
	 * SCTLR_EL1.SPAN is 0, SSBS from SCTLR_EL1.DSSBS; SS, IL, BTYPE, UAO cleared. */
	new |= old &PSR_DIT;
	if (!(sctlr & SCTLR_EL1_SPAN))
		new |= PSR_PAN;
	else
		new |= old &PSR_PAN;
	if (sctlr & SCTLR_EL1_DSSBS)
		new |= PSR_SSBS;
	c->pstate = new;
	c->pc = c->sys[GZ_SYS_VBAR_EL1] + sync_vector_offset(old);
}

void gz_inject_undef(struct gz_vcpu *vcpu)
{
	take_exception(vcpu, ((uint64_t)ESR_EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL);
}

void gz_inject_dabt(struct gz_vcpu *vcpu, uint64_t far, bool write)
{
	unsigned ec = from_el1(vcpu->ctx.pstate) ? ESR_EC_DABT_CUR : ESR_EC_DABT_LOW;
	uint64_t esr = ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_EXTABT;

	if (write)
		esr |= ESR_DABT_WNR;
	vcpu->ctx.sys[GZ_SYS_FAR_EL1] = far;
	take_exception(vcpu, esr);
}

void gz_inject_iabt(struct gz_vcpu *vcpu, uint64_t far)
{
	unsigned ec = from_el1(vcpu->ctx.pstate) ? ESR_EC_IABT_CUR : ESR_EC_IABT_LOW;

	vcpu->ctx.sys[GZ_SYS_FAR_EL1] = far;
	take_exception(vcpu, ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_EXTABT);
}
