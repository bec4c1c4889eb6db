/*
 * Guest memory transitions (gzhyp/mem.h): host -> guest lending (normal VMs) and donation
 * (protected VMs), lent -> donated when a VM becomes protected, guest share/unshare with the
 * host, relinquish, and reclaim on VM destroy. Each checks the whole request before it
 * changes anything; the only fallible step of an apply (a page-table change that needs
 * memory) comes first and rolls back by itself.
 */
#include <arm64/pte.h>
#include <gzhyp/atomic.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <hal.h>

#include "mem_priv.h"

int gz_vm_mem_init(struct gz_vm_mem *m, uint16_t vm_id, unsigned ipa_bits, uint16_t vmid)
{
	struct gz_pgt_mm_ops mm;
	int ret;

	if (!gz_mem_g.ready)
		return GZ_ERR_BAD_STATE;
	if (vm_id > GZ_PGSTATE_MAX_VM_ID || ipa_bits > gz_mem_g.pa_bits)
		return GZ_ERR_INVALID_ARGS;
	*m = (struct gz_vm_mem){0};
	m->vm_id = vm_id;
	m->owner = GZ_OWNER_VM(vm_id);
	gz_pool_acct_init(&m->pgt_acct, &gz_mem_g.pool);
	gz_pool_acct_init(&m->obj_acct, &gz_mem_g.pool);
	m->pgt_acct.quota = &m->quota;
	m->obj_acct.quota = &m->quota;
	gz_pool_mm_ops(&m->pgt_acct, &mm);
	gz_mem_lock();
	ret = gz_s2pt_init(&m->s2, ipa_bits, gz_mem_g.pa_bits, vmid, &mm);
	gz_mem_unlock();
	if (ret)
		return ret;
	m->state = GZ_VM_MEM_LIVE;
	return GZ_OK;
}

bool gz_mem_held_by(const struct gz_vm_mem *m, gz_pa_t pa)
{
	enum gz_page_state v = gz_pgstate_view(pa, m->owner);

	return v == GZ_PAGE_OWNED || v == GZ_PAGE_SHARED_OWNED || v == GZ_PAGE_BORROWED ||
	       v == GZ_PAGE_VM_SHARED || v == GZ_PAGE_VM_BORROWED;
}

/* A page lent to the VM becomes its own: the host loses its mapping (the VM's stays). */
static int lent_to_donated(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct gz_vm_mem *m = v->arg;
	uint64_t size = gz_pgt_level_size(v->level);
	gz_pa_t pa;

	(void)flag; /* a valid leaf: the walk skips the others */
	gz_pgt_translate(v->pgt, v->addr, &pa, NULL, NULL);
	pa = GZ_ALIGN_DOWN(pa, size);
	/* A channel's region stays what it is: it was never the host's to keep (its leaves map
	 * nothing else, gz_mem_host_give_pair maps it alone). */
	if (gz_pgstate_state(pa) == GZ_PAGE_VM_SHARED)
		return 0;
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		enum gz_page_state st = gz_pgstate_state(pa + off);

		if (gz_pgstate_lent_to(pa + off) != m->owner)
			gz_hal_panic("mem: a guest maps a page not lent to it");
		gz_host_s2_unmap(&gz_mem_g.host_s2, pa + off, 1);
		gz_pgstate_set(pa + off, 1, m->owner,
			       st == GZ_PAGE_LENT_SHARED ? GZ_PAGE_SHARED_OWNED : GZ_PAGE_OWNED);
	}
	m->lent_pages -= size >> GZ_PAGE_SHIFT;
	m->owned_pages += size >> GZ_PAGE_SHIFT;
	return 0;
}

int gz_vm_mem_set_protected(struct gz_vm_mem *m)
{
	int ret = GZ_OK;

	gz_mem_lock();
	if (m->state != GZ_VM_MEM_LIVE) {
		ret = GZ_ERR_NOT_ALLOWED;
	} else if (m->kind != GZ_VM_PROTECTED) {
		/* A normal VM maps only pages lent to it: each leaf of its stage-2 is one. */
		gz_pgt_walk(&m->s2, 0, 1ULL << m->s2.ia_bits,
			    GZ_PGT_VISIT_LEAF | GZ_PGT_VISIT_VALID_ONLY, lent_to_donated, m);
		m->kind = GZ_VM_PROTECTED;
	}
	gz_mem_unlock();
	return ret;
}

/* ---- host -> guest ------------------------------------------------------------------- */

/* Is @ipa mapped to exactly @pa (a page of the VM already)? */
static bool mapped_as(struct gz_vm_mem *m, gz_ipa_t ipa, gz_pa_t pa)
{
	gz_pa_t out;

	return gz_pgt_translate(&m->s2, ipa, &out, NULL, NULL) == GZ_OK && out == pa;
}

/* The first run that overlaps an earlier one (a page given twice would be mapped at two
 * IPAs), or @nr when none does. Runs in ascending order, as a block of pinned pages usually
 * comes, take one pass (each starts past the end of the one before, so past every earlier
 * one); others are compared pair by pair. */
static unsigned first_overlap(const struct gz_mem_run *runs, unsigned nr)
{
	unsigned i;

	for (i = 1; i < nr; i++)
		if (runs[i].pa < runs[i - 1].pa + (runs[i - 1].nr << GZ_PAGE_SHIFT))
			break;
	if (i >= nr)
		return nr;
	for (i = 1; i < nr; i++)
		for (unsigned j = 0; j < i; j++)
			if (runs[i].pa < runs[j].pa + (runs[j].nr << GZ_PAGE_SHIFT) &&
			    runs[j].pa < runs[i].pa + (runs[i].nr << GZ_PAGE_SHIFT))
				return i;
	return nr;
}

static int check_donation(struct gz_vm_mem *m, gz_ipa_t ipa, const struct gz_mem_run *runs,
			  unsigned nr_runs, bool idempotent, uint64_t *todo)
{
	uint64_t total = 0;
	unsigned twice;
	int ret;

	if (m->state != GZ_VM_MEM_LIVE)
		return GZ_ERR_NOT_ALLOWED;
	twice = first_overlap(runs, nr_runs);
	for (unsigned i = 0; i < nr_runs; i++) {
		ret = gz_mem_check_range(runs[i].pa, runs[i].nr, gz_mem_g.pa_bits);
		if (ret)
			return ret;
		if (!gz_pgstate_managed_range(runs[i].pa, runs[i].nr))
			return GZ_ERR_OUT_OF_RANGE;
		/* No overflow: at most GZ_MEM_MAX_RUNS runs of < 2^52 pages each. */
		total += runs[i].nr;
		if (i == twice)
			return GZ_ERR_INVALID_ARGS;
	}
	ret = gz_mem_check_range(ipa, total, m->s2.ia_bits);
	if (ret)
		return ret;
	*todo = 0;
	for (unsigned i = 0; i < nr_runs; i++) {
		for (uint64_t k = 0; k < runs[i].nr; k++, ipa += GZ_PAGE_SIZE) {
			gz_pa_t pa = runs[i].pa + (k << GZ_PAGE_SHIFT);

			if (idempotent && gz_mem_held_by(m, pa) && mapped_as(m, ipa, pa))
				continue;
			if (gz_pgstate_owner(pa) != GZ_OWNER_HOST)
				return GZ_ERR_ACCESS_DENIED;
			if (gz_pgstate_state(pa) != GZ_PAGE_OWNED)
				return GZ_ERR_BAD_STATE;
			if (!gz_hal_pa_to_va(pa))
				return GZ_ERR_OUT_OF_RANGE;
			if (gz_pgt_translate(&m->s2, ipa, NULL, NULL, NULL) == GZ_OK)
				return GZ_ERR_ALREADY_EXISTS;
			(*todo)++;
		}
	}
	return GZ_OK;
}

/* Apply @fn to every maximal stretch of pages of the request that still has to be given
 * (host OWNED; the check let through no other page but those the VM holds already), each
 * physically and IPA-contiguous. Stops at the first failure. */
typedef int (*stretch_fn)(struct gz_vm_mem *m, gz_ipa_t ipa, gz_pa_t pa, uint64_t nr);

static int for_each_stretch(struct gz_vm_mem *m, gz_ipa_t ipa, const struct gz_mem_run *runs,
			    unsigned nr_runs, stretch_fn fn, uint64_t *done)
{
	gz_ipa_t s_ipa = 0;
	gz_pa_t s_pa = 0;
	uint64_t s_nr = 0;
	int ret;

	*done = 0;
	for (unsigned i = 0; i < nr_runs; i++) {
		for (uint64_t k = 0; k < runs[i].nr; k++, ipa += GZ_PAGE_SIZE) {
			gz_pa_t pa = runs[i].pa + (k << GZ_PAGE_SHIFT);
			bool take = gz_pgstate_view(pa, GZ_OWNER_HOST) == GZ_PAGE_OWNED;

			/* IPAs are consecutive inside a stretch: any page not taken ends it. */
			if (take && s_nr && s_pa + (s_nr << GZ_PAGE_SHIFT) == pa) {
				s_nr++;
				continue;
			}
			if (s_nr) {
				ret = fn(m, s_ipa, s_pa, s_nr);
				if (ret)
					return ret;
				(*done)++;
			}
			s_nr = take;
			s_ipa = ipa;
			s_pa = pa;
		}
	}
	if (s_nr) {
		ret = fn(m, s_ipa, s_pa, s_nr);
		if (ret)
			return ret;
		(*done)++;
	}
	return GZ_OK;
}

static uint32_t map_prot; /* of the give in progress (under the lock) */

static int map_stretch(struct gz_vm_mem *m, gz_ipa_t ipa, gz_pa_t pa, uint64_t nr)
{
	return gz_pgt_map(&m->s2, ipa, pa, nr << GZ_PAGE_SHIFT, map_prot);
}

static uint64_t undo_budget;

/* Roll back the first undo_budget stretches a failed map pass mapped (their IPAs were free,
 * so unmapping them exactly never splits a block). */
static int unmap_stretch(struct gz_vm_mem *m, gz_ipa_t ipa, gz_pa_t pa, uint64_t nr)
{
	(void)pa;
	if (!undo_budget)
		return 1;
	undo_budget--;
	if (gz_pgt_unmap(&m->s2, ipa, nr << GZ_PAGE_SHIFT))
		gz_hal_panic("mem: rolling back a guest map failed");
	return GZ_OK;
}

/* Count the 2 MiB blocks the map of a stretch made: where IPA and PA are aligned alike, each
 * aligned 2 MiB the stretch covers whole was mapped by one block descriptor unless a table
 * was already there (a block split earlier stays split). */
static void count_blocks(struct gz_vm_mem *m, gz_ipa_t ipa, gz_pa_t pa, uint64_t nr)
{
	const uint64_t bsize = gz_pgt_level_size(2);
	gz_ipa_t end = ipa + (nr << GZ_PAGE_SHIFT);
	unsigned level;

	if ((ipa ^ pa) & (bsize - 1))
		return;
	for (gz_ipa_t b = GZ_ALIGN_UP(ipa, bsize); b + bsize <= end; b += bsize)
		if (gz_pgt_translate(&m->s2, b, NULL, NULL, &level) == GZ_OK && level == 2)
			m->s2_blocks++;
}

/* Lend (the host keeps its mapping) or donate (the host loses it) a mapped stretch. */
static int give_stretch(struct gz_vm_mem *m, gz_ipa_t ipa, gz_pa_t pa, uint64_t nr)
{
	if (nr >= GZ_PGT_ENTRIES)
		count_blocks(m, ipa, pa, nr);
	if (m->kind == GZ_VM_NORMAL) {
		gz_pgstate_set(pa, nr, m->owner, GZ_PAGE_LENT);
		m->lent_pages += nr;
		return GZ_OK;
	}
	gz_host_s2_unmap(&gz_mem_g.host_s2, pa, nr);
	gz_pgstate_set(pa, nr, m->owner, GZ_PAGE_OWNED);
	m->owned_pages += nr;
	return GZ_OK;
}

int gz_mem_give_runs(struct gz_vm_mem *m, gz_ipa_t ipa, const struct gz_mem_run *runs,
		     unsigned nr_runs, bool idempotent, uint32_t prot)
{
	uint64_t todo, mapped, n;
	int ret;

	ret = check_donation(m, ipa, runs, nr_runs, idempotent, &todo);
	if (ret || !todo)
		return ret;
	map_prot = prot;
	ret = for_each_stretch(m, ipa, runs, nr_runs, map_stretch, &mapped);
	if (ret) {
		undo_budget = mapped;
		for_each_stretch(m, ipa, runs, nr_runs, unmap_stretch, &n);
		return ret;
	}
	for_each_stretch(m, ipa, runs, nr_runs, give_stretch, &n);
	return GZ_OK;
}

int gz_mem_host_give_guest(struct gz_vm_mem *m, gz_pa_t pa, gz_ipa_t ipa, uint64_t nr)
{
	struct gz_mem_run run = {pa, nr};
	int ret;

	gz_mem_lock();
	ret = gz_mem_give_runs(m, ipa, &run, 1, false, GZ_MEM_GUEST_PROT);
	gz_mem_unlock();
	return ret;
}

int gz_mem_host_give_guest_pfns(struct gz_vm_mem *m, const uint64_t *pfns, gz_ipa_t ipa,
				uint64_t nr)
{
	struct gz_mem_run *runs = gz_mem_g.scratch.runs;
	unsigned nr_runs = 0;
	int ret = GZ_OK;

	if (!nr || nr > GZ_MEM_MAX_RUNS)
		return GZ_ERR_INVALID_ARGS;
	gz_mem_lock();
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t pfn = pfns[i];

		if (pfn > (UINT64_MAX >> GZ_PAGE_SHIFT)) {
			ret = GZ_ERR_INVALID_ARGS;
			break;
		}
		runs[nr_runs++] = (struct gz_mem_run){pfn << GZ_PAGE_SHIFT, 1};
	}
	if (!ret)
		ret = gz_mem_give_runs(m, ipa, runs, nr_runs, true, GZ_MEM_GUEST_PROT);
	gz_mem_unlock();
	return ret;
}

/* ---- guest -> host ------------------------------------------------------------------- */

/* Whether @st is a state in which the VM has shared the page with the host. */
static bool shared_state(enum gz_page_state st)
{
	return st == GZ_PAGE_SHARED_OWNED || st == GZ_PAGE_LENT_SHARED;
}

/* Translate [ipa, ipa + nr pages) into scratch runs, requiring every page to be the VM's (or
 * lent to it) and shared with the host or not as @shared says. */
static int collect_guest_pages(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr, bool shared,
			       unsigned *nr_runs)
{
	struct gz_mem_run *runs = gz_mem_g.scratch.runs;
	unsigned n = 0;
	int ret;

	ret = gz_mem_check_live_ipas(m, ipa, nr);
	if (ret)
		return ret;
	if (nr > GZ_MEM_MAX_RUNS)
		return GZ_ERR_INVALID_ARGS;
	for (uint64_t i = 0; i < nr; i++) {
		gz_pa_t pa;

		if (gz_pgt_translate(&m->s2, ipa + (i << GZ_PAGE_SHIFT), &pa, NULL, NULL))
			return GZ_ERR_NOT_FOUND;
		if (!gz_mem_held_by(m, pa))
			gz_hal_panic("mem: a guest maps a page it does not hold");
		/* A two-VM share is the channel's: neither VM shares, unshares or gives it back. */
		if (gz_pgstate_state(pa) == GZ_PAGE_VM_SHARED ||
		    shared_state(gz_pgstate_state(pa)) != shared)
			return GZ_ERR_BAD_STATE;
		runs[n++] = (struct gz_mem_run){pa, 1};
	}
	*nr_runs = n;
	return GZ_OK;
}

int gz_mem_guest_share_host(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr)
{
	unsigned n;
	int ret;

	gz_mem_lock();
	ret = collect_guest_pages(m, ipa, nr, false, &n);
	for (unsigned i = 0; !ret && i < n; i++) {
		gz_pa_t pa = gz_mem_g.scratch.runs[i].pa;

		/* A lent page is the host's already: only the VM's word is recorded. */
		gz_pgstate_set(pa, 1, m->owner,
			       gz_pgstate_state(pa) == GZ_PAGE_LENT ? GZ_PAGE_LENT_SHARED
								    : GZ_PAGE_SHARED_OWNED);
	}
	if (!ret)
		m->shared_pages += n;
	gz_mem_unlock();
	return ret;
}

int gz_mem_guest_unshare_host(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr)
{
	unsigned n;
	int ret;

	gz_mem_lock();
	ret = collect_guest_pages(m, ipa, nr, true, &n);
	for (unsigned i = 0; !ret && i < n; i++) {
		gz_pa_t pa = gz_mem_g.scratch.runs[i].pa;

		if (gz_pgstate_state(pa) == GZ_PAGE_LENT_SHARED) {
			gz_pgstate_set(pa, 1, m->owner, GZ_PAGE_LENT); /* the host keeps it */
			continue;
		}
		gz_host_s2_unmap(&gz_mem_g.host_s2, pa, 1);
		gz_pgstate_set(pa, 1, m->owner, GZ_PAGE_OWNED);
	}
	if (!ret)
		m->shared_pages -= n;
	gz_mem_unlock();
	return ret;
}

/* Give the VM's page @pa back to the host: it is no longer mapped in the VM. A donated page
 * the guest could write is scrubbed first. */
static void return_to_host(struct gz_vm_mem *m, gz_pa_t pa, bool scrub)
{
	enum gz_page_state st = gz_pgstate_state(pa);

	if (gz_page_state_is_lent(st)) {
		/* No scrub: the host could read it all along (gzhyp/mem.h). Its mapping of
		 * the page, if any, is already that of the owner. */
		m->shared_pages -= st == GZ_PAGE_LENT_SHARED;
		gz_pgstate_set(pa, 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
		m->lent_pages--;
		return;
	}
	if (st == GZ_PAGE_SHARED_OWNED) {
		/* The host may hold it as a borrower (RW); let it fault it back as owner. */
		gz_host_s2_unmap(&gz_mem_g.host_s2, pa, 1);
		m->shared_pages--;
	}
	if (scrub)
		gz_mem_scrub(pa, 1);
	gz_pgstate_set(pa, 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	gz_host_s2_regroup(&gz_mem_g.host_s2, pa);
	m->owned_pages--;
}

int gz_mem_guest_relinquish(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr)
{
	unsigned n;
	int ret;

	gz_mem_lock();
	ret = collect_guest_pages(m, ipa, nr, false, &n);
	if (!ret)
		ret = gz_pgt_unmap(&m->s2, ipa, nr << GZ_PAGE_SHIFT);
	/* The host unpins a page the guest gives back: a hold on its gfn (MAP_GUEST_AHEAD of a
	 * page another vCPU's fault mapped meanwhile) would give it to the guest again. */
	for (unsigned i = 0; !ret && i < GZ_MEMSLOT_AHEAD_PAGES; i++)
		if (m->ahead_gfn + i >= ipa >> GZ_PAGE_SHIFT &&
		    m->ahead_gfn + i < (ipa >> GZ_PAGE_SHIFT) + nr)
			m->ahead_pfn[i] = 0;
	for (unsigned i = 0; !ret && i < n; i++)
		return_to_host(m, gz_mem_g.scratch.runs[i].pa, true);
	gz_mem_unlock();
	return ret;
}

uint64_t gz_mem_reclaim_leaf(struct gz_vm_mem *m, gz_ipa_t ipa)
{
	unsigned level;
	uint64_t size;
	uint32_t prot;
	gz_pa_t pa;

	if (gz_pgt_translate(&m->s2, ipa, &pa, &prot, &level))
		return 0;
	size = gz_pgt_level_size(level);
	ipa = GZ_ALIGN_DOWN(ipa, size);
	pa = GZ_ALIGN_DOWN(pa, size);
	if (gz_pgt_unmap(&m->s2, ipa, size))
		gz_hal_panic("mem: unmapping a whole guest leaf failed");
	for (uint64_t off = 0; off < size; off += GZ_PAGE_SIZE) {
		if (!gz_mem_held_by(m, pa + off))
			gz_hal_panic("mem: a guest maps a page it does not hold");
		/* Read-only to the guest: it holds only what the host put there. */
		return_to_host(m, pa + off, (prot & GZ_PROT_W) != 0);
	}
	return size >> GZ_PAGE_SHIFT;
}

/* ---- VM destroy ---------------------------------------------------------------------- */

int gz_vm_mem_reclaim(struct gz_vm_mem *m, uint64_t max_pages)
{
	uint64_t total = gz_pgstate_nr_pages(), scanned = 0, done = 0;
	int ret = GZ_ERR_BUSY;

	if (!max_pages)
		max_pages = 1;
	gz_mem_lock();
	switch (m->state) {
	case GZ_VM_MEM_LIVE: {
		uint16_t vmid = gz_atomic_load(&m->s2.vmid);

		/* From here the VM never runs again: drop its tables and every TLB entry they
		 * left, so the pages below are mapped nowhere but possibly in the host. */
		gz_pgt_destroy(&m->s2);
		gz_hal_dsb();
		gz_hal_tlbi_vmid(vmid);
		gz_hal_dsb();
		for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++)
			m->slots[i].state = GZ_MEMSLOT_FREE;
		m->state = GZ_VM_MEM_DYING;
		m->reclaim_idx = 0;
		break;
	}
	case GZ_VM_MEM_DYING:
		break;
	case GZ_VM_MEM_DEAD:
		ret = GZ_OK;
		goto out;
	default:
		ret = GZ_ERR_BAD_STATE;
		goto out;
	}
	while (m->owned_pages + m->lent_pages && done < max_pages &&
	       scanned < GZ_MEM_RECLAIM_SCAN_MAX && m->reclaim_idx < total) {
		uint64_t limit =
		    GZ_MIN(total, m->reclaim_idx + (GZ_MEM_RECLAIM_SCAN_MAX - scanned));
		uint64_t idx = gz_pgstate_find_vm(m->owner, m->reclaim_idx, limit);

		/* the entries up to the page found (or the limit) are looked at */
		scanned += idx - m->reclaim_idx + (idx < limit);
		m->reclaim_idx = idx + (idx < limit);
		if (idx < limit) {
			return_to_host(m, gz_pgstate_pa_at(idx), true);
			done++;
		}
	}
	if (!m->owned_pages && !m->lent_pages) {
		m->state = GZ_VM_MEM_DEAD;
		ret = GZ_OK;
	} else if (m->reclaim_idx >= total) {
		gz_hal_panic("mem: VM page count does not match the store");
	}
out:
	gz_mem_unlock();
	return ret;
}
