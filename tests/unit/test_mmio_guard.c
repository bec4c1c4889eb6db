/* The MMIO guard's granule ranges (src/hyp/core/mmio_guard.c): enrolment once, maps that
 * merge with both neighbours, unmaps that shrink or split a range, a full table, and every
 * refusal leaving the ranges as they were.
 * test-labels: protected */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzabi/status.h>
#include <gzhyp/mmio_guard.h>

#define G(n) (0x10000000ULL + (uint64_t)(n)*GZ_PAGE_SIZE)

static struct gz_mmio_guard g;

static void expect_allows(unsigned from, unsigned to, bool want)
{
	for (unsigned i = from; i < to; i++)
		if (gz_mmio_guard_allows(&g, G(i)) != want)
			fail_msg("granule %u: %s", i, want ? "refused" : "allowed");
}

static void test_not_enrolled(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	expect_allows(0, 4, true);
	assert_int_equal(gz_mmio_guard_map(&g, G(0)), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mmio_guard_unmap(&g, G(0)), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mmio_guard_enroll(&g), GZ_OK);
	assert_int_equal(gz_mmio_guard_enroll(&g), GZ_ERR_ALREADY_EXISTS);
	expect_allows(0, 4, false);
}

static void test_merge_and_split(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(gz_mmio_guard_enroll(&g), GZ_OK);
	assert_int_equal(gz_mmio_guard_map(&g, G(1)), GZ_OK);
	assert_int_equal(gz_mmio_guard_map(&g, G(3)), GZ_OK);
	assert_int_equal(g.nr, 2);
	assert_int_equal(gz_mmio_guard_map(&g, G(2)), GZ_OK); /* joins both */
	assert_int_equal(g.nr, 1);
	assert_int_equal(gz_mmio_guard_map(&g, G(0)), GZ_OK); /* grows down */
	assert_int_equal(gz_mmio_guard_map(&g, G(4)), GZ_OK); /* grows up */
	assert_int_equal(gz_mmio_guard_map(&g, G(2)), GZ_OK); /* mapped already */
	assert_int_equal(g.nr, 1);
	expect_allows(0, 5, true);
	expect_allows(5, 8, false);
	assert_int_equal(gz_mmio_guard_unmap(&g, G(2)), GZ_OK); /* splits */
	assert_int_equal(g.nr, 2);
	assert_false(gz_mmio_guard_allows(&g, G(2)));
	assert_int_equal(gz_mmio_guard_unmap(&g, G(2)), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_mmio_guard_unmap(&g, G(0)), GZ_OK); /* shrinks from below */
	assert_int_equal(gz_mmio_guard_unmap(&g, G(4)), GZ_OK); /* shrinks from above */
	assert_int_equal(gz_mmio_guard_unmap(&g, G(1)), GZ_OK); /* removes a range */
	assert_int_equal(gz_mmio_guard_unmap(&g, G(3)), GZ_OK);
	assert_int_equal(g.nr, 0);
	expect_allows(0, 8, false);
}

static void test_full_table(void **state)
{
	struct gz_mmio_guard before;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(gz_mmio_guard_enroll(&g), GZ_OK);
	/* every other granule: one range each */
	for (unsigned i = 0; i < GZ_MMIO_GUARD_MAX_RANGES; i++)
		assert_int_equal(gz_mmio_guard_map(&g, G(2 * i)), GZ_OK);
	before = g;
	assert_int_equal(gz_mmio_guard_map(&g, G(1000)), GZ_ERR_NO_RESOURCES);
	assert_memory_equal(&g, &before, sizeof(g));
	/* a granule between two ranges still merges */
	assert_int_equal(gz_mmio_guard_map(&g, G(1)), GZ_OK);
	assert_int_equal(g.nr, GZ_MMIO_GUARD_MAX_RANGES - 1);
	assert_int_equal(gz_mmio_guard_map(&g, G(1001)), GZ_OK);
	/* splitting [0, 3) would need a slot more */
	before = g;
	assert_int_equal(gz_mmio_guard_unmap(&g, G(1)), GZ_ERR_NO_RESOURCES);
	assert_memory_equal(&g, &before, sizeof(g));
	expect_allows(0, 3, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_enrolled),
	    cmocka_unit_test(test_merge_and_split),
	    cmocka_unit_test(test_full_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
