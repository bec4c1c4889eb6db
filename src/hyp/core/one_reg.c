/* ONE_REG access to a vCPU's registers with KVM's id encoding (gzhyp/one_reg.h). */
#include <uapi/linux/gzvm.h>
#include <arm64/sysreg.h>
#include <arm64/cpu_ctx.h>
#include <gzhyp/one_reg.h>
#include <gzabi/status.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vtimer.h>
#include <hal.h>

/* KVM's timer ids (note CVAL and CNT: KVM swapped their encodings, kept for ABI). Its
 * physical timer's ids are the registers' own encodings: KVM_REG_ARM_PTIMER_CTL is
 * SYS_CNTP_CTL_EL0, PTIMER_CVAL SYS_CNTP_CVAL_EL0, PTIMER_CNT SYS_CNTPCT_EL0. */
#define ONE_REG_TIMER_CTL  SYS_ENC(3, 3, 14, 3, 1)
#define ONE_REG_TIMER_CNT  SYS_ENC(3, 3, 14, 3, 2)
#define ONE_REG_TIMER_CVAL SYS_ENC(3, 3, 14, 0, 2)

static const struct {
	uint32_t enc;
	enum gz_sysreg idx;
} sysregs[] = {
    {SYS_SCTLR_EL1, GZ_SYS_SCTLR_EL1},
    {SYS_CPACR_EL1, GZ_SYS_CPACR_EL1},
    {SYS_TTBR0_EL1, GZ_SYS_TTBR0_EL1},
    {SYS_TTBR1_EL1, GZ_SYS_TTBR1_EL1},
    {SYS_TCR_EL1, GZ_SYS_TCR_EL1},
    {SYS_ESR_EL1, GZ_SYS_ESR_EL1},
    {SYS_AFSR0_EL1, GZ_SYS_AFSR0_EL1},
    {SYS_AFSR1_EL1, GZ_SYS_AFSR1_EL1},
    {SYS_FAR_EL1, GZ_SYS_FAR_EL1},
    {SYS_MAIR_EL1, GZ_SYS_MAIR_EL1},
    {SYS_AMAIR_EL1, GZ_SYS_AMAIR_EL1},
    {SYS_VBAR_EL1, GZ_SYS_VBAR_EL1},
    {SYS_CONTEXTIDR_EL1, GZ_SYS_CONTEXTIDR_EL1},
    {SYS_TPIDR_EL0, GZ_SYS_TPIDR_EL0},
    {SYS_TPIDRRO_EL0, GZ_SYS_TPIDRRO_EL0},
    {SYS_TPIDR_EL1, GZ_SYS_TPIDR_EL1},
    {SYS_PAR_EL1, GZ_SYS_PAR_EL1},
    {SYS_CNTKCTL_EL1, GZ_SYS_CNTKCTL_EL1},
    {SYS_CSSELR_EL1, GZ_SYS_CSSELR_EL1},
    {SYS_MDSCR_EL1, GZ_SYS_MDSCR_EL1},
    {ONE_REG_TIMER_CTL, GZ_SYS_CNTV_CTL_EL0},
    {ONE_REG_TIMER_CVAL, GZ_SYS_CNTV_CVAL_EL0},
};

enum { R_NONE, R_U64, R_U32 };

/* Where a CORE id points: a 64-bit or 32-bit slot of the context, or nothing. */
static int core_slot(struct gz_vcpu *v, uint64_t off, uint64_t **p64, uint32_t **p32)
{
	struct gz_cpu_ctx *c = &v->ctx;
	GZ_STATIC_ASSERT(GZVM_REG_ARM_CORE_REG(regs.regs[0]) == 0, "X0 is CORE id 0");
	if (off < 31 * 2 && !(off & 1)) {
		*p64 = &c->x[off / 2];
		return R_U64;
	}
	if (off == GZVM_REG_ARM_CORE_REG(regs.sp)) {
		*p64 = &c->sp_el0;
		return R_U64;
	}
	if (off == GZVM_REG_ARM_CORE_REG(regs.pc)) {
		*p64 = &c->pc;
		return R_U64;
	}
	if (off == GZVM_REG_ARM_CORE_REG(regs.pstate)) {
		*p64 = &c->pstate;
		return R_U64;
	}
	if (off == GZVM_REG_ARM_CORE_REG(sp_el1)) {
		*p64 = &c->sp_el1;
		return R_U64;
	}
	if (off == GZVM_REG_ARM_CORE_REG(elr_el1)) {
		*p64 = &c->elr_el1;
		return R_U64;
	}
	if (off == GZVM_REG_ARM_CORE_REG(spsr[0])) {
		*p64 = &c->spsr_el1;
		return R_U64;
	}
	if (off == GZVM_REG_ARM_CORE_REG(fp_regs.fpsr)) {
		*p32 = &c->fp.fpsr;
		return R_U32;
	}
	if (off == GZVM_REG_ARM_CORE_REG(fp_regs.fpcr)) {
		*p32 = &c->fp.fpcr;
		return R_U32;
	}
	return R_NONE;
}

/* The PSTATE fields an AArch64 EL1/EL0 guest may be given. Everything else is RES0 in
 * SPSR_EL2 or belongs to a feature the VM is not offered (ALLINT, TCO, PM, UINJ...): the
 * host must not hand it to the exception return. */
#define PSTATE_GUEST_BITS                                                                          \
	(PSR_MODE_MASK | PSR_DAIF | PSR_BTYPE | PSR_SSBS | PSR_IL | PSR_SS | PSR_PAN | PSR_UAO |   \
	 PSR_DIT | PSR_NZCV)

static bool pstate_ok(uint64_t v)
{
	unsigned mode = v & PSR_MODE_MASK;

	if ((v & PSR_MODE_nRW) || (v & ~(uint64_t)PSTATE_GUEST_BITS))
		return false;
	return mode == PSR_MODE_EL0t || mode == PSR_MODE_EL1t || mode == PSR_MODE_EL1h;
}

static bool is_vreg(uint64_t off)
{
	uint64_t v0 = GZVM_REG_ARM_CORE_REG(fp_regs.vregs[0]);

	return off >= v0 && off < v0 + 32 * 4;
}

static int core_access(struct gz_vcpu *v, uint64_t id, uint64_t *val, bool set)
{
	uint64_t off = id & ~(GZVM_REG_ARCH_MASK | GZVM_REG_SIZE_MASK | GZVM_REG_ARM_COPROC_MASK);
	uint64_t size = id & GZVM_REG_SIZE_MASK;
	uint64_t *p64 = NULL;
	uint32_t *p32 = NULL;

	if (is_vreg(off))
		return GZ_ERR_NOT_SUPPORTED;
	switch (core_slot(v, off, &p64, &p32)) {
	case R_U64:
		if (size != GZVM_REG_SIZE_U64)
			return GZ_ERR_INVALID_ARGS;
		if (set) {
			if (p64 == &v->ctx.pstate && !pstate_ok(*val))
				return GZ_ERR_INVALID_ARGS;
			*p64 = *val;
			/* A new PC redirects the vCPU (a VMM injecting an abort for an access
			 * no device claims): what the last exit left to complete (an MMIO
			 * load and its PC step, a forwarded call's results) is dropped. */
			if (p64 == &v->ctx.pc) {
				v->mmio.active = false;
				v->hvc_pending = false;
			}
		} else {
			*val = *p64;
		}
		return GZ_OK;
	case R_U32:
		if (size != GZVM_REG_SIZE_U32 || (set && (*val >> 32)))
			return GZ_ERR_INVALID_ARGS;
		if (set)
			*p32 = (uint32_t)*val;
		else
			*val = *p32;
		return GZ_OK;
	default:
		return GZ_ERR_INVALID_ARGS;
	}
}

static int sysreg_access(struct gz_vcpu *v, uint64_t id, uint64_t *val, bool set)
{
	uint32_t enc = (uint32_t)(id & 0xffff);
	unsigned i;

	if ((id & GZVM_REG_SIZE_MASK) != GZVM_REG_SIZE_U64 ||
	    (id & ~(GZVM_REG_ARCH_MASK | GZVM_REG_SIZE_MASK | GZVM_REG_ARM_COPROC_MASK | 0xffff)))
		return GZ_ERR_INVALID_ARGS;
	for (i = 0; i < GZ_ARRAY_SIZE(sysregs); i++) {
		if (sysregs[i].enc != enc)
			continue;
		if (set)
			v->ctx.sys[sysregs[i].idx] = *val;
		else
			*val = v->ctx.sys[sysregs[i].idx];
		return GZ_OK;
	}
	switch (enc) {
	case SYS_ACTLR_EL1:
		/* IMPLEMENTATION DEFINED CPU control that the guest itself may not touch
		 * (HCR_EL2.TACR): the host reads it, but cannot choose what the hardware
		 * register holds while the guest runs. */
		if (set)
			return *val == v->ctx.sys[GZ_SYS_ACTLR_EL1] ? GZ_OK : GZ_ERR_INVALID_ARGS;
		*val = v->ctx.sys[GZ_SYS_ACTLR_EL1];
		return GZ_OK;
	case SYS_MPIDR_EL1:
		/* Fixed per vCPU index (the vGIC routes by it): reads work, writes must agree. */
		if (set)
			return *val == v->mpidr ? GZ_OK : GZ_ERR_INVALID_ARGS;
		*val = v->mpidr;
		return GZ_OK;
	case ONE_REG_TIMER_CNT:
	case SYS_CNTPCT_EL0:
		/* The counter offsets are per VM and fixed at creation. */
		if (set)
			return GZ_ERR_NOT_SUPPORTED;
		*val = enc == SYS_CNTPCT_EL0 ? gz_ptimer_count(&v->ctx, gz_hal_cntpct())
					     : gz_vtimer_vcount(&v->ctx, gz_hal_cntpct());
		return GZ_OK;
	case SYS_CNTP_CTL_EL0:
	case SYS_CNTP_CVAL_EL0:
		/* The emulated physical timer, as the guest reads and writes it (CTL with its
		 * ISTATUS); the next RUN drives its line from the new values. */
		return gz_ptimer_access(&v->ctx, enc, set, val, gz_hal_cntpct());
	default:
		/* ID registers and everything else the guest reads from hardware. */
		return GZ_ERR_NOT_SUPPORTED;
	}
}

static int access(struct gz_vcpu *v, uint64_t id, uint64_t *val, bool set)
{
	if ((id & GZVM_REG_ARCH_MASK) != GZVM_REG_ARCH_ARM64)
		return GZ_ERR_INVALID_ARGS;
	switch (id & GZVM_REG_ARM_COPROC_MASK) {
	case GZVM_REG_ARM_CORE:
		return core_access(v, id, val, set);
	case GZVM_REG_ARM64_SYSREG:
		return sysreg_access(v, id, val, set);
	default:
		return GZ_ERR_NOT_SUPPORTED;
	}
}

int gz_one_reg_get(struct gz_vcpu *v, uint64_t id, uint64_t *val)
{
	return access(v, id, val, false);
}

int gz_one_reg_set(struct gz_vcpu *v, uint64_t id, uint64_t val)
{
	return access(v, id, &val, true);
}
