/* virtio-mmio transport (virtio 1.x §4.2), version 2 or legacy version 1, shared by every
 * virtio device. MMIO register accesses come from vCPU threads; queue processing runs on the
 * event loop when a queue's notification eventfd fires, or on the notifying vCPU's thread for
 * a device whose notify callback serves the queue itself. One mutex per transport orders them.
 * A malformed ring or request sets DEVICE_NEEDS_RESET and the device stops until the driver
 * resets it. */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "virtqueue.h"

#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE	0x028 /* v1 */
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_ALIGN		0x03c /* v1 */
#define VIRTIO_MMIO_QUEUE_PFN		0x040 /* v1 */
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW	0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_MAGIC 0x74726976U /* "virt" */
#define VIRTIO_VENDOR_ID  0x47205a47U /* "GZ G": opengz */

#define VIRTIO_STATUS_ACKNOWLEDGE 1U
#define VIRTIO_STATUS_DRIVER	  2U
#define VIRTIO_STATUS_DRIVER_OK	  4U
#define VIRTIO_STATUS_FEATURES_OK 8U
#define VIRTIO_STATUS_NEEDS_RESET 64U
#define VIRTIO_STATUS_FAILED	  128U

#define VIRTIO_INT_USED_RING 1U
#define VIRTIO_INT_CONFIG    2U

#define VIRTIO_F_RING_EVENT_IDX	 (1ULL << 29)
#define VIRTIO_F_VERSION_1	 (1ULL << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ULL << 33)

#define VMM_VIRTIO_MAX_QUEUES 3U

struct vmm_virtio;

/* handle() results besides 0 (chain consumed, *written bytes written) and -VMM_VQ_ERR_*. */
#define VMM_VIRTIO_DEFER 1 /* no data for this buffer yet: leave it on the ring */

struct vmm_virtio_dev_ops {
	const char *name;
	uint32_t device_id;
	unsigned nqueues;
	uint64_t (*features)(struct vmm_virtio *vd);
	/* Config space: copy len bytes at off (already bounds-checked against config_size). */
	void (*read_config)(struct vmm_virtio *vd, uint32_t off, void *dst, uint32_t len);
	uint32_t config_size;
	int (*handle)(struct vmm_virtio *vd, unsigned q, const struct vmm_vq_chain *c,
		      uint32_t *written);
	void (*reset)(struct vmm_virtio *vd); /* optional */
};

struct vmm_virtio_stats {
	uint64_t mmio_reads;
	uint64_t mmio_writes;
	uint64_t notifies;
	uint64_t chains;
	uint64_t irqs;
	uint64_t errors;
	int last_error; /* VMM_VQ_ERR_* of the last reset-worthy error */
};

struct vmm_virtio {
	pthread_mutex_t lock;
	const struct vmm_virtio_dev_ops *ops;
	void *dev; /* device state */
	const struct vmm_mem *mem;
	unsigned version;
	unsigned index;	      /* transport number: address and SPI */
	bool access_platform; /* offer VIRTIO_F_ACCESS_PLATFORM (modern transports only) */
	/* Raise the transport's interrupt (irqfd write). */
	void (*irq)(void *ctx);
	/* A QueueNotify write reached the VMM (no ioeventfd): schedule processing of q. */
	void (*notify)(void *ctx, unsigned q);
	/* A pass over q ran out of budget with work left: schedule another, off this call
	 * (optional: notify is used when NULL; notify may serve q on the spot). */
	void (*requeue)(void *ctx, unsigned q);
	void *cb_ctx;

	uint32_t status;
	uint32_t dev_feat_sel;
	uint32_t drv_feat_sel;
	uint64_t drv_features;
	uint32_t queue_sel;
	uint32_t isr;
	uint32_t config_gen;
	uint32_t guest_page_size; /* v1 */
	uint32_t queue_align[VMM_VIRTIO_MAX_QUEUES];
	uint32_t queue_pfn[VMM_VIRTIO_MAX_QUEUES];
	struct vmm_vq vq[VMM_VIRTIO_MAX_QUEUES];
	struct vmm_vq_chain chain;
	struct vmm_virtio_stats stats;
};

int vmm_virtio_init(struct vmm_virtio *vd, const struct vmm_virtio_dev_ops *ops, void *dev,
		    const struct vmm_mem *mem, unsigned version, unsigned index);
void vmm_virtio_destroy(struct vmm_virtio *vd);
uint64_t vmm_virtio_mmio_read(struct vmm_virtio *vd, uint64_t off, unsigned size);
void vmm_virtio_mmio_write(struct vmm_virtio *vd, uint64_t off, unsigned size, uint64_t val);
/* Processes queue q (event loop). */
void vmm_virtio_process(struct vmm_virtio *vd, unsigned q);
/* Device features as offered (device bits + transport bits). */
uint64_t vmm_virtio_offered(struct vmm_virtio *vd);
bool vmm_virtio_needs_reset(struct vmm_virtio *vd);

#endif
