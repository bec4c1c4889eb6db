/* Hexadecimal keys (gzcrypto/hex.h). */
#include <gzcrypto/hex.h>

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool gzcrypto_hex_decode(uint8_t *out, size_t n, const char *text, size_t len)
{
	size_t i, rest;

	if (len / 2 < n)
		return false;
	for (i = 0; i < n; i++) {
		int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	text += 2 * n;
	rest = len - 2 * n;
	if (rest == 2 && text[0] == '\r')
		text++, rest--;
	return rest == 0 || (rest == 1 && text[0] == '\n');
}
