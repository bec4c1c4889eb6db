/* virtio-vsock's host side, as Firecracker's: gzvmm listens on the AF_UNIX socket PATH; a host
 * program connects and writes "CONNECT <port>\n" to reach the guest's listening port and is
 * answered "OK <hostport>\n" once the guest accepted (or closed if it refused); a guest
 * connecting to the host (CID 2) port P reaches the AF_UNIX socket PATH_P. Every socket is
 * non-blocking and watched edge-triggered in an epoll set of its own, which the VM's event
 * loop watches in turn. */
#define _GNU_SOURCE
#include "vsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"

/* epoll data: the kind, an index and the fd (a stale event must not reach a new owner). */
#define TAG_LISTEN  (1ULL << 56)
#define TAG_PENDING (2ULL << 56)
#define TAG_CONN    (3ULL << 56)
#define TAG_KIND    (0xffULL << 56)

static uint64_t tag(uint64_t kind, unsigned idx, int fd)
{
	return kind | (uint64_t)idx << 32 | (uint32_t)fd;
}

static int watch(struct vmm_vsock_host *h, int fd, uint64_t t, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = t};

	return epoll_ctl(h->ep_fd, EPOLL_CTL_ADD, fd, &ev);
}

static int sock_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

/* Someone listens at path (another gzvmm's socket), or it is a stale one we may replace. */
static bool in_use(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0 || sock_addr(&a, path) != 0) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	used = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 || errno != ECONNREFUSED;
	close(fd);
	return used;
}

int vmm_vsock_host_open(struct vmm_vsock_host *h, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a;
	struct stat st;

	memset(h, 0, sizeof(*h));
	h->listen_fd = h->ep_fd = -1;
	for (unsigned i = 0; i < VMM_VSOCK_MAX_PENDING; i++)
		h->pending[i].fd = -1;
	if (strlen(path) > VMM_VSOCK_PATH_MAX || sock_addr(&a, path) != 0)
		return vmm_fail(err, errlen, "--vsock path '%s' is too long (at most %zu bytes)",
				path, (size_t)VMM_VSOCK_PATH_MAX);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return vmm_fail(err, errlen, "--vsock path '%s' exists and is not a socket",
					path);
		if (in_use(path))
			return vmm_fail(err, errlen, "--vsock socket '%s' is in use", path);
		unlink(path); /* a stale socket of an earlier run */
	}
	h->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->listen_fd < 0 || bind(h->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(h->listen_fd, 16) != 0) {
		int e = errno;

		if (h->listen_fd >= 0)
			close(h->listen_fd);
		h->listen_fd = -1;
		return vmm_fail(err, errlen, "--vsock socket '%s': %s", path,
				e == EADDRINUSE ? "in use" : strerror(e));
	}
	strcpy(h->path, path);
	h->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (h->ep_fd < 0 || watch(h, h->listen_fd, tag(TAG_LISTEN, 0, h->listen_fd), EPOLLIN)) {
		vmm_fail(err, errlen, "--vsock: epoll: %s", strerror(errno));
		vmm_vsock_host_close(h);
		return -1;
	}
	return 0;
}

void vmm_vsock_host_close(struct vmm_vsock_host *h)
{
	for (unsigned i = 0; i < VMM_VSOCK_MAX_PENDING; i++)
		if (h->pending[i].fd >= 0) {
			close(h->pending[i].fd);
			h->pending[i].fd = -1;
		}
	if (h->listen_fd >= 0) {
		close(h->listen_fd);
		unlink(h->path);
	}
	if (h->ep_fd >= 0)
		close(h->ep_fd);
	h->listen_fd = h->ep_fd = -1;
}

int vmm_vsock_host_event_fd(const struct vmm_vsock_host *h)
{
	return h->ep_fd;
}

int vmm_vsock_host_connect(struct vmm_vsock_host *h, uint32_t port)
{
	char path[sizeof(h->path) + 12];
	struct sockaddr_un a;
	int fd;

	snprintf(path, sizeof(path), "%s_%u", h->path, port);
	if (sock_addr(&a, path) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* A full backlog (EAGAIN) refuses as a missing listener does. */
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int vmm_vsock_host_watch(struct vmm_vsock_host *h, int fd, unsigned idx)
{
	return watch(h, fd, tag(TAG_CONN, idx, fd), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
}

int vmm_vsock_host_flush(struct vmm_vsock_conn *c)
{
	uint32_t len;
	const uint8_t *p;

	while ((p = vmm_vsock_conn_peek(c, &len)) != NULL) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		vmm_vsock_conn_consume(c, (uint32_t)n);
	}
	return 0;
}

long vmm_vsock_host_read(struct vmm_vsock_conn *c, void *buf, uint32_t len)
{
	ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);

	return n < 0 ? -errno : (long)n;
}

int vmm_vsock_host_say_ok(struct vmm_vsock_conn *c)
{
	char line[24];
	int n = snprintf(line, sizeof(line), "OK %u\n", c->host_port);

	return send(c->fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n ? 0 : -1;
}

static void accept_all(struct vmm_vsock_host *h)
{
	for (;;) {
		int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		unsigned i;

		if (fd < 0)
			return;
		for (i = 0; i < VMM_VSOCK_MAX_PENDING && h->pending[i].fd >= 0; i++)
			;
		if (i == VMM_VSOCK_MAX_PENDING ||
		    watch(h, fd, tag(TAG_PENDING, i, fd), EPOLLIN | EPOLLRDHUP) != 0) {
			close(fd); /* too many at once that have not said where to */
			continue;
		}
		h->pending[i].fd = fd;
		h->pending[i].len = 0;
	}
}

/* "CONNECT <port>\n", the port decimal without sign or leading zeros; else UINT64_MAX. */
static uint64_t parse_connect(const char *s, size_t len)
{
	uint64_t port = 0;
	size_t i = 8;

	if (len < 10 || memcmp(s, "CONNECT ", 8) != 0 || s[len - 1] != '\n' ||
	    (s[8] == '0' && len != 10))
		return UINT64_MAX;
	for (; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return UINT64_MAX;
		port = port * 10 + (uint64_t)(s[i] - '0');
		if (port > UINT32_MAX)
			return UINT64_MAX;
	}
	return port;
}

static void drop_pending(struct vmm_vsock_pending *p)
{
	close(p->fd);
	p->fd = -1;
}

/* Reads the CONNECT line without taking a byte past it (the data that follows is the
 * guest's). */
static void pending_read(struct vmm_vsock *v, struct vmm_vsock_pending *p)
{
	struct vmm_vsock_host *h = v->host;
	char buf[sizeof(p->line)];
	ssize_t n = recv(p->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	char *nl;
	uint64_t port;
	int idx;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_pending(p);
		return;
	}
	nl = memchr(buf, '\n', (size_t)n);
	if (!nl) {
		if ((size_t)n == sizeof(buf)) /* no port fits in that */
			drop_pending(p);
		return;
	}
	n = nl - buf + 1;
	if (recv(p->fd, buf, (size_t)n, MSG_DONTWAIT) != n) {
		drop_pending(p);
		return;
	}
	port = parse_connect(buf, (size_t)n);
	epoll_ctl(h->ep_fd, EPOLL_CTL_DEL, p->fd, NULL);
	if (port == UINT64_MAX || (idx = vmm_vsock_host_initiated(v, p->fd, (uint32_t)port)) < 0) {
		drop_pending(p);
		return;
	}
	p->fd = -1; /* the connection owns it now */
}

void vmm_vsock_host_poll(struct vmm_vsock *v)
{
	struct vmm_vsock_host *h = v->host;
	struct epoll_event ev[32];
	int n;

	pthread_mutex_lock(&v->vd->lock);
	n = epoll_wait(h->ep_fd, ev, 32, 0);
	for (int i = 0; i < n; i++) {
		uint64_t t = ev[i].data.u64;
		unsigned idx = (unsigned)(t >> 32) & 0xffffffU;
		int fd = (int)(uint32_t)t;

		switch (t & TAG_KIND) {
		case TAG_LISTEN:
			accept_all(h);
			break;
		case TAG_PENDING:
			if (idx < VMM_VSOCK_MAX_PENDING && h->pending[idx].fd == fd)
				pending_read(v, &h->pending[idx]);
			break;
		case TAG_CONN: {
			struct vmm_vsock_conn *c = &v->conns.c[idx % VMM_VSOCK_MAX_CONNS];
			uint32_t e = ev[i].events;

			if (c->state != VMM_VSOCK_FREE && c->fd == fd)
				vmm_vsock_host_event(
				    v, c, e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR),
				    e & (EPOLLOUT | EPOLLHUP | EPOLLERR));
			break;
		}
		default:
			break;
		}
	}
	pthread_mutex_unlock(&v->vd->lock);
	vmm_virtio_process(v->vd, VMM_VSOCK_RX);
	vmm_virtio_process(v->vd, VMM_VSOCK_TX);
}
