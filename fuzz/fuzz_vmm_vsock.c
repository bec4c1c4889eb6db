/* Fuzz target: gzvmm's virtio-vsock (src/vmm/virtio_vsock.c, vsock_conn.c, vsock_host.c) with
 * a hostile guest and a host of real AF_UNIX sockets. The input is a program of steps: guest
 * packets with fuzzed headers (ports, op, type, CIDs, flags, credit fields, lengths, the
 * header and payload split over descriptors, writable buffers), receive buffers of fuzzed
 * sizes and flags, host connections (CONNECT lines, good and bad), host writes, reads, closes
 * and half-closes, driver resets. Invariants: the table's count matches its entries, every
 * entry's buffer equals what it took minus what it passed on (never over its size), a dead
 * entry holds no socket, gzvmm never sends the guest past its credit, every packet it sends
 * is well-formed and addressed to the guest, every byte arrives in order at either end (both
 * sides write a pattern by stream offset), the device never needs a reset from packet
 * contents, and after the input every connection and socket is gone (no fd leaked). */
/* fuzz-libs: gzvmm_lib */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness/input.h"
#include "vsock.h"

#define RAM_BASE 0x40000000ULL
#define RAM	 (1ULL << 20)
#define QN	 16U
#define Q(q)	 (RAM_BASE + (q)*0x4000ULL) /* desc; avail +0x1000; used +0x2000 */
#define TXBUF	 (RAM_BASE + 0x10000)
#define RXBUF	 (RAM_BASE + 0x40000) /* QN buffers of 0x8000 */
#define CID	 3U
#define STEPS	 48U
#define MAXSOCK	 24U
#define MAXPAIR	 16U

struct hsock {
	int fd;
	uint64_t rd, wr; /* stream offsets read and written */
	bool await_ok;	 /* host-initiated: the OK line comes first */
	char line[24];
	unsigned llen;
};

struct pair {
	uint32_t gp, hp;
	uint64_t gsent, grecv; /* the guest's stream offsets on these ports */
};

static uint8_t *ram;
static struct vmm_mem mem;
static struct vmm_virtio vd;
static struct vmm_vsock v;
static struct vmm_vsock_host host;
static char dir[] = "/tmp/fuzzvsock-XXXXXX", path[64], lpath[80];
static int lfd = -1;
static struct hsock hs[MAXSOCK];
static struct pair pairs[MAXPAIR];
static unsigned npairs;
static uint16_t avail[3], used_seen[3];
static uint32_t rx_len[QN]; /* the sizes the receive buffers were offered with */
static bool rx_ok[QN];

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 11));
}

static uint8_t *g(uint64_t gpa)
{
	return ram + (gpa - RAM_BASE);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void w32(uint64_t off, uint32_t val)
{
	vmm_virtio_mmio_write(&vd, off, 4, val);
}

static void driver_up(void)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	w32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	w32(VIRTIO_MMIO_STATUS, 0xb);
	memset(ram, 0, 0xc000);
	for (unsigned q = 0; q < 3; q++) {
		w32(VIRTIO_MMIO_QUEUE_SEL, q);
		w32(VIRTIO_MMIO_QUEUE_NUM, QN);
		w32(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)Q(q));
		w32(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(Q(q) + 0x1000));
		w32(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(Q(q) + 0x2000));
		w32(VIRTIO_MMIO_QUEUE_READY, 1);
		avail[q] = used_seen[q] = 0;
	}
	w32(VIRTIO_MMIO_STATUS, 0xf);
	for (unsigned i = 0; i < npairs; i++)
		pairs[i].gsent = pairs[i].grecv = 0;
}

static void put_desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *p = g(Q(q) + 16ULL * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static void publish(unsigned q, uint16_t head)
{
	uint8_t *av = g(Q(q) + 0x1000);

	memcpy(av + 4 + 2 * (avail[q] % QN), &head, 2);
	avail[q]++;
	memcpy(av + 2, &avail[q], 2);
}

static struct pair *pair_of(uint32_t gp, uint32_t hp, bool add)
{
	for (unsigned i = 0; i < npairs; i++)
		if (pairs[i].gp == gp && pairs[i].hp == hp)
			return &pairs[i];
	if (!add || npairs == MAXPAIR)
		return NULL;
	pairs[npairs] = (struct pair){.gp = gp, .hp = hp, .gsent = 0, .grecv = 0};
	return &pairs[npairs++];
}

static void check_table(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++) {
		const struct vmm_vsock_conn *c = &v.conns.c[i];

		if (c->state == VMM_VSOCK_FREE)
			continue;
		n++;
		if (c->state > VMM_VSOCK_DEAD || c->buf_len > VMM_VSOCK_BUF_ALLOC ||
		    c->rx_cnt - c->fwd_cnt != c->buf_len ||
		    (c->state == VMM_VSOCK_DEAD && c->fd >= 0) ||
		    vmm_vsock_conn_peer_credit(c) > c->peer_buf_alloc)
			abort();
	}
	if (n != v.conns.n || v.rst_n > VMM_VSOCK_RSTQ || vmm_virtio_needs_reset(&vd))
		abort();
}

/* A guest packet on a pair, from the input: mostly well-formed, sometimes not. */
static void guest_tx(void)
{
	static const uint16_t ops[] = {1, 2, 3, 4, 5, 6, 7, 5, 5, 0, 9};
	struct pair *p = &pairs[take(1) % npairs];
	unsigned shape = (unsigned)take(1);
	struct vmm_vsock_hdr h = {.src_cid = CID,
				  .dst_cid = VMM_VSOCK_CID_HOST,
				  .src_port = p->gp,
				  .dst_port = p->hp,
				  .type = VMM_VSOCK_TYPE_STREAM,
				  .op = ops[take(1) % (sizeof(ops) / sizeof(ops[0]))],
				  .flags = (uint32_t)take(1) & 3,
				  .buf_alloc = 65536,
				  .fwd_cnt = (uint32_t)p->grecv};
	uint32_t len = h.op == VMM_VSOCK_OP_RW ? (uint32_t)take(2) % 20000 : 0;
	bool good = true;
	const struct vmm_vsock_conn *c = vmm_vsock_conn_find(&v.conns, p->gp, p->hp);
	uint32_t hsplit = 1 + (uint32_t)take(1) % 43;
	uint64_t gsent = p->gsent, grecv = p->grecv;
	uint16_t idx;

	if (shape & 1)
		h.buf_alloc = (uint32_t)take(4);
	if (shape & 2)
		h.fwd_cnt = (uint32_t)take(4);
	if (shape & 4) { /* a broken header: its length, CIDs or type */
		good = false;
		h.len = (uint32_t)take(4);
		h.src_cid = take(1) & 1 ? CID : take(8);
		h.dst_cid = take(1) & 1 ? VMM_VSOCK_CID_HOST : take(8);
		h.type = (uint16_t)take(2);
	} else {
		h.len = len;
	}
	memcpy(g(TXBUF), &h, sizeof(h));
	for (uint32_t i = 0; i < len; i++)
		g(TXBUF + 0x100)[i] = pattern(p->gsent + i);
	/* The header over one or two descriptors, the payload over one or two. */
	struct {
		uint64_t a;
		uint32_t l;
		uint16_t f;
	} d[4];
	unsigned nd = 0;

	if (shape & 8) {
		d[nd++] = (typeof(d[0])){TXBUF, hsplit, 0};
		d[nd++] = (typeof(d[0])){TXBUF + hsplit, VMM_VSOCK_HDR_SIZE - hsplit, 0};
	} else {
		d[nd++] = (typeof(d[0])){TXBUF, VMM_VSOCK_HDR_SIZE, 0};
	}
	if (len) {
		uint32_t half = shape & 16 ? (len + 1) / 2 : len;  /* no empty buffer */
		uint16_t fl = shape & 32 ? VRING_DESC_F_WRITE : 0; /* a writable one: dropped */

		good = good && !fl;
		d[nd++] = (typeof(d[0])){TXBUF + 0x100, half, fl};
		if (half < len)
			d[nd++] = (typeof(d[0])){TXBUF + 0x100 + half, len - half, fl};
	}
	for (unsigned i = 0; i < nd; i++)
		put_desc(1, i, d[i].a, d[i].l,
			 (uint16_t)(d[i].f | (i + 1 < nd ? VRING_DESC_F_NEXT : 0)),
			 (uint16_t)(i + 1));
	/* The stream offsets start over where a connection starts. */
	if (good && h.op == VMM_VSOCK_OP_REQUEST && !c)
		p->gsent = p->grecv = 0;
	if (good && h.op == VMM_VSOCK_OP_RESPONSE && c && c->state == VMM_VSOCK_CONNECTING)
		p->gsent = 0;
	if (good && h.op == VMM_VSOCK_OP_RW)
		p->gsent += len;
	publish(1, 0);
	vmm_virtio_process(&vd, VMM_VSOCK_TX);
	memcpy(&idx, g(Q(1) + 0x2000 + 2), 2);
	if (idx == used_seen[1]) { /* the queue waits (RSTs owed): the packet goes back */
		avail[1] = idx;
		memcpy(g(Q(1) + 0x1000 + 2), &avail[1], 2);
		vd.vq[1].last_avail = idx;
		p->gsent = gsent;
		p->grecv = grecv;
	}
	used_seen[1] = idx;
}

/* What the guest got: well-formed, for it, within its credit, in stream order. */
static void check_rx_packet(unsigned id, uint32_t used)
{
	struct vmm_vsock_hdr h;
	struct pair *p;

	if (!rx_ok[id]) {
		if (used != 0)
			abort();
		return;
	}
	memcpy(&h, g(RXBUF + 0x8000ULL * id), sizeof(h));
	if (used != VMM_VSOCK_HDR_SIZE + h.len || used > rx_len[id] ||
	    h.len > VMM_VSOCK_MAX_PAYLOAD || h.dst_cid != CID || h.type != VMM_VSOCK_TYPE_STREAM ||
	    (h.op != VMM_VSOCK_OP_RW && h.len))
		abort();
	if (h.src_cid != VMM_VSOCK_CID_HOST) /* an RST from where a packet went astray */
		return;
	p = pair_of(h.dst_port, h.src_port, h.op == VMM_VSOCK_OP_REQUEST);
	if (!p)
		return;
	if (h.op == VMM_VSOCK_OP_REQUEST || h.op == VMM_VSOCK_OP_RESPONSE ||
	    h.op == VMM_VSOCK_OP_RST) {
		p->grecv = 0;
		if (h.op == VMM_VSOCK_OP_REQUEST)
			p->gsent = 0;
		return;
	}
	if (h.op != VMM_VSOCK_OP_RW)
		return;
	for (uint32_t i = 0; i < h.len; i++)
		if (g(RXBUF + 0x8000ULL * id + VMM_VSOCK_HDR_SIZE)[i] != pattern(p->grecv + i))
			abort();
	p->grecv += h.len;
}

static void guest_rx(void)
{
	unsigned k = 1 + (unsigned)take(1) % 4;
	uint32_t before[VMM_VSOCK_MAX_CONNS];
	uint16_t idx;

	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++)
		before[i] = v.conns.c[i].tx_cnt;
	for (unsigned i = 0; i < k; i++) {
		unsigned id = (avail[0]) % QN;
		unsigned kind = (unsigned)take(1);

		rx_len[id] = kind & 1 ? (uint32_t)take(2) % 0x8000 : 0x8000;
		if (rx_len[id] == 0)
			rx_len[id] = 1;
		rx_ok[id] = !(kind & 2) && rx_len[id] >= VMM_VSOCK_HDR_SIZE;
		put_desc(0, id, RXBUF + 0x8000ULL * id, rx_len[id],
			 kind & 2 ? 0 : VRING_DESC_F_WRITE, 0);
		publish(0, (uint16_t)id);
	}
	vmm_virtio_process(&vd, VMM_VSOCK_RX);
	memcpy(&idx, g(Q(0) + 0x2000 + 2), 2);
	for (; used_seen[0] != idx; used_seen[0]++) {
		uint8_t *e = g(Q(0) + 0x2000 + 4 + 8ULL * (used_seen[0] % QN));
		uint32_t id, len;

		memcpy(&id, e, 4);
		memcpy(&len, e + 4, 4);
		if (id >= QN)
			abort();
		check_rx_packet(id, len);
	}
	/* Buffers still on the ring go back to the driver for the next step. */
	avail[0] = used_seen[0];
	memcpy(g(Q(0) + 0x1000 + 2), &avail[0], 2);
	vd.vq[0].last_avail = avail[0];
	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++) {
		const struct vmm_vsock_conn *c = &v.conns.c[i];

		if (c->state != VMM_VSOCK_FREE && c->tx_cnt != before[i] &&
		    c->tx_cnt - c->peer_fwd_cnt > c->peer_buf_alloc)
			abort();
	}
}

static struct hsock *new_sock(int fd, bool await_ok)
{
	for (unsigned i = 0; i < MAXSOCK; i++)
		if (hs[i].fd < 0) {
			hs[i] = (struct hsock){.fd = fd,
					       .rd = 0,
					       .wr = 0,
					       .await_ok = await_ok,
					       .line = {0},
					       .llen = 0};
			return &hs[i];
		}
	close(fd);
	return NULL;
}

static void host_accept(void)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
		new_sock(fd, false);
}

static void host_dial(void)
{
	static const char *const lines[] = {
	    "CONNECT 1234\n", "CONNECT 1000\n",	      "CONNECT 0\n",	"CONNECT x\n",
	    "HELLO\n",	      "CONNECT 4294967296\n", "CONNECT 1001\n", "CONNECT 01\n"};
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	const char *line = lines[take(1) % 8];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	strcpy(a.sun_path, path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return;
	}
	if (new_sock(fd, true))
		send(fd, line, strlen(line), MSG_NOSIGNAL);
}

static void host_close(struct hsock *s)
{
	close(s->fd);
	s->fd = -1;
}

/* Reads what a host socket has: after an OK line, the guest's stream in order. */
static void host_read(struct hsock *s)
{
	uint8_t buf[8192];
	ssize_t n;

	while ((n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		ssize_t i = 0;

		for (; i < n && s->await_ok; i++) {
			if (s->llen == sizeof(s->line) - 1)
				abort();
			s->line[s->llen++] = (char)buf[i];
			if (buf[i] == '\n') {
				if (strncmp(s->line, "OK ", 3) != 0)
					abort();
				s->await_ok = false;
			}
		}
		for (; i < n; i++, s->rd++)
			if (buf[i] != pattern(s->rd))
				abort();
	}
	if (n == 0 || (n < 0 && errno != EAGAIN))
		host_close(s);
}

static void host_step(unsigned kind)
{
	struct hsock *s = &hs[take(1) % MAXSOCK];
	uint8_t buf[4096];
	size_t n;
	ssize_t w;

	if (s->fd < 0)
		return;
	switch (kind) {
	case 0:
		n = (size_t)take(2) % sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(s->wr + i);
		w = send(s->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w > 0)
			s->wr += (uint64_t)w;
		break;
	case 1:
		host_read(s);
		break;
	case 2:
		shutdown(s->fd, SHUT_WR);
		break;
	default:
		host_close(s);
		break;
	}
}

/* The listener and the folder go with the process (gzvmm's own socket goes per input). */
static void cleanup(void)
{
	unlink(lpath);
	rmdir(dir);
}

static void setup_once(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	ram = calloc(1, RAM);
	if (!ram || !mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/v", dir);
	snprintf(lpath, sizeof(lpath), "%s_1000", path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	strcpy(a.sun_path, lpath);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 64) != 0)
		abort();
	atexit(cleanup);
	vmm_mem_add(&mem, RAM_BASE, RAM, ram);
	for (unsigned i = 0; i < MAXSOCK; i++)
		hs[i].fd = -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	int base_fds;

	if (!ram)
		setup_once();
	base_fds = count_fds();
	ip = data;
	in_n = size;
	if (vmm_vsock_host_open(&host, path, err, sizeof(err)) != 0 ||
	    vmm_virtio_init(&vd, &vmm_vsock_ops, &v, &mem, 2, 0) != 0)
		abort();
	vmm_vsock_init(&v, CID, &vd, &host);
	/* The guest's ports 40 and 41 to the host's listening 1000 and to 1001 (nobody). */
	npairs = 0;
	for (uint32_t gp = 40; gp < 42; gp++)
		for (uint32_t hp = 1000; hp < 1002; hp++)
			pair_of(gp, hp, true);
	driver_up();
	for (unsigned step = 0; step < STEPS && in_n; step++) {
		unsigned op = (unsigned)take(1);

		switch (op % 10) {
		case 0:
		case 1:
		case 2:
			guest_tx();
			break;
		case 3:
		case 4:
			guest_rx();
			break;
		case 5:
			host_dial();
			vmm_vsock_host_poll(&v);
			vmm_vsock_host_poll(&v);
			break;
		case 6:
		case 7:
			host_step((op >> 4) & 3);
			vmm_vsock_host_poll(&v);
			break;
		case 8:
			driver_up();
			break;
		default:
			vmm_vsock_host_poll(&v);
			break;
		}
		host_accept();
		check_table();
	}
	vmm_vsock_close_all(&v);
	if (v.conns.n != 0)
		abort();
	for (unsigned i = 0; i < MAXSOCK; i++)
		if (hs[i].fd >= 0) {
			host_read(&hs[i]);
			if (hs[i].fd >= 0)
				host_close(&hs[i]);
		}
	host_accept();
	for (unsigned i = 0; i < MAXSOCK; i++)
		if (hs[i].fd >= 0)
			host_close(&hs[i]);
	vmm_vsock_host_close(&host);
	vmm_virtio_destroy(&vd);
	if (count_fds() != base_fds) /* a socket or epoll set leaked */
		abort();
	return 0;
}
