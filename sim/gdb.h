/* The gdb server's side inside the simulator (gdb_halt.c): where vCPU threads park while the
 * debugger holds them, the hooks that stop them, and the exit history `monitor exits`
 * shows. Everything here costs one load of gz_sim_gdb_on when no server runs. */
#ifndef GZ_SIM_GDB_H
#define GZ_SIM_GDB_H

#include <stdatomic.h>
#include <arm64/cpu_ctx.h>
#include "vcpu.h"

extern atomic_bool gz_sim_gdb_on;

/* The in-process driver, before each RUN hypercall of vCPU @vcpu of VM @vm_id: wait while the
 * debugger holds it, or until @kicked (the VMM wants the thread back). */
void gz_sim_gdb_park(uint16_t vm_id, unsigned vcpu, atomic_int *kicked);
/* The driver puts the vCPU to sleep (WFI, powered off) or wakes it: asleep, its registers are
 * at rest as much as parked. */
void gz_sim_gdb_asleep(uint16_t vm_id, unsigned vcpu, bool asleep);
/* The driver: vCPU @vcpu's thread waits for the deterministic scheduler's turn (before a RUN,
 * or asleep): its registers are at rest. */
void gz_sim_gdb_turn(uint16_t vm_id, unsigned vcpu, bool waiting);
/* run.c: @v waits for its turn inside the run, its registers saved to its context. */
void gz_sim_gdb_waiting(struct gz_sim_vcpu *v, bool waiting);
/* run.c: the block hook stopped @v before the instruction count to stop at: from here each
 * of its instructions is hooked until one reaches it. */
void gz_sim_gdb_icount_near(struct gz_sim_vcpu *v);
/* run.c, entering a vCPU: the engine's breakpoint and step hooks follow the debugger's. */
void gz_sim_gdb_enter(struct gz_sim_vcpu *v);
/* run.c, leaving: the exit goes into the vCPU's history. */
void gz_sim_gdb_exit(struct gz_sim_vcpu *v, const struct gz_exit_record *exit);

#endif
