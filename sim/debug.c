/* The guest's debug unit (debug.h). */
#include <arm64/debug.h>
#include <arm64/esr.h>
#include "decode.h"
#include "syndrome.h"
#include "trap.h"
#include "ucreg.h"
#include "debug.h"

#define INSN_ERET 0xd69f03e0u

static bool bp_hit(const struct gz_debug_ctx *d, uint64_t pc, bool el0)
{
	for (unsigned n = 0; n < d->nr_bps && n < GZ_DBG_MAX_BPS; n++) {
		uint64_t bcr = d->bcr[n];

		/* enabled, an unlinked address match, for this EL, on the instruction's bytes */
		if ((bcr & DBGxCR_E) && !(bcr & DBGBCR_BT) &&
		    (bcr & (el0 ? DBGxCR_EL0 : DBGxCR_EL1)) && (bcr & DBGBCR_BAS) &&
		    (d->bvr[n] & ~(uint64_t)3) == pc)
			return true;
	}
	return false;
}

/* The bytes one watchpoint watches overlap [va, va + size). */
static bool wp_covers(uint64_t wcr, uint64_t wvr, uint64_t va, uint64_t size)
{
	unsigned mask = (unsigned)GZ_FIELD_GET(DBGWCR_MASK, wcr);
	unsigned bas = (unsigned)GZ_FIELD_GET(DBGWCR_BAS, wcr);
	uint64_t base = wvr & ~(uint64_t)7;

	if (mask) {
		base = wvr & ~((1ULL << mask) - 1);
		return va < base + (1ULL << mask) && base < va + size;
	}
	for (unsigned i = 0; i < 8; i++)
		if ((bas & (1u << i)) && base + i >= va && base + i < va + size)
			return true;
	return false;
}

static bool wp_hit(const struct gz_debug_ctx *d, bool el0, uint64_t va, uint64_t size, bool write)
{
	for (unsigned n = 0; n < d->nr_wps && n < GZ_DBG_MAX_WPS; n++) {
		uint64_t wcr = d->wcr[n];

		if ((wcr & DBGxCR_E) && (wcr & (el0 ? DBGxCR_EL0 : DBGxCR_EL1)) &&
		    (wcr & (write ? DBGWCR_LSC_STORE : DBGWCR_LSC_LOAD)) &&
		    wp_covers(wcr, d->wvr[n], va, size))
			return true;
	}
	return false;
}

bool gz_sim_debug_data_access(uc_engine *uc, uint32_t insn, uint64_t *va, uint64_t *size,
			      bool *write)
{
	struct gz_sim_ldst l;

	if (!gz_sim_decode_ldst_va(insn, gz_sim_ucreg_addr_reg, uc, va))
		return false;
	gz_sim_decode_ldst(insn, &l);
	/* forms without a syndrome (pairs, SIMD, DC ZVA): their length, the L bit */
	*size = l.valid ? 1ULL << l.size : gz_sim_decode_ldst_len(insn);
	*write = l.valid ? l.write : !(insn & GZ_BIT(22));
	return true;
}

static void take(struct gz_sim_vcpu *v, uc_engine *uc, uint64_t esr, uint64_t pc, bool far_valid,
		 uint64_t far)
{
	v->ss = false; /* an exception entry ends the step */
	v->ss_stepped = false;
	gz_sim_trap_to_guest(v, esr, pc, far_valid, far);
	uc_emu_stop(uc);
}

/* Before each instruction while the guest's debug unit is on. */
static void debug_hook(uc_engine *uc, uint64_t pc, uint32_t isize, void *arg)
{
	struct gz_sim_vcpu *v = arg;
	const struct gz_cpu_ctx *c = v->ctx;
	uint64_t mdscr = c->sys[GZ_SYS_MDSCR_EL1], va, size;
	bool el0 = gz_sim_ucreg_at_el0(uc), write;
	uint32_t insn = 0;
	/* from EL0 debug exceptions go to EL1 always; at EL1 with KDE and PSTATE.D clear */
	bool enabled =
	    el0 || ((mdscr & MDSCR_KDE) && !(gz_sim_ucreg_rd(uc, UC_ARM64_REG_PSTATE) & PSR_D));

	(void)isize;
	if (v->reason != GZ_SIM_STOP_NONE)
		return;
	if ((mdscr & MDSCR_SS) && enabled) {
		/* active-pending: the step exception comes before this instruction */
		if (!v->ss) {
			take(v, uc, gz_sim_syn_guest_step(el0, v->ss_stepped), pc, false, 0);
			return;
		}
		v->ss = false; /* this one is the instruction stepped */
		v->ss_stepped = true;
	}
	gz_sim_ucreg_fetch_insn(uc, pc, &insn);
	if ((mdscr & MDSCR_MDE) && enabled) {
		if (bp_hit(&c->dbg, pc, el0)) {
			take(v, uc, gz_sim_syn_guest_breakpoint(el0), pc, false, 0);
			return;
		}
		if (gz_sim_debug_data_access(uc, insn, &va, &size, &write) &&
		    wp_hit(&c->dbg, el0, va, size, write)) {
			take(v, uc, gz_sim_syn_guest_watchpoint(el0, write), pc, true, va);
			return;
		}
	}
	/* ERET takes PSTATE.SS from SPSR_EL1 */
	if (insn == INSN_ERET) {
		v->ss = gz_sim_ucreg_cp_read(uc, gz_sim_ucreg_spsr_el1) & PSR_SS;
		v->ss_stepped = false;
	}
}

void gz_sim_debug_enter(struct gz_sim_vcpu *v)
{
	bool on = v->ctx->sys[GZ_SYS_MDSCR_EL1] & (MDSCR_MDE | MDSCR_SS);

	v->ss = v->ctx->pstate & PSR_SS;
	v->ss_stepped = false;
	if (on == v->dbg_hooked)
		return;
	if (on)
		uc_hook_add(v->uc, &v->dbg_hook, UC_HOOK_CODE, debug_hook, v, 1, 0);
	else
		uc_hook_del(v->uc, v->dbg_hook);
	v->dbg_hooked = on;
	uc_ctl_flush_tb(v->uc); /* cached translations would ignore the hook, or keep it */
}

uint64_t gz_sim_debug_pstate(const struct gz_sim_vcpu *v, uint64_t pstate)
{
	pstate &= ~(uint64_t)PSR_SS;
	return v->dbg_hooked && v->ss ? pstate | PSR_SS : pstate;
}
