/* The guest's ID registers (src/hyp/core/sysreg_id.c): the view a VM is given from the CPU's
 * registers: fields copied, capped, set by opengz, hidden. The trapped accesses are
 * test_exit.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arm64/idreg.h>
#include <gzhyp/sysreg_id.h>

#include "fake_hal.h"

/* Cortex-A72's registers, as QEMU's and Unicorn's models report them. */
#define A72_PFR0  0x2222UL
#define A72_DFR0  0x10305106UL
#define A72_ISAR0 0x11120UL
#define A72_MMFR0 0x1124UL

static void a72(void)
{
	fake_hal_set_cpu_id_reg(SYS_ID_AA64PFR0_EL1, A72_PFR0);
	fake_hal_set_cpu_id_reg(SYS_ID_AA64DFR0_EL1, A72_DFR0);
	fake_hal_set_cpu_id_reg(SYS_ID_AA64ISAR0_EL1, A72_ISAR0);
	fake_hal_set_cpu_id_reg(SYS_ID_AA64MMFR0_EL1, A72_MMFR0);
}

static uint64_t view_of(uint32_t enc, const uint64_t *view)
{
	return view[ID_AA64_INDEX(enc)];
}

/* The A72's view, as both worlds' idregs guest prints it. */
static void test_view_a72(void **state)
{
	uint64_t view[ID_AA64_NR];

	(void)state;
	fake_hal_reset(0, 4);
	a72();
	gz_sysreg_id_init(view);
	/* EL0/EL1 AArch64 only (AArch32 refused), no EL2/EL3, the GICv3 system registers */
	assert_int_equal(view_of(SYS_ID_AA64PFR0_EL1, view), 0x01000011);
	/* debug v8.0, PMUv3, 6 breakpoints, 4 watchpoints, 2 context-aware, no double lock */
	assert_int_equal(view_of(SYS_ID_AA64DFR0_EL1, view), 0xf010305106ULL);
	assert_int_equal(view_of(SYS_ID_AA64ISAR0_EL1, view), A72_ISAR0);
	assert_int_equal(view_of(SYS_ID_AA64MMFR0_EL1, view), A72_MMFR0);
	for (unsigned i = 0; i < ID_AA64_NR; i++) {
		uint32_t enc = ID_AA64_ENC(i);

		if (enc != SYS_ID_AA64PFR0_EL1 && enc != SYS_ID_AA64DFR0_EL1 &&
		    enc != SYS_ID_AA64ISAR0_EL1 && enc != SYS_ID_AA64MMFR0_EL1)
			assert_int_equal(view[i], 0);
	}
}

/* A CPU with every field at its maximum: only what opengz virtualizes shows. */
static void test_view_hides(void **state)
{
	uint64_t view[ID_AA64_NR];

	(void)state;
	fake_hal_reset(0, 4);
	for (unsigned i = 0; i < ID_AA64_NR; i++)
		fake_hal_set_cpu_id_reg(ID_AA64_ENC(i), ~0ULL);
	gz_sysreg_id_init(view);
	/* FP, AdvSIMD, DIT, CSV2, CSV3 copied; SVE, RAS, MPAM, AMU, RME, SEL2, EL2/EL3 hidden */
	assert_int_equal(view_of(SYS_ID_AA64PFR0_EL1, view), 0xff0f000001ff0011ULL);
	assert_int_equal(view_of(SYS_ID_AA64PFR1_EL1, view), 0xff); /* BT, SSBS; no MTE, SME */
	assert_int_equal(view_of(SYS_ID_AA64ZFR0_EL1, view), 0);
	/* the counts capped at what opengz offers, no trace unit, no SPE */
	assert_int_equal(view_of(SYS_ID_AA64DFR0_EL1, view), 0xf010305106ULL);
	assert_int_equal(view_of(SYS_ID_AA64DFR1_EL1, view), 0);
	assert_int_equal(view_of(SYS_ID_AA64ISAR0_EL1, view), ~ID_FIELD(ID_ISAR0_TME_SHIFT));
	/* no pointer authentication, no LS64 */
	assert_int_equal(view_of(SYS_ID_AA64ISAR1_EL1, view), 0x0fffffff00fff00fULL);
	assert_int_equal(view_of(SYS_ID_AA64ISAR2_EL1, view), 0);
	/* stage-1 facts copied; the stage-2 granules, ExS, FGT, ECV hidden */
	assert_int_equal(view_of(SYS_ID_AA64MMFR0_EL1, view), 0xffffffffULL);
	/* no VMIDBits, VH, XNX, TWED, HCX, TIDCP1, CMOW */
	assert_int_equal(view_of(SYS_ID_AA64MMFR1_EL1, view), 0xf00ff0f00ffff00fULL);
	/* no NV, FWB, EVT */
	assert_int_equal(view_of(SYS_ID_AA64MMFR2_EL1, view), 0xf0fff0fff0ffffffULL);
	assert_int_equal(view_of(SYS_ENC(3, 0, 0, 7, 7), view), 0);
}

/* A CPU with fewer breakpoints and watchpoints than opengz offers keeps its own counts. */
static void test_view_small_debug(void **state)
{
	uint64_t view[ID_AA64_NR];

	(void)state;
	fake_hal_reset(0, 4);
	fake_hal_set_cpu_id_reg(SYS_ID_AA64DFR0_EL1, A72_DFR0 & ~0xf0f0f000ULL); /* 1 each */
	gz_sysreg_id_init(view);
	assert_int_equal(view_of(SYS_ID_AA64DFR0_EL1, view), 0xf000000106ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_view_a72),
	    cmocka_unit_test(test_view_hides),
	    cmocka_unit_test(test_view_small_debug),
	};

	fake_hal_reset(0, 4);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
