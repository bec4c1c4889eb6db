/* The constant-time comparison and the wipe (src/crypto/ct.c): equal and unequal buffers,
 * a difference in any byte and any bit, the empty range.
 * test-libs: gzcrypto */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include <gzcrypto/ct.h>

static void test_equal(void **state)
{
	uint8_t a[48], b[48];

	(void)state;
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)(i * 37);
	assert_true(gzcrypto_ct_equal(a, b, sizeof(a)));
	assert_true(gzcrypto_ct_equal(a, b, 0));
	for (size_t i = 0; i < sizeof(a); i++) {
		for (int bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			assert_false(gzcrypto_ct_equal(a, b, sizeof(a)));
			assert_true(gzcrypto_ct_equal(a, b, i)); /* before the difference */
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	memset(b, 0xff, sizeof(b));
	memset(a, 0x00, sizeof(a));
	assert_false(gzcrypto_ct_equal(a, b, sizeof(a)));
}

static void test_wipe(void **state)
{
	uint8_t a[33];

	(void)state;
	memset(a, 0xa5, sizeof(a));
	gzcrypto_wipe(a + 1, 31);
	assert_int_equal(a[0], 0xa5);
	for (size_t i = 1; i < 32; i++)
		assert_int_equal(a[i], 0);
	assert_int_equal(a[32], 0xa5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equal),
	    cmocka_unit_test(test_wipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
