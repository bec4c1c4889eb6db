/* virtio-vsock's connection table: one entry per stream between a guest port and a host
 * port, with the credit accounting of both directions (virtio 1.2 §5.10.6.3) and the buffer
 * of guest data the host socket has not taken yet. No I/O here: the device (virtio_vsock.c)
 * and the host side (vsock_host.c) drive it. Every count is a wrapping u32, as on the wire. */
#ifndef VMM_VSOCK_CONN_H
#define VMM_VSOCK_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Connections at once: each may hold a buffer of VMM_VSOCK_BUF_ALLOC (16 MiB in all). */
#define VMM_VSOCK_MAX_CONNS 64U
/* What gzvmm advertises as its receive buffer per connection: Linux's default. */
#define VMM_VSOCK_BUF_ALLOC (256U * 1024U)

enum vmm_vsock_state {
	VMM_VSOCK_FREE = 0,
	VMM_VSOCK_CONNECTING, /* host-initiated: REQUEST sent or to send, no RESPONSE yet */
	VMM_VSOCK_ESTABLISHED,
	/* The guest is done with it (an RST to send or sent): the host socket takes what is
	 * buffered, then closes. Guest packets are ignored until the RST went out. */
	VMM_VSOCK_DRAINING,
	/* The host side is gone: an RST to send; the guest's packets find it and are ignored. */
	VMM_VSOCK_DEAD,
};

/* Control packets owed to the guest, one bit each (a second one of a kind coalesces). */
#define VMM_VSOCK_OWE_REQUEST  1U
#define VMM_VSOCK_OWE_RESPONSE 2U
#define VMM_VSOCK_OWE_RST      4U
#define VMM_VSOCK_OWE_SHUTDOWN 8U
#define VMM_VSOCK_OWE_CREDIT   16U

struct vmm_vsock_conn {
	enum vmm_vsock_state state;
	uint32_t guest_port;
	uint32_t host_port;
	int fd; /* the host's AF_UNIX stream, -1 once closed */
	unsigned owe;
	/* guest -> host */
	uint8_t *buf; /* ring of VMM_VSOCK_BUF_ALLOC bytes, allocated at the first data */
	uint32_t buf_head, buf_len;
	uint32_t rx_cnt;     /* payload bytes taken from the guest */
	uint32_t fwd_cnt;    /* of those, bytes the host socket took */
	uint32_t fwd_sent;   /* fwd_cnt the guest last heard of */
	bool peer_shut_send; /* the guest sends nothing more */
	bool peer_shut_rcv;  /* the guest takes nothing more */
	bool host_shut_done; /* SHUT_WR done on the host socket */
	/* host -> guest */
	uint32_t tx_cnt; /* payload bytes given to the guest */
	uint32_t peer_buf_alloc;
	uint32_t peer_fwd_cnt;
	bool host_readable; /* the socket signalled data (or EOF) not read yet */
	bool host_eof;	    /* the host sends nothing more */
};

struct vmm_vsock_conns {
	struct vmm_vsock_conn c[VMM_VSOCK_MAX_CONNS];
	unsigned n;    /* entries not FREE */
	unsigned next; /* round-robin start of the next scan */
};

void vmm_vsock_conns_init(struct vmm_vsock_conns *t);
/* The entry for this port pair whose end the guest has not heard yet (any state but a
 * DRAINING one whose RST went out), or NULL. */
struct vmm_vsock_conn *vmm_vsock_conn_find(struct vmm_vsock_conns *t, uint32_t guest_port,
					   uint32_t host_port);
/* True if some entry, draining ones included, uses host_port (for choosing a free one). */
bool vmm_vsock_conn_host_port_used(const struct vmm_vsock_conns *t, uint32_t host_port);
/* A new entry with fd, or NULL when the table is full. */
struct vmm_vsock_conn *vmm_vsock_conn_alloc(struct vmm_vsock_conns *t, enum vmm_vsock_state st,
					    uint32_t guest_port, uint32_t host_port, int fd);
/* Frees the entry and its buffer; the caller closed the fd. */
void vmm_vsock_conn_free(struct vmm_vsock_conns *t, struct vmm_vsock_conn *c);

/* Bytes gzvmm may still send the guest on c (never negative: a peer claiming more space or
 * more consumption than possible gets none past its buffer). */
uint32_t vmm_vsock_conn_peer_credit(const struct vmm_vsock_conn *c);
/* Takes buf_alloc and fwd_cnt from a guest header. false if fwd_cnt goes backwards or past
 * what was sent: a broken peer, to be reset. */
bool vmm_vsock_conn_peer_update(struct vmm_vsock_conn *c, uint32_t buf_alloc, uint32_t fwd_cnt);
/* Appends len bytes of guest payload. false if the guest sent past the credit it was
 * given (or the buffer cannot be allocated): the connection must be reset. */
bool vmm_vsock_conn_push(struct vmm_vsock_conn *c, const void *data, uint32_t len);
/* The contiguous buffered bytes at the head (*len 0 when empty). */
const uint8_t *vmm_vsock_conn_peek(const struct vmm_vsock_conn *c, uint32_t *len);
/* n of them reached the host socket. */
void vmm_vsock_conn_consume(struct vmm_vsock_conn *c, uint32_t n);
/* The guest should hear of the space freed: a quarter of the buffer since its last news,
 * or any at all once it believes less than a quarter is left. */
bool vmm_vsock_conn_credit_due(const struct vmm_vsock_conn *c);

#endif
