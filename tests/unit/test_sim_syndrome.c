/* The simulator's syndromes through the shared decoder: every kind of exit the simulator
 * synthesises (stage-2 data aborts of every size, signedness, register, direction and
 * destination width, table-walk and instruction aborts with every fault kind and level,
 * HVC/SMC immediates, WFI/WFE, trapped MSR/MRS of every encoding, unknown) and the ESR_EL1 of
 * the exceptions it gives the guest (SVC, BRK, UNDEF, stage-1 aborts, trapped EL0 accesses),
 * built from instruction words assembled here and read back with arm64_exit_decode.
 * test-libs: gzsim_internal gzsim gzcore gzarm64 gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arm64/decode.h>
#include <arm64/debug.h>
#include <arm64/esr.h>
#include <arm64/sysreg.h>
#include "syndrome.h"

#define IPA 0x40123000ULL
#define VA  0xffff000012345000ULL

static struct gz_exit_desc decode(const struct gz_exit_record *rec)
{
	struct gz_exit_desc d;

	arm64_exit_decode(rec, &d);
	assert_true(d.il);
	return d;
}

static struct gz_exit_desc decode_el1(uint64_t esr)
{
	return decode(&(struct gz_exit_record){.kind = GZ_EXIT_KIND_SYNC, .esr = esr});
}

/* ---- load/store instruction words -------------------------------------------------------- */

enum access { STORE, LOAD, LOAD_SX, LOAD_SW }; /* opc 0..3 */

/* LDR/STR (unsigned immediate), LDUR/STUR, LDTR/STTR, LDR/STR (register, LSL). */
static uint32_t ldst(unsigned form, unsigned size, enum access a, unsigned rt, unsigned rn)
{
	static const uint32_t base[] = {0x39000000, 0x38000000, 0x38000800, 0x38206800};
	uint32_t imm = form == 0 ? 3u << 10 : form == 3 ? 0 : 0x1f0u << 12;

	return base[form] | size << 30 | (uint32_t)a << 22 | imm | rn << 5 | rt;
}

/* LDAR/STLR */
static uint32_t ldar_stlr(unsigned size, bool load, unsigned rt, unsigned rn)
{
	return 0x089ffc00 | size << 30 | (load ? 1u << 22 : 0) | rn << 5 | rt;
}

/* What the architecture allows: the signed loads to W stop below 4 bytes, LDRSW is the only
 * signed 4-byte load, and an 8-byte access is never a signed load. */
static bool allocated(unsigned size, enum access a)
{
	if (size == 3)
		return a == STORE || a == LOAD;
	if (size == 2)
		return a != LOAD_SW;
	return true;
}

static const struct gz_sim_s2_result walk_trans2 = {.level = 2};

static void check_dabt(uint32_t insn, bool write, unsigned size, bool sign, bool sf, bool acqrel,
		       unsigned rt)
{
	struct gz_exit_record rec;
	struct gz_exit_desc d;

	gz_sim_syn_dabt(&rec, insn, write, &walk_trans2, VA | 0x9a8, IPA | 0x9a8);
	d = decode(&rec);
	if (d.type != GZ_XT_DABT || !d.abort.isv || d.abort.size != 1u << size ||
	    d.abort.sign_extend != sign || d.abort.sf != sf || d.abort.acqrel != acqrel ||
	    d.abort.reg != rt || d.abort.write != write || d.abort.ipa != (IPA | 0x9a8) ||
	    d.abort.va != (VA | 0x9a8) || d.abort.kind != GZ_FAULT_TRANSLATION ||
	    d.abort.level != 2 || d.abort.s1ptw)
		fail_msg(
		    "insn %#x: type %d isv %d size %u sse %d sf %d ar %d reg %u wnr %d ipa %#llx",
		    insn, d.type, d.abort.isv, d.abort.size, d.abort.sign_extend, d.abort.sf,
		    d.abort.acqrel, d.abort.reg, d.abort.write, (unsigned long long)d.abort.ipa);
}

static void test_dabt_every_access(void **state)
{
	unsigned n = 0;

	(void)state;
	for (unsigned form = 0; form < 4; form++)
		for (unsigned size = 0; size < 4; size++)
			for (enum access a = STORE; a <= LOAD_SW; a++) {
				if (!allocated(size, a))
					continue;
				for (unsigned rt = 0; rt < 32; rt++, n++)
					check_dabt(ldst(form, size, a, rt, (rt + 7) % 31),
						   a == STORE, size, a >= LOAD_SX,
						   a == LOAD_SX || (a <= LOAD && size == 3), false,
						   rt);
			}
	for (unsigned size = 0; size < 4; size++)
		for (unsigned rt = 0; rt < 32; rt++, n += 2) {
			check_dabt(ldar_stlr(size, true, rt, 3), false, size, false, size == 3,
				   true, rt);
			check_dabt(ldar_stlr(size, false, rt, 3), true, size, false, size == 3,
				   true, rt);
		}
	assert_int_equal(n, 4 * (4 + 4 + 3 + 2) * 32 + 4 * 2 * 32);
}

/* Accesses the syndrome cannot describe: only the direction Unicorn saw. */
static void test_dabt_without_syndrome(void **state)
{
	static const uint32_t insns[] = {
	    0xa9400861, /* ldp x1, x2, [x3] */
	    0xf8408441, /* ldr x1, [x2], #8 */
	    0xf8008c41, /* str x1, [x2, #8]! */
	    0x3dc00020, /* ldr q0, [x1] */
	    0xc85f7c41, /* ldxr x1, [x2] */
	    0xf8210041, /* ldadd x1, x1, [x2] */
	};

	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(insns); i++)
		for (int write = 0; write < 2; write++) {
			struct gz_exit_record rec;
			struct gz_exit_desc d;

			gz_sim_syn_dabt(&rec, insns[i], write, &walk_trans2, VA, IPA);
			d = decode(&rec);
			assert_int_equal(d.type, GZ_XT_DABT);
			assert_false(d.abort.isv);
			assert_int_equal(d.abort.write, write);
			assert_int_equal(d.abort.ipa, IPA);
		}
}

/* Every fault a stage-2 walk reports, on a data access, an instruction fetch and a stage-1
 * table walk. */
static void test_abort_fault_kinds(void **state)
{
	static const struct {
		struct gz_sim_s2_result r;
		enum gz_fault_kind kind, ptw_kind;
		unsigned level;
	} cases[] = {
	    {{.level = 0}, GZ_FAULT_TRANSLATION, GZ_FAULT_TRANSLATION, 0},
	    {{.level = 1}, GZ_FAULT_TRANSLATION, GZ_FAULT_TRANSLATION, 1},
	    {{.level = 3}, GZ_FAULT_TRANSLATION, GZ_FAULT_TRANSLATION, 3},
	    {{.level = 0xff}, GZ_FAULT_TRANSLATION, GZ_FAULT_TRANSLATION, 0}, /* no regime */
	    {{.level = 2, .af_fault = true}, GZ_FAULT_ACCESS_FLAG, GZ_FAULT_TRANSLATION, 2},
	    {{.level = 3, .ok = true, .r = true}, GZ_FAULT_PERMISSION, GZ_FAULT_PERMISSION, 3},
	    {{.level = 1, .ok = true}, GZ_FAULT_PERMISSION, GZ_FAULT_PERMISSION, 1},
	};

	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(cases); i++) {
		struct gz_exit_record rec;
		struct gz_exit_desc d;

		gz_sim_syn_dabt(&rec, ldst(0, 3, LOAD, 4, 5), false, &cases[i].r, VA | 8, IPA | 8);
		d = decode(&rec);
		assert_int_equal(d.type, GZ_XT_DABT);
		assert_int_equal(d.abort.kind, cases[i].kind);
		assert_int_equal(d.abort.level, cases[i].level);

		gz_sim_syn_iabt(&rec, &cases[i].r, VA | 0x10, IPA | 0x10);
		d = decode(&rec);
		assert_int_equal(d.type, GZ_XT_IABT);
		assert_int_equal(d.abort.kind, cases[i].kind);
		assert_int_equal(d.abort.level, cases[i].level);
		assert_int_equal(d.abort.ipa, IPA | 0x10);
		assert_int_equal(d.abort.va, VA | 0x10);
		assert_false(d.abort.s1ptw);

		for (int fetch = 0; fetch < 2; fetch++) {
			gz_sim_syn_s1ptw(&rec, fetch, &cases[i].r, VA | 0x18, IPA | 0x7f8);
			d = decode(&rec);
			assert_int_equal(d.type, fetch ? GZ_XT_IABT : GZ_XT_DABT);
			assert_true(d.abort.s1ptw);
			assert_false(d.abort.isv);
			assert_int_equal(d.abort.kind, cases[i].ptw_kind);
			assert_int_equal(d.abort.level, cases[i].level);
			assert_int_equal(d.abort.va, VA | 0x18);
			/* HPFAR holds the descriptor's page; FAR the access's offset. */
			assert_int_equal(d.abort.ipa, IPA | 0x18);
		}
	}
}

static void test_calls(void **state)
{
	static const uint16_t imms[] = {0, 1, 0x1234, 0x8000, 0xffff};

	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(imms); i++) {
		struct gz_exit_record rec;
		struct gz_exit_desc d;

		gz_sim_syn_hvc(&rec, 0xd4000002 | (uint32_t)imms[i] << 5);
		d = decode(&rec);
		assert_int_equal(d.type, GZ_XT_HVC);
		assert_int_equal(d.call.imm, imms[i]);
		gz_sim_syn_smc(&rec, 0xd4000003 | (uint32_t)imms[i] << 5);
		d = decode(&rec);
		assert_int_equal(d.type, GZ_XT_SMC);
		assert_int_equal(d.call.imm, imms[i]);
	}
	/* The word at the PC was not the call (or could not be read): immediate 0. */
	{
		struct gz_exit_record rec;

		gz_sim_syn_hvc(&rec, 0xd4000003 | 0x55u << 5);
		assert_int_equal(decode(&rec).call.imm, 0);
		gz_sim_syn_smc(&rec, 0);
		assert_int_equal(decode(&rec).call.imm, 0);
	}
}

static void test_wfx_and_unknown(void **state)
{
	struct gz_exit_record rec;
	struct gz_exit_desc d;

	(void)state;
	gz_sim_syn_wfx(&rec, false);
	d = decode(&rec);
	assert_int_equal(d.type, GZ_XT_WFI);
	assert_false(d.wfx.with_timeout);
	gz_sim_syn_wfx(&rec, true);
	d = decode(&rec);
	assert_int_equal(d.type, GZ_XT_WFE);
	assert_false(d.wfx.with_timeout);
	gz_sim_syn_unknown(&rec);
	d = decode(&rec);
	assert_int_equal(d.type, GZ_XT_UNDEF);
	assert_int_equal(d.ec, ESR_EC_UNKNOWN);
	assert_int_equal(d.iss, 0);
}

static uint32_t msr_mrs(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
			unsigned rt, bool read)
{
	return 0xd5100000 | (read ? 1u << 21 : 0) | (op0 & 1) << 19 | op1 << 16 | crn << 12 |
	       crm << 8 | op2 << 5 | rt;
}

/* Every MSR/MRS (register) encoding, to EL2 and as the guest's own trap. */
static void test_sysreg_every_encoding(void **state)
{
	unsigned n = 0;

	(void)state;
	for (unsigned op0 = 2; op0 < 4; op0++)
		for (unsigned op1 = 0; op1 < 8; op1++)
			for (unsigned crn = 0; crn < 16; crn++)
				for (unsigned crm = 0; crm < 16; crm++)
					for (unsigned op2 = 0; op2 < 8; op2++, n++) {
						unsigned rt = n % 32;
						bool read = n & 32;
						uint32_t insn =
						    msr_mrs(op0, op1, crn, crm, op2, rt, read);
						struct gz_exit_record rec;
						struct gz_exit_desc d, g;

						gz_sim_syn_sysreg(&rec, insn);
						d = decode(&rec);
						g = decode_el1(gz_sim_syn_guest_sysreg(insn));
						if (d.type != GZ_XT_SYSREG ||
						    d.sysreg.enc !=
							SYS_ENC(op0, op1, crn, crm, op2) ||
						    d.sysreg.read != read || d.sysreg.reg != rt ||
						    g.type != GZ_XT_SYSREG || g.esr != rec.esr)
							fail_msg("insn %#x: enc %#x read %d rt %u",
								 insn, d.sysreg.enc, d.sysreg.read,
								 d.sysreg.reg);
					}
	assert_int_equal(n, 2 * 8 * 16 * 16 * 8);
}

static void test_guest_exceptions(void **state)
{
	struct gz_exit_desc d;

	(void)state;
	d = decode_el1(gz_sim_syn_guest_undef());
	assert_int_equal(d.type, GZ_XT_UNDEF);
	assert_int_equal(d.ec, ESR_EC_UNKNOWN);
	assert_int_equal(d.iss, 0);

	d = decode_el1(gz_sim_syn_guest_svc(0xd4000001 | 0xbeefu << 5));
	assert_int_equal(d.ec, ESR_EC_SVC64);
	assert_int_equal(d.iss, 0xbeef);
	d = decode_el1(gz_sim_syn_guest_brk(0xd4200000 | 0x7u << 5));
	assert_int_equal(d.type, GZ_XT_DEBUG);
	assert_int_equal(d.ec, ESR_EC_BRK64);
	assert_int_equal(d.iss, 7);

	/* Stage-1 aborts: from EL0 a lower-EL class the decoder reads as an abort; from EL1 the
	 * current-EL class, with the same ISS. */
	for (int fetch = 0; fetch < 2; fetch++)
		for (int write = 0; write < 2 - fetch; write++) {
			unsigned fsc = ESR_FSC_PERM + 3;
			uint64_t low = gz_sim_syn_guest_abort(fetch, true, write, fsc);
			uint64_t cur = gz_sim_syn_guest_abort(fetch, false, write, fsc);

			d = decode_el1(low);
			assert_int_equal(d.type, fetch ? GZ_XT_IABT : GZ_XT_DABT);
			assert_int_equal(d.abort.kind, GZ_FAULT_PERMISSION);
			assert_int_equal(d.abort.level, 3);
			assert_int_equal(d.abort.write, write);
			assert_false(d.abort.isv);
			d = decode_el1(cur);
			assert_int_equal(d.ec, fetch ? ESR_EC_IABT_CUR : ESR_EC_DABT_CUR);
			assert_int_equal(ESR_ISS(cur), ESR_ISS(low));
		}
	d = decode_el1(gz_sim_syn_guest_abort(false, true, false, ESR_FSC_ALIGN));
	assert_int_equal(d.abort.kind, GZ_FAULT_ALIGNMENT);
}

/* Debug exceptions (sim/debug.c): from EL0 the lower-EL classes the decoder reads as debug
 * exits, from EL1 the current-EL ones with the same ISS: the fault status "debug exception",
 * a step's ISV when an instruction was stepped, a watchpoint's WnR. */
static void test_guest_debug_exceptions(void **state)
{
	static const struct {
		unsigned ec;
		uint32_t iss;
	} cases[] = {
	    {ESR_EC_BREAKPT_LOW, ESR_DBG_FSC_DEBUG},
	    {ESR_EC_SOFTSTP_LOW, ESR_SS_ISV | ESR_DBG_FSC_DEBUG},
	    {ESR_EC_SOFTSTP_LOW, ESR_DBG_FSC_DEBUG},
	    {ESR_EC_WATCHPT_LOW, ESR_WP_WNR | ESR_DBG_FSC_DEBUG},
	    {ESR_EC_WATCHPT_LOW, ESR_DBG_FSC_DEBUG},
	};
	uint64_t low[] = {
	    gz_sim_syn_guest_breakpoint(true),	      gz_sim_syn_guest_step(true, true),
	    gz_sim_syn_guest_step(true, false),	      gz_sim_syn_guest_watchpoint(true, true),
	    gz_sim_syn_guest_watchpoint(true, false),
	};
	uint64_t cur[] = {
	    gz_sim_syn_guest_breakpoint(false),	       gz_sim_syn_guest_step(false, true),
	    gz_sim_syn_guest_step(false, false),       gz_sim_syn_guest_watchpoint(false, true),
	    gz_sim_syn_guest_watchpoint(false, false),
	};

	(void)state;
	for (unsigned i = 0; i < GZ_ARRAY_SIZE(cases); i++) {
		struct gz_exit_desc d = decode_el1(low[i]);

		assert_int_equal(d.type, GZ_XT_DEBUG);
		assert_int_equal(d.ec, cases[i].ec);
		assert_int_equal(d.iss, cases[i].iss);
		assert_true(d.il);
		d = decode_el1(cur[i]);
		assert_int_equal(d.ec, cases[i].ec + 1); /* the same EL's class */
		assert_int_equal(d.iss, cases[i].iss);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dabt_every_access), cmocka_unit_test(test_dabt_without_syndrome),
	    cmocka_unit_test(test_abort_fault_kinds), cmocka_unit_test(test_calls),
	    cmocka_unit_test(test_wfx_and_unknown),   cmocka_unit_test(test_sysreg_every_encoding),
	    cmocka_unit_test(test_guest_exceptions),  cmocka_unit_test(test_guest_debug_exceptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
