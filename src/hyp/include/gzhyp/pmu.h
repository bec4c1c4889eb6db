/*
 * The virtual PMU of a vCPU: PMUv3 emulated by the core, the same in every world. Its
 * registers trap (MDCR_EL2.TPM/TPMCR) and are answered here; nothing of the CPU's PMU is
 * used, so a guest never reads counts of the host's work. What counts (PMCEID0_EL0 says
 * exactly this): the cycle counter and CPU_CYCLES (0x11) event counters, from the generic
 * counter while the guest's PMU counts (one cycle per counter tick, /64 with PMCR_EL0.D; the
 * filters of PMCCFILTR/PMEVTYPER are kept, not applied), and SW_INCR (0x00) through
 * PMSWINC_EL0. An overflow sets PMOVS and, with its PMINTEN bit and PMCR_EL0.E, raises PPI 23
 * (level) in the vGIC: at once for a software increment, at the next exit of the vCPU for a
 * cycle count. PMUSERENR_EL0 reads as zero: EL0 has no access (UNDEFINED at EL1).
 */
#ifndef GZ_PMU_H
#define GZ_PMU_H

#include <arm64/types.h>
#include <gzhyp/exit.h>

#define GZ_PMU_NR_COUNTERS 4  /* PMCR_EL0.N */
#define GZ_PMU_PPI	   23 /* the overflow interrupt */

struct gz_vgic;

struct gz_vpmu {
	uint64_t pmcr;		    /* E, D, LC */
	uint32_t cnten, inten, ovs; /* bit 31 the cycle counter, 0..N-1 the event counters */
	uint32_t selr;
	uint64_t ccfiltr;
	uint32_t evtyper[GZ_PMU_NR_COUNTERS];
	uint32_t evcnt[GZ_PMU_NR_COUNTERS];
	uint64_t ccnt;
	uint64_t since;	  /* the generic counter the values above were taken at */
	uint64_t div_acc; /* ticks towards the next cycle with PMCR_EL0.D */
};

/* Nothing counting, every register at its reset value, the time base now. */
void gz_pmu_reset(struct gz_vpmu *p);
/* Bring the counts up to now and set @vcpu's PPI 23 in @vgic to the overflow interrupt's
 * level: before every entry and after every exit. Returns gz_vgic_inject()'s status. */
int gz_pmu_update(struct gz_vpmu *p, struct gz_vgic *vgic, unsigned vcpu);
/* A trapped PMU register access (a handler of trapped system registers). */
enum gz_exit_action gz_pmu_sysreg(struct gz_vcpu *vcpu, const struct gz_exit *x);

#endif
