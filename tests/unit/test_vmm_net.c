/* virtio-net, driven as a guest driver would over a datagram socket pair standing in for the
 * TAP: config space (MAC, link), frames both ways with the v1 and the legacy header, a receive
 * buffer waiting for a frame, frames too large for it, what the device drops on transmit, every
 * malformed chain (reset needed, usable again after a reset), and the MAC and TAP errors. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "virtio_net.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (1ULL << 20)
/* Each queue as the legacy layout puts it (avail after the descriptors, used on the next page),
 * which the v2 set-up copies. */
#define QBASE(q) (RAM_BASE + 0x1000 + (q)*0x4000ULL)
#define AVAIL(q) (QBASE(q) + 16ULL * QN)
#define USED(q)	 (QBASE(q) + 0x1000)
#define BUF(i)	 (RAM_BASE + 0x20000 + (i)*0x10000ULL)
#define QN	 8U

struct net_t {
	uint8_t *ram;
	struct vmm_mem mem;
	struct vmm_virtio vd;
	struct vmm_net n;
	int peer; /* the host's end of the "TAP" */
	int irqs;
	uint16_t next_desc[2];
};

static void count_irq(void *ctx)
{
	((struct net_t *)ctx)->irqs++;
}

static uint8_t *gp(struct net_t *t, uint64_t gpa)
{
	return t->ram + (gpa - RAM_BASE);
}

static void reg(struct net_t *t, uint64_t off, uint32_t v)
{
	vmm_virtio_mmio_write(&t->vd, off, 4, v);
}

static uint32_t rd(struct net_t *t, uint64_t off)
{
	return (uint32_t)vmm_virtio_mmio_read(&t->vd, off, 4);
}

/* Brings the device up as a driver of that transport version does (v1: legacy layout). */
static void bring_up(struct net_t *t)
{
	reg(t, VIRTIO_MMIO_STATUS, 0);
	reg(t, VIRTIO_MMIO_STATUS, 3);
	reg(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS));
	reg(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg(t, VIRTIO_MMIO_DRIVER_FEATURES, t->vd.version == 2);
	if (t->vd.version == 2)
		reg(t, VIRTIO_MMIO_STATUS, 0xb);
	memset(t->ram, 0, 0x20000);
	t->next_desc[0] = t->next_desc[1] = 0;
	for (unsigned q = 0; q < 2; q++) {
		reg(t, VIRTIO_MMIO_QUEUE_SEL, q);
		reg(t, VIRTIO_MMIO_QUEUE_NUM, QN);
		if (t->vd.version == 1) {
			reg(t, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
			reg(t, VIRTIO_MMIO_QUEUE_ALIGN, 4096);
			reg(t, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(QBASE(q) >> 12));
			continue;
		}
		reg(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)QBASE(q));
		reg(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)AVAIL(q));
		reg(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)USED(q));
		reg(t, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	reg(t, VIRTIO_MMIO_STATUS, 0xf);
	assert_false(vmm_virtio_needs_reset(&t->vd));
}

static struct net_t *mk(unsigned version)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
	struct net_t *t = calloc(1, sizeof(*t));
	int sv[2];

	t->ram = calloc(1, RAM_SIZE);
	assert_int_equal(vmm_mem_add(&t->mem, RAM_BASE, RAM_SIZE, t->ram), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	vmm_net_init_fd(&t->n, sv[0], mac);
	t->peer = sv[1];
	assert_int_equal(vmm_virtio_init(&t->vd, &vmm_net_ops, &t->n, &t->mem, version, 0), 0);
	t->vd.irq = count_irq;
	t->vd.cb_ctx = t;
	bring_up(t);
	return t;
}

static void rm(struct net_t *t)
{
	vmm_net_close(&t->n);
	assert_int_equal(t->n.fd, -1);
	close(t->peer);
	vmm_virtio_destroy(&t->vd);
	free(t->ram);
	free(t);
}

/* Puts a chain of n buffers (addr, len, write flag) on queue q and publishes it. */
static void give(struct net_t *t, unsigned q, unsigned n, const uint64_t *addr, const uint32_t *len,
		 const bool *write)
{
	uint8_t *avail = gp(t, AVAIL(q));
	uint16_t head = t->next_desc[q], idx;

	for (unsigned i = 0; i < n; i++) {
		uint16_t d = (uint16_t)((head + i) % QN), flags = write[i] ? VRING_DESC_F_WRITE : 0;
		uint16_t next = (uint16_t)((d + 1) % QN);
		uint8_t *p = gp(t, QBASE(q) + 16ULL * d);

		if (i + 1 < n)
			flags |= VRING_DESC_F_NEXT;
		memcpy(p, &addr[i], 8);
		memcpy(p + 8, &len[i], 4);
		memcpy(p + 12, &flags, 2);
		memcpy(p + 14, &next, 2);
	}
	t->next_desc[q] = (uint16_t)((head + n) % QN);
	memcpy(&idx, avail + 2, 2);
	memcpy(avail + 4 + 2 * (idx % QN), &head, 2);
	idx++;
	memcpy(avail + 2, &idx, 2);
}

static void give1(struct net_t *t, unsigned q, uint64_t addr, uint32_t len, bool write)
{
	give(t, q, 1, &addr, &len, &write);
}

static uint16_t used(struct net_t *t, unsigned q)
{
	uint16_t v;

	memcpy(&v, gp(t, USED(q) + 2), 2);
	return v;
}

static uint32_t used_len_at(struct net_t *t, unsigned q, unsigned slot)
{
	uint32_t v;

	memcpy(&v, gp(t, USED(q) + 4 + 8 * (slot % QN) + 4), 4);
	return v;
}

static void frame(uint8_t *f, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i * 7);
}

static void test_config(void **state)
{
	struct net_t *t = mk(2);
	uint8_t cfg[8];

	(void)state;
	assert_int_equal(rd(t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	reg(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(
	    rd(t, VIRTIO_MMIO_DEVICE_FEATURES),
	    (uint32_t)(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_F_RING_EVENT_IDX));
	for (unsigned i = 0; i < 8; i++)
		cfg[i] = (uint8_t)vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG + i, 1);
	assert_memory_equal(cfg, ((uint8_t[]){0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 1, 0}), 8);
	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG + 6, 2),
			 VIRTIO_NET_S_LINK_UP);
	t->n.link_up = false;
	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG + 6, 2), 0);
	/* Past the config space: zero. */
	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG + 8, 4), 0);
	rm(t);
}

/* A frame each way, with the header of each transport version. */
static void frames_both_ways(unsigned version, uint32_t hlen)
{
	struct net_t *t = mk(version);
	uint8_t f[1514], got[2048];

	frame(f, sizeof(f), 3);
	memset(gp(t, BUF(1)), 0, hlen);
	memcpy(gp(t, BUF(1)) + hlen, f, sizeof(f));
	give1(t, VMM_NET_TX, BUF(1), (uint32_t)(hlen + sizeof(f)), false);
	vmm_virtio_process(&t->vd, VMM_NET_TX);
	assert_int_equal(used(t, VMM_NET_TX), 1);
	assert_int_equal(used_len_at(t, VMM_NET_TX, 0), 0);
	assert_int_equal(recv(t->peer, got, sizeof(got), 0), sizeof(f));
	assert_memory_equal(got, f, sizeof(f));
	assert_int_equal(t->n.tx_frames, 1);
	assert_int_equal(t->n.tx_bytes, sizeof(f));

	/* Receive: the header split from the frame over two buffers. */
	uint64_t a[2] = {BUF(2), BUF(3)};
	uint32_t l[2] = {hlen, 1600};
	bool w[2] = {true, true};

	memset(gp(t, BUF(2)), 0xee, 16);
	give(t, VMM_NET_RX, 2, a, l, w);
	frame(f, 60, 9);
	assert_int_equal(send(t->peer, f, 60, 0), 60);
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(used(t, VMM_NET_RX), 1);
	assert_int_equal(used_len_at(t, VMM_NET_RX, 0), hlen + 60);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(gp(t, BUF(2))[i], 0);
	if (hlen == VMM_NET_HDR_V1)
		assert_int_equal(gp(t, BUF(2))[10], 1); /* num_buffers */
	assert_int_equal(gp(t, BUF(2))[hlen], 0xee);	/* nothing past the header's buffer */
	assert_memory_equal(gp(t, BUF(3)), f, 60);
	assert_int_equal(t->n.rx_frames, 1);
	assert_int_equal(t->n.rx_bytes, 60);
	assert_true(t->irqs >= 2);
	rm(t);
}

static void test_frames_v1_header(void **state)
{
	(void)state;
	frames_both_ways(2, VMM_NET_HDR_V1);
}

static void test_frames_legacy_header(void **state)
{
	(void)state;
	frames_both_ways(1, VMM_NET_HDR_LEGACY);
}

/* A receive buffer with no frame stays on the ring; frames too large for it are dropped; it
 * takes the first that fits. Without a buffer, frames wait in the back end. */
static void test_rx_wait_and_drop(void **state)
{
	struct net_t *t = mk(2);
	uint8_t f[3000];

	(void)state;
	give1(t, VMM_NET_RX, BUF(1), 12 + 1518, true);
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(used(t, VMM_NET_RX), 0);
	assert_int_equal(t->vd.vq[VMM_NET_RX].last_avail, 0);
	frame(f, sizeof(f), 1);
	assert_int_equal(send(t->peer, f, 1519, 0), 1519); /* one byte too many */
	assert_int_equal(send(t->peer, f, 1518, 0), 1518);
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(used(t, VMM_NET_RX), 1);
	assert_int_equal(used_len_at(t, VMM_NET_RX, 0), 12 + 1518);
	assert_int_equal(t->n.rx_dropped, 1);
	/* No buffer now: the frame waits, and the next buffer gets it. */
	assert_int_equal(send(t->peer, f + 1, 100, 0), 100);
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(used(t, VMM_NET_RX), 1);
	give1(t, VMM_NET_RX, BUF(2), 12 + 1518, true);
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(used(t, VMM_NET_RX), 2);
	assert_memory_equal(gp(t, BUF(2)) + 12, f + 1, 100);
	/* A flood of frames too large: the buffer stays after RX_DROPS_MAX of them. */
	for (unsigned i = 0; i < 70; i++)
		assert_int_equal(send(t->peer, f, 101, 0), 101);
	give1(t, VMM_NET_RX, BUF(3), 12 + 100, true);
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(used(t, VMM_NET_RX), 2);
	assert_int_equal(t->n.rx_dropped, 1 + 64);
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(t->n.rx_dropped, 1 + 70);
	assert_false(vmm_virtio_needs_reset(&t->vd));
	rm(t);
}

/* Frames the device does not send: counted, the chain completed, nothing on the wire. */
static void test_tx_drops(void **state)
{
	struct net_t *t = mk(2);
	uint8_t *b = gp(t, BUF(1)), got[64];
	uint64_t a[2] = {BUF(1), BUF(2)};
	uint32_t l[2] = {12, 0};
	bool w[2] = {false, false};

	(void)state;
	memset(b, 0, 12 + 13);
	give1(t, VMM_NET_TX, BUF(1), 12 + 13, false); /* a runt */
	b = gp(t, BUF(4));
	memset(b, 0, 12 + 60);
	b[0] = 1; /* NEEDS_CSUM, never offered */
	give1(t, VMM_NET_TX, BUF(4), 12 + 60, false);
	b = gp(t, BUF(5));
	memset(b, 0, 12 + 60);
	b[1] = 1; /* GSO TCPv4, never offered */
	give1(t, VMM_NET_TX, BUF(5), 12 + 60, false);
	/* Larger than any TAP takes, over two buffers. */
	memset(gp(t, BUF(1)), 0, 12);
	l[1] = VMM_NET_FRAME_MAX + 1;
	a[1] = RAM_BASE + RAM_SIZE - VMM_NET_FRAME_MAX - 1;
	give(t, VMM_NET_TX, 2, a, l, w);
	vmm_virtio_process(&t->vd, VMM_NET_TX);
	assert_int_equal(used(t, VMM_NET_TX), 4);
	assert_int_equal(t->n.tx_dropped, 4);
	assert_int_equal(t->n.tx_frames, 0);
	assert_int_equal(recv(t->peer, got, sizeof(got), 0), -1);
	/* The back end gone: dropped as a cable would drop it. */
	close(t->peer);
	t->peer = open("/dev/null", O_RDONLY);
	memset(gp(t, BUF(1)), 0, 12 + 60);
	give1(t, VMM_NET_TX, BUF(1), 12 + 60, false);
	vmm_virtio_process(&t->vd, VMM_NET_TX);
	assert_int_equal(used(t, VMM_NET_TX), 5);
	assert_int_equal(t->n.tx_dropped, 5);
	/* No back end at all (closed): the same. */
	vmm_net_close(&t->n);
	give1(t, VMM_NET_TX, BUF(1), 12 + 60, false);
	give1(t, VMM_NET_RX, BUF(2), 12 + 60, true);
	vmm_virtio_process(&t->vd, VMM_NET_TX);
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(t->n.tx_dropped, 6);
	assert_int_equal(used(t, VMM_NET_RX), 0);
	assert_false(vmm_virtio_needs_reset(&t->vd));
	rm(t);
}

/* Each malformed chain sets DEVICE_NEEDS_RESET, raises a config interrupt, moves nothing; a
 * reset makes the device work again. */
static void test_malformed(void **state)
{
	struct net_t *t = mk(2);
	uint8_t got[64], f[60];
	uint64_t a[2] = {BUF(1), BUF(2)};
	uint32_t l[2] = {12, 60};
	bool rw[2] = {false, true};

	(void)state;
	frame(f, sizeof(f), 5);
	for (unsigned c = 0; c < 4; c++) {
		unsigned q = c < 2 ? VMM_NET_RX : VMM_NET_TX;

		bring_up(t);
		t->irqs = 0;
		if (c == 0) /* a receive chain with a readable buffer */
			give(t, q, 2, a, l, (bool[]){false, true});
		else if (c == 1) /* a receive buffer shorter than the header */
			give1(t, q, BUF(1), 11, true);
		else if (c == 2) /* a transmit chain with a writable buffer */
			give(t, q, 2, a, l, rw);
		else /* a transmit chain shorter than the header */
			give1(t, q, BUF(1), 11, false);
		assert_int_equal(send(t->peer, f, sizeof(f), 0), sizeof(f));
		vmm_virtio_process(&t->vd, q);
		assert_true(vmm_virtio_needs_reset(&t->vd));
		assert_int_equal(t->vd.stats.last_error, VMM_VQ_ERR_DEVICE);
		assert_int_equal(rd(t, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG,
				 VIRTIO_INT_CONFIG);
		assert_int_equal(used(t, q), 0);
		assert_int_equal(recv(t->peer, got, sizeof(got), 0), -1);
		/* Drain what the receive side did not take (the reset drops a held frame). */
		while (read(t->n.fd, got, sizeof(got)) > 0)
			;
	}
	assert_int_equal(t->n.tx_frames + t->n.rx_frames, 0);
	bring_up(t);
	give1(t, VMM_NET_RX, BUF(1), 12 + 60, true);
	assert_int_equal(send(t->peer, f, sizeof(f), 0), sizeof(f));
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(used(t, VMM_NET_RX), 1);
	assert_memory_equal(gp(t, BUF(1)) + 12, f, sizeof(f));
	rm(t);
}

/* A frame held for a receive buffer goes with a device reset. */
static void test_reset_drops_held_frame(void **state)
{
	struct net_t *t = mk(2);
	uint8_t f[100];

	(void)state;
	frame(f, sizeof(f), 2);
	assert_int_equal(send(t->peer, f, sizeof(f), 0), sizeof(f));
	give1(t, VMM_NET_RX, BUF(1), 12 + 50, true); /* too small: the frame is dropped */
	vmm_virtio_process(&t->vd, VMM_NET_RX);
	assert_int_equal(t->n.rx_dropped, 1);
	t->n.rx_len = 10; /* as if a frame were held */
	reg(t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(t->n.rx_len, 0);
	rm(t);
}

static void test_parse_mac(void **state)
{
	uint8_t m[6] = {0};
	static const char *const bad[] = {
	    "",
	    "52:54:00:12:34",
	    "52:54:00:12:34:56:",
	    "52:54:00:12:34:56:78",
	    "52-54-00-12-34-56",
	    "5:54:00:12:34:56",
	    "52:54:00:12:34:5g",
	    "g2:54:00:12:34:56",
	    "01:00:5e:00:00:01",
	    "ff:ff:ff:ff:ff:ff",
	    "00:00:00:00:00:00",
	    "525400123456",
	};

	(void)state;
	assert_int_equal(vmm_net_parse_mac("52:54:00:Ab:cD:eF", m), 0);
	assert_memory_equal(m, ((uint8_t[]){0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}), 6);
	assert_int_equal(vmm_net_parse_mac("02:00:00:00:00:00", m), 0);
	assert_int_equal(m[0], 2);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(m, 0x77, sizeof(m));
		assert_int_equal(vmm_net_parse_mac(bad[i], m), -1);
		assert_int_equal(m[0], 0x77); /* untouched on failure */
	}
}

static void test_tap_errors(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(vmm_tap_open("gzvmm-no-tap", err, sizeof(err)), -1);
	assert_string_equal(err, "tap 'gzvmm-no-tap' does not exist (create it first: ip tuntap "
				 "add dev gzvmm-no-tap mode tap)");
	assert_int_equal(vmm_tap_open("sixteen-chars-xx", err, sizeof(err)), -1);
	assert_string_equal(err, "tap name 'sixteen-chars-xx' is too long (at most 15 characters)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_frames_v1_header),
	    cmocka_unit_test(test_frames_legacy_header),
	    cmocka_unit_test(test_rx_wait_and_drop),
	    cmocka_unit_test(test_tx_drops),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_reset_drops_held_frame),
	    cmocka_unit_test(test_parse_mac),
	    cmocka_unit_test(test_tap_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
