/* The scratch test device's register file (src/dev): what is written reads back at every size
 * and offset inside it, little-endian; accesses that leave it or have no size are not its.
 * test-libs: gzdev */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gzdev/testdev.h>

static void test_claims(void **state)
{
	(void)state;
	assert_true(gzdev_testdev_claims(0, 1));
	assert_true(gzdev_testdev_claims(GZDEV_TESTDEV_SIZE - 8, 8));
	assert_true(gzdev_testdev_claims(GZDEV_TESTDEV_SIZE - 3, 3));
	assert_false(gzdev_testdev_claims(GZDEV_TESTDEV_SIZE - 4, 8)); /* straddles the end */
	assert_false(gzdev_testdev_claims(GZDEV_TESTDEV_SIZE, 1));
	assert_false(gzdev_testdev_claims(~0ULL, 2)); /* no wrap-around */
	assert_false(gzdev_testdev_claims(0, 0));
	assert_false(gzdev_testdev_claims(0, 9));
}

static void test_reads_back(void **state)
{
	struct gzdev_testdev d = {{0}};

	(void)state;
	gzdev_testdev_write(&d, 8, 4, 0x11223344);
	assert_int_equal(gzdev_testdev_read(&d, 8, 4), 0x11223344);
	assert_int_equal(gzdev_testdev_read(&d, 9, 2), 0x2233);
	assert_int_equal(d.regs[8], 0x44);
	gzdev_testdev_write(&d, GZDEV_TESTDEV_SIZE - 8, 8, 0x0102030405060708ULL);
	assert_int_equal(gzdev_testdev_read(&d, GZDEV_TESTDEV_SIZE - 8, 8), 0x0102030405060708ULL);
	gzdev_testdev_write(&d, 0x21, 3, 0xffabcdef); /* only the bytes of the access */
	assert_int_equal(gzdev_testdev_read(&d, 0x20, 8), 0xabcdef00ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claims),
	    cmocka_unit_test(test_reads_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
