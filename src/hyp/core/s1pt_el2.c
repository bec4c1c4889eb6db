/*
 * gzhyp's own EL2 stage-1 descriptor format on the page-table engine: AP (RW/RO, AP[1]
 * RES1 at EL2), AttrIndx into MAIR_EL2 (arm64/pte.h), XN, AF, inner shareable; TLB
 * maintenance by VA. gzhyp keeps W^X for itself: writable and executable is refused.
 */
#include <gzhyp/s2pt.h>
#include <arm64/pte.h>
#include <arm64/vtcr.h>
#include <gzabi/status.h>
#include <hal.h>

static bool s1_prot_ok(uint32_t prot)
{
	if (!(prot & GZ_PROT_R))
		return false; /* no write-only or no-access encodings at one privilege level */
	return !((prot & GZ_PROT_X) && (prot & (GZ_PROT_W | GZ_PROT_DEVICE)));
}

static uint64_t s1_leaf_attrs(uint32_t prot)
{
	uint64_t d = ARCH_PTE_AF | GZ_FIELD_PREP(ARCH_PTE_SH, ARCH_PTE_SH_INNER);

	d |= GZ_FIELD_PREP(ARCH_S1_ATTRINDX,
			   (prot & GZ_PROT_DEVICE) ? ARCH_S1_IDX_DEVICE : ARCH_S1_IDX_NORMAL);
	d |= GZ_FIELD_PREP(ARCH_S1_AP, (prot & GZ_PROT_W) ? ARCH_S1_AP_RW : ARCH_S1_AP_RO);
	if (!(prot & GZ_PROT_X))
		d |= ARCH_S1_XN;
	return d;
}

static uint32_t s1_leaf_prot(uint64_t d)
{
	uint32_t prot = GZ_PROT_R;

	if (GZ_FIELD_GET(ARCH_S1_AP, d) == ARCH_S1_AP_RW)
		prot |= GZ_PROT_W;
	if (!(d & ARCH_S1_XN))
		prot |= GZ_PROT_X;
	if (GZ_FIELD_GET(ARCH_S1_ATTRINDX, d) == ARCH_S1_IDX_DEVICE)
		prot |= GZ_PROT_DEVICE;
	return prot;
}

static void s1_tlbi_addr(const struct gz_pgt *pgt, uint64_t addr, unsigned level)
{
	(void)pgt;
	(void)level;
	gz_hal_tlbi_el2_va(addr);
}

/* No whole-table TLBI for EL2: invalidating all of gzhyp's own entries costs every CPU its
 * hot mappings, so the engine always invalidates by VA here (tlbi_all = NULL). */
const struct gz_pgt_fmt gz_s1pt_el2_fmt = {
    .name = "el2-stage1",
    .prot_ok = s1_prot_ok,
    .leaf_attrs = s1_leaf_attrs,
    .leaf_prot = s1_leaf_prot,
    .tlbi_addr = s1_tlbi_addr,
    .tlbi_all = NULL,
};

int gz_s1pt_el2_init(struct gz_pgt *pgt, unsigned va_bits, unsigned pa_bits,
		     const struct gz_pgt_mm_ops *mm)
{
	/* Stage 1 has no concatenation: one table at level 1 up to 39 bits, else level 0. */
	if (va_bits < 32 || va_bits > 48)
		return GZ_ERR_INVALID_ARGS;
	return gz_pgt_init(pgt, &gz_s1pt_el2_fmt, va_bits, pa_bits, va_bits <= 39 ? 1 : 0, 1, mm);
}

uint64_t gz_s1pt_el2_tcr(const struct gz_pgt *pgt)
{
	unsigned range;

	return GZ_FIELD_PREP(ARCH_TCR_EL2_T0SZ, 64 - pgt->ia_bits) |
	       GZ_FIELD_PREP(ARCH_TCR_EL2_IRGN0, ARCH_TCR_RGN_WBWA) |
	       GZ_FIELD_PREP(ARCH_TCR_EL2_ORGN0, ARCH_TCR_RGN_WBWA) |
	       GZ_FIELD_PREP(ARCH_TCR_EL2_SH0, ARCH_TCR_SH_INNER) |
	       GZ_FIELD_PREP(ARCH_TCR_EL2_TG0, ARCH_TCR_TG0_4K) |
	       GZ_FIELD_PREP(ARCH_TCR_EL2_PS, arch_parange_encode(pgt->pa_bits, &range)) |
	       ARCH_TCR_EL2_RES1;
}
