/* MMIO exits and their completion (src/hyp/core/mmio.c): the load matrix (sizes 1/2/4/8,
 * sign extension to 32 and 64 bits, register 31 as XZR), write data, the PC step, the
 * round trip through RUN with the value the VMM leaves in the run page, and opengz's
 * completion field (an external abort in one RUN; undefined values refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm_fixture.h"

static uint16_t vm;

static int setup(void **state)
{
	(void)state;
	vm = vfix_setup_vm(1);
	assert_int_not_equal(vm, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_true(vfix_teardown());
	return 0;
}

static void test_load_matrix(void **state)
{
	static const uint8_t data[8] = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88};
	static const uint8_t pos[8] = {0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78};
	static const struct {
		const uint8_t *d;
		unsigned size;
		bool sse, sf;
		uint64_t want;
	} t[] = {
	    /* zero extension */
	    {data, 1, false, false, 0x81},
	    {data, 2, false, false, 0x8281},
	    {data, 4, false, false, 0x84838281},
	    {data, 8, false, true, 0x8887868584838281},
	    {data, 1, false, true, 0x81},
	    {data, 4, false, true, 0x84838281},
	    /* sign extension to 32 bits (W register) */
	    {data, 1, true, false, 0xffffff81},
	    {data, 2, true, false, 0xffff8281},
	    {data, 4, true, false, 0x84838281},
	    /* sign extension to 64 bits (X register) */
	    {data, 1, true, true, 0xffffffffffffff81},
	    {data, 2, true, true, 0xffffffffffff8281},
	    {data, 4, true, true, 0xffffffff84838281},
	    {data, 8, true, true, 0x8887868584838281},
	    /* positive values are unchanged by sign extension */
	    {pos, 1, true, true, 0x71},
	    {pos, 2, true, false, 0x7271},
	    {pos, 4, true, true, 0x74737271},
	    /* a 64-bit load into a W register keeps the low half */
	    {data, 8, false, false, 0x84838281},
	};

	(void)state;
	/* never more than 8 bytes, whatever the size says */
	assert_int_equal(gz_mmio_load(data, 16, false, false, true), 0x8887868584838281);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t got = gz_mmio_load(t[i].d, t[i].size, false, t[i].sse, t[i].sf);

		if (got != t[i].want)
			fail_msg("case %zu: size %u sse %d sf %d: 0x%llx want 0x%llx", i, t[i].size,
				 t[i].sse, t[i].sf, (unsigned long long)got,
				 (unsigned long long)t[i].want);
	}
}

static void set_regs(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)arg;
	for (int i = 0; i < 31; i++)
		ctx->x[i] = 0x1111111111111111ULL * (uint64_t)(i % 15 + 1);
	ctx->pc = 0x80000100;
}

/* A guest load of @size bytes into @reg: exit, then completion with @data. */
static uint64_t load(unsigned sas, bool sse, bool sf, unsigned reg, const uint8_t *data)
{
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint32_t reason;

	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, sas, sse, reg, sf, false, 0x07), 0x123456,
		  hpfar_of(0x9000000), set_regs, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	assert_int_equal(run->mmio.phys_addr, 0x9000456);
	assert_int_equal(run->mmio.size, 1u << sas);
	assert_int_equal(run->mmio.reg_nr, reg);
	assert_int_equal(run->mmio.is_write, 0);
	memcpy(run->mmio.data, data, 8);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	/* the load completed before the guest ran again, one instruction further */
	assert_int_equal(vfix_guest.last.pc, 0x80000104);
	return reg < 31 ? vfix_guest.last.x[reg] : 0;
}

static void test_read_round_trip(void **state)
{
	static const uint8_t d[8] = {0xfe, 0xff, 0x12, 0x80, 0x01, 0x02, 0x03, 0x04};

	(void)state;
	assert_int_equal(load(0, false, false, 3, d), 0xfe);
	assert_int_equal(load(0, true, false, 4, d), 0xfffffffe);
	assert_int_equal(load(0, true, true, 5, d), 0xfffffffffffffffe);
	assert_int_equal(load(1, true, true, 6, d), 0xfffffffffffffffe);
	assert_int_equal(load(2, true, true, 7, d), 0xffffffff8012fffe);
	assert_int_equal(load(2, false, false, 8, d), 0x8012fffe);
	assert_int_equal(load(3, false, true, 30, d), 0x040302018012fffe);
	/* XZR: the value is dropped, no register changes */
	load(3, false, true, 31, d);
	for (int i = 0; i < 31; i++)
		assert_int_equal(vfix_guest.last.x[i],
				 0x1111111111111111ULL * (uint64_t)(i % 15 + 1));
}

static void test_write(void **state)
{
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint32_t reason;

	(void)state;
	/* STRH W2 */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 1, false, 2, false, true, 0x06), 0x10,
		  hpfar_of(0xa000000), set_regs, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	assert_int_equal(run->mmio.is_write, 1);
	assert_int_equal(run->mmio.size, 2);
	assert_int_equal(run->mmio.data[0], 0x33);
	assert_int_equal(run->mmio.data[1], 0x33);
	assert_int_equal(run->mmio.data[2], 0);
	/* a write completes by stepping the PC only; the run page cannot change registers */
	memset(run->mmio.data, 0xee, 8);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.pc, 0x80000104);
	assert_int_equal(vfix_guest.last.x[2], 0x3333333333333333ULL);
	/* STR XZR: zeros */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 3, false, 31, true, true, 0x06), 0x10,
		  hpfar_of(0xa000000), set_regs, NULL);
	vfix_run(vm, 0, NULL);
	for (int i = 0; i < 8; i++)
		assert_int_equal(run->mmio.data[i], 0);
	/* a completion happens once: the next RUN does not step again */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.pc, 0x80000104);
}

static void test_16bit_insn_step(void **state)
{
	struct gz_vcpu *v = vfix_vcpu(vm, 0);
	uint32_t reason;

	(void)state;
	/* IL clear (not produced by A64, but the step follows the syndrome) */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 0, false, 1, false, false, 0x07) & ~ESR_IL, 0,
		  hpfar_of(0x9000000), set_regs, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	gz_mmio_complete(v, GZVM_MMIO_COMPLETE_DATA);
	assert_int_equal(v->ctx.pc, 0x80000102);
}

static void be_el1(struct gz_cpu_ctx *ctx, void *arg)
{
	set_regs(ctx, arg);
	ctx->pstate = PSR_MODE_EL1h;
	ctx->sys[GZ_SYS_SCTLR_EL1] = SCTLR_EL1_EE;
	ctx->x[4] = 0x1122334455667788ULL;
}

static void be_el0(struct gz_cpu_ctx *ctx, void *arg)
{
	be_el1(ctx, arg);
	ctx->pstate = PSR_MODE_EL0t;
	ctx->sys[GZ_SYS_SCTLR_EL1] = SCTLR_EL1_E0E;
}

static void le_el0_with_ee(struct gz_cpu_ctx *ctx, void *arg)
{
	be_el1(ctx, arg);
	ctx->pstate = PSR_MODE_EL0t; /* EE is for EL1 only */
}

/* Big-endian guests: the run page holds bytes in the guest's memory order. */
static void test_big_endian(void **state)
{
	static const uint8_t d[8] = {0x80, 0x01, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint8_t out[8];

	(void)state;
	/* helpers */
	assert_int_equal(gz_mmio_load(d, 4, true, false, false), 0x80015678);
	assert_int_equal(gz_mmio_load(d, 2, true, true, true), 0xffffffffffff8001ULL);
	assert_int_equal(gz_mmio_load(d, 8, true, false, true), 0x800156789abcdef0ULL);
	assert_int_equal(gz_mmio_load(d, 16, false, false, true), 0xf0debc9a78560180ULL);
	gz_mmio_store_bytes(0x11223344, 4, true, out);
	assert_memory_equal(out, ((uint8_t[]){0x11, 0x22, 0x33, 0x44}), 4);
	gz_mmio_store_bytes(0x1122, 2, false, out);
	assert_memory_equal(out, ((uint8_t[]){0x22, 0x11}), 2);
	/* a BE EL1 store of W4 and a BE EL0 load through the run page */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 4, false, true, 0x07), 0,
		  hpfar_of(0x9000000), be_el1, NULL);
	uint32_t reason;
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	assert_memory_equal(run->mmio.data, ((uint8_t[]){0x55, 0x66, 0x77, 0x88}), 4);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 1, true, 5, true, false, 0x07), 0,
		  hpfar_of(0x9000000), be_el0, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	memcpy(run->mmio.data, d, 8);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(vfix_guest.last.x[5], 0xffffffffffff8001ULL);
	/* EL0 of an EL1-big-endian guest with E0E clear is little-endian */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 4, false, true, 0x07), 0,
		  hpfar_of(0x9000000), le_el0_with_ee, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_memory_equal(run->mmio.data, ((uint8_t[]){0x88, 0x77, 0x66, 0x55}), 4);
}

static void at_el0(struct gz_cpu_ctx *ctx, void *arg)
{
	set_regs(ctx, arg);
	ctx->pstate = PSR_MODE_EL0t;
	ctx->sys[GZ_SYS_VBAR_EL1] = 0x80010000;
}

static void at_el1(struct gz_cpu_ctx *ctx, void *arg)
{
	at_el0(ctx, arg);
	ctx->pstate = PSR_MODE_EL1h;
}

/* GZVM_MMIO_COMPLETE_EXT_ABORT: the next RUN enters the guest at its data-abort vector with
 * the access's syndrome and VA; the target register is untouched, the PC does not step. */
static void test_completion_abort(void **state)
{
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint32_t reason;

	(void)state;
	/* LDR W3 at EL1h, VA 0xffff000012345678 */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 3, false, false, 0x07),
		  0xffff000012345678ULL, hpfar_of(0x9000000), at_el1, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	assert_int_equal(run->mmio.completion, GZVM_MMIO_COMPLETE_DATA);
	memset(run->mmio.data, 0xee, 8);
	run->mmio.completion = GZVM_MMIO_COMPLETE_EXT_ABORT;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal(vfix_guest.last.pc, 0x80010000 + 0x200);
	assert_int_equal(vfix_guest.last.elr_el1, 0x80000100);
	assert_int_equal(vfix_guest.last.spsr_el1, PSR_MODE_EL1h);
	/* the reset SCTLR_EL1 has SPAN set: PAN stays as it was */
	assert_int_equal(vfix_guest.last.pstate, PSR_MODE_EL1h | PSR_DAIF);
	assert_int_equal(vfix_guest.last.sys[GZ_SYS_ESR_EL1],
			 esr_ec(ESR_EC_DABT_CUR, ESR_FSC_EXTABT));
	assert_int_equal(vfix_guest.last.sys[GZ_SYS_FAR_EL1], 0xffff000012345678ULL);
	assert_int_equal(vfix_guest.last.x[3], 0x4444444444444444ULL);
	/* a store from EL0: a lower-EL abort with WnR, at the lower-EL vector */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 3, false, 2, true, true, 0x07), 0x400123,
		  hpfar_of(0xa000000), at_el0, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	run->mmio.completion = GZVM_MMIO_COMPLETE_EXT_ABORT;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, 0x80010000 + 0x400);
	assert_int_equal(vfix_guest.last.sys[GZ_SYS_ESR_EL1],
			 esr_ec(ESR_EC_DABT_LOW, ESR_DABT_WNR | ESR_FSC_EXTABT));
	assert_int_equal(vfix_guest.last.sys[GZ_SYS_FAR_EL1], 0x400123);
}

/* A value the ABI does not define: RUN refuses it and changes nothing, the access stays
 * pending; outside an MMIO exit the byte belongs to another exit's layout and is ignored;
 * every MMIO exit starts with the v13 completion. */
static void test_completion_refused(void **state)
{
	static const uint8_t bad[] = {2, 0x80, 0xff};
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	struct gz_vcpu *v = vfix_vcpu(vm, 0);
	uint32_t reason;

	(void)state;
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 0, false, 7, false, false, 0x07), 0x10,
		  hpfar_of(0x9000000), at_el1, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	for (size_t i = 0; i < sizeof(bad); i++) {
		run->mmio.completion = bad[i];
		assert_int_equal(vfix_run(vm, 0, &reason), GZ_ERR_INVALID_ARGS);
		assert_true(v->mmio.active);
		assert_false(v->running);
		assert_int_equal(v->ctx.pc, 0x80000100);
	}
	/* the same access then completes with its data */
	run->mmio.completion = GZVM_MMIO_COMPLETE_DATA;
	run->mmio.data[0] = 0x5a;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(vfix_guest.last.x[7], 0x5a);
	assert_int_equal(vfix_guest.last.pc, 0x80000104);
	/* nothing pending (the last exit was an IRQ): the byte is not looked at */
	run->mmio.completion = 0xff;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, 0x80000104);
	/* an MMIO exit clears what an earlier one left */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 0, false, 7, false, false, 0x07), 0x10,
		  hpfar_of(0x9000000), at_el1, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	assert_int_equal(run->mmio.completion, GZVM_MMIO_COMPLETE_DATA);
}

/* A data abort without a syndrome outside memory (INTERNAL_ERROR, MMIO_NO_ISV): the same
 * completion field, past the exit's data, asks for the abort; left at 0 the access runs again,
 * as in gzvm v13; undefined values are refused. */
static void test_completion_no_isv(void **state)
{
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint32_t reason;

	(void)state;
	/* STP at EL1h (WnR, no ISV), VA 0xffff000009000010 */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(false, 0, false, 0, false, true, 0x07),
		  0xffff000009000010ULL, hpfar_of(0x9000000), at_el1, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(run->internal.suberror, GZVM_INTERNAL_MMIO_NO_ISV);
	assert_int_equal(run->internal.ndata, 4);
	assert_int_equal(run->mmio.completion, GZVM_MMIO_COMPLETE_DATA);
	/* left alone: the access runs again */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, 0x80000100);
	assert_int_equal(vfix_guest.last.x[0], 0x1111111111111111ULL);
	/* again, now completed with an abort; an undefined value first */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(false, 0, false, 0, false, true, 0x07),
		  0xffff000009000010ULL, hpfar_of(0x9000000), at_el1, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_INTERNAL_ERROR);
	run->mmio.completion = 2;
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_ERR_INVALID_ARGS);
	run->mmio.completion = GZVM_MMIO_COMPLETE_EXT_ABORT;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, 0x80010000 + 0x200);
	assert_int_equal(vfix_guest.last.elr_el1, 0x80000100);
	assert_int_equal(vfix_guest.last.sys[GZ_SYS_ESR_EL1],
			 esr_ec(ESR_EC_DABT_CUR, ESR_DABT_WNR | ESR_FSC_EXTABT));
	assert_int_equal(vfix_guest.last.sys[GZ_SYS_FAR_EL1], 0xffff000009000010ULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_matrix),
	    T(test_read_round_trip),
	    T(test_write),
	    T(test_16bit_insn_step),
	    T(test_big_endian),
	    T(test_completion_abort),
	    T(test_completion_refused),
	    T(test_completion_no_isv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
