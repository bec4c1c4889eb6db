/*
 * System register encodings (op0, op1, CRn, CRm, op2) the core names: the EL1 registers a
 * guest OS uses (for ONE_REG and trap decoding), the trapped GIC and timer registers, and
 * the PSTATE/SPSR and SCTLR bits the exception injector needs.
 */
#ifndef GZ_ARCH_SYSREG_H
#define GZ_ARCH_SYSREG_H

#include <arm64/types.h>

/* A packed encoding: op0[15:14] op1[13:11] CRn[10:7] CRm[6:3] op2[2:0] (KVM's ONE_REG
 * SYSREG layout, so ids and trap decodes compare directly). */
#define SYS_ENC(op0, op1, crn, crm, op2)                                                           \
	((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))
#define SYS_ENC_OP0(e) (((e) >> 14) & 0x3)
#define SYS_ENC_OP1(e) (((e) >> 11) & 0x7)
#define SYS_ENC_CRN(e) (((e) >> 7) & 0xf)
#define SYS_ENC_CRM(e) (((e) >> 3) & 0xf)
#define SYS_ENC_OP2(e) ((e)&0x7)

#define SYS_SCTLR_EL1	   SYS_ENC(3, 0, 1, 0, 0)
#define SYS_ACTLR_EL1	   SYS_ENC(3, 0, 1, 0, 1)
#define SYS_CPACR_EL1	   SYS_ENC(3, 0, 1, 0, 2)
#define SYS_TTBR0_EL1	   SYS_ENC(3, 0, 2, 0, 0)
#define SYS_TTBR1_EL1	   SYS_ENC(3, 0, 2, 0, 1)
#define SYS_TCR_EL1	   SYS_ENC(3, 0, 2, 0, 2)
#define SYS_AFSR0_EL1	   SYS_ENC(3, 0, 5, 1, 0)
#define SYS_AFSR1_EL1	   SYS_ENC(3, 0, 5, 1, 1)
#define SYS_ESR_EL1	   SYS_ENC(3, 0, 5, 2, 0)
#define SYS_FAR_EL1	   SYS_ENC(3, 0, 6, 0, 0)
#define SYS_PAR_EL1	   SYS_ENC(3, 0, 7, 4, 0)
#define SYS_MAIR_EL1	   SYS_ENC(3, 0, 10, 2, 0)
#define SYS_AMAIR_EL1	   SYS_ENC(3, 0, 10, 3, 0)
#define SYS_VBAR_EL1	   SYS_ENC(3, 0, 12, 0, 0)
#define SYS_CONTEXTIDR_EL1 SYS_ENC(3, 0, 13, 0, 1)
#define SYS_TPIDR_EL1	   SYS_ENC(3, 0, 13, 0, 4)
#define SYS_CNTKCTL_EL1	   SYS_ENC(3, 0, 14, 1, 0)
#define SYS_CSSELR_EL1	   SYS_ENC(3, 2, 0, 0, 0)
#define SYS_TPIDR_EL0	   SYS_ENC(3, 3, 13, 0, 2)
#define SYS_TPIDRRO_EL0	   SYS_ENC(3, 3, 13, 0, 3)
#define SYS_MDSCR_EL1	   SYS_ENC(2, 0, 0, 2, 2)
#define SYS_CNTV_CTL_EL0   SYS_ENC(3, 3, 14, 3, 1)
#define SYS_CNTV_CVAL_EL0  SYS_ENC(3, 3, 14, 3, 2)
#define SYS_CNTV_TVAL_EL0  SYS_ENC(3, 3, 14, 3, 0)
#define SYS_CNTVCT_EL0	   SYS_ENC(3, 3, 14, 0, 2)
#define SYS_CNTPCT_EL0	   SYS_ENC(3, 3, 14, 0, 1)
#define SYS_CNTP_CTL_EL0   SYS_ENC(3, 3, 14, 2, 1)
#define SYS_CNTP_CVAL_EL0  SYS_ENC(3, 3, 14, 2, 2)
#define SYS_CNTP_TVAL_EL0  SYS_ENC(3, 3, 14, 2, 0)
#define SYS_SP_EL1	   SYS_ENC(3, 4, 4, 1, 0)
#define SYS_ELR_EL1	   SYS_ENC(3, 0, 4, 0, 1)
#define SYS_SPSR_EL1	   SYS_ENC(3, 0, 4, 0, 0)
#define SYS_MPIDR_EL1	   SYS_ENC(3, 0, 0, 0, 5)
#define SYS_MIDR_EL1	   SYS_ENC(3, 0, 0, 0, 0)
#define SYS_CNTFRQ_EL0	   SYS_ENC(3, 3, 14, 0, 0)

/* CNTKCTL_EL1: what EL0 may access of the counters and the timers */
#define CNTKCTL_EL0PCTEN GZ_BIT(0)
#define CNTKCTL_EL0VCTEN GZ_BIT(1)
#define CNTKCTL_EL0VTEN	 GZ_BIT(8)
#define CNTKCTL_EL0PTEN	 GZ_BIT(9)

/* CNTHCTL_EL2 (E2H = 0): EL1 and EL0 access to the physical counter (EL1PCTEN) and the
 * physical timer (EL1PCEN); clear, the access traps to EL2 (EC 0x18), after CNTKCTL_EL1's
 * own check of an EL0 access. The core sets them per vCPU (struct gz_cpu_ctx). */
#define CNTHCTL_EL1PCTEN GZ_BIT(0)
#define CNTHCTL_EL1PCEN	 GZ_BIT(1)

/* EL2 and EL3 controls an emulator of EL1 programs (the simulator's Unicorn engine) */
#define SYS_HCR_EL2	SYS_ENC(3, 4, 1, 1, 0)
#define SYS_MDCR_EL2	SYS_ENC(3, 4, 1, 1, 1)
#define SYS_CPTR_EL2	SYS_ENC(3, 4, 1, 1, 2)
#define SYS_CNTHCTL_EL2 SYS_ENC(3, 4, 14, 1, 0)
#define SYS_SCR_EL3	SYS_ENC(3, 6, 1, 1, 0)
#define SCR_EL3_NS	GZ_BIT(0)
#define SCR_EL3_HCE	GZ_BIT(8)
#define SCR_EL3_RW	GZ_BIT(10)

/* GICv3 CPU interface registers that trap (ICC_SRE_EL1 and SGI generation) */
/* Data cache maintenance by set/way (SYS instructions, op0 1), trapped by HCR_EL2.TSW. */
#define SYS_DC_ISW	   SYS_ENC(1, 0, 7, 6, 2)
#define SYS_DC_CSW	   SYS_ENC(1, 0, 7, 10, 2)
#define SYS_DC_CISW	   SYS_ENC(1, 0, 7, 14, 2)
#define SYS_ICC_SGI1R_EL1  SYS_ENC(3, 0, 12, 11, 5)
#define SYS_ICC_ASGI1R_EL1 SYS_ENC(3, 0, 12, 11, 6)
#define SYS_ICC_SGI0R_EL1  SYS_ENC(3, 0, 12, 11, 7)
#define SYS_ICC_SRE_EL1	   SYS_ENC(3, 0, 12, 12, 5)

/* The rest of the GICv3 CPU interface a guest uses (the virtual interface answers them) */
#define SYS_ICC_PMR_EL1	    SYS_ENC(3, 0, 4, 6, 0)
#define SYS_ICC_IAR0_EL1    SYS_ENC(3, 0, 12, 8, 0)
#define SYS_ICC_EOIR0_EL1   SYS_ENC(3, 0, 12, 8, 1)
#define SYS_ICC_HPPIR0_EL1  SYS_ENC(3, 0, 12, 8, 2)
#define SYS_ICC_BPR0_EL1    SYS_ENC(3, 0, 12, 8, 3)
#define SYS_ICC_AP0R_EL1(n) SYS_ENC(3, 0, 12, 8, 4 + (n))
#define SYS_ICC_AP1R_EL1(n) SYS_ENC(3, 0, 12, 9, (n))
#define SYS_ICC_DIR_EL1	    SYS_ENC(3, 0, 12, 11, 1)
#define SYS_ICC_RPR_EL1	    SYS_ENC(3, 0, 12, 11, 3)
#define SYS_ICC_IAR1_EL1    SYS_ENC(3, 0, 12, 12, 0)
#define SYS_ICC_EOIR1_EL1   SYS_ENC(3, 0, 12, 12, 1)
#define SYS_ICC_HPPIR1_EL1  SYS_ENC(3, 0, 12, 12, 2)
#define SYS_ICC_BPR1_EL1    SYS_ENC(3, 0, 12, 12, 3)
#define SYS_ICC_CTLR_EL1    SYS_ENC(3, 0, 12, 12, 4)
#define SYS_ICC_IGRPEN0_EL1 SYS_ENC(3, 0, 12, 12, 6)
#define SYS_ICC_IGRPEN1_EL1 SYS_ENC(3, 0, 12, 12, 7)
/* ICC_SRE_EL1: system-register interface on, FIQ and IRQ bypass disabled */
#define ICC_SRE_EL1_SRE GZ_BIT(0)
#define ICC_SRE_EL1_DFB GZ_BIT(1)
#define ICC_SRE_EL1_DIB GZ_BIT(2)

/* ID register space: op0 = 3, op1 = 0, CRn = 0, CRm 1..7 */
#define SYS_IS_ID_REG(e)                                                                           \
	(SYS_ENC_OP0(e) == 3 && SYS_ENC_OP1(e) == 0 && SYS_ENC_CRN(e) == 0 &&                      \
	 SYS_ENC_CRM(e) >= 1 && SYS_ENC_CRM(e) <= 7)

/* PSTATE / SPSR_ELx (AArch64) */
#define PSR_MODE_MASK GZ_GENMASK(4, 0)
#define PSR_MODE_EL0t 0x0
#define PSR_MODE_EL1t 0x4
#define PSR_MODE_EL1h 0x5
#define PSR_MODE_EL2t 0x8
#define PSR_MODE_EL2h 0x9
#define PSR_MODE_nRW  GZ_BIT(4) /* AArch32 */
#define PSR_F	      GZ_BIT(6)
#define PSR_I	      GZ_BIT(7)
#define PSR_A	      GZ_BIT(8)
#define PSR_D	      GZ_BIT(9)
#define PSR_DAIF      (PSR_D | PSR_A | PSR_I | PSR_F)
#define PSR_BTYPE     GZ_GENMASK(11, 10)
#define PSR_SSBS      GZ_BIT(12)
#define PSR_IL	      GZ_BIT(20)
#define PSR_SS	      GZ_BIT(21)
#define PSR_PAN	      GZ_BIT(22)
#define PSR_UAO	      GZ_BIT(23)
#define PSR_DIT	      GZ_BIT(24)
#define PSR_TCO	      GZ_BIT(25)
#define PSR_NZCV      GZ_GENMASK(31, 28)

/* SCTLR_EL1 bits the injector and the reset state use */
#define SCTLR_EL1_M	GZ_BIT(0)
#define SCTLR_EL1_C	GZ_BIT(2)
#define SCTLR_EL1_I	GZ_BIT(12)
#define SCTLR_EL1_E0E	GZ_BIT(24)
#define SCTLR_EL1_EE	GZ_BIT(25)
#define SCTLR_EL1_SPAN	GZ_BIT(23)
#define SCTLR_EL1_DSSBS GZ_BIT(44)
#define SCTLR_EL1_RESET 0x00c50838UL /* MMU and caches off, RES1 bits of ARMv8.0 */

/* PAR_EL1 after an AT instruction: F set means the translation faulted, with the fault
 * status in FST (the ESR_FSC_* encodings); F clear gives the output address in PA. */
#define PAR_EL1_F   GZ_BIT(0)
#define PAR_EL1_FST GZ_GENMASK(6, 1)
#define PAR_EL1_PA  GZ_GENMASK(47, 12)

/* VBAR_EL1: the vector base (bits [10:0] are RES0) and the vector offsets from it */
#define VBAR_EL1_BASE	   (~(uint64_t)0x7ff)
#define VBAR_OFF_CUR_SP0   0x000
#define VBAR_OFF_CUR_SPX   0x200
#define VBAR_OFF_LOWER_A64 0x400
#define VBAR_OFF_LOWER_A32 0x600
#define VBAR_OFF_SYNC	   0x000
#define VBAR_OFF_IRQ	   0x080
#define VBAR_OFF_FIQ	   0x100
#define VBAR_OFF_SERROR	   0x180

/* MPIDR_EL1 */
#define MPIDR_RES1     GZ_BIT(31)
#define MPIDR_AFF0     GZ_GENMASK(7, 0)
#define MPIDR_AFF1     GZ_GENMASK(15, 8)
#define MPIDR_AFF2     GZ_GENMASK(23, 16)
#define MPIDR_AFF3     GZ_GENMASK(39, 32)
#define MPIDR_AFF_MASK (MPIDR_AFF0 | MPIDR_AFF1 | MPIDR_AFF2 | MPIDR_AFF3)

/* HCR_EL2 bits the core sets for a guest */
#define HCR_VM	   GZ_BIT(0)
#define HCR_SWIO   GZ_BIT(1)
#define HCR_FMO	   GZ_BIT(3)
#define HCR_IMO	   GZ_BIT(4)
#define HCR_AMO	   GZ_BIT(5)
#define HCR_FB	   GZ_BIT(9)
#define HCR_BSU_IS GZ_BIT(10)
#define HCR_TWI	   GZ_BIT(13)
#define HCR_TWE	   GZ_BIT(14)
#define HCR_TSC	   GZ_BIT(19)
#define HCR_TID3   GZ_BIT(18)
#define HCR_TACR   GZ_BIT(21)
#define HCR_TSW	   GZ_BIT(22)
#define HCR_VI	   GZ_BIT(7) /* virtual IRQ pending */
#define HCR_PTW	   GZ_BIT(2)
#define HCR_RW	   GZ_BIT(31)
#define HCR_TGE	   GZ_BIT(27) /* EL1 and EL0 exceptions go to EL2: never a guest's */
#define HCR_HCD	   GZ_BIT(29) /* HVC disabled: never a guest's */
#define HCR_GUEST_FLAGS                                                                            \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI |         \
	 HCR_TSC | HCR_TID3 | HCR_TACR | HCR_TSW | HCR_PTW | HCR_RW)

/* CNTV_CTL_EL0, CNTP_CTL_EL0 and CNTHP_CTL_EL2 */
#define CNT_CTL_ENABLE	GZ_BIT(0)
#define CNT_CTL_IMASK	GZ_BIT(1)
#define CNT_CTL_ISTATUS GZ_BIT(2)

/* MDCR_EL2: a guest's accesses to the debug registers (TDA, and the OS lock/power registers:
 * TDOSA; MDRAR: TDRA) and to the PMU (TPM, TPMCR) trap, so it can neither program the
 * CPU's breakpoints/watchpoints, which are not switched, nor read counters that count for
 * the host. HPMN [4:0] (how many counters EL1 owns) is the HAL's: the hardware's PMCR.N
 * (MDCR_EL2_HPMN, arm64/sysreg_el2.h). */
#define MDCR_TPMCR	 GZ_BIT(5)
#define MDCR_TPM	 GZ_BIT(6)
#define MDCR_TDA	 GZ_BIT(9)
#define MDCR_TDOSA	 GZ_BIT(10)
#define MDCR_TDRA	 GZ_BIT(11)
#define MDCR_GUEST_FLAGS (MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA)

/* Debug and PMU system registers (the encodings MDCR_GUEST_FLAGS traps): op0 = 2 is the
 * debug space; the PMU is op0 = 3, CRn = 9, CRm = 12..14 (PMCR_EL0..PMOVSSET_EL0 and
 * PMINTENSET/CLR_EL1) and op1 = 3, CRn = 14, CRm = 8..15 (PMEVCNTRn/PMEVTYPERn,
 * PMCCFILTR). OSLSR_EL1 reads OSLM = 0b10: the OS lock is implemented (and unlocked). */
#define SYS_OP0_DEBUG	       2
#define SYS_CRN_PMU	       9
#define SYS_CRM_PMU_FIRST      12
#define SYS_CRM_PMU_LAST       14
#define SYS_CRN_PMU_EV	       14
#define SYS_CRM_PMU_EV_FIRST   8
#define SYS_OSLSR_EL1	       SYS_ENC(2, 0, 1, 1, 4)
#define OSLSR_OSLM_IMPLEMENTED 0x8

#endif
