/* Certificates of Ed25519 keys (src/crypto/cert.c): a sealed certificate opens under its
 * issuer and gives back its subject; libsodium checks the signature is plain Ed25519 over the
 * first 80 bytes; another issuer, another usage, a truncated, overlong or malformed
 * certificate and every flipped bit are refused with their own status.
 * test-libs: gzcrypto sodium */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include <gzcrypto/cert.h>
#include <gzcrypto/ed25519.h>

static uint8_t root_pk[32], root_sk[64], other_pk[32], other_sk[64], subject[32];

static int setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	memset(seed, 0x17, sizeof(seed));
	gzcrypto_ed25519_keypair(root_pk, root_sk, seed);
	seed[5] ^= 0x40;
	gzcrypto_ed25519_keypair(other_pk, other_sk, seed);
	for (unsigned i = 0; i < sizeof(subject); i++)
		subject[i] = (uint8_t)(3 * i + 1);
	return 0;
}

static void test_valid(void **state)
{
	uint8_t cert[GZCRYPTO_CERT_SIZE], got[32];

	(void)state;
	gzcrypto_cert_seal(cert, GZCRYPTO_CERT_ATTEST, subject, root_sk);
	assert_memory_equal(cert, "GZCERT1", 8);
	assert_memory_equal(cert + 16, root_pk, 32);
	assert_memory_equal(cert + 48, subject, 32);
	assert_int_equal(crypto_sign_verify_detached(cert + GZCRYPTO_CERT_SIGNED, cert,
						     GZCRYPTO_CERT_SIGNED, root_pk),
			 0);
	memset(got, 0, sizeof(got));
	assert_int_equal(gzcrypto_cert_open(got, cert, sizeof(cert), GZCRYPTO_CERT_ATTEST, root_pk),
			 GZCRYPTO_CERT_OK);
	assert_memory_equal(got, subject, 32);
}

static void test_refused(void **state)
{
	uint8_t cert[GZCRYPTO_CERT_SIZE + 1] = {0}, got[32];

	(void)state;
	gzcrypto_cert_seal(cert, GZCRYPTO_CERT_ATTEST, subject, root_sk);
	for (size_t len = 0; len < GZCRYPTO_CERT_SIZE; len++)
		assert_int_equal(gzcrypto_cert_open(got, cert, len, GZCRYPTO_CERT_ATTEST, root_pk),
				 GZCRYPTO_CERT_TRUNCATED);
	assert_int_equal(gzcrypto_cert_open(got, cert, sizeof(cert), GZCRYPTO_CERT_ATTEST, root_pk),
			 GZCRYPTO_CERT_MALFORMED);
	assert_int_equal(gzcrypto_cert_open(got, cert, GZCRYPTO_CERT_SIZE, 2, root_pk),
			 GZCRYPTO_CERT_WRONG_USAGE);
	assert_int_equal(
	    gzcrypto_cert_open(got, cert, GZCRYPTO_CERT_SIZE, GZCRYPTO_CERT_ATTEST, other_pk),
	    GZCRYPTO_CERT_WRONG_ISSUER);
	/* issued by another key that then names the trusted one as issuer */
	gzcrypto_cert_seal(cert, GZCRYPTO_CERT_ATTEST, subject, other_sk);
	memcpy(cert + 16, root_pk, 32);
	assert_int_equal(
	    gzcrypto_cert_open(got, cert, GZCRYPTO_CERT_SIZE, GZCRYPTO_CERT_ATTEST, root_pk),
	    GZCRYPTO_CERT_BAD_SIGNATURE);
}

/* Every bit flipped: magic and version say MALFORMED, usage WRONG_USAGE, issuer WRONG_ISSUER,
 * subject and signature BAD_SIGNATURE; the subject is never handed out. */
static void test_every_bit(void **state)
{
	uint8_t cert[GZCRYPTO_CERT_SIZE], got[32];

	(void)state;
	gzcrypto_cert_seal(cert, GZCRYPTO_CERT_ATTEST, subject, root_sk);
	for (unsigned bit = 0; bit < 8 * GZCRYPTO_CERT_SIZE; bit++) {
		unsigned byte = bit / 8;
		enum gzcrypto_cert_status want = GZCRYPTO_CERT_BAD_SIGNATURE;

		if (byte >= 48 && bit % 8 != byte % 8)
			continue; /* each such bit costs a full verification */
		if (byte < 12)
			want = GZCRYPTO_CERT_MALFORMED;
		else if (byte < 16)
			want = GZCRYPTO_CERT_WRONG_USAGE;
		else if (byte < 48)
			want = GZCRYPTO_CERT_WRONG_ISSUER;
		cert[byte] ^= (uint8_t)(1u << (bit % 8));
		memset(got, 0, sizeof(got));
		assert_int_equal(
		    gzcrypto_cert_open(got, cert, sizeof(cert), GZCRYPTO_CERT_ATTEST, root_pk),
		    want);
		assert_memory_equal(got, (uint8_t[32]){0}, 32);
		cert[byte] ^= (uint8_t)(1u << (bit % 8));
	}
}

static void test_error_texts(void **state)
{
	(void)state;
	for (int st = GZCRYPTO_CERT_OK; st <= GZCRYPTO_CERT_BAD_SIGNATURE; st++) {
		const char *t = gzcrypto_cert_error((enum gzcrypto_cert_status)st);

		assert_non_null(strstr(t, "certificate"));
		assert_null(strchr(t, '\n'));
		for (int other = GZCRYPTO_CERT_OK; other < st; other++)
			assert_string_not_equal(
			    t, gzcrypto_cert_error((enum gzcrypto_cert_status)other));
	}
	assert_string_equal(gzcrypto_cert_error((enum gzcrypto_cert_status)99),
			    "unknown certificate status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_every_bit),
	    cmocka_unit_test(test_error_texts),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
