/* A minimal stage-2 table builder for gzsim-run: 39-bit IPA, start level 1, 4 KiB granule,
 * 2 MiB blocks where alignment allows, tables taken from the simulated host's memory. */
#include <gzabi/status.h>
#include "runner.h"

#define S2_VALID  (1ULL << 0)
#define S2_TABLE  (1ULL << 1)
#define S2_NORMAL (0xfULL << 2)
#define S2_R	  (1ULL << 6)
#define S2_W	  (1ULL << 7)
#define S2_SH	  (3ULL << 8)
#define S2_AF	  (1ULL << 10)
#define S2_XN	  (1ULL << 54)
#define ADDR_MASK 0x0000fffffffff000ULL

static uint64_t *table_at(gz_pa_t pa)
{
	return gz_hal_pa_to_va(pa);
}

static int next_table(uint64_t *t, unsigned idx, gz_pa_t *out)
{
	if (!(t[idx] & S2_VALID)) {
		void *p = gz_sim_host_alloc(4096);

		if (!p)
			return GZ_ERR_NO_MEMORY;
		t[idx] = gz_hal_va_to_pa(p) | S2_VALID | S2_TABLE;
	} else if (!(t[idx] & S2_TABLE)) {
		return GZ_ERR_ALREADY_EXISTS;
	}
	*out = t[idx] & ADDR_MASK;
	return GZ_OK;
}

int run_s2_init(struct run_vm *vm)
{
	void *root = gz_sim_host_alloc(4096);

	if (!root)
		return GZ_ERR_NO_MEMORY;
	vm->s2_root = gz_hal_va_to_pa(root);
	/* T0SZ = 25 (39 bits), SL0 = 1 (level 1), inner/outer WB, inner shareable, PS = 40 bits */
	vm->vtcr = (64 - RUN_IPA_BITS) | (1ULL << 6) | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) |
		   (2ULL << 16);
	vm->vttbr = ((uint64_t)1 << 48) | vm->s2_root;
	return GZ_OK;
}

int run_s2_map(struct run_vm *vm, uint64_t ipa, gz_pa_t pa, uint64_t size, bool w, bool x)
{
	uint64_t attr =
	    S2_VALID | S2_AF | S2_SH | S2_NORMAL | S2_R | (w ? S2_W : 0) | (x ? 0 : S2_XN);

	if ((ipa | pa | size) & 0xfff || ipa + size > (1ULL << RUN_IPA_BITS))
		return GZ_ERR_INVALID_ARGS;
	while (size) {
		uint64_t *l1 = table_at(vm->s2_root), *l2, *l3;
		gz_pa_t l2pa, l3pa;
		unsigned i1 = (ipa >> 30) & 511, i2 = (ipa >> 21) & 511, i3 = (ipa >> 12) & 511;
		int r = next_table(l1, i1, &l2pa);

		if (r)
			return r;
		l2 = table_at(l2pa);
		if (!((ipa | pa) & 0x1fffff) && size >= 0x200000 && !(l2[i2] & S2_VALID)) {
			l2[i2] = pa | attr;
			ipa += 0x200000;
			pa += 0x200000;
			size -= 0x200000;
			continue;
		}
		r = next_table(l2, i2, &l3pa);
		if (r)
			return r;
		l3 = table_at(l3pa);
		l3[i3] = pa | attr | S2_TABLE;
		ipa += 0x1000;
		pa += 0x1000;
		size -= 0x1000;
	}
	gz_hal_dsb();
	return GZ_OK;
}
