/* The syndromes the simulator synthesises, since Unicorn reports none: the exit record
 * hardware would give EL2 (ESR_EL2 with its ISS derived from the trapping instruction word,
 * FAR_EL2, HPFAR_EL2), and the ESR_EL1 of the exceptions it takes to the guest's EL1. Pure;
 * tests/unit/test_sim_syndrome.c round-trips every kind through the shared decoder. */
#ifndef GZ_SIM_SYNDROME_H
#define GZ_SIM_SYNDROME_H

#include <arm64/cpu_ctx.h>
#include <gzsim/sim.h>

/* Data-abort ISS of load/store @insn without the FSC: ISV with SAS/SSE/SRT/SF/AR/WnR when
 * the instruction has a valid syndrome, else only WnR, from @write. */
uint32_t gz_sim_syn_dabt_iss(uint32_t insn, bool write);

/* Stage-2 faults; @r is the stage-2 walk of @ipa (gz_sim_s2_walk), @far the VA. */
void gz_sim_syn_dabt(struct gz_exit_record *e, uint32_t insn, bool write,
		     const struct gz_sim_s2_result *r, uint64_t far, gz_ipa_t ipa);
void gz_sim_syn_iabt(struct gz_exit_record *e, const struct gz_sim_s2_result *r, uint64_t far,
		     gz_ipa_t ipa);
/* The guest's stage-1 table walk read @ipa, which faults at stage 2 (@r its walk). */
void gz_sim_syn_s1ptw(struct gz_exit_record *e, bool fetch, const struct gz_sim_s2_result *r,
		      uint64_t far, gz_ipa_t ipa);
/* Trapped MSR/MRS (register) @insn (gz_sim_decode_msr). */
void gz_sim_syn_sysreg(struct gz_exit_record *e, uint32_t insn);
void gz_sim_syn_wfx(struct gz_exit_record *e, bool wfe);
/* HVC/SMC @insn: the immediate from the word (0 when it is not one). */
void gz_sim_syn_hvc(struct gz_exit_record *e, uint32_t insn);
void gz_sim_syn_smc(struct gz_exit_record *e, uint32_t insn);
void gz_sim_syn_unknown(struct gz_exit_record *e);

/* ESR_EL1 of exceptions taken to the guest's EL1. */
uint64_t gz_sim_syn_guest_undef(void);
uint64_t gz_sim_syn_guest_sysreg(uint32_t insn);
uint64_t gz_sim_syn_guest_svc(uint32_t insn);
uint64_t gz_sim_syn_guest_brk(uint32_t insn);
/* A stage-1 fault (@fsc) of a fetch or data access from EL0 or EL1. */
uint64_t gz_sim_syn_guest_abort(bool fetch, bool from_el0, bool write, unsigned fsc);
/* Debug exceptions: a breakpoint, a software step (@stepped: an instruction was stepped,
 * ISV set; clear when the step was pending from the start), a watchpoint hit by a load or a
 * store (@write). */
uint64_t gz_sim_syn_guest_breakpoint(bool from_el0);
uint64_t gz_sim_syn_guest_step(bool from_el0, bool stepped);
uint64_t gz_sim_syn_guest_watchpoint(bool from_el0, bool write);

#endif
