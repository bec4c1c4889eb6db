/* The self-hosted debug unit a guest programs: MDSCR_EL1, the breakpoint and watchpoint
 * registers (DBGBCR/BVR<n>_EL1, DBGWCR/WVR<n>_EL1), the OS lock, and the syndromes of the
 * debug exceptions they raise (ESR_ELx EC 0x30-0x35). The emulation is the core's
 * (sysreg_dbg.c); gzhyp arms the CPU with the guest's registers, the simulator matches them
 * itself (sim/debug.c). */
#ifndef GZ_ARM64_DEBUG_H
#define GZ_ARM64_DEBUG_H

#include <arm64/sysreg.h>

/* MDSCR_EL1: software step, EL1 debug, the debug unit (what opengz emulates of it) */
#define MDSCR_SS       GZ_BIT(0)
#define MDSCR_TDCC     GZ_BIT(12)
#define MDSCR_KDE      GZ_BIT(13)
#define MDSCR_MDE      GZ_BIT(15)
#define MDSCR_WRITABLE (MDSCR_SS | MDSCR_TDCC | MDSCR_KDE | MDSCR_MDE)

/* DBGBCR<n>_EL1 / DBGWCR<n>_EL1: enable, the ELs it matches (PMC/PAC: bit 1 EL1, bit 2 EL0),
 * byte selection; a breakpoint's type (0: unlinked address match), a watchpoint's load/store
 * control and address mask. The bits each register implements are *_WRITABLE. */
#define DBGxCR_E	  GZ_BIT(0)
#define DBGxCR_EL1	  GZ_BIT(1)
#define DBGxCR_EL0	  GZ_BIT(2)
#define DBGBCR_BAS	  GZ_GENMASK(8, 5)
#define DBGBCR_BT	  GZ_GENMASK(23, 20)
#define DBGBCR_WRITABLE	  (GZ_GENMASK(23, 13) | DBGBCR_BAS | DBGxCR_EL0 | DBGxCR_EL1 | DBGxCR_E)
#define DBGWCR_LSC_LOAD	  GZ_BIT(3)
#define DBGWCR_LSC_STORE  GZ_BIT(4)
#define DBGWCR_BAS	  GZ_GENMASK(12, 5)
#define DBGWCR_BAS_SHIFT  5
#define DBGWCR_MASK	  GZ_GENMASK(28, 24)
#define DBGWCR_MASK_SHIFT 24
#define DBGWCR_WRITABLE	  (DBGWCR_MASK | GZ_GENMASK(20, 13) | DBGWCR_BAS | GZ_GENMASK(4, 0))
/* DBGBVR/DBGWVR: a VA, word- (breakpoint) or doubleword-aligned (watchpoint) */
#define DBGBVR_WRITABLE (~(uint64_t)3)
#define DBGWVR_WRITABLE (~(uint64_t)3)

/* Register encodings: op0 2, op1 0, CRn 0, CRm n, op2 4 (BVR), 5 (BCR), 6 (WVR), 7 (WCR) */
#define SYS_DBG_OP2_BVR	  4
#define SYS_DBG_OP2_BCR	  5
#define SYS_DBG_OP2_WVR	  6
#define SYS_DBG_OP2_WCR	  7
#define SYS_DBGBVR_EL1(n) SYS_ENC(2, 0, 0, (n), SYS_DBG_OP2_BVR)
#define SYS_DBGBCR_EL1(n) SYS_ENC(2, 0, 0, (n), SYS_DBG_OP2_BCR)
#define SYS_DBGWVR_EL1(n) SYS_ENC(2, 0, 0, (n), SYS_DBG_OP2_WVR)
#define SYS_DBGWCR_EL1(n) SYS_ENC(2, 0, 0, (n), SYS_DBG_OP2_WCR)

/* OSLSR_EL1.OSLK (the OS lock is locked: no debug exception but BRK) */
#define OSLSR_OSLK GZ_BIT(1)
#define OSLAR_OSLK GZ_BIT(0)

/* The ISS of debug exceptions: the fault status "debug exception"; a software step's ISV (EX
 * valid); a watchpoint's WnR and CM */
#define ESR_DBG_FSC_DEBUG 0x22
#define ESR_SS_ISV	  GZ_BIT(24)
#define ESR_WP_CM	  GZ_BIT(8)
#define ESR_WP_WNR	  GZ_BIT(6)

#endif
