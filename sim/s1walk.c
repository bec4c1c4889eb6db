/* The guest's own stage-1 translation (4 KiB granule, TTBR0/TTBR1 from TCR_EL1), used to
 * give the guest the fault status code hardware would when Unicorn's MMU refuses an access.
 * Table reads go through the stage-2 walk, as the hardware's do. */
#include "sim_internal.h"
#include "sim_arch.h"

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
	bool upper = va >> 55 & 1;
	unsigned tsz = upper ? (tcr >> 16) & 0x3f : tcr & 0x3f;
	unsigned tg = upper ? (tcr >> 30) & 3 : (tcr >> 14) & 3;
	bool epd = upper ? tcr & GZ_BIT(23) : tcr & GZ_BIT(7);
	unsigned bits = 64 - tsz, level;

	*out = (struct gz_sim_s1_fault){.fsc = ESR_FSC_TRANS(0)};
	ttbr = upper ? sys[GZ_SYS_TTBR1_EL1] : sys[GZ_SYS_TTBR0_EL1];
	if (epd || tsz < 16 || tsz > 39 || (upper ? tg != 2 : tg != 0))
		return; /* walk disabled or not a 4 KiB regime: level 0 translation fault */
	if (upper ? (va >> bits) != (~0ULL >> bits) : (va >> bits) != 0)
		return;
	level = bits > 39 ? 0 : bits > 30 ? 1 : 2;
	table = ttbr & GZ_GENMASK(47, 1) & ~0xfffULL;
	for (;; level++) {
		unsigned shift = 12 + 9 * (3 - level);
		uint64_t idx = (va >> shift) & ((1ULL << GZ_MIN(9u, bits - shift)) - 1);

		if (!read_desc(vttbr, vtcr, table + idx * 8, &d)) {
			out->s1ptw = true;
			out->ipa = table + idx * 8;
			out->fsc = ESR_FSC_TRANS(level);
			return;
		}
		out->fsc = ESR_FSC_TRANS(level);
		if (!(d & PTE_VALID) || (level == 3 && !(d & PTE_TABLE)) ||
		    (level == 0 && !(d & PTE_TABLE)))
			return;
		if (level < 3 && (d & PTE_TABLE)) {
			table = d & PTE_ADDR_MASK;
			continue;
		}
		break;
	}
	if (!(d & GZ_BIT(10))) {
		out->fsc = 0x08 + level; /* access flag */
		return;
	}
	/* Permissions: AP[2] read-only, AP[1] EL0 access, UXN (54) / PXN (53). */
	if ((write && (d & GZ_BIT(7))) || (el0 && !(d & GZ_BIT(6))) ||
	    (fetch && (el0 ? d & GZ_BIT(54) : d & GZ_BIT(53))))
		out->fsc = ESR_FSC_PERM(level);
	else
		out->fsc = 0x21; /* translation allows it: what remains is an alignment fault */
}
