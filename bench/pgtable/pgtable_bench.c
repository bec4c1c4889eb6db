/*
 * Page-table engine benchmark (stage 2, 36-bit IPA, fake HAL so TLB maintenance costs a
 * function call): map and unmap 1 GiB as 262144 4 KiB pages and as 512 2 MiB blocks, one
 * call per page/block (demand paging), and translate 1 M random IPAs of each. Prints ns per
 * operation and page-table bytes per GiB mapped.
 *
 * Usage: pgtable_bench            all phases, timed
 *        pgtable_bench PHASE      one phase (callgrind counts it with --toggle-collect=PHASE)
 * PHASE: phase_map4k phase_unmap4k phase_map2m phase_unmap2m phase_xlate4k phase_xlate2m
 *        phase_map1g_call phase_unmap1g_call (one call for the GiB, counted per page)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pgt_pool.h"

#define GIB	 (1ULL << 30)
#define IA_BASE	 (4 * GIB)
#define PA_BASE	 (8 * GIB)
#define NR_XLATE (1u << 20)

static struct pgt_pool pool;
static struct gz_pgt pgt;
static uint64_t xlate_ias[NR_XLATE];
static volatile uint64_t sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void must(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "pgtable_bench: %s failed: %d\n", what, ret);
		exit(1);
	}
}

/* The phases are separate, non-inlined functions so callgrind can count each alone. */
__attribute__((noinline)) void phase_map4k(void)
{
	for (uint64_t off = 0; off < GIB; off += GZ_PAGE_SIZE)
		must(gz_pgt_map(&pgt, IA_BASE + off, PA_BASE + off, GZ_PAGE_SIZE, GZ_PROT_RW),
		     "map");
}

__attribute__((noinline)) void phase_unmap4k(void)
{
	for (uint64_t off = 0; off < GIB; off += GZ_PAGE_SIZE)
		must(gz_pgt_unmap(&pgt, IA_BASE + off, GZ_PAGE_SIZE), "unmap");
}

__attribute__((noinline)) void phase_map2m(void)
{
	for (uint64_t off = 0; off < GIB; off += GZ_PGT_BLOCK_2M)
		must(gz_pgt_map(&pgt, IA_BASE + off, PA_BASE + off, GZ_PGT_BLOCK_2M, GZ_PROT_RW),
		     "map");
}

__attribute__((noinline)) void phase_unmap2m(void)
{
	for (uint64_t off = 0; off < GIB; off += GZ_PGT_BLOCK_2M)
		must(gz_pgt_unmap(&pgt, IA_BASE + off, GZ_PGT_BLOCK_2M), "unmap");
}

/* One call each for the whole GiB; the output is 4 KiB-aligned only, so pages. */
__attribute__((noinline)) void phase_map1g_call(void)
{
	must(gz_pgt_map(&pgt, IA_BASE, PA_BASE + GZ_PAGE_SIZE, GIB, GZ_PROT_RW), "map");
}

__attribute__((noinline)) void phase_unmap1g_call(void)
{
	must(gz_pgt_unmap(&pgt, IA_BASE, GIB), "unmap");
}

static void xlate_all(void)
{
	uint64_t acc = 0;

	for (unsigned i = 0; i < NR_XLATE; i++) {
		gz_pa_t pa;

		must(gz_pgt_translate(&pgt, xlate_ias[i], &pa, NULL, NULL), "translate");
		acc += pa;
	}
	sink = acc;
}

__attribute__((noinline)) void phase_xlate4k(void)
{
	xlate_all();
}

__attribute__((noinline)) void phase_xlate2m(void)
{
	xlate_all();
}

struct phase {
	const char *name;
	void (*fn)(void);
	void (*before)(void); /* untimed preparation */
	void (*after)(void);  /* untimed clean-up */
	unsigned long ops;
};

static void table_report(const char *what)
{
	/* Root excluded: it exists with nothing mapped. */
	printf("  page-table bytes per GiB mapped (%s): %llu (%llu table pages + root)\n", what,
	       (unsigned long long)((pgt.nr_table_pages - pgt.nr_roots) * GZ_PAGE_SIZE),
	       (unsigned long long)(pgt.nr_table_pages - pgt.nr_roots));
}

static void report_4k(void)
{
	table_report("4 KiB pages");
}

static void report_2m(void)
{
	table_report("2 MiB blocks");
}

static const struct phase phases[] = {
    {"phase_map4k", phase_map4k, NULL, report_4k, GIB / GZ_PAGE_SIZE},
    {"phase_xlate4k", phase_xlate4k, NULL, NULL, NR_XLATE},
    {"phase_unmap4k", phase_unmap4k, NULL, NULL, GIB / GZ_PAGE_SIZE},
    {"phase_map2m", phase_map2m, NULL, report_2m, GIB / GZ_PGT_BLOCK_2M},
    {"phase_xlate2m", phase_xlate2m, NULL, NULL, NR_XLATE},
    {"phase_unmap2m", phase_unmap2m, NULL, NULL, GIB / GZ_PGT_BLOCK_2M},
    {"phase_map1g_call", phase_map1g_call, NULL, NULL, GIB / GZ_PAGE_SIZE},
    {"phase_unmap1g_call", phase_unmap1g_call, NULL, NULL, GIB / GZ_PAGE_SIZE},
};

int main(int argc, char **argv)
{
	struct gz_pgt_mm_ops mm;
	const char *only = argc > 1 ? argv[1] : NULL;
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	bool found = !only;

	fake_hal_reset(64ULL << 20, 0);
	pgt_pool_init(&pool, 4096);
	mm = pgt_pool_ops(&pool, true);
	must(gz_s2pt_init(&pgt, 36, 40, 1, &mm), "init");
	for (unsigned i = 0; i < NR_XLATE; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		xlate_ias[i] = IA_BASE + (seed % GIB);
	}
	if (!only)
		printf("pgtable_bench: stage 2, IPA 36 bits (start level 1), fake HAL\n");
	/* Phases run in order (each needs the state its predecessor leaves); with an argument,
	 * every phase runs but only the named one is reported, for callgrind. */
	for (size_t i = 0; i < GZ_ARRAY_SIZE(phases); i++) {
		const struct phase *p = &phases[i];
		double t0, t1;

		if (p->before)
			p->before();
		fake_hal_clear_ops();
		t0 = now_ns();
		p->fn();
		t1 = now_ns();
		if (!only)
			printf("%-16s %8lu ops  %8.1f ns/op\n", p->name + 6, p->ops,
			       (t1 - t0) / p->ops);
		if (only && !strcmp(only, p->name))
			found = true;
		if (p->after && !only)
			p->after();
	}
	if (pgt.nr_table_pages != pgt.nr_roots) {
		fprintf(stderr, "pgtable_bench: tables left after unmapping everything\n");
		return 1;
	}
	gz_pgt_destroy(&pgt);
	if (pool.outstanding) {
		fprintf(stderr, "pgtable_bench: table pages leaked\n");
		return 1;
	}
	if (!found) {
		fprintf(stderr, "pgtable_bench: unknown phase %s\n", only);
		return 2;
	}
	return 0;
}
