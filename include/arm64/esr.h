/*
 * ESR_ELx: exception syndrome fields (Arm ARM D17.2.37) and the fault status codes, as the
 * exit decoder and the exception injector use them.
 */
#ifndef GZ_ARCH_ESR_H
#define GZ_ARCH_ESR_H

#include <arm64/types.h>

#define ESR_EC_SHIFT  26
#define ESR_EC_MASK   GZ_GENMASK(31, 26)
#define ESR_IL	      GZ_BIT(25)
#define ESR_ISS_MASK  GZ_GENMASK(24, 0)
#define ESR_ISS2_MASK GZ_GENMASK(55, 32)
#define ESR_EC(esr)   ((unsigned)GZ_FIELD_GET(ESR_EC_MASK, (esr)))
#define ESR_ISS(esr)  ((uint32_t)((esr)&ESR_ISS_MASK))

/* The syndrome of an exception of class @ec with @iss, for a 32-bit instruction (IL set). */
static inline uint64_t arm64_esr(unsigned ec, uint32_t iss)
{
	return ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | iss;
}

/* Exception classes */
#define ESR_EC_UNKNOWN	   0x00
#define ESR_EC_WFX	   0x01
#define ESR_EC_CP15_32	   0x03
#define ESR_EC_CP15_64	   0x04
#define ESR_EC_CP14_MR	   0x05
#define ESR_EC_CP14_LS	   0x06
#define ESR_EC_FP_ASIMD	   0x07
#define ESR_EC_CP10_ID	   0x08
#define ESR_EC_PAC	   0x09
#define ESR_EC_LS64	   0x0a
#define ESR_EC_CP14_64	   0x0c
#define ESR_EC_BTI	   0x0d
#define ESR_EC_ILL	   0x0e
#define ESR_EC_SVC32	   0x11
#define ESR_EC_HVC32	   0x12
#define ESR_EC_SMC32	   0x13
#define ESR_EC_SVC64	   0x15
#define ESR_EC_HVC64	   0x16
#define ESR_EC_SMC64	   0x17
#define ESR_EC_SYS64	   0x18
#define ESR_EC_SVE	   0x19
#define ESR_EC_ERET	   0x1a
#define ESR_EC_FPAC	   0x1c
#define ESR_EC_SME	   0x1d
#define ESR_EC_IMP_DEF	   0x1f
#define ESR_EC_IABT_LOW	   0x20
#define ESR_EC_IABT_CUR	   0x21
#define ESR_EC_PC_ALIGN	   0x22
#define ESR_EC_DABT_LOW	   0x24
#define ESR_EC_DABT_CUR	   0x25
#define ESR_EC_SP_ALIGN	   0x26
#define ESR_EC_FP_EXC32	   0x28
#define ESR_EC_FP_EXC64	   0x2c
#define ESR_EC_SERROR	   0x2f
#define ESR_EC_BREAKPT_LOW 0x30
#define ESR_EC_BREAKPT_CUR 0x31
#define ESR_EC_SOFTSTP_LOW 0x32
#define ESR_EC_SOFTSTP_CUR 0x33
#define ESR_EC_WATCHPT_LOW 0x34
#define ESR_EC_WATCHPT_CUR 0x35
#define ESR_EC_BKPT32	   0x38
#define ESR_EC_VECTOR32	   0x3a
#define ESR_EC_BRK64	   0x3c
#define ESR_EC_MAX	   0x3f

/* A short lower-case name of an exception class ("dabt", "hvc", ...; "other" for classes no
 * guest exit of ours takes), for exit traces and crash reports (src/arm64/esr_name.c). */
const char *arm64_esr_ec_name(unsigned ec);

/* Data and instruction aborts */
#define ESR_xABT_ISV	 GZ_BIT(24)
#define ESR_DABT_SAS	 GZ_GENMASK(23, 22)
#define ESR_DABT_SSE	 GZ_BIT(21)
#define ESR_DABT_SRT	 GZ_GENMASK(20, 16)
#define ESR_DABT_SF	 GZ_BIT(15)
#define ESR_DABT_AR	 GZ_BIT(14)
#define ESR_DABT_VNCR	 GZ_BIT(13)
#define ESR_xABT_FNV	 GZ_BIT(10)
#define ESR_xABT_EA	 GZ_BIT(9)
#define ESR_DABT_CM	 GZ_BIT(8)
#define ESR_xABT_S1PTW	 GZ_BIT(7)
#define ESR_DABT_WNR	 GZ_BIT(6)
#define ESR_xABT_FSC	 GZ_GENMASK(5, 0)
#define ESR_FSC_TYPE	 0x3c /* fault type without the level */
#define ESR_FSC_LEVEL	 0x03
#define ESR_FSC_ADDR_SZ	 0x00
#define ESR_FSC_TRANS	 0x04
#define ESR_FSC_ACCESS	 0x08
#define ESR_FSC_PERM	 0x0c
#define ESR_FSC_EXTABT	 0x10
#define ESR_FSC_ALIGN	 0x21
#define ESR_FSC_TLB_CONF 0x30

/* WFI/WFE */
#define ESR_WFX_TI	GZ_GENMASK(1, 0)
#define ESR_WFX_TI_WFI	0
#define ESR_WFX_TI_WFE	1
#define ESR_WFX_TI_WFIT 2
#define ESR_WFX_TI_WFET 3
#define ESR_WFX_RV	GZ_BIT(2)
#define ESR_WFX_RN	GZ_GENMASK(9, 5)
/* CV/COND of traps from a conditional instruction (the simulator's WFx: condition AL) */
#define ESR_WFX_CV   GZ_BIT(24)
#define ESR_WFX_COND GZ_GENMASK(23, 20)
#define ESR_COND_AL  0xe

/* HVC/SMC */
#define ESR_xVC_IMM GZ_GENMASK(15, 0)

/* Trapped MSR/MRS/system instruction (EC 0x18) */
#define ESR_SYS64_OP0 GZ_GENMASK(21, 20)
#define ESR_SYS64_OP2 GZ_GENMASK(19, 17)
#define ESR_SYS64_OP1 GZ_GENMASK(16, 14)
#define ESR_SYS64_CRN GZ_GENMASK(13, 10)
#define ESR_SYS64_RT  GZ_GENMASK(9, 5)
#define ESR_SYS64_CRM GZ_GENMASK(4, 1)
#define ESR_SYS64_DIR GZ_BIT(0) /* 1: read (MRS) */

/* HPFAR_EL2.FIPA holds IPA[51:12] in bits [47:4]. */
#define HPFAR_FIPA	 GZ_GENMASK(47, 4)
#define HPFAR_FIPA_SHIFT 4

#endif
