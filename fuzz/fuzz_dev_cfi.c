/* Fuzz target: the CFI flash bank model (src/dev/cfi.c) under a guest-driven stream of reads
 * and writes (each 12 bytes: kind, size, 2-byte offset, 8-byte value). The same stream runs
 * on a writable bank and on a write-protected one. Invariants after every access: the array
 * changed only inside the ranges the model reported, and only as NOR can (bits cleared by a
 * program, or a whole block set to 0xFF by an erase); a locked block and the protected bank
 * never change; status keeps its ready bit and only defined bits; in read-array mode reads
 * return the array; the buffered-program bookkeeping stays inside the buffer. */
/* fuzz-libs: gzdev */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gzdev/cfi.h>

#define SIZE  (16U * 1024U)
#define BLOCK (4U * 1024U)

struct bank {
	struct gzdev_cfi f;
	uint8_t mem[SIZE], before[SIZE];
	uint8_t reported[SIZE]; /* 1: inside a reported range since the last access */
	bool erase_reported[SIZE / BLOCK];
};

static struct bank banks[2];

static void changed(void *ctx, uint64_t off, uint64_t len)
{
	struct bank *b = ctx;

	if (off > SIZE || len > SIZE - off || len == 0)
		abort();
	memset(b->reported + off, 1, len);
	if (len == BLOCK && off % BLOCK == 0)
		b->erase_reported[off / BLOCK] = true;
}

static void check(struct bank *b, bool wp, const bool *locked_before)
{
	const struct gzdev_cfi *f = &b->f;

	if (!(f->status & GZDEV_CFI_SR_READY) || (f->status & ~0xbaU))
		abort();
	if (f->read_mode > GZDEV_CFI_READ_QUERY || f->wstate > GZDEV_CFI_LOCK)
		abort();
	if (f->buf_words > GZDEV_CFI_WRITE_BUFFER / GZDEV_CFI_BANK_WIDTH ||
	    f->buf_seen > f->buf_words)
		abort();
	bool same = memcmp(b->before, b->mem, SIZE) == 0;

	for (unsigned i = 0; !same && i < SIZE; i++) {
		uint8_t o = b->before[i], n = b->mem[i];

		if (o == n)
			continue;
		if (wp || !b->reported[i] || locked_before[i / BLOCK])
			abort();
		/* A program clears bits; anything else is an erase of the whole block. */
		if ((n & o) != n && !(n == 0xff && b->erase_reported[i / BLOCK]))
			abort();
	}
	for (unsigned k = 0; k < SIZE / BLOCK; k++) {
		if (!b->erase_reported[k])
			continue;
		for (unsigned i = 0; i < BLOCK; i++)
			if (b->mem[k * BLOCK + i] != 0xff)
				abort();
	}
	if (gzdev_cfi_array_mode(f)) {
		struct gzdev_cfi *mf = &b->f;

		for (unsigned off = 0; off < SIZE; off += 1021) {
			uint64_t v = gzdev_cfi_read(mf, off, 1);

			if (v != b->mem[off] || !gzdev_cfi_array_mode(mf))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[8] = {1, 2, 4, 8, 4, 4, 3, 16};

	for (int k = 0; k < 2; k++) {
		struct bank *b = &banks[k];

		for (unsigned i = 0; i < SIZE; i++)
			b->mem[i] = (uint8_t)(i * 37 + (i >> 8));
		if (gzdev_cfi_init(&b->f, b->mem, SIZE, BLOCK, k == 1, changed, b) != 0)
			abort();
	}
	for (size_t p = 0; p + 12 <= size; p += 12) {
		uint8_t kind = data[p];
		unsigned sz = sizes[data[p + 1] & 7];
		/* Offsets mostly in the first window and block bases, where drivers look. */
		uint64_t off = (uint64_t)(data[p + 2] | data[p + 3] << 8);
		uint64_t val = 0;

		off %= (kind & 0x80) ? 0x400 : SIZE + 8;
		for (int i = 0; i < 8; i++)
			val |= (uint64_t)data[p + 4 + i] << (8 * i);
		if (kind & 0x40) /* a command in both chips' halves, as drivers write them */
			val = (val & 0xff) * 0x0001000100010001ULL;
		for (int k = 0; k < 2; k++) {
			struct bank *b = &banks[k];
			bool locked[SIZE / BLOCK];

			memcpy(b->before, b->mem, SIZE);
			memset(b->reported, 0, SIZE);
			memset(b->erase_reported, 0, sizeof(b->erase_reported));
			for (unsigned i = 0; i < SIZE / BLOCK; i++)
				locked[i] = gzdev_cfi_block_locked(&b->f, (uint64_t)i * BLOCK);
			switch (kind & 3) {
			case 0:
			case 1:
				gzdev_cfi_write(&b->f, off, sz, val);
				break;
			case 2:
				(void)gzdev_cfi_read(&b->f, off, sz);
				break;
			default:
				if ((kind & 0x3c) == 0x3c)
					gzdev_cfi_reset(&b->f);
				else
					gzdev_cfi_write(&b->f, off, sz, val);
				break;
			}
			check(b, k == 1, locked);
		}
	}
	return 0;
}
