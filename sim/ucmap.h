/* The Unicorn map cache of one vCPU: the guest's IPA space mapped into its engine only where
 * the VM's stage-2 tables map it, with their permissions, as runs of contiguous leaves. An
 * access that misses is either a mapping added since (refilled without a TLBI, as hardware
 * would walk it) or a real stage-2 fault. */
#ifndef GZ_SIM_UCMAP_H
#define GZ_SIM_UCMAP_H

#include <unicorn/unicorn.h>
#include <gzsim/sim.h>

struct gz_sim_ucmap_range {
	uint64_t ipa, size;
	bool data; /* read, write and execute at stage 2: mapped as data (below) */
};

/* A range of IPAs the fault hook covers (inclusive). */
struct gz_sim_ucmap_hook {
	uint64_t lo, hi;
	uc_hook h;
};

/* Unicorn 2.1 keeps a store to RAM on its slow path (a lookup of the region, the translated
 * code of the page invalidated) as long as any memory hook covers the address, and the fault
 * hook covered all of them: half of a Linux boot's host time went there. So the fault hook
 * covers everything but the "data" ranges: read-write-execute at stage 2, mapped read-write
 * only (no fault but an instruction fetch can happen there). A fetch from one makes its 2 MiB
 * chunk code: mapped read-write-execute and covered by the hook, so that every store to a page
 * with translated code invalidates it, through whatever alias, as before (the TLB is flushed:
 * no fast store entry of the chunk survives). Beyond GZ_SIM_UCMAP_MAX_HOOKS ranges the hook
 * covers everything again. */
struct gz_sim_ucmap {
	uc_engine *uc;
	uint64_t vttbr, vtcr; /* the stage-2 regime mapped */
	bool valid;	      /* a regime is mapped at all */
	struct gz_sim_ucmap_range *ranges;
	size_t nr, cap;
	uint64_t remaps; /* statistics: full rebuilds */
	/* the fault hook (UC_HOOK_MEM_INVALID) and its ranges */
	void *hook_fn, *hook_arg;
	struct gz_sim_ucmap_hook *hooks;
	size_t nhooks;
	/* the code chunks (IPA / GZ_SIM_UCMAP_CHUNK), unordered */
	uint64_t *code;
	size_t ncode, capcode;
};

#define GZ_SIM_UCMAP_CHUNK     (2ULL << 20)
#define GZ_SIM_UCMAP_MAX_HOOKS 64

/* Install the fault hook @fn(@arg) over the IPA space (nothing mapped yet). */
void gz_sim_ucmap_init(struct gz_sim_ucmap *m, uc_engine *uc, void *fn, void *arg);
/* @ipa is in a data range, outside the code chunks. */
bool gz_sim_ucmap_is_data(const struct gz_sim_ucmap *m, uint64_t ipa);
/* An instruction fetch at @ipa faulted: true when it was in a data range, whose chunk is code
 * now (run on); false for a fault to handle as such. Not from a hook: the engine must not be
 * in the middle of a translation when its mappings are split. */
bool gz_sim_ucmap_make_code(struct gz_sim_ucmap *m, uint64_t ipa);

/* Drop every mapping and map the leaves of (@vttbr, @vtcr) afresh. */
void gz_sim_ucmap_remap(struct gz_sim_ucmap *m, uint64_t vttbr, uint64_t vtcr);
/* Unicorn missed @ipa with access @need (UC_PROT_*): true when the leaf now allows it and is
 * mapped (retry the access); false for a stage-2 fault, described by @r (gz_sim_s2_walk). */
bool gz_sim_ucmap_refill(struct gz_sim_ucmap *m, uint64_t ipa, int need,
			 struct gz_sim_s2_result *r);
void gz_sim_ucmap_fini(struct gz_sim_ucmap *m);

#endif
