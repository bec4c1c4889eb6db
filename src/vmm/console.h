/* The console sink: where guest output from the PL011 and virtio-console goes (stdout or a
 * file), with a lock so vCPU threads and the event loop can write concurrently. */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct vmm_console {
	pthread_mutex_t lock;
	int fd;
	uint64_t bytes;
};

int vmm_console_init(struct vmm_console *c, int fd);
void vmm_console_write(struct vmm_console *c, const void *buf, size_t len);
void vmm_console_destroy(struct vmm_console *c);

#endif
