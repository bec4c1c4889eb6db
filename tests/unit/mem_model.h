/*
 * A reference model of memory ownership, driven by a byte stream: the unit test
 * test_mem_model.c feeds it pseudo-random sequences, fuzz/fuzz_mem.c feeds it libFuzzer's
 * input. Every operation of the checked API (host<->hyp donate/return/share/unshare, host
 * stage-2 faults, host->guest lending to normal VMs and donation to protected ones by run and
 * by page list, a normal VM made protected, guest share/unshare/relinquish, batched reclaim,
 * hypervisor pool use) is applied to the real module and to a plain model (page ->
 * owner/state/borrower, per-VM IPA -> page, VM -> kind). After every step the model must
 * match the store and each VM's stage-2 exactly, an operation must succeed exactly when the
 * model says it is legal (running out of table memory aside), a refused one must change
 * nothing, donated pages handed back to the host must be zero and lent ones must keep what
 * the guest wrote (they need no scrub), the host must have no mapping of a page donated to a
 * VM, and gz_mem_check_invariants must hold. At the end all VMs are destroyed and the pool
 * must be back at its baseline.
 * The comparison after a step looks only at what changed: the pages and IPAs the model
 * changed, and those the core changed, as the memory tracker (gzhyp/mem_track.h) saw them;
 * the tracker's incremental invariant check runs after every step, and every MM_FULL_EVERY
 * steps and at the end of the input everything is compared and gz_mem_check_invariants must
 * agree with it.
 * Header-only: each user is one executable.
 */
#ifndef MEM_MODEL_H
#define MEM_MODEL_H

#include <stdio.h>

#include <gzhyp/mem_track.h>

#include "mem_fixture.h"

#define MM_PAGES       1024 /* host pages FIX_PAGE(0 .. 1023), 4 MiB, 2 MiB aligned */
#define MM_IPAS	       1024 /* guest IPA pages 0 .. 2047 of each VM */
#define MM_VMS	       3
#define MM_HYPALLOC    1024 /* enough to drain the pool */
#define MM_NONE	       (-1)
#define MM_FULL_EVERY  32   /* steps between two full comparisons */
#define MM_TRACK_PAGES 2048 /* the store of the 8 MiB machine */
#define MM_CHUNK       64   /* entries compared at once when looking for the model's changes */
/* The hypervisor's working memory (store and pool); a user may take a smaller one. */
#ifndef MM_WORK_SIZE
#define MM_WORK_SIZE FIX_WORK_SIZE
#endif

struct mm_page {
	gz_owner_t owner;
	uint8_t state;
	gz_owner_t lent_to; /* the VM a lent page is lent to, GZ_OWNER_NONE otherwise */
	int16_t ipa;	    /* where its VM maps it, MM_NONE otherwise */
};

struct mm_vm {
	struct gz_vm_mem mem;
	int16_t map[MM_IPAS]; /* page index or MM_NONE */
	uint16_t id;
	uint8_t kind; /* enum gz_vm_kind the model expects */
};

struct mm {
	struct mm_page page[MM_PAGES];
	struct mm_vm vm[MM_VMS];
	struct gz_pool_acct hyp; /* the hypervisor's own objects */
	gz_pa_t hyp_pages[MM_HYPALLOC];
	unsigned nr_hyp_pages;
	struct gz_pool_stats baseline;
	/* the incremental check: the tracker, the model as the last check saw it, and what the
	 * next one looks at */
	struct gz_mem_tracker track;
	struct gz_mem_track_page track_pages[MM_TRACK_PAGES];
	struct mm_page prev_page[MM_PAGES];
	int16_t prev_map[MM_VMS][MM_IPAS];
	uint64_t prev_mapped[MM_VMS];
	uint8_t written[MM_PAGES];     /* pages the model wrote into (mm_dirty) */
	uint16_t snap[MM_TRACK_PAGES]; /* the store's raw entries before a step */
	bool donated;		       /* a page went to the hypervisor (op 0) */
	unsigned full_checks;
	bool cross_check; /* full comparisons every MM_FULL_EVERY steps and at the end */
	const uint8_t *in;
	size_t left;
	unsigned steps;
	char err[256];
};

static inline unsigned mm_get(struct mm *m, unsigned bytes)
{
	unsigned v = 0;

	while (bytes--) {
		v <<= 8;
		if (m->left) {
			v |= *m->in++;
			m->left--;
		}
	}
	return v;
}

static inline gz_pa_t mm_pa(unsigned idx)
{
	return FIX_PAGE(idx);
}

static inline int mm_idx(gz_pa_t pa)
{
	if (pa < FIX_PAGE(0) || pa >= FIX_PAGE(MM_PAGES))
		return MM_NONE;
	return (int)((pa - FIX_PAGE(0)) >> GZ_PAGE_SHIFT);
}

#define MM_FAIL(m, ...)                                                                            \
	do {                                                                                       \
		snprintf((m)->err, sizeof((m)->err), __VA_ARGS__);                                 \
		return false;                                                                      \
	} while (0)

/* A new VM with its id, protected or normal. */
static inline bool mm_vm_init(struct mm *m, unsigned v, bool protected_vm)
{
	struct mm_vm *vm = &m->vm[v];

	if (gz_vm_mem_init(&vm->mem, vm->id, 32, (uint16_t)(vm->id + 1)) != GZ_OK)
		MM_FAIL(m, "vm init");
	if (vm->mem.kind != GZ_VM_NORMAL)
		MM_FAIL(m, "a new VM is not normal");
	if (protected_vm && gz_vm_mem_set_protected(&vm->mem) != GZ_OK)
		MM_FAIL(m, "vm protect");
	vm->kind = protected_vm ? GZ_VM_PROTECTED : GZ_VM_NORMAL;
	for (unsigned i = 0; i < MM_IPAS; i++)
		vm->map[i] = MM_NONE;
	return true;
}

static inline bool mm_init(struct mm *m, const uint8_t *data, size_t size)
{
	memset(m, 0, sizeof(*m));
	m->in = data;
	m->left = size;
	/* Tracked from before the store exists, so no check has to read all of it. */
	gz_mem_track_start(&m->track, m->track_pages, MM_TRACK_PAGES, true);
	/* 8 MiB (the model's window ends there): a small store keeps the full checks cheap. */
	if (fix_init_phys(8ULL << 20, MM_WORK_SIZE) != GZ_OK)
		MM_FAIL(m, "init");
	gz_pool_get_stats(gz_mem_pool(), &m->baseline);
	gz_pool_acct_init(&m->hyp, gz_mem_pool());
	for (unsigned i = 0; i < MM_PAGES; i++)
		m->page[i] = (struct mm_page){GZ_OWNER_HOST, GZ_PAGE_OWNED, GZ_OWNER_NONE, MM_NONE};
	/* Both kinds from the start (VM 1 protected); re-created VMs take the input's. */
	for (unsigned v = 0; v < MM_VMS; v++) {
		m->vm[v].id = (uint16_t)(v + 1);
		if (!mm_vm_init(m, v, v == 1))
			return false;
		memcpy(m->prev_map[v], m->vm[v].map, sizeof(m->vm[v].map));
	}
	/* The first check looks at what changed from here (the tracker saw the set-up). */
	memcpy(m->prev_page, m->page, sizeof(m->page));
	return true;
}

/* ---- comparing the model with the real thing ----------------------------------------- */

static inline bool mm_check_page(struct mm *m, unsigned i)
{
	gz_pa_t pa = mm_pa(i);

	if (gz_pgstate_owner(pa) != m->page[i].owner || gz_pgstate_state(pa) != m->page[i].state ||
	    gz_pgstate_lent_to(pa) != m->page[i].lent_to)
		MM_FAIL(m, "page %u: store %u/%u/%u, model %u/%u/%u", i, gz_pgstate_owner(pa),
			gz_pgstate_state(pa), gz_pgstate_lent_to(pa), m->page[i].owner,
			m->page[i].state, m->page[i].lent_to);
	/* The host can never reach a page a VM owns (it borrows a shared one only). */
	if (GZ_OWNER_IS_VM(m->page[i].owner) && m->page[i].state == GZ_PAGE_OWNED &&
	    fix_host_mapped(pa))
		MM_FAIL(m, "page %u: the host maps a page VM %u owns", i, m->page[i].owner);
	return true;
}

/* The model's mapping of IPA page @i of VM @v is the stage-2's. */
static inline bool mm_check_ipa(struct mm *m, unsigned v, unsigned i)
{
	struct mm_vm *vm = &m->vm[v];
	gz_pa_t pa = 0;
	int ret;

	if (vm->mem.state != GZ_VM_MEM_LIVE)
		return true;
	ret = gz_pgt_translate(&vm->mem.s2, (gz_ipa_t)i << GZ_PAGE_SHIFT, &pa, NULL, NULL);
	if (vm->map[i] == MM_NONE ? ret != GZ_ERR_NOT_FOUND
				  : ret != GZ_OK || pa != mm_pa(vm->map[i]))
		MM_FAIL(m, "vm %u ipa page %u: %d 0x%llx, model %d", v, i, ret,
			(unsigned long long)pa, vm->map[i]);
	return true;
}

/* @a and @b hold the same @n bytes (a multiple of 8): a word at a time, with none of the
 * sanitizers' interception of memcmp (it was a tenth of fuzz_mem's time). */
static inline bool mm_same(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t u, w;

		memcpy(&u, x + i, 8);
		memcpy(&w, y + i, 8);
		if (u != w)
			return false;
	}
	return true;
}

/* The window's indices [*lo, *hi) that [start, end) (PAs from @base, or IPAs) touches. */
static inline void mm_span(uint64_t base, uint64_t start, uint64_t end, unsigned max, unsigned *lo,
			   unsigned *hi)
{
	uint64_t l = start > base ? (start - base) >> GZ_PAGE_SHIFT : 0;
	uint64_t h = end > base ? (end - base + GZ_PAGE_SIZE - 1) >> GZ_PAGE_SHIFT : 0;

	*lo = (unsigned)GZ_MIN(l, (uint64_t)max);
	*hi = (unsigned)GZ_MIN(h, (uint64_t)max);
}

static inline bool mm_invariants(struct mm *m, bool full)
{
	struct gz_vm_mem *vms[MM_VMS];
	uint64_t bad = 0;

	for (unsigned v = 0; v < MM_VMS; v++)
		vms[v] = &m->vm[v].mem;
	if (gz_mem_track_check(&m->track, vms, MM_VMS, &bad) != GZ_OK)
		MM_FAIL(m, "invariant broken at 0x%llx (incremental check)",
			(unsigned long long)bad);
	if (full && gz_mem_check_invariants(vms, MM_VMS, &bad) != GZ_OK)
		MM_FAIL(m, "invariant broken at 0x%llx (full check; the incremental one passed)",
			(unsigned long long)bad);
	return true;
}

/* Compare the model with the store and each VM's stage-2: what changed since the last
 * check (the model's changes and the core's, as the tracker saw them), or, every
 * MM_FULL_EVERY steps of a cross-checked run, when the tracker lost track and when @full,
 * everything. */
static inline bool mm_check_full(struct mm *m, bool full)
{
	const struct gz_mem_tracker *t = &m->track;
	unsigned lo, hi;

	full = full || t->rebuild || (m->cross_check && m->steps % MM_FULL_EVERY == 0);
	/* What the core changed, as the tracker saw it: store entries and host mappings (pages
	 * of the window), a VM's stage 2 (its IPAs). */
	for (unsigned r = 0; !full && r < t->nr_dirty; r++) {
		const struct gz_mem_track_range *d = &t->dirty[r];

		if (!d->pgt || d->pgt == gz_mem_host_s2()) {
			mm_span(mm_pa(0), d->start, d->end, MM_PAGES, &lo, &hi);
			for (unsigned i = lo; i < hi; i++)
				if (!mm_check_page(m, i))
					return false;
		}
		for (unsigned v = 0; v < MM_VMS; v++) {
			if (d->pgt != &m->vm[v].mem.s2)
				continue;
			mm_span(0, d->start, d->end, MM_IPAS, &lo, &hi);
			for (unsigned i = lo; i < hi; i++)
				if (!mm_check_ipa(m, v, i))
					return false;
		}
	}
	/* What the model changed: the entries that differ from the last check's copy, found a
	 * chunk at a time. */
	for (unsigned c = 0; c < MM_PAGES; c += MM_CHUNK) {
		if (!full && mm_same(&m->page[c], &m->prev_page[c], MM_CHUNK * sizeof(m->page[0])))
			continue;
		for (unsigned i = c; i < c + MM_CHUNK; i++) {
			const struct mm_page *a = &m->page[i], *b = &m->prev_page[i];

			if ((full || a->owner != b->owner || a->state != b->state ||
			     a->lent_to != b->lent_to || a->ipa != b->ipa) &&
			    !mm_check_page(m, i))
				return false;
		}
	}
	/* The model's mappings are the stage-2's, and there are no others: the invariant
	 * check below proves a live VM maps exactly owned_pages + lent_pages pages. */
	for (unsigned v = 0; v < MM_VMS; v++) {
		struct mm_vm *vm = &m->vm[v];
		uint64_t mapped = full ? 0 : m->prev_mapped[v];

		for (unsigned c = 0; c < MM_IPAS; c += MM_CHUNK) {
			if (!full &&
			    mm_same(&vm->map[c], &m->prev_map[v][c], MM_CHUNK * sizeof(vm->map[0])))
				continue;
			for (unsigned i = c; i < c + MM_CHUNK; i++) {
				int16_t was = full ? MM_NONE : m->prev_map[v][i];

				if (vm->map[i] == was)
					continue;
				mapped += (vm->map[i] != MM_NONE) - (was != MM_NONE);
				/* in full, the mapped ones (the count proves there are no others)
				 */
				if (!mm_check_ipa(m, v, i))
					return false;
			}
		}
		if (mapped != vm->mem.owned_pages + vm->mem.lent_pages)
			MM_FAIL(m, "vm %u holds %llu + %llu pages, model %llu", v,
				(unsigned long long)vm->mem.owned_pages,
				(unsigned long long)vm->mem.lent_pages, (unsigned long long)mapped);
		if (vm->mem.kind != vm->kind)
			MM_FAIL(m, "vm %u kind %u, model %u", v, vm->mem.kind, vm->kind);
		m->prev_mapped[v] = mapped;
		memcpy(m->prev_map[v], vm->map, sizeof(vm->map));
	}
	memcpy(m->prev_page, m->page, sizeof(m->page));
	m->full_checks += full;
	if (!mm_invariants(m, full))
		return false;
	if (fake_hal_locks_held())
		MM_FAIL(m, "lock held");
	return true;
}

static inline bool mm_check(struct mm *m)
{
	return mm_check_full(m, false);
}

/* An operation the model calls legal must succeed (table memory aside); an illegal one must
 * fail and leave the store as it was. */
static inline bool mm_expect(struct mm *m, const char *what, bool legal, int ret, const void *snap,
			     size_t bytes)
{
	if (legal && ret != GZ_OK && ret != GZ_ERR_NO_MEMORY)
		MM_FAIL(m, "%s: legal but %d", what, ret);
	if (!legal && ret == GZ_OK)
		MM_FAIL(m, "%s: illegal but accepted", what);
	if (ret != GZ_OK && !fix_same_as(snap, bytes))
		MM_FAIL(m, "%s: refused (%d) but the store changed", what, ret);
	return true;
}

/* ---- the operations ------------------------------------------------------------------- */

static inline bool mm_pages_are(struct mm *m, unsigned p, unsigned n, gz_owner_t o, uint8_t st)
{
	for (unsigned i = p; i < p + n; i++)
		if (i >= MM_PAGES || m->page[i].owner != o || m->page[i].state != st)
			return false;
	return true;
}

static inline void mm_set(struct mm *m, unsigned p, unsigned n, gz_owner_t o, uint8_t st)
{
	for (unsigned i = p; i < p + n; i++) {
		m->page[i].owner = o;
		m->page[i].state = st;
		m->page[i].lent_to = GZ_OWNER_NONE;
	}
}

/* What the host's pages become in @vm: lent to a normal VM, the VM's own in a protected
 * one. */
static inline void mm_give(struct mm *m, unsigned p, unsigned n, const struct mm_vm *vm)
{
	if (vm->kind == GZ_VM_PROTECTED) {
		mm_set(m, p, n, vm->mem.owner, GZ_PAGE_OWNED);
		return;
	}
	mm_set(m, p, n, GZ_OWNER_HOST, GZ_PAGE_LENT);
	for (unsigned i = p; i < p + n; i++)
		m->page[i].lent_to = vm->mem.owner;
}

/* Does @vm hold page @p (its own or lent to it)? */
static inline bool mm_held(const struct mm *m, unsigned p, const struct mm_vm *vm)
{
	return m->page[p].owner == vm->mem.owner || m->page[p].lent_to == vm->mem.owner;
}

static inline bool mm_shared_state(uint8_t st)
{
	return st == GZ_PAGE_SHARED_OWNED || st == GZ_PAGE_LENT_SHARED;
}

/* The guest writes into its pages, so that a missing scrub shows. */
static inline void mm_dirty(struct mm *m, unsigned p, unsigned n)
{
	for (unsigned i = p; i < p + n; i++) {
		memset(gz_hal_pa_to_va(mm_pa(i)), 0xa0 + (i & 0xf), 64);
		m->written[i] = 1;
	}
}

/* Page @p is back at the host: zero if it was donated, as the guest left it if it was lent
 * (the host could read it all along: no scrub). */
static inline bool mm_returned(struct mm *m, unsigned p)
{
	const uint8_t *va = gz_hal_pa_to_va(mm_pa(p));

	if (m->page[p].lent_to == GZ_OWNER_NONE && !fix_is_zero(mm_pa(p)))
		MM_FAIL(m, "page %u back at the host unscrubbed", p);
	if (m->page[p].lent_to != GZ_OWNER_NONE && va[0] != 0xa0 + (p & 0xf))
		MM_FAIL(m, "lent page %u back at the host changed (%#x)", p, va[0]);
	m->page[p] = (struct mm_page){GZ_OWNER_HOST, GZ_PAGE_OWNED, GZ_OWNER_NONE, MM_NONE};
	return true;
}

static inline unsigned mm_count(unsigned v, unsigned max)
{
	return max ? v % max + 1 : 1;
}

static inline bool mm_step(struct mm *m)
{
	/* Weighted so that guests get and use memory more often than they die. */
	static const uint8_t ops[] = {0, 1, 2, 3, 4,  4,  4,  5,  6,  6,  7,  7, 7,
				      8, 8, 9, 9, 10, 10, 11, 12, 13, 14, 15, 16};
	unsigned op = ops[mm_get(m, 1) % sizeof(ops)];
	unsigned v = mm_get(m, 1) % MM_VMS;
	unsigned p = mm_get(m, 2) % MM_PAGES;
	unsigned n = mm_count(mm_get(m, 1), 8);
	unsigned ipa = mm_get(m, 2) % MM_IPAS;
	struct mm_vm *vm;
	bool live;
	size_t bytes;
	const void *raw = gz_pgstate_raw(&bytes);
	void *snap = m->snap;
	bool ok = true, legal;
	int ret;

	if (bytes > sizeof(m->snap))
		MM_FAIL(m, "a store of %zu bytes", bytes);
	memcpy(snap, raw, bytes);
	/* Guest calls mostly aim at IPAs the VM has mapped (unshare: shared ones); random ones
	 * rarely would. */
	if (op >= 7 && op <= 9 && (n & 1)) {
		unsigned cnt = 0, k = 0;

		for (int pass = 0; pass < 2; pass++) {
			for (unsigned i = 0; i < MM_IPAS; i++) {
				int pg = m->vm[v].map[i];
				bool hit = pg != MM_NONE &&
					   (op != 8 || mm_shared_state(m->page[pg].state));

				if (hit && pass == 1 && k-- == 0) {
					ipa = i;
					break;
				}
				cnt += hit && pass == 0;
			}
			if (!cnt)
				break;
			k = ipa % cnt;
		}
		n = (n >> 1) % 3 + 1;
	}
	/* Keep ranges inside the model's window (pages outside it are not modelled). */
	n = GZ_MIN(n, MM_PAGES - p);
	n = GZ_MIN(n, MM_IPAS - ipa);
	vm = &m->vm[v];
	live = vm->mem.state == GZ_VM_MEM_LIVE;
	m->steps++;
	switch (op) {
	case 0: /* host -> hyp */
		legal = mm_pages_are(m, p, n, GZ_OWNER_HOST, GZ_PAGE_OWNED);
		ret = gz_mem_host_donate_hyp(mm_pa(p), n);
		ok = mm_expect(m, "donate_hyp", legal, ret, snap, bytes);
		if (ok && !ret) {
			mm_set(m, p, n, GZ_OWNER_HYP, GZ_PAGE_DONATED);
			m->donated = true;
		}
		break;
	case 1: { /* hyp -> host */
		uint64_t got = 0, seen = 0;

		ret = gz_mem_hyp_return_host(n, &got);
		for (unsigned i = 0; ok && i < MM_PAGES; i++) {
			if (m->page[i].owner == GZ_OWNER_HYP &&
			    gz_pgstate_owner(mm_pa(i)) == GZ_OWNER_HOST) {
				for (unsigned k = 0; k < m->nr_hyp_pages; k++)
					if (m->hyp_pages[k] == mm_pa(i)) {
						snprintf(m->err, sizeof(m->err),
							 "in-use page %u returned", i);
						ok = false;
					}
				ok = ok && mm_returned(m, i);
				seen++;
			}
		}
		if (ok && (ret != GZ_OK || got != seen || got > n)) {
			snprintf(m->err, sizeof(m->err), "return_host %d %llu/%llu", ret,
				 (unsigned long long)got, (unsigned long long)seen);
			ok = false;
		}
		break;
	}
	case 2: /* host shares with hyp */
		legal = mm_pages_are(m, p, n, GZ_OWNER_HOST, GZ_PAGE_OWNED);
		ret = gz_mem_host_share_hyp(mm_pa(p), n);
		ok = mm_expect(m, "share_hyp", legal, ret, snap, bytes);
		if (ok && !ret)
			mm_set(m, p, n, GZ_OWNER_HOST, GZ_PAGE_SHARED_OWNED);
		break;
	case 3:
		legal = mm_pages_are(m, p, n, GZ_OWNER_HOST, GZ_PAGE_SHARED_OWNED);
		ret = gz_mem_host_unshare_hyp(mm_pa(p), n);
		ok = mm_expect(m, "unshare_hyp", legal, ret, snap, bytes);
		if (ok && !ret)
			mm_set(m, p, n, GZ_OWNER_HOST, GZ_PAGE_OWNED);
		break;
	case 4: /* host -> guest, one run (sometimes a whole aligned 2 MiB block) */
	case 5: {
		if (op == 5) {
			p &= ~511u;
			ipa &= ~511u;
			n = 512;
		}
		legal = live && mm_pages_are(m, p, n, GZ_OWNER_HOST, GZ_PAGE_OWNED) &&
			ipa + n <= MM_IPAS;
		for (unsigned i = 0; legal && i < n; i++)
			legal = vm->map[ipa + i] == MM_NONE;
		ret = ipa + n <= MM_IPAS ? gz_mem_host_give_guest(&vm->mem, mm_pa(p),
								  (gz_ipa_t)ipa << GZ_PAGE_SHIFT, n)
					 : GZ_ERR_OUT_OF_RANGE;
		ok = mm_expect(m, "give_guest", legal, ret, snap, bytes);
		if (ok && !ret) {
			mm_give(m, p, n, vm);
			for (unsigned i = 0; i < n; i++) {
				vm->map[ipa + i] = (int16_t)(p + i);
				m->page[p + i].ipa = (int16_t)(ipa + i);
			}
			mm_dirty(m, p, n);
		}
		break;
	}
	case 6: { /* host -> guest, page list (demand paging; re-faults allowed) */
		uint64_t pfns[8];
		unsigned list[8];

		legal = live && ipa + n <= MM_IPAS;
		for (unsigned i = 0; i < n; i++) {
			list[i] = mm_get(m, 2) % MM_PAGES;
			pfns[i] = mm_pa(list[i]) >> GZ_PAGE_SHIFT;
			for (unsigned k = 0; k < i; k++)
				legal = legal && list[k] != list[i];
		}
		for (unsigned i = 0; legal && i < n; i++) {
			struct mm_page *pg = &m->page[list[i]];
			bool done = mm_held(m, list[i], vm) && pg->ipa == (int)(ipa + i);

			legal = done || (pg->owner == GZ_OWNER_HOST && pg->state == GZ_PAGE_OWNED &&
					 vm->map[ipa + i] == MM_NONE);
		}
		ret = ipa + n <= MM_IPAS ? gz_mem_host_give_guest_pfns(
					       &vm->mem, pfns, (gz_ipa_t)ipa << GZ_PAGE_SHIFT, n)
					 : GZ_ERR_OUT_OF_RANGE;
		ok = mm_expect(m, "give_pfns", legal, ret, snap, bytes);
		if (ok && !ret) {
			for (unsigned i = 0; i < n; i++) {
				if (mm_held(m, list[i], vm))
					continue;
				mm_give(m, list[i], 1, vm);
				vm->map[ipa + i] = (int16_t)list[i];
				m->page[list[i]].ipa = (int16_t)(ipa + i);
				mm_dirty(m, list[i], 1);
			}
		}
		break;
	}
	case 7:			     /* guest shares with the host */
	case 8:			     /* guest unshares */
	case 9: {		     /* guest relinquishes */
		bool want = op == 8; /* shared with the host */

		legal = live && ipa + n <= MM_IPAS;
		for (unsigned i = 0; legal && i < n; i++)
			legal = vm->map[ipa + i] != MM_NONE &&
				mm_shared_state(m->page[vm->map[ipa + i]].state) == want;
		if (ipa + n > MM_IPAS)
			ret = GZ_ERR_OUT_OF_RANGE;
		else if (op == 7)
			ret = gz_mem_guest_share_host(&vm->mem, (gz_ipa_t)ipa << GZ_PAGE_SHIFT, n);
		else if (op == 8)
			ret =
			    gz_mem_guest_unshare_host(&vm->mem, (gz_ipa_t)ipa << GZ_PAGE_SHIFT, n);
		else
			ret = gz_mem_guest_relinquish(&vm->mem, (gz_ipa_t)ipa << GZ_PAGE_SHIFT, n);
		ok = mm_expect(m,
			       op == 7	 ? "share"
			       : op == 8 ? "unshare"
					 : "relinquish",
			       legal, ret, snap, bytes);
		for (unsigned i = 0; ok && !ret && i < n; i++) {
			unsigned pg = (unsigned)vm->map[ipa + i];

			if (op == 9) {
				vm->map[ipa + i] = MM_NONE;
				ok = mm_returned(m, pg);
			} else if (m->page[pg].lent_to != GZ_OWNER_NONE) {
				m->page[pg].state = op == 7 ? GZ_PAGE_LENT_SHARED : GZ_PAGE_LENT;
			} else {
				m->page[pg].state = op == 7 ? GZ_PAGE_SHARED_OWNED : GZ_PAGE_OWNED;
			}
		}
		break;
	}
	case 10: { /* the host touches a page */
		enum gz_page_state view = gz_pgstate_view(mm_pa(p), GZ_OWNER_HOST);

		legal = view == GZ_PAGE_OWNED || view == GZ_PAGE_SHARED_OWNED ||
			view == GZ_PAGE_SHARED_BORROWED || view == GZ_PAGE_LENT ||
			view == GZ_PAGE_LENT_SHARED;
		ret = gz_host_s2_handle_fault(mm_pa(p) + (mm_get(m, 2) & 0xfff));
		ok = mm_expect(m, "host_fault", legal, ret, snap, bytes);
		if (ok && !ret && !fix_host_mapped(mm_pa(p))) {
			snprintf(m->err, sizeof(m->err), "fault did not map page %u", p);
			ok = false;
		}
		break;
	}
	case 11: { /* destroy a VM in batches of n pages, then make a new one with its id */
		uint64_t before;

		do {
			before = vm->mem.owned_pages;
			ret = gz_vm_mem_reclaim(&vm->mem, n);
			if (before - vm->mem.owned_pages > n) {
				snprintf(m->err, sizeof(m->err), "reclaim did %llu > %u pages",
					 (unsigned long long)(before - vm->mem.owned_pages), n);
				ok = false;
			} else if (!mm_invariants(m, false)) {
				snprintf(m->err, sizeof(m->err), "invariants broken mid-destroy");
				ok = false;
			}
		} while (ok && ret == GZ_ERR_BUSY);
		if (ok && ret != GZ_OK) {
			snprintf(m->err, sizeof(m->err), "reclaim %d", ret);
			ok = false;
		}
		for (unsigned i = 0; i < MM_IPAS; i++)
			vm->map[i] = MM_NONE;
		for (unsigned i = 0; ok && i < MM_PAGES; i++)
			if (mm_held(m, i, vm))
				ok = mm_returned(m, i);
		if (ok && (vm->mem.owned_pages || vm->mem.lent_pages || vm->mem.pgt_acct.pages)) {
			snprintf(m->err, sizeof(m->err), "reclaim done with pages left");
			ok = false;
		}
		if (ok)
			ok = mm_vm_init(m, v, ipa & 1);
		break;
	}
	case 12: /* the hypervisor allocates an object */
		if (m->nr_hyp_pages < MM_HYPALLOC &&
		    gz_pool_alloc(&m->hyp, &m->hyp_pages[m->nr_hyp_pages]) == GZ_OK)
			m->nr_hyp_pages++;
		break;
	case 13: /* ... and frees one */
		if (m->nr_hyp_pages) {
			unsigned k = p % m->nr_hyp_pages;

			gz_pool_free(&m->hyp, m->hyp_pages[k]);
			m->hyp_pages[k] = m->hyp_pages[--m->nr_hyp_pages];
		}
		break;
	case 14: /* the pool runs dry: table allocations fail from now on */
		while (m->nr_hyp_pages < MM_HYPALLOC &&
		       gz_pool_alloc(&m->hyp, &m->hyp_pages[m->nr_hyp_pages]) == GZ_OK)
			m->nr_hyp_pages++;
		break;
	case 15: /* ... and is refilled */
		while (m->nr_hyp_pages)
			gz_pool_free(&m->hyp, m->hyp_pages[--m->nr_hyp_pages]);
		break;
	default: /* a normal VM becomes protected: what it borrows becomes its own */
		ret = gz_vm_mem_set_protected(&vm->mem);
		if ((ret == GZ_OK) != live) {
			snprintf(m->err, sizeof(m->err), "set_protected %d on a %s VM", ret,
				 live ? "live" : "dead");
			ok = false;
		}
		for (unsigned i = 0; ok && !ret && i < MM_PAGES; i++) {
			if (m->page[i].lent_to != vm->mem.owner)
				continue;
			m->page[i].owner = vm->mem.owner;
			m->page[i].state = m->page[i].state == GZ_PAGE_LENT_SHARED
					       ? GZ_PAGE_SHARED_OWNED
					       : GZ_PAGE_OWNED;
			m->page[i].lent_to = GZ_OWNER_NONE;
		}
		if (ok && !ret)
			vm->kind = GZ_VM_PROTECTED;
		break;
	}
	return ok && mm_check(m);
}

/* Run the whole input; then destroy every VM, free the hypervisor's objects, return every
 * donated page, and check that the pool is back where it started. Without @cross_check
 * the comparisons are incremental only (what changed, as the model and the tracker saw it;
 * tests/unit/test_mem_track.c proves the tracker's check equal to the full walk). */
static inline bool mm_run_checked(struct mm *m, const uint8_t *data, size_t size,
				  unsigned max_steps, bool cross_check)
{
	struct gz_pool_stats st;
	uint64_t n, kept = 0;

	if (!mm_init(m, data, size))
		return false;
	m->cross_check = cross_check;
	while (m->left && m->steps < max_steps)
		if (!mm_step(m))
			return false;
	/* the end of the input is a full check (unless the last step's was) */
	if (cross_check && (m->steps == 0 || m->steps % MM_FULL_EVERY) && !mm_check_full(m, true))
		return false;
	for (unsigned v = 0; v < MM_VMS; v++)
		while (gz_vm_mem_reclaim(&m->vm[v].mem, 64) == GZ_ERR_BUSY)
			;
	while (m->nr_hyp_pages)
		gz_pool_free(&m->hyp, m->hyp_pages[--m->nr_hyp_pages]);
	/* (nothing to hand back unless the host donated: the pool's own pages stay) */
	if (m->donated && gz_mem_hyp_return_host(UINT64_MAX, &n) != GZ_OK)
		MM_FAIL(m, "final return");
	/* What stays with the hypervisor is donated memory its host stage-2 tables live in. */
	for (unsigned i = 0; i < MM_PAGES; i++) {
		if (gz_pgstate_owner(mm_pa(i)) == GZ_OWNER_HOST)
			continue;
		if (gz_pgstate_state(mm_pa(i)) != GZ_PAGE_DONATED)
			MM_FAIL(m, "page %u not back at the host", i);
		kept++;
	}
	gz_pool_get_stats(gz_mem_pool(), &st);
	if (st.total != m->baseline.total + kept || st.used != gz_mem_hyp_acct()->pages ||
	    kept > gz_mem_hyp_acct()->pages - m->baseline.used)
		MM_FAIL(m, "pool %llu/%llu used, kept %llu, host tables %llu, baseline %llu/%llu",
			(unsigned long long)st.total, (unsigned long long)st.used,
			(unsigned long long)kept, (unsigned long long)gz_mem_hyp_acct()->pages,
			(unsigned long long)m->baseline.total,
			(unsigned long long)m->baseline.used);
	gz_mem_track_stop(&m->track);
	/* Leave the window as a fresh machine has it (all zero) for a machine set up again on
	 * the same memory (fake_hal_keep_phys): what the model wrote, and the pages the host's
	 * tables still live in. The core scrubbed every other page it had. */
	for (unsigned i = 0; i < MM_PAGES; i++)
		if (m->written[i] || gz_pgstate_owner(mm_pa(i)) != GZ_OWNER_HOST)
			memset(gz_hal_pa_to_va(mm_pa(i)), 0, GZ_PAGE_SIZE);
	return true;
}

static inline bool mm_run(struct mm *m, const uint8_t *data, size_t size, unsigned max_steps)
{
	return mm_run_checked(m, data, size, max_steps, true);
}

#endif
