/* The memory-ownership invariant checked incrementally (gzhyp/mem_track.h). */
#include <gzhyp/lib.h>
#include <gzhyp/mem_track.h>
#include <arm64/pte.h>
#include <gzabi/status.h>

#include "mem_priv.h"

/* ---- what a page counts for --------------------------------------------------------------- */

static struct gz_mem_track_page page_now(gz_pa_t pa)
{
	gz_owner_t owner = gz_pgstate_owner(pa), to = gz_pgstate_lent_to(pa);
	enum gz_page_state st = gz_pgstate_state(pa);
	struct gz_mem_track_page p = {.holder = GZ_OWNER_NONE,
				      .holder2 = GZ_OWNER_NONE,
				      .mapper = GZ_OWNER_NONE,
				      .mapper2 = GZ_OWNER_NONE};

	if (st == GZ_PAGE_VM_SHARED) {
		p.holder = owner;
		p.holder2 = gz_pgstate_vm_borrower(pa);
		return p;
	}
	if (to != GZ_OWNER_NONE) {
		p.holder = to;
		p.lent = 1;
	} else if (GZ_OWNER_IS_VM(owner) && owner != GZ_OWNER_NONE) {
		p.holder = owner;
	}
	p.shared =
	    p.holder != GZ_OWNER_NONE && (st == GZ_PAGE_SHARED_OWNED || st == GZ_PAGE_LENT_SHARED);
	return p;
}

/* Add (@sign 1) or remove (-1) what @p counts for in its holder's totals. */
static void count(struct gz_mem_tracker *t, const struct gz_mem_track_page *p, int sign)
{
	if (p->holder == GZ_OWNER_NONE)
		return;
	if (p->holder2 != GZ_OWNER_NONE) {
		t->peer[p->holder] += (uint32_t)sign;
		t->peer[p->holder2] += (uint32_t)sign;
		t->vm_held += (uint64_t)(int64_t)(2 * sign);
		return;
	}
	if (p->lent)
		t->lent[p->holder] += (uint32_t)sign;
	else
		t->owned[p->holder] += (uint32_t)sign;
	t->shared[p->holder] += (uint32_t)(sign * p->shared);
	t->vm_held += (uint64_t)(int64_t)sign;
}

static struct gz_vm_mem *vm_of_owner(const struct gz_mem_tracker *t, gz_owner_t o)
{
	for (unsigned i = 0; i < t->nr_vms; i++)
		if (t->vms[i]->owner == o)
			return t->vms[i];
	return NULL;
}

static struct gz_vm_mem *vm_of_pgt(const struct gz_mem_tracker *t, const struct gz_pgt *pgt)
{
	for (unsigned i = 0; i < t->nr_vms; i++)
		if (&t->vms[i]->s2 == pgt)
			return t->vms[i];
	return NULL;
}

/* ---- the observers ----------------------------------------------------------------------------
 */

static void add_dirty(struct gz_mem_tracker *t, struct gz_pgt *pgt, uint64_t start, uint64_t end)
{
	struct gz_mem_track_range *last = t->nr_dirty ? &t->dirty[t->nr_dirty - 1] : NULL;

	if (last && last->pgt == pgt && start <= last->end && end >= last->start) {
		last->start = GZ_MIN(last->start, start);
		last->end = GZ_MAX(last->end, end);
		return;
	}
	if (t->nr_dirty == GZ_MEM_TRACK_RANGES) {
		t->rebuild = true;
		return;
	}
	t->dirty[t->nr_dirty++] = (struct gz_mem_track_range){pgt, start, end};
}

static void store_changed(gz_pa_t pa, uint64_t nr, void *arg)
{
	struct gz_mem_tracker *t = arg;

	if (!t->rebuild)
		add_dirty(t, NULL, pa, pa + (nr << GZ_PAGE_SHIFT));
}

struct unrecord {
	struct gz_mem_tracker *t;
	gz_owner_t owner;
	uint64_t start, end; /* the leaves met: a change inside a block splits it */
};

/* A mapping about to change is no longer known to be there: the whole leaf, which the next
 * check looks at again. */
static int forget_leaf(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct unrecord *u = v->arg;
	uint64_t size = gz_pgt_level_size(v->level);
	gz_pa_t pa;

	(void)flag; /* a valid leaf: the walk skips the others */
	u->start = GZ_MIN(u->start, v->addr);
	u->end = GZ_MAX(u->end, v->addr + size);
	gz_pgt_translate(v->pgt, v->addr, &pa, NULL, NULL);
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		int64_t k = gz_pgstate_index(pa + off);
		struct gz_mem_track_page *p = k < 0 ? NULL : &u->t->pages[k];

		if (p && p->mapper == u->owner && p->ipa == v->addr + off) {
			p->mapper = GZ_OWNER_NONE;
			u->t->mapped[u->owner]--;
		} else if (p && p->mapper2 == u->owner && p->ipa2 == v->addr + off) {
			p->mapper2 = GZ_OWNER_NONE;
			u->t->mapped[u->owner]--;
		}
	}
	return 0;
}

static void table_changes(struct gz_pgt *pgt, uint64_t ia, uint64_t size, void *arg)
{
	struct gz_mem_tracker *t = arg;
	struct unrecord u = {t, GZ_OWNER_NONE, ia, ia + size};
	struct gz_vm_mem *m;

	if (t->rebuild)
		return;
	if (pgt != &gz_mem_g.host_s2) {
		m = vm_of_pgt(t, pgt);
		if (!m) { /* a VM listed since the last check, or no VM's table at all */
			t->rebuild = true;
			return;
		}
		u.owner = m->owner;
		gz_pgt_walk(pgt, ia, ia + size, GZ_PGT_VISIT_LEAF | GZ_PGT_VISIT_VALID_ONLY,
			    forget_leaf, &u);
	}
	add_dirty(t, pgt, u.start, u.end);
}

/* ---- checks ------------------------------------------------------------------------------------
 */

struct look {
	struct gz_mem_tracker *t;
	struct gz_vm_mem *m; /* NULL: the host's stage 2 */
	uint64_t bad;
	bool failed;
};

static int fail(struct look *l, uint64_t addr)
{
	l->bad = addr;
	l->failed = true;
	return 1;
}

/* A mapping of the host's (every page of the leaf as the host may map it) or of a VM's (a
 * page it holds, mapped nowhere else: recorded). */
static int look_leaf(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct look *l = v->arg;
	uint64_t size = gz_pgt_level_size(v->level);
	uint32_t prot;
	gz_pa_t pa;

	(void)flag; /* a valid leaf: the walk skips the others */
	gz_pgt_translate(v->pgt, v->addr, &pa, &prot, NULL);
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		struct gz_mem_track_page *p;

		if (!l->m) {
			if (!gz_mem_host_may_map(pa + off, prot, size))
				return fail(l, v->addr + off);
			continue;
		}
		bool pair = gz_pgstate_state(pa + off) == GZ_PAGE_VM_SHARED;

		if (!gz_mem_held_by(l->m, pa + off) || (pair && (prot & GZ_PROT_X)))
			return fail(l, v->addr + off);
		p = &l->t->pages[gz_pgstate_index(pa + off)];
		if ((p->mapper == l->m->owner && p->ipa == v->addr + off) ||
		    (p->mapper2 == l->m->owner && p->ipa2 == v->addr + off))
			continue; /* seen in an earlier range of this check */
		if (p->mapper == GZ_OWNER_NONE) {
			p->mapper = l->m->owner;
			p->ipa = v->addr + off;
		} else if (pair && p->mapper2 == GZ_OWNER_NONE && p->mapper != l->m->owner) {
			/* a two-VM share: once in each of its two VMs */
			p->mapper2 = l->m->owner;
			p->ipa2 = v->addr + off;
		} else {
			return fail(l, v->addr + off); /* mapped twice */
		}
		l->t->mapped[l->m->owner]++;
	}
	return 0;
}

static bool look_range(struct look *l, struct gz_pgt *pgt, uint64_t start, uint64_t end)
{
	uint64_t top = 1ULL << pgt->ia_bits;

	if (start >= top)
		return true;
	gz_pgt_walk(pgt, start, GZ_MIN(end, top), GZ_PGT_VISIT_LEAF | GZ_PGT_VISIT_VALID_ONLY,
		    look_leaf, l);
	return !l->failed;
}

/* Store page @k at @pa changed: count it anew; a VM may hold it only if listed (and borrow it
 * only if normal), a live VM that maps it must still hold it, and the host's leaf over it
 * must still be one the host may have. */
static bool look_page(struct look *l, uint64_t k, gz_pa_t pa, gz_pa_t *leaf_end)
{
	struct gz_mem_tracker *t = l->t;
	struct gz_mem_track_page now = page_now(pa), *p = &t->pages[k];
	struct gz_vm_mem *m;
	unsigned level;
	uint64_t size;
	gz_pa_t base;

	count(t, p, -1);
	now.mapper = p->mapper;
	now.ipa = p->ipa;
	now.mapper2 = p->mapper2;
	now.ipa2 = p->ipa2;
	*p = now;
	count(t, p, 1);
	if (p->holder != GZ_OWNER_NONE) {
		m = vm_of_owner(t, p->holder);
		if (!m || (p->lent && m->kind != GZ_VM_NORMAL))
			return !fail(l, pa);
	}
	if (p->holder2 != GZ_OWNER_NONE && !vm_of_owner(t, p->holder2))
		return !fail(l, pa);
	for (unsigned i = 0; i < 2; i++) {
		gz_owner_t o = i ? p->mapper2 : p->mapper;

		m = o == GZ_OWNER_NONE ? NULL : vm_of_owner(t, o);
		if (m && m->state == GZ_VM_MEM_LIVE && !gz_mem_held_by(m, pa))
			return !fail(l, pa);
	}
	if (pa < *leaf_end || gz_pgt_translate(&gz_mem_g.host_s2, pa, NULL, NULL, &level))
		return true;
	size = gz_pgt_level_size(level);
	base = GZ_ALIGN_DOWN(pa, size);
	*leaf_end = base + size;
	l->m = NULL;
	return look_range(l, &gz_mem_g.host_s2, base, base + size);
}

/* Each listed VM's counters equal what it holds; a live one maps each such page (once); only
 * normal VMs borrow; no unlisted VM holds anything. */
static bool totals(struct look *l)
{
	struct gz_mem_tracker *t = l->t;
	uint64_t held = 0;

	for (unsigned i = 0; i < t->nr_vms; i++) {
		const struct gz_vm_mem *m = t->vms[i];
		gz_owner_t o = m->owner;

		if (t->owned[o] != m->owned_pages || t->lent[o] != m->lent_pages ||
		    t->shared[o] != m->shared_pages || t->peer[o] != m->peer_pages ||
		    (m->kind != GZ_VM_NORMAL && t->lent[o]) ||
		    (m->state != GZ_VM_MEM_LIVE && t->peer[o]) ||
		    (m->state == GZ_VM_MEM_LIVE &&
		     t->mapped[o] != t->owned[o] + t->lent[o] + t->peer[o]))
			return !fail(l, o);
		held += t->owned[o] + t->lent[o] + t->peer[o];
	}
	return held == t->vm_held || !fail(l, 0);
}

static void forget_all(struct gz_mem_tracker *t)
{
	gz_memset(t->owned, 0, sizeof(t->owned));
	gz_memset(t->lent, 0, sizeof(t->lent));
	gz_memset(t->shared, 0, sizeof(t->shared));
	gz_memset(t->mapped, 0, sizeof(t->mapped));
	gz_memset(t->peer, 0, sizeof(t->peer));
	t->vm_held = 0;
	for (uint64_t k = 0; k < t->nr_pages; k++)
		t->pages[k] = (struct gz_mem_track_page){.holder = GZ_OWNER_NONE,
							 .holder2 = GZ_OWNER_NONE,
							 .mapper = GZ_OWNER_NONE,
							 .mapper2 = GZ_OWNER_NONE};
}

static bool rebuild(struct look *l)
{
	struct gz_mem_tracker *t = l->t;
	gz_pa_t leaf_end = UINT64_MAX; /* the host's leaves: all looked at first */

	t->nr_pages = gz_pgstate_nr_pages();
	forget_all(t);
	for (unsigned i = 0; i < t->nr_vms; i++) {
		l->m = t->vms[i];
		if (l->m->state == GZ_VM_MEM_LIVE &&
		    !look_range(l, &l->m->s2, 0, 1ULL << l->m->s2.ia_bits))
			return false;
	}
	l->m = NULL;
	if (!look_range(l, &gz_mem_g.host_s2, 0, 1ULL << gz_mem_g.host_s2.ia_bits))
		return false;
	for (uint64_t k = 0; k < t->nr_pages; k++)
		if (!look_page(l, k, gz_pgstate_pa_at(k), &leaf_end))
			return false;
	t->rebuilds++;
	return true;
}

static bool incremental(struct look *l)
{
	struct gz_mem_tracker *t = l->t;

	/* Tables first, so that the pages below see the mappings as they are now. */
	for (unsigned i = 0; i < t->nr_dirty; i++) {
		struct gz_mem_track_range *r = &t->dirty[i];

		if (!r->pgt)
			continue;
		l->m = r->pgt == &gz_mem_g.host_s2 ? NULL : vm_of_pgt(t, r->pgt);
		if (l->m && (l->m->state != GZ_VM_MEM_LIVE || !r->pgt->root))
			continue; /* a dying VM's table is not looked at (as in the full check) */
		if (r->pgt != &gz_mem_g.host_s2 && !l->m)
			continue; /* a VM no longer listed: what it still holds shows below */
		if (!look_range(l, r->pgt, r->start, r->end))
			return false;
	}
	for (unsigned i = 0; i < t->nr_dirty; i++) {
		struct gz_mem_track_range *r = &t->dirty[i];
		gz_pa_t leaf_end = 0;

		if (r->pgt)
			continue;
		for (gz_pa_t pa = r->start; pa < r->end; pa += GZ_PAGE_SIZE)
			if (!look_page(l, (uint64_t)gz_pgstate_index(pa), pa, &leaf_end))
				return false;
	}
	t->dirty_seen += t->nr_dirty;
	return true;
}

int gz_mem_track_check(struct gz_mem_tracker *t, struct gz_vm_mem *const *vms, unsigned nr_vms,
		       uint64_t *bad_addr)
{
	struct look l = {.t = t};
	bool ok;

	if (nr_vms > GZ_MEM_CHECK_MAX_VMS)
		return GZ_ERR_INVALID_ARGS;
	if (gz_pgstate_nr_pages() > t->cap)
		return GZ_ERR_NO_MEMORY;
	gz_mem_lock();
	for (unsigned i = 0; i < nr_vms; i++)
		t->vms[i] = vms[i];
	t->nr_vms = nr_vms;
	t->checks++;
	ok = (t->rebuild ? rebuild(&l) : incremental(&l)) && totals(&l);
	t->nr_dirty = 0;
	/* After a failure what the tracker counted is not the state: start again next time. */
	t->rebuild = !ok;
	gz_mem_unlock();
	if (!ok && bad_addr)
		*bad_addr = l.bad;
	return ok ? GZ_OK : GZ_ERR_BAD_STATE;
}

int gz_mem_track_start(struct gz_mem_tracker *t, struct gz_mem_track_page *pages, uint64_t cap,
		       bool fresh)
{
	gz_memset(t, 0, sizeof(*t));
	t->pages = pages;
	t->cap = cap;
	t->nr_pages = cap;
	t->rebuild = !fresh;
	if (fresh)
		forget_all(t);
	gz_pgstate_set_observer(store_changed, t);
	gz_pgt_set_observer(table_changes, t);
	return GZ_OK;
}

void gz_mem_track_stop(struct gz_mem_tracker *t)
{
	(void)t;
	gz_pgstate_set_observer(NULL, NULL);
	gz_pgt_set_observer(NULL, NULL);
}
