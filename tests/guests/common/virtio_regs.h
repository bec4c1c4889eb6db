/* The virtio-mmio registers (virtio 1.x §4.2.2) and the split ring's descriptor, for the test
 * guests that drive gzvmm's virtio devices by hand. */
#ifndef GUEST_VIRTIO_REGS_H
#define GUEST_VIRTIO_REGS_H

#include <stdint.h>

#define VIRTIO_BASE   0x0a000000UL
#define VIRTIO_STRIDE 0x200UL

#define R_MAGIC	       0x000
#define R_VERSION      0x004
#define R_DEVICE_ID    0x008
#define R_VENDOR_ID    0x00c
#define R_DEV_FEAT     0x010
#define R_DEV_FEAT_SEL 0x014
#define R_DRV_FEAT     0x020
#define R_DRV_FEAT_SEL 0x024
#define R_QUEUE_SEL    0x030
#define R_QUEUE_NUM    0x038
#define R_QUEUE_READY  0x044
#define R_QUEUE_NOTIFY 0x050
#define R_STATUS       0x070
#define R_DESC_LO      0x080
#define R_DESC_HI      0x084
#define R_AVAIL_LO     0x090
#define R_AVAIL_HI     0x094
#define R_USED_LO      0x0a0
#define R_USED_HI      0x0a4
#define R_CONFIG       0x100

#define F_WRITE 2 /* VRING_DESC_F_WRITE */

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#endif
