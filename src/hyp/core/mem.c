/*
 * Memory as owned objects (gzhyp/mem.h): set-up, the host <-> hypervisor transitions, the
 * host stage-2's fault entry, the per-VM statistics and the invariant checker. Guest
 * transitions are in mem_xfer.c, the host stage-2's mapping rules in host_s2.c, memslots in
 * memslot.c.
 */
#include <arm64/pte.h>
#include <gzhyp/lib.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <hal.h>

#include "mem_priv.h"

struct gz_mem_global gz_mem_g = {.lock = GZ_LOCK_INIT};

void gz_mem_lock(void)
{
	gz_hal_lock(&gz_mem_g.lock);
}

void gz_mem_unlock(void)
{
	gz_hal_unlock(&gz_mem_g.lock);
}

struct gz_pool *gz_mem_pool(void)
{
	return &gz_mem_g.pool;
}

struct gz_pool_acct *gz_mem_hyp_acct(void)
{
	return &gz_mem_g.hyp_acct;
}

struct gz_pgt *gz_mem_host_s2(void)
{
	return &gz_mem_g.host_s2;
}

int gz_mem_check_range(uint64_t addr, uint64_t nr, unsigned bits)
{
	uint64_t end;

	if (!nr || !GZ_IS_ALIGNED(addr, GZ_PAGE_SIZE) || nr > (UINT64_MAX >> GZ_PAGE_SHIFT) ||
	    !gz_range_end(addr, nr << GZ_PAGE_SHIFT, &end))
		return GZ_ERR_INVALID_ARGS;
	if (end > (1ULL << bits)) /* bits <= 48 */
		return GZ_ERR_OUT_OF_RANGE;
	return GZ_OK;
}

int gz_mem_check_live_ipas(const struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr)
{
	if (m->state != GZ_VM_MEM_LIVE)
		return GZ_ERR_NOT_ALLOWED;
	return gz_mem_check_range(ipa, nr, m->s2.ia_bits);
}

/* A page to scrub is usually not mapped for the hypervisor (a guest's): the fixmap reaches
 * it for the time of the scrub only. */
void gz_mem_scrub(gz_pa_t pa, uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++) {
		void *va = gz_hal_fixmap(pa + (i << GZ_PAGE_SHIFT));

		if (!va)
			gz_hal_panic("mem: scrubbing a page that is not RAM");
		gz_memset(va, 0, GZ_PAGE_SIZE);
		gz_hal_dcache_clean_inval(va, GZ_PAGE_SIZE);
		gz_hal_fixunmap(va);
	}
}

/* The PA sizes VTCR_EL2.PS can express. */
static unsigned round_pa_bits(uint64_t top)
{
	static const unsigned sizes[] = {32, 36, 40, 42, 44, 48};

	for (unsigned i = 0; i < GZ_ARRAY_SIZE(sizes); i++)
		if (top <= (1ULL << sizes[i]))
			return sizes[i];
	return 0;
}

static bool valid_pa_bits(unsigned bits)
{
	return bits >= 32 && bits <= 48 && round_pa_bits(1ULL << bits) == bits;
}

/* [pa, pa + size) is page aligned, covered by the store and backed in the linear map. */
static bool usable_range(gz_pa_t pa, uint64_t size)
{
	if (!GZ_IS_ALIGNED(pa, GZ_PAGE_SIZE) || !GZ_IS_ALIGNED(size, GZ_PAGE_SIZE))
		return false;
	if (!size)
		return true;
	if (!gz_pgstate_managed_range(pa, size >> GZ_PAGE_SHIFT))
		return false;
	return gz_hal_pa_to_va(pa) && gz_hal_pa_to_va(pa + size - GZ_PAGE_SIZE);
}

int gz_mem_init(const struct gz_mem_config *cfg)
{
	struct gz_mem_global *g = &gz_mem_g;
	struct gz_pgt_mm_ops mm;
	uint64_t top = 0, store_pages, end;
	size_t store_bytes;
	gz_pa_t base;
	uint64_t size;
	void *storage;
	int ret;

	g->ready = false;
	g->lock = (gz_lock_t)GZ_LOCK_INIT;
	for (unsigned i = 0; gz_hal_phys_region(i, &base, &size); i++)
		if (gz_range_end(base, size, &end) && end > top)
			top = end;
	g->pa_bits = cfg->pa_bits ? cfg->pa_bits : round_pa_bits(top);
	if (!valid_pa_bits(g->pa_bits) || top > (1ULL << g->pa_bits))
		return GZ_ERR_INVALID_ARGS;

	store_bytes = gz_pgstate_storage_bytes();
	if (!store_bytes || !cfg->work_size || !GZ_IS_ALIGNED(cfg->work_base, GZ_PAGE_SIZE) ||
	    !GZ_IS_ALIGNED(cfg->work_size, GZ_PAGE_SIZE) ||
	    !gz_range_end(cfg->work_base, cfg->work_size, &end) ||
	    !gz_range_end(cfg->hyp_base, cfg->hyp_size, &end))
		return GZ_ERR_INVALID_ARGS;
	store_pages = GZ_ALIGN_UP(store_bytes, GZ_PAGE_SIZE) >> GZ_PAGE_SHIFT;
	if ((cfg->work_size >> GZ_PAGE_SHIFT) < store_pages)
		return GZ_ERR_NO_MEMORY;
	storage = gz_hal_pa_to_va(cfg->work_base);
	if (!storage)
		return GZ_ERR_INVALID_ARGS;
	/* The working memory (store and pool) is the hypervisor's: mapped for it from here. */
	ret = gz_hal_hyp_map(cfg->work_base, cfg->work_size >> GZ_PAGE_SHIFT);
	if (ret)
		return ret == GZ_ERR_OUT_OF_RANGE ? GZ_ERR_INVALID_ARGS : ret;
	ret = gz_pgstate_init(storage, store_pages << GZ_PAGE_SHIFT);
	if (!ret && (!usable_range(cfg->work_base, cfg->work_size) ||
		     !usable_range(cfg->hyp_base, cfg->hyp_size) ||
		     (cfg->hyp_size && cfg->hyp_base < cfg->work_base + cfg->work_size &&
		      cfg->work_base < cfg->hyp_base + cfg->hyp_size)))
		ret = GZ_ERR_INVALID_ARGS;
	if (ret) {
		gz_hal_hyp_unmap(cfg->work_base, cfg->work_size >> GZ_PAGE_SHIFT);
		return ret;
	}
	if (cfg->hyp_size)
		gz_pgstate_set(cfg->hyp_base, cfg->hyp_size >> GZ_PAGE_SHIFT, GZ_OWNER_HYP,
			       GZ_PAGE_OWNED);
	gz_pgstate_set(cfg->work_base, cfg->work_size >> GZ_PAGE_SHIFT, GZ_OWNER_HYP,
		       GZ_PAGE_OWNED);

	gz_pool_init(&g->pool);
	if ((cfg->work_size >> GZ_PAGE_SHIFT) > store_pages)
		gz_pool_add(&g->pool, cfg->work_base + (store_pages << GZ_PAGE_SHIFT),
			    (cfg->work_size >> GZ_PAGE_SHIFT) - store_pages);
	gz_pool_acct_init(&g->hyp_acct, &g->pool);
	gz_pool_mm_ops(&g->hyp_acct, &mm);
	ret = gz_s2pt_init(&g->host_s2, g->pa_bits, g->pa_bits, cfg->host_vmid, &mm);
	if (ret)
		return ret;
	g->ready = true;
	return GZ_OK;
}

/* ---- host <-> hypervisor ------------------------------------------------------------- */

int gz_mem_check_pages(gz_pa_t pa, uint64_t nr, gz_owner_t owner, enum gz_page_state state)
{
	int ret = gz_mem_check_range(pa, nr, gz_mem_g.pa_bits);

	if (ret)
		return ret;
	if (!gz_pgstate_managed_range(pa, nr))
		return GZ_ERR_OUT_OF_RANGE;
	for (uint64_t i = 0; i < nr; i++) {
		gz_pa_t p = pa + (i << GZ_PAGE_SHIFT);

		if (gz_pgstate_owner(p) != owner)
			return GZ_ERR_ACCESS_DENIED;
		if (gz_pgstate_state(p) != state)
			return GZ_ERR_BAD_STATE;
	}
	return GZ_OK;
}

int gz_mem_host_donate_hyp(gz_pa_t pa, uint64_t nr)
{
	int ret;

	if (!gz_mem_g.ready)
		return GZ_ERR_BAD_STATE;
	gz_mem_lock();
	ret = gz_mem_check_pages(pa, nr, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	if (!ret && (!gz_hal_pa_to_va(pa) || !gz_hal_pa_to_va(pa + ((nr - 1) << GZ_PAGE_SHIFT))))
		ret = GZ_ERR_OUT_OF_RANGE;
	/* Pool pages are the hypervisor's to touch: mapped before anything else changes. */
	if (!ret)
		ret = gz_hal_hyp_map(pa, nr);
	if (!ret) {
		gz_host_s2_unmap(&gz_mem_g.host_s2, pa, nr);
		gz_pgstate_set(pa, nr, GZ_OWNER_HYP, GZ_PAGE_DONATED);
		/* Cannot fail: the range is page aligned and backed (checked above). */
		gz_pool_add(&gz_mem_g.pool, pa, nr);
	}
	gz_mem_unlock();
	return ret;
}

int gz_mem_hyp_return_host(uint64_t max, uint64_t *nr_returned)
{
	struct gz_pool *pool = &gz_mem_g.pool;
	gz_pa_t kept = 0, pa;
	uint64_t done = 0, budget, tables;
	struct gz_pool_stats st;

	*nr_returned = 0;
	if (!gz_mem_g.ready)
		return GZ_ERR_BAD_STATE;
	gz_mem_lock();
	gz_pool_get_stats(pool, &st);
	/* Look at each free page once; keep the hypervisor's own pages aside, chained through
	 * their first word, and give them back to the pool afterwards. */
	budget = st.free;
	while (done < max && budget-- && gz_pool_take(pool, &pa) == GZ_OK) {
		/* Pool pages are the hypervisor's: donated ones may go back. */
		if (gz_pgstate_state(pa) == GZ_PAGE_DONATED) {
			gz_mem_scrub(pa, 1);
			gz_hal_hyp_unmap(pa, 1);
			gz_pgstate_set(pa, 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
			tables = gz_mem_g.hyp_acct.pages;
			gz_host_s2_regroup(&gz_mem_g.host_s2, pa);
			/* the tables it freed are free pool pages to look at too */
			budget += tables - gz_mem_g.hyp_acct.pages;
			done++;
		} else {
			*(gz_pa_t *)gz_hal_pa_to_va(pa) = kept;
			kept = pa;
		}
	}
	while (kept) {
		pa = kept;
		kept = *(gz_pa_t *)gz_hal_pa_to_va(pa);
		gz_pool_add(pool, pa, 1);
	}
	gz_mem_unlock();
	*nr_returned = done;
	return GZ_OK;
}

/* A page the host shares with the hypervisor is mapped for it at the share and unmapped at
 * the unshare: the hypervisor reaches no other host page (hal.h, least privilege). */
static int host_share_change(gz_pa_t pa, uint64_t nr, enum gz_page_state from,
			     enum gz_page_state to)
{
	int ret;

	if (!gz_mem_g.ready)
		return GZ_ERR_BAD_STATE;
	gz_mem_lock();
	ret = gz_mem_check_pages(pa, nr, GZ_OWNER_HOST, from);
	if (!ret && to == GZ_PAGE_SHARED_OWNED)
		ret = gz_hal_hyp_map(pa, nr);
	else if (!ret)
		gz_hal_hyp_unmap(pa, nr);
	if (!ret)
		gz_pgstate_set(pa, nr, GZ_OWNER_HOST, to);
	gz_mem_unlock();
	return ret;
}

int gz_mem_host_share_hyp(gz_pa_t pa, uint64_t nr)
{
	return host_share_change(pa, nr, GZ_PAGE_OWNED, GZ_PAGE_SHARED_OWNED);
}

int gz_mem_host_unshare_hyp(gz_pa_t pa, uint64_t nr)
{
	return host_share_change(pa, nr, GZ_PAGE_SHARED_OWNED, GZ_PAGE_OWNED);
}

/* ---- host stage-2 --------------------------------------------------------------------- */

int gz_host_s2_handle_fault(gz_pa_t pa)
{
	int ret;

	if (!gz_mem_g.ready)
		return GZ_ERR_BAD_STATE;
	if (pa >= (1ULL << gz_mem_g.pa_bits)) /* pa_bits <= 48 */
		return GZ_ERR_OUT_OF_RANGE;
	gz_mem_lock();
	ret = gz_host_s2_map_fault(&gz_mem_g.host_s2, pa);
	gz_mem_unlock();
	return ret;
}

/* ---- statistics ---------------------------------------------------------------------- */

void gz_vm_mem_stats(const struct gz_vm_mem *m, uint64_t *hyp_bytes, uint64_t *shared_bytes)
{
	*hyp_bytes = (m->obj_acct.pages + m->pgt_acct.pages) << GZ_PAGE_SHIFT;
	*shared_bytes = m->shared_pages << GZ_PAGE_SHIFT;
}

uint64_t gz_vm_mem_s2_blocks(const struct gz_vm_mem *m)
{
	uint64_t n;

	gz_mem_lock();
	n = m->s2_blocks;
	gz_mem_unlock();
	return n;
}

void gz_mem_hyp_stats(uint64_t *used_bytes, uint64_t *total_bytes, uint64_t *table_bytes)
{
	struct gz_pool_stats st;

	gz_mem_lock();
	gz_pool_get_stats(&gz_mem_g.pool, &st);
	*used_bytes = st.used << GZ_PAGE_SHIFT;
	*total_bytes = st.total << GZ_PAGE_SHIFT;
	*table_bytes = gz_mem_g.hyp_acct.pages << GZ_PAGE_SHIFT;
	gz_mem_unlock();
}

int gz_vm_mem_quota_set(struct gz_vm_mem *m, uint64_t pages, bool reserve)
{
	return gz_pool_quota_set(&gz_mem_g.pool, &m->quota, pages, reserve);
}

void gz_vm_mem_quota_get(const struct gz_vm_mem *m, uint64_t *limit, uint64_t *used)
{
	gz_pool_quota_get(&gz_mem_g.pool, &m->quota, limit, used);
}

bool gz_vm_mem_quota_refused(struct gz_vm_mem *m)
{
	return gz_pool_quota_refused(&gz_mem_g.pool, &m->quota);
}

/* ---- invariants ---------------------------------------------------------------------- */

struct check_ctx {
	struct gz_vm_mem *vm; /* NULL: the host stage-2 */
	uint64_t mapped;      /* pages mapped in a VM's stage-2 */
	uint64_t bad;
	bool failed;
};

bool gz_mem_host_may_map(gz_pa_t pa, uint32_t prot, uint64_t leaf_size)
{
	if (!gz_pgstate_managed(pa))
		return (prot & GZ_PROT_DEVICE) != 0;
	if (prot & GZ_PROT_DEVICE)
		return false;
	switch (gz_pgstate_view(pa, GZ_OWNER_HOST)) {
	case GZ_PAGE_OWNED:
	case GZ_PAGE_SHARED_OWNED:
	case GZ_PAGE_LENT:
	case GZ_PAGE_LENT_SHARED:
		return true;
	case GZ_PAGE_SHARED_BORROWED:
		return leaf_size == GZ_PAGE_SIZE && !(prot & GZ_PROT_X);
	default:
		return false;
	}
}

static int check_leaf(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct check_ctx *c = v->arg;
	unsigned level;
	uint32_t prot;
	uint64_t size;
	gz_pa_t pa;

	(void)flag; /* a valid leaf: the walk skips the others */
	gz_pgt_translate(v->pgt, v->addr, &pa, &prot, &level);
	size = gz_pgt_level_size(level);
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		/* A two-VM share is data for both VMs: never executable in either. */
		bool ok = c->vm ? gz_mem_held_by(c->vm, pa + off) &&
				      !(gz_pgstate_state(pa + off) == GZ_PAGE_VM_SHARED &&
					(prot & GZ_PROT_X))
				: gz_mem_host_may_map(pa + off, prot, size);

		if (!ok) {
			c->bad = v->addr + off;
			c->failed = true;
			return 1;
		}
	}
	c->mapped += size >> GZ_PAGE_SHIFT;
	return 0;
}

static bool walk_ok(struct gz_pgt *pgt, struct check_ctx *c)
{
	gz_pgt_walk(pgt, 0, 1ULL << pgt->ia_bits, GZ_PGT_VISIT_LEAF | GZ_PGT_VISIT_VALID_ONLY,
		    check_leaf, c);
	return !c->failed;
}

/* The listed VM with owner @o, or @nr_vms. */
static unsigned listed(struct gz_vm_mem *const *vms, unsigned nr_vms, gz_owner_t o)
{
	unsigned i = 0;

	while (i < nr_vms && vms[i]->owner != o)
		i++;
	return i;
}

int gz_mem_check_invariants(struct gz_vm_mem *const *vms, unsigned nr_vms, uint64_t *bad_addr)
{
	uint64_t owned[GZ_MEM_CHECK_MAX_VMS] = {0}, shared[GZ_MEM_CHECK_MAX_VMS] = {0};
	uint64_t lent[GZ_MEM_CHECK_MAX_VMS] = {0}, peer[GZ_MEM_CHECK_MAX_VMS] = {0};
	uint64_t total = gz_pgstate_nr_pages();
	struct check_ctx c = {0};
	int ret = GZ_ERR_BAD_STATE;

	if (nr_vms > GZ_MEM_CHECK_MAX_VMS)
		return GZ_ERR_INVALID_ARGS;
	gz_mem_lock();
	if (!walk_ok(&gz_mem_g.host_s2, &c))
		goto out;
	/* One pass over the store: every guest page, and every page lent, belongs to a listed
	 * VM; only normal VMs borrow; both VMs of a two-VM share are listed. */
	for (uint64_t k = 0; k < total; k++) {
		gz_pa_t pa = gz_pgstate_pa_at(k);
		gz_owner_t o = gz_pgstate_owner(pa), to = gz_pgstate_lent_to(pa);
		enum gz_page_state st = gz_pgstate_state(pa);
		unsigned i;

		c.bad = pa;
		if (st == GZ_PAGE_VM_SHARED) {
			unsigned j = listed(vms, nr_vms, gz_pgstate_vm_borrower(pa));

			i = listed(vms, nr_vms, o);
			if (i == nr_vms || j == nr_vms)
				goto out;
			peer[i]++;
			peer[j]++;
			continue;
		}
		if (to != GZ_OWNER_NONE)
			o = to;
		else if (!GZ_OWNER_IS_VM(o))
			continue;
		i = listed(vms, nr_vms, o);
		if (i == nr_vms || (to != GZ_OWNER_NONE && vms[i]->kind != GZ_VM_NORMAL))
			goto out;
		if (to != GZ_OWNER_NONE)
			lent[i]++;
		else
			owned[i]++;
		shared[i] += st == GZ_PAGE_SHARED_OWNED || st == GZ_PAGE_LENT_SHARED;
	}
	for (unsigned i = 0; i < nr_vms; i++) {
		struct gz_vm_mem *m = vms[i];

		c = (struct check_ctx){.vm = m};
		if (m->state == GZ_VM_MEM_LIVE && !walk_ok(&m->s2, &c))
			goto out;
		c.bad = m->owner;
		/* The counters match the store; a live VM maps each page it owns or borrows
		 * once, a dying one maps nothing (its two-VM shares went before). */
		if (owned[i] != m->owned_pages || lent[i] != m->lent_pages ||
		    shared[i] != m->shared_pages || peer[i] != m->peer_pages ||
		    (m->state == GZ_VM_MEM_LIVE && c.mapped != owned[i] + lent[i] + peer[i]) ||
		    (m->state != GZ_VM_MEM_LIVE && peer[i]))
			goto out;
	}
	ret = GZ_OK;
out:
	gz_mem_unlock();
	if (ret && bad_addr)
		*bad_addr = c.bad;
	return ret;
}
