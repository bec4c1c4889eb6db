/*
 * Lending (src/hyp/core/mem_xfer.c, host_s2.c, mem.c): a normal VM runs on pages the host
 * lends it. The host keeps its mapping, blocks included; a lent page goes to no one else (a
 * second VM, the hypervisor) while it is lent; destroy gives it back as the guest left it (no
 * scrub: the host could read it all along); a VM made protected before it runs turns what it
 * borrowed into its own; the invariant checker sees a lent page where it must not be.
 * test_mem.c's transition matrix has every transition from every state for both kinds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mem_fixture.h"

#define MB (1ULL << 20)

static struct gz_vm_mem vm_a, vm_b;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(fix_init(FIX_WORK_SIZE), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_a, 1, 32, 1), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_b, 2, 32, 2), GZ_OK);
	return 0;
}

static void check_invariants(void)
{
	struct gz_vm_mem *vms[] = {&vm_a, &vm_b};
	uint64_t bad = 0;

	if (gz_mem_check_invariants(vms, 2, &bad) != GZ_OK)
		fail_msg("invariant broken at 0x%llx", (unsigned long long)bad);
	assert_int_equal(fake_hal_locks_held(), 0);
}

static int teardown(void **state)
{
	(void)state;
	check_invariants();
	while (gz_vm_mem_reclaim(&vm_a, 64) == GZ_ERR_BUSY)
		;
	while (gz_vm_mem_reclaim(&vm_b, 64) == GZ_ERR_BUSY)
		;
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++) {
		gz_pa_t pa = gz_pgstate_pa_at(i);

		assert_false(GZ_OWNER_IS_VM(gz_pgstate_owner(pa)));
		assert_int_equal(gz_pgstate_lent_to(pa), GZ_OWNER_NONE);
	}
	fake_hal_teardown();
	return 0;
}

static void expect_broken(uint64_t where)
{
	struct gz_vm_mem *vms[] = {&vm_a, &vm_b};
	uint64_t bad = 0;

	assert_int_equal(gz_mem_check_invariants(vms, 2, &bad), GZ_ERR_BAD_STATE);
	assert_int_equal(bad, where);
}

/* The host maps a 2 MiB block of its memory; lending a page in it leaves the block alone,
 * and the host may map a block holding lent pages. */
static void test_lend_keeps_host_block(void **state)
{
	const gz_pa_t blk = FIX_HOST_BASE;
	uint32_t prot;
	unsigned level;
	gz_pa_t pa;

	(void)state;
	assert_int_equal(gz_host_s2_handle_fault(blk + 3 * GZ_PAGE_SIZE), GZ_OK);
	fake_hal_clear_ops();
	assert_int_equal(gz_mem_host_give_guest(&vm_a, blk + 7 * GZ_PAGE_SIZE, 0x8000, 2), GZ_OK);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_IPA), 0); /* nothing left the host */
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), blk, NULL, NULL, &level), GZ_OK);
	assert_int_equal(level, 2);
	assert_int_equal(gz_pgt_translate(&vm_a.s2, 0x9000, &pa, &prot, NULL), GZ_OK);
	assert_int_equal(pa, blk + 8 * GZ_PAGE_SIZE);
	assert_int_equal(prot, GZ_PROT_RWX);
	assert_int_equal(vm_a.lent_pages, 2);
	assert_int_equal(vm_a.owned_pages, 0);
	/* What the guest writes, the host reads, and the other way round. */
	*(uint64_t *)gz_hal_pa_to_va(pa) = 0x600d;
	assert_int_equal(*(uint64_t *)gz_hal_pa_to_va(blk + 8 * GZ_PAGE_SIZE), 0x600d);
	check_invariants();
	/* Gone from the host and faulted back: a block again, lent pages and all. */
	assert_int_equal(gz_pgt_unmap(gz_mem_host_s2(), blk, 2 * MB), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(blk + 8 * GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), blk, NULL, &prot, &level), GZ_OK);
	assert_int_equal(level, 2);
	assert_int_equal(prot, GZ_PROT_RWX);
	/* MEM_SHARE of a lent page changes nothing the host has. */
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 0x8000, 1), GZ_OK);
	assert_int_equal(gz_pgstate_state(blk + 7 * GZ_PAGE_SIZE), GZ_PAGE_LENT_SHARED);
	assert_int_equal(gz_mem_guest_unshare_host(&vm_a, 0x8000, 1), GZ_OK);
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), blk, NULL, NULL, &level), GZ_OK);
	assert_int_equal(level, 2);
}

/* While a page is lent to A, no one else gets it: not B (by run, by page list, into a
 * block), not the hypervisor (donated or shared), not A a second time at another IPA. */
static void test_lent_page_goes_nowhere_else(void **state)
{
	const gz_pa_t p = FIX_PAGE(10);
	uint64_t pfn = p >> GZ_PAGE_SHIFT;
	size_t bytes;
	void *snap;
	gz_pa_t pa;

	(void)state;
	assert_int_equal(gz_mem_host_give_guest(&vm_a, p, 0x4000, 1), GZ_OK);
	snap = fix_snapshot(&bytes);
	assert_int_equal(gz_mem_host_give_guest(&vm_b, p, 0x4000, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_b, &pfn, 0x4000, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_give_guest(&vm_b, FIX_HOST_BASE, 2 * MB, 512),
			 GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, p, 0x5000, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, &pfn, 0x5000, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_donate_hyp(p, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_share_hyp(p, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_unshare_hyp(p, 1), GZ_ERR_BAD_STATE);
	assert_true(fix_same_as(snap, bytes));
	assert_int_equal(fix_guest_pa(&vm_b, 0x4000, &pa), GZ_ERR_NOT_FOUND);
	assert_int_equal(fix_guest_pa(&vm_b, 2 * MB, &pa), GZ_ERR_NOT_FOUND);
	assert_int_equal(fix_guest_pa(&vm_a, 0x5000, &pa), GZ_ERR_NOT_FOUND);
	/* A protected B cannot have it either. */
	assert_int_equal(gz_vm_mem_set_protected(&vm_b), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_b, p, 0x4000, 1), GZ_ERR_BAD_STATE);
	/* The same page at the same IPA again (two vCPUs faulting) is done already. */
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, &pfn, 0x4000, 1), GZ_OK);
	assert_true(fix_same_as(snap, bytes));
	free(snap);
	/* Back at the host, it may go to B. */
	assert_int_equal(gz_mem_guest_relinquish(&vm_a, 0x4000, 1), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_b, p, 0x4000, 1), GZ_OK);
	assert_int_equal(gz_pgstate_owner(p), vm_b.owner);
}

/* Destroy: the VM's stage-2 and its TLB entries go first, then the lent pages come back to
 * the host as the guest left them, with no scrub (no zeroing, no cache maintenance). */
static void test_destroy_returns_lent_pages_unscrubbed(void **state)
{
	const gz_pa_t p = FIX_PAGE(64);
	size_t tlbi;
	int ret;

	(void)state;
	assert_int_equal(gz_mem_host_give_guest(&vm_a, p, 0, 8), GZ_OK);
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 0x2000, 1), GZ_OK);
	for (unsigned i = 0; i < 8; i++)
		fix_fill(p + i * GZ_PAGE_SIZE, (uint8_t)(0x30 + i));
	fake_hal_clear_ops();
	assert_int_equal(gz_vm_mem_reclaim(&vm_a, 3), GZ_ERR_BUSY);
	tlbi = fake_hal_find_op(FAKE_OP_TLBI_VMID, 0);
	assert_true(tlbi != (size_t)-1);
	assert_int_equal(fake_hal_op(tlbi)->a, 1);
	assert_int_equal(vm_a.lent_pages, 5);
	check_invariants();
	while ((ret = gz_vm_mem_reclaim(&vm_a, 3)) == GZ_ERR_BUSY)
		;
	assert_int_equal(ret, GZ_OK);
	assert_int_equal(vm_a.state, GZ_VM_MEM_DEAD);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_DCACHE), 0);
	for (unsigned i = 0; i < 8; i++) {
		const uint8_t *va = gz_hal_pa_to_va(p + i * GZ_PAGE_SIZE);

		assert_int_equal(gz_pgstate_view(p + i * GZ_PAGE_SIZE, GZ_OWNER_HOST),
				 GZ_PAGE_OWNED);
		assert_int_equal(va[0], 0x30 + i);
		assert_int_equal(va[GZ_PAGE_SIZE - 1], 0x30 + i);
	}
	assert_int_equal(vm_a.lent_pages + vm_a.owned_pages + vm_a.shared_pages, 0);
	assert_int_equal(gz_vm_mem_set_protected(&vm_a), GZ_ERR_NOT_ALLOWED);
}

/* A normal VM made protected (before it runs): what it borrowed becomes its own and leaves
 * the host's stage-2, a shared page stays borrowable; later pages are donated; destroy then
 * scrubs. */
static void test_set_protected_converts_lent_pages(void **state)
{
	const gz_pa_t blk = FIX_HOST_BASE + 2 * MB;
	uint32_t prot;

	(void)state;
	assert_int_equal(gz_mem_host_give_guest(&vm_a, blk, 4 * MB, 512), GZ_OK); /* a block */
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(3), 0x1000, 2), GZ_OK);
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 0x2000, 1), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(blk), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(3)), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(4)), GZ_OK);
	fix_fill(blk, 0x77);
	check_invariants();
	assert_int_equal(gz_vm_mem_set_protected(&vm_a), GZ_OK);
	assert_int_equal(vm_a.kind, GZ_VM_PROTECTED);
	assert_int_equal(vm_a.lent_pages, 0);
	assert_int_equal(vm_a.owned_pages, 514);
	assert_int_equal(vm_a.shared_pages, 1);
	assert_int_equal(gz_pgstate_owner(blk + 5 * GZ_PAGE_SIZE), vm_a.owner);
	assert_int_equal(gz_pgstate_state(FIX_PAGE(4)), GZ_PAGE_SHARED_OWNED);
	assert_false(fix_host_mapped(blk));
	assert_false(fix_host_mapped(FIX_PAGE(3)));
	assert_false(fix_host_mapped(FIX_PAGE(4)));
	assert_int_equal(gz_host_s2_handle_fault(blk), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(4)), GZ_OK);
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), FIX_PAGE(4), NULL, &prot, NULL), GZ_OK);
	assert_int_equal(prot, GZ_PROT_RW);
	check_invariants();
	/* Already protected: nothing to do. Later gifts are donations. */
	assert_int_equal(gz_vm_mem_set_protected(&vm_a), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(20), 0x10000, 1), GZ_OK);
	assert_int_equal(gz_pgstate_owner(FIX_PAGE(20)), vm_a.owner);
	check_invariants();
	while (gz_vm_mem_reclaim(&vm_a, 600) == GZ_ERR_BUSY)
		;
	assert_true(fix_is_zero(blk));
}

/* The checker: a lent page another VM maps, a lent page nobody knows or a protected VM
 * borrows, counters that do not match. */
static void test_invariant_checker_lent(void **state)
{
	const gz_pa_t p = FIX_PAGE(30);

	(void)state;
	assert_int_equal(gz_mem_host_give_guest(&vm_a, p, 0x3000, 1), GZ_OK);
	check_invariants();
	/* B maps a page lent to A. */
	assert_int_equal(gz_pgt_map(&vm_b.s2, 0x7000, p, GZ_PAGE_SIZE, GZ_PROT_RW), GZ_OK);
	expect_broken(0x7000);
	assert_int_equal(gz_pgt_unmap(&vm_b.s2, 0x7000, GZ_PAGE_SIZE), GZ_OK);
	check_invariants();
	/* Counters. */
	vm_a.lent_pages++;
	expect_broken(vm_a.owner);
	vm_a.lent_pages--;
	vm_a.shared_pages++;
	expect_broken(vm_a.owner);
	vm_a.shared_pages--;
	/* Lent to a VM nobody knows. */
	gz_pgstate_set(FIX_PAGE(31), 1, GZ_OWNER_VM(9), GZ_PAGE_LENT);
	expect_broken(FIX_PAGE(31));
	gz_pgstate_set(FIX_PAGE(31), 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	/* A protected VM never borrows. */
	vm_a.kind = GZ_VM_PROTECTED;
	expect_broken(p);
	vm_a.kind = GZ_VM_NORMAL;
	check_invariants();
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_lend_keeps_host_block),
	    T(test_lent_page_goes_nowhere_else),
	    T(test_destroy_returns_lent_pages_unscrubbed),
	    T(test_set_protected_converts_lent_pages),
	    T(test_invariant_checker_lent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
