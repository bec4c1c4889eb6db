/* PMUv3 as a guest programs it: the registers' encodings and fields (PMCR_EL0, the
 * enable/overflow/interrupt bitmaps with the cycle counter at bit 31, the event type
 * registers, the event numbers opengz counts). The emulation is the core's (pmu.c). */
#ifndef GZ_ARM64_PMU_H
#define GZ_ARM64_PMU_H

#include <arm64/sysreg.h>

#define SYS_PMCNTENSET_EL0 SYS_ENC(3, 3, 9, 12, 1)
#define SYS_PMCNTENCLR_EL0 SYS_ENC(3, 3, 9, 12, 2)
#define SYS_PMOVSCLR_EL0   SYS_ENC(3, 3, 9, 12, 3)
#define SYS_PMSWINC_EL0	   SYS_ENC(3, 3, 9, 12, 4)
#define SYS_PMSELR_EL0	   SYS_ENC(3, 3, 9, 12, 5)
#define SYS_PMCEID0_EL0	   SYS_ENC(3, 3, 9, 12, 6)
#define SYS_PMCEID1_EL0	   SYS_ENC(3, 3, 9, 12, 7)
#define SYS_PMCCNTR_EL0	   SYS_ENC(3, 3, 9, 13, 0)
#define SYS_PMXEVTYPER_EL0 SYS_ENC(3, 3, 9, 13, 1)
#define SYS_PMXEVCNTR_EL0  SYS_ENC(3, 3, 9, 13, 2)
#define SYS_PMUSERENR_EL0  SYS_ENC(3, 3, 9, 14, 0)
#define SYS_PMINTENSET_EL1 SYS_ENC(3, 0, 9, 14, 1)
#define SYS_PMINTENCLR_EL1 SYS_ENC(3, 0, 9, 14, 2)
#define SYS_PMOVSSET_EL0   SYS_ENC(3, 3, 9, 14, 3)
#define SYS_PMCCFILTR_EL0  SYS_ENC(3, 3, 14, 15, 7)
/* PMEVCNTR<n>_EL0: CRm 8..11, PMEVTYPER<n>_EL0: CRm 12..15 (n = CRm[1:0]:op2) */
#define SYS_PMEV_OP1	  3
#define SYS_CRM_PMEVCNTR  8
#define SYS_CRM_PMEVTYPER 12

/* PMCR_EL0: enable, event and cycle counter resets, the cycle counter's divider by 64, the
 * 64-bit cycle counter overflow; N, the number of event counters */
#define PMCR_E	     GZ_BIT(0)
#define PMCR_P	     GZ_BIT(1)
#define PMCR_C	     GZ_BIT(2)
#define PMCR_D	     GZ_BIT(3)
#define PMCR_LC	     GZ_BIT(6)
#define PMCR_N_SHIFT 11

/* PMCNTEN/PMINTEN/PMOVS: bit n event counter n, bit 31 the cycle counter */
#define PMU_CYCLE_BIT 31
/* PMSELR_EL0.SEL: 31 selects the cycle counter's filter */
#define PMSELR_SEL	 GZ_GENMASK(4, 0)
#define PMSELR_SEL_CYCLE 31
/* PMEVTYPER<n>_EL0 / PMCCFILTR_EL0: the filter bits (P U NSK NSU NSH M) and the event */
#define PMEVTYPER_FILTERS  GZ_GENMASK(31, 26)
#define PMEVTYPER_EVTCOUNT GZ_GENMASK(9, 0)

/* Architectural event numbers */
#define PMU_EV_SW_INCR	  0x00
#define PMU_EV_CPU_CYCLES 0x11

/* The cycle counter with PMCR_EL0.D counts once every 64 cycles */
#define PMU_CYCLE_DIVIDER 64

#endif
