/* The boot signature block (gzcrypto/bootsig.h): encoding, signing and checking. */
#include <gzcrypto/bootsig.h>
#include <gzcrypto/ct.h>
#include <gzcrypto/ed25519.h>
#include <gzcrypto/sha2.h>

#include "internal.h"

static const uint8_t magic[8] = {'G', 'Z', 'B', 'O', 'O', 'T', '1', 0};

enum {
	OFF_VERSION = 8,
	OFF_FLAGS = 12,
	OFF_PK = 16,
	OFF_KERNEL_SIZE = 48,
	OFF_KERNEL_SHA = 56,
	OFF_INITRD_SIZE = 88,
	OFF_INITRD_SHA = 96,
	OFF_BOOTARGS_LEN = 128,
	OFF_PAD = 132,
	OFF_BOOTARGS_SHA = 136,
	OFF_MEMORY_SHA = 168,
	OFF_DEVICES_SHA = 200,
	OFF_SIG = GZCRYPTO_BOOTSIG_SIGNED,
};

void gzcrypto_bootsig_measure(struct gzcrypto_bootsig *s, const void *kernel, size_t kernel_size,
			      const void *initrd, size_t initrd_size, const void *bootargs,
			      size_t bootargs_len)
{
	s->kernel_size = kernel_size;
	s->initrd_size = initrd_size;
	s->bootargs_len = (uint32_t)bootargs_len;
	gzcrypto_sha256(s->kernel_sha256, kernel, kernel_size);
	gzcrypto_sha256(s->initrd_sha256, initrd, initrd_size);
	gzcrypto_sha256(s->bootargs_sha256, bootargs, bootargs_len);
}

void gzcrypto_bootsig_encode(uint8_t block[GZCRYPTO_BOOTSIG_SIZE], const struct gzcrypto_bootsig *s,
			     const uint8_t pk[32])
{
	for (size_t i = 0; i < GZCRYPTO_BOOTSIG_SIZE; i++)
		block[i] = 0;
	gzcrypto_copy(block, magic, sizeof(magic));
	gzcrypto_store_le32(block + OFF_VERSION, GZCRYPTO_BOOTSIG_VERSION);
	gzcrypto_copy(block + OFF_PK, pk, 32);
	gzcrypto_store_le64(block + OFF_KERNEL_SIZE, s->kernel_size);
	gzcrypto_copy(block + OFF_KERNEL_SHA, s->kernel_sha256, 32);
	gzcrypto_store_le64(block + OFF_INITRD_SIZE, s->initrd_size);
	gzcrypto_copy(block + OFF_INITRD_SHA, s->initrd_sha256, 32);
	gzcrypto_store_le32(block + OFF_BOOTARGS_LEN, s->bootargs_len);
	gzcrypto_copy(block + OFF_BOOTARGS_SHA, s->bootargs_sha256, 32);
	gzcrypto_copy(block + OFF_MEMORY_SHA, s->memory_sha256, 32);
	gzcrypto_copy(block + OFF_DEVICES_SHA, s->devices_sha256, 32);
}

void gzcrypto_bootsig_seal(uint8_t block[GZCRYPTO_BOOTSIG_SIZE], const struct gzcrypto_bootsig *s,
			   const uint8_t sk[64])
{
	gzcrypto_bootsig_encode(block, s, sk + 32);
	gzcrypto_ed25519_sign(block + OFF_SIG, block, GZCRYPTO_BOOTSIG_SIGNED, sk);
}

enum gzcrypto_bootsig_status gzcrypto_bootsig_open(struct gzcrypto_bootsig *s, const void *block,
						   size_t len, const uint8_t trusted_pk[32])
{
	const uint8_t *b = block;

	if (len < GZCRYPTO_BOOTSIG_SIZE)
		return GZCRYPTO_BOOTSIG_TRUNCATED;
	if (len > GZCRYPTO_BOOTSIG_SIZE || !gzcrypto_ct_equal(b, magic, sizeof(magic)) ||
	    gzcrypto_load_le32(b + OFF_VERSION) != GZCRYPTO_BOOTSIG_VERSION ||
	    gzcrypto_load_le32(b + OFF_FLAGS) || gzcrypto_load_le32(b + OFF_PAD))
		return GZCRYPTO_BOOTSIG_MALFORMED;
	if (!gzcrypto_ct_equal(b + OFF_PK, trusted_pk, 32))
		return GZCRYPTO_BOOTSIG_WRONG_KEY;
	if (!gzcrypto_ed25519_verify(b + OFF_SIG, b, GZCRYPTO_BOOTSIG_SIGNED, trusted_pk))
		return GZCRYPTO_BOOTSIG_BAD_SIGNATURE;
	gzcrypto_copy(s->pk, b + OFF_PK, 32);
	s->kernel_size = gzcrypto_load_le64(b + OFF_KERNEL_SIZE);
	gzcrypto_copy(s->kernel_sha256, b + OFF_KERNEL_SHA, 32);
	s->initrd_size = gzcrypto_load_le64(b + OFF_INITRD_SIZE);
	gzcrypto_copy(s->initrd_sha256, b + OFF_INITRD_SHA, 32);
	s->bootargs_len = gzcrypto_load_le32(b + OFF_BOOTARGS_LEN);
	gzcrypto_copy(s->bootargs_sha256, b + OFF_BOOTARGS_SHA, 32);
	gzcrypto_copy(s->memory_sha256, b + OFF_MEMORY_SHA, 32);
	gzcrypto_copy(s->devices_sha256, b + OFF_DEVICES_SHA, 32);
	return GZCRYPTO_BOOTSIG_OK;
}

/* The image matches when its size does and then its SHA-256 (not computed for a wrong size). */
static bool same_image(const void *data, size_t size, uint64_t want_size,
		       const uint8_t want_sha256[32])
{
	uint8_t h[32];

	if ((uint64_t)size != want_size)
		return false;
	gzcrypto_sha256(h, data, size);
	return gzcrypto_ct_equal(h, want_sha256, 32);
}

enum gzcrypto_bootsig_status
gzcrypto_bootsig_verify(const void *block, size_t len, const uint8_t trusted_pk[32],
			const void *kernel, size_t kernel_size, const void *initrd,
			size_t initrd_size, const void *bootargs, size_t bootargs_len,
			const uint8_t memory_sha256[32], const uint8_t devices_sha256[32])
{
	struct gzcrypto_bootsig want;
	enum gzcrypto_bootsig_status st = gzcrypto_bootsig_open(&want, block, len, trusted_pk);

	if (st != GZCRYPTO_BOOTSIG_OK)
		return st;
	if (!same_image(kernel, kernel_size, want.kernel_size, want.kernel_sha256))
		return GZCRYPTO_BOOTSIG_KERNEL;
	if (!same_image(initrd, initrd_size, want.initrd_size, want.initrd_sha256))
		return GZCRYPTO_BOOTSIG_INITRD;
	if (!same_image(bootargs, bootargs_len, want.bootargs_len, want.bootargs_sha256))
		return GZCRYPTO_BOOTSIG_BOOTARGS;
	if (!gzcrypto_ct_equal(memory_sha256, want.memory_sha256, 32))
		return GZCRYPTO_BOOTSIG_MEMORY;
	if (!gzcrypto_ct_equal(devices_sha256, want.devices_sha256, 32))
		return GZCRYPTO_BOOTSIG_DEVICES;
	return GZCRYPTO_BOOTSIG_OK;
}

void gzcrypto_bootsig_config(uint8_t out[32], const struct gzcrypto_bootsig *s)
{
	struct gzcrypto_sha256 c;

	gzcrypto_sha256_init(&c);
	gzcrypto_sha256_update(&c, s->bootargs_sha256, 32);
	gzcrypto_sha256_update(&c, s->memory_sha256, 32);
	gzcrypto_sha256_update(&c, s->devices_sha256, 32);
	gzcrypto_sha256_final(&c, out);
}

const char *gzcrypto_bootsig_error(enum gzcrypto_bootsig_status st)
{
	switch (st) {
	case GZCRYPTO_BOOTSIG_OK:
		return "signature verified";
	case GZCRYPTO_BOOTSIG_TRUNCATED:
		return "signature block truncated";
	case GZCRYPTO_BOOTSIG_MALFORMED:
		return "signature block malformed";
	case GZCRYPTO_BOOTSIG_WRONG_KEY:
		return "signature block made for another key";
	case GZCRYPTO_BOOTSIG_BAD_SIGNATURE:
		return "signature does not verify";
	case GZCRYPTO_BOOTSIG_KERNEL:
		return "kernel does not match its signature";
	case GZCRYPTO_BOOTSIG_INITRD:
		return "initrd does not match its signature";
	case GZCRYPTO_BOOTSIG_BOOTARGS:
		return "bootargs do not match their signature";
	case GZCRYPTO_BOOTSIG_MEMORY:
		return "device tree's memory does not match its signature";
	case GZCRYPTO_BOOTSIG_DEVICES:
		return "device tree's devices do not match their signature";
	}
	return "unknown signature status";
}
