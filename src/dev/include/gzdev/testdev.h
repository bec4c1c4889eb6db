/* The project's scratch test device: a 256-byte register file that reads back what was
 * written, at any access size from 1 to 8 bytes (little-endian) anywhere inside it. The test
 * guests (tests/guests) find it at GZDEV_TESTDEV_BASE; gzvmm offers it with --testdev,
 * gzhyp's test mode always. Not a device of QEMU's virt board. Freestanding; the caller
 * serialises accesses to one device. */
#ifndef GZDEV_TESTDEV_H
#define GZDEV_TESTDEV_H

#include <stdbool.h>
#include <stdint.h>

#define GZDEV_TESTDEV_BASE 0x0b000000ULL
#define GZDEV_TESTDEV_SIZE 0x100U

struct gzdev_testdev {
	uint8_t regs[GZDEV_TESTDEV_SIZE];
};

/* Whether an access of size bytes at offset off falls inside the register file. */
bool gzdev_testdev_claims(uint64_t off, unsigned size);
/* Both require gzdev_testdev_claims(off, size). */
uint64_t gzdev_testdev_read(const struct gzdev_testdev *d, uint64_t off, unsigned size);
void gzdev_testdev_write(struct gzdev_testdev *d, uint64_t off, unsigned size, uint64_t val);

#endif
