/* Fuzz target: the console formatter. The input is a format string followed by argument
 * bytes; only integer and character conversions take arguments from the input ('%s' and
 * '%p' are rewritten to '%x' so no pointer comes from the fuzzer). Invariants: the return
 * value equals the untruncated length, truncated output is a prefix of the full output,
 * the buffer is always terminated and nothing is written past it. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gzhyp/lib.h>

#define NARGS 8

static int call(char *buf, size_t size, const char *fmt, const uint64_t *a)
{
	return gz_snprintf(buf, size, fmt, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t args[NARGS] = {0};
	char fmt[128];
	char full[4096], part[17];
	size_t flen = 0;
	int n, m, convs = 0;

	if (size < 1)
		return 0;
	/* First byte: format length. */
	flen = GZ_MIN((size_t)data[0], sizeof(fmt) - 1);
	flen = GZ_MIN(flen, size - 1);
	memcpy(fmt, data + 1, flen);
	fmt[flen] = 0;
	for (size_t i = 0; i < flen; i++) {
		if (fmt[i] == 's' || fmt[i] == 'p' || fmt[i] == 'n')
			fmt[i] = 'x';
		/* Every '%' may take a value and every '*' an int: never more than passed. (A
		 * campaign found the earlier bound, half of NARGS conversions, too loose: three
		 * '*' conversions read past the eight arguments and took garbage widths of
		 * millions of characters: fuzz/regressions/fuzz_fmt/timeout-*.) */
		if (fmt[i] == '%' || fmt[i] == '*')
			convs++;
	}
	if (convs > NARGS)
		return 0;
	memcpy(args, data + 1 + flen, GZ_MIN(sizeof(args), size - 1 - flen));
	for (int i = 0; i < NARGS; i++)
		args[i] = (uint64_t)(int64_t)(int16_t)args[i] | (args[i] & 0xffffffff00000000ULL);
	/* Widths come from digits in the format (at most 127 chars) or from a '*' argument:
	 * clamp '*' values via the int16 sign-extension above; the output still fits. */

	n = call(full, sizeof(full), fmt, args);
	if (n < 0 || (size_t)n >= sizeof(full))
		return 0; /* a huge digit width: legal, not checkable against the buffer */
	if (full[n] != 0) /* %c may legally print NUL bytes: no strlen here */
		abort();
	memset(part, 0x5a, sizeof(part));
	m = call(part, 16, fmt, args);
	if (m != n || part[16] != 0x5a)
		abort();
	if (memcmp(part, full, GZ_MIN((size_t)n, 15)) != 0 || part[GZ_MIN((size_t)n, 15)] != 0)
		abort();
	return 0;
}
