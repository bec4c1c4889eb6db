/* The AArch64 ID registers (op0 3, op1 0, CRn 0, CRm 4..7; HCR_EL2.TID3 traps the whole ID
 * space, CRm 1..7) and the fields of them opengz sanitises for its guests. A field is 4 bits;
 * ID_FIELD(shift) masks one. */
#ifndef GZ_ARM64_IDREG_H
#define GZ_ARM64_IDREG_H

#include <arm64/sysreg.h>

#define ID_FIELD(shift) ((uint64_t)0xf << (shift))

/* The AArch64 ID registers: 32 encodings, ID_AA64_INDEX 0..31 (CRm 4..7, op2 0..7). */
#define ID_AA64_CRM_FIRST 4
#define ID_AA64_NR	  32
#define ID_AA64_ENC(i)	  SYS_ENC(3, 0, 0, ID_AA64_CRM_FIRST + (i) / 8, (i) % 8)
#define ID_AA64_IS(e)	  (SYS_IS_ID_REG(e) && SYS_ENC_CRM(e) >= ID_AA64_CRM_FIRST)
#define ID_AA64_INDEX(e)  ((SYS_ENC_CRM(e) - ID_AA64_CRM_FIRST) * 8 + SYS_ENC_OP2(e))

#define SYS_ID_AA64PFR0_EL1  SYS_ENC(3, 0, 0, 4, 0)
#define SYS_ID_AA64PFR1_EL1  SYS_ENC(3, 0, 0, 4, 1)
#define SYS_ID_AA64ZFR0_EL1  SYS_ENC(3, 0, 0, 4, 4)
#define SYS_ID_AA64DFR0_EL1  SYS_ENC(3, 0, 0, 5, 0)
#define SYS_ID_AA64DFR1_EL1  SYS_ENC(3, 0, 0, 5, 1)
#define SYS_ID_AA64ISAR0_EL1 SYS_ENC(3, 0, 0, 6, 0)
#define SYS_ID_AA64ISAR1_EL1 SYS_ENC(3, 0, 0, 6, 1)
#define SYS_ID_AA64ISAR2_EL1 SYS_ENC(3, 0, 0, 6, 2)
#define SYS_ID_AA64MMFR0_EL1 SYS_ENC(3, 0, 0, 7, 0)
#define SYS_ID_AA64MMFR1_EL1 SYS_ENC(3, 0, 0, 7, 1)
#define SYS_ID_AA64MMFR2_EL1 SYS_ENC(3, 0, 0, 7, 2)

/* ID_AA64PFR0_EL1 */
#define ID_PFR0_EL0_SHIFT     0
#define ID_PFR0_EL1_SHIFT     4
#define ID_PFR0_FP_SHIFT      16
#define ID_PFR0_ADVSIMD_SHIFT 20
#define ID_PFR0_GIC_SHIFT     24
#define ID_PFR0_DIT_SHIFT     48
#define ID_PFR0_CSV2_SHIFT    56
#define ID_PFR0_CSV3_SHIFT    60
#define ID_PFR0_EL_AARCH64    1 /* EL0/EL1: AArch64 only */
#define ID_PFR0_GIC_SYSREG    1 /* GICv3 system-register CPU interface */

/* ID_AA64PFR1_EL1 */
#define ID_PFR1_BT_SHIFT   0
#define ID_PFR1_SSBS_SHIFT 4

/* ID_AA64DFR0_EL1: the debug architecture, breakpoint, watchpoint and context-comparator
 * counts (each minus one), the PMU version */
#define ID_DFR0_DEBUGVER_SHIFT	 0
#define ID_DFR0_PMUVER_SHIFT	 8
#define ID_DFR0_BRPS_SHIFT	 12
#define ID_DFR0_WRPS_SHIFT	 20
#define ID_DFR0_CTX_CMPS_SHIFT	 28
#define ID_DFR0_DOUBLELOCK_SHIFT 36
#define ID_DFR0_DEBUGVER_V8	 6
#define ID_DFR0_PMUVER_V3	 1
#define ID_DFR0_DOUBLELOCK_NONE	 0xf

/* ID_AA64ISAR0_EL1 */
#define ID_ISAR0_TME_SHIFT 24

/* ID_AA64ISAR1_EL1: pointer authentication (keys not switched) and LS64 */
#define ID_ISAR1_APA_SHIFT  4
#define ID_ISAR1_API_SHIFT  8
#define ID_ISAR1_GPA_SHIFT  24
#define ID_ISAR1_GPI_SHIFT  28
#define ID_ISAR1_LS64_SHIFT 60

/* ID_AA64MMFR0_EL1 */
#define ID_MMFR0_PARANGE_SHIFT	 0
#define ID_MMFR0_TGRAN16_2_SHIFT 32

/* ID_AA64MMFR1_EL1: what only an EL2 would use (VMIDBits, VH, XNX, TWED, HCX), TIDCP1, CMOW */
#define ID_MMFR1_VMIDBITS_SHIFT 4
#define ID_MMFR1_VH_SHIFT	8
#define ID_MMFR1_XNX_SHIFT	28
#define ID_MMFR1_TWED_SHIFT	32
#define ID_MMFR1_HCX_SHIFT	40
#define ID_MMFR1_TIDCP1_SHIFT	52
#define ID_MMFR1_CMOW_SHIFT	56

/* ID_AA64MMFR2_EL1: nested virtualization, FWB, EVT (EL2's) */
#define ID_MMFR2_NV_SHIFT  24
#define ID_MMFR2_FWB_SHIFT 40
#define ID_MMFR2_EVT_SHIFT 56

#endif
