/* The two-VM share at the memory layer (src/hyp/core/mem_pair.c, gzhyp/mem.h) on the fake HAL,
 * below the channels that use it: the arguments it refuses, a VM being destroyed, the ninth
 * share of a VM, a share given to a normal and a protected VM and revoked with the invariant
 * after each step, a revocation whose VM is already dying (nothing of its to unmap), a VM
 * made protected while it holds one (the share stays), and the
 * revocations the store contradicts, which are the hypervisor's own bugs: panics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mem_fixture.h"

#include "../../src/hyp/core/mem_priv.h"

static struct gz_vm_mem vm_a, vm_b;
static struct gz_vm_mem *both[] = {&vm_a, &vm_b};
static jmp_buf jb;

#define EXPECT_PANIC(stmt, msg) FAKE_EXPECT_PANIC(jb, stmt, msg)
#define IPA(i)			((gz_ipa_t)(i) << GZ_PAGE_SHIFT)
#define PA(i)			FIX_PAGE(100 + (i))

static int setup(void **state)
{
	(void)state;
	assert_int_equal(fix_init(FIX_WORK_SIZE), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_a, 1, 32, 1), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_b, 2, 32, 2), GZ_OK);
	assert_int_equal(gz_vm_mem_set_protected(&vm_b), GZ_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_hal_locks_held(), 0);
	fake_hal_teardown();
	return 0;
}

static void test_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(0), &vm_a, IPA(8), PA(0), 1, 0),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(
	    gz_mem_host_give_pair(&vm_a, IPA(0), &vm_b, IPA(0), PA(0), 1, GZ_PGSTATE_PAIRS),
	    GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(0), &vm_b, IPA(0), PA(0), 0, 0),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(0), &vm_b, IPA(0), PA(0),
					       GZ_MEM_PEER_PAGES_MAX + 1, 0),
			 GZ_ERR_INVALID_ARGS);
	/* pages the store does not cover (past the machine's memory, inside its PA size) */
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(0), &vm_b, IPA(0), FIX_HOST_END, 1, 0),
			 GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_mem_check_invariants(both, 2, NULL), GZ_OK);
}

/* Either VM's reclaim started: it gets no share. */
static void test_dying_vm(void **state)
{
	(void)state;
	assert_int_equal(gz_vm_mem_reclaim(&vm_b, 1), GZ_OK);
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(0), &vm_b, IPA(0), PA(0), 1, 0),
			 GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_mem_host_give_pair(&vm_b, IPA(0), &vm_a, IPA(0), PA(0), 1, 0),
			 GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_pgstate_view(PA(0), GZ_OWNER_HOST), GZ_PAGE_OWNED);
}

/* Eight shares per VM (one per channel end it may hold): the ninth is NO_RESOURCES. Each is
 * counted in both VMs; revoked, all come back. */
static void test_ninth_share(void **state)
{
	(void)state;
	for (unsigned i = 0; i < GZ_MEM_PEER_MAX; i++)
		assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(16 * i), &vm_b, IPA(200 + 16 * i),
						       PA(2 * i), 2, i),
				 GZ_OK);
	assert_int_equal(gz_mem_check_invariants(both, 2, NULL), GZ_OK);
	assert_int_equal(vm_a.peer_pages, 2 * GZ_MEM_PEER_MAX);
	assert_int_equal(vm_b.peer_pages, 2 * GZ_MEM_PEER_MAX);
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(500), &vm_b, IPA(600), PA(40), 1, 20),
			 GZ_ERR_NO_RESOURCES);
	for (unsigned i = 0; i < GZ_MEM_PEER_MAX; i++) {
		gz_mem_pair_revoke(&vm_a, IPA(16 * i), &vm_b, IPA(200 + 16 * i), PA(2 * i), 2);
		assert_int_equal(gz_mem_check_invariants(both, 2, NULL), GZ_OK);
	}
	assert_int_equal(vm_a.peer_pages + vm_b.peer_pages, 0);
	for (unsigned i = 0; i < 2 * GZ_MEM_PEER_MAX; i++)
		assert_int_equal(gz_pgstate_view(PA(i), GZ_OWNER_HOST), GZ_PAGE_OWNED);
}

/* A share whose borrower's reclaim already started (its stage 2 is gone): the revocation
 * unmaps the owner only and still scrubs every page. */
static void test_revoke_with_dying_borrower(void **state)
{
	uint8_t *p = gz_hal_pa_to_va(PA(0));

	(void)state;
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(0), &vm_b, IPA(0), PA(0), 1, 3), GZ_OK);
	p[100] = 0x77;
	/* reclaim drops the borrower's tables (it holds no page of its own: DEAD at once) */
	assert_int_equal(gz_vm_mem_reclaim(&vm_b, 1), GZ_OK);
	assert_int_equal(vm_b.state, GZ_VM_MEM_DEAD);
	gz_mem_pair_revoke(&vm_a, IPA(0), &vm_b, IPA(0), PA(0), 1);
	assert_int_equal(p[100], 0);
	assert_int_equal(gz_pgt_translate(&vm_a.s2, IPA(0), NULL, NULL, NULL), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_pgstate_view(PA(0), GZ_OWNER_HOST), GZ_PAGE_OWNED);
	assert_int_equal(vm_a.peer_pages + vm_b.peer_pages, 0);
	assert_int_equal(gz_mem_check_invariants(both, 2, NULL), GZ_OK);
}

/* Revocations the store contradicts: owner and borrower swapped, a page not shared, an IPA
 * the VM never mapped the share at. The caller (chan.c) keeps them right; wrong, they stop
 * the hypervisor before anything changes hands. */
static void test_revoke_contradicted(void **state)
{
	(void)state;
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(0), &vm_b, IPA(8), PA(0), 2, 1), GZ_OK);
	EXPECT_PANIC(gz_mem_pair_revoke(&vm_b, IPA(8), &vm_a, IPA(0), PA(0), 2), "does not record");
	gz_mem_unlock();
	EXPECT_PANIC(gz_mem_pair_revoke(&vm_a, IPA(0), &vm_b, IPA(8), PA(0), 3), "does not record");
	gz_mem_unlock();
	EXPECT_PANIC(gz_mem_pair_revoke(&vm_a, IPA(0), &vm_b, IPA(8), PA(4), 1), "does not record");
	gz_mem_unlock();
	assert_int_equal(gz_mem_check_invariants(both, 2, NULL), GZ_OK);
	EXPECT_PANIC(gz_mem_pair_revoke(&vm_a, IPA(32), &vm_b, IPA(8), PA(0), 2), "does not map");
	gz_mem_unlock();
}

/* A normal VM that holds a share becomes protected (the host may give the region first):
 * its lent pages become donated, the share stays as it is. */
static void test_protect_with_share(void **state)
{
	(void)state;
	assert_int_equal(gz_vm_mem_init(&vm_b, 3, 32, 3), GZ_OK); /* a normal one this time */
	assert_int_equal(gz_mem_host_give_guest(&vm_a, PA(20), IPA(64), 2), GZ_OK);
	assert_int_equal(gz_mem_host_give_pair(&vm_a, IPA(0), &vm_b, IPA(0), PA(0), 4, 2), GZ_OK);
	assert_int_equal(gz_vm_mem_set_protected(&vm_a), GZ_OK);
	assert_int_equal(gz_pgstate_state(PA(20)), GZ_PAGE_OWNED);
	assert_int_equal(gz_pgstate_state(PA(0)), GZ_PAGE_VM_SHARED);
	assert_int_equal(vm_a.owned_pages, 2);
	assert_int_equal(vm_a.lent_pages, 0);
	assert_int_equal(vm_a.peer_pages, 4);
	assert_int_equal(gz_mem_check_invariants(both, 2, NULL), GZ_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dying_vm, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ninth_share, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_revoke_with_dying_borrower, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_revoke_contradicted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protect_with_share, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
