/* Arithmetic in GF(p), p = 2^255 - 19, for Ed25519: five limbs of 51 bits (radix 2^51), the
 * products in 128 bits; 2^255 = 19 (mod p) folds the top of a product back into the bottom.
 * No operation branches on or indexes by a value. */
#include <gzcrypto/ct.h>

#include "curve25519.h"
#include "internal.h"

#define MASK51 ((UINT64_C(1) << 51) - 1)

typedef unsigned __int128 u128;

/* Brings every limb below 2^51 but limb 1, which may exceed it by a few units (what limb 0
 * carries after the fold of limb 4): below 2^52, the bound every operation's input needs. */
static void carry(struct gzcrypto_fe *r)
{
	uint64_t *v = r->v, c;

	for (int i = 0; i < 4; i++) {
		c = v[i] >> 51;
		v[i] &= MASK51;
		v[i + 1] += c;
	}
	c = v[4] >> 51;
	v[4] &= MASK51;
	v[0] += 19 * c;
	c = v[0] >> 51;
	v[0] &= MASK51;
	v[1] += c;
}

void gzcrypto_fe_frombytes(struct gzcrypto_fe *r, const uint8_t s[32])
{
	/* limb i holds bits 51i .. 51i + 50: loaded from the byte holding bit 51i */
	r->v[0] = gzcrypto_load_le64(s) & MASK51;
	r->v[1] = (gzcrypto_load_le64(s + 6) >> 3) & MASK51;
	r->v[2] = (gzcrypto_load_le64(s + 12) >> 6) & MASK51;
	r->v[3] = (gzcrypto_load_le64(s + 19) >> 1) & MASK51;
	r->v[4] = (gzcrypto_load_le64(s + 24) >> 12) & MASK51;
}

void gzcrypto_fe_tobytes(uint8_t s[32], const struct gzcrypto_fe *a)
{
	struct gzcrypto_fe t = *a, g;
	uint64_t c, mask;

	/* three passes leave every limb below 2^51: the value is below 2^255 */
	for (int pass = 0; pass < 3; pass++)
		carry(&t);
	/* t >= p exactly when t + 19 reaches 2^255; then t - p is (t + 19) - 2^255 */
	g = t;
	g.v[0] += 19;
	for (int i = 0; i < 4; i++) {
		c = g.v[i] >> 51;
		g.v[i] &= MASK51;
		g.v[i + 1] += c;
	}
	mask = 0 - (g.v[4] >> 51);
	g.v[4] &= MASK51;
	for (int i = 0; i < 5; i++)
		t.v[i] = (g.v[i] & mask) | (t.v[i] & ~mask);
	gzcrypto_store_le64(s, t.v[0] | t.v[1] << 51);
	gzcrypto_store_le64(s + 8, t.v[1] >> 13 | t.v[2] << 38);
	gzcrypto_store_le64(s + 16, t.v[2] >> 26 | t.v[3] << 25);
	gzcrypto_store_le64(s + 24, t.v[3] >> 39 | t.v[4] << 12);
}

void gzcrypto_fe_set(struct gzcrypto_fe *r, uint64_t small)
{
	r->v[0] = small;
	for (int i = 1; i < 5; i++)
		r->v[i] = 0;
}

void gzcrypto_fe_add(struct gzcrypto_fe *r, const struct gzcrypto_fe *a,
		     const struct gzcrypto_fe *b)
{
	for (int i = 0; i < 5; i++)
		r->v[i] = a->v[i] + b->v[i];
	carry(r);
}

void gzcrypto_fe_sub(struct gzcrypto_fe *r, const struct gzcrypto_fe *a,
		     const struct gzcrypto_fe *b)
{
	/* a + 4p - b: 4p's limbs (2^53 - 76, then 2^53 - 4) exceed any b's, so nothing wraps */
	r->v[0] = a->v[0] + ((MASK51 - 18) << 2) - b->v[0];
	for (int i = 1; i < 5; i++)
		r->v[i] = a->v[i] + (MASK51 << 2) - b->v[i];
	carry(r);
}

void gzcrypto_fe_neg(struct gzcrypto_fe *r, const struct gzcrypto_fe *a)
{
	struct gzcrypto_fe zero;

	gzcrypto_fe_set(&zero, 0);
	gzcrypto_fe_sub(r, &zero, a);
}

/* Carries the five 128-bit column sums T into R, folding the top carry back times 19. */
static void carry_wide(struct gzcrypto_fe *r, u128 t[5])
{
	for (int k = 0; k < 4; k++) {
		t[k + 1] += (uint64_t)(t[k] >> 51);
		r->v[k] = (uint64_t)t[k] & MASK51;
	}
	r->v[4] = (uint64_t)t[4] & MASK51;
	r->v[0] += 19 * (uint64_t)(t[4] >> 51);
	r->v[1] += r->v[0] >> 51;
	r->v[0] &= MASK51;
}

void gzcrypto_fe_mul(struct gzcrypto_fe *r, const struct gzcrypto_fe *a,
		     const struct gzcrypto_fe *b)
{
	const uint64_t a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3], a4 = a->v[4];
	const uint64_t b0 = b->v[0], b1 = b->v[1], b2 = b->v[2], b3 = b->v[3], b4 = b->v[4];
	/* a limb product landing at 2^(51k), k >= 5, is 19 times that at 2^(51(k - 5)) */
	const uint64_t b1_19 = 19 * b1, b2_19 = 19 * b2, b3_19 = 19 * b3, b4_19 = 19 * b4;
	u128 t[5];

	t[0] = (u128)a0 * b0 + (u128)a1 * b4_19 + (u128)a2 * b3_19 + (u128)a3 * b2_19 +
	       (u128)a4 * b1_19;
	t[1] =
	    (u128)a0 * b1 + (u128)a1 * b0 + (u128)a2 * b4_19 + (u128)a3 * b3_19 + (u128)a4 * b2_19;
	t[2] = (u128)a0 * b2 + (u128)a1 * b1 + (u128)a2 * b0 + (u128)a3 * b4_19 + (u128)a4 * b3_19;
	t[3] = (u128)a0 * b3 + (u128)a1 * b2 + (u128)a2 * b1 + (u128)a3 * b0 + (u128)a4 * b4_19;
	t[4] = (u128)a0 * b4 + (u128)a1 * b3 + (u128)a2 * b2 + (u128)a3 * b1 + (u128)a4 * b0;
	carry_wide(r, t);
}

/* The product's symmetric terms counted once, doubled: 15 multiplications instead of 25. */
void gzcrypto_fe_sq(struct gzcrypto_fe *r, const struct gzcrypto_fe *a)
{
	const uint64_t a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3], a4 = a->v[4];
	const uint64_t d0 = 2 * a0, d1 = 2 * a1, d2 = 2 * a2, d3 = 2 * a3;
	const uint64_t a3_19 = 19 * a3, a4_19 = 19 * a4;
	u128 t[5];

	t[0] = (u128)a0 * a0 + (u128)d1 * a4_19 + (u128)d2 * a3_19;
	t[1] = (u128)d0 * a1 + (u128)d2 * a4_19 + (u128)a3 * a3_19;
	t[2] = (u128)d0 * a2 + (u128)a1 * a1 + (u128)d3 * a4_19;
	t[3] = (u128)d0 * a3 + (u128)d1 * a2 + (u128)a4 * a4_19;
	t[4] = (u128)d0 * a4 + (u128)d1 * a3 + (u128)a2 * a2;
	carry_wide(r, t);
}

static void sq_times(struct gzcrypto_fe *r, const struct gzcrypto_fe *a, int n)
{
	gzcrypto_fe_sq(r, a);
	while (--n > 0)
		gzcrypto_fe_sq(r, r);
}

/* z^(2^250 - 1) and z^11, from which both exponents below are built. */
static void pow_2_250_1(struct gzcrypto_fe *r, struct gzcrypto_fe *z11, const struct gzcrypto_fe *z)
{
	struct gzcrypto_fe t0, t1, t2;

	gzcrypto_fe_sq(&t0, z);		/* 2 */
	sq_times(&t1, &t0, 2);		/* 8 */
	gzcrypto_fe_mul(&t1, z, &t1);	/* 9 */
	gzcrypto_fe_mul(z11, &t0, &t1); /* 11 */
	gzcrypto_fe_sq(&t0, z11);	/* 22 */
	gzcrypto_fe_mul(&t0, &t1, &t0); /* 31 = 2^5 - 1 */
	sq_times(&t1, &t0, 5);
	gzcrypto_fe_mul(&t0, &t1, &t0); /* 2^10 - 1 */
	sq_times(&t1, &t0, 10);
	gzcrypto_fe_mul(&t1, &t1, &t0); /* 2^20 - 1 */
	sq_times(&t2, &t1, 20);
	gzcrypto_fe_mul(&t1, &t2, &t1); /* 2^40 - 1 */
	sq_times(&t1, &t1, 10);
	gzcrypto_fe_mul(&t0, &t1, &t0); /* 2^50 - 1 */
	sq_times(&t1, &t0, 50);
	gzcrypto_fe_mul(&t1, &t1, &t0); /* 2^100 - 1 */
	sq_times(&t2, &t1, 100);
	gzcrypto_fe_mul(&t1, &t2, &t1); /* 2^200 - 1 */
	sq_times(&t1, &t1, 50);
	gzcrypto_fe_mul(r, &t1, &t0); /* 2^250 - 1 */
}

void gzcrypto_fe_invert(struct gzcrypto_fe *r, const struct gzcrypto_fe *a)
{
	struct gzcrypto_fe t, z11;

	/* p - 2 = 2^255 - 21 = (2^250 - 1) * 2^5 + 11 */
	pow_2_250_1(&t, &z11, a);
	sq_times(&t, &t, 5);
	gzcrypto_fe_mul(r, &t, &z11);
}

void gzcrypto_fe_pow22523(struct gzcrypto_fe *r, const struct gzcrypto_fe *a)
{
	struct gzcrypto_fe t, z11;

	/* (p - 5) / 8 = 2^252 - 3 = (2^250 - 1) * 2^2 + 1 */
	pow_2_250_1(&t, &z11, a);
	sq_times(&t, &t, 2);
	gzcrypto_fe_mul(r, &t, a);
}

void gzcrypto_fe_cmov(struct gzcrypto_fe *r, const struct gzcrypto_fe *a, unsigned bit)
{
	uint64_t mask = 0 - (uint64_t)(bit & 1);

	for (int i = 0; i < 5; i++)
		r->v[i] ^= mask & (r->v[i] ^ a->v[i]);
}

bool gzcrypto_fe_iszero(const struct gzcrypto_fe *a)
{
	static const uint8_t zero[32];
	uint8_t s[32];

	gzcrypto_fe_tobytes(s, a);
	return gzcrypto_ct_equal(s, zero, 32);
}

bool gzcrypto_fe_isneg(const struct gzcrypto_fe *a)
{
	uint8_t s[32];

	gzcrypto_fe_tobytes(s, a);
	return s[0] & 1;
}

bool gzcrypto_fe_equal(const struct gzcrypto_fe *a, const struct gzcrypto_fe *b)
{
	uint8_t s[32], t[32];

	gzcrypto_fe_tobytes(s, a);
	gzcrypto_fe_tobytes(t, b);
	return gzcrypto_ct_equal(s, t, 32);
}
