/*
 * The incremental invariant check (src/hyp/core/mem_track.c) against the full one
 * (gz_mem_check_invariants): after every step of pseudo-random operation sequences (the
 * reference model of mem_model.h, both kinds of VM, destroys, pool exhaustion) both answer the
 * same; states corrupted through the core's own write paths (a store entry, a stage-2 mapping
 * of the host's or a VM's) and behind them (a VM's counters, its kind) are caught by the
 * incremental check at the next check, and by the full one; losing track (a VM's table the
 * tracker does not know, more changed ranges than it keeps, a failed check) makes the next
 * check a rebuild that still agrees. Two-VM shares (a channel's region) are followed given and
 * revoked, and a share's wrong count, executable or third mapping, or unlisted borrower is
 * caught by both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mem_model.h"

#define SEQUENCES 24
#define STEPS	  96

static struct mm model;

static uint64_t rng;

static uint8_t next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 32);
}

static int check_both(struct gz_mem_tracker *t, struct gz_vm_mem *const *vms, unsigned n, int *full)
{
	*full = gz_mem_check_invariants(vms, n, NULL);
	return gz_mem_track_check(t, vms, n, NULL);
}

/* Random sequences: the model's own steps check the tracker after every step; here the
 * full check runs after every step as well, and both must hold. */
static void test_agree_on_random_sequences(void **state)
{
	static uint8_t buf[STEPS * 12];
	uint64_t checks = 0, rebuilds = 0;

	(void)state;
	for (uint64_t s = 1; s <= SEQUENCES; s++) {
		rng = s * 0x9e3779b97f4a7c15ULL;
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = next_byte();
		assert_true(mm_init(&model, buf, sizeof(buf)));
		while (model.left && model.steps < STEPS) {
			struct gz_vm_mem *vms[MM_VMS];
			int full, inc;

			if (!mm_step(&model))
				fail_msg("seed %llu step %u: %s", (unsigned long long)s,
					 model.steps, model.err);
			for (unsigned v = 0; v < MM_VMS; v++)
				vms[v] = &model.vm[v].mem;
			inc = check_both(&model.track, vms, MM_VMS, &full);
			assert_int_equal(full, GZ_OK);
			assert_int_equal(inc, GZ_OK);
		}
		checks += model.track.checks;
		rebuilds += model.track.rebuilds;
		gz_mem_track_stop(&model.track);
		fake_hal_teardown();
	}
	/* Most checks looked at what changed only. */
	assert_true(checks > 4 * SEQUENCES);
	assert_true(rebuilds * 4 < checks);
}

/* ---- corrupted states -------------------------------------------------------------------- */

static struct gz_vm_mem vm_n, vm_p; /* a normal VM and a protected one */
static struct gz_mem_tracker track;
static struct gz_mem_track_page pages[16384];
static struct gz_vm_mem *vms[] = {&vm_n, &vm_p};

#define IPA(i) ((gz_ipa_t)(i) << GZ_PAGE_SHIFT)

static int setup(void **state)
{
	(void)state;
	gz_mem_track_start(&track, pages, 16384, true);
	assert_int_equal(fix_init(FIX_WORK_SIZE), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_n, 1, 32, 1), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_p, 2, 32, 2), GZ_OK);
	assert_int_equal(gz_vm_mem_set_protected(&vm_p), GZ_OK);
	/* the VMs are new to the tracker: this check rebuilds */
	assert_int_equal(gz_mem_track_check(&track, vms, 2, NULL), GZ_OK);
	/* lent, donated, shared, a whole 2 MiB block, and the host's own mappings */
	assert_int_equal(gz_mem_host_give_guest(&vm_n, FIX_PAGE(0), IPA(0), 8), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_p, FIX_PAGE(16), IPA(16), 8), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_n, FIX_PAGE(512), IPA(512), 512), GZ_OK);
	assert_int_equal(gz_mem_guest_share_host(&vm_p, IPA(17), 2), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(40)), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(17)), GZ_OK);
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(48), 1), GZ_OK);
	assert_int_equal(gz_mem_track_check(&track, vms, 2, NULL), GZ_OK);
	assert_int_equal(gz_mem_check_invariants(vms, 2, NULL), GZ_OK);
	/* tracked from before the store existed: nothing had to be read whole */
	assert_int_equal(track.rebuilds, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gz_mem_track_stop(&track);
	fake_hal_teardown();
	return 0;
}

/* Both checks refuse the state; the incremental one looked only at what changed, and the
 * rebuild after its failure refuses it too. */
static void expect_caught(void)
{
	uint64_t rebuilds = track.rebuilds;
	int full;

	assert_false(track.rebuild);
	assert_int_equal(check_both(&track, vms, 2, &full), GZ_ERR_BAD_STATE);
	assert_int_equal(full, GZ_ERR_BAD_STATE);
	assert_int_equal(track.rebuilds, rebuilds);
	assert_true(track.rebuild);
	assert_int_equal(gz_mem_track_check(&track, vms, 2, NULL), GZ_ERR_BAD_STATE);
}

/* A page a VM maps is given to the host behind the VM's back (its mapping stays). */
static void test_caught_store_write_under_a_mapping(void **state)
{
	(void)state;
	gz_pgstate_set(FIX_PAGE(18), 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	expect_caught();
}

/* A lent page of the 2 MiB block given to the hypervisor: the mapping is a block leaf. */
static void test_caught_store_write_inside_a_block(void **state)
{
	(void)state;
	gz_pgstate_set(FIX_PAGE(700), 1, GZ_OWNER_HYP, GZ_PAGE_DONATED);
	expect_caught();
}

/* A VM's stage-2 maps a page it was never given. */
static void test_caught_foreign_mapping(void **state)
{
	(void)state;
	assert_int_equal(gz_pgt_map(&vm_n.s2, IPA(100), FIX_PAGE(100), GZ_PAGE_SIZE, GZ_PROT_RW),
			 GZ_OK);
	expect_caught();
}

/* The host's stage-2 maps a page the protected VM owns. */
static void test_caught_host_mapping(void **state)
{
	(void)state;
	assert_int_equal(
	    gz_pgt_map(gz_mem_host_s2(), FIX_PAGE(20), FIX_PAGE(20), GZ_PAGE_SIZE, GZ_PROT_RW),
	    GZ_OK);
	expect_caught();
}

/* A VM's page unmapped without giving it back: it holds a page it does not map. */
static void test_caught_lost_mapping(void **state)
{
	(void)state;
	assert_int_equal(gz_pgt_unmap(&vm_p.s2, IPA(21), GZ_PAGE_SIZE), GZ_OK);
	expect_caught();
}

/* Nothing the engines saw: a counter and a kind changed behind them. */
static void test_caught_counter(void **state)
{
	(void)state;
	vm_n.owned_pages++;
	expect_caught();
	vm_n.owned_pages--;
	assert_int_equal(gz_mem_track_check(&track, vms, 2, NULL), GZ_OK);
	assert_false(track.rebuild);
}

static void test_caught_lent_to_protected(void **state)
{
	(void)state;
	vm_n.kind = GZ_VM_PROTECTED;
	expect_caught();
	vm_n.kind = GZ_VM_NORMAL;
}

/* A VM left out of the list still holds pages. */
static void test_caught_unlisted_holder(void **state)
{
	uint64_t bad = 0;

	(void)state;
	assert_int_equal(gz_mem_track_check(&track, vms, 1, &bad), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_check_invariants(vms, 1, NULL), GZ_ERR_BAD_STATE);
}

/* Stricter than the full check: a page mapped at two IPAs while another page the VM holds is
 * not mapped keeps the full check's count right; the tracker sees the second mapping. */
static void test_caught_double_mapping(void **state)
{
	uint64_t bad = 0;

	(void)state;
	assert_int_equal(gz_pgt_unmap(&vm_n.s2, IPA(3), GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_pgt_map(&vm_n.s2, IPA(300), FIX_PAGE(2), GZ_PAGE_SIZE, GZ_PROT_RW),
			 GZ_OK);
	assert_int_equal(gz_mem_check_invariants(vms, 2, NULL), GZ_OK);
	assert_int_equal(gz_mem_track_check(&track, vms, 2, &bad), GZ_ERR_BAD_STATE);
	assert_int_equal(bad, IPA(300));
}

/* ---- two-VM shares (a channel's region, mem_pair.c) ----------------------------------------- */

#define PAIR_PA	 FIX_PAGE(200)
#define PAIR_IPA IPA(1100)

static void give_pair(void)
{
	assert_int_equal(
	    gz_mem_host_give_pair(&vm_n, PAIR_IPA, &vm_p, PAIR_IPA + IPA(8), PAIR_PA, 4, 3), GZ_OK);
	assert_int_equal(gz_mem_track_check(&track, vms, 2, NULL), GZ_OK);
	assert_int_equal(gz_mem_check_invariants(vms, 2, NULL), GZ_OK);
}

/* Given to a normal and a protected VM and revoked: both checks agree at every step, and the
 * tracker looked only at what changed. */
static void test_pair_given_and_revoked(void **state)
{
	uint64_t rebuilds = track.rebuilds;
	int full;

	(void)state;
	give_pair();
	assert_int_equal(vm_n.peer_pages, 4);
	assert_int_equal(vm_p.peer_pages, 4);
	gz_mem_pair_revoke(&vm_n, PAIR_IPA, &vm_p, PAIR_IPA + IPA(8), PAIR_PA, 4);
	assert_int_equal(check_both(&track, vms, 2, &full), GZ_OK);
	assert_int_equal(full, GZ_OK);
	assert_int_equal(vm_n.peer_pages + vm_p.peer_pages, 0);
	assert_int_equal(track.rebuilds, rebuilds);
}

/* A share's count wrong in one VM. */
static void test_caught_pair_counter(void **state)
{
	(void)state;
	give_pair();
	vm_p.peer_pages--;
	expect_caught();
	vm_p.peer_pages++;
}

/* A share mapped executable in its owner. */
static void test_caught_pair_executable(void **state)
{
	(void)state;
	give_pair();
	assert_int_equal(gz_pgt_unmap(&vm_n.s2, PAIR_IPA, GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_pgt_map(&vm_n.s2, PAIR_IPA, PAIR_PA, GZ_PAGE_SIZE, GZ_PROT_RWX), GZ_OK);
	expect_caught();
}

/* A share mapped a second time in one of its VMs. */
static void test_caught_pair_third_mapping(void **state)
{
	(void)state;
	give_pair();
	assert_int_equal(gz_pgt_map(&vm_p.s2, IPA(900), PAIR_PA, GZ_PAGE_SIZE, GZ_PROT_RW), GZ_OK);
	expect_caught();
}

/* A share whose borrower is not listed. */
static void test_caught_pair_unlisted_borrower(void **state)
{
	uint64_t bad = 0;

	(void)state;
	/* the incremental check meets the share's pages as changed ones */
	assert_int_equal(
	    gz_mem_host_give_pair(&vm_n, PAIR_IPA, &vm_p, PAIR_IPA + IPA(8), PAIR_PA, 4, 3), GZ_OK);
	assert_int_equal(gz_mem_track_check(&track, vms, 1, &bad), GZ_ERR_BAD_STATE);
	assert_int_equal(bad, PAIR_PA);
	assert_int_equal(gz_mem_check_invariants(vms, 1, NULL), GZ_ERR_BAD_STATE);
}

/* ---- losing track ------------------------------------------------------------------------ */

/* A VM the tracker has not been told of maps pages: the next check rebuilds and agrees. */
static void test_unknown_table_rebuilds(void **state)
{
	static struct gz_vm_mem vm_x;
	struct gz_vm_mem *three[] = {&vm_n, &vm_p, &vm_x};
	uint64_t rebuilds = track.rebuilds;

	(void)state;
	assert_int_equal(gz_vm_mem_init(&vm_x, 3, 32, 3), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_x, FIX_PAGE(64), IPA(0), 4), GZ_OK);
	assert_true(track.rebuild);
	assert_int_equal(gz_mem_track_check(&track, three, 3, NULL), GZ_OK);
	assert_int_equal(gz_mem_check_invariants(three, 3, NULL), GZ_OK);
	assert_int_equal(track.rebuilds, rebuilds + 1);
	/* then incremental again, through its destroy */
	while (gz_vm_mem_reclaim(&vm_x, 2) == GZ_ERR_BUSY)
		assert_int_equal(gz_mem_track_check(&track, three, 3, NULL), GZ_OK);
	assert_int_equal(gz_mem_track_check(&track, three, 3, NULL), GZ_OK);
	assert_int_equal(gz_mem_check_invariants(three, 3, NULL), GZ_OK);
	assert_int_equal(track.rebuilds, rebuilds + 1);
}

/* More separate changes than ranges kept: a rebuild, which agrees. */
static void test_many_changes_rebuild(void **state)
{
	uint64_t rebuilds = track.rebuilds;

	(void)state;
	for (unsigned i = 0; i < GZ_MEM_TRACK_RANGES + 8; i++)
		assert_int_equal(
		    gz_mem_host_give_guest(&vm_n, FIX_PAGE(100 + 2 * i), IPA(100 + 3 * i), 1),
		    GZ_OK);
	assert_true(track.rebuild);
	assert_int_equal(gz_mem_track_check(&track, vms, 2, NULL), GZ_OK);
	assert_int_equal(track.rebuilds, rebuilds + 1);
	assert_int_equal(gz_mem_check_invariants(vms, 2, NULL), GZ_OK);
	/* a corruption among them is caught by the rebuild */
	for (unsigned i = 0; i < GZ_MEM_TRACK_RANGES + 8; i++)
		assert_int_equal(gz_mem_guest_share_host(&vm_n, IPA(100 + 3 * i), 1), GZ_OK);
	gz_pgstate_set(FIX_PAGE(110), 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	assert_true(track.rebuild);
	assert_int_equal(gz_mem_track_check(&track, vms, 2, NULL), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_check_invariants(vms, 2, NULL), GZ_ERR_BAD_STATE);
}

static void test_bad_arguments(void **state)
{
	static struct gz_mem_tracker small;
	struct gz_vm_mem *many[GZ_MEM_CHECK_MAX_VMS + 1] = {0};

	(void)state;
	assert_int_equal(gz_mem_track_check(&track, many, GZ_MEM_CHECK_MAX_VMS + 1, NULL),
			 GZ_ERR_INVALID_ARGS);
	/* room for fewer pages than the store has */
	gz_mem_track_start(&small, pages, 16, false);
	assert_int_equal(gz_mem_track_check(&small, vms, 2, NULL), GZ_ERR_NO_MEMORY);
	gz_mem_track_start(&track, pages, 16384, false);
	assert_int_equal(gz_mem_track_check(&track, vms, 2, NULL), GZ_OK);
	assert_int_equal(track.rebuilds, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agree_on_random_sequences),
	    cmocka_unit_test_setup_teardown(test_caught_store_write_under_a_mapping, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_caught_store_write_inside_a_block, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_caught_foreign_mapping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_host_mapping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_lost_mapping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_counter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_lent_to_protected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_unlisted_holder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_double_mapping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pair_given_and_revoked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_pair_counter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_pair_executable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_pair_third_mapping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caught_pair_unlisted_borrower, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_table_rebuilds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_changes_rebuild, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
