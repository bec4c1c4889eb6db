/* VMID allocator: distinct VMIDs within a generation, rollover with one full TLB flush, VMIDs
 * live on a CPU kept across it, release and reuse, 8- and 16-bit widths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <arm64/vtcr.h>
#include <gzabi/status.h>
#include <gzhyp/vmid.h>

#include "fake_hal.h"

static struct gz_vmid_alloc *alloc;

static int setup(void **state)
{
	(void)state;
	fake_hal_reset(1 << 20, 0);
	alloc = calloc(1, sizeof(*alloc));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_hal_locks_held(), 0);
	free(alloc);
	fake_hal_teardown();
	return 0;
}

static void test_init(void **state)
{
	(void)state;
	assert_int_equal(gz_vmid_alloc_init(alloc, 4), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vmid_alloc_init(alloc, 12), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vmid_alloc_init(NULL, 8), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vmid_alloc_init(alloc, 8), GZ_OK);
	assert_int_equal(gz_vmid_vtcr_vs(alloc), 0);
	assert_int_equal(gz_vmid_alloc_init(alloc, 16), GZ_OK);
	assert_int_equal(gz_vmid_vtcr_vs(alloc), ARCH_VTCR_VS);
}

static void test_distinct_and_stable(void **state)
{
	struct gz_vmid vms[255] = {0};
	static uint8_t seen[256];

	(void)state;
	assert_int_equal(gz_vmid_alloc_init(alloc, 8), GZ_OK);
	for (unsigned i = 0; i < 255; i++) {
		uint16_t v = gz_vmid_enter(alloc, &vms[i], i % GZ_MAX_PCPUS);

		assert_true(v >= 1 && v <= 255); /* never the host's 0 */
		assert_int_equal(seen[v], 0);
		seen[v] = 1;
		assert_int_equal(gz_vmid_value(&vms[i]), v);
	}
	/* Entering again in the same generation: the same VMID, no maintenance. */
	fake_hal_clear_ops();
	for (unsigned i = 0; i < 255; i++)
		assert_int_equal(gz_vmid_enter(alloc, &vms[i], 0), gz_vmid_value(&vms[i]));
	assert_int_equal(fake_hal_nr_ops(), 0);
	assert_int_equal(alloc->rollovers, 0);
}

static void test_rollover(void **state)
{
	struct gz_vmid vms[300] = {0};
	uint16_t on_cpu1, on_cpu2, v;
	unsigned i;

	(void)state;
	assert_int_equal(gz_vmid_alloc_init(alloc, 8), GZ_OK);
	for (i = 0; i < 255; i++)
		gz_vmid_enter(alloc, &vms[i], 0);
	/* VM 10 runs on CPU 1, VM 20 on CPU 2 when the space runs out. */
	on_cpu1 = gz_vmid_enter(alloc, &vms[10], 1);
	on_cpu2 = gz_vmid_enter(alloc, &vms[20], 2);
	fake_hal_clear_ops();
	v = gz_vmid_enter(alloc, &vms[255], 0);
	assert_int_equal(alloc->rollovers, 1);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_ALL), 1);
	assert_true(v != 0 && v != on_cpu1 && v != on_cpu2);
	/* The VMs live on CPUs keep their VMIDs in the new generation. */
	assert_int_equal(gz_vmid_enter(alloc, &vms[10], 1), on_cpu1);
	assert_int_equal(gz_vmid_enter(alloc, &vms[20], 3), on_cpu2);
	/* CPU 0 ran VM 254 before VM 255: its VMID stays reserved too. */
	assert_int_equal(gz_vmid_enter(alloc, &vms[254], 0), gz_vmid_value(&vms[254]));
	/* Every VM of the new generation has a distinct VMID. */
	{
		static uint8_t seen[256];
		unsigned n = 0;

		for (i = 0; i < 300 && n < 200; i++) {
			uint16_t got = gz_vmid_enter(alloc, &vms[i], 4);

			if (i == 10 || i == 20 || i == 254 || i == 255)
				continue;
			n++;
			assert_true(got != 0);
			assert_int_equal(seen[got], 0);
			seen[got] = 1;
			assert_true(got != on_cpu1 && got != on_cpu2 && got != v);
		}
	}
	assert_int_equal(alloc->rollovers, 1);
}

static void test_release_reuse(void **state)
{
	struct gz_vmid a = {0}, b = {0}, none = {0};
	uint16_t va;

	(void)state;
	assert_int_equal(gz_vmid_alloc_init(alloc, 8), GZ_OK);
	va = gz_vmid_enter(alloc, &a, 0);
	gz_vmid_enter(alloc, &b, 1);
	fake_hal_clear_ops();
	gz_vmid_release(alloc, &a);
	assert_int_equal(a.id, 0);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_VMID), 1);
	assert_int_equal(fake_hal_op(0)->a, va);
	gz_vmid_release(alloc, &none); /* never ran: nothing */
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_VMID), 1);
	/* Fill the space: the released VMID comes back before any rollover. */
	{
		struct gz_vmid vms[254] = {0};
		static uint8_t seen[256];

		for (unsigned i = 0; i < 254; i++)
			seen[gz_vmid_enter(alloc, &vms[i], 2)] = 1;
		assert_int_equal(alloc->rollovers, 0);
		assert_int_equal(seen[va], 1);
	}
}

static void test_keep_number_in_new_generation(void **state)
{
	struct gz_vmid vms[256] = {0};
	uint16_t old;

	(void)state;
	assert_int_equal(gz_vmid_alloc_init(alloc, 8), GZ_OK);
	for (unsigned i = 0; i < 256; i++)
		gz_vmid_enter(alloc, &vms[i], 1); /* the last one rolls over */
	old = 6;
	assert_int_equal(alloc->rollovers, 1);
	assert_int_equal(gz_vmid_value(&vms[255]), 1);
	/* VM 5 was not live: it gets a VMID of the new generation, its old number if free. */
	assert_int_equal(gz_vmid_enter(alloc, &vms[5], 2), old);
	/* A release of a stale VMID does not free a number of the new generation. */
	{
		struct gz_vmid stale = {.id = (1ULL << 16) | 77};
		struct gz_vmid fresh = {0};

		gz_vmid_release(alloc, &stale);
		assert_true(gz_vmid_enter(alloc, &fresh, 3) != 0);
	}
}

static void test_16bit(void **state)
{
	struct gz_vmid *vms = calloc(70000, sizeof(*vms));
	uint16_t first;

	(void)state;
	assert_int_equal(gz_vmid_alloc_init(alloc, 16), GZ_OK);
	first = gz_vmid_enter(alloc, &vms[0], 0);
	for (unsigned i = 1; i < 65535; i++)
		gz_vmid_enter(alloc, &vms[i], 0);
	assert_int_equal(alloc->rollovers, 0);
	assert_int_equal(gz_vmid_value(&vms[65534]), 65535);
	gz_vmid_enter(alloc, &vms[65535], 0);
	assert_int_equal(alloc->rollovers, 1);
	assert_true(first == 1);
	free(vms);
}

static void test_bad_cpu(void **state)
{
	struct gz_vmid a = {0};
	jmp_buf jb;

	(void)state;
	assert_int_equal(gz_vmid_alloc_init(alloc, 8), GZ_OK);
	fake_hal_panic_jmp = &jb;
	if (setjmp(jb) == 0) {
		gz_vmid_enter(alloc, &a, GZ_MAX_PCPUS);
		fail_msg("no panic");
	}
	fake_hal_panic_jmp = NULL;
	assert_non_null(fake_hal_last_panic());
	assert_int_equal(a.id, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_distinct_and_stable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rollover, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keep_number_in_new_generation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_16bit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_cpu, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
