/* Architecture facts the simulator synthesises or interprets: ESR_EL2/ESR_EL1 encodings,
 * VMSAv8-64 stage-2 descriptors and VTCR_EL2, ICH_*_EL2 / ICC_* layouts, PSTATE and the
 * vector offsets. Kept in one place for the simulator (the core has its own arch headers). */
#ifndef GZ_SIM_ARCH_H
#define GZ_SIM_ARCH_H

#include <arm64/types.h>

/* ESR_ELx */
#define ESR_EC_SHIFT	  26
#define ESR_IL		  GZ_BIT(25)
#define ESR_EC_UNKNOWN	  0x00
#define ESR_EC_WFX	  0x01
#define ESR_EC_SVC64	  0x15
#define ESR_EC_HVC64	  0x16
#define ESR_EC_SMC64	  0x17
#define ESR_EC_SYS64	  0x18
#define ESR_EC_IABT_LOW	  0x20
#define ESR_EC_IABT_CUR	  0x21
#define ESR_EC_PC_ALIGN	  0x22
#define ESR_EC_DABT_LOW	  0x24
#define ESR_EC_DABT_CUR	  0x25
#define ESR_EC_BRK64	  0x3c
#define ESR_ISS_ISV	  GZ_BIT(24)
#define ESR_ISS_SAS_SHIFT 22
#define ESR_ISS_SSE	  GZ_BIT(21)
#define ESR_ISS_SRT_SHIFT 16
#define ESR_ISS_SF	  GZ_BIT(15)
#define ESR_ISS_AR	  GZ_BIT(14)
#define ESR_ISS_S1PTW	  GZ_BIT(7)
#define ESR_ISS_WNR	  GZ_BIT(6)
#define ESR_FSC_TRANS(l)  (0x04 + (l))
#define ESR_FSC_PERM(l)	  (0x0c + (l))
#define ESR_WFX_TI_WFE	  1
/* EC 0x18: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Direction[0] (1=read) */
#define ESR_SYS_ISS(op0, op1, crn, crm, op2, rt, rd)                                               \
	(((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | ((uint64_t)(op1) << 14) |             \
	 ((uint64_t)(crn) << 10) | ((uint64_t)(rt) << 5) | ((uint64_t)(crm) << 1) | (rd))
#define HPFAR_FROM_IPA(ipa) (((ipa) >> 12) << 4)

/* VTCR_EL2 / VTTBR_EL2 */
#define VTCR_T0SZ(v)	 ((v)&0x3f)
#define VTCR_SL0(v)	 (((v) >> 6) & 3)
#define VTCR_TG0(v)	 (((v) >> 14) & 3)
#define VTCR_TG0_4K	 0
#define VTTBR_BADDR_MASK GZ_GENMASK(47, 1)
#define VTTBR_VMID(v)	 ((uint16_t)((v) >> 48))

/* Stage-2 descriptors (4 KiB granule) */
#define PTE_VALID     GZ_BIT(0)
#define PTE_TABLE     GZ_BIT(1) /* at levels 0-2; "page" at level 3 */
#define PTE_ADDR_MASK GZ_GENMASK(47, 12)
#define S2_MEMATTR(d) (((d) >> 2) & 0xf)
#define S2_S2AP_R     GZ_BIT(6)
#define S2_S2AP_W     GZ_BIT(7)
#define S2_AF	      GZ_BIT(10)
#define S2_XN	      GZ_BIT(54)

/* PSTATE (SPSR format) */
#define PSR_MODE_MASK 0xf
#define PSR_MODE_EL0T 0x0
#define PSR_MODE_EL1T 0x4
#define PSR_MODE_EL1H 0x5
#define PSR_F	      GZ_BIT(6)
#define PSR_I	      GZ_BIT(7)
#define PSR_A	      GZ_BIT(8)
#define PSR_D	      GZ_BIT(9)
#define PSR_IL	      GZ_BIT(20)
#define PSR_SS	      GZ_BIT(21)
#define PSR_PAN	      GZ_BIT(22)

/* VBAR_EL1 offsets */
#define VEC_CUR_SP0 0x000
#define VEC_CUR_SPX 0x200
#define VEC_LOW_A64 0x400
#define VEC_SYNC    0x000
#define VEC_IRQ	    0x080

/* ICH_LR<n>_EL2 */
#define ICH_LR_VINTID_MASK  GZ_GENMASK(31, 0)
#define ICH_LR_PINTID_SHIFT 32
#define ICH_LR_EOI	    GZ_BIT(41)
#define ICH_LR_PRIO_SHIFT   48
#define ICH_LR_GROUP	    GZ_BIT(60)
#define ICH_LR_HW	    GZ_BIT(61)
#define ICH_LR_STATE_SHIFT  62
#define ICH_LR_PENDING	    1ULL
#define ICH_LR_ACTIVE	    2ULL
/* ICH_HCR_EL2 */
#define ICH_HCR_EN	       GZ_BIT(0)
#define ICH_HCR_UIE	       GZ_BIT(1)
#define ICH_HCR_LRENPIE	       GZ_BIT(2)
#define ICH_HCR_NPIE	       GZ_BIT(3)
#define ICH_HCR_VGRP0EIE       GZ_BIT(4)
#define ICH_HCR_VGRP0DIE       GZ_BIT(5)
#define ICH_HCR_VGRP1EIE       GZ_BIT(6)
#define ICH_HCR_VGRP1DIE       GZ_BIT(7)
#define ICH_HCR_EOICOUNT_SHIFT 27
/* ICH_MISR_EL2 */
#define ICH_MISR_EOI	GZ_BIT(0)
#define ICH_MISR_U	GZ_BIT(1)
#define ICH_MISR_LRENP	GZ_BIT(2)
#define ICH_MISR_NP	GZ_BIT(3)
#define ICH_MISR_VGRP0E GZ_BIT(4)
#define ICH_MISR_VGRP0D GZ_BIT(5)
#define ICH_MISR_VGRP1E GZ_BIT(6)
#define ICH_MISR_VGRP1D GZ_BIT(7)
/* ICH_VMCR_EL2 */
#define ICH_VMCR_VENG0	     GZ_BIT(0)
#define ICH_VMCR_VENG1	     GZ_BIT(1)
#define ICH_VMCR_VCBPR	     GZ_BIT(4)
#define ICH_VMCR_VEOIM	     GZ_BIT(9)
#define ICH_VMCR_VBPR1_SHIFT 18
#define ICH_VMCR_VBPR0_SHIFT 21
#define ICH_VMCR_VPMR_SHIFT  24
/* ICH_VTR_EL2: 4 LRs, 5 priority and preemption bits, 16-bit IDs, SEIS=0, A3V=1 */
#define ICH_VTR_VALUE 0x90b80003ULL
#define GIC_PRIO_BITS 5
#define GIC_SPURIOUS  1023
/* ICC_CTLR_EL1 as the guest reads it: PRIbits=4 (5 bits), IDbits=0 (16), A3V */
#define ICC_CTLR_CBPR	 GZ_BIT(0)
#define ICC_CTLR_EOIMODE GZ_BIT(1)
#define ICC_CTLR_RO	 ((4ULL << 8) | GZ_BIT(15))

/* System register encodings (op0, op1, CRn, CRm, op2) packed as in ESR ISS order */
#define SYSREG(op0, op1, crn, crm, op2)                                                            \
	(((uint32_t)(op0) << 14) | ((uint32_t)(op1) << 11) | ((uint32_t)(crn) << 7) |              \
	 ((uint32_t)(crm) << 3) | (uint32_t)(op2))
#define SR_ICC_PMR	 SYSREG(3, 0, 4, 6, 0)
#define SR_ICC_IAR0	 SYSREG(3, 0, 12, 8, 0)
#define SR_ICC_EOIR0	 SYSREG(3, 0, 12, 8, 1)
#define SR_ICC_HPPIR0	 SYSREG(3, 0, 12, 8, 2)
#define SR_ICC_BPR0	 SYSREG(3, 0, 12, 8, 3)
#define SR_ICC_AP0R(n)	 SYSREG(3, 0, 12, 8, 4 + (n))
#define SR_ICC_AP1R(n)	 SYSREG(3, 0, 12, 9, (n))
#define SR_ICC_DIR	 SYSREG(3, 0, 12, 11, 1)
#define SR_ICC_RPR	 SYSREG(3, 0, 12, 11, 3)
#define SR_ICC_SGI1R	 SYSREG(3, 0, 12, 11, 5)
#define SR_ICC_ASGI1R	 SYSREG(3, 0, 12, 11, 6)
#define SR_ICC_SGI0R	 SYSREG(3, 0, 12, 11, 7)
#define SR_ICC_IAR1	 SYSREG(3, 0, 12, 12, 0)
#define SR_ICC_EOIR1	 SYSREG(3, 0, 12, 12, 1)
#define SR_ICC_HPPIR1	 SYSREG(3, 0, 12, 12, 2)
#define SR_ICC_BPR1	 SYSREG(3, 0, 12, 12, 3)
#define SR_ICC_CTLR	 SYSREG(3, 0, 12, 12, 4)
#define SR_ICC_SRE	 SYSREG(3, 0, 12, 12, 5)
#define SR_ICC_IGRPEN0	 SYSREG(3, 0, 12, 12, 6)
#define SR_ICC_IGRPEN1	 SYSREG(3, 0, 12, 12, 7)
#define SR_CNTFRQ	 SYSREG(3, 3, 14, 0, 0)
#define SR_CNTPCT	 SYSREG(3, 3, 14, 0, 1)
#define SR_CNTVCT	 SYSREG(3, 3, 14, 0, 2)
#define SR_CNTV_TVAL	 SYSREG(3, 3, 14, 3, 0)
#define SR_CNTV_CTL	 SYSREG(3, 3, 14, 3, 1)
#define SR_CNTV_CVAL	 SYSREG(3, 3, 14, 3, 2)
#define SR_CNTP_TVAL	 SYSREG(3, 3, 14, 2, 0)
#define SR_CNTP_CTL	 SYSREG(3, 3, 14, 2, 1)
#define SR_CNTP_CVAL	 SYSREG(3, 3, 14, 2, 2)
#define SR_MPIDR	 SYSREG(3, 0, 0, 0, 5)
#define SR_MIDR		 SYSREG(3, 0, 0, 0, 0)
#define CNTKCTL_EL0PCTEN GZ_BIT(0)
#define CNTKCTL_EL0VCTEN GZ_BIT(1)
#define CNTKCTL_EL0VTEN	 GZ_BIT(8)
#define CNT_CTL_ENABLE	 GZ_BIT(0)
#define CNT_CTL_IMASK	 GZ_BIT(1)
#define CNT_CTL_ISTATUS	 GZ_BIT(2)
#define SYSREG_OP0(e)	 (((e) >> 14) & 3)
#define SYSREG_OP1(e)	 (((e) >> 11) & 7)
#define SYSREG_CRN(e)	 (((e) >> 7) & 15)
#define SYSREG_CRM(e)	 (((e) >> 3) & 15)
#define SYSREG_OP2(e)	 ((e)&7)
/* ID registers (op0=3, op1=0, CRn=0, CRm 1..7) trap to EL2 when HCR_EL2.TID3 is set */
#define HCR_TID3 GZ_BIT(18)
#define HCR_TWI	 GZ_BIT(13)
#define HCR_TWE	 GZ_BIT(14)
#define HCR_TSC	 GZ_BIT(19)
#define HCR_RW	 GZ_BIT(31)
#define HCR_FMO	 GZ_BIT(3)
#define HCR_IMO	 GZ_BIT(4)
#define HCR_VI	 GZ_BIT(7)

#endif
