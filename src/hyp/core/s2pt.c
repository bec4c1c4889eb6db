/*
 * Stage-2 descriptor format of a VM's translation (gzhyp/s2pt.h): S2AP, XN, MemAttr, AF and
 * shareability, TLB maintenance by IPA and VMID, and the geometry (start level, concatenated
 * root tables) with the VTCR_EL2 / VTTBR_EL2 values describing it.
 */
#include <gzhyp/atomic.h>
#include <gzhyp/s2pt.h>
#include <arm64/pte.h>
#include <arm64/vtcr.h>
#include <gzabi/status.h>
#include <hal.h>

static bool s2_prot_ok(uint32_t prot)
{
	/* Executable device memory would let a guest fetch from MMIO: refuse it. */
	return !((prot & GZ_PROT_DEVICE) && (prot & GZ_PROT_X));
}

static uint64_t s2_leaf_attrs(uint32_t prot)
{
	uint64_t d = ARCH_PTE_AF | GZ_FIELD_PREP(ARCH_PTE_SH, ARCH_PTE_SH_INNER);

	d |= GZ_FIELD_PREP(ARCH_S2_MEMATTR, (prot & GZ_PROT_DEVICE) ? ARCH_S2_MEMATTR_DEV_nGnRE
								    : ARCH_S2_MEMATTR_NORMAL_WB);
	if (prot & GZ_PROT_R)
		d |= ARCH_S2_S2AP_R;
	if (prot & GZ_PROT_W)
		d |= ARCH_S2_S2AP_W;
	if (!(prot & GZ_PROT_X))
		d |= GZ_FIELD_PREP(ARCH_S2_XN, ARCH_S2_XN_NONE);
	return d;
}

static uint32_t s2_leaf_prot(uint64_t d)
{
	uint32_t prot = 0;

	if (d & ARCH_S2_S2AP_R)
		prot |= GZ_PROT_R;
	if (d & ARCH_S2_S2AP_W)
		prot |= GZ_PROT_W;
	if (GZ_FIELD_GET(ARCH_S2_XN, d) == 0)
		prot |= GZ_PROT_X;
	if (GZ_FIELD_GET(ARCH_S2_MEMATTR, d) == ARCH_S2_MEMATTR_DEV_nGnRE)
		prot |= GZ_PROT_DEVICE;
	return prot;
}

static void s2_tlbi_addr(const struct gz_pgt *pgt, uint64_t addr, unsigned level)
{
	gz_hal_tlbi_ipa(gz_atomic_load(&pgt->vmid), addr, level);
}

static void s2_tlbi_all(const struct gz_pgt *pgt)
{
	gz_hal_tlbi_vmid(gz_atomic_load(&pgt->vmid));
}

const struct gz_pgt_fmt gz_s2pt_fmt = {
    .name = "stage2",
    .prot_ok = s2_prot_ok,
    .leaf_attrs = s2_leaf_attrs,
    .leaf_prot = s2_leaf_prot,
    .tlbi_addr = s2_tlbi_addr,
    .tlbi_all = s2_tlbi_all,
};

bool gz_s2pt_geometry(unsigned ipa_bits, unsigned pa_bits, bool can_concat, unsigned *start_level,
		      unsigned *nr_roots)
{
	unsigned level, range;

	if (ipa_bits < GZ_S2PT_IPA_MIN || ipa_bits > GZ_S2PT_IPA_MAX)
		return false;
	arch_parange_encode(pa_bits, &range);
	if (can_concat) {
		/* The fewest levels with at most 16 tables at the start level. */
		level = ipa_bits <= 34 ? 2 : ipa_bits <= 43 ? 1 : 0;
	} else {
		level = ipa_bits <= 39 ? 1 : 0;
		/* A level-0 start needs a 44-bit PA range; below it, concatenate. */
		if (level == 0 && ipa_bits <= 43 && range < 44)
			return false;
	}
	*start_level = level;
	*nr_roots = ipa_bits - (GZ_PAGE_SHIFT + 9 * (3 - level)) > 9
			? 1u << (ipa_bits - (GZ_PAGE_SHIFT + 9 * (3 - level)) - 9)
			: 1;
	return true;
}

int gz_s2pt_init(struct gz_pgt *pgt, unsigned ipa_bits, unsigned pa_bits, uint16_t vmid,
		 const struct gz_pgt_mm_ops *mm)
{
	unsigned level, nr, range;
	int ret;

	if (!pgt || !mm || pa_bits < 32 || pa_bits > 48)
		return GZ_ERR_INVALID_ARGS;
	arch_parange_encode(pa_bits, &range);
	if (ipa_bits > range)
		return GZ_ERR_INVALID_ARGS;
	if (!gz_s2pt_geometry(ipa_bits, pa_bits, mm->zalloc_contig && mm->free_contig, &level,
			      &nr)) {
		if (ipa_bits < GZ_S2PT_IPA_MIN || ipa_bits > GZ_S2PT_IPA_MAX)
			return GZ_ERR_INVALID_ARGS;
		return GZ_ERR_NOT_SUPPORTED;
	}
	ret = gz_pgt_init(pgt, &gz_s2pt_fmt, ipa_bits, pa_bits, level, nr, mm);
	if (ret == GZ_OK)
		pgt->vmid = vmid;
	return ret;
}

uint64_t gz_s2pt_vtcr(const struct gz_pgt *pgt)
{
	unsigned range;

	return GZ_FIELD_PREP(ARCH_VTCR_T0SZ, 64 - pgt->ia_bits) |
	       GZ_FIELD_PREP(ARCH_VTCR_SL0, 2 - pgt->start_level) |
	       GZ_FIELD_PREP(ARCH_VTCR_IRGN0, ARCH_TCR_RGN_WBWA) |
	       GZ_FIELD_PREP(ARCH_VTCR_ORGN0, ARCH_TCR_RGN_WBWA) |
	       GZ_FIELD_PREP(ARCH_VTCR_SH0, ARCH_TCR_SH_INNER) |
	       GZ_FIELD_PREP(ARCH_VTCR_TG0, ARCH_TCR_TG0_4K) |
	       GZ_FIELD_PREP(ARCH_VTCR_PS, arch_parange_encode(pgt->pa_bits, &range)) |
	       ARCH_VTCR_RES1;
}

uint64_t gz_s2pt_vttbr(const struct gz_pgt *pgt)
{
	return (pgt->root_pa & ARCH_VTTBR_BADDR) |
	       ((uint64_t)gz_atomic_load(&pgt->vmid) << ARCH_VTTBR_VMID_SHIFT);
}

void gz_s2pt_set_vmid(struct gz_pgt *pgt, uint16_t vmid)
{
	gz_atomic_store(&pgt->vmid, vmid);
}
