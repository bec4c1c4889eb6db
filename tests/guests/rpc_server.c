/* rpc_server: the server of the RPC demo (include/gzabi/rpc.h) in its own VM, reached
 * through the hypervisor channel its device tree names. Methods: ECHO, ADD (two u64),
 * IGNORE (never answered: the client's timeout), PAUSE (answered, then it reads nothing
 * until the client filled the queue and took a message of the server's: the client's busy
 * case), SHUTDOWN (answered; with a u32 n it waits for n more messages, which it never reads,
 * and powers off with them queued). */
#include "common/chan.h"

static struct chan_end end;
static unsigned served, last_method, linger;

/* PAUSE: the client fills the queue (16 requests it will not need answers to) and tries a
 * 17th while nothing is read here; it learns that it may expect the drain by taking the
 * message sent here once its queue is full. */
static void pause_until_client_full(void)
{
	static const char note[] = "drain";
	uint64_t rx = 0, tx = 0;

	while (chan_state(end.id, &rx, &tx, 0) == GZ_CHAN_RET_SUCCESS && rx < GZ_CHAN_DEPTH)
		chan_wait(chan_doorbells, chan_now() + chan_us(1000));
	chan_send(end.id, note, sizeof(note), 0);
	while (chan_state(end.id, &rx, &tx, 0) == GZ_CHAN_RET_SUCCESS && tx < GZ_CHAN_DEPTH)
		chan_wait(chan_doorbells, chan_now() + chan_us(1000));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int handle(unsigned method, const void *in, unsigned len, void *out, unsigned *out_len,
		  bool *stop)
{
	const uint8_t *a = in;

	served++;
	last_method = method;
	switch (method) {
	case GZ_RPC_M_ECHO:
		for (unsigned i = 0; i < len; i++)
			((uint8_t *)out)[i] = a[i];
		*out_len = len;
		return GZ_RPC_OK;
	case GZ_RPC_M_ADD: {
		uint64_t x, y, sum;

		if (len != 16)
			return GZ_RPC_ERR_BAD_ARGS;
		x = get_le(a, 8);
		y = get_le(a + 8, 8);
		sum = x + y;
		for (unsigned i = 0; i < 8; i++)
			((uint8_t *)out)[i] = (uint8_t)(sum >> (8 * i));
		*out_len = 8;
		return GZ_RPC_OK;
	}
	case GZ_RPC_M_IGNORE:
		return RPC_NO_REPLY;
	case GZ_RPC_M_SHUTDOWN:
		/* An optional u32: messages to let arrive unread before powering off. */
		if (len == 4)
			linger = (unsigned)get_le(a, 4);
		*stop = true;
		return GZ_RPC_OK;
	case GZ_RPC_M_PAUSE:
		/* The answer goes first, from rpc_serve; the wait is the next request's. */
		*stop = true;
		return GZ_RPC_OK;
	default:
		return GZ_RPC_ERR_NO_METHOD;
	}
}

void guest_main(unsigned cpu)
{
	int r;

	(void)cpu;
	if (!chan_find((const void *)guest_boot_x0, 0, &end)) {
		puts_("rpc_server: no channel in the device tree\n");
		return;
	}
	chan_doorbell_enable(&end);
	printf_("rpc_server: channel %u, doorbell %u\n", end.id, end.intid);
	do {
		r = rpc_serve(&end, handle);
		if (r == GZ_RPC_OK && last_method == GZ_RPC_M_PAUSE)
			pause_until_client_full();
	} while (r == GZ_RPC_OK && last_method == GZ_RPC_M_PAUSE);
	printf_("rpc_server: %u requests, last status %d\n", served, r);
	/* Power off with @linger messages in flight: the client sees its peer destroyed with
	 * them queued. */
	for (uint64_t rx = 0; r == GZ_RPC_OK && rx < linger;)
		if (chan_state(end.id, &rx, 0, 0) != GZ_CHAN_RET_SUCCESS)
			break;
		else if (rx < linger)
			chan_wait(chan_doorbells, chan_now() + chan_us(1000));
	if (linger)
		printf_("rpc_server: powering off with %u messages unread\n", linger);
}
