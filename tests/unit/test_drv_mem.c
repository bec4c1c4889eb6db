/* gzdrv memory: SET_USER_MEMORY_REGION validation and slot rules (incl. opengz's delete),
 * fully populated registration in batches of merged constituents, demand paging (4 KiB and
 * 2 MiB blocks in batches, a huge page's block in one call) on PAGE_FAULT exits,
 * MEM_RELINQUISH, and every failure path.
 * test-libs: gzdrv_fake gzdrv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drv_fake.h"

#define PG  4096ULL
#define GPA 0x80000000ULL

static void assert_clean(void)
{
	const char *leak = fake_leaks();

	if (leak)
		fail_msg("leak: %s", leak);
}

static void assert_inv(struct gzdrv_vm *vm)
{
	const char *bad = fake_vm_invariants(vm);

	if (bad)
		fail_msg("invariant: %s", bad);
}

/* mode: 0 fully populated, 1 demand paging (4 KiB), 2 block demand paging */
static struct gzdrv_vm *vm_mode(int mode)
{
	fake_reset(true);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, mode ? GZ_OK : GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	if (mode)
		fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, mode == 2 ? GZ_OK : GZ_ERR_NOT_SUPPORTED, 0,
				0, 0);
	return fake_vm_new();
}

static long set_region(struct gzdrv_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		       uint64_t size, uint64_t uaddr)
{
	static struct gzvm_userspace_memory_region r;

	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = uaddr;
	return gzdrv_vm_ioctl(vm, GZVM_SET_USER_MEMORY_REGION, fake_user(&r, sizeof(r)));
}

static void test_region_validation(void **state)
{
	struct gzdrv_vm *vm = vm_mode(1);
	uint64_t ram = fake_ram(64, 0);
	const uint64_t top = ~0ULL & ~(PG - 1);
	struct {
		uint32_t slot, flags;
		uint64_t gpa, size, uaddr;
		long err;
	} t[] = {
	    {10, 1, GPA, 16 * PG, ram, -EINVAL},	      /* slot >= 10 */
	    {0xffffffff, 1, GPA, 16 * PG, ram, -EINVAL},      /* slot */
	    {0, 8, GPA, 16 * PG, ram, -EINVAL},		      /* unknown flag */
	    {0, 0x80000000, GPA, 16 * PG, ram, -EINVAL},      /* unknown flag */
	    {0, 1, GPA + 1, 16 * PG, ram, -EINVAL},	      /* gpa unaligned */
	    {0, 1, GPA, 16 * PG + 512, ram, -EINVAL},	      /* size unaligned */
	    {0, 1, GPA, 16 * PG, ram + 8, -EINVAL},	      /* uaddr unaligned */
	    {0, 1, GPA, 16 * PG, 0, -EINVAL},		      /* uaddr 0 */
	    {0, 1, GPA, 2 * PG, top, -EINVAL},		      /* uaddr wraps */
	    {0, 1, top, 2 * PG, ram, -EINVAL},		      /* gpa wraps */
	    {0, 1, 1ULL << 40, 16 * PG, ram, -EINVAL},	      /* beyond the GPA size */
	    {0, 1, (1ULL << 40) - PG, 2 * PG, ram, -EINVAL},  /* ends beyond it */
	    {0, 1, 0, 1ULL << 43, ram, -EINVAL},	      /* 2^31 pages */
	    {0, 1, GPA, 65 * PG, ram, -EFAULT},		      /* more than the mapping */
	    {0, 1, GPA, 16 * PG, 0x7e0000000000ULL, -EFAULT}, /* not mapped */
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		long ret = set_region(vm, t[i].slot, t[i].flags, t[i].gpa, t[i].size, t[i].uaddr);
		if (ret != t[i].err)
			fail_msg("case %u: %ld != %ld", i, ret, t[i].err);
	}
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_USER_MEMORY_REGION, 0x1000), -EFAULT);
	assert_int_equal(fake_calls(GZ_HVC_FN_MEMREGION_PURPOSE), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_SET_MEMREGION), 0);
	/* the largest legal one ends exactly at 2^40 */
	assert_int_equal(set_region(vm, 9, 0, (1ULL << 40) - 64 * PG, 64 * PG, ram), 0);
	/* read-only (opengz extension) reaches the hypervisor with the purpose */
	assert_int_equal(set_region(vm, 8,
				    GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_READONLY,
				    0, 16 * PG, ram),
			 0);
	assert_int_equal(fake_call(GZ_HVC_FN_MEMREGION_PURPOSE, 1)->x[4],
			 GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_READONLY);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_slot_rules(void **state)
{
	struct gzdrv_vm *vm = vm_mode(1);
	uint64_t ram = fake_ram(64, 0);

	(void)state;
	assert_int_equal(set_region(vm, 0, 1, GPA, 16 * PG, ram), 0);
	assert_int_equal(set_region(vm, 0, 1, GPA + 64 * PG, 16 * PG, ram), -EEXIST); /* used */
	assert_int_equal(set_region(vm, 1, 1, GPA + 15 * PG, 16 * PG, ram), -EEXIST);
	assert_int_equal(set_region(vm, 1, 1, GPA - 1 * PG, 2 * PG, ram), -EEXIST);
	assert_int_equal(set_region(vm, 1, 1, GPA - 8 * PG, 32 * PG, ram), -EEXIST);
	assert_int_equal(set_region(vm, 1, 1, GPA + 4 * PG, 1 * PG, ram), -EEXIST);
	assert_int_equal(set_region(vm, 1, 1, GPA + 16 * PG, 16 * PG, ram), 0); /* adjacent */
	assert_int_equal(set_region(vm, 2, 1, GPA - 16 * PG, 16 * PG, ram), 0);
	/* aliasing the same user memory twice is allowed (as in KVM) */
	assert_int_equal(set_region(vm, 3, 4, 0x10000000, 16 * PG, ram), 0);
	assert_inv(vm);
	/* registration in demand mode: the header only, after the purpose call */
	const struct fake_rec *p = fake_call(GZ_HVC_FN_MEMREGION_PURPOSE, 0);
	assert_int_equal(p->x[1], 1);
	assert_int_equal(p->x[2], GPA);
	assert_int_equal(p->x[3], 16 * PG);
	assert_int_equal(p->x[4], 1);
	const struct fake_rec *r = fake_call(GZ_HVC_FN_SET_MEMREGION, 0);
	assert_int_equal(r->x[1], 1);
	assert_int_equal(r->x[2], 8192);
	assert_int_equal(r->x[3], vm->region_buf_pa);
	assert_int_equal(r->slot, 0);
	assert_int_equal(r->cnt, 0);
	assert_int_equal(r->total, 16);
	assert_int_equal(r->gpa, GPA);
	assert_int_equal(fake_call(GZ_HVC_FN_MEMREGION_PURPOSE, 3)->x[4], 4);
	assert_int_equal(fake_pins_outstanding(), 0);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_populate_batches(void **state)
{
	static const struct {
		uint64_t pages;
		uint32_t gap;
		unsigned int calls;
		uint32_t cnt0;
		uint64_t total0;
	} t[] = {
	    {1000, 0, 1, 1, 1000}, /* one contiguous run */
	    {1, 0, 1, 1, 1},
	    {510, 1, 1, 510, 510}, /* every page alone: exactly one full call */
	    {511, 1, 2, 510, 510},
	    {1200, 1, 3, 510, 510},  /* 510 + 510 + 180 */
	    {3000, 3, 2, 510, 1530}, /* runs of 3: 1000 runs = 510 + 490 */
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gzdrv_vm *vm = vm_mode(0);
		uint64_t ram = fake_ram(t[i].pages, t[i].gap);
		uint64_t pages = 0;

		assert_int_equal(set_region(vm, 4, 1, GPA, t[i].pages * PG, ram), 0);
		assert_int_equal(fake_calls(GZ_HVC_FN_SET_MEMREGION), t[i].calls);
		assert_int_equal(fake_pins_outstanding(), t[i].pages);
		assert_int_equal(fake_call(GZ_HVC_FN_SET_MEMREGION, 0)->cnt, t[i].cnt0);
		assert_int_equal(fake_call(GZ_HVC_FN_SET_MEMREGION, 0)->total, t[i].total0);
		for (unsigned int c = 0; c < t[i].calls; c++) {
			const struct fake_rec *r = fake_call(GZ_HVC_FN_SET_MEMREGION, c);

			assert_int_equal(r->slot, 4);
			assert_int_equal(r->gpa, GPA + pages * PG);
			assert_int_equal(r->sum_pages, r->total);
			assert_true(r->cnt >= 1 && r->cnt <= 510);
			assert_true(r->merged_max);
			assert_int_equal(r->first_addr, fake_ram_pa(ram + pages * PG));
			pages += r->total;
		}
		assert_int_equal(pages, t[i].pages);
		assert_int_equal(vm->stats.pinned_pages, t[i].pages);
		assert_inv(vm);
		gzdrv_vm_release(vm);
		assert_clean();
	}
}

static void test_delete(void **state)
{
	struct gzdrv_vm *vm = vm_mode(0);
	uint64_t ram = fake_ram(32, 0);
	const struct fake_rec *r;

	(void)state;
	/* deleting a slot that does not exist is a no-op */
	assert_int_equal(set_region(vm, 5, 0, 0, 0, 0), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_SET_MEMREGION), 0);
	assert_int_equal(set_region(vm, 5, 0, 0, 0, 0x1234), 0); /* other fields are ignored */
	assert_int_equal(set_region(vm, 10, 0, 0, 0, 0), -EINVAL);

	assert_int_equal(set_region(vm, 5, 1, GPA, 32 * PG, ram), 0);
	assert_int_equal(fake_pins_outstanding(), 32);
	/* the hypervisor refuses to give it back: nothing changes */
	fake_hyp_status(GZ_HVC_FN_SET_MEMREGION, GZ_ERR_FAULT, 0, 0, 0);
	assert_int_equal(set_region(vm, 5, 0, 0, 0, 0), -EFAULT);
	assert_int_equal(fake_pins_outstanding(), 32);
	assert_true(vm->slots[5].used);
	/* delete: total_pages 0 until the hypervisor stops answering BUSY (it reclaims in
	 * batches), then every pin dropped (dirty) */
	unsigned int calls = fake_calls(GZ_HVC_FN_SET_MEMREGION);
	for (int i = 0; i < 3; i++)
		fake_hyp_status(GZ_HVC_FN_SET_MEMREGION, GZ_ERR_BUSY, 0, 0, 0);
	assert_int_equal(set_region(vm, 5, 0, 0, 0, 0), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_SET_MEMREGION), calls + 4);
	r = fake_last();
	assert_int_equal(fake_fn(r->x[0]), GZ_HVC_FN_SET_MEMREGION);
	assert_int_equal(r->slot, 5);
	assert_int_equal(r->total, 0);
	assert_int_equal(r->cnt, 0);
	assert_int_equal(r->gpa, GPA);
	assert_int_equal(fake_pins_outstanding(), 0);
	assert_int_equal(fake.unpins_dirty, 32);
	assert_false(vm->slots[5].used);
	/* the range and the slot are free again */
	assert_int_equal(set_region(vm, 6, 1, GPA, 32 * PG, ram), 0);
	assert_int_equal(set_region(vm, 5, 1, GPA + 32 * PG, 32 * PG, ram), 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_region_failures(void **state)
{
	struct gzdrv_vm *vm;
	uint64_t ram;

	(void)state;
	/* purpose refused: -EFAULT (v13), slot stays free */
	vm = vm_mode(1);
	ram = fake_ram(16, 0);
	fake_hyp_status(GZ_HVC_FN_MEMREGION_PURPOSE, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	assert_int_equal(set_region(vm, 0, 1, GPA, 16 * PG, ram), -EFAULT);
	assert_false(vm->slots[0].used);
	/* registration refused in demand mode */
	fake_hyp_status(GZ_HVC_FN_SET_MEMREGION, GZ_ERR_NO_MEMORY, 0, 0, 0);
	assert_int_equal(set_region(vm, 0, 1, GPA, 16 * PG, ram), -ENOMEM);
	assert_false(vm->slots[0].used);
	/* an embedder that returns a misaligned PA is refused, and the pin is given back */
	fake.bad_pa_in = 1;
	vm->demand_paging = false;
	assert_int_equal(set_region(vm, 0, 1, GPA, 16 * PG, ram), -EFAULT);
	assert_int_equal(fake_pins_outstanding(), 0);
	assert_false(fake.pin_error);
	vm->demand_paging = true;
	/* no memory for the PFN array */
	fake.fail_zalloc_in = 1;
	assert_int_equal(set_region(vm, 0, 1, GPA, 16 * PG, ram), -ENOMEM);
	assert_int_equal(set_region(vm, 0, 1, GPA, 16 * PG, ram), 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();

	/* populate: a pin fails half-way: the hypervisor is asked to drop the slot, pins go */
	vm = vm_mode(0);
	ram = fake_ram(1200, 1);
	fake.fail_pin_in = 700;
	assert_int_equal(set_region(vm, 2, 1, GPA, 1200 * PG, ram), -ENOMEM);
	assert_int_equal(fake_calls(GZ_HVC_FN_SET_MEMREGION), 2); /* one batch + the delete */
	assert_int_equal(fake_last()->total, 0);
	assert_int_equal(fake_pins_outstanding(), 0);
	assert_false(vm->slots[2].used);
	assert_inv(vm);

	/* populate: the second batch is refused */
	fake_hyp_status(GZ_HVC_FN_SET_MEMREGION, GZ_OK, 0, 0, 0);
	fake_hyp_status(GZ_HVC_FN_SET_MEMREGION, GZ_ERR_NO_MEMORY, 0, 0, 0);
	assert_int_equal(set_region(vm, 2, 1, GPA, 1200 * PG, ram), -ENOMEM);
	assert_int_equal(fake_pins_outstanding(), 0);
	assert_false(vm->slots[2].used);

	/* ... and the delete too: the slot stays with its pins until the VM goes */
	fake_hyp_status(GZ_HVC_FN_SET_MEMREGION, GZ_ERR_NO_MEMORY, 0, 0, 0);
	fake_hyp_status(GZ_HVC_FN_SET_MEMREGION, GZ_ERR_FAULT, 0, 0, 0);
	assert_int_equal(set_region(vm, 2, 1, GPA, 1200 * PG, ram), -ENOMEM);
	assert_true(vm->slots[2].used);
	assert_true(fake_pins_outstanding() > 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

/* ---- demand paging ------------------------------------------------------------------- */

static struct gzvm_vcpu_run urun;

static long run(struct gzdrv_vcpu *vcpu)
{
	return gzdrv_vcpu_ioctl(vcpu, GZVM_RUN, fake_user(&urun, sizeof(urun)));
}

static void push_fault(uint64_t gpa)
{
	struct gzvm_vcpu_run *e = fake_hyp_exit(GZVM_EXIT_EXCEPTION);

	e->exception.exception = GZVM_EXCEPTION_PAGE_FAULT;
	e->exception.fault_gpa = gpa;
}

static void test_demand_4k(void **state)
{
	struct gzdrv_vm *vm = vm_mode(1);
	uint64_t ram = fake_ram(64, 1);
	struct gzdrv_vcpu *vcpu;
	const struct fake_rec *r;

	(void)state;
	assert_false(vm->block_paging);
	assert_int_equal(set_region(vm, 3, 1, GPA, 64 * PG, ram), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	push_fault(GPA + 5 * PG + 0x123);
	push_fault(GPA + 5 * PG); /* again (e.g. a racing vCPU): no second pin */
	push_fault(GPA + 63 * PG);
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_UNKNOWN); /* the model ran out of exits */
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 3);
	r = fake_call(GZ_HVC_FN_MAP_GUEST, 0);
	assert_int_equal(r->x[1], 1);
	assert_int_equal(r->x[2], 3);
	assert_int_equal(r->x[3], fake_ram_pa(ram + 5 * PG) >> 12);
	assert_int_equal(r->x[4], (GPA >> 12) + 5);
	assert_int_equal(r->x[5], 1);
	assert_int_equal(fake_call(GZ_HVC_FN_MAP_GUEST, 1)->x[3], r->x[3]);
	assert_int_equal(fake_call(GZ_HVC_FN_MAP_GUEST, 2)->x[4], (GPA >> 12) + 63);
	assert_int_equal(fake_pins_outstanding(), 2);
	assert_int_equal(vm->stats.demand_faults, 3);
	assert_int_equal(vcpu->nr_kernel_exits, 3);
	assert_inv(vm);

	/* outside every slot: the VMM gets the exception */
	push_fault(GPA + 64 * PG);
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_EXCEPTION);
	assert_int_equal(urun.exception.fault_gpa, GPA + 64 * PG);
	/* an unknown exception or non-zero reserved words also go to the VMM */
	push_fault(GPA);
	fake.exits[(fake.exit_tail - 1) % FAKE_MAX_EXITS].run.exception.reserved[29] = 1;
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_EXCEPTION);
	fake_hyp_exit(GZVM_EXIT_EXCEPTION)->exception.fault_gpa = GPA;
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_EXCEPTION);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 3);

	/* a pin that fails or a refused map is an error of RUN */
	fake.fail_pin_in = 1;
	push_fault(GPA + 7 * PG);
	assert_int_equal(run(vcpu), -EFAULT);
	fake_hyp_status(GZ_HVC_FN_MAP_GUEST, GZ_ERR_NO_MEMORY, 0, 0, 0);
	push_fault(GPA + 8 * PG);
	assert_int_equal(run(vcpu), -EFAULT);
	/* the VM's quota of hypervisor memory: ENOSPC, which the VMM names */
	fake_hyp_status(GZ_HVC_FN_MAP_GUEST, GZ_ERR_NO_RESOURCES, 0, 0, 0);
	push_fault(GPA + 9 * PG);
	assert_int_equal(run(vcpu), -ENOSPC);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

/* With an opengz hypervisor a 4 KiB fault goes by MAP_GUEST_AHEAD: the first with no page
 * ahead, the next ones with the three pages after the fault's pinned and handed over (fewer
 * at the slot's end, none that cannot be pinned); a refusal of the call is RUN's error, and a
 * hypervisor without it gets MAP_GUEST from then on. */
static void test_demand_4k_ahead(void **state)
{
	struct gzdrv_vm *vm = vm_mode(1);
	uint64_t ram = fake_ram(64, 1);
	struct gzdrv_vcpu *vcpu;
	const struct fake_rec *r;

	(void)state;
	fake_hyp_default(FAKE_FN_MAP_GUEST_AHEAD, GZ_OK);
	assert_int_equal(set_region(vm, 3, 1, GPA, 64 * PG, ram), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	push_fault(GPA + 5 * PG);
	push_fault(GPA + 20 * PG);
	push_fault(GPA + 62 * PG);
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 0);
	assert_int_equal(fake_calls(FAKE_FN_MAP_GUEST_AHEAD), 3);
	r = fake_call(FAKE_FN_MAP_GUEST_AHEAD, 0);
	assert_int_equal(r->x[1], 1);
	assert_int_equal(r->x[2], 3);
	assert_int_equal(r->x[3], (GPA >> 12) + 5);
	assert_int_equal(r->x[4], fake_ram_pa(ram + 5 * PG) >> 12);
	assert_int_equal(r->x[5] | r->x[6] | r->x[7], 0);
	r = fake_call(FAKE_FN_MAP_GUEST_AHEAD, 1);
	assert_int_equal(r->x[3], (GPA >> 12) + 20);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(r->x[4 + i], fake_ram_pa(ram + (20 + i) * PG) >> 12);
	r = fake_call(FAKE_FN_MAP_GUEST_AHEAD, 2);
	assert_int_equal(r->x[5], fake_ram_pa(ram + 63 * PG) >> 12);
	assert_int_equal(r->x[6] | r->x[7], 0);
	assert_int_equal(fake_pins_outstanding(), 1 + 4 + 2);
	assert_int_equal(vm->stats.demand_faults, 3);
	/* an ahead page whose pin fails is not handed over; a refused call is RUN's error */
	fake.fail_pin_in = 2;
	push_fault(GPA + 30 * PG);
	assert_int_equal(run(vcpu), 0);
	r = fake_call(FAKE_FN_MAP_GUEST_AHEAD, 3);
	assert_int_equal(r->x[5], 0);
	assert_int_equal(r->x[6], fake_ram_pa(ram + 32 * PG) >> 12);
	fake_hyp_status(FAKE_FN_MAP_GUEST_AHEAD, GZ_ERR_NO_RESOURCES, 0, 0, 0);
	push_fault(GPA + 40 * PG);
	assert_int_equal(run(vcpu), -ENOSPC);
	/* a hypervisor that does not take it: MAP_GUEST for this fault and every later one */
	fake_hyp_status(FAKE_FN_MAP_GUEST_AHEAD, GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	push_fault(GPA + 50 * PG);
	push_fault(GPA + 51 * PG);
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(fake_calls(FAKE_FN_MAP_GUEST_AHEAD), 6);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 2);
	assert_int_equal(fake_call(GZ_HVC_FN_MAP_GUEST, 1)->x[4], (GPA >> 12) + 51);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_demand_block(void **state)
{
	static const struct {
		uint32_t batch;
		uint64_t slot_off, slot_pages, fault_page;
		unsigned int calls;
		uint64_t first_gfn_off, n0;
	} t[] = {
	    {512, 0, 2048, 700, 1, 512, 512},	/* the block around the fault */
	    {512, 0, 2048, 1023, 1, 512, 512},	/* its last page */
	    {128, 0, 2048, 700, 4, 512, 128},	/* in batches */
	    {1, 0, 1024, 0, 512, 0, 1},		/* page by page */
	    {512, 100, 300, 150, 1, 100, 300},	/* clipped at both ends of the slot */
	    {256, 100, 1000, 120, 2, 100, 256}, /* clipped start: 412 pages = 256 + 156 */
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gzdrv_vm *vm = vm_mode(2);
		uint64_t ram = fake_ram(t[i].slot_pages, 7);
		uint64_t base = GPA + t[i].slot_off * PG;
		struct gzdrv_vcpu *vcpu;
		uint64_t pages = 0;

		assert_true(vm->block_paging);
		assert_int_equal(gzdrv_set_batch_pages(vm->drv, t[i].batch), 0);
		assert_int_equal(set_region(vm, 1, 1, base, t[i].slot_pages * PG, ram), 0);
		assert_int_equal(gzdrv_vcpu_create(vm, 2, &vcpu), 0);
		push_fault(GPA + t[i].fault_page * PG);
		assert_int_equal(run(vcpu), 0);
		assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST_BLOCK), t[i].calls);
		assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 0);
		for (unsigned int c = 0; c < t[i].calls; c++) {
			const struct fake_rec *r = fake_call(GZ_HVC_FN_MAP_GUEST_BLOCK, c);
			uint64_t gfn = (GPA >> 12) + t[i].first_gfn_off + pages;
			uint64_t uoff = (gfn - (base >> 12)) * PG;

			assert_int_equal(r->x[1], 1);
			assert_int_equal(r->x[2], 1);
			assert_int_equal(r->x[3], gfn);
			if (c == 0)
				assert_int_equal(r->x[4], t[i].n0);
			assert_true(r->x[4] <= t[i].batch);
			assert_int_equal(r->first_pfn, fake_ram_pa(ram + uoff) >> 12);
			assert_int_equal(r->last_pfn,
					 fake_ram_pa(ram + uoff + (r->x[4] - 1) * PG) >> 12);
			pages += r->x[4];
		}
		assert_int_equal(fake_pins_outstanding(), pages);
		assert_inv(vm);
		gzdrv_vm_release(vm);
		assert_clean();
	}
}

/* With block paging turned off (sysfs block_paging = 0), a VM the hypervisor would let page
 * by block still faults one 4 KiB page at a time, and asks for no PFN buffer. */
static void test_demand_block_off(void **state)
{
	struct gzdrv *drv = fake_reset(true);
	struct gzdrv_vm *vm;
	uint64_t ram = fake_ram(1024, 3);
	struct gzdrv_vcpu *vcpu;

	(void)state;
	assert_true(drv->block_paging);
	gzdrv_set_block_paging(drv, false);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 0, 0, 0);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 0, 0, 0);
	vm = fake_vm_new();
	assert_true(vm->demand_paging);
	assert_false(vm->block_paging);
	assert_null(vm->pfn_buf);
	assert_int_equal(set_region(vm, 1, 1, GPA, 1024 * PG, ram), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	push_fault(GPA + 700 * PG);
	push_fault(GPA + 701 * PG);
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST_BLOCK), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 2);
	assert_int_equal(fake_call(GZ_HVC_FN_MAP_GUEST, 1)->x[4], (GPA >> 12) + 701);
	assert_int_equal(fake_call(GZ_HVC_FN_MAP_GUEST, 1)->x[5], 1);
	assert_int_equal(fake_pins_outstanding(), 2);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
	/* back on: the next VM pages by block again */
	gzdrv_set_block_paging(drv, true);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 0, 0, 0);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 0, 0, 0);
	vm = fake_vm_new();
	assert_true(vm->block_paging);
	gzdrv_vm_release(vm);
	assert_clean();
}

/* A block the host backs with one contiguous, aligned 2 MiB (a huge page) goes whole in one
 * MAP_GUEST call, its pins taken in one go where the embedder can (one walk of a huge page);
 * the hypervisor's count of blocks (x1) reaches the VM's and the driver's statistics. A block
 * that is not contiguous, not aligned or not whole in the slot goes by MAP_GUEST_BLOCK. */
static void huge_block_case(struct gzdrv_vm *vm, long batch_pins)
{
	uint64_t ram = fake_ram(1536, 0), odd = fake_ram(1024, 0), gappy = fake_ram(1024, 9);
	const struct fake_rec *r;
	struct gzdrv_vcpu *vcpu;

	assert_true(vm->block_paging);
	assert_int_equal(set_region(vm, 1, 1, GPA, 1536 * PG, ram), 0);
	/* a slot starting one page into its RAM: no block of it is aligned in the host */
	assert_int_equal(set_region(vm, 2, 1, GPA + 4 * 512 * PG, 1023 * PG, odd + PG), 0);
	assert_int_equal(set_region(vm, 3, 1, GPA + 6 * 512 * PG, 1024 * PG, gappy), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	fake_hyp_status(GZ_HVC_FN_MAP_GUEST, GZ_OK, 1, 0, 0);
	push_fault(GPA + 700 * PG);
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 1);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST_BLOCK), 0);
	r = fake_call(GZ_HVC_FN_MAP_GUEST, 0);
	assert_int_equal(r->x[2], 1);
	assert_int_equal(r->x[3], fake_ram_pa(ram + 512 * PG) >> 12);
	assert_int_equal(r->x[4], (GPA >> 12) + 512);
	assert_int_equal(r->x[5], 512);
	assert_int_equal(fake.batch_pins, batch_pins);
	assert_int_equal(fake_pins_outstanding(), 512);
	assert_int_equal(vm->stats.s2_blocks, 1);
	/* the same block again (a second vCPU's fault): the pins are kept, the call repeated */
	fake_hyp_status(GZ_HVC_FN_MAP_GUEST, GZ_OK, 1, 0, 0);
	push_fault(GPA + 512 * PG);
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 2);
	assert_int_equal(fake_pins_outstanding(), 512);
	/* unaligned, then scattered: the PFN buffer, whatever the pins' path */
	push_fault(GPA + 4 * 512 * PG + 5 * PG);
	push_fault(GPA + 6 * 512 * PG + 5 * PG);
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 2);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST_BLOCK), 2);
	assert_int_equal(fake_call(GZ_HVC_FN_MAP_GUEST_BLOCK, 0)->x[4], 512);
	assert_int_equal(fake_pins_outstanding(), 3 * 512);
	assert_int_equal(vm->stats.s2_blocks, 1);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_demand_block_huge(void **state)
{
	(void)state;
	huge_block_case(vm_mode(2), 1);
	/* an embedder without pin_user_pages pins page by page: the same calls */
	fake_reset_minimal(true, 62500000);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 0, 0, 0);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 0, 0, 0);
	huge_block_case(fake_vm_new(), 0);
}

/* A huge page's block whose pins fail part way (or come back broken) keeps none of them. */
static void test_demand_block_huge_failure(void **state)
{
	struct gzdrv_vm *vm = vm_mode(2);
	uint64_t ram = fake_ram(512, 0);
	struct gzdrv_vcpu *vcpu;

	(void)state;
	assert_int_equal(set_region(vm, 0, 1, GPA, 512 * PG, ram), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	fake.fail_pin_in = 300;
	push_fault(GPA + 3 * PG);
	assert_int_equal(run(vcpu), -EFAULT);
	assert_int_equal(fake_pins_outstanding(), 0);
	fake.bad_pa_in = 7;
	push_fault(GPA + 3 * PG);
	assert_int_equal(run(vcpu), -EFAULT);
	assert_int_equal(fake_pins_outstanding(), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 0);
	fake_hyp_status(GZ_HVC_FN_MAP_GUEST, GZ_ERR_NO_MEMORY, 0, 0, 0);
	push_fault(GPA + 3 * PG);
	assert_int_equal(run(vcpu), -EFAULT);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST), 1);
	assert_int_equal(vm->stats.s2_blocks, 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_demand_block_failure(void **state)
{
	struct gzdrv_vm *vm = vm_mode(2);
	uint64_t ram = fake_ram(512, 7); /* scattered: the PFN buffer's path */
	struct gzdrv_vcpu *vcpu;

	(void)state;
	assert_int_equal(set_region(vm, 0, 1, GPA, 512 * PG, ram), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	fake.fail_pin_in = 10;
	push_fault(GPA);
	assert_int_equal(run(vcpu), -EFAULT);
	assert_int_equal(fake_calls(GZ_HVC_FN_MAP_GUEST_BLOCK), 0);
	fake_hyp_status(GZ_HVC_FN_MAP_GUEST_BLOCK, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	push_fault(GPA);
	assert_int_equal(run(vcpu), -EFAULT);
	/* pins taken so far stay tracked (the slot owns them) and go at teardown */
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_relinquish(void **state)
{
	struct gzdrv_vm *vm = vm_mode(0);
	uint64_t ram = fake_ram(16, 0);
	struct gzdrv_vcpu *vcpu;
	struct gzvm_vcpu_run *e;

	(void)state;
	assert_int_equal(set_region(vm, 0, 1, GPA, 16 * PG, ram), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	e = fake_hyp_exit(GZVM_EXIT_HYPERCALL);
	e->hypercall.args[0] = GZVM_HVC_MEM_RELINQUISH;
	e->hypercall.args[1] = GPA + 3 * PG;
	e = fake_hyp_exit(GZVM_EXIT_HYPERCALL); /* twice: the second finds nothing */
	e->hypercall.args[0] = GZVM_HVC_MEM_RELINQUISH;
	e->hypercall.args[1] = GPA + 3 * PG + 8;
	e = fake_hyp_exit(GZVM_EXIT_HYPERCALL); /* outside every slot */
	e->hypercall.args[0] = GZVM_HVC_MEM_RELINQUISH;
	e->hypercall.args[1] = 0x1000;
	e = fake_hyp_exit(GZVM_EXIT_HYPERCALL); /* another call goes to the VMM */
	e->hypercall.args[0] = 0xc6000002;
	assert_int_equal(run(vcpu), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_HYPERCALL);
	assert_int_equal(urun.hypercall.args[0], 0xc6000002);
	assert_int_equal(fake_pins_outstanding(), 15);
	assert_int_equal(vm->stats.relinquished, 1);
	assert_int_equal(fake.unpins_dirty, 1);
	assert_int_equal(vm->slots[0].pa[3], 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_region_validation),
	    cmocka_unit_test(test_slot_rules),
	    cmocka_unit_test(test_populate_batches),
	    cmocka_unit_test(test_delete),
	    cmocka_unit_test(test_region_failures),
	    cmocka_unit_test(test_demand_4k),
	    cmocka_unit_test(test_demand_block),
	    cmocka_unit_test(test_demand_block_off),
	    cmocka_unit_test(test_demand_block_failure),
	    cmocka_unit_test(test_relinquish),
	    cmocka_unit_test(test_demand_4k_ahead),
	    cmocka_unit_test(test_demand_block_huge),
	    cmocka_unit_test(test_demand_block_huge_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
