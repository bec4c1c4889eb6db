/* SET_ONE_REG of PC after an exit that waits for completion (src/hyp/core/one_reg.c): the
 * VMM redirects the vCPU (to inject an abort for an MMIO access no device claims), so the
 * pending MMIO load is not completed (no register written, no PC step) and a forwarded
 * call's results are not copied back; setting any other register keeps the completion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm_fixture.h"

#define REG_CORE(off) (GZVM_REG_ARM64 | GZVM_REG_SIZE_U64 | GZVM_REG_TYPE_GENERAL | (off))
#define REG_X(n)      REG_CORE(2 * (n))
#define REG_PC	      REG_CORE(0x40)
#define GUEST_PC      0x80000100ULL
#define VECTOR	      0x80000a00ULL

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

static void guest_regs(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)arg;
	for (int i = 0; i < 31; i++)
		ctx->x[i] = 0x0101010101010101ULL * (uint64_t)(i + 1);
	ctx->pc = GUEST_PC;
}

/* An MMIO load of 4 bytes into x5; the host answers 0xaabbccdd. */
static void mmio_load_exit(void)
{
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint32_t reason;

	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 5, false, false, 0x07), 0x0b000010,
		  hpfar_of(0x0b000000), guest_regs, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	memcpy(run->mmio.data, "\xdd\xcc\xbb\xaa\0\0\0\0", 8);
}

static void rerun(void)
{
	uint32_t reason;

	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
}

static void test_pc_drops_mmio_completion(void **state)
{
	(void)state;
	mmio_load_exit();
	assert_int_equal(hstatus(GZ_HVC_SET_ONE_REG, gz_hvc_tuple(vm, 0), REG_PC, VECTOR, 0, 0),
			 GZ_OK);
	rerun();
	assert_int_equal(vfix_guest.last.pc, VECTOR);
	assert_int_equal(vfix_guest.last.x[5], 0x0101010101010101ULL * 6);
}

static void test_other_reg_keeps_completion(void **state)
{
	(void)state;
	mmio_load_exit();
	assert_int_equal(hstatus(GZ_HVC_SET_ONE_REG, gz_hvc_tuple(vm, 0), REG_X(7), 42, 0, 0),
			 GZ_OK);
	rerun();
	assert_int_equal(vfix_guest.last.pc, GUEST_PC + 4);
	assert_int_equal(vfix_guest.last.x[5], 0xaabbccdd);
	assert_int_equal(vfix_guest.last.x[7], 42);
}

static void test_pc_drops_call_results(void **state)
{
	static uint64_t args[4] = {0xc6000042, 1, 2, 3}; /* a vendor call the core forwards */
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint32_t reason;

	(void)state;
	vfix_push_hvc(args);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_HYPERCALL);
	run->hypercall.args[0] = 0x5555;
	assert_int_equal(hstatus(GZ_HVC_SET_ONE_REG, gz_hvc_tuple(vm, 0), REG_PC, VECTOR, 0, 0),
			 GZ_OK);
	rerun();
	assert_int_equal(vfix_guest.last.pc, VECTOR);
	assert_int_equal(vfix_guest.last.x[0], 0xc6000042);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_pc_drops_mmio_completion),
	    T(test_other_reg_keeps_completion),
	    T(test_pc_drops_call_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
