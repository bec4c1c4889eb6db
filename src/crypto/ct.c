/* Constant-time comparison and wiping (gzcrypto/ct.h). */
#include <gzcrypto/ct.h>

#include <stdint.h>

bool gzcrypto_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	/* (diff - 1) >> 8 is 1 only for diff == 0, without a data-dependent branch. */
	return (((uint32_t)diff - 1) >> 8) & 1;
}

void gzcrypto_wipe(void *p, size_t len)
{
	volatile uint8_t *v = p;

	for (size_t i = 0; i < len; i++)
		v[i] = 0;
}
