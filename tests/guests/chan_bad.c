/* chan_bad: every bad channel call, with rpc_server as its peer, and what each returned:
 * channel ids that are not the guest's, sizes over the limit, buffers outside its RAM and
 * in MMIO, an empty queue, a buffer too small for the message waiting, ids of the range that
 * are no call, and a full queue (BUSY) that the not-full doorbell reopens. */
#include "common/chan.h"

static struct chan_end end;

static int64_t vendor(uint64_t fn)
{
	return (int64_t)hvc(fn, end.id, 0, 0);
}

/* Wait until at least one message is queued for this guest. */
static void wait_rx(void)
{
	uint64_t rx = 0;
	unsigned seen = chan_doorbells;

	while (chan_state(end.id, &rx, 0, 0) == GZ_CHAN_RET_SUCCESS && !rx) {
		chan_wait(seen, 0);
		seen = chan_doorbells;
	}
}

void guest_main(unsigned cpu)
{
	static uint8_t buf[GZ_CHAN_MSG_MAX + 8];
	struct gz_rpc_hdr *h = (struct gz_rpc_hdr *)buf;
	uint64_t rx = 0, tx = 0, lim = 0, len = 0, q = 0;
	int64_t st;

	(void)cpu;
	if (!chan_find((const void *)guest_boot_x0, 0, &end)) {
		puts_("chan_bad: no channel in the device tree\n");
		return;
	}
	chan_doorbell_enable(&end);
	printf_("features: %lx\n", (uint64_t)hvc(GZ_VENDOR_HYP_FEATURES, 0, 0, 0) >> 48);
	st = chan_state(end.id, &rx, &tx, &lim);
	printf_("state: %ld, rx %lu, tx %lu, limits %lx\n", st, rx, tx, lim);

	print_status("channel 0", chan_send(0, buf, 1, 0));
	print_status("channel 33", chan_send(GZ_CHAN_MAX + 1, buf, 1, 0));
	print_status("channel 2^32+id",
		     (int64_t)hvc(GZ_VENDOR_HYP_CHAN_SEND, (1UL << 32) + end.id, (uint64_t)buf, 1));
	print_status("another channel", chan_recv(end.id + 1, buf, 8, 0));
	print_status("state of channel 0", chan_state(0, 0, 0, 0));
	print_status("257 bytes", chan_send(end.id, buf, GZ_CHAN_MSG_MAX + 1, 0));
	print_status("2^64-1 bytes", chan_send(end.id, buf, ~0UL, 0));
	print_status("from IPA 0", chan_send(end.id, (void *)0, 8, 0));
	print_status("from the GIC", chan_send(end.id, (void *)GICD_BASE, 8, 0));
	print_status("from 2^40", chan_send(end.id, (void *)(1UL << 40), 8, 0));
	print_status("from 2^64-4", chan_send(end.id, (void *)~3UL, 8, 0));
	print_status("recv when empty", chan_recv(end.id, buf, sizeof(buf), 0));
	print_status("id 0xc6000033 (wake)", vendor(GZ_VENDOR_HYP_CHAN_WAKE));
	print_status("id 0xc600003f", vendor(GZ_VENDOR_HYP_CHAN_LAST));

	/* An ECHO of 200 bytes by hand: its answer (224 bytes) into too small a buffer, into
	 * the GIC, then into the right one. */
	*h = (struct gz_rpc_hdr){GZ_RPC_MAGIC, GZ_RPC_REQUEST, GZ_RPC_M_ECHO, 1, 0, 200, 0};
	print_status("echo request", chan_send(end.id, buf, GZ_RPC_HDR_SIZE + 200, 0));
	wait_rx();
	st = chan_recv(end.id, buf, 16, &len);
	printf_("into 16 bytes: %ld, length %lu\n", st, len);
	print_status("into the GIC", chan_recv(end.id, (void *)GICD_BASE, sizeof(buf), 0));
	st = chan_recv(end.id, buf, sizeof(buf), &len);
	printf_("into %lu bytes: %ld, length %lu, call %u status %d\n", sizeof(buf), st, len,
		h->call_id, h->status);

	/* PAUSE: the server stops reading; 16 messages fill the queue, the 17th is BUSY; the
	 * server's "drain" message, then the not-full doorbell, then room again. */
	*h = (struct gz_rpc_hdr){GZ_RPC_MAGIC, GZ_RPC_REQUEST, GZ_RPC_M_PAUSE, 2, 0, 0, 0};
	chan_send(end.id, buf, GZ_RPC_HDR_SIZE, 0);
	wait_rx();
	st = chan_recv(end.id, buf, sizeof(buf), &len);
	printf_("pause: %ld, call %u status %d\n", st, h->call_id, h->status);
	for (unsigned i = 0; i < GZ_CHAN_DEPTH; i++) {
		st = chan_send(end.id, "fill", 4, &q);
		if (st != GZ_CHAN_RET_SUCCESS || q != i + 1)
			printf_("fill %u: %ld, queued %lu\n", i, st, q);
	}
	st = chan_send(end.id, "fill", 4, &q);
	printf_("17th: %ld, queued %lu\n", st, q);
	st = chan_state(end.id, &rx, &tx, 0);
	printf_("state: %ld, tx %lu\n", st, tx);
	unsigned seen = chan_doorbells;
	wait_rx();
	st = chan_recv(end.id, buf, sizeof(buf), &len);
	printf_("server says: %ld, %s\n", st, (const char *)buf);
	while (chan_send(end.id, "more", 4, &q) == GZ_CHAN_RET_BUSY)
		chan_wait(seen, 0), seen = chan_doorbells;
	puts_("after the not-full doorbell: sent\n");
	/* SHUTDOWN, lingering for one more message: the answer is read before the server goes
	 * (a VM destroyed takes what was queued for its peer with it). */
	*h = (struct gz_rpc_hdr){GZ_RPC_MAGIC, GZ_RPC_REQUEST, GZ_RPC_M_SHUTDOWN, 3, 0, 4, 0};
	buf[GZ_RPC_HDR_SIZE] = 1;
	buf[GZ_RPC_HDR_SIZE + 1] = buf[GZ_RPC_HDR_SIZE + 2] = buf[GZ_RPC_HDR_SIZE + 3] = 0;
	while (chan_send(end.id, buf, GZ_RPC_HDR_SIZE + 4, 0) == GZ_CHAN_RET_BUSY)
		chan_wait(seen, 0), seen = chan_doorbells;
	wait_rx();
	st = chan_recv(end.id, buf, sizeof(buf), &len);
	printf_("shutdown: %ld, call %u status %d\n", st, h->call_id, h->status);
	print_status("bye", chan_send(end.id, "bye", 3, 0));
}
