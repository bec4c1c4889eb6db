/* The guest's self-hosted debug unit in the simulator: breakpoints, watchpoints and software
 * step matched by the simulator itself from the vCPU's debug state (ctx->dbg and the MDSCR_EL1
 * the core gives the CPU, arm64/debug.h), with the syndromes hardware gives. Unicorn's own
 * debug unit stays off (its MDSCR_EL1 is never loaded). While the guest's is on, a code hook
 * looks at every instruction before it executes, so each debug exception is precise. */
#ifndef GZ_SIM_DEBUG_H
#define GZ_SIM_DEBUG_H

#include "vcpu.h"

/* At the vCPU's entry: the hook on or off as its debug unit is, PSTATE.SS taken over. */
void gz_sim_debug_enter(struct gz_sim_vcpu *v);
/* At its exit: PSTATE.SS back into @pstate (Unicorn keeps none while its unit is off). */
uint64_t gz_sim_debug_pstate(const struct gz_sim_vcpu *v, uint64_t pstate);
/* The load or store @insn makes: where, how many bytes, which way (also for the gdb server's
 * watchpoints). False for anything else. */
bool gz_sim_debug_data_access(uc_engine *uc, uint32_t insn, uint64_t *va, uint64_t *size,
			      bool *write);

#endif
