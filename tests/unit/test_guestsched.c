/* The test mode's vCPU scheduler (src/hyp/arch/aarch64/guestsched.c): a vCPU that exits to
 * the VMM after a few microseconds keeps its physical CPU against spinning vCPUs until it has
 * used its share, a woken vCPU gets no credit for the time it slept, sleeps end on a new wake
 * generation or their deadline, each CPU runs only its own vCPUs, equal times go round-robin.
 * test-libs: gzguestsched */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guestsched.h"

#define SLICE 1000U /* counter ticks of one preemption slice */
#define MMIO  50U   /* a run that ends in an MMIO exit */

static void on_cpus(struct gz_guestsched_vcpu *v, unsigned nr, unsigned npcpus)
{
	for (unsigned i = 0; i < nr; i++)
		v[i] = (struct gz_guestsched_vcpu){.pcpu = i % npcpus};
}

/* The smp guest on 8 vCPUs over 2 CPUs, CPU 0's side: vCPU 0 prints (each character is a
 * short run ending in an MMIO exit) while 2, 4 and 6 spin through whole slices. Handing the
 * CPU on at every exit gave vCPU 0 one character per three slices (about 30 in 100 slices);
 * with least time first it gets its quarter of the CPU, and the spinners theirs. */
static void test_mmio_exits_keep_the_cpu(void **state)
{
	struct gz_guestsched_vcpu v[8];
	struct gz_guestsched_cpu cpu = {.id = 0, .last = 7};
	uint64_t now = 0, accesses = 0;

	(void)state;
	on_cpus(v, 8, 2);
	while (now < 100 * SLICE) {
		int i = gz_guestsched_pick(&cpu, v, 8, now, 0);
		uint64_t t = i == 0 ? MMIO : SLICE;

		assert_true(i == 0 || i == 2 || i == 4 || i == 6);
		gz_guestsched_ran(&v[i], t);
		now += t;
		accesses += i == 0;
	}
	assert_true(accesses >= 450); /* a fair quarter: 25 slices of 50-tick runs is 500 */
	for (unsigned i = 2; i < 8; i += 2)
		assert_true(v[i].vtime >= 20 * SLICE);
}

/* A vCPU that slept while another ran for a second joins at the present: the two alternate
 * instead of the sleeper taking the CPU for a second. */
static void test_wake_joins_at_floor(void **state)
{
	struct gz_guestsched_vcpu v[2];
	struct gz_guestsched_cpu cpu = {.id = 0, .last = 1};
	unsigned run[2] = {0, 0};
	int prev = -1, streak = 0;

	(void)state;
	on_cpus(v, 2, 1);
	gz_guestsched_sleep(&v[1], 0, 0);
	for (unsigned n = 0; n < 1000; n++) {
		assert_int_equal(gz_guestsched_pick(&cpu, v, 2, 0, 0), 0);
		gz_guestsched_ran(&v[0], SLICE);
	}
	for (unsigned n = 0; n < 20; n++) {
		int i = gz_guestsched_pick(&cpu, v, 2, 0, 1);

		assert_true(i == 0 || i == 1);
		streak = i == prev ? streak + 1 : 1;
		assert_true(streak <= 2);
		prev = i;
		run[i]++;
		gz_guestsched_ran(&v[i], SLICE);
	}
	assert_int_equal(run[0], 10);
	assert_int_equal(run[1], 10);
}

/* A sleep ends when the wake generation moves on (also one that moved during the RUN the
 * sleep came from) or at its deadline; with every vCPU asleep there is nothing to run. */
static void test_sleep_and_wake(void **state)
{
	struct gz_guestsched_vcpu v[1];
	struct gz_guestsched_cpu cpu = {.id = 0};

	(void)state;
	on_cpus(v, 1, 1);
	gz_guestsched_sleep(&v[0], 5, 0);
	assert_int_equal(gz_guestsched_pick(&cpu, v, 1, 1000000, 5), -1);
	assert_int_equal(gz_guestsched_pick(&cpu, v, 1, 1000000, 6), 0);
	assert_false(v[0].sleep);

	gz_guestsched_sleep(&v[0], 6, 100);
	assert_int_equal(gz_guestsched_pick(&cpu, v, 1, 99, 6), -1);
	assert_true(v[0].sleep);
	assert_int_equal(gz_guestsched_pick(&cpu, v, 1, 100, 6), 0);

	/* The RUN started under generation 6, a wake made it 7 before the IDLE exit. */
	gz_guestsched_sleep(&v[0], 6, 0);
	assert_int_equal(gz_guestsched_pick(&cpu, v, 1, 0, 7), 0);
}

/* Each physical CPU runs its own vCPUs only, even when all of them sleep. */
static void test_only_own_vcpus(void **state)
{
	struct gz_guestsched_vcpu v[6];
	struct gz_guestsched_cpu cpu1 = {.id = 1, .last = 5};

	(void)state;
	on_cpus(v, 6, 2);
	for (unsigned n = 0; n < 12; n++) {
		int i = gz_guestsched_pick(&cpu1, v, 6, 0, 0);

		assert_int_equal(i % 2, 1);
		gz_guestsched_ran(&v[i], SLICE);
	}
	for (unsigned i = 1; i < 6; i += 2)
		gz_guestsched_sleep(&v[i], 0, 0);
	assert_int_equal(gz_guestsched_pick(&cpu1, v, 6, 0, 0), -1);
}

/* Equal run times go round-robin; a run measured as 0 ticks still counts, so two such vCPUs
 * alternate instead of one keeping the CPU. */
static void test_round_robin(void **state)
{
	struct gz_guestsched_vcpu v[3];
	struct gz_guestsched_cpu cpu = {.id = 0, .last = 2};

	(void)state;
	on_cpus(v, 3, 1);
	for (unsigned n = 0; n < 9; n++) {
		int i = gz_guestsched_pick(&cpu, v, 3, 0, 0);

		assert_int_equal(i, (int)(n % 3));
		gz_guestsched_ran(&v[i], SLICE);
	}
	on_cpus(v, 2, 1);
	cpu = (struct gz_guestsched_cpu){.id = 0, .last = 1};
	for (unsigned n = 0; n < 6; n++) {
		int i = gz_guestsched_pick(&cpu, v, 2, 0, 0);

		assert_int_equal(i, (int)(n % 2));
		gz_guestsched_ran(&v[i], 0);
	}
	assert_int_equal(v[0].vtime, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mmio_exits_keep_the_cpu),
	    cmocka_unit_test(test_wake_joins_at_floor),
	    cmocka_unit_test(test_sleep_and_wake),
	    cmocka_unit_test(test_only_own_vcpus),
	    cmocka_unit_test(test_round_robin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
