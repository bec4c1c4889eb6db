/*
 * One vCPU executes guest code at a time (exec.h). Each vCPU is its own Unicorn instance,
 * and Unicorn translates load/store-exclusive and the LSE atomics as plain loads and stores
 * (it never runs CPUs in parallel itself): two instances on two host threads lose
 * increments of the same counter, and a guest spinning on that counter never ends (the
 * ipi guest's "ready" count did, ~1 run in 20). A fair ticket turn around uc_emu_start makes
 * every guest memory access of one vCPU atomic against the others, as on QEMU's
 * round-robin TCG; a vCPU gives the turn up after EXEC_QUANTUM instructions when another
 * waits. The core, the VMM and the host side still run in parallel.
 */
#include <pthread.h>
#include "machine.h"
#include "exec.h"

#define EXEC_QUANTUM 20000

static pthread_mutex_t exec_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exec_cv = PTHREAD_COND_INITIALIZER;
static uint64_t exec_next, exec_serving;
static atomic_uint_fast64_t exec_queued; /* tickets taken and not yet done */

void gz_sim_exec_acquire(struct gz_sim_vcpu *v)
{
	uint64_t t;

	atomic_fetch_add(&exec_queued, 1);
	pthread_mutex_lock(&exec_mu);
	t = exec_next++;
	while (t != exec_serving)
		pthread_cond_wait(&exec_cv, &exec_mu);
	pthread_mutex_unlock(&exec_mu);
	v->exec_from = v->insns;
}

void gz_sim_exec_release(void)
{
	pthread_mutex_lock(&exec_mu);
	exec_serving++;
	pthread_cond_broadcast(&exec_cv);
	pthread_mutex_unlock(&exec_mu);
	atomic_fetch_sub(&exec_queued, 1);
}

void gz_sim_exec_block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	struct gz_sim_vcpu *v = arg;
	uint64_t n = size / 4;

	(void)addr;
	v->insns += n;
	atomic_fetch_add(&gz_sim_m.insns, n);
	if (atomic_load(&v->stale) || gz_sim_vcpu_must_leave(v)) {
		if (v->reason == GZ_SIM_STOP_NONE)
			v->reason = GZ_SIM_STOP_HOSTIRQ;
		uc_emu_stop(uc);
		return;
	}
	if (v->insns - v->exec_from >= EXEC_QUANTUM && atomic_load(&exec_queued) > 1 &&
	    v->reason == GZ_SIM_STOP_NONE) {
		v->reason = GZ_SIM_STOP_YIELD;
		uc_emu_stop(uc);
	}
}
