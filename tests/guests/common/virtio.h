/* The test guests' virtio-mmio driver pieces (net, vsock, the VMM's virtio guest): beyond the
 * registers of virtio_regs.h, the transports' interrupts, the interrupt status registers, the
 * status handshake, and a queue of VQ_SIZE entries (a guest may define its own size before
 * including this) set up the version 2 way. */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include "guest.h"
#include "virtio_regs.h"

#define VIRTIO_NR   32U
#define VIRTIO_SPI0 48U /* INTID of transport 0: SPI 16 */

#define R_INT_STATUS 0x060
#define R_INT_ACK    0x064

#ifndef VQ_SIZE
#define VQ_SIZE 8U
#endif

/* A queue of VQ_SIZE entries, the used ring on a page of its own. */
struct vq {
	struct desc d[VQ_SIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[VQ_SIZE], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct {
			uint32_t id, len;
		} ring[VQ_SIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4096)));
	uint16_t last_used;
	uint64_t base;
	unsigned q;
};

/* Resets the device and says a driver is here (ACKNOWLEDGE, then DRIVER), as virtio 1.x §3.1.1
 * orders it; the device's features can be read after this. */
static inline void virtio_begin(uint64_t base)
{
	w32(base + R_STATUS, 0);
	w32(base + R_STATUS, 1);
	w32(base + R_STATUS, 3);
}

/* Offers feature bits 0-31 as lo and VERSION_1 (bit 32), sets FEATURES_OK and tells whether
 * the device kept it. */
static inline bool virtio_features_ok(uint64_t base, uint32_t lo)
{
	w32(base + R_DRV_FEAT_SEL, 0);
	w32(base + R_DRV_FEAT, lo);
	w32(base + R_DRV_FEAT_SEL, 1);
	w32(base + R_DRV_FEAT, 1); /* VERSION_1 */
	w32(base + R_STATUS, 0xb);
	return r32(base + R_STATUS) & 8;
}

/* Queue q of the transport at base, version 2 layout, made ready. */
static inline void vq_init(struct vq *v, uint64_t base, unsigned q)
{
	v->base = base;
	v->q = q;
	v->last_used = 0;
	w32(base + R_QUEUE_SEL, q);
	w32(base + R_QUEUE_NUM, VQ_SIZE);
	w32(base + R_DESC_LO, (uint32_t)(uint64_t)v->d);
	w32(base + R_DESC_HI, (uint32_t)((uint64_t)v->d >> 32));
	w32(base + R_AVAIL_LO, (uint32_t)(uint64_t)&v->avail);
	w32(base + R_AVAIL_HI, (uint32_t)((uint64_t)&v->avail >> 32));
	w32(base + R_USED_LO, (uint32_t)(uint64_t)&v->used);
	w32(base + R_USED_HI, (uint32_t)((uint64_t)&v->used >> 32));
	w32(base + R_QUEUE_READY, 1);
}

#endif
