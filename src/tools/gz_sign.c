/* gz-sign: keys and boot signature blocks for protected VMs (docs/security.md).
 *   gz-sign keygen SECRET PUBLIC      a new key: 32-byte seed and public key, hex, one line each
 *   gz-sign pubkey SECRET             prints the public key of SECRET (hex)
 *   gz-sign sign SECRET BLOCK --kernel F [--initrd F] [--bootargs TEXT]
 *   gz-sign verify PUBLIC BLOCK --kernel F [--initrd F] [--bootargs TEXT]
 * verify prints one line ("gz-sign: kernel does not match its signature") and exits 1 when
 * the block does not verify; usage and I/O errors exit 2. Signing is libsodium's Ed25519 over
 * the block gzcrypto encodes; verification is gzcrypto's, as the firmware does it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <gzcrypto/bootsig.h>
#include <gzcrypto/ct.h>

#define EXIT_REFUSED 1
#define EXIT_USAGE   2

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "gz-sign: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(EXIT_USAGE);
}

/* The whole file, NUL-terminated (for the hex key files); *len excludes the NUL. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		die(path, strerror(errno));
	do {
		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			buf = realloc(buf, cap);
			if (!buf)
				die(path, "out of memory");
		}
		got = fread(buf + n, 1, 65536, f);
		n += got;
	} while (got);
	if (ferror(f))
		die(path, "read error");
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

static void spill(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die(path, strerror(errno));
}

/* A key file: N bytes as hex on the first line. */
static void read_key(const char *path, unsigned char *out, size_t n)
{
	size_t len, bin_len;
	unsigned char *text = slurp(path, &len);
	const char *end;

	if (sodium_hex2bin(out, n, (const char *)text, len, NULL, &bin_len, &end) || bin_len != n ||
	    (*end && *end != '\n'))
		die(path, "not a key file (hex on one line)");
	sodium_memzero(text, len);
	free(text);
}

static void write_hex(const char *path, const unsigned char *bin, size_t n)
{
	char hex[2 * 64 + 2];

	sodium_bin2hex(hex, sizeof(hex), bin, n);
	strcat(hex, "\n");
	spill(path, hex, strlen(hex));
	sodium_memzero(hex, sizeof(hex));
}

struct images {
	unsigned char *kernel, *initrd;
	size_t kernel_size, initrd_size;
	const char *bootargs;
};

static void read_images(struct images *im, int argc, char **argv)
{
	memset(im, 0, sizeof(*im));
	im->bootargs = "";
	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			die(argv[i], "needs a value");
		if (!strcmp(argv[i], "--kernel"))
			im->kernel = slurp(argv[i + 1], &im->kernel_size);
		else if (!strcmp(argv[i], "--initrd"))
			im->initrd = slurp(argv[i + 1], &im->initrd_size);
		else if (!strcmp(argv[i], "--bootargs"))
			im->bootargs = argv[i + 1];
		else
			die(argv[i], "unknown option");
	}
	if (!im->kernel)
		die("--kernel", "required");
	if (strlen(im->bootargs) > UINT32_MAX)
		die("--bootargs", "too long");
}

static int usage(void)
{
	fputs("usage: gz-sign keygen SECRET PUBLIC | pubkey SECRET |\n"
	      "       gz-sign sign SECRET BLOCK --kernel F [--initrd F] [--bootargs TEXT] |\n"
	      "       gz-sign verify PUBLIC BLOCK --kernel F [--initrd F] [--bootargs TEXT]\n",
	      stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	unsigned char seed[32], pk[32], sk[64], block[GZCRYPTO_BOOTSIG_SIZE];
	struct gzcrypto_bootsig s;
	static struct images im; /* static: still reachable when die() exits */

	if (sodium_init() < 0)
		die("libsodium", "initialisation failed");
	if (argc == 4 && !strcmp(argv[1], "keygen")) {
		randombytes_buf(seed, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		write_hex(argv[2], seed, sizeof(seed));
		write_hex(argv[3], pk, sizeof(pk));
	} else if (argc == 3 && !strcmp(argv[1], "pubkey")) {
		char hex[65];

		read_key(argv[2], seed, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		puts(sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk)));
	} else if (argc >= 6 && !strcmp(argv[1], "sign")) {
		read_key(argv[2], seed, sizeof(seed));
		read_images(&im, argc - 4, argv + 4);
		crypto_sign_seed_keypair(pk, sk, seed);
		gzcrypto_bootsig_measure(&s, im.kernel, im.kernel_size, im.initrd, im.initrd_size,
					 im.bootargs, strlen(im.bootargs));
		gzcrypto_bootsig_encode(block, &s, pk);
		crypto_sign_detached(block + GZCRYPTO_BOOTSIG_SIGNED, NULL, block,
				     GZCRYPTO_BOOTSIG_SIGNED, sk);
		spill(argv[3], block, sizeof(block));
		free(im.kernel);
		free(im.initrd);
	} else if (argc >= 6 && !strcmp(argv[1], "verify")) {
		size_t len;
		unsigned char *b;

		read_key(argv[2], pk, sizeof(pk));
		b = slurp(argv[3], &len);
		read_images(&im, argc - 4, argv + 4);
		enum gzcrypto_bootsig_status st =
		    gzcrypto_bootsig_verify(b, len, pk, im.kernel, im.kernel_size, im.initrd,
					    im.initrd_size, im.bootargs, strlen(im.bootargs));

		printf("gz-sign: %s\n", gzcrypto_bootsig_error(st));
		free(b);
		free(im.kernel);
		free(im.initrd);
		return st == GZCRYPTO_BOOTSIG_OK ? 0 : EXIT_REFUSED;
	} else {
		return usage();
	}
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	return 0;
}
