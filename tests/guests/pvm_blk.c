/* pvm_blk: a protected guest (gzvmm --protected --disk) that uses its virtio disk through the
 * bounce pool gzvmm gives protected VMs (the device tree's "restricted-dma-pool", a memslot
 * of purpose STATIC_SWIOTLB) and nothing else: it shares the pool (MEM_SHARE), negotiates
 * VIRTIO_F_ACCESS_PLATFORM, keeps its rings, request headers and data there and copies data
 * between the pool and its private RAM, as Linux's swiotlb bounces. It reads sector 0, writes
 * sector 1 with words of its secret and reads them back; then, as pvm_secret, it keeps the
 * secret in private pages and waits for the host, whose scan of its RAM
 * (tests/sim/host_attack.c, gzattack) reads the pool and the mailbox and nothing else. */
#include "common/fdt.h"
#include "common/secret.h"
#include "common/virtio_regs.h"

#define VIRTIO_MAGIC	     0x74726976U
#define VIRTIO_ID_BLOCK	     2
#define F_HI_VERSION_1	     1U /* feature bit 32 */
#define F_HI_ACCESS_PLATFORM 2U /* feature bit 33 */
#define DESC_NEXT	     1
#define BLK_IN		     0
#define BLK_OUT		     1
#define SECTOR		     512

/* Where things sit in the pool: the queue in its first page, the request's header and status
 * in the second, the data in the third. */
static uint64_t pool;
#define Q_DESC	(pool)
#define Q_AVAIL (pool + 0x100)
#define Q_USED	(pool + 0x200)
#define REQ_HDR (pool + 0x1000)
#define REQ_ST	(pool + 0x1100)
#define REQ_BUF (pool + 0x2000)

static uint64_t dev;
static uint16_t next_idx;
static uint64_t private_buf[SECTOR / 8] __attribute__((aligned(4096)));

static uint64_t find_blk(void)
{
	for (unsigned i = 0; i < 32; i++) {
		uint64_t b = VIRTIO_BASE + i * VIRTIO_STRIDE;

		if (r32(b + R_MAGIC) == VIRTIO_MAGIC && r32(b + R_DEVICE_ID) == VIRTIO_ID_BLOCK) {
			printf_("virtio-blk: transport %u\n", i);
			return b;
		}
	}
	return 0;
}

static void copy(uint64_t dst, uint64_t src, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		((volatile uint8_t *)dst)[i] = ((volatile uint8_t *)src)[i];
}

/* One request through the pool; the device's status byte, 0xff if it never answered. */
static unsigned request(uint32_t type, uint64_t sector)
{
	volatile struct desc *d = (volatile struct desc *)Q_DESC;
	volatile uint16_t *avail = (volatile uint16_t *)Q_AVAIL;
	volatile uint16_t *used = (volatile uint16_t *)Q_USED;
	uint64_t end;

	w32(REQ_HDR, type);
	w32(REQ_HDR + 4, 0);
	w64(REQ_HDR + 8, sector);
	w8(REQ_ST, 0xff);
	d[0] = (struct desc){REQ_HDR, 16, DESC_NEXT, 1};
	d[1] = (struct desc){REQ_BUF, SECTOR, DESC_NEXT | (type == BLK_IN ? F_WRITE : 0), 2};
	d[2] = (struct desc){REQ_ST, 1, F_WRITE, 0};
	avail[2 + next_idx % 4] = 0;
	dsb();
	avail[1] = ++next_idx;
	dsb();
	w32(dev + R_QUEUE_NOTIFY, 0);
	/* served on another host thread: bounded by guest time, never by iterations */
	end = read_sysreg(cntvct_el0) + 10 * read_sysreg(cntfrq_el0);
	while (used[1] != next_idx && read_sysreg(cntvct_el0) < end)
		;
	return r8(REQ_ST);
}

static void disk(void)
{
	uint32_t hi;
	int64_t st = 0;
	char text[25];
	bool same = true;

	dev = find_blk();
	if (!dev)
		return;
	w32(dev + R_STATUS, 0);
	w32(dev + R_STATUS, 3); /* ACKNOWLEDGE | DRIVER */
	w32(dev + R_DEV_FEAT_SEL, 1);
	hi = r32(dev + R_DEV_FEAT);
	printf_("offered ACCESS_PLATFORM: %s\n", hi & F_HI_ACCESS_PLATFORM ? "yes" : "no");
	w32(dev + R_DRV_FEAT_SEL, 1);
	w32(dev + R_DRV_FEAT, F_HI_VERSION_1 | F_HI_ACCESS_PLATFORM);
	w32(dev + R_DRV_FEAT_SEL, 0);
	w32(dev + R_DRV_FEAT, 0);
	w32(dev + R_STATUS, 11); /* | FEATURES_OK */
	printf_("features accepted: %s\n", r32(dev + R_STATUS) & 8 ? "yes" : "no");
	w32(dev + R_QUEUE_SEL, 0);
	w32(dev + R_QUEUE_NUM, 4);
	w32(dev + R_DESC_LO, (uint32_t)Q_DESC);
	w32(dev + R_DESC_HI, (uint32_t)(Q_DESC >> 32));
	w32(dev + R_AVAIL_LO, (uint32_t)Q_AVAIL);
	w32(dev + R_AVAIL_HI, (uint32_t)(Q_AVAIL >> 32));
	w32(dev + R_USED_LO, (uint32_t)Q_USED);
	w32(dev + R_USED_HI, (uint32_t)(Q_USED >> 32));
	w32(dev + R_QUEUE_READY, 1);
	w32(dev + R_STATUS, 15); /* | DRIVER_OK */
	printf_("capacity: %lu sectors\n", (uint64_t)r32(dev + R_CONFIG));

	printf_("read sector 0: status %u\n", request(BLK_IN, 0));
	copy((uint64_t)private_buf, REQ_BUF, SECTOR);
	for (unsigned i = 0; i < 24; i++) {
		char c = ((char *)private_buf)[i];

		text[i] = c >= ' ' && c < 127 ? c : '.';
	}
	text[24] = '\0';
	printf_("  it begins: %s\n", text);

	for (unsigned i = 0; i < SECTOR / 8; i++)
		private_buf[i] = secret_word(SECRET_PAGES, i);
	copy(REQ_BUF, (uint64_t)private_buf, SECTOR);
	printf_("write sector 1: status %u\n", request(BLK_OUT, 1));
	for (unsigned i = 0; i < SECTOR; i++)
		w8(REQ_BUF + i, 0);
	st = request(BLK_IN, 1);
	copy((uint64_t)private_buf, REQ_BUF, SECTOR);
	for (unsigned i = 0; i < SECTOR / 8; i++)
		same &= private_buf[i] == secret_word(SECRET_PAGES, i);
	printf_("read sector 1 back: status %ld, %s\n", st, same ? "the same" : "DIFFERENT");
	/* What it wrote stays on its disk; nothing of it stays in the pool. */
	for (unsigned i = 0; i < SECTOR; i++)
		w8(REQ_BUF + i, 0);
}

void guest_main(unsigned cpu)
{
	uint64_t size = 0;

	(void)cpu;
	if (!fdt_find_reg((const void *)guest_boot_x0, "restricted-dma-pool", &pool, &size)) {
		printf_("no bounce pool in the device tree\n");
		return;
	}
	printf_("bounce pool: %lu KiB\n", size >> 10);
	/* A page is the guest's once it touched it: only then can it share it. */
	for (uint64_t p = 0; p < size; p += 4096)
		w64(pool + p, 0);
	for (uint64_t done = 0; done < size >> 12; done += GZ_VENDOR_HYP_MEM_RANGE_MAX) {
		uint64_t n = (size >> 12) - done < GZ_VENDOR_HYP_MEM_RANGE_MAX
				 ? (size >> 12) - done
				 : GZ_VENDOR_HYP_MEM_RANGE_MAX;
		int64_t st = (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, pool + (done << 12), n, 0);

		if (st) {
			print_status("share the bounce pool", st);
			return;
		}
	}
	printf_("bounce pool shared\n");
	disk();
	secret_run(pool, size >> 12);
}
