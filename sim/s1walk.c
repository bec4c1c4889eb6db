/* The guest's own stage-1 translation (4 KiB granule, TTBR0/TTBR1 from TCR_EL1), used to
 * give the guest the fault status code hardware would when Unicorn's MMU refuses an access.
 * Table reads go through the stage-2 walk, as the hardware's do. */
#include <arm64/esr.h>
#include <arm64/pte.h>
#include <arm64/vtcr.h>
#include <gzsim/sim.h>
#include "s1walk.h"

static bool read_desc(uint64_t vttbr, uint64_t vtcr, uint64_t ipa, uint64_t *d)
{
	struct gz_sim_s2_result r;
	const uint64_t *p;

	if (!gz_sim_s2_walk(vttbr, vtcr, ipa, &r) || !r.r)
		return false;
	p = gz_hal_pa_to_va(r.pa);
	if (!p)
		return false;
	*d = __atomic_load_n(p, __ATOMIC_RELAXED);
	return true;
}

void gz_sim_s1_fault(uint64_t vttbr, uint64_t vtcr, const uint64_t *sys, uint64_t va, bool write,
		     bool fetch, bool el0, struct gz_sim_s1_fault *out)
{
	uint64_t tcr = sys[GZ_SYS_TCR_EL1], ttbr, table, d = 0;
	bool upper = va & ARCH_VA_SELECT_TTBR1;
	unsigned tsz = (unsigned)(upper ? GZ_FIELD_GET(ARCH_TCR_EL1_T1SZ, tcr)
					: GZ_FIELD_GET(ARCH_TCR_EL1_T0SZ, tcr));
	unsigned tg = (unsigned)(upper ? GZ_FIELD_GET(ARCH_TCR_EL1_TG1, tcr)
				       : GZ_FIELD_GET(ARCH_TCR_EL1_TG0, tcr));
	bool epd = tcr & (upper ? ARCH_TCR_EL1_EPD1 : ARCH_TCR_EL1_EPD0);
	unsigned bits = 64 - tsz, level;

	*out = (struct gz_sim_s1_fault){.fsc = ESR_FSC_TRANS};
	ttbr = upper ? sys[GZ_SYS_TTBR1_EL1] : sys[GZ_SYS_TTBR0_EL1];
	if (epd || tsz < 16 || tsz > 39 || tg != (upper ? ARCH_TCR_TG1_4K : ARCH_TCR_TG0_4K))
		return; /* walk disabled or not a 4 KiB regime: level 0 translation fault */
	if (upper ? (va >> bits) != (~0ULL >> bits) : (va >> bits) != 0)
		return;
	level = bits > 39 ? 0 : bits > 30 ? 1 : 2;
	table = ttbr & ARCH_TTBR_BADDR & ~0xfffULL;
	for (;; level++) {
		unsigned shift = 12 + 9 * (3 - level);
		uint64_t idx = (va >> shift) & ((1ULL << GZ_MIN(9u, bits - shift)) - 1);

		if (!read_desc(vttbr, vtcr, table + idx * 8, &d)) {
			out->s1ptw = true;
			out->ipa = table + idx * 8;
			out->fsc = ESR_FSC_TRANS + level;
			return;
		}
		out->fsc = ESR_FSC_TRANS + level;
		if (!(d & ARCH_PTE_VALID) || (level == 3 && !(d & ARCH_PTE_TYPE)) ||
		    (level == 0 && !(d & ARCH_PTE_TYPE)))
			return;
		if (level < 3 && (d & ARCH_PTE_TYPE)) {
			table = d & ARCH_PTE_ADDR_MASK;
			continue;
		}
		break;
	}
	out->leaf = true;
	out->oa = (d & ARCH_PTE_ADDR_MASK & ~((1ULL << (12 + 9 * (3 - level))) - 1)) |
		  (va & ((1ULL << (12 + 9 * (3 - level))) - 1));
	if (!(d & ARCH_PTE_AF)) {
		out->fsc = ESR_FSC_ACCESS + level;
		return;
	}
	if ((write && (d & ARCH_S1_AP_RDONLY)) || (el0 && !(d & ARCH_S1_AP_EL0)) ||
	    (fetch && (d & (el0 ? ARCH_S1_UXN : ARCH_S1_PXN))))
		out->fsc = ESR_FSC_PERM + level;
	else
		out->fsc = ESR_FSC_ALIGN; /* translation allows it: what remains is alignment */
}
