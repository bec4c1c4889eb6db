/* The host-call dispatcher (src/hyp/core/hostcall.c) with the VM/vCPU objects behind it:
 * every call of the v13 ABI, each with every kind of bad argument (wrong ids, wrong
 * states, bad and overlapping addresses, overflow, pages the caller does not own). A refused
 * call returns its status with x1..x3 zero and leaves the page-state store as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzhyp/vgic.h>

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
	check_invariants();
	assert_int_equal(fake_hal_locks_held(), 0);
	vfix_destroy_all();
	assert_int_equal(gz_vm_count(), 0);
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++)
		assert_false(GZ_OWNER_IS_VM(gz_pgstate_owner(gz_pgstate_pa_at(i))));
	fake_hal_teardown();
	return 0;
}

/* A refused call: status, no results, store unchanged. */
static void refused(int64_t want, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	size_t bytes;
	void *snap = fix_snapshot(&bytes);
	struct gz_smccc_regs r = hcall(fid, a1, a2, a3, a4, a5);

	if ((int64_t)r.a[0] != want)
		fail_msg("call 0x%llx(0x%llx, 0x%llx, 0x%llx): %lld, want %lld",
			 (unsigned long long)fid, (unsigned long long)a1, (unsigned long long)a2,
			 (unsigned long long)a3, (long long)(int64_t)r.a[0], (long long)want);
	if (fid != GZ_HVC_CREATE_VM)
		assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);
	assert_true(fix_same_as(snap, bytes));
	free(snap);
}

static void test_probe(void **state)
{
	struct gz_smccc_regs r;

	(void)state;
	r = hcall(GZ_HVC_PROBE, GZ_DRV_VERSION_MAJOR, GZ_DRV_VERSION_MINOR, 0, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], GZ_HYP_VERSION_MAJOR);
	assert_int_equal(r.a[2], GZ_HYP_VERSION_MINOR);
	assert_int_equal(r.a[3], GZ_HYP_VERSION_SUB);
	r = hcall(GZ_HVC_PROBE, 0, 0, 0, 0, 0); /* pre-v13 driver */
	assert_int_equal(r.a[0], GZ_OK);
	refused(GZ_ERR_NOT_SUPPORTED, GZ_HVC_PROBE, 15, 0, 0, 0, 0);
	refused(GZ_ERR_NOT_SUPPORTED, GZ_HVC_PROBE, 17, 0, 0, 0, 0);
}

static void test_unknown_calls(void **state)
{
	(void)state;
	refused(GZ_ERR_NOT_SUPPORTED, GZ_HVC_GET_REGS, 0, 0, 0, 0, 0);
	refused(GZ_ERR_NOT_SUPPORTED, GZ_HVC_SET_REGS, 0, 0, 0, 0, 0);
	refused(GZ_ERR_NOT_SUPPORTED, GZ_HVC_ID(GZ_HVC_FN_NR), 0, 0, 0, 0, 0);
	refused(GZ_ERR_NOT_SUPPORTED, GZ_HVC_ID_SMC32(GZ_HVC_FN_CREATE_VM), 0, 0, 0, 0, 0);
	refused(GZ_ERR_NOT_SUPPORTED, 0, 0, 0, 0, 0, 0);
	refused(GZ_ERR_NOT_SUPPORTED, ~0ULL, 0, 0, 0, 0, 0);
	assert_int_equal(gz_vm_count(), 0);
}

static void test_not_initialised(void **state)
{
	(void)state;
	assert_int_equal(gz_core_init(NULL), GZ_ERR_INVALID_ARGS);
	refused(GZ_ERR_BAD_STATE, GZ_HVC_PROBE, 16, 0, 0, 0, 0);
	refused(GZ_ERR_BAD_STATE, GZ_HVC_CREATE_VM, 0, 0, 0, 0, 0);
	assert_int_equal(vfix_init(), GZ_OK);
	assert_int_equal(hstatus(GZ_HVC_PROBE, 16, 0, 0, 0, 0), GZ_OK);
}

static void test_create_destroy_vm(void **state)
{
	uint16_t ids[GZ_MAX_VMS];
	struct gz_smccc_regs r;

	(void)state;
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_VM, 1, 0, 0, 0, 0);
	r = hcall(GZ_HVC_CREATE_VM, 0x80000000, 0, 0, 0, 0);
	assert_int_equal(r.a[1], GZ_HVC_INVALID_VM_ID);
	for (int i = 0; i < GZ_MAX_VMS; i++) {
		ids[i] = vfix_create_vm();
		assert_int_equal(ids[i], i + 1);
	}
	refused(GZ_ERR_NO_RESOURCES, GZ_HVC_CREATE_VM, 0, 0, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_DESTROY_VM, 0, 0, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_DESTROY_VM, GZ_MAX_VMS + 1, 0, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_DESTROY_VM, 0x10001, 0, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_DESTROY_VM, 1, 4097, 0, 0, 0);
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VM, 3, 128, 0, 0, 0), GZ_OK);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_DESTROY_VM, 3, 0, 0, 0, 0);
	/* the freed slot is reused */
	assert_int_equal(vfix_create_vm(), 3);
	assert_int_equal(gz_vm_count(), GZ_MAX_VMS);
}

static void test_create_destroy_vcpu(void **state)
{
	uint16_t vm = vfix_create_vm();
	uint64_t t0 = gz_hvc_tuple(vm, 0);

	(void)state;
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_VCPU, t0 | (1ULL << 32), VFIX_SHARED(vm, 0), 0,
		0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_VCPU, gz_hvc_tuple(vm + 1, 0),
		VFIX_SHARED(vm, 0), 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_VCPU, gz_hvc_tuple(vm, 8), VFIX_SHARED(vm, 0), 0,
		0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_VCPU, t0, VFIX_SHARED(vm, 0) + 8, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_VCPU, t0, 0x1000, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_VCPU, t0, FIX_HOST_END - GZ_PAGE_SIZE, 0, 0, 0);
	refused(GZ_ERR_ACCESS_DENIED, GZ_HVC_CREATE_VCPU, t0, FIX_HYP_BASE, 0, 0, 0);
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	refused(GZ_ERR_ALREADY_EXISTS, GZ_HVC_CREATE_VCPU, t0, VFIX_SHARED(vm, 2), 0, 0, 0);
	/* the same block for a second vCPU: already lent to the hypervisor */
	refused(GZ_ERR_BAD_STATE, GZ_HVC_CREATE_VCPU, gz_hvc_tuple(vm, 1), VFIX_SHARED(vm, 0), 0, 0,
		0);
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 0)), GZ_PAGE_SHARED_OWNED);

	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_DESTROY_VCPU, gz_hvc_tuple(vm, 9), 0, 0, 0, 0);
	refused(GZ_ERR_NOT_FOUND, GZ_HVC_DESTROY_VCPU, gz_hvc_tuple(vm, 1), 0, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_DESTROY_VCPU, gz_hvc_tuple(9, 0), 0, 0, 0, 0);
	vfix_vcpu(vm, 0)->running = true;
	refused(GZ_ERR_BUSY, GZ_HVC_DESTROY_VCPU, t0, 0, 0, 0, 0);
	vfix_vcpu(vm, 0)->running = false;
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VCPU, t0, 0, 0, 0, 0), GZ_OK);
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 0)), GZ_PAGE_OWNED);
	assert_int_equal(gz_vm_get(vm)->mem.obj_acct.pages, 0);
	/* re-create at the same index */
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	for (uint16_t i = 1; i < GZ_VM_MAX_VCPUS; i++)
		assert_int_equal(vfix_create_vcpu(vm, i), GZ_OK);
	assert_int_equal(gz_vm_get(vm)->nr_vcpus, 8);
}

static void test_vcpu_pool_exhausted(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct gz_pool_acct acct;
	static gz_pa_t pas[4096];
	size_t n = fix_drain(&acct, pas, 4096);

	(void)state;
	refused(GZ_ERR_NO_MEMORY, GZ_HVC_CREATE_VCPU, gz_hvc_tuple(vm, 0), VFIX_SHARED(vm, 0), 0, 0,
		0);
	refused(GZ_ERR_NO_MEMORY, GZ_HVC_CREATE_VM, 0, 0, 0, 0, 0);
	fix_undrain(&acct, pas, n);
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
}

static void test_run_args(void **state)
{
	uint16_t vm = vfix_create_vm();
	uint32_t reason;

	(void)state;
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_RUN, gz_hvc_tuple(vm, 0), 0, 0, 0, 0);
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_RUN, gz_hvc_tuple(vm, 0) | (1ULL << 40), 0, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_RUN, gz_hvc_tuple(vm + 1, 0), 0, 0, 0, 0);
	vfix_run_page(vm, 0)->padding1[1] = 1;
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_RUN, gz_hvc_tuple(vm, 0), 0, 0, 0, 0);
	vfix_run_page(vm, 0)->padding1[1] = 0;
	vfix_vcpu(vm, 0)->running = true;
	refused(GZ_ERR_BUSY, GZ_HVC_RUN, gz_hvc_tuple(vm, 0), 0, 0, 0, 0);
	vfix_vcpu(vm, 0)->running = false;
	/* no guest behind the fake HAL: the entry fails */
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_FAIL_ENTRY);
	assert_int_equal(vfix_run_page(vm, 0)->fail_entry.hardware_entry_failure_reason,
			 (uint64_t)(int64_t)GZ_ERR_BAD_STATE);
	assert_int_equal(gz_vm_get(vm)->state, GZ_VM_RUNNING);
	assert_int_equal(vfix_hwstate(vm, 0)->vtimer_offset, gz_vm_get(vm)->cntvoff);
}

static void test_irq_line(void **state)
{
	uint16_t vm = vfix_create_vm();
	uint64_t t = gz_hvc_tuple(vm, 0);
	struct gz_vgic_irq_info info;

	(void)state;
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, gz_hvc_tuple(vm + 1, 0), 5, 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t, 5, 2, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t, 1ULL << 32, 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t, GZ_VM_NR_SPIS, 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t, (1u << 16) | 5, 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t, GZVM_IRQ_LINE_ENCODE(3, 0, 40), 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t,
		GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 31), 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t,
		GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 32 + GZ_VM_NR_SPIS), 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t,
		GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 0, 15), 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t,
		GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 0, 32), 1, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_IRQ_LINE, t,
		GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 1, 20), 1, 0, 0);

	/* upstream form: SPI index 5 is INTID 37 */
	assert_int_equal(hstatus(GZ_HVC_IRQ_LINE, t, 5, 1, 0, 0), GZ_OK);
	assert_int_equal(gz_vgic_irq_info(&gz_vm_get(vm)->vgic, 0, 37, &info), GZ_OK);
	assert_true(info.line);
	assert_int_equal(hstatus(GZ_HVC_IRQ_LINE, t, 5, 0, 0, 0), GZ_OK);
	assert_int_equal(gz_vgic_irq_info(&gz_vm_get(vm)->vgic, 0, 37, &info), GZ_OK);
	assert_false(info.line);
	/* typed forms */
	assert_int_equal(
	    hstatus(GZ_HVC_IRQ_LINE, t, GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 40), 1, 0, 0),
	    GZ_OK);
	assert_int_equal(gz_vgic_irq_info(&gz_vm_get(vm)->vgic, 0, 40, &info), GZ_OK);
	assert_true(info.line);
	assert_int_equal(
	    hstatus(GZ_HVC_IRQ_LINE, t, GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 0, 23), 1, 0, 0),
	    GZ_OK);
	assert_int_equal(gz_vgic_irq_info(&gz_vm_get(vm)->vgic, 0, 23, &info), GZ_OK);
	assert_true(info.line);
	assert_int_equal(gz_vm_get(vm)->kick_mask, 0);
}

static gz_pa_t put_device(unsigned page, size_t off, uint32_t type, uint64_t addr, uint64_t size,
			  uint64_t flags)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(page) + off;
	struct gzvm_create_device *d = gz_hal_pa_to_va(pa);

	memset(d, 0, sizeof(*d));
	d->dev_type = type;
	d->dev_addr = addr;
	d->dev_reg_size = size;
	d->flags = flags;
	return pa;
}

static void test_create_device(void **state)
{
	uint16_t vm = vfix_create_vm();
	gz_pa_t pa;

	(void)state;
	pa = put_device(0, 0, GZVM_DEV_TYPE_ARM_VGIC_V3_DIST, 0x3fff0000, 0x10000, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_DEVICE, vm + 1, pa, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_DEVICE, vm,
		put_device(1, GZ_PAGE_SIZE - 40, 0, 0x3fff0000, 0x10000, 0), 0, 0, 0);
	refused(GZ_ERR_ACCESS_DENIED, GZ_HVC_CREATE_DEVICE, vm, FIX_HYP_BASE, 0, 0, 0);
	refused(GZ_ERR_ACCESS_DENIED, GZ_HVC_CREATE_DEVICE, vm, 0x1000, 0, 0, 0);
	/* a host page lent to the hypervisor (a vCPU block) is not a descriptor page */
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	refused(GZ_ERR_ACCESS_DENIED, GZ_HVC_CREATE_DEVICE, vm, VFIX_SHARED(vm, 0), 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_DEVICE, vm,
		put_device(2, 0, 0, 0x3fff0000, 0x10000, 1), 0, 0, 0);
	refused(GZ_ERR_NOT_SUPPORTED, GZ_HVC_CREATE_DEVICE, vm,
		put_device(3, 0, GZVM_DEV_TYPE_MAX, 0x3fff0000, 0x10000, 0), 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_CREATE_DEVICE, vm,
		put_device(4, 0, 0, 0x3fff0001, 0x10000, 0), 0, 0, 0);
	assert_int_equal(hstatus(GZ_HVC_CREATE_DEVICE, vm, pa, 0, 0, 0), GZ_OK);
	assert_int_equal(gz_vm_get(vm)->vgic.dist_base, 0x3fff0000);
	refused(GZ_ERR_ALREADY_EXISTS, GZ_HVC_CREATE_DEVICE, vm, pa, 0, 0, 0);
	assert_int_equal(
	    hstatus(GZ_HVC_CREATE_DEVICE, vm,
		    put_device(5, 0, GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST, 0x3ffd0000, 0x20000, 0), 0,
		    0, 0),
	    GZ_OK);
}

static void test_enable_cap(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct gz_smccc_regs r;

	(void)state;
	r = hcall(GZ_HVC_ENABLE_CAP, 0, GZVM_CAP_QUERY_HYP_BATCH_PAGES, 0, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], 512);
	assert_int_equal((2u << 20) % (r.a[1] << 12), 0);
	r = hcall(GZ_HVC_ENABLE_CAP, 0, GZVM_CAP_QUERY_DESTROY_BATCH_PAGES, 0, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], 128);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_ENABLE_CAP, 0, GZVM_CAP_ENABLE_IDLE, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_ENABLE_CAP, 0x10000 + vm, GZVM_CAP_ENABLE_IDLE, 0, 0,
		0);
	/* GZVM_CAP_PROTECTED_VM: test_pvm.c */
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_PROTECTED_VM, 3, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_PROTECTED_VM,
		GZVM_CAP_PVM_SET_PVMFW_GPA, 0, 0);
	refused(GZ_ERR_NOT_SUPPORTED, GZ_HVC_ENABLE_CAP, vm, 0x1234, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_BLOCK_BASED_DEMAND_PAGING,
		4096, VFIX_GUEST_PAGE(0), 0);
	assert_false(gz_vm_get(vm)->mem.demand_paging);
	r = hcall(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_ENABLE_IDLE, 0, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], 0);
	assert_true(gz_vm_get(vm)->idle_cap);
	assert_int_equal(hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_ENABLE_DEMAND_PAGING, 0, 0, 0),
			 GZ_OK);
	assert_true(gz_vm_get(vm)->mem.demand_paging);
	assert_int_equal(hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_BLOCK_BASED_DEMAND_PAGING,
				 2u << 20, VFIX_GUEST_PAGE(0), 0),
			 GZ_OK);
}

/* The allocation mode is chosen before the first slot. */
static void test_demand_paging_after_slot(void **state)
{
	uint16_t vm = vfix_create_vm();
	gz_pa_t pa = VFIX_GUEST_PAGE(100);
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(pa);

	(void)state;
	memset(r, 0, 64);
	r->constituent_cnt = 1;
	r->total_pages = 1;
	r->gpa = 0x80000000;
	r->constituents[0].address = VFIX_GUEST_PAGE(0);
	r->constituents[0].pg_cnt = 1;
	assert_int_equal(hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, pa, 0, 0), GZ_OK);
	refused(GZ_ERR_BAD_STATE, GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_ENABLE_DEMAND_PAGING, 0, 0, 0);
	assert_false(gz_vm_get(vm)->mem.demand_paging);
}

static void test_core_init_errors(void **state)
{
	struct gz_core_config cfg = {
	    .mem = {.hyp_base = FIX_HYP_BASE,
		    .hyp_size = FIX_HYP_SIZE,
		    .work_base = FIX_WORK_BASE,
		    .work_size = GZ_PAGE_SIZE},
	};

	(void)state;
	assert_int_not_equal(gz_core_init(&cfg), GZ_OK);
	refused(GZ_ERR_BAD_STATE, GZ_HVC_PROBE, 0, 0, 0, 0, 0);
	cfg.mem.work_size = FIX_WORK_SIZE;
	cfg.vmid_bits = 12;
	fake_hal_reset(FIX_PHYS_SIZE, 4);
	assert_int_equal(gz_core_init(&cfg), GZ_ERR_INVALID_ARGS);
	cfg.vmid_bits = 16;
	fake_hal_reset(FIX_PHYS_SIZE, 4);
	assert_int_equal(gz_core_init(&cfg), GZ_OK);
	assert_int_equal(hstatus(GZ_HVC_PROBE, 0, 0, 0, 0, 0), GZ_OK);
}

/* One slot of @pages host pages (from VFIX_GUEST_PAGE(first)) at @gpa, descriptor in page
 * @desc_page. */
static gz_pa_t put_ranges(unsigned desc_page, uint32_t slot, gz_ipa_t gpa, unsigned first,
			  unsigned pages)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(desc_page);
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(pa);

	memset(r, 0, 64);
	r->slot = slot;
	r->constituent_cnt = 1;
	r->total_pages = pages;
	r->gpa = gpa;
	r->constituents[0].address = VFIX_GUEST_PAGE(first);
	r->constituents[0].pg_cnt = pages;
	return pa;
}

static void test_memory_calls(void **state)
{
	uint16_t vm = vfix_create_vm();
	struct gz_smccc_regs r;
	gz_pa_t desc;

	(void)state;
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_MEMREGION_PURPOSE, vm, 0x80000000, 16 << 12, 8, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_MEMREGION_PURPOSE, vm + 1, 0x80000000, 16 << 12, 1, 0);
	assert_int_equal(hstatus(GZ_HVC_MEMREGION_PURPOSE, vm, 0x80000000, 16 << 12,
				 GZVM_USER_MEM_REGION_GUEST_MEM, 0),
			 GZ_OK);
	desc = put_ranges(100, 0, 0x80000000, 0, 16);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_SET_MEMREGION, vm + 1, 8192, desc, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_SET_MEMREGION, vm, 8192, desc + 1, 0, 0);
	refused(GZ_ERR_ACCESS_DENIED, GZ_HVC_SET_MEMREGION, vm, 8192, FIX_HYP_BASE, 0, 0);
	assert_int_equal(hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, desc, 0, 0), GZ_OK);
	/* A normal VM: the host lends it the pages. */
	assert_int_equal(gz_pgstate_lent_to(VFIX_GUEST_PAGE(0)), GZ_OWNER_VM(vm));
	/* overlapping slot; pages already given (lent: still the host's, in the wrong state) */
	refused(GZ_ERR_ALREADY_EXISTS, GZ_HVC_SET_MEMREGION, vm, 8192,
		put_ranges(101, 1, 0x80008000, 16, 4), 0, 0);
	refused(GZ_ERR_BAD_STATE, GZ_HVC_SET_MEMREGION, vm, 8192,
		put_ranges(102, 1, 0x90000000, 0, 4), 0, 0);

	r = hcall(GZ_HVC_GET_STATISTICS, vm, 0, 0, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_true(r.a[1] > 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_GET_STATISTICS, vm + 1, 0, 0, 0, 0);

	/* MAP_GUEST goes through memslot validation */
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_MAP_GUEST, vm, 1ULL << 32, VFIX_GUEST_PAGE(20) >> 12,
		0x90000, 1);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_MAP_GUEST, vm + 1, 0, VFIX_GUEST_PAGE(20) >> 12,
		0x90000, 1);
	assert_int_not_equal(
	    hstatus(GZ_HVC_MAP_GUEST, vm, 0, VFIX_GUEST_PAGE(20) >> 12, 0x90000, 1), GZ_OK);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_MAP_GUEST_BLOCK, vm, 1ULL << 33, 0x80000, 1, 0);
	assert_int_not_equal(hstatus(GZ_HVC_MAP_GUEST_BLOCK, vm, 0, 0x80000, 1, 0), GZ_OK);
}

/* The host's limits (opengz): the VM limit, vm 0 only; the default quota new VMs get; a
 * VM's own quota. Past a quota CREATE_VCPU and a populating SET_MEMREGION are refused with
 * NO_RESOURCES (not NO_MEMORY: the pool is far from empty) and change nothing, while another
 * VM goes on; raised, the same calls go through; destroyed, the pool is whole again. */
static void test_limits(void **state)
{
	struct gz_pool_stats st0, st;
	struct gz_smccc_regs r;
	uint16_t a, b;
	gz_pa_t desc;

	(void)state;
	gz_pool_get_stats(gz_mem_pool(), &st0);
	r = hcall(GZ_HVC_ENABLE_CAP, 0, GZVM_CAP_OPENGZ_VM_LIMIT, 0, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], 64);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_ENABLE_CAP, 0, GZVM_CAP_OPENGZ_VM_LIMIT, GZ_MAX_VMS + 1,
		0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_ENABLE_CAP, 1, GZVM_CAP_OPENGZ_VM_LIMIT, 2, 0, 0);
	r = hcall(GZ_HVC_ENABLE_CAP, 0, GZVM_CAP_OPENGZ_VM_LIMIT, 2, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], 2);
	a = vfix_create_vm();
	b = vfix_create_vm();
	assert_true(a && b);
	refused(GZ_ERR_NO_RESOURCES, GZ_HVC_CREATE_VM, 0, 0, 0, 0, 0);

	/* The default for VMs created from now on, and each VM's own. */
	r = hcall(GZ_HVC_ENABLE_CAP, 0, GZVM_CAP_OPENGZ_HYP_QUOTA, 0, 0, 0);
	assert_int_equal(r.a[1], GZ_VM_HYP_QUOTA_DEFAULT);
	r = hcall(GZ_HVC_ENABLE_CAP, 0, GZVM_CAP_OPENGZ_HYP_QUOTA, 1000, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], 1000);
	assert_int_equal(gz_vm_quota_default(), 1000);
	assert_int_equal(gz_vm_quota_default_set(0), GZ_ERR_INVALID_ARGS);
	r = hcall(GZ_HVC_ENABLE_CAP, a, GZVM_CAP_OPENGZ_HYP_QUOTA, 0, 0, 0);
	assert_int_equal(r.a[1], GZ_VM_HYP_QUOTA_DEFAULT);
	/* What its stage-2 root takes already: nothing more fits. */
	r = hcall(GZ_HVC_GET_STATISTICS, a, 0, 0, 0, 0);
	r = hcall(GZ_HVC_ENABLE_CAP, a, GZVM_CAP_OPENGZ_HYP_QUOTA, r.a[1] >> GZ_PAGE_SHIFT, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	refused(GZ_ERR_NO_RESOURCES, GZ_HVC_CREATE_VCPU, gz_hvc_tuple(a, 0), VFIX_SHARED(a, 0), 0,
		0, 0);
	assert_int_equal(hstatus(GZ_HVC_MEMREGION_PURPOSE, a, 0x80000000, 16 << 12,
				 GZVM_USER_MEM_REGION_GUEST_MEM, 0),
			 GZ_OK);
	desc = put_ranges(100, 0, 0x80000000, 0, 16);
	refused(GZ_ERR_NO_RESOURCES, GZ_HVC_SET_MEMREGION, a, 8192, desc, 0, 0);
	/* The other VM is not held back. */
	assert_int_equal(vfix_create_vcpu(b, 0), GZ_OK);
	/* Raised, the same calls go through. */
	assert_int_equal(hstatus(GZ_HVC_ENABLE_CAP, a, GZVM_CAP_OPENGZ_HYP_QUOTA, 64, 0, 0), GZ_OK);
	assert_int_equal(vfix_create_vcpu(a, 0), GZ_OK);
	assert_int_equal(hstatus(GZ_HVC_SET_MEMREGION, a, 8192, desc, 0, 0), GZ_OK);
	check_invariants();
	vfix_destroy_all();
	gz_pool_get_stats(gz_mem_pool(), &st);
	assert_int_equal(st.free, st0.free);
	assert_int_equal(st.total, st0.total);
}

/* A VM's own quota is a reservation: the VMs' quotas never add up past the pool's free pages
 * (NO_RESOURCES, the quota unchanged), a reserved page is never another VM's, and a VM's end
 * gives its reservation back. */
static void test_quota_reservations(void **state)
{
	struct gz_pool_stats st00, st0, st;
	struct gz_smccc_regs r;
	uint16_t a, b;
	uint64_t half, held_a, held_b;

	(void)state;
	gz_pool_get_stats(gz_mem_pool(), &st00);
	a = vfix_create_vm();
	b = vfix_create_vm();
	gz_pool_get_stats(gz_mem_pool(), &st0);
	held_a = hcall(GZ_HVC_GET_STATISTICS, a, 0, 0, 0, 0).a[1] >> GZ_PAGE_SHIFT;
	held_b = hcall(GZ_HVC_GET_STATISTICS, b, 0, 0, 0, 0).a[1] >> GZ_PAGE_SHIFT;
	/* Each asks for a little more than half of the free pages beyond what it holds. */
	half = st0.free / 2 + 1;
	r = hcall(GZ_HVC_ENABLE_CAP, a, GZVM_CAP_OPENGZ_HYP_QUOTA, held_a + half, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], held_a + half);
	r = hcall(GZ_HVC_ENABLE_CAP, b, GZVM_CAP_OPENGZ_HYP_QUOTA, held_b + half, 0, 0);
	assert_int_equal((int64_t)r.a[0], GZ_ERR_NO_RESOURCES);
	r = hcall(GZ_HVC_ENABLE_CAP, b, GZVM_CAP_OPENGZ_HYP_QUOTA, 0, 0, 0);
	assert_int_equal(r.a[1], GZ_VM_HYP_QUOTA_DEFAULT); /* unchanged */
	/* What is left beside a's reservation still fits. */
	r = hcall(GZ_HVC_ENABLE_CAP, b, GZVM_CAP_OPENGZ_HYP_QUOTA, held_b + st0.free - half, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	/* Nothing is left for a VM without a reservation: its vCPU finds the pool dry. */
	assert_int_equal(hstatus(GZ_HVC_CREATE_VM, 0, 0, 0, 0, 0), GZ_ERR_NO_MEMORY);
	/* a reaches its own. */
	assert_int_equal(vfix_create_vcpu(a, 0), GZ_OK);
	check_invariants();
	/* a's end gives its reservation back: b may now reserve it. */
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VM, a, 0, 0, 0, 0), GZ_OK);
	r = hcall(GZ_HVC_ENABLE_CAP, b, GZVM_CAP_OPENGZ_HYP_QUOTA, st0.free, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	vfix_destroy_all();
	gz_pool_get_stats(gz_mem_pool(), &st);
	assert_int_equal(st.free, st00.free);
	assert_int_equal(st.total, st00.total);
	/* Nothing promised any more: a new VM gets pages again. */
	a = vfix_create_vm();
	assert_int_not_equal(a, 0);
	assert_int_equal(vfix_create_vcpu(a, 0), GZ_OK);
}

static void test_dtb_and_inform_exit(void **state)
{
	uint16_t vm = vfix_create_vm();
	uint64_t lim = 1ULL << gz_vm_get(vm)->ipa_bits;

	(void)state;
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_SET_DTB_CONFIG, vm, 0x80000000, 0, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_SET_DTB_CONFIG, vm, ~0ULL - 10, 100, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_SET_DTB_CONFIG, vm, lim - 4096, 4097, 0, 0);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_SET_DTB_CONFIG, vm + 1, 0x80000000, 100, 0, 0);
	assert_int_equal(hstatus(GZ_HVC_SET_DTB_CONFIG, vm, lim - 4096, 4096, 0, 0), GZ_OK);
	assert_int_equal(gz_vm_get(vm)->dtb_addr, lim - 4096);
	assert_int_equal(gz_vm_get(vm)->dtb_size, 4096);
	assert_int_equal(hstatus(GZ_HVC_INFORM_EXIT, vm, 0, 0, 0, 0), GZ_OK);
	refused(GZ_ERR_INVALID_ARGS, GZ_HVC_INFORM_EXIT, vm + 1, 0, 0, 0, 0);
}

static void test_destroy_batches(void **state)
{
	uint16_t vm = vfix_create_vm();
	int busy = 0;
	int64_t st;

	(void)state;
	assert_int_equal(
	    hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, put_ranges(100, 0, 0x80000000, 0, 16), 0, 0),
	    GZ_OK);
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	assert_int_equal(vfix_create_vcpu(vm, 1), GZ_OK);
	vfix_vcpu(vm, 1)->running = true;
	refused(GZ_ERR_BUSY, GZ_HVC_DESTROY_VM, vm, 1, 0, 0, 0);
	assert_int_equal(gz_vm_get(vm)->state, GZ_VM_CREATED);
	vfix_vcpu(vm, 1)->running = false;
	while ((st = hstatus(GZ_HVC_DESTROY_VM, vm, 4, 0, 0, 0)) == GZ_ERR_BUSY) {
		busy++;
		/* while it is dying only DESTROY_VM is accepted */
		assert_int_equal(gz_vm_get(vm)->state, GZ_VM_DESTROYING);
		refused(GZ_ERR_BAD_STATE, GZ_HVC_CREATE_VCPU, gz_hvc_tuple(vm, 2),
			VFIX_SHARED(vm, 2), 0, 0, 0);
		refused(GZ_ERR_BAD_STATE, GZ_HVC_RUN, gz_hvc_tuple(vm, 0), 0, 0, 0, 0);
		refused(GZ_ERR_BAD_STATE, GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_ENABLE_IDLE, 0, 0, 0);
		assert_true(busy < 100);
	}
	assert_int_equal(st, GZ_OK);
	assert_true(busy >= 3);
	assert_null(gz_vm_get(vm));
	assert_int_equal(gz_pgstate_owner(VFIX_GUEST_PAGE(0)), GZ_OWNER_HOST);
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 0)), GZ_PAGE_OWNED);
	assert_true(fix_is_zero(VFIX_GUEST_PAGE(3)));
}

/* GET_STATISTICS(0): the hypervisor's pool. A VM's structures, tables and vCPUs show in the
 * used bytes while it lives, and every byte comes back when it is destroyed (the soak's
 * leak check, bench/soak). */
static void test_hyp_statistics(void **state)
{
	struct gz_smccc_regs r0 = hcall(GZ_HVC_GET_STATISTICS, 0, 0, 0, 0, 0), r1, r2;
	uint16_t vm;

	(void)state;
	assert_int_equal(r0.a[0], GZ_OK);
	assert_true(r0.a[1] > 0 && r0.a[1] < r0.a[2]);
	assert_true(r0.a[3] > 0 && r0.a[3] <= r0.a[1]);
	assert_int_equal(r0.a[1] % GZ_PAGE_SIZE, 0);
	assert_int_equal(r0.a[3], gz_mem_hyp_acct()->pages << GZ_PAGE_SHIFT);

	vm = vfix_create_vm();
	assert_int_equal(
	    hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, put_ranges(100, 0, 0x80000000, 0, 16), 0, 0),
	    GZ_OK);
	assert_int_equal(vfix_create_vcpu(vm, 0), GZ_OK);
	assert_int_equal(vfix_create_vcpu(vm, 1), GZ_OK);
	r1 = hcall(GZ_HVC_GET_STATISTICS, 0, 0, 0, 0, 0);
	r2 = hcall(GZ_HVC_GET_STATISTICS, vm, 0, 0, 0, 0);
	assert_int_equal(r1.a[0], GZ_OK);
	assert_int_equal(r1.a[2], r0.a[2]);
	/* the VM's bytes are all in the pool's used ones */
	assert_true(r2.a[1] > 0);
	assert_true(r1.a[1] >= r0.a[1] + r2.a[1]);

	while (hstatus(GZ_HVC_DESTROY_VM, vm, 0, 0, 0, 0) == GZ_ERR_BUSY)
		;
	r2 = hcall(GZ_HVC_GET_STATISTICS, 0, 0, 0, 0, 0);
	assert_int_equal(r2.a[1], r0.a[1]);
	assert_int_equal(r2.a[2], r0.a[2]);
	assert_int_equal(r2.a[3], r0.a[3]);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_probe),
	    T(test_unknown_calls),
	    T(test_not_initialised),
	    T(test_create_destroy_vm),
	    T(test_create_destroy_vcpu),
	    T(test_vcpu_pool_exhausted),
	    T(test_run_args),
	    T(test_irq_line),
	    T(test_create_device),
	    T(test_enable_cap),
	    T(test_memory_calls),
	    T(test_limits),
	    T(test_quota_reservations),
	    T(test_dtb_and_inform_exit),
	    T(test_destroy_batches),
	    T(test_hyp_statistics),
	    T(test_demand_paging_after_slot),
	    T(test_core_init_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
