/* vsock_linux: the vsock guest's protocol (tests/guests/vsock.c) for a stock Linux guest over
 * AF_VSOCK (Debian's vmw_vsock_virtio_transport), so that vsock_echo is its host side
 * unchanged. It listens on port 1234; the host connects, sends a 4-byte little-endian length
 * N and N bytes of the pattern: every byte is checked and echoed until the host closes. Then
 * it connects to the host (CID 2) port 5000, sends N bytes of the pattern while reading the
 * echo, checks every byte, shuts its sending side and waits for the host's end. One line per
 * step on stdout ("time:" lines: throughput); exit 0 only if both streams were intact.
 * Built static for aarch64 into the guest's initramfs.
 *   vsock_linux [TIMEOUT_S] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
/* after sys/socket.h: it uses struct sockaddr */
#include <linux/vm_sockets.h>
#include <time.h>
#include <unistd.h>

#include "vsock_tool.h"

#define CHUNK 65536

static uint8_t buf[CHUNK];

static int read_full(int fd, void *dst, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t r;

		if (wait_fd(fd, POLLIN) != 0)
			return -1;
		r = read(fd, (uint8_t *)dst + off, len - off);
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *src, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w;

		if (wait_fd(fd, POLLOUT) != 0)
			return -1;
		w = write(fd, (const uint8_t *)src + off, len - off);
		if (w < 0 && errno == EAGAIN)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* Host-initiated: accept on port 1234, check and echo the announced N bytes. */
static int echo_host(int lfd, uint64_t *total)
{
	struct sockaddr_vm peer;
	socklen_t plen = sizeof(peer);
	uint8_t pre[4];
	uint64_t got = 0, bad = 0;
	double t0;
	int fd;

	if (wait_fd(lfd, POLLIN) != 0 || (fd = accept(lfd, (struct sockaddr *)&peer, &plen)) < 0) {
		printf("host-initiated: no connection on port 1234: %s\n", strerror(errno));
		return -1;
	}
	printf("host-initiated: accepted from cid %u, port >= 2^30: %s\n", peer.svm_cid,
	       peer.svm_port >= (1U << 30) ? "yes" : "no");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (read_full(fd, pre, 4) != 0) {
		printf("host-initiated: no length\n");
		return -1;
	}
	*total = pre[0] | (uint32_t)pre[1] << 8 | (uint32_t)pre[2] << 16 | (uint32_t)pre[3] << 24;
	t0 = now();
	while (got < *total) {
		size_t want = *total - got < CHUNK ? *total - got : CHUNK;
		ssize_t r;

		if (wait_fd(fd, POLLIN) != 0)
			break;
		r = read(fd, buf, want);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++)
			bad += buf[i] != pattern(got + (uint64_t)i);
		if (write_full(fd, buf, (size_t)r) != 0)
			break;
		got += (uint64_t)r;
	}
	printf("host-initiated: %llu bytes announced, %llu checked and echoed, pattern %s\n",
	       (unsigned long long)*total, (unsigned long long)got, bad ? "BAD" : "ok");
	printf("time: host-initiated echo %.1f MB/s each way\n", (double)got / (now() - t0) / 1e6);
	/* The host closes once it has its echo. */
	while (wait_fd(fd, POLLIN) == 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	printf("host-initiated: the host closed its side\n");
	close(fd);
	return got == *total && !bad ? 0 : -1;
}

/* Guest-initiated: N bytes of the pattern to host port 5000 and their echo back. */
static int to_host(uint64_t total)
{
	struct sockaddr_vm a = {
	    .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_HOST, .svm_port = 5000};
	uint64_t sent = 0, got = 0, bad = 0;
	bool shut = false;
	double t0;
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		printf("guest-initiated: connect to host port 5000: %s\n", strerror(errno));
		return -1;
	}
	printf("guest-initiated: connect to host port 5000: established\n");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	t0 = now();
	while (got < total) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0)};

		if (poll(&p, 1, timeout_ms) != 1) {
			printf("guest-initiated: stalled at %llu sent, %llu echoed\n",
			       (unsigned long long)sent, (unsigned long long)got);
			break;
		}
		if ((p.revents & POLLOUT) && sent < total) {
			size_t n = total - sent < CHUNK ? total - sent : CHUNK;
			ssize_t w;

			for (size_t i = 0; i < n; i++)
				buf[i] = pattern(sent + i);
			w = write(fd, buf, n);
			if (w > 0)
				sent += (uint64_t)w;
			else if (w < 0 && errno != EAGAIN)
				break;
		}
		if (sent == total && !shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r == 0 || (r < 0 && errno != EAGAIN))
				break;
			for (ssize_t i = 0; i < r; i++)
				bad += buf[i] != pattern(got + (uint64_t)i);
			if (r > 0)
				got += (uint64_t)r;
		}
	}
	printf("guest-initiated: %llu bytes sent, %llu echoed back, pattern %s\n",
	       (unsigned long long)sent, (unsigned long long)got, bad ? "BAD" : "ok");
	printf("time: guest-initiated echo %.1f MB/s each way\n", (double)got / (now() - t0) / 1e6);
	close(fd);
	return got == total && !bad ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_vm a = {
	    .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = 1234};
	unsigned int cid = 0;
	uint64_t total = 0;
	int lfd, rc;

	if (argc > 1)
		timeout_ms = atoi(argv[1]) * 1000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	lfd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 4) != 0) {
		printf("vsock: cannot listen on port 1234: %s\n", strerror(errno));
		return 1;
	}
	{
		int dfd = open("/dev/vsock", O_RDONLY);

		if (dfd >= 0) {
			ioctl(dfd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid);
			close(dfd);
		}
	}
	printf("vsock: listening on port 1234, local cid %u\n", cid);
	rc = echo_host(lfd, &total) == 0 && to_host(total) == 0 ? 0 : 1;
	close(lfd);
	printf("vsock done: %s\n", rc ? "FAILED" : "ok");
	return rc;
}
