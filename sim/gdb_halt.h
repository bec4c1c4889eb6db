/* The gdb server's all-stop machinery (gdb_halt.c): which vCPUs the debugger holds, where
 * they are (parked before RUN, asleep in the driver, away), the breakpoints, watchpoints and
 * steps, the engine hooks that stop a vCPU, and the stop being reported. The vCPU threads'
 * side is in gdb.h; the server (gdb_stub.c) calls what is here with the lock held, except
 * where a comment says otherwise. */
#ifndef GZ_SIM_GDB_HALT_H
#define GZ_SIM_GDB_HALT_H

#include <stdbool.h>
#include <stdint.h>
#include <arm64/cpu_ctx.h>
#include "gdb_monitor.h"

#define GZ_SIM_GDB_MAX_CPUS 8 /* GZ_VM_MAX_VCPUS */

enum gz_sim_gdb_stop {
	GZ_SIM_GDB_STOP_NONE,
	GZ_SIM_GDB_STOP_INITIAL, /* the debugger attached */
	GZ_SIM_GDB_STOP_BREAK,
	GZ_SIM_GDB_STOP_STEP,
	GZ_SIM_GDB_STOP_WATCH,
	GZ_SIM_GDB_STOP_INTR,	/* Ctrl-C */
	GZ_SIM_GDB_STOP_ICOUNT, /* the machine's instruction count reached (break-icount) */
};

/* The first stop since the last resume: what and where. */
struct gz_sim_gdb_event {
	enum gz_sim_gdb_stop kind;
	unsigned cpu;	/* vCPU index */
	unsigned wtype; /* watchpoints: 2 write, 3 read, 4 access (gdb's Z types) */
	uint64_t addr;	/* watchpoints: the watched address accessed */
};

struct gz_vm;

/* Without the lock: set up (every vCPU held when @hold), or end (parked vCPUs go). A stop
 * found by a hook writes a byte to @notify_fd. */
void gz_sim_gdb_halt_init(int notify_fd, bool hold);
void gz_sim_gdb_halt_quit(void);
void gz_sim_gdb_lock(void);
void gz_sim_gdb_unlock(void);

/* The VM the vCPUs belong to (NULL before one ran), its vCPUs, the context of vCPU @i when it
 * is at rest (parked or asleep, else NULL), whether it is asleep, its exit history. */
struct gz_vm *gz_sim_gdb_vm(void);
unsigned gz_sim_gdb_nr_cpus(void);
struct gz_cpu_ctx *gz_sim_gdb_ctx(unsigned i);
/* "asleep", "waiting for its turn" (deterministic mode) or "" (parked or running). */
const char *gz_sim_gdb_cpu_state(unsigned i);
const struct gz_sim_gdb_exit_rec *gz_sim_gdb_exits(unsigned i, uint64_t *nr);

/* Hold every vCPU and wait until each is at rest (or 30 s passed): the stop of kind @kind on
 * vCPU @cpu unless a hook reported one first. The lock is dropped while waiting. */
void gz_sim_gdb_stop_all(enum gz_sim_gdb_stop kind, unsigned cpu);
/* The stop to report (kind NONE while nothing stopped since the last resume). */
const struct gz_sim_gdb_event *gz_sim_gdb_event(void);

/* Before a resume: vCPU @i runs ('c') or steps one instruction ('s'). */
void gz_sim_gdb_set_run(unsigned i, char op);
/* Let the vCPUs set to run go (the others stay held). */
void gz_sim_gdb_resume(void);
/* The debugger went away: no breakpoint, watchpoint or step is left, every vCPU runs. */
void gz_sim_gdb_release_all(void);

/* Insert or remove a breakpoint (@type 0, 1) or a watchpoint (2 write, 3 read, 4 access) of
 * @len bytes: 0, -1 when there is no room left, -2 for a length of 0 or over a page. */
int gz_sim_gdb_point(unsigned type, uint64_t addr, uint64_t len, bool insert);

/* Stop the machine before the first instruction whose count (the machine's, as --stats,
 * the trace and a recording give it) is @n or more, once; UINT64_MAX: no such stop. The
 * vCPU that executes it stops there, the others where they are (all-stop). */
void gz_sim_gdb_icount_set(uint64_t n);
uint64_t gz_sim_gdb_icount(void);

#endif
