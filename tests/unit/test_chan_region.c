/* A channel's bulk region (CHAN_REGION, src/hyp/core/chan.c and mem_pair.c) on the fake HAL:
 * host pages that leave the host and are mapped in both VMs of a channel (the page-state
 * store's two-VM share, the invariant checked after every step), every bad request's defined
 * error with nothing changed, the guest's share calls refused on it, and its revocation when
 * either VM is destroyed: unmapped from the survivor with its TLB entries invalidated, the
 * pages scrubbed before they go back to the host, PEER_GONE and the survivor's doorbell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gzabi/chan.h>
#include <gzhyp/chan.h>
#include <gzhyp/mem_guest.h>

#include "vm_fixture.h"

#define RAM_IPA	  0x80000000ULL
#define RAM_PAGES 4
#define DIST_IPA  0x08000000ULL
#define REG_IPA_A 0x20000000ULL
#define REG_IPA_B 0x30000000ULL
#define REG_PAGES 4
#define REG_PA	  VFIX_GUEST_PAGE(256)
#define DB_A	  (ARCH_GIC_SPI_BASE + 40)
#define DB_B	  (ARCH_GIC_SPI_BASE + 41)

static uint16_t vm_a, vm_b;
static uint32_t chan_id;
static void *store_before;
static size_t store_bytes;

static uint16_t vm_with_ram(void)
{
	uint16_t id = vfix_create_vm();

	assert_int_not_equal(id, 0);
	assert_int_equal(vfix_create_vcpu(id, 0), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&gz_vm_get(id)->mem, VFIX_GUEST_PAGE(8 * id),
						RAM_IPA, RAM_PAGES),
			 GZ_OK);
	assert_int_equal(gz_vgic_set_dist_base(&gz_vm_get(id)->vgic, DIST_IPA, 0), GZ_OK);
	return id;
}

/* CHAN_REGION as the host issues it (seven arguments). */
static int64_t region(uint64_t a, uint64_t b, uint64_t id, gz_pa_t pa, uint64_t nr, gz_ipa_t ipa_a,
		      gz_ipa_t ipa_b)
{
	struct gz_smccc_regs r = {{GZ_HVC_CHAN_REGION, a, b, id, pa, nr, ipa_a, ipa_b}};

	gz_hostcall_dispatch(&r);
	assert_int_equal(r.a[1], 0);
	return (int64_t)r.a[0];
}

static void check_invariants(void)
{
	struct gz_vm_mem *vms[GZ_MAX_VMS];
	unsigned n = 0;
	uint64_t bad = 0;

	for (unsigned id = 1; id <= GZ_MAX_VMS; id++)
		if (gz_vm_get(id))
			vms[n++] = &gz_vm_get(id)->mem;
	assert_int_equal(gz_mem_check_invariants(vms, n, &bad), GZ_OK);
}

static void snapshot(void)
{
	const void *raw = gz_pgstate_raw(&store_bytes);

	free(store_before);
	store_before = malloc(store_bytes);
	assert_non_null(store_before);
	memcpy(store_before, raw, store_bytes);
}

/* A refused request: its status, and not one entry of the store changed. */
static void refused(int64_t st, int64_t want)
{
	size_t n;

	assert_int_equal(st, want);
	assert_memory_equal(gz_pgstate_raw(&n), store_before, store_bytes);
	assert_int_equal(gz_chan_region_pages(), 0);
	check_invariants();
}

static bool doorbell(uint16_t vm, uint32_t intid)
{
	struct gz_vgic_irq_info info;

	assert_int_equal(gz_vgic_irq_info(&gz_vm_get(vm)->vgic, 0, intid, &info), GZ_OK);
	return info.pending;
}

static int setup(void **state)
{
	struct gz_smccc_regs r;

	(void)state;
	assert_int_equal(vfix_init(), GZ_OK);
	vfix_guest_reset();
	vm_a = vm_with_ram();
	vm_b = vm_with_ram();
	r = hcall(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, DB_B, 0);
	assert_int_equal((int64_t)r.a[0], GZ_OK);
	chan_id = (uint32_t)r.a[1];
	snapshot();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_hal_locks_held(), 0);
	vfix_destroy_all();
	assert_int_equal(gz_chan_count(), 0);
	assert_int_equal(gz_chan_region_pages(), 0);
	for (unsigned i = 0; i < REG_PAGES; i++)
		assert_int_equal(gz_pgstate_view(REG_PA + i * GZ_PAGE_SIZE, GZ_OWNER_HOST),
				 GZ_PAGE_OWNED);
	free(store_before);
	store_before = NULL;
	fake_hal_teardown();
	return 0;
}

static void give(void)
{
	assert_int_equal(region(vm_a, vm_b, chan_id, REG_PA, REG_PAGES, REG_IPA_A, REG_IPA_B),
			 GZ_OK);
	check_invariants();
}

/* The pages are the two VMs' and nobody else's: one VM's write is the other's read, both map
 * them read/write and never executable, the host faults on them, the store says who owns
 * and who borrows, and the host had them zeroed before either VM saw them. */
static void test_region_mapped_in_both(void **state)
{
	struct gz_vm_mem *a, *b;
	char buf[16] = {0};
	uint32_t prot;
	gz_pa_t pa;

	(void)state;
	memset(gz_hal_pa_to_va(REG_PA), 0x5a, GZ_PAGE_SIZE); /* what the host left there */
	give();
	a = &gz_vm_get(vm_a)->mem;
	b = &gz_vm_get(vm_b)->mem;
	assert_int_equal(gz_chan_region_pages(), REG_PAGES);
	assert_int_equal(a->peer_pages, REG_PAGES);
	assert_int_equal(b->peer_pages, REG_PAGES);
	assert_int_equal(gz_mem_guest_read(b, REG_IPA_B, buf, 8), GZ_OK);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(gz_mem_guest_write(a, REG_IPA_A + 3 * GZ_PAGE_SIZE + 8, "bulk-a>b", 8),
			 GZ_OK);
	assert_int_equal(gz_mem_guest_read(b, REG_IPA_B + 3 * GZ_PAGE_SIZE + 8, buf, 8), GZ_OK);
	assert_memory_equal(buf, "bulk-a>b", 8);
	assert_int_equal(gz_mem_guest_write(b, REG_IPA_B, "bulk-b>a", 8), GZ_OK);
	assert_int_equal(gz_mem_guest_read(a, REG_IPA_A, buf, 8), GZ_OK);
	assert_memory_equal(buf, "bulk-b>a", 8);
	for (unsigned i = 0; i < REG_PAGES; i++) {
		gz_pa_t p = REG_PA + i * GZ_PAGE_SIZE;

		assert_int_equal(gz_pgstate_state(p), GZ_PAGE_VM_SHARED);
		assert_int_equal(gz_pgstate_owner(p), a->owner);
		assert_int_equal(gz_pgstate_vm_borrower(p), b->owner);
		assert_int_equal(gz_pgstate_view(p, a->owner), GZ_PAGE_VM_SHARED);
		assert_int_equal(gz_pgstate_view(p, b->owner), GZ_PAGE_VM_BORROWED);
		assert_int_equal(gz_pgstate_view(p, GZ_OWNER_HOST), GZ_PAGE_NOACCESS);
		assert_int_equal(gz_pgstate_view(p, GZ_OWNER_HYP), GZ_PAGE_NOACCESS);
		assert_int_equal(gz_host_s2_handle_fault(p), GZ_ERR_ACCESS_DENIED);
		assert_int_equal(
		    gz_pgt_translate(&b->s2, REG_IPA_B + i * GZ_PAGE_SIZE, &pa, &prot, NULL),
		    GZ_OK);
		assert_int_equal(pa, p);
		assert_int_equal(prot & GZ_PROT_MASK, GZ_PROT_RW);
		assert_int_equal(
		    gz_pgt_translate(&a->s2, REG_IPA_A + i * GZ_PAGE_SIZE, &pa, &prot, NULL),
		    GZ_OK);
		assert_int_equal(pa, p);
		assert_int_equal(prot & GZ_PROT_MASK, GZ_PROT_RW);
	}
	/* A reclaim scan of either VM never takes them: they go with the channel. */
	for (unsigned i = 0; i < 2; i++) {
		uint64_t from = (uint64_t)gz_pgstate_index(REG_PA);
		gz_owner_t o = i ? b->owner : a->owner;

		assert_int_equal(gz_pgstate_find_vm(o, from, from + REG_PAGES), from + REG_PAGES);
	}
}

/* Every bad request gets its defined error and changes nothing. */
static void test_region_refusals(void **state)
{
	uint16_t c;
	struct gz_smccc_regs r;

	(void)state;
	/* to itself, to no VM */
	refused(region(vm_a, vm_a, chan_id, REG_PA, 1, REG_IPA_A, REG_IPA_B), GZ_ERR_INVALID_ARGS);
	refused(region(vm_a, 9, chan_id, REG_PA, 1, REG_IPA_A, REG_IPA_B), GZ_ERR_INVALID_ARGS);
	refused(region(vm_a, 0x10001, chan_id, REG_PA, 1, REG_IPA_A, REG_IPA_B),
		GZ_ERR_INVALID_ARGS);
	/* no such channel; a channel of other VMs; a VM on no channel with vm_a */
	refused(region(vm_a, vm_b, 0, REG_PA, 1, REG_IPA_A, REG_IPA_B), GZ_ERR_NOT_FOUND);
	refused(region(vm_a, vm_b, GZ_CHAN_MAX + 1, REG_PA, 1, REG_IPA_A, REG_IPA_B),
		GZ_ERR_NOT_FOUND);
	c = vm_with_ram();
	snapshot();
	refused(region(vm_a, c, chan_id, REG_PA, 1, REG_IPA_A, REG_IPA_B), GZ_ERR_NOT_FOUND);
	refused(region(c, vm_b, chan_id, REG_PA, 1, REG_IPA_A, REG_IPA_B), GZ_ERR_NOT_FOUND);
	r = hcall(GZ_HVC_CHAN_CREATE, vm_b, c, DB_A, DB_A, 0);
	assert_int_equal((int64_t)r.a[0], GZ_OK);
	refused(region(vm_a, vm_b, r.a[1], REG_PA, 1, REG_IPA_A, REG_IPA_B), GZ_ERR_NOT_FOUND);
	/* sizes */
	refused(region(vm_a, vm_b, chan_id, REG_PA, 0, REG_IPA_A, REG_IPA_B), GZ_ERR_INVALID_ARGS);
	refused(
	    region(vm_a, vm_b, chan_id, REG_PA, GZ_CHAN_REGION_PAGES_MAX + 1, REG_IPA_A, REG_IPA_B),
	    GZ_ERR_INVALID_ARGS);
	/* unaligned addresses */
	refused(region(vm_a, vm_b, chan_id, REG_PA + 8, 1, REG_IPA_A, REG_IPA_B),
		GZ_ERR_INVALID_ARGS);
	refused(region(vm_a, vm_b, chan_id, REG_PA, 1, REG_IPA_A + 0x800, REG_IPA_B),
		GZ_ERR_INVALID_ARGS);
	refused(region(vm_a, vm_b, chan_id, REG_PA, 1, REG_IPA_A, REG_IPA_B + 1),
		GZ_ERR_INVALID_ARGS);
	/* outside the IPA space or the host's memory */
	refused(region(vm_a, vm_b, chan_id, REG_PA, 1, 1ULL << 48, REG_IPA_B), GZ_ERR_OUT_OF_RANGE);
	refused(region(vm_a, vm_b, chan_id, REG_PA, 2, REG_IPA_A,
		       (1ULL << gz_vm_get(vm_b)->ipa_bits) - GZ_PAGE_SIZE),
		GZ_ERR_OUT_OF_RANGE);
	refused(region(vm_a, vm_b, chan_id, 1ULL << 44, 1, REG_IPA_A, REG_IPA_B),
		GZ_ERR_OUT_OF_RANGE);
	/* over a memslot's RAM, the vGIC's distributor, another VM's RAM */
	refused(region(vm_a, vm_b, chan_id, REG_PA, 2, RAM_IPA - GZ_PAGE_SIZE, REG_IPA_B),
		GZ_ERR_ALREADY_EXISTS);
	refused(region(vm_a, vm_b, chan_id, REG_PA, 1, REG_IPA_A, DIST_IPA + 0x1000),
		GZ_ERR_ALREADY_EXISTS);
	/* pages the host cannot give: gzhyp's, a page lent to a VM */
	refused(region(vm_a, vm_b, chan_id, FIX_WORK_BASE, 1, REG_IPA_A, REG_IPA_B),
		GZ_ERR_ACCESS_DENIED);
	refused(region(vm_a, vm_b, chan_id, VFIX_GUEST_PAGE(8 * vm_a), 1, REG_IPA_A, REG_IPA_B),
		GZ_ERR_BAD_STATE);
	/* double set-up, and the same pages again */
	give();
	snapshot();
	assert_int_equal(
	    region(vm_a, vm_b, chan_id, VFIX_GUEST_PAGE(300), 1, 0x21000000ULL, 0x31000000ULL),
	    GZ_ERR_NO_RESOURCES);
	assert_int_equal(
	    region(vm_b, vm_a, chan_id, VFIX_GUEST_PAGE(300), 1, 0x21000000ULL, 0x31000000ULL),
	    GZ_ERR_NO_RESOURCES);
	r = hcall(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A + 2, DB_B + 2, 0);
	assert_int_equal((int64_t)r.a[0], GZ_OK);
	snapshot();
	assert_int_equal(region(vm_a, vm_b, r.a[1], REG_PA, 1, 0x21000000ULL, 0x31000000ULL),
			 GZ_ERR_ACCESS_DENIED);
	/* a second channel's region over the first's IPAs */
	assert_int_equal(
	    region(vm_a, vm_b, r.a[1], VFIX_GUEST_PAGE(300), 1, REG_IPA_A + 0x3000, 0x31000000ULL),
	    GZ_ERR_ALREADY_EXISTS);
	assert_memory_equal(gz_pgstate_raw(&store_bytes), store_before, store_bytes);
	assert_int_equal(gz_chan_region_pages(), REG_PAGES);
	check_invariants();
}

/* The region is the channel's: neither VM shares it with the host, takes it back or gives it
 * away (the pKVM calls), nothing else is mapped over it and no memslot may reach into it. */
static void test_region_guest_calls_refused(void **state)
{
	struct gz_vm_mem *a, *b;

	(void)state;
	give();
	a = &gz_vm_get(vm_a)->mem;
	b = &gz_vm_get(vm_b)->mem;
	snapshot();
	assert_int_equal(gz_mem_guest_share_host(a, REG_IPA_A, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_guest_share_host(b, REG_IPA_B + GZ_PAGE_SIZE, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_guest_unshare_host(a, REG_IPA_A, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_guest_relinquish(a, REG_IPA_A, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_guest_relinquish(b, REG_IPA_B, REG_PAGES), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_give_guest(a, VFIX_GUEST_PAGE(300), REG_IPA_A, 1),
			 GZ_ERR_ALREADY_EXISTS);
	/* a memslot reaching into the region (SET_MEMREGION's descriptor in host pages) */
	struct gzvm_memory_region_ranges *d = gz_hal_pa_to_va(VFIX_GUEST_PAGE(400));
	memset(d, 0, GZVM_MEMREGION_BUF_SIZE);
	d->slot = 1;
	d->constituent_cnt = 1;
	d->total_pages = 2;
	d->gpa = REG_IPA_B - GZ_PAGE_SIZE;
	d->constituents[0].address = VFIX_GUEST_PAGE(410);
	d->constituents[0].pg_cnt = 2;
	assert_int_equal(gz_memslot_set_region(b, VFIX_GUEST_PAGE(400), GZVM_MEMREGION_BUF_SIZE),
			 GZ_ERR_ALREADY_EXISTS);
	d->gpa = REG_IPA_B - 2 * GZ_PAGE_SIZE; /* right below it: fine */
	assert_int_equal(gz_memslot_set_region(b, VFIX_GUEST_PAGE(400), GZVM_MEMREGION_BUF_SIZE),
			 GZ_OK);
	check_invariants();
	snapshot();
	assert_memory_equal(gz_pgstate_raw(&store_bytes), store_before, store_bytes);
	check_invariants();
}

/* Destroy @gone with the region mapped; @survivor keeps running. */
static void destroy_with_region(uint16_t gone, uint16_t survivor, gz_ipa_t survivor_ipa,
				uint32_t survivor_db)
{
	struct gz_vm_mem *s = &gz_vm_get(survivor)->mem;
	uint16_t vmid = s->s2.vmid;
	struct gz_chan_result res;
	size_t tlbi;
	char buf[8];

	give();
	assert_int_equal(gz_mem_guest_write(&gz_vm_get(gone)->mem,
					    gone == vm_a ? REG_IPA_A : REG_IPA_B, "secret!", 8),
			 GZ_OK);
	assert_int_equal(gz_mem_guest_write(s, survivor_ipa + 2 * GZ_PAGE_SIZE, "mine too", 8),
			 GZ_OK);
	fake_hal_clear_ops();
	/* DESTROY_VM's first call revokes the region, whatever batch the host asks for. */
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VM, gone, 1, 0, 0, 0), GZ_ERR_BUSY);
	/* the survivor maps none of it, and its TLB entries for it were invalidated */
	for (unsigned i = 0; i < REG_PAGES; i++)
		assert_int_equal(
		    gz_pgt_translate(&s->s2, survivor_ipa + i * GZ_PAGE_SIZE, NULL, NULL, NULL),
		    GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_mem_guest_read(s, survivor_ipa, buf, 8), GZ_ERR_NOT_FOUND);
	tlbi = fake_hal_find_op(FAKE_OP_TLBI_IPA, 0);
	while (tlbi != (size_t)-1 && !(fake_hal_op(tlbi)->a == vmid &&
				       fake_hal_op(tlbi)->b == survivor_ipa + 2 * GZ_PAGE_SIZE))
		tlbi = fake_hal_find_op(FAKE_OP_TLBI_IPA, tlbi + 1);
	if (tlbi == (size_t)-1) /* or the whole VMID at once */
		assert_true(fake_hal_find_op(FAKE_OP_TLBI_VMID, 0) != (size_t)-1);
	assert_int_equal(s->peer_pages, 0);
	assert_int_equal(gz_chan_region_pages(), 0);
	/* the pages are the host's again, zeroed */
	for (unsigned i = 0; i < REG_PAGES; i++) {
		const uint8_t *p = gz_hal_pa_to_va(REG_PA + i * GZ_PAGE_SIZE);

		assert_int_equal(gz_pgstate_view(REG_PA + i * GZ_PAGE_SIZE, GZ_OWNER_HOST),
				 GZ_PAGE_OWNED);
		for (unsigned k = 0; k < GZ_PAGE_SIZE; k++)
			assert_int_equal(p[k], 0);
	}
	/* the survivor's doorbell rang and its calls get PEER_GONE */
	assert_true(doorbell(survivor, survivor_db));
	gz_chan_state(gz_vm_get(survivor), chan_id, &res);
	assert_int_equal(res.ret, GZ_CHAN_RET_PEER_GONE);
	while (hstatus(GZ_HVC_DESTROY_VM, gone, 0, 0, 0, 0) == GZ_ERR_BUSY)
		;
	if (gone == vm_a)
		vm_a = 0;
	else
		vm_b = 0;
	check_invariants();
}

static void test_region_revoked_borrower_destroyed(void **state)
{
	(void)state;
	destroy_with_region(vm_b, vm_a, REG_IPA_A, DB_A);
}

static void test_region_revoked_owner_destroyed(void **state)
{
	(void)state;
	destroy_with_region(vm_a, vm_b, REG_IPA_B, DB_B);
}

/* The pool cannot give the borrower's stage 2 a table: NO_MEMORY, nothing kept (the owner's
 * mapping, which needed none next to its RAM, rolled back, the pages the host's again). */
static void test_region_no_tables(void **state)
{
	struct gz_pool_acct acct;
	static gz_pa_t pas[8192];
	size_t n;

	(void)state;
	n = fix_drain(&acct, pas, 8192);
	fake_hal_clear_ops();
	assert_int_equal(region(vm_a, vm_b, chan_id, REG_PA, REG_PAGES,
				RAM_IPA + RAM_PAGES * GZ_PAGE_SIZE, 0xd0000000ULL),
			 GZ_ERR_NO_MEMORY);
	assert_int_equal(gz_pgt_translate(&gz_vm_get(vm_a)->mem.s2,
					  RAM_IPA + RAM_PAGES * GZ_PAGE_SIZE, NULL, NULL, NULL),
			 GZ_ERR_NOT_FOUND);
	fix_undrain(&acct, pas, n);
	assert_memory_equal(gz_pgstate_raw(&store_bytes), store_before, store_bytes);
	assert_int_equal(gz_vm_get(vm_a)->mem.peer_pages, 0);
	assert_int_equal(gz_chan_region_pages(), 0);
	check_invariants();
	give();
}

/* A VM being destroyed gets no region, as either end. */
static void test_region_while_destroying(void **state)
{
	(void)state;
	/* DESTROY_VM's first call on a VM with pages: DESTROYING, BUSY (batch of one page) */
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VM, vm_b, 1, 0, 0, 0), GZ_ERR_BUSY);
	assert_int_equal(region(vm_a, vm_b, chan_id, REG_PA, 1, REG_IPA_A, REG_IPA_B),
			 GZ_ERR_BAD_STATE);
	assert_int_equal(region(vm_b, vm_a, chan_id, REG_PA, 1, REG_IPA_B, REG_IPA_A),
			 GZ_ERR_BAD_STATE);
	assert_int_equal(gz_chan_region_pages(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_region_mapped_in_both, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_region_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_region_guest_calls_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_region_revoked_borrower_destroyed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_region_revoked_owner_destroyed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_region_no_tables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_region_while_destroying, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
