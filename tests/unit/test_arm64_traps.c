/* The shared trap table (src/arm64/traps.c): which accesses a guest's HCR_EL2 and MDCR_EL2
 * send to EL2, bit by bit, and that EL0 never gets that far.
 * test-libs: gzarm64 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arm64/traps.h>

#define DBGBCR0	    SYS_ENC(2, 0, 0, 0, 5)
#define MDSCR	    SYS_MDSCR_EL1
#define PMCCNTR	    SYS_ENC(3, 3, 9, 13, 0)
#define PMINTENSET  SYS_ENC(3, 0, 9, 14, 1)
#define PMEVCNTR3   SYS_ENC(3, 3, 14, 8, 3)
#define PMCCFILTR   SYS_ENC(3, 3, 14, 15, 7)
#define ID_AA64DFR0 SYS_ENC(3, 0, 0, 5, 0)

static bool el2(uint32_t enc, uint64_t hcr, uint64_t mdcr)
{
	return arm64_sysreg_traps_to_el2(enc, hcr, mdcr, false);
}

static void test_hcr(void **state)
{
	(void)state;
	assert_true(el2(ID_AA64DFR0, HCR_TID3, 0));
	assert_false(el2(ID_AA64DFR0, HCR_GUEST_TRAPS & ~HCR_TID3, MDCR_GUEST_FLAGS));
	assert_true(el2(SYS_ACTLR_EL1, HCR_TACR, 0));
	assert_false(el2(SYS_ACTLR_EL1, HCR_GUEST_TRAPS & ~HCR_TACR, MDCR_GUEST_FLAGS));
	assert_false(el2(SYS_MIDR_EL1, HCR_GUEST_TRAPS, MDCR_GUEST_FLAGS)); /* CRm 0 */
	assert_false(el2(SYS_SCTLR_EL1, HCR_GUEST_TRAPS, MDCR_GUEST_FLAGS));
	/* data cache maintenance by set/way; by VA stays the guest's */
	assert_true(el2(SYS_DC_ISW, HCR_TSW, 0));
	assert_true(el2(SYS_DC_CSW, HCR_TSW, 0));
	assert_true(el2(SYS_DC_CISW, HCR_TSW, 0));
	assert_false(el2(SYS_DC_CISW, HCR_GUEST_TRAPS & ~HCR_TSW, MDCR_GUEST_FLAGS));
	assert_false(el2(SYS_ENC(1, 3, 7, 14, 1), HCR_GUEST_TRAPS, MDCR_GUEST_FLAGS)); /* CIVAC */
	assert_false(arm64_sysreg_traps_to_el2(SYS_DC_ISW, HCR_TSW, 0, true));
}

static void test_mdcr_debug(void **state)
{
	(void)state;
	assert_true(el2(SYS_MDRAR_EL1, 0, MDCR_TDRA));
	assert_false(el2(SYS_MDRAR_EL1, 0, MDCR_GUEST_FLAGS & ~MDCR_TDRA));
	assert_true(el2(SYS_OSLAR_EL1, 0, MDCR_TDOSA));
	assert_true(el2(SYS_OSLSR_EL1, 0, MDCR_TDOSA));
	assert_true(el2(SYS_OSDLR_EL1, 0, MDCR_TDOSA));
	assert_true(el2(SYS_DBGPRCR_EL1, 0, MDCR_TDOSA));
	assert_false(el2(SYS_OSLAR_EL1, 0, MDCR_GUEST_FLAGS & ~MDCR_TDOSA));
	assert_true(el2(DBGBCR0, 0, MDCR_TDA));
	assert_true(el2(MDSCR, 0, MDCR_TDA));
	assert_false(el2(DBGBCR0, 0, MDCR_GUEST_FLAGS & ~MDCR_TDA));
}

static void test_mdcr_pmu(void **state)
{
	(void)state;
	assert_true(el2(SYS_PMCR_EL0, 0, MDCR_TPMCR));
	assert_true(el2(SYS_PMCR_EL0, 0, MDCR_TPM));
	assert_false(el2(SYS_PMCR_EL0, 0, MDCR_GUEST_FLAGS & ~(MDCR_TPM | MDCR_TPMCR)));
	assert_true(el2(PMCCNTR, 0, MDCR_TPM));
	assert_false(el2(PMCCNTR, 0, MDCR_TPMCR)); /* TPMCR is PMCR_EL0's alone */
	assert_true(el2(PMINTENSET, 0, MDCR_TPM));
	assert_true(el2(PMEVCNTR3, 0, MDCR_TPM));
	assert_true(el2(PMCCFILTR, 0, MDCR_TPM));
	/* beside the PMU: CRn 9 CRm 11, op1 3 CRn 14 below CRm 8 (the timers), op0 2's CRn 9 */
	assert_false(el2(SYS_ENC(3, 0, 9, 11, 0), 0, MDCR_GUEST_FLAGS));
	assert_false(el2(SYS_CNTV_CTL_EL0, 0, MDCR_GUEST_FLAGS));
	assert_false(arm64_sysreg_is_pmu(SYS_ENC(3, 0, 14, 8, 0)));
	assert_false(arm64_sysreg_is_pmu(SYS_ENC(3, 3, 9, 15, 0)));
	assert_false(arm64_sysreg_is_pmu(SYS_ENC(2, 3, 9, 12, 0)));
	assert_true(arm64_sysreg_is_debug(SYS_ENC(2, 3, 0, 1, 0))); /* MDCCSR_EL0 */
	assert_false(arm64_sysreg_is_debug(PMCCNTR));
}

/* EL0 reaches none of them: each is UNDEFINED at EL1 first. */
static void test_el0_never(void **state)
{
	static const uint32_t regs[] = {ID_AA64DFR0,   SYS_ACTLR_EL1, DBGBCR0, SYS_OSLAR_EL1,
					SYS_MDRAR_EL1, SYS_PMCR_EL0,  PMCCNTR};

	(void)state;
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		assert_false(
		    arm64_sysreg_traps_to_el2(regs[i], HCR_GUEST_TRAPS, MDCR_GUEST_FLAGS, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hcr),
	    cmocka_unit_test(test_mdcr_debug),
	    cmocka_unit_test(test_mdcr_pmu),
	    cmocka_unit_test(test_el0_never),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
