/* Context load and save: a gz_cpu_ctx into a vCPU's Unicorn engine before it runs and back
 * after, with shadows that skip the FP/SIMD and system registers nothing changed; and the
 * smaller exchange of the core's exit fast path. */
#ifndef GZ_SIM_CTX_H
#define GZ_SIM_CTX_H

#include "vcpu.h"

/* GZ_ERR_NOT_SUPPORTED when @c is at an EL Unicorn cannot be moved to. */
int gz_sim_ctx_load(struct gz_sim_vcpu *v, const struct gz_cpu_ctx *c);
void gz_sim_ctx_save(struct gz_sim_vcpu *v, struct gz_cpu_ctx *c);
/* Offer the synchronous exit in v->exit to the core's gz_exit_fast with only x0-x30, PC,
 * PSTATE and SCTLR_EL1 exchanged, as gzhyp does from its trap vector; true when it was
 * handled there and the guest goes on. A declined exit's registers stay in @c: the save
 * that follows does not read them again (hal.h). */
bool gz_sim_ctx_fast_exit(struct gz_sim_vcpu *v, struct gz_cpu_ctx *c);

#endif
