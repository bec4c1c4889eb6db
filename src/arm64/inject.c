/* Synchronous exceptions a hypervisor injects into a guest (UNDEF, data and instruction
 * aborts) and the exception entry every injected exception shares, on a vCPU context. */
#include <arm64/esr.h>
#include <arm64/inject.h>
#include <arm64/sysreg.h>

uint64_t arm64_exc_vector(uint64_t pstate, enum arm64_exc_kind kind)
{
	if (pstate & PSR_MODE_nRW)
		return VBAR_OFF_LOWER_A32 + kind;
	switch (pstate & PSR_MODE_MASK) {
	case PSR_MODE_EL1t:
		return VBAR_OFF_CUR_SP0 + kind;
	case PSR_MODE_EL1h:
		return VBAR_OFF_CUR_SPX + kind;
	default:
		return VBAR_OFF_LOWER_A64 + kind;
	}
}

uint64_t arm64_exc_pstate(uint64_t old, uint64_t sctlr)
{
	uint64_t new = PSR_MODE_EL1h | PSR_DAIF;

	/* PSTATE on taking an exception to EL1 (Arm ARM D1.3.6): the condition flags and DIT
	 * kept, PAN set when SCTLR_EL1.SPAN is 0, SSBS from SCTLR_EL1.DSSBS; SS, IL, BTYPE,
	 * UAO cleared. */
	new |= old &(PSR_NZCV | PSR_DIT);
	if (!(sctlr & SCTLR_EL1_SPAN))
		new |= PSR_PAN;
	else
		new |= old &PSR_PAN;
	if (sctlr & SCTLR_EL1_DSSBS)
		new |= PSR_SSBS;
	return new;
}

static bool from_el1(uint64_t pstate)
{
	unsigned mode = pstate & PSR_MODE_MASK;

	return !(pstate & PSR_MODE_nRW) && (mode == PSR_MODE_EL1t || mode == PSR_MODE_EL1h);
}

void arm64_take_exception(struct gz_cpu_ctx *c, enum arm64_exc_kind kind, uint64_t esr)
{
	uint64_t old = c->pstate;

	c->elr_el1 = c->pc;
	c->spsr_el1 = old;
	if (kind == ARM64_EXC_SYNC || kind == ARM64_EXC_SERROR)
		c->sys[GZ_SYS_ESR_EL1] = esr;
	c->pstate = arm64_exc_pstate(old, c->sys[GZ_SYS_SCTLR_EL1]);
	c->pc = (c->sys[GZ_SYS_VBAR_EL1] & VBAR_EL1_BASE) + arm64_exc_vector(old, kind);
}

void arm64_inject_undef(struct gz_cpu_ctx *c)
{
	arm64_take_exception(c, ARM64_EXC_SYNC, arm64_esr(ESR_EC_UNKNOWN, 0));
}

void arm64_inject_dabt(struct gz_cpu_ctx *c, uint64_t far, bool write)
{
	unsigned ec = from_el1(c->pstate) ? ESR_EC_DABT_CUR : ESR_EC_DABT_LOW;

	c->sys[GZ_SYS_FAR_EL1] = far;
	arm64_take_exception(c, ARM64_EXC_SYNC,
			     arm64_esr(ec, ESR_FSC_EXTABT | (write ? ESR_DABT_WNR : 0)));
}

void arm64_inject_iabt(struct gz_cpu_ctx *c, uint64_t far)
{
	unsigned ec = from_el1(c->pstate) ? ESR_EC_IABT_CUR : ESR_EC_IABT_LOW;

	c->sys[GZ_SYS_FAR_EL1] = far;
	arm64_take_exception(c, ARM64_EXC_SYNC, arm64_esr(ec, ESR_FSC_EXTABT));
}
