/* Internals shared by the memory core's files (mem*.c, memslot.c, host_s2.c), not part of
 * the API. */
#ifndef GZ_MEM_PRIV_H
#define GZ_MEM_PRIV_H

#include <gzhyp/mem.h>

/* A run of physically contiguous pages. */
struct gz_mem_run {
	gz_pa_t pa;
	uint64_t nr;
};

/* Runs one call may hand to gz_mem_give_runs (8 KiB of scratch, see mem_scratch). */
#define GZ_MEM_MAX_RUNS GZ_MEM_LIST_MAX

struct gz_mem_global {
	gz_lock_t lock; /* the store, the host stage-2, every guest stage-2, the scratch */
	bool ready;
	unsigned pa_bits;
	struct gz_pool pool;
	struct gz_pool_acct hyp_acct;
	struct gz_pgt host_s2;
	/* Copies of host-supplied lists (descriptor constituents, PFN arrays, leaves), so the
	 * host cannot change them between the check and the apply pass. Under the lock. */
	union {
		struct gz_mem_run runs[GZ_MEM_MAX_RUNS];
		uint64_t words[GZ_MEM_MAX_RUNS * 2];
	} scratch;
};

extern struct gz_mem_global gz_mem_g;

void gz_mem_lock(void);
void gz_mem_unlock(void);

/* Zero a page and clean it to the point of coherency (before the host sees it again). */
void gz_mem_scrub(gz_pa_t pa, uint64_t nr);
/* Does the VM own @pa or borrow it (lent to it)? */
bool gz_mem_held_by(const struct gz_vm_mem *m, gz_pa_t pa);
/* The invariant's rule for the host stage-2 (mem.c, mem_track.c): may a leaf of @leaf_size
 * bytes with @prot map @pa for the host? */
bool gz_mem_host_may_map(gz_pa_t pa, uint32_t prot, uint64_t leaf_size);
/* host_s2.c, on the host stage-2 @s2 under the lock. Remove every leaf touching [pa, pa + nr
 * pages), whole (never splits, so it cannot fail; the host faults back in what it may still
 * access). */
void gz_host_s2_unmap(struct gz_pgt *s2, gz_pa_t pa, uint64_t nr);
/* Map what the host may reach around @pa (below 2^pa_bits) after a host stage-2 fault
 * (gz_host_s2_handle_fault has the rules and results). */
int gz_host_s2_map_fault(struct gz_pgt *s2, gz_pa_t pa);
/* @pa came back to the host. Once every page of its 2 MiB block is the host's again, the
 * 4 KiB mappings a table holds there go, and the table with them: the host's next access
 * maps the block as one leaf. Without it each block a VM ever took a page from kept a table
 * page of gzhyp's pool for good (bench/soak: the hypervisor's table memory grew with every
 * protected VM). */
void gz_host_s2_regroup(struct gz_pgt *s2, gz_pa_t pa);
/* Whether [addr, addr + nr pages) is aligned, non-empty and below 2^bits. */
int gz_mem_check_range(uint64_t addr, uint64_t nr, unsigned bits);
/* @m still live (GZ_ERR_NOT_ALLOWED if not) and [ipa, ipa + nr pages) a range of its IPA
 * space as gz_mem_check_range says. */
int gz_mem_check_live_ipas(const struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr);
/* Every page of [pa, pa + nr) in the store, owned by @owner in @state? 0 or the first
 * failure's status (the range's, then GZ_ERR_OUT_OF_RANGE, ACCESS_DENIED or BAD_STATE). */
int gz_mem_check_pages(gz_pa_t pa, uint64_t nr, gz_owner_t owner, enum gz_page_state state);

/* Whether [base, base + npages) touches a memslot of the VM other than @self (GZ_MEMSLOT_MAX:
 * none excluded) or one of its two-VM shares: IPAs taken for good. */
static inline bool gz_mem_ipa_taken(const struct gz_vm_mem *m, unsigned self, gz_ipa_t base,
				    uint64_t npages)
{
	gz_ipa_t end = base + (npages << GZ_PAGE_SHIFT);

	for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++) {
		const struct gz_memslot *s = &m->slots[i];

		if (i != self && s->state != GZ_MEMSLOT_FREE &&
		    base < s->base + (s->npages << GZ_PAGE_SHIFT) && s->base < end)
			return true;
	}
	for (unsigned i = 0; i < GZ_MEM_PEER_MAX; i++) {
		const struct gz_mem_peer_range *r = &m->peer_ranges[i];

		if (r->nr && base < r->ipa + (r->nr << GZ_PAGE_SHIFT) && r->ipa < end)
			return true;
	}
	return false;
}

/* Stage-2 permissions of guest memory: RWX, or RX in a read-only memslot. */
#define GZ_MEM_GUEST_PROT    GZ_PROT_RWX
#define GZ_MEM_GUEST_RO_PROT (GZ_PROT_R | GZ_PROT_X)

/* Under the lock. Give runs[0..nr_runs) host -> guest at consecutive IPAs from @ipa, mapped
 * with @prot: lent to a normal VM, donated to a protected one. With @idempotent, a page
 * already mapped at its IPA as exactly this page counts as done. All or nothing. */
int gz_mem_give_runs(struct gz_vm_mem *m, gz_ipa_t ipa, const struct gz_mem_run *runs,
		     unsigned nr_runs, bool idempotent, uint32_t prot);
/* Under the lock. Unmap the guest leaf at @ipa (whole) and give its pages back to the host
 * (donated ones scrubbed, unless the leaf was read-only to the guest: a read-only memslot's
 * pages hold only what the host put there). Returns the number of pages, 0 when nothing is
 * mapped there. */
uint64_t gz_mem_reclaim_leaf(struct gz_vm_mem *m, gz_ipa_t ipa);

#endif
