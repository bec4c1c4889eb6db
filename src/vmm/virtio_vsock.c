/* virtio-vsock (device ID 19): stream sockets between the guest and the host's AF_UNIX side,
 * in user space. The transmit queue carries the guest's packets, each answered as virtio 1.2
 * §5.10.6 says; the receive queue carries gzvmm's: RSTs owed for packets that fit no
 * connection, each connection's owed control packets, then its data as credit allows. A
 * malformed chain or header is dropped (counted) or answered with an RST; it never stops the
 * device. The event queue's buffers are kept: gzvmm never migrates. */
#include "vsock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint64_t vsock_features(struct vmm_virtio *vd)
{
	(void)vd;
	return 0; /* no feature bit: stream sockets only */
}

static void vsock_config(struct vmm_virtio *vd, uint32_t off, void *dst, uint32_t len)
{
	struct vmm_vsock *v = vd->dev;
	uint8_t cfg[8];

	for (unsigned i = 0; i < 8; i++)
		cfg[i] = (uint8_t)(v->guest_cid >> (8 * i));
	memcpy(dst, cfg + off, len);
}

void vmm_vsock_init(struct vmm_vsock *v, uint64_t guest_cid, struct vmm_virtio *vd,
		    struct vmm_vsock_host *host)
{
	memset(v, 0, sizeof(*v));
	v->guest_cid = guest_cid;
	v->vd = vd;
	v->host = host;
	v->next_host_port = VMM_VSOCK_HOST_PORT_BASE;
	vmm_vsock_conns_init(&v->conns);
}

static void close_fd(struct vmm_vsock_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void close_conns(struct vmm_vsock *v, bool keep_unasked)
{
	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++) {
		struct vmm_vsock_conn *c = &v->conns.c[i];

		if (c->state == VMM_VSOCK_FREE ||
		    (keep_unasked && c->state == VMM_VSOCK_CONNECTING &&
		     (c->owe & VMM_VSOCK_OWE_REQUEST)))
			continue;
		close_fd(c);
		vmm_vsock_conn_free(&v->conns, c);
	}
	v->rst_head = v->rst_n = 0;
}

void vmm_vsock_close_all(struct vmm_vsock *v)
{
	close_conns(v, false);
}

/* A driver's reset ends what it knew of; a host's request it never saw waits for the next
 * driver (a host program may connect before the guest's driver is up). */
static void vsock_reset(struct vmm_virtio *vd)
{
	close_conns(vd->dev, true);
}

/* An RST for a packet that has no connection: from where it was sent to, back to its sender. */
static void orphan_rst(struct vmm_vsock *v, const struct vmm_vsock_hdr *h)
{
	unsigned i = (v->rst_head + v->rst_n) % VMM_VSOCK_RSTQ;

	v->rstq[i].src_cid = h->dst_cid;
	v->rstq[i].src_port = h->dst_port;
	v->rstq[i].dst_port = h->src_port;
	v->rst_n++; /* tx_handle keeps one free slot for each packet it takes */
}

/* The guest broke the protocol, or the host socket failed: the connection ends at once. */
static void reset_conn(struct vmm_vsock_conn *c)
{
	close_fd(c);
	c->state = VMM_VSOCK_DEAD;
	c->owe = VMM_VSOCK_OWE_RST;
}

/* A draining connection goes once the guest heard its RST and the host took its data. */
static void drain_done(struct vmm_vsock *v, struct vmm_vsock_conn *c)
{
	if (c->state == VMM_VSOCK_DRAINING && !(c->owe & VMM_VSOCK_OWE_RST) &&
	    (c->buf_len == 0 || c->fd < 0)) {
		close_fd(c);
		vmm_vsock_conn_free(&v->conns, c);
	}
}

/* Both directions are done: an RST to the guest, then the host socket closes once drained. */
static void close_conn(struct vmm_vsock *v, struct vmm_vsock_conn *c)
{
	c->state = VMM_VSOCK_DRAINING;
	c->owe = VMM_VSOCK_OWE_RST;
	drain_done(v, c);
}

/* Passes buffered guest data to the host socket, half-closes it once the guest said it sends
 * nothing more, and owes the guest news of its credit. */
static void flush(struct vmm_vsock *v, struct vmm_vsock_conn *c)
{
	if (c->fd < 0)
		return;
	if (vmm_vsock_host_flush(c) != 0) {
		if (c->state == VMM_VSOCK_DRAINING) {
			close_fd(c);
			drain_done(v, c);
		} else {
			reset_conn(c);
		}
		return;
	}
	if (c->buf_len == 0 && c->peer_shut_send && !c->host_shut_done) {
		shutdown(c->fd, SHUT_WR);
		c->host_shut_done = true;
	}
	if (c->state == VMM_VSOCK_ESTABLISHED && vmm_vsock_conn_credit_due(c))
		c->owe |= VMM_VSOCK_OWE_CREDIT;
	drain_done(v, c);
}

void vmm_vsock_host_event(struct vmm_vsock *v, struct vmm_vsock_conn *c, bool readable,
			  bool writable)
{
	if (readable)
		c->host_readable = true;
	if (writable)
		flush(v, c);
}

int vmm_vsock_host_initiated(struct vmm_vsock *v, int fd, uint32_t port)
{
	struct vmm_vsock_conn *c;
	uint32_t hp = v->next_host_port;

	if (v->conns.n >= VMM_VSOCK_MAX_CONNS)
		return -1;
	/* At most MAX_CONNS ports are taken: a free one is near. */
	while (vmm_vsock_conn_host_port_used(&v->conns, hp))
		hp = hp == UINT32_MAX ? VMM_VSOCK_HOST_PORT_BASE : hp + 1;
	v->next_host_port = hp == UINT32_MAX ? VMM_VSOCK_HOST_PORT_BASE : hp + 1;
	c = vmm_vsock_conn_alloc(&v->conns, VMM_VSOCK_CONNECTING, port, hp, fd);
	if (v->host && vmm_vsock_host_watch(v->host, fd, (unsigned)(c - v->conns.c)) != 0) {
		vmm_vsock_conn_free(&v->conns, c);
		return -1;
	}
	c->owe = VMM_VSOCK_OWE_REQUEST;
	v->stats.conns++;
	return (int)(c - v->conns.c);
}

static void guest_connect(struct vmm_vsock *v, const struct vmm_vsock_hdr *h)
{
	int fd = v->host && v->conns.n < VMM_VSOCK_MAX_CONNS
		     ? vmm_vsock_host_connect(v->host, h->dst_port)
		     : -1;
	struct vmm_vsock_conn *c;

	if (fd < 0) {
		orphan_rst(v, h);
		return;
	}
	c = vmm_vsock_conn_alloc(&v->conns, VMM_VSOCK_ESTABLISHED, h->src_port, h->dst_port, fd);
	v->stats.conns++;
	c->host_readable = true; /* whatever came before the socket was watched */
	if (vmm_vsock_host_watch(v->host, fd, (unsigned)(c - v->conns.c)) != 0 ||
	    !vmm_vsock_conn_peer_update(c, h->buf_alloc, h->fwd_cnt))
		reset_conn(c);
	else
		c->owe = VMM_VSOCK_OWE_RESPONSE;
}

static void guest_data(struct vmm_vsock *v, struct vmm_vsock_conn *c, const struct vmm_vq_chain *ch,
		       uint32_t len)
{
	/* Beyond the space gzvmm advertised: the guest ignored its credit. */
	if (c->state != VMM_VSOCK_ESTABLISHED || c->peer_shut_send ||
	    len > VMM_VSOCK_BUF_ALLOC - c->buf_len) {
		reset_conn(c);
		return;
	}
	for (uint32_t off = 0; off < len;) {
		uint32_t n = len - off < sizeof(v->bounce) ? len - off : sizeof(v->bounce);

		vmm_vq_read(ch, VMM_VSOCK_HDR_SIZE + off, v->bounce, n);
		if (!vmm_vsock_conn_push(c, v->bounce, n)) {
			reset_conn(c);
			return;
		}
		off += n;
	}
	v->stats.tx_bytes += len;
	flush(v, c);
}

static void guest_shutdown(struct vmm_vsock *v, struct vmm_vsock_conn *c, uint32_t flags)
{
	if (c->state != VMM_VSOCK_ESTABLISHED) {
		reset_conn(c);
		return;
	}
	if (flags & VMM_VSOCK_SHUTDOWN_RCV)
		c->peer_shut_rcv = true;
	if (flags & VMM_VSOCK_SHUTDOWN_SEND)
		c->peer_shut_send = true;
	/* The guest closes both ways (its close()), or both sides said they send no more. */
	if ((c->peer_shut_rcv && c->peer_shut_send) || (c->peer_shut_send && c->host_eof))
		close_conn(v, c);
	flush(v, c);
}

static void guest_packet(struct vmm_vsock *v, const struct vmm_vsock_hdr *h,
			 const struct vmm_vq_chain *ch)
{
	struct vmm_vsock_conn *c = vmm_vsock_conn_find(&v->conns, h->src_port, h->dst_port);

	if (h->dst_cid != VMM_VSOCK_CID_HOST) { /* no other peer is reachable */
		if (h->op != VMM_VSOCK_OP_RST)
			orphan_rst(v, h);
		return;
	}
	if (h->op == VMM_VSOCK_OP_RST) { /* the guest forgot it: so does gzvmm, silently */
		if (c) {
			close_fd(c);
			vmm_vsock_conn_free(&v->conns, c);
		}
		return;
	}
	if (h->type != VMM_VSOCK_TYPE_STREAM) { /* the RST ends the guest's socket: ours too */
		if (!c)
			orphan_rst(v, h);
		else if (c->state != VMM_VSOCK_DEAD && c->state != VMM_VSOCK_DRAINING)
			reset_conn(c);
		return;
	}
	if (!c) {
		if (h->op == VMM_VSOCK_OP_REQUEST)
			guest_connect(v, h);
		else
			orphan_rst(v, h);
		return;
	}
	if (c->state == VMM_VSOCK_DEAD ||
	    c->state == VMM_VSOCK_DRAINING) /* its RST is on the way */
		return;
	if (!vmm_vsock_conn_peer_update(c, h->buf_alloc, h->fwd_cnt)) {
		reset_conn(c);
		return;
	}
	switch (h->op) {
	case VMM_VSOCK_OP_RESPONSE:
		if (c->state != VMM_VSOCK_CONNECTING || vmm_vsock_host_say_ok(c) != 0) {
			reset_conn(c);
			break;
		}
		c->state = VMM_VSOCK_ESTABLISHED;
		c->host_readable = true;
		break;
	case VMM_VSOCK_OP_SHUTDOWN:
		guest_shutdown(v, c, h->flags);
		break;
	case VMM_VSOCK_OP_RW:
		guest_data(v, c, ch, h->len);
		break;
	case VMM_VSOCK_OP_CREDIT_UPDATE:
		if (c->state != VMM_VSOCK_ESTABLISHED)
			reset_conn(c);
		break;
	case VMM_VSOCK_OP_CREDIT_REQUEST:
		if (c->state != VMM_VSOCK_ESTABLISHED)
			reset_conn(c);
		else
			c->owe |= VMM_VSOCK_OWE_CREDIT;
		break;
	default: /* a second REQUEST, an unknown op: the connection is broken */
		reset_conn(c);
		break;
	}
}

static int tx_handle(struct vmm_vsock *v, const struct vmm_vq_chain *ch)
{
	struct vmm_vsock_hdr h;

	/* Each packet may owe one RST: wait for the guest to take the ones queued. */
	if (v->rst_n == VMM_VSOCK_RSTQ)
		return VMM_VIRTIO_DEFER;
	if (ch->nread != ch->n || ch->read_len < VMM_VSOCK_HDR_SIZE) {
		v->stats.dropped++;
		return 0;
	}
	vmm_vq_read(ch, 0, &h, sizeof(h));
	/* A length other than the chain's, or a source other than the guest: not answered. */
	if (h.len != ch->read_len - VMM_VSOCK_HDR_SIZE || h.src_cid != v->guest_cid) {
		v->stats.dropped++;
		return 0;
	}
	v->stats.tx_pkts++;
	guest_packet(v, &h, ch);
	return 0;
}

static void fill_hdr(struct vmm_vsock *v, struct vmm_vsock_hdr *h, struct vmm_vsock_conn *c,
		     uint16_t op)
{
	memset(h, 0, sizeof(*h));
	h->src_cid = VMM_VSOCK_CID_HOST;
	h->dst_cid = v->guest_cid;
	h->src_port = c->host_port;
	h->dst_port = c->guest_port;
	h->type = VMM_VSOCK_TYPE_STREAM;
	h->op = op;
	h->buf_alloc = VMM_VSOCK_BUF_ALLOC;
	h->fwd_cnt = c->fwd_cnt;
	c->fwd_sent = c->fwd_cnt;
	c->owe &= ~VMM_VSOCK_OWE_CREDIT; /* every header carries the credit */
}

/* The next control packet c owes, if any. */
static bool owed_packet(struct vmm_vsock *v, struct vmm_vsock_conn *c, struct vmm_vsock_hdr *h)
{
	if (c->owe & VMM_VSOCK_OWE_RST) {
		fill_hdr(v, h, c, VMM_VSOCK_OP_RST);
		c->owe = 0;
		v->stats.rsts_sent++;
		if (c->state == VMM_VSOCK_DEAD)
			vmm_vsock_conn_free(&v->conns, c);
		else
			drain_done(v, c);
	} else if (c->owe & VMM_VSOCK_OWE_REQUEST) {
		fill_hdr(v, h, c, VMM_VSOCK_OP_REQUEST);
		c->owe &= ~VMM_VSOCK_OWE_REQUEST;
	} else if (c->owe & VMM_VSOCK_OWE_RESPONSE) {
		fill_hdr(v, h, c, VMM_VSOCK_OP_RESPONSE);
		c->owe &= ~VMM_VSOCK_OWE_RESPONSE;
	} else if (c->owe & VMM_VSOCK_OWE_SHUTDOWN) {
		fill_hdr(v, h, c, VMM_VSOCK_OP_SHUTDOWN);
		h->flags = VMM_VSOCK_SHUTDOWN_SEND;
		c->owe &= ~VMM_VSOCK_OWE_SHUTDOWN;
	} else if (c->owe & VMM_VSOCK_OWE_CREDIT) {
		fill_hdr(v, h, c, VMM_VSOCK_OP_CREDIT_UPDATE);
	} else {
		return false;
	}
	return true;
}

/* Data from c's host socket, as much as the guest's credit and the buffer take: the payload
 * length, 0 if none now (the state may have changed: look at c again). */
static uint32_t host_data(struct vmm_vsock *v, struct vmm_vsock_conn *c, struct vmm_vsock_hdr *h,
			  const struct vmm_vq_chain *ch)
{
	uint64_t room = ch->write_len - VMM_VSOCK_HDR_SIZE;
	uint32_t want = vmm_vsock_conn_peer_credit(c);
	long n;

	if (c->state != VMM_VSOCK_ESTABLISHED || !c->host_readable || c->host_eof ||
	    c->peer_shut_rcv || want == 0 || room == 0)
		return 0;
	if (want > room)
		want = (uint32_t)room;
	if (want > sizeof(v->bounce))
		want = sizeof(v->bounce);
	n = vmm_vsock_host_read(c, v->bounce, want);
	if (n > 0) {
		fill_hdr(v, h, c, VMM_VSOCK_OP_RW);
		h->len = (uint32_t)n;
		c->tx_cnt += (uint32_t)n;
		v->stats.rx_bytes += (uint64_t)n;
		vmm_vq_write(ch, VMM_VSOCK_HDR_SIZE, v->bounce, (uint64_t)n);
		return (uint32_t)n;
	}
	c->host_readable = false;
	if (n == 0) { /* the host sends no more */
		c->host_eof = true;
		if (c->peer_shut_send)
			close_conn(v, c);
		else
			c->owe |= VMM_VSOCK_OWE_SHUTDOWN;
	} else if (n != -EAGAIN && n != -EINTR) {
		reset_conn(c);
	}
	return 0;
}

bool vmm_vsock_rx_work(struct vmm_vsock *v)
{
	if (v->rst_n)
		return true;
	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++) {
		const struct vmm_vsock_conn *c = &v->conns.c[i];

		if (c->state == VMM_VSOCK_FREE)
			continue;
		if (c->owe ||
		    (c->state == VMM_VSOCK_ESTABLISHED && c->host_readable && !c->host_eof &&
		     !c->peer_shut_rcv && vmm_vsock_conn_peer_credit(c) > 0))
			return true;
	}
	return false;
}

/* The next packet for the guest: 1 (header in h, payload of *len already written), or 0. */
static int next_packet(struct vmm_vsock *v, struct vmm_vsock_hdr *h, uint32_t *len,
		       const struct vmm_vq_chain *ch)
{
	struct vmm_vsock_conns *t = &v->conns;

	*len = 0;
	if (v->rst_n) {
		memset(h, 0, sizeof(*h));
		h->src_cid = v->rstq[v->rst_head].src_cid;
		h->dst_cid = v->guest_cid;
		h->src_port = v->rstq[v->rst_head].src_port;
		h->dst_port = v->rstq[v->rst_head].dst_port;
		h->type = VMM_VSOCK_TYPE_STREAM;
		h->op = VMM_VSOCK_OP_RST;
		v->rst_head = (v->rst_head + 1) % VMM_VSOCK_RSTQ;
		v->rst_n--;
		v->stats.rsts_sent++;
		return 1;
	}
	/* Round robin over the connections, so that one busy stream starves no other. */
	for (unsigned k = 0; k < VMM_VSOCK_MAX_CONNS; k++) {
		unsigned i = (t->next + k) % VMM_VSOCK_MAX_CONNS;
		struct vmm_vsock_conn *c = &t->c[i];

		/* Reading may find EOF or an error, which owes a control packet: look again. */
		for (unsigned tries = 0; tries < 2 && c->state != VMM_VSOCK_FREE; tries++) {
			if (owed_packet(v, c, h) || (*len = host_data(v, c, h, ch)) > 0) {
				t->next = (i + 1) % VMM_VSOCK_MAX_CONNS;
				return 1;
			}
		}
	}
	return 0;
}

static int rx_handle(struct vmm_vsock *v, const struct vmm_vq_chain *ch, uint32_t *written)
{
	struct vmm_vsock_hdr h;
	uint32_t len;

	/* Receive buffers are device-writable only and hold at least a header. */
	if (ch->nread != 0 || ch->write_len < VMM_VSOCK_HDR_SIZE) {
		v->stats.dropped++;
		return 0;
	}
	v->rx_kicked = false;
	if (!next_packet(v, &h, &len, ch))
		return VMM_VIRTIO_DEFER;
	vmm_vq_write(ch, 0, &h, sizeof(h));
	v->stats.rx_pkts++;
	*written = VMM_VSOCK_HDR_SIZE + len;
	return 0;
}

static int vsock_handle(struct vmm_virtio *vd, unsigned q, const struct vmm_vq_chain *c,
			uint32_t *written)
{
	struct vmm_vsock *v = vd->dev;
	int r;

	*written = 0;
	if (q == VMM_VSOCK_RX)
		return rx_handle(v, c, written);
	if (q == VMM_VSOCK_EVENT)
		return VMM_VIRTIO_DEFER;
	r = tx_handle(v, c);
	/* What the guest sent may owe it packets, or opened its credit: the receive queue's
	 * turn comes through the transport's notification. */
	if (vd->notify && !v->rx_kicked && vmm_vsock_rx_work(v)) {
		v->rx_kicked = true;
		vd->notify(vd->cb_ctx, VMM_VSOCK_RX);
	}
	return r;
}

const struct vmm_virtio_dev_ops vmm_vsock_ops = {
    .name = "virtio-vsock",
    .device_id = VIRTIO_ID_VSOCK,
    .nqueues = 3,
    .features = vsock_features,
    .read_config = vsock_config,
    .config_size = 8,
    .handle = vsock_handle,
    .reset = vsock_reset,
};
