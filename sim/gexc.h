/* Exception entry into the guest for the synchronous exceptions the simulator delivers
 * itself (SVC, BRK, UNDEF, stage-1 aborts, EL0 timer traps): the architecture's entry
 * (arm64/inject.h) applied to the Unicorn engine, whose idea of the EL must be moved by
 * Unicorn itself (gexc.c says why). */
#ifndef GZ_SIM_GEXC_H
#define GZ_SIM_GEXC_H

#include "vcpu.h"

/* Take the exception @esr at EL1 with ELR_EL1 = @elr (and FAR_EL1 = @far when @far_valid). */
void gz_sim_gexc_enter(struct gz_sim_vcpu *v, uint64_t esr, uint64_t elr, bool far_valid,
		       uint64_t far);
/* Let Unicorn move the vCPU from EL0 to EL1; the caller then writes the EL1 state it wants. */
void gz_sim_gexc_uc_to_el1(struct gz_sim_vcpu *v);

#endif
