/* Fuzz target: the simulator's stage-2 walker and its syndrome decoder. The input fills up
 * to 8 table pages of simulated memory (descriptors may point at any of them, anywhere, or
 * nowhere) and names IPAs to translate and instruction words to decode. Invariants: a
 * successful walk returns a leaf of the size of its level whose output address is the
 * descriptor's plus the IPA's offset; the full-table enumeration the simulator maps from
 * agrees with every single walk (a covering leaf with the same output and permissions, or
 * none when the walk faults); an ISS never has bits above 24 and only claims what the
 * instruction is (WnR for stores, SSE only for loads, AR only for ordered accesses).
 * fuzz-libs: gzsim_internal gzsim gzcore gzlib */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arm64/esr.h>
#include <arm64/pte.h>
#include <gzsim/sim.h>
#include "decode.h"
#include "s2walk.h"
#include "syndrome.h"

#define NR_TABLES  8
#define MAX_LEAVES 4096

static uint64_t *tables[NR_TABLES];
static gz_pa_t table_pa[NR_TABLES];

struct leaf {
	gz_ipa_t ipa;
	struct gz_sim_s2_result r;
};
static struct leaf leaves[MAX_LEAVES];
static size_t nr_leaves;

static void collect(void *arg, gz_ipa_t ipa, const struct gz_sim_s2_result *r)
{
	(void)arg;
	if (nr_leaves < MAX_LEAVES)
		leaves[nr_leaves++] = (struct leaf){ipa, *r};
}

static void setup(void)
{
	if (tables[0])
		return;
	if (gz_sim_init(&(struct gz_sim_config){.phys_size = 4 << 20, .cpu_model = -1}))
		abort();
	for (int i = 0; i < NR_TABLES; i++) {
		tables[i] = gz_sim_host_alloc(4096);
		table_pa[i] = gz_hal_va_to_pa(tables[i]);
	}
}

static uint64_t take64(const uint8_t **p, size_t *n)
{
	uint64_t v = 0;
	size_t k = *n < 8 ? *n : 8;

	memcpy(&v, *p, k);
	*p += k;
	*n -= k;
	return v;
}

/* Descriptor from fuzz bits: table pointers aimed mostly at our pages. */
static uint64_t shape(uint64_t raw)
{
	uint64_t d = raw & ~ARCH_PTE_ADDR_MASK;

	switch ((raw >> 12) & 3) {
	case 0:
		d |= table_pa[(raw >> 14) % NR_TABLES];
		break;
	case 1:
		d |= (raw & ARCH_PTE_ADDR_MASK); /* anywhere */
		break;
	default:
		d |= gz_hal_va_to_pa(tables[0]) + ((raw >> 20) & 0x1ff000);
		break;
	}
	return d;
}

static void check_iss(uint32_t insn, bool write)
{
	struct gz_sim_ldst d;
	uint64_t iss = gz_sim_syn_dabt_iss(insn, write);

	gz_sim_decode_ldst(insn, &d);
	if (iss >> 25)
		abort();
	if (!(iss & ESR_xABT_ISV)) {
		if (d.valid || iss != (write ? ESR_DABT_WNR : 0))
			abort();
		return;
	}
	if (!d.valid || !!(iss & ESR_DABT_WNR) != d.write || ((iss >> 16) & 31) != d.rt)
		abort();
	if ((iss & ESR_DABT_SSE) && d.write)
		abort();
	if ((iss & ESR_DABT_AR) && (insn & 0x3f000000) != 0x08000000)
		abort();
	if ((insn >> 26 & 1) && (insn & 0x3f000000) != 0x08000000)
		abort(); /* SIMD&FP never has a syndrome */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t vtcr = 25 | (1ULL << 6);
	uint64_t vttbr;

	setup();
	if (size < 2)
		return 0;
	vttbr = table_pa[data[0] % NR_TABLES];
	if (data[1] & 1)
		vtcr = (data[1] >> 1 & 0x3f) | ((uint64_t)(data[1] >> 7) << 6); /* odd geometries */
	data += 2;
	size -= 2;
	for (int t = 0; t < NR_TABLES; t++)
		memset(tables[t], 0, 4096);
	/* Up to 64 descriptors per input, at fuzz-chosen slots of fuzz-chosen tables. */
	for (int i = 0; i < 64 && size >= 10; i++) {
		unsigned t = data[0] % NR_TABLES, idx = (data[1] | (unsigned)data[2] << 8) % 512;

		data += 2;
		size -= 2;
		tables[t][idx] = shape(take64(&data, &size));
	}
	nr_leaves = 0;
	if (!gz_sim_s2_for_each(vttbr, vtcr, collect, NULL))
		nr_leaves = 0;
	while (size >= 8) {
		uint64_t v = take64(&data, &size);
		gz_ipa_t ipa = v & ((1ULL << 40) - 1);
		struct gz_sim_s2_result r;
		bool ok = gz_sim_s2_walk(vttbr, vtcr, ipa, &r);
		const struct leaf *hit = NULL;

		check_iss((uint32_t)v, v >> 63);
		check_iss((uint32_t)(v >> 32), v >> 62 & 1);
		for (size_t i = 0; i < nr_leaves; i++)
			if (ipa >= leaves[i].ipa && ipa - leaves[i].ipa < leaves[i].r.size)
				hit = &leaves[i];
		if (!ok) {
			if (r.ok || (hit && nr_leaves < MAX_LEAVES && r.level != 0xff))
				abort();
			continue;
		}
		if (r.level < 1 || r.level > 3 || r.size != 1ULL << (12 + 9 * (3 - r.level)))
			abort();
		if ((r.pa & (r.size - 1)) != (ipa & (r.size - 1)))
			abort();
		if (nr_leaves < MAX_LEAVES &&
		    (!hit || hit->r.pa + (ipa - hit->ipa) != r.pa || hit->r.r != r.r ||
		     hit->r.w != r.w || hit->r.x != r.x || hit->r.level != r.level))
			abort();
	}
	return 0;
}
