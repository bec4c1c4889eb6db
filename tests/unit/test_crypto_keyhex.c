/* Hexadecimal keys (src/crypto/hex.c): both cases, the line ends gz-sign and editors write,
 * and every way a key line can be wrong (short, long, a bad digit in either half of a byte,
 * text after it).
 * test-libs: gzcrypto */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include <gzcrypto/hex.h>

static bool dec(uint8_t *out, size_t n, const char *s)
{
	return gzcrypto_hex_decode(out, n, s, strlen(s));
}

static void test_valid(void **state)
{
	static const uint8_t want[4] = {0x01, 0xab, 0xcd, 0xef};
	uint8_t out[4];

	(void)state;
	assert_true(dec(out, 4, "01abcdef"));
	assert_memory_equal(out, want, 4);
	memset(out, 0, sizeof(out));
	assert_true(dec(out, 4, "01ABCDEF\n"));
	assert_memory_equal(out, want, 4);
	memset(out, 0, sizeof(out));
	assert_true(dec(out, 4, "01AbCdEf\r\n"));
	assert_memory_equal(out, want, 4);
	assert_true(dec(out, 0, ""));
	assert_true(dec(out, 0, "\n"));
}

static void test_invalid(void **state)
{
	uint8_t out[4];

	(void)state;
	assert_false(dec(out, 4, ""));
	assert_false(dec(out, 4, "01abcd"));	     /* short */
	assert_false(dec(out, 4, "01abcde"));	     /* odd */
	assert_false(dec(out, 4, "01abcdef00"));     /* long */
	assert_false(dec(out, 4, "g1abcdef"));	     /* high nibble */
	assert_false(dec(out, 4, "0gabcdef"));	     /* low nibble */
	assert_false(dec(out, 4, "01abcde/"));	     /* below '0' */
	assert_false(dec(out, 4, "01abcde:"));	     /* past '9' */
	assert_false(dec(out, 4, "01abcde@"));	     /* before 'A' */
	assert_false(dec(out, 4, "01abcdeG"));	     /* past 'F' */
	assert_false(dec(out, 4, "01abcde`"));	     /* before 'a' */
	assert_false(dec(out, 4, "01abcdef\r"));     /* a lone CR */
	assert_false(dec(out, 4, "01abcdef\n\n"));   /* a second line */
	assert_false(dec(out, 4, "01abcdef \n"));    /* a blank */
	assert_false(dec(out, 4, "01abcdef\rx"));    /* CR then text */
	assert_false(dec(out, 4, "01abcdef\r\n\n")); /* CRLF then more */
	assert_false(dec(out, 0, "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
