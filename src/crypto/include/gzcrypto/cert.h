/* A certificate for one Ed25519 public key: the platform's attestation root vouches with it
 * for the key gzhyp signs attestation reports with in this boot (docs/security.md, "The
 * attestation key's certificate"). Fixed layout, no X.509: one issuer, one subject, one use.
 *
 * Layout (144 bytes, integers little-endian):
 *     0   8  magic "GZCERT1\0"
 *     8   4  version (1)
 *    12   4  usage (GZCRYPTO_CERT_ATTEST: the subject signs attestation reports)
 *    16  32  the issuer's Ed25519 public key
 *    48  32  the subject: the certified Ed25519 public key
 *    80  64  the issuer's Ed25519 signature of bytes 0-79
 * The magic starts the signed bytes, so no other object the issuer signs (a boot signature
 * block, a report) can pass for a certificate. */
#ifndef GZCRYPTO_CERT_H
#define GZCRYPTO_CERT_H

#include <stddef.h>
#include <stdint.h>

#define GZCRYPTO_CERT_SIZE    144
#define GZCRYPTO_CERT_SIGNED  80
#define GZCRYPTO_CERT_VERSION 1
#define GZCRYPTO_CERT_ATTEST  1 /* usage: the key of gzhyp's attestation reports */

/* Results in the order they are checked; each has a one-line text (gzcrypto_cert_error). */
enum gzcrypto_cert_status {
	GZCRYPTO_CERT_OK = 0,
	GZCRYPTO_CERT_TRUNCATED,     /* fewer than 144 bytes */
	GZCRYPTO_CERT_MALFORMED,     /* more bytes, wrong magic or version */
	GZCRYPTO_CERT_WRONG_USAGE,   /* certifies the key for another use */
	GZCRYPTO_CERT_WRONG_ISSUER,  /* issued by another key than the trusted one */
	GZCRYPTO_CERT_BAD_SIGNATURE, /* the issuer's signature does not verify */
};

/* Writes the certificate of SUBJECT for USAGE, signed with ISSUER_SK (seed || public key). */
void gzcrypto_cert_seal(uint8_t cert[GZCRYPTO_CERT_SIZE], uint32_t usage, const uint8_t subject[32],
			const uint8_t issuer_sk[64]);
/* Checks the LEN bytes at CERT: form, USAGE, issuer TRUSTED_ISSUER and signature; on OK the
 * certified key is copied to SUBJECT. */
enum gzcrypto_cert_status gzcrypto_cert_open(uint8_t subject[32], const void *cert, size_t len,
					     uint32_t usage, const uint8_t trusted_issuer[32]);
/* One line, no newline: "certificate not issued by the trusted key", ... */
const char *gzcrypto_cert_error(enum gzcrypto_cert_status st);

#endif
