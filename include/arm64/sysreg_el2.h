/* AArch64 system-register fields the EL2 port reads at boot and in its exception report:
 * CurrentEL, MPIDR_EL1, ESR_ELx, CTR_EL0, ICH_VTR_EL2, VTTBR_EL2, DAIF, SCTLR_EL2. */
#ifndef GZ_ARCH_SYSREG_EL2_H
#define GZ_ARCH_SYSREG_EL2_H

/* CurrentEL: EL in bits [3:2]. */
#define CURRENTEL_EL_SHIFT 2
#define CURRENTEL_EL_MASK  0x3UL

/* MPIDR_EL1 affinity fields. */
#define MPIDR_AFF0_SHIFT 0
#define MPIDR_AFF1_SHIFT 8
#define MPIDR_AFF2_SHIFT 16
#define MPIDR_AFF3_SHIFT 32
#define MPIDR_AFF_MASK	 0xffUL
#define MPIDR_HWID_MASK	 0xff00ffffffUL /* Aff3..Aff0 */

/* ESR_ELx: exception class and instruction length. */
#define ESR_EC_SHIFT	26
#define ESR_EC_MASK	0x3fUL
#define ESR_IL		(1UL << 25)
#define ESR_ISS_MASK	0x1ffffffUL
#define ESR_EC_UNKNOWN	0x00
#define ESR_EC_WFX	0x01
#define ESR_EC_HVC64	0x16
#define ESR_EC_SMC64	0x17
#define ESR_EC_SYS64	0x18
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_PC_ALIGN 0x22
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25
#define ESR_EC_SP_ALIGN 0x26
#define ESR_EC_SERROR	0x2f
#define ESR_EC_BRK64	0x3c

/* CTR_EL0: DminLine, log2 of the smallest data cache line in words. */
#define CTR_DMINLINE_SHIFT 16
#define CTR_DMINLINE_MASK  0xfUL

/* ICH_VTR_EL2: implemented list registers and priority bits. */
#define ICH_VTR_LISTREGS_MASK 0x1fUL /* number of LRs - 1 */
#define ICH_VTR_PRIBITS_SHIFT 29
#define ICH_VTR_PRIBITS_MASK  0x7UL /* priority bits - 1 */

/* ICH_LR<n>_EL2 fields (state in [63:62]: 0 = invalid). */
#define ICH_LR_VINTID_MASK    0xffffffffUL
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_GROUP1	      (1UL << 60)

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
#define HCR_EL2_VM		(1UL << 0)
#define HCR_EL2_FMO		(1UL << 3)
#define HCR_EL2_IMO		(1UL << 4)
#define HCR_EL2_RW		(1UL << 31)
#define HCR_EL2_TGE		(1UL << 27)
#define HCR_EL2_HCD		(1UL << 29)
#define HCR_EL2_HIGH_MASK	0xffffffff00000000UL
#define HCR_EL2_GUEST_FORBIDDEN (HCR_EL2_TGE | HCR_EL2_HCD | HCR_EL2_HIGH_MASK)
#define HCR_EL2_HOST		HCR_EL2_RW

/* ISR_EL1: a physical IRQ / FIQ is pending (read at EL2 with IMO/FMO clear). */
#define ISR_EL1_F (1UL << 6)
#define ISR_EL1_I (1UL << 7)

/* PMCR_EL0.N: how many event counters the PMU has; MDCR_EL2.HPMN gives them all to EL1 (the
 * trap bits of MDCR_EL2 are the core's, arm64/sysreg.h). */
#define PMCR_EL0_N_SHIFT 11
#define PMCR_EL0_N_MASK	 0x1fUL
#define MDCR_EL2_HPMN	 0x1fUL

/* CNTHCTL_EL2 (E2H = 0): EL1 access to the physical counter and timer. */
#define CNTHCTL_EL1PCTEN (1UL << 0)
#define CNTHCTL_EL1PCEN	 (1UL << 1)

/* CPTR_EL2 (E2H = 0): RES1 bits; TFP (bit 10) clear: FP/SIMD not trapped. */
#define CPTR_EL2_RES1 0x33ffUL

/* CNTHP_CTL_EL2 / CNTV_CTL_EL0 */
#define CNT_CTL_ENABLE (1UL << 0)
#define CNT_CTL_IMASK  (1UL << 1)

/* HPFAR_EL2: FIPA[43:12] in bits [39:4]. */
#define HPFAR_FIPA_SHIFT 4

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

#endif
