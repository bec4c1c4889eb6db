/* Fuzz target: Ed25519 signatures (src/crypto). Input: a 32-byte seed, a 64-byte signature
 * and a 32-byte public key taken as they are, then the message (short inputs are padded with
 * zeros). Invariants:
 *  - the signature made with the seed's key verifies, and none of its mutations does: a bit
 *    flipped in R, in S, in the key or in the message (positions chosen by the input's
 *    SHA-256), S + L, the message one byte shorter or longer, the key of a neighbouring seed;
 *  - the input's own signature and key verify only if they are exactly that signature and
 *    key: anything else would be a forgery of a key whose secret the input does not hold in a
 *    usable form (or a second valid signature, which a fuzzer cannot compute);
 *  - signing is deterministic;
 * and for boot signature blocks (gzcrypto/bootsig.h), with the message split into kernel,
 * initrd and bootargs: the block sealed with the seed's key verifies them, the same block with
 * one bit flipped (a position from the SHA-256) does not, and the message taken as a block
 * never verifies under that key.
 * fuzz-libs: gzcrypto */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gzcrypto/bootsig.h>
#include <gzcrypto/ed25519.h>
#include <gzcrypto/sha2.h>

#define HEAD 128 /* seed, signature, key */

static const uint8_t ell[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,	   0xd6,
    0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10,
};

static uint8_t msgbuf[4097];

static void refuse(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pk[32])
{
	if (gzcrypto_ed25519_verify(sig, msg, len, pk))
		abort();
}

static void flip(uint8_t *p, unsigned bit)
{
	p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t head[HEAD] = {0}, pk[32], sk[64], sig[64], again[64], h[32], m[64];
	const uint8_t *seed = head, *in_sig = head + 32, *in_pk = head + 96;
	size_t len = size > HEAD ? size - HEAD : 0;

	if (len > sizeof(msgbuf) - 1)
		return 0;
	memcpy(head, data, size < HEAD ? size : HEAD);
	if (len)
		memcpy(msgbuf, data + HEAD, len);
	gzcrypto_sha256(h, data, size);

	gzcrypto_ed25519_keypair(pk, sk, seed);
	gzcrypto_ed25519_sign(sig, msgbuf, len, sk);
	if (!gzcrypto_ed25519_verify(sig, msgbuf, len, pk))
		abort();
	gzcrypto_ed25519_sign(again, msgbuf, len, sk);
	if (memcmp(sig, again, 64))
		abort();

	if (gzcrypto_ed25519_verify(in_sig, msgbuf, len, in_pk) &&
	    (memcmp(in_sig, sig, 64) || memcmp(in_pk, pk, 32)))
		abort();

	/* bit flips: two in R, two in S, two in the key, two in the message */
	for (int i = 0; i < 8; i++) {
		unsigned bit = h[i] | (unsigned)h[8 + i] << 8;

		memcpy(m, sig, 64);
		if (i < 4) {
			flip(m, (i < 2 ? 0 : 256) + bit % 256);
			refuse(m, msgbuf, len, pk);
		} else if (i < 6) {
			uint8_t k[32];

			memcpy(k, pk, 32);
			flip(k, bit % 256);
			refuse(sig, msgbuf, len, k);
		} else if (len) {
			flip(msgbuf, bit % (8 * len));
			refuse(sig, msgbuf, len, pk);
			flip(msgbuf, bit % (8 * len));
		}
	}
	/* S + L: the same scalar, refused because it is not the canonical one */
	memcpy(m, sig, 64);
	unsigned carry = 0;
	for (int i = 0; i < 32; i++) {
		carry += (unsigned)sig[32 + i] + ell[i];
		m[32 + i] = (uint8_t)carry;
		carry >>= 8;
	}
	refuse(m, msgbuf, len, pk);
	/* the message one byte shorter, one byte longer */
	if (len)
		refuse(sig, msgbuf, len - 1, pk);
	msgbuf[len] = h[31];
	refuse(sig, msgbuf, len + 1, pk);
	/* the key of a neighbouring seed */
	uint8_t seed2[32], pk2[32], sk2[64];

	memcpy(seed2, seed, 32);
	seed2[h[30] % 32] ^= 1;
	gzcrypto_ed25519_keypair(pk2, sk2, seed2);
	refuse(sig, msgbuf, len, pk2);

	/* boot signature blocks: kernel, initrd and bootargs are thirds of the message */
	struct gzcrypto_bootsig bs;
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE];
	size_t k = len / 3, i = len / 3;
	const uint8_t *initrd = msgbuf + k, *args = msgbuf + k + i;
	size_t args_len = len - k - i;

	gzcrypto_bootsig_measure(&bs, msgbuf, k, initrd, i, args, args_len);
	gzcrypto_bootsig_seal(block, &bs, sk);
	if (gzcrypto_bootsig_verify(block, sizeof(block), pk, msgbuf, k, initrd, i, args,
				    args_len) != GZCRYPTO_BOOTSIG_OK)
		abort();
	flip(block, (h[28] | (unsigned)h[29] << 8) % (8 * sizeof(block)));
	if (gzcrypto_bootsig_verify(block, sizeof(block), pk, msgbuf, k, initrd, i, args,
				    args_len) == GZCRYPTO_BOOTSIG_OK)
		abort();
	if (gzcrypto_bootsig_verify(msgbuf, len, pk, msgbuf, k, initrd, i, args, args_len) ==
	    GZCRYPTO_BOOTSIG_OK)
		abort();
	return 0;
}
