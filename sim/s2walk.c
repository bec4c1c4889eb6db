/* The simulated MMU's stage-2 walk (VMSAv8-64, 4 KiB granule), done independently of the
 * core's page-table engine from VTTBR_EL2/VTCR_EL2 and the tables in simulated memory. */
#include <arm64/pte.h>
#include <arm64/vtcr.h>
#include "s2walk.h"

/* As on a CPU without FEAT_XNX, only XN[1] (ARCH_S2_XN_NONE's bit) counts: set, nothing
 * executes at EL1 or EL0. */
static bool s2_exec(uint64_t d)
{
	return !(GZ_FIELD_GET(ARCH_S2_XN, d) & ARCH_S2_XN_NONE);
}

static unsigned level_shift(unsigned level)
{
	return 12 + 9 * (3 - level);
}

/* A valid block or page descriptor @d mapping 1 << @shift bytes: its output and attributes. */
static void leaf(uint64_t d, unsigned shift, struct gz_sim_s2_result *r)
{
	r->ok = true;
	r->size = 1ULL << shift;
	r->pa = d & ARCH_PTE_ADDR_MASK & ~(r->size - 1);
	r->r = d & ARCH_S2_S2AP_R;
	r->w = d & ARCH_S2_S2AP_W;
	r->x = s2_exec(d);
	r->attr = GZ_FIELD_GET(ARCH_S2_MEMATTR, d);
}

/* The IPA size and start level VTCR_EL2 gives, false for a regime the walk does not do. */
static bool regime(uint64_t vtcr, unsigned *ipa_bits, unsigned *start)
{
	unsigned t0sz = (unsigned)GZ_FIELD_GET(ARCH_VTCR_T0SZ, vtcr);
	unsigned sl0 = (unsigned)GZ_FIELD_GET(ARCH_VTCR_SL0, vtcr);

	if (GZ_FIELD_GET(ARCH_VTCR_TG0, vtcr) != ARCH_TCR_TG0_4K || t0sz < 16 || t0sz > 39 ||
	    sl0 > 2)
		return false;
	*ipa_bits = 64 - t0sz;
	*start = 2 - sl0;
	/* The start level may resolve at most 4 more bits than one table (16 concatenated). */
	return *ipa_bits <= level_shift(*start) + 9 + 4 && *ipa_bits > level_shift(*start);
}

bool gz_sim_s2_walk(uint64_t vttbr, uint64_t vtcr, gz_ipa_t ipa, struct gz_sim_s2_result *res)
{
	unsigned ipa_bits, level, start;
	uint64_t table = vttbr & ARCH_VTTBR_BADDR & ~0xfffULL;

	*res = (struct gz_sim_s2_result){.level = 0xff};
	if (!regime(vtcr, &ipa_bits, &start))
		return false;
	if (ipa >> ipa_bits) {
		res->level = start;
		return false;
	}
	for (level = start; level <= 3; level++) {
		unsigned shift = level_shift(level);
		unsigned bits = level == start ? ipa_bits - shift : 9;
		uint64_t idx = (ipa >> shift) & ((1ULL << bits) - 1);
		const uint64_t *t = gz_hal_pa_to_va(table);
		uint64_t d;

		if (!t || !gz_hal_pa_to_va(table + idx * 8)) {
			res->level = 0xff;
			return false;
		}
		d = __atomic_load_n(&t[idx], __ATOMIC_ACQUIRE);
		res->level = level;
		if (!(d & ARCH_PTE_VALID))
			return false;
		if (level < 3 && (d & ARCH_PTE_TYPE)) {
			table = d & ARCH_PTE_ADDR_MASK;
			continue;
		}
		if ((level == 3 && !(d & ARCH_PTE_TYPE)) || (level == 0))
			return false; /* reserved encodings: no 512 GiB blocks with 4 KiB pages */
		if (!(d & ARCH_PTE_AF)) {
			res->af_fault = true;
			return false;
		}
		leaf(d, shift, res);
		res->pa |= ipa & (res->size - 1);
		return true;
	}
	return false;
}

/* Visit every valid leaf of the stage-2 tables in IPA order. */
static void s2_visit(uint64_t table, unsigned level, unsigned bits, gz_ipa_t base,
		     void (*fn)(void *arg, gz_ipa_t ipa, const struct gz_sim_s2_result *leaf),
		     void *arg, unsigned depth)
{
	const uint64_t *t = gz_hal_pa_to_va(table);
	unsigned shift = level_shift(level);
	uint64_t n = 1ULL << bits;

	if (!t || depth > 4 || !gz_hal_pa_to_va(table + n * 8 - 8))
		return;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t d = __atomic_load_n(&t[i], __ATOMIC_ACQUIRE);
		gz_ipa_t ipa = base + (i << shift);
		struct gz_sim_s2_result r = {.level = level};

		if (!(d & ARCH_PTE_VALID))
			continue;
		if (level < 3 && (d & ARCH_PTE_TYPE)) {
			s2_visit(d & ARCH_PTE_ADDR_MASK, level + 1, 9, ipa, fn, arg, depth + 1);
			continue;
		}
		if ((level == 3 && !(d & ARCH_PTE_TYPE)) || level == 0 || !(d & ARCH_PTE_AF))
			continue;
		leaf(d, shift, &r);
		fn(arg, ipa, &r);
	}
}

bool gz_sim_s2_for_each(uint64_t vttbr, uint64_t vtcr,
			void (*fn)(void *arg, gz_ipa_t ipa, const struct gz_sim_s2_result *leaf),
			void *arg)
{
	unsigned ipa_bits, start;

	if (!regime(vtcr, &ipa_bits, &start))
		return false;
	s2_visit(vttbr & ARCH_VTTBR_BADDR & ~0xfffULL, start, ipa_bits - level_shift(start), 0, fn,
		 arg, 0);
	return true;
}
