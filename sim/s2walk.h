/* The simulated MMU's stage-2 walk (s2walk.c); gz_sim_s2_walk itself is in gzsim/sim.h. */
#ifndef GZ_SIM_S2WALK_H
#define GZ_SIM_S2WALK_H

#include <gzsim/sim.h>

/* Every valid leaf of a stage-2 table, in IPA order. */
bool gz_sim_s2_for_each(uint64_t vttbr, uint64_t vtcr,
			void (*fn)(void *arg, gz_ipa_t ipa, const struct gz_sim_s2_result *leaf),
			void *arg);

#endif
