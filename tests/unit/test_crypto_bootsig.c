/* The boot signature block (src/crypto/bootsig.c): a sealed block verifies its kernel, initrd,
 * bootargs and machine (memory and devices digests); a tampered, shortened or lengthened
 * kernel, initrd or command line, another memory or devices digest, a version 1 block, a block
 * for another key, a forged key field, a truncated, overlong or malformed block and every
 * flipped bit are refused with their own status. libsodium checks that the signature is plain
 * Ed25519 over the block's first 232 bytes; the configuration measurement is SHA-256 of the
 * three digests.
 * test-libs: gzcrypto sodium */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include <gzcrypto/bootsig.h>
#include <gzcrypto/ed25519.h>

static uint8_t kernel[5000], initrd[3000];
static const char bootargs[] = "console=hvc0 root=/dev/vda rw";
static uint8_t pk[32], sk[64], other_pk[32], other_sk[64];
static uint8_t memory[32], devices[32]; /* the machine's digests, as gz_vmdesc_read gives */

static int setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	for (size_t i = 0; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 13 + 5);
	memset(memory, 0x3c, sizeof(memory));
	memset(devices, 0xd5, sizeof(devices));
	memset(seed, 0x42, sizeof(seed));
	gzcrypto_ed25519_keypair(pk, sk, seed);
	seed[0] ^= 1;
	gzcrypto_ed25519_keypair(other_pk, other_sk, seed);
	return 0;
}

static void seal(uint8_t block[GZCRYPTO_BOOTSIG_SIZE], const uint8_t *key, bool with_initrd)
{
	struct gzcrypto_bootsig s;

	gzcrypto_bootsig_measure(&s, kernel, sizeof(kernel), with_initrd ? initrd : NULL,
				 with_initrd ? sizeof(initrd) : 0, bootargs, strlen(bootargs));
	memcpy(s.memory_sha256, memory, 32);
	memcpy(s.devices_sha256, devices, 32);
	gzcrypto_bootsig_seal(block, &s, key);
}

static enum gzcrypto_bootsig_status check(const uint8_t *block, size_t len, const uint8_t *trusted)
{
	return gzcrypto_bootsig_verify(block, len, trusted, kernel, sizeof(kernel), initrd,
				       sizeof(initrd), bootargs, strlen(bootargs), memory, devices);
}

static void test_valid(void **state)
{
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE];
	struct gzcrypto_bootsig want, got;

	(void)state;
	seal(block, sk, true);
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_OK);
	assert_int_equal(crypto_sign_verify_detached(block + GZCRYPTO_BOOTSIG_SIGNED, block,
						     GZCRYPTO_BOOTSIG_SIGNED, pk),
			 0);
	/* open gives back what was measured */
	gzcrypto_bootsig_measure(&want, kernel, sizeof(kernel), initrd, sizeof(initrd), bootargs,
				 strlen(bootargs));
	assert_int_equal(gzcrypto_bootsig_open(&got, block, sizeof(block), pk),
			 GZCRYPTO_BOOTSIG_OK);
	assert_memory_equal(got.pk, pk, 32);
	assert_int_equal(got.kernel_size, sizeof(kernel));
	assert_int_equal(got.initrd_size, sizeof(initrd));
	assert_int_equal(got.bootargs_len, strlen(bootargs));
	assert_memory_equal(got.kernel_sha256, want.kernel_sha256, 32);
	assert_memory_equal(got.initrd_sha256, want.initrd_sha256, 32);
	assert_memory_equal(got.bootargs_sha256, want.bootargs_sha256, 32);
	assert_memory_equal(got.memory_sha256, memory, 32);
	assert_memory_equal(got.devices_sha256, devices, 32);
	/* the configuration measurement: SHA-256(bootargs || memory || devices digests) */
	{
		uint8_t three[96], want_conf[32], conf[32];

		memcpy(three, want.bootargs_sha256, 32);
		memcpy(three + 32, memory, 32);
		memcpy(three + 64, devices, 32);
		crypto_hash_sha256(want_conf, three, sizeof(three));
		gzcrypto_bootsig_config(conf, &got);
		assert_memory_equal(conf, want_conf, 32);
	}
	/* no initrd, no bootargs */
	seal(block, sk, false);
	assert_int_equal(gzcrypto_bootsig_verify(block, sizeof(block), pk, kernel, sizeof(kernel),
						 NULL, 0, bootargs, strlen(bootargs), memory,
						 devices),
			 GZCRYPTO_BOOTSIG_OK);
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_INITRD);
}

static void test_tampered_images(void **state)
{
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE];
	const size_t blen = strlen(bootargs);

	(void)state;
	seal(block, sk, true);
	for (size_t at = 0; at < sizeof(kernel); at += 997) {
		kernel[at] ^= 0x01;
		assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_KERNEL);
		kernel[at] ^= 0x01;
	}
	assert_int_equal(gzcrypto_bootsig_verify(block, sizeof(block), pk, kernel,
						 sizeof(kernel) - 1, initrd, sizeof(initrd),
						 bootargs, blen, memory, devices),
			 GZCRYPTO_BOOTSIG_KERNEL);
	initrd[sizeof(initrd) - 1] ^= 0x80;
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_INITRD);
	initrd[sizeof(initrd) - 1] ^= 0x80;
	assert_int_equal(gzcrypto_bootsig_verify(block, sizeof(block), pk, kernel, sizeof(kernel),
						 NULL, 0, bootargs, blen, memory, devices),
			 GZCRYPTO_BOOTSIG_INITRD);
	assert_int_equal(gzcrypto_bootsig_verify(block, sizeof(block), pk, kernel, sizeof(kernel),
						 initrd, sizeof(initrd),
						 "console=hvc0 root=/dev/vda rW", blen, memory,
						 devices),
			 GZCRYPTO_BOOTSIG_BOOTARGS);
	assert_int_equal(gzcrypto_bootsig_verify(block, sizeof(block), pk, kernel, sizeof(kernel),
						 initrd, sizeof(initrd), bootargs, blen - 1, memory,
						 devices),
			 GZCRYPTO_BOOTSIG_BOOTARGS);
	/* a length beyond the 32-bit field whose low bits match: refused before any read */
	assert_int_equal(gzcrypto_bootsig_verify(block, sizeof(block), pk, kernel, sizeof(kernel),
						 initrd, sizeof(initrd), bootargs,
						 ((size_t)1 << 32) + blen, memory, devices),
			 GZCRYPTO_BOOTSIG_BOOTARGS);
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_OK);
}

/* Another machine: each digest byte by byte; the first that differs names what changed. */
static void test_tampered_machine(void **state)
{
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE];

	(void)state;
	seal(block, sk, true);
	for (size_t at = 0; at < 32; at++) {
		memory[at] ^= 0x20;
		assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_MEMORY);
		devices[at] ^= 0x02;
		assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_MEMORY);
		memory[at] ^= 0x20;
		assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_DEVICES);
		devices[at] ^= 0x02;
	}
	/* the images come first */
	devices[0] ^= 1;
	kernel[0] ^= 1;
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_KERNEL);
	kernel[0] ^= 1;
	devices[0] ^= 1;
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_OK);
}

/* A version 1 block (no machine) re-signed as it was: refused as malformed, so a block made
 * before the machine counted cannot boot another one. */
static void test_version_1(void **state)
{
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE];

	(void)state;
	seal(block, sk, true);
	block[8] = 1;
	gzcrypto_ed25519_sign(block + GZCRYPTO_BOOTSIG_SIGNED, block, GZCRYPTO_BOOTSIG_SIGNED, sk);
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_MALFORMED);
	assert_int_equal(check(block, 232, pk), GZCRYPTO_BOOTSIG_TRUNCATED);
}

/* Signed with another key: WRONG_KEY; the key field then set to the trusted key: the
 * signature no longer verifies. */
static void test_wrong_key(void **state)
{
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE];

	(void)state;
	seal(block, other_sk, true);
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_WRONG_KEY);
	assert_int_equal(check(block, sizeof(block), other_pk), GZCRYPTO_BOOTSIG_OK);
	memcpy(block + 16, pk, 32);
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_BAD_SIGNATURE);
}

static void test_truncated_and_malformed(void **state)
{
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE + 1];

	(void)state;
	seal(block, sk, true);
	for (size_t len = 0; len < GZCRYPTO_BOOTSIG_SIZE; len++)
		assert_int_equal(check(block, len, pk), GZCRYPTO_BOOTSIG_TRUNCATED);
	block[GZCRYPTO_BOOTSIG_SIZE] = 0;
	assert_int_equal(check(block, sizeof(block), pk), GZCRYPTO_BOOTSIG_MALFORMED);
	/* magic, version, flags, padding: each refused before the signature is looked at */
	static const size_t fields[] = {0, 7, 8, 11, 12, 15, 132, 135};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		block[fields[i]] ^= 0x10;
		assert_int_equal(check(block, GZCRYPTO_BOOTSIG_SIZE, pk),
				 GZCRYPTO_BOOTSIG_MALFORMED);
		block[fields[i]] ^= 0x10;
	}
	assert_int_equal(check(block, GZCRYPTO_BOOTSIG_SIZE, pk), GZCRYPTO_BOOTSIG_OK);
}

/* Every bit of the form and key fields and one bit of every other byte (a different bit from
 * byte to byte) flipped: the form fields say MALFORMED, the key field WRONG_KEY, everything
 * else (sizes, digests, the signature) BAD_SIGNATURE. */
static void test_every_bit(void **state)
{
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE];

	(void)state;
	seal(block, sk, true);
	for (unsigned bit = 0; bit < 8 * GZCRYPTO_BOOTSIG_SIZE; bit++) {
		unsigned byte = bit / 8;
		enum gzcrypto_bootsig_status want = GZCRYPTO_BOOTSIG_BAD_SIGNATURE;

		if (byte >= 48 && !(byte >= 132 && byte < 136) && bit % 8 != byte % 8)
			continue; /* each such bit costs a full verification */
		if (byte < 16 || (byte >= 132 && byte < 136))
			want = GZCRYPTO_BOOTSIG_MALFORMED;
		else if (byte < 48)
			want = GZCRYPTO_BOOTSIG_WRONG_KEY;
		block[byte] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(check(block, sizeof(block), pk), want);
		block[byte] ^= (uint8_t)(1u << (bit % 8));
	}
}

static void test_error_texts(void **state)
{
	(void)state;
	for (int st = GZCRYPTO_BOOTSIG_OK; st <= GZCRYPTO_BOOTSIG_DEVICES; st++) {
		const char *t = gzcrypto_bootsig_error((enum gzcrypto_bootsig_status)st);

		assert_non_null(strstr(t, "sign"));
		assert_null(strchr(t, '\n'));
		for (int other = GZCRYPTO_BOOTSIG_OK; other < st; other++)
			assert_string_not_equal(
			    t, gzcrypto_bootsig_error((enum gzcrypto_bootsig_status)other));
	}
	assert_string_equal(gzcrypto_bootsig_error((enum gzcrypto_bootsig_status)99),
			    "unknown signature status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_tampered_images),
	    cmocka_unit_test(test_tampered_machine),
	    cmocka_unit_test(test_version_1),
	    cmocka_unit_test(test_wrong_key),
	    cmocka_unit_test(test_truncated_and_malformed),
	    cmocka_unit_test(test_every_bit),
	    cmocka_unit_test(test_error_texts),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
