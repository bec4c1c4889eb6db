/* Guest memory as the gdb server sees it (gdb_mem.c): a virtual address through the vCPU's
 * own stage 1 (the simulator's walk of the guest's tables) to an IPA, an IPA through the
 * VM's stage 2 to simulated physical memory, or, where stage 2 maps nothing yet (a page the
 * guest has not touched), through the VMM's memslots. Writes drop the vCPUs' translated code. */
#ifndef GZ_SIM_GDB_MEM_H
#define GZ_SIM_GDB_MEM_H

#include <stddef.h>
#include <arm64/cpu_ctx.h>

/* The VMM's view: a host pointer for @ipa and the bytes valid from it, or NULL. */
typedef void *(*gz_sim_gdb_ipa_fn)(void *arg, uint64_t ipa, uint64_t *avail);

struct gz_sim_gdb_mem {
	gz_sim_gdb_ipa_fn ipa_ptr; /* may be NULL */
	void *arg;
};

/* The IPA @va maps to under @c's stage 1 (the VA itself with the MMU off); false when the
 * guest's tables do not translate it. */
bool gz_sim_gdb_va_to_ipa(const struct gz_cpu_ctx *c, uint64_t va, uint64_t *ipa);
/* Copy between the guest and @buf, by VA (@by_va) or by IPA; the bytes done before the first
 * address that does not translate (or, writing, is read-only at stage 2). */
size_t gz_sim_gdb_mem_read(const struct gz_sim_gdb_mem *m, const struct gz_cpu_ctx *c, bool by_va,
			   uint64_t addr, void *buf, size_t len);
size_t gz_sim_gdb_mem_write(const struct gz_sim_gdb_mem *m, const struct gz_cpu_ctx *c, bool by_va,
			    uint64_t addr, const void *buf, size_t len);

#endif
