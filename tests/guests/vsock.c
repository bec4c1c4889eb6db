/* vsock: a minimal virtio-vsock driver (polling, one stream at a time) against gzvmm's device
 * and a host echo program (tests/tools/vsock_echo.c). The host connects to port 1234 and
 * sends a 4-byte length N, then N bytes of a pattern: the guest checks every byte and echoes
 * it. Then the guest connects to the host's port 5000, sends N bytes of the pattern and
 * checks the echo. Both streams respect the peer's credit and give their own. Then the
 * refusals: a port nobody listens on and a packet of an unknown operation are answered RST.
 * Lines starting "time:" carry figures of the run (the tests leave them out). */
#include "common/guest.h"
#define VQ_SIZE 16U
#include "common/virtio.h"

#define QSZ	 VQ_SIZE
#define HDR	 44
#define RXBUF	 (HDR + 16384)
#define TXMAX	 16384
#define HOST_CID 2
#define ECHO_CAP (64 * 1024) /* the guest's receive buffer: what it advertises */

#define OP_REQUEST  1
#define OP_RESPONSE 2
#define OP_RST	    3
#define OP_SHUTDOWN 4
#define OP_RW	    5
#define OP_CREDIT   6

struct hdr {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port, len;
	uint16_t type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
} __attribute__((packed));

/* One stream: credit both ways, and the echo ring (received, not yet sent back). */
struct conn {
	uint32_t lport, pport;
	int state; /* 0 closed, 1 connecting, 2 established, 3 reset */
	bool peer_eof;
	uint32_t peer_buf_alloc, peer_fwd_cnt, tx_cnt;
	uint32_t fwd_cnt, fwd_sent; /* bytes taken out of the receive buffer */
	uint64_t received, checked, sent;
	bool echo, bad;
	uint8_t ring[ECHO_CAP];
	uint32_t rhead, rlen;
};

static struct vq rxq __attribute__((aligned(4096)));
static struct vq txq __attribute__((aligned(4096)));
static struct vq evq __attribute__((aligned(4096)));
static uint8_t rxbuf[QSZ][RXBUF] __attribute__((aligned(64)));
static uint8_t txbuf[QSZ][HDR + TXMAX] __attribute__((aligned(64)));
static uint8_t evbuf[8];
static uint64_t base, cid;
static unsigned tx_inflight;
static uint16_t tx_next;
static struct conn cn;
static uint32_t rst_seen_port; /* local port of the last RST for no connection of ours */

static void mb(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

static uint64_t now_us(void)
{
	return read_sysreg(cntvct_el0) / (read_sysreg(cntfrq_el0) / 1000000);
}

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 11));
}

static void post(struct vq *v, uint16_t i, void *p, uint32_t len, uint16_t flags)
{
	v->d[i].addr = (uint64_t)p;
	v->d[i].len = len;
	v->d[i].flags = flags;
	v->avail.ring[v->avail.idx % QSZ] = i;
	mb();
	v->avail.idx++;
}

static void notify(struct vq *v)
{
	mb();
	w32(base + R_QUEUE_NOTIFY, v->q);
}

static void reclaim_tx(void)
{
	mb();
	while (txq.last_used != *(volatile uint16_t *)&txq.used.idx) {
		txq.last_used++;
		tx_inflight--;
	}
}

/* Sends a packet of conn c (NULL: ports given) with len bytes of payload at txbuf[slot]. */
static void send_pkt(uint32_t lport, uint32_t pport, uint16_t op, uint32_t flags, const void *data,
		     uint32_t len)
{
	struct hdr *h;
	uint8_t *p;

	while (tx_inflight == QSZ)
		reclaim_tx();
	p = txbuf[tx_next];
	h = (struct hdr *)p;
	h->src_cid = cid;
	h->dst_cid = HOST_CID;
	h->src_port = lport;
	h->dst_port = pport;
	h->len = len;
	h->type = 1;
	h->op = op;
	h->flags = flags;
	h->buf_alloc = ECHO_CAP;
	h->fwd_cnt = cn.fwd_cnt;
	if (lport == cn.lport)
		cn.fwd_sent = cn.fwd_cnt;
	for (uint32_t i = 0; i < len; i++)
		p[HDR + i] = ((const uint8_t *)data)[i];
	post(&txq, tx_next, p, HDR + len, 0);
	tx_next = (tx_next + 1) % QSZ;
	tx_inflight++;
	notify(&txq);
}

static void on_packet(const struct hdr *h, const uint8_t *data)
{
	if (h->dst_cid != cid || h->src_cid != HOST_CID) {
		printf_("vsock: packet for cid %lu from %lu\n", h->dst_cid, h->src_cid);
		return;
	}
	if (cn.state == 0 || h->dst_port != cn.lport || h->src_port != cn.pport) {
		if (h->op == OP_RST) {
			rst_seen_port = h->dst_port;
		} else if (h->op == OP_REQUEST && cn.state == 0 && h->dst_port == 1234) {
			cn.pport = h->src_port;
			cn.lport = h->dst_port;
			cn.state = 2;
			cn.peer_buf_alloc = h->buf_alloc;
			cn.peer_fwd_cnt = h->fwd_cnt;
			send_pkt(cn.lport, cn.pport, OP_RESPONSE, 0, 0, 0);
		} else {
			send_pkt(h->dst_port, h->src_port, OP_RST, 0, 0, 0);
		}
		return;
	}
	cn.peer_buf_alloc = h->buf_alloc;
	cn.peer_fwd_cnt = h->fwd_cnt;
	switch (h->op) {
	case OP_RESPONSE:
		if (cn.state == 1)
			cn.state = 2;
		break;
	case OP_RST:
		cn.state = 3;
		break;
	case OP_SHUTDOWN:
		if (h->flags & 2)
			cn.peer_eof = true;
		break;
	case OP_RW:
		for (uint32_t i = 0; i < h->len; i++, cn.received++) {
			uint8_t b = data[i];

			if (cn.echo && cn.received < 4) { /* the length prefix */
				cn.sent |= (uint64_t)b << (8 * cn.received);
				cn.fwd_cnt++;
				continue;
			}
			if (b != pattern(cn.checked))
				cn.bad = true;
			cn.checked++;
			if (!cn.echo) {
				cn.fwd_cnt++;
				continue;
			}
			if (cn.rlen == ECHO_CAP) { /* the host sent past its credit */
				cn.bad = true;
				continue;
			}
			cn.ring[(cn.rhead + cn.rlen) % ECHO_CAP] = b;
			cn.rlen++;
		}
		break;
	default:
		break;
	}
}

/* Takes what the device put on the receive queue and gives the buffers back. */
static void poll_rx(void)
{
	bool any = false;

	mb();
	while (rxq.last_used != *(volatile uint16_t *)&rxq.used.idx) {
		uint16_t id = (uint16_t)rxq.used.ring[rxq.last_used % QSZ].id;
		uint32_t len = rxq.used.ring[rxq.last_used % QSZ].len;
		const struct hdr *h = (const struct hdr *)rxbuf[id];

		rxq.last_used++;
		if (len >= HDR && h->len <= len - HDR)
			on_packet(h, rxbuf[id] + HDR);
		post(&rxq, id, rxbuf[id], RXBUF, F_WRITE);
		any = true;
	}
	if (any)
		notify(&rxq);
	reclaim_tx();
}

static uint32_t peer_credit(void)
{
	uint32_t in_flight = cn.tx_cnt - cn.peer_fwd_cnt;

	return in_flight >= cn.peer_buf_alloc ? 0 : cn.peer_buf_alloc - in_flight;
}

/* Sends up to len bytes of stream data as credit allows: the bytes sent. */
static uint32_t send_data(const uint8_t *src, uint32_t len)
{
	uint32_t n = peer_credit();

	if (n > len)
		n = len;
	if (n > TXMAX)
		n = TXMAX;
	if (n)
		send_pkt(cn.lport, cn.pport, OP_RW, 0, src, n);
	cn.tx_cnt += n;
	return n;
}

static void give_credit(void)
{
	if (cn.state == 2 && cn.fwd_cnt - cn.fwd_sent >= ECHO_CAP / 4)
		send_pkt(cn.lport, cn.pport, OP_CREDIT, 0, 0, 0);
}

static bool timed_out(uint64_t start)
{
	return now_us() - start > 120ULL * 1000 * 1000;
}

/* Closes both ways and waits for the host's RST. */
static void close_conn(const char *what)
{
	uint64_t t = now_us();

	send_pkt(cn.lport, cn.pport, OP_SHUTDOWN, 3, 0, 0);
	while (cn.state == 2 && !timed_out(t))
		poll_rx();
	printf_("%s: closed, %s\n", what, cn.state == 3 ? "the host answered RST" : "no RST");
	cn.state = 0;
}

static void host_initiated(void)
{
	static uint8_t chunk[TXMAX];
	uint64_t t0 = now_us(), t1 = 0;

	cn.echo = true;
	while (cn.state != 2 && !timed_out(t0))
		poll_rx();
	if (cn.state != 2) {
		puts_("host-initiated: no connection request\n");
		return;
	}
	printf_("host-initiated: request from host port >= 2^30: %s, to port %u\n",
		cn.pport >= (1U << 30) ? "yes" : "no", cn.lport);
	t0 = now_us();
	/* Echo until the length prefix arrived and that many bytes went back. */
	while (!timed_out(t0) && cn.state == 2 && (cn.received < 4 || cn.fwd_cnt < 4 + cn.sent)) {
		uint32_t n = 0;

		poll_rx();
		while (n < cn.rlen && n < TXMAX) {
			chunk[n] = cn.ring[(cn.rhead + n) % ECHO_CAP];
			n++;
		}
		n = send_data(chunk, n);
		cn.rhead = (cn.rhead + n) % ECHO_CAP;
		cn.rlen -= n;
		cn.fwd_cnt += n;
		give_credit();
	}
	t1 = now_us();
	printf_("host-initiated: %lu bytes announced, %lu checked and echoed, pattern %s\n",
		cn.sent, cn.checked, cn.bad ? "BROKEN" : "ok");
	printf_("time: host-initiated echo of %lu bytes in %lu us\n", cn.sent, t1 - t0);
	while (!cn.peer_eof && cn.state == 2 && !timed_out(t0))
		poll_rx();
	printf_("host-initiated: the host shut down its side: %s\n", cn.peer_eof ? "yes" : "no");
	close_conn("host-initiated");
}

static void guest_initiated(uint64_t total)
{
	static uint8_t chunk[TXMAX];
	uint64_t t0;

	/* A fresh stream (field by field: no memset in this runtime; the ring is empty). */
	cn.lport = 40000;
	cn.pport = 5000;
	cn.state = 1;
	cn.peer_eof = cn.echo = cn.bad = false;
	cn.peer_buf_alloc = cn.peer_fwd_cnt = cn.tx_cnt = cn.fwd_cnt = cn.fwd_sent = 0;
	cn.received = cn.checked = cn.sent = 0;
	cn.rhead = cn.rlen = 0;
	send_pkt(cn.lport, cn.pport, OP_REQUEST, 0, 0, 0);
	t0 = now_us();
	while (cn.state == 1 && !timed_out(t0))
		poll_rx();
	printf_("guest-initiated: connect to host port 5000: %s\n",
		cn.state == 2 ? "established" : "failed");
	if (cn.state != 2)
		return;
	t0 = now_us();
	while (!timed_out(t0) && cn.state == 2 && cn.checked < total) {
		uint32_t n = 0;

		poll_rx();
		while (cn.sent + n < total && n < TXMAX) {
			chunk[n] = pattern(cn.sent + n);
			n++;
		}
		cn.sent += send_data(chunk, n);
		give_credit();
	}
	printf_("guest-initiated: %lu bytes sent, %lu echoed back, pattern %s\n", cn.sent,
		cn.checked, cn.bad ? "BROKEN" : "ok");
	printf_("time: guest-initiated echo of %lu bytes in %lu us\n", cn.sent, now_us() - t0);
	close_conn("guest-initiated");
}

/* A port nobody listens on, and an operation the device does not know: both RST. */
static void refusals(void)
{
	uint64_t t0 = now_us();

	rst_seen_port = 0;
	send_pkt(40001, 5001, OP_REQUEST, 0, 0, 0);
	while (rst_seen_port != 40001 && !timed_out(t0))
		poll_rx();
	printf_("refused: connect to host port 5001: %s\n",
		rst_seen_port == 40001 ? "RST" : "no answer");
	rst_seen_port = 0;
	send_pkt(40002, 5000, 99, 0, 0, 0);
	while (rst_seen_port != 40002 && !timed_out(t0))
		poll_rx();
	printf_("refused: operation 99 to host port 5000: %s\n",
		rst_seen_port == 40002 ? "RST" : "no answer");
}

void guest_main(unsigned cpu)
{
	(void)cpu;
	for (unsigned i = 0; i < 32 && !base; i++) {
		uint64_t b = VIRTIO_BASE + i * VIRTIO_STRIDE;

		if (r32(b + R_MAGIC) == 0x74726976 && r32(b + R_DEVICE_ID) == 19)
			base = b;
	}
	if (!base) {
		puts_("vsock: no virtio-vsock device\n");
		return;
	}
	virtio_begin(base);
	if (!virtio_features_ok(base, 0)) {
		puts_("vsock: features refused\n");
		return;
	}
	vq_init(&rxq, base, 0);
	vq_init(&txq, base, 1);
	vq_init(&evq, base, 2);
	w32(base + R_STATUS, 0xf);
	cid = r64(base + R_CONFIG);
	printf_("vsock: device found, guest cid %lu\n", cid);
	for (uint16_t i = 0; i < QSZ; i++)
		post(&rxq, i, rxbuf[i], RXBUF, F_WRITE);
	post(&evq, 0, evbuf, sizeof(evbuf), F_WRITE);
	notify(&rxq);
	notify(&evq);
	host_initiated();
	guest_initiated(cn.sent);
	refusals();
	puts_("vsock done\n");
}
