/* rpc_client: the client of the RPC demo. RPC_CALLS calls of ECHO (payloads of every length
 * up to the limit) and ADD, every reply checked against what was sent; an unknown method, bad
 * arguments, a call the server never answers (TIMEOUT) and one after it; then SHUTDOWN, three
 * messages left in flight, and the server's VM destroyed under them: PEER_GONE from every
 * call and a doorbell. With RPC_BENCH it measures the round trip and the throughput instead
 * (rpc_bench.c). */
#include "common/chan.h"

#ifndef RPC_CALLS
#define RPC_CALLS 200
#endif
#define TIMEOUT_US 30000000 /* 30 s of guest time: a hang guard, never reached when all is well */

static struct chan_end end;

static bool echo(unsigned n, unsigned len)
{
	uint8_t in[GZ_RPC_PAYLOAD_MAX], out[GZ_RPC_PAYLOAD_MAX];
	unsigned got = 0;
	int r;

	for (unsigned i = 0; i < len; i++)
		in[i] = (uint8_t)(n * 31 + i);
	r = rpc_call(&end, GZ_RPC_M_ECHO, in, len, out, sizeof(out), &got, TIMEOUT_US);
	if (r != GZ_RPC_OK || got != len) {
		printf_("rpc_client: call %u echo %u bytes: status %d, %u bytes back\n", n, len, r,
			got);
		return false;
	}
	for (unsigned i = 0; i < len; i++) {
		if (out[i] != in[i]) {
			printf_("rpc_client: call %u echo byte %u differs\n", n, i);
			return false;
		}
	}
	return true;
}

static bool add(unsigned n, uint64_t x, uint64_t y)
{
	uint64_t args[2] = {x, y}, sum = 0;
	unsigned got = 0;
	int r =
	    rpc_call(&end, GZ_RPC_M_ADD, args, sizeof(args), &sum, sizeof(sum), &got, TIMEOUT_US);

	if (r != GZ_RPC_OK || got != 8 || sum != x + y) {
		printf_("rpc_client: call %u add: status %d, sum %lx\n", n, r, sum);
		return false;
	}
	return true;
}

#ifdef RPC_BENCH
#include "rpc_bench.h"
#else
static void peer_destroyed(void)
{
	static const char msg[] = "in flight";
	uint64_t q = 0, rx = 0, tx = 0;
	int64_t st;

	for (unsigned i = 0; i < 3; i++) {
		st = chan_send(end.id, msg, sizeof(msg), &q);
		printf_("in flight %u: %ld, queued %lu\n", i, st, q);
	}
	/* The server powered off; gzvmm destroys its VM: a doorbell, then PEER_GONE. */
	st = GZ_CHAN_RET_SUCCESS;
	while (st == GZ_CHAN_RET_SUCCESS) {
		unsigned seen = chan_doorbells;

		st = chan_state(end.id, &rx, &tx, 0);
		if (st == GZ_CHAN_RET_SUCCESS)
			chan_wait(seen, 0);
	}
	printf_("state: %ld, rx %lu, tx %lu\n", st, rx, tx);
	print_status("send", chan_send(end.id, msg, sizeof(msg), 0));
	print_status("recv", chan_recv(end.id, (void *)msg, sizeof(msg), 0));
	print_status("rpc", rpc_call(&end, GZ_RPC_M_ECHO, msg, 4, 0, 0, 0, TIMEOUT_US));
}
#endif

#ifndef RPC_BENCH
static void demo(void)
{
	uint8_t buf[8] = {0};
	uint32_t linger = 3;
	unsigned n;
	int r;

	for (n = 0; n < RPC_CALLS; n++) {
		bool ok = n % 2 ? add(n, 0xfedcba9876543210UL * n, n)
				: echo(n, n % (GZ_RPC_PAYLOAD_MAX + 1));

		if (!ok)
			return;
	}
	printf_("rpc_client: %u calls, every reply checked\n", n);
	echo(n++, GZ_RPC_PAYLOAD_MAX);
	print_status("too big", rpc_call(&end, GZ_RPC_M_ECHO, buf, GZ_RPC_PAYLOAD_MAX + 1, 0, 0, 0,
					 TIMEOUT_US));
	print_status("no such method", rpc_call(&end, 77, 0, 0, 0, 0, 0, TIMEOUT_US));
	print_status("bad args", rpc_call(&end, GZ_RPC_M_ADD, buf, 3, buf, 8, 0, TIMEOUT_US));
	r = rpc_call(&end, GZ_RPC_M_IGNORE, 0, 0, 0, 0, 0, 20000);
	print_status("unanswered (20 ms)", r);
	printf_("after the timeout: %s\n", echo(n, 5) && add(n + 1, 1, 2) ? "ok" : "failed");
	print_status("shutdown",
		     rpc_call(&end, GZ_RPC_M_SHUTDOWN, &linger, 4, 0, 0, 0, TIMEOUT_US));
	peer_destroyed();
}
#endif

void guest_main(unsigned cpu)
{
	(void)cpu;
	if (!chan_find((const void *)guest_boot_x0, 0, &end)) {
		puts_("rpc_client: no channel in the device tree\n");
		return;
	}
	chan_doorbell_enable(&end);
#ifdef RPC_BENCH
	bench();
#else
	demo();
#endif
}
