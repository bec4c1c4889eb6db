/* gzdrv's exit trace (xtrace.c): the hypervisor's exit log in the hwstate page taken after
 * each RUN, the RUN's last exit held until its cost is known and marked as the VMM's or the
 * driver's with its GZVM exit, records the log wrapped over counted as lost, the ring's
 * oldest overwritten, clearing, the log turned on, and nothing at all while the trace is off.
 * test-libs: gzdrv_fake gzdrv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drv_fake.h"

static struct gzvm_vcpu_run urun;
static struct gzdrv *drv;
static struct gzdrv_vm *vm;
static struct gzdrv_vcpu *vcpu;

static struct gz_exit_log *log_of(struct gzdrv_vcpu *c)
{
	return (void *)((uint8_t *)c->shared + GZVM_VCPU_HWSTATE_OFFSET + GZ_EXIT_LOG_OFFSET);
}

/* What gzhyp does: append a record (its esr names it in the checks). */
static void hyp_log(uint64_t esr, uint8_t handler)
{
	struct gz_exit_log *l = log_of(vcpu);
	struct gz_exit_log_rec *r = &l->rec[l->head % GZ_EXIT_LOG_NR];

	memset(r, 0, sizeof(*r));
	r->esr = esr;
	r->t_exit = 1000 + esr;
	r->pc = 0x40080000 + esr;
	r->handler = handler;
	l->head++;
}

static long run(uint32_t reason)
{
	fake_hyp_exit(reason);
	return gzdrv_vcpu_ioctl(vcpu, GZVM_RUN, fake_user(&urun, sizeof(urun)));
}

static int setup_n(uint64_t nr)
{
	drv = fake_reset(true);
	if (gzdrv_xtrace_start(drv, nr))
		return -1;
	vm = fake_vm_new();
	if (!vm || gzdrv_vcpu_create(vm, 2, &vcpu))
		return -1;
	memset(&urun, 0, sizeof(urun));
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_n(64);
}

static int setup_small(void **state)
{
	(void)state;
	return setup_n(4);
}

static int teardown(void **state)
{
	const char *leak;

	(void)state;
	if (vm)
		gzdrv_vm_release(vm);
	vm = NULL;
	gzdrv_xtrace_stop(drv);
	leak = fake_leaks();
	if (leak)
		fail_msg("leak: %s", leak);
	return 0;
}

static struct gzdrv_xrec rec(uint64_t i)
{
	struct gzdrv_xrec r;
	uint64_t lost;

	if (!gzdrv_xtrace_get(drv, i, &r, &lost))
		fail_msg("no record %llu", (unsigned long long)i);
	return r;
}

static bool have(uint64_t i)
{
	struct gzdrv_xrec r;
	uint64_t lost;

	return gzdrv_xtrace_get(drv, i, &r, &lost);
}

static void test_runs(void **state)
{
	struct gzdrv_xrec r;

	(void)state;
	assert_int_equal(log_of(vcpu)->on, 1);
	/* a RUN with an exit of the fast path and one of the run loop, ended by an MMIO */
	hyp_log(1, GZ_EXIT_LOG_FAST);
	hyp_log(2, GZ_EXIT_LOG_CORE);
	hyp_log(3, GZ_EXIT_LOG_HOST);
	assert_int_equal(run(GZVM_EXIT_MMIO), 0);
	r = rec(0);
	assert_int_equal(r.esr, 1);
	assert_int_equal(r.handler, GZ_EXIT_LOG_FAST);
	assert_int_equal(r.vcpu, 2);
	assert_int_equal(r.vm_id, vm->vm_id);
	assert_int_equal(r.t_exit, 1001);
	assert_int_equal(r.pc, 0x40080001);
	assert_int_equal(rec(1).handler, GZ_EXIT_LOG_CORE);
	assert_int_equal(rec(1).gzvm_exit, 0);
	assert_false(have(2)); /* the MMIO exit waits for its cost */
	/* the next RUN: gzhyp gave the MMIO exit its cost at the entry */
	log_of(vcpu)->rec[2].cost = 77;
	hyp_log(4, GZ_EXIT_LOG_HOST);
	assert_int_equal(run(GZVM_EXIT_MMIO), 0);
	r = rec(2);
	assert_int_equal(r.esr, 3);
	assert_int_equal(r.cost, 77);
	assert_int_equal(r.handler, GZDRV_XTRACE_VMM);
	assert_int_equal(r.gzvm_exit, GZVM_EXIT_MMIO);
	/* an IPI exit the driver finishes, then a RUN that ends before the guest ran */
	hyp_log(5, GZ_EXIT_LOG_CORE);
	hyp_log(6, GZ_EXIT_LOG_HOST);
	fake_hyp_exit(GZVM_EXIT_IPI);
	assert_int_equal(run(GZVM_EXIT_MMIO), 0);
	assert_int_equal(rec(3).esr, 4);
	assert_int_equal(rec(4).esr, 5);
	assert_false(have(5));
	/* the vCPU goes: its last exit comes out with what the driver made of it */
	gzdrv_vm_release(vm);
	vm = NULL;
	r = rec(5);
	assert_int_equal(r.esr, 6);
	assert_int_equal(r.handler, GZDRV_XTRACE_DRIVER);
	assert_int_equal(r.gzvm_exit, GZVM_EXIT_IPI);
	assert_false(have(6));
	/* emptied */
	gzdrv_xtrace_clear(drv);
	assert_false(have(0));
}

static void test_lost_and_ring(void **state)
{
	uint64_t lost = 0;
	struct gzdrv_xrec r;

	(void)state;
	/* the log wrapped over 10 records the driver had not taken */
	for (unsigned i = 0; i < GZ_EXIT_LOG_NR + 11; i++)
		hyp_log(100 + i, GZ_EXIT_LOG_CORE);
	assert_int_equal(run(GZVM_EXIT_MMIO), 0);
	assert_true(gzdrv_xtrace_get(drv, 0, &r, &lost));
	assert_int_equal(lost, 10);
	/* a ring of 4: the last 4 taken, oldest first */
	assert_int_equal(rec(0).esr, 100 + GZ_EXIT_LOG_NR + 6);
	assert_int_equal(rec(3).esr, 100 + GZ_EXIT_LOG_NR + 9);
	assert_false(have(4));
	gzdrv_xtrace_clear(drv);
	assert_false(gzdrv_xtrace_get(drv, 0, &r, &lost));
	assert_int_equal(lost, 0);
}

static void test_start_refused(void **state)
{
	struct gzdrv_xrec r;
	uint64_t lost;

	(void)state;
	drv = fake_reset(true);
	assert_int_equal(gzdrv_xtrace_start(drv, 0), -EINVAL);
	assert_int_equal(gzdrv_xtrace_start(drv, (1ULL << 24) + 1), -EINVAL);
	fake.fail_zalloc_in = 1;
	assert_int_equal(gzdrv_xtrace_start(drv, 8), -ENOMEM);
	fake.fail_zalloc_in = 2;
	assert_int_equal(gzdrv_xtrace_start(drv, 8), -ENOMEM);
	fake.fail_zalloc_in = 0;
	fake.fail_lock_in = 1;
	assert_int_equal(gzdrv_xtrace_start(drv, 8), -ENOMEM);
	fake.fail_lock_in = 0;
	assert_null(drv->xtrace);
	assert_null(fake_leaks());
	/* off: nothing recorded, nothing asked of the hwstate page */
	vm = fake_vm_new();
	assert_non_null(vm);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	assert_int_equal(log_of(vcpu)->on, 0);
	hyp_log(1, GZ_EXIT_LOG_HOST);
	assert_int_equal(run(GZVM_EXIT_MMIO), 0);
	assert_false(gzdrv_xtrace_get(drv, 0, &r, &lost));
	gzdrv_xtrace_clear(drv);
	gzdrv_xtrace_stop(drv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_and_ring, setup_small, teardown),
	    cmocka_unit_test_teardown(test_start_refused, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
