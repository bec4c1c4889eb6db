/* The few AArch64 architecture facts gzvmm needs to inject a synchronous external abort into
 * a guest (ARM ARM D1.10 exception entry, D17.2 ESR_EL1): PSTATE modes, vector offsets, ESR
 * fields, and the KVM-style register ids of the EL1 system registers involved. */
#ifndef VMM_ARM64_H
#define VMM_ARM64_H

#include <linux/gzvm.h>

#define A64_PSTATE_M_MASK 0xfULL
#define A64_PSTATE_EL0T	  0x0ULL
#define A64_PSTATE_EL1T	  0x4ULL
#define A64_PSTATE_EL1H	  0x5ULL
#define A64_PSTATE_RW32	  (1ULL << 4) /* AArch32 state */
#define A64_PSTATE_DAIF	  (0xfULL << 6)

#define A64_VEC_CUR_SP0 0x000ULL
#define A64_VEC_CUR_SPX 0x200ULL
#define A64_VEC_LOW_A64 0x400ULL

#define A64_ESR_EC_SHIFT    26
#define A64_ESR_EC_DABT_LOW 0x24ULL
#define A64_ESR_EC_DABT_CUR 0x25ULL
#define A64_ESR_IL	    (1ULL << 25)
#define A64_ESR_FNV	    (1ULL << 10) /* FAR not valid */
#define A64_ESR_WNR	    (1ULL << 6)
#define A64_ESR_FSC_EXTABT  0x10ULL

#define A64_SCTLR_M (1ULL << 0)

#define A64_REG_SCTLR_EL1 GZVM_ARM64_SYS_REG(3, 0, 1, 0, 0)
#define A64_REG_ESR_EL1	  GZVM_ARM64_SYS_REG(3, 0, 5, 2, 0)
#define A64_REG_FAR_EL1	  GZVM_ARM64_SYS_REG(3, 0, 6, 0, 0)
#define A64_REG_VBAR_EL1  GZVM_ARM64_SYS_REG(3, 0, 12, 0, 0)
#define A64_SPSR_EL1_IDX  0 /* KVM's spsr[] index of SPSR_EL1 */

#endif
