/* System-register emulation: the MRS/MSR/SYS hooks that answer what the simulator keeps
 * itself (the counters and the virtual timer, MPIDR/MIDR as the vCPU's) and leave to Unicorn
 * what it has; what must trap to EL2 or is the GIC's CPU interface is left to raise UNDEF
 * (trap.c turns it into an exit, or emulates the ICC_* access here). */
#ifndef GZ_SIM_SYSEMU_H
#define GZ_SIM_SYSEMU_H

#include "decode.h"
#include "timer.h"
#include "vcpu.h"

/* The access to @enc (SYS_ENC) traps to EL2 under the vCPU's HCR_EL2 and CNTHCTL_EL2 and
 * the simulator's configuration of Unicorn. */
bool gz_sim_sysemu_traps_to_el2(const struct gz_sim_vcpu *v, uint32_t enc);
/* Where the vCPU's access to counter or timer register @enc goes, at its current EL
 * (gz_sim_timer_route). */
enum gz_sim_timer_route gz_sim_sysemu_timer_route(const struct gz_sim_vcpu *v, uint32_t enc);
/* @enc is an ICC_* register of the GIC CPU interface the virtual interface answers. */
bool gz_sim_sysemu_is_icc(uint32_t enc);
/* The guest's MSR/MRS @m of an ICC_* register, done through the virtual CPU interface
 * (v->reason set); false when the interface has no such register. */
bool gz_sim_sysemu_icc(struct gz_sim_vcpu *v, const struct gz_sim_msr *m);

/* Unicorn's UC_HOOK_INSN hooks (@arg the vCPU): 1 answers the access and steps over it. */
uint32_t gz_sim_sysemu_mrs_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
				void *arg);
uint32_t gz_sim_sysemu_msr_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
				void *arg);
uint32_t gz_sim_sysemu_sys_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
				void *arg);

#endif
