/* Fuzz target: Ed25519 signatures (src/crypto). Input: a 32-byte seed, a 64-byte signature
 * and a 32-byte public key taken as they are, then the message (short inputs are padded with
 * zeros). Invariants:
 *  - the signature made with the seed's key verifies, and none of its mutations does: a bit
 *    flipped in R, in S, in the key or in the message, S + L, the message one byte shorter or
 *    longer, the key of a neighbouring seed (one mutation per input, the kind and position
 *    chosen by the input's SHA-256: a scalar multiplication is costly under the sanitizers,
 *    and more inputs per second serve the search better than more checks per input);
 *  - the input's own signature, under the seed's key, verifies only if it is exactly the
 *    signature made above: anything else would be a second valid signature, which a fuzzer
 *    cannot compute. Under another key it may verify: the corpus holds genuine signatures of
 *    other seeds, which mutations carry over beside a new seed (fuzz_crypto_diff checks every
 *    verdict against libsodium);
 *  - signing is deterministic;
 * and, as one more kind, for boot signature blocks (gzcrypto/bootsig.h), with the message
 * split into kernel, initrd and bootargs and the machine's digests taken from the input's
 * signature field: the block sealed with the seed's key verifies them, the same block with one
 * bit flipped does not, nor the block against a machine with one digest bit flipped, and the
 * message taken as a block never verifies under that key; and for certificates
 * (gzcrypto/cert.h) of the input's key field: the certificate sealed with the seed's key
 * opens under it and gives back that key, not for another usage, not with one bit flipped,
 * and the message taken as a certificate never opens under that key.
 * fuzz-libs: gzcrypto */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gzcrypto/bootsig.h>
#include <gzcrypto/cert.h>
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

/* Kernel, initrd and bootargs are thirds of the message. */
static void bootsig(const uint8_t *msg, size_t len, const uint8_t pk[32], const uint8_t sk[64],
		    const uint8_t machine[64], unsigned bit)
{
	struct gzcrypto_bootsig bs;
	uint8_t block[GZCRYPTO_BOOTSIG_SIZE], other[64];
	size_t k = len / 3, i = len / 3, a = len - k - i;
	const uint8_t *initrd = msg + k, *args = msg + k + i;

	gzcrypto_bootsig_measure(&bs, msg, k, initrd, i, args, a);
	memcpy(bs.memory_sha256, machine, 32);
	memcpy(bs.devices_sha256, machine + 32, 32);
	gzcrypto_bootsig_seal(block, &bs, sk);
	if (gzcrypto_bootsig_verify(block, sizeof(block), pk, msg, k, initrd, i, args, a, machine,
				    machine + 32) != GZCRYPTO_BOOTSIG_OK)
		abort();
	memcpy(other, machine, sizeof(other));
	flip(other, bit % (8 * sizeof(other)));
	if (gzcrypto_bootsig_verify(block, sizeof(block), pk, msg, k, initrd, i, args, a, other,
				    other + 32) !=
	    (bit % (8 * sizeof(other)) < 256 ? GZCRYPTO_BOOTSIG_MEMORY : GZCRYPTO_BOOTSIG_DEVICES))
		abort();
	flip(block, bit % (8 * sizeof(block)));
	if (gzcrypto_bootsig_verify(block, sizeof(block), pk, msg, k, initrd, i, args, a, machine,
				    machine + 32) == GZCRYPTO_BOOTSIG_OK)
		abort();
	if (gzcrypto_bootsig_verify(msg, len, pk, msg, k, initrd, i, args, a, machine,
				    machine + 32) == GZCRYPTO_BOOTSIG_OK)
		abort();
}

static void cert(const uint8_t *msg, size_t len, const uint8_t subject[32], const uint8_t pk[32],
		 const uint8_t sk[64], unsigned bit)
{
	uint8_t c[GZCRYPTO_CERT_SIZE], got[32];

	gzcrypto_cert_seal(c, GZCRYPTO_CERT_ATTEST, subject, sk);
	if (gzcrypto_cert_open(got, c, sizeof(c), GZCRYPTO_CERT_ATTEST, pk) != GZCRYPTO_CERT_OK ||
	    memcmp(got, subject, 32))
		abort();
	if (gzcrypto_cert_open(got, c, sizeof(c), GZCRYPTO_CERT_ATTEST + 1 + bit % 7, pk) ==
	    GZCRYPTO_CERT_OK)
		abort();
	flip(c, bit % (8 * sizeof(c)));
	if (gzcrypto_cert_open(got, c, sizeof(c), GZCRYPTO_CERT_ATTEST, pk) == GZCRYPTO_CERT_OK)
		abort();
	if (gzcrypto_cert_open(got, msg, len, GZCRYPTO_CERT_ATTEST, pk) == GZCRYPTO_CERT_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t head[HEAD] = {0}, pk[32], sk[64], sig[64], h[32], m[64], k[32], sk2[64], seed2[32];
	const uint8_t *seed = head, *in_sig = head + 32, *in_pk = head + 96;
	size_t len = size > HEAD ? size - HEAD : 0;
	unsigned carry = 0, bit;

	if (len > sizeof(msgbuf) - 1)
		return 0;
	memcpy(head, data, size < HEAD ? size : HEAD);
	if (len)
		memcpy(msgbuf, data + HEAD, len);
	gzcrypto_sha256(h, data, size);
	bit = h[1] | (unsigned)h[2] << 8;

	gzcrypto_ed25519_keypair(pk, sk, seed);
	gzcrypto_ed25519_sign(sig, msgbuf, len, sk);
	if (!gzcrypto_ed25519_verify(sig, msgbuf, len, pk))
		abort();
	if (!memcmp(in_pk, pk, 32) && memcmp(in_sig, sig, 64) &&
	    gzcrypto_ed25519_verify(in_sig, msgbuf, len, in_pk))
		abort();

	memcpy(m, sig, 64);
	memcpy(k, pk, 32);
	switch (h[0] % 10) {
	case 0: /* a bit of R */
		flip(m, bit % 256);
		refuse(m, msgbuf, len, pk);
		break;
	case 1: /* a bit of S */
		flip(m, 256 + bit % 256);
		refuse(m, msgbuf, len, pk);
		break;
	case 2: /* a bit of the key */
		flip(k, bit % 256);
		refuse(sig, msgbuf, len, k);
		break;
	case 3: /* a bit of the message */
		if (len) {
			flip(msgbuf, bit % (8 * len));
			refuse(sig, msgbuf, len, pk);
		}
		break;
	case 4: /* S + L: the same scalar, refused because it is not the canonical one */
		for (int i = 0; i < 32; i++) {
			carry += (unsigned)sig[32 + i] + ell[i];
			m[32 + i] = (uint8_t)carry;
			carry >>= 8;
		}
		refuse(m, msgbuf, len, pk);
		break;
	case 5: /* the message one byte shorter, one byte longer */
		if (len)
			refuse(sig, msgbuf, len - 1, pk);
		msgbuf[len] = h[3];
		refuse(sig, msgbuf, len + 1, pk);
		break;
	case 6: /* the key of a neighbouring seed */
		memcpy(seed2, seed, 32);
		seed2[bit % 32] ^= (uint8_t)(1u << (bit / 32 % 8));
		gzcrypto_ed25519_keypair(k, sk2, seed2);
		refuse(sig, msgbuf, len, k);
		break;
	case 7:
		bootsig(msgbuf, len, pk, sk, in_sig, bit);
		break;
	case 8:
		cert(msgbuf, len, in_pk, pk, sk, bit);
		break;
	default: /* signing is deterministic */
		gzcrypto_ed25519_sign(m, msgbuf, len, sk);
		if (memcmp(m, sig, 64))
			abort();
		break;
	}
	return 0;
}
