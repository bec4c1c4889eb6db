/* The test guests' side of inter-VM channels (include/gzabi/chan.h) and of the RPC protocol
 * on top (include/gzabi/rpc.h): finding a channel end in the device tree, the three calls,
 * waiting for the doorbell with a deadline, and an RPC client and server. */
#ifndef GUEST_CHAN_H
#define GUEST_CHAN_H

#include <gzabi/chan.h>
#include <gzabi/guest_calls.h>
#include <gzabi/rpc.h>

#include "guest.h"

struct chan_end {
	unsigned id;	/* channel id for the calls */
	unsigned intid; /* doorbell */
	/* "opengz,vsock-cids": the channel carries vsock from vsock_cid to peer_vsock_cid
	 * (include/gzabi/chan_vsock.h); both 0 when it does not */
	unsigned vsock_cid, peer_vsock_cid;
	/* "opengz,region": the channel's bulk region, mapped in both VMs (size 0: none), and
	 * whether this VM owns it ("opengz,region-owner") */
	uint64_t region_ipa, region_size;
	bool region_owner;
};

/* The @idx-th "opengz,channel" node of the device tree at @fdt; false if there is none. */
bool chan_find(const void *fdt, unsigned idx, struct chan_end *e);
/* Enable the doorbell on this CPU (the GIC must be initialised) and count its edges. */
void chan_doorbell_enable(const struct chan_end *e);
/* The doorbell's edges so far (its interrupt handler counts them). */
extern volatile unsigned chan_doorbells;

/* The guest calls: x0 (GZ_CHAN_RET_*), and what x1/x2 return. */
int64_t chan_send(unsigned id, const void *buf, uint64_t len, uint64_t *queued);
int64_t chan_recv(unsigned id, void *buf, uint64_t size, uint64_t *len);
int64_t chan_state(unsigned id, uint64_t *rx, uint64_t *tx, uint64_t *limits);

/* Virtual counter now, and ticks in @us microseconds. */
uint64_t chan_now(void);
uint64_t chan_us(uint64_t us);
/* WFI until the doorbell rang since @seen (its count then) or the counter passed @deadline
 * (0: none); the virtual timer wakes the CPU at the deadline. true: the doorbell rang. */
bool chan_wait(unsigned seen, uint64_t deadline);

/* RPC client: one call of @method with @args (@len bytes), the reply's payload into @reply
 * (@reply_max bytes, its length in *@reply_len). Waits for a busy queue and for the response
 * up to @timeout_us. GZ_RPC_OK, the server's status, or a client-side GZ_RPC_ERR_*. */
int rpc_call(const struct chan_end *e, unsigned method, const void *args, unsigned len, void *reply,
	     unsigned reply_max, unsigned *reply_len, uint64_t timeout_us);
/* RPC server: answer requests with @handler until it sets *@stop (after its response went
 * out) or the peer is gone. The handler fills @out (its length in *@out_len) and returns the
 * status, or RPC_NO_REPLY to leave the request unanswered. */
#define RPC_NO_REPLY 0x40000000
typedef int (*rpc_handler)(unsigned method, const void *in, unsigned len, void *out,
			   unsigned *out_len, bool *stop);
int rpc_serve(const struct chan_end *e, rpc_handler handler);

#endif
