/*
 * A small request/response protocol for guests over an inter-VM channel
 * (include/gzabi/chan.h): every message is one channel message, a header and a payload.
 *
 * A client numbers its calls (call_id, never 0, increasing) and sends a REQUEST naming a
 * method of the server; the server answers every request it understands with one RESPONSE
 * carrying the same call_id and method and a status. The client waits for the response with
 * its call's id up to a deadline of its own choosing; a response that arrives for a call that
 * timed out (an older id) is dropped. Delivery is in order and lossless (the hypervisor's
 * queue); what can go wrong is a busy queue (the sender waits for the not-full doorbell),
 * a server that does not answer in time (TIMEOUT) and a peer that is gone (PEER_GONE).
 * Layout little-endian, as both guests are.
 */
#ifndef GZ_RPC_H
#define GZ_RPC_H

#include <gzabi/chan.h>

#define GZ_RPC_MAGIC 0x50525a47U /* "GZRP" */

enum gz_rpc_kind {
	GZ_RPC_REQUEST = 1,
	GZ_RPC_RESPONSE = 2,
};

/* Status of a call: what the server answered (>= 0 is the method's own result code, 0 OK),
 * or what the client saw. */
#define GZ_RPC_OK	     0
#define GZ_RPC_ERR_NO_METHOD (-1) /* server: no such method */
#define GZ_RPC_ERR_BAD_ARGS  (-2) /* server: the payload does not fit the method */
#define GZ_RPC_ERR_TIMEOUT   (-3) /* client: no response before the deadline */
#define GZ_RPC_ERR_PEER_GONE (-4) /* client or server: the channel's other VM was destroyed */
#define GZ_RPC_ERR_CHANNEL   (-5) /* a channel call failed otherwise (its code is logged) */
#define GZ_RPC_ERR_TOO_BIG   (-6) /* client: arguments or reply over the limit */

struct gz_rpc_hdr {
	unsigned int magic;  /* GZ_RPC_MAGIC */
	unsigned short kind; /* enum gz_rpc_kind */
	unsigned short method;
	unsigned int call_id; /* the client's, echoed by the response */
	int status;	      /* response: GZ_RPC_OK or an error; request: 0 */
	unsigned int len;     /* payload bytes after the header */
	unsigned int reserved;
};

#define GZ_RPC_HDR_SIZE	   24
#define GZ_RPC_PAYLOAD_MAX (GZ_CHAN_MSG_MAX - GZ_RPC_HDR_SIZE)

/* The demo server's methods (tests/guests/rpc_server.c). */
#define GZ_RPC_M_ECHO	  1 /* returns the payload */
#define GZ_RPC_M_ADD	  2 /* two u64 -> their sum */
#define GZ_RPC_M_IGNORE	  3 /* never answered: the client's timeout */
#define GZ_RPC_M_SHUTDOWN 4 /* answered, then the server powers off without reading more */
#define GZ_RPC_M_PAUSE                                                                             \
	5 /* answered, then the server reads nothing until the client's queue                      \
	   * is full and the client took the server's "drain" message */

_Static_assert(sizeof(struct gz_rpc_hdr) == GZ_RPC_HDR_SIZE, "rpc header");

#endif
