/* Decoding of exit records (src/arm64/decode.c): every exception class to its exit
 * type, every ISS field of data/instruction aborts, HVC/SMC immediates, WFx variants,
 * trapped system-register accesses, the fault-status table and the asynchronous kinds.
 * test-libs: gzarm64 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arm64/esr.h>
#include <arm64/sysreg.h>
#include <arm64/decode.h>

static struct gz_exit_desc decode(enum gz_exit_kind kind, uint64_t esr, uint64_t far,
				  uint64_t hpfar)
{
	struct gz_exit_record rec = {kind, esr, far, hpfar};
	struct gz_exit_desc d;

	memset(&d, 0xa5, sizeof(d)); /* the decoder must set every field */
	arm64_exit_decode(&rec, &d);
	return d;
}

static uint64_t esr(unsigned ec, uint32_t iss)
{
	return ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | iss;
}

static void test_every_ec(void **state)
{
	(void)state;
	for (unsigned ec = 0; ec <= ESR_EC_MAX; ec++) {
		struct gz_exit_desc d = decode(GZ_EXIT_KIND_SYNC, esr(ec, 0), 0, 0);
		enum gz_exit_type want;

		switch (ec) {
		case ESR_EC_DABT_LOW:
			want = GZ_XT_DABT;
			break;
		case ESR_EC_IABT_LOW:
			want = GZ_XT_IABT;
			break;
		case ESR_EC_HVC64:
			want = GZ_XT_HVC;
			break;
		case ESR_EC_SMC64:
			want = GZ_XT_SMC;
			break;
		case ESR_EC_WFX:
			want = GZ_XT_WFI;
			break;
		case ESR_EC_SYS64:
			want = GZ_XT_SYSREG;
			break;
		case ESR_EC_SERROR:
			want = GZ_XT_SERROR;
			break;
		case ESR_EC_BREAKPT_LOW:
		case ESR_EC_SOFTSTP_LOW:
		case ESR_EC_WATCHPT_LOW:
		case ESR_EC_BRK64:
			want = GZ_XT_DEBUG;
			break;
		default:
			want = GZ_XT_UNDEF;
			break;
		}
		if (d.type != want)
			fail_msg("EC 0x%02x decoded as %s, want %s", ec,
				 arm64_exit_type_name(d.type), arm64_exit_type_name(want));
		assert_int_equal(d.ec, ec);
		assert_true(d.il);
		assert_int_equal(d.esr, esr(ec, 0));
	}
}

static void test_async_kinds(void **state)
{
	(void)state;
	assert_int_equal(decode(GZ_EXIT_KIND_IRQ, 0, 0, 0).type, GZ_XT_IRQ);
	assert_int_equal(decode(GZ_EXIT_KIND_SERROR, 0xbe000000, 0, 0).type, GZ_XT_SERROR);
	assert_int_equal(decode(GZ_EXIT_KIND_FAIL_ENTRY, 0, 0, 0).type, GZ_XT_FAIL_ENTRY);
	assert_int_equal(decode((enum gz_exit_kind)77, 0, 0, 0).type, GZ_XT_FAIL_ENTRY);
	/* IL clear: a 16-bit instruction */
	assert_false(decode(GZ_EXIT_KIND_SYNC, (uint64_t)ESR_EC_HVC64 << 26, 0, 0).il);
}

struct dabt_case {
	uint32_t iss;
	uint64_t far, hpfar;
	/* expected */
	uint64_t ipa;
	bool isv, write, sse, sf, acqrel, cm, s1ptw, ea, far_valid;
	uint8_t size, reg, level;
	enum gz_fault_kind kind;
};

static void test_dabt_fields(void **state)
{
	static const struct dabt_case t[] = {
	    /* LDR W3, [x] at 0x...abc: ISV, SAS 2, SRT 3, translation level 3 */
	    {ESR_xABT_ISV | (2u << 22) | (3u << 16) | 0x07, 0xffff000012345abc, (0x9000123ULL) << 4,
	     0x9000123abc, true, false, false, false, false, false, false, false, true, 4, 3, 3,
	     GZ_FAULT_TRANSLATION},
	    /* STRH X? wnr, SAS 1, SF, AR, reg 31 */
	    {ESR_xABT_ISV | (1u << 22) | (31u << 16) | ESR_DABT_SF | ESR_DABT_AR | ESR_DABT_WNR |
		 0x05,
	     0x10, (0x9000123ULL) << 4, 0x9000123010, true, true, false, true, true, false, false,
	     false, true, 2, 31, 1, GZ_FAULT_TRANSLATION},
	    /* LDRSB: SSE, SAS 0, 64-bit */
	    {ESR_xABT_ISV | ESR_DABT_SSE | ESR_DABT_SF | (7u << 16) | 0x0b, 0xfff, 0x10, 0x1fff,
	     true, false, true, true, false, false, false, false, true, 1, 7, 3,
	     GZ_FAULT_ACCESS_FLAG},
	    /* LDR X: SAS 3, permission level 2 */
	    {ESR_xABT_ISV | (3u << 22) | ESR_DABT_SF | (0u << 16) | 0x0e, 0, 0x20, 0x2000, true,
	     false, false, true, false, false, false, false, true, 8, 0, 2, GZ_FAULT_PERMISSION},
	    /* no ISV (LDP): syndrome fields ignored */
	    {(3u << 22) | (9u << 16) | 0x06, 0x40, 0x30, 0x3040, false, false, false, false, false,
	     false, false, false, true, 0, 0, 2, GZ_FAULT_TRANSLATION},
	    /* ISV with S1PTW: not a valid syndrome */
	    {ESR_xABT_ISV | ESR_xABT_S1PTW | (2u << 22) | 0x07, 0x88, 0x40, 0x4088, false, false,
	     false, false, false, false, true, false, true, 0, 0, 3, GZ_FAULT_TRANSLATION},
	    /* cache maintenance, write */
	    {ESR_DABT_CM | ESR_DABT_WNR | 0x04, 0x123, 0x50, 0x5123, false, true, false, false,
	     false, true, false, false, true, 0, 0, 0, GZ_FAULT_TRANSLATION},
	    /* external abort, FnV: FAR not valid, page offset 0 */
	    {ESR_xABT_EA | ESR_xABT_FNV | ESR_FSC_EXTABT, 0x777, 0x60, 0x6000, false, false, false,
	     false, false, false, false, true, false, 0, 0, 0, GZ_FAULT_EXTERNAL},
	    /* alignment fault */
	    {ESR_FSC_ALIGN, 0x3, 0x70, 0x7003, false, false, false, false, false, false, false,
	     false, true, 0, 0, 0, GZ_FAULT_ALIGNMENT},
	    /* address size fault level 0 */
	    {0x00, 0, 0x80, 0x8000, false, false, false, false, false, false, false, false, true, 0,
	     0, 0, GZ_FAULT_ADDR_SIZE},
	    /* TLB conflict: other */
	    {ESR_FSC_TLB_CONF, 0, 0x90, 0x9000, false, false, false, false, false, false, false,
	     false, true, 0, 0, 0, GZ_FAULT_OTHER},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gz_exit_desc d =
		    decode(GZ_EXIT_KIND_SYNC, esr(ESR_EC_DABT_LOW, t[i].iss), t[i].far, t[i].hpfar);
		const struct gz_exit_abort *a = &d.abort;

		assert_int_equal(d.type, GZ_XT_DABT);
		if (a->ipa != t[i].ipa)
			fail_msg("case %zu: ipa 0x%llx want 0x%llx", i, (unsigned long long)a->ipa,
				 (unsigned long long)t[i].ipa);
		assert_int_equal(a->va, t[i].far);
		assert_int_equal(a->isv, t[i].isv);
		assert_int_equal(a->write, t[i].write);
		assert_int_equal(a->sign_extend, t[i].sse);
		assert_int_equal(a->sf, t[i].sf);
		assert_int_equal(a->acqrel, t[i].acqrel);
		assert_int_equal(a->cm, t[i].cm);
		assert_int_equal(a->s1ptw, t[i].s1ptw);
		assert_int_equal(a->ea, t[i].ea);
		assert_int_equal(a->far_valid, t[i].far_valid);
		if (t[i].isv) {
			assert_int_equal(a->size, t[i].size);
			assert_int_equal(a->reg, t[i].reg);
		} else {
			assert_int_equal(a->size, 0);
			assert_int_equal(a->reg, 0);
		}
		assert_int_equal(a->level, t[i].level);
		assert_int_equal(a->kind, t[i].kind);
		assert_int_equal(a->fsc, t[i].iss & ESR_xABT_FSC);
	}
}

static void test_iabt_fields(void **state)
{
	struct gz_exit_desc d =
	    decode(GZ_EXIT_KIND_SYNC,
		   esr(ESR_EC_IABT_LOW, ESR_xABT_S1PTW | 0x06 | ESR_DABT_WNR | ESR_xABT_ISV),
		   0x80001234, 0x800010);

	(void)state;
	assert_int_equal(d.type, GZ_XT_IABT);
	assert_int_equal(d.abort.ipa, 0x80001234);
	assert_true(d.abort.s1ptw);
	assert_int_equal(d.abort.kind, GZ_FAULT_TRANSLATION);
	assert_int_equal(d.abort.level, 2);
	/* data-only fields stay clear for instruction aborts */
	assert_false(d.abort.write);
	assert_false(d.abort.isv);
}

static void test_calls(void **state)
{
	(void)state;
	struct gz_exit_desc d = decode(GZ_EXIT_KIND_SYNC, esr(ESR_EC_HVC64, 0x1234), 0, 0);

	assert_int_equal(d.type, GZ_XT_HVC);
	assert_int_equal(d.call.imm, 0x1234);
	d = decode(GZ_EXIT_KIND_SYNC, esr(ESR_EC_SMC64, 0xffff), 0, 0);
	assert_int_equal(d.type, GZ_XT_SMC);
	assert_int_equal(d.call.imm, 0xffff);
	/* AArch32 HVC/SMC are not offered */
	assert_int_equal(decode(GZ_EXIT_KIND_SYNC, esr(ESR_EC_HVC32, 0), 0, 0).type, GZ_XT_UNDEF);
	assert_int_equal(decode(GZ_EXIT_KIND_SYNC, esr(ESR_EC_SMC32, 0), 0, 0).type, GZ_XT_UNDEF);
}

static void test_wfx(void **state)
{
	static const struct {
		uint32_t iss;
		enum gz_exit_type type;
		bool timeout, reg_valid;
		uint8_t reg;
	} t[] = {
	    {ESR_WFX_TI_WFI, GZ_XT_WFI, false, false, 0},
	    {ESR_WFX_TI_WFE, GZ_XT_WFE, false, false, 0},
	    {ESR_WFX_TI_WFIT | ESR_WFX_RV | (5u << 5), GZ_XT_WFI, true, true, 5},
	    {ESR_WFX_TI_WFET | (9u << 5), GZ_XT_WFE, true, false, 9},
	    /* RV without a timeout variant is meaningless */
	    {ESR_WFX_TI_WFI | ESR_WFX_RV, GZ_XT_WFI, false, false, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gz_exit_desc d = decode(GZ_EXIT_KIND_SYNC, esr(ESR_EC_WFX, t[i].iss), 0, 0);

		assert_int_equal(d.type, t[i].type);
		assert_int_equal(d.wfx.with_timeout, t[i].timeout);
		assert_int_equal(d.wfx.reg_valid, t[i].reg_valid);
		assert_int_equal(d.wfx.reg, t[i].reg);
	}
}

#define sys_iss(op0, op1, crn, crm, op2, rt, read)                                                 \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((rt) << 5) |             \
	 ((crm) << 1) | ((read) ? 1 : 0))

static void test_sysreg(void **state)
{
	const struct {
		uint32_t iss, enc;
		bool read;
		uint8_t reg;
	} t[] = {
	    {sys_iss(3, 0, 12, 11, 5, 2, false), SYS_ICC_SGI1R_EL1, false, 2},
	    {sys_iss(3, 0, 12, 11, 6, 30, false), SYS_ICC_ASGI1R_EL1, false, 30},
	    {sys_iss(3, 0, 12, 11, 7, 31, false), SYS_ICC_SGI0R_EL1, false, 31},
	    {sys_iss(3, 3, 14, 2, 1, 4, true), SYS_CNTP_CTL_EL0, true, 4},
	    {sys_iss(3, 3, 14, 2, 2, 0, false), SYS_CNTP_CVAL_EL0, false, 0},
	    {sys_iss(3, 0, 0, 4, 0, 7, true), SYS_ENC(3, 0, 0, 4, 0), true, 7},
	    {sys_iss(2, 0, 0, 2, 2, 1, true), SYS_MDSCR_EL1, true, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gz_exit_desc d =
		    decode(GZ_EXIT_KIND_SYNC, esr(ESR_EC_SYS64, t[i].iss), 0, 0);

		assert_int_equal(d.type, GZ_XT_SYSREG);
		assert_int_equal(d.sysreg.enc, t[i].enc);
		assert_int_equal(d.sysreg.read, t[i].read);
		assert_int_equal(d.sysreg.reg, t[i].reg);
	}
	assert_true(SYS_IS_ID_REG(SYS_ENC(3, 0, 0, 4, 0)));
	assert_false(SYS_IS_ID_REG(SYS_MPIDR_EL1));
}

static void test_type_names(void **state)
{
	(void)state;
	for (int t = 0; t < GZ_XT_NR; t++)
		assert_string_not_equal(arm64_exit_type_name((enum gz_exit_type)t), "?");
	assert_string_equal(arm64_exit_type_name(GZ_XT_DABT), "dabt");
	assert_string_equal(arm64_exit_type_name(GZ_XT_NR), "?");
}

/* The one EC name table (src/arm64/esr_name.c): both aborts of a kind share a name (a crash
 * report at EL2 and a guest's trace say "dabt" alike), every class has a name. */
static void test_ec_names(void **state)
{
	(void)state;
	for (unsigned ec = 0; ec <= ESR_EC_MAX; ec++) {
		const char *n = arm64_esr_ec_name(ec);

		assert_non_null(n);
		assert_true(n[0] >= 'a' && n[0] <= 'z');
	}
	assert_string_equal(arm64_esr_ec_name(ESR_EC_DABT_LOW), "dabt");
	assert_string_equal(arm64_esr_ec_name(ESR_EC_DABT_CUR), "dabt");
	assert_string_equal(arm64_esr_ec_name(ESR_EC_IABT_CUR), "iabt");
	assert_string_equal(arm64_esr_ec_name(ESR_EC_HVC64), "hvc");
	assert_string_equal(arm64_esr_ec_name(ESR_EC_SYS64), "sysreg");
	assert_string_equal(arm64_esr_ec_name(ESR_EC_SERROR), "serror");
	assert_string_equal(arm64_esr_ec_name(ESR_EC_CP15_32), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_ec),	cmocka_unit_test(test_async_kinds),
	    cmocka_unit_test(test_dabt_fields), cmocka_unit_test(test_iabt_fields),
	    cmocka_unit_test(test_calls),	cmocka_unit_test(test_wfx),
	    cmocka_unit_test(test_sysreg),	cmocka_unit_test(test_type_names),
	    cmocka_unit_test(test_ec_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
