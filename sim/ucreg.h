/* Register plumbing between a gz_cpu_ctx and a Unicorn engine: system registers by their
 * (op0, op1, CRn, CRm, op2) encoding, general-purpose registers, the SP banks and the
 * instruction at a PC. Knows Unicorn, not the vCPU. */
#ifndef GZ_SIM_UCREG_H
#define GZ_SIM_UCREG_H

#include <unicorn/unicorn.h>
#include <arm64/cpu_ctx.h>

struct gz_sim_cpreg {
	uint8_t op0, op1, crn, crm, op2;
};

/* Where Unicorn keeps each context system register ({0} for the virtual timer's, which the
 * simulator keeps itself: gz_sim_ucreg_has_sysreg() is false for them). */
extern const struct gz_sim_cpreg gz_sim_ucreg_sys_enc[GZ_SYS_NR];
extern const struct gz_sim_cpreg gz_sim_ucreg_elr_el1, gz_sim_ucreg_spsr_el1, gz_sim_ucreg_midr_el1;
/* Unicorn's own EL2/EL3 controls, used to make it raise precise traps for the simulator. */
extern const struct gz_sim_cpreg gz_sim_ucreg_hcr_el2, gz_sim_ucreg_mdcr_el2, gz_sim_ucreg_cptr_el2,
    gz_sim_ucreg_scr_el3, gz_sim_ucreg_cnthctl_el2;

bool gz_sim_ucreg_has_sysreg(int idx);
uint64_t gz_sim_ucreg_cp_read(uc_engine *uc, struct gz_sim_cpreg e);
void gz_sim_ucreg_cp_write(uc_engine *uc, struct gz_sim_cpreg e, uint64_t v);

/* Unicorn's id of Xn (n < 31). */
int gz_sim_ucreg_xreg(unsigned n);
/* x0-x30 with PC and PSTATE, and Q0-Q31 with FPSR/FPCR, each in one Unicorn call. */
#define GZ_SIM_UCREG_NGPR 31
void gz_sim_ucreg_read_gprs(uc_engine *uc, uint64_t x[GZ_SIM_UCREG_NGPR], uint64_t *pc,
			    uint64_t *pstate);
void gz_sim_ucreg_write_gprs(uc_engine *uc, const uint64_t x[GZ_SIM_UCREG_NGPR]);
void gz_sim_ucreg_read_fp(uc_engine *uc, struct gz_fpsimd *fp);
void gz_sim_ucreg_write_fp(uc_engine *uc, const struct gz_fpsimd *fp);
uint64_t gz_sim_ucreg_rd(uc_engine *uc, int reg);
void gz_sim_ucreg_wr(uc_engine *uc, int reg, uint64_t v);
/* GPR n as an instruction operand (31 = XZR: reads zero, writes vanish). */
uint64_t gz_sim_ucreg_gpr(uc_engine *uc, unsigned n);
void gz_sim_ucreg_set_gpr(uc_engine *uc, unsigned n, uint64_t v);
/* The register operand Unicorn hands an MRS/MSR hook (XZR/WZR as above). */
uint64_t gz_sim_ucreg_operand(uc_engine *uc, uc_arm64_reg reg);
void gz_sim_ucreg_set_operand(uc_engine *uc, uc_arm64_reg reg, uint64_t val);
/* Xn for an address computation (gz_sim_decode_ldst_va's callback, @arg the engine): n = 31 is
 * SP when @sp, else XZR. */
uint64_t gz_sim_ucreg_addr_reg(void *arg, unsigned n, bool sp);

/* PSTATE with the SP banks: the current SP lives in Unicorn's SP, the other in SP_EL0/1. */
void gz_sim_ucreg_write_pstate_sp(uc_engine *uc, uint64_t pstate, uint64_t sp_el0, uint64_t sp_el1);
void gz_sim_ucreg_read_sps(uc_engine *uc, uint64_t pstate, uint64_t *sp_el0, uint64_t *sp_el1);
bool gz_sim_ucreg_at_el0(uc_engine *uc);

/* The instruction word at @pc (through the guest's stage 1 when it can, else as an IPA). */
bool gz_sim_ucreg_fetch_insn(uc_engine *uc, uint64_t pc, uint32_t *insn);

#endif
