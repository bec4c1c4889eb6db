/* Scalars modulo the Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493,
 * as four 64-bit little-endian limbs. The reduction is bit-serial (shift in one bit, subtract L
 * when the remainder reaches it, through a mask): slower than Barrett's, but short, plainly
 * correct and constant-time for the signing scalar. */
#include <gzcrypto/ct.h>

#include "curve25519.h"
#include "internal.h"

typedef unsigned __int128 u128;

static const uint64_t L[4] = {
    0x5812631a5cf5d3edULL,
    0x14def9dea2f79cd6ULL,
    0x0000000000000000ULL,
    0x1000000000000000ULL,
};

/* r = a - L, returning the borrow (1 when a < L). */
static uint64_t sub_l(uint64_t r[4], const uint64_t a[4])
{
	uint64_t borrow = 0;

	for (int i = 0; i < 4; i++) {
		u128 d = (u128)a[i] - L[i] - borrow;

		r[i] = (uint64_t)d;
		borrow = (uint64_t)(d >> 64) & 1;
	}
	return borrow;
}

bool gzcrypto_sc_canonical(const uint8_t s[32])
{
	uint64_t a[4], t[4];

	for (int i = 0; i < 4; i++)
		a[i] = gzcrypto_load_le64(s + 8 * i);
	return sub_l(t, a);
}

/* Remainder of the NBITS-bit little-endian number X (64-bit limbs) modulo L. */
static void reduce(uint8_t out[32], const uint64_t *x, int nbits)
{
	uint64_t r[4] = {0, 0, 0, 0}, t[4];

	for (int bit = nbits - 1; bit >= 0; bit--) {
		/* r < L < 2^253, so 2r + 1 < 2L fits and one subtraction of L suffices */
		r[3] = r[3] << 1 | r[2] >> 63;
		r[2] = r[2] << 1 | r[1] >> 63;
		r[1] = r[1] << 1 | r[0] >> 63;
		r[0] = r[0] << 1 | ((x[bit >> 6] >> (bit & 63)) & 1);
		uint64_t keep = 0 - sub_l(t, r); /* all ones when r < L */

		for (int i = 0; i < 4; i++)
			r[i] = (r[i] & keep) | (t[i] & ~keep);
	}
	for (int i = 0; i < 4; i++)
		gzcrypto_store_le64(out + 8 * i, r[i]);
	gzcrypto_wipe(r, sizeof(r));
	gzcrypto_wipe(t, sizeof(t));
}

void gzcrypto_sc_reduce64(uint8_t r[32], const uint8_t x[64])
{
	uint64_t v[8];

	for (int i = 0; i < 8; i++)
		v[i] = gzcrypto_load_le64(x + 8 * i);
	reduce(r, v, 512);
	gzcrypto_wipe(v, sizeof(v));
}

void gzcrypto_sc_muladd(uint8_t r[32], const uint8_t a[32], const uint8_t b[32],
			const uint8_t c[32])
{
	uint64_t x[4], y[4], p[8];
	u128 acc;

	for (int i = 0; i < 4; i++) {
		x[i] = gzcrypto_load_le64(a + 8 * i);
		y[i] = gzcrypto_load_le64(b + 8 * i);
	}
	for (int i = 0; i < 4; i++)
		p[i] = gzcrypto_load_le64(c + 8 * i);
	for (int i = 4; i < 8; i++)
		p[i] = 0;
	/* schoolbook product, added row by row onto c */
	for (int i = 0; i < 4; i++) {
		uint64_t carry = 0;

		for (int j = 0; j < 4; j++) {
			acc = (u128)x[i] * y[j] + p[i + j] + carry;
			p[i + j] = (uint64_t)acc;
			carry = (uint64_t)(acc >> 64);
		}
		for (int k = i + 4; k < 8; k++) {
			acc = (u128)p[k] + carry;
			p[k] = (uint64_t)acc;
			carry = (uint64_t)(acc >> 64);
		}
	}
	reduce(r, p, 512);
	gzcrypto_wipe(x, sizeof(x));
	gzcrypto_wipe(p, sizeof(p));
}
