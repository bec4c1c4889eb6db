/* chan_vsock: vsock between two guests over a hypervisor channel (include/gzabi/chan_vsock.h,
 * docs/abi.md "vsock over a channel"). Both VMs run it; the channel's device-tree node names
 * the two CIDs and the lower one is the client, the other the server, listening on port 1234.
 * The client connects to port 1235, where nobody listens (RST), then to port 1234 and sends
 * TOTAL bytes of a pattern, never past the server's credit, reading the echo back and checking
 * every byte; then it shuts both directions down, which the server answers with an RST. The
 * server checks every byte it receives and echoes it, within the client's credit, out of a
 * ring of BUF bytes (its buf_alloc: a client keeping to its credit never overflows it), and
 * ends only once the client has received its last packet, which the client comes back for
 * after a pause.
 * Packets for other CIDs or ports, or whose length is not the message's, are counted and
 * dropped. Nothing waits on a send: a full queue leaves the packet owed for the next round,
 * so neither side can block the other. */
#include <gzabi/chan_vsock.h>

#include "common/chan.h"

#define TOTAL	     (256U * 1024U)
#define BUF	     (16U * 1024U) /* each side's buf_alloc */
#define SERVER_PORT  1234U
#define CLOSED_PORT  1235U
#define CLIENT_PORT  40000U
#define DEADLINE_US  120000000ULL /* per step, virtual time */
#define SLOW_READ_US 200000ULL	  /* the client's pause before it reads the RST */

enum { NONE, CONNECTING, ESTABLISHED, CLOSED };

#define OWE_REQUEST  1U
#define OWE_RESPONSE 2U
#define OWE_CREDIT   4U
#define OWE_SHUTDOWN 8U
#define OWE_RST	     16U

union pkt {
	struct gz_chan_vsock_hdr h;
	uint8_t b[GZ_CHAN_MSG_MAX];
};

static struct chan_end end;
static bool server, gone;
static struct {
	unsigned lport, pport;
	unsigned state, owe;
	uint32_t tx_cnt; /* payload bytes sent */
	uint32_t peer_buf_alloc, peer_fwd_cnt;
	uint32_t fwd_cnt, fwd_sent; /* payload bytes consumed here, and the peer's news of it */
	bool peer_shut;
} cn;
/* An RST owed for a REQUEST nobody listens to (its ports, swapped). */
static bool orphan;
static unsigned orphan_lport, orphan_pport, refused;
/* The server's echo ring; both sides' counts of checked bytes. */
static uint8_t ring[BUF];
static uint32_t ring_head, ring_len;
static uint64_t sent, checked, bad, dropped;

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 11));
}

static uint32_t peer_credit(void)
{
	uint32_t in_flight = cn.tx_cnt - cn.peer_fwd_cnt;

	return in_flight >= cn.peer_buf_alloc ? 0 : cn.peer_buf_alloc - in_flight;
}

/* One packet to the peer: true if it went (false: the queue is full, or the peer is gone). */
static bool send_pkt(unsigned lport, unsigned pport, unsigned op, unsigned flags,
		     const uint8_t *data, uint32_t len)
{
	static union pkt p;
	int64_t r;

	p.h.src_cid = end.vsock_cid;
	p.h.dst_cid = end.peer_vsock_cid;
	p.h.src_port = lport;
	p.h.dst_port = pport;
	p.h.len = len;
	p.h.type = GZ_CHAN_VSOCK_TYPE_STREAM;
	p.h.op = (unsigned short)op;
	p.h.flags = flags;
	p.h.buf_alloc = BUF;
	p.h.fwd_cnt = cn.fwd_cnt;
	for (uint32_t i = 0; i < len; i++)
		p.b[GZ_CHAN_VSOCK_HDR_SIZE + i] = data[i];
	r = chan_send(end.id, &p, GZ_CHAN_VSOCK_HDR_SIZE + len, 0);
	if (r == GZ_CHAN_RET_PEER_GONE)
		gone = true;
	if (r != GZ_CHAN_RET_SUCCESS)
		return false;
	if (lport == cn.lport && pport == cn.pport)
		cn.fwd_sent = cn.fwd_cnt; /* every header carries the credit */
	return true;
}

static void rw(const union pkt *p)
{
	uint32_t len = p->h.len;

	if (server && len > BUF - ring_len) { /* past the credit it was given */
		cn.owe |= OWE_RST;
		return;
	}
	for (uint32_t i = 0; i < len; i++) {
		uint8_t c = p->b[GZ_CHAN_VSOCK_HDR_SIZE + i];

		bad += c != pattern(checked + i);
		if (server)
			ring[(ring_head + ring_len + i) % BUF] = c;
	}
	checked += len;
	if (server)
		ring_len += len;
	else
		cn.fwd_cnt += len; /* the client takes what it checked at once */
}

static void handle(const union pkt *p, uint64_t len)
{
	const struct gz_chan_vsock_hdr *h = &p->h;

	if (len < GZ_CHAN_VSOCK_HDR_SIZE || h->len != len - GZ_CHAN_VSOCK_HDR_SIZE ||
	    h->src_cid != end.peer_vsock_cid || h->dst_cid != end.vsock_cid ||
	    h->type != GZ_CHAN_VSOCK_TYPE_STREAM) {
		dropped++;
		return;
	}
	if (server && h->op == GZ_CHAN_VSOCK_OP_REQUEST && cn.state == NONE &&
	    h->dst_port == SERVER_PORT) {
		cn.lport = h->dst_port;
		cn.pport = h->src_port;
		cn.state = ESTABLISHED;
		cn.owe = OWE_RESPONSE;
		cn.peer_buf_alloc = h->buf_alloc;
		cn.peer_fwd_cnt = h->fwd_cnt;
		return;
	}
	if (h->dst_port != cn.lport || h->src_port != cn.pport || cn.state == NONE ||
	    cn.state == CLOSED) {
		if (h->op == GZ_CHAN_VSOCK_OP_REQUEST && !orphan) {
			orphan = true; /* no listener there: refused */
			orphan_lport = h->dst_port;
			orphan_pport = h->src_port;
			refused++;
		} else {
			dropped++;
		}
		return;
	}
	cn.peer_buf_alloc = h->buf_alloc;
	cn.peer_fwd_cnt = h->fwd_cnt;
	switch (h->op) {
	case GZ_CHAN_VSOCK_OP_RESPONSE:
		if (cn.state == CONNECTING)
			cn.state = ESTABLISHED;
		break;
	case GZ_CHAN_VSOCK_OP_RST:
		cn.state = CLOSED;
		cn.owe = 0;
		break;
	case GZ_CHAN_VSOCK_OP_RW:
		if (cn.state == ESTABLISHED)
			rw(p);
		break;
	case GZ_CHAN_VSOCK_OP_SHUTDOWN:
		cn.peer_shut = true;
		break;
	case GZ_CHAN_VSOCK_OP_CREDIT_REQUEST:
		cn.owe |= OWE_CREDIT;
		break;
	default: /* CREDIT_UPDATE: the header said it all */
		break;
	}
}

/* Owed control packets first, then data as the credit allows. True if anything went. */
static bool send_some(void)
{
	bool went = false;

	if (orphan && send_pkt(orphan_lport, orphan_pport, GZ_CHAN_VSOCK_OP_RST, 0, 0, 0))
		orphan = false, went = true;
	/* The server closes once the client shut down and its echo is all out. */
	if (server && cn.state == ESTABLISHED && cn.peer_shut && ring_len == 0)
		cn.owe |= OWE_RST;
	if (cn.fwd_cnt - cn.fwd_sent >= BUF / 4)
		cn.owe |= OWE_CREDIT;
	static const struct {
		unsigned bit, op, flags;
	} ctl[] = {
	    {OWE_RST, GZ_CHAN_VSOCK_OP_RST, 0},
	    {OWE_REQUEST, GZ_CHAN_VSOCK_OP_REQUEST, 0},
	    {OWE_RESPONSE, GZ_CHAN_VSOCK_OP_RESPONSE, 0},
	    {OWE_SHUTDOWN, GZ_CHAN_VSOCK_OP_SHUTDOWN,
	     GZ_CHAN_VSOCK_SHUTDOWN_RCV | GZ_CHAN_VSOCK_SHUTDOWN_SEND},
	    {OWE_CREDIT, GZ_CHAN_VSOCK_OP_CREDIT_UPDATE, 0},
	};
	for (unsigned i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
		if (!(cn.owe & ctl[i].bit))
			continue;
		if (!send_pkt(cn.lport, cn.pport, ctl[i].op, ctl[i].flags, 0, 0))
			return went;
		cn.owe &= ~ctl[i].bit;
		went = true;
		if (ctl[i].bit == OWE_RST) {
			cn.state = CLOSED;
			cn.owe = 0;
			return true;
		}
	}
	while (cn.state == ESTABLISHED && !gone) {
		static uint8_t chunk[GZ_CHAN_VSOCK_PAYLOAD_MAX];
		uint32_t n = peer_credit(), avail;

		if (server) {
			avail = BUF - ring_head < ring_len ? BUF - ring_head : ring_len;
		} else {
			avail = cn.owe & OWE_SHUTDOWN ? 0 : (uint32_t)(TOTAL - sent);
			for (uint32_t i = 0; i < GZ_CHAN_VSOCK_PAYLOAD_MAX && i < avail; i++)
				chunk[i] = pattern(sent + i);
		}
		n = n < avail ? n : avail;
		n = n < GZ_CHAN_VSOCK_PAYLOAD_MAX ? n : GZ_CHAN_VSOCK_PAYLOAD_MAX;
		if (n == 0 || !send_pkt(cn.lport, cn.pport, GZ_CHAN_VSOCK_OP_RW, 0,
					server ? ring + ring_head : chunk, n))
			break;
		cn.tx_cnt += n;
		went = true;
		if (server) {
			ring_head = (ring_head + n) % BUF;
			ring_len -= n;
			cn.fwd_cnt += n; /* space free again in the ring */
		} else {
			sent += n;
		}
	}
	return went;
}

/* One round: every message queued, then what can be sent. True if anything moved. */
static bool pump(void)
{
	static union pkt p;
	bool moved = false;

	for (;;) {
		uint64_t len = 0;
		int64_t r = chan_recv(end.id, &p, sizeof(p), &len);

		if (r == GZ_CHAN_RET_EMPTY)
			break;
		if (r != GZ_CHAN_RET_SUCCESS) {
			gone = true;
			return false;
		}
		handle(&p, len);
		moved = true;
	}
	return send_some() || moved;
}

/* Pumps until @done says so, the peer is gone or the deadline passed; true if done. */
static bool run_until(bool (*done)(void))
{
	uint64_t deadline = chan_now() + chan_us(DEADLINE_US);

	while (!done() && !gone && chan_now() < deadline) {
		unsigned seen = chan_doorbells;

		if (!pump())
			chan_wait(seen, chan_now() + chan_us(2000));
	}
	return done();
}

static bool not_connecting(void)
{
	return cn.state != CONNECTING;
}

static bool all_echoed(void)
{
	return checked == TOTAL || cn.state != ESTABLISHED;
}

static bool shutdown_sent(void)
{
	return !(cn.owe & OWE_SHUTDOWN) || cn.state != ESTABLISHED;
}

static bool closed(void)
{
	return cn.state == CLOSED;
}

static bool served(void)
{
	return cn.state == CLOSED && !orphan;
}

static void connect(unsigned lport, unsigned pport)
{
	cn.lport = lport;
	cn.pport = pport;
	cn.state = CONNECTING;
	cn.owe = OWE_REQUEST;
	cn.tx_cnt = cn.peer_fwd_cnt = cn.peer_buf_alloc = 0;
	cn.fwd_cnt = cn.fwd_sent = 0;
	run_until(not_connecting);
}

static void client(void)
{
	connect(CLIENT_PORT + 1, CLOSED_PORT);
	printf_("client: connect to cid %u port %u: %s\n", end.peer_vsock_cid, CLOSED_PORT,
		cn.state == CLOSED ? "RST" : "no RST");
	connect(CLIENT_PORT, SERVER_PORT);
	printf_("client: connect to cid %u port %u: %s\n", end.peer_vsock_cid, SERVER_PORT,
		cn.state == ESTABLISHED ? "established" : "failed");
	run_until(all_echoed);
	printf_("client: %lu bytes sent, %lu echoed back, pattern %s\n", sent, checked,
		bad ? "BAD" : "ok");
	cn.owe |= OWE_SHUTDOWN;
	run_until(shutdown_sent);
	/* A reader slow to come back for the server's answer, as a client whose thread a loaded
	 * host holds back: the server must not end before the RST is read (its linger). In the
	 * simulator the server's last lines and power-off take 100-200 ms of guest time while
	 * the two share the execution turn: without the linger, every run with this pause lost
	 * the RST, none with half of it. */
	for (uint64_t until = chan_now() + chan_us(SLOW_READ_US); chan_now() < until;)
		;
	run_until(closed);
	printf_("client: shut down both ways, the server answered %s\n",
		cn.state == CLOSED ? "RST" : "nothing");
}

/* Until the client has received every message sent here (or it is gone, or the deadline
 * passed): a VM's channel queues go with it, and the client reads the RST only once its vCPU
 * runs again, so a server that powered off right after sending it took it along whenever
 * the host kept the client's thread from running meanwhile (sim_chan_vsock: "the server
 * answered nothing", "peer gone" with a wake-up 20 ms late). Nothing is read: the
 * transcript's counts are final. A busy wait: once the client has powered off (its VM stays
 * until this one ends), no other vCPU moves the simulator's instruction clock, and a WFI
 * for a timer would never end. */
static void linger(void)
{
	uint64_t deadline = chan_now() + chan_us(DEADLINE_US), rx, free_slots, limits;

	while (chan_state(end.id, &rx, &free_slots, &limits) == GZ_CHAN_RET_SUCCESS &&
	       free_slots < limits >> 16 && chan_now() < deadline)
		for (uint64_t until = chan_now() + chan_us(100); chan_now() < until;)
			;
}

static void serve(void)
{
	run_until(served);
	linger();
	printf_("server: %u request(s) for a port nobody listens on, answered RST\n", refused);
	printf_("server: connection from cid %u port %u to port %u\n", end.peer_vsock_cid, cn.pport,
		cn.lport);
	printf_("server: %lu bytes checked and echoed, pattern %s\n", checked, bad ? "BAD" : "ok");
	printf_("server: the client shut down: %s\n", cn.peer_shut ? "RST sent" : "no");
}

void guest_main(unsigned cpu)
{
	(void)cpu;
	if (!chan_find((const void *)guest_boot_x0, 0, &end) || !end.vsock_cid) {
		puts_("chan_vsock: no channel with vsock CIDs in the device tree\n");
		return;
	}
	chan_doorbell_enable(&end);
	server = end.vsock_cid > end.peer_vsock_cid;
	printf_("chan_vsock: channel %u, cid %u, peer cid %u: the %s\n", end.id, end.vsock_cid,
		end.peer_vsock_cid, server ? "server" : "client");
	if (server)
		serve();
	else
		client();
	printf_("chan_vsock: %lu dropped, peer %s\n", dropped, gone ? "gone" : "there");
}
