/*
 * The deterministic scheduler (detsched.h). The threaded simulator is reproducible for one
 * vCPU only: with several, which vCPU thread reaches the execution turn first, and what the
 * core, the driver and gzvmm do meanwhile on other threads, depends on the host. Here one
 * thread at a time holds "the turn" and keeps it from the GZVM_RUN ioctl through the core,
 * the guest and gzvmm's handling of the exit until one of two points, both defined in
 * virtual time:
 *  - its quantum of guest instructions is over while another vCPU is runnable (the block
 *    hook counts; exec.c), or
 *  - it sleeps in the driver (WFI with nothing pending).
 * There the holder passes the turn on: first the embedder's hook runs (gzvmm delivers
 * console input and polls its timers there, and records or replays what it did at that
 * step), then the next runnable vCPU in round-robin order gets it (with a non-zero seed:
 * one drawn from a PRNG seeded with it, and quanta of drawn lengths). Sleepers whose
 * deadline has come are woken first; with nobody runnable the counter jumps to the earliest
 * deadline; with no deadline either the machine is idle until input arrives
 * (gz_sim_sched_poke). Every thread waits for its vCPU's turn, so the order in which threads
 * reach anything never matters: a run is a function of the guest, its inputs and the seed.
 * A stop kicks the vCPU threads one by one: a kicked thread stops waiting for turns and
 * leaves as in the threaded mode, while the others still wait for theirs, so that none does
 * anything more before its own kick (which would depend on when that came).
 */
#include <pthread.h>
#include <stdatomic.h>
#include "detsched.h"
#include "machine.h"

#define DET_HOST	     (-2)
#define DET_QUANTUM	     20000 /* as the threaded turn (exec.c) */
#define DET_QUANTUM_URGENT   1000
#define DET_QUANTUM_MIN_SEED 2000 /* with a seed: quanta of 2,000 to 38,000 */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool on;
	atomic_bool live;
	bool started;
	bool poked; /* input came while the turn was being passed on: look again before idling */
	int holder; /* vCPU id, DET_HOST or GZ_SIM_DET_NONE (idle) */
	uint64_t step, seed, rng, quantum, nr_present;
	bool present[GZ_SIM_DET_MAX], asleep[GZ_SIM_DET_MAX], leave[GZ_SIM_DET_MAX];
	uint64_t deadline[GZ_SIM_DET_MAX];
	atomic_int runnable;
	atomic_uint_fast64_t urgent; /* one bit per vCPU id */
	gz_sim_sched_hook_fn hook;
	void *hook_arg;
} D = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .holder = -1};

static _Thread_local int det_self = GZ_SIM_DET_NONE;

/* splitmix64: the seed's sequence of draws */
static uint64_t draw(void)
{
	uint64_t z = (D.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

bool gz_sim_det_live(void)
{
	return atomic_load(&D.live);
}

static void rearm_locked(void)
{
	atomic_store(&D.live, D.on);
	D.started = false;
	D.poked = false;
	D.holder = GZ_SIM_DET_NONE;
	atomic_store(&D.urgent, 0);
}

void gz_sim_det_reset(bool on, uint64_t seed)
{
	pthread_mutex_lock(&D.mu);
	D.on = on;
	D.seed = D.rng = seed;
	D.step = 0;
	D.nr_present = 0;
	atomic_store(&D.runnable, 0);
	for (int i = 0; i < GZ_SIM_DET_MAX; i++)
		D.present[i] = D.asleep[i] = D.leave[i] = false;
	rearm_locked();
	pthread_cond_broadcast(&D.cv);
	pthread_mutex_unlock(&D.mu);
}

void gz_sim_set_sched_hook(gz_sim_sched_hook_fn fn, void *arg)
{
	pthread_mutex_lock(&D.mu);
	D.hook = fn;
	D.hook_arg = arg;
	pthread_mutex_unlock(&D.mu);
}

uint64_t gz_sim_sched_step(void)
{
	uint64_t s;

	pthread_mutex_lock(&D.mu);
	s = D.step;
	pthread_mutex_unlock(&D.mu);
	return s;
}

void gz_sim_det_add(unsigned id)
{
	if (id >= GZ_SIM_DET_MAX)
		return;
	pthread_mutex_lock(&D.mu);
	if (!D.present[id]) {
		D.present[id] = true;
		D.asleep[id] = false;
		D.leave[id] = false;
		D.nr_present++;
		atomic_fetch_add(&D.runnable, 1);
	}
	pthread_mutex_unlock(&D.mu);
}

void gz_sim_det_remove(unsigned id)
{
	if (id >= GZ_SIM_DET_MAX)
		return;
	pthread_mutex_lock(&D.mu);
	if (D.present[id]) {
		D.present[id] = false;
		if (!D.asleep[id])
			atomic_fetch_sub(&D.runnable, 1);
		D.asleep[id] = false;
		/* The last vCPU of a VM is gone (the end, or a reboot in place whose threads
		 * were stopped): the next VM starts with fresh turns. */
		if (--D.nr_present == 0)
			rearm_locked();
	}
	pthread_mutex_unlock(&D.mu);
}

static void set_holder_locked(int id)
{
	D.holder = id;
	if (id >= 0) {
		atomic_fetch_and(&D.urgent, ~(1ULL << id));
		D.quantum = D.seed ? DET_QUANTUM_MIN_SEED +
					 draw() % (2 * (DET_QUANTUM - DET_QUANTUM_MIN_SEED))
				   : DET_QUANTUM;
	}
	pthread_cond_broadcast(&D.cv);
}

static void wake_locked(int id)
{
	D.asleep[id] = false;
	atomic_fetch_add(&D.runnable, 1);
	atomic_fetch_or(&D.urgent, 1ULL << id);
}

/* The next vCPU to run after @from (an id, or none/host: from the start): sleepers whose
 * deadline has come wake first; with nobody runnable the counter jumps to the earliest
 * deadline. GZ_SIM_DET_NONE: the machine is idle. */
static int pick_locked(int from)
{
	uint64_t now = gz_sim_now(), first = UINT64_MAX;
	int n = atomic_load(&D.runnable), who = GZ_SIM_DET_NONE;

	for (int i = 0; i < GZ_SIM_DET_MAX; i++) {
		if (!D.present[i] || !D.asleep[i])
			continue;
		if (D.deadline[i] <= now) {
			wake_locked(i);
			n++;
		} else if (D.deadline[i] < first) {
			first = D.deadline[i];
			who = i;
		}
	}
	if (n == 0) {
		if (who == GZ_SIM_DET_NONE)
			return GZ_SIM_DET_NONE;
		gz_sim_advance(first - now);
		wake_locked(who);
		return who;
	}
	if (D.seed) {
		uint64_t k = draw() % (uint64_t)n;

		for (int i = 0; i < GZ_SIM_DET_MAX; i++)
			if (D.present[i] && !D.asleep[i] && k-- == 0)
				return i;
	}
	for (int i = 1; i <= GZ_SIM_DET_MAX; i++) {
		int id = ((from < 0 ? -1 : from) + i) % GZ_SIM_DET_MAX;

		if (D.present[id] && !D.asleep[id])
			return id;
	}
	return GZ_SIM_DET_NONE; /* not reached: n counts the runnable ones */
}

/* The holder (a vCPU, or the host with input for an idle machine) passes the turn on. */
static void handoff(int me)
{
	bool idle = false, again = true;
	int next;

	for (;;) {
		uint64_t step;

		pthread_mutex_lock(&D.mu);
		step = ++D.step;
		pthread_mutex_unlock(&D.mu);
		if (D.hook)
			again = D.hook(D.hook_arg, step, idle);
		pthread_mutex_lock(&D.mu);
		next = pick_locked(me);
		if (next != GZ_SIM_DET_NONE || !atomic_load(&D.live) || (!again && !D.poked))
			break;
		/* Idle: the embedder may have more to give at the next step (a replay, or input
		 * that came while this point's hook ran). */
		D.poked = false;
		idle = true;
		pthread_mutex_unlock(&D.mu);
	}
	set_holder_locked(next);
	pthread_mutex_unlock(&D.mu);
}

/* true: @me has the turn; false: it was told to leave (or the mode is off). */
static bool wait_turn_locked(int me)
{
	while (atomic_load(&D.live) && D.holder != me && !D.leave[me])
		pthread_cond_wait(&D.cv, &D.mu);
	return atomic_load(&D.live) && D.holder == me && !D.leave[me];
}

void gz_sim_det_enter(unsigned id)
{
	det_self = (int)id;
	pthread_mutex_lock(&D.mu);
	if (!D.started && atomic_load(&D.live)) {
		D.started = true;
		set_holder_locked(pick_locked(GZ_SIM_DET_NONE));
	}
	wait_turn_locked((int)id);
	pthread_mutex_unlock(&D.mu);
}

bool gz_sim_det_idle(void)
{
	bool idle;

	pthread_mutex_lock(&D.mu);
	idle = D.started && D.holder == GZ_SIM_DET_NONE;
	pthread_mutex_unlock(&D.mu);
	return idle;
}

int gz_sim_det_self(void)
{
	return det_self;
}

bool gz_sim_det_yield(void)
{
	bool held;

	handoff(det_self);
	pthread_mutex_lock(&D.mu);
	held = wait_turn_locked(det_self);
	pthread_mutex_unlock(&D.mu);
	return held;
}

void gz_sim_det_sleep(uint64_t deadline)
{
	int me = det_self;

	if (me < 0 || me >= GZ_SIM_DET_MAX)
		return;
	pthread_mutex_lock(&D.mu);
	D.asleep[me] = true;
	D.deadline[me] = deadline;
	atomic_fetch_sub(&D.runnable, 1);
	pthread_mutex_unlock(&D.mu);
	handoff(me);
	pthread_mutex_lock(&D.mu);
	wait_turn_locked(me);
	if (D.asleep[me]) /* told to leave while asleep */
		wake_locked(me);
	pthread_mutex_unlock(&D.mu);
}

void gz_sim_det_wake(unsigned id)
{
	if (id >= GZ_SIM_DET_MAX)
		return;
	pthread_mutex_lock(&D.mu);
	if (D.present[id] && D.asleep[id]) {
		wake_locked((int)id);
		/* Woken from outside the turns (a host event while idle): it runs now. */
		if (D.holder == GZ_SIM_DET_NONE && D.started)
			set_holder_locked((int)id);
	}
	pthread_mutex_unlock(&D.mu);
}

void gz_sim_det_urgent(unsigned id)
{
	if (id < GZ_SIM_DET_MAX)
		atomic_fetch_or(&D.urgent, 1ULL << id);
}

uint64_t gz_sim_det_quantum(void)
{
	return D.quantum;
}

bool gz_sim_det_urgent_waits(void)
{
	uint64_t mine = det_self >= 0 ? 1ULL << det_self : 0;

	return (atomic_load(&D.urgent) & ~mine) != 0;
}

bool gz_sim_det_contended(void)
{
	return atomic_load(&D.runnable) > 1;
}

void gz_sim_det_leave(unsigned id)
{
	if (id >= GZ_SIM_DET_MAX)
		return;
	pthread_mutex_lock(&D.mu);
	D.leave[id] = true;
	pthread_cond_broadcast(&D.cv);
	pthread_mutex_unlock(&D.mu);
}

/* Input for an idle machine: the host takes the turn, its hook delivers at a new step. */
void gz_sim_sched_poke(void)
{
	pthread_mutex_lock(&D.mu);
	if (!atomic_load(&D.live) || !D.started || D.holder != GZ_SIM_DET_NONE) {
		D.poked = true; /* the holder looks again before it lets the machine idle */
		pthread_mutex_unlock(&D.mu);
		return;
	}
	D.holder = DET_HOST;
	pthread_mutex_unlock(&D.mu);
	handoff(DET_HOST);
}
