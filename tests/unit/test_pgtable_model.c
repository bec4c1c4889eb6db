/* The page-table engine against a reference model (page -> translation and prot): seeded
 * random sequences of map/unmap/protect/collapse/translate, with injected table-memory
 * exhaustion, on three geometries; after every step the touched range is checked through
 * translate, every few steps all tables are checked leaf by leaf through an independent
 * architectural walk, and after destroy every table page is back in the pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pgt_pool.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct geometry {
	unsigned ipa_bits;
	bool contig;
};

static void run_sequence(const struct geometry *g, uint64_t seed, unsigned steps)
{
	struct pgt_harness *h = calloc(1, sizeof(*h));
	const char *err;

	rng_state = seed;
	pgt_harness_init(h, g->ipa_bits, g->contig);
	for (unsigned i = 0; i < steps; i++) {
		uint8_t b[PGT_STEP_BYTES];

		for (unsigned j = 0; j < PGT_STEP_BYTES; j++)
			b[j] = (uint8_t)rng();
		/* Mostly successful operations: injected failures on one step in eight. */
		if (b[12] & 0x80)
			b[12] = (rng() & 7) ? b[12] & 0x7f : b[12];
		err = pgt_step(h, b);
		if (err)
			fail_msg("seed %llu step %u: %s", (unsigned long long)seed, i, err);
		if (i % 16 == 15 || i + 1 == steps) {
			err = pgt_check_model(&h->pgt, &h->model);
			if (err)
				fail_msg("seed %llu step %u: %s", (unsigned long long)seed, i, err);
		}
	}
	print_message("ipa %u: map %llu (%llu failed), unmap %llu, protect %llu, collapse %llu, "
		      "%llu table pages at the end\n",
		      g->ipa_bits, (unsigned long long)h->ops[0], (unsigned long long)h->fails[0],
		      (unsigned long long)h->ops[1], (unsigned long long)h->ops[2],
		      (unsigned long long)h->ops[3], (unsigned long long)h->pgt.nr_table_pages);
	err = pgt_harness_fini(h);
	free(h);
	assert_null(err);
}

static const struct geometry geometries[] = {
    {32, true},	 /* level 2 start, 4 concatenated tables: no 1 GiB blocks */
    {32, false}, /* level 1 start */
    {35, false}, /* level 1 start, 32 GiB: 1 GiB blocks */
};

static void test_random_sequences(void **state)
{
	(void)state;
	for (size_t g = 0; g < GZ_ARRAY_SIZE(geometries); g++)
		for (uint64_t seed = 1; seed <= 4; seed++)
			run_sequence(&geometries[g], seed * 0x9e3779b97f4a7c15ULL, 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_sequences),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
