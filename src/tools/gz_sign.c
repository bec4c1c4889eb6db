/* gz-sign: keys and boot signature blocks for protected VMs (docs/security.md).
 *   gz-sign keygen SECRET PUBLIC      a new key: 32-byte seed and public key, hex, one line each
 *   gz-sign pubkey SECRET             prints the public key of SECRET (hex)
 *   gz-sign sign SECRET BLOCK --kernel F --dtb F [--initrd F] [--bootargs TEXT]
 *   gz-sign verify PUBLIC BLOCK --kernel F --dtb F [--initrd F] [--bootargs TEXT]
 *   gz-sign report ROOT_KEY REPORT --cert F --nonce HEX --pvmfw F --kernel F --dtb F
 *                  [--initrd F] [--bootargs TEXT]
 *   gz-sign certify ROOT_SECRET PUBLIC CERT   a certificate of PUBLIC's key (gzcrypto/cert.h)
 *   gz-sign machine DTB               prints the machine a DTB describes, as the block binds it
 * --dtb is the device tree gzvmm gives the VM (its --dump-dtb): the block binds its memory and
 * devices (gzhyp/fdt_vmdesc.h), read with the firmware's own code.
 * verify prints one line ("gz-sign: kernel does not match its signature") and exits 1 when
 * the block does not verify; usage and I/O errors exit 2. report checks an attestation report
 * (include/gzabi/pvmfw.h; REPORT holds it in hex, as the guest printed it) up to the
 * platform's attestation root ROOT_KEY: the certificate (hex, as gzhyp published it) of the
 * key that signed it, the nonce sent and the measurements these files, bootargs and machine
 * must have: one line, exit 0 when all hold, 1 at the first that does not. Signing is libsodium's
 * Ed25519 over the block gzcrypto encodes; verification is gzcrypto's, as the firmware does it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <gzabi/pvmfw.h>
#include <gzcrypto/bootsig.h>
#include <gzcrypto/cert.h>
#include <gzcrypto/ct.h>
#include <gzcrypto/sha2.h>
#include <gzhyp/fdt_vmdesc.h>

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
	unsigned char *kernel, *initrd, *pvmfw, *dtb;
	size_t kernel_size, initrd_size, pvmfw_size, dtb_size;
	const char *bootargs, *nonce, *dtb_path, *cert;
	struct gz_vmdesc machine;
};

/* The machine the DTB at @path (@blob, @len bytes) describes. */
static void read_machine(struct gz_vmdesc *d, const char *path, const unsigned char *blob,
			 size_t len)
{
	struct gz_fdt fdt;
	int rc = gz_fdt_check(&fdt, blob, len);

	if (rc == GZ_FDT_OK)
		rc = gz_vmdesc_read(d, &fdt);
	if (rc != GZ_FDT_OK)
		die(path, gz_fdt_strerror(rc));
}

/* A file option's contents: given again, the later file counts (as for --bootargs and --nonce)
 * and the earlier one is freed. */
static void take_file(unsigned char **buf, size_t *len, const char *path)
{
	free(*buf);
	*buf = slurp(path, len);
}

/* The options after the two files; --nonce and --pvmfw only for a report. */
static void read_images(struct images *im, int argc, char **argv, bool report)
{
	memset(im, 0, sizeof(*im));
	im->bootargs = "";
	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			die(argv[i], "needs a value");
		if (report && !strcmp(argv[i], "--nonce"))
			im->nonce = argv[i + 1];
		else if (report && !strcmp(argv[i], "--cert"))
			im->cert = argv[i + 1];
		else if (report && !strcmp(argv[i], "--pvmfw"))
			take_file(&im->pvmfw, &im->pvmfw_size, argv[i + 1]);
		else if (!strcmp(argv[i], "--kernel"))
			take_file(&im->kernel, &im->kernel_size, argv[i + 1]);
		else if (!strcmp(argv[i], "--initrd"))
			take_file(&im->initrd, &im->initrd_size, argv[i + 1]);
		else if (!strcmp(argv[i], "--bootargs"))
			im->bootargs = argv[i + 1];
		else if (!strcmp(argv[i], "--dtb"))
			take_file(&im->dtb, &im->dtb_size, im->dtb_path = argv[i + 1]);
		else
			die(argv[i], "unknown option");
	}
	if (!im->kernel || !im->dtb)
		die(im->kernel ? "--dtb" : "--kernel", "required");
	read_machine(&im->machine, im->dtb_path, im->dtb, im->dtb_size);
	if (report && (!im->nonce || !im->pvmfw || !im->cert))
		die(!im->nonce ? "--nonce" : !im->pvmfw ? "--pvmfw" : "--cert", "required");
	if (strlen(im->bootargs) > UINT32_MAX)
		die("--bootargs", "too long");
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The attestation key the certificate file @path vouches for under @root, or why not. */
static const char *check_cert(const char *path, const unsigned char root[32], unsigned char key[32])
{
	unsigned char cert[GZCRYPTO_CERT_SIZE + 1]; /* one more: a longer one is malformed */
	size_t len, n;
	unsigned char *text = slurp(path, &len);
	const char *end;
	enum gzcrypto_cert_status st;
	bool hex = !sodium_hex2bin(cert, sizeof(cert), (const char *)text, len, NULL, &n, &end) &&
		   (!*end || *end == '\n');

	free(text);
	if (!hex)
		return "not a certificate (hex on one line)";
	st = gzcrypto_cert_open(key, cert, n, GZCRYPTO_CERT_ATTEST, root);
	if (st != GZCRYPTO_CERT_OK)
		return gzcrypto_cert_error(st);
	/* gzhyp signed it with gzcrypto: libsodium must agree */
	if (crypto_sign_verify_detached(cert + GZCRYPTO_CERT_SIGNED, cert, GZCRYPTO_CERT_SIGNED,
					root))
		return gzcrypto_cert_error(GZCRYPTO_CERT_BAD_SIGNATURE);
	return NULL;
}

/* The report in REPORT against what it must say: the first thing that does not hold. */
static const char *check_report(const unsigned char *text, size_t len, const unsigned char root[32],
				const struct images *im)
{
	unsigned char r[GZ_ATTEST_REPORT_SIZE], nonce[GZ_ATTEST_NONCE_SIZE], m[4][32], pk[32];
	size_t n;
	const char *end, *why;
	struct gzcrypto_bootsig s;
	static const char *const names[4] = {
	    "firmware is not the one expected", "kernel is not the one expected",
	    "initrd is not the one expected",
	    "configuration (bootargs, memory, devices) is not the one expected"};

	if (sodium_hex2bin(nonce, sizeof(nonce), im->nonce, strlen(im->nonce), NULL, &n, &end) ||
	    n != sizeof(nonce) || *end)
		die("--nonce", "not 64 hex digits");
	why = check_cert(im->cert, root, pk);
	if (why)
		return why;
	if (sodium_hex2bin(r, sizeof(r), (const char *)text, len, NULL, &n, &end) ||
	    n != sizeof(r) || (*end && *end != '\n'))
		return "not a report (544 hex digits on one line)";
	if (le64(r) != GZ_ATTEST_MAGIC || le64(r + 8) != GZ_ATTEST_VERSION)
		return "report malformed (magic, version or flags)";
	if (memcmp(r + GZ_ATTEST_OFF_KEY, pk, 32))
		return "report made with another attestation key than the certified one";
	if (crypto_sign_verify_detached(r + GZ_ATTEST_SIGNED, r, GZ_ATTEST_SIGNED, pk))
		return "report signature does not verify";
	if (memcmp(r + GZ_ATTEST_OFF_NONCE, nonce, sizeof(nonce)))
		return "report is not for this nonce";
	gzcrypto_sha256(m[0], im->pvmfw, im->pvmfw_size);
	gzcrypto_sha256(m[1], im->kernel, im->kernel_size);
	gzcrypto_sha256(m[2], im->initrd, im->initrd_size);
	gzcrypto_sha256(s.bootargs_sha256, im->bootargs, strlen(im->bootargs));
	memcpy(s.memory_sha256, im->machine.memory_sha256, 32);
	memcpy(s.devices_sha256, im->machine.devices_sha256, 32);
	gzcrypto_bootsig_config(m[3], &s);
	for (int i = 0; i < 4; i++)
		if (memcmp(r + GZ_ATTEST_OFF_MEASUREMENTS + 32 * i, m[i], 32))
			return names[i];
	return NULL;
}

static void print_hex_line(const char *what, const unsigned char *p, size_t n)
{
	printf("%s ", what);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

static void print_machine(const struct gz_vmdesc *d)
{
	for (unsigned i = 0; i < d->nmem; i++)
		printf("memory 0x%llx 0x%llx\n", (unsigned long long)d->mem_base[i],
		       (unsigned long long)d->mem_size[i]);
	printf("devices %u\n", d->ndevices);
	print_hex_line("memory-sha256", d->memory_sha256, 32);
	print_hex_line("devices-sha256", d->devices_sha256, 32);
}

static int usage(void)
{
	fputs(
	    "usage: gz-sign keygen SECRET PUBLIC | pubkey SECRET |\n"
	    "       gz-sign sign SECRET BLOCK --kernel F --dtb F [--initrd F] [--bootargs TEXT] |\n"
	    "       gz-sign verify PUBLIC BLOCK --kernel F --dtb F [--initrd F] [--bootargs TEXT] "
	    "|\n"
	    "       gz-sign report ROOT_KEY REPORT --cert F --nonce HEX --pvmfw F --kernel F\n"
	    "               --dtb F [--initrd F] [--bootargs TEXT] |\n"
	    "       gz-sign certify ROOT_SECRET PUBLIC CERT | machine DTB\n",
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
		read_images(&im, argc - 4, argv + 4, false);
		crypto_sign_seed_keypair(pk, sk, seed);
		gzcrypto_bootsig_measure(&s, im.kernel, im.kernel_size, im.initrd, im.initrd_size,
					 im.bootargs, strlen(im.bootargs));
		memcpy(s.memory_sha256, im.machine.memory_sha256, 32);
		memcpy(s.devices_sha256, im.machine.devices_sha256, 32);
		gzcrypto_bootsig_encode(block, &s, pk);
		crypto_sign_detached(block + GZCRYPTO_BOOTSIG_SIGNED, NULL, block,
				     GZCRYPTO_BOOTSIG_SIGNED, sk);
		spill(argv[3], block, sizeof(block));
		free(im.kernel);
		free(im.initrd);
		free(im.dtb);
	} else if (argc >= 6 && !strcmp(argv[1], "verify")) {
		size_t len;
		unsigned char *b;

		read_key(argv[2], pk, sizeof(pk));
		b = slurp(argv[3], &len);
		read_images(&im, argc - 4, argv + 4, false);
		enum gzcrypto_bootsig_status st = gzcrypto_bootsig_verify(
		    b, len, pk, im.kernel, im.kernel_size, im.initrd, im.initrd_size, im.bootargs,
		    strlen(im.bootargs), im.machine.memory_sha256, im.machine.devices_sha256);

		printf("gz-sign: %s\n", gzcrypto_bootsig_error(st));
		free(b);
		free(im.kernel);
		free(im.initrd);
		free(im.dtb);
		return st == GZCRYPTO_BOOTSIG_OK ? 0 : EXIT_REFUSED;
	} else if (argc >= 10 && !strcmp(argv[1], "report")) {
		size_t len;
		unsigned char *b;
		const char *why;

		read_key(argv[2], pk, sizeof(pk));
		b = slurp(argv[3], &len);
		read_images(&im, argc - 4, argv + 4, true);
		why = check_report(b, len, pk, &im);
		printf("gz-sign: %s\n", why ? why
					    : "report verified: firmware, kernel, initrd and "
					      "configuration as expected, nonce fresh");
		free(b);
		free(im.kernel);
		free(im.initrd);
		free(im.pvmfw);
		free(im.dtb);
		return why ? EXIT_REFUSED : 0;
	} else if (argc == 5 && !strcmp(argv[1], "certify")) {
		unsigned char subject[32], cert[GZCRYPTO_CERT_SIZE];
		char hex[2 * GZCRYPTO_CERT_SIZE + 2];

		read_key(argv[2], seed, sizeof(seed));
		read_key(argv[3], subject, sizeof(subject));
		crypto_sign_seed_keypair(pk, sk, seed);
		/* the form is gzcrypto's, the signature libsodium's (the same bytes: Ed25519 is
		 * deterministic) */
		gzcrypto_cert_seal(cert, GZCRYPTO_CERT_ATTEST, subject, sk);
		crypto_sign_detached(cert + GZCRYPTO_CERT_SIGNED, NULL, cert, GZCRYPTO_CERT_SIGNED,
				     sk);
		sodium_bin2hex(hex, sizeof(hex), cert, sizeof(cert));
		strcat(hex, "\n");
		spill(argv[4], hex, strlen(hex));
	} else if (argc == 3 && !strcmp(argv[1], "machine")) {
		size_t len;
		unsigned char *b = slurp(argv[2], &len);

		read_machine(&im.machine, argv[2], b, len);
		print_machine(&im.machine);
		free(b);
	} else {
		return usage();
	}
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	return 0;
}
