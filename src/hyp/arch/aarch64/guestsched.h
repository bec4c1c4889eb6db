/*
 * The test mode's vCPU scheduler (guestrun.c), on its own so the host's unit tests run it:
 * each physical CPU runs its share of the vCPUs, and the runnable one that has spent the
 * least time in RUN goes next, for at most one preemption slice. A vCPU that comes back
 * after a few microseconds (an MMIO exit to the VMM) so keeps its CPU until it has used as
 * much time as the others, as a vCPU thread under a host OS's scheduler does: a round-robin
 * turn per exit would make every device access wait for a full slice of each other vCPU,
 * spinning or not.
 */
#ifndef GZ_GUESTSCHED_H
#define GZ_GUESTSCHED_H

#include <stdbool.h>
#include <stdint.h>

struct gz_guestsched_vcpu {
	unsigned pcpu; /* the physical CPU that runs it */
	bool sleep;    /* after IDLE: until the wake generation moves past sleep_gen or wake_at */
	uint64_t sleep_gen;
	uint64_t wake_at; /* counter value; 0: only a wake ends the sleep */
	uint64_t vtime;	  /* counter ticks spent in RUN, raised to the CPU's floor on a wake */
};

/* One physical CPU's view. */
struct gz_guestsched_cpu {
	unsigned id;
	unsigned last;	/* the vCPU it ran last: equal times go round-robin from there */
	uint64_t floor; /* never decreasing: the least vtime of its runnable vCPUs at a pick */
};

/* The vCPU @cpu runs next (index into @v), or -1 when all of its vCPUs sleep. @now is the
 * counter, @gen the wake generation: a vCPU that wakes joins at the floor, so the time it
 * slept is no credit to take the CPU with. */
int gz_guestsched_pick(struct gz_guestsched_cpu *cpu, struct gz_guestsched_vcpu *v, unsigned nr,
		       uint64_t now, uint64_t gen);
/* @c spent @ticks in RUN (at least one is counted). */
void gz_guestsched_ran(struct gz_guestsched_vcpu *c, uint64_t ticks);
/* @c exited IDLE from a RUN started under wake generation @gen: it sleeps until the
 * generation moves on (a wake racing with the exit is not lost) or, if @wake_at is not 0,
 * until the counter reaches it. */
void gz_guestsched_sleep(struct gz_guestsched_vcpu *c, uint64_t gen, uint64_t wake_at);

#endif
