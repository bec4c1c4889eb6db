/* HMAC-SHA-256 (RFC 2104 with SHA-256, as RFC 4231 tests it). The key may have any length (a
 * key longer than a block is hashed first). The context keeps the keyed outer hash, so it holds
 * secret state: final wipes it. */
#ifndef GZCRYPTO_HMAC_H
#define GZCRYPTO_HMAC_H

#include <gzcrypto/sha2.h>

#define GZCRYPTO_HMAC_SHA256_SIZE GZCRYPTO_SHA256_SIZE

struct gzcrypto_hmac_sha256 {
	struct gzcrypto_sha256 inner, outer;
};

void gzcrypto_hmac_sha256_init(struct gzcrypto_hmac_sha256 *c, const void *key, size_t key_len);
void gzcrypto_hmac_sha256_update(struct gzcrypto_hmac_sha256 *c, const void *data, size_t len);
void gzcrypto_hmac_sha256_final(struct gzcrypto_hmac_sha256 *c,
				uint8_t out[GZCRYPTO_HMAC_SHA256_SIZE]);
void gzcrypto_hmac_sha256(uint8_t out[GZCRYPTO_HMAC_SHA256_SIZE], const void *key, size_t key_len,
			  const void *data, size_t len);

#endif
