/* Unit tests of the hypervisor page pool (src/hyp/core/pool.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzhyp/pool.h>
#include <gzabi/status.h>

#include "fake_hal.h"

#define BASE (FAKE_PHYS_BASE + 0x100000)

static int setup(void **state)
{
	(void)state;
	fake_hal_reset(16 << 20, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_hal_teardown();
	return 0;
}

static void test_empty_pool(void **state)
{
	struct gz_pool pool;
	struct gz_pool_acct acct;
	struct gz_pool_stats st;
	gz_pa_t pa = 123;

	(void)state;
	gz_pool_init(&pool);
	gz_pool_acct_init(&acct, &pool);
	assert_int_equal(gz_pool_alloc(&acct, &pa), GZ_ERR_NO_MEMORY);
	assert_int_equal(pa, 123);
	assert_null(gz_pool_zalloc(&acct));
	assert_int_equal(gz_pool_take(&pool, &pa), GZ_ERR_NO_MEMORY);
	gz_pool_get_stats(&pool, &st);
	assert_int_equal(st.total, 0);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.used, 0);
	assert_int_equal(acct.pages, 0);
	assert_int_equal(fake_hal_locks_held(), 0);
}

static void test_add_rejects(void **state)
{
	static const struct {
		gz_pa_t pa;
		uint64_t nr;
	} bad[] = {
	    {BASE, 0},					     /* empty */
	    {BASE + 8, 1},				     /* misaligned */
	    {0, 1},					     /* PA 0 ends the free list */
	    {UINT64_MAX & GZ_PAGE_MASK, 2},		     /* wraps */
	    {BASE, UINT64_MAX},				     /* size overflows */
	    {FAKE_PHYS_BASE - GZ_PAGE_SIZE, 1},		     /* not backed */
	    {FAKE_PHYS_BASE + (16 << 20) - GZ_PAGE_SIZE, 2}, /* runs off the end */
	};
	struct gz_pool pool;
	struct gz_pool_stats st;

	(void)state;
	gz_pool_init(&pool);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gz_pool_add(&pool, bad[i].pa, bad[i].nr), GZ_ERR_INVALID_ARGS);
	gz_pool_get_stats(&pool, &st);
	assert_int_equal(st.total, 0);
}

static void test_alloc_order_zero_and_accounting(void **state)
{
	struct gz_pool pool;
	struct gz_pool_acct a, b;
	struct gz_pool_stats st;
	gz_pa_t pa[4];

	(void)state;
	gz_pool_init(&pool);
	/* Dirty pages: the pool must hand them out zeroed. */
	memset(gz_hal_pa_to_va(BASE), 0xa5, 4 * GZ_PAGE_SIZE);
	assert_int_equal(gz_pool_add(&pool, BASE, 4), GZ_OK);
	gz_pool_acct_init(&a, &pool);
	gz_pool_acct_init(&b, &pool);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(gz_pool_alloc(i & 1 ? &b : &a, &pa[i]), GZ_OK);
		assert_int_equal(pa[i], BASE + (uint64_t)i * GZ_PAGE_SIZE);
		const uint8_t *p = gz_hal_pa_to_va(pa[i]);
		for (size_t k = 0; k < GZ_PAGE_SIZE; k++)
			assert_int_equal(p[k], 0);
	}
	assert_int_equal(a.pages, 2);
	assert_int_equal(b.pages, 2);
	gz_pool_get_stats(&pool, &st);
	assert_int_equal(st.total, 4);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.used, 4);
	assert_int_equal(gz_pool_alloc(&a, &pa[0]), GZ_ERR_NO_MEMORY);
	assert_int_equal(a.pages, 2);

	gz_pool_free(&a, BASE);
	gz_pool_free_va(&b, gz_hal_pa_to_va(BASE + GZ_PAGE_SIZE));
	assert_int_equal(a.pages, 1);
	assert_int_equal(b.pages, 1);
	gz_pool_get_stats(&pool, &st);
	assert_int_equal(st.free, 2);
	/* LIFO: the last page freed comes back first. */
	void *va = gz_pool_zalloc(&a);
	assert_ptr_equal(va, gz_hal_pa_to_va(BASE + GZ_PAGE_SIZE));
	assert_int_equal(fake_hal_locks_held(), 0);
}

static void test_take_shrinks(void **state)
{
	struct gz_pool pool;
	struct gz_pool_stats st;
	gz_pa_t pa;

	(void)state;
	gz_pool_init(&pool);
	assert_int_equal(gz_pool_add(&pool, BASE, 3), GZ_OK);
	assert_int_equal(gz_pool_take(&pool, &pa), GZ_OK);
	assert_int_equal(pa, BASE);
	gz_pool_get_stats(&pool, &st);
	assert_int_equal(st.total, 2);
	assert_int_equal(st.free, 2);
	assert_int_equal(st.used, 0);
}

static void test_mm_ops(void **state)
{
	struct gz_pool pool;
	struct gz_pool_acct acct;
	struct gz_pgt_mm_ops ops;

	(void)state;
	gz_pool_init(&pool);
	gz_pool_acct_init(&acct, &pool);
	assert_int_equal(gz_pool_add(&pool, BASE, 1), GZ_OK);
	gz_pool_mm_ops(&acct, &ops);
	assert_ptr_equal(ops.ctx, &acct);
	assert_non_null(ops.zalloc_contig); /* concatenated stage-2 roots */
	void *va = ops.zalloc_page(ops.ctx);
	assert_ptr_equal(va, gz_hal_pa_to_va(BASE));
	assert_int_equal(acct.pages, 1);
	assert_null(ops.zalloc_page(ops.ctx));
	ops.free_page(ops.ctx, va);
	assert_int_equal(acct.pages, 0);
}

static void test_contig(void **state)
{
	struct gz_pool pool;
	struct gz_pool_acct acct;
	struct gz_pgt_mm_ops ops;
	gz_pa_t pa, single, pas[4];
	uint8_t *va;

	(void)state;
	gz_pool_init(&pool);
	gz_pool_acct_init(&acct, &pool);
	/* Bad sizes: zero, not a power of two, too many. */
	assert_int_equal(gz_pool_alloc_contig(&acct, 0, &pa), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pool_alloc_contig(&acct, 3, &pa), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pool_alloc_contig(&acct, 32, &pa), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pool_alloc_contig(&acct, 2, &pa), GZ_ERR_NO_MEMORY);

	/* 17 pages starting one page past a 64 KiB boundary: the only aligned 16-run starts
	 * 15 pages in and is cut short, so 16 contiguous pages cannot be had; 8 can. */
	assert_int_equal(gz_pool_add(&pool, BASE + 0x1000, 17), GZ_OK);
	for (unsigned i = 0; i < 8; i++) /* dirty, but keep each free page's list link */
		memset((uint8_t *)gz_hal_pa_to_va(BASE + 0x8000 + i * 0x1000) + 8, 0xab, 0xff8);
	assert_int_equal(gz_pool_alloc_contig(&acct, 16, &pa), GZ_ERR_NO_MEMORY);
	assert_int_equal(gz_pool_alloc_contig(&acct, 8, &pa), GZ_OK);
	assert_int_equal(pa, BASE + 0x8000);
	assert_true(pa % 0x8000 == 0);
	va = gz_hal_pa_to_va(pa);
	for (unsigned i = 0; i < 0x8000; i++)
		assert_int_equal(va[i], 0);
	assert_int_equal(acct.pages, 8);
	assert_int_equal(pool.nr_free, 9);
	/* The rest of the list is intact: 9 single pages, none inside the run. */
	for (unsigned i = 0; i < 9; i++) {
		assert_int_equal(gz_pool_alloc(&acct, &single), GZ_OK);
		assert_true(single < pa || single >= pa + 0x8000);
	}
	assert_int_equal(gz_pool_alloc(&acct, &single), GZ_ERR_NO_MEMORY);
	gz_pool_free_contig(&acct, pa, 8);
	assert_int_equal(acct.pages, 9);
	/* Freed in ascending order: the same run is found again, now at the list head. */
	assert_int_equal(gz_pool_alloc_contig(&acct, 8, &pas[0]), GZ_OK);
	assert_int_equal(pas[0], pa);
	gz_pool_free_contig(&acct, pas[0], 8);

	/* Through the page-table engine's ops. */
	gz_pool_mm_ops(&acct, &ops);
	assert_non_null(ops.zalloc_contig);
	va = ops.zalloc_contig(ops.ctx, 4);
	assert_non_null(va);
	assert_int_equal(gz_hal_va_to_pa(va) % 0x4000, 0);
	assert_null(ops.zalloc_contig(ops.ctx, 16));
	ops.free_contig(ops.ctx, va, 4);
	assert_int_equal(acct.pages, 9);
	assert_int_equal(fake_hal_locks_held(), 0);
}

static void expect_panic(void (*fn)(void *), void *arg, const char *msg)
{
	jmp_buf jb;

	if (setjmp(jb) == 0) {
		fake_hal_panic_jmp = &jb;
		fn(arg);
		fail_msg("no panic");
	}
	fake_hal_panic_jmp = NULL;
	assert_non_null(fake_hal_last_panic());
	assert_non_null(strstr(fake_hal_last_panic(), msg));
}

static struct gz_pool panic_pool;
static struct gz_pool_acct panic_acct;

static void free_bad(void *arg)
{
	gz_pool_free(&panic_acct, (gz_pa_t)(uintptr_t)arg);
}

static void test_free_invariants(void **state)
{
	(void)state;
	gz_pool_init(&panic_pool);
	gz_pool_acct_init(&panic_acct, &panic_pool);
	expect_panic(free_bad, (void *)(uintptr_t)0, "bad page");
	expect_panic(free_bad, (void *)(uintptr_t)(BASE + 1), "bad page");
	/* The account never took a page. */
	expect_panic(free_bad, (void *)(uintptr_t)BASE, "more than it took");
	/* A page the HAL cannot map. */
	panic_pool.lock = (gz_lock_t)GZ_LOCK_INIT;
	panic_acct.pages = 1;
	expect_panic(free_bad, (void *)(uintptr_t)(FAKE_PHYS_BASE - GZ_PAGE_SIZE),
		     "without a mapping");
}

/* A quota two accounts share: what they hold together stays at or under its limit; a refusal
 * is NO_RESOURCES (an empty pool stays NO_MEMORY and charges nothing), is remembered once for
 * gz_pool_quota_refused, and contiguous runs count whole; lowering the limit below what is
 * held only refuses more; 0 lifts it. */
static void test_quota(void **state)
{
	struct gz_pool pool;
	struct gz_pool_quota q = {0};
	struct gz_pool_acct a, b;
	struct gz_pool_stats st;
	gz_pa_t pa[8], run;
	uint64_t limit, used;

	(void)state;
	gz_pool_init(&pool);
	assert_int_equal(gz_pool_add(&pool, BASE, 16), GZ_OK);
	gz_pool_acct_init(&a, &pool);
	gz_pool_acct_init(&b, &pool);
	a.quota = &q;
	b.quota = &q;
	assert_int_equal(gz_pool_quota_set(&pool, &q, 3, false), GZ_OK);
	assert_int_equal(gz_pool_alloc(&a, &pa[0]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&b, &pa[1]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&a, &pa[2]), GZ_OK);
	assert_false(gz_pool_quota_refused(&pool, &q));
	assert_int_equal(gz_pool_alloc(&b, &pa[3]), GZ_ERR_NO_RESOURCES);
	assert_null(gz_pool_zalloc(&a));
	assert_true(gz_pool_quota_refused(&pool, &q));
	assert_false(gz_pool_quota_refused(&pool, &q));
	gz_pool_quota_get(&pool, &q, &limit, &used);
	assert_int_equal(limit, 3);
	assert_int_equal(used, 3);
	assert_int_equal(a.pages + b.pages, 3);
	gz_pool_get_stats(&pool, &st);
	assert_int_equal(st.used, 3);

	/* A run of 2 with one page of room: refused whole. */
	gz_pool_free(&a, pa[2]);
	assert_int_equal(gz_pool_alloc_contig(&a, 2, &run), GZ_ERR_NO_RESOURCES);
	assert_true(gz_pool_quota_refused(&pool, &q));
	assert_int_equal(gz_pool_quota_set(&pool, &q, 4, false), GZ_OK);
	assert_int_equal(gz_pool_alloc_contig(&a, 2, &run), GZ_OK);
	gz_pool_quota_get(&pool, &q, &limit, &used);
	assert_int_equal(used, 4);

	/* Below what is held: nothing more, nothing taken away; freeing still works. */
	assert_int_equal(gz_pool_quota_set(&pool, &q, 1, false), GZ_OK);
	assert_int_equal(gz_pool_alloc(&b, &pa[3]), GZ_ERR_NO_RESOURCES);
	gz_pool_free_contig(&a, run, 2);
	gz_pool_quota_get(&pool, &q, &limit, &used);
	assert_int_equal(used, 2);
	assert_int_equal(gz_pool_alloc(&b, &pa[3]), GZ_ERR_NO_RESOURCES);
	assert_true(gz_pool_quota_refused(&pool, &q));

	/* No limit: the pool decides; when it is empty that is NO_MEMORY, nothing charged. */
	assert_int_equal(gz_pool_quota_set(&pool, &q, 0, false), GZ_OK);
	for (unsigned i = 2; i < 16; i++)
		assert_int_equal(gz_pool_alloc(&b, &pa[i % 8]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&b, &pa[3]), GZ_ERR_NO_MEMORY);
	assert_int_equal(gz_pool_alloc_contig(&b, 2, &run), GZ_ERR_NO_MEMORY);
	assert_false(gz_pool_quota_refused(&pool, &q));
	gz_pool_quota_get(&pool, &q, &limit, &used);
	assert_int_equal(used, 16);
	assert_int_equal(a.pages + b.pages, 16);
	assert_int_equal(fake_hal_locks_held(), 0);
}

/* Reserving quotas: each holds its unused pages back from everyone else, and the
 * reservations never promise more than is free (the setter refuses, nothing changed). */
static void test_quota_reserve(void **state)
{
	struct gz_pool pool;
	struct gz_pool_quota q1 = {0}, q2 = {0}, q3 = {0};
	struct gz_pool_acct a, b, c, free_acct;
	gz_pa_t pa[16], run;
	uint64_t limit, used;

	(void)state;
	gz_pool_init(&pool);
	assert_int_equal(gz_pool_add(&pool, BASE, 16), GZ_OK);
	gz_pool_acct_init(&a, &pool);
	gz_pool_acct_init(&b, &pool);
	gz_pool_acct_init(&c, &pool);
	gz_pool_acct_init(&free_acct, &pool);
	a.quota = &q1;
	b.quota = &q2;
	c.quota = &q3;
	assert_int_equal(gz_pool_quota_set(&pool, &q1, 6, true), GZ_OK);
	assert_int_equal(gz_pool_quota_set(&pool, &q2, 8, true), GZ_OK);
	assert_int_equal(pool.reserved, 14);
	/* 16 free, 14 promised: a third reservation of 3 would promise 17. */
	assert_int_equal(gz_pool_quota_set(&pool, &q3, 3, true), GZ_ERR_NO_RESOURCES);
	gz_pool_quota_get(&pool, &q3, &limit, &used);
	assert_int_equal(limit, 0);
	assert_int_equal(pool.reserved, 14);
	/* ... but a bound that reserves nothing is only a bound. */
	assert_int_equal(gz_pool_quota_set(&pool, &q3, 3, false), GZ_OK);
	/* The others get the 2 pages nobody reserved, then NO_MEMORY, while free pages remain. */
	assert_int_equal(gz_pool_alloc(&c, &pa[0]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&free_acct, &pa[1]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&c, &pa[2]), GZ_ERR_NO_MEMORY);
	assert_int_equal(gz_pool_alloc(&free_acct, &pa[2]), GZ_ERR_NO_MEMORY);
	assert_int_equal(gz_pool_alloc_contig(&free_acct, 2, &run), GZ_ERR_NO_MEMORY);
	assert_int_equal(gz_pool_take(&pool, &pa[2]), GZ_ERR_NO_MEMORY);
	assert_false(gz_pool_quota_refused(&pool, &q3));
	/* Each reservation is reached in full. */
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(gz_pool_alloc(&a, &pa[2 + i]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&a, &pa[8]), GZ_ERR_NO_RESOURCES);
	assert_int_equal(gz_pool_alloc_contig(&b, 4, &run), GZ_OK);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(gz_pool_alloc(&b, &pa[8 + i]), GZ_OK);
	assert_int_equal(pool.reserved, 0);
	assert_int_equal(pool.nr_free, 0);
	/* A page a reserving VM frees is its own again, not the others'. */
	gz_pool_free(&a, pa[2]);
	assert_int_equal(pool.reserved, 1);
	assert_int_equal(gz_pool_alloc(&c, &pa[2]), GZ_ERR_NO_MEMORY);
	assert_int_equal(gz_pool_alloc(&a, &pa[2]), GZ_OK);
	/* Growing a reservation needs free pages to back it; shrinking gives them back. */
	gz_pool_free_contig(&b, run, 4);
	assert_int_equal(pool.reserved, 4);
	assert_int_equal(gz_pool_quota_set(&pool, &q1, 7, true), GZ_ERR_NO_RESOURCES);
	assert_int_equal(gz_pool_quota_set(&pool, &q2, 6, true), GZ_OK);
	assert_int_equal(pool.reserved, 2);
	assert_int_equal(gz_pool_quota_set(&pool, &q1, 8, true), GZ_OK);
	assert_int_equal(pool.reserved, 4);
	assert_int_equal(gz_pool_alloc(&c, &pa[12]), GZ_ERR_NO_MEMORY);
	/* Ending a reservation (a VM's end) frees its promise for the others. */
	assert_int_equal(gz_pool_quota_set(&pool, &q1, 0, false), GZ_OK);
	assert_int_equal(pool.reserved, 2);
	assert_int_equal(gz_pool_alloc(&c, &pa[12]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&c, &pa[13]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&c, &pa[14]), GZ_ERR_NO_RESOURCES); /* its bound of 3 */
	assert_true(gz_pool_quota_refused(&pool, &q3));
	assert_int_equal(gz_pool_alloc(&free_acct, &pa[14]), GZ_ERR_NO_MEMORY);
	assert_true(pool.nr_free >= pool.reserved);
	/* A reservation below what it holds promises nothing. */
	assert_int_equal(gz_pool_quota_set(&pool, &q2, 1, true), GZ_OK);
	assert_int_equal(pool.reserved, 0);
	assert_int_equal(fake_hal_locks_held(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_empty_pool, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alloc_order_zero_and_accounting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_take_shrinks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mm_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_contig, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_invariants, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quota, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quota_reserve, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
