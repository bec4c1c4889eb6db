/* Guest exception entry (src/arm64/inject.c) on a bare vCPU context: the vector for every
 * origin (EL1t, EL1h, EL0, AArch32), PSTATE on entry (DAIF masked, DIT kept, PAN from
 * SCTLR_EL1.SPAN, SSBS from SCTLR_EL1.DSSBS, the rest cleared), ELR/SPSR/ESR/FAR, the
 * exception classes of aborts from the current and a lower EL, and asynchronous entries.
 * test-libs: gzarm64 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arm64/esr.h>
#include <arm64/inject.h>
#include <arm64/sysreg.h>

static struct gz_cpu_ctx c;

static uint64_t esr_ec(unsigned ec, uint32_t iss)
{
	return ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | iss;
}

static void test_inject_undef(void **state)
{
	static const struct {
		uint64_t pstate, sctlr, off, newp;
	} t[] = {
	    {PSR_MODE_EL1h | PSR_NZCV, 0, 0x200, PSR_NZCV | PSR_MODE_EL1h | PSR_DAIF | PSR_PAN},
	    {PSR_MODE_EL1t, 0, 0x000, PSR_MODE_EL1h | PSR_DAIF | PSR_PAN},
	    {PSR_MODE_EL0t | PSR_DIT | PSR_SS, 0, 0x400,
	     PSR_MODE_EL1h | PSR_DAIF | PSR_PAN | PSR_DIT},
	    {PSR_MODE_nRW | 0x10, 0, 0x600, PSR_MODE_EL1h | PSR_DAIF | PSR_PAN},
	    /* SPAN set: PAN kept as it was */
	    {PSR_MODE_EL1h, SCTLR_EL1_SPAN, 0x200, PSR_MODE_EL1h | PSR_DAIF},
	    {PSR_MODE_EL1h | PSR_PAN, SCTLR_EL1_SPAN, 0x200, PSR_MODE_EL1h | PSR_DAIF | PSR_PAN},
	    /* DSSBS: SSBS set on entry */
	    {PSR_MODE_EL1h, SCTLR_EL1_DSSBS, 0x200, PSR_MODE_EL1h | PSR_DAIF | PSR_PAN | PSR_SSBS},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c.pstate = t[i].pstate;
		c.sys[GZ_SYS_SCTLR_EL1] = t[i].sctlr;
		c.sys[GZ_SYS_VBAR_EL1] = 0xffff800010000000;
		c.pc = 0x4000 + i;
		arm64_inject_undef(&c);
		assert_int_equal(c.elr_el1, 0x4000 + i);
		assert_int_equal(c.spsr_el1, t[i].pstate);
		assert_int_equal(c.sys[GZ_SYS_ESR_EL1], ESR_IL);
		assert_int_equal(c.pc, 0xffff800010000000 + t[i].off);
		if (c.pstate != t[i].newp)
			fail_msg("case %zu: pstate 0x%llx want 0x%llx", i,
				 (unsigned long long)c.pstate, (unsigned long long)t[i].newp);
	}
}

static void test_inject_aborts(void **state)
{
	(void)state;
	c.pstate = PSR_MODE_EL1h;
	arm64_inject_dabt(&c, 0xdead000, true);
	assert_int_equal(c.sys[GZ_SYS_FAR_EL1], 0xdead000);
	assert_int_equal(c.sys[GZ_SYS_ESR_EL1],
			 esr_ec(ESR_EC_DABT_CUR, ESR_DABT_WNR | ESR_FSC_EXTABT));
	c.pstate = PSR_MODE_EL0t;
	arm64_inject_dabt(&c, 0xbeef000, false);
	assert_int_equal(c.sys[GZ_SYS_ESR_EL1], esr_ec(ESR_EC_DABT_LOW, ESR_FSC_EXTABT));
	c.pstate = PSR_MODE_EL1t;
	arm64_inject_iabt(&c, 0x1234);
	assert_int_equal(c.sys[GZ_SYS_ESR_EL1], esr_ec(ESR_EC_IABT_CUR, ESR_FSC_EXTABT));
	assert_int_equal(c.sys[GZ_SYS_FAR_EL1], 0x1234);
	c.pstate = PSR_MODE_nRW;
	arm64_inject_iabt(&c, 0x1234);
	assert_int_equal(c.sys[GZ_SYS_ESR_EL1], esr_ec(ESR_EC_IABT_LOW, ESR_FSC_EXTABT));
}

/* IRQ, FIQ and SError entries: their own vector slot, ESR_EL1 only for an SError. */
static void test_async_entries(void **state)
{
	static const struct {
		enum arm64_exc_kind kind;
		uint64_t pstate, off;
		bool esr;
	} t[] = {
	    {ARM64_EXC_IRQ, PSR_MODE_EL1h, 0x280, false},
	    {ARM64_EXC_IRQ, PSR_MODE_EL0t, 0x480, false},
	    {ARM64_EXC_FIQ, PSR_MODE_EL1t, 0x100, false},
	    {ARM64_EXC_SERROR, PSR_MODE_nRW, 0x780, true},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.pstate = t[i].pstate;
		c.pc = 0x8000;
		c.sys[GZ_SYS_ESR_EL1] = 0x5a5a;
		c.sys[GZ_SYS_VBAR_EL1] = 0x40000000;
		arm64_take_exception(&c, t[i].kind, esr_ec(ESR_EC_SERROR, 0));
		assert_int_equal(c.pc, 0x40000000 + t[i].off);
		assert_int_equal(c.elr_el1, 0x8000);
		assert_int_equal(c.spsr_el1, t[i].pstate);
		assert_int_equal(c.pstate, PSR_MODE_EL1h | PSR_DAIF | PSR_PAN);
		assert_int_equal(c.sys[GZ_SYS_ESR_EL1],
				 t[i].esr ? esr_ec(ESR_EC_SERROR, 0) : 0x5a5a);
	}
}

/* VBAR_EL1[10:0] are RES0: a value with low bits set still enters the aligned vectors. */
static void test_vbar_res0_bits(void **state)
{
	(void)state;
	memset(&c, 0, sizeof(c));
	c.pstate = PSR_MODE_EL1h;
	c.sys[GZ_SYS_VBAR_EL1] = 0x40000000 | 0x7ff;
	arm64_inject_undef(&c);
	assert_int_equal(c.pc, 0x40000000 + 0x200);
	assert_int_equal(arm64_exc_vector(PSR_MODE_EL0t, ARM64_EXC_SYNC), 0x400);
	assert_int_equal(arm64_exc_vector(PSR_MODE_nRW | 0x3, ARM64_EXC_IRQ), 0x680);
	/* The condition flags survive the entry (a handler may read them from SPSR or not at
	 * all; the architecture leaves PSTATE.NZCV unchanged). */
	assert_int_equal(arm64_exc_pstate(PSR_NZCV | PSR_BTYPE | PSR_UAO | PSR_TCO | PSR_IL, 0),
			 PSR_NZCV | PSR_MODE_EL1h | PSR_DAIF | PSR_PAN);
	assert_int_equal(arm64_exc_pstate(GZ_BIT(30) | PSR_MODE_EL0t, 0),
			 GZ_BIT(30) | PSR_MODE_EL1h | PSR_DAIF | PSR_PAN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inject_undef),
	    cmocka_unit_test(test_inject_aborts),
	    cmocka_unit_test(test_async_entries),
	    cmocka_unit_test(test_vbar_res0_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
