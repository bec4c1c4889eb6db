/* Fuzz target: gzcrypto against Debian's libsodium, input for input. The first byte picks the
 * operation, the second parametrises it; the rest is the data:
 *  0  SHA-256, the data fed in two updates split at the parameter
 *  1  SHA-512, the same
 *  2  HMAC-SHA-256, the key being the data's first (parameter) bytes
 *  3  HKDF-SHA-256 (RFC 5869, built here on libsodium's HMAC, as 1.0.18 has no HKDF): salt,
 *     IKM and info cut from the data, up to 255 * 32 output bytes
 *  4  Ed25519 keys and signatures from a seed (both libraries must produce the same bytes),
 *     then the verdict on the signature XORed with a mask from the input
 *  5  Ed25519 verdict on an arbitrary signature, key and message
 * Invariant: every digest, MAC, output and verdict is the same in both libraries.
 * fuzz-libs: gzcrypto sodium */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <gzcrypto/ed25519.h>
#include <gzcrypto/hkdf.h>
#include <gzcrypto/hmac.h>
#include <gzcrypto/sha2.h>

static void same(const void *a, const void *b, size_t n)
{
	if (memcmp(a, b, n))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

static void hashes(unsigned op, size_t split, const uint8_t *d, size_t n)
{
	uint8_t a[64], b[64];

	split = split <= n ? split : n;
	if (op == 0) {
		struct gzcrypto_sha256 c;

		gzcrypto_sha256_init(&c);
		gzcrypto_sha256_update(&c, d, split);
		gzcrypto_sha256_update(&c, d + split, n - split);
		gzcrypto_sha256_final(&c, a);
		crypto_hash_sha256(b, d, n);
		same(a, b, 32);
	} else {
		struct gzcrypto_sha512 c;

		gzcrypto_sha512_init(&c);
		gzcrypto_sha512_update(&c, d, split);
		gzcrypto_sha512_update(&c, d + split, n - split);
		gzcrypto_sha512_final(&c, a);
		crypto_hash_sha512(b, d, n);
		same(a, b, 64);
	}
}

static void hmac(size_t key_len, const uint8_t *d, size_t n)
{
	crypto_auth_hmacsha256_state st;
	uint8_t a[32], b[32];

	key_len = key_len <= n ? key_len : n;
	gzcrypto_hmac_sha256(a, d, key_len, d + key_len, n - key_len);
	crypto_auth_hmacsha256_init(&st, d, key_len);
	crypto_auth_hmacsha256_update(&st, d + key_len, n - key_len);
	crypto_auth_hmacsha256_final(&st, b);
	same(a, b, 32);
}

/* RFC 5869 on libsodium's HMAC-SHA-256, written from §2.2-2.3 as the reference. */
static void sodium_hkdf(uint8_t *out, size_t len, const uint8_t *salt, size_t salt_len,
			const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len)
{
	static const uint8_t zeros[32];
	crypto_auth_hmacsha256_state st;
	uint8_t prk[32], t[32];
	size_t t_len = 0;

	if (!salt_len)
		salt = zeros, salt_len = 32;
	crypto_auth_hmacsha256_init(&st, salt, salt_len);
	crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
	for (uint8_t i = 1; len; i++) {
		crypto_auth_hmacsha256_init(&st, prk, 32);
		crypto_auth_hmacsha256_update(&st, t, t_len);
		crypto_auth_hmacsha256_update(&st, info, info_len);
		crypto_auth_hmacsha256_update(&st, &i, 1);
		crypto_auth_hmacsha256_final(&st, t);
		t_len = 32;
		size_t take = len < 32 ? len : 32;

		memcpy(out, t, take);
		out += take;
		len -= take;
	}
}

static void hkdf(const uint8_t *d, size_t n)
{
	static uint8_t a[GZCRYPTO_HKDF_SHA256_MAX], b[GZCRYPTO_HKDF_SHA256_MAX];
	size_t cut1, cut2, len;

	if (n < 4)
		return;
	len = ((size_t)d[2] << 8 | d[3]) % (GZCRYPTO_HKDF_SHA256_MAX + 1);
	cut1 = d[0] % (n - 4 + 1);	  /* salt length */
	cut2 = d[1] % (n - 4 - cut1 + 1); /* IKM length */
	d += 4;
	n -= 4;
	const uint8_t *salt = d, *ikm = d + cut1, *info = d + cut1 + cut2;
	size_t info_len = n - cut1 - cut2;

	if (!gzcrypto_hkdf_sha256(a, len, salt, cut1, ikm, cut2, info, info_len))
		abort();
	sodium_hkdf(b, len, salt, cut1, ikm, cut2, info, info_len);
	same(a, b, len);
}

static void sign_and_verify(const uint8_t *d, size_t n)
{
	uint8_t in[96] = {0}, pk[32], sk[64], spk[32], ssk[64], sig[64], ssig[64];
	const uint8_t *msg = n > 96 ? d + 96 : d;
	size_t len = n > 96 ? n - 96 : 0;

	memcpy(in, d, n < 96 ? n : 96);
	gzcrypto_ed25519_keypair(pk, sk, in);
	crypto_sign_seed_keypair(spk, ssk, in);
	same(pk, spk, 32);
	same(sk, ssk, 64);
	gzcrypto_ed25519_sign(sig, msg, len, sk);
	crypto_sign_detached(ssig, NULL, msg, len, ssk);
	same(sig, ssig, 64);
	for (int i = 0; i < 64; i++)
		sig[i] ^= in[32 + i];
	bool ours = gzcrypto_ed25519_verify(sig, msg, len, pk);
	bool theirs = crypto_sign_verify_detached(sig, msg, len, pk) == 0;

	if (ours != theirs)
		abort();
}

static void verify_arbitrary(const uint8_t *d, size_t n)
{
	uint8_t in[96] = {0};
	const uint8_t *msg = n > 96 ? d + 96 : d;
	size_t len = n > 96 ? n - 96 : 0;

	memcpy(in, d, n < 96 ? n : 96);
	bool ours = gzcrypto_ed25519_verify(in, msg, len, in + 64);
	bool theirs = crypto_sign_verify_detached(in, msg, len, in + 64) == 0;

	if (ours != theirs)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 8192)
		return 0;
	unsigned op = data[0] % 6, param = data[1];
	const uint8_t *d = data + 2;
	size_t n = size - 2;

	switch (op) {
	case 0:
	case 1:
		hashes(op, (size_t)param * 3, d, n);
		break;
	case 2:
		hmac(param, d, n);
		break;
	case 3:
		hkdf(d, n);
		break;
	case 4:
		sign_and_verify(d, n);
		break;
	default:
		verify_arbitrary(d, n);
		break;
	}
	return 0;
}
