/* Split virtqueues (virtio 1.x §2.7) with VIRTIO_F_EVENT_IDX, processed on the device side.
 * Every descriptor is copied out of guest memory once and validated before use: a malformed
 * ring is reported as an error code and never followed (no loops, no out-of-RAM access, no
 * overlapping buffers, no device write into the ring itself). */
#ifndef VMM_VIRTQUEUE_H
#define VMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"

#define VMM_VQ_MAX_SIZE 256U

#define VRING_DESC_F_NEXT	   1U
#define VRING_DESC_F_WRITE	   2U
#define VRING_DESC_F_INDIRECT	   4U
#define VRING_AVAIL_F_NO_INTERRUPT 1U
#define VRING_USED_F_NO_NOTIFY	   1U

#define VRING_DESC_SIZE 16U

enum vmm_vq_err {
	VMM_VQ_OK = 0,
	VMM_VQ_ERR_RING = 1,	 /* ring structures misaligned or outside RAM, bad size */
	VMM_VQ_ERR_INDEX = 2,	 /* avail->idx moved by more than the queue size */
	VMM_VQ_ERR_HEAD = 3,	 /* head index >= queue size */
	VMM_VQ_ERR_NEXT = 4,	 /* next index >= queue size */
	VMM_VQ_ERR_LOOP = 5,	 /* chain longer than the queue: a descriptor loop */
	VMM_VQ_ERR_RANGE = 6,	 /* buffer outside guest RAM or zero length */
	VMM_VQ_ERR_OVERLAP = 7,	 /* buffers of one chain overlap, or a writable one hits the ring */
	VMM_VQ_ERR_INDIRECT = 8, /* indirect descriptor (not offered) */
	VMM_VQ_ERR_ORDER = 9,	 /* device-readable buffer after a device-writable one */
	VMM_VQ_ERR_DEVICE = 10,	 /* the device found a malformed request (wrong lengths...) */
	VMM_VQ_ERR_COUNT
};

const char *vmm_vq_err_name(int err);

struct vmm_vq {
	uint16_t num;
	bool ready;
	bool event_idx;
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;
	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t signalled_used; /* used_idx at the last interrupt */
	bool signalled_valid;
};

struct vmm_vq_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;
	uint8_t *hva;
};

struct vmm_vq_chain {
	uint16_t head;
	unsigned n;
	unsigned nread; /* the first nread buffers are device-readable */
	uint64_t read_len;
	uint64_t write_len;
	struct vmm_vq_buf buf[VMM_VQ_MAX_SIZE];
};

/* Resets indices (queue disabled). */
void vmm_vq_reset(struct vmm_vq *vq);
/* Validates size, alignment and placement of the three ring parts. */
int vmm_vq_validate(const struct vmm_mem *m, const struct vmm_vq *vq);
/* Pops the next available chain: 1 popped, 0 none available, or -VMM_VQ_ERR_*. */
int vmm_vq_pop(const struct vmm_mem *m, struct vmm_vq *vq, struct vmm_vq_chain *c);
/* Puts a chain on the used ring with the number of bytes written. */
void vmm_vq_push(const struct vmm_mem *m, struct vmm_vq *vq, uint16_t head, uint32_t len);
/* true if the driver wants an interrupt for what was pushed since the last one. */
bool vmm_vq_need_irq(const struct vmm_mem *m, struct vmm_vq *vq);
/* With event-idx: asks for a notification at the next buffer (avail_event = last_avail).
 * Returns true if more buffers arrived meanwhile (process again). */
bool vmm_vq_enable_notify(const struct vmm_mem *m, struct vmm_vq *vq);

/* Gathers/scatters bytes over the readable/writable parts of a chain. */
uint64_t vmm_vq_read(const struct vmm_vq_chain *c, uint64_t off, void *dst, uint64_t len);
uint64_t vmm_vq_write(const struct vmm_vq_chain *c, uint64_t off, const void *src, uint64_t len);

#endif
