/* virtio-net (virtio 1.x §5.1) over a TAP interface: one receive and one transmit queue, the
 * MAC address and link status in config space, no offloads (every frame is whole, the
 * virtio-net header all zeros but num_buffers). The back end is a file descriptor that moves
 * one Ethernet frame per read or write (a TAP with IFF_NO_PI, or a datagram socket in tests). */
#ifndef VMM_VIRTIO_NET_H
#define VMM_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_mmio.h"

#define VIRTIO_ID_NET 1U

#define VIRTIO_NET_F_MAC     (1ULL << 5)
#define VIRTIO_NET_F_STATUS  (1ULL << 16)
#define VIRTIO_NET_S_LINK_UP 1U

#define VMM_NET_RX 0U
#define VMM_NET_TX 1U

#define VMM_NET_MAC_LEN	    6U
#define VMM_NET_CONFIG_SIZE 8U /* mac[6], status */
/* The header before every frame: 10 bytes for a legacy driver, 12 (num_buffers added) once
 * VERSION_1 is negotiated. */
#define VMM_NET_HDR_LEGACY 10U
#define VMM_NET_HDR_V1	   12U
#define VMM_NET_ETH_HLEN   14U
/* Largest frame either way: a TAP's MTU cannot exceed 65535 plus the Ethernet header. */
#define VMM_NET_FRAME_MAX (65535U + VMM_NET_ETH_HLEN)

/* The default MAC, QEMU's for its first NIC. */
#define VMM_NET_MAC_DEFAULT                                                                        \
	{                                                                                          \
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56                                                 \
	}

struct vmm_net {
	int fd; /* non-blocking; -1: none */
	uint8_t mac[VMM_NET_MAC_LEN];
	bool link_up;
	/* A frame read from the back end that no receive buffer has taken yet. */
	size_t rx_len;
	uint8_t rx[VMM_NET_FRAME_MAX];
	uint8_t tx[VMM_NET_FRAME_MAX];
	uint64_t rx_frames, rx_bytes, rx_dropped; /* dropped: larger than the guest's buffer */
	uint64_t tx_frames, tx_bytes, tx_dropped; /* dropped: runt, oversized, offload asked,
						     or the back end refused it */
};

/* Attaches to the existing TAP interface name (never creates one). Returns a non-blocking fd
 * or -1 with a one-line message. */
int vmm_tap_open(const char *name, char *err, size_t errlen);
/* Parses "xx:xx:xx:xx:xx:xx" (hex, a unicast address that is not all zeros). 0 or -1. */
int vmm_net_parse_mac(const char *s, uint8_t mac[VMM_NET_MAC_LEN]);
/* The device over fd, link up. */
void vmm_net_init_fd(struct vmm_net *n, int fd, const uint8_t mac[VMM_NET_MAC_LEN]);
void vmm_net_close(struct vmm_net *n);
extern const struct vmm_virtio_dev_ops vmm_net_ops;

#endif
