/* The deterministic scheduler (--deterministic): one vCPU thread at a time does anything at
 * all (guest code, the core, the driver, gzvmm's exit handling), and the turn passes between
 * vCPUs at points defined in guest instructions, in an order the seed decides. Host timing
 * then decides nothing a guest can see (why and how: detsched.c). */
#ifndef GZ_SIM_DETSCHED_H
#define GZ_SIM_DETSCHED_H

#include <stdbool.h>
#include <stdint.h>

#define GZ_SIM_DET_MAX	64 /* vCPU ids 0..63 */
#define GZ_SIM_DET_NONE (-1)

/* Deterministic mode configured (gz_sim_init) and not given up for a stop. */
bool gz_sim_det_live(void);
/* Start afresh (gz_sim_init): mode and seed. */
void gz_sim_det_reset(bool on, uint64_t seed);
/* A vCPU with this id exists (is created) / is gone. */
void gz_sim_det_add(unsigned id);
void gz_sim_det_remove(unsigned id);
/* The calling thread acts for vCPU id from now on: it waits for that vCPU's turn (at once if
 * it has it). The turn stays with the thread until it yields or sleeps. */
void gz_sim_det_enter(unsigned id);
/* Nobody holds the turn: every vCPU sleeps with no deadline (input can wake one). */
bool gz_sim_det_idle(void);
/* The vCPU the calling thread acts for, GZ_SIM_DET_NONE for other threads. */
int gz_sim_det_self(void);
/* The holder's quantum is over: the next runnable vCPU gets the turn; true when it has it
 * again, false when it was told to leave meanwhile. */
bool gz_sim_det_yield(void);
/* The holder sleeps (a WFI in the driver) until it is woken or the counter reaches deadline
 * (ticks; UINT64_MAX: none) and its turn comes round again. */
void gz_sim_det_sleep(uint64_t deadline);
/* Wake vCPU id (it has an interrupt to take): runnable again, and the holder's turn gets
 * short. */
void gz_sim_det_wake(unsigned id);
/* vCPU id was kicked while inside the guest (an interrupt to take): the holder's turn gets
 * short. */
void gz_sim_det_urgent(unsigned id);
/* For the holder's block hook: instructions this turn lasts, and whether a shorter turn is
 * wanted (another runnable vCPU has an interrupt to take) / whether another vCPU can run. */
uint64_t gz_sim_det_quantum(void);
bool gz_sim_det_urgent_waits(void);
bool gz_sim_det_contended(void);
/* A stop kicked the thread of vCPU id: it waits for no turn any more. */
void gz_sim_det_leave(unsigned id);

#endif
