/* The simulator's instruction decoding for syndromes: ESR ISS bits of data aborts for every
 * load/store class, HVC/SMC immediates, WFI/WFE and load/store virtual addresses.
 * test-libs: gzsim_internal gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arm64/esr.h>
#include <arm64/sysreg.h>
#include "decode.h"
#include "syndrome.h"

struct iss_case {
	uint32_t insn;
	const char *text;
	bool write;   /* the access direction Unicorn reported */
	uint64_t iss; /* expected ISS (without DFSC) */
};

#define ISV    ESR_xABT_ISV
#define SAS(n) GZ_FIELD_PREP(ESR_DABT_SAS, n)
#define SRT(n) GZ_FIELD_PREP(ESR_DABT_SRT, n)

static const struct iss_case iss_cases[] = {
    {0xf9400041, "ldr x1, [x2]", false, ISV | SAS(3) | SRT(1) | ESR_DABT_SF},
    {0x39000483, "strb w3, [x4, #1]", true, ISV | SAS(0) | SRT(3) | ESR_DABT_WNR},
    {0x79c000c5, "ldrsh w5, [x6]", false, ISV | SAS(1) | SRT(5) | ESR_DABT_SSE},
    {0x798000c5, "ldrsh x5, [x6]", false, ISV | SAS(1) | SRT(5) | ESR_DABT_SSE | ESR_DABT_SF},
    {0xb9800107, "ldrsw x7, [x8]", false, ISV | SAS(2) | SRT(7) | ESR_DABT_SSE | ESR_DABT_SF},
    {0x889ffc41, "stlr w1, [x2]", true, ISV | SAS(2) | SRT(1) | ESR_DABT_AR | ESR_DABT_WNR},
    {0xc8dffc41, "ldar x1, [x2]", false, ISV | SAS(3) | SRT(1) | ESR_DABT_AR | ESR_DABT_SF},
    {0xb8636841, "ldr w1, [x2, x3]", false, ISV | SAS(2) | SRT(1)},
    {0xb85ff041, "ldur w1, [x2, #-1]", false, ISV | SAS(2) | SRT(1)},
    {0xf9000be9, "str x9, [sp, #16]", true, ISV | SAS(3) | SRT(9) | ESR_DABT_SF | ESR_DABT_WNR},
    {0x38634841, "ldrb w1, [x2, w3, uxtw]", false, ISV | SAS(0) | SRT(1)},
    /* no valid syndrome: pairs, writeback, prefetch, SIMD, not a load/store */
    {0xa9400861, "ldp x1, x2, [x3]", false, 0},
    {0xf8408441, "ldr x1, [x2], #8", false, 0},
    {0xf8408441, "ldr x1, [x2], #8 (reported as write)", true, ESR_DABT_WNR},
    {0xf9800000, "prfm pldl1keep, [x0]", false, 0},
    {0x3dc00020, "ldr q0, [x1]", false, 0},
    {0xd503201f, "nop", false, 0},
};

static void test_dabt_iss(void **state)
{
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(iss_cases); i++) {
		uint64_t got = gz_sim_syn_dabt_iss(iss_cases[i].insn, iss_cases[i].write);

		if (got != iss_cases[i].iss)
			fail_msg("%s: ISS %#llx, expected %#llx", iss_cases[i].text,
				 (unsigned long long)got, (unsigned long long)iss_cases[i].iss);
	}
}

static void test_exception_insns(void **state)
{
	uint16_t imm = 0;
	bool wfe = true;

	(void)state;
	assert_true(gz_sim_decode_hvc(0xd4024682, &imm));
	assert_int_equal(imm, 0x1234);
	assert_false(gz_sim_decode_hvc(0xd40000e3, &imm)); /* smc */
	assert_true(gz_sim_decode_smc(0xd40000e3, &imm));
	assert_int_equal(imm, 7);
	assert_false(gz_sim_decode_smc(0xd4000841, &imm)); /* svc */
	assert_true(gz_sim_decode_wfx(0xd503207f, &wfe));
	assert_false(wfe);
	assert_true(gz_sim_decode_wfx(0xd503205f, &wfe));
	assert_true(wfe);
	assert_false(gz_sim_decode_wfx(0xd503201f, &wfe)); /* nop */
	assert_false(gz_sim_decode_wfx(0xd503203f, &wfe)); /* yield */
}

/* MRS/MSR and the SYS instructions (op0 1); not the hints and barriers (op0 0). */
static void test_sysreg_insns(void **state)
{
	struct gz_sim_msr m;

	(void)state;
	assert_true(gz_sim_decode_msr(0xd5380000, &m)); /* mrs x0, midr_el1 */
	assert_int_equal(m.enc, SYS_MIDR_EL1);
	assert_true(m.read);
	assert_true(gz_sim_decode_msr(0xd5087649, &m)); /* dc isw, x9 */
	assert_int_equal(m.enc, SYS_DC_ISW);
	assert_int_equal(m.rt, 9);
	assert_false(m.read);
	assert_true(gz_sim_decode_msr(0xd5087e42, &m)); /* dc cisw, x2 */
	assert_int_equal(m.enc, SYS_DC_CISW);
	assert_false(gz_sim_decode_msr(0xd503201f, &m)); /* nop */
	assert_false(gz_sim_decode_msr(0xd5033f9f, &m)); /* dsb sy */
	assert_false(gz_sim_decode_msr(0xd4000841, &m)); /* svc */
}

static uint64_t regs[32];

static uint64_t reg_cb(void *arg, unsigned n, bool sp)
{
	(void)arg;
	if (n == 31)
		return sp ? regs[31] : 0;
	return regs[n];
}

static void test_ldst_va(void **state)
{
	static const struct {
		uint32_t insn;
		uint64_t va;
	} cases[] = {
	    {0xf9400041, 0x1000},	 /* ldr x1, [x2] */
	    {0x39000483, 0x3001},	 /* strb w3, [x4, #1] */
	    {0xf8408441, 0x1000},	 /* post-index: the base */
	    {0xb8636841, 0x1000 + 0x10}, /* ldr w1, [x2, x3] */
	    {0xb85ff041, 0x0fff},	 /* ldur w1, [x2, #-1] */
	    {0xf9000be9, 0x8010},	 /* str x9, [sp, #16] */
	    {0x38634841, 0x1000 + 0x10}, /* ldrb w1, [x2, w3, uxtw] */
	    {0xc8dffc41, 0x1000},	 /* ldar x1, [x2] */
	    {0xd50b7424, 0x3000},	 /* dc zva, x4 */
	    {0xd50b7423, 0},		 /* dc zva, x3: the 64-byte block */
	};
	uint64_t va;

	(void)state;
	regs[2] = 0x1000;
	regs[3] = 0x10;
	regs[4] = 0x3000;
	regs[31] = 0x8000;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(cases); i++) {
		assert_true(gz_sim_decode_ldst_va(cases[i].insn, reg_cb, NULL, &va));
		if (va != cases[i].va)
			fail_msg("insn %#x: va %#llx, expected %#llx", cases[i].insn,
				 (unsigned long long)va, (unsigned long long)cases[i].va);
	}
	regs[3] = 0x2000;
	assert_true(gz_sim_decode_ldst_va(0xa9400861, reg_cb, NULL, &va));
	assert_int_equal(va, 0x2000);
	assert_false(gz_sim_decode_ldst_va(0xd503201f, reg_cb, NULL, &va)); /* nop */
	assert_false(gz_sim_decode_ldst_va(0x91000421, reg_cb, NULL, &va)); /* add */
}

/* The bytes each kind of load/store covers: what decides whether an access crossed into the
 * next page (trap.c). */
static void test_ldst_len(void **state)
{
	static const struct {
		uint32_t insn;
		unsigned len;
	} cases[] = {
	    {0xf9400041, 8},  /* ldr x1, [x2] */
	    {0x39000483, 1},  /* strb w3, [x4, #1] */
	    {0x79400041, 2},  /* ldrh w1, [x2] */
	    {0xb85ff041, 4},  /* ldur w1, [x2, #-1] */
	    {0x3dc00040, 16}, /* ldr q0, [x2] */
	    {0xfd400040, 8},  /* ldr d0, [x2] */
	    {0xa9400861, 16}, /* ldp x1, x2, [x3] */
	    {0x29400861, 8},  /* ldp w1, w2, [x3] */
	    {0x69400861, 8},  /* ldpsw x1, x2, [x3] */
	    {0xad000400, 32}, /* stp q0, q1, [x0] */
	    {0x6d000400, 16}, /* stp d0, d1, [x0] */
	    {0xa9bf7bfd, 16}, /* stp x29, x30, [sp, #-16]! */
	    {0xc85f7c41, 8},  /* ldxr x1, [x2] */
	    {0x885f7c41, 4},  /* ldxr w1, [x2] */
	    {0xc87f0c41, 16}, /* ldxp x1, x3, [x2] */
	    {0x887f0c41, 8},  /* ldxp w1, w3, [x2] */
	    {0xc8dffc41, 8},  /* ldar x1, [x2] */
	    {0xf8200041, 8},  /* ldadd x0, x1, [x2] */
	    {0x48207c82, 16}, /* casp x0, x1, x2, x3, [x4] */
	    {0x4c402000, 64}, /* ld1 {v0.16b-v3.16b}, [x0] */
	    {0x0c407000, 8},  /* ld1 {v0.8b}, [x0] */
	    {0x4cdf8000, 32}, /* ld2 {v0.16b, v1.16b}, [x0], #32 */
	    {0x4d408400, 8},  /* ld1 {v0.d}[1], [x0] */
	    {0x4d608000, 8},  /* ld2 {v0.s, v1.s}[2], [x0] */
	    {0x4d40c800, 4},  /* ld1r {v0.4s}, [x0] */
	    {0xd50b7420, 64}, /* dc zva, x0 */
	    {0xd5087620, 0},  /* dc ivac, x0: maintenance, no access */
	    {0xd503201f, 0},  /* nop */
	    {0x91000421, 0},  /* add x1, x1, #1 */
	};

	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(cases); i++) {
		unsigned len = gz_sim_decode_ldst_len(cases[i].insn);

		if (len != cases[i].len)
			fail_msg("insn %#x: %u bytes, expected %u", cases[i].insn, len,
				 cases[i].len);
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dabt_iss),
	    cmocka_unit_test(test_exception_insns),
	    cmocka_unit_test(test_sysreg_insns),
	    cmocka_unit_test(test_ldst_va),
	    cmocka_unit_test(test_ldst_len),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
