/* Guest RAM and driver bring-up for the targets that fuzz a gzvmm virtio device through the
 * virtio-mmio transport (fuzz_vmm_virtio, fuzz_vmm_net): 64 KiB of RAM at VRAM_BASE between
 * two guard zones, filled from the input; queue q's descriptor table at VRAM_Q(q), its
 * available ring 0x1000 above and, in transport version 2, its used ring 0x2000 above (the
 * legacy layout puts it after the available ring's page). Header-only. */
#ifndef FUZZ_HARNESS_VIRTIO_RAM_H
#define FUZZ_HARNESS_VIRTIO_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_mmio.h"

#define VRAM_BASE	0x40000000ULL
#define VRAM_SIZE	(64ULL * 1024)
#define VRAM_GUARD	4096ULL
#define VRAM_Q(q)	(VRAM_BASE + (q)*0x4000ULL)
#define VRAM_AVAIL(q)	(VRAM_Q(q) + 0x1000)
#define VRAM_USED(q)	(VRAM_Q(q) + 0x2000) /* transport version 2's */
#define VRAM_GUARD_BYTE 0xa5

static uint8_t *vram_mem;

static inline uint8_t *vram(uint64_t gpa)
{
	return vram_mem + VRAM_GUARD + (gpa - VRAM_BASE);
}

/* RAM zeroed, then the first @n bytes of @src (at most the RAM's size), guards set, and
 * added to @m. */
static inline void vram_fill(struct vmm_mem *m, const uint8_t *src, size_t n)
{
	if (!vram_mem) {
		vram_mem = malloc(VRAM_SIZE + 2 * VRAM_GUARD);
		if (!vram_mem)
			abort();
	}
	memset(vram_mem, VRAM_GUARD_BYTE, VRAM_GUARD);
	memset(vram_mem + VRAM_GUARD + VRAM_SIZE, VRAM_GUARD_BYTE, VRAM_GUARD);
	memset(vram_mem + VRAM_GUARD, 0, VRAM_SIZE);
	memcpy(vram_mem + VRAM_GUARD, src, n < VRAM_SIZE ? n : VRAM_SIZE);
	vmm_mem_add(m, VRAM_BASE, VRAM_SIZE, vram_mem + VRAM_GUARD);
}

/* A driver's bring-up of transport @version (1 legacy, 2 modern) offering @features (the low
 * word; VIRTIO_F_VERSION_1 with version 2), with queues 0..@nqueues-1 of @num entries. */
static inline void vram_bring_up(struct vmm_virtio *vd, unsigned version, uint32_t features,
				 unsigned nqueues, uint16_t num)
{
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_STATUS, 4, 3);
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 0);
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_DRIVER_FEATURES, 4, features);
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_DRIVER_FEATURES, 4, version == 2);
	if (version == 2)
		vmm_virtio_mmio_write(vd, VIRTIO_MMIO_STATUS, 4, 0xb);
	for (unsigned q = 0; q < nqueues; q++) {
		vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_SEL, 4, q);
		vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_NUM, 4, num);
		if (version == 1) {
			vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_PFN, 4,
					      (uint32_t)(VRAM_Q(q) >> 12));
			continue;
		}
		vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (uint32_t)VRAM_Q(q));
		vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 4, (uint32_t)VRAM_AVAIL(q));
		vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_USED_LOW, 4, (uint32_t)VRAM_USED(q));
		vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_READY, 4, 1);
	}
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_STATUS, 4, 0xf);
}

/* The writable bytes of queue @q's chain at @head as the guest left it (up to where it stops
 * being well formed); *@formed (if given) whether it ends within @num descriptors without
 * naming one past the table. */
static inline uint64_t vram_chain_writable(unsigned q, uint16_t num, uint16_t head, bool *formed)
{
	uint64_t total = 0;
	uint16_t idx = head;

	if (formed)
		*formed = false;
	for (unsigned n = 0; n < num; n++) {
		uint8_t *d = vram(VRAM_Q(q) + 16ULL * idx);
		uint32_t len;
		uint16_t flags, next;

		memcpy(&len, d + 8, 4);
		memcpy(&flags, d + 12, 2);
		memcpy(&next, d + 14, 2);
		if (flags & VRING_DESC_F_WRITE)
			total += len;
		if (!(flags & VRING_DESC_F_NEXT)) {
			if (formed)
				*formed = true;
			break;
		}
		if (next >= num)
			break;
		idx = next;
	}
	return total;
}

/* The checks every target ends with, then the device destroyed: the interrupt status holds
 * only defined bits, a device that needs a reset counted an error, nothing written outside
 * RAM. */
static inline void vram_finish(struct vmm_virtio *vd)
{
	if (vd->isr & ~(VIRTIO_INT_USED_RING | VIRTIO_INT_CONFIG))
		abort();
	if (vmm_virtio_needs_reset(vd) && vd->stats.errors == 0)
		abort();
	for (uint64_t i = 0; i < VRAM_GUARD; i++)
		if (vram_mem[i] != VRAM_GUARD_BYTE ||
		    vram_mem[VRAM_GUARD + VRAM_SIZE + i] != VRAM_GUARD_BYTE)
			abort();
	vmm_virtio_destroy(vd);
}

#endif
