/* VTCR_EL2 (stage-2 translation control) and TCR_EL2 (EL2 stage-1, non-VHE) fields, and the
 * PS / PARange encodings of physical address sizes. */
#ifndef ARCH_VTCR_H
#define ARCH_VTCR_H

#include <arm64/types.h>

#define ARCH_VTCR_T0SZ	GZ_GENMASK(5, 0)
#define ARCH_VTCR_SL0	GZ_GENMASK(7, 6)
#define ARCH_VTCR_IRGN0 GZ_GENMASK(9, 8)
#define ARCH_VTCR_ORGN0 GZ_GENMASK(11, 10)
#define ARCH_VTCR_SH0	GZ_GENMASK(13, 12)
#define ARCH_VTCR_TG0	GZ_GENMASK(15, 14)
#define ARCH_VTCR_PS	GZ_GENMASK(18, 16)
#define ARCH_VTCR_VS	GZ_BIT(19)
#define ARCH_VTCR_RES1	GZ_BIT(31)

/* SL0 with a 4 KiB granule: the start level it selects is 2 - SL0. */
#define ARCH_VTCR_SL0_4K_L2 0
#define ARCH_VTCR_SL0_4K_L1 1
#define ARCH_VTCR_SL0_4K_L0 2

#define ARCH_TCR_RGN_WBWA 1 /* IRGN0/ORGN0: write-back read/write-allocate */
#define ARCH_TCR_SH_INNER 3
#define ARCH_TCR_TG0_4K	  0

/* TCR_EL2 (E2H = 0): same T0SZ/IRGN0/ORGN0/SH0/TG0 places; PS at [18:16]; RES1 23, 31. */
#define ARCH_TCR_EL2_T0SZ  GZ_GENMASK(5, 0)
#define ARCH_TCR_EL2_IRGN0 GZ_GENMASK(9, 8)
#define ARCH_TCR_EL2_ORGN0 GZ_GENMASK(11, 10)
#define ARCH_TCR_EL2_SH0   GZ_GENMASK(13, 12)
#define ARCH_TCR_EL2_TG0   GZ_GENMASK(15, 14)
#define ARCH_TCR_EL2_PS	   GZ_GENMASK(18, 16)
#define ARCH_TCR_EL2_RES1  (GZ_BIT(23) | GZ_BIT(31))

/* PS / PARange encodings. */
#define ARCH_PARANGE_32 0
#define ARCH_PARANGE_36 1
#define ARCH_PARANGE_40 2
#define ARCH_PARANGE_42 3
#define ARCH_PARANGE_44 4
#define ARCH_PARANGE_48 5

/* The smallest PS encoding whose size covers @pa_bits (capped at 48), and that size. */
static inline unsigned arch_parange_encode(unsigned pa_bits, unsigned *range)
{
	static const uint8_t sizes[] = {32, 36, 40, 42, 44, 48};
	unsigned i = 0;

	while (i + 1 < GZ_ARRAY_SIZE(sizes) && sizes[i] < pa_bits)
		i++;
	*range = sizes[i];
	return ARCH_PARANGE_32 + i;
}

/* VTTBR_EL2: VMID at [63:48] (bits [55:48] with 8-bit VMIDs). */
#define ARCH_VTTBR_VMID_SHIFT 48
#define ARCH_VTTBR_BADDR      GZ_GENMASK(47, 1)

/* TCR_EL1 (the EL1&0 stage-1 regime) and TTBRn_EL1 */
#define ARCH_TCR_EL1_T0SZ    GZ_GENMASK(5, 0)
#define ARCH_TCR_EL1_EPD0    GZ_BIT(7)
#define ARCH_TCR_EL1_TG0     GZ_GENMASK(15, 14)
#define ARCH_TCR_EL1_T1SZ    GZ_GENMASK(21, 16)
#define ARCH_TCR_EL1_EPD1    GZ_BIT(23)
#define ARCH_TCR_EL1_TG1     GZ_GENMASK(31, 30)
#define ARCH_TCR_TG1_4K	     2
#define ARCH_TTBR_BADDR	     GZ_GENMASK(47, 1)
#define ARCH_VA_SELECT_TTBR1 GZ_BIT(55) /* VA bit 55 picks TTBR1_EL1 */

#endif
