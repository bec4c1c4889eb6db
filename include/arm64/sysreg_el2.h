/* AArch64 system-register fields only the EL2 port uses (boot, world switch, its own GIC,
 * timer and MMU): CurrentEL, CTR_EL0, VTTBR_EL2, DAIF, SCTLR_EL2, HCR_EL2's host value,
 * PMCR/MDCR, CPTR, the ICC registers of EL2. The fields every world shares (ESR, ICH_*, HCR
 * bits, MPIDR, the timer controls and CNTHCTL) are in arm64/sysreg.h, esr.h and ich.h. This
 * header is also included by assembly: plain integers, the C headers only for C. */
#ifndef GZ_ARCH_SYSREG_EL2_H
#define GZ_ARCH_SYSREG_EL2_H

#ifndef __ASSEMBLER__
#include <arm64/sysreg.h>
#endif

/* CurrentEL: EL in bits [3:2]. */
#define CURRENTEL_EL_SHIFT 2
#define CURRENTEL_EL_MASK  0x3UL

/* CTR_EL0: DminLine, log2 of the smallest data cache line in words. */
#define CTR_DMINLINE_SHIFT 16
#define CTR_DMINLINE_MASK  0xfUL

/* VTTBR_EL2: VMID field (16-bit VMIDs with VTCR_EL2.VS, else [55:48]). */
#define VTTBR_VMID_SHIFT 48

/* TLBI by address operands carry the page number (address >> 12). */
#define TLBI_ADDR_SHIFT 12

/* DAIF: mask bits in the "msr daifset" immediate. */
#define DAIFSET_ALL    0xf
#define DAIF_ASYNC_BIT 0x4 /* "A": SError */

/* SCTLR_EL2 (HCR_EL2.E2H = 0): RES1 bits, stack-alignment check, instruction cache. The
 * port runs with the MMU and data cache off (identity, Device memory) until stage-1 tables
 * arrive; these stay plain integers because head.S uses them. */
#define SCTLR_EL2_RES1 0x30c50830
#define SCTLR_ELX_A    0x2 /* alignment check */
#define SCTLR_ELX_SA   0x8
#define SCTLR_ELX_I    0x1000

/* HCR_EL2 beyond the bits the core sets (arm64/sysreg.h): bits a guest configuration must
 * never carry (TGE routes EL1 to EL2, HCD disables HVC, E2H and everything above bit 31
 * change EL2 itself); the host value while no guest runs (EL1 is AArch64, no traps). */
#define HCR_EL2_HIGH_MASK	0xffffffff00000000UL
#define HCR_EL2_GUEST_FORBIDDEN (HCR_TGE | HCR_HCD | HCR_EL2_HIGH_MASK)
#define HCR_EL2_HOST		HCR_RW

/* ISR_EL1: a physical IRQ / FIQ is pending (read at EL2 with IMO/FMO clear). */
#define ISR_EL1_F (1UL << 6)
#define ISR_EL1_I (1UL << 7)

/* PMCR_EL0.N: how many event counters the PMU has; MDCR_EL2.HPMN gives them all to EL1 (the
 * trap bits of MDCR_EL2 are the core's, arm64/sysreg.h). */
#define PMCR_EL0_N_SHIFT 11
#define PMCR_EL0_N_MASK	 0x1fUL
#define MDCR_EL2_HPMN	 0x1fUL

/* CPTR_EL2 (E2H = 0): RES1 bits; TFP (bit 10) clear: FP/SIMD not trapped. */
#define CPTR_EL2_RES1 0x33ffUL

/* SCTLR_EL2: MMU and data cache enables. */
#define SCTLR_ELX_M 0x1
#define SCTLR_ELX_C 0x4

/* ID_AA64MMFR0_EL1.PARange */
#define ID_AA64MMFR0_PARANGE_MASK 0xfUL

/* ICC_SRE_EL2: system-register interface, EL1 may use ICC_SRE_EL1; IRQ/FIQ bypass off. */
#define ICC_SRE_EL2_VALUE  0xfUL /* SRE | DFB | DIB | Enable */
#define ICC_IAR_SPURIOUS   1020U /* INTIDs 1020-1023 are special */
#define ICC_IAR_INTID_MASK 0xffffffUL
/* ICC_CTLR_EL1.EOImode: ICC_EOIR1_EL1 only drops the priority, ICC_DIR_EL1 deactivates. */
#define ICC_CTLR_EOIMODE 0x2UL
/* ICC_CTLR_EL1: common binary point; read-only PRIbits (priority bits - 1), IDbits (0: 16-bit
 * INTIDs) and A3V (nonzero Aff3 supported). */
#define ICC_CTLR_CBPR	       0x1UL
#define ICC_CTLR_PRIBITS_SHIFT 8
#define ICC_CTLR_IDBITS_SHIFT  11
#define ICC_CTLR_A3V	       0x8000UL
/* The special INTID read from ICC_IAR1_EL1 when no interrupt can be acknowledged. */
#define ICC_IAR_INTID_NONE 1023U

#endif
