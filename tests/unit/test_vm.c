/* The VM table and lifecycle (src/hyp/core/vm.c, vcpu.c): ids, limits, the state machine
 * (CREATED -> RUNNING -> OFF -> DESTROYING -> gone), MPIDRs, memory charged to the VM and
 * returned on destroy, and the reset state of vCPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzhyp/s2pt.h>

#include "vm_fixture.h"

static int setup(void **state)
{
	(void)state;
	assert_int_equal(vfix_init(), GZ_OK);
	vfix_guest_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_hal_locks_held(), 0);
	vfix_destroy_all();
	assert_int_equal(gz_vm_count(), 0);
	fake_hal_teardown();
	return 0;
}

static void test_mpidr(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct gz_vm *m = gz_vm_get(vm);

	(void)state;
	assert_int_equal(gz_vcpu_mpidr(0), 0x80000000);
	assert_int_equal(gz_vcpu_mpidr(7), 0x80000007);
	assert_int_equal(gz_vcpu_mpidr(17), 0x80000101);
	for (uint16_t i = 0; i < 3; i++)
		assert_int_equal(vfix_create_vcpu(vm, i), GZ_OK);
	assert_ptr_equal(gz_vm_find_vcpu_by_mpidr(m, 2), vfix_vcpu(vm, 2));
	assert_null(gz_vm_find_vcpu_by_mpidr(m, 3));
	assert_null(gz_vm_find_vcpu_by_mpidr(m, 0x80000000)); /* only affinity bits */
	assert_null(gz_vm_find_vcpu_by_mpidr(m, 1ULL << 62));
	assert_int_equal(vfix_vcpu(vm, 2)->ctx.vmpidr_el2, 0x80000002);
}

static void test_table(void **state)
{
	(void)state;
	assert_null(gz_vm_get(0));
	assert_null(gz_vm_get(1));
	assert_null(gz_vm_get(GZ_MAX_VMS + 1));
	assert_null(gz_vm_at(0));
	uint16_t a = vfix_create_vm(), b = vfix_create_vm();
	assert_int_equal(gz_vm_count(), 2);
	assert_ptr_equal(gz_vm_at(0), gz_vm_get(a));
	assert_ptr_equal(gz_vm_at(1), gz_vm_get(b));
	assert_null(gz_vm_at(2));
	/* a slot being set up is invisible */
	struct gz_vm *ma = gz_vm_get(a);
	ma->state = GZ_VM_CREATING;
	assert_null(gz_vm_get(a));
	assert_int_equal(gz_vm_count(), 1);
	assert_ptr_equal(gz_vm_at(0), gz_vm_get(b));
	ma->state = GZ_VM_CREATED;
	assert_int_equal(gz_vm_count(), 2);
}

static void test_state_machine(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct gz_vm *m = gz_vm_get(vm);
	static uint64_t off[4] = {GZ_PSCI_SYSTEM_OFF, 0, 0, 0};
	uint32_t reason;

	(void)state;
	assert_int_equal(m->state, GZ_VM_CREATED);
	assert_int_equal(m->ipa_bits, GZ_MIN(GZ_VM_IPA_BITS, gz_mem_host_s2()->pa_bits));
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(m->state, GZ_VM_RUNNING);
	assert_false(vfix_vcpu(vm, 0)->running);
	vfix_push_hvc(off);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(m->state, GZ_VM_OFF);
	/* an OFF VM takes no new vCPUs */
	assert_int_equal(vfix_create_vcpu(vm, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VM, vm, 0, 0, 0, 0), GZ_OK);
	assert_null(gz_vm_get(vm));
}

/* A VM is normal from CREATE_VM; it may become protected only before its first RUN, and
 * never goes back. */
static void test_kind(void **state)
{
	uint16_t vm = vfix_create_vm(), late = vfix_create_vm();
	struct gz_vm *m = gz_vm_get(vm), *l = gz_vm_get(late);
	uint32_t reason;

	(void)state;
	assert_int_equal(gz_vm_kind(m), GZ_VM_NORMAL);
	assert_int_equal(gz_vm_set_kind(m, GZ_VM_NORMAL), GZ_OK);
	assert_int_equal(gz_vm_set_kind(m, (enum gz_vm_kind)2), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vm_kind(m), GZ_VM_NORMAL);
	assert_int_equal(gz_vm_set_kind(m, GZ_VM_PROTECTED), GZ_OK);
	assert_int_equal(gz_vm_kind(m), GZ_VM_PROTECTED);
	assert_int_equal(gz_vm_set_kind(m, GZ_VM_PROTECTED), GZ_OK);
	assert_int_equal(gz_vm_set_kind(m, GZ_VM_NORMAL), GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_vm_kind(m), GZ_VM_PROTECTED);
	/* after the first RUN the kind is fixed */
	assert_int_equal(vfix_create_vcpu(late, 0), GZ_OK);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(late, 0, &reason), GZ_OK);
	assert_int_equal(gz_vm_set_kind(l, GZ_VM_PROTECTED), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_vm_kind(l), GZ_VM_NORMAL);
	assert_int_equal(fake_hal_locks_held(), 0);
}

static void test_reset_state(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct gz_vm *m = gz_vm_get(vm);
	struct gz_vcpu *v;

	(void)state;
	fake_hal_set_cntpct(5000);
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	v = vfix_vcpu(vm, 0);
	assert_int_equal(v->power, GZ_VCPU_ON);
	assert_int_equal(v->ctx.pstate, PSR_MODE_EL1h | PSR_DAIF);
	assert_int_equal(v->ctx.sys[GZ_SYS_SCTLR_EL1], SCTLR_EL1_RESET);
	assert_int_equal(v->ctx.hcr_el2, HCR_GUEST_FLAGS);
	assert_int_equal(v->ctx.vtcr_el2 & ~gz_vmid_vtcr_vs(gz_vm_vmid_alloc()),
			 gz_s2pt_vtcr(&m->mem.s2));
	assert_int_equal(v->ctx.cntvoff_el2, m->cntvoff);
	assert_int_equal(v->run, vfix_run_page(vm, 0));
	assert_int_equal(v->hwstate, vfix_hwstate(vm, 0));
	/* the run carries the VM's VMID in VTTBR */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_not_equal(vfix_guest.last.vttbr_el2 >> 48, 0);
	assert_int_equal(vfix_guest.last.vttbr_el2 >> 48, gz_vmid_value(&m->vmid));
}

static void test_memory_accounting(void **state)
{
	struct gz_pool_stats before, after;
	uint16_t vm;

	(void)state;
	gz_pool_get_stats(gz_mem_pool(), &before);
	vm = vfix_create_vm();
	for (uint16_t i = 0; i < GZ_VM_MAX_VCPUS; i++)
		assert_int_equal(vfix_create_vcpu(vm, i), GZ_OK);
	assert_int_equal(vfix_create_vcpu(vm, 8), GZ_ERR_INVALID_ARGS);
	/* one pool page per vCPU, charged to the VM */
	assert_int_equal(gz_vm_get(vm)->mem.obj_acct.pages, GZ_VM_MAX_VCPUS);
	struct gz_smccc_regs r = hcall(GZ_HVC_GET_STATISTICS, vm, 0, 0, 0, 0);
	assert_true(r.a[1] >= GZ_VM_MAX_VCPUS * GZ_PAGE_SIZE);
	while (hstatus(GZ_HVC_DESTROY_VM, vm, 1, 0, 0, 0) == GZ_ERR_BUSY)
		;
	gz_pool_get_stats(gz_mem_pool(), &after);
	assert_int_equal(after.used, before.used);
	for (uint16_t i = 0; i < GZ_VM_MAX_VCPUS; i++)
		assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, i)), GZ_PAGE_OWNED);
}

/* A host call on another CPU still uses the VM: DESTROY_VM waits for it. */
static void test_destroy_waits_for_users(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct gz_vm *m;
	int busy = 0;

	(void)state;
	assert_null(gz_vm_acquire(vm + 1));
	m = gz_vm_acquire(vm);
	assert_non_null(m);
	assert_int_equal(m->users, 1);
	while (hstatus(GZ_HVC_DESTROY_VM, vm, 0, 0, 0, 0) == GZ_ERR_BUSY && busy < 10)
		busy++;
	assert_int_equal(busy, 10);
	assert_int_equal(m->state, GZ_VM_DESTROYING);
	assert_int_equal(m->users, 1); /* the destroy calls released theirs */
	gz_vm_release(m);
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VM, vm, 0, 0, 0, 0), GZ_OK);
	assert_null(gz_vm_get(vm));
	/* a failed call releases its reference too */
	vm = vfix_create_vm();
	assert_int_equal(hstatus(GZ_HVC_SET_DTB_CONFIG, vm, 0, 0, 0, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vm_get(vm)->users, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_mpidr),
	    T(test_table),
	    T(test_state_machine),
	    T(test_kind),
	    T(test_reset_state),
	    T(test_memory_accounting),
	    T(test_destroy_waits_for_users),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
