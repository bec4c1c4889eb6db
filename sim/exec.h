/* The execution turn: one vCPU executes guest code at a time (why: exec.c), and the block
 * hook that counts instructions and stops the engine when the vCPU must leave the guest, has
 * a TLBI to apply, or has used its quantum while another vCPU waits. */
#ifndef GZ_SIM_EXEC_H
#define GZ_SIM_EXEC_H

#include "vcpu.h"

/* uc_emu_start's "until", which the engines ignore (registry.c gives them an empty set of
 * exits). Were it used, Unicorn would stop (with a prefetch abort) when the PC reaches it, so it
 * is an address no instruction has: 0 is one firmware starts at (QEMU virt's flash reset
 * vector); an odd address is never a PC. */
#define GZ_SIM_NO_UNTIL 1

/* Wait for the turn to execute guest code; @urgent: the vCPU has an interrupt to take (the
 * holder then gives the turn up sooner). False, without the turn, when the vCPU is kicked or
 * has a TLBI to apply while it waits: it leaves the guest, or remaps, without executing. */
bool gz_sim_exec_acquire(struct gz_sim_vcpu *v, bool urgent);
void gz_sim_exec_release(struct gz_sim_vcpu *v);
/* The block hook stopped @v for its quantum: give the turn up. True if @v holds it again
 * on return (deterministic mode: the scheduler's other vCPUs had their turns meanwhile). */
bool gz_sim_exec_yield(struct gz_sim_vcpu *v);
/* A vCPU (@v, or NULL for all) was kicked or has a TLBI to apply: if it waits for the turn,
 * it stops waiting; in deterministic mode the holder's turn gets short. */
void gz_sim_exec_kicked(struct gz_sim_vcpu *v);
/* The in-process driver's count of runnable vCPU threads (inside a vCPU's ioctl and not
 * asleep) went up or down by @delta: with the instruction clock the turn waits for those
 * between two turns (exec.c). */
void gz_sim_exec_runnable(int delta);
/* How long (monotonic ns) a free turn waits for vCPUs in transit before it goes anyway
 * (200 ms). Set only while no vCPU waits: a test holds the turn back for as long as it checks
 * that it is held back, however slowly its threads run. */
extern uint64_t gz_sim_exec_transit_give_up_ns;
/* How many vCPUs wait for the turn now. */
int gz_sim_exec_waiting(void);
/* The machine's instruction count at which the block hook stops an engine for the debugger
 * (GZ_SIM_STOP_ICOUNT, before the block that holds it executes, or the first one after it);
 * UINT64_MAX: none. */
extern atomic_uint_fast64_t gz_sim_exec_icount_at;
/* The engine of @v stopped before the instruction at @pc of the block it executes: the
 * block's instructions from there on did not run, so the counts that took them at the block's
 * start give them back (a debugger's stop leaves the counts as the run would have them). */
void gz_sim_exec_uncount(struct gz_sim_vcpu *v, uint64_t pc);
/* UC_HOOK_BLOCK of every engine (@arg the vCPU). */
void gz_sim_exec_block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *arg);

#endif
