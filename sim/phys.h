/* Simulated physical memory (phys.c): set up and torn down with the machine; the HAL's
 * PA<->VA translation and the host allocator (gzsim/sim.h) work on it. */
#ifndef GZ_SIM_PHYS_H
#define GZ_SIM_PHYS_H

#include <arm64/types.h>

/* Map gz_sim_m.cfg.phys_size bytes at cfg.phys_base (the size rounded up to 2 MiB). */
int gz_sim_phys_setup(void);
void gz_sim_phys_teardown(void);
/* [p, p + size) lies inside simulated physical memory. */
bool gz_sim_phys_contains(const void *p, size_t size);
/* The host's view of @pa (gz_sim_m.host), NULL outside simulated memory. */
void *gz_sim_host_view(gz_pa_t pa);

#endif
