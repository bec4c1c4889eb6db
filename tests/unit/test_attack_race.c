/* Adversarial tests of the control path: a second physical CPU acting at exactly the moment
 * between a check and its use (played through the fake HAL's lock hook), and host arguments
 * that point at memory the store covers but the hypervisor cannot map. Each test failed
 * before the fix it names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzhyp/pool.h>

#include "vm_fixture.h"

static int setup(void **state)
{
	(void)state;
	assert_int_equal(vfix_init(), GZ_OK);
	vfix_guest_reset();
	return 0;
}

static void check_invariants(void)
{
	struct gz_vm_mem *m[GZ_MAX_VMS];
	unsigned n = gz_vm_count();
	uint64_t bad = 0;

	for (unsigned i = 0; i < n; i++)
		m[i] = &gz_vm_at(i)->mem;
	if (gz_mem_check_invariants(m, n, &bad) != GZ_OK)
		fail_msg("invariant broken at 0x%llx", (unsigned long long)bad);
}

static int teardown(void **state)
{
	(void)state;
	fake_hal_set_lock_hook(NULL, NULL);
	check_invariants();
	assert_int_equal(fake_hal_locks_held(), 0);
	vfix_destroy_all();
	assert_int_equal(gz_vm_count(), 0);
	fake_hal_teardown();
	return 0;
}

static uint64_t pool_free(void)
{
	struct gz_pool_stats st;

	gz_pool_get_stats(gz_mem_pool(), &st);
	return st.free;
}

/* ---- the other CPU ------------------------------------------------------------------------ */

/* What the other CPU does, and when: at the @nth acquisition (@acquire) or release of
 * @lock after arming. */
struct other_cpu {
	gz_lock_t *lock;
	bool acquire;
	unsigned nth, seen;
	bool armed, fired;
	void (*act)(struct other_cpu *o);
	uint16_t vm, vcpu;
	int64_t status;
};

static void lock_hook(gz_lock_t *lock, bool acquire, void *arg)
{
	struct other_cpu *o = arg;

	if (!o->armed || lock != o->lock || acquire != o->acquire || ++o->seen < o->nth)
		return;
	o->armed = false;
	o->fired = true;
	/* Another physical CPU: its own per-CPU host-call state. */
	fake_hal_set_cpu_id(1);
	o->act(o);
	fake_hal_set_cpu_id(0);
}

static void arm(struct other_cpu *o)
{
	o->seen = 0;
	o->armed = true;
	o->fired = false;
	fake_hal_set_lock_hook(lock_hook, o);
}

static void act_create_vcpu(struct other_cpu *o)
{
	o->status = hstatus(GZ_HVC_CREATE_VCPU, gz_hvc_tuple(o->vm, o->vcpu), VFIX_SHARED(o->vm, 4),
			    0, 0, 0);
}

static void act_destroy_vm(struct other_cpu *o)
{
	o->status = hstatus(GZ_HVC_DESTROY_VM, o->vm, 0, 0, 0, 0);
}

static void act_destroy_vcpu(struct other_cpu *o)
{
	o->status = hstatus(GZ_HVC_DESTROY_VCPU, gz_hvc_tuple(o->vm, o->vcpu), 0, 0, 0, 0);
}

/* CREATE_VCPU twice for one index on two CPUs: the second to insert must lose, or the first
 * vCPU (a pool page) and its shared block (host pages held SHARED forever) leak. */
static void test_create_vcpu_twice_racing(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct other_cpu o = {.act = act_create_vcpu, .acquire = true, .nth = 2, .vm = vm};
	uint64_t free_before = pool_free();
	int64_t st;

	(void)state;
	o.lock = &gz_vm_get(vm)->lock;
	arm(&o);
	/* The VM lock's first acquisition checks the slot, the second inserts. */
	st = vfix_create_vcpu(vm, 0);
	fake_hal_set_lock_hook(NULL, NULL);
	assert_true(o.fired);
	assert_int_equal(o.status, GZ_OK);
	assert_int_equal(st, GZ_ERR_ALREADY_EXISTS);
	assert_int_equal(gz_vm_get(vm)->nr_vcpus, 1);
	assert_int_equal(vfix_vcpu(vm, 0)->shared_pa, VFIX_SHARED(vm, 4));
	/* The loser gave everything back. */
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 0)), GZ_PAGE_OWNED);
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 0) + GZ_PAGE_SIZE), GZ_PAGE_OWNED);
	assert_int_equal(pool_free(), free_before - 1);
	assert_int_equal(gz_vm_get(vm)->mem.obj_acct.pages, 1);
	/* And the winner goes away cleanly. */
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VCPU, gz_hvc_tuple(vm, 0), 0, 0, 0, 0), GZ_OK);
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 4)), GZ_PAGE_OWNED);
	assert_int_equal(pool_free(), free_before);
}

/* DESTROY_VM between CREATE_VCPU's check and its insert: the vCPU must not be added to a
 * VM whose vCPUs were already released (nothing would ever release it). */
static void test_create_vcpu_vs_destroy_vm(void **state)
{
	uint64_t free_before = pool_free();
	uint16_t vm = vfix_create_vm();
	struct other_cpu o = {.act = act_destroy_vm, .acquire = true, .nth = 2, .vm = vm};
	int64_t st;

	(void)state;
	o.lock = &gz_vm_get(vm)->lock;
	arm(&o);
	st = vfix_create_vcpu(vm, 0);
	fake_hal_set_lock_hook(NULL, NULL);
	assert_true(o.fired);
	/* The creating call still held the VM: the destroy has to be called again. */
	assert_int_equal(o.status, GZ_ERR_BUSY);
	assert_int_equal(st, GZ_ERR_BAD_STATE);
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 0)), GZ_PAGE_OWNED);
	while ((st = hstatus(GZ_HVC_DESTROY_VM, vm, 0, 0, 0, 0)) == GZ_ERR_BUSY)
		;
	assert_int_equal(st, GZ_OK);
	assert_null(gz_vm_get(vm));
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 0)), GZ_PAGE_OWNED);
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 0) + GZ_PAGE_SIZE), GZ_PAGE_OWNED);
	/* The vCPU page came back to the pool. */
	assert_int_equal(pool_free(), free_before);
}

/* ---- PSCI CPU_ON against DESTROY_VCPU of its target -------------------------------------- */

#define ENTRY_MAGIC 0x41414000ULL
#define CTX_MAGIC   0x5a5a5a5a5a5a5a5aULL

static struct other_cpu cpu_on_race;

static void guest_cpu_on(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)arg;
	ctx->x[0] = GZ_PSCI_CPU_ON_64;
	ctx->x[1] = gz_vcpu_mpidr(1) & MPIDR_AFF_MASK;
	ctx->x[2] = ENTRY_MAGIC;
	ctx->x[3] = CTX_MAGIC;
	/* The exit is dispatched next: the other CPU strikes at the VM lock. */
	arm(&cpu_on_race);
}

static bool page_has(gz_pa_t pa, uint64_t word)
{
	const uint64_t *p = gz_hal_pa_to_va(pa);

	for (size_t i = 0; i < GZ_PAGE_SIZE / sizeof(*p); i++)
		if (p[i] == word)
			return true;
	return false;
}

/* The target vCPU is looked up, then the VM lock taken: a DESTROY_VCPU in between freed it
 * and CPU_ON wrote guest-chosen values (entry, context) into a free pool page, which the
 * next allocation may hand out as a stage-2 table. */
static void test_cpu_on_vs_destroy_target(void **state)
{
	uint16_t vm = vfix_create_vm();
	gz_pa_t target_page;
	uint32_t reason = 0;

	(void)state;
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	assert_int_equal(vfix_create_vcpu(vm, 1), GZ_OK);
	target_page = gz_hal_va_to_pa(vfix_vcpu(vm, 1));
	cpu_on_race = (struct other_cpu){.act = act_destroy_vcpu,
					 .acquire = true,
					 .nth = 1,
					 .vm = vm,
					 .vcpu = 1,
					 .lock = &gz_vm_get(vm)->lock};
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 0), 0, 0, guest_cpu_on, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	fake_hal_set_lock_hook(NULL, NULL);
	assert_true(cpu_on_race.fired);
	assert_int_equal(cpu_on_race.status, GZ_OK);
	assert_null(vfix_vcpu(vm, 1));
	/* The guest learns its target is gone, and the freed page holds nothing of it. */
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal((int64_t)vfix_guest.last.x[0], GZ_PSCI_RET_INVALID_PARAMETERS);
	assert_false(page_has(target_page, CTX_MAGIC));
}

/* ---- RUN of an OFF vCPU against DESTROY_VCPU --------------------------------------------- */

/* RUN of a powered-off vCPU wrote its IDLE exit after dropping the VM lock without marking
 * the vCPU running: DESTROY_VCPU in that window freed it under the writer (a pointer read
 * from a free pool page). */
static void test_run_off_vcpu_vs_destroy(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct other_cpu o = {
	    .act = act_destroy_vcpu, .acquire = false, .nth = 1, .vm = vm, .vcpu = 1};
	uint32_t reason = 0;

	(void)state;
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	assert_int_equal(vfix_create_vcpu(vm, 1), GZ_OK);
	vfix_run_page(vm, 1)->exit_reason = 0xdead;
	o.lock = &gz_vm_get(vm)->lock;
	arm(&o);
	assert_int_equal(vfix_run(vm, 1, &reason), GZ_OK);
	fake_hal_set_lock_hook(NULL, NULL);
	assert_true(o.fired);
	assert_int_equal(reason, GZVM_EXIT_IDLE);
	assert_int_equal(vfix_run_page(vm, 1)->exit_reason, GZVM_EXIT_IDLE);
	/* Either order is fine as long as it is one: here the destroy came after the RUN. */
	assert_int_equal(o.status, GZ_OK);
	assert_null(vfix_vcpu(vm, 1));
}

/* ---- host PAs the store covers but the hypervisor cannot map ----------------------------- */

#define HOLE_BASE 0x800000000ULL /* a region the fake HAL reports but does not back */
#define HOLE_SIZE (2ULL << 20)

static int setup_hole(void **state)
{
	gz_pa_t base[2] = {FAKE_PHYS_BASE, HOLE_BASE};
	uint64_t size[2] = {FIX_PHYS_SIZE, HOLE_SIZE};
	struct gz_core_config cfg = {
	    .mem =
		{
		    .hyp_base = FIX_HYP_BASE,
		    .hyp_size = FIX_HYP_SIZE,
		    .work_base = FIX_WORK_BASE,
		    .work_size = FIX_WORK_SIZE,
		},
	    .vmid_bits = 8,
	};

	(void)state;
	fake_hal_reset(FIX_PHYS_SIZE, 4);
	fake_hal_set_phys_regions(base, size, 2);
	assert_int_equal(gz_core_init(&cfg), GZ_OK);
	vfix_guest_reset();
	assert_true(gz_pgstate_managed(HOLE_BASE));
	assert_null(gz_hal_pa_to_va(HOLE_BASE));
	return 0;
}

/* CREATE_DEVICE copied the descriptor through gz_hal_pa_to_va without checking it: a PA in
 * a covered but unbacked region made the hypervisor read through NULL. */
static void test_host_pa_unbacked(void **state)
{
	uint16_t vm = vfix_create_vm();

	(void)state;
	assert_int_not_equal(vm, 0);
	assert_int_equal(hstatus(GZ_HVC_CREATE_DEVICE, vm, HOLE_BASE, 0, 0, 0),
			 GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(hstatus(GZ_HVC_CREATE_DEVICE, vm, HOLE_BASE + 0x100, 0, 0, 0),
			 GZ_ERR_OUT_OF_RANGE);
	/* The other calls that take a host PA already refused it. */
	assert_true(hstatus(GZ_HVC_CREATE_VCPU, gz_hvc_tuple(vm, 0), HOLE_BASE, 0, 0, 0) < 0);
	assert_true(hstatus(GZ_HVC_SET_MEMREGION, vm, 24, HOLE_BASE, 0, 0) < 0);
	assert_true(hstatus(GZ_HVC_MAP_GUEST, vm, 0, HOLE_BASE >> GZ_PAGE_SHIFT, 0x80000, 1) < 0);
	assert_true(hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_BLOCK_BASED_DEMAND_PAGING,
			    GZ_MEMSLOT_BLOCK_SIZE, HOLE_BASE, 0) < 0);
	assert_int_equal(gz_pgstate_owner(HOLE_BASE), GZ_OWNER_HOST);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_create_vcpu_twice_racing),
	    T(test_create_vcpu_vs_destroy_vm),
	    T(test_cpu_on_vs_destroy_target),
	    T(test_run_off_vcpu_vs_destroy),
	    cmocka_unit_test_setup_teardown(test_host_pa_unbacked, setup_hole, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
