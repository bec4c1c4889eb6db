/* gzcrypto's private Ed25519 arithmetic (RFC 8032 §5.1): the field GF(2^255 - 19) in five
 * 51-bit limbs, points of the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 in extended
 * coordinates (X:Y:Z:T, x = X/Z, y = Y/Z, xy = T/Z), and scalars modulo the group order L.
 * Everything that may see a secret (field and group operations, the scalar multiplication,
 * the scalar reduction) runs in time independent of the values; point decoding and the
 * canonical-scalar check take public inputs only. */
#ifndef GZCRYPTO_CURVE25519_H
#define GZCRYPTO_CURVE25519_H

#include <stdbool.h>
#include <stdint.h>

/* ---- field: limbs below 2^52 between operations (every operation carries its result) ---- */
struct gzcrypto_fe {
	uint64_t v[5];
};

void gzcrypto_fe_frombytes(struct gzcrypto_fe *r, const uint8_t s[32]); /* ignores bit 255 */
void gzcrypto_fe_tobytes(uint8_t s[32], const struct gzcrypto_fe *a);	/* canonical, < p */
void gzcrypto_fe_set(struct gzcrypto_fe *r, uint64_t small);
void gzcrypto_fe_add(struct gzcrypto_fe *r, const struct gzcrypto_fe *a,
		     const struct gzcrypto_fe *b);
void gzcrypto_fe_sub(struct gzcrypto_fe *r, const struct gzcrypto_fe *a,
		     const struct gzcrypto_fe *b);
void gzcrypto_fe_neg(struct gzcrypto_fe *r, const struct gzcrypto_fe *a);
void gzcrypto_fe_mul(struct gzcrypto_fe *r, const struct gzcrypto_fe *a,
		     const struct gzcrypto_fe *b);
void gzcrypto_fe_sq(struct gzcrypto_fe *r, const struct gzcrypto_fe *a);
void gzcrypto_fe_invert(struct gzcrypto_fe *r, const struct gzcrypto_fe *a);   /* a^(p-2) */
void gzcrypto_fe_pow22523(struct gzcrypto_fe *r, const struct gzcrypto_fe *a); /* a^((p-5)/8) */
/* r = a when bit is 1, unchanged when 0, without a branch. */
void gzcrypto_fe_cmov(struct gzcrypto_fe *r, const struct gzcrypto_fe *a, unsigned bit);
bool gzcrypto_fe_iszero(const struct gzcrypto_fe *a);
bool gzcrypto_fe_isneg(const struct gzcrypto_fe *a); /* the low bit of the canonical value */
bool gzcrypto_fe_equal(const struct gzcrypto_fe *a, const struct gzcrypto_fe *b);

/* ---- group ---- */
struct gzcrypto_ge {
	struct gzcrypto_fe X, Y, Z, T;
};

extern const uint8_t gzcrypto_ed25519_d[32], gzcrypto_ed25519_sqrtm1[32];
extern const uint8_t gzcrypto_ed25519_bx[32], gzcrypto_ed25519_by[32];

void gzcrypto_ge_identity(struct gzcrypto_ge *p);
void gzcrypto_ge_base(struct gzcrypto_ge *p);
void gzcrypto_ge_add(struct gzcrypto_ge *r, const struct gzcrypto_ge *p,
		     const struct gzcrypto_ge *q);
void gzcrypto_ge_double(struct gzcrypto_ge *r, const struct gzcrypto_ge *p);
void gzcrypto_ge_neg(struct gzcrypto_ge *r, const struct gzcrypto_ge *p);
/* RFC 8032 §5.1.3, strictly: false for y >= p, for a y with no x on the curve and for x = 0
 * with the sign bit set. Variable time (public inputs). */
bool gzcrypto_ge_decode(struct gzcrypto_ge *p, const uint8_t s[32]);
void gzcrypto_ge_encode(uint8_t s[32], const struct gzcrypto_ge *p);
/* true when [8]p is the identity: p is one of the eight points of small order. */
bool gzcrypto_ge_small_order(const struct gzcrypto_ge *p);
/* r = [s0]p0 (+ [s1]p1 when n == 2), scalars of 256 bits, little-endian; 4-bit fixed windows
 * with table lookups that read every entry, so the time depends on neither scalars nor
 * points. Stack: two tables of 16 points (5 KiB). */
void gzcrypto_ge_scalarmult(struct gzcrypto_ge *r, unsigned n, const uint8_t *const s[],
			    const struct gzcrypto_ge p[]);

/* ---- scalars modulo L = 2^252 + 27742317777372353535851937790883648493 ---- */
/* true when the 32-byte little-endian s is below L (RFC 8032 §5.1.7's check on S). */
bool gzcrypto_sc_canonical(const uint8_t s[32]);
/* r = the 64-byte little-endian x modulo L. */
void gzcrypto_sc_reduce64(uint8_t r[32], const uint8_t x[64]);
/* r = (a * b + c) mod L for 32-byte little-endian a, b, c with a * b + c < 2^512. */
void gzcrypto_sc_muladd(uint8_t r[32], const uint8_t a[32], const uint8_t b[32],
			const uint8_t c[32]);

#endif
