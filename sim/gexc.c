/* Exception entry into the guest (gexc.h). */
#include <stdio.h>
#include <arm64/inject.h>
#include <arm64/sysreg.h>
#include "exec.h"
#include "machine.h"
#include "ucreg.h"
#include "gexc.h"

/* Unicorn keeps translation flags (the EL among them) cached and rebuilds them only when it
 * changes EL itself, never on a PSTATE write through its API (seen with 2.1.4). To move the
 * CPU from EL0 to EL1 we let Unicorn take a virtual IRQ (HCR_EL2.VI) and stop on the vector;
 * the caller then rewrites ESR/FAR/ELR/SPSR/PC as the real exception needs. */
void gz_sim_gexc_uc_to_el1(struct gz_sim_vcpu *v)
{
	uc_engine *uc = v->uc;
	uint64_t pstate = gz_sim_ucreg_rd(uc, UC_ARM64_REG_PSTATE),
		 pc = gz_sim_ucreg_rd(uc, UC_ARM64_REG_PC);
	uint64_t vbar = gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_sys_enc[GZ_SYS_VBAR_EL1]) & ~0x7ffULL;
	uint64_t vector = vbar + VBAR_OFF_LOWER_A64 + VBAR_OFF_IRQ;
	bool vi = v->uc_vi;

	gz_sim_ucreg_wr(uc, UC_ARM64_REG_PSTATE, pstate & ~PSR_I);
	gz_sim_vcpu_set_vi(v, true);
	/* The block hook stops the engine before the vector's first block ("until" does not
	 * stop after an interrupt entry in 2.1.4). Every block calls it already: a code hook
	 * added on the vector needed the whole translation cache flushed to take effect, at
	 * each of Linux's page faults from user space. */
	v->stop_at = vector;
	uc_emu_start(uc, pc, GZ_SIM_NO_UNTIL, 0, 0);
	v->stop_at = GZ_SIM_NO_STOP;
	gz_sim_vcpu_set_vi(v, vi);
	v->hflags_el = (gz_sim_ucreg_rd(uc, UC_ARM64_REG_PSTATE) >> 2) & 3;
	if (gz_sim_m.trace)
		fprintf(stderr, "gzsim: EL0->EL1 from %#llx: now at %#llx, EL %u\n",
			(unsigned long long)pc,
			(unsigned long long)gz_sim_ucreg_rd(uc, UC_ARM64_REG_PC), v->hflags_el);
	if (v->hflags_el != 1 || gz_sim_ucreg_rd(uc, UC_ARM64_REG_PC) != vector)
		gz_hal_panic("gzsim: Unicorn did not take the EL0 -> EL1 entry");
}

void gz_sim_gexc_enter(struct gz_sim_vcpu *v, uint64_t esr, uint64_t elr, bool far_valid,
		       uint64_t far)
{
	uc_engine *uc = v->uc;
	struct gz_cpu_ctx c = {.pc = elr}; /* what arm64_take_exception reads and writes */
	uint64_t sp0, sp1;

	c.pstate = gz_sim_ucreg_rd(uc, UC_ARM64_REG_PSTATE);
	c.sys[GZ_SYS_SCTLR_EL1] = gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_sys_enc[GZ_SYS_SCTLR_EL1]);
	c.sys[GZ_SYS_VBAR_EL1] = gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_sys_enc[GZ_SYS_VBAR_EL1]);
	gz_sim_ucreg_read_sps(uc, c.pstate, &sp0, &sp1);
	if ((c.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t && v->hflags_el != 1)
		gz_sim_gexc_uc_to_el1(v); /* from here only EL1 state is written */
	arm64_take_exception(&c, ARM64_EXC_SYNC, esr);
	gz_sim_ucreg_cp_write(uc, gz_sim_ucreg_elr_el1, c.elr_el1);
	gz_sim_ucreg_cp_write(uc, gz_sim_ucreg_spsr_el1, c.spsr_el1);
	gz_sim_ucreg_cp_write(uc, gz_sim_ucreg_sys_enc[GZ_SYS_ESR_EL1], c.sys[GZ_SYS_ESR_EL1]);
	if (far_valid)
		gz_sim_ucreg_cp_write(uc, gz_sim_ucreg_sys_enc[GZ_SYS_FAR_EL1], far);
	gz_sim_ucreg_write_pstate_sp(uc, c.pstate, sp0, sp1);
	gz_sim_ucreg_wr(uc, UC_ARM64_REG_PC, c.pc);
	v->sys_dirty = true;
}
