/*
 * One vCPU executes guest code at a time (exec.h). Each vCPU is its own Unicorn instance,
 * and Unicorn translates load/store-exclusive and the LSE atomics as plain loads and stores
 * (it never runs CPUs in parallel itself): two instances on two host threads lose
 * increments of the same counter, and a guest spinning on that counter never ends (the
 * ipi guest's "ready" count did, ~1 run in 20). A turn handed over in FIFO order around
 * uc_emu_start makes every guest memory access of one vCPU atomic against the others, as on
 * QEMU's round-robin TCG. The core, the VMM and the host side still run in parallel.
 *
 * How turns are cut decides how long an interrupt takes to reach a vCPU that waits for it,
 * counted in guest time, which is the machine's executed instructions:
 *  - the holder gives the turn up after EXEC_QUANTUM instructions when another vCPU waits,
 *    after EXEC_QUANTUM_URGENT already when a waiter has an interrupt to take;
 *  - a waiter that is kicked (the core made an interrupt pending for it, the host wants its
 *    CPU) or has a TLBI to apply leaves the queue at once: it needs no turn to leave the
 *    guest, only to enter it again, and then it comes with the interrupt to take;
 *  - with the instruction clock, a vCPU between two turns (in the core, the driver or
 *    waking up from an idle sleep: runnable, not waiting, not asleep) holds the others
 *    back: the holder stops after EXEC_QUANTUM_URGENT and the turn waits for it. Host work
 *    takes no guest time, so a vCPU spinning for another's SGI no longer runs on while the
 *    SGI's target is on its way back into the guest (before: 1-4 ms of guest time per SGI
 *    on a loaded machine, now a few thousand instructions; bench/ipi). The in-process
 *    driver says which host threads are runnable (gz_sim_exec_runnable); with nobody
 *    telling (the HAL used directly) nothing waits.
 * A wall-clock run keeps the first two only: its time passes anyway.
 * In deterministic mode (detsched.c) the thread already holds the turn when it comes here,
 * from its GZVM_RUN on: acquiring is a formality, the block hook ends a turn after the
 * scheduler's quantum when another vCPU is runnable (after EXEC_QUANTUM_URGENT when one has
 * an interrupt to take; after EXEC_DET_ALONE quanta when none is, so that input reaches a
 * guest that spins alone), and yielding passes the turn to the vCPU the scheduler chooses.
 */
#include <pthread.h>
#include <time.h>
#include "detsched.h"
#include "exec.h"
#include "machine.h"

#define EXEC_QUANTUM	    20000
#define EXEC_QUANTUM_URGENT 1000
#define EXEC_DET_ALONE	    10
/* How long (wall clock) a free turn waits for vCPUs in transit before it goes anyway: a
 * guard against a host thread held outside the simulator (a debugger, a stalled host), far
 * beyond any transit through the core and the driver. */
uint64_t gz_sim_exec_transit_give_up_ns = 200000000ULL;

static pthread_mutex_t exec_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exec_cv = PTHREAD_COND_INITIALIZER;
static struct gz_sim_vcpu *exec_holder;				/* under exec_mu */
static struct gz_sim_vcpu *exec_head, **exec_tail = &exec_head; /* waiters, FIFO */
static atomic_int exec_waiting;					/* waiters */
static atomic_int exec_urgent;	 /* waiters with an interrupt to take */
static atomic_int exec_runnable; /* host threads in a vCPU's ioctl and not asleep */

static bool leaves(const struct gz_sim_vcpu *v)
{
	return atomic_load(&v->kick) || atomic_load(&v->hyp_kick) || atomic_load(&v->stale);
}

static bool insn_clock(void)
{
	return gz_sim_m.cfg.clock == GZ_SIM_CLOCK_INSNS;
}

/* vCPUs between two turns, besides the holder and the waiters. */
static int in_transit(bool held)
{
	int t = atomic_load(&exec_runnable) - (held ? 1 : 0) - atomic_load(&exec_waiting);

	return insn_clock() && t > 0 ? t : 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void enqueue(struct gz_sim_vcpu *v, bool urgent)
{
	v->exec_urgent = urgent;
	v->exec_next = NULL;
	*exec_tail = v;
	exec_tail = &v->exec_next;
	atomic_fetch_add(&exec_waiting, 1);
	if (urgent)
		atomic_fetch_add(&exec_urgent, 1);
}

static void dequeue(struct gz_sim_vcpu *v)
{
	struct gz_sim_vcpu **p = &exec_head;

	while (*p != v)
		p = &(*p)->exec_next;
	*p = v->exec_next;
	if (exec_tail == &v->exec_next)
		exec_tail = p;
	v->exec_next = NULL;
	atomic_fetch_sub(&exec_waiting, 1);
	if (v->exec_urgent)
		atomic_fetch_sub(&exec_urgent, 1);
}

/* Wait on exec_cv, at most until @until (monotonic ns): a free turn re-checks its wait for
 * vCPUs in transit against the give-up time. */
static void wait_until(uint64_t until)
{
	struct timespec ts;
	uint64_t now = mono_ns(), ns;

	if (now >= until)
		return;
	ns = until - now;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ns / 1000000000ULL);
	ts.tv_nsec += (long)(ns % 1000000000ULL);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&exec_cv, &exec_mu, &ts);
}

bool gz_sim_exec_acquire(struct gz_sim_vcpu *v, bool urgent)
{
	uint64_t give_up = 0;
	bool got = false;

	v->exec_det = gz_sim_det_live() && gz_sim_det_self() >= 0;
	if (v->exec_det) {
		v->det_id = gz_sim_det_self();
		/* after a debugger's stop the turn goes on as if there had been none */
		if (!v->gdb_resumed)
			v->exec_from = v->insns;
		return true;
	}
	pthread_mutex_lock(&exec_mu);
	enqueue(v, urgent);
	pthread_cond_broadcast(&exec_cv); /* one fewer in transit */
	for (;;) {
		if (leaves(v)) {
			dequeue(v);
			break;
		}
		if (!exec_holder && exec_head == v) {
			if (!in_transit(false))
				got = true;
			else if (!give_up)
				give_up = mono_ns() + gz_sim_exec_transit_give_up_ns;
			else if (mono_ns() >= give_up)
				got = true;
			if (got) {
				dequeue(v);
				exec_holder = v;
				break;
			}
			wait_until(give_up);
			continue;
		}
		give_up = 0;
		pthread_cond_wait(&exec_cv, &exec_mu);
	}
	pthread_mutex_unlock(&exec_mu);
	if (got)
		v->exec_from = v->insns;
	return got;
}

void gz_sim_exec_release(struct gz_sim_vcpu *v)
{
	if (v->exec_det)
		return; /* the scheduler's turn lasts until a yield or a sleep */
	pthread_mutex_lock(&exec_mu);
	exec_holder = NULL;
	pthread_cond_broadcast(&exec_cv);
	pthread_mutex_unlock(&exec_mu);
}

bool gz_sim_exec_yield(struct gz_sim_vcpu *v)
{
	if (!v->exec_det) {
		gz_sim_exec_release(v);
		return false;
	}
	atomic_store(&v->det_parked, 1);
	/* Told to leave meanwhile (a stop): the FIFO turn protects the engine from here on. */
	v->exec_det = gz_sim_det_yield();
	atomic_store(&v->det_parked, 0);
	v->exec_from = v->insns;
	return v->exec_det;
}

void gz_sim_exec_kicked(struct gz_sim_vcpu *v)
{
	if (v && v->exec_det)
		gz_sim_det_urgent((unsigned)v->det_id);
	pthread_mutex_lock(&exec_mu);
	pthread_cond_broadcast(&exec_cv);
	pthread_mutex_unlock(&exec_mu);
}

void gz_sim_exec_runnable(int delta)
{
	pthread_mutex_lock(&exec_mu);
	atomic_fetch_add(&exec_runnable, delta);
	pthread_cond_broadcast(&exec_cv);
	pthread_mutex_unlock(&exec_mu);
}

int gz_sim_exec_waiting(void)
{
	return atomic_load(&exec_waiting);
}

atomic_uint_fast64_t gz_sim_exec_icount_at = UINT64_MAX;

/* Add @n (modulo 2^64) to the machine's instruction count; the count before. Only the vCPU
 * holding the turn executes guest code and counts, so a plain load and store publish the
 * count: a locked add at every block cost a tenth of a Linux boot's host time. */
static uint64_t count_insns(uint64_t n)
{
	uint64_t before = atomic_load_explicit(&gz_sim_m.insns, memory_order_relaxed);

	atomic_store_explicit(&gz_sim_m.insns, before + n, memory_order_release);
	return before;
}

void gz_sim_exec_uncount(struct gz_sim_vcpu *v, uint64_t pc)
{
	uint64_t end = v->blk_addr + 4 * v->blk_n, n;

	if (pc < v->blk_addr || pc >= end)
		return;
	n = (end - pc) / 4;
	v->insns -= n;
	count_insns(0 - n);
	v->blk_n -= n;
}

/* The holder's turn is over: true when the engine stops for it. */
static bool turn_over(struct gz_sim_vcpu *v, uint64_t ran)
{
	int waiting;

	if (v->exec_det) {
		uint64_t q = gz_sim_det_quantum();

		/* Alone, a vCPU still passes a scheduling point every EXEC_DET_ALONE quanta:
		 * the points where host input can come in are the same in every run. */
		return ran >= (gz_sim_det_contended() ? q : q * EXEC_DET_ALONE) ||
		       (ran >= EXEC_QUANTUM_URGENT && gz_sim_det_urgent_waits());
	}
	waiting = atomic_load(&exec_waiting);
	return (waiting && ran >= EXEC_QUANTUM) ||
	       (ran >= EXEC_QUANTUM_URGENT && (atomic_load(&exec_urgent) || in_transit(true)));
}

void gz_sim_exec_block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	struct gz_sim_vcpu *v = arg;
	uint64_t n = size / 4, before;

	if (addr == v->stop_at) { /* nothing of the block ran: nothing counts */
		uc_emu_stop(uc);
		return;
	}
	v->insns += n;
	before = count_insns(n);
	v->blk_addr = addr;
	v->blk_n = n;
	v->blk_before = before;
	if (atomic_load(&v->stale) || gz_sim_vcpu_leaves_at(v, before + n)) {
		if (v->reason == GZ_SIM_STOP_NONE)
			v->reason = GZ_SIM_STOP_HOSTIRQ;
		uc_emu_stop(uc);
		return;
	}
	if (v->reason != GZ_SIM_STOP_NONE)
		return;
	if (turn_over(v, v->insns - v->exec_from)) {
		v->reason = GZ_SIM_STOP_YIELD;
		uc_emu_stop(uc);
		return;
	}
	/* Only a block that runs counts here: one stopped above runs again, counted anew. */
	if (before + n > atomic_load_explicit(&gz_sim_exec_icount_at, memory_order_relaxed) &&
	    !v->icount_near) {
		gz_sim_exec_uncount(v, addr);
		v->reason = GZ_SIM_STOP_ICOUNT;
		uc_emu_stop(uc);
	}
}
