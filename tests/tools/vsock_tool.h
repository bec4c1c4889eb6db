/* What the vsock test tools share (vsock_echo.c on the host, vsock_linux.c in a Linux guest):
 * the byte pattern both ends check (the test guest tests/guests/vsock.c has the same), the
 * clock of their throughput lines and a poll bounded by their timeout. */
#ifndef TESTS_TOOLS_VSOCK_TOOL_H
#define TESTS_TOOLS_VSOCK_TOOL_H

#include <poll.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds a stream may stall; each tool's main may change it. */
static int timeout_ms = 120000;

static inline uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 11));
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 0 once fd signals ev, -1 after timeout_ms. */
static inline int wait_fd(int fd, short ev)
{
	struct pollfd p = {.fd = fd, .events = ev};

	return poll(&p, 1, timeout_ms) == 1 ? 0 : -1;
}

#endif
