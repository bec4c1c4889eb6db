/* The RPC demo as a benchmark (rpc_bench.c includes rpc_client.c with RPC_BENCH): the round
 * trip of an 8-byte and of a full ECHO, and the throughput of a stream of full messages the
 * server reads and drops, all in the guest's counter ticks. bench/chan reads the lines. */
#ifndef RPC_BENCH_ROUNDS
#define RPC_BENCH_ROUNDS 1000
#endif
#define RPC_BENCH_MSGS 4000

static uint64_t ns(uint64_t ticks, uint64_t count)
{
	return ticks * 1000000000UL / read_sysreg(cntfrq_el0) / count;
}

static void bench(void)
{
	static uint8_t msg[GZ_CHAN_MSG_MAX];
	uint64_t t0, t1, t2, t3;
	unsigned n;

	for (n = 0; n < 10; n++)
		if (!echo(n, 8) || !add(n, n, 1))
			return;
	t0 = chan_now();
	for (n = 0; n < RPC_BENCH_ROUNDS; n++)
		if (!echo(n, 8))
			return;
	t1 = chan_now();
	for (n = 0; n < RPC_BENCH_ROUNDS; n++)
		if (!echo(n, GZ_RPC_PAYLOAD_MAX))
			return;
	t2 = chan_now();
	printf_("bench: round_trip_8_ns %lu\n", ns(t1 - t0, RPC_BENCH_ROUNDS));
	printf_("bench: round_trip_232_ns %lu\n", ns(t2 - t1, RPC_BENCH_ROUNDS));
	/* Not RPC messages (no header): the server drops them after the copy. */
	t2 = chan_now();
	for (n = 0; n < RPC_BENCH_MSGS; n++) {
		unsigned seen = chan_doorbells;

		msg[0] = (uint8_t)n;
		while (chan_send(end.id, msg, sizeof(msg), 0) == GZ_CHAN_RET_BUSY) {
			chan_wait(seen, 0);
			seen = chan_doorbells;
		}
	}
	echo(n, 1); /* every message read by now */
	t3 = chan_now();
	printf_("bench: stream_bytes %lu\n", (uint64_t)RPC_BENCH_MSGS * sizeof(msg));
	printf_("bench: stream_ns %lu\n", ns(t3 - t2, 1));
	printf_("bench: kB_per_s %lu\n", (uint64_t)RPC_BENCH_MSGS * sizeof(msg) *
					     read_sysreg(cntfrq_el0) / (t3 - t2) / 1000);
	rpc_call(&end, GZ_RPC_M_SHUTDOWN, 0, 0, 0, 0, 0, TIMEOUT_US);
}
