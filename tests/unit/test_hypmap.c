/*
 * gzhyp at least privilege: what the core asks the HAL to map for the hypervisor itself
 * (gz_hal_hyp_map/unmap) follows the page-state transitions exactly, refused transitions map
 * nothing, and host memory is read or scrubbed only through the fixmap (gz_hal_fixmap), one
 * page at a time. Also the EL2 stage-1 fixmap slot of the page-table engine (s1pt_el2.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <uapi/linux/gzvm.h>
#include <gzabi/hvc.h>
#include <gzhyp/hostmem.h>
#include <gzhyp/s2pt.h>

#include "mem_fixture.h"
#include "pgt_pool.h"

#define WORK_PAGES (FIX_WORK_SIZE >> GZ_PAGE_SHIFT)

static jmp_buf jb;

#define EXPECT_PANIC(stmt, msg) FAKE_EXPECT_PANIC(jb, stmt, msg)

static int setup(void **state)
{
	(void)state;
	return fix_init(FIX_WORK_SIZE) == GZ_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fake_hal_teardown();
	return 0;
}

static uint64_t map_calls(void)
{
	uint64_t m, u, f;

	fake_hal_hyp_calls(&m, &u, &f);
	return m;
}

static uint64_t unmap_calls(void)
{
	uint64_t m, u, f;

	fake_hal_hyp_calls(&m, &u, &f);
	return u;
}

static uint64_t fixmap_calls(void)
{
	uint64_t m, u, f;

	fake_hal_hyp_calls(&m, &u, &f);
	return f;
}

/* After init gzhyp maps its working memory (store and pool) and nothing else: not its image
 * range (the port maps that with its own permissions), not one host page. */
static void test_init_maps_working_memory_only(void **state)
{
	(void)state;
	assert_int_equal(fake_hal_hyp_mapped_pages(), WORK_PAGES);
	assert_true(fake_hal_hyp_mapped(FIX_WORK_BASE));
	assert_true(fake_hal_hyp_mapped(FIX_WORK_BASE + FIX_WORK_SIZE - GZ_PAGE_SIZE));
	assert_false(fake_hal_hyp_mapped(FIX_HYP_BASE));
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(0)));
	assert_false(fake_hal_hyp_mapped(FIX_HOST_END - GZ_PAGE_SIZE));
}

/* A failed init leaves nothing mapped. */
static void test_init_failure_unmaps(void **state)
{
	struct gz_mem_config cfg = {
	    .hyp_base = FIX_WORK_BASE, /* overlaps the working memory: refused */
	    .hyp_size = FIX_HYP_SIZE,
	    .work_base = FIX_WORK_BASE,
	    .work_size = FIX_WORK_SIZE,
	};

	(void)state;
	fake_hal_reset(FIX_PHYS_SIZE, 0);
	assert_int_equal(gz_mem_init(&cfg), GZ_ERR_INVALID_ARGS);
	assert_int_equal(fake_hal_hyp_mapped_pages(), 0);
	fake_hal_reset(FIX_PHYS_SIZE, 0);
	fake_hal_set_hyp_map_fails(true);
	cfg.hyp_base = FIX_HYP_BASE;
	assert_int_equal(gz_mem_init(&cfg), GZ_ERR_NO_MEMORY);
	assert_int_equal(fake_hal_hyp_mapped_pages(), 0);
	fake_hal_set_hyp_map_fails(false);
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	assert_int_equal(fake_hal_hyp_mapped_pages(), WORK_PAGES);
}

/* A host page shared with gzhyp is mapped at the share, exactly it, and unmapped at the
 * unshare. */
static void test_share_maps_unshare_unmaps(void **state)
{
	(void)state;
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(4), 2), GZ_OK);
	assert_int_equal(map_calls(), 2); /* init, share */
	assert_true(fake_hal_hyp_mapped(FIX_PAGE(4)));
	assert_true(fake_hal_hyp_mapped(FIX_PAGE(5)));
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(3)));
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(6)));
	assert_int_equal(fake_hal_hyp_mapped_pages(), WORK_PAGES + 2);
	assert_int_equal(gz_mem_host_unshare_hyp(FIX_PAGE(4), 2), GZ_OK);
	assert_int_equal(unmap_calls(), 1);
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(4)));
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(5)));
	assert_int_equal(fake_hal_hyp_mapped_pages(), WORK_PAGES);
	assert_int_equal(gz_mem_check_invariants(NULL, 0, NULL), GZ_OK);
}

/* Refused shares and unshares change neither the store nor gzhyp's map. */
static void test_refusals_map_nothing(void **state)
{
	size_t bytes;
	void *snap;

	(void)state;
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(0), 1), GZ_OK);
	snap = fix_snapshot(&bytes);
	fake_hal_clear_ops();
	/* hypervisor memory: its image and its working memory */
	assert_int_equal(gz_mem_host_share_hyp(FIX_HYP_BASE, 1), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(gz_mem_host_share_hyp(FIX_WORK_BASE, 1), GZ_ERR_ACCESS_DENIED);
	/* a range running into hypervisor memory */
	assert_int_equal(gz_mem_host_share_hyp(FIX_HOST_BASE - GZ_PAGE_SIZE, 2),
			 GZ_ERR_ACCESS_DENIED);
	/* double share, whole or in part */
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(0), 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(1), 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(1) - 1, 1), GZ_ERR_INVALID_ARGS);
	/* beyond the machine's memory */
	assert_int_equal(gz_mem_host_share_hyp(FIX_HOST_END, 1), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(map_calls(), 2); /* init and the one share */
	/* unshare of what was never shared, and of a range only partly shared */
	assert_int_equal(gz_mem_host_unshare_hyp(FIX_PAGE(1), 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_unshare_hyp(FIX_PAGE(0), 2), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_unshare_hyp(FIX_HYP_BASE, 1), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(gz_mem_host_unshare_hyp(FIX_WORK_BASE, 1), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(unmap_calls(), 0);
	assert_true(fix_same_as(snap, bytes));
	assert_true(fake_hal_hyp_mapped(FIX_PAGE(0)));
	assert_int_equal(fake_hal_hyp_mapped_pages(), WORK_PAGES + 1);
	free(snap);
}

/* When the page cannot be mapped for gzhyp, the share fails and the page stays the host's. */
static void test_share_without_table_page(void **state)
{
	size_t bytes;
	void *snap;

	(void)state;
	snap = fix_snapshot(&bytes);
	fake_hal_set_hyp_map_fails(true);
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(0), 1), GZ_ERR_NO_MEMORY);
	assert_true(fix_same_as(snap, bytes));
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(0)));
	assert_int_equal(gz_mem_host_donate_hyp(FIX_PAGE(0), 1), GZ_ERR_NO_MEMORY);
	assert_true(fix_same_as(snap, bytes));
	fake_hal_set_hyp_map_fails(false);
	assert_int_equal(gz_mem_host_unshare_hyp(FIX_PAGE(0), 1), GZ_ERR_BAD_STATE);
	free(snap);
}

/* Pool donations are mapped for gzhyp; pages going back to the host are scrubbed through
 * the fixmap and unmapped. */
static void test_donate_maps_return_unmaps(void **state)
{
	struct gz_pool_stats st;
	uint64_t n, fix0;

	(void)state;
	gz_pool_get_stats(gz_mem_pool(), &st);
	fix_fill(FIX_PAGE(8), 0x5a);
	assert_int_equal(gz_mem_host_donate_hyp(FIX_PAGE(8), 2), GZ_OK);
	assert_true(fake_hal_hyp_mapped(FIX_PAGE(8)));
	assert_true(fake_hal_hyp_mapped(FIX_PAGE(9)));
	/* the same pages again: they are gzhyp's now */
	assert_int_equal(gz_mem_host_donate_hyp(FIX_PAGE(8), 1), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(9), 1), GZ_ERR_ACCESS_DENIED);
	fix0 = fixmap_calls();
	assert_int_equal(gz_mem_hyp_return_host(st.free + 2, &n), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(fixmap_calls() - fix0, 2);
	assert_false(fake_hal_fixmap_busy());
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(8)));
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(9)));
	assert_true(fix_is_zero(FIX_PAGE(8)));
	assert_int_equal(fake_hal_hyp_mapped_pages(), WORK_PAGES);
	assert_int_equal(gz_mem_check_invariants(NULL, 0, NULL), GZ_OK);
}

/* A guest's pages are never mapped for gzhyp: donation (to a protected VM) maps them only in
 * the guest's stage 2, and reclaim scrubs each through the fixmap. */
static void test_guest_pages_scrubbed_through_fixmap(void **state)
{
	struct gz_vm_mem vm;
	uint64_t fix0;

	(void)state;
	assert_int_equal(gz_vm_mem_init(&vm, 1, 32, 1), GZ_OK);
	assert_int_equal(gz_vm_mem_set_protected(&vm), GZ_OK);
	fix_fill(FIX_PAGE(16), 0xa5);
	assert_int_equal(gz_mem_host_give_guest(&vm, FIX_PAGE(16), 0x80000000, 4), GZ_OK);
	for (unsigned i = 16; i < 20; i++)
		assert_false(fake_hal_hyp_mapped(FIX_PAGE(i)));
	fix0 = fixmap_calls();
	while (gz_vm_mem_reclaim(&vm, 64) == GZ_ERR_BUSY)
		;
	assert_int_equal(fixmap_calls() - fix0, 4);
	assert_false(fake_hal_fixmap_busy());
	assert_true(fix_is_zero(FIX_PAGE(16)));
	for (unsigned i = 16; i < 20; i++)
		assert_false(fake_hal_hyp_mapped(FIX_PAGE(i)));
	assert_int_equal(fake_hal_hyp_mapped_pages(), WORK_PAGES);
}

/* Host structures are read through the fixmap, page by page, and the slot is free after. */
static void test_hostmem_read(void **state)
{
	uint8_t buf[GZ_PAGE_SIZE + 64];
	uint8_t *src = gz_hal_pa_to_va(FIX_PAGE(2));
	uint64_t fix0 = fixmap_calls();

	(void)state;
	for (size_t i = 0; i < 2 * GZ_PAGE_SIZE; i++)
		src[i] = (uint8_t)(i * 7);
	/* 32 bytes before a page boundary to 32 past the next one: three pages */
	assert_int_equal(gz_hostmem_read(buf, FIX_PAGE(2) + GZ_PAGE_SIZE - 32, 32), GZ_OK);
	assert_memory_equal(buf, src + GZ_PAGE_SIZE - 32, 32);
	assert_int_equal(fixmap_calls() - fix0, 1);
	assert_int_equal(gz_hostmem_read(buf, FIX_PAGE(2) + 32, sizeof(buf)), GZ_OK);
	assert_memory_equal(buf, src + 32, sizeof(buf));
	assert_int_equal(fixmap_calls() - fix0, 3);
	assert_false(fake_hal_fixmap_busy());
	assert_false(fake_hal_hyp_mapped(FIX_PAGE(2)));
	/* not RAM, and a range that wraps */
	assert_int_equal(gz_hostmem_read(buf, FIX_HOST_END, 8), GZ_ERR_OUT_OF_RANGE);
	assert_false(fake_hal_fixmap_busy());
	assert_int_equal(gz_hostmem_read(buf, UINT64_MAX - 4, 8), GZ_ERR_INVALID_ARGS);
}

/* ---- the EL2 stage-1 fixmap slot ------------------------------------------------------- */

#define SLOT_VA ((1ULL << 39) - 0x200000ULL)

struct slot_env {
	struct pgt_pool pool;
	struct gz_pgt pgt;
};

static void slot_env_init(struct slot_env *e)
{
	struct gz_pgt_mm_ops mm = {.zalloc_page = pool_zalloc, .free_page = pool_free};

	fake_hal_reset(8 << 20, 0);
	pgt_pool_init(&e->pool, 64);
	mm.ctx = &e->pool;
	assert_int_equal(gz_s1pt_el2_init(&e->pgt, 39, 39, &mm), GZ_OK);
}

static uint64_t *slot_pte_seen;
static uint64_t slot_pte_at_tlbi;

static void record_pte(const struct fake_op *op, void *arg)
{
	(void)arg;
	if (op->kind == FAKE_OP_TLBI_EL2_VA && slot_pte_seen)
		slot_pte_at_tlbi = *slot_pte_seen;
}

static void test_fixmap_slot(void **state)
{
	struct slot_env e;
	struct gz_s1pt_el2_slot slot, other;
	const gz_pa_t pa = FAKE_PHYS_BASE + (4ULL << 20);
	uint32_t prot;
	gz_pa_t out;
	size_t tlbi;
	void *va;

	(void)state;
	slot_env_init(&e);
	assert_int_equal(gz_s1pt_el2_slot_init(&e.pgt, SLOT_VA + 1, &slot), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_s1pt_el2_slot_init(&e.pgt, SLOT_VA, &slot), GZ_OK);
	assert_non_null(slot.ptep);
	assert_false(slot.busy);
	/* set up, the slot maps nothing, and a second slot at the same address is refused */
	assert_int_equal(gz_pgt_translate(&e.pgt, SLOT_VA, NULL, NULL, NULL), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_s1pt_el2_slot_init(&e.pgt, SLOT_VA + GZ_PAGE_SIZE, &other), GZ_OK);
	assert_int_equal(
	    gz_pgt_map(&e.pgt, SLOT_VA + 2 * GZ_PAGE_SIZE, pa, GZ_PAGE_SIZE, GZ_PROT_R), GZ_OK);
	assert_int_equal(gz_s1pt_el2_slot_init(&e.pgt, SLOT_VA + 2 * GZ_PAGE_SIZE, &other),
			 GZ_ERR_ALREADY_EXISTS);

	va = gz_s1pt_el2_slot_map(&e.pgt, &slot, pa);
	assert_int_equal((uint64_t)(uintptr_t)va, SLOT_VA);
	assert_int_equal(gz_pgt_translate(&e.pgt, SLOT_VA, &out, &prot, NULL), GZ_OK);
	assert_int_equal(out, pa);
	assert_int_equal(prot, GZ_PROT_RW); /* never executable */
	EXPECT_PANIC(gz_s1pt_el2_slot_map(&e.pgt, &slot, pa), "fixmap slot busy");

	/* unmap: the entry is invalid before its TLBI, then the page is gone */
	fake_hal_clear_ops();
	slot_pte_seen = slot.ptep;
	slot_pte_at_tlbi = ~0ULL;
	fake_hal_set_op_hook(record_pte, NULL);
	gz_s1pt_el2_slot_unmap(&slot);
	fake_hal_set_op_hook(NULL, NULL);
	tlbi = fake_hal_find_op(FAKE_OP_TLBI_EL2_VA, 0);
	assert_int_not_equal(tlbi, (size_t)-1);
	assert_int_equal(fake_hal_op(tlbi)->a, SLOT_VA);
	assert_int_equal(slot_pte_at_tlbi, 0);
	assert_int_not_equal(fake_hal_find_op(FAKE_OP_ISB, tlbi), (size_t)-1);
	assert_int_equal(gz_pgt_translate(&e.pgt, SLOT_VA, NULL, NULL, NULL), GZ_ERR_NOT_FOUND);
	EXPECT_PANIC(gz_s1pt_el2_slot_unmap(&slot), "maps nothing");
	/* reusable, and misuse refused */
	va = gz_s1pt_el2_slot_map(&e.pgt, &slot, pa + GZ_PAGE_SIZE);
	assert_int_equal(gz_pgt_translate(&e.pgt, SLOT_VA, &out, NULL, NULL), GZ_OK);
	assert_int_equal(out, pa + GZ_PAGE_SIZE);
	gz_s1pt_el2_slot_unmap(&slot);
	EXPECT_PANIC(gz_s1pt_el2_slot_map(&e.pgt, &slot, pa + 1), "bad address");
	slot.busy = false;
	EXPECT_PANIC(gz_s1pt_el2_slot_map(&e.pgt, &slot, 1ULL << 40), "bad address");
	slot_pte_seen = NULL;
	gz_pgt_destroy(&e.pgt);
	pgt_pool_fini(&e.pool);
	fake_hal_teardown();
}

/* A slot needs EL2 stage-1 tables and table pages to build; an unset slot maps nothing. */
static void test_fixmap_slot_refusals(void **state)
{
	struct gz_pgt_mm_ops mm = {.zalloc_page = pool_zalloc, .free_page = pool_free};
	struct gz_s1pt_el2_slot slot = {0};
	struct gz_pgt s2;
	struct slot_env e;

	(void)state;
	slot_env_init(&e);
	EXPECT_PANIC(gz_s1pt_el2_slot_map(&e.pgt, &slot, FAKE_PHYS_BASE), "unset");
	mm.ctx = &e.pool;
	assert_int_equal(gz_s2pt_init(&s2, 32, 39, 1, &mm), GZ_OK);
	assert_int_equal(gz_s1pt_el2_slot_init(&s2, SLOT_VA >> 8, &slot), GZ_ERR_INVALID_ARGS);
	e.pool.fail_after = 0;
	assert_int_equal(gz_s1pt_el2_slot_init(&e.pgt, SLOT_VA, &slot), GZ_ERR_NO_MEMORY);
	assert_null(slot.ptep);
	assert_int_equal(gz_pgt_translate(&e.pgt, SLOT_VA, NULL, NULL, NULL), GZ_ERR_NOT_FOUND);
	e.pool.fail_after = -1;
	gz_pgt_destroy(&s2);
	gz_pgt_destroy(&e.pgt);
	pgt_pool_fini(&e.pool);
	fake_hal_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init_maps_working_memory_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_init_failure_unmaps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_share_maps_unshare_unmaps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals_map_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_share_without_table_page, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_donate_maps_return_unmaps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guest_pages_scrubbed_through_fixmap, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_hostmem_read, setup, teardown),
	    cmocka_unit_test(test_fixmap_slot),
	    cmocka_unit_test(test_fixmap_slot_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
