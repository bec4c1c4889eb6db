/* bench/io's measuring program, run inside the guest against its raw virtio disk: sequential
 * write and read of the whole device in BS-sized O_DIRECT requests (MB/s, the write's final
 * fsync included), then 4 KiB random reads for SECS seconds (IOPS, one request at a time).
 * O_DIRECT keeps the guest's page cache out of the figures: every request reaches the device.
 * Every 4 KiB unit written carries its own offset, checked on every read, so a device that
 * returns the wrong block fails the run instead of measuring fast.
 *   iobench [--buffered] [--bs KIB] [--secs S] [--mib N] DEVICE
 * Prints "iobench: <op> ..." lines and exits 0, or 1 with "iobench: FAIL ..." on an error.
 * --buffered (no O_DIRECT, for files on filesystems that refuse it) is the smoke test's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define UNIT	  4096U
#define MAX_BS	  (4U << 20)
#define STAMP_XOR 0x696f62656e636821ULL /* "iobench!": no zero-filled disk passes for a stamp */

static int fail(const char *what, uint64_t off)
{
	printf("iobench: FAIL %s at byte %" PRIu64 ": %s\n", what, off,
	       errno ? strerror(errno) : "short transfer");
	return 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void stamp(uint8_t *buf, size_t len, uint64_t off)
{
	for (size_t u = 0; u < len; u += UNIT) {
		uint64_t v = (off + u) ^ STAMP_XOR;

		memcpy(buf + u, &v, sizeof(v));
	}
}

/* The offset of the first unit whose stamp is wrong, or UINT64_MAX. */
static uint64_t check(const uint8_t *buf, size_t len, uint64_t off)
{
	for (size_t u = 0; u < len; u += UNIT) {
		uint64_t v;

		memcpy(&v, buf + u, sizeof(v));
		if (v != ((off + u) ^ STAMP_XOR))
			return off + u;
	}
	return UINT64_MAX;
}

static void report(const char *op, uint64_t bytes, uint64_t ns, uint64_t reqs)
{
	double s = (double)ns / 1e9;

	printf("iobench: %s bytes=%" PRIu64 " requests=%" PRIu64 " ns=%" PRIu64
	       " MBps=%.3f iops=%.1f\n",
	       op, bytes, reqs, ns, s > 0 ? (double)bytes / 1e6 / s : 0.0,
	       s > 0 ? (double)reqs / s : 0.0);
}

static int seq(int fd, uint8_t *buf, size_t bs, uint64_t size, bool write_it)
{
	uint64_t t0 = now_ns(), reqs = 0;

	for (uint64_t off = 0; off < size; off += bs, reqs++) {
		size_t n = size - off < bs ? (size_t)(size - off) : bs;
		ssize_t r;

		errno = 0;
		if (write_it) {
			stamp(buf, n, off);
			r = pwrite(fd, buf, n, (off_t)off);
		} else {
			r = pread(fd, buf, n, (off_t)off);
		}
		if (r != (ssize_t)n)
			return fail(write_it ? "write" : "read", off);
		if (!write_it && check(buf, n, off) != UINT64_MAX) {
			errno = 0;
			return fail("stamp check of the sequential read", check(buf, n, off));
		}
	}
	if (write_it && fsync(fd) != 0)
		return fail("fsync", size);
	report(write_it ? "seqwrite" : "seqread", size, now_ns() - t0, reqs);
	return 0;
}

static int randread(int fd, uint8_t *buf, uint64_t size, unsigned secs)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, units = size / UNIT, reqs = 0;
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)secs * 1000000000ULL, t;

	do {
		/* xorshift64: the same offsets in every world */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t off = (x % units) * UNIT;

		errno = 0;
		if (pread(fd, buf, UNIT, (off_t)off) != (ssize_t)UNIT)
			return fail("random read", off);
		if (check(buf, UNIT, off) != UINT64_MAX) {
			errno = 0;
			return fail("stamp check of the random read", off);
		}
		reqs++;
		t = now_ns();
	} while (t < end);
	report("randread4k", reqs * UNIT, t - t0, reqs);
	return 0;
}

int main(int argc, char **argv)
{
	size_t bs = 1U << 20;
	unsigned secs = 10;
	uint64_t size = 0, mib = 0;
	bool direct = true;
	const char *dev = NULL;
	struct stat st;
	void *mem;
	int fd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--buffered"))
			direct = false;
		else if (!strcmp(argv[i], "--bs") && i + 1 < argc)
			bs = (size_t)strtoul(argv[++i], NULL, 10) * 1024;
		else if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			secs = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--mib") && i + 1 < argc)
			mib = strtoull(argv[++i], NULL, 10);
		else if (argv[i][0] != '-' && !dev)
			dev = argv[i];
		else
			dev = NULL, i = argc;
	}
	if (!dev || bs == 0 || bs % UNIT || bs > MAX_BS || secs == 0) {
		fprintf(stderr, "usage: iobench [--buffered] [--bs KIB (4..4096, a multiple of 4)] "
				"[--secs S] [--mib N] DEVICE\n");
		return 2;
	}
	fd = open(dev, O_RDWR | (direct ? O_DIRECT : 0));
	if (fd < 0 || fstat(fd, &st) != 0)
		return fail("open", 0);
	if (S_ISBLK(st.st_mode) ? ioctl(fd, BLKGETSIZE64, &size) != 0 : (size = st.st_size, 0))
		return fail("size", 0);
	if (mib && mib << 20 < size)
		size = mib << 20;
	size -= size % UNIT;
	if (size < UNIT) {
		errno = 0;
		return fail("device smaller than 4 KiB", size);
	}
	if (posix_memalign(&mem, UNIT, bs) != 0)
		return fail("buffer", 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("iobench: device %s bytes=%" PRIu64 " bs=%zu direct=%s\n", dev, size, bs,
	       direct ? "yes" : "no");
	if (seq(fd, mem, bs, size, true) || seq(fd, mem, bs, size, false) ||
	    randread(fd, mem, size, secs))
		return 1;
	printf("iobench: done\n");
	close(fd);
	free(mem);
	return 0;
}
