/* The Unicorn map cache of one vCPU (ucmap.h). */
#include <stdlib.h>
#include "phys.h"
#include "s2walk.h"
#include "ucmap.h"

static void unmap_all(struct gz_sim_ucmap *m)
{
	for (size_t i = 0; i < m->nr; i++)
		uc_mem_unmap(m->uc, m->ranges[i].ipa, m->ranges[i].size);
	m->nr = 0;
	uc_ctl_flush_tlb(m->uc);
	uc_ctl_flush_tb(m->uc);
}

static int uc_prot_of(const struct gz_sim_s2_result *r)
{
	return (r->r ? UC_PROT_READ : 0) | (r->w ? UC_PROT_WRITE : 0) | (r->x ? UC_PROT_EXEC : 0);
}

static bool add_range(struct gz_sim_ucmap *m, uint64_t ipa, uint64_t size, gz_pa_t pa, int prot)
{
	void *host = gz_hal_pa_to_va(pa);

	if (!prot || !host || !gz_hal_pa_to_va(pa + size - 1))
		return false;
	if (m->nr == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct gz_sim_ucmap_range *r = realloc(m->ranges, cap * sizeof(*r));

		if (!r)
			gz_hal_panic("gzsim: out of host memory for mappings");
		m->ranges = r;
		m->cap = cap;
	}
	if (uc_mem_map_ptr(m->uc, ipa, size, (uint32_t)prot, host) != UC_ERR_OK)
		return false;
	m->ranges[m->nr++] = (struct gz_sim_ucmap_range){ipa, size};
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
}

bool gz_sim_ucmap_refill(struct gz_sim_ucmap *m, uint64_t ipa, int need, struct gz_sim_s2_result *r)
{
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
	return add_range(m, ipa & ~(r->size - 1), r->size, r->pa & ~(r->size - 1), uc_prot_of(r));
}

void gz_sim_ucmap_fini(struct gz_sim_ucmap *m)
{
	free(m->ranges);
	*m = (struct gz_sim_ucmap){0};
}
