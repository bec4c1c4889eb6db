/* Scratch test device: the register file, little-endian at any size. */
#include <gzdev/testdev.h>

bool gzdev_testdev_claims(uint64_t off, unsigned size)
{
	return size >= 1 && size <= 8 && off < GZDEV_TESTDEV_SIZE &&
	       size <= GZDEV_TESTDEV_SIZE - off;
}

uint64_t gzdev_testdev_read(const struct gzdev_testdev *d, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)d->regs[off + i] << (8 * i);
	return v;
}

void gzdev_testdev_write(struct gzdev_testdev *d, uint64_t off, unsigned size, uint64_t val)
{
	for (unsigned i = 0; i < size; i++)
		d->regs[off + i] = (uint8_t)(val >> (8 * i));
}
