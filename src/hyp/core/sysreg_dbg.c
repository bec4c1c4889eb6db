/* The debug and PMU registers of a guest: MDCR_EL2 (MDCR_GUEST_FLAGS) traps them, and here
 * they read as zero and ignore writes. The CPU's breakpoints, watchpoints and counters are
 * neither switched nor offered: a guest cannot arm a breakpoint that would fire in the host
 * or read counts of the host's work. A guest OS sees an unlocked OS lock and debug/PMU
 * registers that never change (Linux clears them at boot and runs on). */
#include <arm64/sysreg.h>
#include <gzhyp/exit.h>
#include <gzhyp/vcpu.h>

static bool is_debug_or_pmu(uint32_t enc)
{
	unsigned op0 = SYS_ENC_OP0(enc), op1 = SYS_ENC_OP1(enc), crn = SYS_ENC_CRN(enc);
	unsigned crm = SYS_ENC_CRM(enc);

	if (op0 == SYS_OP0_DEBUG)
		return true;
	if (op0 != 3)
		return false;
	if (crn == SYS_CRN_PMU && crm >= SYS_CRM_PMU_FIRST && crm <= SYS_CRM_PMU_LAST)
		return true;
	return op1 == 3 && crn == SYS_CRN_PMU_EV && crm >= SYS_CRM_PMU_EV_FIRST;
}

enum gz_exit_action gz_sysreg_debug_pmu(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_sysreg *s = &x->desc.sysreg;

	if (!is_debug_or_pmu(s->enc))
		return GZ_EXIT_NEXT;
	if (s->read)
		gz_vcpu_set_reg(v, s->reg, s->enc == SYS_OSLSR_EL1 ? OSLSR_OSLM_IMPLEMENTED : 0);
	gz_vcpu_skip_insn(v, &x->desc);
	return GZ_EXIT_RESUME;
}
