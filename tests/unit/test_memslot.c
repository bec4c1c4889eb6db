/*
 * Unit tests of gzvm memslots (src/hyp/core/memslot.c): SET_MEMREGION with the v13
 * descriptor (purpose, batches, growth, every rejection), demand paging (MAP_GUEST,
 * MAP_GUEST_BLOCK with the PFN buffer, a huge page's 2 MiB block and its split), batched
 * slot deletion and the fault lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzabi/hvc.h>
#include <uapi/linux/gzvm.h>

#include "mem_fixture.h"

#define MB	(1ULL << 20)
#define BUF_PA	FIX_PAGE(2000) /* the driver's 8 KiB descriptor buffer */
#define PFN_BUF FIX_PAGE(2010) /* the driver's PFN array */
#define GPA	0x80000000ULL

static struct gz_vm_mem vm;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(fix_init(FIX_WORK_SIZE), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm, 7, 32, 7), GZ_OK);
	/* Slots work alike for both kinds; a protected VM shows the pages change hands
	 * (test_normal_vm_lends has the normal kind). */
	assert_int_equal(gz_vm_mem_set_protected(&vm), GZ_OK);
	return 0;
}

static void check_invariants(void)
{
	struct gz_vm_mem *vms[] = {&vm};
	uint64_t bad = 0;

	if (gz_mem_check_invariants(vms, 1, &bad) != GZ_OK)
		fail_msg("invariant broken at 0x%llx", (unsigned long long)bad);
	assert_int_equal(fake_hal_locks_held(), 0);
}

static int teardown(void **state)
{
	(void)state;
	check_invariants();
	while (gz_vm_mem_reclaim(&vm, 100) == GZ_ERR_BUSY)
		;
	assert_int_equal(vm.pgt_acct.pages, 0);
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++)
		assert_false(GZ_OWNER_IS_VM(gz_pgstate_owner(gz_pgstate_pa_at(i))));
	fake_hal_teardown();
	return 0;
}

struct range {
	gz_pa_t pa;
	uint32_t n;
	uint32_t reserved;
};

/* Write a descriptor into the host buffer. */
static void put_desc(uint32_t slot, gz_ipa_t gpa, uint64_t total, uint32_t cnt,
		     const struct range *r, unsigned nr)
{
	struct gzvm_memory_region_ranges *d = gz_hal_pa_to_va(BUF_PA);

	memset(d, 0, GZVM_MEMREGION_BUF_SIZE);
	d->slot = slot;
	d->constituent_cnt = cnt;
	d->total_pages = total;
	d->gpa = gpa;
	for (unsigned i = 0; i < nr; i++) {
		d->constituents[i].address = r[i].pa;
		d->constituents[i].pg_cnt = r[i].n;
		d->constituents[i].reserved = r[i].reserved;
	}
}

static int set_region(void)
{
	return gz_memslot_set_region(&vm, BUF_PA, GZVM_MEMREGION_BUF_SIZE);
}

static void assert_maps(gz_ipa_t ipa, gz_pa_t pa)
{
	gz_pa_t out;

	assert_int_equal(fix_guest_pa(&vm, ipa, &out), GZ_OK);
	assert_int_equal(out, pa);
	assert_int_equal(gz_pgstate_owner(pa), vm.owner);
}

static void test_populated_batches(void **state)
{
	const struct range b1[] = {{FIX_PAGE(0), 5, 0}, {FIX_PAGE(10), 3, 0}};
	const struct range b2[] = {{FIX_PAGE(20), 8, 0}};
	const struct range b3[] = {{FIX_PAGE(40), 2, 0}};
	const struct gz_memslot *s;

	(void)state;
	assert_int_equal(
	    gz_memslot_purpose(&vm, GPA, 16 * GZ_PAGE_SIZE, GZVM_USER_MEM_REGION_GUEST_MEM), GZ_OK);
	put_desc(0, GPA, 8, 2, b1, 2);
	assert_int_equal(set_region(), GZ_OK);
	s = gz_memslot_get(&vm, 0);
	assert_non_null(s);
	assert_int_equal(s->base, GPA);
	assert_int_equal(s->npages, 16); /* the purpose's extent */
	assert_int_equal(s->flags, GZVM_USER_MEM_REGION_GUEST_MEM);
	assert_maps(GPA, FIX_PAGE(0));
	assert_maps(GPA + 4 * GZ_PAGE_SIZE, FIX_PAGE(4));
	assert_maps(GPA + 5 * GZ_PAGE_SIZE, FIX_PAGE(10));
	assert_maps(GPA + 7 * GZ_PAGE_SIZE, FIX_PAGE(12));
	/* The second batch lands inside the slot. */
	put_desc(0, GPA + 8 * GZ_PAGE_SIZE, 8, 1, b2, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_maps(GPA + 15 * GZ_PAGE_SIZE, FIX_PAGE(27));
	/* A batch at the end grows the slot. */
	put_desc(0, GPA + 16 * GZ_PAGE_SIZE, 2, 1, b3, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_memslot_get(&vm, 0)->npages, 18);
	assert_int_equal(vm.owned_pages, 18);
	/* The purpose was used up: a new slot elsewhere takes its batch's extent. */
	put_desc(1, 0, 2, 1, (const struct range[]){{FIX_PAGE(50), 2, 0}}, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_memslot_get(&vm, 1)->npages, 2);
	assert_int_equal(gz_memslot_get(&vm, 1)->flags, 0);
	/* A smaller buffer holding exactly the header and one constituent is enough. */
	put_desc(2, 0x100000, 1, 1, (const struct range[]){{FIX_PAGE(60), 1, 0}}, 1);
	assert_int_equal(gz_memslot_set_region(&vm, BUF_PA, 24 + 16), GZ_OK);
	check_invariants();
}

struct reject {
	const char *what;
	uint32_t slot;
	gz_ipa_t gpa;
	uint64_t total;
	uint32_t cnt;
	struct range r[2];
	unsigned nr;
	uint64_t buf_size;
	int ret;
};

static void test_set_region_rejects(void **state)
{
	const uint64_t full = GZVM_MEMREGION_BUF_SIZE;
	const struct reject cases[] = {
	    {"slot", 10, GPA, 1, 1, {{FIX_PAGE(0), 1, 0}}, 1, full, GZ_ERR_INVALID_ARGS},
	    {"gpa align", 3, GPA + 8, 1, 1, {{FIX_PAGE(0), 1, 0}}, 1, full, GZ_ERR_INVALID_ARGS},
	    {"gpa range",
	     3,
	     0xffffe000ULL,
	     4,
	     1,
	     {{FIX_PAGE(0), 4, 0}},
	     1,
	     full,
	     GZ_ERR_OUT_OF_RANGE},
	    {"gpa wrap", 3, ~0ULL << 12, 4, 1, {{FIX_PAGE(0), 4, 0}}, 1, full, GZ_ERR_INVALID_ARGS},
	    {"no constituents", 3, GPA, 1, 0, {{0}}, 0, full, GZ_ERR_INVALID_ARGS},
	    {"too many",
	     3,
	     GPA,
	     1,
	     GZVM_MEMREGION_MAX_CONSTITUENTS + 1,
	     {{FIX_PAGE(0), 1, 0}},
	     1,
	     full,
	     GZ_ERR_INVALID_ARGS},
	    {"past the buffer",
	     3,
	     GPA,
	     2,
	     2,
	     {{FIX_PAGE(0), 1, 0}, {FIX_PAGE(1), 1, 0}},
	     2,
	     24 + 16,
	     GZ_ERR_INVALID_ARGS},
	    {"pg_cnt 0",
	     3,
	     GPA,
	     1,
	     2,
	     {{FIX_PAGE(0), 1, 0}, {FIX_PAGE(1), 0, 0}},
	     2,
	     full,
	     GZ_ERR_INVALID_ARGS},
	    {"reserved", 3, GPA, 1, 1, {{FIX_PAGE(0), 1, 1}}, 1, full, GZ_ERR_INVALID_ARGS},
	    {"address align",
	     3,
	     GPA,
	     1,
	     1,
	     {{FIX_PAGE(0) + 4, 1, 0}},
	     1,
	     full,
	     GZ_ERR_INVALID_ARGS},
	    {"sum",
	     3,
	     GPA,
	     3,
	     2,
	     {{FIX_PAGE(0), 1, 0}, {FIX_PAGE(1), 1, 0}},
	     2,
	     full,
	     GZ_ERR_INVALID_ARGS},
	    {"one page twice",
	     3,
	     GPA,
	     4,
	     2,
	     {{FIX_PAGE(0), 2, 0}, {FIX_PAGE(1), 2, 0}},
	     2,
	     full,
	     GZ_ERR_INVALID_ARGS},
	    {"hyp page", 3, GPA, 1, 1, {{FIX_WORK_BASE, 1, 0}}, 1, full, GZ_ERR_ACCESS_DENIED},
	    {"device page", 3, GPA, 1, 1, {{0x10000000, 1, 0}}, 1, full, GZ_ERR_OUT_OF_RANGE},
	    {"beyond PA size", 3, GPA, 1, 1, {{1ULL << 40, 1, 0}}, 1, full, GZ_ERR_OUT_OF_RANGE},
	    {"guest page", 3, GPA, 1, 1, {{FIX_PAGE(100), 1, 0}}, 1, full, GZ_ERR_ACCESS_DENIED},
	    {"overlaps slot 0",
	     3,
	     0x10000 - GZ_PAGE_SIZE,
	     2,
	     1,
	     {{FIX_PAGE(0), 2, 0}},
	     1,
	     full,
	     GZ_ERR_ALREADY_EXISTS},
	    {"slot 0 outside",
	     0,
	     0x10000 - GZ_PAGE_SIZE,
	     1,
	     1,
	     {{FIX_PAGE(0), 1, 0}},
	     1,
	     full,
	     GZ_ERR_ALREADY_EXISTS},
	    {"slot 0 beyond end",
	     0,
	     0x10000 + GZ_PAGE_SIZE,
	     4,
	     1,
	     {{FIX_PAGE(0), 4, 0}},
	     1,
	     full,
	     GZ_ERR_ALREADY_EXISTS},
	    {"bigger than purpose",
	     4,
	     0x200000,
	     2,
	     1,
	     {{FIX_PAGE(0), 2, 0}},
	     1,
	     full,
	     GZ_ERR_INVALID_ARGS},
	    {"grows into slot 1",
	     0,
	     0x14000,
	     2,
	     1,
	     {{FIX_PAGE(0), 2, 0}},
	     1,
	     full,
	     GZ_ERR_ALREADY_EXISTS},
	    {"ipa already mapped",
	     5,
	     0x300000,
	     1,
	     1,
	     {{FIX_PAGE(0), 1, 0}},
	     1,
	     full,
	     GZ_ERR_ALREADY_EXISTS},
	};
	struct gz_memslot before[GZ_MEMSLOT_MAX];
	size_t bytes;
	void *snap;

	(void)state;
	/* Slot 0 [0x10000, 0x14000), slot 1 [0x15000, 0x17000), a purpose of one page at
	 * 0x200000, a guest page at 0x300000 outside any slot. */
	put_desc(0, 0x10000, 4, 1, (const struct range[]){{FIX_PAGE(100), 4, 0}}, 1);
	assert_int_equal(set_region(), GZ_OK);
	put_desc(1, 0x15000, 2, 1, (const struct range[]){{FIX_PAGE(110), 2, 0}}, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_memslot_purpose(&vm, 0x200000, GZ_PAGE_SIZE, 0), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm, FIX_PAGE(120), 0x300000, 1), GZ_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct reject *c = &cases[i];

		put_desc(c->slot, c->gpa, c->total, c->cnt, c->r, c->nr);
		memcpy(before, vm.slots, sizeof(before));
		snap = fix_snapshot(&bytes);
		int ret = gz_memslot_set_region(&vm, BUF_PA, c->buf_size);
		if (ret != c->ret)
			fail_msg("%s: %d, expected %d", c->what, ret, c->ret);
		assert_true(fix_same_as(snap, bytes));
		assert_memory_equal(before, vm.slots, sizeof(before));
		free(snap);
	}
	/* The buffer itself. */
	put_desc(3, GPA, 1, 1, (const struct range[]){{FIX_PAGE(0), 1, 0}}, 1);
	assert_int_equal(gz_memslot_set_region(&vm, BUF_PA, 23), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_set_region(&vm, BUF_PA, GZVM_MEMREGION_BUF_SIZE + 1),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_set_region(&vm, FIX_PAGE(100), 4096), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(gz_memslot_set_region(&vm, 0x10000000, 4096), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_memslot_set_region(&vm, ~0ULL - 100, 4096), GZ_ERR_INVALID_ARGS);
	/* A buffer the host shares with the hypervisor is fine. */
	assert_int_equal(gz_mem_host_share_hyp(BUF_PA, 2), GZ_OK);
	assert_int_equal(set_region(), GZ_OK);
	check_invariants();
}

static void test_purpose(void **state)
{
	(void)state;
	assert_int_equal(gz_memslot_purpose(&vm, GPA, GZ_PAGE_SIZE + 1, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_purpose(&vm, GPA + 1, GZ_PAGE_SIZE, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_purpose(&vm, GPA, 0, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_purpose(&vm, 0xfffff000ULL, 2 * GZ_PAGE_SIZE, 1),
			 GZ_ERR_OUT_OF_RANGE);
	for (unsigned i = 0; i < GZ_MEMSLOT_MAX; i++)
		assert_int_equal(gz_memslot_purpose(&vm, i * MB, MB, i), GZ_OK);
	assert_int_equal(gz_memslot_purpose(&vm, 20 * MB, MB, 1), GZ_ERR_NO_RESOURCES);
	/* The same gpa replaces its record. */
	assert_int_equal(gz_memslot_purpose(&vm, 3 * MB, 2 * GZ_PAGE_SIZE, 7), GZ_OK);
	put_desc(0, 3 * MB, 1, 1, (const struct range[]){{FIX_PAGE(0), 1, 0}}, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_memslot_get(&vm, 0)->npages, 2);
	assert_int_equal(gz_memslot_get(&vm, 0)->flags, 7);
	/* On an existing slot: the flags change when the size matches. */
	assert_int_equal(gz_memslot_purpose(&vm, 3 * MB, GZ_PAGE_SIZE, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(
	    gz_memslot_purpose(&vm, 3 * MB, 2 * GZ_PAGE_SIZE, GZVM_USER_MEM_REGION_STATIC_SWIOTLB),
	    GZ_OK);
	assert_int_equal(gz_memslot_get(&vm, 0)->flags, GZVM_USER_MEM_REGION_STATIC_SWIOTLB);
	/* A record was freed when slot 0 took it. */
	assert_int_equal(gz_memslot_purpose(&vm, 20 * MB, MB, 1), GZ_OK);
}

/* Read-only slots (GZVM_USER_MEM_REGION_READONLY): every path maps their pages without
 * write permission, and deleting the slot hands them back as they are (the guest could not
 * have written them), where a writable slot's pages are scrubbed. */
static void test_readonly_slot(void **state)
{
	const uint32_t ro = GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_READONLY;
	const uint64_t gfn = GPA >> 12;
	uint64_t *pfns = gz_hal_pa_to_va(PFN_BUF);
	gz_pa_t blk = FIX_HOST_BASE + 8 * MB, pa;
	uint32_t prot;

	(void)state;
	/* Fully populated. */
	assert_int_equal(gz_memslot_purpose(&vm, 0, 2 * GZ_PAGE_SIZE, ro), GZ_OK);
	put_desc(1, 0, 2, 1, (const struct range[]){{FIX_PAGE(1), 2, 0}}, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_pgt_translate(&vm.s2, GZ_PAGE_SIZE, &pa, &prot, NULL), GZ_OK);
	assert_int_equal(pa, FIX_PAGE(2));
	assert_int_equal(prot & (GZ_PROT_R | GZ_PROT_W | GZ_PROT_X), GZ_PROT_R | GZ_PROT_X);
	assert_int_equal(gz_memslot_delete(&vm, 1, 10), GZ_OK);
	/* Demand paging: 4 KiB pages and 2 MiB blocks, next to a writable slot. */
	assert_int_equal(gz_memslot_set_block_buffer(&vm, 2 * MB, PFN_BUF), GZ_OK);
	assert_int_equal(gz_memslot_purpose(&vm, GPA, 4 * MB, ro), GZ_OK);
	put_desc(0, GPA, 1024, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	put_desc(1, 0, 16, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	fix_fill(FIX_PAGE(3), 0x5a);
	fix_fill(FIX_PAGE(4), 0xa5);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(3) >> 12, gfn + 512, 1), GZ_OK);
	assert_int_equal(gz_memslot_map_guest(&vm, 1, FIX_PAGE(4) >> 12, 0, 1), GZ_OK);
	for (int i = 0; i < 512; i++)
		pfns[i] = (blk >> 12) + i;
	fix_fill(blk + 5 * GZ_PAGE_SIZE, 0x77);
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn, 512), GZ_OK);
	assert_int_equal(gz_pgt_translate(&vm.s2, GPA + 2 * MB, NULL, &prot, NULL), GZ_OK);
	assert_int_equal(prot & GZ_PROT_W, 0);
	assert_int_equal(gz_pgt_translate(&vm.s2, GPA + 5 * GZ_PAGE_SIZE, NULL, &prot, NULL),
			 GZ_OK);
	assert_int_equal(prot & (GZ_PROT_W | GZ_PROT_X), GZ_PROT_X);
	assert_int_equal(gz_pgt_translate(&vm.s2, 0, NULL, &prot, NULL), GZ_OK);
	assert_int_equal(prot & GZ_PROT_W, GZ_PROT_W);
	check_invariants();
	/* Deleted: the read-only pages come back unscrubbed, the writable one scrubbed. */
	while (gz_memslot_delete(&vm, 0, 128) == GZ_ERR_BUSY)
		;
	assert_int_equal(gz_pgstate_owner(FIX_PAGE(3)), GZ_OWNER_HOST);
	assert_int_equal(*(uint8_t *)gz_hal_pa_to_va(FIX_PAGE(3)), 0x5a);
	assert_int_equal(*(uint8_t *)gz_hal_pa_to_va(blk + 5 * GZ_PAGE_SIZE), 0x77);
	assert_int_equal(gz_memslot_delete(&vm, 1, 128), GZ_OK);
	assert_true(fix_is_zero(FIX_PAGE(4)));
	check_invariants();
}

static void test_demand_paging(void **state)
{
	gz_pa_t pa;

	(void)state;
	/* Demand paging is chosen before any slot exists. */
	put_desc(0, GPA, 1, 1, (const struct range[]){{FIX_PAGE(0), 1, 0}}, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_memslot_enable_demand_paging(&vm), GZ_ERR_BAD_STATE);
	assert_false(vm.demand_paging);
	assert_int_equal(gz_memslot_delete(&vm, 0, 10), GZ_OK);
	assert_int_equal(gz_memslot_enable_demand_paging(&vm), GZ_OK);
	assert_int_equal(gz_memslot_enable_demand_paging(&vm), GZ_OK);
	/* Registration ignores the (uninitialised) constituent count. */
	put_desc(0, GPA, 64, 0xdeadbeef, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(vm.owned_pages, 0);
	assert_int_equal(fix_guest_pa(&vm, GPA, &pa), GZ_ERR_NOT_FOUND);
	/* The exit path: inside the slot a demand-paging exit, outside a plain one. */
	assert_int_equal(gz_memslot_lookup(&vm, GPA), 0);
	assert_int_equal(gz_memslot_lookup(&vm, GPA + 64 * GZ_PAGE_SIZE - 1), 0);
	assert_int_equal(gz_memslot_lookup(&vm, GPA + 64 * GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_memslot_lookup(&vm, GPA - 1), GZ_ERR_NOT_FOUND);

	const uint64_t gfn = GPA >> 12;
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(5) >> 12, gfn + 3, 1), GZ_OK);
	assert_maps(GPA + 3 * GZ_PAGE_SIZE, FIX_PAGE(5));
	/* A second vCPU faulting on the same page. */
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(5) >> 12, gfn + 3, 1), GZ_OK);
	assert_int_equal(vm.owned_pages, 1);
	/* Another page for the same gfn; the same page for another gfn. */
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(6) >> 12, gfn + 3, 1),
			 GZ_ERR_ALREADY_EXISTS);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(5) >> 12, gfn + 4, 1),
			 GZ_ERR_ACCESS_DENIED);
	/* Several contiguous pages at once. */
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(8) >> 12, gfn + 8, 4), GZ_OK);
	assert_maps(GPA + 11 * GZ_PAGE_SIZE, FIX_PAGE(11));
	/* Rejections. */
	assert_int_equal(gz_memslot_map_guest(&vm, 10, FIX_PAGE(20) >> 12, gfn, 1),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_map_guest(&vm, 1, FIX_PAGE(20) >> 12, gfn, 1),
			 GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(20) >> 12, gfn, 0),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(
	    gz_memslot_map_guest(&vm, 0, FIX_PAGE(20) >> 12, gfn, GZ_MEMSLOT_MAP_GUEST_MAX + 1),
	    GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(20) >> 12, gfn + 63, 2),
			 GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(20) >> 12, gfn - 1, 1),
			 GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(20) >> 12, ~0ULL, 2),
			 GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, ~0ULL, gfn, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_WORK_BASE >> 12, gfn, 1),
			 GZ_ERR_ACCESS_DENIED);
	check_invariants();
}

static void test_block_demand_paging(void **state)
{
	uint64_t *pfns = gz_hal_pa_to_va(PFN_BUF);
	const uint64_t gfn = GPA >> 12;
	gz_pa_t blk = FIX_HOST_BASE + 8 * MB;
	unsigned level;

	(void)state;
	assert_int_equal(gz_memslot_set_block_buffer(&vm, MB, PFN_BUF), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_set_block_buffer(&vm, 2 * MB, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_set_block_buffer(&vm, 2 * MB, PFN_BUF + 8),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_set_block_buffer(&vm, 2 * MB, FIX_WORK_BASE),
			 GZ_ERR_ACCESS_DENIED);
	assert_int_equal(vm.pfn_buf_pa, 0);
	put_desc(0, GPA, 2048, 0, NULL, 0);
	assert_int_equal(gz_memslot_enable_demand_paging(&vm), GZ_OK);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_memslot_set_block_buffer(&vm, 2 * MB, PFN_BUF), GZ_OK);

	/* Scattered pages, in two batches of one block. */
	for (int i = 0; i < 8; i++)
		pfns[i] = (FIX_PAGE(100) >> 12) + 7 - i;
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 512, 8), GZ_OK);
	assert_maps(GPA + 2 * MB, FIX_PAGE(107));
	assert_maps(GPA + 2 * MB + 7 * GZ_PAGE_SIZE, FIX_PAGE(100));
	for (int i = 0; i < 8; i++)
		pfns[i] = (FIX_PAGE(200) >> 12) + i;
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 520, 8), GZ_OK);
	assert_maps(GPA + 2 * MB + 9 * GZ_PAGE_SIZE, FIX_PAGE(201));
	/* A whole aligned block of contiguous pages becomes one block mapping. */
	for (int i = 0; i < 512; i++)
		pfns[i] = (blk >> 12) + i;
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn, 512), GZ_OK);
	assert_int_equal(gz_pgt_translate(&vm.s2, GPA + 5 * GZ_PAGE_SIZE, NULL, NULL, &level),
			 GZ_OK);
	assert_int_equal(level, 2);
	/* Re-faulting is fine. */
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 100, 4), GZ_ERR_ACCESS_DENIED);
	pfns[0] = (blk >> 12) + 100;
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 100, 1), GZ_OK);
	/* Rejections. */
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 1020, 8), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 1024, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 2047, 2), GZ_ERR_OUT_OF_RANGE);
	pfns[0] = FIX_PAGE(300) >> 12;
	pfns[1] = ~0ULL;
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 1024, 2), GZ_ERR_INVALID_ARGS);
	pfns[1] = FIX_PAGE(300) >> 12;
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 1024, 2), GZ_ERR_INVALID_ARGS);
	/* The host gave the PFN buffer away meanwhile. */
	assert_int_equal(gz_mem_host_donate_hyp(PFN_BUF, 1), GZ_OK);
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn + 1024, 1), GZ_ERR_ACCESS_DENIED);
	check_invariants();
}

static unsigned leaf_level(gz_ipa_t ipa)
{
	unsigned level = 0;

	assert_int_equal(gz_pgt_translate(&vm.s2, ipa, NULL, NULL, &level), GZ_OK);
	return level;
}

/* A huge page handed whole by MAP_GUEST (one run of 512 aligned pages) is mapped by one 2 MiB
 * block descriptor, counted in s2_blocks. A page of it that changes state: sharing and
 * unsharing keep the block (the mapping does not change), the VM turning protected donates
 * the whole block and keeps it, a relinquished page splits it (needing a table page: refused
 * whole at the quota) into 511 mapped pages and one back with the host, and the slot's
 * deletion reclaims what is left. */
static void test_huge_block(void **state)
{
	const uint64_t gfn = GPA >> 12;
	const gz_pa_t blk = FIX_HOST_BASE + 8 * MB;
	uint8_t *scrub = gz_hal_pa_to_va(blk + 9 * GZ_PAGE_SIZE);
	uint64_t limit;
	gz_pa_t pa;
	int ret;

	(void)state;
	assert_int_equal(gz_vm_mem_reclaim(&vm, 1), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm, 7, 32, 7), GZ_OK);
	assert_int_equal(gz_memslot_enable_demand_paging(&vm), GZ_OK);
	put_desc(0, GPA, 2048, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, blk >> 12, gfn, 512), GZ_OK);
	assert_int_equal(leaf_level(GPA), 2);
	assert_int_equal(leaf_level(GPA + 2 * MB - 1), 2);
	assert_int_equal(fix_guest_pa(&vm, GPA + 300 * GZ_PAGE_SIZE, &pa), GZ_OK);
	assert_int_equal(pa, blk + 300 * GZ_PAGE_SIZE);
	assert_int_equal(vm.s2_blocks, 1);
	assert_int_equal(gz_vm_mem_s2_blocks(&vm), 1);
	assert_int_equal(vm.lent_pages, 512);
	assert_int_equal(gz_pgstate_state(blk), GZ_PAGE_LENT);
	/* A second vCPU's fault on the block: done already, no new block. */
	assert_int_equal(gz_memslot_map_guest(&vm, 0, blk >> 12, gfn, 512), GZ_OK);
	assert_int_equal(vm.s2_blocks, 1);
	/* Contiguous but not 2 MiB-aligned in PA: 512 pages, no block. */
	assert_int_equal(
	    gz_memslot_map_guest(&vm, 0, (blk + 2 * MB) / GZ_PAGE_SIZE + 1, gfn + 512, 512), GZ_OK);
	assert_int_equal(leaf_level(GPA + 2 * MB), 3);
	assert_int_equal(vm.s2_blocks, 1);
	check_invariants();

	/* Shared with the host and back: the block stays. */
	assert_int_equal(gz_mem_guest_share_host(&vm, GPA + 7 * GZ_PAGE_SIZE, 1), GZ_OK);
	assert_int_equal(gz_pgstate_state(blk + 7 * GZ_PAGE_SIZE), GZ_PAGE_LENT_SHARED);
	assert_int_equal(leaf_level(GPA), 2);
	check_invariants();
	assert_int_equal(gz_mem_guest_unshare_host(&vm, GPA + 7 * GZ_PAGE_SIZE, 1), GZ_OK);
	assert_int_equal(leaf_level(GPA), 2);

	/* Protected: every page of the block donated, the block kept. */
	assert_int_equal(gz_vm_mem_set_protected(&vm), GZ_OK);
	assert_int_equal(leaf_level(GPA), 2);
	assert_int_equal(gz_pgstate_owner(blk + 511 * GZ_PAGE_SIZE), vm.owner);
	assert_int_equal(gz_pgstate_state(blk + 511 * GZ_PAGE_SIZE), GZ_PAGE_OWNED);
	assert_int_equal(vm.owned_pages, 1024);
	check_invariants();

	/* A relinquish needs a table to split the block: at the quota it changes nothing. */
	limit = vm.quota.limit;
	vm.quota.limit = vm.quota.used;
	scrub[0] = 0x5a;
	ret = gz_mem_guest_relinquish(&vm, GPA + 9 * GZ_PAGE_SIZE, 1);
	assert_true(ret == GZ_ERR_NO_MEMORY || ret == GZ_ERR_NO_RESOURCES);
	assert_int_equal(leaf_level(GPA), 2);
	assert_int_equal(gz_pgstate_owner(blk + 9 * GZ_PAGE_SIZE), vm.owner);
	assert_int_equal(scrub[0], 0x5a);
	vm.quota.limit = limit;
	/* Split: the page goes back to the host scrubbed, its 511 neighbours stay as pages. */
	assert_int_equal(gz_mem_guest_relinquish(&vm, GPA + 9 * GZ_PAGE_SIZE, 1), GZ_OK);
	assert_int_equal(fix_guest_pa(&vm, GPA + 9 * GZ_PAGE_SIZE, NULL), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_pgstate_owner(blk + 9 * GZ_PAGE_SIZE), GZ_OWNER_HOST);
	assert_int_equal(scrub[0], 0);
	assert_int_equal(leaf_level(GPA + 8 * GZ_PAGE_SIZE), 3);
	assert_int_equal(leaf_level(GPA + 10 * GZ_PAGE_SIZE), 3);
	assert_maps(GPA + 8 * GZ_PAGE_SIZE, blk + 8 * GZ_PAGE_SIZE);
	assert_maps(GPA + 10 * GZ_PAGE_SIZE, blk + 10 * GZ_PAGE_SIZE);
	assert_maps(GPA + 511 * GZ_PAGE_SIZE, blk + 511 * GZ_PAGE_SIZE);
	assert_int_equal(vm.owned_pages, 1023);
	check_invariants();
	/* Faulted in again, the page lands in the split table; the whole block's map is done. */
	assert_int_equal(gz_memslot_map_guest(&vm, 0, blk >> 12, gfn, 512), GZ_OK);
	assert_maps(GPA + 9 * GZ_PAGE_SIZE, blk + 9 * GZ_PAGE_SIZE);
	assert_int_equal(leaf_level(GPA + 9 * GZ_PAGE_SIZE), 3);
	assert_int_equal(vm.s2_blocks, 1);
	check_invariants();
	/* The slot's deletion takes every page back. */
	while ((ret = gz_memslot_delete(&vm, 0, 100)) == GZ_ERR_BUSY)
		;
	assert_int_equal(ret, GZ_OK);
	assert_int_equal(vm.owned_pages, 0);
	assert_int_equal(gz_pgstate_owner(blk), GZ_OWNER_HOST);
	check_invariants();
}

/* MAP_GUEST_AHEAD: the fault's page mapped, the next pages held for the guest's first touch
 * of each and then given with MAP_GUEST's checks at that moment; what cannot be held (mapped
 * already, past the slot, a read-only slot) is not; a slot's deletion drops every hold and a
 * relinquish the hold on its gfn. */
static void test_map_ahead(void **state)
{
	const uint64_t gfn = GPA >> 12;
	uint64_t pfns[4] = {FIX_PAGE(40) >> 12, FIX_PAGE(41) >> 12, FIX_PAGE(42) >> 12,
			    FIX_PAGE(43) >> 12};
	int ret;

	(void)state;
	assert_int_equal(gz_memslot_enable_demand_paging(&vm), GZ_OK);
	put_desc(0, GPA, 64, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_memslot_map_ahead(&vm, 0, gfn, pfns, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_map_ahead(&vm, 0, gfn, pfns, 5), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_memslot_map_ahead(&vm, 1, gfn, pfns, 4), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	/* gfn + 2 is mapped already: not held */
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(30) >> 12, gfn + 2, 1), GZ_OK);
	assert_int_equal(gz_memslot_map_ahead(&vm, 0, gfn, pfns, 4), GZ_OK);
	assert_maps(GPA, FIX_PAGE(40));
	assert_int_equal(fix_guest_pa(&vm, GPA + GZ_PAGE_SIZE, NULL), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_pgstate_owner(FIX_PAGE(41)), GZ_OWNER_HOST);
	check_invariants();
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + GZ_PAGE_SIZE + 123), GZ_OK);
	assert_maps(GPA + GZ_PAGE_SIZE, FIX_PAGE(41));
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + 2 * GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	assert_maps(GPA + 2 * GZ_PAGE_SIZE, FIX_PAGE(30));
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + 4 * GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	check_invariants();
	/* The host gave a held page away meanwhile: refused at the touch, the hold used up. */
	assert_int_equal(gz_mem_host_donate_hyp(FIX_PAGE(43), 1), GZ_OK);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + 3 * GZ_PAGE_SIZE), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(fix_guest_pa(&vm, GPA + 3 * GZ_PAGE_SIZE, NULL), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + 3 * GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	check_invariants();
	/* Past the slot's end nothing is held; a relinquished gfn loses its hold. */
	pfns[0] = FIX_PAGE(50) >> 12;
	pfns[1] = FIX_PAGE(51) >> 12;
	pfns[2] = FIX_PAGE(52) >> 12;
	pfns[3] = FIX_PAGE(53) >> 12;
	assert_int_equal(gz_memslot_map_ahead(&vm, 0, gfn + 62, pfns, 4), GZ_OK);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + 64 * GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_memslot_map_ahead(&vm, 0, gfn + 10, pfns, 4), GZ_ERR_ACCESS_DENIED);
	pfns[0] = FIX_PAGE(54) >> 12;
	assert_int_equal(gz_memslot_map_ahead(&vm, 0, gfn + 10, pfns, 4), GZ_OK);
	/* another vCPU's MAP_GUEST mapped gfn + 11, the guest gives it back: the hold goes */
	assert_int_equal(gz_memslot_map_guest(&vm, 0, pfns[1], gfn + 11, 1), GZ_OK);
	assert_int_equal(gz_mem_guest_relinquish(&vm, GPA + 11 * GZ_PAGE_SIZE, 1), GZ_OK);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + 11 * GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + 12 * GZ_PAGE_SIZE), GZ_OK);
	assert_maps(GPA + 12 * GZ_PAGE_SIZE, FIX_PAGE(52));
	/* The slot's deletion drops the holds. */
	while ((ret = gz_memslot_delete(&vm, 0, 100)) == GZ_ERR_BUSY)
		;
	assert_int_equal(ret, GZ_OK);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + 13 * GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	check_invariants();
	/* A read-only slot holds nothing (its stores go to the VMM before a page is mapped). */
	assert_int_equal(
	    gz_memslot_purpose(&vm, GPA, 64 * GZ_PAGE_SIZE, GZVM_USER_MEM_REGION_READONLY), GZ_OK);
	put_desc(0, GPA, 64, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	pfns[0] = FIX_PAGE(60) >> 12;
	pfns[1] = FIX_PAGE(61) >> 12;
	assert_int_equal(gz_memslot_map_ahead(&vm, 0, gfn, pfns, 2), GZ_OK);
	assert_int_equal(gz_memslot_fault_ahead(&vm, GPA + GZ_PAGE_SIZE), GZ_ERR_NOT_FOUND);
	check_invariants();
}

static void test_delete_batched(void **state)
{
	const uint64_t gfn = GPA >> 12;
	uint64_t *pfns = gz_hal_pa_to_va(PFN_BUF);
	gz_pa_t blk = FIX_HOST_BASE + 8 * MB;
	int calls = 0, ret;

	(void)state;
	assert_int_equal(gz_memslot_set_block_buffer(&vm, 2 * MB, PFN_BUF), GZ_OK);
	put_desc(0, GPA, 1024, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	put_desc(1, 0, 16, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	/* Slot 0: 10 single pages (two shared, one faulted in by the host) and a 2 MiB block. */
	for (int i = 0; i < 10; i++) {
		fix_fill(FIX_PAGE(i), 0x42);
		assert_int_equal(
		    gz_memslot_map_guest(&vm, 0, FIX_PAGE(i) >> 12, gfn + 512 + 3 * i, 1), GZ_OK);
	}
	assert_int_equal(gz_mem_guest_share_host(&vm, GPA + 2 * MB, 1), GZ_OK);
	assert_int_equal(gz_mem_guest_share_host(&vm, GPA + 2 * MB + 3 * GZ_PAGE_SIZE, 1), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(0)), GZ_OK);
	for (int i = 0; i < 512; i++)
		pfns[i] = (blk >> 12) + i;
	assert_int_equal(gz_memslot_map_guest_block(&vm, 0, gfn, 512), GZ_OK);
	/* Slot 1 keeps its page. */
	assert_int_equal(gz_memslot_map_guest(&vm, 1, FIX_PAGE(50) >> 12, 0, 1), GZ_OK);
	assert_int_equal(vm.owned_pages, 523);
	check_invariants();

	/* Budget 3: the block goes whole in the first call, then 3 pages per call. */
	while ((ret = gz_memslot_delete(&vm, 0, 3)) == GZ_ERR_BUSY) {
		calls++;
		check_invariants();
		assert_int_equal(gz_memslot_get(&vm, 0)->state, GZ_MEMSLOT_DELETING);
		/* The slot takes nothing new and no longer catches faults. */
		assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(60) >> 12, gfn + 1000, 1),
				 GZ_ERR_NOT_ALLOWED);
		assert_int_equal(gz_memslot_lookup(&vm, GPA), GZ_ERR_NOT_FOUND);
		put_desc(0, GPA, 1, 0, NULL, 0);
		assert_int_equal(set_region(), GZ_ERR_NOT_ALLOWED);
	}
	assert_int_equal(ret, GZ_OK);
	assert_int_equal(calls, 4); /* 512 | 3 | 3 | 3 | 1 */
	assert_null(gz_memslot_get(&vm, 0));
	assert_int_equal(vm.owned_pages, 1);
	assert_int_equal(vm.shared_pages, 0);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(gz_pgstate_owner(FIX_PAGE(i)), GZ_OWNER_HOST);
		assert_true(fix_is_zero(FIX_PAGE(i)));
	}
	assert_false(fix_host_mapped(FIX_PAGE(0)));
	assert_int_equal(gz_pgstate_owner(blk + MB), GZ_OWNER_HOST);
	assert_int_equal(gz_memslot_delete(&vm, 0, 3), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_memslot_delete(&vm, GZ_MEMSLOT_MAX, 3), GZ_ERR_INVALID_ARGS);
	/* The slot id can be used again. */
	put_desc(0, GPA, 4, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	/* Deleting through SET_MEMREGION (total_pages 0), budget 0 counts as 1. */
	put_desc(1, 0, 0, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(vm.owned_pages, 0);
	assert_int_equal(gz_memslot_delete(&vm, 0, 0), GZ_OK);
	assert_int_equal(set_region(), GZ_ERR_NOT_FOUND);
	check_invariants();
}

/* More leaves than one call can list: the call stops at the scratch's capacity. */
static void test_delete_many_leaves(void **state)
{
	const uint64_t gfn = GPA >> 12;
	int ret, calls = 0;

	(void)state;
	assert_int_equal(gz_memslot_enable_demand_paging(&vm), GZ_OK);
	put_desc(0, GPA, 4096, 0, NULL, 0);
	assert_int_equal(set_region(), GZ_OK);
	/* IPA one page off the PA's 2 MiB alignment: every page is its own leaf. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(gz_memslot_map_guest(&vm, 0, (FIX_PAGE(0) >> 12) + 400 * i,
						      gfn + 1 + 400 * i, 400),
				 GZ_OK);
	while ((ret = gz_memslot_delete(&vm, 0, 5000)) == GZ_ERR_BUSY)
		calls++;
	assert_int_equal(ret, GZ_OK);
	assert_int_equal(calls, 1);
	assert_int_equal(vm.owned_pages, 0);
}

static void test_dying_vm(void **state)
{
	(void)state;
	put_desc(0, GPA, 4, 1, (const struct range[]){{FIX_PAGE(0), 4, 0}}, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(gz_vm_mem_reclaim(&vm, 1), GZ_ERR_BUSY);
	assert_int_equal(set_region(), GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_memslot_purpose(&vm, GPA, GZ_PAGE_SIZE, 0), GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_memslot_enable_demand_paging(&vm), GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_memslot_set_block_buffer(&vm, 2 * MB, PFN_BUF), GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(9) >> 12, GPA >> 12, 1),
			 GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_memslot_delete(&vm, 0, 1), GZ_ERR_NOT_ALLOWED);
	assert_int_equal(gz_memslot_lookup(&vm, GPA), GZ_ERR_NOT_FOUND);
	assert_null(gz_memslot_get(&vm, 0));
	assert_null(gz_memslot_get(&vm, 99));
}

/* A normal VM: a populated slot is lent (the host keeps its mapping), a page lent to the VM
 * cannot be mapped a second time at another gfn, and slot deletion hands the pages back as
 * the guest left them. */
static void test_normal_vm_lends(void **state)
{
	gz_pa_t pa;

	(void)state;
	assert_int_equal(gz_vm_mem_reclaim(&vm, 1), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm, 7, 32, 7), GZ_OK);
	assert_int_equal(vm.kind, GZ_VM_NORMAL);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(0)), GZ_OK);
	put_desc(0, GPA, 4, 1, (const struct range[]){{FIX_PAGE(0), 4, 0}}, 1);
	assert_int_equal(set_region(), GZ_OK);
	assert_int_equal(fix_guest_pa(&vm, GPA + GZ_PAGE_SIZE, &pa), GZ_OK);
	assert_int_equal(pa, FIX_PAGE(1));
	assert_int_equal(gz_pgstate_lent_to(FIX_PAGE(1)), vm.owner);
	assert_true(fix_host_mapped(FIX_PAGE(1)));
	assert_int_equal(vm.lent_pages, 4);
	fix_fill(FIX_PAGE(2), 0x42);
	assert_int_equal(gz_memslot_map_guest(&vm, 0, FIX_PAGE(2) >> 12, (GPA >> 12) + 1, 1),
			 GZ_ERR_BAD_STATE);
	check_invariants();
	while (gz_memslot_delete(&vm, 0, 1) == GZ_ERR_BUSY)
		;
	assert_int_equal(vm.lent_pages, 0);
	assert_int_equal(gz_pgstate_view(FIX_PAGE(2), GZ_OWNER_HOST), GZ_PAGE_OWNED);
	assert_int_equal(*(uint8_t *)gz_hal_pa_to_va(FIX_PAGE(2)), 0x42);
	check_invariants();
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_populated_batches), T(test_set_region_rejects),  T(test_purpose),
	    T(test_demand_paging),     T(test_block_demand_paging), T(test_delete_batched),
	    T(test_dying_vm),	       T(test_delete_many_leaves),  T(test_normal_vm_lends),
	    T(test_huge_block),	       T(test_map_ahead),	    T(test_readonly_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
