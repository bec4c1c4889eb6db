/* Unit tests of the page-state store (src/hyp/core/pgstate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzhyp/pgstate.h>
#include <gzabi/status.h>

#include "fake_hal.h"

#define MB (1ULL << 20)

static uint16_t storage[64 * MB / GZ_PAGE_SIZE + 1];

static int setup(void **state)
{
	(void)state;
	fake_hal_reset(64 * MB, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_hal_teardown();
	return 0;
}

static void test_init_single_region(void **state)
{
	size_t bytes;

	(void)state;
	assert_int_equal(gz_pgstate_storage_bytes(), 64 * MB / GZ_PAGE_SIZE * 2);
	memset(storage, 0xff, sizeof(storage));
	assert_int_equal(gz_pgstate_init(storage, sizeof(storage)), GZ_OK);
	assert_int_equal(gz_pgstate_nr_pages(), 64 * MB / GZ_PAGE_SIZE);
	assert_ptr_equal(gz_pgstate_raw(&bytes), storage);
	assert_int_equal(bytes, 64 * MB / GZ_PAGE_SIZE * 2);
	/* Everything starts host-owned. */
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i += 97) {
		gz_pa_t pa = gz_pgstate_pa_at(i);

		assert_int_equal(pa, FAKE_PHYS_BASE + i * GZ_PAGE_SIZE);
		assert_int_equal(gz_pgstate_owner(pa), GZ_OWNER_HOST);
		assert_int_equal(gz_pgstate_state(pa), GZ_PAGE_OWNED);
	}
}

static void test_init_rejects(void **state)
{
	(void)state;
	assert_int_equal(gz_pgstate_init(NULL, sizeof(storage)), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgstate_init((uint8_t *)storage + 1, sizeof(storage) - 2),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgstate_init(storage, gz_pgstate_storage_bytes() - 2),
			 GZ_ERR_NO_MEMORY);
}

static void test_bad_regions(void **state)
{
	static const struct {
		gz_pa_t base[9];
		uint64_t size[9];
		unsigned n;
	} cases[] = {
	    {{FAKE_PHYS_BASE + 1}, {MB}, 1},	    /* misaligned base */
	    {{FAKE_PHYS_BASE}, {MB + 1}, 1},	    /* misaligned size */
	    {{FAKE_PHYS_BASE}, {0}, 1},		    /* empty */
	    {{~0ULL << 12}, {2 * GZ_PAGE_SIZE}, 1}, /* wraps */
	    {{0, MB, 2 * MB, 3 * MB, 4 * MB, 5 * MB, 6 * MB, 7 * MB, 8 * MB},
	     {MB, MB, MB, MB, MB, MB, MB, MB, MB},
	     9}, /* too many */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_hal_set_phys_regions(cases[i].base, cases[i].size, cases[i].n);
		assert_int_equal(gz_pgstate_storage_bytes(), 0);
		assert_int_equal(gz_pgstate_init(storage, sizeof(storage)), GZ_ERR_INVALID_ARGS);
	}
	/* No regions at all. */
	fake_hal_teardown();
	assert_int_equal(gz_pgstate_storage_bytes(), 0);
	assert_int_equal(gz_pgstate_init(storage, sizeof(storage)), GZ_ERR_INVALID_ARGS);
}

/* Two regions with a hole: [base, +4M) and [base + 8M, +8M). */
static void two_regions(void)
{
	const gz_pa_t base[] = {FAKE_PHYS_BASE, FAKE_PHYS_BASE + 8 * MB};
	const uint64_t size[] = {4 * MB, 8 * MB};

	fake_hal_set_phys_regions(base, size, 2);
	assert_int_equal(gz_pgstate_storage_bytes(), 12 * MB / GZ_PAGE_SIZE * 2);
	assert_int_equal(gz_pgstate_init(storage, sizeof(storage)), GZ_OK);
}

static void test_managed(void **state)
{
	const gz_pa_t b = FAKE_PHYS_BASE;

	(void)state;
	two_regions();
	assert_true(gz_pgstate_managed(b));
	assert_true(gz_pgstate_managed(b + 4 * MB - 1));
	assert_false(gz_pgstate_managed(b + 4 * MB));
	assert_false(gz_pgstate_managed(b - 1));
	assert_true(gz_pgstate_managed(b + 8 * MB));
	assert_false(gz_pgstate_managed(b + 16 * MB));
	assert_false(gz_pgstate_managed(0));

	assert_true(gz_pgstate_managed_range(b, 1024));
	assert_false(gz_pgstate_managed_range(b, 1025)); /* into the hole */
	assert_true(gz_pgstate_managed_range(b + 8 * MB + 5, 2048));
	assert_false(gz_pgstate_managed_range(b + 8 * MB - GZ_PAGE_SIZE, 2));
	assert_false(gz_pgstate_managed_range(b, 0));
	assert_false(gz_pgstate_managed_range(b, UINT64_MAX));
	assert_false(gz_pgstate_managed_range(~0ULL << 12, 2));

	assert_true(gz_pgstate_any_managed(b + 3 * MB, 2 * MB));
	assert_false(gz_pgstate_any_managed(b + 4 * MB, 4 * MB));
	assert_true(gz_pgstate_any_managed(b + 4 * MB, 4 * MB + 1));
	assert_false(gz_pgstate_any_managed(0, b));
	assert_true(gz_pgstate_any_managed(b + 20 * MB, UINT64_MAX) == false);
	assert_true(gz_pgstate_any_managed(0, UINT64_MAX));

	/* Enumeration walks region by region. */
	assert_int_equal(gz_pgstate_nr_pages(), 3072);
	assert_int_equal(gz_pgstate_pa_at(1023), b + 4 * MB - GZ_PAGE_SIZE);
	assert_int_equal(gz_pgstate_pa_at(1024), b + 8 * MB);
	assert_int_equal(gz_pgstate_pa_at(3071), b + 16 * MB - GZ_PAGE_SIZE);

	/* Unmanaged addresses have no owner. */
	assert_int_equal(gz_pgstate_owner(b + 5 * MB), GZ_OWNER_NONE);
	assert_int_equal(gz_pgstate_state(b + 5 * MB), GZ_PAGE_NOACCESS);
	assert_int_equal(gz_pgstate_view(b + 5 * MB, GZ_OWNER_HOST), GZ_PAGE_NOACCESS);
}

static void test_set_and_views(void **state)
{
	static const struct {
		gz_owner_t owner;
		enum gz_page_state st;
		gz_owner_t who;
		enum gz_page_state view;
	} cases[] = {
	    {GZ_OWNER_HOST, GZ_PAGE_OWNED, GZ_OWNER_HOST, GZ_PAGE_OWNED},
	    {GZ_OWNER_HOST, GZ_PAGE_OWNED, GZ_OWNER_HYP, GZ_PAGE_NOACCESS},
	    {GZ_OWNER_HOST, GZ_PAGE_OWNED, GZ_OWNER_VM(0), GZ_PAGE_NOACCESS},
	    {GZ_OWNER_HOST, GZ_PAGE_SHARED_OWNED, GZ_OWNER_HOST, GZ_PAGE_SHARED_OWNED},
	    {GZ_OWNER_HOST, GZ_PAGE_SHARED_OWNED, GZ_OWNER_HYP, GZ_PAGE_SHARED_BORROWED},
	    {GZ_OWNER_HOST, GZ_PAGE_SHARED_OWNED, GZ_OWNER_VM(1), GZ_PAGE_NOACCESS},
	    {GZ_OWNER_HYP, GZ_PAGE_OWNED, GZ_OWNER_HYP, GZ_PAGE_OWNED},
	    {GZ_OWNER_HYP, GZ_PAGE_DONATED, GZ_OWNER_HYP, GZ_PAGE_DONATED},
	    {GZ_OWNER_HYP, GZ_PAGE_DONATED, GZ_OWNER_HOST, GZ_PAGE_NOACCESS},
	    {GZ_OWNER_HYP, GZ_PAGE_SHARED_OWNED, GZ_OWNER_HOST, GZ_PAGE_NOACCESS},
	    {GZ_OWNER_VM(3), GZ_PAGE_OWNED, GZ_OWNER_VM(3), GZ_PAGE_OWNED},
	    {GZ_OWNER_VM(3), GZ_PAGE_OWNED, GZ_OWNER_HOST, GZ_PAGE_NOACCESS},
	    {GZ_OWNER_VM(3), GZ_PAGE_SHARED_OWNED, GZ_OWNER_HOST, GZ_PAGE_SHARED_BORROWED},
	    {GZ_OWNER_VM(3), GZ_PAGE_SHARED_OWNED, GZ_OWNER_VM(4), GZ_PAGE_NOACCESS},
	    {GZ_OWNER_VM(3), GZ_PAGE_SHARED_OWNED, GZ_OWNER_HYP, GZ_PAGE_NOACCESS},
	    {GZ_OWNER_VM(GZ_PGSTATE_MAX_VM_ID), GZ_PAGE_OWNED, GZ_OWNER_VM(GZ_PGSTATE_MAX_VM_ID),
	     GZ_PAGE_OWNED},
	};
	const gz_pa_t pa = FAKE_PHYS_BASE + 8 * MB + 3 * GZ_PAGE_SIZE;

	(void)state;
	two_regions();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t lost0, got0, lost, got;
		enum gz_page_state host = GZ_PAGE_NOACCESS;

		fake_hal_host_access_pages(&lost0, &got0);
		gz_pgstate_set(pa, 2, cases[i].owner, cases[i].st);
		/* the HAL hears whether the host may use the pages now (sim/hostview.c) */
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
			if (cases[k].owner == cases[i].owner && cases[k].st == cases[i].st &&
			    cases[k].who == GZ_OWNER_HOST)
				host = cases[k].view;
		fake_hal_host_access_pages(&lost, &got);
		if (host == GZ_PAGE_NOACCESS) {
			assert_int_equal(lost, lost0 + 2);
			assert_int_equal(got, got0);
		} else {
			assert_int_equal(got, got0 + 2);
			assert_int_equal(lost, lost0);
		}
		assert_int_equal(gz_pgstate_owner(pa + GZ_PAGE_SIZE), cases[i].owner);
		assert_int_equal(gz_pgstate_state(pa + 0x123), cases[i].st);
		assert_int_equal(gz_pgstate_view(pa, cases[i].who), cases[i].view);
		/* Neighbours untouched. */
		assert_int_equal(gz_pgstate_owner(pa - GZ_PAGE_SIZE), GZ_OWNER_HOST);
		assert_int_equal(gz_pgstate_owner(pa + 2 * GZ_PAGE_SIZE), GZ_OWNER_HOST);
	}
	assert_int_equal(gz_pgstate_borrower(GZ_OWNER_HOST), GZ_OWNER_HYP);
	assert_int_equal(gz_pgstate_borrower(GZ_OWNER_VM(7)), GZ_OWNER_HOST);
	assert_int_equal(gz_pgstate_borrower(GZ_OWNER_HYP), GZ_OWNER_NONE);
	assert_int_equal(gz_pgstate_borrower(GZ_OWNER_NONE), GZ_OWNER_NONE);
}

/* A VM's pages found in the raw entries: owned (any state) or lent to it, nothing else. */
static void test_find_vm(void **state)
{
	const gz_pa_t b = FAKE_PHYS_BASE;
	uint64_t n;

	(void)state;
	two_regions();
	n = gz_pgstate_nr_pages();
	gz_pgstate_set(b + 5 * GZ_PAGE_SIZE, 1, GZ_OWNER_VM(4), GZ_PAGE_OWNED);
	gz_pgstate_set(b + 9 * GZ_PAGE_SIZE, 1, GZ_OWNER_VM(3), GZ_PAGE_SHARED_OWNED);
	gz_pgstate_set(b + 8 * MB + GZ_PAGE_SIZE, 1, GZ_OWNER_VM(3), GZ_PAGE_LENT);
	gz_pgstate_set(b + 8 * MB + 7 * GZ_PAGE_SIZE, 1, GZ_OWNER_HYP, GZ_PAGE_DONATED);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(3), 0, n), 9);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(3), 10, n), 1024 + 1);
	assert_int_equal(gz_pgstate_lent_to(gz_pgstate_pa_at(1024 + 1)), GZ_OWNER_VM(3));
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(3), 1024 + 2, n), n);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(3), 0, 9), 9); /* not found below 9 */
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(4), 0, n), 5);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(5), 0, n + 100), n); /* clamped */
	/* the host's, the hypervisor's and nobody's pages are no VM's */
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_HYP, 0, n), n);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_HOST, 0, n), n);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_NONE, 0, 40), 40);
}

static jmp_buf jb;

#define EXPECT_PANIC(stmt, msg) FAKE_EXPECT_PANIC(jb, stmt, msg)

/* The two-VM share: its entry names a pair slot; owner, borrower and every viewer's view come
 * from the pair; reclaim scans skip it (even where a slot number equals a VM's owner id); a
 * pair slot that was never named, or is named badly, is refused. */
static void test_vm_shared_pair(void **state)
{
	const gz_pa_t b = FAKE_PHYS_BASE;
	const uint16_t *raw;
	size_t bytes;
	uint64_t n;

	(void)state;
	two_regions();
	n = gz_pgstate_nr_pages();
	/* slot 5 is the owner field of VM 3 (GZ_OWNER_VM(3) == 5) */
	gz_pgstate_pair_name(5, GZ_OWNER_VM(4), GZ_OWNER_VM(6));
	gz_pgstate_set_pair(b + 2 * GZ_PAGE_SIZE, 3, 5);
	raw = gz_pgstate_raw(&bytes);
	assert_int_equal(raw[2], 0x8005); /* state 8 in bits 15:12 */
	for (unsigned i = 2; i < 5; i++) {
		gz_pa_t pa = b + i * GZ_PAGE_SIZE;

		assert_int_equal(gz_pgstate_state(pa), GZ_PAGE_VM_SHARED);
		assert_int_equal(gz_pgstate_owner(pa), GZ_OWNER_VM(4));
		assert_int_equal(gz_pgstate_vm_borrower(pa), GZ_OWNER_VM(6));
		assert_int_equal(gz_pgstate_lent_to(pa), GZ_OWNER_NONE);
		assert_int_equal(gz_pgstate_view(pa, GZ_OWNER_VM(4)), GZ_PAGE_VM_SHARED);
		assert_int_equal(gz_pgstate_view(pa, GZ_OWNER_VM(6)), GZ_PAGE_VM_BORROWED);
		assert_int_equal(gz_pgstate_view(pa, GZ_OWNER_VM(3)), GZ_PAGE_NOACCESS);
		assert_int_equal(gz_pgstate_view(pa, GZ_OWNER_HOST), GZ_PAGE_NOACCESS);
		assert_int_equal(gz_pgstate_view(pa, GZ_OWNER_HYP), GZ_PAGE_NOACCESS);
	}
	assert_int_equal(gz_pgstate_vm_borrower(b), GZ_OWNER_NONE);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(3), 0, n), n);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(4), 0, n), n);
	assert_int_equal(gz_pgstate_find_vm(GZ_OWNER_VM(6), 0, n), n);
	/* back to the host: an ordinary entry again */
	gz_pgstate_set(b + 2 * GZ_PAGE_SIZE, 3, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	assert_int_equal(gz_pgstate_vm_borrower(b + 3 * GZ_PAGE_SIZE), GZ_OWNER_NONE);
	EXPECT_PANIC(gz_pgstate_set_pair(b, 1, 6), "never named");
	EXPECT_PANIC(gz_pgstate_set_pair(b, 1, GZ_PGSTATE_PAIRS), "never named");
	EXPECT_PANIC(gz_pgstate_pair_name(GZ_PGSTATE_PAIRS, GZ_OWNER_VM(1), GZ_OWNER_VM(2)),
		     "bad pair");
	EXPECT_PANIC(gz_pgstate_pair_name(1, GZ_OWNER_VM(1), GZ_OWNER_VM(1)), "bad pair");
	EXPECT_PANIC(gz_pgstate_pair_name(1, GZ_OWNER_HOST, GZ_OWNER_VM(1)), "bad pair");
	EXPECT_PANIC(gz_pgstate_pair_name(1, GZ_OWNER_VM(1), GZ_OWNER_NONE), "bad pair");
	EXPECT_PANIC(gz_pgstate_set_pair(b + 4 * MB, 1, 5), "unmanaged");
	assert_int_equal(gz_pgstate_state(b), GZ_PAGE_OWNED);
}

static void test_set_invariants(void **state)
{
	(void)state;
	two_regions();
	EXPECT_PANIC(gz_pgstate_set(FAKE_PHYS_BASE, 1, GZ_OWNER_NONE, GZ_PAGE_OWNED), "bad entry");
	EXPECT_PANIC(gz_pgstate_set(FAKE_PHYS_BASE, 1, 0x1000, GZ_PAGE_OWNED), "bad entry");
	EXPECT_PANIC(gz_pgstate_set(FAKE_PHYS_BASE, 1, GZ_OWNER_HOST, GZ_PAGE_SHARED_BORROWED),
		     "bad entry");
	EXPECT_PANIC(gz_pgstate_set(FAKE_PHYS_BASE, 1, GZ_OWNER_HOST, GZ_PAGE_NOACCESS),
		     "bad entry");
	EXPECT_PANIC(gz_pgstate_set(FAKE_PHYS_BASE + 4 * MB, 1, GZ_OWNER_HYP, GZ_PAGE_OWNED),
		     "unmanaged");
	EXPECT_PANIC(
	    gz_pgstate_set(FAKE_PHYS_BASE + 4 * MB - GZ_PAGE_SIZE, 2, GZ_OWNER_HYP, GZ_PAGE_OWNED),
	    "unmanaged");
	EXPECT_PANIC(gz_pgstate_pa_at(3072), "index out of range");
	/* Nothing changed by the refused writes. */
	assert_int_equal(gz_pgstate_owner(FAKE_PHYS_BASE + 4 * MB - GZ_PAGE_SIZE), GZ_OWNER_HOST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init_single_region, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_init_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_regions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_managed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_and_views, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_vm, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_invariants, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vm_shared_pair, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
