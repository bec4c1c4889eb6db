/* Unit tests of the freestanding memory and string routines, checked against libc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <gzhyp/lib.h>

static void test_memcpy_all_alignments(void **state)
{
	(void)state;
	uint8_t src[96], dst[96], ref[96];

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	for (unsigned so = 0; so < 9; so++)
		for (unsigned d_o = 0; d_o < 9; d_o++)
			for (unsigned n = 0; n < 70; n += 3) {
				memset(dst, 0xee, sizeof(dst));
				memset(ref, 0xee, sizeof(ref));
				assert_ptr_equal(gz_memcpy(dst + d_o, src + so, n), dst + d_o);
				memcpy(ref + d_o, src + so, n);
				assert_memory_equal(dst, ref, sizeof(dst));
			}
}

static void test_memmove_overlap(void **state)
{
	(void)state;
	uint8_t a[64], b[64];

	for (int shift = -9; shift <= 9; shift++)
		for (unsigned n = 0; n < 40; n++) {
			for (unsigned i = 0; i < sizeof(a); i++)
				a[i] = b[i] = (uint8_t)i;
			gz_memmove(a + 16 + shift, a + 16, n);
			memmove(b + 16 + shift, b + 16, n);
			assert_memory_equal(a, b, sizeof(a));
		}
}

static void test_memset_and_memcmp(void **state)
{
	(void)state;
	uint8_t a[80], b[80];

	for (unsigned off = 0; off < 9; off++)
		for (unsigned n = 0; n < 60; n++) {
			memset(a, 1, sizeof(a));
			memset(b, 1, sizeof(b));
			gz_memset(a + off, 0xa5, n);
			memset(b + off, 0xa5, n);
			assert_memory_equal(a, b, sizeof(a));
			assert_int_equal(gz_memcmp(a, b, sizeof(a)), 0);
		}
	a[5] = 1;
	b[5] = 2;
	assert_true(gz_memcmp(a, b, sizeof(a)) < 0);
	assert_true(gz_memcmp(b, a, sizeof(a)) > 0);
	assert_int_equal(gz_memcmp(a, b, 5), 0);
	/* bytes compare unsigned, as in C */
	a[0] = 0x80;
	b[0] = 0x01;
	assert_true(gz_memcmp(a, b, 1) > 0);
}

static void test_strings(void **state)
{
	(void)state;
	assert_int_equal(gz_strlen(""), 0);
	assert_int_equal(gz_strlen("gzhyp"), 5);
	assert_int_equal(gz_strnlen("gzhyp", 3), 3);
	assert_int_equal(gz_strnlen("gz", 8), 2);
	assert_int_equal(gz_strcmp("abc", "abc"), 0);
	assert_true(gz_strcmp("abc", "abd") < 0);
	assert_true(gz_strcmp("abd", "abc") > 0);
	assert_true(gz_strcmp("ab", "abc") < 0);
	assert_true(gz_strcmp("\x80", "a") > 0);
	assert_int_equal(gz_strncmp("memory@40000000", "memory@", 7), 0);
	assert_true(gz_strncmp("memorz", "memory", 6) > 0);
	assert_int_equal(gz_strncmp("a", "b", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memcpy_all_alignments),
	    cmocka_unit_test(test_memmove_overlap),
	    cmocka_unit_test(test_memset_and_memcmp),
	    cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
