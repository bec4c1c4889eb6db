/* Short names of exception classes (ESR_ELx.EC) for the places that print an exit: gzhyp's
 * report of an unexpected exception and the simulator's exit traces (their "reason" field,
 * which scripts/trace-summary groups by). One table, so a trace and a crash report name the
 * same class alike. */
#include <arm64/esr.h>

const char *arm64_esr_ec_name(unsigned ec)
{
	switch (ec) {
	case ESR_EC_UNKNOWN:
		return "unknown";
	case ESR_EC_WFX:
		return "wfx";
	case ESR_EC_FP_ASIMD:
		return "fp";
	case ESR_EC_SVC64:
		return "svc";
	case ESR_EC_HVC64:
		return "hvc";
	case ESR_EC_SMC64:
		return "smc";
	case ESR_EC_SYS64:
		return "sysreg";
	case ESR_EC_SVE:
		return "sve";
	case ESR_EC_ERET:
		return "eret";
	case ESR_EC_IABT_LOW:
	case ESR_EC_IABT_CUR:
		return "iabt";
	case ESR_EC_PC_ALIGN:
		return "pc-align";
	case ESR_EC_DABT_LOW:
	case ESR_EC_DABT_CUR:
		return "dabt";
	case ESR_EC_SP_ALIGN:
		return "sp-align";
	case ESR_EC_SERROR:
		return "serror";
	case ESR_EC_BREAKPT_LOW:
	case ESR_EC_BREAKPT_CUR:
		return "breakpoint";
	case ESR_EC_SOFTSTP_LOW:
		return "step";
	case ESR_EC_WATCHPT_LOW:
		return "watchpoint";
	case ESR_EC_BRK64:
		return "brk";
	default:
		return "other";
	}
}
