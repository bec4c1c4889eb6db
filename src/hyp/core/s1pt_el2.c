/*
 * gzhyp's own EL2 stage-1 descriptor format on the page-table engine: AP (RW/RO, AP[1]
 * RES1 at EL2), AttrIndx into MAIR_EL2 (arm64/pte.h), XN, AF, inner shareable; TLB
 * maintenance by VA. gzhyp keeps W^X for itself: writable and executable is refused.
 * Fixmap slots: single level-3 entries rewritten in place for temporary mappings.
 */
#include <gzhyp/s2pt.h>
#include <arm64/pte.h>
#include <arm64/vtcr.h>
#include <gzabi/status.h>
#include <gzhyp/atomic.h>
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

/* ---- fixmap slots ---------------------------------------------------------------------- */

struct slot_find {
	uint64_t va;
	uint64_t *ptep;
};

static int find_leaf(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct slot_find *f = v->arg;

	(void)flag;
	if (v->level == 3 && v->addr == f->va)
		f->ptep = v->ptep;
	return 0;
}

int gz_s1pt_el2_slot_init(struct gz_pgt *pgt, uint64_t va, struct gz_s1pt_el2_slot *slot)
{
	struct slot_find f = {.va = va};
	int ret;

	if (!GZ_IS_ALIGNED(va, GZ_PAGE_SIZE) || pgt->fmt != &gz_s1pt_el2_fmt)
		return GZ_ERR_INVALID_ARGS;
	if (gz_pgt_translate(pgt, va, NULL, NULL, NULL) != GZ_ERR_NOT_FOUND)
		return GZ_ERR_ALREADY_EXISTS;
	/* A placeholder page mapping builds the tables (a single page always ends at level 3);
	 * the entry is then cleared by hand, so the engine does not free its table. */
	ret = gz_pgt_map(pgt, va, pgt->root_pa, GZ_PAGE_SIZE, GZ_PROT_R);
	if (ret)
		return ret;
	gz_pgt_walk(pgt, va, va + GZ_PAGE_SIZE, GZ_PGT_VISIT_LEAF, find_leaf, &f);
	if (!f.ptep)
		gz_hal_panic("s1pt_el2: a page mapping without a level-3 entry");
	gz_atomic_store(f.ptep, 0);
	gz_hal_dsb();
	gz_hal_tlbi_el2_va(va);
	gz_hal_dsb();
	gz_hal_isb();
	*slot = (struct gz_s1pt_el2_slot){.va = va, .ptep = f.ptep};
	return GZ_OK;
}

void *gz_s1pt_el2_slot_map(const struct gz_pgt *pgt, struct gz_s1pt_el2_slot *slot, gz_pa_t pa)
{
	if (!slot->ptep || slot->busy || !GZ_IS_ALIGNED(pa, GZ_PAGE_SIZE) ||
	    (pa >> pgt->pa_bits) != 0)
		gz_hal_panic("s1pt_el2: fixmap slot busy, unset or given a bad address");
	slot->busy = true;
	/* The entry was invalid, and invalid entries are never cached: no TLBI before. */
	gz_atomic_store(slot->ptep, (pa & ARCH_PTE_ADDR_MASK) | s1_leaf_attrs(GZ_PROT_RW) |
					ARCH_PTE_VALID | ARCH_PTE_TYPE);
	gz_hal_dsb();
	gz_hal_isb();
	return (void *)(uintptr_t)slot->va;
}

void gz_s1pt_el2_slot_unmap(struct gz_s1pt_el2_slot *slot)
{
	if (!slot->busy)
		gz_hal_panic("s1pt_el2: unmapping a fixmap slot that maps nothing");
	gz_atomic_store(slot->ptep, 0);
	gz_hal_dsb();
	gz_hal_tlbi_el2_va(slot->va);
	gz_hal_dsb();
	gz_hal_isb();
	slot->busy = false;
}
