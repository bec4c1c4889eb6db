/*
 * gzvm memslots of a VM (gzhyp/memslot.h): region registration (SET_MEMREGION), purposes,
 * demand paging (MAP_GUEST, MAP_GUEST_BLOCK, MAP_GUEST_AHEAD and the faults it serves), slot
 * deletion and the fault lookup. Every page
 * moves through the checked donation of mem_xfer.c; host-supplied lists are copied into the
 * scratch area once, under the memory lock, before they are checked.
 */
#include <uapi/linux/gzvm.h>
#include <arm64/pte.h>
#include <gzabi/hvc.h>
#include <gzhyp/hostmem.h>
#include <gzhyp/lib.h>
#include <gzabi/status.h>
#include <hal.h>

#include "mem_priv.h"

#define HDR_SIZE   sizeof(struct gzvm_memory_region_ranges)
#define RANGE_SIZE sizeof(struct mem_region_addr_range)

GZ_STATIC_ASSERT(GZ_MEMSLOT_MAX == 10, "GZVM_MAX_MEM_REGION");
GZ_STATIC_ASSERT(HDR_SIZE == 24 && RANGE_SIZE == 16, "v13 descriptor layout");
GZ_STATIC_ASSERT(GZVM_MEMREGION_MAX_CONSTITUENTS <= GZ_MEM_MAX_RUNS, "scratch size");
GZ_STATIC_ASSERT(GZ_MEMSLOT_AHEAD_PAGES == GZ_MAP_AHEAD_PAGES, "MAP_GUEST_AHEAD's x5..x7");

static uint64_t slot_end(const struct gz_memslot *s)
{
	return s->base + (s->npages << GZ_PAGE_SHIFT);
}

/* Can the host hand the hypervisor [pa, pa + len) to read? 0 or a status. */
static int host_readable(gz_pa_t pa, uint64_t len)
{
	gz_pa_t first = GZ_ALIGN_DOWN(pa, GZ_PAGE_SIZE), end;

	if (!gz_range_end(pa, len, &end)) /* len > 0 for every caller */
		return GZ_ERR_INVALID_ARGS;
	for (gz_pa_t p = first; p < end; p += GZ_PAGE_SIZE) {
		enum gz_page_state v = gz_pgstate_view(p, GZ_OWNER_HOST);

		if (!gz_pgstate_managed(p) || !gz_hal_pa_to_va(p))
			return GZ_ERR_OUT_OF_RANGE;
		if (v != GZ_PAGE_OWNED && v != GZ_PAGE_SHARED_OWNED)
			return GZ_ERR_ACCESS_DENIED;
	}
	return GZ_OK;
}

/* Copy @len bytes at host PA @pa (checked readable) through the fixmap. */
static void copy_from_host(void *dst, gz_pa_t pa, uint64_t len)
{
	if (gz_hostmem_read(dst, pa, len) != GZ_OK)
		gz_hal_panic("memslot: a checked host range could not be read");
}

/* What the guest may do with a slot's pages. */
static uint32_t slot_prot(uint32_t flags)
{
	return flags & GZVM_USER_MEM_REGION_READONLY ? GZ_MEM_GUEST_RO_PROT : GZ_MEM_GUEST_PROT;
}

static int check_ipa_range(const struct gz_vm_mem *m, gz_ipa_t gpa, uint64_t npages)
{
	return gz_mem_check_range(gpa, npages, m->s2.ia_bits);
}

int gz_memslot_purpose(struct gz_vm_mem *m, gz_ipa_t gpa, uint64_t size, uint32_t flags)
{
	struct gz_memslot_purpose *free_rec = NULL;
	int ret;

	gz_mem_lock();
	ret = m->state == GZ_VM_MEM_LIVE ? GZ_OK : GZ_ERR_NOT_ALLOWED;
	if (!ret && !GZ_IS_ALIGNED(size, GZ_PAGE_SIZE))
		ret = GZ_ERR_INVALID_ARGS;
	if (!ret)
		ret = check_ipa_range(m, gpa, size >> GZ_PAGE_SHIFT);
	if (ret)
		goto out;
	for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++) {
		struct gz_memslot *s = &m->slots[i];

		if (s->state == GZ_MEMSLOT_ACTIVE && s->base == gpa) {
			/* Read-only is fixed at creation: pages are already mapped with it. */
			if (s->npages != size >> GZ_PAGE_SHIFT ||
			    ((s->flags ^ flags) & GZVM_USER_MEM_REGION_READONLY))
				ret = GZ_ERR_INVALID_ARGS;
			else
				s->flags = flags;
			goto out;
		}
	}
	for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++) {
		struct gz_memslot_purpose *p = &m->purposes[i];

		if (p->used && p->gpa == gpa) {
			free_rec = p;
			break;
		}
		if (!p->used && !free_rec)
			free_rec = p;
	}
	if (!free_rec) {
		ret = GZ_ERR_NO_RESOURCES;
		goto out;
	}
	*free_rec = (struct gz_memslot_purpose){gpa, size, flags, true};
out:
	gz_mem_unlock();
	return ret;
}

/* Read and check the constituents into the scratch runs. */
static int read_constituents(const struct gzvm_memory_region_ranges *hdr, gz_pa_t buf_pa,
			     uint64_t buf_size)
{
	struct gz_mem_run *runs = gz_mem_g.scratch.runs;
	uint64_t sum = 0;

	if (!hdr->constituent_cnt || hdr->constituent_cnt > GZVM_MEMREGION_MAX_CONSTITUENTS ||
	    HDR_SIZE + (uint64_t)hdr->constituent_cnt * RANGE_SIZE > buf_size)
		return GZ_ERR_INVALID_ARGS;
	/* The descriptor's ranges have the layout of the runs' first 12 bytes plus reserved. */
	copy_from_host(runs, buf_pa + HDR_SIZE, (uint64_t)hdr->constituent_cnt * RANGE_SIZE);
	for (unsigned i = 0; i < hdr->constituent_cnt; i++) {
		struct mem_region_addr_range r;

		gz_memcpy(&r, &runs[i], sizeof(r));
		if (!r.pg_cnt || r.reserved || !GZ_IS_ALIGNED(r.address, GZ_PAGE_SIZE))
			return GZ_ERR_INVALID_ARGS;
		runs[i] = (struct gz_mem_run){r.address, r.pg_cnt};
		sum += r.pg_cnt;
	}
	return sum == hdr->total_pages ? GZ_OK : GZ_ERR_INVALID_ARGS;
}

static int delete_locked(struct gz_vm_mem *m, uint32_t slot, uint64_t max_pages);

int gz_memslot_set_region(struct gz_vm_mem *m, gz_pa_t buf_pa, uint64_t buf_size)
{
	struct gzvm_memory_region_ranges hdr;
	struct gz_memslot *s, next;
	struct gz_memslot_purpose *purpose = NULL;
	int ret;

	if (buf_size < HDR_SIZE || buf_size > GZVM_MEMREGION_BUF_SIZE)
		return GZ_ERR_INVALID_ARGS;
	gz_mem_lock();
	ret = m->state == GZ_VM_MEM_LIVE ? GZ_OK : GZ_ERR_NOT_ALLOWED;
	if (!ret)
		ret = host_readable(buf_pa, buf_size);
	if (ret)
		goto out;
	copy_from_host(&hdr, buf_pa, HDR_SIZE);
	if (hdr.slot >= GZ_MEMSLOT_MAX) {
		ret = GZ_ERR_INVALID_ARGS;
		goto out;
	}
	if (!hdr.total_pages) {
		ret = delete_locked(m, hdr.slot, GZ_MEMSLOT_DELETE_BATCH);
		goto out;
	}
	ret = check_ipa_range(m, hdr.gpa, hdr.total_pages);
	if (ret)
		goto out;
	s = &m->slots[hdr.slot];
	next = *s;
	switch (s->state) {
	case GZ_MEMSLOT_FREE:
		next = (struct gz_memslot){hdr.gpa, hdr.total_pages, 0, GZ_MEMSLOT_ACTIVE, 0};
		for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++)
			if (m->purposes[i].used && m->purposes[i].gpa == hdr.gpa)
				purpose = &m->purposes[i];
		if (purpose) {
			if (purpose->size >> GZ_PAGE_SHIFT < hdr.total_pages) {
				ret = GZ_ERR_INVALID_ARGS;
				goto out;
			}
			next.npages = purpose->size >> GZ_PAGE_SHIFT;
			next.flags = purpose->flags;
		}
		break;
	case GZ_MEMSLOT_ACTIVE:
		if (hdr.gpa == slot_end(s)) {
			next.npages += hdr.total_pages;
		} else if (hdr.gpa < s->base ||
			   hdr.gpa + (hdr.total_pages << GZ_PAGE_SHIFT) > slot_end(s)) {
			ret = GZ_ERR_ALREADY_EXISTS;
			goto out;
		}
		break;
	default:
		ret = GZ_ERR_NOT_ALLOWED;
		goto out;
	}
	if (gz_mem_ipa_taken(m, hdr.slot, next.base, next.npages)) {
		ret = GZ_ERR_ALREADY_EXISTS;
		goto out;
	}
	if (!m->demand_paging) {
		ret = read_constituents(&hdr, buf_pa, buf_size);
		if (!ret)
			ret = gz_mem_give_runs(m, hdr.gpa, gz_mem_g.scratch.runs,
					       hdr.constituent_cnt, false, slot_prot(next.flags));
		if (ret)
			goto out;
	}
	*s = next;
	if (purpose)
		purpose->used = false;
out:
	gz_mem_unlock();
	return ret;
}

int gz_memslot_enable_demand_paging(struct gz_vm_mem *m)
{
	int ret = GZ_OK;

	gz_mem_lock();
	if (m->state != GZ_VM_MEM_LIVE)
		ret = GZ_ERR_NOT_ALLOWED;
	for (unsigned i = 0; !ret && !m->demand_paging && i < GZ_MEMSLOT_MAX; i++)
		if (m->slots[i].state != GZ_MEMSLOT_FREE)
			ret = GZ_ERR_BAD_STATE;
	if (!ret)
		m->demand_paging = true;
	gz_mem_unlock();
	return ret;
}

int gz_memslot_set_block_buffer(struct gz_vm_mem *m, uint64_t block_size, gz_pa_t pfn_buf_pa)
{
	int ret;

	if (block_size != GZ_MEMSLOT_BLOCK_SIZE || !pfn_buf_pa ||
	    !GZ_IS_ALIGNED(pfn_buf_pa, GZ_PAGE_SIZE))
		return GZ_ERR_INVALID_ARGS;
	ret = gz_memslot_enable_demand_paging(m);
	if (ret)
		return ret;
	gz_mem_lock();
	ret = host_readable(pfn_buf_pa, GZ_PAGE_SIZE);
	if (!ret)
		m->pfn_buf_pa = pfn_buf_pa;
	gz_mem_unlock();
	return ret;
}

/* The slot for a demand-paging call and [gfn, gfn + nr) inside it: 0 or a status. */
static int check_map(struct gz_vm_mem *m, uint32_t slot, uint64_t gfn, uint64_t nr)
{
	const struct gz_memslot *s;
	uint64_t end;

	if (m->state != GZ_VM_MEM_LIVE)
		return GZ_ERR_NOT_ALLOWED;
	if (slot >= GZ_MEMSLOT_MAX || !nr || nr > GZ_MEMSLOT_MAP_GUEST_MAX)
		return GZ_ERR_INVALID_ARGS;
	s = &m->slots[slot];
	if (s->state == GZ_MEMSLOT_FREE)
		return GZ_ERR_NOT_FOUND;
	if (s->state != GZ_MEMSLOT_ACTIVE)
		return GZ_ERR_NOT_ALLOWED;
	if (!gz_range_end(gfn, nr, &end) || gfn < (s->base >> GZ_PAGE_SHIFT) ||
	    end > (slot_end(s) >> GZ_PAGE_SHIFT))
		return GZ_ERR_OUT_OF_RANGE;
	return GZ_OK;
}

int gz_memslot_map_guest(struct gz_vm_mem *m, uint32_t slot, uint64_t pfn, uint64_t gfn,
			 uint64_t nr)
{
	struct gz_mem_run run = {pfn << GZ_PAGE_SHIFT, nr};
	int ret;

	gz_mem_lock();
	ret = check_map(m, slot, gfn, nr);
	if (!ret && pfn > (UINT64_MAX >> GZ_PAGE_SHIFT))
		ret = GZ_ERR_INVALID_ARGS;
	if (!ret)
		ret = gz_mem_give_runs(m, gfn << GZ_PAGE_SHIFT, &run, 1, true,
				       slot_prot(m->slots[slot].flags));
	gz_mem_unlock();
	return ret;
}

int gz_memslot_map_guest_block(struct gz_vm_mem *m, uint32_t slot, uint64_t start_gfn, uint64_t nr)
{
	struct gz_mem_run *runs = gz_mem_g.scratch.runs;
	uint64_t *pfns = gz_mem_g.scratch.words + GZ_MEM_MAX_RUNS;
	int ret;

	gz_mem_lock();
	ret = check_map(m, slot, start_gfn, nr);
	if (!ret && !m->pfn_buf_pa)
		ret = GZ_ERR_BAD_STATE;
	if (!ret &&
	    start_gfn / GZ_MEMSLOT_BLOCK_PAGES != (start_gfn + nr - 1) / GZ_MEMSLOT_BLOCK_PAGES)
		ret = GZ_ERR_INVALID_ARGS;
	if (!ret)
		ret = host_readable(m->pfn_buf_pa, nr * sizeof(uint64_t));
	if (ret)
		goto out;
	/* The PFNs go to the upper half of the scratch and the runs are built from the bottom:
	 * run i (words 2i, 2i+1) only ever overwrites PFNs already read (index <= i). */
	copy_from_host(pfns, m->pfn_buf_pa, nr * sizeof(uint64_t));
	for (uint64_t i = 0; i < nr; i++) {
		if (pfns[i] > (UINT64_MAX >> GZ_PAGE_SHIFT)) {
			ret = GZ_ERR_INVALID_ARGS;
			goto out;
		}
	}
	for (uint64_t i = 0; i < nr; i++)
		runs[i] = (struct gz_mem_run){pfns[i] << GZ_PAGE_SHIFT, 1};
	ret = gz_mem_give_runs(m, start_gfn << GZ_PAGE_SHIFT, runs, (unsigned)nr, true,
			       slot_prot(m->slots[slot].flags));
out:
	gz_mem_unlock();
	return ret;
}

/* Drop every page the VM holds for its guest's first touch. */
static void ahead_drop(struct gz_vm_mem *m)
{
	for (unsigned i = 0; i < GZ_MEMSLOT_AHEAD_PAGES; i++)
		m->ahead_pfn[i] = 0;
}

int gz_memslot_map_ahead(struct gz_vm_mem *m, uint32_t slot, uint64_t gfn, const uint64_t *pfns,
			 unsigned nr)
{
	struct gz_mem_run run;
	const struct gz_memslot *s;
	uint64_t end;
	int ret;

	if (!nr || nr > 1 + GZ_MEMSLOT_AHEAD_PAGES)
		return GZ_ERR_INVALID_ARGS;
	for (unsigned i = 0; i < nr; i++)
		if (pfns[i] > (UINT64_MAX >> GZ_PAGE_SHIFT))
			return GZ_ERR_INVALID_ARGS;
	gz_mem_lock();
	ret = check_map(m, slot, gfn, 1);
	if (ret)
		goto out;
	run = (struct gz_mem_run){pfns[0] << GZ_PAGE_SHIFT, 1};
	s = &m->slots[slot];
	ret = gz_mem_give_runs(m, gfn << GZ_PAGE_SHIFT, &run, 1, true, slot_prot(s->flags));
	if (ret)
		goto out;
	ahead_drop(m);
	m->ahead_gfn = gfn + 1;
	m->ahead_slot = slot;
	end = slot_end(s) >> GZ_PAGE_SHIFT;
	/* A read-only slot's stores go to the VMM before its pages are mapped (exit.c). */
	for (unsigned i = 1; i < nr && !(s->flags & GZVM_USER_MEM_REGION_READONLY); i++)
		if (gfn + i < end &&
		    gz_pgt_translate(&m->s2, (gfn + i) << GZ_PAGE_SHIFT, NULL, NULL, NULL) != GZ_OK)
			m->ahead_pfn[i - 1] = pfns[i];
out:
	gz_mem_unlock();
	return ret;
}

int gz_memslot_fault_ahead(struct gz_vm_mem *m, gz_ipa_t ipa)
{
	uint64_t gfn = ipa >> GZ_PAGE_SHIFT, i = gfn - m->ahead_gfn;
	struct gz_mem_run run;
	int ret;

	gz_mem_lock();
	if (gfn < m->ahead_gfn || i >= GZ_MEMSLOT_AHEAD_PAGES || !m->ahead_pfn[i]) {
		ret = GZ_ERR_NOT_FOUND;
		goto out;
	}
	run = (struct gz_mem_run){m->ahead_pfn[i] << GZ_PAGE_SHIFT, 1};
	m->ahead_pfn[i] = 0;
	ret = check_map(m, m->ahead_slot, gfn, 1);
	if (!ret)
		ret = gz_mem_give_runs(m, gfn << GZ_PAGE_SHIFT, &run, 1, true,
				       slot_prot(m->slots[m->ahead_slot].flags));
out:
	gz_mem_unlock();
	return ret;
}

struct leaf_collect {
	uint64_t budget; /* pages */
	uint64_t pages;
	unsigned nr;
};

#define MAX_LEAVES (GZ_MEM_MAX_RUNS * 2)

/* Record valid leaves (their IPAs) until the page budget or the scratch is used up; the first
 * leaf is always taken so that every call makes progress. */
static int collect_leaf(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	struct leaf_collect *c = v->arg;
	uint64_t size = gz_pgt_level_size(v->level) >> GZ_PAGE_SHIFT;

	(void)flag;
	if (!(v->desc & ARCH_PTE_VALID)) /* the VMSA valid bit */
		return 0;
	if (c->nr && (c->pages + size > c->budget || c->nr == MAX_LEAVES))
		return 1;
	gz_mem_g.scratch.words[c->nr++] = v->addr;
	c->pages += size;
	return 0;
}

static int delete_locked(struct gz_vm_mem *m, uint32_t slot, uint64_t max_pages)
{
	struct gz_memslot *s;
	struct leaf_collect c = {.budget = max_pages ? max_pages : 1};
	int stopped;

	if (m->state != GZ_VM_MEM_LIVE)
		return GZ_ERR_NOT_ALLOWED;
	if (slot >= GZ_MEMSLOT_MAX)
		return GZ_ERR_INVALID_ARGS;
	s = &m->slots[slot];
	if (s->state == GZ_MEMSLOT_FREE)
		return GZ_ERR_NOT_FOUND;
	s->state = GZ_MEMSLOT_DELETING;
	/* The host takes the slot's pins back once it is gone: nothing of it may be held. */
	ahead_drop(m);
	stopped = gz_pgt_walk(&m->s2, s->base + s->cursor, slot_end(s), GZ_PGT_VISIT_LEAF,
			      collect_leaf, &c);
	for (unsigned i = 0; i < c.nr; i++) {
		gz_ipa_t ipa = gz_mem_g.scratch.words[i];
		uint64_t n = gz_mem_reclaim_leaf(m, ipa);

		s->cursor = ipa + (n << GZ_PAGE_SHIFT) - s->base;
	}
	if (stopped)
		return GZ_ERR_BUSY;
	*s = (struct gz_memslot){0};
	return GZ_OK;
}

int gz_memslot_delete(struct gz_vm_mem *m, uint32_t slot, uint64_t max_pages)
{
	int ret;

	gz_mem_lock();
	ret = delete_locked(m, slot, max_pages);
	gz_mem_unlock();
	return ret;
}

int gz_memslot_lookup(const struct gz_vm_mem *m, gz_ipa_t ipa)
{
	for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++) {
		const struct gz_memslot *s = &m->slots[i];

		if (s->state == GZ_MEMSLOT_ACTIVE && ipa >= s->base && ipa < slot_end(s))
			return (int)i;
	}
	return GZ_ERR_NOT_FOUND;
}

const struct gz_memslot *gz_memslot_get(const struct gz_vm_mem *m, uint32_t slot)
{
	if (slot >= GZ_MEMSLOT_MAX || m->slots[slot].state == GZ_MEMSLOT_FREE)
		return NULL;
	return &m->slots[slot];
}
