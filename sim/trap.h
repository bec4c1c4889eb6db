/* Trap synthesis: Unicorn's stops (a missed or refused memory access, an exception it
 * raised) turned into what hardware would do: an exit record for the core (EL2's view,
 * syndrome.c), an exception the simulator delivers to the guest's EL1 (v->gexc_*), or an
 * access emulated on the spot. */
#ifndef GZ_SIM_TRAP_H
#define GZ_SIM_TRAP_H

#include "vcpu.h"

/* Unicorn's UC_HOOK_MEM_INVALID and UC_HOOK_INTR hooks (@arg the vCPU). */
bool gz_sim_trap_mem_hook(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			  void *arg);
void gz_sim_trap_intr_hook(uc_engine *uc, uint32_t intno, void *arg);
/* uc_emu_start failed with a fetch permission fault: from a data range (ucmap.h), whether the
 * hook saw it (it then stopped the engine for this) or not; else one no hook saw, handled as
 * the hook would at the PC's IPA. True to run on. */
bool gz_sim_trap_fetch_fault(struct gz_sim_vcpu *v);
/* Stop with an exception for the guest's EL1: ESR @esr, ELR @elr, FAR @far when @far_valid. */
void gz_sim_trap_to_guest(struct gz_sim_vcpu *v, uint64_t esr, uint64_t elr, bool far_valid,
			  uint64_t far);

#endif
