/* Context load and save between a gz_cpu_ctx and a vCPU's engine (ctx.h). */
#include <string.h>
#include <gzhyp/exit.h>
#include <gzabi/status.h>
#include "debug.h"
#include "gexc.h"
#include "ucreg.h"
#include "ctx.h"

/* The registers stage 1 translates with. */
static bool translation_reg(int i)
{
	return i == GZ_SYS_SCTLR_EL1 || i == GZ_SYS_TTBR0_EL1 || i == GZ_SYS_TTBR1_EL1 ||
	       i == GZ_SYS_TCR_EL1 || i == GZ_SYS_MAIR_EL1;
}

int gz_sim_ctx_load(struct gz_sim_vcpu *v, const struct gz_cpu_ctx *c)
{
	uc_engine *uc = v->uc;
	unsigned el = (unsigned)(c->pstate >> 2) & 3;
	bool mmu = false, entered = false;

	if (el != v->hflags_el) {
		/* The core moved the vCPU to EL1 (an exception it injected at EL0): let Unicorn
		 * make that transition. The reverse only happens through the guest's ERET. */
		if (el != 1)
			return GZ_ERR_NOT_SUPPORTED;
		gz_sim_gexc_uc_to_el1(v);
		entered = true; /* Unicorn's exception entry wrote its ELR and SPSR */
	}

	gz_sim_ucreg_write_gprs(uc, c->x);
	if (!v->shadow_valid || memcmp(&v->fp_shadow, &c->fp, sizeof(c->fp)))
		gz_sim_ucreg_write_fp(uc, &c->fp);
	for (int i = 0; i < GZ_SYS_NR; i++) {
		if (!gz_sim_ucreg_has_sysreg(i) ||
		    (v->shadow_valid && v->sys_shadow[i] == c->sys[i]))
			continue;
		gz_sim_ucreg_cp_write(uc, gz_sim_ucreg_sys_enc[i], c->sys[i]);
		mmu |= translation_reg(i);
	}
	/* A register write through the API has none of the MSR's side effects: translations
	 * Unicorn cached under the old regime (the MMU off, another TTBR) would stay. */
	if (mmu)
		uc_ctl_flush_tlb(uc);
	/* The engine still holds what the last save read, unless the entry above wrote them. */
	if (entered || !v->shadow_valid || v->elr_shadow != c->elr_el1)
		gz_sim_ucreg_cp_write(uc, gz_sim_ucreg_elr_el1, c->elr_el1);
	if (entered || !v->shadow_valid || v->spsr_shadow != c->spsr_el1)
		gz_sim_ucreg_cp_write(uc, gz_sim_ucreg_spsr_el1, c->spsr_el1);
	gz_sim_ucreg_write_pstate_sp(uc, c->pstate, c->sp_el0, c->sp_el1);
	gz_sim_ucreg_wr(uc, UC_ARM64_REG_PC, c->pc);
	return GZ_OK;
}

void gz_sim_ctx_save(struct gz_sim_vcpu *v, struct gz_cpu_ctx *c)
{
	uc_engine *uc = v->uc;

	/* One copy of the general registers per exit: a declined fast exit read them already. */
	if (!v->gprs_saved)
		gz_sim_ucreg_read_gprs(uc, c->x, &c->pc, &c->pstate);
	v->gprs_saved = false;
	gz_sim_ucreg_read_sps(uc, c->pstate, &c->sp_el0, &c->sp_el1);
	c->pstate = gz_sim_debug_pstate(v, c->pstate);
	gz_sim_ucreg_read_fp(uc, &c->fp);
	if (v->sys_dirty) {
		for (int i = 0; i < GZ_SYS_NR; i++)
			if (gz_sim_ucreg_has_sysreg(i))
				c->sys[i] = gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_sys_enc[i]);
	}
	c->elr_el1 = gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_elr_el1);
	c->spsr_el1 = gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_spsr_el1);
	v->elr_shadow = c->elr_el1;
	v->spsr_shadow = c->spsr_el1;
	v->fp_shadow = c->fp;
	memcpy(v->sys_shadow, c->sys, sizeof(c->sys));
	v->shadow_valid = true;
}

bool gz_sim_ctx_fast_exit(struct gz_sim_vcpu *v, struct gz_cpu_ctx *c)
{
	uc_engine *uc = v->uc;
	uint64_t pstate;

	gz_sim_ucreg_read_gprs(uc, c->x, &c->pc, &c->pstate);
	pstate = c->pstate;
	c->sys[GZ_SYS_SCTLR_EL1] = gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_sys_enc[GZ_SYS_SCTLR_EL1]);
	if (!gz_exit_fast(c, v->exit)) {
		v->gprs_saved = true; /* and the exit goes back to the core as it is */
		return false;
	}
	gz_sim_ucreg_write_gprs(uc, c->x);
	if (c->pstate != pstate) {
		uint64_t sp0, sp1;

		gz_sim_ucreg_read_sps(uc, pstate, &sp0, &sp1);
		gz_sim_ucreg_write_pstate_sp(uc, c->pstate, sp0, sp1);
	}
	gz_sim_ucreg_wr(uc, UC_ARM64_REG_PC, c->pc);
	return true;
}
