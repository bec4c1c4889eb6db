/*
 * The page-table engine (gzhyp/pgtable.h): one walker with visitor callbacks, and the map,
 * unmap, protect, translate, split, collapse and destroy operations built on it. The
 * descriptor format comes from struct gz_pgt_fmt; this file only knows the VMSA skeleton.
 *
 * Every operation that may need table pages runs the walker twice: a "prepare" pass that
 * checks the range and counts the pages (and TLB invalidations) the change will need, then,
 * with all pages taken from the memory ops up front, an "apply" pass that cannot fail. That
 * is how running out of memory leaves the tables exactly as before.
 */
#include <gzhyp/atomic.h>
#include <gzhyp/pgtable.h>
#include <arm64/pte.h>
#include <gzabi/status.h>
#include <hal.h>

#define LEVEL_BITS 9

static gz_pgt_observer_fn observer;
static void *observer_arg;

void gz_pgt_set_observer(gz_pgt_observer_fn fn, void *arg)
{
	observer = fn;
	observer_arg = arg;
}

static void observe(struct gz_pgt *pgt, uint64_t start, uint64_t end)
{
	if (observer)
		observer(pgt, start, end - start, observer_arg);
}

static unsigned level_shift(unsigned level)
{
	return GZ_PAGE_SHIFT + LEVEL_BITS * (3 - level);
}

static bool desc_valid(uint64_t d)
{
	return d & ARCH_PTE_VALID;
}

static bool desc_is_table(uint64_t d, unsigned level)
{
	return level < 3 &&
	       (d & (ARCH_PTE_VALID | ARCH_PTE_TYPE)) == (ARCH_PTE_VALID | ARCH_PTE_TYPE);
}

static gz_pa_t desc_pa(uint64_t d)
{
	return d & ARCH_PTE_ADDR_MASK;
}

static uint64_t *desc_table(uint64_t d)
{
	return gz_hal_pa_to_va(desc_pa(d));
}

/* Blocks exist at levels 1 and 2 (4 KiB granule without LPA2), pages at level 3. */
static bool level_has_leaves(unsigned level)
{
	return level >= 1;
}

/* Descriptor writes the table walker may observe: one single-copy-atomic store each, never
 * torn or merged by the compiler (the HAL barriers order them). */
static void set_pte(uint64_t *ptep, uint64_t desc)
{
	gz_atomic_store(ptep, desc);
}

static uint64_t mk_leaf(const struct gz_pgt *pgt, gz_pa_t pa, uint32_t prot, unsigned level)
{
	return (pa & ARCH_PTE_ADDR_MASK) | pgt->fmt->leaf_attrs(prot) | ARCH_PTE_VALID |
	       (level == 3 ? ARCH_PTE_TYPE : 0);
}

static uint64_t mk_table(const uint64_t *table)
{
	return (gz_hal_va_to_pa(table) & ARCH_PTE_ADDR_MASK) | ARCH_PTE_VALID | ARCH_PTE_TYPE;
}

static uint64_t root_entries(const struct gz_pgt *pgt)
{
	return 1ULL << (pgt->ia_bits - level_shift(pgt->start_level));
}

/* ---- the walker ------------------------------------------------------------------------ */

struct walker {
	struct gz_pgt *pgt;
	uint64_t start, end;
	unsigned flags;
	gz_pgt_visitor_fn fn;
	void *arg;
};

static int walk_table(struct walker *w, uint64_t *table, unsigned level, uint64_t base,
		      uint64_t nr);

static int visit(struct walker *w, uint64_t *ptep, unsigned level, uint64_t addr,
		 enum gz_pgt_visit_flags flag)
{
	struct gz_pgt_visit v = {
	    .pgt = w->pgt,
	    .start = w->start,
	    .end = w->end,
	    .addr = addr,
	    .level = level,
	    .ptep = ptep,
	    .desc = *ptep,
	    .arg = w->arg,
	};

	return w->fn(&v, flag);
}

static int walk_entry(struct walker *w, uint64_t *ptep, unsigned level, uint64_t addr)
{
	int ret;

	if (!desc_is_table(*ptep, level)) {
		if (!(w->flags & GZ_PGT_VISIT_LEAF) ||
		    ((w->flags & GZ_PGT_VISIT_VALID_ONLY) && !desc_valid(*ptep)))
			return 0;
		ret = visit(w, ptep, level, addr, GZ_PGT_VISIT_LEAF);
		/* A leaf visitor may have installed a table (map, split): walk into it. */
		if (ret || !desc_is_table(*ptep, level))
			return ret;
	} else if (w->flags & GZ_PGT_VISIT_TABLE_PRE) {
		ret = visit(w, ptep, level, addr, GZ_PGT_VISIT_TABLE_PRE);
		if (ret || !desc_is_table(*ptep, level))
			return ret;
	}
	ret = walk_table(w, desc_table(*ptep), level + 1, addr, GZ_PGT_ENTRIES);
	if (ret || !(w->flags & GZ_PGT_VISIT_TABLE_POST))
		return ret;
	return visit(w, ptep, level, addr, GZ_PGT_VISIT_TABLE_POST);
}

static int walk_table(struct walker *w, uint64_t *table, unsigned level, uint64_t base, uint64_t nr)
{
	unsigned shift = level_shift(level);
	uint64_t first = w->start > base ? w->start : base;
	uint64_t idx = (first - base) >> shift;
	uint64_t addr = base + (idx << shift);

	for (; idx < nr && addr < w->end; idx++, addr += 1ULL << shift) {
		int ret = walk_entry(w, &table[idx], level, addr);

		if (ret)
			return ret;
	}
	return 0;
}

int gz_pgt_walk(struct gz_pgt *pgt, uint64_t start, uint64_t end, unsigned flags,
		gz_pgt_visitor_fn fn, void *arg)
{
	struct walker w = {pgt, start, end, flags, fn, arg};

	return walk_table(&w, pgt->root, pgt->start_level, 0, root_entries(pgt));
}

/* ---- init and destroy ------------------------------------------------------------------ */

int gz_pgt_init(struct gz_pgt *pgt, const struct gz_pgt_fmt *fmt, unsigned ia_bits,
		unsigned pa_bits, unsigned start_level, unsigned nr_roots,
		const struct gz_pgt_mm_ops *mm)
{
	uint64_t entries;
	void *root;

	if (!pgt || !fmt || !mm || !mm->zalloc_page || !mm->free_page || start_level > 2 ||
	    ia_bits > 48 || pa_bits < 32 || pa_bits > 48 || ia_bits <= level_shift(start_level))
		return GZ_ERR_INVALID_ARGS;
	entries = 1ULL << (ia_bits - level_shift(start_level));
	if (nr_roots == 0 || (nr_roots & (nr_roots - 1)) || nr_roots > 16 ||
	    entries > (uint64_t)nr_roots * GZ_PGT_ENTRIES ||
	    (nr_roots > 1 && entries <= (uint64_t)(nr_roots / 2) * GZ_PGT_ENTRIES))
		return GZ_ERR_INVALID_ARGS;
	if (nr_roots > 1 && (!mm->zalloc_contig || !mm->free_contig))
		return GZ_ERR_NOT_SUPPORTED;
	root = nr_roots > 1 ? mm->zalloc_contig(mm->ctx, nr_roots) : mm->zalloc_page(mm->ctx);
	if (!root)
		return GZ_ERR_NO_MEMORY;
	*pgt = (struct gz_pgt){
	    .root_pa = gz_hal_va_to_pa(root),
	    .root = root,
	    .ia_bits = (uint8_t)ia_bits,
	    .pa_bits = (uint8_t)pa_bits,
	    .start_level = (uint8_t)start_level,
	    .nr_roots = (uint8_t)nr_roots,
	    .fmt = fmt,
	    .mm = *mm,
	    .nr_table_pages = nr_roots,
	};
	return GZ_OK;
}

static void free_table(struct gz_pgt *pgt, uint64_t *table)
{
	pgt->mm.free_page(pgt->mm.ctx, table);
	pgt->nr_table_pages--;
}

static int destroy_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	(void)flag;
	free_table(v->pgt, desc_table(v->desc));
	set_pte(v->ptep, 0);
	return 0;
}

void gz_pgt_destroy(struct gz_pgt *pgt)
{
	if (!pgt || !pgt->root)
		return;
	observe(pgt, 0, 1ULL << pgt->ia_bits);
	gz_pgt_walk(pgt, 0, 1ULL << pgt->ia_bits, GZ_PGT_VISIT_TABLE_POST, destroy_visit, NULL);
	if (pgt->nr_roots > 1)
		pgt->mm.free_contig(pgt->mm.ctx, pgt->root, pgt->nr_roots);
	else
		pgt->mm.free_page(pgt->mm.ctx, pgt->root);
	*pgt = (struct gz_pgt){0};
}

/* ---- shared state of one operation ----------------------------------------------------- */

enum op_pass { PASS_PREPARE, PASS_APPLY };

struct op {
	enum op_pass pass;
	gz_pa_t pa;	    /* map: output address of op start */
	uint32_t prot;	    /* map, protect */
	uint64_t need;	    /* prepare: table pages the apply pass will take */
	uint64_t tlbis;	    /* prepare: by-address invalidations the apply pass would issue */
	bool bulk;	    /* apply: defer invalidation to one whole-table TLBI */
	bool dirty;	    /* apply: something was invalidated without its TLBI yet */
	uint64_t *prealloc; /* pages for the apply pass, linked through their first word */
	uint64_t *freed;    /* tables to free once the TLB no longer holds them */
};

static int prealloc(struct gz_pgt *pgt, struct op *op)
{
	for (uint64_t i = 0; i < op->need; i++) {
		uint64_t *page = pgt->mm.zalloc_page(pgt->mm.ctx);

		if (!page) {
			while (op->prealloc) {
				uint64_t *next = (uint64_t *)(uintptr_t)op->prealloc[0];

				pgt->mm.free_page(pgt->mm.ctx, op->prealloc);
				op->prealloc = next;
			}
			return GZ_ERR_NO_MEMORY;
		}
		page[0] = (uint64_t)(uintptr_t)op->prealloc;
		op->prealloc = page;
	}
	return GZ_OK;
}

static uint64_t *take_page(struct gz_pgt *pgt, struct op *op)
{
	uint64_t *page = op->prealloc;

	if (!page)
		gz_hal_panic("pgtable: apply pass ran out of preallocated tables");
	op->prealloc = (uint64_t *)(uintptr_t)page[0];
	page[0] = 0;
	pgt->nr_table_pages++;
	return page;
}

/* Break: make a live descriptor invalid and, unless the operation flushes the whole table
 * at its end, drop the TLB entries it may have produced. */
static void bbm_break(struct gz_pgt *pgt, struct op *op, uint64_t *ptep, uint64_t addr,
		      unsigned level, bool make_follows)
{
	set_pte(ptep, 0);
	if (op->bulk && !make_follows) {
		op->dirty = true;
		return;
	}
	gz_hal_dsb();
	pgt->fmt->tlbi_addr(pgt, addr, level);
	gz_hal_dsb();
}

/* Make: the new descriptor, after the break and its TLBI completed. */
static void bbm_make(uint64_t *ptep, uint64_t desc)
{
	set_pte(ptep, desc);
}

/* End of an operation: publish the descriptor writes, do the deferred whole-table TLBI and
 * only then free tables the hardware may have been walking. */
static void op_finish(struct gz_pgt *pgt, struct op *op)
{
	gz_hal_dsb();
	if (op->dirty) {
		pgt->fmt->tlbi_all(pgt);
		gz_hal_dsb();
	}
	while (op->freed) {
		uint64_t *next = (uint64_t *)(uintptr_t)op->freed[0];

		op->freed[0] = 0;
		free_table(pgt, op->freed);
		op->freed = next;
	}
	/* Every preallocated page was counted for a use; any left would mean a counting bug. */
	if (op->prealloc)
		gz_hal_panic("pgtable: preallocated tables left over");
}

/* Only empty tables are deferred (unmap): linking them through their first entry keeps that
 * entry invalid (a page-aligned address has bit 0 clear) for walks the TLB still caches. */
static void defer_free(struct op *op, uint64_t *table)
{
	table[0] = (uint64_t)(uintptr_t)op->freed;
	op->freed = table;
}

/* Runs prepare, preallocation and apply for one visitor. */
static int run_op(struct gz_pgt *pgt, uint64_t start, uint64_t end, unsigned flags,
		  gz_pgt_visitor_fn fn, struct op *op)
{
	int ret;

	observe(pgt, start, end);
	op->pass = PASS_PREPARE;
	ret = gz_pgt_walk(pgt, start, end, flags, fn, op);
	if (ret)
		return ret;
	ret = prealloc(pgt, op);
	if (ret)
		return ret;
	/* The zeroes of the new tables must be visible before a descriptor points at them. */
	if (op->need)
		gz_hal_dsb();
	op->pass = PASS_APPLY;
	op->bulk = op->tlbis > GZ_PGT_TLBI_RANGE_MAX && pgt->fmt->tlbi_all;
	ret = gz_pgt_walk(pgt, start, end, flags, fn, op);
	op_finish(pgt, op);
	return ret;
}

/* ---- argument checks -------------------------------------------------------------------- */

static bool range_ok(const struct gz_pgt *pgt, uint64_t ia, uint64_t size, uint64_t *end)
{
	return pgt && pgt->root && size && GZ_IS_ALIGNED(ia | size, GZ_PAGE_SIZE) &&
	       gz_range_end(ia, size, end) && *end <= (1ULL << pgt->ia_bits);
}

static bool prot_ok(const struct gz_pgt *pgt, uint32_t prot)
{
	return !(prot & ~GZ_PROT_MASK) && pgt->fmt->prot_ok(prot);
}

static bool covers(const struct gz_pgt_visit *v)
{
	return v->addr >= v->start && v->addr + gz_pgt_level_size(v->level) <= v->end;
}

/* ---- split ------------------------------------------------------------------------------- */

/* Tables needed to split a block at @level at [base, base + size) so that [s, e) (inside it,
 * not all of it) is made of whole entries. */
static uint64_t split_tables(unsigned level, uint64_t base, uint64_t s, uint64_t e)
{
	uint64_t n = 1, csize = gz_pgt_level_size(level + 1);

	if (level + 1 == 3)
		return 1;
	for (uint64_t c = GZ_ALIGN_DOWN(s, csize); c < e; c += csize) {
		uint64_t cs = GZ_MAX(s, c), ce = GZ_MIN(e, c + csize);

		if (cs != c || ce != c + csize)
			n += split_tables(level + 1, c, cs, ce);
	}
	(void)base;
	return n;
}

static uint64_t visit_split_tables(const struct gz_pgt_visit *v)
{
	return split_tables(v->level, v->addr, GZ_MAX(v->start, v->addr),
			    GZ_MIN(v->end, v->addr + gz_pgt_level_size(v->level)));
}

/* Replace the block @v by a table of the same translation one level down; the walker then
 * descends into it. */
static void split_block(struct gz_pgt_visit *v, struct op *op)
{
	struct gz_pgt *pgt = v->pgt;
	uint64_t *table = take_page(pgt, op);
	uint64_t csize = gz_pgt_level_size(v->level + 1);
	uint32_t prot = pgt->fmt->leaf_prot(v->desc);

	for (unsigned i = 0; i < GZ_PGT_ENTRIES; i++)
		table[i] = mk_leaf(pgt, desc_pa(v->desc) + i * csize, prot, v->level + 1);
	/* The table must be visible before the descriptor that points at it. */
	gz_hal_dsb();
	bbm_break(pgt, op, v->ptep, v->addr, v->level, true);
	bbm_make(v->ptep, mk_table(table));
}

/* ---- map ----------------------------------------------------------------------------------- */

static gz_pa_t map_pa(const struct op *op, const struct gz_pgt_visit *v, uint64_t addr)
{
	return op->pa + (addr - v->start);
}

static bool can_block(unsigned level, uint64_t addr, uint64_t s, uint64_t e, gz_pa_t pa)
{
	uint64_t size = gz_pgt_level_size(level);

	return level_has_leaves(level) && s == addr && e == addr + size && GZ_IS_ALIGNED(pa, size);
}

/* Tables a map of [s, e) (output @pa) needs below an invalid entry at @level for @addr. */
static uint64_t map_tables(unsigned level, uint64_t addr, uint64_t s, uint64_t e, gz_pa_t pa)
{
	uint64_t n = 1, csize;

	if (can_block(level, addr, s, e, pa))
		return 0;
	if (level + 1 == 3)
		return 1;
	csize = gz_pgt_level_size(level + 1);
	for (uint64_t c = GZ_ALIGN_DOWN(s, csize); c < e; c += csize) {
		uint64_t cs = GZ_MAX(s, c);

		n += map_tables(level + 1, c, cs, GZ_MIN(e, c + csize), pa + (cs - s));
	}
	return n;
}

static int map_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct op *op = v->arg;
	struct gz_pgt *pgt = v->pgt;
	uint64_t size = gz_pgt_level_size(v->level);
	uint64_t s = GZ_MAX(v->start, v->addr), e = GZ_MIN(v->end, v->addr + size);

	(void)flag;
	if (desc_valid(v->desc)) {
		/* Only an identical translation of the overlap may already be there. */
		if (desc_pa(v->desc) + (s - v->addr) != map_pa(op, v, s) ||
		    pgt->fmt->leaf_prot(v->desc) != op->prot)
			return GZ_ERR_ALREADY_EXISTS;
		return 0;
	}
	if (op->pass == PASS_PREPARE) {
		op->need += map_tables(v->level, v->addr, s, e, map_pa(op, v, s));
		return 0;
	}
	if (can_block(v->level, v->addr, s, e, map_pa(op, v, s))) {
		set_pte(v->ptep, mk_leaf(pgt, map_pa(op, v, s), op->prot, v->level));
		return 0;
	}
	/* Invalid to valid needs no TLBI: the hardware caches no invalid entries. */
	set_pte(v->ptep, mk_table(take_page(pgt, op)));
	return 0;
}

int gz_pgt_map(struct gz_pgt *pgt, uint64_t ia, gz_pa_t pa, uint64_t size, uint32_t prot)
{
	struct op op = {.pa = pa, .prot = prot};
	uint64_t end, pa_end;

	if (!range_ok(pgt, ia, size, &end) || !prot_ok(pgt, prot) ||
	    !GZ_IS_ALIGNED(pa, GZ_PAGE_SIZE) || !gz_range_end(pa, size, &pa_end) ||
	    pa_end > (1ULL << pgt->pa_bits))
		return GZ_ERR_INVALID_ARGS;
	return run_op(pgt, ia, end, GZ_PGT_VISIT_LEAF, map_visit, &op);
}

/* ---- unmap --------------------------------------------------------------------------------- */

/* Scan from @first on, cyclically: after unmapping [.., end) the entry at end is the likeliest
 * to be still in use, so sequential unmaps find a live entry at once. */
static bool table_empty(const uint64_t *table, unsigned first)
{
	for (unsigned n = 0; n < GZ_PGT_ENTRIES; n++)
		if (table[(first + n) % GZ_PGT_ENTRIES])
			return false;
	return true;
}

static int unmap_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct op *op = v->arg;
	struct gz_pgt *pgt = v->pgt;

	if (flag == GZ_PGT_VISIT_TABLE_POST) {
		uint64_t *table = desc_table(v->desc);
		uint64_t size = gz_pgt_level_size(v->level);
		unsigned first = v->end < v->addr + size
				     ? (unsigned)((v->end - v->addr) >> level_shift(v->level + 1))
				     : 0;

		if (op->pass == PASS_PREPARE || !table_empty(table, first))
			return 0;
		bbm_break(pgt, op, v->ptep, v->addr, v->level, false);
		defer_free(op, table);
		return 0;
	}
	if (!desc_valid(v->desc))
		return 0;
	if (op->pass == PASS_PREPARE) {
		op->tlbis++;
		if (!covers(v))
			op->need += visit_split_tables(v);
		return 0;
	}
	if (!covers(v)) {
		split_block(v, op);
		return 0;
	}
	bbm_break(pgt, op, v->ptep, v->addr, v->level, false);
	return 0;
}

int gz_pgt_unmap(struct gz_pgt *pgt, uint64_t ia, uint64_t size)
{
	struct op op = {0};
	uint64_t end;

	if (!range_ok(pgt, ia, size, &end))
		return GZ_ERR_INVALID_ARGS;
	return run_op(pgt, ia, end, GZ_PGT_VISIT_LEAF | GZ_PGT_VISIT_TABLE_POST, unmap_visit, &op);
}

/* ---- protect ------------------------------------------------------------------------------- */

static int protect_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct op *op = v->arg;
	struct gz_pgt *pgt = v->pgt;
	uint64_t desc;

	(void)flag;
	if (!desc_valid(v->desc) || pgt->fmt->leaf_prot(v->desc) == op->prot)
		return 0;
	if (op->pass == PASS_PREPARE) {
		/* A split block changes all its entries: count it as a table's worth. */
		op->tlbis += covers(v) ? 1 : GZ_PGT_ENTRIES;
		if (!covers(v))
			op->need += visit_split_tables(v);
		return 0;
	}
	if (!covers(v)) {
		split_block(v, op);
		return 0;
	}
	desc = mk_leaf(pgt, desc_pa(v->desc), op->prot, v->level);
	if (op->bulk) {
		/* Break now, make after one TLBI of the whole VMID (protect_make): the new
		 * descriptor waits in the entry with its valid bit clear, and the hardware
		 * ignores every other bit of an invalid descriptor. */
		set_pte(v->ptep, desc & ~ARCH_PTE_VALID);
		op->dirty = true;
		return 0;
	}
	bbm_break(pgt, op, v->ptep, v->addr, v->level, true);
	bbm_make(v->ptep, desc);
	return 0;
}

/* Second half of a bulk protect, after the TLBI: validate the waiting descriptors (unmapped
 * entries are always 0, so a non-zero invalid one is waiting). */
static int protect_make(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	(void)flag;
	if (v->desc && !desc_valid(v->desc))
		bbm_make(v->ptep, v->desc | ARCH_PTE_VALID);
	return 0;
}

int gz_pgt_protect(struct gz_pgt *pgt, uint64_t ia, uint64_t size, uint32_t prot)
{
	struct op op = {.prot = prot};
	uint64_t end;
	int ret;

	if (!range_ok(pgt, ia, size, &end) || !prot_ok(pgt, prot))
		return GZ_ERR_INVALID_ARGS;
	ret = run_op(pgt, ia, end, GZ_PGT_VISIT_LEAF, protect_visit, &op);
	if (ret == GZ_OK && op.dirty) {
		gz_pgt_walk(pgt, ia, end, GZ_PGT_VISIT_LEAF, protect_make, NULL);
		gz_hal_dsb();
	}
	return ret;
}

/* ---- translate ----------------------------------------------------------------------------- */

struct xlate {
	uint64_t desc;
	unsigned level;
};

static int translate_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct xlate *x = v->arg;

	(void)flag;
	x->desc = v->desc;
	x->level = v->level;
	return 0;
}

int gz_pgt_translate(const struct gz_pgt *pgt, uint64_t ia, gz_pa_t *pa, uint32_t *prot,
		     unsigned *level)
{
	struct xlate x = {0};

	if (!pgt || !pgt->root || ia >= (1ULL << pgt->ia_bits))
		return GZ_ERR_INVALID_ARGS;
	/* The walker only reads when the visitor does not write. */
	gz_pgt_walk((struct gz_pgt *)pgt, ia, ia + 1, GZ_PGT_VISIT_LEAF, translate_visit, &x);
	if (!desc_valid(x.desc))
		return GZ_ERR_NOT_FOUND;
	if (pa)
		*pa = desc_pa(x.desc) + (ia & (gz_pgt_level_size(x.level) - 1));
	if (prot)
		*prot = pgt->fmt->leaf_prot(x.desc);
	if (level)
		*level = x.level;
	return GZ_OK;
}

/* ---- collapse ------------------------------------------------------------------------------ */

/* Attribute bits of a leaf, without what differs between a block and a page. */
static uint64_t leaf_attr_bits(uint64_t d)
{
	return d & ~(ARCH_PTE_ADDR_MASK | ARCH_PTE_TYPE);
}

static bool uniform(const uint64_t *table, unsigned clevel, uint64_t size)
{
	uint64_t csize = gz_pgt_level_size(clevel);
	uint64_t first = table[0];

	if (!desc_valid(first) || desc_is_table(first, clevel) ||
	    !GZ_IS_ALIGNED(desc_pa(first), size))
		return false;
	for (unsigned i = 1; i < GZ_PGT_ENTRIES; i++) {
		uint64_t d = table[i];

		if (!desc_valid(d) || desc_is_table(d, clevel) ||
		    desc_pa(d) != desc_pa(first) + i * csize ||
		    leaf_attr_bits(d) != leaf_attr_bits(first))
			return false;
	}
	return true;
}

static uint64_t collapsed_block(const struct gz_pgt *pgt, const uint64_t *table, unsigned level)
{
	return mk_leaf(pgt, desc_pa(table[0]), pgt->fmt->leaf_prot(table[0]), level);
}

static int collapse_visit(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct op *op = v->arg;
	struct gz_pgt *pgt = v->pgt;
	uint64_t *table = desc_table(v->desc);
	uint64_t csize = gz_pgt_level_size(v->level + 1);

	(void)flag;
	if (!level_has_leaves(v->level) || !covers(v) ||
	    !uniform(table, v->level + 1, gz_pgt_level_size(v->level)))
		return 0;
	if (op->bulk) {
		/* Break now: the table descriptor stays, its valid bit clear, until the one
		 * TLBI of this round; collapse_make then turns it into the block. The table
		 * itself is left intact for walks the TLB still caches. */
		set_pte(v->ptep, v->desc & ~ARCH_PTE_VALID);
		op->dirty = true;
		return 0;
	}
	/* Break the table, drop the 512 leaves cached from it, make the block, and only then
	 * free the table. */
	set_pte(v->ptep, 0);
	gz_hal_dsb();
	for (unsigned i = 0; i < GZ_PGT_ENTRIES; i++)
		pgt->fmt->tlbi_addr(pgt, v->addr + i * csize, v->level + 1);
	gz_hal_dsb();
	bbm_make(v->ptep, collapsed_block(pgt, table, v->level));
	free_table(pgt, table);
	return 0;
}

/* After the TLBI of a bulk round: a broken table descriptor (type bit set, valid clear, at
 * a level with blocks) becomes its block, and its table is freed. */
static int collapse_make(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	uint64_t *table;

	(void)flag;
	if (v->level >= 3 || desc_valid(v->desc) || !(v->desc & ARCH_PTE_TYPE))
		return 0;
	table = desc_table(v->desc);
	bbm_make(v->ptep, collapsed_block(v->pgt, table, v->level));
	free_table(v->pgt, table);
	return 0;
}

int gz_pgt_collapse(struct gz_pgt *pgt, uint64_t ia, uint64_t size)
{
	uint64_t end;

	if (!range_ok(pgt, ia, size, &end))
		return GZ_ERR_INVALID_ARGS;
	observe(pgt, ia, end);
	/* With a whole-table TLBI (stage 2) one round per level: every table of leaves that
	 * qualifies is broken, one TLBI covers them all, then the blocks are made; the next
	 * round can then fold tables of the new blocks. By address (EL2), one walk does all
	 * levels bottom-up. */
	for (unsigned round = 0; round < GZ_PGT_LEVELS - 1; round++) {
		struct op op = {.pass = PASS_APPLY, .bulk = pgt->fmt->tlbi_all != NULL};

		gz_pgt_walk(pgt, ia, end, GZ_PGT_VISIT_TABLE_POST, collapse_visit, &op);
		op_finish(pgt, &op);
		if (!op.dirty)
			break;
		gz_pgt_walk(pgt, ia, end, GZ_PGT_VISIT_LEAF, collapse_make, NULL);
		gz_hal_dsb();
	}
	return GZ_OK;
}
