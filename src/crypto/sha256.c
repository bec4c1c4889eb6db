/* SHA-256 (FIPS 180-4 §6.2). The constants are the first 32 bits of the fractional parts of
 * the cube roots (K) and square roots (H0) of the first primes (§4.2.2, §5.3.3). */
#include <gzcrypto/ct.h>
#include <gzcrypto/sha2.h>

#include "internal.h"

static const uint32_t K[64] = {
    0x428a2f98U, 0x71374491U, 0xb5c0fbcfU, 0xe9b5dba5U, 0x3956c25bU, 0x59f111f1U, 0x923f82a4U,
    0xab1c5ed5U, 0xd807aa98U, 0x12835b01U, 0x243185beU, 0x550c7dc3U, 0x72be5d74U, 0x80deb1feU,
    0x9bdc06a7U, 0xc19bf174U, 0xe49b69c1U, 0xefbe4786U, 0x0fc19dc6U, 0x240ca1ccU, 0x2de92c6fU,
    0x4a7484aaU, 0x5cb0a9dcU, 0x76f988daU, 0x983e5152U, 0xa831c66dU, 0xb00327c8U, 0xbf597fc7U,
    0xc6e00bf3U, 0xd5a79147U, 0x06ca6351U, 0x14292967U, 0x27b70a85U, 0x2e1b2138U, 0x4d2c6dfcU,
    0x53380d13U, 0x650a7354U, 0x766a0abbU, 0x81c2c92eU, 0x92722c85U, 0xa2bfe8a1U, 0xa81a664bU,
    0xc24b8b70U, 0xc76c51a3U, 0xd192e819U, 0xd6990624U, 0xf40e3585U, 0x106aa070U, 0x19a4c116U,
    0x1e376c08U, 0x2748774cU, 0x34b0bcb5U, 0x391c0cb3U, 0x4ed8aa4aU, 0x5b9cca4fU, 0x682e6ff3U,
    0x748f82eeU, 0x78a5636fU, 0x84c87814U, 0x8cc70208U, 0x90befffaU, 0xa4506cebU, 0xbef9a3f7U,
    0xc67178f2U,
};

static const uint32_t H0[8] = {
    0x6a09e667U, 0xbb67ae85U, 0x3c6ef372U, 0xa54ff53aU,
    0x510e527fU, 0x9b05688cU, 0x1f83d9abU, 0x5be0cd19U,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static void compress(void *state, const uint8_t *blk)
{
	uint32_t *h = state;
	uint32_t w[64];

	for (int t = 0; t < 16; t++)
		w[t] = gzcrypto_load_be32(blk + 4 * t);
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];

	for (int t = 0; t < 64; t++) {
		uint32_t t1 =
		    hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void gzcrypto_sha256_init(struct gzcrypto_sha256 *c)
{
	for (int i = 0; i < 8; i++)
		c->h[i] = H0[i];
	c->total = 0;
	c->used = 0;
}

void gzcrypto_sha256_update(struct gzcrypto_sha256 *c, const void *data, size_t len)
{
	c->total += len;
	gzcrypto_absorb(c->h, compress, c->buf, sizeof(c->buf), &c->used, data, len);
}

void gzcrypto_sha256_final(struct gzcrypto_sha256 *c, uint8_t out[GZCRYPTO_SHA256_SIZE])
{
	gzcrypto_pad(c->h, compress, c->buf, sizeof(c->buf), c->used, c->total, 8);
	for (int i = 0; i < 8; i++)
		gzcrypto_store_be32(out + 4 * i, c->h[i]);
	gzcrypto_wipe(c, sizeof(*c));
}

void gzcrypto_sha256(uint8_t out[GZCRYPTO_SHA256_SIZE], const void *data, size_t len)
{
	struct gzcrypto_sha256 c;

	gzcrypto_sha256_init(&c);
	gzcrypto_sha256_update(&c, data, len);
	gzcrypto_sha256_final(&c, out);
}
