/* The debug and PMU registers of a guest: MDCR_EL2 (MDCR_GUEST_FLAGS) traps them, and here
 * they read as zero and ignore writes. The CPU's breakpoints, watchpoints and counters are
 * neither switched nor offered: a guest cannot arm a breakpoint that would fire in the host
 * or read counts of the host's work. A guest OS sees an unlocked OS lock and debug/PMU
 * registers that never change (Linux clears them at boot and runs on). */
#include <arm64/traps.h>
#include <gzhyp/exit.h>
#include <gzhyp/vcpu.h>

enum gz_exit_action gz_sysreg_debug_pmu(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_sysreg *s = &x->desc.sysreg;

	if (!arm64_sysreg_is_debug(s->enc) && !arm64_sysreg_is_pmu(s->enc))
		return GZ_EXIT_NEXT;
	if (s->read)
		gz_vcpu_set_reg(v, s->reg, s->enc == SYS_OSLSR_EL1 ? OSLSR_OSLM_IMPLEMENTED : 0);
	gz_vcpu_skip_insn(v, &x->desc);
	return GZ_EXIT_RESUME;
}
