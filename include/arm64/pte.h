/*
 * ARMv8-A VMSA translation table descriptors, 4 KiB granule: the bits shared by every
 * format, the stage-2 attributes and the EL2 stage-1 attributes (with the MAIR_EL2 layout
 * the EL2 port must program for AttrIndx).
 */
#ifndef ARCH_PTE_H
#define ARCH_PTE_H

#include <arm64/types.h>

/* ---- shared skeleton ---- */
#define ARCH_PTE_VALID	   GZ_BIT(0)
#define ARCH_PTE_TYPE	   GZ_BIT(1) /* levels 0-2: 1 = table, 0 = block; level 3: 1 = page */
#define ARCH_PTE_ADDR_MASK GZ_GENMASK(47, 12)
#define ARCH_PTE_AF	   GZ_BIT(10)
#define ARCH_PTE_SH	   GZ_GENMASK(9, 8)
#define ARCH_PTE_SH_NONE   0
#define ARCH_PTE_SH_OUTER  2
#define ARCH_PTE_SH_INNER  3
/* Upper attributes of blocks/pages: bits [63:51] and [11:2] are attributes. */
#define ARCH_PTE_ATTR_MASK (GZ_GENMASK(63, 51) | GZ_GENMASK(11, 2))

/* ---- stage 2 ---- */
#define ARCH_S2_MEMATTR		  GZ_GENMASK(5, 2)
#define ARCH_S2_MEMATTR_DEV_nGnRE 0x1 /* device nGnRE */
#define ARCH_S2_MEMATTR_NORMAL_WB 0xf /* normal, outer and inner write-back cacheable */
#define ARCH_S2_S2AP		  GZ_GENMASK(7, 6)
#define ARCH_S2_S2AP_R		  GZ_BIT(6)
#define ARCH_S2_S2AP_W		  GZ_BIT(7)
#define ARCH_S2_XN		  GZ_GENMASK(54, 53) /* XN[1:0]; 0b10 = no execution at EL1/EL0 */
#define ARCH_S2_XN_NONE		  0x2

/* ---- EL2 stage 1 (single VA range, one privilege level) ---- */
#define ARCH_S1_ATTRINDX GZ_GENMASK(4, 2)
#define ARCH_S1_AP	 GZ_GENMASK(7, 6) /* AP[2:1]; AP[1] is RES1 at EL2 */
#define ARCH_S1_AP_RW	 0x1
#define ARCH_S1_AP_RO	 0x3
#define ARCH_S1_XN	 GZ_BIT(54)
/* EL1&0 stage 1: AP[2] read-only, AP[1] EL0 access, PXN / UXN (XN above) */
#define ARCH_S1_AP_RDONLY GZ_BIT(7)
#define ARCH_S1_AP_EL0	  GZ_BIT(6)
#define ARCH_S1_PXN	  GZ_BIT(53)
#define ARCH_S1_UXN	  GZ_BIT(54)
/* MAIR_EL2 as the EL2 port programs it, and the AttrIndx of each entry. */
#define ARCH_MAIR_NORMAL_WB    0xffULL /* normal, inner/outer WB non-transient RW-allocate */
#define ARCH_MAIR_DEVICE_nGnRE 0x04ULL
#define ARCH_S1_IDX_NORMAL     0
#define ARCH_S1_IDX_DEVICE     1
#define ARCH_MAIR_EL2_VALUE                                                                        \
	(ARCH_MAIR_NORMAL_WB << (8 * ARCH_S1_IDX_NORMAL) | ARCH_MAIR_DEVICE_nGnRE                  \
							       << (8 * ARCH_S1_IDX_DEVICE))

#endif
