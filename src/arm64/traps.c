/* The one description of what a guest's trap controls trap (arm64/traps.h): the simulator
 * decides with it where an access Unicorn refused goes, and the core which trapped accesses
 * are the debug unit's and the PMU's. gzhyp's CPU applies the same controls itself. */
#include <arm64/traps.h>

bool arm64_sysreg_is_debug(uint32_t enc)
{
	return SYS_ENC_OP0(enc) == SYS_OP0_DEBUG;
}

bool arm64_sysreg_is_pmu(uint32_t enc)
{
	unsigned crn = SYS_ENC_CRN(enc), crm = SYS_ENC_CRM(enc);

	if (SYS_ENC_OP0(enc) != 3)
		return false;
	if (crn == SYS_CRN_PMU && crm >= SYS_CRM_PMU_FIRST && crm <= SYS_CRM_PMU_LAST)
		return true;
	return SYS_ENC_OP1(enc) == 3 && crn == SYS_CRN_PMU_EV && crm >= SYS_CRM_PMU_EV_FIRST;
}

static bool debug_trapped(uint32_t enc, uint64_t mdcr)
{
	switch (enc) {
	case SYS_MDRAR_EL1:
		return mdcr & MDCR_TDRA;
	case SYS_OSLAR_EL1:
	case SYS_OSLSR_EL1:
	case SYS_OSDLR_EL1:
	case SYS_DBGPRCR_EL1:
		return mdcr & MDCR_TDOSA;
	default:
		return mdcr & MDCR_TDA;
	}
}

bool arm64_sysreg_traps_to_el2(uint32_t enc, uint64_t hcr, uint64_t mdcr, bool el0)
{
	if (el0)
		return false;
	if (SYS_IS_ID_REG(enc))
		return hcr & HCR_TID3;
	if (enc == SYS_ACTLR_EL1)
		return hcr & HCR_TACR;
	if (enc == SYS_DC_ISW || enc == SYS_DC_CSW || enc == SYS_DC_CISW)
		return hcr & HCR_TSW;
	if (arm64_sysreg_is_debug(enc))
		return debug_trapped(enc, mdcr);
	if (arm64_sysreg_is_pmu(enc))
		return mdcr & (enc == SYS_PMCR_EL0 ? (MDCR_TPM | MDCR_TPMCR) : MDCR_TPM);
	return false;
}
