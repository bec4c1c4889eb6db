/*
 * The page-state store: for every physical page the HAL reports (gz_hal_phys_region), who
 * owns it and in which state. This is the hypervisor's record of truth about memory; page
 * tables are derived from it, never the other way round.
 *
 * One 16-bit entry per 4 KiB page (0.05% of the memory it covers), kept in a memory area
 * the caller hands to gz_pgstate_init (the hypervisor carves it out of its reserved memory);
 * no allocation, no pointer per page. Entry: owner in bits [11:0], state in [15:12].
 *
 * Owners: the host VM, the hypervisor, or a guest VM (by VM id). States, from the owner's
 * point of view:
 *   OWNED         exclusive to the owner
 *   SHARED_OWNED  the owner lets one borrower access it: a guest page shared with the host
 *                 (MEM_SHARE), or a host page shared with the hypervisor
 *   DONATED       a hypervisor page the host donated (pool memory); only these may go back
 *                 to the host. Hypervisor pages in state OWNED are its own reserved memory.
 *   LENT          a host page lent to one normal VM, which maps it: the host keeps its own
 *                 access, nobody else may have it. The entry's owner bits hold the VM (the
 *                 owner is the host: gz_pgstate_owner says so, gz_pgstate_lent_to names the
 *                 VM).
 *   LENT_SHARED   LENT, and the VM has declared it shared with the host (MEM_SHARE): access
 *                 is the same, but the VM's share calls get the answers a protected VM gets.
 *   VM_SHARED     the two-VM share: a page of a channel's bulk region, owned by one VM and
 *                 borrowed by the other end of the channel; the host has no access. The
 *                 entry's owner bits hold a pair slot (gz_pgstate_pair_name says which VM
 *                 owns and which borrows): a page has one owner and one borrower, 12 bits
 *                 each do not fit one entry, and there are few pairs (one per channel).
 * SHARED_BORROWED, BORROWED and VM_BORROWED are never stored: they are how a shared page looks
 * to its borrower (the host for a guest's page, the hypervisor for a host page), a lent page
 * to the VM it is lent to, and a two-VM share to its borrowing VM, see gz_pgstate_view().
 *
 * Writes go through mem.c's checked transitions only; everything else reads.
 */
#ifndef GZ_PGSTATE_H
#define GZ_PGSTATE_H

#include <arm64/types.h>

typedef uint16_t gz_owner_t;

#define GZ_OWNER_HOST	  ((gz_owner_t)0)
#define GZ_OWNER_HYP	  ((gz_owner_t)1)
#define GZ_OWNER_VM_FIRST 2
#define GZ_PGSTATE_MAX_VM_ID                                                                       \
	4092u /* VM ids 0 .. this fit the 12-bit owner field (0xfff = none)                        \
	       */
#define GZ_OWNER_VM(id)	  ((gz_owner_t)(GZ_OWNER_VM_FIRST + (id)))
#define GZ_OWNER_IS_VM(o) ((o) >= GZ_OWNER_VM_FIRST)
#define GZ_OWNER_VM_ID(o) ((unsigned)(o)-GZ_OWNER_VM_FIRST)
/* What lookups of unmanaged addresses (device memory, holes) report. */
#define GZ_OWNER_NONE ((gz_owner_t)0xfff)

enum gz_page_state {
	GZ_PAGE_OWNED = 0,
	GZ_PAGE_SHARED_OWNED = 1,
	GZ_PAGE_SHARED_BORROWED = 2, /* views only, never stored */
	GZ_PAGE_DONATED = 3,
	GZ_PAGE_NOACCESS = 4, /* views only: the viewer may not touch the page */
	GZ_PAGE_LENT = 5,
	GZ_PAGE_LENT_SHARED = 6,
	GZ_PAGE_BORROWED = 7,	 /* views only: a page lent to the viewer */
	GZ_PAGE_VM_SHARED = 8,	 /* a two-VM share (stored with a pair slot, not an owner) */
	GZ_PAGE_VM_BORROWED = 9, /* views only: a two-VM share seen by its borrowing VM */
};

/* Two-VM shares at once: pair slots 0 .. GZ_PGSTATE_PAIRS - 1 (one per channel). */
#define GZ_PGSTATE_PAIRS 32

/* Whether @st is one of the two states of a lent page. */
static inline bool gz_page_state_is_lent(enum gz_page_state st)
{
	return st == GZ_PAGE_LENT || st == GZ_PAGE_LENT_SHARED;
}

/* Most physical-memory regions the store covers (more HAL regions: init fails). */
#define GZ_PGSTATE_MAX_REGIONS 8

/* Bytes of storage gz_pgstate_init needs for the memory the HAL reports (0 if the HAL
 * reports none or more than GZ_PGSTATE_MAX_REGIONS regions). */
size_t gz_pgstate_storage_bytes(void);
/* Cover the HAL's physical memory using @storage (@bytes long, 2-byte aligned). Every page
 * starts host-owned. GZ_ERR_INVALID_ARGS: no regions, too many, a region not page aligned or
 * wrapping; GZ_ERR_NO_MEMORY: @bytes too small. */
int gz_pgstate_init(void *storage, size_t bytes);

/* Whether @pa lies in memory the store covers (false for device memory and holes). */
bool gz_pgstate_managed(gz_pa_t pa);
/* Whether every page of [pa, pa + nr pages) is covered (false on wrap). */
bool gz_pgstate_managed_range(gz_pa_t pa, uint64_t nr);
/* Whether any byte of [pa, pa + size) is covered (size in bytes; clipped at the top). */
bool gz_pgstate_any_managed(gz_pa_t pa, uint64_t size);
/* Owner and stored state of the page holding @pa; GZ_OWNER_NONE / GZ_PAGE_NOACCESS when
 * unmanaged. A lent page's owner is the host. */
gz_owner_t gz_pgstate_owner(gz_pa_t pa);
enum gz_page_state gz_pgstate_state(gz_pa_t pa);
/* The VM a lent page is lent to; GZ_OWNER_NONE for any other page. */
gz_owner_t gz_pgstate_lent_to(gz_pa_t pa);
/* The borrowing VM of a two-VM share (its owner: gz_pgstate_owner); GZ_OWNER_NONE for any
 * other page. */
gz_owner_t gz_pgstate_vm_borrower(gz_pa_t pa);
/* The page as @who sees it: OWNED, SHARED_OWNED, DONATED, LENT, LENT_SHARED, VM_SHARED (the
 * owner), SHARED_BORROWED (the borrower of a shared page), BORROWED (the VM a page is lent
 * to), VM_BORROWED (the borrowing VM of a two-VM share) or NOACCESS. */
enum gz_page_state gz_pgstate_view(gz_pa_t pa, gz_owner_t who);
/* The borrower of a page in state SHARED_OWNED by @owner: the host for a guest page, the
 * hypervisor for a host page; GZ_OWNER_NONE for anything else. */
gz_owner_t gz_pgstate_borrower(gz_owner_t owner);

/* Record @owner/@state for [pa, pa + nr pages); for LENT and LENT_SHARED @owner is the VM
 * the host lends the pages to. Only for mem.c, after it checked the transition; panics on
 * an unmanaged page or a view-only state (an invariant, the caller checked). */
void gz_pgstate_set(gz_pa_t pa, uint64_t nr, gz_owner_t owner, enum gz_page_state state);

/* Name pair @slot (< GZ_PGSTATE_PAIRS): its pages are owned by VM @owner and borrowed by VM
 * @borrower (two different VMs). Only for mem_pair.c, while no page is stored with the slot;
 * panics on a bad slot or owner. */
void gz_pgstate_pair_name(unsigned slot, gz_owner_t owner, gz_owner_t borrower);
/* Record [pa, pa + nr pages) as the two-VM share of pair @slot (named before). Only for
 * mem_pair.c, after it checked the transition; panics as gz_pgstate_set. */
void gz_pgstate_set_pair(gz_pa_t pa, uint64_t nr, unsigned slot);

/* Enumeration for invariant checks and statistics: number of covered pages, and the PA of
 * the @idx-th covered page (ordered by region, then address). */
uint64_t gz_pgstate_nr_pages(void);
gz_pa_t gz_pgstate_pa_at(uint64_t idx);
/* The first index in [@from, @to) whose page VM @vm owns or borrows (gz_pgstate_owner or
 * gz_pgstate_lent_to of it is @vm; two-VM shares are not looked at: they go with their
 * channel, before a VM's reclaim), or @to (at most gz_pgstate_nr_pages()) when none: a VM's
 * pages found in one pass over the raw entries. */
uint64_t gz_pgstate_find_vm(gz_owner_t vm, uint64_t from, uint64_t to);
/* Raw entries (for tests that snapshot the store and prove an operation changed nothing). */
const void *gz_pgstate_raw(size_t *bytes);
/* Index of the entry of @pa (the inverse of gz_pgstate_pa_at), -1 when unmanaged. */
int64_t gz_pgstate_index(gz_pa_t pa);

/* Told of every write of the store, after it (the incremental invariant check of tests and
 * fuzzers, gzhyp/mem_track.h; none on gzhyp). NULL @fn: none. */
typedef void (*gz_pgstate_observer_fn)(gz_pa_t pa, uint64_t nr, void *arg);
void gz_pgstate_set_observer(gz_pgstate_observer_fn fn, void *arg);

#endif
