/* Fuzz target: virtqueue processing of each gzvmm virtio device (blk, console, rng) through
 * the virtio-mmio transport. The input selects the device, event-idx, a read-only disk and
 * the queue size, and fills guest RAM (descriptor table, rings, buffers). Invariants: no access
 * outside RAM (guard zones); the used index advances by at most what the driver made
 * available; every used element names a head below the queue size and reports no more bytes
 * than that chain has writable; the interrupt status holds only defined bits; once the device
 * needs a reset it completes nothing more. */
/* fuzz-libs: gzvmm_lib */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "virtio_devices.h"
#include "virtio_mmio.h"

#define RAM_BASE 0x40000000ULL
#define RAM	 (64ULL * 1024)
#define GUARD	 4096ULL
#define DESC	 RAM_BASE
#define AVAIL	 (RAM_BASE + 0x1000)
#define USED	 (RAM_BASE + 0x2000)

static uint8_t *mem;
static int disk_fd = -1, null_fd = -1;

static void setup_queue(struct vmm_virtio *vd, unsigned q, uint16_t num)
{
	uint64_t off = q * 0x4000ULL;

	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_SEL, 4, q);
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_NUM, 4, num);
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (uint32_t)(DESC + off));
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 4, (uint32_t)(AVAIL + off));
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_USED_LOW, 4, (uint32_t)(USED + off));
	vmm_virtio_mmio_write(vd, VIRTIO_MMIO_QUEUE_READY, 4, 1);
}

static uint8_t *ram(uint64_t gpa)
{
	return mem + GUARD + (gpa - RAM_BASE);
}

static uint64_t writable_len(unsigned q, uint16_t num, uint16_t head)
{
	uint64_t total = 0;
	uint16_t idx = head;

	for (unsigned n = 0; n < num; n++) {
		uint8_t *d = ram(DESC + q * 0x4000ULL + 16ULL * idx);
		uint32_t len;
		uint16_t flags, next;

		memcpy(&len, d + 8, 4);
		memcpy(&flags, d + 12, 2);
		memcpy(&next, d + 14, 2);
		if (flags & VRING_DESC_F_WRITE)
			total += len;
		if (!(flags & VRING_DESC_F_NEXT) || next >= num)
			break;
		idx = next;
	}
	return total;
}

/* used_before: the device's used index before processing (the guest may have scribbled
 * anything into the ring's idx field; the device owns it and rewrites it). */
static void check_queue(const struct vmm_vq *vq, unsigned q, uint16_t num, uint16_t used_before,
			uint16_t avail_before, uint16_t last_avail_before, bool was_broken)
{
	uint16_t used_idx, done = (uint16_t)(vq->used_idx - used_before);

	memcpy(&used_idx, ram(USED + q * 0x4000ULL + 2), 2);
	if (done > (uint16_t)(avail_before - last_avail_before) || (was_broken && done))
		abort();
	if (done && used_idx != vq->used_idx)
		abort();
	for (uint16_t i = 0; i < done; i++) {
		uint8_t *e = ram(USED + q * 0x4000ULL + 4 + 8ULL * ((used_before + i) % num));
		uint32_t id, len;

		memcpy(&id, e, 4);
		memcpy(&len, e + 4, 4);
		if (id >= num || len > writable_len(q, num, (uint16_t)id))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vmm_virtio_dev_ops *const devs[3] = {&vmm_blk_ops, &vmm_vcon_ops,
								 &vmm_rng_ops};
	static struct vmm_virtio vd;
	static union {
		struct vmm_blk blk;
		struct vmm_vcon vcon;
		struct vmm_rng rng;
	} u;
	static struct vmm_console con;
	struct vmm_mem m = {0};

	if (size < 4)
		return 0;
	if (!mem) {
		mem = malloc(RAM + 2 * GUARD);
		disk_fd = memfd_create("fuzzdisk", 0);
		if (ftruncate(disk_fd, 64 * 512) != 0)
			abort();
		null_fd = open("/dev/null", O_WRONLY);
		vmm_console_init(&con, null_fd);
	}
	memset(mem, 0xa5, GUARD);
	memset(mem + GUARD + RAM, 0xa5, GUARD);
	memset(mem + GUARD, 0, RAM);
	memcpy(mem + GUARD, data + 4, size - 4 < RAM ? size - 4 : RAM);
	vmm_mem_add(&m, RAM_BASE, RAM, mem + GUARD);

	const struct vmm_virtio_dev_ops *ops = devs[data[0] % 3];
	bool event_idx = data[1] & 2;
	uint16_t num = (uint16_t)(1u << (data[2] % 9)); /* 1..256 */

	memset(&u, 0, sizeof(u));
	if (ops == &vmm_blk_ops)
		vmm_blk_init_fd(&u.blk, disk_fd, data[1] & 4, 64 * 512);
	else if (ops == &vmm_vcon_ops)
		u.vcon.out = &con;
	if (vmm_virtio_init(&vd, ops, &u, &m, 2, 0) != 0)
		abort();
	/* Modern driver bring-up (legacy layout is covered by the unit tests). */
	vmm_virtio_mmio_write(&vd, VIRTIO_MMIO_STATUS, 4, 3);
	vmm_virtio_mmio_write(&vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 0);
	vmm_virtio_mmio_write(&vd, VIRTIO_MMIO_DRIVER_FEATURES, 4,
			      event_idx ? (uint32_t)VIRTIO_F_RING_EVENT_IDX : 0);
	vmm_virtio_mmio_write(&vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
	vmm_virtio_mmio_write(&vd, VIRTIO_MMIO_DRIVER_FEATURES, 4, 1);
	vmm_virtio_mmio_write(&vd, VIRTIO_MMIO_STATUS, 4, 0xb);
	for (unsigned q = 0; q < ops->nqueues; q++)
		setup_queue(&vd, q, num);
	vmm_virtio_mmio_write(&vd, VIRTIO_MMIO_STATUS, 4, 0xf);
	if (ops == &vmm_vcon_ops)
		vmm_vcon_input(&vd, data, size < 64 ? size : 64);

	for (unsigned round = 0; round < 2; round++)
		for (unsigned q = 0; q < ops->nqueues; q++) {
			uint16_t used_before, avail_before;
			bool broken = vmm_virtio_needs_reset(&vd);
			uint16_t last = vd.vq[q].last_avail;

			used_before = vd.vq[q].used_idx;
			memcpy(&avail_before, ram(AVAIL + q * 0x4000ULL + 2), 2);
			vmm_virtio_process(&vd, q);
			if (vd.vq[q].num == num)
				check_queue(&vd.vq[q], q, num, used_before, avail_before, last,
					    broken);
		}
	if (vd.isr & ~(VIRTIO_INT_USED_RING | VIRTIO_INT_CONFIG))
		abort();
	if (vmm_virtio_needs_reset(&vd) && vd.stats.errors == 0)
		abort();
	for (uint64_t i = 0; i < GUARD; i++)
		if (mem[i] != 0xa5 || mem[GUARD + RAM + i] != 0xa5)
			abort();
	vmm_virtio_destroy(&vd);
	return 0;
}
