/* virtio-net device side: frames between the guest's queues and the back-end descriptor. What
 * the guest puts on its rings is checked before a byte moves: a receive chain with readable
 * buffers or no room for the header, a transmit chain with writable buffers or shorter than
 * the header is a malformed request (DEVICE_NEEDS_RESET); a frame the guest should not have
 * sent (a runt, one past VMM_NET_FRAME_MAX, one asking for offloads never offered) is dropped
 * and counted, as is a received frame larger than the buffer the guest gave for it. */
#include "virtio_net.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HDR_GSO_TYPE 1U /* offset of gso_type; flags is byte 0 */
#define RX_DROPS_MAX 64U

void vmm_net_init_fd(struct vmm_net *n, int fd, const uint8_t mac[VMM_NET_MAC_LEN])
{
	n->fd = fd;
	memcpy(n->mac, mac, VMM_NET_MAC_LEN);
	n->link_up = true;
	n->rx_len = 0;
	n->rx_frames = n->rx_bytes = n->rx_dropped = 0;
	n->tx_frames = n->tx_bytes = n->tx_dropped = 0;
}

void vmm_net_close(struct vmm_net *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

int vmm_net_parse_mac(const char *s, uint8_t mac[VMM_NET_MAC_LEN])
{
	uint8_t m[VMM_NET_MAC_LEN];
	unsigned nonzero = 0;

	for (unsigned i = 0; i < VMM_NET_MAC_LEN; i++) {
		char byte[3] = {s[0], 0, 0};

		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -1;
		byte[1] = s[1];
		m[i] = (uint8_t)strtoul(byte, NULL, 16);
		nonzero |= m[i];
		s += 2;
		if (*s != (i + 1 < VMM_NET_MAC_LEN ? ':' : '\0'))
			return -1;
		if (*s)
			s++;
	}
	/* A NIC's own address is unicast: Linux would replace a group address by a random one. */
	if (!nonzero || (m[0] & 1))
		return -1;
	memcpy(mac, m, VMM_NET_MAC_LEN);
	return 0;
}

static uint32_t hdr_len(const struct vmm_virtio *vd)
{
	return (vd->drv_features & VIRTIO_F_VERSION_1) ? VMM_NET_HDR_V1 : VMM_NET_HDR_LEGACY;
}

static uint64_t net_features(struct vmm_virtio *vd)
{
	(void)vd;
	return VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS;
}

static void net_config(struct vmm_virtio *vd, uint32_t off, void *dst, uint32_t len)
{
	struct vmm_net *n = vd->dev;
	uint8_t cfg[VMM_NET_CONFIG_SIZE] = {0};

	memcpy(cfg, n->mac, VMM_NET_MAC_LEN);
	cfg[6] = n->link_up ? VIRTIO_NET_S_LINK_UP : 0; /* status, little-endian */
	memcpy(dst, cfg + off, len);
}

/* The next frame from the back end into n->rx. false: none now (or the back end failed). */
static bool rx_fill(struct vmm_net *n)
{
	ssize_t r;

	if (n->rx_len)
		return true;
	if (n->fd < 0)
		return false;
	do
		r = read(n->fd, n->rx, sizeof(n->rx));
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return false;
	n->rx_len = (size_t)r;
	return true;
}

static int net_rx(struct vmm_virtio *vd, const struct vmm_vq_chain *c, uint32_t *written)
{
	struct vmm_net *n = vd->dev;
	uint32_t hlen = hdr_len(vd);
	uint8_t hdr[VMM_NET_HDR_V1] = {0};

	if (c->nread != 0 || c->write_len < hlen)
		return -VMM_VQ_ERR_DEVICE;
	/* Frames too large for this buffer go; the buffer waits for one that fits. A flood of
	 * them cannot hold the event loop: after RX_DROPS_MAX the buffer stays on the ring
	 * and the back end's next frame brings the device back. */
	for (unsigned drops = 0; drops < RX_DROPS_MAX && rx_fill(n);) {
		size_t len = n->rx_len;

		n->rx_len = 0;
		if (len > c->write_len - hlen) {
			n->rx_dropped++;
			drops++;
			continue;
		}
		hdr[10] = 1; /* num_buffers (v1 header; a legacy one ends before it) */
		vmm_vq_write(c, 0, hdr, hlen);
		vmm_vq_write(c, hlen, n->rx, len);
		n->rx_frames++;
		n->rx_bytes += len;
		*written = (uint32_t)(hlen + len);
		return 0;
	}
	return VMM_VIRTIO_DEFER;
}

static int net_tx(struct vmm_virtio *vd, const struct vmm_vq_chain *c, uint32_t *written)
{
	struct vmm_net *n = vd->dev;
	uint32_t hlen = hdr_len(vd);
	uint8_t hdr[VMM_NET_HDR_V1];
	uint64_t len;
	ssize_t r;

	if (c->nread != c->n || c->read_len < hlen)
		return -VMM_VQ_ERR_DEVICE;
	*written = 0;
	len = c->read_len - hlen;
	vmm_vq_read(c, 0, hdr, hlen);
	/* No checksum or segmentation offload was offered: a header asking for one, a frame
	 * without an Ethernet header, or one larger than any TAP takes is not sent. */
	if (hdr[0] != 0 || hdr[HDR_GSO_TYPE] != 0 || len < VMM_NET_ETH_HLEN ||
	    len > sizeof(n->tx) || n->fd < 0) {
		n->tx_dropped++;
		return 0;
	}
	vmm_vq_read(c, hlen, n->tx, len);
	do
		r = write(n->fd, n->tx, len);
	while (r < 0 && errno == EINTR);
	/* A TAP that is down or full drops the frame, as a cable would. */
	if (r != (ssize_t)len) {
		n->tx_dropped++;
		return 0;
	}
	n->tx_frames++;
	n->tx_bytes += len;
	return 0;
}

static int net_handle(struct vmm_virtio *vd, unsigned q, const struct vmm_vq_chain *c,
		      uint32_t *written)
{
	return q == VMM_NET_RX ? net_rx(vd, c, written) : net_tx(vd, c, written);
}

static void net_reset(struct vmm_virtio *vd)
{
	struct vmm_net *n = vd->dev;

	n->rx_len = 0;
}

const struct vmm_virtio_dev_ops vmm_net_ops = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .nqueues = 2,
    .features = net_features,
    .read_config = net_config,
    .config_size = VMM_NET_CONFIG_SIZE,
    .handle = net_handle,
    .reset = net_reset,
};
