/* virtio: a guest driver for gzvmm's virtio-mmio devices, polling (no interrupts): it finds
 * the transports, negotiates VERSION_1, reads sector 0 of the disk, writes sector 1 and reads
 * it back, asks for the disk id, flushes, prints through the virtio-console transmit queue,
 * receives a line on its receive queue, and takes bytes from virtio-rng. Each step prints
 * what it saw, so the transcript checks the whole round trip. */
#include "common/guest.h"
#include "common/virtio.h"

#define QSZ	   VQ_SIZE
#define POLL_LIMIT 50000000UL
#define ID_READS   1000

static struct vq blkq __attribute__((aligned(4096)));
static struct vq conq[2] __attribute__((aligned(4096)));
static struct vq rngq __attribute__((aligned(4096)));
static uint8_t buf[4096] __attribute__((aligned(64)));

static void mb(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

static bool dev_init(uint64_t base)
{
	virtio_begin(base);
	return virtio_features_ok(base, 0);
}

/* Publishes the chain at descriptor 0, notifies, waits for it to come back. Returns the used
 * length, or -1 if the device never answered. */
static long submit(struct vq *v)
{
	v->avail.ring[v->avail.idx % QSZ] = 0;
	mb();
	v->avail.idx++;
	mb();
	w32(v->base + R_QUEUE_NOTIFY, v->q);
	for (unsigned long i = 0; i < POLL_LIMIT; i++) {
		mb();
		if (*(volatile uint16_t *)&v->used.idx != v->last_used) {
			uint32_t len = v->used.ring[v->last_used % QSZ].len;

			v->last_used++;
			return len;
		}
		__asm__ volatile("yield");
	}
	return -1;
}

static void setd(struct vq *v, unsigned i, void *p, uint32_t len, uint16_t flags, bool more)
{
	v->d[i].addr = (uint64_t)p;
	v->d[i].len = len;
	v->d[i].flags = flags | (more ? 1 : 0);
	v->d[i].next = (uint16_t)(i + 1);
}

struct blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

static struct blk_hdr hdr;
static uint8_t status;

static long blk(uint32_t type, uint64_t sector, void *data, uint32_t len, bool to_dev)
{
	unsigned n = 0;

	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status = 0xff;
	setd(&blkq, n++, &hdr, sizeof(hdr), 0, true);
	if (len)
		setd(&blkq, n++, data, len, to_dev ? 0 : F_WRITE, true);
	setd(&blkq, n++, &status, 1, F_WRITE, false);
	return submit(&blkq);
}

static void print_str(const char *what, const uint8_t *p, unsigned max)
{
	char s[65];
	unsigned i;

	for (i = 0; i < max && i < 64 && p[i] >= 0x20 && p[i] < 0x7f; i++)
		s[i] = (char)p[i];
	s[i] = 0;
	printf_("%s: '%s'\n", what, s);
}

static void test_blk(uint64_t base)
{
	static const char msg[] = "written by the guest";
	long r;

	if (!dev_init(base)) {
		puts_("blk: features refused\n");
		return;
	}
	vq_init(&blkq, base, 0);
	w32(base + R_STATUS, 0xf);
	printf_("blk: capacity %lu sectors\n", r64(base + R_CONFIG));
	r = blk(0, 0, buf, 512, false);
	printf_("blk: read sector 0: len %ld status %u\n", r, status);
	print_str("blk: sector 0", buf, 64);
	for (unsigned i = 0; i < 512; i++)
		buf[i] = i < sizeof(msg) ? (uint8_t)msg[i] : 0;
	r = blk(1, 1, buf, 512, true);
	printf_("blk: write sector 1: len %ld status %u\n", r, status);
	for (unsigned i = 0; i < 512; i++)
		buf[i] = 0;
	r = blk(0, 1, buf, 512, false);
	printf_("blk: read back sector 1: len %ld status %u\n", r, status);
	print_str("blk: sector 1", buf, 64);
	r = blk(0, 1000000, buf, 512, false);
	printf_("blk: read past the end: status %u\n", status);
	r = blk(8, 0, buf, 20, false);
	printf_("blk: get-id status %u\n", status);
	print_str("blk: id", buf, 20);
	r = blk(4, 0, buf, 0, false);
	printf_("blk: flush status %u\n", status);
}

static void test_console(uint64_t base)
{
	static const char msg[] = "hello through virtio-console\n";
	static char out[sizeof(msg)];
	long r;

	if (!dev_init(base)) {
		puts_("console: features refused\n");
		return;
	}
	vq_init(&conq[0], base, 0);
	vq_init(&conq[1], base, 1);
	w32(base + R_STATUS, 0xf);
	for (unsigned i = 0; i < sizeof(msg); i++)
		out[i] = msg[i];
	setd(&conq[1], 0, out, sizeof(msg) - 1, 0, false);
	r = submit(&conq[1]);
	printf_("console: transmitted, used len %ld\n", r);
	for (unsigned i = 0; i < 64; i++)
		buf[i] = 0;
	setd(&conq[0], 0, buf, 64, F_WRITE, false);
	r = submit(&conq[0]);
	printf_("console: received %ld bytes\n", r);
	print_str("console: input", buf, r > 0 ? (unsigned)r : 0);
}

static void test_rng(uint64_t base)
{
	long r;
	unsigned nonzero = 0;

	if (!dev_init(base)) {
		puts_("rng: features refused\n");
		return;
	}
	vq_init(&rngq, base, 0);
	w32(base + R_STATUS, 0xf);
	for (unsigned i = 0; i < 32; i++)
		buf[i] = 0;
	setd(&rngq, 0, buf, 32, F_WRITE, false);
	r = submit(&rngq);
	for (unsigned i = 0; i < 32; i++)
		nonzero += buf[i] != 0;
	printf_("rng: %ld bytes, %s\n", r, nonzero > 16 ? "random-looking" : "suspicious");
}

/* The identification registers read the same whoever answers them: gzvmm, or the hypervisor
 * once gzvmm declared them constant. A read of another width and a write still reach gzvmm,
 * which reads 0 for the one and ignores the other. */
static void id_registers(void)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < ID_READS; i++)
		sum += r32(VIRTIO_BASE + R_DEVICE_ID);
	printf_("id: %u reads of transport 0's DeviceID, each %u\n", ID_READS, sum / ID_READS);
	printf_("id: a byte read of MagicValue: %u\n",
		(unsigned)*(volatile uint8_t *)(VIRTIO_BASE + R_MAGIC));
	w32(VIRTIO_BASE + R_MAGIC, 0);
	printf_("id: MagicValue after a write: %x, empty transport 31: device %u vendor %x\n",
		r32(VIRTIO_BASE + R_MAGIC), r32(VIRTIO_BASE + 31 * VIRTIO_STRIDE + R_DEVICE_ID),
		r32(VIRTIO_BASE + 31 * VIRTIO_STRIDE + R_VENDOR_ID));
}

void guest_main(unsigned cpu)
{
	(void)cpu;
	for (unsigned i = 0; i < 32; i++) {
		uint64_t base = VIRTIO_BASE + i * VIRTIO_STRIDE;
		uint32_t id;

		if (r32(base + R_MAGIC) != 0x74726976)
			break;
		id = r32(base + R_DEVICE_ID);
		if (id == 0)
			continue; /* an empty transport */
		printf_("transport %u: version %u device %u\n", i, r32(base + R_VERSION), id);
		if (id == 2)
			test_blk(base);
		else if (id == 3)
			test_console(base);
		else if (id == 4)
			test_rng(base);
	}
	id_registers();
	puts_("virtio done\n");
}
