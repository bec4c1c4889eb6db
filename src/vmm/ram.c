/* Guest RAM as the command line wants it (ram.h): the backend's memory, or a shared file
 * (--mem-file), in 2 MiB pages as --hugepages says (transparent huge pages by default,
 * hugetlbfs pages, or 4 KiB pages only), and with --prealloc everything populated and
 * locked before the VM exists, after a check that the host and the memory cgroup have room
 * for it. */
#define _GNU_SOURCE
#include "ram.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "exitcode.h"
#include "msg.h"
#include "vm.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26) /* MAP_HUGE_SHIFT 26 */
#endif

#define MIB ((uint64_t)1024 * 1024)
/* hugetlbfs mappings are whole huge pages */
#define ROUND_2M(x) (((x) + 2 * MIB - 1) & ~(2 * MIB - 1))

/* The first line of @path that starts with @key, its number after the key; -1 if none. */
static int read_key_u64(const char *path, const char *key, uint64_t *out)
{
	char line[512];
	size_t n = strlen(key);
	FILE *f = fopen(path, "r");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && sscanf(line + n, "%" SCNu64, out) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

/* The calling process's cgroup v2 directory (from /proc/self/cgroup's "0::" line). */
static int cgroup_dir(char *dir, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = 0;
			if ((size_t)snprintf(dir, len, "/sys/fs/cgroup%s", line + 3) < len)
				rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

int vmm_ram_room(uint64_t size, const char *cgroup_root, char *err, size_t errlen)
{
	char dir[600], path[700];
	uint64_t avail, max, cur;

	/* MemAvailable: what the host can give without swapping (kB). */
	if (read_key_u64("/proc/meminfo", "MemAvailable:", &avail) == 0 && avail * 1024 < size) {
		snprintf(err, errlen,
			 "--prealloc: out of memory: the guest's %" PRIu64 " MiB exceed the host's "
			 "available %" PRIu64 " MiB",
			 size / MIB, avail * 1024 / MIB);
		return -1;
	}
	if (cgroup_root)
		snprintf(dir, sizeof(dir), "%s", cgroup_root);
	else if (cgroup_dir(dir, sizeof(dir)) != 0)
		return 0; /* no cgroup v2: nothing more to ask */
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	if (read_key_u64(path, "", &max) != 0)
		return 0; /* "max" (no limit) or no memory controller */
	snprintf(path, sizeof(path), "%s/memory.current", dir);
	if (read_key_u64(path, "", &cur) != 0)
		cur = 0;
	if (cur > max || size > max - cur) {
		snprintf(err, errlen,
			 "--prealloc: out of memory: the guest's %" PRIu64
			 " MiB exceed the %" PRIu64
			 " MiB its memory cgroup has left (memory.max %" PRIu64 " MiB in %s)",
			 size / MIB, cur > max ? 0 : (max - cur) / MIB, max / MIB, dir);
		return -1;
	}
	return 0;
}

static void *file_map(const char *path, uint64_t size, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	void *p;

	/* Emptied first: a fresh RAM of zeroes, as the backends give. */
	if (fd < 0 || ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)size) != 0) {
		snprintf(err, errlen, "--mem-file '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "--mem-file '%s': %s", path, strerror(errno));
		return NULL;
	}
	return p;
}

int vmm_ram_get(struct vmm_vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	char err[800] = "";

	if (cfg->prealloc && vmm_ram_room(vm->ram_size, NULL, err, sizeof(err)) != 0)
		return vmm_report(VMM_EXIT_ERROR, "%s", err);
	if (cfg->mem_file) {
		vm->ram = file_map(cfg->mem_file, vm->ram_size, err, sizeof(err));
		if (!vm->ram)
			return vmm_report(VMM_EXIT_ERROR, "%s", err);
	} else if (cfg->hugepages == VMM_HUGEPAGES_HUGETLB) {
		/* hugetlbfs pages of 2 MiB from the host's reserved pool (vm.nr_hugepages),
		 * physically contiguous and aligned by construction */
		void *p = mmap(NULL, ROUND_2M(vm->ram_size), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);

		if (p == MAP_FAILED)
			return vmm_report(VMM_EXIT_ERROR,
					  "--hugepages hugetlb: %llu MiB of 2 MiB huge pages: %s "
					  "(reserve them in /proc/sys/vm/nr_hugepages)",
					  (unsigned long long)(vm->ram_size / MIB),
					  strerror(errno));
		vm->ram = p;
	} else {
		vm->ram = vm->be.ops->ram_alloc(&vm->be, vm->ram_size);
		if (!vm->ram)
			return vmm_report(VMM_EXIT_ERROR,
					  "cannot allocate %llu bytes of guest memory",
					  (unsigned long long)vm->ram_size);
		/* The gzvm backend's RAM is 2 MiB-aligned: the host may back each 2 MiB with a
		 * transparent huge page, which gzvm.ko hands the hypervisor whole. A kernel
		 * without THP refuses the advice, and the RAM stays in 4 KiB pages. */
		if (cfg->backend == VMM_BACKEND_GZVM)
			(void)madvise(vm->ram, vm->ram_size,
				      cfg->hugepages == VMM_HUGEPAGES_OFF ? MADV_NOHUGEPAGE
									  : MADV_HUGEPAGE);
	}
	if (!cfg->prealloc)
		return 0;
	/* Every page present now, so the driver's pins at stage-2 faults allocate nothing
	 * later: a shortage is this error, not the OOM killer in the middle of a run. Locked
	 * too where RLIMIT_MEMLOCK allows (root), so that nothing goes to swap before the
	 * driver pins it; without the lock the pages are there all the same. */
	if (madvise(vm->ram, vm->ram_size, MADV_POPULATE_WRITE) != 0) {
		int e = errno;

		vmm_ram_put(vm);
		return vmm_report(VMM_EXIT_ERROR,
				  "--prealloc: out of memory: the guest's %llu MiB could not be "
				  "populated: %s",
				  (unsigned long long)(vm->ram_size / MIB), strerror(e));
	}
	vm->ram_locked = mlock(vm->ram, vm->ram_size) == 0;
	return 0;
}

void vmm_ram_put(struct vmm_vm *vm)
{
	if (!vm->ram)
		return;
	if (vm->cfg->mem_file) {
		munmap(vm->ram, vm->ram_size); /* unlocks too */
	} else if (vm->cfg->hugepages == VMM_HUGEPAGES_HUGETLB) {
		munmap(vm->ram, ROUND_2M(vm->ram_size));
	} else {
		if (vm->ram_locked)
			munlock(vm->ram, vm->ram_size);
		vm->be.ops->ram_free(&vm->be, vm->ram, vm->ram_size);
	}
	vm->ram = NULL;
	vm->ram_locked = false;
}
