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

#include "harness/virtio_ram.h"
#include "virtio_devices.h"

static int disk_fd = -1, null_fd = -1;

/* used_before: the device's used index before processing (the guest may have scribbled
 * anything into the ring's idx field; the device owns it and rewrites it). */
static void check_queue(const struct vmm_vq *vq, unsigned q, uint16_t num, uint16_t used_before,
			uint16_t avail_before, uint16_t last_avail_before, bool was_broken)
{
	uint16_t used_idx, done = (uint16_t)(vq->used_idx - used_before);

	memcpy(&used_idx, vram(VRAM_USED(q) + 2), 2);
	if (done > (uint16_t)(avail_before - last_avail_before) || (was_broken && done))
		abort();
	if (done && used_idx != vq->used_idx)
		abort();
	for (uint16_t i = 0; i < done; i++) {
		uint8_t *e = vram(VRAM_USED(q) + 4 + 8ULL * ((used_before + i) % num));
		uint32_t id, len;

		memcpy(&id, e, 4);
		memcpy(&len, e + 4, 4);
		if (id >= num || len > vram_chain_writable(q, num, (uint16_t)id, NULL))
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
	if (null_fd < 0) {
		disk_fd = memfd_create("fuzzdisk", 0);
		if (ftruncate(disk_fd, 64 * 512) != 0)
			abort();
		null_fd = open("/dev/null", O_WRONLY);
		vmm_console_init(&con, null_fd);
	}
	vram_fill(&m, data + 4, size - 4);

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
	vram_bring_up(&vd, 2, event_idx ? (uint32_t)VIRTIO_F_RING_EVENT_IDX : 0, ops->nqueues, num);
	if (ops == &vmm_vcon_ops)
		vmm_vcon_input(&vd, data, size < 64 ? size : 64);

	for (unsigned round = 0; round < 2; round++)
		for (unsigned q = 0; q < ops->nqueues; q++) {
			uint16_t used_before, avail_before;
			bool broken = vmm_virtio_needs_reset(&vd);
			uint16_t last = vd.vq[q].last_avail;

			used_before = vd.vq[q].used_idx;
			memcpy(&avail_before, vram(VRAM_AVAIL(q) + 2), 2);
			vmm_virtio_process(&vd, q);
			if (vd.vq[q].num == num)
				check_queue(&vd.vq[q], q, num, used_before, avail_before, last,
					    broken);
		}
	vram_finish(&vd);
	return 0;
}
