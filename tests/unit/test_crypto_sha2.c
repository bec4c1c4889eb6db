/* SHA-256 and SHA-512 (src/crypto/sha256.c, sha512.c) against FIPS 180-4's examples (NIST's
 * "abc", the 448-bit and 896-bit messages, one million 'a') and the empty message; streaming
 * in pieces of every size gives the one-shot digest.
 * test-libs: gzcrypto */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gzcrypto/sha2.h>

#include "crypto_hex.h"

#define MSG448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define MSG896                                                                                     \
	"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr" \
	"lmnopqrsmnopqrstnopqrstu"

static const struct {
	const char *msg, *sha256, *sha512;
} vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
     "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {MSG448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
     "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"},
    {MSG896, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
     "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"},
};

static void test_fips_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t want[64], got[64];
		size_t len = strlen(vectors[i].msg);

		crypto_hex(want, vectors[i].sha256);
		gzcrypto_sha256(got, vectors[i].msg, len);
		assert_memory_equal(got, want, 32);
		crypto_hex(want, vectors[i].sha512);
		gzcrypto_sha512(got, vectors[i].msg, len);
		assert_memory_equal(got, want, 64);
	}
}

/* One million 'a' fed in pieces of 997 bytes (never a block multiple) and one byte at the
 * end. */
static void test_million_a(void **state)
{
	static uint8_t a[997];
	struct gzcrypto_sha256 c256;
	struct gzcrypto_sha512 c512;
	uint8_t want[64], got[64];
	size_t left = 1000000;

	(void)state;
	memset(a, 'a', sizeof(a));
	gzcrypto_sha256_init(&c256);
	gzcrypto_sha512_init(&c512);
	while (left) {
		size_t n = left > sizeof(a) ? sizeof(a) : left - 1;

		if (!n)
			n = 1;
		gzcrypto_sha256_update(&c256, a, n);
		gzcrypto_sha512_update(&c512, a, n);
		left -= n;
	}
	gzcrypto_sha256_final(&c256, got);
	crypto_hex(want, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	assert_memory_equal(got, want, 32);
	gzcrypto_sha512_final(&c512, got);
	crypto_hex(want, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
			 "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
	assert_memory_equal(got, want, 64);
}

/* Every message length up to three SHA-512 blocks, split at every point into two updates (the
 * first possibly empty), hashes as in one call; the lengths cover each padding case (room for
 * the length field in the last block or not). */
static void test_split_updates(void **state)
{
	uint8_t msg[384], h256[32], h512[64];

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	for (size_t len = 0; len <= sizeof(msg); len += 1 + len / 64) {
		gzcrypto_sha256(h256, msg, len);
		gzcrypto_sha512(h512, msg, len);
		for (size_t cut = 0; cut <= len; cut++) {
			struct gzcrypto_sha256 c256;
			struct gzcrypto_sha512 c512;
			uint8_t d256[32], d512[64];

			gzcrypto_sha256_init(&c256);
			gzcrypto_sha256_update(&c256, msg, cut);
			gzcrypto_sha256_update(&c256, msg + cut, len - cut);
			gzcrypto_sha256_final(&c256, d256);
			assert_memory_equal(h256, d256, 32);
			gzcrypto_sha512_init(&c512);
			gzcrypto_sha512_update(&c512, msg, cut);
			gzcrypto_sha512_update(&c512, msg + cut, len - cut);
			gzcrypto_sha512_final(&c512, d512);
			assert_memory_equal(h512, d512, 64);
		}
	}
}

/* A context copied after a common prefix finishes both messages independently. */
static void test_context_copy(void **state)
{
	struct gzcrypto_sha256 c, d;
	uint8_t want[32], got[32];

	(void)state;
	gzcrypto_sha256_init(&c);
	gzcrypto_sha256_update(&c, "ab", 2);
	d = c;
	gzcrypto_sha256_update(&c, "c", 1);
	gzcrypto_sha256_final(&c, got);
	gzcrypto_sha256(want, "abc", 3);
	assert_memory_equal(got, want, 32);
	gzcrypto_sha256_final(&d, got);
	gzcrypto_sha256(want, "ab", 2);
	assert_memory_equal(got, want, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fips_examples),
	    cmocka_unit_test(test_million_a),
	    cmocka_unit_test(test_split_updates),
	    cmocka_unit_test(test_context_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
