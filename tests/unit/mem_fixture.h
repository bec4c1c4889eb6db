/*
 * Test support for the memory module (test_pool.c, test_pgstate.c, test_mem*.c,
 * test_memslot.c, fuzz/fuzz_mem.c): a fake machine with the hypervisor's ranges set up, store
 * snapshots to prove a refused call changed nothing, and the invariant check. Header-only.
 */
#ifndef MEM_FIXTURE_H
#define MEM_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include <hal.h>
#include <gzhyp/mem.h>
#include <gzabi/status.h>

#include "fake_hal.h"

#define FIX_PHYS_SIZE (64ULL << 20)
#define FIX_HYP_BASE  FAKE_PHYS_BASE
#define FIX_HYP_SIZE  (1ULL << 20)
#define FIX_WORK_BASE (FAKE_PHYS_BASE + (1ULL << 20))
#define FIX_WORK_SIZE (3ULL << 20)
/* Host memory the tests hand out: everything from 4 MiB up. */
#define FIX_HOST_BASE (FAKE_PHYS_BASE + (4ULL << 20))
#define FIX_HOST_END  (FAKE_PHYS_BASE + FIX_PHYS_SIZE)
#define FIX_PAGE(i)   (FIX_HOST_BASE + ((uint64_t)(i) << GZ_PAGE_SHIFT))

/* The fixture's machine with @phys_size bytes of memory (at least 8 MiB). */
static inline int fix_init_phys(uint64_t phys_size, uint64_t work_size)
{
	struct gz_mem_config cfg = {
	    .hyp_base = FIX_HYP_BASE,
	    .hyp_size = FIX_HYP_SIZE,
	    .work_base = FIX_WORK_BASE,
	    .work_size = work_size,
	    .host_vmid = 0,
	};

	fake_hal_reset(phys_size, 0);
	return gz_mem_init(&cfg);
}

static inline int fix_init(uint64_t work_size)
{
	return fix_init_phys(FIX_PHYS_SIZE, work_size);
}

/* A copy of the store's raw entries (free() it). */
static inline void *fix_snapshot(size_t *bytes)
{
	const void *raw = gz_pgstate_raw(bytes);
	void *copy = malloc(*bytes);

	memcpy(copy, raw, *bytes);
	return copy;
}

static inline int fix_same_as(const void *snap, size_t bytes)
{
	size_t now;
	const void *raw = gz_pgstate_raw(&now);

	return now == bytes && memcmp(raw, snap, bytes) == 0;
}

/* Fill a page with a pattern (a page's "secret"). */
static inline void fix_fill(gz_pa_t pa, uint8_t v)
{
	memset(gz_hal_pa_to_va(pa), v, GZ_PAGE_SIZE);
}

static inline int fix_is_zero(gz_pa_t pa)
{
	const uint8_t *p = gz_hal_pa_to_va(pa);

	/* a word at a time: the fuzz targets look at every page handed back */
	for (size_t i = 0; i < GZ_PAGE_SIZE; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, sizeof(w));
		if (w)
			return 0;
	}
	return 1;
}

/* The host's stage-2 maps @pa? */
static inline int fix_host_mapped(gz_pa_t pa)
{
	return gz_pgt_translate(gz_mem_host_s2(), pa, NULL, NULL, NULL) == GZ_OK;
}

static inline int fix_guest_pa(struct gz_vm_mem *m, gz_ipa_t ipa, gz_pa_t *pa)
{
	return gz_pgt_translate(&m->s2, ipa, pa, NULL, NULL);
}

/* Zero every host page (from FIX_HOST_BASE) the host does not own, the pages its stage-2
 * tables live in at the end of a run: with fake_hal_keep_phys the next machine finds host
 * memory as a fresh one has it. */
static inline void fix_clear_kept(void)
{
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++) {
		gz_pa_t pa = gz_pgstate_pa_at(i);

		if (pa >= FIX_HOST_BASE && gz_pgstate_owner(pa) != GZ_OWNER_HOST)
			memset(gz_hal_pa_to_va(pa), 0, GZ_PAGE_SIZE);
	}
}

/* Take every free pool page (into @pas, at most @max) so that the next allocation fails. */
static inline size_t fix_drain(struct gz_pool_acct *acct, gz_pa_t *pas, size_t max)
{
	size_t n = 0;

	gz_pool_acct_init(acct, gz_mem_pool());
	while (n < max && gz_pool_alloc(acct, &pas[n]) == GZ_OK)
		n++;
	return n;
}

static inline void fix_undrain(struct gz_pool_acct *acct, const gz_pa_t *pas, size_t n)
{
	while (n--)
		gz_pool_free(acct, pas[n]);
}

#endif
