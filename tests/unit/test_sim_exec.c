/* The simulator's execution turn (sim/exec.c) on its own, with vCPUs that execute nothing:
 * the holder's block hook gives the turn up after the full quantum for a waiter, after the
 * short one for a waiter with an interrupt to take or (instruction clock) while a runnable
 * vCPU is between two turns, and not before; waiters get it in FIFO order; a kicked waiter
 * or one with a TLBI leaves the queue without it; a free turn waits for vCPUs in transit
 * (not with the wall clock), for the give-up time at most; a threaded yield hands the turn to a
 * waiter; in deterministic mode the turn is the scheduler's (quanta: ten alone, one contended, the
 * short one for a kicked vCPU); the debugger's instruction count stops the engine before the block
 * that holds it runs (not for one that does not run, not once each instruction is hooked), and a
 * stop in a block gives back the instructions of it that did not run. test-libs: gzsim_internal
 * gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>
#include <gzsim/sim.h>
#include "detsched.h"
#include "exec.h"
#include "machine.h"

#define QUANTUM	       20000
#define QUANTUM_URGENT 1000
#define GIVE_UP_NS     200000000ULL /* exec.c's default */

static struct gz_sim_vcpu vc[3];
static struct gz_cpu_ctx ctx[3];
static struct gz_sim_ich ich;

static void fresh(struct gz_sim_vcpu *v, struct gz_cpu_ctx *c)
{
	memset(v, 0, sizeof(*v));
	memset(c, 0, sizeof(*c));
	v->ctx = c;
	v->ich = &ich;
	v->slice_end = UINT64_MAX;
	v->timer_deadline = UINT64_MAX;
	v->exit_at_insns = UINT64_MAX;
	v->stop_at = GZ_SIM_NO_STOP;
	assert_int_equal(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &v->uc), UC_ERR_OK);
}

static int setup_clock(enum gz_sim_clock clock)
{
	if (gz_sim_init(&(struct gz_sim_config){
		.phys_size = 4 << 20, .cpu_model = -1, .clock = clock}) != 0)
		return -1;
	memset(&ich, 0, sizeof(ich));
	for (int i = 0; i < 3; i++)
		fresh(&vc[i], &ctx[i]);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_clock(GZ_SIM_CLOCK_INSNS);
}

static int setup_wall(void **state)
{
	(void)state;
	return setup_clock(GZ_SIM_CLOCK_WALL);
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		uc_close(vc[i].uc);
	gz_sim_fini();
	return 0;
}

/* The holder executes @n more instructions (one block); true when it was told to yield. */
static bool run_block(struct gz_sim_vcpu *v, uint32_t n)
{
	v->reason = GZ_SIM_STOP_NONE;
	gz_sim_exec_block_hook(v->uc, 0, n * 4, v);
	return v->reason == GZ_SIM_STOP_YIELD;
}

struct waiter {
	pthread_t t;
	struct gz_sim_vcpu *v;
	bool urgent;
	atomic_int state; /* 0 waiting, 1 got the turn, 2 left without it */
	atomic_int order; /* when it got the turn, among the others */
};

static atomic_int served;

static void *wait_fn(void *arg)
{
	struct waiter *w = arg;
	bool got = gz_sim_exec_acquire(w->v, w->urgent);

	atomic_store(&w->order, atomic_fetch_add(&served, 1));
	atomic_store(&w->state, got ? 1 : 2);
	return NULL;
}

/* Start a waiter and wait until it is queued (the holder's block hook sees it). */
static void start_waiter(struct waiter *w, struct gz_sim_vcpu *v, bool urgent, int queued)
{
	*w = (struct waiter){.v = v, .urgent = urgent};
	assert_int_equal(pthread_create(&w->t, NULL, wait_fn, w), 0);
	while (gz_sim_exec_waiting() < queued)
		sched_yield();
}

/* Not done within 50 ms: blocked (a wrong implementation is caught as soon as its thread
 * runs; a slow host can only let it pass). */
static bool stays_blocked(struct waiter *w)
{
	struct timespec ts = {0, 50000000};

	nanosleep(&ts, NULL);
	return atomic_load(&w->state) == 0;
}

static void test_quanta(void **state)
{
	struct waiter w;

	(void)state;
	assert_true(gz_sim_exec_acquire(&vc[0], false)); /* a free turn, nobody in transit */
	/* alone: never yields */
	assert_false(run_block(&vc[0], QUANTUM * 2));
	/* a waiter: the holder yields once it had its full quantum of this turn */
	vc[0].exec_from = vc[0].insns;
	start_waiter(&w, &vc[1], false, 1);
	assert_false(run_block(&vc[0], QUANTUM - 4));
	assert_true(run_block(&vc[0], 4));
	gz_sim_exec_release(&vc[0]);
	pthread_join(w.t, NULL);
	assert_int_equal(atomic_load(&w.state), 1);
	/* a waiter with an interrupt to take: the short quantum */
	vc[1].exec_from = vc[1].insns;
	start_waiter(&w, &vc[0], true, 1);
	assert_false(run_block(&vc[1], QUANTUM_URGENT - 4));
	assert_true(run_block(&vc[1], 4));
	gz_sim_exec_release(&vc[0]);
	pthread_join(w.t, NULL);
	assert_int_equal(atomic_load(&w.state), 1);
	gz_sim_exec_release(&vc[0]);
	assert_int_equal(gz_sim_exec_waiting(), 0);
}

static void test_fifo_and_leaving(void **state)
{
	struct waiter a, b;

	(void)state;
	assert_true(gz_sim_exec_acquire(&vc[0], false));
	atomic_store(&served, 0);
	start_waiter(&a, &vc[1], false, 1);
	start_waiter(&b, &vc[2], false, 2);
	gz_sim_exec_release(&vc[0]);
	pthread_join(a.t, NULL);
	assert_int_equal(atomic_load(&a.state), 1);
	assert_int_equal(atomic_load(&a.order), 0); /* first come, first served */
	assert_true(stays_blocked(&b));
	gz_sim_exec_release(&vc[0]);
	pthread_join(b.t, NULL);
	assert_int_equal(atomic_load(&b.order), 1);
	/* a kicked waiter leaves the queue without the turn, so does one with a TLBI */
	start_waiter(&a, &vc[0], true, 1);
	assert_true(stays_blocked(&a));
	atomic_store(&vc[0].hyp_kick, 1);
	gz_sim_exec_kicked(NULL);
	pthread_join(a.t, NULL);
	assert_int_equal(atomic_load(&a.state), 2);
	assert_int_equal(gz_sim_exec_waiting(), 0);
	assert_false(run_block(&vc[2], QUANTUM_URGENT * 2)); /* its urgency went with it */
	atomic_store(&vc[0].hyp_kick, 0);
	atomic_store(&vc[1].stale, 1);
	start_waiter(&b, &vc[1], false, 0);
	gz_sim_exec_kicked(NULL);
	pthread_join(b.t, NULL);
	assert_int_equal(atomic_load(&b.state), 2);
	gz_sim_exec_release(&vc[0]);
}

/* With the instruction clock, a runnable vCPU between two turns holds the others back. The
 * give-up time is an hour here: with its 200 ms a loaded host that kept this thread from
 * running for 150 ms past stays_blocked's 50 ms saw the waiter take the turn (1 run in 20
 * beside four busy loops of higher priority). */
static void test_transit(void **state)
{
	struct waiter w;

	(void)state;
	gz_sim_exec_transit_give_up_ns = 3600ULL * 1000000000ULL;
	gz_sim_exec_runnable(1); /* vCPU 0's thread, in its RUN */
	assert_true(gz_sim_exec_acquire(&vc[0], false));
	vc[0].exec_from = vc[0].insns;
	assert_false(run_block(&vc[0], QUANTUM * 2)); /* alone */
	/* vCPU 1 woke up: runnable, neither holding nor waiting, the short quantum */
	gz_sim_exec_runnable(1);
	vc[0].exec_from = vc[0].insns;
	assert_false(run_block(&vc[0], QUANTUM_URGENT - 4));
	assert_true(run_block(&vc[0], 4));
	gz_sim_exec_release(&vc[0]);
	/* the free turn waits for it, even for the vCPU that just had it */
	start_waiter(&w, &vc[0], false, 0);
	assert_true(stays_blocked(&w));
	gz_sim_exec_runnable(-1); /* vCPU 1 went to sleep: the turn goes */
	pthread_join(w.t, NULL);
	assert_int_equal(atomic_load(&w.state), 1);
	gz_sim_exec_release(&vc[0]);
	gz_sim_exec_runnable(-1);
	gz_sim_exec_transit_give_up_ns = GIVE_UP_NS;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A vCPU that stays in transit (its thread held outside the simulator) holds a free turn back
 * for the give-up time only, not for good. */
static void test_transit_give_up(void **state)
{
	struct waiter w;
	uint64_t t0;

	(void)state;
	assert_int_equal(gz_sim_exec_transit_give_up_ns, GIVE_UP_NS);
	gz_sim_exec_transit_give_up_ns = 20000000ULL; /* 20 ms */
	gz_sim_exec_runnable(2); /* the waiter's thread, and one that stays away */
	t0 = mono_ns();
	start_waiter(&w, &vc[0], false, 0);
	pthread_join(w.t, NULL);
	assert_int_equal(atomic_load(&w.state), 1);
	assert_true(mono_ns() - t0 >= 20000000ULL);
	gz_sim_exec_release(&vc[0]);
	gz_sim_exec_runnable(-2);
	gz_sim_exec_transit_give_up_ns = GIVE_UP_NS;
}

/* The wall clock runs anyway: nothing waits for vCPUs in transit. */
static void test_wall_clock_does_not_wait(void **state)
{
	(void)state;
	gz_sim_exec_runnable(2);
	assert_true(gz_sim_exec_acquire(&vc[0], false));
	vc[0].exec_from = vc[0].insns;
	assert_false(run_block(&vc[0], QUANTUM * 2));
	gz_sim_exec_release(&vc[0]);
	gz_sim_exec_runnable(-2);
}

/* A yield in the threaded mode gives the turn up: the waiter gets it, the yielder does not. */
static void test_yield_threaded(void **state)
{
	struct waiter w;

	(void)state;
	assert_true(gz_sim_exec_acquire(&vc[0], false));
	start_waiter(&w, &vc[1], false, 1);
	assert_false(gz_sim_exec_yield(&vc[0]));
	pthread_join(w.t, NULL);
	assert_int_equal(atomic_load(&w.state), 1);
	gz_sim_exec_release(&vc[1]);
}

static int setup_det(void **state)
{
	(void)state;
	if (gz_sim_init(&(struct gz_sim_config){
		.phys_size = 4 << 20, .cpu_model = -1, .deterministic = true}) != 0)
		return -1;
	memset(&ich, 0, sizeof(ich));
	for (int i = 0; i < 3; i++)
		fresh(&vc[i], &ctx[i]);
	return 0;
}

/* Deterministic mode (detsched.c): the thread holds the scheduler's turn already; alone a
 * vCPU runs ten quanta between scheduling points, with another runnable one quantum, with
 * one that has an interrupt to take (kicked) the short quantum; a release keeps the turn, a
 * yield hands it on (here: this thread was told to leave, so it comes back without it). */
static void test_deterministic(void **state)
{
	(void)state;
	gz_sim_det_add(0);
	gz_sim_det_enter(0);
	assert_true(gz_sim_exec_acquire(&vc[0], false));
	assert_true(vc[0].exec_det);
	assert_int_equal(gz_sim_exec_waiting(), 0);
	assert_false(run_block(&vc[0], QUANTUM * 10 - 4));
	assert_true(run_block(&vc[0], 4));
	gz_sim_exec_release(&vc[0]); /* the turn stays: a formality */
	assert_true(gz_sim_exec_acquire(&vc[0], false));
	gz_sim_det_add(1);
	assert_false(run_block(&vc[0], QUANTUM - 4));
	assert_true(run_block(&vc[0], 4));
	assert_true(gz_sim_exec_acquire(&vc[0], false));
	vc[1].exec_det = true;
	vc[1].det_id = 1;
	gz_sim_exec_kicked(&vc[1]);
	assert_false(run_block(&vc[0], QUANTUM_URGENT - 4));
	assert_true(run_block(&vc[0], 4));
	gz_sim_det_leave(0);
	assert_false(gz_sim_exec_yield(&vc[0]));
	assert_false(vc[0].exec_det);
	gz_sim_det_remove(1);
	gz_sim_det_remove(0);
}

static void test_icount_and_uncount(void **state)
{
	struct gz_sim_vcpu *v = &vc[0];

	(void)state;
	atomic_store(&gz_sim_m.insns, 100);
	v->insns = 40;
	atomic_store(&gz_sim_exec_icount_at, 110);
	/* the block of 10 ends before instruction 110: it runs */
	v->reason = GZ_SIM_STOP_NONE;
	gz_sim_exec_block_hook(v->uc, 0x1000, 40, v);
	assert_int_equal(v->reason, GZ_SIM_STOP_NONE);
	assert_int_equal(atomic_load(&gz_sim_m.insns), 110);
	/* the next one holds it: stopped before it runs, its instructions given back */
	gz_sim_exec_block_hook(v->uc, 0x1028, 16, v);
	assert_int_equal(v->reason, GZ_SIM_STOP_ICOUNT);
	assert_int_equal(atomic_load(&gz_sim_m.insns), 110);
	assert_int_equal(v->insns, 50);
	/* with each instruction hooked the block runs; a stop at its third instruction gives
	 * back the other two; an address outside the block changes nothing */
	v->icount_near = true;
	v->reason = GZ_SIM_STOP_NONE;
	gz_sim_exec_block_hook(v->uc, 0x1028, 16, v);
	assert_int_equal(v->reason, GZ_SIM_STOP_NONE);
	assert_int_equal(v->blk_before, 110);
	gz_sim_exec_uncount(v, 0x1030);
	assert_int_equal(atomic_load(&gz_sim_m.insns), 112);
	assert_int_equal(v->insns, 52);
	gz_sim_exec_uncount(v, 0x2000);
	gz_sim_exec_uncount(v, 0xff0);
	assert_int_equal(atomic_load(&gz_sim_m.insns), 112);
	v->icount_near = false;
	atomic_store(&gz_sim_exec_icount_at, UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_quanta, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fifo_and_leaving, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transit_give_up, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wall_clock_does_not_wait, setup_wall, teardown),
	    cmocka_unit_test_setup_teardown(test_yield_threaded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deterministic, setup_det, teardown),
	    cmocka_unit_test_setup_teardown(test_icount_and_uncount, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
