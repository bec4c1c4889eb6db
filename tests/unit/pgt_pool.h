/*
 * Test support for the page-table engine, shared by tests/unit/test_pgtable*.c,
 * test_s2pt*.c, fuzz/fuzz_s2pt.c and bench/pgtable: a page pool in the fake physical memory
 * (counting, with injectable failure after N allocations and optional contiguous blocks), an
 * architectural stage-2 / EL2 stage-1 walker written independently of the engine (it starts
 * from VTCR/TCR and the root PA, as the hardware does), and a reference model (page ->
 * translation) to compare the tables with. Header-only: every user is one executable.
 */
#ifndef PGT_POOL_H
#define PGT_POOL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hal.h>
#include <gzhyp/pgtable.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <arm64/pte.h>

#include "fake_hal.h"

/* ---- page pool ------------------------------------------------------------------------ */

#define POOL_CONTIG_SLOTS 8
#define POOL_CONTIG_SLOT  (16 * GZ_PAGE_SIZE)

struct pgt_pool {
	uint8_t *base;	 /* first page (fake phys) */
	size_t nr_pages; /* single pages */
	uint32_t *stack; /* free page indices */
	size_t nr_free;
	uint8_t *in_use; /* per page */
	uint8_t *contig_base;
	unsigned contig_used[POOL_CONTIG_SLOTS]; /* pages per slot, 0 = free */
	long fail_after;			 /* allocations left before failing; < 0: never */
	size_t allocs, frees, outstanding, peak;
	size_t first_free_at, last_free_at; /* fake HAL op index at frees (SIZE_MAX: none) */
};

/* Pool of @nr_pages pages at the start of fake physical memory (after fake_hal_reset). */
static inline void pgt_pool_init(struct pgt_pool *p, size_t nr_pages)
{
	memset(p, 0, sizeof(*p));
	p->base = gz_hal_pa_to_va(FAKE_PHYS_BASE);
	p->nr_pages = nr_pages;
	p->stack = malloc(nr_pages * sizeof(*p->stack));
	p->in_use = calloc(nr_pages, 1);
	for (size_t i = 0; i < nr_pages; i++)
		p->stack[i] = (uint32_t)(nr_pages - 1 - i);
	p->nr_free = nr_pages;
	p->contig_base = gz_hal_pa_to_va(
	    GZ_ALIGN_UP(FAKE_PHYS_BASE + nr_pages * GZ_PAGE_SIZE, POOL_CONTIG_SLOT));
	if (!p->base || !p->contig_base) {
		fprintf(stderr, "pgt_pool: fake memory too small\n");
		abort();
	}
	p->fail_after = -1;
	p->first_free_at = p->last_free_at = SIZE_MAX;
}

static inline void pgt_pool_fini(struct pgt_pool *p)
{
	free(p->stack);
	free(p->in_use);
	memset(p, 0, sizeof(*p));
}

static inline bool pool_may_alloc(struct pgt_pool *p)
{
	if (p->fail_after == 0)
		return false;
	if (p->fail_after > 0)
		p->fail_after--;
	return true;
}

static inline void *pool_zalloc(void *ctx)
{
	struct pgt_pool *p = ctx;
	uint32_t i;

	if (!p->nr_free || !pool_may_alloc(p))
		return NULL;
	i = p->stack[--p->nr_free];
	p->in_use[i] = 1;
	p->allocs++;
	if (++p->outstanding > p->peak)
		p->peak = p->outstanding;
	memset(p->base + (size_t)i * GZ_PAGE_SIZE, 0, GZ_PAGE_SIZE);
	return p->base + (size_t)i * GZ_PAGE_SIZE;
}

static inline void pool_free(void *ctx, void *va)
{
	struct pgt_pool *p = ctx;
	size_t off = (size_t)((uint8_t *)va - p->base);
	size_t i = off / GZ_PAGE_SIZE;

	if ((uint8_t *)va < p->base || off % GZ_PAGE_SIZE || i >= p->nr_pages || !p->in_use[i]) {
		fprintf(stderr, "pgt_pool: bad free of %p\n", va);
		abort();
	}
	/* Poison: a table still in use after its free shows up as garbage. */
	memset(va, 0xa5, GZ_PAGE_SIZE);
	p->in_use[i] = 0;
	p->stack[p->nr_free++] = (uint32_t)i;
	p->frees++;
	p->outstanding--;
	p->last_free_at = fake_hal_nr_ops();
	if (p->first_free_at == SIZE_MAX)
		p->first_free_at = p->last_free_at;
}

static inline void *pool_zalloc_contig(void *ctx, unsigned nr)
{
	struct pgt_pool *p = ctx;

	if (nr < 2 || nr > 16 || (nr & (nr - 1)) || !pool_may_alloc(p))
		return NULL;
	for (unsigned s = 0; s < POOL_CONTIG_SLOTS; s++) {
		if (!p->contig_used[s]) {
			uint8_t *va = p->contig_base + (size_t)s * POOL_CONTIG_SLOT;

			p->contig_used[s] = nr;
			p->outstanding += nr;
			p->allocs++;
			memset(va, 0, (size_t)nr * GZ_PAGE_SIZE);
			return va;
		}
	}
	return NULL;
}

static inline void pool_free_contig(void *ctx, void *va, unsigned nr)
{
	struct pgt_pool *p = ctx;
	size_t off = (size_t)((uint8_t *)va - p->contig_base);
	size_t s = off / POOL_CONTIG_SLOT;

	if ((uint8_t *)va < p->contig_base || off % POOL_CONTIG_SLOT || s >= POOL_CONTIG_SLOTS ||
	    p->contig_used[s] != nr) {
		fprintf(stderr, "pgt_pool: bad contig free of %p/%u\n", va, nr);
		abort();
	}
	p->contig_used[s] = 0;
	p->outstanding -= nr;
	p->frees++;
}

static inline struct gz_pgt_mm_ops pgt_pool_ops(struct pgt_pool *p, bool contig)
{
	struct gz_pgt_mm_ops ops = {pool_zalloc, pool_free, NULL, NULL, p};

	if (contig) {
		ops.zalloc_contig = pool_zalloc_contig;
		ops.free_contig = pool_free_contig;
	}
	return ops;
}

/* ---- independent architectural walker ------------------------------------------------ */

struct hw_xlate {
	bool valid;
	gz_pa_t pa;
	unsigned level;
	uint64_t desc;
};

/* Walk like the MMU: stage 2 from VTCR (T0SZ, SL0 with 4 KiB granule) and VTTBR, or EL2
 * stage 1 from TCR (T0SZ) and TTBR0. Descriptors are decoded from the bit layout only. */
static inline struct hw_xlate hw_walk(uint64_t tcr, uint64_t ttbr, bool stage2, uint64_t ia)
{
	struct hw_xlate r = {0};
	unsigned t0sz = tcr & 0x3f, ia_bits = 64 - t0sz;
	unsigned level, start;
	gz_pa_t table = ttbr & 0x0000fffffffff000ULL;

	if (stage2)
		start = 2 - ((tcr >> 6) & 3);
	else
		start = ia_bits > 39 ? 0 : ia_bits > 30 ? 1 : 2;
	if (ia >> ia_bits)
		return r;
	for (level = start;; level++) {
		unsigned shift = 12 + 9 * (3 - level);
		/* The start level may be concatenated tables: index with every remaining bit. */
		uint64_t idx = (ia >> shift) & (level == start ? ~0ULL : 511);
		uint64_t *t = gz_hal_pa_to_va(table);
		uint64_t d;

		if (!t)
			return r;
		d = t[idx];
		if (!(d & 1))
			return r;
		if (level < 3 && (d & 2)) {
			table = d & 0x0000fffffffff000ULL;
			continue;
		}
		if (level == 3 && !(d & 2))
			return r; /* reserved encoding */
		if (level == 0)
			return r; /* no level-0 blocks with 4 KiB granule */
		r.valid = true;
		r.level = level;
		r.desc = d;
		r.pa = (d & 0x0000fffffffff000ULL & ~((1ULL << shift) - 1)) |
		       (ia & ((1ULL << shift) - 1));
		return r;
	}
}

/* GZ_PROT_* of a stage-2 leaf, decoded here from the architectural fields. */
static inline uint32_t hw_s2_prot(uint64_t d)
{
	uint32_t prot = 0;

	if (d & (1ULL << 6))
		prot |= GZ_PROT_R;
	if (d & (1ULL << 7))
		prot |= GZ_PROT_W;
	if (((d >> 53) & 3) == 0)
		prot |= GZ_PROT_X;
	if (((d >> 2) & 0xf) == 0x1)
		prot |= GZ_PROT_DEVICE;
	return prot;
}

/* ---- reference model ------------------------------------------------------------------ */

/* One entry per 4 KiB page of [0, nr_pages * 4 KiB): 0 = unmapped, else pa | prot << 1 | 1
 * (pa is page aligned so the low bits are free). */
struct pgt_model {
	uint64_t *e;
	size_t nr_pages;
	size_t mapped;
};

/* mmap, not calloc: lazily backed, and sanitizers do not shadow megabytes per fuzz input. */
static inline void model_init(struct pgt_model *m, size_t nr_pages)
{
	m->e = mmap(NULL, nr_pages * sizeof(*m->e), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->e == MAP_FAILED) {
		perror("pgt_model: mmap");
		abort();
	}
	m->nr_pages = nr_pages;
	m->mapped = 0;
}

static inline void model_fini(struct pgt_model *m)
{
	munmap(m->e, m->nr_pages * sizeof(*m->e));
	m->e = NULL;
}

static inline uint64_t model_entry(gz_pa_t pa, uint32_t prot)
{
	return pa | (uint64_t)prot << 1 | 1;
}

/* Apply the documented semantics of each operation to the model; return what the engine
 * must return, given @nomem (the pool ran dry: nothing changes). */
static inline bool model_map_conflicts(const struct pgt_model *m, uint64_t ia, gz_pa_t pa,
				       uint64_t size, uint32_t prot)
{
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		uint64_t e = m->e[(ia + off) >> 12];

		if (e && e != model_entry(pa + off, prot))
			return true;
	}
	return false;
}

static inline void model_map(struct pgt_model *m, uint64_t ia, gz_pa_t pa, uint64_t size,
			     uint32_t prot)
{
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		uint64_t *e = &m->e[(ia + off) >> 12];

		m->mapped += !*e;
		*e = model_entry(pa + off, prot);
	}
}

static inline void model_unmap(struct pgt_model *m, uint64_t ia, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		uint64_t *e = &m->e[(ia + off) >> 12];

		m->mapped -= !!*e;
		*e = 0;
	}
}

static inline void model_protect(struct pgt_model *m, uint64_t ia, uint64_t size, uint32_t prot)
{
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		uint64_t *e = &m->e[(ia + off) >> 12];

		if (*e)
			*e = model_entry(*e & GZ_PAGE_MASK, prot);
	}
}

/* Walk every table of @pgt: each leaf must agree with the model page by page (through the
 * independent walker's decoding), the mapped total must equal the model's, every non-root
 * table must be non-empty and the tables counted must be pgt->nr_table_pages. Returns a
 * description of the first mismatch or NULL. */
struct pgt_check {
	const struct pgt_model *m;
	const char *err;
	uint64_t mapped_pages;
	uint64_t tables;
	uint64_t tcr, ttbr;
	bool stage2;
};

static inline int pgt_check_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct pgt_check *c = v->arg;
	uint64_t size = gz_pgt_level_size(v->level);

	if (flag == GZ_PGT_VISIT_TABLE_PRE) {
		const uint64_t *t = gz_hal_pa_to_va(v->desc & 0x0000fffffffff000ULL);
		bool empty = true;

		for (unsigned i = 0; i < 512; i++)
			empty &= t[i] == 0;
		if (empty) {
			c->err = "empty table left behind";
			return 1;
		}
		c->tables++;
		return 0;
	}
	if (!(v->desc & 1))
		return 0;
	if (v->level == 0) {
		c->err = "level-0 block";
		return 1;
	}
	{
		struct hw_xlate h = hw_walk(c->tcr, c->ttbr, c->stage2, v->addr);
		uint32_t prot = c->stage2 ? hw_s2_prot(v->desc) : v->pgt->fmt->leaf_prot(v->desc);

		if (!h.valid || h.level != v->level || h.desc != v->desc) {
			c->err = "hardware walk disagrees with the engine's walk";
			return 1;
		}
		if (!(v->desc & (1ULL << 10))) {
			c->err = "leaf without AF";
			return 1;
		}
		if ((h.pa & (size - 1)) != 0) {
			c->err = "misaligned block output";
			return 1;
		}
		for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
			uint64_t page = (v->addr + off) >> 12;

			if (page >= c->m->nr_pages ||
			    c->m->e[page] != model_entry(h.pa + off, prot)) {
				c->err = "leaf differs from the model";
				return 1;
			}
		}
	}
	c->mapped_pages += size >> 12;
	return 0;
}

static inline const char *pgt_check_model(struct gz_pgt *pgt, const struct pgt_model *m)
{
	struct pgt_check c = {.m = m};

	c.stage2 = pgt->fmt == &gz_s2pt_fmt;
	c.tcr = c.stage2 ? gz_s2pt_vtcr(pgt) : gz_s1pt_el2_tcr(pgt);
	c.ttbr = pgt->root_pa;
	gz_pgt_walk(pgt, 0, 1ULL << pgt->ia_bits, GZ_PGT_VISIT_LEAF | GZ_PGT_VISIT_TABLE_PRE,
		    pgt_check_visit, &c);
	if (c.err)
		return c.err;
	if (c.mapped_pages != m->mapped)
		return "model has mappings the tables lack";
	if (c.tables + pgt->nr_roots != pgt->nr_table_pages)
		return "table page count wrong";
	return NULL;
}

/* ---- random operation sequences against the model (model test and fuzz target) -------- */

#define PGT_STEP_BYTES 16

struct pgt_harness {
	struct pgt_pool pool;
	struct gz_pgt pgt;
	struct pgt_model model;
	unsigned ipa_bits;
	uint64_t ops[5], fails[5];
};

/* Stage 2 with @ipa_bits (32..35, so the model covers the whole input range), 40-bit PA, VMID
 * 7, concatenation on/off. */
static inline void pgt_harness_init(struct pgt_harness *h, unsigned ipa_bits, bool contig)
{
	struct gz_pgt_mm_ops mm;

	memset(h, 0, sizeof(*h));
	fake_hal_reset(64ULL << 20, 0);
	pgt_pool_init(&h->pool, 8192);
	mm = pgt_pool_ops(&h->pool, contig);
	h->ipa_bits = ipa_bits;
	if (gz_s2pt_init(&h->pgt, ipa_bits, 40, 7, &mm) != 0)
		abort();
	model_init(&h->model, (size_t)1 << (h->ipa_bits - 12));
}

/* Destroy; returns an error when table pages leaked. */
static inline const char *pgt_harness_fini(struct pgt_harness *h)
{
	const char *err = NULL;

	gz_pgt_destroy(&h->pgt);
	if (h->pool.outstanding)
		err = "table pages leaked after destroy";
	model_fini(&h->model);
	pgt_pool_fini(&h->pool);
	fake_hal_teardown();
	return err;
}

static inline uint64_t le_bytes(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* One operation decoded from PGT_STEP_BYTES bytes, applied to the tables and the model;
 * the return code and the translation of the touched range are checked. NULL when fine. */
static inline const char *pgt_step(struct pgt_harness *h, const uint8_t *b)
{
	static const uint64_t units[] = {GZ_PAGE_SIZE, GZ_PGT_BLOCK_2M, GZ_PGT_BLOCK_1G};
	uint64_t space = 1ULL << h->ipa_bits;
	unsigned kind = b[0] % 5;
	unsigned g = b[1] % 20 < 11 ? 0 : b[1] % 20 < 19 ? 1 : 2;
	uint64_t unit = units[g];
	uint64_t ia = (le_bytes(b + 2, 3) % (space / unit)) * unit;
	uint64_t size = (1 + b[5] % (g == 2 ? 2 : 8)) * unit;
	gz_pa_t pa = (le_bytes(b + 7, 2) * unit) % (1ULL << 39);
	uint32_t prot = b[11] & GZ_PROT_MASK;
	bool inject = b[12] & 0x80;
	bool bad_args;
	int ret = 0, want;
	uint64_t end;

	if (b[1] & 0x40)
		ia += (uint64_t)(b[4] % 16) * GZ_PAGE_SIZE; /* cut blocks */
	if (b[1] & 0x80)
		size += (uint64_t)(b[6] % 16) * GZ_PAGE_SIZE;
	if (b[9] & 1)
		pa += (uint64_t)(b[10] % 16) * GZ_PAGE_SIZE;
	if (b[13] == 0xff)
		ia += 0x800; /* misaligned on purpose */
	end = ia + size;
	bad_args = end > space || (ia & 0xfff);
	h->pool.fail_after = inject ? (long)(b[12] & 7) : -1;
	h->ops[kind]++;
	switch (kind) {
	case 0: /* map */
		bad_args |= (prot & GZ_PROT_DEVICE) && (prot & GZ_PROT_X);
		ret = gz_pgt_map(&h->pgt, ia, pa, size, prot);
		want = bad_args						    ? GZ_ERR_INVALID_ARGS
		       : model_map_conflicts(&h->model, ia, pa, size, prot) ? GZ_ERR_ALREADY_EXISTS
									    : 0;
		if (want == 0 && ret == GZ_ERR_NO_MEMORY && inject)
			want = GZ_ERR_NO_MEMORY;
		if (ret != want)
			return "map returned the wrong status";
		if (ret == 0)
			model_map(&h->model, ia, pa, size, prot);
		break;
	case 1: /* unmap */
		ret = gz_pgt_unmap(&h->pgt, ia, size);
		want = bad_args				     ? GZ_ERR_INVALID_ARGS
		       : (ret == GZ_ERR_NO_MEMORY && inject) ? GZ_ERR_NO_MEMORY
							     : 0;
		if (ret != want)
			return "unmap returned the wrong status";
		if (ret == 0)
			model_unmap(&h->model, ia, size);
		break;
	case 2: /* protect */
		bad_args |= (prot & GZ_PROT_DEVICE) && (prot & GZ_PROT_X);
		ret = gz_pgt_protect(&h->pgt, ia, size, prot);
		want = bad_args				     ? GZ_ERR_INVALID_ARGS
		       : (ret == GZ_ERR_NO_MEMORY && inject) ? GZ_ERR_NO_MEMORY
							     : 0;
		if (ret != want)
			return "protect returned the wrong status";
		if (ret == 0)
			model_protect(&h->model, ia, size, prot);
		break;
	case 3: /* collapse: never changes a translation */
		ret = gz_pgt_collapse(&h->pgt, ia, size);
		if (ret != (bad_args ? GZ_ERR_INVALID_ARGS : 0))
			return "collapse returned the wrong status";
		break;
	default: /* translate one address */
		break;
	}
	h->fails[kind] += ret != 0;
	h->pool.fail_after = -1;
	/* Spot-check the edges of the range and a few addresses inside through translate. */
	for (unsigned i = 0; i < 6; i++) {
		uint64_t probe = i == 0	  ? ia
				 : i == 1 ? end - 1
				 : i == 2 ? ia - 1
				 : i == 3
				     ? end
				     : ia + (le_bytes(b + 13, 3) * (i + 1)) % (size ? size : 1);
		gz_pa_t got;
		uint32_t gp;
		uint64_t e;

		probe &= space - 1;
		e = h->model.e[probe >> 12];
		ret = gz_pgt_translate(&h->pgt, probe, &got, &gp, NULL);
		if (!e && ret != GZ_ERR_NOT_FOUND)
			return "translate found a mapping the model lacks";
		if (e && (ret != 0 || got != ((e & GZ_PAGE_MASK) | (probe & 0xfff)) ||
			  gp != ((e >> 1) & GZ_PROT_MASK)))
			return "translate differs from the model";
	}
	return NULL;
}

#endif
