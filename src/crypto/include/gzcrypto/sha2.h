/* SHA-256 and SHA-512 (FIPS 180-4): streaming (init, update, final) and one-shot. A context
 * holds no pointers and may be copied to hash a common prefix once. */
#ifndef GZCRYPTO_SHA2_H
#define GZCRYPTO_SHA2_H

#include <stddef.h>
#include <stdint.h>

#define GZCRYPTO_SHA256_SIZE  32
#define GZCRYPTO_SHA256_BLOCK 64
#define GZCRYPTO_SHA512_SIZE  64
#define GZCRYPTO_SHA512_BLOCK 128

struct gzcrypto_sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	size_t used;	/* bytes waiting in buf */
	uint8_t buf[GZCRYPTO_SHA256_BLOCK];
};

struct gzcrypto_sha512 {
	uint64_t h[8];
	uint64_t total; /* bytes (a message of 2^64 bytes or more is not supported) */
	size_t used;
	uint8_t buf[GZCRYPTO_SHA512_BLOCK];
};

void gzcrypto_sha256_init(struct gzcrypto_sha256 *c);
void gzcrypto_sha256_update(struct gzcrypto_sha256 *c, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void gzcrypto_sha256_final(struct gzcrypto_sha256 *c, uint8_t out[GZCRYPTO_SHA256_SIZE]);
void gzcrypto_sha256(uint8_t out[GZCRYPTO_SHA256_SIZE], const void *data, size_t len);

void gzcrypto_sha512_init(struct gzcrypto_sha512 *c);
void gzcrypto_sha512_update(struct gzcrypto_sha512 *c, const void *data, size_t len);
void gzcrypto_sha512_final(struct gzcrypto_sha512 *c, uint8_t out[GZCRYPTO_SHA512_SIZE]);
void gzcrypto_sha512(uint8_t out[GZCRYPTO_SHA512_SIZE], const void *data, size_t len);

#endif
