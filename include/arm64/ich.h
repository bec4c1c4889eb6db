/* GIC virtual CPU interface registers of EL2 (ICH_*_EL2): list-register layout and the
 * fields of ICH_HCR_EL2, ICH_VTR_EL2, ICH_VMCR_EL2 and ICH_MISR_EL2 (GICv3 architecture). */
#ifndef ARCH_ICH_H
#define ARCH_ICH_H

#include <arm64/types.h>

/* ICH_LR<n>_EL2 */
#define ARCH_ICH_LR_VINTID   GZ_GENMASK(31, 0)
#define ARCH_ICH_LR_PINTID   GZ_GENMASK(44, 32)
#define ARCH_ICH_LR_EOI	     GZ_BIT(41) /* HW = 0: maintenance interrupt on deactivation */
#define ARCH_ICH_LR_PRIORITY GZ_GENMASK(55, 48)
#define ARCH_ICH_LR_GROUP    GZ_BIT(60)
#define ARCH_ICH_LR_HW	     GZ_BIT(61)
#define ARCH_ICH_LR_STATE    GZ_GENMASK(63, 62)
#define ARCH_ICH_LR_PENDING  GZ_BIT(62)
#define ARCH_ICH_LR_ACTIVE   GZ_BIT(63)

/* ICH_LR_STATE values (field value, not shifted) */
#define ARCH_ICH_LR_STATE_INVALID	 0
#define ARCH_ICH_LR_STATE_PENDING	 1
#define ARCH_ICH_LR_STATE_ACTIVE	 2
#define ARCH_ICH_LR_STATE_PENDING_ACTIVE 3

/* ICH_HCR_EL2 */
#define ARCH_ICH_HCR_EN	      GZ_BIT(0)
#define ARCH_ICH_HCR_UIE      GZ_BIT(1) /* maintenance when <= 1 LR is valid */
#define ARCH_ICH_HCR_LRENPIE  GZ_BIT(2) /* maintenance while EOIcount != 0 */
#define ARCH_ICH_HCR_NPIE     GZ_BIT(3) /* maintenance when no LR is pending */
#define ARCH_ICH_HCR_VGRP0EIE GZ_BIT(4)
#define ARCH_ICH_HCR_VGRP0DIE GZ_BIT(5)
#define ARCH_ICH_HCR_VGRP1EIE GZ_BIT(6)
#define ARCH_ICH_HCR_VGRP1DIE GZ_BIT(7)
#define ARCH_ICH_HCR_TC	      GZ_BIT(10)
#define ARCH_ICH_HCR_TALL0    GZ_BIT(11)
#define ARCH_ICH_HCR_TALL1    GZ_BIT(12)
#define ARCH_ICH_HCR_TSEI     GZ_BIT(13)
#define ARCH_ICH_HCR_TDIR     GZ_BIT(14)
#define ARCH_ICH_HCR_EOICOUNT GZ_GENMASK(31, 27)

/* ICH_VTR_EL2 */
#define ARCH_ICH_VTR_LISTREGS GZ_GENMASK(4, 0) /* number of LRs - 1 */
#define ARCH_ICH_VTR_TDS      GZ_BIT(19)
#define ARCH_ICH_VTR_NV4      GZ_BIT(20)
#define ARCH_ICH_VTR_A3V      GZ_BIT(21)
#define ARCH_ICH_VTR_SEIS     GZ_BIT(22)
#define ARCH_ICH_VTR_IDBITS   GZ_GENMASK(25, 23)
#define ARCH_ICH_VTR_PREBITS  GZ_GENMASK(28, 26) /* preemption bits - 1 */
#define ARCH_ICH_VTR_PRIBITS  GZ_GENMASK(31, 29) /* priority bits - 1 */

/* ICH_VMCR_EL2 */
#define ARCH_ICH_VMCR_ENG0   GZ_BIT(0)
#define ARCH_ICH_VMCR_ENG1   GZ_BIT(1)
#define ARCH_ICH_VMCR_ACKCTL GZ_BIT(2)
#define ARCH_ICH_VMCR_FIQEN  GZ_BIT(3)
#define ARCH_ICH_VMCR_CBPR   GZ_BIT(4)
#define ARCH_ICH_VMCR_EOIM   GZ_BIT(9)
#define ARCH_ICH_VMCR_BPR1   GZ_GENMASK(20, 18)
#define ARCH_ICH_VMCR_BPR0   GZ_GENMASK(23, 21)
#define ARCH_ICH_VMCR_PMR    GZ_GENMASK(31, 24)

/* ICH_MISR_EL2 (maintenance interrupt status) */
#define ARCH_ICH_MISR_EOI    GZ_BIT(0)
#define ARCH_ICH_MISR_U	     GZ_BIT(1)
#define ARCH_ICH_MISR_LRENP  GZ_BIT(2)
#define ARCH_ICH_MISR_NP     GZ_BIT(3)
#define ARCH_ICH_MISR_VGRP0E GZ_BIT(4)
#define ARCH_ICH_MISR_VGRP0D GZ_BIT(5)
#define ARCH_ICH_MISR_VGRP1E GZ_BIT(6)
#define ARCH_ICH_MISR_VGRP1D GZ_BIT(7)

/* Active-priority registers implemented per group: 1 << (PREbits + 1 - 5), i.e. 1, 2 or 4. */
#define ARCH_ICH_NR_APR(prebits_minus1) (1u << ((prebits_minus1) + 1 - 5))

#endif
