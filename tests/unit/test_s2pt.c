/* Stage-2 geometry and VTCR for every IPA size 32..48 (start level, concatenated roots,
 * walked from VTCR/VTTBR as the hardware does), stage-2 descriptor bits per prot, the EL2
 * stage-1 format on the same engine, and init errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arm64/vtcr.h>

#include "pgt_pool.h"

static struct pgt_pool pool;

static int setup(void **state)
{
	(void)state;
	fake_hal_reset(64ULL << 20, 0);
	pgt_pool_init(&pool, 4096);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(pool.outstanding, 0);
	pgt_pool_fini(&pool);
	fake_hal_teardown();
	return 0;
}

struct geo_case {
	unsigned ipa;
	unsigned level, nr;	  /* with concatenation */
	unsigned level_nc, nr_nc; /* without, PA 48 */
};

static const struct geo_case geo_cases[] = {
    {32, 2, 4, 1, 1}, {33, 2, 8, 1, 1},	 {34, 2, 16, 1, 1}, {35, 1, 1, 1, 1}, {36, 1, 1, 1, 1},
    {37, 1, 1, 1, 1}, {38, 1, 1, 1, 1},	 {39, 1, 1, 1, 1},  {40, 1, 2, 0, 1}, {41, 1, 4, 0, 1},
    {42, 1, 8, 0, 1}, {43, 1, 16, 0, 1}, {44, 0, 1, 0, 1},  {45, 0, 1, 0, 1}, {46, 0, 1, 0, 1},
    {47, 0, 1, 0, 1}, {48, 0, 1, 0, 1},
};

static void check_geometry(unsigned ipa, bool contig, unsigned level, unsigned nr)
{
	struct gz_pgt_mm_ops mm = pgt_pool_ops(&pool, contig);
	struct gz_pgt pgt;
	uint64_t vtcr, top = 1ULL << ipa;
	const gz_pa_t pa_lo = 0x123456000ULL, pa_hi = 0xabcdef000ULL;
	struct hw_xlate x;

	assert_int_equal(gz_s2pt_init(&pgt, ipa, 48, 0x42, &mm), GZ_OK);
	assert_int_equal(pgt.start_level, level);
	assert_int_equal(pgt.nr_roots, nr);
	assert_int_equal(pgt.nr_table_pages, nr);
	assert_true(GZ_IS_ALIGNED(pgt.root_pa, nr * GZ_PAGE_SIZE));
	vtcr = gz_s2pt_vtcr(&pgt);
	assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_T0SZ, vtcr), 64 - ipa);
	assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_SL0, vtcr), 2 - level);
	assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_PS, vtcr), ARCH_PARANGE_48);
	assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_TG0, vtcr), ARCH_TCR_TG0_4K);
	assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_SH0, vtcr), ARCH_TCR_SH_INNER);
	assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_IRGN0, vtcr), ARCH_TCR_RGN_WBWA);
	assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_ORGN0, vtcr), ARCH_TCR_RGN_WBWA);
	assert_true(vtcr & ARCH_VTCR_RES1);
	assert_false(vtcr & ARCH_VTCR_VS);
	assert_int_equal(gz_s2pt_vttbr(&pgt), pgt.root_pa | 0x42ULL << 48);
	/* First and last page of the IPA space: the last sits in the last concatenated
	 * table, found by a walk that knows only VTCR and VTTBR. */
	assert_int_equal(gz_pgt_map(&pgt, 0, pa_lo, GZ_PAGE_SIZE, GZ_PROT_R), GZ_OK);
	assert_int_equal(gz_pgt_map(&pgt, top - GZ_PAGE_SIZE, pa_hi, GZ_PAGE_SIZE, GZ_PROT_RW),
			 GZ_OK);
	x = hw_walk(vtcr, gz_s2pt_vttbr(&pgt), true, 0x10);
	assert_true(x.valid);
	assert_int_equal(x.pa, pa_lo + 0x10);
	x = hw_walk(vtcr, gz_s2pt_vttbr(&pgt), true, top - 8);
	assert_true(x.valid);
	assert_int_equal(x.level, 3);
	assert_int_equal(x.pa, pa_hi + GZ_PAGE_SIZE - 8);
	assert_int_equal(hw_s2_prot(x.desc), GZ_PROT_RW);
	x = hw_walk(vtcr, gz_s2pt_vttbr(&pgt), true, top / 2);
	assert_false(x.valid);
	assert_int_equal(gz_pgt_map(&pgt, top, pa_hi, GZ_PAGE_SIZE, GZ_PROT_R),
			 GZ_ERR_INVALID_ARGS);
	/* Tables: one chain of 3 - start_level tables per mapped page (distinct chains). */
	assert_int_equal(pgt.nr_table_pages, nr + 2 * (3 - level));
	assert_int_equal(gz_pgt_unmap(&pgt, 0, top), GZ_OK);
	assert_int_equal(pgt.nr_table_pages, nr);
	gz_pgt_destroy(&pgt);
	assert_null(pgt.root);
	assert_int_equal(pool.outstanding, 0);
}

static void test_every_ipa_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(geo_cases); i++) {
		const struct geo_case *c = &geo_cases[i];
		unsigned level, nr;

		print_message("IPA %u\n", c->ipa);
		check_geometry(c->ipa, true, c->level, c->nr);
		check_geometry(c->ipa, false, c->level_nc, c->nr_nc);
		assert_true(gz_s2pt_geometry(c->ipa, 48, true, &level, &nr));
		assert_int_equal(level, c->level);
		assert_int_equal(nr, c->nr);
	}
}

struct init_err_case {
	const char *name;
	unsigned ipa, pa;
	bool contig;
	int ret;
};

static const struct init_err_case init_errs[] = {
    {"IPA 31", 31, 48, true, GZ_ERR_INVALID_ARGS},
    {"IPA 49", 49, 48, true, GZ_ERR_INVALID_ARGS},
    {"PA 31", 32, 31, true, GZ_ERR_INVALID_ARGS},
    {"PA 49", 32, 49, true, GZ_ERR_INVALID_ARGS},
    {"IPA beyond the PA range", 44, 40, true, GZ_ERR_INVALID_ARGS},
    {"level 0 start below 44-bit PA", 41, 42, false, GZ_ERR_NOT_SUPPORTED},
    {"level 0 start below 44-bit PA, 40", 40, 40, false, GZ_ERR_NOT_SUPPORTED},
};

static void test_init_errors(void **state)
{
	struct gz_pgt pgt;
	struct gz_pgt_mm_ops mm;
	unsigned level, nr;

	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(init_errs); i++) {
		const struct init_err_case *c = &init_errs[i];

		print_message("case %s\n", c->name);
		mm = pgt_pool_ops(&pool, c->contig);
		assert_int_equal(gz_s2pt_init(&pgt, c->ipa, c->pa, 1, &mm), c->ret);
		assert_int_equal(pool.outstanding, 0);
	}
	/* The same sizes work with concatenation, or with a 44-bit PA range. */
	mm = pgt_pool_ops(&pool, false);
	assert_int_equal(gz_s2pt_init(&pgt, 41, 44, 1, &mm), GZ_OK);
	assert_int_equal(pgt.start_level, 0);
	assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_PS, gz_s2pt_vtcr(&pgt)), ARCH_PARANGE_44);
	gz_pgt_destroy(&pgt);
	gz_pgt_destroy(&pgt); /* twice: harmless */
	gz_pgt_destroy(NULL);
	assert_false(gz_s2pt_geometry(31, 48, true, &level, &nr));
	assert_false(gz_s2pt_geometry(49, 48, false, &level, &nr));
	assert_int_equal(gz_s2pt_init(NULL, 40, 40, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_s2pt_init(&pgt, 40, 40, 1, NULL), GZ_ERR_INVALID_ARGS);
	/* No memory for the root, single or concatenated. */
	pool.fail_after = 0;
	assert_int_equal(gz_s2pt_init(&pgt, 36, 40, 1, &mm), GZ_ERR_NO_MEMORY);
	mm = pgt_pool_ops(&pool, true);
	assert_int_equal(gz_s2pt_init(&pgt, 40, 40, 1, &mm), GZ_ERR_NO_MEMORY);
	pool.fail_after = -1;
	/* PS for each PA size. */
	static const unsigned pas[][2] = {{32, ARCH_PARANGE_32}, {33, ARCH_PARANGE_36},
					  {36, ARCH_PARANGE_36}, {40, ARCH_PARANGE_40},
					  {42, ARCH_PARANGE_42}, {43, ARCH_PARANGE_44},
					  {48, ARCH_PARANGE_48}};
	for (size_t i = 0; i < GZ_ARRAY_SIZE(pas); i++) {
		assert_int_equal(gz_s2pt_init(&pgt, 32, pas[i][0], 1, &mm), GZ_OK);
		assert_int_equal(GZ_FIELD_GET(ARCH_VTCR_PS, gz_s2pt_vtcr(&pgt)), pas[i][1]);
		gz_pgt_destroy(&pgt);
	}
}

static void test_generic_init_errors(void **state)
{
	struct gz_pgt pgt;
	struct gz_pgt_mm_ops mm = pgt_pool_ops(&pool, false), bad = mm;

	(void)state;
	assert_int_equal(gz_pgt_init(NULL, &gz_s2pt_fmt, 40, 40, 0, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, NULL, 40, 40, 0, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 0, 1, NULL), GZ_ERR_INVALID_ARGS);
	bad.zalloc_page = NULL;
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 0, 1, &bad), GZ_ERR_INVALID_ARGS);
	bad = mm;
	bad.free_page = NULL;
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 0, 1, &bad), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 3, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 49, 40, 0, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 31, 0, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 49, 0, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 39, 40, 0, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 1, 0, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 1, 3, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 1, 32, &mm), GZ_ERR_INVALID_ARGS);
	/* Concatenation must be needed and sufficient. */
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 1, 1, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 1, 4, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgt_init(&pgt, &gz_s2pt_fmt, 40, 40, 1, 2, &mm), GZ_ERR_NOT_SUPPORTED);
	assert_int_equal(pool.outstanding, 0);
}

struct attr_case {
	uint32_t prot;
	unsigned s2ap, xn, memattr;
};

static const struct attr_case attr_cases[] = {
    {0, 0, 2, 0xf},
    {GZ_PROT_R, 1, 2, 0xf},
    {GZ_PROT_W, 2, 2, 0xf},
    {GZ_PROT_RW, 3, 2, 0xf},
    {GZ_PROT_X, 0, 0, 0xf},
    {GZ_PROT_RWX, 3, 0, 0xf},
    {GZ_PROT_R | GZ_PROT_DEVICE, 1, 2, 0x1},
    {GZ_PROT_RW | GZ_PROT_DEVICE, 3, 2, 0x1},
};

static void test_s2_descriptor_bits(void **state)
{
	struct gz_pgt_mm_ops mm = pgt_pool_ops(&pool, true);
	struct gz_pgt pgt;

	(void)state;
	assert_int_equal(gz_s2pt_init(&pgt, 36, 40, 3, &mm), GZ_OK);
	for (size_t i = 0; i < GZ_ARRAY_SIZE(attr_cases); i++) {
		const struct attr_case *c = &attr_cases[i];
		uint64_t ia = (i + 1) * GZ_PGT_BLOCK_2M;
		struct hw_xlate x;
		uint32_t prot;
		unsigned level;

		assert_int_equal(gz_pgt_map(&pgt, ia, ia, GZ_PGT_BLOCK_2M + GZ_PAGE_SIZE, c->prot),
				 GZ_OK);
		for (unsigned lvl = 2; lvl <= 3; lvl++) {
			uint64_t at = lvl == 2 ? ia : ia + GZ_PGT_BLOCK_2M;

			x = hw_walk(gz_s2pt_vtcr(&pgt), gz_s2pt_vttbr(&pgt), true, at);
			assert_true(x.valid);
			assert_int_equal(x.level, lvl);
			assert_int_equal(x.desc & 3, lvl == 3 ? 3 : 1);
			assert_int_equal(GZ_FIELD_GET(ARCH_S2_S2AP, x.desc), c->s2ap);
			assert_int_equal(GZ_FIELD_GET(ARCH_S2_XN, x.desc), c->xn);
			assert_int_equal(GZ_FIELD_GET(ARCH_S2_MEMATTR, x.desc), c->memattr);
			assert_int_equal(GZ_FIELD_GET(ARCH_PTE_SH, x.desc), ARCH_PTE_SH_INNER);
			assert_true(x.desc & ARCH_PTE_AF);
			assert_int_equal(gz_pgt_translate(&pgt, at, NULL, &prot, &level), GZ_OK);
			assert_int_equal(prot, c->prot);
			assert_int_equal(level, lvl);
		}
		assert_int_equal(gz_pgt_unmap(&pgt, ia, GZ_PGT_BLOCK_2M + GZ_PAGE_SIZE), GZ_OK);
	}
	/* A new VMID is used for the TLB maintenance and in VTTBR. */
	gz_s2pt_set_vmid(&pgt, 0x1234);
	assert_int_equal(gz_s2pt_vttbr(&pgt) >> 48, 0x1234);
	assert_int_equal(gz_pgt_map(&pgt, 0, 0, GZ_PAGE_SIZE, GZ_PROT_R), GZ_OK);
	fake_hal_clear_ops();
	assert_int_equal(gz_pgt_unmap(&pgt, 0, GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(fake_hal_op(fake_hal_find_op(FAKE_OP_TLBI_IPA, 0))->a, 0x1234);
	gz_pgt_destroy(&pgt);
}

/* ---- EL2 stage 1 ---------------------------------------------------------------------- */

struct s1_prot_case {
	uint32_t prot;
	bool ok;
	unsigned ap, idx;
	bool xn;
};

static const struct s1_prot_case s1_cases[] = {
    {GZ_PROT_R, true, ARCH_S1_AP_RO, ARCH_S1_IDX_NORMAL, true},
    {GZ_PROT_RW, true, ARCH_S1_AP_RW, ARCH_S1_IDX_NORMAL, true},
    {GZ_PROT_R | GZ_PROT_X, true, ARCH_S1_AP_RO, ARCH_S1_IDX_NORMAL, false},
    {GZ_PROT_RW | GZ_PROT_DEVICE, true, ARCH_S1_AP_RW, ARCH_S1_IDX_DEVICE, true},
    {GZ_PROT_R | GZ_PROT_DEVICE, true, ARCH_S1_AP_RO, ARCH_S1_IDX_DEVICE, true},
    {0, false, 0, 0, false},
    {GZ_PROT_W, false, 0, 0, false},
    {GZ_PROT_X, false, 0, 0, false},
    {GZ_PROT_RWX, false, 0, 0, false},
    {GZ_PROT_R | GZ_PROT_X | GZ_PROT_DEVICE, false, 0, 0, false},
};

static void test_el2_stage1(void **state)
{
	struct gz_pgt_mm_ops mm = pgt_pool_ops(&pool, false);
	struct gz_pgt pgt;
	uint64_t tcr;

	(void)state;
	for (unsigned va = 32; va <= 48; va++) {
		unsigned range;

		assert_int_equal(gz_s1pt_el2_init(&pgt, va, 40, &mm), GZ_OK);
		assert_int_equal(pgt.start_level, va <= 39 ? 1 : 0);
		assert_int_equal(pgt.nr_roots, 1);
		tcr = gz_s1pt_el2_tcr(&pgt);
		assert_int_equal(GZ_FIELD_GET(ARCH_TCR_EL2_T0SZ, tcr), 64 - va);
		assert_int_equal(GZ_FIELD_GET(ARCH_TCR_EL2_PS, tcr),
				 arch_parange_encode(40, &range));
		assert_int_equal(GZ_FIELD_GET(ARCH_TCR_EL2_TG0, tcr), ARCH_TCR_TG0_4K);
		assert_int_equal(tcr & ARCH_TCR_EL2_RES1, ARCH_TCR_EL2_RES1);
		assert_int_equal(
		    gz_pgt_map(&pgt, (1ULL << va) - GZ_PAGE_SIZE, 0x5000, GZ_PAGE_SIZE, GZ_PROT_R),
		    GZ_OK);
		assert_true(hw_walk(tcr, pgt.root_pa, false, (1ULL << va) - 1).valid);
		gz_pgt_destroy(&pgt);
	}
	assert_int_equal(gz_s1pt_el2_init(&pgt, 31, 40, &mm), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_s1pt_el2_init(&pgt, 49, 40, &mm), GZ_ERR_INVALID_ARGS);

	assert_int_equal(gz_s1pt_el2_init(&pgt, 48, 40, &mm), GZ_OK);
	tcr = gz_s1pt_el2_tcr(&pgt);
	for (size_t i = 0; i < GZ_ARRAY_SIZE(s1_cases); i++) {
		const struct s1_prot_case *c = &s1_cases[i];
		uint64_t va = 0xffff00000000ULL + i * GZ_PGT_BLOCK_2M;
		struct hw_xlate x;
		uint32_t prot;

		assert_int_equal(gz_pgt_map(&pgt, va, 0x40000000 + i * GZ_PGT_BLOCK_2M,
					    GZ_PGT_BLOCK_2M, c->prot),
				 c->ok ? GZ_OK : GZ_ERR_INVALID_ARGS);
		if (!c->ok)
			continue;
		x = hw_walk(tcr, pgt.root_pa, false, va + 0x123);
		assert_true(x.valid);
		assert_int_equal(x.level, 2);
		assert_int_equal(x.pa, 0x40000000 + i * GZ_PGT_BLOCK_2M + 0x123);
		assert_int_equal(GZ_FIELD_GET(ARCH_S1_AP, x.desc), c->ap);
		assert_int_equal(GZ_FIELD_GET(ARCH_S1_ATTRINDX, x.desc), c->idx);
		assert_int_equal(!!(x.desc & ARCH_S1_XN), c->xn);
		assert_true(x.desc & ARCH_PTE_AF);
		assert_int_equal(gz_pgt_translate(&pgt, va, NULL, &prot, NULL), GZ_OK);
		assert_int_equal(prot, c->prot);
	}
	/* TLB maintenance is by VA only: a large unmap never flushes by VMID. */
	fake_hal_clear_ops();
	assert_int_equal(gz_pgt_protect(&pgt, 0xffff00000000ULL, 2 * GZ_PGT_BLOCK_2M, GZ_PROT_R),
			 GZ_OK);
	assert_int_equal(gz_pgt_map(&pgt, 0x10000000, 0x10000000, 100 * GZ_PAGE_SIZE, GZ_PROT_RW),
			 GZ_OK);
	assert_int_equal(gz_pgt_unmap(&pgt, 0x10000000, 100 * GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_IPA), 0);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_VMID), 0);
	assert_true(fake_hal_count_ops(FAKE_OP_TLBI_EL2_VA) >= 101);
	/* Collapse on EL2: 512 invalidations by VA of the old pages. */
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(gz_pgt_map(&pgt, 0x20000000 + i * GZ_PAGE_SIZE,
					    0x30000000 + i * GZ_PAGE_SIZE, GZ_PAGE_SIZE,
					    GZ_PROT_R | GZ_PROT_X),
				 GZ_OK);
	fake_hal_clear_ops();
	assert_int_equal(gz_pgt_collapse(&pgt, 0x20000000, GZ_PGT_BLOCK_2M), GZ_OK);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_EL2_VA), 512);
	assert_int_equal(fake_hal_op(fake_hal_find_op(FAKE_OP_TLBI_EL2_VA, 0))->a, 0x20000000);
	assert_true(hw_walk(tcr, pgt.root_pa, false, 0x20000000).level == 2);
	gz_pgt_destroy(&pgt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_ipa_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_generic_init_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_s2_descriptor_bits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_el2_stage1, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
