/* chan_bulk: bulk data through a channel's region (docs/abi.md "A channel's bulk region"),
 * the channel's messages only its doorbell. Both VMs run it; the device tree says which owns
 * the region. The owner writes TOTAL bytes in chunks of CHUNK into the region's slots (a
 * pattern of the chunk's number and offset), announcing each with a DATA message; the
 * borrower checks every word, overwrites the slot with its own pattern and answers ACK, and
 * the owner checks that pattern before it reuses the slot: TOTAL bytes each way, every word
 * checked. Then the owner tries to share and give back a page of the region (refused: the
 * region is the channel's), says BYE, and the borrower powers off; its VM is destroyed, and
 * the owner sees PEER_GONE and its doorbell, and that the region is gone from its own memory
 * too: a read and a write there are aborts, not data. */
#include "common/chan.h"

#define CHUNK (64U * 1024U)
#ifdef CHAN_BULK_BENCH
#define TOTAL (16U * 1024U * 1024U) /* bench/chan: long enough to time */
#else
#define TOTAL (1024U * 1024U)
#endif
#define NCHUNKS	    (TOTAL / CHUNK)
#define DEADLINE_US 120000000ULL /* per step, virtual time */

enum { MSG_DATA = 1, MSG_ACK, MSG_BYE };

struct bulk_msg {
	uint32_t kind, seq, slot, len;
};

static struct chan_end end;
static uint64_t bad_words;

void guest_sync(struct frame *f, unsigned kind)
{
	guest_count_dabt(f, kind);
}

/* Word @w of chunk @seq as the owner (@borrower false) or the borrower writes it. */
static uint64_t pattern(uint32_t seq, uint64_t w, bool borrower)
{
	uint64_t v = ((uint64_t)seq << 40) ^ (w * 0x9e3779b97f4a7c15ULL);

	return borrower ? ~v : v;
}

static volatile uint64_t *slot_words(uint32_t slot)
{
	return (volatile uint64_t *)(end.region_ipa + (uint64_t)slot * CHUNK);
}

static void fill(uint32_t slot, uint32_t seq, bool borrower)
{
	volatile uint64_t *p = slot_words(slot);

	for (uint64_t w = 0; w < CHUNK / 8; w++)
		p[w] = pattern(seq, w, borrower);
	__asm__ volatile("dsb ish" ::: "memory");
}

static void check(uint32_t slot, uint32_t seq, bool borrower)
{
	volatile uint64_t *p = slot_words(slot);

	for (uint64_t w = 0; w < CHUNK / 8; w++)
		bad_words += p[w] != pattern(seq, w, borrower);
}

/* Send @m, waiting for room; false when the peer is gone or the deadline passed. */
static bool send(const struct bulk_msg *m)
{
	uint64_t deadline = chan_now() + chan_us(DEADLINE_US);

	for (;;) {
		unsigned seen = chan_doorbells;
		int64_t r = chan_send(end.id, m, sizeof(*m), 0);

		if (r == GZ_CHAN_RET_SUCCESS)
			return true;
		if (r != GZ_CHAN_RET_BUSY ||
		    (!chan_wait(seen, deadline) && chan_now() > deadline)) {
			printf_("chan_bulk: send: %ld\n", r);
			return false;
		}
	}
}

/* The next message into @m: SUCCESS, or PEER_GONE / EMPTY (the deadline passed) / an error. */
static int64_t receive(struct bulk_msg *m)
{
	uint64_t deadline = chan_now() + chan_us(DEADLINE_US);

	for (;;) {
		unsigned seen = chan_doorbells;
		uint64_t len = 0;
		int64_t r = chan_recv(end.id, m, sizeof(*m), &len);

		if (r == GZ_CHAN_RET_SUCCESS && len != sizeof(*m))
			r = GZ_CHAN_RET_TOO_BIG;
		if (r != GZ_CHAN_RET_EMPTY)
			return r;
		if (!chan_wait(seen, deadline) && chan_now() > deadline)
			return GZ_CHAN_RET_EMPTY;
	}
}

static void owner(unsigned slots)
{
	uint32_t sent = 0, acked = 0;
	struct bulk_msg m;
	uint64_t deadline, rx, tx, t0 = chan_now();
	int64_t r = GZ_CHAN_RET_SUCCESS;
	unsigned dabts;

	while (acked < NCHUNKS) {
		/* a slot is free again once the borrower answered for the chunk in it */
		while (sent < NCHUNKS && sent < acked + slots) {
			m = (struct bulk_msg){MSG_DATA, sent, sent % slots, CHUNK};
			fill(m.slot, sent, false);
			if (!send(&m))
				return;
			sent++;
		}
		r = receive(&m);
		if (r != GZ_CHAN_RET_SUCCESS || m.kind != MSG_ACK || m.seq != acked ||
		    m.slot != acked % slots)
			break;
		check(m.slot, m.seq, true);
		acked++;
	}
	printf_("chan_bulk: %u KiB out, %u KiB back, %lu words wrong, last %ld\n",
		sent * (CHUNK / 1024), acked * (CHUNK / 1024), bad_words, r);
#ifdef CHAN_BULK_BENCH
	/* Bytes written by one VM and read back by the other, both ways, and the messages that
	 * announced them (a DATA and an ACK per chunk), per second of guest time. */
	uint64_t ticks = chan_now() - t0, hz = read_sysreg(cntfrq_el0);

	printf_("bench: region_bytes %lu\n", 2ULL * TOTAL);
	printf_("bench: region_ns %lu\n", ticks * 1000000000ULL / hz);
	printf_("bench: region_kB_per_s %lu\n", 2ULL * TOTAL * hz / ticks / 1000);
	printf_("bench: region_msgs_per_s %lu\n", 2ULL * NCHUNKS * hz / ticks);
#else
	(void)t0;
#endif
	/* The region is the channel's: the owner cannot hand its pages to the host or back. */
	print_status("chan_bulk: MEM_SHARE of the region",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, end.region_ipa, 0, 0));
	print_status("chan_bulk: MEM_RELINQUISH of the region",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_RELINQUISH, end.region_ipa, 0, 0));
	m = (struct bulk_msg){MSG_BYE, 0, 0, 0};
	if (!send(&m))
		return;
	/* The borrower powers off and its VM is destroyed: the doorbell, then PEER_GONE. */
	deadline = chan_now() + chan_us(DEADLINE_US);
	for (;;) {
		unsigned seen = chan_doorbells;

		r = chan_state(end.id, &rx, &tx, 0);
		if (r != GZ_CHAN_RET_SUCCESS || chan_now() > deadline)
			break;
		chan_wait(seen, deadline);
	}
	print_status("chan_bulk: the peer went, STATE", r);
	dabts = guest_dabts;
	(void)*(volatile uint64_t *)end.region_ipa;
	*(volatile uint64_t *)(end.region_ipa + end.region_size - 8) = 1;
	printf_("chan_bulk: a read and a write of the region after: %u aborts\n",
		guest_dabts - dabts);
}

static void borrower(void)
{
	uint32_t chunks = 0;
	struct bulk_msg m;
	int64_t r;

	for (;;) {
		r = receive(&m);
		if (r != GZ_CHAN_RET_SUCCESS || m.kind != MSG_DATA || m.seq != chunks)
			break;
		check(m.slot, m.seq, false);
		fill(m.slot, m.seq, true);
		m.kind = MSG_ACK;
		if (!send(&m))
			return;
		chunks++;
	}
	printf_("chan_bulk: %u KiB checked and answered, %lu words wrong, then %s\n",
		chunks * (CHUNK / 1024), bad_words,
		r == GZ_CHAN_RET_SUCCESS && m.kind == MSG_BYE ? "bye" : "an error");
	print_status("chan_bulk: MEM_RELINQUISH of the region",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_RELINQUISH, end.region_ipa, 0, 0));
}

void guest_main(unsigned cpu)
{
	unsigned slots;

	(void)cpu;
	if (!chan_find((const void *)guest_boot_x0, 0, &end) || !end.region_size) {
		puts_("chan_bulk: no channel with a region in the device tree\n");
		return;
	}
	slots = (unsigned)(end.region_size / CHUNK);
	printf_("chan_bulk: channel %u, region of %lu KiB at %lx (%u slots), the %s\n", end.id,
		end.region_size / 1024, end.region_ipa, slots,
		end.region_owner ? "owner" : "borrower");
	if (!slots)
		return;
	chan_doorbell_enable(&end);
	if (end.region_owner)
		owner(slots);
	else
		borrower();
}
