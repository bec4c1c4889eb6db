/* Protected VMs (src/hyp/core/pvm.c through the host-call dispatcher): GZVM_CAP_PROTECTED_VM's
 * sub-commands with every bad argument and state, and ONE_REG refused on every vCPU once a
 * protected VM ran (a normal VM keeps it). A refused call leaves the VM as it was. The
 * guest's side through the run loop (smccc.c, exit.c): MEM_SHARE / MEM_UNSHARE ranges and
 * every refusal, MMIO_GUARD and the exits it keeps from the VMM.
 * test-labels: protected */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzhyp/pvm.h>

#include "vm_fixture.h"

static uint16_t vm;

/* A VM of two vCPUs per test; a test fails its teardown if it left a lock held. */
static int setup(void **state)
{
	(void)state;
	vm = vfix_setup_vm(2);
	return vm ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return vfix_teardown() ? 0 : -1;
}

static struct gz_smccc_regs pvm_cap(uint16_t id, uint64_t sub, uint64_t a1, uint64_t a2)
{
	return hcall(GZ_HVC_ENABLE_CAP, id, GZVM_CAP_PROTECTED_VM, sub, a1, a2);
}

static bool is_protected(void)
{
	return gz_vm_kind(gz_vm_get(vm)) == GZ_VM_PROTECTED;
}

/* A slot of 8 pages at @gpa with the purpose @flags (demand paging: nothing mapped yet). */
static void add_slot(unsigned slot, gz_ipa_t gpa, uint32_t flags)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(100);
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(pa);

	assert_int_equal(hstatus(GZ_HVC_MEMREGION_PURPOSE, vm, gpa, 8 << 12, flags, 0), GZ_OK);
	memset(r, 0, 64);
	r->slot = slot;
	r->total_pages = 8;
	r->gpa = gpa;
	assert_int_equal(hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, pa, 0, 0), GZ_OK);
}

static void test_pvmfw_size(void **state)
{
	struct gz_smccc_regs r;

	(void)state;
	r = pvm_cap(vm, GZVM_CAP_PVM_GET_PVMFW_SIZE, 0, 0);
	assert_int_equal(r.a[0], GZ_OK);
	assert_int_equal(r.a[1], 0); /* before SET_PVMFW_GPA (test_pvmfw: after) */
	r = pvm_cap(vm, GZVM_CAP_PVM_GET_PVMFW_SIZE, 1, 0);
	assert_int_equal((int64_t)r.a[0], GZ_ERR_INVALID_ARGS);
	assert_false(is_protected());
}

static void test_set_pvmfw_gpa(void **state)
{
	(void)state;
	assert_int_equal(hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_ENABLE_DEMAND_PAGING, 0, 0, 0),
			 GZ_OK);
	add_slot(0, 0x80000000, GZVM_USER_MEM_REGION_GUEST_MEM);
	add_slot(1, 0x7fc00000, GZVM_USER_MEM_REGION_PROTECT_FW);
	/* unaligned, outside the IPA space, outside any slot, in a slot that is not pvmfw's,
	 * extra arguments */
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PVMFW_GPA, 0x7fc00008, 0).a[0],
			 (uint64_t)GZ_ERR_INVALID_ARGS);
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PVMFW_GPA, 1ULL << 40, 0).a[0],
			 (uint64_t)GZ_ERR_INVALID_ARGS);
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PVMFW_GPA, 0x10000000, 0).a[0],
			 (uint64_t)GZ_ERR_INVALID_ARGS);
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PVMFW_GPA, 0x80000000, 0).a[0],
			 (uint64_t)GZ_ERR_INVALID_ARGS);
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PVMFW_GPA, 0x7fc00000, 1).a[0],
			 (uint64_t)GZ_ERR_INVALID_ARGS);
	/* the right place, but nothing mapped there for gzhyp to read (the driver populates
	 * the slot first): the VM stays normal. A firmware that is there: test_pvmfw. */
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PVMFW_GPA, 0x7fc00000, 0).a[0],
			 (uint64_t)GZ_ERR_NOT_FOUND);
	assert_false(is_protected());
}

static void test_set_protected(void **state)
{
	uint32_t reason;

	(void)state;
	assert_int_equal(pvm_cap(vm, 3, 0, 0).a[0], (uint64_t)GZ_ERR_INVALID_ARGS);
	assert_int_equal(pvm_cap(vm, ~0ULL, 0, 0).a[0], (uint64_t)GZ_ERR_INVALID_ARGS);
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PROTECTED_VM, 1, 0).a[0],
			 (uint64_t)GZ_ERR_INVALID_ARGS);
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 1).a[0],
			 (uint64_t)GZ_ERR_INVALID_ARGS);
	assert_int_equal(pvm_cap(vm + 1, GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 0).a[0],
			 (uint64_t)GZ_ERR_INVALID_ARGS); /* no such VM */
	assert_false(is_protected());
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 0).a[0], GZ_OK);
	assert_true(is_protected());
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 0).a[0], GZ_OK);
	assert_true(is_protected());

	/* a second VM that ran cannot become protected: the host may have seen its state */
	{
		uint16_t other = vfix_create_vm();

		assert_int_equal(vfix_create_vcpu(other, 0), GZ_OK);
		vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
		assert_int_equal(vfix_run(other, 0, &reason), GZ_OK);
		assert_int_equal(reason, GZVM_EXIT_IRQ);
		assert_int_equal(pvm_cap(other, GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 0).a[0],
				 (uint64_t)GZ_ERR_BAD_STATE);
		assert_int_equal(gz_vm_kind(gz_vm_get(other)), GZ_VM_NORMAL);
	}
}

static int64_t get_reg(uint16_t id, uint16_t vcpu, uint64_t reg, uint64_t *val)
{
	struct gz_smccc_regs r = hcall(GZ_HVC_GET_ONE_REG, gz_hvc_tuple(id, vcpu), reg, 0, 0, 0);

	*val = r.a[1];
	return (int64_t)r.a[0];
}

static int64_t set_reg(uint16_t id, uint16_t vcpu, uint64_t reg, uint64_t val)
{
	return hstatus(GZ_HVC_SET_ONE_REG, gz_hvc_tuple(id, vcpu), reg, val, 0, 0);
}

static void test_one_reg_closed_after_run(void **state)
{
	uint64_t val = 0;
	uint32_t reason;

	(void)state;
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 0).a[0], GZ_OK);
	/* before the first run the VMM sets the boot registers and may read them back */
	assert_int_equal(set_reg(vm, 0, GZVM_REG_CORE_PC, 0x80080000), GZ_OK);
	assert_int_equal(set_reg(vm, 0, GZVM_REG_CORE_X(0), 0x81000000), GZ_OK);
	assert_int_equal(get_reg(vm, 0, GZVM_REG_CORE_PC, &val), GZ_OK);
	assert_int_equal(val, 0x80080000);
	/* the guest runs and writes a secret into x5 */
	vfix_vcpu(vm, 0)->ctx.x[5] = 0x5ec7e7;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	/* from now on neither direction, on any vCPU (vCPU 1 never ran: CPU_ON sets it) */
	for (uint16_t i = 0; i < 2; i++) {
		val = 0x1234;
		assert_int_equal(get_reg(vm, i, GZVM_REG_CORE_X(5), &val), GZ_ERR_ACCESS_DENIED);
		assert_int_equal(val, 0);
		assert_int_equal(set_reg(vm, i, GZVM_REG_CORE_PC, 0x1000), GZ_ERR_ACCESS_DENIED);
	}
	assert_int_equal(vfix_vcpu(vm, 0)->ctx.x[5], 0x5ec7e7);
	assert_int_not_equal(vfix_vcpu(vm, 0)->ctx.pc, 0x1000);
	/* inside RUN (another CPU's call) the answer is the same, never BUSY */
	vfix_vcpu(vm, 0)->running = true;
	assert_int_equal(get_reg(vm, 0, GZVM_REG_CORE_X(5), &val), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(set_reg(vm, 0, GZVM_REG_CORE_PC, 0x1000), GZ_ERR_ACCESS_DENIED);
	vfix_vcpu(vm, 0)->running = false;
	/* after power-off too */
	gz_vm_get(vm)->state = GZ_VM_OFF;
	assert_int_equal(get_reg(vm, 0, GZVM_REG_CORE_X(5), &val), GZ_ERR_ACCESS_DENIED);
}

static void test_one_reg_open_on_normal_vm(void **state)
{
	uint64_t val = 0;

	(void)state;
	vfix_vcpu(vm, 0)->ctx.x[5] = 0x77;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(get_reg(vm, 0, GZVM_REG_CORE_X(5), &val), GZ_OK);
	assert_int_equal(val, 0x77);
	assert_int_equal(set_reg(vm, 1, GZVM_REG_CORE_PC, 0x1000), GZ_OK);
}

/* One HVC by vCPU 0 with x0..x3 = a..d, then a host interrupt: returns the guest's x0. */
static int64_t guest_call(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	static uint64_t args[VFIX_MAX_STEPS][4];
	unsigned k = vfix_guest.n;
	uint32_t reason = 0;

	args[k][0] = a;
	args[k][1] = b;
	args[k][2] = c;
	args[k][3] = d;
	vfix_push_hvc(args[k]);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	return (int64_t)vfix_guest.last.x[0];
}

static void guest_refused(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	assert_int_equal(guest_call(a, b, c, d), GZ_SMCCC_RET_INVALID_PARAMETER);
}

static uint64_t guest_x1(void)
{
	return vfix_guest.last.x[1];
}

/* A protected VM whose 8 pages at 0x80000000 are donated (demand paging, then MAP_GUEST). */
static void protected_with_ram(void)
{
	assert_int_equal(hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_ENABLE_DEMAND_PAGING, 0, 0, 0),
			 GZ_OK);
	add_slot(0, 0x80000000, GZVM_USER_MEM_REGION_GUEST_MEM);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(hstatus(GZ_HVC_MAP_GUEST, vm, 0, VFIX_GUEST_PAGE(i) >> 12,
					 (0x80000000 >> 12) + i, 1),
				 GZ_OK);
	assert_int_equal(pvm_cap(vm, GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 0).a[0], GZ_OK);
}

static void test_mem_share_ranges(void **state)
{
	(void)state;
	protected_with_ram();
	/* three granules at once, then each refusal changes nothing */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_MEM_SHARE, 0x80001000, 3, 0), 0);
	assert_int_equal(guest_x1(), 3);
	for (unsigned i = 1; i <= 3; i++)
		assert_int_equal(gz_pgstate_state(VFIX_GUEST_PAGE(i)), GZ_PAGE_SHARED_OWNED);
	assert_int_equal(gz_vm_get(vm)->mem.shared_pages, 3);
	/* a range with one granule already shared: refused whole (page 0 stays private) */
	guest_refused(GZ_VENDOR_HYP_MEM_SHARE, 0x80000000, 2, 0);
	assert_int_equal(guest_x1(), 0);
	assert_int_equal(gz_pgstate_state(VFIX_GUEST_PAGE(0)), GZ_PAGE_OWNED);
	/* pages it does not own: past its RAM, and a range running out of it */
	guest_refused(GZ_VENDOR_HYP_MEM_SHARE, 0x80008000, 0, 0);
	guest_refused(GZ_VENDOR_HYP_MEM_SHARE, 0x80006000, 4, 0);
	assert_int_equal(gz_pgstate_state(VFIX_GUEST_PAGE(6)), GZ_PAGE_OWNED);
	/* a range that wraps, one too long, an unaligned base, x3 set */
	guest_refused(GZ_VENDOR_HYP_MEM_SHARE, 0xfffffffffffff000, 2, 0);
	guest_refused(GZ_VENDOR_HYP_MEM_SHARE, 0x80000000, GZ_VENDOR_HYP_MEM_RANGE_MAX + 1, 0);
	guest_refused(GZ_VENDOR_HYP_MEM_SHARE, 0x80000800, 1, 0);
	guest_refused(GZ_VENDOR_HYP_MEM_SHARE, 0x80000000, 1, 1);
	/* unshare what it never shared (page 0 of a range of shared ones): nothing moves */
	guest_refused(GZ_VENDOR_HYP_MEM_UNSHARE, 0x80000000, 2, 0);
	assert_int_equal(gz_pgstate_state(VFIX_GUEST_PAGE(1)), GZ_PAGE_SHARED_OWNED);
	/* the range back; once more: refused */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_MEM_UNSHARE, 0x80001000, 3, 0), 0);
	assert_int_equal(guest_x1(), 3);
	assert_int_equal(gz_vm_get(vm)->mem.shared_pages, 0);
	guest_refused(GZ_VENDOR_HYP_MEM_UNSHARE, 0x80001000, 0, 0);
	/* relinquish twice: the second is refused inside the hypervisor, no exit */
	fix_fill(VFIX_GUEST_PAGE(5), 0x5a);
	{
		static uint64_t rel[4] = {GZ_VENDOR_HYP_MEM_RELINQUISH, 0x80005000, 0, 0};
		uint32_t reason;

		vfix_push_hvc(rel);
		assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
		assert_int_equal(reason, GZVM_EXIT_HYPERCALL);
	}
	assert_int_equal(gz_pgstate_owner(VFIX_GUEST_PAGE(5)), GZ_OWNER_HOST);
	assert_true(fix_is_zero(VFIX_GUEST_PAGE(5))); /* scrubbed before the host has it */
	guest_refused(GZ_VENDOR_HYP_MEM_RELINQUISH, 0x80005000, 0, 0);
}

static struct gzvm_vcpu_run *run_dabt(gz_ipa_t ipa, uint32_t *reason)
{
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 1, false, true, 0x07), 0x1234,
		  hpfar_of(ipa), NULL, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_vcpu(vm, 0)->ctx.sys[GZ_SYS_ESR_EL1] = 0;
	assert_int_equal(vfix_run(vm, 0, reason), GZ_OK);
	return vfix_run_page(vm, 0);
}

/* The write reached the VMM as an MMIO exit. */
static void reaches_vmm(gz_ipa_t ipa)
{
	uint32_t reason;
	struct gzvm_vcpu_run *run = run_dabt(ipa, &reason);

	assert_int_equal(reason, GZVM_EXIT_MMIO);
	assert_int_equal(run->mmio.phys_addr, ipa | 0x234); /* FAR's offset in the page */
	vfix_guest.n = vfix_guest.next;			    /* the IRQ step is not needed */
}

/* The write became an abort in the guest; the VMM saw nothing. */
static void aborts_in_guest(gz_ipa_t ipa)
{
	uint32_t reason;

	run_dabt(ipa, &reason);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal(ESR_EC(vfix_vcpu(vm, 0)->ctx.sys[GZ_SYS_ESR_EL1]), ESR_EC_DABT_CUR);
	assert_int_equal(vfix_vcpu(vm, 0)->ctx.sys[GZ_SYS_FAR_EL1], 0x1234);
}

static void test_mmio_guard(void **state)
{
	(void)state;
	protected_with_ram();
	/* not enrolled: nothing is guarded, and map/unmap are refused */
	reaches_vmm(0x9000000);
	guest_refused(GZ_VENDOR_HYP_MMIO_GUARD_MAP, 0x9000000, 0, 0);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_MMIO_GUARD_ENROLL, 0, 0, 0), 0);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_MMIO_GUARD_ENROLL, 0, 0, 0),
			 GZ_SMCCC_RET_NOT_REQUIRED);
	/* map RAM, an unaligned granule, one beyond the IPA space, with x2 set: refused */
	guest_refused(GZ_VENDOR_HYP_MMIO_GUARD_MAP, 0x80002000, 0, 0);
	guest_refused(GZ_VENDOR_HYP_MMIO_GUARD_MAP, 0x9000010, 0, 0);
	guest_refused(GZ_VENDOR_HYP_MMIO_GUARD_MAP, 1ULL << 40, 0, 0);
	guest_refused(GZ_VENDOR_HYP_MMIO_GUARD_MAP, 0x9000000, 1, 0);
	/* enrolled, nothing mapped: every device access is the guest's own abort */
	aborts_in_guest(0x9000000);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_MMIO_GUARD_MAP, 0x9000000, 0, 0), 0);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_MMIO_GUARD_MAP, 0x9000000, 0, 0), 0);
	reaches_vmm(0x9000000);
	aborts_in_guest(0x9001000);
	aborts_in_guest(0x20000000);
	/* unmap what it never mapped: refused; what it mapped: closed again */
	guest_refused(GZ_VENDOR_HYP_MMIO_GUARD_UNMAP, 0x9001000, 0, 0);
	guest_refused(GZ_VENDOR_HYP_MMIO_GUARD_UNMAP, 0x80000000, 0, 0);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_MMIO_GUARD_UNMAP, 0x9000000, 0, 0), 0);
	aborts_in_guest(0x9000000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_pvmfw_size),
	    T(test_set_pvmfw_gpa),
	    T(test_set_protected),
	    T(test_one_reg_closed_after_run),
	    T(test_one_reg_open_on_normal_vm),
	    T(test_mem_share_ranges),
	    T(test_mmio_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
