/* The EL2 trap controls a guest runs under, in one place for every engine that runs one:
 * gzhyp loads them into the CPU (vcpu_run.c), the simulator into Unicorn, which applies them
 * to the guest's instructions as hardware does (sim/run.c, sim/registry.c). HCR_EL2, MDCR_EL2
 * and CNTHCTL_EL2 are the core's per vCPU (ctx->hcr_el2, ctx->mdcr_el2, ctx->cnthctl_el2;
 * HCR_GUEST_TRAPS says which of HCR's bits are traps, CNTHCTL_GUEST_ALLOWED which of
 * CNTHCTL's a context may hold); CPTR_EL2 is the same for every guest. */
#ifndef GZ_ARM64_TRAPS_H
#define GZ_ARM64_TRAPS_H

#include <arm64/sysreg.h>
#include <arm64/sysreg_el2.h>

#define HCR_GUEST_TRAPS (HCR_TWI | HCR_TWE | HCR_TSC | HCR_TID3 | HCR_TACR | HCR_TSW)
/* the physical counter may be readable at EL1 (unless offset: gzhyp/ptimer.h); the EL1
 * physical timer always traps, the core emulates it (a context with EL1PCEN is refused) */
#define CNTHCTL_GUEST_ALLOWED CNTHCTL_EL1PCTEN
/* FP/SIMD not trapped (gzhyp switches it with the context) */
#define CPTR_GUEST CPTR_EL2_RES1

/* Debug register encodings MDCR_EL2 traps with its own bits (the rest of op0 = 2: TDA):
 * MDRAR_EL1 (TDRA) and the OS lock and power registers OSLAR, OSLSR, OSDLR, DBGPRCR (TDOSA). */
#define SYS_MDRAR_EL1	SYS_ENC(2, 0, 1, 0, 0)
#define SYS_OSLAR_EL1	SYS_ENC(2, 0, 1, 0, 4)
#define SYS_OSDLR_EL1	SYS_ENC(2, 0, 1, 3, 4)
#define SYS_DBGPRCR_EL1 SYS_ENC(2, 0, 1, 4, 4)
#define SYS_PMCR_EL0	SYS_ENC(3, 3, 9, 12, 0)

/* The access to system register @enc (SYS_ENC) from EL1, or EL0 when @el0, traps to EL2 under
 * @hcr and @mdcr (a guest's HCR_EL2 and MDCR_EL2) and the controls above: the ID space (TID3),
 * ACTLR_EL1 (TACR), data cache maintenance by set/way (TSW), the debug registers (TDA, TDOSA,
 * TDRA) and the PMU (TPM, TPMCR). At EL0
 * every one of them is UNDEFINED (taken to EL1) before any EL2 trap: the guest's view never
 * lets EL0 reach the debug registers, the PMU (PMUSERENR_EL0 reads as zero) or the ID
 * registers. The physical timer (CNTHCTL_EL2) and ICC_* SGI generation are the timer's and
 * the GIC's. */
bool arm64_sysreg_traps_to_el2(uint32_t enc, uint64_t hcr, uint64_t mdcr, bool el0);
/* @enc is a debug register (op0 = 2) or a PMU register (PMCR_EL0 ... PMCCFILTR_EL0). */
bool arm64_sysreg_is_debug(uint32_t enc);
bool arm64_sysreg_is_pmu(uint32_t enc);

#endif
