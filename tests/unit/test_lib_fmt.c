/* Unit tests of the console formatter: a table of conversions checked against the host
 * libc's snprintf, plus truncation and the console sink. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>

#include <gzhyp/lib.h>
#include <gzhyp/log.h>
#include "fake_hal.h"

#define CHECK(...)                                                                                 \
	do {                                                                                       \
		char got[256], want[256];                                                          \
		int ng = gz_snprintf(got, sizeof(got), __VA_ARGS__);                               \
		int nw = snprintf(want, sizeof(want), __VA_ARGS__);                                \
		assert_string_equal(got, want);                                                    \
		assert_int_equal(ng, nw);                                                          \
	} while (0)

static void test_against_libc(void **state)
{
	(void)state;
	CHECK("plain text");
	CHECK("%d %i %d %d", 0, -1, INT_MAX, INT_MIN);
	CHECK("%u %x %X %o", 0u, 0xdeadbeefu, 0xdeadbeefu, 0777u);
	CHECK("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0x123456789abcdefUL);
	CHECK("%lld %llu %llx", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ULL);
	CHECK("%zu %zx %td %jd", (size_t)12345, (size_t)0xabc, (ptrdiff_t)-7, (intmax_t)-9);
	CHECK("%hd %hu %hhd %hhu %hx", (short)-3, (unsigned short)65535, (signed char)-128,
	      (unsigned char)255, (unsigned short)0xbeef);
	CHECK("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d]", 42, 42, 42, 42, 42, -42);
	CHECK("[%016lx] [%#x] [%#o] [%#X] [%#x]", 0x40000000UL, 0x1f, 8, 0xab, 0);
	CHECK("[%.3d] [%8.3d] [%-8.3d] [%.0d] [%.0x]", 7, -7, 7, 0, 0);
	CHECK("[%s] [%10s] [%-10s] [%.2s] [%*s] [%-*s]", "gz", "gz", "gz", "gzhyp", 6, "ab", 6,
	      "ab");
	CHECK("[%*d] [%.*d] [%*d]", 5, 1, 4, 2, -5, 3);
	CHECK("[%c] [%3c] [%-3c] [%%]", 'x', 'y', 'z');
	CHECK("%p", (void *)0x1234);
	CHECK("%#.3o %#5x %-#8x|", 1u, 0x10, 0x10);
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];

	memset(buf, 'q', sizeof(buf));
	assert_int_equal(gz_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(gz_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	buf[0] = 'q';
	assert_int_equal(gz_snprintf(buf, 0, "abc"), 3);
	assert_int_equal(buf[0], 'q');
}

/* No format attribute: these formats are deliberately odd. */
static int raw_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gz_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_odd_formats(void **state)
{
	(void)state;
	char buf[64];

	raw_fmt(buf, sizeof(buf), "%s", (const char *)NULL);
	assert_string_equal(buf, "(null)");
	/* A trailing lone '%' and an unknown conversion print literally. */
	raw_fmt(buf, sizeof(buf), "100%");
	assert_string_equal(buf, "100%");
	raw_fmt(buf, sizeof(buf), "%q%d", 5);
	assert_string_equal(buf, "%q5");
	/* Absurd widths are clamped, not overflowed. */
	assert_true(raw_fmt(buf, sizeof(buf), "%99999999999d", 1) > 0);
	assert_int_equal(raw_fmt(buf, sizeof(buf), "%*d", INT_MIN, 1), 1);
}

static void test_printf_goes_to_console(void **state)
{
	(void)state;
	fake_hal_reset(1 << 20, 4);
	assert_int_equal(gz_printf("gzhyp %s EL%d\n", "v0", 2), 13);
	assert_string_equal(fake_hal_console(), "gzhyp v0 EL2\n");
	assert_int_equal(fake_hal_locks_held(), 0);
	fake_hal_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_against_libc),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_odd_formats),
	    cmocka_unit_test(test_printf_goes_to_console),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
