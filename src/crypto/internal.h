/* gzcrypto's private helpers: byte-order loads and stores (byte by byte, so that the EL2 build's
 * strict alignment never matters) and the block buffering the two hashes share. */
#ifndef GZCRYPTO_INTERNAL_H
#define GZCRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t gzcrypto_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t gzcrypto_load_be64(const uint8_t *p)
{
	return (uint64_t)gzcrypto_load_be32(p) << 32 | gzcrypto_load_be32(p + 4);
}

static inline void gzcrypto_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void gzcrypto_store_be64(uint8_t *p, uint64_t v)
{
	gzcrypto_store_be32(p, (uint32_t)(v >> 32));
	gzcrypto_store_be32(p + 4, (uint32_t)v);
}

static inline uint32_t gzcrypto_load_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline void gzcrypto_store_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t gzcrypto_load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline void gzcrypto_store_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Feeds DATA into a hash whose partial block is BUF[*USED]: whole blocks go to BLOCK(STATE,
 * block) as they fill, the rest stays buffered. */
void gzcrypto_absorb(void *state, void (*block)(void *state, const uint8_t *blk), uint8_t *buf,
		     size_t block_size, size_t *used, const uint8_t *data, size_t len);

/* Pads the buffered tail as FIPS 180-4 §5.1 says: 0x80, zeros, then the message length in
 * bits as a big-endian number of LEN_BYTES bytes (8 for SHA-256, 16 for SHA-512) closing the
 * last block. */
void gzcrypto_pad(void *state, void (*block)(void *state, const uint8_t *blk), uint8_t *buf,
		  size_t block_size, size_t used, uint64_t total_bytes, size_t len_bytes);

/* Byte by byte: the EL2 archive calls nothing outside itself, not even memcpy. */
static inline void gzcrypto_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
}

#endif
