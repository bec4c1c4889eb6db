/* The gzvm backend: ioctl(2) on /dev/gzvm inside a host VM running gzvm.ko; guest RAM is an
 * anonymous mapping per memslot (the driver wants memory_size to equal the whole VMA). */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GZVM_DEV_PATH "/dev/gzvm"

static int gzvm_init(struct vmm_backend *be, size_t ram_size, char *err, size_t errlen)
{
	(void)be;
	(void)ram_size;
	(void)err;
	(void)errlen;
	return 0;
}

static int gzvm_open_dev(struct vmm_backend *be, char *err, size_t errlen)
{
	int fd = open(GZVM_DEV_PATH, O_RDWR | O_CLOEXEC);

	(void)be;
	if (fd < 0)
		snprintf(err, errlen, "cannot open %s: %s (is gzvm.ko loaded? try --backend sim)",
			 GZVM_DEV_PATH, strerror(errno));
	return fd;
}

static long gzvm_ioctl(struct vmm_backend *be, int fd, unsigned long req, void *arg)
{
	long r;

	(void)be;
	r = ioctl(fd, req, arg);
	return r < 0 ? -errno : r;
}

static void gzvm_close_fd(struct vmm_backend *be, int fd)
{
	(void)be;
	close(fd);
}

/* Guest RAM starts on a 2 MiB boundary, as the guest's RAM does (1 GiB): each 2 MiB of it can
 * then be one huge page of the host's and one stage-2 block of the hypervisor's. The mapping
 * is made 2 MiB larger and trimmed to the aligned range. */
static void *gzvm_ram_alloc(struct vmm_backend *be, size_t size)
{
	const size_t huge = (size_t)2 << 20;
	uint8_t *p = mmap(NULL, size + huge, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *a;

	(void)be;
	if (p == MAP_FAILED)
		return NULL;
	a = (uint8_t *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + size, (size_t)(p + huge - a));
	return a;
}

static void gzvm_ram_free(struct vmm_backend *be, void *p, size_t size)
{
	(void)be;
	munmap(p, size);
}

static void gzvm_kick(struct vmm_backend *be, pthread_t t)
{
	(void)be;
	pthread_kill(t, VMM_KICK_SIGNAL);
}

static void gzvm_fini(struct vmm_backend *be)
{
	(void)be;
}

const struct vmm_backend_ops vmm_backend_gzvm = {
    .name = "gzvm",
    .init = gzvm_init,
    .open_dev = gzvm_open_dev,
    .ioctl = gzvm_ioctl,
    .close_fd = gzvm_close_fd,
    .ram_alloc = gzvm_ram_alloc,
    .ram_free = gzvm_ram_free,
    .kick = gzvm_kick,
    .fini = gzvm_fini,
};
