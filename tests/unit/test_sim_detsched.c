/* The deterministic scheduler (sim/detsched.c) on its own, with threads that stand for vCPU
 * threads and execute nothing: turns go round robin from vCPU 0 whatever order the threads
 * start in, a seed gives the same order on every run, a sleeper's deadline makes the counter
 * jump when nobody can run, a wake-up makes the holder's turn short, the embedder's hook sees
 * every scheduling point once, in order, and input for an idle machine comes in through a
 * poke; a thread told to leave stops waiting.
 * test-libs: gzsim_internal gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>
#include <gzsim/sim.h>
#include "detsched.h"
#include "machine.h"

#define NW     3
#define ROUNDS 3

struct worker {
	pthread_t t;
	unsigned id;
	uint64_t deadline; /* its one sleep (deadline mode) */
	uint64_t woke_at;  /* the counter when it came back */
};

static int order[64];
static atomic_int norder;
static uint64_t steps[256];
static bool idles[256];
static atomic_int nsteps;
static atomic_int wake_on_poke = -1;
static atomic_int want_again;	/* the hook asks for this many more points */
static atomic_int poke_in_hook; /* the hook pokes (input while the turn is passed on) */

static bool hook(void *arg, uint64_t step, bool idle)
{
	int i = atomic_fetch_add(&nsteps, 1);
	int w = atomic_exchange(&wake_on_poke, -1);

	(void)arg;
	if (i < 256) {
		steps[i] = step;
		idles[i] = idle;
	}
	if (w >= 0) {
		gz_sim_det_wake((unsigned)w); /* what an input's interrupt does */
		return true;
	}
	if (atomic_exchange(&poke_in_hook, 0))
		gz_sim_sched_poke();
	if (atomic_load(&want_again) > 0) {
		atomic_fetch_sub(&want_again, 1);
		return true;
	}
	return false;
}

static void start(bool det, uint64_t seed)
{
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){
		.phys_size = 4 << 20, .cpu_model = -1, .deterministic = det, .seed = seed}),
	    0);
	memset(order, 0, sizeof(order));
	atomic_store(&norder, 0);
	atomic_store(&nsteps, 0);
	gz_sim_set_sched_hook(hook, NULL);
}

static void *rr_worker(void *arg)
{
	struct worker *w = arg;

	gz_sim_det_enter(w->id);
	assert_int_equal(gz_sim_det_self(), (int)w->id);
	for (int i = 0; i < ROUNDS; i++) {
		order[atomic_fetch_add(&norder, 1)] = (int)w->id;
		if (i + 1 < ROUNDS)
			assert_true(gz_sim_det_yield());
	}
	gz_sim_det_sleep(UINT64_MAX); /* done: until told to leave */
	return NULL;
}

/* Sleep a little so that threads reach the scheduler in the order started (if they could
 * jump the queue, the test would see it). */
static void pause_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

static void run_workers(void *(*fn)(void *), struct worker *w)
{
	for (unsigned i = 0; i < NW; i++)
		gz_sim_det_add(i);
	for (int i = NW - 1; i >= 0; i--) { /* the last vCPU's thread first */
		w[i].id = (unsigned)i;
		assert_int_equal(pthread_create(&w[i].t, NULL, fn, &w[i]), 0);
		pause_ms(5);
	}
	while (atomic_load(&norder) < NW * ROUNDS)
		pause_ms(1);
	pause_ms(5);
	for (unsigned i = 0; i < NW; i++)
		gz_sim_det_leave(i);
	for (unsigned i = 0; i < NW; i++)
		pthread_join(w[i].t, NULL);
	for (unsigned i = 0; i < NW; i++)
		gz_sim_det_remove(i);
}

static void test_round_robin(void **state)
{
	static const int want[NW * ROUNDS] = {0, 1, 2, 0, 1, 2, 0, 1, 2};
	struct worker w[NW];
	int n;

	(void)state;
	start(true, 0);
	assert_true(gz_sim_det_live());
	run_workers(rr_worker, w);
	assert_memory_equal(order, want, sizeof(want));
	assert_int_equal(gz_sim_det_quantum(), 20000);
	/* every scheduling point once, numbered from 1; never idle for a hook that does not
	 * ask for it */
	n = atomic_load(&nsteps);
	assert_true(n >= NW * ROUNDS);
	for (int i = 0; i < n; i++) {
		assert_int_equal(steps[i], (uint64_t)i + 1);
		assert_false(idles[i]);
	}
	assert_int_equal(gz_sim_sched_step(), (uint64_t)n);
}

static void test_seeded(void **state)
{
	int first[NW * ROUNDS], counts[NW] = {0};
	struct worker w[NW];
	bool differs = false;

	(void)state;
	start(true, 12345);
	run_workers(rr_worker, w);
	memcpy(first, order, sizeof(first));
	assert_true(gz_sim_det_quantum() >= 2000 && gz_sim_det_quantum() < 38000);
	for (int i = 0; i < NW * ROUNDS; i++)
		counts[first[i]]++;
	for (int i = 0; i < NW; i++)
		assert_int_equal(counts[i], ROUNDS);
	/* the same seed: the same order */
	start(true, 12345);
	run_workers(rr_worker, w);
	assert_memory_equal(order, first, sizeof(first));
	/* some other seed orders them otherwise */
	for (uint64_t s = 1; s < 20 && !differs; s++) {
		start(true, s);
		run_workers(rr_worker, w);
		differs = memcmp(order, first, sizeof(first)) != 0;
	}
	assert_true(differs);
}

static void *deadline_worker(void *arg)
{
	struct worker *w = arg;

	gz_sim_det_enter(w->id);
	gz_sim_det_sleep(w->deadline);
	w->woke_at = gz_sim_now();
	order[atomic_fetch_add(&norder, 1)] = (int)w->id;
	gz_sim_det_sleep(UINT64_MAX);
	return NULL;
}

/* Nobody can run: the counter jumps to the earliest deadline, and that sleeper runs. */
static void test_deadlines(void **state)
{
	struct worker w[2];

	(void)state;
	start(true, 0);
	w[0] = (struct worker){.id = 0, .deadline = 3000};
	w[1] = (struct worker){.id = 1, .deadline = 1000};
	gz_sim_det_add(0);
	gz_sim_det_add(1);
	for (int i = 1; i >= 0; i--) {
		assert_int_equal(pthread_create(&w[i].t, NULL, deadline_worker, &w[i]), 0);
		pause_ms(5);
	}
	while (atomic_load(&norder) < 2)
		pause_ms(1);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 0);
	assert_int_equal(w[1].woke_at, 1000);
	assert_int_equal(w[0].woke_at, 3000);
	pause_ms(5);
	gz_sim_det_leave(0);
	gz_sim_det_leave(1);
	pthread_join(w[0].t, NULL);
	pthread_join(w[1].t, NULL);
	gz_sim_det_remove(0);
	gz_sim_det_remove(1);
}

static atomic_int phase;

static void *sleeper(void *arg)
{
	struct worker *w = arg;

	gz_sim_det_enter(w->id);
	atomic_store(&phase, 1);
	gz_sim_det_sleep(UINT64_MAX);
	order[atomic_fetch_add(&norder, 1)] = (int)w->id;
	/* woken by an urgent wake-up: its bit went when it got the turn */
	assert_false(gz_sim_det_urgent_waits());
	atomic_store(&phase, 2);
	gz_sim_det_sleep(UINT64_MAX);
	return NULL;
}

/* A wake-up makes the woken vCPU runnable and urgent (the holder's turn gets short); a poke
 * brings input to an idle machine at a new scheduling point. */
static void test_wake_and_poke(void **state)
{
	struct worker s = {.id = 1};
	int n;

	(void)state;
	start(true, 0);
	gz_sim_det_add(1);
	atomic_store(&phase, 0);
	assert_int_equal(pthread_create(&s.t, NULL, sleeper, &s), 0);
	while (!gz_sim_det_idle()) /* until it sleeps */
		pause_ms(1);
	/* a hook that wants more points gets them, idle, until it is satisfied */
	n = atomic_load(&nsteps);
	atomic_store(&want_again, 2);
	gz_sim_sched_poke();
	assert_int_equal(atomic_load(&nsteps), n + 3);
	assert_false(idles[n]);
	assert_true(idles[n + 1]);
	assert_true(idles[n + 2]);
	n += 3;
	atomic_store(&wake_on_poke, 1);
	gz_sim_sched_poke(); /* the hook wakes vCPU 1, which runs */
	while (atomic_load(&phase) < 2)
		pause_ms(1);
	assert_int_equal(order[0], 1);
	assert_false(idles[n]); /* the poke's point */
	while (!gz_sim_det_idle())
		pause_ms(1);
	/* a poke while the turn is being passed on is looked at before the machine idles: the
	 * hook is asked once more, idle */
	n = atomic_load(&nsteps);
	atomic_store(&poke_in_hook, 1);
	gz_sim_sched_poke();
	assert_int_equal(atomic_load(&nsteps), n + 2);
	assert_false(idles[n]);
	assert_true(idles[n + 1]);
	assert_true(gz_sim_det_idle());
	gz_sim_det_urgent(5);
	gz_sim_det_leave(1);
	pthread_join(s.t, NULL);
	gz_sim_det_remove(1);
	/* out of range ids are ignored */
	gz_sim_det_add(GZ_SIM_DET_MAX);
	gz_sim_det_remove(GZ_SIM_DET_MAX);
	gz_sim_det_wake(GZ_SIM_DET_MAX);
	gz_sim_det_leave(GZ_SIM_DET_MAX);
	gz_sim_det_urgent(GZ_SIM_DET_MAX);
}

static void *urgent_worker(void *arg)
{
	struct worker *w = arg;

	gz_sim_det_enter(w->id);
	if (w->id == 1) {
		gz_sim_det_sleep(UINT64_MAX); /* until vCPU 0 wakes it */
		order[atomic_fetch_add(&norder, 1)] = 1;
		assert_false(gz_sim_det_urgent_waits()); /* its own bit went with the turn */
		gz_sim_det_sleep(UINT64_MAX);
		return NULL;
	}
	assert_true(gz_sim_det_contended()); /* vCPU 1 is runnable until it sleeps */
	assert_true(gz_sim_det_yield());     /* so it gets a turn, and sleeps */
	assert_false(gz_sim_det_contended());
	assert_false(gz_sim_det_urgent_waits());
	gz_sim_det_wake(1);
	assert_true(gz_sim_det_contended());
	assert_true(gz_sim_det_urgent_waits()); /* the holder's turn gets short */
	order[atomic_fetch_add(&norder, 1)] = 0;
	assert_true(gz_sim_det_yield());
	order[atomic_fetch_add(&norder, 1)] = 0;
	gz_sim_det_sleep(UINT64_MAX);
	return NULL;
}

static void test_urgent_wake(void **state)
{
	struct worker w[2] = {{.id = 0}, {.id = 1}};

	(void)state;
	start(true, 0);
	gz_sim_det_add(0);
	gz_sim_det_add(1);
	assert_int_equal(pthread_create(&w[1].t, NULL, urgent_worker, &w[1]), 0);
	pause_ms(5);
	assert_int_equal(pthread_create(&w[0].t, NULL, urgent_worker, &w[0]), 0);
	while (atomic_load(&norder) < 3)
		pause_ms(1);
	pause_ms(5);
	gz_sim_det_leave(0);
	gz_sim_det_leave(1);
	pthread_join(w[0].t, NULL);
	pthread_join(w[1].t, NULL);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 0);
	gz_sim_det_remove(0);
	gz_sim_det_remove(1);
}

/* Off (the threaded mode): nothing is live, and the calls are harmless. */
static void test_off(void **state)
{
	(void)state;
	start(false, 0);
	assert_false(gz_sim_det_live());
	gz_sim_sched_poke();
	assert_int_equal(gz_sim_det_self(), GZ_SIM_DET_NONE);
	gz_sim_det_sleep(UINT64_MAX); /* not a vCPU thread: returns */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_robin), cmocka_unit_test(test_seeded),
	    cmocka_unit_test(test_deadlines),	cmocka_unit_test(test_wake_and_poke),
	    cmocka_unit_test(test_urgent_wake), cmocka_unit_test(test_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
