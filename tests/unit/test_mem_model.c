/*
 * The memory module against a reference model (tests/unit/mem_model.h): pseudo-random
 * sequences of every transition, each step checked against the model and the invariants,
 * the pool back at its baseline at the end of each sequence. And the machine fuzz_mem keeps
 * across inputs: set up again on the same memory, a sequence ends as on a fresh machine, the
 * incremental checks alone pass it too, and the host's memory is left as a fresh one has it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mem_model.h"

#define SEQUENCES 48
#define STEPS	  300

static uint64_t rng;

static uint8_t next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 32);
}

static struct mm model;

static void run_seed(uint64_t seed)
{
	static uint8_t buf[STEPS * 12];

	rng = seed;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = next_byte();
	if (!mm_run(&model, buf, sizeof(buf), STEPS))
		fail_msg("seed %llu step %u: %s", (unsigned long long)seed, model.steps, model.err);
	fake_hal_teardown();
}

static void test_random_sequences(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= SEQUENCES; s++)
		run_seed(s * 0x9e3779b97f4a7c15ULL);
}

/* What a run leaves: its steps, its full comparisons, and a hash of the store at the end. */
static uint64_t run_digest(const struct mm *m)
{
	size_t bytes;
	const uint8_t *raw = gz_pgstate_raw(&bytes);
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < bytes; i++)
		h = (h ^ raw[i]) * 1099511628211ULL;
	return h ^ ((uint64_t)m->steps << 32) ^ m->full_checks;
}

static bool window_zero(void)
{
	for (unsigned i = 0; i < MM_PAGES; i++)
		if (!fix_is_zero(mm_pa(i)))
			return false;
	return true;
}

#define KEPT_SEEDS 12

static void test_kept_machine(void **state)
{
	static uint8_t buf[KEPT_SEEDS][STEPS * 12];
	uint64_t fresh[KEPT_SEEDS];
	unsigned steps[KEPT_SEEDS], full[KEPT_SEEDS];

	(void)state;
	for (unsigned s = 0; s < KEPT_SEEDS; s++) {
		rng = (s + 101) * 0x9e3779b97f4a7c15ULL;
		for (size_t i = 0; i < sizeof(buf[s]); i++)
			buf[s][i] = next_byte();
		if (!mm_run(&model, buf[s], sizeof(buf[s]), STEPS))
			fail_msg("fresh seed %u step %u: %s", s, model.steps, model.err);
		fresh[s] = run_digest(&model);
		steps[s] = model.steps;
		full[s] = model.full_checks;
		fake_hal_teardown();
	}
	/* The same sequences in another order on one kept memory: the same ends, the window
	 * all zero after each; then with the incremental checks only. */
	fake_hal_keep_phys(true);
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned k = 0; k < KEPT_SEEDS; k++) {
			unsigned s = (k * 5 + pass) % KEPT_SEEDS;

			if (!mm_run_checked(&model, buf[s], sizeof(buf[s]), STEPS, pass == 0))
				fail_msg("kept seed %u step %u: %s", s, model.steps, model.err);
			assert_int_equal(model.steps, steps[s]);
			if (pass == 0)
				assert_true(run_digest(&model) == fresh[s]);
			else /* only where the tracker lost track (a VM's tables made anew) */
				assert_true(model.full_checks < full[s] / 2);
			assert_true(window_zero());
		}
	}
	fake_hal_keep_phys(false);
	fake_hal_teardown();
}

/* An empty input: nothing happens and everything is back where it started. */
static void test_empty_sequence(void **state)
{
	(void)state;
	assert_true(mm_run(&model, NULL, 0, STEPS));
	assert_int_equal(model.steps, 0);
	fake_hal_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_sequence),
	    cmocka_unit_test(test_random_sequences),
	    cmocka_unit_test(test_kept_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
