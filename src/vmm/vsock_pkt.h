/* virtio-vsock's wire format (virtio 1.2 §5.10.6): the 44-byte little-endian packet header,
 * operations, shutdown flags and the well-known CIDs. Shared by the device, its tests and the
 * fuzz target. */
#ifndef VMM_VSOCK_PKT_H
#define VMM_VSOCK_PKT_H

#include <stdint.h>

#define VIRTIO_ID_VSOCK 19U

#define VMM_VSOCK_RX	0U
#define VMM_VSOCK_TX	1U
#define VMM_VSOCK_EVENT 2U

#define VMM_VSOCK_CID_HYPERVISOR 0U
#define VMM_VSOCK_CID_LOCAL	 1U
#define VMM_VSOCK_CID_HOST	 2U

#define VMM_VSOCK_TYPE_STREAM 1U

#define VMM_VSOCK_OP_INVALID	    0U
#define VMM_VSOCK_OP_REQUEST	    1U
#define VMM_VSOCK_OP_RESPONSE	    2U
#define VMM_VSOCK_OP_RST	    3U
#define VMM_VSOCK_OP_SHUTDOWN	    4U
#define VMM_VSOCK_OP_RW		    5U
#define VMM_VSOCK_OP_CREDIT_UPDATE  6U
#define VMM_VSOCK_OP_CREDIT_REQUEST 7U

#define VMM_VSOCK_SHUTDOWN_RCV	1U /* the sender will receive nothing more */
#define VMM_VSOCK_SHUTDOWN_SEND 2U /* the sender will send nothing more */

#define VMM_VSOCK_HDR_SIZE 44U

struct vmm_vsock_hdr {
	uint64_t src_cid;
	uint64_t dst_cid;
	uint32_t src_port;
	uint32_t dst_port;
	uint32_t len;
	uint16_t type;
	uint16_t op;
	uint32_t flags;
	uint32_t buf_alloc;
	uint32_t fwd_cnt;
} __attribute__((packed));

_Static_assert(sizeof(struct vmm_vsock_hdr) == VMM_VSOCK_HDR_SIZE, "virtio_vsock_hdr is 44 bytes");

#endif
