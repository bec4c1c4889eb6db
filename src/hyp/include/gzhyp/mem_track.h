/*
 * The memory-ownership invariant checked incrementally (tests and fuzzers; nothing on gzhyp
 * starts one). gz_mem_check_invariants walks the whole store, the host's stage 2 and every
 * VM's stage 2: after every operation of a fuzzer that is most of its time. A tracker keeps
 * what that check counts (each page's holder and state, which VM maps it and at which IPA,
 * per-owner totals) and learns of every change through the engines' observers: every store
 * write (gz_pgstate_set_observer) and every page-table change before it is made
 * (gz_pgt_set_observer, which lets it forget the mappings a change may remove). A check then
 * looks only at what changed since the last one and gives the answer the full check gives on
 * the same state; it is stricter in one case the full check's count cannot see (a page mapped
 * at two IPAs of one VM while another it holds is not mapped at all). When it loses track (a
 * table it does not know changed, more changed ranges than it keeps, a failed check) the next
 * check rebuilds everything, which is a full check of its own. tests/unit/test_mem_track.c
 * proves the two agree, on corrupted states too; the fuzzers run the full check as well, every
 * so often and at the end of each input.
 *
 * One tracker at a time, used from one thread: its observers run inside the memory module's
 * operations (under its lock) and take no lock of their own.
 */
#ifndef GZ_MEM_TRACK_H
#define GZ_MEM_TRACK_H

#include <gzhyp/mem.h>

#define GZ_MEM_TRACK_RANGES 64	 /* changed ranges kept between two checks */
#define GZ_MEM_TRACK_OWNERS 4096 /* owner ids of the store (12 bits) */

/* What the tracker knows of one store page. */
struct gz_mem_track_page {
	uint64_t ipa, ipa2; /* where mapper, mapper2 map it */
	gz_owner_t holder;  /* the VM that owns it or borrows it (lent), GZ_OWNER_NONE: no VM */
	gz_owner_t holder2; /* a two-VM share's borrowing VM, GZ_OWNER_NONE: not one */
	gz_owner_t mapper;  /* the VM whose stage 2 maps it, GZ_OWNER_NONE: none */
	gz_owner_t mapper2; /* a two-VM share's second mapper, GZ_OWNER_NONE: none */
	uint8_t lent;	    /* holder borrows it */
	uint8_t shared;	    /* holder shares it with the host */
};

/* A changed range: IPAs of a table, or (pgt NULL) PAs of store pages. */
struct gz_mem_track_range {
	struct gz_pgt *pgt;
	uint64_t start, end;
};

struct gz_mem_tracker {
	struct gz_mem_track_page *pages; /* one per store page */
	uint64_t cap;			 /* entries in pages */
	uint64_t nr_pages;		 /* store pages it knows */
	/* per owner id, of the pages it holds: owned, lent to it, shared, mapped by it */
	uint32_t owned[GZ_MEM_TRACK_OWNERS], lent[GZ_MEM_TRACK_OWNERS];
	uint32_t shared[GZ_MEM_TRACK_OWNERS], mapped[GZ_MEM_TRACK_OWNERS];
	uint32_t peer[GZ_MEM_TRACK_OWNERS];	     /* two-VM shares it owns or borrows */
	uint64_t vm_held;			     /* pages any VM holds */
	struct gz_vm_mem *vms[GZ_MEM_CHECK_MAX_VMS]; /* as the last check listed them */
	unsigned nr_vms;
	struct gz_mem_track_range dirty[GZ_MEM_TRACK_RANGES];
	unsigned nr_dirty;
	bool rebuild;	     /* lost track: the next check starts from scratch */
	uint64_t checks;     /* checks made */
	uint64_t rebuilds;   /* of them, from scratch */
	uint64_t dirty_seen; /* changed ranges the incremental ones looked at */
};

/* Start tracking with @pages, room for @cap entries (a check of a store with more pages:
 * GZ_ERR_NO_MEMORY). Installs both observers. Started before gz_mem_init with @fresh, the
 * tracker takes the store it sets up (every page the host's, nothing mapped) as its starting
 * point; otherwise its first check is a rebuild. */
int gz_mem_track_start(struct gz_mem_tracker *t, struct gz_mem_track_page *pages, uint64_t cap,
		       bool fresh);
/* Remove the observers. */
void gz_mem_track_stop(struct gz_mem_tracker *t);
/* gz_mem_check_invariants' contract and answer, looking only at what changed since the last
 * check (or at everything, when it lost track). @vms lists the live VMs. */
int gz_mem_track_check(struct gz_mem_tracker *t, struct gz_vm_mem *const *vms, unsigned nr_vms,
		       uint64_t *bad_addr);

#endif
