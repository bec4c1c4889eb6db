/* The simulated machine's state and lowest services (machine.h): configuration, virtual time,
 * physical-CPU identity, console, locks, panic, and the maintenance a coherent host with the
 * hypervisor on its own MMU does not need beyond fences. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "machine.h"

static _Thread_local unsigned this_cpu;
static gz_sim_putc_fn console_fn;
static void *console_arg;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct gz_sim_machine gz_sim_m;

const struct gz_sim_config *gz_sim_config(void)
{
	return &gz_sim_m.cfg;
}

/* ---- time -------------------------------------------------------------------------------- */

void gz_sim_clock_reset(void)
{
	atomic_store(&gz_sim_m.insns, 0);
	atomic_store(&gz_sim_m.skipped, 0);
	gz_sim_m.wall_start_ns = mono_ns();
}

uint64_t gz_sim_ticks_from_insns(uint64_t insns)
{
	return (uint64_t)((unsigned __int128)insns * gz_sim_m.cfg.cntfrq / gz_sim_m.cfg.insn_hz);
}

uint64_t gz_sim_insns_from_ticks(uint64_t ticks)
{
	unsigned __int128 v = (unsigned __int128)ticks * gz_sim_m.cfg.insn_hz;

	return (uint64_t)((v + gz_sim_m.cfg.cntfrq - 1) / gz_sim_m.cfg.cntfrq);
}

uint64_t gz_sim_now(void)
{
	uint64_t skipped = atomic_load(&gz_sim_m.skipped);

	if (gz_sim_m.cfg.clock == GZ_SIM_CLOCK_WALL)
		return (uint64_t)((unsigned __int128)(mono_ns() - gz_sim_m.wall_start_ns) *
				  gz_sim_m.cfg.cntfrq / 1000000000ULL) +
		       skipped;
	return gz_sim_ticks_from_insns(atomic_load(&gz_sim_m.insns)) + skipped;
}

uint64_t gz_sim_insns(void)
{
	return atomic_load(&gz_sim_m.insns);
}

void gz_sim_advance(uint64_t ticks)
{
	atomic_fetch_add(&gz_sim_m.skipped, ticks);
}

uint64_t gz_sim_ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)((unsigned __int128)ticks * 1000000000ULL / gz_sim_m.cfg.cntfrq);
}

uint64_t gz_hal_cntpct(void)
{
	return gz_sim_now();
}

uint64_t gz_hal_cntfrq(void)
{
	return gz_sim_m.cfg.cntfrq;
}

/* The simulated counter advances with guest instructions: a core spinning while every vCPU
 * waits would never see it move, so the simulator does not poll. */
uint64_t gz_hal_idle_poll_max(void)
{
	return 0;
}

bool gz_hal_host_irq_pending(void)
{
	return false;
}

/* ---- identity, console, locks, panic ------------------------------------------------------ */

void gz_sim_set_cpu_id(unsigned id)
{
	if (id >= GZ_SIM_MAX_PCPUS)
		gz_hal_panic("gz_sim_set_cpu_id: too many physical CPUs");
	this_cpu = id;
}

unsigned gz_sim_cpu(void)
{
	return this_cpu;
}

unsigned gz_hal_cpu_id(void)
{
	return this_cpu;
}

void gz_sim_set_console(gz_sim_putc_fn fn, void *arg)
{
	console_fn = fn;
	console_arg = arg;
}

void gz_hal_console_putc(char c)
{
	if (console_fn)
		console_fn(console_arg, c);
	else
		fputc(c, stderr);
}

void gz_hal_lock(gz_lock_t *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		sched_yield();
}

void gz_hal_unlock(gz_lock_t *lock)
{
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
}

void gz_hal_panic(const char *msg)
{
	fprintf(stderr, "gzsim: hypervisor panic on CPU %u: %s\n", this_cpu, msg);
	abort();
}

/* ---- maintenance the host does not need ---------------------------------------------------- */

void gz_hal_tlbi_el2_va(uint64_t va)
{
	(void)va; /* the sim's hypervisor runs on the host's own MMU */
}

void gz_hal_dsb(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

void gz_hal_isb(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

void gz_hal_dcache_clean_inval(const void *va, size_t len)
{
	(void)va;
	(void)len; /* a coherent host */
}
