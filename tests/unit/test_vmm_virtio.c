/* virtio-mmio transport, split virtqueues and the blk/console/rng devices, driven as a guest
 * driver would: feature negotiation, queue setup (v2 and legacy v1), requests, event-idx
 * interrupt suppression, and every malformed ring case, each of which must set
 * DEVICE_NEEDS_RESET, raise a config interrupt, touch nothing, and leave the device usable
 * again after a reset. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "virtio_devices.h"
#include "virtio_mmio.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (1ULL << 20)
#define DESC	 (RAM_BASE + 0x1000)
#define AVAIL	 (RAM_BASE + 0x2000)
#define USED	 (RAM_BASE + 0x3000)
#define DATA	 (RAM_BASE + 0x10000)
#define QSIZE	 16

struct t {
	struct vmm_mem mem;
	uint8_t *ram;
	struct vmm_virtio vd;
	union {
		struct vmm_blk blk;
		struct vmm_vcon vcon;
		struct vmm_rng rng;
	} u;
	struct vmm_console con;
	int con_fd;
	int irqs;
	int notified[2];
	int requeued;
	uint16_t avail_idx;
	char diskpath[64];
};

static void on_irq(void *ctx)
{
	((struct t *)ctx)->irqs++;
}

static void on_notify(void *ctx, unsigned q)
{
	((struct t *)ctx)->notified[q]++;
}

static uint8_t *g(struct t *t, uint64_t gpa)
{
	return t->ram + (gpa - RAM_BASE);
}

static void w32(struct t *t, uint64_t off, uint32_t v)
{
	vmm_virtio_mmio_write(&t->vd, off, 4, v);
}

static uint32_t r32(struct t *t, uint64_t off)
{
	return (uint32_t)vmm_virtio_mmio_read(&t->vd, off, 4);
}

static struct t *mk(const struct vmm_virtio_dev_ops *ops, unsigned version)
{
	struct t *t = calloc(1, sizeof(*t));
	char path[] = "/tmp/gzvmm-con-XXXXXX";

	t->ram = calloc(1, RAM_SIZE);
	assert_int_equal(vmm_mem_add(&t->mem, RAM_BASE, RAM_SIZE, t->ram), 0);
	t->con_fd = mkstemp(path);
	unlink(path);
	vmm_console_init(&t->con, t->con_fd);
	if (ops == &vmm_blk_ops) {
		char dp[] = "/tmp/gzvmm-disk-XXXXXX";
		int fd = mkstemp(dp);
		uint8_t sec[512];

		for (unsigned s = 0; s < 64; s++) {
			memset(sec, (int)s, sizeof(sec));
			assert_int_equal(write(fd, sec, sizeof(sec)), 512);
		}
		close(fd);
		strcpy(t->diskpath, dp);
	} else if (ops == &vmm_vcon_ops) {
		t->u.vcon.out = &t->con;
	}
	assert_int_equal(vmm_virtio_init(&t->vd, ops, &t->u, &t->mem, version, 0), 0);
	t->vd.irq = on_irq;
	t->vd.notify = on_notify;
	t->vd.cb_ctx = t;
	return t;
}

static void open_disk(struct t *t, bool ro)
{
	char err[256];

	assert_int_equal(vmm_blk_open(&t->u.blk, t->diskpath, ro, 0, err, sizeof(err)), 0);
}

static void rm(struct t *t)
{
	if (t->vd.ops == &vmm_blk_ops) {
		vmm_blk_close(&t->u.blk);
		unlink(t->diskpath);
	}
	vmm_virtio_destroy(&t->vd);
	vmm_console_destroy(&t->con);
	close(t->con_fd);
	free(t->ram);
	free(t);
}

static void setup_queue(struct t *t, unsigned q, uint64_t desc, uint64_t avail, uint64_t used)
{
	w32(t, VIRTIO_MMIO_QUEUE_SEL, q);
	assert_int_equal(r32(t, VIRTIO_MMIO_QUEUE_NUM_MAX), VMM_VQ_MAX_SIZE);
	w32(t, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	w32(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	w32(t, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	w32(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	w32(t, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	w32(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	w32(t, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	w32(t, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* The v2 driver sequence (virtio 1.x §3.1.1); event_idx chooses that feature. */
static void drv_init(struct t *t, bool event_idx)
{
	uint64_t f;

	w32(t, VIRTIO_MMIO_STATUS, 0);
	w32(t, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	w32(t, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = r32(t, VIRTIO_MMIO_DEVICE_FEATURES);
	w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f |= (uint64_t)r32(t, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	if (!event_idx)
		f &= ~VIRTIO_F_RING_EVENT_IDX;
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	w32(t, VIRTIO_MMIO_STATUS, 0xb);
	assert_true(r32(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	memset(t->ram, 0, 0x10000);
	t->avail_idx = 0;
	for (unsigned q = 0; q < t->vd.ops->nqueues; q++)
		setup_queue(t, q, DESC + q * 0x4000, AVAIL + q * 0x4000, USED + q * 0x4000);
	w32(t, VIRTIO_MMIO_STATUS, 0xf);
}

struct b {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static void put_desc(struct t *t, unsigned q, unsigned i, struct b d)
{
	uint8_t *p = g(t, DESC + q * 0x4000 + 16ULL * i);

	memcpy(p, &d.addr, 8);
	memcpy(p + 8, &d.len, 4);
	memcpy(p + 12, &d.flags, 2);
	memcpy(p + 14, &d.next, 2);
}

static void publish(struct t *t, unsigned q, uint16_t head)
{
	uint8_t *av = g(t, AVAIL + q * 0x4000);
	uint16_t idx;

	memcpy(&idx, av + 2, 2);
	memcpy(av + 4 + 2 * (idx % QSIZE), &head, 2);
	idx++;
	memcpy(av + 2, &idx, 2);
}

/* Chains descriptors 0..n-1 (NEXT flags added) and publishes head 0. */
static void chain(struct t *t, unsigned q, const struct b *bufs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct b d = bufs[i];

		if (i + 1 < n) {
			d.flags |= VRING_DESC_F_NEXT;
			d.next = (uint16_t)(i + 1);
		}
		put_desc(t, q, i, d);
	}
	publish(t, q, 0);
}

static uint16_t used_idx(struct t *t, unsigned q)
{
	uint16_t v;

	memcpy(&v, g(t, USED + q * 0x4000 + 2), 2);
	return v;
}

static uint32_t used_len(struct t *t, unsigned q, unsigned slot)
{
	uint32_t v;

	memcpy(&v, g(t, USED + q * 0x4000 + 4 + 8 * slot + 4), 4);
	return v;
}

static void test_registers(void **state)
{
	struct t *t = mk(&vmm_rng_ops, 2);

	(void)state;
	assert_int_equal(r32(t, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	assert_int_equal(r32(t, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(r32(t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	assert_int_equal(r32(t, VIRTIO_MMIO_VENDOR_ID), VIRTIO_VENDOR_ID);
	/* Non-32-bit register accesses are ignored / read as zero. */
	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
	vmm_virtio_mmio_write(&t->vd, VIRTIO_MMIO_STATUS, 1, 1);
	assert_int_equal(r32(t, VIRTIO_MMIO_STATUS), 0);
	/* Queue beyond the device's count. */
	w32(t, VIRTIO_MMIO_QUEUE_SEL, 5);
	assert_int_equal(r32(t, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	w32(t, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(r32(t, VIRTIO_MMIO_QUEUE_READY), 0);
	/* Feature word 1 has VERSION_1; word 2 is empty. */
	w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(r32(t, VIRTIO_MMIO_DEVICE_FEATURES), 1);
	w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(r32(t, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	/* Unknown offsets. */
	assert_int_equal(r32(t, 0x0f0), 0);
	w32(t, 0x0f0, 1);
	/* Notify through MMIO goes to the notify callback (no ioeventfd). */
	w32(t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	w32(t, VIRTIO_MMIO_QUEUE_NOTIFY, 7);
	assert_int_equal(t->notified[0], 1);
	assert_int_equal(t->vd.stats.notifies, 2);
	rm(t);
}

static uint64_t refill_features(struct vmm_virtio *vd)
{
	(void)vd;
	return 0;
}

/* Consumes each chain and publishes it again at once: a guest refilling the ring from another
 * vCPU as fast as the device serves it. */
static int refill_handle(struct vmm_virtio *vd, unsigned q, const struct vmm_vq_chain *c,
			 uint32_t *written)
{
	publish(vd->cb_ctx, q, c->head);
	*written = 0;
	return 0;
}

static const struct vmm_virtio_dev_ops refill_ops = {
    .name = "refill",
    .device_id = 99,
    .nqueues = 1,
    .features = refill_features,
    .handle = refill_handle,
};

static void on_notify_serve(void *ctx, unsigned q)
{
	struct t *t = ctx;

	t->notified[q]++;
	vmm_virtio_process(&t->vd, q);
}

static void on_requeue(void *ctx, unsigned q)
{
	(void)q;
	((struct t *)ctx)->requeued++;
}

/* A device served on the notifying thread (gzvmm's virtio-blk): its notify callback processes
 * the queue on the spot. A pass that runs out of budget hands the rest to requeue, never back
 * to notify, which would serve it again from inside the pass (recursion without end while
 * the guest keeps refilling). */
static void test_serve_on_notify(void **state)
{
	struct t *t = mk(&refill_ops, 2);

	(void)state;
	t->vd.notify = on_notify_serve;
	t->vd.requeue = on_requeue;
	drv_init(t, true);
	put_desc(t, 0, 0, (struct b){DATA, 64, 0, 0});
	publish(t, 0, 0);
	w32(t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(t->notified[0], 1);
	assert_int_equal(t->requeued, 1);
	assert_int_equal(t->vd.stats.chains, 1024);
	assert_int_equal(used_idx(t, 0), 1024);
	assert_int_equal(t->irqs, 1);
	assert_false(vmm_virtio_needs_reset(&t->vd));
	/* Without a requeue callback the transport falls back to notify, as before. */
	t->vd.notify = on_notify;
	t->vd.requeue = NULL;
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(t->notified[0], 2);
	assert_int_equal(t->vd.stats.chains, 2048);
	rm(t);
}

static void test_feature_negotiation(void **state)
{
	struct t *t = mk(&vmm_rng_ops, 2);

	(void)state;
	w32(t, VIRTIO_MMIO_STATUS, 3);
	/* Without VERSION_1 a modern device refuses FEATURES_OK. */
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	w32(t, VIRTIO_MMIO_STATUS, 0xb);
	assert_false(r32(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	/* A feature never offered is refused too. */
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 1 | 2);
	w32(t, VIRTIO_MMIO_STATUS, 0xb);
	assert_false(r32(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	w32(t, VIRTIO_MMIO_STATUS, 0xb);
	assert_true(r32(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	/* Features are frozen after FEATURES_OK. */
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 3);
	assert_true(t->vd.drv_features == VIRTIO_F_VERSION_1);
	rm(t);

	/* A protected VM's device offers ACCESS_PLATFORM (bit 33), and takes it. */
	t = mk(&vmm_rng_ops, 2);
	t->vd.access_platform = true;
	w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(r32(t, VIRTIO_MMIO_DEVICE_FEATURES) & 3, 3);
	w32(t, VIRTIO_MMIO_STATUS, 3);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 1 | 2);
	w32(t, VIRTIO_MMIO_STATUS, 0xb);
	assert_true(r32(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	assert_true(t->vd.drv_features == (VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM));
	rm(t);
	/* never on a legacy transport, whose features end at bit 31 */
	t = mk(&vmm_rng_ops, 1);
	t->vd.access_platform = true;
	assert_false(vmm_virtio_offered(&t->vd) & VIRTIO_F_ACCESS_PLATFORM);
	rm(t);
}

static void test_rng(void **state)
{
	struct t *t = mk(&vmm_rng_ops, 2);
	struct b d = {DATA, 64, VRING_DESC_F_WRITE, 0};
	int nonzero = 0;

	(void)state;
	drv_init(t, false);
	chain(t, 0, &d, 1);
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(used_idx(t, 0), 1);
	assert_int_equal(used_len(t, 0, 0), 64);
	for (unsigned i = 0; i < 64; i++)
		nonzero += g(t, DATA)[i] != 0;
	assert_true(nonzero > 32);
	assert_int_equal(t->irqs, 1);
	assert_int_equal(r32(t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_USED_RING);
	w32(t, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_USED_RING);
	assert_int_equal(r32(t, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* Nothing new: no work, no interrupt. */
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(t->irqs, 1);
	/* NO_INTERRUPT suppresses the interrupt without event-idx. */
	uint16_t flags = VRING_AVAIL_F_NO_INTERRUPT;

	memcpy(g(t, AVAIL), &flags, 2);
	publish(t, 0, 0);
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(used_idx(t, 0), 2);
	assert_int_equal(t->irqs, 1);
	assert_int_equal(((struct vmm_rng *)t->vd.dev)->bytes, 128);
	rm(t);
}

/* A deterministic run's entropy is its seed's: the same state, the same bytes. */
static void test_rng_deterministic(void **state)
{
	uint8_t first[300];
	int nonzero = 0;

	(void)state;
	for (int run = 0; run < 2; run++) {
		struct t *t = mk(&vmm_rng_ops, 2);
		struct b d = {DATA, 300, VRING_DESC_F_WRITE, 0};
		struct vmm_rng *r = t->vd.dev;

		r->det = true;
		r->state = 42;
		drv_init(t, false);
		chain(t, 0, &d, 1);
		vmm_virtio_process(&t->vd, 0);
		assert_int_equal(used_len(t, 0, 0), 300);
		if (run == 0)
			memcpy(first, g(t, DATA), sizeof(first));
		else
			assert_memory_equal(first, g(t, DATA), sizeof(first));
		rm(t);
	}
	for (unsigned i = 0; i < sizeof(first); i++)
		nonzero += first[i] != 0;
	assert_true(nonzero > 200);
}

static void test_event_idx(void **state)
{
	struct t *t = mk(&vmm_rng_ops, 2);
	struct b d = {DATA, 8, VRING_DESC_F_WRITE, 0};
	uint16_t ev, avail_event;

	(void)state;
	drv_init(t, true);
	put_desc(t, 0, 0, d);
	/* used_event = 2: interrupt only once the used index passes 2. */
	ev = 2;
	memcpy(g(t, AVAIL + 4 + 2 * QSIZE), &ev, 2);
	publish(t, 0, 0);
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(t->irqs, 1); /* the very first interrupt is always sent */
	/* The device asked to be notified at the next buffer. */
	memcpy(&avail_event, g(t, USED + 4 + 8 * QSIZE), 2);
	assert_int_equal(avail_event, 1);
	publish(t, 0, 0);
	vmm_virtio_process(&t->vd, 0); /* used idx 2: 2 - 2 - 1 = ffff, not < 1 */
	assert_int_equal(t->irqs, 1);
	publish(t, 0, 0);
	vmm_virtio_process(&t->vd, 0); /* used idx 3 crosses used_event 2 */
	assert_int_equal(t->irqs, 2);
	publish(t, 0, 0);
	publish(t, 0, 0);
	vmm_virtio_process(&t->vd, 0); /* used idx 5, event 2 already passed */
	assert_int_equal(t->irqs, 2);
	assert_int_equal(used_idx(t, 0), 5);
	memcpy(&avail_event, g(t, USED + 4 + 8 * QSIZE), 2);
	assert_int_equal(avail_event, 5);
	rm(t);
}

/* A blk request: header, data (n bytes), status. */
static void blk_req(struct t *t, uint32_t type, uint64_t sector, uint32_t n, bool data_write)
{
	uint8_t *h = g(t, DATA);
	struct b bufs[3];
	unsigned k = 0;

	memset(h, 0, 16);
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	bufs[k++] = (struct b){DATA, 16, 0, 0};
	if (n)
		bufs[k++] = (struct b){DATA + 0x1000, n, data_write ? VRING_DESC_F_WRITE : 0, 0};
	bufs[k++] = (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0};
	*g(t, DATA + 0x8000) = 0xff;
	chain(t, 0, bufs, k);
	vmm_virtio_process(&t->vd, 0);
}

static uint8_t blk_status(struct t *t)
{
	return *g(t, DATA + 0x8000);
}

static void test_blk(void **state)
{
	struct t *t = mk(&vmm_blk_ops, 2);
	uint64_t cap;

	(void)state;
	open_disk(t, false);
	/* Config: capacity 64 sectors, blk_size 512, seg_max. */
	cap = vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG, 8);
	assert_int_equal(cap, 64);
	assert_int_equal(r32(t, VIRTIO_MMIO_CONFIG + 20), 512);
	assert_int_equal(r32(t, VIRTIO_MMIO_CONFIG + 12), VIRTIO_BLK_SEG_MAX);
	assert_int_equal(vmm_virtio_mmio_read(&t->vd, VIRTIO_MMIO_CONFIG, 1), 64);
	assert_int_equal(r32(t, VIRTIO_MMIO_CONFIG + 22), 0); /* past the end */
	drv_init(t, true);

	blk_req(t, VIRTIO_BLK_T_IN, 5, 1024, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	assert_int_equal(g(t, DATA + 0x1000)[0], 5);
	assert_int_equal(g(t, DATA + 0x1000)[1023], 6);
	assert_int_equal(used_len(t, 0, 0), 1025);

	memset(g(t, DATA + 0x1000), 0xab, 512);
	blk_req(t, VIRTIO_BLK_T_OUT, 63, 512, false);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	memset(g(t, DATA + 0x1000), 0, 512);
	blk_req(t, VIRTIO_BLK_T_IN, 63, 512, true);
	assert_int_equal(g(t, DATA + 0x1000)[100], 0xab);

	blk_req(t, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	blk_req(t, VIRTIO_BLK_T_GET_ID, 0, 20, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	assert_string_equal((char *)g(t, DATA + 0x1000), "gzvmm-disk0");
	/* Beyond the end, reads and writes fail with IOERR; unknown types are UNSUPP. */
	blk_req(t, VIRTIO_BLK_T_IN, 64, 512, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_IOERR);
	blk_req(t, VIRTIO_BLK_T_OUT, 63, 1024, false);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_IOERR);
	blk_req(t, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_IOERR);
	blk_req(t, 99, 0, 0, false);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_UNSUPP);
	assert_false(vmm_virtio_needs_reset(&t->vd));
	assert_int_equal(t->u.blk.reads, 2);
	assert_int_equal(t->u.blk.writes, 1);
	rm(t);
}

/* Linux zeroes a range without WRITE_ZEROES by writing its one zero page again and again in a
 * single request: device-readable buffers that overlap are legal (a Debian root file system hung
 * at its first journal commit when the device refused them). */
static void test_blk_repeated_page(void **state)
{
	struct t *t = mk(&vmm_blk_ops, 2);
	uint32_t type = VIRTIO_BLK_T_OUT;
	uint64_t sector = 8;
	struct b bufs[6];

	(void)state;
	open_disk(t, false);
	drv_init(t, true);
	memset(g(t, DATA), 0, 16);
	memcpy(g(t, DATA), &type, 4);
	memcpy(g(t, DATA) + 8, &sector, 8);
	memset(g(t, DATA + 0x1000), 0x5a, 512);
	bufs[0] = (struct b){DATA, 16, 0, 0};
	for (unsigned i = 1; i <= 4; i++)
		bufs[i] = (struct b){DATA + 0x1000, 512, 0, 0};
	bufs[5] = (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0};
	*g(t, DATA + 0x8000) = 0xff;
	chain(t, 0, bufs, 6);
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	assert_false(vmm_virtio_needs_reset(&t->vd));
	memset(g(t, DATA + 0x1000), 0, 2048);
	blk_req(t, VIRTIO_BLK_T_IN, 8, 2048, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	for (unsigned i = 0; i < 2048; i++)
		assert_int_equal(g(t, DATA + 0x1000)[i], 0x5a);
	/* A device-writable buffer over a readable one is still refused. */
	bufs[1] = (struct b){DATA + 0x1000, 512, VRING_DESC_F_WRITE, 0};
	bufs[2] = (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0};
	bufs[0] = (struct b){DATA + 0x1000, 16, 0, 0};
	chain(t, 0, bufs, 3);
	vmm_virtio_process(&t->vd, 0);
	assert_true(vmm_virtio_needs_reset(&t->vd));
	rm(t);
}

/* Requests scattered over many buffers move in one preadv/pwritev: a write whose data starts
 * in the header's buffer and runs on over two more, a read into three buffers placed out of
 * order in guest memory, and a read past the end of a file that shrank under the device
 * (the missing part reads as zeros, the status is OK). */
static void test_blk_scattered(void **state)
{
	struct t *t = mk(&vmm_blk_ops, 2);
	uint32_t type = VIRTIO_BLK_T_OUT;
	uint64_t sector = 10;
	struct b bufs[5];
	uint8_t *d;

	(void)state;
	open_disk(t, false);
	drv_init(t, true);
	d = g(t, DATA);
	memset(d, 0, 16);
	memcpy(d, &type, 4);
	memcpy(d + 8, &sector, 8);
	memset(d + 16, 0x11, 512);
	memset(g(t, DATA + 0x2000), 0x22, 1024);
	memset(g(t, DATA + 0x3000), 0x33, 512);
	bufs[0] = (struct b){DATA, 16 + 512, 0, 0};
	bufs[1] = (struct b){DATA + 0x2000, 1024, 0, 0};
	bufs[2] = (struct b){DATA + 0x3000, 512, 0, 0};
	bufs[3] = (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0};
	*g(t, DATA + 0x8000) = 0xff;
	chain(t, 0, bufs, 4);
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	assert_int_equal(t->u.blk.writes, 1);

	/* Read sectors 9..13 back into buffers at 0x7000, 0x5000 (two sectors), 0x6000, 0x4000. */
	type = VIRTIO_BLK_T_IN;
	sector = 9;
	memcpy(d, &type, 4);
	memcpy(d + 8, &sector, 8);
	bufs[0] = (struct b){DATA, 16, 0, 0};
	bufs[1] = (struct b){DATA + 0x7000, 512, VRING_DESC_F_WRITE, 0};
	bufs[2] = (struct b){DATA + 0x5000, 1024, VRING_DESC_F_WRITE, 0};
	bufs[3] = (struct b){DATA + 0x6000, 1024, VRING_DESC_F_WRITE, 0};
	bufs[4] = (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0};
	chain(t, 0, bufs, 5);
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	assert_int_equal(used_len(t, 0, 1), 2560 + 1);
	assert_int_equal(g(t, DATA + 0x7000)[511], 9); /* sector 9 as mk() wrote it */
	assert_int_equal(g(t, DATA + 0x5000)[0], 0x11);
	assert_int_equal(g(t, DATA + 0x5000)[1023], 0x22);
	assert_int_equal(g(t, DATA + 0x6000)[0], 0x22);
	assert_int_equal(g(t, DATA + 0x6000)[512], 0x33);
	assert_int_equal(g(t, DATA + 0x6000)[1023], 0x33);

	/* The file shrinks to 10 sectors under the device: sector 9 is read, the rest zeros. */
	assert_int_equal(ftruncate(t->u.blk.fd, 10 * 512), 0);
	memset(g(t, DATA + 0x5000), 0xee, 0x2000);
	chain(t, 0, bufs, 5);
	vmm_virtio_process(&t->vd, 0);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	assert_int_equal(g(t, DATA + 0x7000)[0], 9);
	for (unsigned i = 0; i < 1024; i++) {
		assert_int_equal(g(t, DATA + 0x5000)[i], 0);
		assert_int_equal(g(t, DATA + 0x6000)[i], 0);
	}
	assert_false(vmm_virtio_needs_reset(&t->vd));
	rm(t);
}

static void test_blk_readonly(void **state)
{
	struct t *t = mk(&vmm_blk_ops, 2);

	(void)state;
	open_disk(t, true);
	w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_true(r32(t, VIRTIO_MMIO_DEVICE_FEATURES) & VIRTIO_BLK_F_RO);
	drv_init(t, false);
	memset(g(t, DATA + 0x1000), 0xcd, 512);
	blk_req(t, VIRTIO_BLK_T_OUT, 0, 512, false);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_IOERR);
	blk_req(t, VIRTIO_BLK_T_IN, 0, 512, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	assert_int_equal(g(t, DATA + 0x1000)[0], 0); /* sector 0 unchanged */
	rm(t);
}

/* Host I/O failures and short buffers: IOERR statuses, the device stays usable. */
static void test_blk_io_errors(void **state)
{
	struct t *t = mk(&vmm_blk_ops, 2);
	int fd;

	(void)state;
	open_disk(t, false);
	drv_init(t, true);
	/* GET_ID into a 4-byte buffer: truncated id, status still written last. */
	blk_req(t, VIRTIO_BLK_T_GET_ID, 0, 4, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	assert_memory_equal(g(t, DATA + 0x1000), "gzvm", 4);
	/* The backing file turns read-only under us (reopened O_RDONLY): writes and flushes
	 * fail with IOERR, reads still work. */
	fd = t->u.blk.fd;
	t->u.blk.fd = open(t->diskpath, O_RDONLY);
	close(fd);
	blk_req(t, VIRTIO_BLK_T_OUT, 2, 512, false);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_IOERR);
	blk_req(t, VIRTIO_BLK_T_IN, 2, 512, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
	/* A closed descriptor: reads fail too. */
	close(t->u.blk.fd);
	t->u.blk.fd = open("/dev/null", O_WRONLY);
	blk_req(t, VIRTIO_BLK_T_IN, 2, 512, true);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_IOERR);
	blk_req(t, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	assert_int_equal(blk_status(t), VIRTIO_BLK_S_IOERR);
	assert_false(vmm_virtio_needs_reset(&t->vd));
	assert_true(t->u.blk.ioerrs >= 3);
	rm(t);
}

static void test_console(void **state)
{
	struct t *t = mk(&vmm_vcon_ops, 2);
	struct b tx = {DATA, 5, 0, 0};
	struct b rx = {DATA + 0x100, 8, VRING_DESC_F_WRITE, 0};
	char out[16] = {0};

	(void)state;
	drv_init(t, true);
	memcpy(g(t, DATA), "hello", 5);
	chain(t, VMM_VCON_TX, &tx, 1);
	vmm_virtio_process(&t->vd, VMM_VCON_TX);
	assert_int_equal(pread(t->con_fd, out, sizeof(out), 0), 5);
	assert_string_equal(out, "hello");
	/* Receive: the buffer waits until input exists. */
	chain(t, VMM_VCON_RX, &rx, 1);
	vmm_virtio_process(&t->vd, VMM_VCON_RX);
	assert_int_equal(used_idx(t, VMM_VCON_RX), 0);
	assert_int_equal(vmm_vcon_input(&t->vd, "0123456789", 10), 10);
	assert_int_equal(vmm_vcon_input_space(&t->vd), VMM_VCON_INBUF - 10);
	vmm_virtio_process(&t->vd, VMM_VCON_RX);
	assert_int_equal(used_idx(t, VMM_VCON_RX), 1);
	assert_int_equal(used_len(t, VMM_VCON_RX, 0), 8);
	assert_memory_equal(g(t, DATA + 0x100), "01234567", 8);
	publish(t, VMM_VCON_RX, 0);
	vmm_virtio_process(&t->vd, VMM_VCON_RX);
	assert_int_equal(used_len(t, VMM_VCON_RX, 1), 2);
	assert_memory_equal(g(t, DATA + 0x100), "89", 2);
	/* A writable transmit buffer is malformed. */
	tx.flags = VRING_DESC_F_WRITE;
	chain(t, VMM_VCON_TX, &tx, 1);
	vmm_virtio_process(&t->vd, VMM_VCON_TX);
	assert_true(vmm_virtio_needs_reset(&t->vd));
	rm(t);
}

static void test_legacy_v1(void **state)
{
	struct t *t = mk(&vmm_rng_ops, 1);
	struct b d = {DATA, 32, VRING_DESC_F_WRITE, 0};

	(void)state;
	assert_int_equal(r32(t, VIRTIO_MMIO_VERSION), 1);
	w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(r32(t, VIRTIO_MMIO_DEVICE_FEATURES), 0); /* no VERSION_1 */
	w32(t, VIRTIO_MMIO_STATUS, 3);
	w32(t, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	w32(t, VIRTIO_MMIO_QUEUE_SEL, 0);
	w32(t, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	w32(t, VIRTIO_MMIO_QUEUE_ALIGN, 4096);
	w32(t, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(DESC >> 12));
	assert_int_equal(r32(t, VIRTIO_MMIO_QUEUE_PFN), DESC >> 12);
	w32(t, VIRTIO_MMIO_STATUS, 7);
	/* Legacy layout: avail right after the table, used at the next 4 KiB boundary. */
	put_desc(t, 0, 0, d);
	{
		uint8_t *av = g(t, DESC + 16 * QSIZE);
		uint16_t one = 1, zero = 0;

		memcpy(av + 4, &zero, 2);
		memcpy(av + 2, &one, 2);
	}
	vmm_virtio_process(&t->vd, 0);
	uint16_t uidx;

	memcpy(&uidx, g(t, DESC + 0x1000 + 2), 2);
	assert_int_equal(uidx, 1);
	/* PFN 0 turns the queue off; a bad alignment is a ring error. */
	w32(t, VIRTIO_MMIO_QUEUE_PFN, 0);
	assert_false(t->vd.vq[0].ready);
	w32(t, VIRTIO_MMIO_QUEUE_ALIGN, 3000);
	w32(t, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(DESC >> 12));
	assert_true(vmm_virtio_needs_reset(&t->vd));
	rm(t);
}

/* ---- malformed rings ---- */

enum bad {
	BAD_LOOP,
	BAD_SELF_LOOP,
	BAD_NEXT,
	BAD_HEAD,
	BAD_INDEX,
	BAD_OUT_OF_RAM,
	BAD_WRAP,
	BAD_ZERO_LEN,
	BAD_OVERLAP,
	BAD_WRITE_INTO_RING,
	BAD_INDIRECT,
	BAD_ORDER,
	BAD_BLK_SHORT_HDR,
	BAD_BLK_NO_STATUS,
	BAD_BLK_ODD_LEN,
	BAD_BLK_OUT_WRITABLE_DATA,
	BAD_RNG_READABLE,
	BAD_COUNT
};

static const int bad_expect[BAD_COUNT] = {
    [BAD_LOOP] = VMM_VQ_ERR_LOOP,
    [BAD_SELF_LOOP] = VMM_VQ_ERR_LOOP,
    [BAD_NEXT] = VMM_VQ_ERR_NEXT,
    [BAD_HEAD] = VMM_VQ_ERR_HEAD,
    [BAD_INDEX] = VMM_VQ_ERR_INDEX,
    [BAD_OUT_OF_RAM] = VMM_VQ_ERR_RANGE,
    [BAD_WRAP] = VMM_VQ_ERR_RANGE,
    [BAD_ZERO_LEN] = VMM_VQ_ERR_RANGE,
    [BAD_OVERLAP] = VMM_VQ_ERR_OVERLAP,
    [BAD_WRITE_INTO_RING] = VMM_VQ_ERR_OVERLAP,
    [BAD_INDIRECT] = VMM_VQ_ERR_INDIRECT,
    [BAD_ORDER] = VMM_VQ_ERR_ORDER,
    [BAD_BLK_SHORT_HDR] = VMM_VQ_ERR_DEVICE,
    [BAD_BLK_NO_STATUS] = VMM_VQ_ERR_DEVICE,
    [BAD_BLK_ODD_LEN] = VMM_VQ_ERR_DEVICE,
    [BAD_BLK_OUT_WRITABLE_DATA] = VMM_VQ_ERR_ORDER,
    [BAD_RNG_READABLE] = VMM_VQ_ERR_DEVICE,
};

static void make_bad(struct t *t, enum bad k)
{
	uint8_t *h = g(t, DATA);
	uint32_t type = VIRTIO_BLK_T_IN;

	memset(h, 0, 16);
	memcpy(h, &type, 4);
	switch (k) {
	case BAD_LOOP:
		put_desc(t, 0, 0, (struct b){DATA, 16, VRING_DESC_F_NEXT, 1});
		put_desc(t, 0, 1, (struct b){DATA + 0x100, 16, VRING_DESC_F_NEXT, 2});
		put_desc(t, 0, 2, (struct b){DATA + 0x200, 16, VRING_DESC_F_NEXT, 1});
		publish(t, 0, 0);
		break;
	case BAD_SELF_LOOP:
		put_desc(t, 0, 0, (struct b){DATA, 16, VRING_DESC_F_NEXT, 0});
		publish(t, 0, 0);
		break;
	case BAD_NEXT:
		put_desc(t, 0, 0, (struct b){DATA, 16, VRING_DESC_F_NEXT, QSIZE});
		publish(t, 0, 0);
		break;
	case BAD_HEAD:
		publish(t, 0, QSIZE + 3);
		break;
	case BAD_INDEX: {
		uint16_t idx = QSIZE + 1;

		memcpy(g(t, AVAIL + 2), &idx, 2);
		break;
	}
	case BAD_OUT_OF_RAM:
		put_desc(t, 0, 0, (struct b){RAM_BASE + RAM_SIZE - 8, 16, VRING_DESC_F_WRITE, 0});
		publish(t, 0, 0);
		break;
	case BAD_WRAP:
		put_desc(t, 0, 0, (struct b){0xfffffffffffffff0ULL, 0x20, VRING_DESC_F_WRITE, 0});
		publish(t, 0, 0);
		break;
	case BAD_ZERO_LEN:
		put_desc(t, 0, 0, (struct b){DATA, 0, VRING_DESC_F_WRITE, 0});
		publish(t, 0, 0);
		break;
	case BAD_OVERLAP:
		put_desc(t, 0, 0, (struct b){DATA, 16, VRING_DESC_F_NEXT, 1});
		put_desc(t, 0, 1,
			 (struct b){DATA + 8, 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2});
		put_desc(t, 0, 2, (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0});
		publish(t, 0, 0);
		break;
	case BAD_WRITE_INTO_RING:
		put_desc(t, 0, 0, (struct b){DATA, 16, VRING_DESC_F_NEXT, 1});
		put_desc(t, 0, 1, (struct b){DESC, 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2});
		put_desc(t, 0, 2, (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0});
		publish(t, 0, 0);
		break;
	case BAD_INDIRECT:
		put_desc(t, 0, 0, (struct b){DATA, 16, VRING_DESC_F_INDIRECT, 0});
		publish(t, 0, 0);
		break;
	case BAD_ORDER:
		put_desc(t, 0, 0,
			 (struct b){DATA + 0x100, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1});
		put_desc(t, 0, 1, (struct b){DATA, 16, 0, 0});
		publish(t, 0, 0);
		break;
	case BAD_BLK_SHORT_HDR:
		put_desc(t, 0, 0, (struct b){DATA, 8, VRING_DESC_F_NEXT, 1});
		put_desc(t, 0, 1, (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0});
		publish(t, 0, 0);
		break;
	case BAD_BLK_NO_STATUS:
		put_desc(t, 0, 0, (struct b){DATA, 16, 0, 0});
		publish(t, 0, 0);
		break;
	case BAD_BLK_ODD_LEN:
		put_desc(t, 0, 0, (struct b){DATA, 16, VRING_DESC_F_NEXT, 1});
		put_desc(t, 0, 1,
			 (struct b){DATA + 0x1000, 100, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2});
		put_desc(t, 0, 2, (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE, 0});
		publish(t, 0, 0);
		break;
	case BAD_BLK_OUT_WRITABLE_DATA:
		type = VIRTIO_BLK_T_OUT;
		memcpy(h, &type, 4);
		put_desc(t, 0, 0, (struct b){DATA, 16, VRING_DESC_F_NEXT, 1});
		put_desc(t, 0, 1,
			 (struct b){DATA + 0x8000, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2});
		put_desc(t, 0, 2, (struct b){DATA + 0x1000, 512, 0, 0});
		publish(t, 0, 0);
		break;
	case BAD_RNG_READABLE:
		put_desc(t, 0, 0, (struct b){DATA, 16, 0, 0});
		publish(t, 0, 0);
		break;
	default:
		break;
	}
}

static void test_malformed_rings(void **state)
{
	(void)state;
	for (int k = 0; k < BAD_COUNT; k++) {
		bool rng = k == BAD_RNG_READABLE;
		struct t *t = mk(rng ? &vmm_rng_ops : &vmm_blk_ops, 2);
		uint8_t before[64];
		int irqs;

		if (!rng)
			open_disk(t, false);
		drv_init(t, true);
		irqs = t->irqs;
		make_bad(t, (enum bad)k);
		memcpy(before, g(t, USED), sizeof(before));
		vmm_virtio_process(&t->vd, 0);
		if (!(r32(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET))
			fail_msg("case %d: no DEVICE_NEEDS_RESET", k);
		if (t->vd.stats.last_error != bad_expect[k])
			fail_msg("case %d: error %d (%s), want %d", k, t->vd.stats.last_error,
				 vmm_vq_err_name(t->vd.stats.last_error), bad_expect[k]);
		/* Nothing was completed; the driver got a config-change interrupt. */
		assert_memory_equal(before, g(t, USED), sizeof(before));
		assert_int_equal(t->irqs, irqs + 1);
		assert_true(r32(t, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG);
		/* Stopped until reset: more notifications do nothing. */
		vmm_virtio_process(&t->vd, 0);
		assert_int_equal(t->irqs, irqs + 1);
		assert_int_equal(t->vd.stats.errors, 1);
		/* After a reset the device works again. */
		drv_init(t, true);
		assert_false(r32(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
		if (rng) {
			struct b d = {DATA, 16, VRING_DESC_F_WRITE, 0};

			chain(t, 0, &d, 1);
			vmm_virtio_process(&t->vd, 0);
		} else {
			blk_req(t, VIRTIO_BLK_T_IN, 1, 512, true);
			assert_int_equal(blk_status(t), VIRTIO_BLK_S_OK);
		}
		assert_int_equal(used_idx(t, 0), 1);
		rm(t);
	}
}

static void test_bad_queue_setup(void **state)
{
	static const struct {
		uint64_t desc, avail, used;
		uint16_t num;
	} cases[] = {
	    {DESC + 8, AVAIL, USED, QSIZE},		    /* desc misaligned */
	    {DESC, AVAIL + 1, USED, QSIZE},		    /* avail misaligned */
	    {DESC, AVAIL, USED + 2, QSIZE},		    /* used misaligned */
	    {0x1000, AVAIL, USED, QSIZE},		    /* desc outside RAM */
	    {DESC, AVAIL, RAM_BASE + RAM_SIZE - 16, QSIZE}, /* used runs off the end */
	    {DESC, AVAIL, DESC, QSIZE},			    /* used overlaps desc */
	    {DESC, AVAIL, AVAIL, QSIZE},		    /* used overlaps avail */
	    {DESC, AVAIL, USED, 3},			    /* not a power of two */
	    {DESC, AVAIL, USED, 0},			    /* zero */
	    {DESC, AVAIL, USED, 512},			    /* above the maximum */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct t *t = mk(&vmm_rng_ops, 2);

		w32(t, VIRTIO_MMIO_STATUS, 3);
		w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 1);
		w32(t, VIRTIO_MMIO_STATUS, 0xb);
		w32(t, VIRTIO_MMIO_QUEUE_SEL, 0);
		w32(t, VIRTIO_MMIO_QUEUE_NUM, cases[i].num);
		w32(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)cases[i].desc);
		w32(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)cases[i].avail);
		w32(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)cases[i].used);
		w32(t, VIRTIO_MMIO_QUEUE_READY, 1);
		if (r32(t, VIRTIO_MMIO_QUEUE_READY) || !vmm_virtio_needs_reset(&t->vd))
			fail_msg("case %zu accepted", i);
		assert_int_equal(t->vd.stats.last_error, VMM_VQ_ERR_RING);
		rm(t);
	}
}

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(vmm_vq_err_name(-VMM_VQ_ERR_LOOP), "descriptor loop");
	assert_string_equal(vmm_vq_err_name(VMM_VQ_OK), "ok");
	assert_string_equal(vmm_vq_err_name(1000), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registers),
	    cmocka_unit_test(test_feature_negotiation),
	    cmocka_unit_test(test_rng),
	    cmocka_unit_test(test_rng_deterministic),
	    cmocka_unit_test(test_event_idx),
	    cmocka_unit_test(test_blk),
	    cmocka_unit_test(test_blk_repeated_page),
	    cmocka_unit_test(test_serve_on_notify),
	    cmocka_unit_test(test_blk_scattered),
	    cmocka_unit_test(test_blk_readonly),
	    cmocka_unit_test(test_blk_io_errors),
	    cmocka_unit_test(test_console),
	    cmocka_unit_test(test_legacy_v1),
	    cmocka_unit_test(test_malformed_rings),
	    cmocka_unit_test(test_bad_queue_setup),
	    cmocka_unit_test(test_err_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
