/*
 * Memory as owned objects: the one checked API through which every page changes hands
 * (DESIGN §3 "Memory as objects"). It keeps three things consistent under one lock: the
 * page-state store (gzhyp/pgstate.h), the host VM's identity stage-2 and each guest's stage-2
 * (gzhyp/pgtable.h tables, whose table pages come from the pool, gzhyp/pool.h).
 *
 * Every transition checks the whole range first and then applies all of it, or nothing:
 * an illegal request changes neither the store nor any page table and returns
 *   GZ_ERR_INVALID_ARGS   misaligned, zero-length or wrapping range, bad argument
 *   GZ_ERR_OUT_OF_RANGE   a PA the store does not cover, an IPA outside the VM's space
 *   GZ_ERR_ACCESS_DENIED  a page owned by someone other than the one giving it away
 *   GZ_ERR_BAD_STATE      the right owner but the wrong state (e.g. sharing a shared page, or
 *                         giving away a page the host lends)
 *   GZ_ERR_NOT_FOUND      a guest IPA with nothing mapped
 *   GZ_ERR_ALREADY_EXISTS a guest IPA already mapped to another page
 *   GZ_ERR_NOT_ALLOWED    the VM is being destroyed
 *   GZ_ERR_NO_MEMORY      the pool ran out of page-table pages (tables rolled back)
 *
 * Transitions (owner/state in the store; "host s2" the host's stage-2, "guest s2" the VM's).
 * How the host's pages reach a VM depends on its kind (enum gz_vm_kind below):
 *   host -> hyp donate     host OWNED      -> hyp DONATED, unmapped from host s2, into pool
 *                          (mapped for the hypervisor, gz_hal_hyp_map)
 *   hyp -> host return     free pool page (hyp DONATED) -> host OWNED, scrubbed, unmapped
 *                          from the hypervisor (gz_hal_hyp_unmap)
 *   host -> hyp share      host OWNED      -> host SHARED_OWNED (the host cannot give it away),
 *                          mapped for the hypervisor
 *   host -> hyp unshare    host SHARED_OWNED -> host OWNED, unmapped from the hypervisor
 *   host -> guest lend     (normal VM) host OWNED -> host LENT to the VM, mapped RWX in guest
 *                          s2, still mapped in host s2 (memslot registration, MAP_GUEST,
 *                          MAP_GUEST_BLOCK)
 *   host -> guest donate   (protected VM) host OWNED -> VM OWNED, unmapped from host s2,
 *                          mapped RWX in guest s2 (the same calls)
 *   lent -> donated        the VM becomes protected (gz_vm_mem_set_protected): LENT -> VM
 *                          OWNED, LENT_SHARED -> VM SHARED_OWNED, unmapped from host s2
 *   guest -> host share    VM OWNED        -> VM SHARED_OWNED; the host may fault it in
 *                          (lent: LENT -> LENT_SHARED, access unchanged)
 *   guest -> host unshare  VM SHARED_OWNED -> VM OWNED, unmapped from host s2
 *                          (lent: LENT_SHARED -> LENT, the host keeps its mapping)
 *   guest relinquish       VM OWNED        -> host OWNED, unmapped from guest s2, scrubbed
 *                          (lent: LENT -> host OWNED, unmapped from guest s2, not scrubbed)
 *   reclaim (VM destroy, slot delete)  VM any -> host OWNED, scrubbed, batched
 *                          (lent any -> host OWNED, not scrubbed)
 *   host -> two VMs        (a channel's bulk region, mem_pair.c) host OWNED -> VM_SHARED
 *                          (owned by one VM, borrowed by the other), scrubbed, unmapped from
 *                          host s2, mapped RW (never executable) in both guest s2s
 *   two VMs -> host        (either VM destroyed) VM_SHARED -> host OWNED: unmapped from both
 *                          guest s2s (TLBs invalidated), scrubbed
 * A scrubbed page is zeroed and cleaned to the point of coherency before the host can map
 * it again. A lent page needs no scrub: the host could read and write it all along, so
 * nothing in it was ever hidden from the host, and no one else can have seen it (a lent
 * page is mapped in one VM's stage-2 only, and that VM's mapping and TLB entries are gone
 * before the page changes state). The host stage-2 is filled lazily by
 * gz_host_s2_handle_fault, so giving a page away only has to unmap it.
 */
#ifndef GZ_MEM_H
#define GZ_MEM_H

#include <arm64/types.h>
#include <gzhyp/pgstate.h>
#include <gzhyp/pgtable.h>
#include <gzhyp/pool.h>
#include <gzhyp/memslot.h>

/* Two-VM shares one VM may map (one per channel end it may hold, GZ_CHAN_MAX_PER_VM). */
#define GZ_MEM_PEER_MAX 8
/* Most pages of one two-VM share (2 MiB: one call maps, and later scrubs, all of it). */
#define GZ_MEM_PEER_PAGES_MAX 512

/* Pages a DESTROY_VM call reclaims when the caller does not say (v13 driver default). */
#define GZ_MEM_DESTROY_BATCH 128
/* Most pages one page-list donation, share, unshare or relinquish call handles (larger:
 * GZ_ERR_INVALID_ARGS); the hypervisor keeps a copy of the list while it works. */
#define GZ_MEM_LIST_MAX 512
/* Store entries a reclaim call scans at most before returning GZ_ERR_BUSY (bounds the time
 * one hypercall spends in the hypervisor however sparse the VM's pages are). */
#define GZ_MEM_RECLAIM_SCAN_MAX (1u << 18)

struct gz_mem_config {
	gz_pa_t hyp_base;   /* the hypervisor image, stacks...: hyp OWNED, never pooled */
	uint64_t hyp_size;  /* bytes, page aligned; may be 0 */
	gz_pa_t work_base;  /* working memory: the store's entries first, the rest to the pool */
	uint64_t work_size; /* bytes, page aligned */
	unsigned pa_bits;   /* host stage-2 input/output size; 0: smallest covering the HAL's
			     * memory (32, 36, 40, 42, 44 or 48). 40 and 42 need concatenated
			     * root tables, which the pool does not hand out: init then fails
			     * with GZ_ERR_NOT_SUPPORTED (use 36 or 44; 0 picks 44 then). */
	uint16_t host_vmid; /* VMID of the host VM's stage-2 */
};

/* Set up the store (all host-owned, then the two hyp ranges), the pool and an empty host
 * stage-2. Both ranges must be covered by the HAL's memory. GZ_ERR_INVALID_ARGS,
 * GZ_ERR_NO_MEMORY (working memory too small for the store and the host's root table). */
int gz_mem_init(const struct gz_mem_config *cfg);
/* The pool and the account of the hypervisor's own allocations (host stage-2 tables...). */
struct gz_pool *gz_mem_pool(void);
struct gz_pool_acct *gz_mem_hyp_acct(void);
/* The host VM's stage-2 (VTTBR/VTCR for the host's context come from it). */
struct gz_pgt *gz_mem_host_s2(void);

/* ---- host <-> hypervisor ------------------------------------------------------------- */
int gz_mem_host_donate_hyp(gz_pa_t pa, uint64_t nr);
/* Give up to @max free donated pool pages back to the host; *@nr_returned says how many. */
int gz_mem_hyp_return_host(uint64_t max, uint64_t *nr_returned);
int gz_mem_host_share_hyp(gz_pa_t pa, uint64_t nr);
int gz_mem_host_unshare_hyp(gz_pa_t pa, uint64_t nr);

/* ---- host stage-2 -------------------------------------------------------------------- */
/* The host touched @pa (an IPA = PA) that its stage-2 does not map: map it and let the
 * host retry (GZ_OK), or refuse (GZ_ERR_ACCESS_DENIED: hyp- or guest-owned page;
 * GZ_ERR_OUT_OF_RANGE: beyond the PA size). Host memory is mapped normal RWX (a 2 MiB
 * block when the whole block is host-owned), pages a guest shares as 4 KiB RW, addresses
 * the store does not cover as device memory. */
int gz_host_s2_handle_fault(gz_pa_t pa);

/* ---- one guest VM -------------------------------------------------------------------- */
/* The two kinds of VM (DESIGN §3). A normal VM (the default) runs on memory the host lends:
 * the host keeps its own mapping, as under KVM, so a stock OS needs no help to use virtio. A
 * protected VM runs on memory the host donates: it leaves the host's stage 2 and comes back
 * scrubbed. The kind changes only before the VM's first run (gz_vm_set_kind, gzhyp/vm.h). */
enum gz_vm_kind {
	GZ_VM_NORMAL = 0,
	GZ_VM_PROTECTED,
};

enum gz_vm_mem_state {
	GZ_VM_MEM_NONE = 0,
	GZ_VM_MEM_LIVE,
	GZ_VM_MEM_DYING, /* reclaim started: nothing enters the VM any more */
	GZ_VM_MEM_DEAD,	 /* everything reclaimed, stage-2 freed */
};

struct gz_vm_mem {
	uint16_t vm_id;
	gz_owner_t owner;
	uint8_t state; /* enum gz_vm_mem_state */
	uint8_t kind;  /* enum gz_vm_kind: NORMAL from init, see gz_vm_mem_set_protected */
	bool demand_paging;
	struct gz_pgt s2;	      /* the VM's stage-2 */
	struct gz_pool_acct pgt_acct; /* its table pages */
	struct gz_pool_acct obj_acct; /* VM and vCPU structures (allocated by vm.c) */
	/* bounds the two accounts together (none from init; vm.c sets the VM's quota) */
	struct gz_pool_quota quota;
	uint64_t owned_pages;  /* pages the VM owns (any state) */
	uint64_t lent_pages;   /* pages the host lends it (either lent state) */
	uint64_t shared_pages; /* of both, those shared with the host (MEM_SHARE) */
	uint64_t peer_pages;   /* two-VM shares it maps, owned or borrowed (not in the above) */
	/* where those are mapped: no memslot may cover them (nr 0: unused) */
	struct gz_mem_peer_range {
		gz_ipa_t ipa;
		uint64_t nr;
	} peer_ranges[GZ_MEM_PEER_MAX];
	/* 2 MiB stage-2 block descriptors its gives have made, ever (under the memory lock;
	 * MAP_GUEST and MAP_GUEST_BLOCK report it to the host, which counts real blocks) */
	uint64_t s2_blocks;
	struct gz_memslot slots[GZ_MEMSLOT_MAX];
	struct gz_memslot_purpose purposes[GZ_MEMSLOT_MAX];
	gz_pa_t pfn_buf_pa; /* MAP_GUEST_BLOCK PFN array; 0: none */
	/* Host pages held for the guest's first touch (MAP_GUEST_AHEAD, gzhyp/memslot.h): the
	 * page for gfn ahead_gfn + i is ahead_pfn[i] (0: none, taken or dropped), in slot
	 * ahead_slot. Under the memory lock; dropped whole when a slot goes, a page's entry
	 * when the guest relinquishes that gfn. */
	uint64_t ahead_gfn;
	uint64_t ahead_pfn[GZ_MEMSLOT_AHEAD_PAGES];
	uint32_t ahead_slot;
	uint64_t reclaim_idx; /* store index where the next reclaim call resumes */
};

/* @vm_id <= GZ_PGSTATE_MAX_VM_ID; @ipa_bits 32..48 (not above the PA size); @vmid the
 * VMID of its stage-2 (gz_s2pt_set_vmid on m->s2 when it changes). GZ_ERR_INVALID_ARGS,
 * GZ_ERR_NO_MEMORY. */
int gz_vm_mem_init(struct gz_vm_mem *m, uint16_t vm_id, unsigned ipa_bits, uint16_t vmid);
/* Make the VM protected: every page lent to it so far becomes donated (unmapped from the
 * host's stage-2; the v13 driver populates memslots before it makes a VM protected), and
 * from now on the host donates what it gives the VM. Only before the VM's first run (the
 * caller's rule, gz_vm_set_kind); GZ_OK also when it already is; GZ_ERR_NOT_ALLOWED once
 * reclaim started. */
int gz_vm_mem_set_protected(struct gz_vm_mem *m);
/* Reclaim on VM destroy: the first call frees the VM's stage-2 (after which it never runs
 * again) and flushes its VMID; every call then scrubs and returns at most @max_pages pages
 * (0 counts as 1) to the host. GZ_ERR_BUSY: call again; GZ_OK: all back, the state is DEAD
 * and only m->obj_acct pages (the caller's) remain charged. */
int gz_vm_mem_reclaim(struct gz_vm_mem *m, uint64_t max_pages);
/* GET_STATISTICS: bytes of hypervisor memory the VM uses (its structures and stage-2
 * tables) and bytes it shares with the host. */
void gz_vm_mem_stats(const struct gz_vm_mem *m, uint64_t *hyp_bytes, uint64_t *shared_bytes);
/* The 2 MiB stage-2 block descriptors the VM's gives have made so far (m->s2_blocks). */
uint64_t gz_vm_mem_s2_blocks(const struct gz_vm_mem *m);
/* GET_STATISTICS(0): the pool's bytes in use and in all (free or not; host donations make it
 * grow), and the bytes of the hypervisor's own tables (the host's stage 2) among the used. */
void gz_mem_hyp_stats(uint64_t *used_bytes, uint64_t *total_bytes, uint64_t *table_bytes);
/* The VM's quota of pool pages (tables, objects and its channels' queues together; 0: none):
 * past it an allocation for the VM fails (GZ_ERR_NO_RESOURCES from the pool; a page-table
 * change that needed the page reports GZ_ERR_NO_MEMORY, and gz_vm_mem_quota_refused says
 * why). With @reserve (a quota the host set for this VM) the pages are also held for it:
 * GZ_ERR_NO_RESOURCES, nothing changed, when the pool's free pages cannot back it beside
 * the other VMs' reservations (gzhyp/pool.h). A VM's end sets 0 without @reserve. */
int gz_vm_mem_quota_set(struct gz_vm_mem *m, uint64_t pages, bool reserve);
void gz_vm_mem_quota_get(const struct gz_vm_mem *m, uint64_t *limit, uint64_t *used);
/* Whether an allocation was refused for the quota since the last call (and forget it). */
bool gz_vm_mem_quota_refused(struct gz_vm_mem *m);

/* host -> guest: lend (normal VM) or donate (protected VM) [pa, pa + nr pages) and map it at
 * [ipa, ipa + nr pages). */
int gz_mem_host_give_guest(struct gz_vm_mem *m, gz_pa_t pa, gz_ipa_t ipa, uint64_t nr);
/* host -> guest with a page list: pfns[i] goes to ipa + i pages (lent or donated as above).
 * An IPA already mapped to exactly that page counts as done. */
int gz_mem_host_give_guest_pfns(struct gz_vm_mem *m, const uint64_t *pfns, gz_ipa_t ipa,
				uint64_t nr);
/* Guest calls (pKVM MEM_SHARE / MEM_UNSHARE / MEM_RELINQUISH), on [ipa, ipa + nr pages). */
int gz_mem_guest_share_host(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr);
int gz_mem_guest_unshare_host(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr);
int gz_mem_guest_relinquish(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr);

/* ---- two VMs (a channel's bulk region, mem_pair.c) ------------------------------------- */
/* host -> two VMs: [pa, pa + nr pages) (host OWNED, nr <= GZ_MEM_PEER_PAGES_MAX) leaves the
 * host, is zeroed, and is mapped read/write, never executable, at @ipa_a in @a, which owns it,
 * and at @ipa_b in @b, which borrows it; recorded as pair @slot (< GZ_PGSTATE_PAIRS, unused).
 * Both VMs live and distinct; each IPA range inside its VM's space, clear of its memslots,
 * of its other shares and of anything mapped. GZ_ERR_INVALID_ARGS (bad range or slot, the same
 * VM), GZ_ERR_OUT_OF_RANGE, GZ_ERR_ACCESS_DENIED / GZ_ERR_BAD_STATE (a page not the host's
 * own), GZ_ERR_ALREADY_EXISTS (an IPA in use), GZ_ERR_NO_RESOURCES (a VM maps
 * GZ_MEM_PEER_MAX shares), GZ_ERR_NOT_ALLOWED (a VM being destroyed), GZ_ERR_NO_MEMORY
 * (tables); all or nothing. */
int gz_mem_host_give_pair(struct gz_vm_mem *a, gz_ipa_t ipa_a, struct gz_vm_mem *b, gz_ipa_t ipa_b,
			  gz_pa_t pa, uint64_t nr, unsigned slot);
/* two VMs -> host: the share given by gz_mem_host_give_pair with these arguments is unmapped
 * from both VMs (their TLB entries for it invalidated), scrubbed and host OWNED again. Cannot
 * fail (panics when the store disagrees: an invariant). */
void gz_mem_pair_revoke(struct gz_vm_mem *a, gz_ipa_t ipa_a, struct gz_vm_mem *b, gz_ipa_t ipa_b,
			gz_pa_t pa, uint64_t nr);

/* ---- invariants (tests, fuzzers, debug builds) ---------------------------------------- */
/* Check the invariants against the store: every page mapped in a VM's stage-2 is owned by
 * that VM or lent to it, or a two-VM share it owns or borrows (both VMs listed); every managed page
 * mapped in the host's stage-2 is one the host may access and is writable there only if the host
 * owns it (lent pages included) or borrows it; no page is mapped in two guests; each VM's
 * owned/lent/shared counters match the store. @vms lists the live VMs. GZ_OK or GZ_ERR_BAD_STATE
 * (with the offending address in *@bad_addr when non-NULL), or GZ_ERR_INVALID_ARGS for more than
 * GZ_MEM_CHECK_MAX_VMS VMs. */
#define GZ_MEM_CHECK_MAX_VMS 64
int gz_mem_check_invariants(struct gz_vm_mem *const *vms, unsigned nr_vms, uint64_t *bad_addr);

#endif
