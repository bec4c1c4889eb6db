/* Register plumbing between a gz_cpu_ctx and a Unicorn engine (ucreg.h). */
#include <arm64/sysreg.h>
#include "ucreg.h"

#define CPREG(enc)                                                                                 \
	{                                                                                          \
		SYS_ENC_OP0(enc), SYS_ENC_OP1(enc), SYS_ENC_CRN(enc), SYS_ENC_CRM(enc),            \
		    SYS_ENC_OP2(enc)                                                               \
	}

const struct gz_sim_cpreg gz_sim_ucreg_sys_enc[GZ_SYS_NR] = {
    [GZ_SYS_SCTLR_EL1] = CPREG(SYS_SCTLR_EL1),
    [GZ_SYS_ACTLR_EL1] = CPREG(SYS_ACTLR_EL1),
    [GZ_SYS_CPACR_EL1] = CPREG(SYS_CPACR_EL1),
    [GZ_SYS_TTBR0_EL1] = CPREG(SYS_TTBR0_EL1),
    [GZ_SYS_TTBR1_EL1] = CPREG(SYS_TTBR1_EL1),
    [GZ_SYS_TCR_EL1] = CPREG(SYS_TCR_EL1),
    [GZ_SYS_ESR_EL1] = CPREG(SYS_ESR_EL1),
    [GZ_SYS_AFSR0_EL1] = CPREG(SYS_AFSR0_EL1),
    [GZ_SYS_AFSR1_EL1] = CPREG(SYS_AFSR1_EL1),
    [GZ_SYS_FAR_EL1] = CPREG(SYS_FAR_EL1),
    [GZ_SYS_MAIR_EL1] = CPREG(SYS_MAIR_EL1),
    [GZ_SYS_AMAIR_EL1] = CPREG(SYS_AMAIR_EL1),
    [GZ_SYS_VBAR_EL1] = CPREG(SYS_VBAR_EL1),
    [GZ_SYS_CONTEXTIDR_EL1] = CPREG(SYS_CONTEXTIDR_EL1),
    [GZ_SYS_TPIDR_EL0] = CPREG(SYS_TPIDR_EL0),
    [GZ_SYS_TPIDRRO_EL0] = CPREG(SYS_TPIDRRO_EL0),
    [GZ_SYS_TPIDR_EL1] = CPREG(SYS_TPIDR_EL1),
    [GZ_SYS_PAR_EL1] = CPREG(SYS_PAR_EL1),
    [GZ_SYS_CNTKCTL_EL1] = CPREG(SYS_CNTKCTL_EL1),
    [GZ_SYS_CSSELR_EL1] = CPREG(SYS_CSSELR_EL1),
    [GZ_SYS_MDSCR_EL1] = CPREG(SYS_MDSCR_EL1),
    /* CNTV_CTL/CVAL are the simulator's own (virtual timer), never loaded into Unicorn. */
    [GZ_SYS_CNTV_CTL_EL0] = {0, 0, 0, 0, 0},
    [GZ_SYS_CNTV_CVAL_EL0] = {0, 0, 0, 0, 0},
};

const struct gz_sim_cpreg gz_sim_ucreg_elr_el1 = CPREG(SYS_ELR_EL1),
			  gz_sim_ucreg_spsr_el1 = CPREG(SYS_SPSR_EL1),
			  gz_sim_ucreg_midr_el1 = CPREG(SYS_MIDR_EL1);
const struct gz_sim_cpreg gz_sim_ucreg_hcr_el2 = CPREG(SYS_HCR_EL2),
			  gz_sim_ucreg_mdcr_el2 = CPREG(SYS_MDCR_EL2),
			  gz_sim_ucreg_cptr_el2 = CPREG(SYS_CPTR_EL2),
			  gz_sim_ucreg_scr_el3 = CPREG(SYS_SCR_EL3),
			  gz_sim_ucreg_cnthctl_el2 = CPREG(SYS_CNTHCTL_EL2);

/* The virtual timer is the simulator's (timer.c), and so is the debug unit (debug.c): Unicorn's
 * MDSCR_EL1 stays 0, its own breakpoints, watchpoints and step off. */
bool gz_sim_ucreg_has_sysreg(int idx)
{
	return idx != GZ_SYS_CNTV_CTL_EL0 && idx != GZ_SYS_CNTV_CVAL_EL0 && idx != GZ_SYS_MDSCR_EL1;
}

uint64_t gz_sim_ucreg_cp_read(uc_engine *uc, struct gz_sim_cpreg e)
{
	uc_arm64_cp_reg r = {.op0 = e.op0, .op1 = e.op1, .crn = e.crn, .crm = e.crm, .op2 = e.op2};

	if (uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r) != UC_ERR_OK)
		return 0;
	return r.val;
}

void gz_sim_ucreg_cp_write(uc_engine *uc, struct gz_sim_cpreg e, uint64_t v)
{
	uc_arm64_cp_reg r = {
	    .op0 = e.op0, .op1 = e.op1, .crn = e.crn, .crm = e.crm, .op2 = e.op2, .val = v};

	uc_reg_write(uc, UC_ARM64_REG_CP_REG, &r);
}

int gz_sim_ucreg_xreg(unsigned n)
{
	if (n < 29)
		return UC_ARM64_REG_X0 + (int)n;
	return n == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

/* Batches: one Unicorn call for a register set instead of one per register (the calls were
 * half of an exit's cost): x0-x30 then PC and PSTATE; Q0-Q31 then FPSR and FPCR. */
static void gpr_ids(int ids[GZ_SIM_UCREG_NGPR + 2])
{
	for (unsigned i = 0; i < GZ_SIM_UCREG_NGPR; i++)
		ids[i] = gz_sim_ucreg_xreg(i);
	ids[GZ_SIM_UCREG_NGPR] = UC_ARM64_REG_PC;
	ids[GZ_SIM_UCREG_NGPR + 1] = UC_ARM64_REG_PSTATE;
}

static void fp_ids(int ids[32 + 2])
{
	for (int i = 0; i < 32; i++)
		ids[i] = UC_ARM64_REG_Q0 + i;
	ids[32] = UC_ARM64_REG_FPSR;
	ids[33] = UC_ARM64_REG_FPCR;
}

void gz_sim_ucreg_read_gprs(uc_engine *uc, uint64_t x[GZ_SIM_UCREG_NGPR], uint64_t *pc,
			    uint64_t *pstate)
{
	int ids[GZ_SIM_UCREG_NGPR + 2];
	void *vals[GZ_SIM_UCREG_NGPR + 2];

	gpr_ids(ids);
	for (int i = 0; i < GZ_SIM_UCREG_NGPR; i++)
		vals[i] = &x[i];
	*pc = *pstate = 0;
	vals[GZ_SIM_UCREG_NGPR] = pc;
	vals[GZ_SIM_UCREG_NGPR + 1] = pstate;
	uc_reg_read_batch(uc, ids, vals, GZ_SIM_UCREG_NGPR + 2);
}

void gz_sim_ucreg_write_gprs(uc_engine *uc, const uint64_t x[GZ_SIM_UCREG_NGPR])
{
	int ids[GZ_SIM_UCREG_NGPR + 2];
	void *vals[GZ_SIM_UCREG_NGPR];

	gpr_ids(ids);
	for (int i = 0; i < GZ_SIM_UCREG_NGPR; i++)
		vals[i] = (void *)&x[i];
	uc_reg_write_batch(uc, ids, vals, GZ_SIM_UCREG_NGPR);
}

void gz_sim_ucreg_read_fp(uc_engine *uc, struct gz_fpsimd *fp)
{
	uint64_t fpsr = 0, fpcr = 0;
	void *vals[34];
	int ids[34];

	fp_ids(ids);
	for (int i = 0; i < 32; i++)
		vals[i] = fp->v[i];
	vals[32] = &fpsr;
	vals[33] = &fpcr;
	uc_reg_read_batch(uc, ids, vals, 34);
	fp->fpsr = (uint32_t)fpsr;
	fp->fpcr = (uint32_t)fpcr;
}

void gz_sim_ucreg_write_fp(uc_engine *uc, const struct gz_fpsimd *fp)
{
	uint64_t fpsr = fp->fpsr, fpcr = fp->fpcr;
	void *vals[34];
	int ids[34];

	fp_ids(ids);
	for (int i = 0; i < 32; i++)
		vals[i] = (void *)fp->v[i];
	vals[32] = &fpsr;
	vals[33] = &fpcr;
	uc_reg_write_batch(uc, ids, vals, 34);
}

uint64_t gz_sim_ucreg_rd(uc_engine *uc, int reg)
{
	uint64_t v = 0;

	uc_reg_read(uc, reg, &v);
	return v;
}

void gz_sim_ucreg_wr(uc_engine *uc, int reg, uint64_t v)
{
	uc_reg_write(uc, reg, &v);
}

uint64_t gz_sim_ucreg_gpr(uc_engine *uc, unsigned n)
{
	return n == 31 ? 0 : gz_sim_ucreg_rd(uc, gz_sim_ucreg_xreg(n));
}

void gz_sim_ucreg_set_gpr(uc_engine *uc, unsigned n, uint64_t v)
{
	if (n != 31)
		gz_sim_ucreg_wr(uc, gz_sim_ucreg_xreg(n), v);
}

uint64_t gz_sim_ucreg_operand(uc_engine *uc, uc_arm64_reg reg)
{
	return reg == UC_ARM64_REG_XZR || reg == UC_ARM64_REG_WZR ? 0 : gz_sim_ucreg_rd(uc, reg);
}

void gz_sim_ucreg_set_operand(uc_engine *uc, uc_arm64_reg reg, uint64_t val)
{
	if (reg != UC_ARM64_REG_XZR && reg != UC_ARM64_REG_WZR)
		gz_sim_ucreg_wr(uc, reg, val);
}

uint64_t gz_sim_ucreg_addr_reg(void *arg, unsigned n, bool sp)
{
	uc_engine *uc = arg;

	if (n == 31)
		return sp ? gz_sim_ucreg_rd(uc, UC_ARM64_REG_SP) : 0;
	return gz_sim_ucreg_rd(uc, gz_sim_ucreg_xreg(n));
}

static bool sp_is_el1(uint64_t pstate)
{
	return (pstate & PSR_MODE_MASK) == PSR_MODE_EL1h;
}

void gz_sim_ucreg_write_pstate_sp(uc_engine *uc, uint64_t pstate, uint64_t sp_el0, uint64_t sp_el1)
{
	gz_sim_ucreg_wr(uc, UC_ARM64_REG_PSTATE, pstate);
	gz_sim_ucreg_wr(uc, UC_ARM64_REG_SP_EL0, sp_el0);
	gz_sim_ucreg_wr(uc, UC_ARM64_REG_SP_EL1, sp_el1);
	gz_sim_ucreg_wr(uc, UC_ARM64_REG_SP, sp_is_el1(pstate) ? sp_el1 : sp_el0);
}

void gz_sim_ucreg_read_sps(uc_engine *uc, uint64_t pstate, uint64_t *sp_el0, uint64_t *sp_el1)
{
	uint64_t cur = gz_sim_ucreg_rd(uc, UC_ARM64_REG_SP);

	if (sp_is_el1(pstate)) {
		*sp_el1 = cur;
		*sp_el0 = gz_sim_ucreg_rd(uc, UC_ARM64_REG_SP_EL0);
	} else {
		*sp_el0 = cur;
		*sp_el1 = gz_sim_ucreg_rd(uc, UC_ARM64_REG_SP_EL1);
	}
}

bool gz_sim_ucreg_at_el0(uc_engine *uc)
{
	return (gz_sim_ucreg_rd(uc, UC_ARM64_REG_PSTATE) & PSR_MODE_MASK) == PSR_MODE_EL0t;
}

bool gz_sim_ucreg_fetch_insn(uc_engine *uc, uint64_t pc, uint32_t *insn)
{
	if (uc_vmem_read(uc, pc, UC_PROT_EXEC, insn, 4) == UC_ERR_OK)
		return true;
	return uc_mem_read(uc, pc, insn, 4) == UC_ERR_OK;
}
