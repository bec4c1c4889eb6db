/*
 * vsock between two guests over a hypervisor channel (an opengz extension, docs/abi.md
 * "vsock over a channel"). A channel whose device-tree node has "opengz,vsock-cids" = <own
 * peer> carries virtio-vsock stream packets between those two CIDs: every channel message is
 * one packet, the 44-byte little-endian header of virtio 1.2 §5.10.6 followed by `len` bytes
 * of payload, with the virtio-vsock protocol unchanged (REQUEST, RESPONSE, RW, SHUTDOWN,
 * RST, CREDIT_UPDATE, CREDIT_REQUEST; credit per connection from buf_alloc and fwd_cnt).
 * gzhyp copies each message itself, so the bytes never cross the host's memory; it does not
 * read them: each guest checks what it receives. Shared by the VMM's docs and the test guests.
 */
#ifndef GZ_CHAN_VSOCK_H
#define GZ_CHAN_VSOCK_H

#include <gzabi/chan.h>

#define GZ_CHAN_VSOCK_HDR_SIZE 44
/* Payload of one packet: what a channel message holds after the header. */
#define GZ_CHAN_VSOCK_PAYLOAD_MAX (GZ_CHAN_MSG_MAX - GZ_CHAN_VSOCK_HDR_SIZE)

#define GZ_CHAN_VSOCK_TYPE_STREAM 1

#define GZ_CHAN_VSOCK_OP_REQUEST	1
#define GZ_CHAN_VSOCK_OP_RESPONSE	2
#define GZ_CHAN_VSOCK_OP_RST		3
#define GZ_CHAN_VSOCK_OP_SHUTDOWN	4
#define GZ_CHAN_VSOCK_OP_RW		5
#define GZ_CHAN_VSOCK_OP_CREDIT_UPDATE	6
#define GZ_CHAN_VSOCK_OP_CREDIT_REQUEST 7

#define GZ_CHAN_VSOCK_SHUTDOWN_RCV  1 /* the sender receives nothing more */
#define GZ_CHAN_VSOCK_SHUTDOWN_SEND 2 /* the sender sends nothing more */

/* virtio_vsock_hdr. */
struct gz_chan_vsock_hdr {
	unsigned long long src_cid;
	unsigned long long dst_cid;
	unsigned int src_port;
	unsigned int dst_port;
	unsigned int len;
	unsigned short type;
	unsigned short op;
	unsigned int flags;
	unsigned int buf_alloc;
	unsigned int fwd_cnt;
} __attribute__((packed));

_Static_assert(sizeof(struct gz_chan_vsock_hdr) == GZ_CHAN_VSOCK_HDR_SIZE,
	       "the virtio-vsock header is 44 bytes");

#endif
