/*
 * The memory module against a reference model (tests/unit/mem_model.h): pseudo-random
 * sequences of every transition, each step checked against the model and the invariants,
 * the pool back at its baseline at the end of each sequence.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
