/* Device register access for the EL2 port (identity-mapped Device memory, so each
 * access is one single-copy-atomic load or store in program order). */
#ifndef GZ_EL2_MMIO_H
#define GZ_EL2_MMIO_H

#include <arm64/types.h>

static inline uint32_t gz_mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void gz_mmio_write32(uint64_t addr, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)addr = val;
}

static inline uint64_t gz_mmio_read64(uint64_t addr)
{
	return *(volatile uint64_t *)(uintptr_t)addr;
}

#endif
