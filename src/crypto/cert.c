/* Certificates of Ed25519 keys (gzcrypto/cert.h): sealing and checking. */
#include <gzcrypto/cert.h>
#include <gzcrypto/ct.h>
#include <gzcrypto/ed25519.h>

#include "internal.h"

static const uint8_t magic[8] = {'G', 'Z', 'C', 'E', 'R', 'T', '1', 0};

enum {
	OFF_VERSION = 8,
	OFF_USAGE = 12,
	OFF_ISSUER = 16,
	OFF_SUBJECT = 48,
	OFF_SIG = GZCRYPTO_CERT_SIGNED,
};

void gzcrypto_cert_seal(uint8_t cert[GZCRYPTO_CERT_SIZE], uint32_t usage, const uint8_t subject[32],
			const uint8_t issuer_sk[64])
{
	gzcrypto_copy(cert, magic, sizeof(magic));
	gzcrypto_store_le32(cert + OFF_VERSION, GZCRYPTO_CERT_VERSION);
	gzcrypto_store_le32(cert + OFF_USAGE, usage);
	gzcrypto_copy(cert + OFF_ISSUER, issuer_sk + 32, 32);
	gzcrypto_copy(cert + OFF_SUBJECT, subject, 32);
	gzcrypto_ed25519_sign(cert + OFF_SIG, cert, GZCRYPTO_CERT_SIGNED, issuer_sk);
}

enum gzcrypto_cert_status gzcrypto_cert_open(uint8_t subject[32], const void *cert, size_t len,
					     uint32_t usage, const uint8_t trusted_issuer[32])
{
	const uint8_t *c = cert;

	if (len < GZCRYPTO_CERT_SIZE)
		return GZCRYPTO_CERT_TRUNCATED;
	if (len > GZCRYPTO_CERT_SIZE || !gzcrypto_ct_equal(c, magic, sizeof(magic)) ||
	    gzcrypto_load_le32(c + OFF_VERSION) != GZCRYPTO_CERT_VERSION)
		return GZCRYPTO_CERT_MALFORMED;
	if (gzcrypto_load_le32(c + OFF_USAGE) != usage)
		return GZCRYPTO_CERT_WRONG_USAGE;
	if (!gzcrypto_ct_equal(c + OFF_ISSUER, trusted_issuer, 32))
		return GZCRYPTO_CERT_WRONG_ISSUER;
	if (!gzcrypto_ed25519_verify(c + OFF_SIG, c, GZCRYPTO_CERT_SIGNED, trusted_issuer))
		return GZCRYPTO_CERT_BAD_SIGNATURE;
	gzcrypto_copy(subject, c + OFF_SUBJECT, 32);
	return GZCRYPTO_CERT_OK;
}

const char *gzcrypto_cert_error(enum gzcrypto_cert_status st)
{
	switch (st) {
	case GZCRYPTO_CERT_OK:
		return "certificate verified";
	case GZCRYPTO_CERT_TRUNCATED:
		return "certificate truncated";
	case GZCRYPTO_CERT_MALFORMED:
		return "certificate malformed";
	case GZCRYPTO_CERT_WRONG_USAGE:
		return "certificate made for another use";
	case GZCRYPTO_CERT_WRONG_ISSUER:
		return "certificate not issued by the trusted key";
	case GZCRYPTO_CERT_BAD_SIGNATURE:
		return "certificate signature does not verify";
	}
	return "unknown certificate status";
}
