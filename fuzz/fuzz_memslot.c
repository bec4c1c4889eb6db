/*
 * Fuzz target: gzvm memslots, the host-facing side of guest memory. The input is a
 * sequence of MEMREGION_PURPOSE, SET_MEMREGION (a v13 descriptor built from the input in a
 * host page: slot, counts, gpa, constituents, buffer size), ENABLE_CAP demand paging and
 * PFN buffer, MAP_GUEST (a few pages, or a huge page's 512: a 2 MiB block descriptor that a
 * later relinquish splits), MAP_GUEST_AHEAD and the guest's touch of a page it holds,
 * MAP_GUEST_BLOCK (PFN array from the input), slot deletion, guest
 * share/relinquish, host actions on the buffers, and the VM (normal: its pages are lent)
 * made protected (what it borrowed becomes its own, later pages are donated). Invariants after
 * every call: the memory invariants (gz_mem_check_invariants); a refused call changes neither the
 * store nor the slots nor the pending purposes; slots never overlap and stay inside the IPA space;
 * every page the VM's stage-2 maps lies inside one of its slots. At the end every slot is
 * deleted in batches, the VM destroyed, and nothing is left owned by it or charged to it.
 * The memory invariants and the slot mappings are checked incrementally after every call (what
 * the memory tracker, gzhyp/mem_track.h, saw change), in full every FULL_EVERY calls and at
 * the end (gz_mem_check_invariants must agree).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gzabi/hvc.h>
#include <gzhyp/mem_track.h>

#include "../tests/unit/mem_fixture.h"
#include "harness/cross_check.h"

#define MAX_OPS	   48
#define WINDOW	   1024			/* host pages FIX_PAGE(0 .. 1023) */
#define BUF_PA	   FIX_PAGE(WINDOW)	/* 2 pages: the SET_MEMREGION buffer */
#define PFN_PA	   FIX_PAGE(WINDOW + 2) /* the PFN array */
#define IPA_SPAN   4096			/* gpa pages the input aims at */
#define FULL_EVERY 16			/* calls between two full checks */

struct in {
	const uint8_t *p;
	size_t left;
};

static unsigned get(struct in *in, unsigned bytes)
{
	unsigned v = 0;

	while (bytes--) {
		v <<= 8;
		if (in->left) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

static struct gz_vm_mem vm;
static char err[256];
static struct gz_mem_tracker track;
static struct gz_mem_track_page track_pages[4096]; /* the store of the 16 MiB machine */
static unsigned calls;
static bool cross_check; /* full checks every FULL_EVERY calls and at the end */
static struct gz_memslot prev_slots[GZ_MEMSLOT_MAX]; /* as the last check saw them */

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, sizeof(err), __VA_ARGS__);                                           \
		return false;                                                                      \
	} while (0)

/* A gpa the input chooses: mostly page aligned inside the span, sometimes anything. */
static uint64_t get_gpa(struct in *in)
{
	unsigned mode = get(in, 1);
	uint64_t gpa = (uint64_t)(get(in, 2) % IPA_SPAN) << GZ_PAGE_SHIFT;

	if (mode == 0xff)
		return ((uint64_t)get(in, 4) << 32) | get(in, 4);
	if (mode >= 0xf0)
		gpa += mode & 0xf;
	return gpa;
}

static uint64_t get_pa(struct in *in)
{
	unsigned v = get(in, 2);

	if (v >= 0xfff0)
		return FIX_WORK_BASE; /* a hypervisor page */
	return FIX_PAGE(v % WINDOW);
}

static int in_slot(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag)
{
	uint64_t size = gz_pgt_level_size(v->level);

	(void)flag;
	if (!(v->desc & 1))
		return 0;
	for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++) {
		const struct gz_memslot *s = &vm.slots[i];

		if (s->state != GZ_MEMSLOT_FREE && v->addr >= s->base &&
		    v->addr + size <= s->base + (s->npages << GZ_PAGE_SHIFT))
			return 0;
	}
	return 1;
}

/* Every mapping in [start, end) of the VM's stage-2 lies inside a slot. */
static bool slots_cover(uint64_t start, uint64_t end)
{
	if (vm.state != GZ_VM_MEM_LIVE || start >= 1ULL << 32)
		return true;
	return !gz_pgt_walk(&vm.s2, start, GZ_MIN(end, 1ULL << 32), GZ_PGT_VISIT_LEAF, in_slot,
			    NULL);
}

static bool check_full(bool full)
{
	uint64_t bad = 0;
	struct gz_vm_mem *vms[] = {&vm};

	full = full || track.rebuild || (++calls % FULL_EVERY == 0 && cross_check);
	/* What changed in the stage-2 (before the tracker's check forgets it), and where a slot
	 * changed or went. */
	for (unsigned i = 0; !full && i < track.nr_dirty; i++)
		if (track.dirty[i].pgt == &vm.s2 &&
		    !slots_cover(track.dirty[i].start, track.dirty[i].end))
			FAIL("a mapping outside every slot");
	for (unsigned i = 0; !full && i < GZ_MEMSLOT_MAX; i++) {
		const struct gz_memslot *o = &prev_slots[i];

		if (o->state != GZ_MEMSLOT_FREE && memcmp(o, &vm.slots[i], sizeof(*o)) &&
		    !slots_cover(o->base, o->base + (o->npages << GZ_PAGE_SHIFT)))
			FAIL("a mapping outside every slot once slot %u changed", i);
	}
	memcpy(prev_slots, vm.slots, sizeof(prev_slots));
	if (gz_mem_track_check(&track, vms, 1, &bad) != GZ_OK)
		FAIL("invariant broken at 0x%llx (incremental check)", (unsigned long long)bad);
	if (full && gz_mem_check_invariants(vms, 1, &bad) != GZ_OK)
		FAIL("invariant broken at 0x%llx (full check; the incremental one passed)",
		     (unsigned long long)bad);
	for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++) {
		const struct gz_memslot *a = &vm.slots[i];

		if (a->state == GZ_MEMSLOT_FREE)
			continue;
		if (!a->npages || a->base + (a->npages << GZ_PAGE_SHIFT) > (1ULL << 32) ||
		    (a->base & (GZ_PAGE_SIZE - 1)))
			FAIL("slot %u out of bounds", i);
		for (unsigned k = 0; k < i; k++) {
			const struct gz_memslot *b = &vm.slots[k];

			if (b->state != GZ_MEMSLOT_FREE &&
			    a->base < b->base + (b->npages << GZ_PAGE_SHIFT) &&
			    b->base < a->base + (a->npages << GZ_PAGE_SHIFT))
				FAIL("slots %u and %u overlap", k, i);
		}
	}
	if (full && !slots_cover(0, 1ULL << 32))
		FAIL("a mapping outside every slot");
	if (fake_hal_locks_held())
		FAIL("lock held");
	return true;
}

static bool check(void)
{
	return check_full(false);
}

static int set_region(struct in *in)
{
	struct gzvm_memory_region_ranges *d = gz_hal_pa_to_va(BUF_PA);
	unsigned flags = get(in, 1);
	unsigned cnt = get(in, 1) % 8;
	uint64_t size, sum = 0;

	if (gz_pgstate_owner(BUF_PA) != GZ_OWNER_HOST) /* the host gave it away: stale view */
		return gz_memslot_set_region(&vm, BUF_PA, GZVM_MEMREGION_BUF_SIZE);
	memset(d, 0, GZVM_MEMREGION_BUF_SIZE);
	d->slot = get(in, 1) % 12;
	d->gpa = get_gpa(in);
	for (unsigned i = 0; i < cnt; i++) {
		d->constituents[i].address = get_pa(in);
		d->constituents[i].pg_cnt = get(in, 1) % 12;
		if (flags & 0x10)
			d->constituents[i].address += 8;
		if ((flags & 0x60) == 0x60)
			d->constituents[i].reserved = 1;
		sum += d->constituents[i].pg_cnt;
	}
	d->constituent_cnt = flags & 0x80 ? get(in, 4) : cnt;
	d->total_pages = flags & 1 ? get(in, 1) % 64 : sum;
	size = 24 + (uint64_t)cnt * 16;
	if (flags & 2)
		size = get(in, 2) % (GZVM_MEMREGION_BUF_SIZE + 64);
	return gz_memslot_set_region(&vm, BUF_PA, size);
}

static int map_block(struct in *in)
{
	uint64_t *pfns = gz_hal_pa_to_va(PFN_PA);
	unsigned slot = get(in, 1) % 11;
	uint64_t gfn = get_gpa(in) >> GZ_PAGE_SHIFT;
	unsigned nr = get(in, 1) % 24;

	if (gz_pgstate_owner(PFN_PA) == GZ_OWNER_HOST)
		for (unsigned i = 0; i < nr; i++)
			pfns[i] = get_pa(in) >> GZ_PAGE_SHIFT;
	return gz_memslot_map_guest_block(&vm, slot, gfn, nr);
}

static bool step(struct in *in)
{
	struct gz_memslot slots[GZ_MEMSLOT_MAX];
	struct gz_memslot_purpose purposes[GZ_MEMSLOT_MAX];
	unsigned op = get(in, 1) % 12;
	bool may_change = false;
	size_t bytes;
	void *snap = fix_snapshot(&bytes);
	int ret;

	memcpy(slots, vm.slots, sizeof(slots));
	memcpy(purposes, vm.purposes, sizeof(purposes));
	switch (op) {
	case 0: {
		uint64_t gpa = get_gpa(in);

		ret = gz_memslot_purpose(&vm, gpa, (uint64_t)(get(in, 1) % 40) << GZ_PAGE_SHIFT,
					 get(in, 1) & 7);
		break;
	}
	case 1:
	case 2:
		ret = set_region(in);
		may_change = ret == GZ_ERR_BUSY; /* a batch of a deletion */
		break;
	case 3:
		ret = gz_memslot_enable_demand_paging(&vm);
		break;
	case 4:
		ret = gz_memslot_set_block_buffer(&vm, get(in, 1) & 1 ? 2ULL << 20 : 4096, PFN_PA);
		break;
	case 5: {
		unsigned slot = get(in, 1) % 11;
		uint64_t pfn = get_pa(in) >> GZ_PAGE_SHIFT;
		uint64_t gfn = get_gpa(in) >> GZ_PAGE_SHIFT;

		unsigned nr = get(in, 1) % 5;

		if (!nr) {
			/* A huge page: 512 contiguous pages from a 2 MiB boundary (one block
			 * descriptor where the IPA is aligned too), or one page off either; or
			 * MAP_GUEST_AHEAD of four pages, or the guest's touch of a held page. */
			unsigned off = get(in, 1);

			if (off & 4) {
				uint64_t pfns[4] = {pfn, off & 16 ? 0 : pfn + 1, pfn + 2, pfn + 3};

				ret = gz_memslot_map_ahead(&vm, slot, gfn, pfns, 1 + (off >> 5 & 3));
				break;
			}
			if (off & 8) {
				ret = gz_memslot_fault_ahead(&vm, gfn << GZ_PAGE_SHIFT);
				break;
			}

			pfn = GZ_ALIGN_DOWN(pfn, GZ_PGT_ENTRIES) + (off & 1);
			gfn = GZ_ALIGN_DOWN(gfn, GZ_PGT_ENTRIES) + (off >> 1 & 1);
			nr = GZ_PGT_ENTRIES;
		}
		ret = gz_memslot_map_guest(&vm, slot, pfn, gfn, nr);
		break;
	}
	case 6:
		ret = map_block(in);
		break;
	case 7: {
		unsigned slot = get(in, 1) % 11;

		ret = gz_memslot_delete(&vm, slot, get(in, 1) % 8);
		may_change = ret == GZ_ERR_BUSY;
		break;
	}
	case 8: { /* the guest gives a page back or shares it */
		uint64_t ipa = get_gpa(in);

		ret = get(in, 1) & 1 ? gz_mem_guest_relinquish(&vm, ipa, 1)
				     : gz_mem_guest_share_host(&vm, ipa, 1);
		break;
	}
	case 9: /* the host gives a buffer page to the hypervisor */
		ret = gz_mem_host_donate_hyp(get(in, 1) & 1 ? BUF_PA : PFN_PA, 1);
		break;
	case 10: /* the VM becomes protected (it has not run) */
		ret = gz_vm_mem_set_protected(&vm);
		if (ret != GZ_OK || vm.kind != GZ_VM_PROTECTED || vm.lent_pages)
			FAIL("set_protected %d: kind %u, %llu pages still lent", ret, vm.kind,
			     (unsigned long long)vm.lent_pages);
		break;
	default: /* the host touches a page */
		ret = gz_host_s2_handle_fault(get_pa(in));
		break;
	}
	if (ret != GZ_OK && !may_change &&
	    (!fix_same_as(snap, bytes) || memcmp(slots, vm.slots, sizeof(slots)) ||
	     memcmp(purposes, vm.purposes, sizeof(purposes)))) {
		free(snap);
		FAIL("op %u refused (%d) but something changed", op, ret);
	}
	free(snap);
	return check();
}

static bool run(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	struct gz_pool_stats base, st;
	uint64_t n;

	cross_check = fuzz_full_checks(data, size);
	/* One machine's memory for every input, set up again on it without page faults; the
	 * end of run() leaves it as a fresh one. */
	fake_hal_keep_phys(true);
	gz_mem_track_start(&track, track_pages, 4096, true);
	if (fix_init_phys(16ULL << 20, FIX_WORK_SIZE) != GZ_OK)
		FAIL("init");
	gz_pool_get_stats(gz_mem_pool(), &base);
	calls = 0;
	memset(prev_slots, 0, sizeof(prev_slots));
	if (gz_vm_mem_init(&vm, 5, 32, 6) != GZ_OK)
		FAIL("vm init");
	for (unsigned ops = 0; in.left && ops < MAX_OPS; ops++)
		if (!step(&in))
			return false;
	if (!check_full(cross_check))
		return false;
	for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++) {
		int ret;

		while ((ret = gz_memslot_delete(&vm, i, 16)) == GZ_ERR_BUSY)
			if (!check())
				return false;
		if (ret != GZ_OK && ret != GZ_ERR_NOT_FOUND)
			FAIL("delete slot %u: %d", i, ret);
	}
	/* Every slot gone: the VM owns nothing any more. */
	if (vm.owned_pages || vm.lent_pages || vm.shared_pages)
		FAIL("%llu + %llu pages left after deleting every slot",
		     (unsigned long long)vm.owned_pages, (unsigned long long)vm.lent_pages);
	if (!check_full(true))
		return false;
	gz_mem_track_stop(&track);
	while (gz_vm_mem_reclaim(&vm, 8) == GZ_ERR_BUSY)
		;
	if (vm.pgt_acct.pages)
		FAIL("stage-2 tables leaked");
	gz_mem_hyp_return_host(UINT64_MAX, &n);
	gz_pool_get_stats(gz_mem_pool(), &st);
	if (st.used != gz_mem_hyp_acct()->pages || st.total < base.total)
		FAIL("pool: %llu used, hypervisor holds %llu", (unsigned long long)st.used,
		     (unsigned long long)gz_mem_hyp_acct()->pages);
	/* Host memory as a fresh machine has it: the buffers the core reads, and the pages the
	 * host's tables still live in (the core scrubbed every page it gave back). */
	memset(gz_hal_pa_to_va(BUF_PA), 0, 3 * GZ_PAGE_SIZE);
	fix_clear_kept();
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!run(data, size)) {
		fprintf(stderr, "fuzz_memslot: %s\n", err);
		abort();
	}
	return 0;
}
