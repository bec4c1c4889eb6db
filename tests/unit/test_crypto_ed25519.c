/* Ed25519 (src/crypto/ed25519.c) against RFC 8032 §7.1's TEST 1, 2, 3, 1024 and SHA(abc):
 * the public key from the seed, the signature, its verification; and what strict verification
 * refuses: S + L and every S >= L, non-canonical and off-curve encodings of A and R, the
 * small-order points as key or commitment (the trivial forgery under the identity key), a
 * wrong key, flipped bits of signature, key and message, a truncated message.
 * test-libs: gzcrypto */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gzcrypto/ed25519.h>
#include <gzcrypto/sha2.h>

#include "crypto_hex.h"

/* RFC 8032 §7.1 TEST 1024's message (1023 bytes) */
static const char msg1024[] = "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e"
			      "264bf09efe12ee50f8f54e9f77b1"
			      "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe573882"
			      "9adb26c81b37c93a1b270b20329d"
			      "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a85"
			      "8efcb8550ee3a5e1998bd177e93a"
			      "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b31"
			      "0da903401aa62100ab5d1a36553e"
			      "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd7"
			      "5499da96bd68a8a97b928a8bbc10"
			      "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4"
			      "af2b74ef5c53f1d8ac70bdcb7ed1"
			      "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17b"
			      "a70eb6248e594e1a2297acbbb39d"
			      "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9"
			      "187ebb6092cf67bf2b13fd65f270"
			      "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732"
			      "e69485bbc9c90bfbd62481d9089b"
			      "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a56"
			      "9d80c3414a8d0859dc65a46128ba"
			      "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3"
			      "b75a2b1ae0784504df543af8969b"
			      "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcff"
			      "ead94f3c7ca495e056a9b47acdb7"
			      "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f5"
			      "8c30c04aafdb038dda0847dd988d"
			      "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f67"
			      "24517b65e614ad6808d6f6ee34df"
			      "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78f"
			      "f4ef5d63653a65040cf9bfd4aca7"
			      "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7"
			      "276cd419c17a3ca8e1b939ae49e4"
			      "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5"
			      "b52a1ecc820e308aa342721aac09"
			      "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb37"
			      "97aa2a2f256656168e6c496afc5f"
			      "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d33"
			      "4ba77c225bc307ba537152f3f161"
			      "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c0"
			      "91c6315cf4fde7cb68606937380d"
			      "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618"
			      "983f8741c5ef68d3a101e8a3b8ca"
			      "c60c905c15fc910840b94c00a0b9d0";

static const struct {
	const char *seed, *pk, *msg, *sig;
} rfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", msg1024,
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
     "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
    /* TEST SHA(abc): the message is SHA-512("abc"), filled in by the test */
    {"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", NULL,
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

#define NVEC (sizeof(rfc8032) / sizeof(rfc8032[0]))

struct vec {
	uint8_t seed[32], pk[32], sk[64], sig[64], msg[1024];
	size_t len;
};

static void load(struct vec *v, size_t i)
{
	crypto_hex(v->seed, rfc8032[i].seed);
	crypto_hex(v->pk, rfc8032[i].pk);
	crypto_hex(v->sig, rfc8032[i].sig);
	if (rfc8032[i].msg) {
		v->len = crypto_hex(v->msg, rfc8032[i].msg);
	} else {
		gzcrypto_sha512(v->msg, "abc", 3);
		v->len = 64;
	}
	memcpy(v->sk, v->seed, 32);
	memcpy(v->sk + 32, v->pk, 32);
}

static void test_rfc8032(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		struct vec v;
		uint8_t pk[32], sk[64], sig[64];

		load(&v, i);
		gzcrypto_ed25519_keypair(pk, sk, v.seed);
		assert_memory_equal(pk, v.pk, 32);
		assert_memory_equal(sk, v.sk, 64);
		gzcrypto_ed25519_sign(sig, v.msg, v.len, sk);
		assert_memory_equal(sig, v.sig, 64);
		assert_true(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, v.pk));
	}
}

/* L, little-endian */
static const uint8_t ell[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

static void add256(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
	unsigned carry = 0;

	for (int i = 0; i < 32; i++) {
		carry += (unsigned)a[i] + b[i];
		r[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

/* S + L is the same scalar, so the equation holds: only the S < L rule refuses it. S = L, the
 * top bits set, S = 2^256 - 1: all refused. */
static void test_malleability(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		struct vec v;
		uint8_t sig[64];

		load(&v, i);
		memcpy(sig, v.sig, 64);
		add256(sig + 32, v.sig + 32, ell);
		assert_false(gzcrypto_ed25519_verify(sig, v.msg, v.len, v.pk));
		memcpy(sig + 32, ell, 32);
		assert_false(gzcrypto_ed25519_verify(sig, v.msg, v.len, v.pk));
		memcpy(sig, v.sig, 64);
		sig[63] |= 0xe0;
		assert_false(gzcrypto_ed25519_verify(sig, v.msg, v.len, v.pk));
		memset(sig + 32, 0xff, 32);
		assert_false(gzcrypto_ed25519_verify(sig, v.msg, v.len, v.pk));
	}
}

/* Every bit of TEST 1's signature and key, of the others' every sixteenth (from a different
 * first bit each), and the first 32 bits of each message, flipped in turn: refused. (Every
 * bit of every vector takes half a minute under the sanitizers for little more.) */
static void test_flipped_bits(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		struct vec v;
		int step = i ? 16 : 1, first = (int)i * 3;

		load(&v, i);
		for (int bit = first; bit < 512; bit += step) {
			v.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, v.pk));
			v.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		for (int bit = first; bit < 256; bit += step) {
			v.pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, v.pk));
			v.pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		for (size_t bit = 0; bit < 8 * v.len && bit < 32; bit++) {
			v.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, v.pk));
			v.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		assert_true(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, v.pk));
	}
}

/* Another vector's key; the message one byte shorter or longer; the signature cut short and
 * padded with zeros. */
static void test_wrong_key_and_truncation(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		struct vec v, w;
		uint8_t sig[64];

		load(&v, i);
		load(&w, (i + 1) % NVEC);
		assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, w.pk));
		if (v.len)
			assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len - 1, v.pk));
		v.msg[v.len] = 0;
		assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len + 1, v.pk));
		for (int cut = 0; cut < 64; cut += 8) {
			memset(sig, 0, sizeof(sig));
			memcpy(sig, v.sig, (size_t)cut);
			assert_false(gzcrypto_ed25519_verify(sig, v.msg, v.len, v.pk));
		}
	}
}

/* p + y for y < 19 is a second, non-canonical encoding of y: never accepted as A or R, with
 * either sign bit, although many such y are on the curve (3, 4, 5, ...). */
static void test_noncanonical_encodings(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		struct vec v;
		uint8_t enc[32];

		load(&v, i);
		for (unsigned y = 0; y < 19; y++) {
			for (unsigned sign = 0; sign < 2; sign++) {
				memset(enc, 0xff, 32);
				enc[0] = (uint8_t)(0xed + y);
				enc[31] = (uint8_t)(0x7f | sign << 7);
				assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, enc));
				uint8_t sig[64];

				memcpy(sig, enc, 32);
				memcpy(sig + 32, v.sig + 32, 32);
				assert_false(gzcrypto_ed25519_verify(sig, v.msg, v.len, v.pk));
			}
		}
	}
}

/* The eight points of small order (their encodings, with the two "negative zero" ones that
 * are no encodings at all). With A the identity, R = the identity and S = 0 satisfy the
 * cofactorless equation for every message: refused because A and R have small order. */
static const char *const small_order[] = {
    "0100000000000000000000000000000000000000000000000000000000000000", /* identity */
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* (0, -1), order 2 */
    "0000000000000000000000000000000000000000000000000000000000000000", /* order 4 */
    "0000000000000000000000000000000000000000000000000000000000000080", /* order 4 */
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", /* order 8 */
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", /* order 8 */
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", /* order 8 */
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", /* order 8 */
    "0100000000000000000000000000000000000000000000000000000000000080", /* -0: invalid */
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", /* -0: invalid */
};

static void test_small_order(void **state)
{
	uint8_t enc[32], sig[64], identity[32];

	(void)state;
	crypto_hex(identity, small_order[0]);
	memcpy(sig, identity, 32);
	memset(sig + 32, 0, 32);
	assert_false(gzcrypto_ed25519_verify(sig, "any", 3, identity));
	for (size_t i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
		struct vec v;

		crypto_hex(enc, small_order[i]);
		assert_false(gzcrypto_ed25519_verify(sig, "any", 3, enc));
		load(&v, 0);
		assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, enc));
		memcpy(v.sig, enc, 32);
		assert_false(gzcrypto_ed25519_verify(v.sig, v.msg, v.len, v.pk));
	}
}

/* Keys from many seeds sign messages of many lengths; each signature verifies, and fails
 * under the next key. */
static void test_sign_verify_roundtrip(void **state)
{
	uint8_t seed[32], pk[32], sk[64], prev_pk[32], sig[64], msg[300];

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 29 + 1);
	memset(prev_pk, 0, sizeof(prev_pk));
	for (unsigned n = 0; n < 24; n++) {
		for (int i = 0; i < 32; i++)
			seed[i] = (uint8_t)(n * 97 + i * 13);
		gzcrypto_ed25519_keypair(pk, sk, seed);
		size_t len = (n * 37) % sizeof(msg);

		gzcrypto_ed25519_sign(sig, msg, len, sk);
		assert_true(gzcrypto_ed25519_verify(sig, msg, len, pk));
		if (n)
			assert_false(gzcrypto_ed25519_verify(sig, msg, len, prev_pk));
		memcpy(prev_pk, pk, 32);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc8032),
	    cmocka_unit_test(test_malleability),
	    cmocka_unit_test(test_flipped_bits),
	    cmocka_unit_test(test_wrong_key_and_truncation),
	    cmocka_unit_test(test_noncanonical_encodings),
	    cmocka_unit_test(test_small_order),
	    cmocka_unit_test(test_sign_verify_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
