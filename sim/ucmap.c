/* The Unicorn map cache of one vCPU (ucmap.h). */
#include <stdlib.h>
#include "phys.h"
#include "s2walk.h"
#include "ucmap.h"

static void *grow(void *p, size_t *cap, size_t elem)
{
	size_t n = *cap ? *cap * 2 : 64;

	p = realloc(p, n * elem);
	if (!p)
		gz_hal_panic("gzsim: out of host memory for mappings");
	*cap = n;
	return p;
}

/* [lo, hi) */
struct span {
	uint64_t lo, hi;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static bool is_code(const struct gz_sim_ucmap *m, uint64_t chunk)
{
	for (size_t i = 0; i < m->ncode; i++)
		if (m->code[i] == chunk)
			return true;
	return false;
}

/* The IPAs no memory hook covers: the data ranges without their code chunks, ordered. */
static size_t data_spans(const struct gz_sim_ucmap *m, struct span **out)
{
	struct span *sp = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < m->nr; i++) {
		const struct gz_sim_ucmap_range *g = &m->ranges[i];

		for (uint64_t a = g->ipa, end = g->ipa + g->size; g->data && a < end;) {
			uint64_t chunk = a & ~(GZ_SIM_UCMAP_CHUNK - 1),
				 next = chunk + GZ_SIM_UCMAP_CHUNK < end
					    ? chunk + GZ_SIM_UCMAP_CHUNK
					    : end;

			if (!is_code(m, chunk / GZ_SIM_UCMAP_CHUNK)) {
				if (n && sp[n - 1].hi == a) {
					sp[n - 1].hi = next;
				} else {
					if (n == cap)
						sp = grow(sp, &cap, sizeof(*sp));
					sp[n++] = (struct span){a, next};
				}
			}
			a = next;
		}
	}
	if (n)
		qsort(sp, n, sizeof(*sp), span_cmp);
	*out = sp;
	return n;
}

/* Cover the complement of the data spans with the fault hook: hooks whose range stays are
 * kept, the others deleted, the new ones added. */
static void update_hooks(struct gz_sim_ucmap *m)
{
	struct gz_sim_ucmap_hook want[GZ_SIM_UCMAP_MAX_HOOKS], *old = m->hooks;
	struct span *sp;
	size_t n = data_spans(m, &sp), nw = 0, nold = m->nhooks;
	uint64_t from = 0;
	bool all = false;

	for (size_t i = 0; i < n && !all; i++) {
		if (sp[i].lo > from) {
			if (nw == GZ_SIM_UCMAP_MAX_HOOKS)
				all = true;
			else
				want[nw++] = (struct gz_sim_ucmap_hook){from, sp[i].lo - 1, 0};
		}
		from = sp[i].hi > from ? sp[i].hi : from;
	}
	free(sp);
	if (!all && (from || !n)) {
		if (nw == GZ_SIM_UCMAP_MAX_HOOKS)
			all = true;
		else
			want[nw++] = (struct gz_sim_ucmap_hook){from, UINT64_MAX, 0};
	}
	if (all) /* begin > end: the whole address space */
		want[(nw = 1) - 1] = (struct gz_sim_ucmap_hook){1, 0, 0};
	m->hooks = calloc(nw, sizeof(*m->hooks));
	if (!m->hooks)
		gz_hal_panic("gzsim: out of host memory for mappings");
	for (size_t i = 0; i < nw; i++) {
		for (size_t j = 0; j < nold && !want[i].h; j++) {
			if (old[j].h && old[j].lo == want[i].lo && old[j].hi == want[i].hi) {
				want[i].h = old[j].h;
				old[j].h = 0;
			}
		}
		if (!want[i].h && uc_hook_add(m->uc, &want[i].h, UC_HOOK_MEM_INVALID, m->hook_fn,
					      m->hook_arg, want[i].lo, want[i].hi) != UC_ERR_OK)
			gz_hal_panic("gzsim: cannot add a memory hook");
		m->hooks[i] = want[i];
	}
	for (size_t j = 0; j < nold; j++)
		if (old[j].h)
			uc_hook_del(m->uc, old[j].h);
	free(old);
	m->nhooks = nw;
}

void gz_sim_ucmap_init(struct gz_sim_ucmap *m, uc_engine *uc, void *fn, void *arg)
{
	m->uc = uc;
	m->hook_fn = fn;
	m->hook_arg = arg;
	update_hooks(m);
}

static void unmap_all(struct gz_sim_ucmap *m)
{
	for (size_t i = 0; i < m->nr; i++)
		uc_mem_unmap(m->uc, m->ranges[i].ipa, m->ranges[i].size);
	m->nr = 0;
	m->ncode = 0; /* no translated code is left */
	uc_ctl_flush_tlb(m->uc);
	uc_ctl_flush_tb(m->uc);
}

static int uc_prot_of(const struct gz_sim_s2_result *r)
{
	return (r->r ? UC_PROT_READ : 0) | (r->w ? UC_PROT_WRITE : 0) | (r->x ? UC_PROT_EXEC : 0);
}

/* The code chunk @chunk's part of data range @g executable. */
static void protect_code(struct gz_sim_ucmap *m, const struct gz_sim_ucmap_range *g, uint64_t chunk)
{
	uint64_t lo = chunk * GZ_SIM_UCMAP_CHUNK, hi = lo + GZ_SIM_UCMAP_CHUNK;

	lo = lo > g->ipa ? lo : g->ipa;
	hi = hi < g->ipa + g->size ? hi : g->ipa + g->size;
	if (g->data && lo < hi)
		uc_mem_protect(m->uc, lo, hi - lo, UC_PROT_ALL);
}

static bool add_range(struct gz_sim_ucmap *m, uint64_t ipa, uint64_t size, gz_pa_t pa, int prot)
{
	void *host = gz_hal_pa_to_va(pa);
	bool data = prot == UC_PROT_ALL;

	if (!prot || !host || !gz_hal_pa_to_va(pa + size - 1))
		return false;
	if (m->nr == m->cap)
		m->ranges = grow(m->ranges, &m->cap, sizeof(*m->ranges));
	if (uc_mem_map_ptr(m->uc, ipa, size, (uint32_t)(data ? UC_PROT_READ | UC_PROT_WRITE : prot),
			   host) != UC_ERR_OK)
		return false;
	m->ranges[m->nr++] = (struct gz_sim_ucmap_range){ipa, size, data};
	for (size_t i = 0; data && i < m->ncode; i++)
		protect_code(m, &m->ranges[m->nr - 1], m->code[i]);
	return true;
}

bool gz_sim_ucmap_is_data(const struct gz_sim_ucmap *m, uint64_t ipa)
{
	bool data = false;

	for (size_t i = 0; i < m->nr && !data; i++)
		data = m->ranges[i].data && ipa - m->ranges[i].ipa < m->ranges[i].size;
	return data && !is_code(m, ipa / GZ_SIM_UCMAP_CHUNK);
}

bool gz_sim_ucmap_make_code(struct gz_sim_ucmap *m, uint64_t ipa)
{
	uint64_t chunk = ipa / GZ_SIM_UCMAP_CHUNK;

	if (!gz_sim_ucmap_is_data(m, ipa))
		return false;
	if (m->ncode == m->capcode)
		m->code = grow(m->code, &m->capcode, sizeof(*m->code));
	m->code[m->ncode++] = chunk;
	for (size_t i = 0; i < m->nr; i++)
		protect_code(m, &m->ranges[i], chunk);
	update_hooks(m);
	/* Stores to the chunk that took the fast path keep it in the TLB: they must not. */
	uc_ctl_flush_tlb(m->uc);
	return true;
}

/* Leaves come in IPA order: contiguous ones with the same permissions become one range. */
struct coalesce {
	struct gz_sim_ucmap *m;
	bool open;
	uint64_t ipa, size;
	gz_pa_t pa;
	int prot;
};

static void flush_run(struct coalesce *c)
{
	if (c->open)
		add_range(c->m, c->ipa, c->size, c->pa, c->prot);
	c->open = false;
}

static void coalesce_leaf(void *arg, gz_ipa_t ipa, const struct gz_sim_s2_result *leaf)
{
	struct coalesce *c = arg;
	int prot = uc_prot_of(leaf);

	if (c->open && c->ipa + c->size == ipa && c->pa + c->size == leaf->pa && c->prot == prot) {
		c->size += leaf->size;
		return;
	}
	flush_run(c);
	*c = (struct coalesce){
	    .m = c->m, .open = true, .ipa = ipa, .size = leaf->size, .pa = leaf->pa, .prot = prot};
}

void gz_sim_ucmap_remap(struct gz_sim_ucmap *m, uint64_t vttbr, uint64_t vtcr)
{
	struct coalesce c = {.m = m};

	unmap_all(m);
	m->vttbr = vttbr;
	m->vtcr = vtcr;
	m->valid = true;
	m->remaps++;
	gz_sim_s2_for_each(vttbr, vtcr, coalesce_leaf, &c);
	flush_run(&c);
	update_hooks(m);
}

bool gz_sim_ucmap_refill(struct gz_sim_ucmap *m, uint64_t ipa, int need, struct gz_sim_s2_result *r)
{
	bool ok;

	if (!gz_sim_s2_walk(m->vttbr, m->vtcr, ipa, r))
		return false;
	if ((uc_prot_of(r) & need) != need)
		return false;
	/* Drop whatever covers the leaf now, then map the leaf itself. */
	for (size_t i = 0; i < m->nr;) {
		struct gz_sim_ucmap_range *g = &m->ranges[i];
		uint64_t leaf = ipa & ~(r->size - 1);

		if (g->ipa < leaf + r->size && leaf < g->ipa + g->size) {
			uc_mem_unmap(m->uc, g->ipa, g->size);
			*g = m->ranges[--m->nr];
			continue;
		}
		i++;
	}
	uc_ctl_flush_tlb(m->uc);
	ok = add_range(m, ipa & ~(r->size - 1), r->size, r->pa & ~(r->size - 1), uc_prot_of(r));
	update_hooks(m);
	return ok;
}

void gz_sim_ucmap_fini(struct gz_sim_ucmap *m)
{
	free(m->ranges);
	free(m->hooks);
	free(m->code);
	*m = (struct gz_sim_ucmap){0};
}
