/* virtio-vsock in gzvmm: the device's state and the calls between its three parts, the
 * device proper (virtio_vsock.c: the queues and the protocol of virtio 1.2 §5.10), the
 * connection table (vsock_conn.c) and the host side (vsock_host.c: AF_UNIX sockets as
 * Firecracker's, `--vsock CID,PATH`). All of the state is guarded by the transport's lock. */
#ifndef VMM_VSOCK_H
#define VMM_VSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "cli.h"
#include "virtio_mmio.h"
#include "vsock_conn.h"
#include "vsock_pkt.h"

/* RSTs owed for packets that belong to no connection; when full, the transmit queue waits. */
#define VMM_VSOCK_RSTQ 64U
/* Payload of one packet gzvmm sends (Linux's largest receive buffer is 64 KiB). */
#define VMM_VSOCK_MAX_PAYLOAD (64U * 1024U)
/* Host-side sockets accepted and still sending their CONNECT line. */
#define VMM_VSOCK_MAX_PENDING 16U
/* Host ports of host-initiated connections start here (as Firecracker's). */
#define VMM_VSOCK_HOST_PORT_BASE (1U << 30)
/* "PATH_PORT" must fit sun_path: room for '_', ten digits and the NUL (cli.h). */
#define VMM_VSOCK_PATH_MAX VMM_VSOCK_PATH_LEN_MAX
_Static_assert(VMM_VSOCK_PATH_MAX + 12U <= sizeof(((struct sockaddr_un *)0)->sun_path),
	       "PATH_PORT fits sun_path");

struct vmm_vsock_pending {
	int fd; /* -1: free */
	char line[24];
	unsigned len;
};

struct vmm_vsock_host {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int ep_fd; /* its own epoll set, itself watched by the VM's event loop */
	struct vmm_vsock_pending pending[VMM_VSOCK_MAX_PENDING];
};

struct vmm_vsock_stats {
	uint64_t rx_pkts, tx_pkts;   /* to and from the guest */
	uint64_t rx_bytes, tx_bytes; /* payload */
	uint64_t rsts_sent, dropped, conns;
};

struct vmm_vsock {
	uint64_t guest_cid;
	struct vmm_virtio *vd;	     /* the transport, for the host side's work */
	struct vmm_vsock_host *host; /* NULL: no host side (every connection is refused) */
	struct vmm_vsock_conns conns;
	struct {
		uint64_t src_cid;
		uint32_t src_port, dst_port;
	} rstq[VMM_VSOCK_RSTQ];
	unsigned rst_head, rst_n;
	uint32_t next_host_port;
	bool rx_kicked; /* a notification for the receive queue is on its way */
	struct vmm_vsock_stats stats;
	uint8_t bounce[VMM_VSOCK_MAX_PAYLOAD];
};

extern const struct vmm_virtio_dev_ops vmm_vsock_ops;

/* Device state for guest_cid on transport vd (host may be NULL). */
void vmm_vsock_init(struct vmm_vsock *v, uint64_t guest_cid, struct vmm_virtio *vd,
		    struct vmm_vsock_host *host);
/* Closes every connection (the transport's lock held or no other thread). */
void vmm_vsock_close_all(struct vmm_vsock *v);
/* True if the receive queue has something to carry (lock held). */
bool vmm_vsock_rx_work(struct vmm_vsock *v);
/* A host socket asked for guest port: a connection to set up with a REQUEST (lock held).
 * Its index, or -1 when the table is full (the caller closes fd). */
int vmm_vsock_host_initiated(struct vmm_vsock *v, int fd, uint32_t port);
/* c's host socket signalled: data or EOF to read, room to write (lock held). */
void vmm_vsock_host_event(struct vmm_vsock *v, struct vmm_vsock_conn *c, bool readable,
			  bool writable);

/* Host side. Listens on path (unlinking a stale socket there first); -1 with a one-line
 * message ("in use", too long, cannot bind). */
int vmm_vsock_host_open(struct vmm_vsock_host *h, const char *path, char *err, size_t errlen);
void vmm_vsock_host_close(struct vmm_vsock_host *h);
/* The fd the VM's event loop watches. */
int vmm_vsock_host_event_fd(const struct vmm_vsock_host *h);
/* Serves what the host sockets signalled (event loop thread; takes the transport's lock). */
void vmm_vsock_host_poll(struct vmm_vsock *v);
/* A non-blocking stream connected to PATH_port and watched, or -1. */
int vmm_vsock_host_connect(struct vmm_vsock_host *h, uint32_t port);
/* Watches fd, the host socket of connection idx. 0 or -1. */
int vmm_vsock_host_watch(struct vmm_vsock_host *h, int fd, unsigned idx);
/* Writes what c buffered for its host socket: 0 (all or what fitted), -1 on a dead socket. */
int vmm_vsock_host_flush(struct vmm_vsock_conn *c);
/* Reads at most len bytes from c's socket: the count, 0 at EOF, or -errno (-EAGAIN: none now). */
long vmm_vsock_host_read(struct vmm_vsock_conn *c, void *buf, uint32_t len);
/* Tells c's host socket the connection is up ("OK <hostport>\n"); -1 if it cannot. */
int vmm_vsock_host_say_ok(struct vmm_vsock_conn *c);

#endif
