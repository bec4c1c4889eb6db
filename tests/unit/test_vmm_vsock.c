/* virtio-vsock (src/vmm/virtio_vsock.c, vsock_conn.c, vsock_host.c) against a fake guest ring
 * and real AF_UNIX sockets in a temporary directory: connections both ways, data and credit
 * both ways, shutdowns and resets, and every malformed packet a hostile guest can send, each
 * answered with an RST or dropped while the device goes on. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vsock.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (1ULL << 20)
#define QSIZE	 16
#define Q(q)	 (RAM_BASE + 0x1000 + (q)*0x4000ULL) /* desc; avail +0x1000; used +0x2000 */
#define TXBUF	 (RAM_BASE + 0x20000)
#define RXBUF	 (RAM_BASE + 0x40000)
#define CID	 42U

struct t {
	struct vmm_mem mem;
	uint8_t *ram;
	struct vmm_virtio vd;
	struct vmm_vsock v;
	struct vmm_vsock_host host;
	char dir[32], path[48];
	uint16_t avail[3], used_seen[3];
	int notified;
};

static uint8_t *g(struct t *t, uint64_t gpa)
{
	return t->ram + (gpa - RAM_BASE);
}

static void w32(struct t *t, uint64_t off, uint32_t v)
{
	vmm_virtio_mmio_write(&t->vd, off, 4, v);
}

static void on_notify(void *ctx, unsigned q)
{
	(void)q;
	((struct t *)ctx)->notified++;
}

/* The driver's set-up after a reset: features, the three queues on empty rings, DRIVER_OK. */
static void driver_up(struct t *t)
{
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	w32(t, VIRTIO_MMIO_STATUS, 0xb);
	memset(g(t, Q(0)), 0, 0xc000);
	for (unsigned q = 0; q < 3; q++) {
		w32(t, VIRTIO_MMIO_QUEUE_SEL, q);
		w32(t, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
		w32(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)Q(q));
		w32(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(Q(q) + 0x1000));
		w32(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(Q(q) + 0x2000));
		w32(t, VIRTIO_MMIO_QUEUE_READY, 1);
		t->avail[q] = t->used_seen[q] = 0;
	}
	w32(t, VIRTIO_MMIO_STATUS, 0xf);
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	char err[256];

	strcpy(t->dir, "/tmp/gzvsock-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/v", t->dir);
	t->ram = calloc(1, RAM_SIZE);
	assert_int_equal(vmm_mem_add(&t->mem, RAM_BASE, RAM_SIZE, t->ram), 0);
	assert_int_equal(vmm_vsock_host_open(&t->host, t->path, err, sizeof(err)), 0);
	assert_int_equal(vmm_virtio_init(&t->vd, &vmm_vsock_ops, &t->v, &t->mem, 2, 0), 0);
	vmm_vsock_init(&t->v, CID, &t->vd, &t->host);
	t->vd.notify = on_notify;
	t->vd.cb_ctx = t;
	w32(t, VIRTIO_MMIO_STATUS, 0);
	driver_up(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	char p[160];

	vmm_vsock_close_all(&t->v);
	vmm_vsock_host_close(&t->host);
	vmm_virtio_destroy(&t->vd);
	snprintf(p, sizeof(p), "%s/v_5000", t->dir);
	unlink(p);
	rmdir(t->dir);
	free(t->ram);
	free(t);
	return 0;
}

static void put_desc(struct t *t, unsigned q, unsigned i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *p = g(t, Q(q) + 16ULL * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static void publish(struct t *t, unsigned q, uint16_t head)
{
	uint8_t *av = g(t, Q(q) + 0x1000);

	memcpy(av + 4 + 2 * (t->avail[q] % QSIZE), &head, 2);
	t->avail[q]++;
	memcpy(av + 2, &t->avail[q], 2);
}

/* Used elements the device added since the last look. */
static unsigned used_new(struct t *t, unsigned q, uint32_t *len)
{
	uint16_t idx;
	unsigned n;

	memcpy(&idx, g(t, Q(q) + 0x2000 + 2), 2);
	n = (uint16_t)(idx - t->used_seen[q]);
	if (n && len)
		memcpy(len, g(t, Q(q) + 0x2000 + 4 + 8 * ((idx - 1) % QSIZE) + 4), 4);
	t->used_seen[q] = idx;
	return n;
}

static struct vmm_vsock_hdr hdr(uint32_t src_port, uint32_t dst_port, uint16_t op, uint32_t len)
{
	struct vmm_vsock_hdr h = {.src_cid = CID,
				  .dst_cid = VMM_VSOCK_CID_HOST,
				  .src_port = src_port,
				  .dst_port = dst_port,
				  .len = len,
				  .type = VMM_VSOCK_TYPE_STREAM,
				  .op = op,
				  .buf_alloc = 65536};
	return h;
}

/* The guest sends h with len bytes of payload (header and payload in two descriptors). */
static void tx(struct t *t, struct vmm_vsock_hdr h, const void *data, uint32_t len)
{
	memcpy(g(t, TXBUF), &h, sizeof(h));
	if (len)
		memcpy(g(t, TXBUF + 0x100), data, len);
	put_desc(t, 1, 0, TXBUF, sizeof(h), len ? VRING_DESC_F_NEXT : 0, 1);
	put_desc(t, 1, 1, TXBUF + 0x100, len, 0, 0);
	publish(t, 1, 0);
	vmm_virtio_process(&t->vd, VMM_VSOCK_TX);
	assert_int_equal(used_new(t, 1, NULL), 1);
}

/* Offers one receive buffer of size bytes: true if a packet came, in *h and data. */
static bool rx(struct t *t, struct vmm_vsock_hdr *h, void *data, uint32_t size)
{
	uint32_t len = 0;

	put_desc(t, 0, 0, RXBUF, size, VRING_DESC_F_WRITE, 0);
	publish(t, 0, 0);
	vmm_virtio_process(&t->vd, VMM_VSOCK_RX);
	if (used_new(t, 0, &len) == 0) {
		t->avail[0]--; /* still on the ring: take it back */
		memcpy(g(t, Q(0) + 0x1000 + 2), &t->avail[0], 2);
		t->vd.vq[0].last_avail = t->avail[0];
		return false;
	}
	assert_true(len >= sizeof(*h));
	memcpy(h, g(t, RXBUF), sizeof(*h));
	assert_int_equal(len, sizeof(*h) + h->len);
	if (data)
		memcpy(data, g(t, RXBUF + sizeof(*h)), h->len);
	return true;
}

static void expect_op(struct t *t, uint16_t op, uint32_t src_port, uint32_t dst_port)
{
	struct vmm_vsock_hdr h;

	assert_true(rx(t, &h, NULL, 4096));
	assert_int_equal(h.op, op);
	assert_int_equal(h.src_port, src_port);
	assert_int_equal(h.dst_port, dst_port);
	assert_int_equal(h.dst_cid, CID);
}

static int listen_at(struct t *t, uint32_t port)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%.48s_%u", t->path, port);
	unlink(a.sun_path); /* an earlier listener's */
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* The guest's port 1000 connected to host port 5000; the host's end in *hfd. */
static void guest_connects(struct t *t, int *lfd, int *hfd)
{
	*lfd = listen_at(t, 5000);
	tx(t, hdr(1000, 5000, VMM_VSOCK_OP_REQUEST, 0), NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RESPONSE, 5000, 1000);
	*hfd = accept(*lfd, NULL, NULL);
	assert_true(*hfd >= 0);
	assert_int_equal(t->v.conns.n, 1);
}

static void test_config(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_hdr h;

	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_DEVICE_ID, 4), 19);
	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG, 4), CID);
	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG + 4, 4), 0);
	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG, 8), CID);
	/* Nothing to say: the receive buffer stays, the event queue's is kept too. */
	assert_false(rx(t, &h, NULL, 4096));
	put_desc(t, 2, 0, RXBUF, 8, VRING_DESC_F_WRITE, 0);
	publish(t, 2, 0);
	vmm_virtio_process(&t->vd, VMM_VSOCK_EVENT);
	assert_int_equal(used_new(t, 2, NULL), 0);
}

static void test_guest_stream(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_hdr h;
	char buf[256];
	int lfd, hfd;

	guest_connects(t, &lfd, &hfd);
	tx(t, hdr(1000, 5000, VMM_VSOCK_OP_RW, 5), "hello", 5);
	assert_int_equal(read(hfd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	/* Host to guest, within the credit the guest gave (64 KiB). */
	assert_int_equal(write(hfd, "world!", 6), 6);
	vmm_vsock_host_poll(&t->v);
	assert_true(rx(t, &h, buf, 4096));
	assert_int_equal(h.op, VMM_VSOCK_OP_RW);
	assert_int_equal(h.len, 6);
	assert_memory_equal(buf, "world!", 6);
	assert_int_equal(h.buf_alloc, VMM_VSOCK_BUF_ALLOC);
	assert_int_equal(h.fwd_cnt, 5);
	/* A credit request is answered with an update. */
	struct vmm_vsock_hdr cr = hdr(1000, 5000, VMM_VSOCK_OP_CREDIT_REQUEST, 0);

	cr.fwd_cnt = 6;
	tx(t, cr, NULL, 0);
	expect_op(t, VMM_VSOCK_OP_CREDIT_UPDATE, 5000, 1000);
	/* The host closes its end: SHUTDOWN(SEND); the guest closes: RST, the entry goes. */
	close(hfd);
	vmm_vsock_host_poll(&t->v);
	assert_true(rx(t, &h, NULL, 4096));
	assert_int_equal(h.op, VMM_VSOCK_OP_SHUTDOWN);
	assert_int_equal(h.flags, VMM_VSOCK_SHUTDOWN_SEND);
	cr = hdr(1000, 5000, VMM_VSOCK_OP_SHUTDOWN, 0);
	cr.flags = 3;
	cr.fwd_cnt = 6;
	tx(t, cr, NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RST, 5000, 1000);
	assert_int_equal(t->v.conns.n, 0);
	close(lfd);
}

/* A live connection's ports used with another socket type end it; after the guest closed a
 * connection, the same ports start nothing until the guest had its RST. */
static void test_live_ports(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_hdr h;
	int lfd, hfd;

	guest_connects(t, &lfd, &hfd);
	h = hdr(1000, 5000, VMM_VSOCK_OP_RW, 0);
	h.type = 2;
	tx(t, h, NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RST, 5000, 1000);
	assert_int_equal(t->v.conns.n, 0);
	close(hfd);
	close(lfd);
	guest_connects(t, &lfd, &hfd);
	h = hdr(1000, 5000, VMM_VSOCK_OP_SHUTDOWN, 0);
	h.flags = 3;
	tx(t, h, NULL, 0);
	tx(t, hdr(1000, 5000, VMM_VSOCK_OP_REQUEST, 0), NULL, 0); /* ignored: RST owed */
	assert_int_equal(t->v.conns.n, 1);
	expect_op(t, VMM_VSOCK_OP_RST, 5000, 1000);
	assert_false(rx(t, &h, NULL, 4096));
	assert_int_equal(t->v.conns.n, 0);
	close(hfd);
	close(lfd);
}

/* The guest's credit bounds what the host may send it, never below zero. */
static void test_credit_to_guest(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_hdr h, up;
	static char big[8192];
	char buf[8192];
	int lfd, hfd;

	memset(big, 'x', sizeof(big));
	lfd = listen_at(t, 5000);
	h = hdr(1000, 5000, VMM_VSOCK_OP_REQUEST, 0);
	h.buf_alloc = 3000;
	tx(t, h, NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RESPONSE, 5000, 1000);
	hfd = accept(lfd, NULL, NULL);
	assert_int_equal(write(hfd, big, sizeof(big)), (ssize_t)sizeof(big));
	vmm_vsock_host_poll(&t->v);
	assert_true(rx(t, &h, buf, 8192));
	assert_int_equal(h.len, 3000);
	assert_false(rx(t, &h, buf, 8192)); /* no credit left */
	assert_int_equal(vmm_vsock_conn_peer_credit(&t->v.conns.c[0]), 0);
	/* The guest read 1000: 1000 more may come. */
	up = hdr(1000, 5000, VMM_VSOCK_OP_CREDIT_UPDATE, 0);
	up.buf_alloc = 3000;
	up.fwd_cnt = 1000;
	tx(t, up, NULL, 0);
	assert_true(rx(t, &h, buf, 8192));
	assert_int_equal(h.len, 1000);
	/* A guest claiming it consumed more than it was sent is reset. */
	up.fwd_cnt = 5000;
	tx(t, up, NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RST, 5000, 1000);
	assert_int_equal(t->v.conns.n, 0);
	assert_true(read(hfd, buf, sizeof(buf)) <= 0); /* the host sees the end (or a reset) */
	close(hfd);
	close(lfd);
}

/* A guest sending past the space gzvmm advertised is reset. */
static void test_credit_from_guest(void **state)
{
	struct t *t = *state;
	static char chunk[65536];
	int lfd, hfd;

	guest_connects(t, &lfd, &hfd);
	/* The host reads nothing: its socket buffer and then gzvmm's fill up. */
	for (unsigned i = 0; i < 64 && t->v.conns.n; i++) {
		tx(t, hdr(1000, 5000, VMM_VSOCK_OP_RW, sizeof(chunk)), chunk, sizeof(chunk));
		assert_true(t->v.conns.c[0].buf_len <= VMM_VSOCK_BUF_ALLOC);
	}
	assert_int_equal(t->v.conns.c[0].state, VMM_VSOCK_DEAD);
	expect_op(t, VMM_VSOCK_OP_RST, 5000, 1000);
	assert_int_equal(t->v.conns.n, 0);
	close(hfd);
	close(lfd);
}

static void test_malformed(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_hdr h;
	uint64_t dropped = t->v.stats.dropped;

	/* Refused: nobody listens on 5001. */
	tx(t, hdr(1000, 5001, VMM_VSOCK_OP_REQUEST, 0), NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RST, 5001, 1000);
	/* No connection: data, a shutdown, an unknown op get RSTs; an RST gets nothing. */
	tx(t, hdr(1001, 5000, VMM_VSOCK_OP_RW, 3), "abc", 3);
	expect_op(t, VMM_VSOCK_OP_RST, 5000, 1001);
	tx(t, hdr(1002, 5000, 77, 0), NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RST, 5000, 1002);
	tx(t, hdr(1003, 5000, VMM_VSOCK_OP_RST, 0), NULL, 0);
	assert_false(rx(t, &h, NULL, 4096));
	/* Another CID than the host's, another socket type: RST from where it went. */
	h = hdr(1004, 5000, VMM_VSOCK_OP_REQUEST, 0);
	h.dst_cid = 7;
	tx(t, h, NULL, 0);
	assert_true(rx(t, &h, NULL, 4096));
	assert_int_equal(h.op, VMM_VSOCK_OP_RST);
	assert_int_equal(h.src_cid, 7);
	h = hdr(1005, 5000, VMM_VSOCK_OP_REQUEST, 0);
	h.type = 2;
	tx(t, h, NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RST, 5000, 1005);
	/* Dropped: a spoofed source, a length other than the chain's, a short header, a
	 * device-writable transmit buffer; and a receive buffer too small for a header. */
	h = hdr(1006, 5000, VMM_VSOCK_OP_REQUEST, 0);
	h.src_cid = 3;
	tx(t, h, NULL, 0);
	tx(t, hdr(1007, 5000, VMM_VSOCK_OP_RW, 100), "abc", 3);
	memcpy(g(t, TXBUF), &h, sizeof(h));
	put_desc(t, 1, 0, TXBUF, 20, 0, 0);
	publish(t, 1, 0);
	vmm_virtio_process(&t->vd, VMM_VSOCK_TX);
	put_desc(t, 1, 0, TXBUF, 64, VRING_DESC_F_WRITE, 0);
	publish(t, 1, 0);
	vmm_virtio_process(&t->vd, VMM_VSOCK_TX);
	assert_int_equal(used_new(t, 1, NULL), 2);
	assert_false(rx(t, &h, NULL, 4096));
	tx(t, hdr(1008, 5001, VMM_VSOCK_OP_REQUEST, 0), NULL, 0);
	put_desc(t, 0, 0, RXBUF, 16, VRING_DESC_F_WRITE, 0);
	publish(t, 0, 0);
	vmm_virtio_process(&t->vd, VMM_VSOCK_RX);
	assert_int_equal(used_new(t, 0, NULL), 1);
	assert_int_equal(t->v.stats.dropped, dropped + 5);
	expect_op(t, VMM_VSOCK_OP_RST, 5001, 1008); /* the RST waited for a buffer that fits */
	assert_false(vmm_virtio_needs_reset(&t->vd));
	assert_int_equal(t->v.conns.n, 0);
}

/* RSTs owed fill their queue: the transmit queue waits until the guest takes some. */
static void test_rst_backpressure(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_hdr h;

	for (unsigned i = 0; i < VMM_VSOCK_RSTQ; i++)
		tx(t, hdr(2000 + i, 9, VMM_VSOCK_OP_RW, 0), NULL, 0);
	h = hdr(3000, 9, VMM_VSOCK_OP_RW, 0);
	memcpy(g(t, TXBUF), &h, sizeof(h));
	put_desc(t, 1, 0, TXBUF, sizeof(h), 0, 0);
	publish(t, 1, 0);
	vmm_virtio_process(&t->vd, VMM_VSOCK_TX);
	assert_int_equal(used_new(t, 1, NULL), 0);
	assert_true(t->notified > 0); /* the receive queue was called for */
	expect_op(t, VMM_VSOCK_OP_RST, 9, 2000);
	vmm_virtio_process(&t->vd, VMM_VSOCK_TX);
	assert_int_equal(used_new(t, 1, NULL), 1);
	for (unsigned i = 1; i < VMM_VSOCK_RSTQ; i++)
		expect_op(t, VMM_VSOCK_OP_RST, 9, 2000 + i);
	expect_op(t, VMM_VSOCK_OP_RST, 9, 3000);
	assert_false(rx(t, &h, NULL, 4096));
}

static int host_dial(struct t *t, const char *line)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(a.sun_path, t->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	vmm_vsock_host_poll(&t->v); /* accept */
	vmm_vsock_host_poll(&t->v); /* the line */
	return fd;
}

static void test_host_initiated(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_hdr h;
	char buf[64] = {0};
	int fd;

	/* Bad lines: the socket is closed. */
	fd = host_dial(t, "CONNECT x\n");
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	fd = host_dial(t, "CONNECT 99999999999\n");
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	assert_int_equal(t->v.conns.n, 0);
	/* A request the guest refuses: closed without OK. */
	fd = host_dial(t, "CONNECT 80\n");
	assert_true(rx(t, &h, NULL, 4096));
	assert_int_equal(h.op, VMM_VSOCK_OP_REQUEST);
	assert_int_equal(h.src_cid, VMM_VSOCK_CID_HOST);
	assert_int_equal(h.dst_port, 80);
	assert_int_equal(h.src_port, VMM_VSOCK_HOST_PORT_BASE);
	tx(t, hdr(80, h.src_port, VMM_VSOCK_OP_RST, 0), NULL, 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	/* Accepted; the line's data after it belongs to the stream. */
	fd = host_dial(t, "CONNECT 81\nearly");
	assert_true(rx(t, &h, NULL, 4096));
	assert_int_equal(h.op, VMM_VSOCK_OP_REQUEST);
	assert_int_equal(h.src_port, VMM_VSOCK_HOST_PORT_BASE + 1);
	/* The guest accepts: OK, then the data that waited behind the line. */
	tx(t, hdr(81, h.src_port, VMM_VSOCK_OP_RESPONSE, 0), NULL, 0);
	assert_int_equal(read(fd, buf, 14), 14);
	assert_memory_equal(buf, "OK 1073741825\n", 14);
	vmm_vsock_host_poll(&t->v);
	assert_true(rx(t, &h, buf, 4096));
	assert_int_equal(h.op, VMM_VSOCK_OP_RW);
	assert_memory_equal(buf, "early", 5);
	/* A second RESPONSE breaks the connection. */
	struct vmm_vsock_hdr r = hdr(81, h.src_port, VMM_VSOCK_OP_RESPONSE, 0);

	r.fwd_cnt = 0;
	tx(t, r, NULL, 0);
	expect_op(t, VMM_VSOCK_OP_RST, VMM_VSOCK_HOST_PORT_BASE + 1, 81);
	assert_int_equal(t->v.conns.n, 0);
	close(fd);
}

/* A driver reset ends the connections it knew; a host request it never saw waits. */
static void test_reset(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_hdr h;
	int lfd, hfd, fd;
	char c;

	guest_connects(t, &lfd, &hfd);
	fd = host_dial(t, "CONNECT 82\n");
	assert_int_equal(t->v.conns.n, 2);
	w32(t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(t->v.conns.n, 1);
	assert_int_equal(read(hfd, &c, 1), 0);
	driver_up(t);
	assert_true(rx(t, &h, NULL, 4096));
	assert_int_equal(h.op, VMM_VSOCK_OP_REQUEST);
	assert_int_equal(h.dst_port, 82);
	vmm_vsock_close_all(&t->v);
	assert_int_equal(read(fd, &c, 1), 0);
	close(fd);
	close(hfd);
	close(lfd);
}

static void test_host_open_errors(void **state)
{
	struct t *t = *state;
	struct vmm_vsock_host h2;
	char err[256], p[160];

	assert_int_equal(vmm_vsock_host_open(&h2, t->path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is in use"));
	snprintf(p, sizeof(p), "%s/", t->dir);
	memset(p + strlen(p), 'p', 100);
	p[strlen(t->dir) + 101] = '\0';
	assert_int_equal(vmm_vsock_host_open(&h2, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	/* A stale socket of an earlier run is replaced. */
	snprintf(p, sizeof(p), "%s/stale", t->dir);
	{
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		strcpy(a.sun_path, p);
		assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
		close(fd);
	}
	assert_int_equal(vmm_vsock_host_open(&h2, p, err, sizeof(err)), 0);
	vmm_vsock_host_close(&h2);
	assert_int_equal(access(p, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guest_stream, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_live_ports, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_credit_to_guest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_credit_from_guest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rst_backpressure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_initiated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_open_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
