/* Hex strings to bytes for the crypto tests, whose vectors are printed in hex in their RFCs
 * and in FIPS 180-4's examples. */
#ifndef CRYPTO_HEX_H
#define CRYPTO_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int crypto_hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* Decodes HEX (an even number of hex digits) into OUT; returns the byte count. */
static inline size_t crypto_hex(uint8_t *out, const char *hex)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(crypto_hex_nibble(hex[2 * i]) << 4 |
				   crypto_hex_nibble(hex[2 * i + 1]));
	return n;
}

#endif
