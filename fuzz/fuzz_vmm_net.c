/* Fuzz target: gzvmm's virtio-net with hostile rings and headers on both queues and hostile
 * frames from the back end (a datagram socket pair in place of the TAP). The input chooses the
 * transport version, event-idx, the queue size and up to eight frames the "TAP" holds, and
 * fills guest RAM (descriptor tables, rings, buffers, transmit headers). Invariants: no access
 * outside RAM (guard zones); every used element names a head below the queue size; a transmit
 * chain reports no bytes written; a receive chain reports the header plus a frame the back end
 * really had, within what the chain can take; every
 * frame the device sent is the bytes of a transmit chain after its header, 14 bytes at least;
 * frames counted sent plus dropped equal transmit chains completed; once the device needs a
 * reset it completes nothing more. */
/* fuzz-libs: gzvmm_lib */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/virtio_ram.h"
#include "virtio_net.h"

#define NFRAMES 8U

static int sv[2] = {-1, -1};
static struct vmm_net net;
static uint8_t frames[NFRAMES][2048];
static size_t frame_len[NFRAMES];
static unsigned nframes;

static void drain(int fd)
{
	uint8_t b[256];

	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

/* Each frame the device sent: a transmit chain's bytes past the header, at least an
 * Ethernet header, never larger than the device takes. */
static void check_sent(uint64_t sent)
{
	static uint8_t b[VMM_NET_FRAME_MAX + 1];
	uint64_t n = 0;
	ssize_t r;

	while ((r = recv(sv[1], b, sizeof(b), MSG_DONTWAIT)) >= 0) {
		if (r < (ssize_t)VMM_NET_ETH_HLEN || r > (ssize_t)VMM_NET_FRAME_MAX)
			abort();
		n++;
	}
	if (n != sent)
		abort();
}

static bool is_a_frame(uint32_t len)
{
	for (unsigned i = 0; i < nframes; i++)
		if (frame_len[i] == len)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = VMM_NET_MAC_DEFAULT;
	static struct vmm_virtio vd;
	struct vmm_mem m = {0};
	size_t pos = 4;

	if (size < 4)
		return 0;
	if (sv[0] < 0) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) != 0)
			abort();
		/* Room for every frame an input can hold in flight. */
		int big = 1 << 20;

		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	}
	drain(sv[0]);
	drain(sv[1]);
	unsigned version = data[0] & 1 ? 1 : 2;
	bool event_idx = data[0] & 2;
	uint16_t num = (uint16_t)(1u << (data[1] % 9)); /* 1..256 */

	/* Frames for the back end: byte 2 says how many, each a length byte then its bytes. */
	nframes = data[2] % (NFRAMES + 1);
	for (unsigned i = 0; i < nframes; i++) {
		size_t len = pos < size ? (size_t)data[pos++] * 8 : 0;

		memset(frames[i], (int)i, sizeof(frames[i]));
		if (len > sizeof(frames[i]))
			len = sizeof(frames[i]);
		if (len == 0)
			len = 1;
		frame_len[i] = len;
		if (send(sv[1], frames[i], len, MSG_DONTWAIT) != (ssize_t)len)
			abort();
	}
	vram_fill(&m, data + pos, pos < size ? size - pos : 0);

	vmm_net_init_fd(&net, sv[0], mac);
	if (vmm_virtio_init(&vd, &vmm_net_ops, &net, &m, version, 0) != 0)
		abort();
	vram_bring_up(&vd, version,
		      (uint32_t)(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS |
				 (event_idx ? VIRTIO_F_RING_EVENT_IDX : 0)),
		      2, num);
	uint32_t hlen = version == 2 ? VMM_NET_HDR_V1 : VMM_NET_HDR_LEGACY;

	for (unsigned round = 0; round < 2; round++)
		for (unsigned q = 0; q < 2; q++) {
			struct vmm_vq *vq = &vd.vq[q];
			bool broken = vmm_virtio_needs_reset(&vd);
			uint16_t used_before = vq->used_idx;
			uint64_t sent_before = net.tx_frames, dropped_before = net.tx_dropped;

			vmm_virtio_process(&vd, q);
			if (vq->num != num || !vq->used_gpa)
				continue;
			uint16_t done = (uint16_t)(vq->used_idx - used_before);

			if ((broken && done) || done > num)
				abort();
			if (q == VMM_NET_TX) {
				check_sent(net.tx_frames - sent_before);
				if (net.tx_frames - sent_before + net.tx_dropped - dropped_before !=
				    done)
					abort();
			}
			for (uint16_t i = 0; i < done; i++) {
				uint8_t *e =
				    vram(vq->used_gpa + 4 + 8ULL * ((used_before + i) % num));
				uint32_t id, len;
				uint64_t w;
				bool formed;

				memcpy(&id, e, 4);
				memcpy(&len, e + 4, 4);
				if (id >= num)
					abort();
				w = vram_chain_writable(q, num, (uint16_t)id, &formed);
				/* Only the device writes RAM here, never into a ring: the chain is
				 * as the device saw it, and a malformed one is never completed. */
				if (!formed || len > w || (q == VMM_NET_TX && len != 0))
					abort();
				if (q == VMM_NET_RX && (len < hlen || !is_a_frame(len - hlen)))
					abort();
			}
		}
	if (net.rx_frames + net.rx_dropped > nframes)
		abort();
	vram_finish(&vd);
	return 0;
}
