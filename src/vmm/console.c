/* Console sink: serialised writes of guest output. */
#include "console.h"

#include <errno.h>
#include <unistd.h>

int vmm_console_init(struct vmm_console *c, int fd)
{
	c->fd = fd;
	c->bytes = 0;
	return pthread_mutex_init(&c->lock, NULL) == 0 ? 0 : -1;
}

void vmm_console_write(struct vmm_console *c, const void *buf, size_t len)
{
	const char *p = buf;

	pthread_mutex_lock(&c->lock);
	c->bytes += len;
	while (len && c->fd >= 0) {
		ssize_t n = write(c->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* output gone (closed pipe): drop it, the guest keeps running */
		p += n;
		len -= (size_t)n;
	}
	pthread_mutex_unlock(&c->lock);
}

void vmm_console_destroy(struct vmm_console *c)
{
	pthread_mutex_destroy(&c->lock);
}
