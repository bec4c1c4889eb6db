/* GICv3 INTID ranges, distributor (GICD_*) and redistributor (GICR_*) frames, register offsets
 * and fields, and the layout of the SGI-generation system registers (ICC_SGI1R_EL1 and
 * friends). */
#ifndef ARCH_GICV3_H
#define ARCH_GICV3_H

#include <arm64/types.h>

/* ---- INTIDs: SGIs 0-15, PPIs 16-31 (per CPU), SPIs from 32 ---------------------------- */
#define ARCH_GIC_PPI_BASE 16
#define ARCH_GIC_NR_PPIS  16
#define ARCH_GIC_SPI_BASE 32
/* PPIs the Arm Base System Architecture assigns */
#define ARCH_GIC_PPI_VTIMER 27 /* EL1 virtual timer */
#define ARCH_GIC_PPI_PTIMER 30 /* EL1 physical timer */

/* ---- Distributor frame (64 KiB) ------------------------------------------------------- */
#define ARCH_GICD_SIZE	      0x10000
#define ARCH_GICD_CTLR	      0x0000
#define ARCH_GICD_TYPER	      0x0004
#define ARCH_GICD_IIDR	      0x0008
#define ARCH_GICD_TYPER2      0x000c
#define ARCH_GICD_STATUSR     0x0010
#define ARCH_GICD_SETSPI_NSR  0x0040
#define ARCH_GICD_CLRSPI_NSR  0x0048
#define ARCH_GICD_SETSPI_SR   0x0050
#define ARCH_GICD_CLRSPI_SR   0x0058
#define ARCH_GICD_IGROUPR     0x0080
#define ARCH_GICD_ISENABLER   0x0100
#define ARCH_GICD_ICENABLER   0x0180
#define ARCH_GICD_ISPENDR     0x0200
#define ARCH_GICD_ICPENDR     0x0280
#define ARCH_GICD_ISACTIVER   0x0300
#define ARCH_GICD_ICACTIVER   0x0380
#define ARCH_GICD_IPRIORITYR  0x0400
#define ARCH_GICD_ITARGETSR   0x0800
#define ARCH_GICD_ICFGR	      0x0c00
#define ARCH_GICD_IGRPMODR    0x0d00
#define ARCH_GICD_NSACR	      0x0e00
#define ARCH_GICD_SGIR	      0x0f00
#define ARCH_GICD_CPENDSGIR   0x0f10
#define ARCH_GICD_SPENDSGIR   0x0f20
#define ARCH_GICD_IROUTER     0x6000 /* 64-bit per INTID, at + 8 * INTID (32..1019) */
#define ARCH_GICD_IROUTER_END 0x7fe0
#define ARCH_GICD_PIDR2	      0xffe8

/* Size of the bit-per-interrupt arrays (IGROUPR .. ICACTIVER) and byte/2-bit arrays. */
#define ARCH_GICD_BITMAP_SIZE	0x80
#define ARCH_GICD_PRIORITY_SIZE 0x400
#define ARCH_GICD_ICFGR_SIZE	0x100

/* GICD_CTLR with a single security state (DS = 1) */
#define ARCH_GICD_CTLR_ENABLE_G0 GZ_BIT(0)
#define ARCH_GICD_CTLR_ENABLE_G1 GZ_BIT(1)
#define ARCH_GICD_CTLR_ARE	 GZ_BIT(4)
#define ARCH_GICD_CTLR_DS	 GZ_BIT(6)
#define ARCH_GICD_CTLR_RWP	 GZ_BIT(31)

/* GICD_TYPER */
#define ARCH_GICD_TYPER_ITLINES GZ_GENMASK(4, 0) /* max INTID = 32 * (N + 1) - 1 */
#define ARCH_GICD_TYPER_CPUNUM	GZ_GENMASK(7, 5)
#define ARCH_GICD_TYPER_SECEXTN GZ_BIT(10)
#define ARCH_GICD_TYPER_MBIS	GZ_BIT(16)
#define ARCH_GICD_TYPER_LPIS	GZ_BIT(17)
#define ARCH_GICD_TYPER_IDBITS	GZ_GENMASK(23, 19) /* INTID bits - 1 */
#define ARCH_GICD_TYPER_A3V	GZ_BIT(24)
#define ARCH_GICD_TYPER_NO1N	GZ_BIT(25)
#define ARCH_GICD_TYPER_RSS	GZ_BIT(26)

/* GICD_IIDR / GICR_IIDR */
#define ARCH_GIC_IIDR_IMPLEMENTER GZ_GENMASK(11, 0)
#define ARCH_GIC_IIDR_REVISION	  GZ_GENMASK(15, 12)
#define ARCH_GIC_IIDR_VARIANT	  GZ_GENMASK(19, 16)
#define ARCH_GIC_IIDR_PRODUCTID	  GZ_GENMASK(31, 24)

/* GICD_IROUTER<n> */
#define ARCH_GICD_IROUTER_AFF0 GZ_GENMASK(7, 0)
#define ARCH_GICD_IROUTER_AFF1 GZ_GENMASK(15, 8)
#define ARCH_GICD_IROUTER_AFF2 GZ_GENMASK(23, 16)
#define ARCH_GICD_IROUTER_IRM  GZ_BIT(31)
#define ARCH_GICD_IROUTER_AFF3 GZ_GENMASK(39, 32)
#define ARCH_GICD_IROUTER_AFF_MASK                                                                 \
	(ARCH_GICD_IROUTER_AFF0 | ARCH_GICD_IROUTER_AFF1 | ARCH_GICD_IROUTER_AFF2 |                \
	 ARCH_GICD_IROUTER_AFF3)

/* ICFGR: 2 bits per interrupt, the upper one set for edge-triggered. */
#define ARCH_GIC_ICFGR_EDGE 2u

/* Peripheral ID 2: ArchRev in [7:4] (3 = GICv3). */
#define ARCH_GIC_PIDR2_ARCHREV GZ_GENMASK(7, 4)
#define ARCH_GIC_ARCHREV_GICV3 3

/* ---- Redistributor: RD frame (64 KiB) then SGI frame (64 KiB) --------------------------- */
#define ARCH_GICR_STRIDE	0x20000 /* one redistributor (no VLPI frames in GICv3) */
#define ARCH_GICR_RD_FRAME_SIZE 0x10000
#define ARCH_GICR_SGI_BASE	0x10000
#define ARCH_GICR_CTLR		0x0000
#define ARCH_GICR_IIDR		0x0004
#define ARCH_GICR_TYPER		0x0008 /* 64-bit */
#define ARCH_GICR_STATUSR	0x0010
#define ARCH_GICR_WAKER		0x0014
#define ARCH_GICR_PROPBASER	0x0070
#define ARCH_GICR_PENDBASER	0x0078
#define ARCH_GICR_PIDR2		0xffe8
/* SGI frame, offsets relative to its start */
#define ARCH_GICR_IGROUPR0    0x0080
#define ARCH_GICR_ISENABLER0  0x0100
#define ARCH_GICR_ICENABLER0  0x0180
#define ARCH_GICR_ISPENDR0    0x0200
#define ARCH_GICR_ICPENDR0    0x0280
#define ARCH_GICR_ISACTIVER0  0x0300
#define ARCH_GICR_ICACTIVER0  0x0380
#define ARCH_GICR_IPRIORITYR0 0x0400 /* 8 registers, SGIs and PPIs */
#define ARCH_GICR_ICFGR0      0x0c00 /* SGIs */
#define ARCH_GICR_ICFGR1      0x0c04 /* PPIs */
#define ARCH_GICR_IGRPMODR0   0x0d00
#define ARCH_GICR_NSACR	      0x0e00

/* GICR_TYPER */
#define ARCH_GICR_TYPER_PLPIS	  GZ_BIT(0)
#define ARCH_GICR_TYPER_VLPIS	  GZ_BIT(1)
#define ARCH_GICR_TYPER_DIRTY	  GZ_BIT(2)
#define ARCH_GICR_TYPER_DIRECTLPI GZ_BIT(3)
#define ARCH_GICR_TYPER_LAST	  GZ_BIT(4)
#define ARCH_GICR_TYPER_DPGS	  GZ_BIT(5)
#define ARCH_GICR_TYPER_PROCNUM	  GZ_GENMASK(23, 8)
#define ARCH_GICR_TYPER_AFFINITY  GZ_GENMASK(63, 32) /* Aff3.Aff2.Aff1.Aff0 */

/* GICR_WAKER */
#define ARCH_GICR_WAKER_PROCESSOR_SLEEP GZ_BIT(1)
#define ARCH_GICR_WAKER_CHILDREN_ASLEEP GZ_BIT(2)

/* ---- ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 / ICC_SGI0R_EL1 ------------------------------------- */
#define ARCH_ICC_SGIR_TARGETLIST GZ_GENMASK(15, 0)
#define ARCH_ICC_SGIR_AFF1	 GZ_GENMASK(23, 16)
#define ARCH_ICC_SGIR_INTID	 GZ_GENMASK(27, 24)
#define ARCH_ICC_SGIR_AFF2	 GZ_GENMASK(39, 32)
#define ARCH_ICC_SGIR_IRM	 GZ_BIT(40)
#define ARCH_ICC_SGIR_RS	 GZ_GENMASK(47, 44)
#define ARCH_ICC_SGIR_AFF3	 GZ_GENMASK(55, 48)

/* System-register encodings (op0, op1, CRn, CRm, op2) of the trapped SGI registers. */
#define ARCH_ICC_SGI1R_ENC  3, 0, 12, 11, 5
#define ARCH_ICC_ASGI1R_ENC 3, 0, 12, 11, 6
#define ARCH_ICC_SGI0R_ENC  3, 0, 12, 11, 7

#endif
