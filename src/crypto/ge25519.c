/* The Ed25519 group (RFC 8032 §5.1): twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 over
 * GF(2^255 - 19) in extended coordinates. Addition and doubling are the a = -1 formulas of
 * Hisil, Wong, Carter and Dawson (2008), "add-2008-hwcd-3" and "dbl-2008-hwcd": the addition
 * is complete on this curve (d is not a square), so it also adds a point to itself or to the
 * identity, which the constant-time scalar multiplication relies on. */
#include <gzcrypto/ct.h>

#include "curve25519.h"

/* d = -121665 / 121666, sqrt(-1) = 2^((p - 1) / 4) and the base point B (y = 4/5, x even), as
 * 32-byte little-endian numbers; test_crypto_ed25519 checks each against its definition. */
const uint8_t gzcrypto_ed25519_d[32] = {
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
    0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
};
const uint8_t gzcrypto_ed25519_sqrtm1[32] = {
    0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
    0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
};
const uint8_t gzcrypto_ed25519_bx[32] = {
    0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c, 0x69,
    0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21,
};
const uint8_t gzcrypto_ed25519_by[32] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
};

void gzcrypto_ge_identity(struct gzcrypto_ge *p)
{
	gzcrypto_fe_set(&p->X, 0);
	gzcrypto_fe_set(&p->Y, 1);
	gzcrypto_fe_set(&p->Z, 1);
	gzcrypto_fe_set(&p->T, 0);
}

void gzcrypto_ge_base(struct gzcrypto_ge *p)
{
	gzcrypto_fe_frombytes(&p->X, gzcrypto_ed25519_bx);
	gzcrypto_fe_frombytes(&p->Y, gzcrypto_ed25519_by);
	gzcrypto_fe_set(&p->Z, 1);
	gzcrypto_fe_mul(&p->T, &p->X, &p->Y);
}

void gzcrypto_ge_add(struct gzcrypto_ge *r, const struct gzcrypto_ge *p,
		     const struct gzcrypto_ge *q)
{
	struct gzcrypto_fe a, b, c, d, e, f, g, h, t;

	gzcrypto_fe_sub(&a, &p->Y, &p->X);
	gzcrypto_fe_sub(&t, &q->Y, &q->X);
	gzcrypto_fe_mul(&a, &a, &t); /* A = (Y1 - X1)(Y2 - X2) */
	gzcrypto_fe_add(&b, &p->Y, &p->X);
	gzcrypto_fe_add(&t, &q->Y, &q->X);
	gzcrypto_fe_mul(&b, &b, &t); /* B = (Y1 + X1)(Y2 + X2) */
	gzcrypto_fe_frombytes(&t, gzcrypto_ed25519_d);
	gzcrypto_fe_add(&t, &t, &t);
	gzcrypto_fe_mul(&c, &p->T, &q->T);
	gzcrypto_fe_mul(&c, &c, &t); /* C = 2d T1 T2 */
	gzcrypto_fe_mul(&d, &p->Z, &q->Z);
	gzcrypto_fe_add(&d, &d, &d); /* D = 2 Z1 Z2 */
	gzcrypto_fe_sub(&e, &b, &a);
	gzcrypto_fe_sub(&f, &d, &c);
	gzcrypto_fe_add(&g, &d, &c);
	gzcrypto_fe_add(&h, &b, &a);
	gzcrypto_fe_mul(&r->X, &e, &f);
	gzcrypto_fe_mul(&r->Y, &g, &h);
	gzcrypto_fe_mul(&r->T, &e, &h);
	gzcrypto_fe_mul(&r->Z, &f, &g);
}

void gzcrypto_ge_double(struct gzcrypto_ge *r, const struct gzcrypto_ge *p)
{
	struct gzcrypto_fe a, b, c, e, f, g, h;

	gzcrypto_fe_sq(&a, &p->X);
	gzcrypto_fe_sq(&b, &p->Y);
	gzcrypto_fe_sq(&c, &p->Z);
	gzcrypto_fe_add(&c, &c, &c); /* C = 2 Z1^2 */
	gzcrypto_fe_add(&e, &p->X, &p->Y);
	gzcrypto_fe_sq(&e, &e);
	gzcrypto_fe_sub(&e, &e, &a);
	gzcrypto_fe_sub(&e, &e, &b); /* E = (X1 + Y1)^2 - A - B */
	gzcrypto_fe_sub(&g, &b, &a); /* G = D + B with D = aA = -A */
	gzcrypto_fe_sub(&f, &g, &c); /* F = G - C */
	gzcrypto_fe_neg(&h, &a);
	gzcrypto_fe_sub(&h, &h, &b); /* H = D - B */
	gzcrypto_fe_mul(&r->X, &e, &f);
	gzcrypto_fe_mul(&r->Y, &g, &h);
	gzcrypto_fe_mul(&r->T, &e, &h);
	gzcrypto_fe_mul(&r->Z, &f, &g);
}

void gzcrypto_ge_neg(struct gzcrypto_ge *r, const struct gzcrypto_ge *p)
{
	gzcrypto_fe_neg(&r->X, &p->X);
	r->Y = p->Y;
	r->Z = p->Z;
	gzcrypto_fe_neg(&r->T, &p->T);
}

bool gzcrypto_ge_decode(struct gzcrypto_ge *p, const uint8_t s[32])
{
	struct gzcrypto_fe y, u, v, v3, x, t, one, d;
	uint8_t back[32];
	unsigned sign = s[31] >> 7;

	gzcrypto_fe_frombytes(&y, s);
	/* y must be below p: the canonical encoding of y is then s without its sign bit */
	gzcrypto_fe_tobytes(back, &y);
	back[31] |= (uint8_t)(sign << 7);
	if (!gzcrypto_ct_equal(back, s, 32))
		return false;

	/* x^2 = u / v with u = y^2 - 1, v = d y^2 + 1; x = u v^3 (u v^7)^((p - 5) / 8) */
	gzcrypto_fe_set(&one, 1);
	gzcrypto_fe_frombytes(&d, gzcrypto_ed25519_d);
	gzcrypto_fe_sq(&u, &y);
	gzcrypto_fe_mul(&v, &u, &d);
	gzcrypto_fe_sub(&u, &u, &one);
	gzcrypto_fe_add(&v, &v, &one);
	gzcrypto_fe_sq(&v3, &v);
	gzcrypto_fe_mul(&v3, &v3, &v); /* v^3 */
	gzcrypto_fe_sq(&x, &v3);
	gzcrypto_fe_mul(&x, &x, &v);
	gzcrypto_fe_mul(&x, &x, &u); /* u v^7 */
	gzcrypto_fe_pow22523(&x, &x);
	gzcrypto_fe_mul(&x, &x, &v3);
	gzcrypto_fe_mul(&x, &x, &u);

	gzcrypto_fe_sq(&t, &x);
	gzcrypto_fe_mul(&t, &t, &v); /* v x^2 */
	if (!gzcrypto_fe_equal(&t, &u)) {
		gzcrypto_fe_neg(&u, &u);
		if (!gzcrypto_fe_equal(&t, &u))
			return false; /* y is not the y of any point */
		gzcrypto_fe_frombytes(&t, gzcrypto_ed25519_sqrtm1);
		gzcrypto_fe_mul(&x, &x, &t);
	}
	if (gzcrypto_fe_iszero(&x) && sign)
		return false; /* "negative zero": x = 0 has one encoding */
	if (gzcrypto_fe_isneg(&x) != sign)
		gzcrypto_fe_neg(&x, &x);
	p->X = x;
	p->Y = y;
	gzcrypto_fe_set(&p->Z, 1);
	gzcrypto_fe_mul(&p->T, &x, &y);
	return true;
}

void gzcrypto_ge_encode(uint8_t s[32], const struct gzcrypto_ge *p)
{
	struct gzcrypto_fe zi, x, y;

	gzcrypto_fe_invert(&zi, &p->Z);
	gzcrypto_fe_mul(&x, &p->X, &zi);
	gzcrypto_fe_mul(&y, &p->Y, &zi);
	gzcrypto_fe_tobytes(s, &y);
	s[31] |= (uint8_t)(gzcrypto_fe_isneg(&x) << 7);
}

bool gzcrypto_ge_small_order(const struct gzcrypto_ge *p)
{
	struct gzcrypto_ge q;

	gzcrypto_ge_double(&q, p);
	gzcrypto_ge_double(&q, &q);
	gzcrypto_ge_double(&q, &q);
	/* [8]p lies in the subgroup of order L, whose only point with x = 0 is the identity
	 * ((0, -1) has order 2) */
	return gzcrypto_fe_iszero(&q.X);
}

/* A loop, not a struct assignment: the compiler would call memcpy for 160 bytes, which a
 * firmware without libc may not have. */
static void copy(struct gzcrypto_ge *r, const struct gzcrypto_ge *p)
{
	for (int i = 0; i < 5; i++) {
		r->X.v[i] = p->X.v[i];
		r->Y.v[i] = p->Y.v[i];
		r->Z.v[i] = p->Z.v[i];
		r->T.v[i] = p->T.v[i];
	}
}

static void cmov(struct gzcrypto_ge *r, const struct gzcrypto_ge *p, unsigned bit)
{
	gzcrypto_fe_cmov(&r->X, &p->X, bit);
	gzcrypto_fe_cmov(&r->Y, &p->Y, bit);
	gzcrypto_fe_cmov(&r->Z, &p->Z, bit);
	gzcrypto_fe_cmov(&r->T, &p->T, bit);
}

void gzcrypto_ge_scalarmult(struct gzcrypto_ge *r, unsigned n, const uint8_t *const s[],
			    const struct gzcrypto_ge p[])
{
	struct gzcrypto_ge tab[2][16], t;

	/* tab[k][j] = [j] p[k] */
	for (unsigned k = 0; k < n; k++) {
		gzcrypto_ge_identity(&tab[k][0]);
		copy(&tab[k][1], &p[k]);
		for (unsigned j = 2; j < 16; j++)
			gzcrypto_ge_add(&tab[k][j], &tab[k][j - 1], &p[k]);
	}
	gzcrypto_ge_identity(r);
	for (int i = 63; i >= 0; i--) {
		for (int dbl = 0; dbl < 4; dbl++)
			gzcrypto_ge_double(r, r);
		for (unsigned k = 0; k < n; k++) {
			unsigned nib = (s[k][i >> 1] >> (4 * (i & 1))) & 15;

			gzcrypto_ge_identity(&t);
			for (unsigned j = 0; j < 16; j++)
				cmov(&t, &tab[k][j], (((j ^ nib) - 1) >> 8) & 1);
			gzcrypto_ge_add(r, r, &t);
		}
	}
	gzcrypto_wipe(tab, sizeof(tab));
	gzcrypto_wipe(&t, sizeof(t));
}
