/* The simulated machine's state and its lowest services (machine.c): the configuration, the
 * virtual time, the physical CPU a thread plays, console, locks, panic and barriers.
 * Everything in the simulator may use it; it uses nothing of the simulator. */
#ifndef GZ_SIM_MACHINE_H
#define GZ_SIM_MACHINE_H

#include <stdatomic.h>
#include <gzsim/sim.h>

#define GZ_SIM_MAX_PCPUS 64
_Static_assert(GZ_SIM_MAX_PCPUS <= GZ_MAX_PCPUS,
	       "the core's per-CPU state must cover every simulator thread");

struct gz_sim_machine {
	struct gz_sim_config cfg;
	int trace; /* GZSIM_TRACE: 1 exceptions delivered to guests, 2 also every exit */
	/* [cfg.phys_base, + cfg.phys_size) twice over one memory file (phys.c): mem is the
	 * machine's view (the core through the HAL, Unicorn's vCPUs), host the view of the
	 * build machine's process as the host VM (gzvmm, the in-process driver), which loses
	 * what the host's stage 2 does (hostview.c) */
	uint8_t *mem;
	uint8_t *host;
	int mem_fd;
	uint8_t *used; /* one byte per page: allocated */
	uint64_t nr_pages;
	uint64_t free_pages;
	uint64_t next_hint;
	atomic_uint_fast64_t insns;   /* executed by every vCPU */
	atomic_uint_fast64_t skipped; /* counter ticks added by gz_sim_advance */
	uint64_t wall_start_ns;
};

extern struct gz_sim_machine gz_sim_m;

/* Physical CPU of the calling thread. */
unsigned gz_sim_cpu(void);

/* Counter value now (physical), and the conversions of the instruction clock. */
uint64_t gz_sim_now(void);
uint64_t gz_sim_ticks_from_insns(uint64_t insns);
uint64_t gz_sim_insns_from_ticks(uint64_t ticks);
/* Start the clocks afresh (gz_sim_init). */
void gz_sim_clock_reset(void);

#endif
