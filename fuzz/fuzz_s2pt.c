/* Fuzz target: the stage-2 page-table engine against the reference model. The first byte
 * picks the geometry (32-bit IPA with 4 concatenated level-2 roots, 32-bit from level 1, or
 * 35-bit with 1 GiB blocks); every following 16 bytes are one operation (map, unmap,
 * protect, collapse or translate over 4 KiB/2 MiB/1 GiB units, with misaligned and
 * out-of-range variants and table-memory exhaustion injected after 0..7 allocations).
 * Invariants: each return code is the one the model predicts (a failure changes nothing),
 * translations match the model, every leaf agrees with the model through an independent
 * architectural walk, no empty table is left behind, the table-page count is exact, and
 * destroy returns every page to the pool. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tests/unit/pgt_pool.h"

#define MAX_STEPS 64

static void fail(const char *what, size_t step)
{
	fprintf(stderr, "fuzz_s2pt: step %zu: %s\n", step, what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		unsigned ipa_bits;
		bool contig;
	} geo[] = {{32, true}, {32, false}, {35, false}};
	struct pgt_harness *h;
	const char *err;
	size_t steps;

	if (size < 1)
		return 0;
	h = calloc(1, sizeof(*h));
	pgt_harness_init(h, geo[data[0] % 3].ipa_bits, geo[data[0] % 3].contig);
	steps = (size - 1) / PGT_STEP_BYTES;
	if (steps > MAX_STEPS)
		steps = MAX_STEPS;
	for (size_t i = 0; i < steps; i++) {
		err = pgt_step(h, data + 1 + i * PGT_STEP_BYTES);
		if (err)
			fail(err, i);
		if (i % 8 == 7) {
			err = pgt_check_model(&h->pgt, &h->model);
			if (err)
				fail(err, i);
		}
	}
	err = pgt_check_model(&h->pgt, &h->model);
	if (err)
		fail(err, steps);
	err = pgt_harness_fini(h);
	if (err)
		fail(err, steps);
	free(h);
	return 0;
}
