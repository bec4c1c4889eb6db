/* Ed25519's arithmetic (src/crypto/fe25519.c, ge25519.c, sc25519.c): the constants against
 * their definitions (d = -121665/121666, sqrt(-1)^2 = -1, B = (x, 4/5) on the curve with x
 * even, [L]B the identity), canonical field encodings, the decoder's cases, the scalar
 * reduction and multiply-add against values that follow from L's definition.
 * test-libs: gzcrypto */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/crypto/curve25519.h"
#include "crypto_hex.h"

static void fe_of(struct gzcrypto_fe *r, uint64_t v)
{
	gzcrypto_fe_set(r, v);
}

static void test_constants(void **state)
{
	struct gzcrypto_fe d, t, u, one, x, y, lhs, rhs, x2, y2;

	(void)state;
	/* d * 121666 = -121665 */
	gzcrypto_fe_frombytes(&d, gzcrypto_ed25519_d);
	fe_of(&t, 121666);
	gzcrypto_fe_mul(&t, &t, &d);
	fe_of(&u, 121665);
	gzcrypto_fe_neg(&u, &u);
	assert_true(gzcrypto_fe_equal(&t, &u));
	/* sqrt(-1)^2 = -1 */
	gzcrypto_fe_frombytes(&t, gzcrypto_ed25519_sqrtm1);
	gzcrypto_fe_sq(&t, &t);
	fe_of(&one, 1);
	gzcrypto_fe_neg(&u, &one);
	assert_true(gzcrypto_fe_equal(&t, &u));
	/* B: 5y = 4, x even, -x^2 + y^2 = 1 + d x^2 y^2 */
	gzcrypto_fe_frombytes(&x, gzcrypto_ed25519_bx);
	gzcrypto_fe_frombytes(&y, gzcrypto_ed25519_by);
	fe_of(&t, 5);
	gzcrypto_fe_mul(&t, &t, &y);
	fe_of(&u, 4);
	assert_true(gzcrypto_fe_equal(&t, &u));
	assert_false(gzcrypto_fe_isneg(&x));
	gzcrypto_fe_sq(&x2, &x);
	gzcrypto_fe_sq(&y2, &y);
	gzcrypto_fe_sub(&lhs, &y2, &x2);
	gzcrypto_fe_mul(&rhs, &x2, &y2);
	gzcrypto_fe_mul(&rhs, &rhs, &d);
	gzcrypto_fe_add(&rhs, &rhs, &one);
	assert_true(gzcrypto_fe_equal(&lhs, &rhs));
}

/* [L]B is the identity and [L - 1]B is -B: B generates the subgroup of order L. */
static void test_base_order(void **state)
{
	static const uint8_t ell[32] = {
	    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,	   0xd6,
	    0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10,
	};
	uint8_t lm1[32], enc[32], want[32];
	struct gzcrypto_ge b, r, nb;
	const uint8_t *s[1] = {ell};

	(void)state;
	gzcrypto_ge_base(&b);
	gzcrypto_ge_scalarmult(&r, 1, s, &b);
	gzcrypto_ge_encode(enc, &r);
	crypto_hex(want, "0100000000000000000000000000000000000000000000000000000000000000");
	assert_memory_equal(enc, want, 32);
	memcpy(lm1, ell, 32);
	lm1[0]--;
	s[0] = lm1;
	gzcrypto_ge_scalarmult(&r, 1, s, &b);
	gzcrypto_ge_encode(enc, &r);
	gzcrypto_ge_neg(&nb, &b);
	gzcrypto_ge_encode(want, &nb);
	assert_memory_equal(enc, want, 32);
	assert_false(gzcrypto_ge_small_order(&b));
}

/* Field encodings: p itself and p + 18 encode as 0 and 18; 2^255 - 1 as 18; the top bit is
 * ignored on the way in. */
static void test_fe_encoding(void **state)
{
	uint8_t s[32], out[32], want[32];
	struct gzcrypto_fe a;

	(void)state;
	memset(s, 0xff, 32);
	s[0] = 0xed;
	s[31] = 0x7f; /* p */
	gzcrypto_fe_frombytes(&a, s);
	gzcrypto_fe_tobytes(out, &a);
	memset(want, 0, 32);
	assert_memory_equal(out, want, 32);
	assert_true(gzcrypto_fe_iszero(&a));
	s[0] = 0xff;
	s[31] = 0xff; /* 2^256 - 1: bit 255 ignored, 2^255 - 1 = p + 18 */
	gzcrypto_fe_frombytes(&a, s);
	gzcrypto_fe_tobytes(out, &a);
	want[0] = 18;
	assert_memory_equal(out, want, 32);
	/* p - 1 stays */
	s[0] = 0xec;
	s[31] = 0x7f;
	gzcrypto_fe_frombytes(&a, s);
	gzcrypto_fe_tobytes(out, &a);
	assert_memory_equal(out, s, 32);
	/* inversion: a * a^-1 = 1 */
	struct gzcrypto_fe inv, one, prod;

	gzcrypto_fe_invert(&inv, &a);
	gzcrypto_fe_mul(&prod, &inv, &a);
	gzcrypto_fe_set(&one, 1);
	assert_true(gzcrypto_fe_equal(&prod, &one));
}

static bool on_curve(const struct gzcrypto_ge *p)
{
	struct gzcrypto_fe zi, x, y, x2, y2, d, one, lhs, rhs;

	gzcrypto_fe_invert(&zi, &p->Z);
	gzcrypto_fe_mul(&x, &p->X, &zi);
	gzcrypto_fe_mul(&y, &p->Y, &zi);
	gzcrypto_fe_sq(&x2, &x);
	gzcrypto_fe_sq(&y2, &y);
	gzcrypto_fe_sub(&lhs, &y2, &x2);
	gzcrypto_fe_frombytes(&d, gzcrypto_ed25519_d);
	gzcrypto_fe_set(&one, 1);
	gzcrypto_fe_mul(&rhs, &x2, &y2);
	gzcrypto_fe_mul(&rhs, &rhs, &d);
	gzcrypto_fe_add(&rhs, &rhs, &one);
	return gzcrypto_fe_equal(&lhs, &rhs);
}

/* The decoder: B round-trips; y = 2 and y = 7 have no x (off the curve); y = 3 to 6 decode
 * with either sign to points on the curve whose x has that sign (the square root needs the
 * sqrt(-1) correction for some of them); y = 1 with the sign bit is "negative zero". */
static void test_decode(void **state)
{
	struct gzcrypto_ge p, b;
	uint8_t s[32], enc[32];

	(void)state;
	gzcrypto_ge_base(&b);
	gzcrypto_ge_encode(s, &b);
	assert_true(gzcrypto_ge_decode(&p, s));
	gzcrypto_ge_encode(enc, &p);
	assert_memory_equal(enc, s, 32);

	memset(s, 0, 32);
	s[0] = 2;
	assert_false(gzcrypto_ge_decode(&p, s));
	s[0] = 7;
	assert_false(gzcrypto_ge_decode(&p, s));
	for (uint8_t y = 3; y <= 6; y++) {
		for (unsigned sign = 0; sign < 2; sign++) {
			memset(s, 0, 32);
			s[0] = y;
			s[31] = (uint8_t)(sign << 7);
			assert_true(gzcrypto_ge_decode(&p, s));
			assert_true(on_curve(&p));
			assert_int_equal(gzcrypto_fe_isneg(&p.X), sign);
			gzcrypto_ge_encode(enc, &p);
			assert_memory_equal(enc, s, 32);
			assert_false(gzcrypto_ge_small_order(&p));
		}
	}
	memset(s, 0, 32);
	s[0] = 1;
	assert_true(gzcrypto_ge_decode(&p, s));
	assert_true(gzcrypto_ge_small_order(&p));
	s[31] = 0x80;
	assert_false(gzcrypto_ge_decode(&p, s));
}

/* sc_reduce64: L -> 0, L - 1 -> L - 1, 2^512 - 1 -> its remainder; sc_canonical at L - 1, L;
 * sc_muladd: (L - 1)(L - 1) + 5 = 6 (mod L), as (L - 1) = -1. */
static void test_scalars(void **state)
{
	static const uint8_t ell[32] = {
	    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,	   0xd6,
	    0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10,
	};
	uint8_t x[64], r[32], lm1[32], five[32] = {5}, want[32];

	(void)state;
	memset(x, 0, 64);
	memcpy(x, ell, 32);
	gzcrypto_sc_reduce64(r, x);
	memset(want, 0, 32);
	assert_memory_equal(r, want, 32);
	memcpy(lm1, ell, 32);
	lm1[0]--;
	memcpy(x, lm1, 32);
	gzcrypto_sc_reduce64(r, x);
	assert_memory_equal(r, lm1, 32);
	assert_true(gzcrypto_sc_canonical(lm1));
	assert_false(gzcrypto_sc_canonical(ell));
	memset(x, 0xff, 64);
	gzcrypto_sc_reduce64(r, x);
	/* (2^512 - 1) mod L, from L's definition */
	crypto_hex(want, "000f9c44e31106a447938568a71b0ed065bef517d273ecce3d9a307c1b419903");
	assert_memory_equal(r, want, 32);
	gzcrypto_sc_muladd(r, lm1, lm1, five);
	memset(want, 0, 32);
	want[0] = 6;
	assert_memory_equal(r, want, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_constants),	cmocka_unit_test(test_base_order),
	    cmocka_unit_test(test_fe_encoding), cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_scalars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
