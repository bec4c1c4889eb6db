/* The boot signature block of a protected VM: what opengz's signing tool (gz-sign) writes
 * and its firmware checks before the guest's first instruction. It binds, under one Ed25519
 * signature, the kernel, the initrd and the kernel command line by size and SHA-256, and the
 * machine the device tree describes: its memory and its devices (gzhyp/fdt_vmdesc.h).
 *
 * Layout (296 bytes, integers little-endian; docs/security.md):
 *     0   8  magic "GZBOOT1\0"
 *     8   4  version (2; version 1 had no machine and is refused)
 *    12   4  flags (0; anything else is refused)
 *    16  32  the signer's Ed25519 public key
 *    48   8  kernel size          56  32  SHA-256 of the kernel
 *    88   8  initrd size (0: none) 96 32  SHA-256 of the initrd
 *   128   4  bootargs length     132   4  zero
 *   136  32  SHA-256 of the bootargs (the command line's bytes, no terminating NUL)
 *   168  32  the memory digest     200  32  the devices digest (gzhyp/fdt_vmdesc.h)
 *   232  64  Ed25519 signature of bytes 0-231
 * The magic starts the signed bytes, so a signature over anything else cannot pass for one.
 * A bootargs length must fit the 32-bit field: the tool refuses longer ones. */
#ifndef GZCRYPTO_BOOTSIG_H
#define GZCRYPTO_BOOTSIG_H

#include <stddef.h>
#include <stdint.h>

#define GZCRYPTO_BOOTSIG_SIZE	 296
#define GZCRYPTO_BOOTSIG_SIGNED	 232 /* bytes covered by the signature */
#define GZCRYPTO_BOOTSIG_VERSION 2

/* Results in the order they are checked; each has a one-line text (gzcrypto_bootsig_error). */
enum gzcrypto_bootsig_status {
	GZCRYPTO_BOOTSIG_OK = 0,
	GZCRYPTO_BOOTSIG_TRUNCATED,	/* fewer than 296 bytes */
	GZCRYPTO_BOOTSIG_MALFORMED,	/* more bytes, wrong magic, version, flags or padding */
	GZCRYPTO_BOOTSIG_WRONG_KEY,	/* signed for another key than the trusted one */
	GZCRYPTO_BOOTSIG_BAD_SIGNATURE, /* the signature does not verify under the trusted key */
	GZCRYPTO_BOOTSIG_KERNEL,	/* the kernel is not the one signed */
	GZCRYPTO_BOOTSIG_INITRD,	/* the initrd is not the one signed */
	GZCRYPTO_BOOTSIG_BOOTARGS,	/* the command line is not the one signed */
	GZCRYPTO_BOOTSIG_MEMORY,	/* the device tree's memory is not the one signed */
	GZCRYPTO_BOOTSIG_DEVICES,	/* the device tree's devices are not the ones signed */
};

struct gzcrypto_bootsig {
	uint8_t pk[32];
	uint64_t kernel_size, initrd_size;
	uint32_t bootargs_len;
	uint8_t kernel_sha256[32], initrd_sha256[32], bootargs_sha256[32];
	uint8_t memory_sha256[32], devices_sha256[32];
};

/* Fills S's sizes and digests from the three images (NULL with size 0 for none); the
 * machine's two digests are the caller's to set. */
void gzcrypto_bootsig_measure(struct gzcrypto_bootsig *s, const void *kernel, size_t kernel_size,
			      const void *initrd, size_t initrd_size, const void *bootargs,
			      size_t bootargs_len);
/* Writes the block's signed part for S and public key PK; the signature field stays zero for
 * a signer outside this library (gz-sign signs with libsodium). */
void gzcrypto_bootsig_encode(uint8_t block[GZCRYPTO_BOOTSIG_SIZE], const struct gzcrypto_bootsig *s,
			     const uint8_t pk[32]);
/* Writes the block for S, signed with SK (seed || public key); S's pk is taken from SK. */
void gzcrypto_bootsig_seal(uint8_t block[GZCRYPTO_BOOTSIG_SIZE], const struct gzcrypto_bootsig *s,
			   const uint8_t sk[64]);
/* Checks the block's form and its signature under TRUSTED_PK; on OK, S holds its fields. */
enum gzcrypto_bootsig_status gzcrypto_bootsig_open(struct gzcrypto_bootsig *s, const void *block,
						   size_t len, const uint8_t trusted_pk[32]);
/* Opens the block, then compares the kernel, the initrd and the bootargs (each by size, then
 * by SHA-256), the memory and the devices digests, in that order, with what it signed: the
 * first that differs is the result. */
enum gzcrypto_bootsig_status
gzcrypto_bootsig_verify(const void *block, size_t len, const uint8_t trusted_pk[32],
			const void *kernel, size_t kernel_size, const void *initrd,
			size_t initrd_size, const void *bootargs, size_t bootargs_len,
			const uint8_t memory_sha256[32], const uint8_t devices_sha256[32]);
/* The configuration measurement of S: SHA-256(bootargs digest || memory digest || devices
 * digest), what gzhyp attests as the VM's configuration. */
void gzcrypto_bootsig_config(uint8_t out[32], const struct gzcrypto_bootsig *s);
/* One line, no newline: "kernel does not match its signature", ... */
const char *gzcrypto_bootsig_error(enum gzcrypto_bootsig_status st);

#endif
