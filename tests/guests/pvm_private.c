/* pvm_private: a protected guest (gzvmm --protected) whose data the host may read only where
 * it shared it. It sends a line through the virtio console's transmit queue with the ring
 * and the buffer in pages it shared (MEM_SHARE): gzvmm reads them and the line
 * reaches the console. Then it takes the pages back (MEM_UNSHARE) and notifies again:
 * under gzhyp the host's read of those pages faults at stage 2 and gzvmm stops the VM naming the
 * IPA (status 4), as the simulator's host view does (sim/hostview.c); were the read let through,
 * the guest's last line would say that the host read private pages. */
#include "common/guest.h"
#include "common/virtio_regs.h"

#define VCON 0x0a000000UL /* gzvmm's first virtio device: the console */
#define TXQ  1

/* page 0: descriptors, the available ring at 0x100, the used ring at 0x200; page 1: data */
static uint8_t q[2][4096] __attribute__((aligned(4096)));

static void send(const char *s, uint16_t idx)
{
	struct desc *d = (struct desc *)q[0];
	volatile uint16_t *avail = (volatile uint16_t *)(q[0] + 0x100);
	unsigned n = 0;

	while (s[n]) {
		q[1][n] = (uint8_t)s[n];
		n++;
	}
	d[0] = (struct desc){(uint64_t)q[1], n, 0, 0};
	avail[2 + (idx % 4)] = 0;
	dsb();
	avail[1] = (uint16_t)(idx + 1);
	dsb();
	w32(VCON + R_QUEUE_NOTIFY, TXQ);
}

/* Waits for the device to use a buffer: the VMM serves the notification on another host
 * thread, so the wait is bounded by guest time (10 s of the virtual counter), never by a
 * number of iterations that a loaded host can outrun. */
static void wait_used(volatile uint16_t *used, uint16_t idx)
{
	uint64_t end = read_sysreg(cntvct_el0) + 10 * read_sysreg(cntfrq_el0);

	while (used[1] != idx && read_sysreg(cntvct_el0) < end)
		;
}

void guest_main(unsigned cpu)
{
	volatile uint16_t *used = (volatile uint16_t *)(q[0] + 0x200);

	(void)cpu;
	printf_("virtio device 0: id %u\n", r32(VCON + R_DEVICE_ID));
	w32(VCON + R_STATUS, 0);
	w32(VCON + R_STATUS, 3); /* ACKNOWLEDGE | DRIVER */
	w32(VCON + R_DRV_FEAT_SEL, 1);
	w32(VCON + R_DRV_FEAT, 1); /* VIRTIO_F_VERSION_1 */
	w32(VCON + R_DRV_FEAT_SEL, 0);
	w32(VCON + R_DRV_FEAT, 0);
	w32(VCON + R_STATUS, 11); /* | FEATURES_OK */
	w32(VCON + R_QUEUE_SEL, TXQ);
	w32(VCON + R_QUEUE_NUM, 4);
	w32(VCON + R_DESC_LO, (uint32_t)(uint64_t)q[0]);
	w32(VCON + R_AVAIL_LO, (uint32_t)(uint64_t)q[0] + 0x100);
	w32(VCON + R_USED_LO, (uint32_t)(uint64_t)q[0] + 0x200);
	w32(VCON + R_QUEUE_READY, 1);
	w32(VCON + R_STATUS, 15); /* | DRIVER_OK */

	printf_("share the ring and the buffer: %ld\n",
		(int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, (uint64_t)q[0], 2, 0));
	send("virtio line from shared pages\n", 0);
	wait_used(used, 1);
	printf_("used index %u\n", used[1]);
	printf_("unshare them: %ld\n",
		(int64_t)hvc(GZ_VENDOR_HYP_MEM_UNSHARE, (uint64_t)q[0], 2, 0));
	printf_("notify with private pages\n");
	send("virtio line from private pages\n", 1);
	wait_used(used, 2); /* under gzhyp the VM is stopped long before */
	printf_("the host read private pages (used index %u)\n", used[1]);
}
