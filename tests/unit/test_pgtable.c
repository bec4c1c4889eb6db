/* Page-table engine on the stage-2 format: map/unmap/protect/translate/split/collapse with
 * aligned, misaligned, overlapping and out-of-range cases, break-before-make order, running
 * out of table memory mid-operation, and no leak after destroy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pgt_pool.h"

#define G  GZ_PGT_BLOCK_1G
#define M2 GZ_PGT_BLOCK_2M
#define K4 GZ_PAGE_SIZE
/* 35-bit IPA: start level 1, one root table, 1 GiB blocks available. */
#define IPA_BITS 35
#define IPA_TOP	 (1ULL << IPA_BITS)

struct fx {
	struct pgt_harness h;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	pgt_harness_init(&f->h, IPA_BITS, false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	const char *err = pgt_harness_fini(&f->h);

	free(f);
	assert_null(err);
	return 0;
}

static void check_model(struct fx *f)
{
	const char *err = pgt_check_model(&f->h.pgt, &f->h.model);

	if (err)
		fail_msg("%s", err);
}

static int do_map(struct fx *f, uint64_t ia, gz_pa_t pa, uint64_t size, uint32_t prot)
{
	int ret = gz_pgt_map(&f->h.pgt, ia, pa, size, prot);

	if (ret == GZ_OK)
		model_map(&f->h.model, ia, pa, size, prot);
	return ret;
}

static unsigned level_at(struct fx *f, uint64_t ia)
{
	unsigned level = 99;

	assert_int_equal(gz_pgt_translate(&f->h.pgt, ia, NULL, NULL, &level), GZ_OK);
	return level;
}

/* ---- map -------------------------------------------------------------------------------- */

struct map_case {
	const char *name;
	uint64_t ia;
	gz_pa_t pa;
	uint64_t size;
	struct {
		uint64_t off;
		unsigned level;
	} expect[4];
	uint64_t tables; /* table pages beyond the root */
};

static const struct map_case map_cases[] = {
    {"one page", 0x1000, 0x80001000, K4, {{0, 3}}, 2},
    {"2M block", 2 * M2, 0x80000000 + 4 * M2, M2, {{0, 2}, {M2 - K4, 2}}, 1},
    {"1G block", G, 2 * G, G, {{0, 1}, {G - K4, 1}}, 0},
    {"page+2M+1G mix",
     G - M2 - K4,
     3 * G - M2 - K4,
     K4 + M2 + G + K4,
     {{0, 3}, {K4, 2}, {K4 + M2, 1}, {K4 + M2 + G, 3}},
     4},
    {"pa not 2M aligned: pages", 4 * M2, 0x80001000, 2 * M2, {{0, 3}, {M2, 3}}, 3},
    {"pa 2M but not 1G aligned: 2M blocks", G, 2 * G + M2, G, {{0, 2}, {G - K4, 2}}, 1},
    {"top of the IPA space", IPA_TOP - 2 * K4, 0x10000, 2 * K4, {{0, 3}, {K4, 3}}, 2},
};

static void test_map_sizes(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < GZ_ARRAY_SIZE(map_cases); i++) {
		const struct map_case *c = &map_cases[i];
		uint64_t before = f->h.pgt.nr_table_pages;

		print_message("case %s\n", c->name);
		fake_hal_clear_ops();
		assert_int_equal(do_map(f, c->ia, c->pa, c->size, GZ_PROT_RW), GZ_OK);
		assert_int_equal(f->h.pgt.nr_table_pages - before, c->tables);
		/* Invalid -> valid: no TLB maintenance. */
		assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_IPA), 0);
		assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_VMID), 0);
		/* One DSB after zeroing new tables, one to publish. */
		assert_int_equal(fake_hal_count_ops(FAKE_OP_DSB), c->tables ? 2 : 1);
		for (size_t j = 0; j < 4 && c->expect[j].level; j++) {
			gz_pa_t pa;
			uint32_t prot;
			unsigned level;

			assert_int_equal(gz_pgt_translate(&f->h.pgt, c->ia + c->expect[j].off + 8,
							  &pa, &prot, &level),
					 GZ_OK);
			assert_int_equal(level, c->expect[j].level);
			assert_int_equal(pa, c->pa + c->expect[j].off + 8);
			assert_int_equal(prot, GZ_PROT_RW);
		}
		check_model(f);
		assert_int_equal(gz_pgt_unmap(&f->h.pgt, c->ia, c->size), GZ_OK);
		model_unmap(&f->h.model, c->ia, c->size);
		assert_int_equal(f->h.pgt.nr_table_pages, before);
		check_model(f);
	}
}

struct bad_case {
	const char *name;
	uint64_t ia;
	gz_pa_t pa;
	uint64_t size;
	uint32_t prot;
};

static const struct bad_case bad_map_cases[] = {
    {"misaligned ia", 0x1800, 0x1000, K4, GZ_PROT_R},
    {"misaligned pa", 0x1000, 0x1010, K4, GZ_PROT_R},
    {"misaligned size", 0x1000, 0x1000, 0x1800, GZ_PROT_R},
    {"size 0", 0x1000, 0x1000, 0, GZ_PROT_R},
    {"end past the IPA space", IPA_TOP - K4, 0x1000, 2 * K4, GZ_PROT_R},
    {"start past the IPA space", IPA_TOP, 0x1000, K4, GZ_PROT_R},
    {"ia + size wraps", 0xfffffffffffff000ULL, 0x1000, 2 * K4, GZ_PROT_R},
    {"pa past the PA size", 0, (1ULL << 40) - K4, 2 * K4, GZ_PROT_R},
    {"pa + size wraps", 0, 0xfffffffffffff000ULL, 2 * K4, GZ_PROT_R},
    {"unknown prot bits", 0, 0x1000, K4, 1u << 7},
    {"executable device", 0, 0x1000, K4, GZ_PROT_DEVICE | GZ_PROT_X},
};

static void test_map_bad_args(void **state)
{
	struct fx *f = *state;

	assert_int_equal(do_map(f, 0x200000, 0x200000, M2, GZ_PROT_R), GZ_OK);
	for (size_t i = 0; i < GZ_ARRAY_SIZE(bad_map_cases); i++) {
		const struct bad_case *c = &bad_map_cases[i];
		size_t allocs = f->h.pool.allocs;

		print_message("case %s\n", c->name);
		fake_hal_clear_ops();
		assert_int_equal(gz_pgt_map(&f->h.pgt, c->ia, c->pa, c->size, c->prot),
				 GZ_ERR_INVALID_ARGS);
		assert_int_equal(f->h.pool.allocs, allocs);
		assert_int_equal(fake_hal_nr_ops(), 0);
		check_model(f);
	}
	assert_int_equal(gz_pgt_map(NULL, 0, 0, K4, GZ_PROT_R), GZ_ERR_INVALID_ARGS);
}

static void test_map_overlap(void **state)
{
	struct fx *f = *state;
	uint64_t tables;

	assert_int_equal(do_map(f, 4 * M2, 0x90000000, 2 * M2, GZ_PROT_RW), GZ_OK);
	tables = f->h.pgt.nr_table_pages;
	/* The same translation again, or a part of it: fine, nothing changes. */
	assert_int_equal(do_map(f, 4 * M2, 0x90000000, 2 * M2, GZ_PROT_RW), GZ_OK);
	assert_int_equal(do_map(f, 4 * M2 + 5 * K4, 0x90000000 + 5 * K4, 3 * K4, GZ_PROT_RW),
			 GZ_OK);
	assert_int_equal(f->h.pgt.nr_table_pages, tables);
	assert_int_equal(level_at(f, 4 * M2 + 5 * K4), 2);
	/* Extending an identical mapping maps only the new part. */
	assert_int_equal(do_map(f, 5 * M2, 0x90000000 + M2, 2 * M2, GZ_PROT_RW), GZ_OK);
	assert_int_equal(level_at(f, 6 * M2), 2);
	check_model(f);

	const struct bad_case conflicts[] = {
	    {"other pa", 4 * M2 + K4, 0x90002000, K4, GZ_PROT_RW},
	    {"other prot", 4 * M2, 0x90000000, K4, GZ_PROT_R},
	    {"partly new, partly other", 3 * M2, 0x90000000 - M2 + K4, 2 * M2, GZ_PROT_RW},
	    {"device over normal", 4 * M2, 0x90000000, M2, GZ_PROT_RW | GZ_PROT_DEVICE},
	};
	for (size_t i = 0; i < GZ_ARRAY_SIZE(conflicts); i++) {
		print_message("conflict %s\n", conflicts[i].name);
		fake_hal_clear_ops();
		assert_int_equal(gz_pgt_map(&f->h.pgt, conflicts[i].ia, conflicts[i].pa,
					    conflicts[i].size, conflicts[i].prot),
				 GZ_ERR_ALREADY_EXISTS);
		assert_int_equal(fake_hal_nr_ops(), 0);
		check_model(f);
	}
	/* Nothing of the partly-new range got mapped. */
	assert_int_equal(gz_pgt_translate(&f->h.pgt, 3 * M2, NULL, NULL, NULL), GZ_ERR_NOT_FOUND);
}

/* ---- break-before-make ------------------------------------------------------------------ */

struct bbm_watch {
	struct fx *f;
	unsigned tlbis, vmid_flushes, violations;
	uint64_t inval_start, inval_end; /* must be invalid at a VMID flush */
};

/* At every TLBI the entry it invalidates must already be invalid in the tables. */
static void bbm_hook(const struct fake_op *op, void *arg)
{
	struct bbm_watch *w = arg;
	struct gz_pgt *pgt = &w->f->h.pgt;

	if (op->kind == FAKE_OP_TLBI_IPA) {
		struct hw_xlate x = hw_walk(gz_s2pt_vtcr(pgt), pgt->root_pa, true, op->b);

		w->tlbis++;
		if (x.valid || op->a != pgt->vmid)
			w->violations++;
	} else if (op->kind == FAKE_OP_TLBI_VMID) {
		w->vmid_flushes++;
		if (op->a != pgt->vmid)
			w->violations++;
		for (uint64_t ia = w->inval_start; ia < w->inval_end; ia += K4)
			if (hw_walk(gz_s2pt_vtcr(pgt), pgt->root_pa, true, ia).valid)
				w->violations++;
	}
}

/* Each TLBI_IPA sits between two DSBs: the break is visible before it, and it completes
 * before the make. */
static void assert_tlbi_fenced(void)
{
	for (size_t i = 0; i < fake_hal_nr_ops(); i++) {
		enum fake_op_kind k = fake_hal_op(i)->kind;

		if (k != FAKE_OP_TLBI_IPA && k != FAKE_OP_TLBI_VMID)
			continue;
		assert_true(i > 0 && fake_hal_op(i - 1)->kind == FAKE_OP_DSB);
		assert_true(i + 1 < fake_hal_nr_ops() && fake_hal_op(i + 1)->kind == FAKE_OP_DSB);
	}
}

static void test_bbm_protect(void **state)
{
	struct fx *f = *state;
	struct bbm_watch w = {.f = f};
	gz_pa_t pa;
	uint32_t prot;

	assert_int_equal(do_map(f, 0x10000, 0x50000, 4 * K4, GZ_PROT_RW), GZ_OK);
	fake_hal_clear_ops();
	fake_hal_set_op_hook(bbm_hook, &w);
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 0x11000, 2 * K4, GZ_PROT_R), GZ_OK);
	model_protect(&f->h.model, 0x11000, 2 * K4, GZ_PROT_R);
	fake_hal_set_op_hook(NULL, NULL);
	assert_int_equal(w.violations, 0);
	assert_int_equal(w.tlbis, 2);
	assert_tlbi_fenced();
	/* Exactly the two pages, at level 3, in order. */
	size_t t0 = fake_hal_find_op(FAKE_OP_TLBI_IPA, 0);
	size_t t1 = fake_hal_find_op(FAKE_OP_TLBI_IPA, t0 + 1);
	assert_int_equal(fake_hal_op(t0)->b, 0x11000);
	assert_int_equal(fake_hal_op(t0)->c, 3);
	assert_int_equal(fake_hal_op(t1)->b, 0x12000);
	assert_int_equal(gz_pgt_translate(&f->h.pgt, 0x11000, &pa, &prot, NULL), GZ_OK);
	assert_int_equal(pa, 0x51000);
	assert_int_equal(prot, GZ_PROT_R);
	check_model(f);
	/* Same prot again: nothing to break. */
	fake_hal_clear_ops();
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 0x10000, 4 * K4, GZ_PROT_R), GZ_OK);
	model_protect(&f->h.model, 0x10000, 4 * K4, GZ_PROT_R);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_IPA), 2); /* only 0x10000, 0x13000 */
	check_model(f);
}

static void test_bbm_protect_bulk(void **state)
{
	struct fx *f = *state;
	struct bbm_watch w = {.f = f, .inval_start = 8 * M2, .inval_end = 9 * M2};
	uint32_t prot;

	/* 512 pages (output not 2 MiB aligned): one VMID flush, every page broken before it
	 * and made after it. */
	assert_int_equal(do_map(f, 8 * M2, 0x30001000, M2, GZ_PROT_RW), GZ_OK);
	assert_int_equal(do_map(f, 9 * M2, 0x30201000, K4, GZ_PROT_RW), GZ_OK);
	fake_hal_clear_ops();
	fake_hal_set_op_hook(bbm_hook, &w);
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 8 * M2, M2, GZ_PROT_R | GZ_PROT_X), GZ_OK);
	fake_hal_set_op_hook(NULL, NULL);
	model_protect(&f->h.model, 8 * M2, M2, GZ_PROT_R | GZ_PROT_X);
	assert_int_equal(w.violations, 0);
	assert_int_equal(w.vmid_flushes, 1);
	assert_int_equal(w.tlbis, 0);
	assert_tlbi_fenced();
	/* The last op is the DSB publishing the made descriptors. */
	assert_int_equal(fake_hal_op(fake_hal_nr_ops() - 1)->kind, FAKE_OP_DSB);
	assert_true(fake_hal_find_op(FAKE_OP_TLBI_VMID, 0) < fake_hal_nr_ops() - 2);
	assert_int_equal(gz_pgt_translate(&f->h.pgt, 8 * M2 + 77 * K4, NULL, &prot, NULL), GZ_OK);
	assert_int_equal(prot, GZ_PROT_R | GZ_PROT_X);
	assert_int_equal(gz_pgt_translate(&f->h.pgt, 9 * M2, NULL, &prot, NULL), GZ_OK);
	assert_int_equal(prot, GZ_PROT_RW);
	check_model(f);
	/* Cutting a 1 GiB block counts as a table's worth: bulk as well, after the split. */
	assert_int_equal(do_map(f, 3 * G, 3 * G, G, GZ_PROT_RW), GZ_OK);
	fake_hal_clear_ops();
	w = (struct bbm_watch){.f = f, .inval_start = 3 * G + K4, .inval_end = 3 * G + M2};
	fake_hal_set_op_hook(bbm_hook, &w);
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 3 * G + K4, M2 - K4, GZ_PROT_R), GZ_OK);
	fake_hal_set_op_hook(NULL, NULL);
	model_protect(&f->h.model, 3 * G + K4, M2 - K4, GZ_PROT_R);
	assert_int_equal(w.violations, 0);
	assert_int_equal(w.vmid_flushes, 1);
	assert_int_equal(w.tlbis, 2); /* the two splits: 1G block, then 2M block */
	check_model(f);
}

static void test_bbm_unmap_threshold(void **state)
{
	struct fx *f = *state;
	struct bbm_watch w = {.f = f};
	size_t vm;

	/* Few pages: one TLBI by IPA per page (and per freed table), fenced. */
	assert_int_equal(do_map(f, 0x400000, 0x70400000, 8 * K4, GZ_PROT_RW), GZ_OK);
	fake_hal_clear_ops();
	fake_hal_set_op_hook(bbm_hook, &w);
	assert_int_equal(gz_pgt_unmap(&f->h.pgt, 0x400000, 8 * K4), GZ_OK);
	model_unmap(&f->h.model, 0x400000, 8 * K4);
	assert_int_equal(w.violations, 0);
	assert_int_equal(w.vmid_flushes, 0);
	assert_int_equal(w.tlbis, 8 + 2); /* 8 pages, then the emptied L3 and L2 tables */
	assert_tlbi_fenced();
	/* The emptied tables went back to the pool after their TLBI. */
	assert_int_equal(f->h.pgt.nr_table_pages, f->h.pgt.nr_roots);
	check_model(f);

	/* Many pages: one whole-VMID flush at the end, and tables freed only after it. */
	assert_int_equal(
	    do_map(f, 0x400000, 0x70401000, GZ_PGT_TLBI_RANGE_MAX * K4 + K4, GZ_PROT_RW), GZ_OK);
	fake_hal_clear_ops();
	w = (struct bbm_watch){.f = f};
	f->h.pool.first_free_at = SIZE_MAX;
	assert_int_equal(gz_pgt_unmap(&f->h.pgt, 0, M2 * 4), GZ_OK);
	model_unmap(&f->h.model, 0, M2 * 4);
	fake_hal_set_op_hook(NULL, NULL);
	assert_int_equal(w.violations, 0);
	assert_int_equal(w.tlbis, 0);
	assert_int_equal(w.vmid_flushes, 1);
	assert_tlbi_fenced();
	vm = fake_hal_find_op(FAKE_OP_TLBI_VMID, 0);
	assert_true(f->h.pool.first_free_at != SIZE_MAX && f->h.pool.first_free_at > vm);
	check_model(f);
}

static void test_split(void **state)
{
	struct fx *f = *state;
	struct bbm_watch w = {.f = f};
	uint64_t base = f->h.pgt.nr_table_pages;

	/* Unmapping one page of a 1 GiB block splits it twice: 1G -> 2M blocks -> pages. */
	assert_int_equal(do_map(f, G, 0x100000000ULL, G, GZ_PROT_RWX), GZ_OK);
	assert_int_equal(level_at(f, G), 1);
	fake_hal_clear_ops();
	fake_hal_set_op_hook(bbm_hook, &w);
	assert_int_equal(gz_pgt_unmap(&f->h.pgt, G + 3 * M2 + 5 * K4, K4), GZ_OK);
	fake_hal_set_op_hook(NULL, NULL);
	model_unmap(&f->h.model, G + 3 * M2 + 5 * K4, K4);
	assert_int_equal(w.violations, 0);
	assert_tlbi_fenced();
	/* Break of the 1G block (level 1), of the 2M block (level 2), then the page. */
	assert_int_equal(fake_hal_op(fake_hal_find_op(FAKE_OP_TLBI_IPA, 0))->c, 1);
	assert_int_equal(f->h.pgt.nr_table_pages - base, 2); /* L2 table of the 1G + L3 */
	assert_int_equal(level_at(f, G), 2);
	assert_int_equal(level_at(f, G + 3 * M2), 3);
	assert_int_equal(level_at(f, G + 3 * M2 + 6 * K4), 3);
	assert_int_equal(level_at(f, G + 4 * M2), 2);
	check_model(f);

	/* Protect cutting a 2M block splits it; the other pages keep their prot. */
	assert_int_equal(gz_pgt_protect(&f->h.pgt, G + 7 * M2 + M2 / 2, 2 * M2, GZ_PROT_R), GZ_OK);
	model_protect(&f->h.model, G + 7 * M2 + M2 / 2, 2 * M2, GZ_PROT_R);
	assert_int_equal(level_at(f, G + 7 * M2), 3);
	assert_int_equal(level_at(f, G + 8 * M2), 2);
	assert_int_equal(level_at(f, G + 9 * M2 + M2 / 2), 3);
	check_model(f);

	/* Unmapping a hole is fine and changes nothing. */
	fake_hal_clear_ops();
	assert_int_equal(gz_pgt_unmap(&f->h.pgt, 0x10000000, 16 * K4), GZ_OK);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_IPA), 0);
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 0x10000000, 16 * K4, GZ_PROT_R), GZ_OK);
	check_model(f);
}

static void test_unmap_protect_bad_args(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < GZ_ARRAY_SIZE(bad_map_cases); i++) {
		const struct bad_case *c = &bad_map_cases[i];

		if (c->ia % K4 == 0 && c->size % K4 == 0 && c->size && c->ia + c->size <= IPA_TOP &&
		    c->ia + c->size > c->ia)
			continue; /* only the range is checked by these */
		print_message("case %s\n", c->name);
		assert_int_equal(gz_pgt_unmap(&f->h.pgt, c->ia, c->size), GZ_ERR_INVALID_ARGS);
		assert_int_equal(gz_pgt_protect(&f->h.pgt, c->ia, c->size, GZ_PROT_R),
				 GZ_ERR_INVALID_ARGS);
		assert_int_equal(gz_pgt_collapse(&f->h.pgt, c->ia, c->size), GZ_ERR_INVALID_ARGS);
	}
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 0, K4, 1u << 9), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 0, K4, GZ_PROT_X | GZ_PROT_DEVICE),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_unmap(NULL, 0, K4), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_translate(&f->h.pgt, IPA_TOP, NULL, NULL, NULL),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_translate(NULL, 0, NULL, NULL, NULL), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_translate(&f->h.pgt, 0x5000, NULL, NULL, NULL), GZ_ERR_NOT_FOUND);
	check_model(f);
}

/* ---- collapse --------------------------------------------------------------------------- */

static void test_collapse(void **state)
{
	struct fx *f = *state;
	struct bbm_watch w = {.f = f};
	uint64_t base = f->h.pgt.nr_table_pages;

	/* A 1 GiB block cut to pages by a protect, then made uniform again: collapse goes
	 * bottom-up, pages -> 2M block -> 1G block, freeing both tables. */
	assert_int_equal(do_map(f, 2 * G, 0x200000000ULL, G, GZ_PROT_RW), GZ_OK);
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 2 * G + 5 * K4, K4, GZ_PROT_R), GZ_OK);
	assert_int_equal(level_at(f, 2 * G), 3);
	assert_int_equal(f->h.pgt.nr_table_pages - base, 2);
	/* Not uniform yet: nothing happens. */
	fake_hal_clear_ops();
	assert_int_equal(gz_pgt_collapse(&f->h.pgt, 2 * G, G), GZ_OK);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_VMID), 0);
	assert_int_equal(level_at(f, 2 * G), 3);
	assert_int_equal(level_at(f, 2 * G + M2), 2);
	assert_int_equal(gz_pgt_protect(&f->h.pgt, 2 * G + 5 * K4, K4, GZ_PROT_RW), GZ_OK);
	/* Range not covering the whole block: stays. */
	assert_int_equal(gz_pgt_collapse(&f->h.pgt, 2 * G, M2 - K4), GZ_OK);
	assert_int_equal(level_at(f, 2 * G), 3);
	fake_hal_clear_ops();
	f->h.pool.first_free_at = SIZE_MAX;
	fake_hal_set_op_hook(bbm_hook, &w);
	assert_int_equal(gz_pgt_collapse(&f->h.pgt, 2 * G, G), GZ_OK);
	fake_hal_set_op_hook(NULL, NULL);
	assert_int_equal(w.violations, 0);
	assert_int_equal(w.vmid_flushes, 2);
	assert_tlbi_fenced();
	assert_true(f->h.pool.first_free_at > fake_hal_find_op(FAKE_OP_TLBI_VMID, 0));
	assert_int_equal(level_at(f, 2 * G), 1);
	assert_int_equal(f->h.pgt.nr_table_pages, base);
	check_model(f);
}

static void test_collapse_batched(void **state)
{
	struct fx *f = *state;
	struct bbm_watch w = {.f = f};
	uint64_t base = f->h.pgt.nr_table_pages;

	/* 1 GiB cut into 512 tables of pages (a page of every 2 MiB protected and restored):
	 * collapsing it takes one VMID TLBI per level, not one per table. */
	assert_int_equal(do_map(f, 5 * G, 5 * G, G, GZ_PROT_RW), GZ_OK);
	for (uint64_t off = 0; off < G; off += M2) {
		assert_int_equal(gz_pgt_protect(&f->h.pgt, 5 * G + off + K4, K4, GZ_PROT_R), GZ_OK);
		assert_int_equal(gz_pgt_protect(&f->h.pgt, 5 * G + off + K4, K4, GZ_PROT_RW),
				 GZ_OK);
	}
	assert_int_equal(f->h.pgt.nr_table_pages - base, 1 + 512);
	fake_hal_clear_ops();
	f->h.pool.first_free_at = SIZE_MAX;
	w.inval_start = 5 * G;
	w.inval_end = 5 * G + 4 * M2;
	fake_hal_set_op_hook(bbm_hook, &w);
	assert_int_equal(gz_pgt_collapse(&f->h.pgt, 0, IPA_TOP), GZ_OK);
	fake_hal_set_op_hook(NULL, NULL);
	assert_int_equal(w.vmid_flushes, 2);
	assert_int_equal(w.tlbis, 0);
	assert_int_equal(w.violations, 0); /* broken at both flushes: 2M blocks, then 1G */
	assert_tlbi_fenced();
	assert_true(f->h.pool.first_free_at > fake_hal_find_op(FAKE_OP_TLBI_VMID, 0));
	assert_int_equal(level_at(f, 5 * G + 3 * M2), 1);
	assert_int_equal(f->h.pgt.nr_table_pages, base);
	check_model(f);
}

struct collapse_case {
	const char *name;
	uint64_t hole;	     /* offset of a page left unmapped, or ~0 */
	uint64_t other_pa;   /* offset of a page mapped elsewhere, or ~0 */
	uint64_t other_prot; /* offset of a page with another prot, or ~0 */
	gz_pa_t pa;	     /* output of the first page */
	unsigned level;	     /* level of the first page afterwards */
};

static const struct collapse_case collapse_cases[] = {
    {"uniform", ~0ULL, ~0ULL, ~0ULL, 0x60000000, 2},
    {"a hole", 7 * K4, ~0ULL, ~0ULL, 0x60000000, 3},
    {"a page elsewhere", ~0ULL, 9 * K4, ~0ULL, 0x60000000, 3},
    {"another prot", ~0ULL, ~0ULL, M2 - K4, 0x60000000, 3},
    {"contiguous but misaligned output", ~0ULL, ~0ULL, ~0ULL, 0x60001000, 3},
};

static void test_collapse_cases(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < GZ_ARRAY_SIZE(collapse_cases); i++) {
		const struct collapse_case *c = &collapse_cases[i];
		uint64_t ia = 16 * M2;

		print_message("case %s\n", c->name);
		for (uint64_t off = 0; off < M2; off += K4) {
			gz_pa_t pa = c->pa + off + (off == c->other_pa ? M2 * 8 : 0);
			uint32_t prot = off == c->other_prot ? GZ_PROT_R : GZ_PROT_RW;

			if (off != c->hole)
				assert_int_equal(do_map(f, ia + off, pa, K4, prot), GZ_OK);
		}
		assert_int_equal(level_at(f, ia), 3);
		assert_int_equal(gz_pgt_collapse(&f->h.pgt, ia, M2), GZ_OK);
		assert_int_equal(level_at(f, ia), c->level);
		check_model(f);
		assert_int_equal(gz_pgt_unmap(&f->h.pgt, ia, M2), GZ_OK);
		model_unmap(&f->h.model, ia, M2);
		check_model(f);
	}
}

/* ---- running out of table memory ---------------------------------------------------------- */

enum exh_op { EXH_MAP, EXH_UNMAP, EXH_PROTECT };

struct exh_case {
	const char *name;
	enum exh_op op;
	uint64_t ia, size;
	gz_pa_t pa;
};

static const struct exh_case exh_cases[] = {
    {"map 3 pages in fresh tables", EXH_MAP, 0x7fff000, 3 * K4, 0x1000},
    {"map 8 MiB of pages over 4 L3 tables", EXH_MAP, 3 * G - 2 * M2, 4 * M2, 0x1000},
    {"map across a 1G boundary", EXH_MAP, 4 * G - M2 - K4, M2 + 2 * K4, 0x3000},
    {"unmap one page of a 1G block", EXH_UNMAP, G + 3 * K4, K4, 0},
    {"unmap across two 2M blocks", EXH_UNMAP, G + M2 - K4, 2 * K4, 0},
    {"protect a page of a 1G block", EXH_PROTECT, G + 5 * M2 + 8 * K4, K4, 0},
};

static int exh_run(struct fx *f, const struct exh_case *c)
{
	switch (c->op) {
	case EXH_MAP:
		return gz_pgt_map(&f->h.pgt, c->ia, c->pa, c->size, GZ_PROT_RW);
	case EXH_UNMAP:
		return gz_pgt_unmap(&f->h.pgt, c->ia, c->size);
	default:
		return gz_pgt_protect(&f->h.pgt, c->ia, c->size, GZ_PROT_R);
	}
}

static void exh_model(struct fx *f, const struct exh_case *c)
{
	if (c->op == EXH_MAP)
		model_map(&f->h.model, c->ia, c->pa, c->size, GZ_PROT_RW);
	else if (c->op == EXH_UNMAP)
		model_unmap(&f->h.model, c->ia, c->size);
	else
		model_protect(&f->h.model, c->ia, c->size, GZ_PROT_R);
}

static void test_exhaustion(void **state)
{
	struct fx *f = *state;

	/* A 1 GiB block and a partly filled L3 table to cut and to extend. */
	assert_int_equal(do_map(f, G, 0x40000000ULL * 5, G, GZ_PROT_RW), GZ_OK);
	assert_int_equal(do_map(f, 0x7ff0000, 0x9000, 4 * K4, GZ_PROT_RW), GZ_OK);
	for (size_t i = 0; i < GZ_ARRAY_SIZE(exh_cases); i++) {
		const struct exh_case *c = &exh_cases[i];
		uint64_t tables = f->h.pgt.nr_table_pages;
		size_t outstanding = f->h.pool.outstanding;
		long n;
		int ret;

		print_message("case %s\n", c->name);
		/* Fail the n-th allocation for n = 0, 1, ... until the operation succeeds. */
		for (n = 0;; n++) {
			fake_hal_clear_ops();
			f->h.pool.fail_after = n;
			ret = exh_run(f, c);
			f->h.pool.fail_after = -1;
			if (ret == GZ_OK)
				break;
			assert_int_equal(ret, GZ_ERR_NO_MEMORY);
			assert_int_equal(f->h.pgt.nr_table_pages, tables);
			assert_int_equal(f->h.pool.outstanding, outstanding);
			assert_int_equal(fake_hal_nr_ops(), 0); /* no descriptor was touched */
			check_model(f);
		}
		assert_true(n >= 1);
		exh_model(f, c);
		assert_int_equal(f->h.pgt.nr_table_pages, tables + (uint64_t)n);
		check_model(f);
	}
}

/* ---- the walker -------------------------------------------------------------------------- */

struct count {
	unsigned leaves, pre, post, stop_at;
};

static int count_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct count *c = v->arg;

	if (flag == GZ_PGT_VISIT_LEAF)
		c->leaves++;
	else if (flag == GZ_PGT_VISIT_TABLE_PRE)
		c->pre++;
	else
		c->post++;
	return c->stop_at && c->leaves + c->pre + c->post == c->stop_at ? 42 : 0;
}

static void test_walker(void **state)
{
	struct fx *f = *state;
	struct count c = {0};
	unsigned flags = GZ_PGT_VISIT_LEAF | GZ_PGT_VISIT_TABLE_PRE | GZ_PGT_VISIT_TABLE_POST;

	assert_int_equal(do_map(f, 0x1000, 0x1000, 2 * K4, GZ_PROT_R), GZ_OK);
	/* Root at level 1, an L2 and an L3 table below. */
	assert_int_equal(gz_pgt_walk(&f->h.pgt, 0, 2 * M2, flags, count_visit, &c), 0);
	assert_int_equal(c.pre, 2);
	assert_int_equal(c.post, 2);
	assert_int_equal(c.leaves, 512 + 1);
	c = (struct count){.stop_at = 3};
	assert_int_equal(gz_pgt_walk(&f->h.pgt, 0, 2 * M2, flags, count_visit, &c), 42);
	c = (struct count){.stop_at = 1};
	assert_int_equal(gz_pgt_walk(&f->h.pgt, 0, 2 * M2, flags, count_visit, &c), 42);
	c = (struct count){.stop_at = 515};
	assert_int_equal(gz_pgt_walk(&f->h.pgt, 0, 2 * M2, flags, count_visit, &c), 42);
	c = (struct count){.stop_at = 514};
	assert_int_equal(gz_pgt_walk(&f->h.pgt, 0, 2 * M2, flags, count_visit, &c), 42);
	/* valid leaves only: the two pages mapped, none of the 511 invalid entries around them */
	c = (struct count){0};
	assert_int_equal(
	    gz_pgt_walk(&f->h.pgt, 0, 2 * M2, flags | GZ_PGT_VISIT_VALID_ONLY, count_visit, &c), 0);
	assert_int_equal(c.leaves, 2);
	assert_int_equal(c.pre, 2);
	assert_int_equal(c.post, 2);
	c = (struct count){0};
	assert_int_equal(gz_pgt_walk(&f->h.pgt, 2 * M2, 4 * M2,
				     GZ_PGT_VISIT_LEAF | GZ_PGT_VISIT_VALID_ONLY, count_visit, &c),
			 0);
	assert_int_equal(c.leaves, 0);
	check_model(f);
}

static int null_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	(void)flag;
	/* A PRE visitor replacing the table: the walker must not descend. */
	*v->ptep = 0;
	return 0;
}

static void test_walker_pre_replaces(void **state)
{
	struct fx *f = *state;
	uint64_t *l3;
	uint64_t root_desc;

	assert_int_equal(do_map(f, 0x1000, 0x1000, K4, GZ_PROT_R), GZ_OK);
	root_desc = f->h.pgt.root[0];
	l3 = gz_hal_pa_to_va(root_desc & ARCH_PTE_ADDR_MASK);
	assert_int_equal(
	    gz_pgt_walk(&f->h.pgt, 0, K4 * 4, GZ_PGT_VISIT_TABLE_PRE, null_visit, NULL), 0);
	assert_int_equal(f->h.pgt.root[0], 0);
	/* Put it back so teardown frees the table. */
	f->h.pgt.root[0] = root_desc;
	assert_non_null(l3);
	check_model(f);
}

/* ---- destroy -------------------------------------------------------------------------------- */

static void test_destroy_frees_all(void **state)
{
	struct fx *f = *state;

	assert_int_equal(do_map(f, 0, 0x1000, 3 * M2 + 5 * K4, GZ_PROT_RW), GZ_OK);
	assert_int_equal(do_map(f, 3 * G + 7 * K4, 0x1000, K4, GZ_PROT_R), GZ_OK);
	assert_int_equal(do_map(f, G, G, G, GZ_PROT_RWX), GZ_OK);
	assert_int_equal(gz_pgt_table_bytes(&f->h.pgt), f->h.pool.outstanding * GZ_PAGE_SIZE);
	assert_true(f->h.pool.outstanding > 4);
	check_model(f);
	/* teardown destroys and asserts that the pool got every page back */
	gz_pgt_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_map_sizes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_bad_args, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_overlap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bbm_protect, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bbm_protect_bulk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bbm_unmap_threshold, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_protect_bad_args, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_collapse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_collapse_batched, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_collapse_cases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walker, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walker_pre_replaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_frees_all, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
