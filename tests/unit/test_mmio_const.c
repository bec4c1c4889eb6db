/* Constant device registers (src/hyp/core/mmio_const.c, GZVM_CAP_OPENGZ_MMIO_CONST): what a
 * VMM may declare and when, the reads the hypervisor then answers on the fast path and on the
 * full one with the value the VMM would have given, the accesses that still go to the VMM, and
 * the table's pool page charged to the VM and given back with it.
 * The table's lookups are counted (the test links with --wrap): one per exit, whichever path
 * completes it.
 * test-libs: gzcore gzfake gzlib -Wl,--wrap=gz_mmio_const_lookup */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arm64/sysreg.h>
#include <gzhyp/exit.h>
#include <gzhyp/mmio_const.h>
#include <gzhyp/pool.h>

#include "vm_fixture.h"

#define DEV 0x0a000000ULL /* a virtio-mmio transport's base */
#define PC0 0x80000000ULL

static uint16_t vm;
static struct gz_vcpu *v0;

/* Every lookup in a constant-register table, counted on its way to the real one. */
static unsigned nr_lookups;
bool __real_gz_mmio_const_lookup(const struct gz_mmio_const *t, gz_ipa_t ipa, unsigned size,
				 uint32_t *value);
bool __wrap_gz_mmio_const_lookup(const struct gz_mmio_const *t, gz_ipa_t ipa, unsigned size,
				 uint32_t *value);
bool __wrap_gz_mmio_const_lookup(const struct gz_mmio_const *t, gz_ipa_t ipa, unsigned size,
				 uint32_t *value)
{
	nr_lookups++;
	return __real_gz_mmio_const_lookup(t, ipa, size, value);
}

static int setup(void **state)
{
	(void)state;
	return vfix_cmocka_setup(1, &vm, &v0);
}

static int64_t declare(uint16_t id, uint64_t ipa, uint64_t size, uint64_t value)
{
	return hstatus(GZ_HVC_ENABLE_CAP, id, GZVM_CAP_OPENGZ_MMIO_CONST, ipa, size, value);
}

static int64_t declare_flags(uint16_t id, uint64_t ipa, uint64_t size, uint64_t value,
			     uint64_t flags)
{
	struct gz_smccc_regs r = {
	    {GZ_HVC_ENABLE_CAP, id, GZVM_CAP_OPENGZ_MMIO_CONST, ipa, size, value, flags}};

	gz_hostcall_dispatch(&r);
	return (int64_t)r.a[0];
}

/* LDR W3 / LDRB W3 / LDRSH X3 ... from @ipa: the exit record of the access. */
static struct gz_exit_record rd(gz_ipa_t ipa, unsigned sas, bool sse, bool sf, bool write)
{
	return (struct gz_exit_record){
	    .kind = GZ_EXIT_KIND_SYNC,
	    .esr = esr_dabt(true, sas, sse, 3, sf, write, 0x07),
	    .far = ipa & 0xfff,
	    .hpfar = hpfar_of(ipa),
	};
}

static bool fast_read(gz_ipa_t ipa, unsigned sas, bool sse, bool sf, uint64_t *x3)
{
	struct gz_exit_record rec = rd(ipa, sas, sse, sf, false);
	bool taken;

	v0->ctx.x[3] = 0x5555555555555555ULL;
	v0->ctx.pc = PC0;
	taken = gz_exit_fast(&v0->ctx, &rec);
	*x3 = v0->ctx.x[3];
	return taken;
}

static void test_declare_rules(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	uint64_t pages = m->mem.obj_acct.pages;
	uint32_t val;

	(void)state;
	/* bad declarations change nothing (no page taken either) */
	assert_int_equal(declare(vm, DEV + 2, 4, 1), GZ_ERR_INVALID_ARGS); /* misaligned */
	assert_int_equal(declare(vm, DEV, 3, 1), GZ_ERR_INVALID_ARGS);	   /* size */
	assert_int_equal(declare(vm, DEV, 8, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(declare(vm, DEV, 1, 0x100), GZ_ERR_INVALID_ARGS); /* wider than 1 byte */
	assert_int_equal(declare(vm, DEV, 4, 1ULL << 32), GZ_ERR_INVALID_ARGS);
	assert_int_equal(declare(vm, 1ULL << m->ipa_bits, 4, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(declare(vm, DEV, 0, 0), GZ_ERR_NOT_FOUND); /* remove what is not there */
	assert_int_equal(declare(vm + 1, DEV, 4, 1), GZ_ERR_INVALID_ARGS); /* no such VM */
	{
		struct gz_smccc_regs r = {
		    {GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_OPENGZ_MMIO_CONST, DEV, 4, 1, 0, 7}};

		gz_hostcall_dispatch(&r);
		assert_int_equal((int64_t)r.a[0], GZ_ERR_INVALID_ARGS); /* args[4] not zero */
	}
	assert_int_equal(m->mmio_const.nr, 0);
	assert_int_equal(m->mem.obj_acct.pages, pages);

	/* declarations, kept sorted; a second one at an IPA replaces the first */
	assert_int_equal(declare(vm, DEV + 8, 4, 2), GZ_OK);
	assert_int_equal(m->mem.obj_acct.pages, pages + 1); /* the table's page, charged */
	assert_int_equal(declare(vm, DEV, 4, 0x74726976), GZ_OK);
	assert_int_equal(declare(vm, DEV + 4, 2, 0xbeef), GZ_OK);
	assert_int_equal(declare(vm, DEV + 8, 4, 3), GZ_OK);
	assert_int_equal(m->mmio_const.nr, 3);
	assert_true(gz_mmio_const_lookup(&m->mmio_const, DEV + 8, 4, &val));
	assert_int_equal(val, 3);
	assert_false(gz_mmio_const_lookup(&m->mmio_const, DEV + 8, 2, &val)); /* another size */
	assert_false(gz_mmio_const_lookup(&m->mmio_const, DEV + 12, 4, &val));
	assert_int_equal(declare(vm, DEV + 4, 0, 0), GZ_OK); /* removed */
	assert_false(gz_mmio_const_lookup(&m->mmio_const, DEV + 4, 2, &val));
	assert_true(gz_mmio_const_lookup(&m->mmio_const, DEV, 4, &val));
	assert_int_equal(val, 0x74726976);
	assert_int_equal(m->mem.obj_acct.pages, pages + 1);
}

/* A full table refuses a new IPA, still replaces a declared one. */
static void test_table_full(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	uint32_t val;

	(void)state;
	for (uint64_t i = GZ_MMIO_CONST_MAX; i > 0; i--) /* backwards: every insert moves all */
		assert_int_equal(declare(vm, DEV + 4 * (i - 1), 4, i - 1), GZ_OK);
	assert_int_equal(m->mmio_const.nr, GZ_MMIO_CONST_MAX);
	assert_int_equal(declare(vm, DEV + 4 * GZ_MMIO_CONST_MAX, 4, 0), GZ_ERR_NO_RESOURCES);
	assert_int_equal(declare(vm, DEV + 4, 4, 77), GZ_OK);
	for (uint64_t i = 0; i < GZ_MMIO_CONST_MAX; i++) {
		assert_true(gz_mmio_const_lookup(&m->mmio_const, DEV + 4 * i, 4, &val));
		assert_int_equal(val, i == 1 ? 77 : i);
	}
}

/* Reads of declared registers are answered inside the run, with the value loaded as an MMIO
 * completion would load it; nothing else is. */
static void test_fast_reads(void **state)
{
	uint64_t x3;
	struct gz_exit_record w = rd(DEV, 2, false, false, true);

	(void)state;
	assert_int_equal(declare(vm, DEV, 4, 0x74726976), GZ_OK);
	assert_int_equal(declare(vm, DEV + 8, 4, 0x80000002), GZ_OK);
	assert_int_equal(declare(vm, DEV + 0x10, 1, 0xfe), GZ_OK);
	assert_int_equal(declare(vm, DEV + 0x12, 2, 0x8001), GZ_OK);

	assert_true(fast_read(DEV, 2, false, false, &x3)); /* LDR W3 */
	assert_int_equal(x3, 0x74726976);
	assert_int_equal(v0->ctx.pc, PC0 + 4);
	assert_true(fast_read(DEV + 8, 2, true, true, &x3)); /* LDRSW X3 */
	assert_int_equal(x3, 0xffffffff80000002ULL);
	assert_true(fast_read(DEV + 0x10, 0, false, false, &x3)); /* LDRB W3 */
	assert_int_equal(x3, 0xfe);
	assert_true(fast_read(DEV + 0x12, 1, true, false, &x3)); /* LDRSH W3 */
	assert_int_equal(x3, 0xffff8001);
	/* a big-endian guest sees the bytes as the bus carries them, as from the VMM */
	v0->ctx.sys[GZ_SYS_SCTLR_EL1] |= SCTLR_EL1_EE;
	assert_true(fast_read(DEV, 2, false, false, &x3));
	assert_int_equal(x3, 0x76697274);
	v0->ctx.sys[GZ_SYS_SCTLR_EL1] &= ~SCTLR_EL1_EE;

	/* other widths, offsets, writes: the VMM's, untouched */
	assert_false(fast_read(DEV, 0, false, false, &x3));
	assert_int_equal(x3, 0x5555555555555555ULL);
	assert_false(fast_read(DEV, 3, false, true, &x3));
	assert_false(fast_read(DEV + 4, 2, false, false, &x3));
	assert_false(fast_read(DEV + 0x11, 0, false, false, &x3));
	v0->ctx.pc = PC0;
	assert_false(gz_exit_fast(&v0->ctx, &w));
	assert_int_equal(v0->ctx.pc, PC0);
	/* an access without a syndrome, with an external abort, or during a stage-1 walk */
	w = rd(DEV, 2, false, false, false);
	w.esr &= ~ESR_xABT_ISV;
	assert_false(gz_exit_fast(&v0->ctx, &w));
	w = rd(DEV, 2, false, false, false);
	w.esr |= ESR_xABT_EA;
	assert_false(gz_exit_fast(&v0->ctx, &w));
	w = rd(DEV, 2, false, false, false);
	w.esr |= ESR_xABT_S1PTW;
	assert_false(gz_exit_fast(&v0->ctx, &w));
}

/* The full path gives the same answer; the MMIO guard of a guest that enrolled and did not
 * map the device keeps the read from being answered (it aborts, as any access there). */
static void test_full_path_and_guard(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	struct gz_exit_record rec = rd(DEV + 8, 2, false, false, false);
	struct gz_exit x = {0};
	uint64_t vbar = 0x40000000;

	(void)state;
	assert_int_equal(declare(vm, DEV + 8, 4, 2), GZ_OK);
	arm64_exit_decode(&rec, &x.desc);
	v0->ctx.pc = PC0;
	assert_int_equal(gz_exit_dispatch(v0, &x), GZ_EXIT_RESUME);
	assert_int_equal(v0->ctx.x[3], 2);
	assert_int_equal(v0->ctx.pc, PC0 + 4);

	assert_int_equal(gz_mmio_guard_enroll(&m->mmio_guard), GZ_OK);
	v0->ctx.pc = PC0;
	v0->ctx.x[3] = 9;
	v0->ctx.sys[GZ_SYS_VBAR_EL1] = vbar;
	assert_false(gz_exit_fast(&v0->ctx, &rec));
	assert_int_equal(gz_exit_dispatch(v0, &x), GZ_EXIT_RESUME);
	assert_int_equal(v0->ctx.x[3], 9);
	assert_int_equal(v0->ctx.pc & ~0x7ffULL, vbar); /* the abort's vector */
	assert_int_equal(gz_mmio_guard_map(&m->mmio_guard, DEV), GZ_OK);
	v0->ctx.pc = PC0;
	assert_true(gz_exit_fast(&v0->ctx, &rec));
	assert_int_equal(v0->ctx.x[3], 2);
}

/* One table lookup per exit: the fast path's decision is what dispatches the exit, taken
 * or handed to the run loop; only an exit the fast path never saw is looked up there. */
static void test_one_lookup_per_exit(void **state)
{
	struct gz_exit_record rec = rd(DEV, 2, false, false, false);
	struct gz_exit x = {0};
	uint32_t reason;
	uint64_t x3, fast0;

	(void)state;
	assert_int_equal(declare(vm, DEV, 4, 0x74726976), GZ_OK);
	nr_lookups = 0;
	assert_true(fast_read(DEV, 2, false, false, &x3)); /* taken */
	assert_int_equal(x3, 0x74726976);
	assert_int_equal(nr_lookups, 1);

	/* declined (another width): the run loop dispatches the handed exit without asking */
	nr_lookups = 0;
	rec = rd(DEV, 0, false, false, false);
	assert_false(gz_exit_fast(&v0->ctx, &rec));
	assert_true(v0->exit_handed);
	assert_true(v0->exit.const_located);
	assert_false(v0->exit.const_hit);
	assert_int_equal(gz_exit_dispatch(v0, &v0->exit), GZ_EXIT_TO_HOST);
	assert_int_equal(nr_lookups, 1);
	/* a write is never a constant read: no lookup at all */
	nr_lookups = 0;
	rec = rd(DEV, 2, false, false, true);
	assert_false(gz_exit_fast(&v0->ctx, &rec));
	assert_int_equal(gz_exit_dispatch(v0, &v0->exit), GZ_EXIT_TO_HOST);
	assert_int_equal(nr_lookups, 0);

	/* an exit decoded by the run loop alone: one lookup, in the dispatch */
	nr_lookups = 0;
	rec = rd(DEV, 2, false, false, false);
	arm64_exit_decode(&rec, &x.desc);
	v0->ctx.pc = PC0;
	assert_int_equal(gz_exit_dispatch(v0, &x), GZ_EXIT_RESUME);
	assert_int_equal(v0->ctx.x[3], 0x74726976);
	assert_int_equal(nr_lookups, 1);

	/* through the run loop: a constant read the fast path completes, then one it declines
	 * that becomes the VMM's MMIO exit; two exits, two lookups */
	fake_hal_set_fast_path(gz_exit_fast);
	fast0 = v0->nr_fast_exits;
	nr_lookups = 0;
	vfix_push(GZ_EXIT_KIND_SYNC, rd(DEV, 2, false, false, false).esr, DEV & 0xfff,
		  hpfar_of(DEV), NULL, NULL);
	vfix_push(GZ_EXIT_KIND_SYNC, rd(DEV, 1, false, false, false).esr, DEV & 0xfff,
		  hpfar_of(DEV), NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_MMIO);
	assert_int_equal(v0->nr_fast_exits, fast0 + 1);
	assert_int_equal(nr_lookups, 2);
}

/* Declarations only before the first run; the page goes back with the VM. */
static void test_frozen_after_run(void **state)
{
	uint32_t reason;
	uint16_t vm2;
	struct gz_pool_stats before, after;

	(void)state;
	assert_int_equal(declare(vm, DEV, 4, 1), GZ_OK);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(declare(vm, DEV + 4, 4, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(declare(vm, DEV, 0, 0), GZ_ERR_BAD_STATE);

	/* a VM that ran with no table at all: nothing to update */
	vm2 = vfix_create_vm();
	assert_int_not_equal(vm2, 0);
	assert_int_equal(vfix_create_vcpu(vm2, 0), GZ_OK);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm2, 0, &reason), GZ_OK);
	assert_int_equal(declare_flags(vm2, DEV, 4, 1, GZVM_MMIO_CONST_UPDATABLE),
			 GZ_ERR_BAD_STATE);
	while (hstatus(GZ_HVC_DESTROY_VM, vm2, 0, 0, 0, 0) == GZ_ERR_BUSY)
		;

	gz_pool_get_stats(gz_mem_hyp_acct()->pool, &before);
	vm2 = vfix_create_vm();
	assert_int_not_equal(vm2, 0);
	assert_int_equal(declare(vm2, DEV, 4, 1), GZ_OK);
	while (hstatus(GZ_HVC_DESTROY_VM, vm2, 0, 0, 0, 0) == GZ_ERR_BUSY)
		;
	gz_pool_get_stats(gz_mem_hyp_acct()->pool, &after);
	assert_int_equal(after.free, before.free);
}

/* A register declared updatable (GZVM_MMIO_CONST_UPDATABLE) gets new values after the first
 * run, and the next read answered in the hypervisor returns the new one; nothing else of the
 * table changes then. */
static void test_updatable_after_run(void **state)
{
	const uint64_t upd = GZVM_MMIO_CONST_UPDATABLE;
	struct gz_vm *m = gz_vm_get(vm);
	uint32_t reason;
	uint64_t x3;

	(void)state;
	assert_int_equal(declare_flags(vm, DEV, 4, 0x90, upd | 2), GZ_ERR_INVALID_ARGS);
	assert_int_equal(declare_flags(vm, DEV, 0, 0, upd), GZ_ERR_INVALID_ARGS); /* no size */
	assert_int_equal(declare_flags(vm, DEV, 4, 0x90, upd), GZ_OK);
	assert_int_equal(declare(vm, DEV + 4, 4, 7), GZ_OK); /* a constant one beside it */
	/* before the run an update is a declaration like any other */
	assert_int_equal(declare_flags(vm, DEV, 4, 0x80, upd), GZ_OK);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);

	assert_true(fast_read(DEV, 2, false, false, &x3));
	assert_int_equal(x3, 0x80);
	assert_int_equal(declare_flags(vm, DEV, 4, 0x10, upd), GZ_OK);
	assert_true(fast_read(DEV, 2, false, false, &x3));
	assert_int_equal(x3, 0x10);

	/* anything but a new value of an updatable entry is refused, and changes nothing */
	assert_int_equal(declare_flags(vm, DEV, 4, 1ULL << 32, upd), GZ_ERR_INVALID_ARGS);
	assert_int_equal(declare(vm, DEV, 4, 0x20), GZ_ERR_BAD_STATE); /* without the flag */
	assert_int_equal(declare_flags(vm, DEV, 2, 0x20, upd), GZ_ERR_BAD_STATE);  /* size */
	assert_int_equal(declare_flags(vm, DEV + 4, 4, 8, upd), GZ_ERR_BAD_STATE); /* constant */
	assert_int_equal(declare_flags(vm, DEV + 8, 4, 8, upd), GZ_ERR_BAD_STATE); /* new IPA */
	assert_int_equal(declare_flags(vm, DEV - 4, 4, 8, upd), GZ_ERR_BAD_STATE); /* below */
	assert_int_equal(declare(vm, DEV, 0, 0), GZ_ERR_BAD_STATE);		   /* removal */
	assert_int_equal(m->mmio_const.nr, 2);
	assert_true(fast_read(DEV, 2, false, false, &x3));
	assert_int_equal(x3, 0x10);
	assert_true(fast_read(DEV + 4, 2, false, false, &x3));
	assert_int_equal(x3, 7);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, vfix_cmocka_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_declare_rules),	 T(test_table_full),	      T(test_fast_reads),
	    T(test_full_path_and_guard), T(test_one_lookup_per_exit), T(test_frozen_after_run),
	    T(test_updatable_after_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
