/* HMAC-SHA-256 (src/crypto/hmac.c) against RFC 4231's test cases 1-7, and HKDF-SHA-256
 * (hkdf.c) against RFC 5869's cases 1-3, with the output-length limit and the absent salt.
 * test-libs: gzcrypto */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gzcrypto/hkdf.h>
#include <gzcrypto/hmac.h>

#include "crypto_hex.h"

static void fill(uint8_t *p, size_t n, uint8_t first, int step)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(first + step * (int)i);
}

/* RFC 4231 §4.2-4.8: the key and data of each case, built from their patterns. */
static void test_rfc4231(void **state)
{
	static const char *const want_hex[7] = {
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "a3b6167473100ee06e0c796c2955552b", /* case 5: truncated to 128 bits */
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	};
	static const char d6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char d7[] =
	    "This is a test using a larger than block-size key and a larger than "
	    "block-size data. The key needs to be hashed before being used by "
	    "the HMAC algorithm.";
	uint8_t key[131], data[160], want[32], got[32];
	size_t key_len, data_len;

	(void)state;
	for (int c = 1; c <= 7; c++) {
		switch (c) {
		case 1:
			fill(key, key_len = 20, 0x0b, 0);
			memcpy(data, "Hi There", data_len = 8);
			break;
		case 2:
			memcpy(key, "Jefe", key_len = 4);
			memcpy(data, "what do ya want for nothing?", data_len = 28);
			break;
		case 3:
			fill(key, key_len = 20, 0xaa, 0);
			fill(data, data_len = 50, 0xdd, 0);
			break;
		case 4:
			fill(key, key_len = 25, 0x01, 1);
			fill(data, data_len = 50, 0xcd, 0);
			break;
		case 5:
			fill(key, key_len = 20, 0x0c, 0);
			memcpy(data, "Test With Truncation", data_len = 20);
			break;
		case 6:
			fill(key, key_len = 131, 0xaa, 0);
			memcpy(data, d6, data_len = sizeof(d6) - 1);
			break;
		default:
			fill(key, key_len = 131, 0xaa, 0);
			memcpy(data, d7, data_len = sizeof(d7) - 1);
			break;
		}
		size_t n = crypto_hex(want, want_hex[c - 1]);

		gzcrypto_hmac_sha256(got, key, key_len, data, data_len);
		assert_memory_equal(got, want, n);

		/* the same through the streaming interface, one byte at a time */
		struct gzcrypto_hmac_sha256 ctx;

		gzcrypto_hmac_sha256_init(&ctx, key, key_len);
		for (size_t i = 0; i < data_len; i++)
			gzcrypto_hmac_sha256_update(&ctx, data + i, 1);
		gzcrypto_hmac_sha256_final(&ctx, got);
		assert_memory_equal(got, want, n);
	}
}

/* A key of exactly one block is used as it is; one byte more and it is hashed first: the two
 * MACs differ from each other and from the MAC under the hashed key only where they must. */
static void test_block_sized_key(void **state)
{
	uint8_t key[65], hashed[32], a[32], b[32];

	(void)state;
	fill(key, sizeof(key), 0x41, 3);
	gzcrypto_hmac_sha256(a, key, 64, "m", 1);
	gzcrypto_hmac_sha256(b, key, 65, "m", 1);
	assert_memory_not_equal(a, b, 32);
	gzcrypto_sha256(hashed, key, 65);
	gzcrypto_hmac_sha256(a, hashed, 32, "m", 1);
	assert_memory_equal(a, b, 32);
}

static const struct {
	uint8_t ikm_first, ikm_len, salt_first, salt_len, info_first, info_len, okm_len;
	const char *prk, *okm;
} rfc5869[] = {
    /* A.1: IKM 0x0b x 22, salt 0x00..0x0c, info 0xf0..0xf9 */
    {0x0b, 22, 0x00, 13, 0xf0, 10, 42,
     "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
    /* A.2: IKM 0x00..0x4f, salt 0x60..0xaf, info 0xb0..0xff */
    {0x00, 80, 0x60, 80, 0xb0, 80, 82,
     "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
     "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
     "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
     "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
    /* A.3: IKM 0x0b x 22, no salt, no info */
    {0x0b, 22, 0, 0, 0, 0, 42, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
     "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
};

static void test_rfc5869(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc5869) / sizeof(rfc5869[0]); i++) {
		uint8_t ikm[80], salt[80], info[80], prk[32], okm[82], want[82];
		int step = rfc5869[i].ikm_first == 0x0b ? 0 : 1;

		fill(ikm, rfc5869[i].ikm_len, rfc5869[i].ikm_first, step);
		fill(salt, rfc5869[i].salt_len, rfc5869[i].salt_first, 1);
		fill(info, rfc5869[i].info_len, rfc5869[i].info_first, 1);

		gzcrypto_hkdf_sha256_extract(prk, rfc5869[i].salt_len ? salt : NULL,
					     rfc5869[i].salt_len, ikm, rfc5869[i].ikm_len);
		crypto_hex(want, rfc5869[i].prk);
		assert_memory_equal(prk, want, 32);

		crypto_hex(want, rfc5869[i].okm);
		assert_true(gzcrypto_hkdf_sha256_expand(okm, rfc5869[i].okm_len, prk, 32, info,
							rfc5869[i].info_len));
		assert_memory_equal(okm, want, rfc5869[i].okm_len);

		memset(okm, 0, sizeof(okm));
		assert_true(gzcrypto_hkdf_sha256(okm, rfc5869[i].okm_len, salt, rfc5869[i].salt_len,
						 ikm, rfc5869[i].ikm_len, info,
						 rfc5869[i].info_len));
		assert_memory_equal(okm, want, rfc5869[i].okm_len);
	}
}

/* 255 blocks is the most HKDF can give; one byte more is refused with the output untouched.
 * A shorter request is a prefix of a longer one. */
static void test_hkdf_limits(void **state)
{
	static uint8_t big[GZCRYPTO_HKDF_SHA256_MAX + 1];
	uint8_t prk[32], first[40];

	(void)state;
	fill(prk, sizeof(prk), 7, 5);
	assert_true(gzcrypto_hkdf_sha256_expand(big, GZCRYPTO_HKDF_SHA256_MAX, prk, 32, "i", 1));
	assert_true(gzcrypto_hkdf_sha256_expand(first, sizeof(first), prk, 32, "i", 1));
	assert_memory_equal(first, big, sizeof(first));

	memset(big, 0x5a, sizeof(big));
	assert_false(gzcrypto_hkdf_sha256_expand(big, sizeof(big), prk, 32, "i", 1));
	assert_false(gzcrypto_hkdf_sha256(big, sizeof(big), NULL, 0, prk, 32, NULL, 0));
	for (size_t i = 0; i < sizeof(big); i++)
		assert_int_equal(big[i], 0x5a);
	assert_true(gzcrypto_hkdf_sha256_expand(big, 0, prk, 32, NULL, 0));
	assert_int_equal(big[0], 0x5a);
}

/* An absent salt is HashLen zero bytes (RFC 5869 §2.2); as HMAC pads its key with zeros, any
 * all-zero salt up to a block gives the same PRK, and a salt with a one bit does not. */
static void test_hkdf_absent_salt(void **state)
{
	uint8_t zeros[32] = {0}, a[32], b[32];

	(void)state;
	gzcrypto_hkdf_sha256_extract(a, NULL, 0, "ikm", 3);
	gzcrypto_hkdf_sha256_extract(b, zeros, sizeof(zeros), "ikm", 3);
	assert_memory_equal(a, b, 32);
	gzcrypto_hkdf_sha256_extract(b, zeros, 1, "ikm", 3);
	assert_memory_equal(a, b, 32);
	gzcrypto_hkdf_sha256_extract(b, "\x01", 1, "ikm", 3);
	assert_memory_not_equal(a, b, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc4231),	     cmocka_unit_test(test_block_sized_key),
	    cmocka_unit_test(test_rfc5869),	     cmocka_unit_test(test_hkdf_limits),
	    cmocka_unit_test(test_hkdf_absent_salt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
