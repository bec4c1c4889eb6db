/* The vCPU registry: one simulated vCPU (its Unicorn engine) per gz_cpu_ctx the core runs,
 * found by the context's address; kicks and TLB invalidations (the HAL's TLBI calls) reach
 * the vCPUs through it. The public side (forget, kick, statistics) is in gzsim/sim.h. */
#ifndef GZ_SIM_REGISTRY_H
#define GZ_SIM_REGISTRY_H

#include "vcpu.h"

/* The vCPU of @key, created (with its engine) when @create and it is new; NULL when there is
 * none, no free slot or no engine. */
struct gz_sim_vcpu *gz_sim_registry_find(const struct gz_cpu_ctx *key, bool create);
void gz_sim_registry_forget_all(void);
/* A TLBI: every vCPU whose VMID matches (or all) remaps before it runs on; a vCPU inside
 * Unicorn on another thread is stopped first, and the call returns once it has left. */
void gz_sim_registry_invalidate(bool all, uint16_t vmid);
/* Make every vCPU inside Unicorn leave with an IRQ exit (host signal delivery). */
void gz_sim_registry_kick_all(void);
/* Kick only the vCPUs executing or about to (inside a run, not waiting there for the
 * deterministic scheduler's turn). */
void gz_sim_registry_kick_executing(void);

#endif
