/* The syndromes the simulator synthesises (syndrome.h), with the ESR layout of arm64/esr.h. */
#include <arm64/debug.h>
#include <arm64/esr.h>
#include <arm64/sysreg.h>
#include "decode.h"
#include "syndrome.h"

uint32_t gz_sim_syn_dabt_iss(uint32_t insn, bool write)
{
	struct gz_sim_ldst d;
	uint32_t iss;

	gz_sim_decode_ldst(insn, &d);
	if (!d.valid)
		return write ? ESR_DABT_WNR : 0;
	iss =
	    ESR_xABT_ISV | GZ_FIELD_PREP(ESR_DABT_SAS, d.size) | GZ_FIELD_PREP(ESR_DABT_SRT, d.rt);
	if (d.sign)
		iss |= ESR_DABT_SSE;
	if (d.sf)
		iss |= ESR_DABT_SF;
	if (d.acqrel)
		iss |= ESR_DABT_AR;
	if (d.write)
		iss |= ESR_DABT_WNR;
	return iss;
}

static void sync_exit(struct gz_exit_record *e, unsigned ec, uint32_t iss, uint64_t far,
		      uint64_t hpfar)
{
	*e = (struct gz_exit_record){
	    .kind = GZ_EXIT_KIND_SYNC, .esr = arm64_esr(ec, iss), .far = far, .hpfar = hpfar};
}

static uint64_t hpfar_of(gz_ipa_t ipa)
{
	return GZ_FIELD_PREP(HPFAR_FIPA, ipa >> GZ_PAGE_SHIFT);
}

/* Permission fault on a leaf that exists, access flag on one not yet accessed, else
 * translation, at the walk's level (0 for a regime that is not even well formed). */
static unsigned s2_fsc(const struct gz_sim_s2_result *r)
{
	unsigned level = r->level == 0xff ? 0 : r->level;

	if (r->ok)
		return ESR_FSC_PERM + level;
	return (r->af_fault ? ESR_FSC_ACCESS : ESR_FSC_TRANS) + level;
}

void gz_sim_syn_dabt(struct gz_exit_record *e, uint32_t insn, bool write,
		     const struct gz_sim_s2_result *r, uint64_t far, gz_ipa_t ipa)
{
	uint32_t iss = gz_sim_syn_dabt_iss(insn, write);

	if (write)
		iss |= ESR_DABT_WNR;
	sync_exit(e, ESR_EC_DABT_LOW, iss | s2_fsc(r), far, hpfar_of(ipa));
}

void gz_sim_syn_iabt(struct gz_exit_record *e, const struct gz_sim_s2_result *r, uint64_t far,
		     gz_ipa_t ipa)
{
	sync_exit(e, ESR_EC_IABT_LOW, s2_fsc(r), far, hpfar_of(ipa));
}

void gz_sim_syn_s1ptw(struct gz_exit_record *e, bool fetch, const struct gz_sim_s2_result *r,
		      uint64_t far, gz_ipa_t ipa)
{
	/* A walk's read of a descriptor with AF clear reports a translation fault here. */
	unsigned fsc =
	    r->ok ? ESR_FSC_PERM + r->level : ESR_FSC_TRANS + (r->level == 0xff ? 0 : r->level);

	sync_exit(e, fetch ? ESR_EC_IABT_LOW : ESR_EC_DABT_LOW, ESR_xABT_S1PTW | fsc, far,
		  hpfar_of(ipa));
}

static uint32_t sysreg_iss(uint32_t insn)
{
	struct gz_sim_msr m = {0};

	gz_sim_decode_msr(insn, &m);
	return (uint32_t)(GZ_FIELD_PREP(ESR_SYS64_OP0, SYS_ENC_OP0(m.enc)) |
			  GZ_FIELD_PREP(ESR_SYS64_OP1, SYS_ENC_OP1(m.enc)) |
			  GZ_FIELD_PREP(ESR_SYS64_CRN, SYS_ENC_CRN(m.enc)) |
			  GZ_FIELD_PREP(ESR_SYS64_CRM, SYS_ENC_CRM(m.enc)) |
			  GZ_FIELD_PREP(ESR_SYS64_OP2, SYS_ENC_OP2(m.enc)) |
			  GZ_FIELD_PREP(ESR_SYS64_RT, m.rt) | (m.read ? ESR_SYS64_DIR : 0));
}

void gz_sim_syn_sysreg(struct gz_exit_record *e, uint32_t insn)
{
	sync_exit(e, ESR_EC_SYS64, sysreg_iss(insn), 0, 0);
}

void gz_sim_syn_wfx(struct gz_exit_record *e, bool wfe)
{
	sync_exit(e, ESR_EC_WFX,
		  (uint32_t)(ESR_WFX_CV | GZ_FIELD_PREP(ESR_WFX_COND, ESR_COND_AL) |
			     (wfe ? ESR_WFX_TI_WFE : ESR_WFX_TI_WFI)),
		  0, 0);
}

void gz_sim_syn_hvc(struct gz_exit_record *e, uint32_t insn)
{
	uint16_t imm = 0;

	gz_sim_decode_hvc(insn, &imm);
	sync_exit(e, ESR_EC_HVC64, imm, 0, 0);
}

void gz_sim_syn_smc(struct gz_exit_record *e, uint32_t insn)
{
	uint16_t imm = 0;

	gz_sim_decode_smc(insn, &imm);
	sync_exit(e, ESR_EC_SMC64, imm, 0, 0);
}

void gz_sim_syn_unknown(struct gz_exit_record *e)
{
	sync_exit(e, ESR_EC_UNKNOWN, 0, 0, 0);
}

uint64_t gz_sim_syn_guest_undef(void)
{
	return arm64_esr(ESR_EC_UNKNOWN, 0);
}

uint64_t gz_sim_syn_guest_sysreg(uint32_t insn)
{
	return arm64_esr(ESR_EC_SYS64, sysreg_iss(insn));
}

uint64_t gz_sim_syn_guest_svc(uint32_t insn)
{
	return arm64_esr(ESR_EC_SVC64, gz_sim_decode_imm16(insn));
}

uint64_t gz_sim_syn_guest_brk(uint32_t insn)
{
	return arm64_esr(ESR_EC_BRK64, gz_sim_decode_imm16(insn));
}

uint64_t gz_sim_syn_guest_abort(bool fetch, bool from_el0, bool write, unsigned fsc)
{
	unsigned ec;

	if (fetch)
		ec = from_el0 ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR;
	else
		ec = from_el0 ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR;
	return arm64_esr(ec, (write ? ESR_DABT_WNR : 0) | fsc);
}

uint64_t gz_sim_syn_guest_breakpoint(bool from_el0)
{
	return arm64_esr(from_el0 ? ESR_EC_BREAKPT_LOW : ESR_EC_BREAKPT_CUR, ESR_DBG_FSC_DEBUG);
}

uint64_t gz_sim_syn_guest_step(bool from_el0, bool stepped)
{
	return arm64_esr(from_el0 ? ESR_EC_SOFTSTP_LOW : ESR_EC_SOFTSTP_CUR,
			 (stepped ? ESR_SS_ISV : 0) | ESR_DBG_FSC_DEBUG);
}

uint64_t gz_sim_syn_guest_watchpoint(bool from_el0, bool write)
{
	return arm64_esr(from_el0 ? ESR_EC_WATCHPT_LOW : ESR_EC_WATCHPT_CUR,
			 (write ? ESR_WP_WNR : 0) | ESR_DBG_FSC_DEBUG);
}
