/* net: a minimal virtio-net driver on gzvmm's --net device, with interrupts. It finds the
 * transport, negotiates VERSION_1, MAC and STATUS, prints the MAC and link state from config
 * space, then serves as host 10.0.2.15: ARP replies for its address, ICMP echo replies, and a
 * UDP echo on port 7. A UDP datagram "quit" is echoed too and ends the run with the counts, as
 * does an echo request whose data ends in eight 'q's (busybox's ping -p 71: its nc has no UDP).
 * The test on the other side of the TAP (tests/vmm/net_tap.sh, tests/qemu/fullstack_net.sh)
 * checks every echo it gets. Frames the guest does not know (IPv6 the host's stack sends on
 * its own) are counted, not answered. */
#include "common/guest.h"
#include "common/virtio.h"

#define BUFSZ 2048U
#define HDR   12U

#define F_MAC	 (1u << 5)
#define F_STATUS (1u << 16)

#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000

static struct vq rxq __attribute__((aligned(4096)));
static struct vq txq __attribute__((aligned(4096)));
static uint8_t rxbuf[VQ_SIZE][BUFSZ] __attribute__((aligned(64)));
static uint8_t txbuf[BUFSZ] __attribute__((aligned(64)));
static uint64_t base;
static unsigned spi_intid;
static volatile unsigned irqs;
static uint8_t mac[6];
static const uint8_t my_ip[4] = {10, 0, 2, 15};
static unsigned arp_replies, icmp_echoes, udp_echoes, other_frames;
static uint64_t udp_bytes;

static void mb(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

void guest_irq(unsigned intid)
{
	if (intid != spi_intid) {
		printf_("unexpected interrupt %u\n", intid);
		return;
	}
	w32(base + R_INT_ACK, r32(base + R_INT_STATUS));
	irqs++;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void copy(uint8_t *d, const uint8_t *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		d[i] = s[i];
}

static bool same(const uint8_t *a, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static uint16_t csum(const uint8_t *p, unsigned n)
{
	uint32_t s = 0;

	for (unsigned i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void rx_post(unsigned i)
{
	rxq.d[i].addr = (uint64_t)rxbuf[i];
	rxq.d[i].len = BUFSZ;
	rxq.d[i].flags = F_WRITE;
	rxq.avail.ring[rxq.avail.idx % VQ_SIZE] = (uint16_t)i;
	mb();
	rxq.avail.idx++;
}

/* Sends the frame in txbuf (after its header) and waits for the device to take it. */
static void tx(unsigned len)
{
	uint16_t want = (uint16_t)(txq.last_used + 1);

	for (unsigned i = 0; i < HDR; i++)
		txbuf[i] = 0;
	txq.d[0].addr = (uint64_t)txbuf;
	txq.d[0].len = HDR + len;
	txq.d[0].flags = 0;
	txq.avail.ring[txq.avail.idx % VQ_SIZE] = 0;
	mb();
	txq.avail.idx++;
	mb();
	w32(base + R_QUEUE_NOTIFY, 1);
	wfi_until(*(volatile uint16_t *)&txq.used.idx == want);
	txq.last_used = want;
}

/* The reply's Ethernet header: back to the sender. */
static uint8_t *reply_eth(const uint8_t *f, uint16_t type)
{
	uint8_t *o = txbuf + HDR;

	copy(o, f + 6, 6);
	copy(o + 6, mac, 6);
	put16(o + 12, type);
	return o + 14;
}

static void arp(const uint8_t *f, unsigned len)
{
	const uint8_t *a = f + 14;
	uint8_t *o;

	if (len < 42 || be16(a + 6) != 1 || !same(a + 24, my_ip, 4))
		return;
	o = reply_eth(f, 0x0806);
	copy(o, a, 6); /* htype, ptype, hlen, plen */
	put16(o + 6, 2);
	copy(o + 8, mac, 6);
	copy(o + 14, my_ip, 4);
	copy(o + 18, a + 8, 10); /* the asker's MAC and IP */
	tx(42);
	arp_replies++;
}

/* true when the datagram was "quit". */
static bool ipv4(const uint8_t *f, unsigned len)
{
	const uint8_t *ip = f + 14;
	unsigned ihl, tot;
	uint8_t *o;

	if (len < 34 || (ip[0] >> 4) != 4 || !same(ip + 16, my_ip, 4))
		return false;
	ihl = (ip[0] & 15u) * 4;
	tot = be16(ip + 2);
	if (ihl < 20 || tot < ihl + 8 || 14 + tot > len)
		return false;
	o = reply_eth(f, 0x0800);
	copy(o, ip, tot);
	copy(o + 12, ip + 16, 4); /* swapping the addresses keeps the header's checksum */
	copy(o + 16, ip + 12, 4);
	if (ip[9] == 1 && ip[ihl] == 8) { /* ICMP echo request */
		o[ihl] = 0;
		put16(o + ihl + 2, 0);
		put16(o + ihl + 2, csum(o + ihl, tot - ihl));
		tx(14 + tot);
		icmp_echoes++;
		return tot - ihl >= 8 + 16 && same(ip + tot - 8, (const uint8_t *)"qqqqqqqq", 8);
	}
	if (ip[9] == 17 && be16(ip + ihl + 2) == 7) { /* UDP echo */
		const uint8_t *payload = ip + ihl + 8;
		unsigned plen = tot - ihl - 8;

		copy(o + ihl, ip + ihl + 2, 2); /* ports swapped: the checksum holds */
		copy(o + ihl + 2, ip + ihl, 2);
		tx(14 + tot);
		udp_echoes++;
		udp_bytes += plen;
		return plen >= 4 && same(payload, (const uint8_t *)"quit", 4);
	}
	return false;
}

static bool frame(const uint8_t *f, unsigned len)
{
	if (len < 14)
		return false;
	if (be16(f + 12) == 0x0806) {
		arp(f, len);
		return false;
	}
	if (be16(f + 12) == 0x0800)
		return ipv4(f, len);
	other_frames++;
	return false;
}

static bool find(void)
{
	for (unsigned i = 0; i < VIRTIO_NR; i++)
		if (r32(VIRTIO_BASE + i * VIRTIO_STRIDE + R_DEVICE_ID) == 1) {
			base = VIRTIO_BASE + i * VIRTIO_STRIDE;
			spi_intid = VIRTIO_SPI0 + i;
			printf_("net: virtio-net at transport %u\n", i);
			return true;
		}
	return false;
}

static bool init(void)
{
	uint32_t f;
	unsigned n = spi_intid;

	virtio_begin(base);
	w32(base + R_DEV_FEAT_SEL, 0);
	f = r32(base + R_DEV_FEAT);
	printf_("net: features mac %s status %s\n", f & F_MAC ? "yes" : "no",
		f & F_STATUS ? "yes" : "no");
	if (!virtio_features_ok(base, f & (F_MAC | F_STATUS)))
		return false;
	vq_init(&rxq, base, 0);
	vq_init(&txq, base, 1);
	/* Edge-triggered SPI to CPU 0, as the device tree describes it. */
	w32(GICD_BASE + GICD_ICFGR + 4 * (n / 16),
	    r32(GICD_BASE + GICD_ICFGR + 4 * (n / 16)) | 2u << (2 * (n % 16)));
	w32(GICD_BASE + GICD_IGROUPR + 4 * (n / 32), 1u << (n % 32));
	w8(GICD_BASE + GICD_IPRIORITYR + n, 0x80);
	w64(GICD_BASE + GICD_IROUTER + 8 * n, 0);
	w32(GICD_BASE + GICD_ISENABLER + 4 * (n / 32), 1u << (n % 32));
	w32(base + R_STATUS, 0xf);
	for (unsigned i = 0; i < 6; i++)
		mac[i] = r8(base + R_CONFIG + i);
	printf_("net: mac %02x:%02x:%02x:%02x:%02x:%02x, link %s\n", mac[0], mac[1], mac[2], mac[3],
		mac[4], mac[5], r16(base + R_CONFIG + 6) & 1 ? "up" : "down");
	return true;
}

void guest_main(unsigned cpu)
{
	bool quit = false;

	(void)cpu;
	gic_init_dist();
	gic_init_cpu(0);
	if (!find()) {
		puts_("net: no virtio-net device\n");
		return;
	}
	if (!init()) {
		puts_("net: features refused\n");
		return;
	}
	for (unsigned i = 0; i < VQ_SIZE; i++)
		rx_post(i);
	mb();
	w32(base + R_QUEUE_NOTIFY, 0);
	puts_("net: serving 10.0.2.15 (arp, icmp echo, udp echo on port 7)\n");
	while (!quit) {
		wfi_until(*(volatile uint16_t *)&rxq.used.idx != rxq.last_used);
		while (!quit && *(volatile uint16_t *)&rxq.used.idx != rxq.last_used) {
			unsigned slot = rxq.last_used % VQ_SIZE;
			unsigned id = rxq.used.ring[slot].id, len = rxq.used.ring[slot].len;

			mb();
			rxq.last_used++;
			if (id < VQ_SIZE && len > HDR && len <= BUFSZ)
				quit = frame(rxbuf[id] + HDR, len - HDR);
			if (id < VQ_SIZE)
				rx_post(id);
			mb();
			w32(base + R_QUEUE_NOTIFY, 0);
		}
	}
	printf_("net: %u udp echoes (%lu bytes), %u icmp echoes, arp answered %s\n", udp_echoes,
		udp_bytes, icmp_echoes, arp_replies ? "yes" : "no");
	printf_("net: interrupts %s, other frames ignored\n", irqs ? "taken" : "none");
}
