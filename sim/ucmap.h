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
};

struct gz_sim_ucmap {
	uc_engine *uc;
	uint64_t vttbr, vtcr; /* the stage-2 regime mapped */
	bool valid;	      /* a regime is mapped at all */
	struct gz_sim_ucmap_range *ranges;
	size_t nr, cap;
	uint64_t remaps; /* statistics: full rebuilds */
};

/* Drop every mapping and map the leaves of (@vttbr, @vtcr) afresh. */
void gz_sim_ucmap_remap(struct gz_sim_ucmap *m, uint64_t vttbr, uint64_t vtcr);
/* Unicorn missed @ipa with access @need (UC_PROT_*): true when the leaf now allows it and is
 * mapped (retry the access); false for a stage-2 fault, described by @r (gz_sim_s2_walk). */
bool gz_sim_ucmap_refill(struct gz_sim_ucmap *m, uint64_t ipa, int need,
			 struct gz_sim_s2_result *r);
void gz_sim_ucmap_fini(struct gz_sim_ucmap *m);

#endif
