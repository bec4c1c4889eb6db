/* HKDF with HMAC-SHA-256 (RFC 5869): extract a pseudorandom key from input keying material,
 * expand it into as many output bytes as needed (at most 255 hash lengths). */
#ifndef GZCRYPTO_HKDF_H
#define GZCRYPTO_HKDF_H

#include <stdbool.h>
#include <gzcrypto/hmac.h>

#define GZCRYPTO_HKDF_SHA256_MAX (255 * GZCRYPTO_SHA256_SIZE)

/* PRK = HMAC(salt, IKM); an absent salt (NULL or empty) is a block of zeros, as §2.2 says. */
void gzcrypto_hkdf_sha256_extract(uint8_t prk[GZCRYPTO_SHA256_SIZE], const void *salt,
				  size_t salt_len, const void *ikm, size_t ikm_len);
/* OKM = T(1) | T(2) | ... cut to OUT_LEN; false (OUT untouched) when OUT_LEN exceeds
 * GZCRYPTO_HKDF_SHA256_MAX. PRK may be any length, as §2.3 allows. */
bool gzcrypto_hkdf_sha256_expand(uint8_t *out, size_t out_len, const void *prk, size_t prk_len,
				 const void *info, size_t info_len);
/* Extract then expand. */
bool gzcrypto_hkdf_sha256(uint8_t *out, size_t out_len, const void *salt, size_t salt_len,
			  const void *ikm, size_t ikm_len, const void *info, size_t info_len);

#endif
