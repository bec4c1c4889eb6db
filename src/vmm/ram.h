/* Guest RAM as the command line wants it: the backend's memory or a file shared with other
 * processes (--mem-file, gzvm backend: what is in it outlives gzvmm, so a test can look at
 * what the hypervisor gave back), and with --prealloc populated before the VM exists (and
 * locked where RLIMIT_MEMLOCK allows), after checking that the host and the process's memory
 * cgroup have room for it.
 * The policy: docs/driver.md ("Host memory"). */
#ifndef VMM_RAM_H
#define VMM_RAM_H

#include <stddef.h>
#include <stdint.h>

struct vmm_vm;

/* vm->ram of vm->ram_size bytes as vm->cfg asks; 0, or an exit status after one line. */
int vmm_ram_get(struct vmm_vm *vm);
/* Gives vm->ram back (nothing if there is none). */
void vmm_ram_put(struct vmm_vm *vm);
/* Room for @size bytes more: the host's MemAvailable, and the memory cgroup's memory.max
 * less memory.current (in @cgroup_root, or the process's cgroup v2 directory when NULL).
 * 0, or -1 with a one-line message in @err. */
int vmm_ram_room(uint64_t size, const char *cgroup_root, char *err, size_t errlen);

#endif
