/* Ed25519 key generation, signing and strict verification (RFC 8032 §5.1.5-5.1.7; the rules
 * are listed in gzcrypto/ed25519.h). */
#include <gzcrypto/ct.h>
#include <gzcrypto/ed25519.h>
#include <gzcrypto/sha2.h>

#include "curve25519.h"

/* The secret scalar a (clamped: a multiple of 8 in [2^254, 2^255)) and the nonce prefix. */
static void expand_seed(uint8_t az[64], const uint8_t seed[32])
{
	gzcrypto_sha512(az, seed, 32);
	az[0] &= 248;
	az[31] &= 127;
	az[31] |= 64;
}

static void base_mul(uint8_t out[32], const uint8_t scalar[32])
{
	struct gzcrypto_ge b, r;
	const uint8_t *s[1] = {scalar};

	gzcrypto_ge_base(&b);
	gzcrypto_ge_scalarmult(&r, 1, s, &b);
	gzcrypto_ge_encode(out, &r);
}

/* k = SHA-512(R || A || M) mod L */
static void challenge(uint8_t k[32], const uint8_t r[32], const uint8_t a[32], const void *msg,
		      size_t len)
{
	struct gzcrypto_sha512 c;
	uint8_t h[64];

	gzcrypto_sha512_init(&c);
	gzcrypto_sha512_update(&c, r, 32);
	gzcrypto_sha512_update(&c, a, 32);
	gzcrypto_sha512_update(&c, msg, len);
	gzcrypto_sha512_final(&c, h);
	gzcrypto_sc_reduce64(k, h);
}

void gzcrypto_ed25519_keypair(uint8_t pk[GZCRYPTO_ED25519_PUBLIC_SIZE],
			      uint8_t sk[GZCRYPTO_ED25519_SECRET_SIZE],
			      const uint8_t seed[GZCRYPTO_ED25519_SEED_SIZE])
{
	uint8_t az[64];

	expand_seed(az, seed);
	base_mul(pk, az);
	for (int i = 0; i < 32; i++) {
		sk[i] = seed[i];
		sk[32 + i] = pk[i];
	}
	gzcrypto_wipe(az, sizeof(az));
}

void gzcrypto_ed25519_sign(uint8_t sig[GZCRYPTO_ED25519_SIG_SIZE], const void *msg, size_t len,
			   const uint8_t sk[GZCRYPTO_ED25519_SECRET_SIZE])
{
	struct gzcrypto_sha512 c;
	uint8_t az[64], h[64], r[32], k[32];

	expand_seed(az, sk);
	/* r = SHA-512(prefix || M) mod L; R = [r]B */
	gzcrypto_sha512_init(&c);
	gzcrypto_sha512_update(&c, az + 32, 32);
	gzcrypto_sha512_update(&c, msg, len);
	gzcrypto_sha512_final(&c, h);
	gzcrypto_sc_reduce64(r, h);
	base_mul(sig, r);
	/* S = (r + k a) mod L */
	challenge(k, sig, sk + 32, msg, len);
	gzcrypto_sc_muladd(sig + 32, k, az, r);
	gzcrypto_wipe(az, sizeof(az));
	gzcrypto_wipe(h, sizeof(h));
	gzcrypto_wipe(r, sizeof(r));
}

bool gzcrypto_ed25519_verify(const uint8_t sig[GZCRYPTO_ED25519_SIG_SIZE], const void *msg,
			     size_t len, const uint8_t pk[GZCRYPTO_ED25519_PUBLIC_SIZE])
{
	struct gzcrypto_ge pts[2], q;
	uint8_t k[32], check[32];
	const uint8_t *s[2] = {sig + 32, k};

	if (!gzcrypto_sc_canonical(sig + 32))
		return false;
	if (!gzcrypto_ge_decode(&pts[1], pk) || gzcrypto_ge_small_order(&pts[1]))
		return false;
	/* R is decoded for the small-order check only: one that does not decode can never equal
	 * the canonical encoding compared below. */
	if (!gzcrypto_ge_decode(&q, sig) || gzcrypto_ge_small_order(&q))
		return false;
	challenge(k, sig, pk, msg, len);
	/* [S]B + [k](-A) */
	gzcrypto_ge_base(&pts[0]);
	gzcrypto_ge_neg(&pts[1], &pts[1]);
	gzcrypto_ge_scalarmult(&q, 2, s, pts);
	gzcrypto_ge_encode(check, &q);
	return gzcrypto_ct_equal(check, sig, 32);
}
