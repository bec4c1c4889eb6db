/*
 * gzvm memslots of one VM (reference gzvm-abi.md §3): up to GZ_MEMSLOT_MAX guest-physical
 * ranges, registered by SET_MEMREGION (v13 descriptor: gzvm_memory_region_ranges header +
 * mem_region_addr_range constituents, include/gzabi/hvc.h), labelled by MEMREGION_PURPOSE and
 * filled either up front (constituents) or on demand (MAP_GUEST, MAP_GUEST_BLOCK). Every
 * page that enters a slot goes through the checked host->guest donation of mem.c.
 *
 * Rules (all checked before anything changes; a failing call changes nothing):
 *  - slot id < GZ_MEMSLOT_MAX, else GZ_ERR_INVALID_ARGS;
 *  - gpa page aligned, total_pages > 0, [gpa, gpa + size) inside the VM's IPA space and not
 *    wrapping: GZ_ERR_INVALID_ARGS / GZ_ERR_OUT_OF_RANGE;
 *  - a slot never overlaps another slot: GZ_ERR_ALREADY_EXISTS;
 *  - SET_MEMREGION for an existing slot id: a batch inside the slot populates it; a batch
 *    starting exactly at the slot's end grows it (the v13 driver registers a fully
 *    populated slot in several calls, one per batch); anything else GZ_ERR_ALREADY_EXISTS;
 *  - a new slot takes the extent and flags of a MEMREGION_PURPOSE made at the same gpa
 *    before it (the driver calls PURPOSE first), else the extent of the first batch;
 *  - constituents: at most GZVM_MEMREGION_MAX_CONSTITUENTS, addresses 4 KiB aligned,
 *    pg_cnt > 0, reserved == 0, pg_cnt summing to total_pages; pages host-owned;
 *  - demand paging mode (gz_memslot_enable_demand_paging): SET_MEMREGION registers the range
 *    only and ignores constituent_cnt (v13 leaves it uninitialised on that path).
 *
 * opengz extension: SET_MEMREGION with total_pages == 0 deletes the slot, reclaiming (scrub,
 * back to the host) at most GZ_MEMSLOT_DELETE_BATCH pages per call and returning
 * GZ_ERR_BUSY until it is done (the driver calls again, as for DESTROY_VM).
 */
#ifndef GZ_MEMSLOT_H
#define GZ_MEMSLOT_H

#include <arm64/types.h>

#define GZ_MEMSLOT_MAX		 10 /* GZVM_MAX_MEM_REGION */
#define GZ_MEMSLOT_DELETE_BATCH	 128
#define GZ_MEMSLOT_BLOCK_SIZE	 (2ULL << 20) /* MAP_GUEST_BLOCK granule (PMD size) */
#define GZ_MEMSLOT_BLOCK_PAGES	 (GZ_MEMSLOT_BLOCK_SIZE >> GZ_PAGE_SHIFT)
#define GZ_MEMSLOT_MAP_GUEST_MAX GZ_MEMSLOT_BLOCK_PAGES /* pages per MAP_GUEST call */
#define GZ_MEMSLOT_AHEAD_PAGES	 3 /* pages MAP_GUEST_AHEAD holds (GZ_MAP_AHEAD_PAGES) */

enum gz_memslot_state {
	GZ_MEMSLOT_FREE = 0,
	GZ_MEMSLOT_ACTIVE,
	GZ_MEMSLOT_DELETING, /* no new pages; deletion in progress */
};

struct gz_memslot {
	gz_ipa_t base;
	uint64_t npages;
	uint32_t flags;	 /* GZVM_USER_MEM_REGION_* purpose */
	uint8_t state;	 /* enum gz_memslot_state */
	uint64_t cursor; /* deletion progress (IPA offset) */
};

struct gz_memslot_purpose {
	gz_ipa_t gpa;
	uint64_t size;
	uint32_t flags;
	bool used;
};

struct gz_vm_mem;

/* MEMREGION_PURPOSE: remember flags for [gpa, gpa + size) (bytes, page aligned). A purpose
 * at the gpa of an existing slot updates its flags (size must match). At most
 * GZ_MEMSLOT_MAX pending purposes (GZ_ERR_NO_RESOURCES). */
int gz_memslot_purpose(struct gz_vm_mem *m, gz_ipa_t gpa, uint64_t size, uint32_t flags);
/* SET_MEMREGION: the descriptor is @buf_size bytes at host PA @buf_pa (<= 8 KiB, host-owned
 * pages; copied before use so the host cannot change it under the hypervisor). */
int gz_memslot_set_region(struct gz_vm_mem *m, gz_pa_t buf_pa, uint64_t buf_size);
/* ENABLE_CAP(GZVM_CAP_ENABLE_DEMAND_PAGING): slots register without constituents from now
 * on. GZ_ERR_BAD_STATE once a slot exists (the mode is chosen at VM creation). */
int gz_memslot_enable_demand_paging(struct gz_vm_mem *m);
/* ENABLE_CAP(GZVM_CAP_BLOCK_BASED_DEMAND_PAGING): @block_size must be
 * GZ_MEMSLOT_BLOCK_SIZE; @pfn_buf_pa the host PA of the driver's PFN array (u64 per page,
 * 4 KiB, page aligned, host-owned). Also enables demand paging. */
int gz_memslot_set_block_buffer(struct gz_vm_mem *m, uint64_t block_size, gz_pa_t pfn_buf_pa);
/* MAP_GUEST(slot, pfn, gfn, nr): donate host pages pfn .. pfn+nr-1 and map them at gfn ..
 * inside the slot (1 <= nr <= GZ_MEMSLOT_MAP_GUEST_MAX). A page already mapped there to the
 * same pfn counts as done (two vCPUs faulting on one page). */
int gz_memslot_map_guest(struct gz_vm_mem *m, uint32_t slot, uint64_t pfn, uint64_t gfn,
			 uint64_t nr);
/* MAP_GUEST_BLOCK(slot, start_gfn, nr): the pfns are the first @nr entries of the registered
 * PFN buffer; [start_gfn, start_gfn + nr) lies inside the slot and inside one 2 MiB-aligned
 * block. GZ_ERR_BAD_STATE without a PFN buffer. */
int gz_memslot_map_guest_block(struct gz_vm_mem *m, uint32_t slot, uint64_t start_gfn, uint64_t nr);
/* MAP_GUEST_AHEAD (opengz, include/gzabi/hvc.h): map @pfns[0] at @gfn as MAP_GUEST(slot,
 * pfns[0], gfn, 1) does, then hold pfns[1..@nr) for gfn + 1 .. gfn + nr - 1 (nr <= 1 +
 * GZ_MEMSLOT_AHEAD_PAGES; a 0 pfn holds nothing), in place of what the VM held before. A
 * page is held only where its gfn lies in the slot, is not mapped yet and the slot is
 * writable; nothing about it is checked or changed until the guest touches it. */
int gz_memslot_map_ahead(struct gz_vm_mem *m, uint32_t slot, uint64_t gfn, const uint64_t *pfns,
			 unsigned nr);
/* A stage-2 translation fault at @ipa: GZ_OK when a held page was there for it and is now
 * mapped (given to the VM with every check of MAP_GUEST; the entry is used up either way),
 * GZ_ERR_NOT_FOUND when none was held, or MAP_GUEST's refusal. The caller resumes the guest
 * on GZ_OK and goes to the host otherwise. */
int gz_memslot_fault_ahead(struct gz_vm_mem *m, gz_ipa_t ipa);
/* Delete slot @slot, reclaiming at most @max_pages guest pages this call (0 counts as 1; a
 * single block mapping larger than that is reclaimed whole). GZ_OK when the slot is gone,
 * GZ_ERR_BUSY to be called again, GZ_ERR_NOT_FOUND for a free slot. */
int gz_memslot_delete(struct gz_vm_mem *m, uint32_t slot, uint64_t max_pages);
/* The exit path: index of the active slot holding @ipa (a stage-2 fault there is a
 * demand-paging exit), or GZ_ERR_NOT_FOUND (a plain exception exit). */
int gz_memslot_lookup(const struct gz_vm_mem *m, gz_ipa_t ipa);
/* The slot (NULL for an id out of range or a free slot). */
const struct gz_memslot *gz_memslot_get(const struct gz_vm_mem *m, uint32_t slot);

#endif
