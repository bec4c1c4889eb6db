/* The guest's stage-1 walk (s1walk.c): the level and kind of fault a VA access takes under
 * the guest's own translation regime; the stage-2 walk gives the table addresses. */
#ifndef GZ_SIM_S1WALK_H
#define GZ_SIM_S1WALK_H

#include <arm64/cpu_ctx.h>

struct gz_sim_s1_fault {
	unsigned fsc; /* DFSC/IFSC */
	bool s1ptw;   /* the table walk itself faulted at stage 2 (IPA in ipa) */
	uint64_t ipa;
	/* a leaf was found (whatever its permissions and access flag): oa is the IPA @va
	 * translates to (a debugger's view, gdb_mem.c) */
	bool leaf;
	uint64_t oa;
};
void gz_sim_s1_fault(uint64_t vttbr, uint64_t vtcr, const uint64_t *sys, uint64_t va, bool write,
		     bool fetch, bool el0, struct gz_sim_s1_fault *out);

#endif
