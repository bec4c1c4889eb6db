/* The gdb server's `monitor` commands (gdb_monitor.c): the hypervisor's view of the vCPU the
 * debugger looks at, as text: memory by IPA, the vCPU's recent exits, its list registers and
 * interrupts, the stage-2 mapping of an IPA, a VA's translation, the owner of a physical
 * page. */
#ifndef GZ_SIM_GDB_MONITOR_H
#define GZ_SIM_GDB_MONITOR_H

#include <stddef.h>
#include <arm64/cpu_ctx.h>
#include "gdb_mem.h"

#define GZ_SIM_GDB_EXITS 32 /* exits kept per vCPU */

/* One exit of gz_hal_vcpu_run: the record, where the guest was, the vCPU's instructions. */
struct gz_sim_gdb_exit_rec {
	uint64_t insns, pc;
	struct gz_exit_record rec;
};

struct gz_vm;

struct gz_sim_gdb_mon_env {
	struct gz_vm *vm;			 /* NULL before the VM ran */
	unsigned vcpu;				 /* the debugger's current thread - 1 */
	struct gz_cpu_ctx *ctx;			 /* its context at rest, or NULL */
	struct gz_sim_gdb_mem mem;		 /* memory views */
	const struct gz_sim_gdb_exit_rec *exits; /* ring of GZ_SIM_GDB_EXITS */
	uint64_t nr_exits;			 /* recorded so far */
};

/* Run the command line @cmd; what it prints (NUL-terminated, cut at @cap) goes to @out. */
void gz_sim_gdb_monitor(const struct gz_sim_gdb_mon_env *env, const char *cmd, char *out,
			size_t cap);

#endif
