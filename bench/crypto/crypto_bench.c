/* gzcrypto against libsodium on the build machine: each operation repeated for about
 * 0.3 s, the rate printed as "<name> <gzcrypto rate> <libsodium rate> <unit>". Hashes in
 * MB/s over 1 MiB buffers; Ed25519 and the boot block in operations per second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include <gzcrypto/bootsig.h>
#include <gzcrypto/ed25519.h>
#include <gzcrypto/hmac.h>
#include <gzcrypto/sha2.h>

#define BUF    (1u << 20)
#define KERNEL (32u << 20) /* a Debian arm64 Image is about 30 MiB */

static unsigned char *buf;
static unsigned char pk[32], sk[64], sig[64], out[64], block[GZCRYPTO_BOOTSIG_SIZE];
static const unsigned char machine[64]; /* the machine's digests: any will do */
static volatile int sink;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Calls OP until 0.3 s have passed; returns calls per second. */
static double rate(void (*op)(void))
{
	double t0 = now(), t;
	long n = 0;

	do {
		op();
		n++;
	} while ((t = now() - t0) < 0.3);
	return (double)n / t;
}

static void gz_sha256(void)
{
	gzcrypto_sha256(out, buf, BUF);
}
static void na_sha256(void)
{
	crypto_hash_sha256(out, buf, BUF);
}
static void gz_sha512(void)
{
	gzcrypto_sha512(out, buf, BUF);
}
static void na_sha512(void)
{
	crypto_hash_sha512(out, buf, BUF);
}
static void gz_hmac(void)
{
	gzcrypto_hmac_sha256(out, "key", 3, buf, BUF);
}
static void na_hmac(void)
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)"key", 3);
	crypto_auth_hmacsha256_update(&st, buf, BUF);
	crypto_auth_hmacsha256_final(&st, out);
}
static void gz_keypair(void)
{
	gzcrypto_ed25519_keypair(pk, sk, buf);
}
static void na_keypair(void)
{
	crypto_sign_seed_keypair(pk, sk, buf);
}
static void gz_sign(void)
{
	gzcrypto_ed25519_sign(sig, buf, 64, sk);
}
static void na_sign(void)
{
	crypto_sign_detached(sig, NULL, buf, 64, sk);
}
static void gz_verify(void)
{
	sink += gzcrypto_ed25519_verify(sig, buf, 64, pk);
}
static void na_verify(void)
{
	sink += crypto_sign_verify_detached(sig, buf, 64, pk);
}

static unsigned char *kernel;
static void gz_boot(void)
{
	sink += gzcrypto_bootsig_verify(block, sizeof(block), pk, kernel, KERNEL, NULL, 0,
					"console=hvc0", 12, machine, machine + 32);
}
static void na_boot(void)
{
	/* the same work with libsodium: the signature, then the kernel's SHA-256 */
	sink += crypto_sign_verify_detached(block + GZCRYPTO_BOOTSIG_SIGNED, block,
					    GZCRYPTO_BOOTSIG_SIGNED, pk);
	crypto_hash_sha256(out, kernel, KERNEL);
}

int main(void)
{
	struct gzcrypto_bootsig s;

	if (sodium_init() < 0)
		return 1;
	buf = malloc(BUF);
	kernel = malloc(KERNEL);
	if (!buf || !kernel)
		return 1;
	for (unsigned i = 0; i < BUF; i++)
		buf[i] = (unsigned char)(i * 31 + 7);
	memset(kernel, 0x5a, KERNEL);
	gzcrypto_ed25519_keypair(pk, sk, buf);
	gzcrypto_ed25519_sign(sig, buf, 64, sk);
	gzcrypto_bootsig_measure(&s, kernel, KERNEL, NULL, 0, "console=hvc0", 12);
	memcpy(s.memory_sha256, machine, 32);
	memcpy(s.devices_sha256, machine + 32, 32);
	gzcrypto_bootsig_seal(block, &s, sk);

	const double mb = (double)BUF / 1e6;

	printf("sha256 %.1f %.1f MB/s\n", rate(gz_sha256) * mb, rate(na_sha256) * mb);
	printf("sha512 %.1f %.1f MB/s\n", rate(gz_sha512) * mb, rate(na_sha512) * mb);
	printf("hmac_sha256 %.1f %.1f MB/s\n", rate(gz_hmac) * mb, rate(na_hmac) * mb);
	printf("ed25519_keypair %.0f %.0f ops/s\n", rate(gz_keypair), rate(na_keypair));
	printf("ed25519_sign %.0f %.0f ops/s\n", rate(gz_sign), rate(na_sign));
	printf("ed25519_verify %.0f %.0f ops/s\n", rate(gz_verify), rate(na_verify));
	printf("bootsig_verify_32mib %.1f %.1f ops/s\n", rate(gz_boot), rate(na_boot));
	free(buf);
	free(kernel);
	return 0;
}
