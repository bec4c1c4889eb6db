/* vsock_echo: the host side of the vsock guest (tests/guests/vsock.c) through gzvmm's
 * --vsock CID,PATH socket. It listens on PATH_5000, connects to PATH and asks for the guest's
 * port 1234 ("CONNECT 1234\n", answered "OK <port>\n"), sends a 4-byte little-endian length N
 * and N bytes of the pattern while reading the guest's echo, checks every byte of it and
 * closes; then it accepts the guest's connection on PATH_5000 and echoes it to its end. It
 * prints one line per stream with its throughput, and exits 0 only if both streams carried
 * N bytes intact. Built for the build machine and, static, for the full stack's host VM.
 * With vsock:CID instead of PATH it is the host side of a VMM whose vsock is the host
 * kernel's (KVM's vhost-vsock, bench/vsock): AF_VSOCK to CID port 1234 and a listener on
 * port 5000, no CONNECT line (it prints the line gzvmm's OK would have given, port 0).
 *   vsock_echo PATH|vsock:CID N [TIMEOUT_S] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
/* after sys/socket.h: it uses struct sockaddr */
#include <linux/vm_sockets.h>
#include <time.h>
#include <unistd.h>

#include "vsock_tool.h"

static int addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

/* Reads a line byte by byte (nothing past it is taken). */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		if (wait_fd(fd, POLLIN) != 0 || read(fd, buf + n, 1) != 1)
			return -1;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return 0;
}

/* vsock:CID: the host kernel's vsock; 0 for gzvmm's AF_UNIX socket. */
static unsigned vsock_cid;

/* A stream to the guest's port 1234: gzvmm's CONNECT line answered, or AF_VSOCK. */
static int open_guest(const char *path, char *line, size_t len)
{
	struct sockaddr_un a;
	struct sockaddr_vm v = {.svm_family = AF_VSOCK, .svm_cid = vsock_cid, .svm_port = 1234};
	int fd = socket(vsock_cid ? AF_VSOCK : AF_UNIX, SOCK_STREAM, 0);

	if (fd >= 0 && vsock_cid) {
		if (connect(fd, (struct sockaddr *)&v, sizeof(v)) == 0) {
			snprintf(line, len, "OK 0\n");
			return fd;
		}
	} else if (fd >= 0 && addr(&a, path) == 0 &&
		   connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		if (write(fd, "CONNECT 1234\n", 13) == 13 && read_line(fd, line, len) == 0 &&
		    strncmp(line, "OK ", 3) == 0)
			return fd;
		fprintf(stderr, "vsock_echo: no OK from gzvmm for CONNECT 1234\n");
		close(fd);
		return -1;
	}
	fprintf(stderr, "vsock_echo: connect %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Host-initiated: the guest's port 1234 echoes what we send. */
static int to_guest(const char *path, uint64_t total)
{
	char line[64];
	static uint8_t buf[65536];
	uint64_t sent = 0, got = 0, bad = 0;
	int fd = open_guest(path, line, sizeof(line));
	uint8_t pre[4] = {(uint8_t)total, (uint8_t)(total >> 8), (uint8_t)(total >> 16),
			  (uint8_t)(total >> 24)};
	double t0;

	if (fd < 0)
		return -1;
	printf("host: CONNECT 1234 answered %s", line);
	if (write(fd, pre, 4) != 4)
		return -1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	t0 = now();
	while (got < total) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0)};

		if (poll(&p, 1, timeout_ms) != 1) {
			fprintf(stderr, "vsock_echo: host-initiated stream stalled at %llu/%llu\n",
				(unsigned long long)got, (unsigned long long)sent);
			return -1;
		}
		if ((p.revents & POLLOUT) && sent < total) {
			size_t n = total - sent < sizeof(buf) ? total - sent : sizeof(buf);
			ssize_t w;

			for (size_t i = 0; i < n; i++)
				buf[i] = pattern(sent + i);
			w = write(fd, buf, n);
			if (w > 0)
				sent += (uint64_t)w;
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				fprintf(stderr, "vsock_echo: host-initiated stream ended at %llu\n",
					(unsigned long long)got);
				return -1;
			}
			for (ssize_t i = 0; i < r; i++)
				bad += buf[i] != pattern(got + (uint64_t)i);
			if (r > 0)
				got += (uint64_t)r;
		}
	}
	printf("host: host-initiated: %llu bytes sent, %llu echoed, %llu wrong\n",
	       (unsigned long long)sent, (unsigned long long)got, (unsigned long long)bad);
	fprintf(stderr, "time: host-initiated echo %.1f MB/s each way\n",
		(double)total / (now() - t0) / 1e6);
	close(fd);
	return bad ? -1 : 0;
}

/* Guest-initiated: echo one connection on PATH_5000 to its end. */
static int from_guest(int lfd, uint64_t total)
{
	static uint8_t buf[65536];
	uint64_t echoed = 0;
	int fd;
	double t0;

	if (wait_fd(lfd, POLLIN) != 0 || (fd = accept(lfd, NULL, NULL)) < 0) {
		fprintf(stderr, "vsock_echo: the guest did not connect to port 5000\n");
		return -1;
	}
	t0 = now();
	for (;;) {
		ssize_t r;

		if (wait_fd(fd, POLLIN) != 0) {
			fprintf(stderr, "vsock_echo: guest-initiated stream stalled at %llu\n",
				(unsigned long long)echoed);
			return -1;
		}
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(fd, buf + off, (size_t)(r - off));

			if (w <= 0)
				return -1;
			off += w;
		}
		echoed += (uint64_t)r;
	}
	printf("host: guest-initiated: %llu bytes echoed\n", (unsigned long long)echoed);
	fprintf(stderr, "time: guest-initiated echo %.1f MB/s each way\n",
		(double)echoed / (now() - t0) / 1e6);
	close(fd);
	return echoed == total ? 0 : -1;
}

int main(int argc, char **argv)
{
	char lpath[128];
	struct sockaddr_un a;
	uint64_t total;
	int lfd, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: vsock_echo PATH|vsock:CID BYTES [TIMEOUT_S]\n");
		return 2;
	}
	total = strtoull(argv[2], NULL, 0);
	if (argc > 3)
		timeout_ms = atoi(argv[3]) * 1000;
	if (strncmp(argv[1], "vsock:", 6) == 0)
		vsock_cid = (unsigned)strtoul(argv[1] + 6, NULL, 0);
	snprintf(lpath, sizeof(lpath), "%s_5000", argv[1]);
	if (vsock_cid) {
		struct sockaddr_vm v = {
		    .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = 5000};

		lfd = socket(AF_VSOCK, SOCK_STREAM, 0);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&v, sizeof(v)) != 0 || listen(lfd, 4)) {
			fprintf(stderr, "vsock_echo: listen on vsock port 5000: %s\n",
				strerror(errno));
			return 1;
		}
	} else {
		unlink(lpath);
		lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (lfd < 0 || addr(&a, lpath) != 0 ||
		    bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 4) != 0) {
			fprintf(stderr, "vsock_echo: listen %s: %s\n", lpath, strerror(errno));
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* gzvmm's socket appears once it has set the VM up. */
	for (int i = 0; !vsock_cid && i < timeout_ms / 50 && access(argv[1], F_OK) != 0; i++)
		usleep(50000);
	rc = to_guest(argv[1], total) == 0 && from_guest(lfd, total) == 0 ? 0 : 1;
	close(lfd);
	if (!vsock_cid)
		unlink(lpath);
	return rc;
}
