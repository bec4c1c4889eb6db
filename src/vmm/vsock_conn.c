/* virtio-vsock connection table and credit accounting (see vsock_conn.h). */
#include "vsock_conn.h"

#include <stdlib.h>
#include <string.h>

void vmm_vsock_conns_init(struct vmm_vsock_conns *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++)
		t->c[i].fd = -1;
}

struct vmm_vsock_conn *vmm_vsock_conn_find(struct vmm_vsock_conns *t, uint32_t guest_port,
					   uint32_t host_port)
{
	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++) {
		struct vmm_vsock_conn *c = &t->c[i];

		/* A draining entry counts until the guest had its RST: a new connection on
		 * the same ports must not start before the old one's end reached the guest. */
		if (c->state != VMM_VSOCK_FREE &&
		    (c->state != VMM_VSOCK_DRAINING || (c->owe & VMM_VSOCK_OWE_RST)) &&
		    c->guest_port == guest_port && c->host_port == host_port)
			return c;
	}
	return NULL;
}

bool vmm_vsock_conn_host_port_used(const struct vmm_vsock_conns *t, uint32_t host_port)
{
	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++)
		if (t->c[i].state != VMM_VSOCK_FREE && t->c[i].host_port == host_port)
			return true;
	return false;
}

struct vmm_vsock_conn *vmm_vsock_conn_alloc(struct vmm_vsock_conns *t, enum vmm_vsock_state st,
					    uint32_t guest_port, uint32_t host_port, int fd)
{
	for (unsigned i = 0; i < VMM_VSOCK_MAX_CONNS; i++) {
		struct vmm_vsock_conn *c = &t->c[i];

		if (c->state != VMM_VSOCK_FREE)
			continue;
		memset(c, 0, sizeof(*c));
		c->state = st;
		c->guest_port = guest_port;
		c->host_port = host_port;
		c->fd = fd;
		t->n++;
		return c;
	}
	return NULL;
}

void vmm_vsock_conn_free(struct vmm_vsock_conns *t, struct vmm_vsock_conn *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	t->n--;
}

uint32_t vmm_vsock_conn_peer_credit(const struct vmm_vsock_conn *c)
{
	uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;

	return in_flight >= c->peer_buf_alloc ? 0 : c->peer_buf_alloc - in_flight;
}

bool vmm_vsock_conn_peer_update(struct vmm_vsock_conn *c, uint32_t buf_alloc, uint32_t fwd_cnt)
{
	/* fwd_cnt may only move forward, and never past what the guest was given. */
	if (fwd_cnt - c->peer_fwd_cnt > c->tx_cnt - c->peer_fwd_cnt)
		return false;
	c->peer_fwd_cnt = fwd_cnt;
	c->peer_buf_alloc = buf_alloc;
	return true;
}

bool vmm_vsock_conn_push(struct vmm_vsock_conn *c, const void *data, uint32_t len)
{
	uint32_t tail, first;

	if (len > VMM_VSOCK_BUF_ALLOC - c->buf_len)
		return false;
	if (len == 0)
		return true;
	if (!c->buf && !(c->buf = malloc(VMM_VSOCK_BUF_ALLOC)))
		return false;
	tail = (c->buf_head + c->buf_len) % VMM_VSOCK_BUF_ALLOC;
	first = VMM_VSOCK_BUF_ALLOC - tail < len ? VMM_VSOCK_BUF_ALLOC - tail : len;
	memcpy(c->buf + tail, data, first);
	memcpy(c->buf, (const uint8_t *)data + first, len - first);
	c->buf_len += len;
	c->rx_cnt += len;
	return true;
}

const uint8_t *vmm_vsock_conn_peek(const struct vmm_vsock_conn *c, uint32_t *len)
{
	uint32_t to_end = VMM_VSOCK_BUF_ALLOC - c->buf_head;

	*len = c->buf_len < to_end ? c->buf_len : to_end;
	return *len ? c->buf + c->buf_head : NULL;
}

void vmm_vsock_conn_consume(struct vmm_vsock_conn *c, uint32_t n)
{
	if (n > c->buf_len)
		n = c->buf_len;
	c->buf_head = (c->buf_head + n) % VMM_VSOCK_BUF_ALLOC;
	c->buf_len -= n;
	c->fwd_cnt += n;
}

bool vmm_vsock_conn_credit_due(const struct vmm_vsock_conn *c)
{
	uint32_t news = c->fwd_cnt - c->fwd_sent;
	/* The space the guest believes it has. */
	uint32_t seen_free = VMM_VSOCK_BUF_ALLOC - (c->rx_cnt - c->fwd_sent);

	return news >= VMM_VSOCK_BUF_ALLOC / 4 || (news && seen_free < VMM_VSOCK_BUF_ALLOC / 4);
}
