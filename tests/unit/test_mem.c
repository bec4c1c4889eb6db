/*
 * Unit tests of the memory transitions (src/hyp/core/mem.c, mem_xfer.c, host_s2.c): set-up,
 * every transition from every page state, with protected VMs (donation) and normal ones
 * (lending) (legal ones do exactly what they say, illegal ones change nothing: the store,
 * the host's and the guests' stage-2 are compared before and after), host stage-2 faults,
 * and the invariant checker itself. The two VMs are protected unless a test says otherwise;
 * test_mem_lent.c has the rest of lending.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mem_fixture.h"

#define MB (1ULL << 20)

static struct gz_vm_mem vm_a, vm_b;
static struct gz_pool_stats baseline;
static enum gz_vm_kind vm_kind = GZ_VM_PROTECTED; /* of vm_a and vm_b */

static int setup(void **state)
{
	(void)state;
	assert_int_equal(fix_init(FIX_WORK_SIZE), GZ_OK);
	gz_pool_get_stats(gz_mem_pool(), &baseline);
	assert_int_equal(gz_vm_mem_init(&vm_a, 1, 32, 1), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_b, 2, 32, 2), GZ_OK);
	assert_int_equal(vm_a.kind, GZ_VM_NORMAL);
	if (vm_kind == GZ_VM_PROTECTED) {
		assert_int_equal(gz_vm_mem_set_protected(&vm_a), GZ_OK);
		assert_int_equal(gz_vm_mem_set_protected(&vm_b), GZ_OK);
	}
	return 0;
}

static void check_invariants(void)
{
	struct gz_vm_mem *vms[] = {&vm_a, &vm_b};
	uint64_t bad = 0;

	if (gz_mem_check_invariants(vms, 2, &bad) != GZ_OK)
		fail_msg("invariant broken at 0x%llx", (unsigned long long)bad);
	assert_int_equal(fake_hal_locks_held(), 0);
}

/* Every test ends with the invariants holding and, once both VMs are torn down, the pool
 * back at its baseline (the host stage-2's tables aside). */
static int teardown(void **state)
{
	struct gz_pool_stats st;

	(void)state;
	check_invariants();
	while (gz_vm_mem_reclaim(&vm_a, 64) == GZ_ERR_BUSY)
		;
	while (gz_vm_mem_reclaim(&vm_b, 64) == GZ_ERR_BUSY)
		;
	assert_int_equal(vm_a.pgt_acct.pages, 0);
	assert_int_equal(vm_b.pgt_acct.pages, 0);
	gz_pool_get_stats(gz_mem_pool(), &st);
	assert_int_equal(st.used, gz_mem_hyp_acct()->pages);
	assert_true(st.total >= baseline.total);
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++)
		assert_false(GZ_OWNER_IS_VM(gz_pgstate_owner(gz_pgstate_pa_at(i))));
	fake_hal_teardown();
	return 0;
}

/* ---- set-up ------------------------------------------------------------------------- */

static void test_init_layout(void **state)
{
	struct gz_pool_stats st;
	size_t store = gz_pgstate_storage_bytes();

	(void)state;
	assert_int_equal(gz_pgstate_owner(FIX_HYP_BASE), GZ_OWNER_HYP);
	assert_int_equal(gz_pgstate_state(FIX_HYP_BASE + FIX_HYP_SIZE - 1), GZ_PAGE_OWNED);
	assert_int_equal(gz_pgstate_owner(FIX_WORK_BASE + FIX_WORK_SIZE - 1), GZ_OWNER_HYP);
	assert_int_equal(gz_pgstate_owner(FIX_HOST_BASE), GZ_OWNER_HOST);
	/* The store sits at the start of the working memory, the pool has the rest. */
	assert_ptr_equal(gz_pgstate_raw(&store), gz_hal_pa_to_va(FIX_WORK_BASE));
	gz_pool_get_stats(gz_mem_pool(), &st);
	assert_int_equal(st.total, FIX_WORK_SIZE / GZ_PAGE_SIZE - store / GZ_PAGE_SIZE);
	/* 64 MiB at 1 GiB: a 32-bit PA space; the host root and each VM's root are charged. */
	assert_int_equal(gz_mem_host_s2()->ia_bits, 32);
	assert_true(gz_mem_hyp_acct()->pages >= 1);
	assert_true(vm_a.pgt_acct.pages >= 1);
	assert_int_equal(vm_a.owner, GZ_OWNER_VM(1));
	assert_int_equal(vm_a.state, GZ_VM_MEM_LIVE);
}

static void test_init_rejects(void **state)
{
	struct {
		struct gz_mem_config cfg;
		int ret;
	} cases[] = {
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE, 33, 0},
	     GZ_ERR_INVALID_ARGS}, /* not a PS size */
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE, 30, 0},
	     GZ_ERR_INVALID_ARGS}, /* smaller than the memory */
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, 0, 0, 0}, GZ_ERR_INVALID_ARGS},
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE + 1, FIX_WORK_SIZE, 0, 0},
	     GZ_ERR_INVALID_ARGS},
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE + 1, 0, 0},
	     GZ_ERR_INVALID_ARGS},
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, ~0ULL << 12, FIX_WORK_SIZE, 0, 0},
	     GZ_ERR_INVALID_ARGS}, /* wraps */
	    {{~0ULL << 12, 2 * GZ_PAGE_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE, 0, 0},
	     GZ_ERR_INVALID_ARGS}, /* hyp range wraps */
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, 7 * GZ_PAGE_SIZE, 0, 0},
	     GZ_ERR_NO_MEMORY}, /* no room for the store */
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, 8 * GZ_PAGE_SIZE, 0, 0},
	     GZ_ERR_NO_MEMORY}, /* the store fits, the host root does not */
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, 0x1000000, FIX_WORK_SIZE, 0, 0},
	     GZ_ERR_INVALID_ARGS}, /* not backed */
	    {{FIX_HYP_BASE, FIX_HYP_SIZE, FIX_HOST_END - GZ_PAGE_SIZE * 8, GZ_PAGE_SIZE * 16, 0, 0},
	     GZ_ERR_INVALID_ARGS}, /* runs off the memory */
	    {{FIX_HYP_BASE + 1, FIX_HYP_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE, 0, 0},
	     GZ_ERR_INVALID_ARGS},
	    {{FIX_HYP_BASE, FIX_HYP_SIZE + 1, FIX_WORK_BASE, FIX_WORK_SIZE, 0, 0},
	     GZ_ERR_INVALID_ARGS},
	    {{FIX_WORK_BASE, GZ_PAGE_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE, 0, 0},
	     GZ_ERR_INVALID_ARGS}, /* overlap */
	    {{FIX_HOST_END, GZ_PAGE_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE, 0, 0},
	     GZ_ERR_INVALID_ARGS}, /* hyp range outside memory */
	};
	struct gz_vm_mem vm;
	uint64_t n;

	(void)state;
	teardown(NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_hal_reset(FIX_PHYS_SIZE, 0);
		if (gz_mem_init(&cases[i].cfg) != cases[i].ret)
			fail_msg("case %zu", i);
		/* A failed init leaves the module refusing everything. */
		assert_int_equal(gz_mem_host_donate_hyp(FIX_PAGE(0), 1), GZ_ERR_BAD_STATE);
	}
	assert_int_equal(gz_mem_hyp_return_host(1, &n), GZ_ERR_BAD_STATE);
	assert_int_equal(n, 0);
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(0), 1), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(0)), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_vm_mem_init(&vm, 0, 32, 1), GZ_ERR_BAD_STATE);
	/* No memory at all. */
	fake_hal_teardown();
	assert_int_equal(gz_mem_init(&cases[0].cfg), GZ_ERR_INVALID_ARGS);
	/* An explicit PA size and no hypervisor image are fine. */
	struct gz_mem_config ok = {0, 0, FIX_WORK_BASE, FIX_WORK_SIZE, 36, 0};
	fake_hal_reset(FIX_PHYS_SIZE, 0);
	assert_int_equal(gz_mem_init(&ok), GZ_OK);
	assert_int_equal(gz_mem_host_s2()->ia_bits, 36);
	assert_int_equal(gz_pgstate_owner(FIX_HYP_BASE), GZ_OWNER_HOST);
	/* Re-create the fixture so that teardown finds what it expects. */
	setup(NULL);
}

static gz_pa_t drained[2048];

static void test_vm_init_rejects(void **state)
{
	struct gz_vm_mem vm;
	struct gz_pool_acct drain;
	size_t n;

	(void)state;
	assert_int_equal(gz_vm_mem_init(&vm, GZ_PGSTATE_MAX_VM_ID + 1, 32, 3), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vm_mem_init(&vm, 3, 36, 3), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vm_mem_init(&vm, 3, 31, 3), GZ_ERR_INVALID_ARGS);
	n = fix_drain(&drain, drained, 2048);
	assert_int_equal(gz_vm_mem_init(&vm, 3, 32, 3), GZ_ERR_NO_MEMORY);
	assert_int_equal(vm.pgt_acct.pages, 0);
	/* A VM whose memory never went live cannot be reclaimed. */
	assert_int_equal(gz_vm_mem_reclaim(&vm, 1), GZ_ERR_BAD_STATE);
	assert_int_equal(fake_hal_locks_held(), 0);
	fix_undrain(&drain, drained, n);
}

/* ---- every transition from every state ----------------------------------------------- */

enum pstate {
	S_HOST,
	S_HOST_MAPPED,
	S_HOST_SHARED,
	S_HYP_DONATED,
	S_HYP_OWNED,
	S_A_OWNED,  /* given to A: its own (protected) or lent to it (normal) */
	S_A_SHARED, /* and faulted in by the host */
	S_B_OWNED,
	S_B_SHARED,
	S_UNMANAGED,
	S_NR
};

enum op {
	O_DONATE_HYP,
	O_SHARE_HYP,
	O_UNSHARE_HYP,
	O_DONATE_A,
	O_SHARE_A,
	O_UNSHARE_A,
	O_RELINQ_A,
	O_FAULT,
	O_NR
};

#define IPA_X  0x10000000ULL
#define IPA_X2 0x20000000ULL
#define P_HOST FIX_PAGE(100)
#define P_DEV  0x10000000ULL

static gz_pa_t enter_state(enum pstate s)
{
	gz_pa_t p = s == S_HYP_OWNED ? FIX_HYP_BASE : s == S_UNMANAGED ? P_DEV : P_HOST;

	switch (s) {
	case S_HOST_MAPPED:
		assert_int_equal(gz_host_s2_handle_fault(p), GZ_OK);
		break;
	case S_HOST_SHARED:
		assert_int_equal(gz_mem_host_share_hyp(p, 1), GZ_OK);
		break;
	case S_HYP_DONATED:
		assert_int_equal(gz_mem_host_donate_hyp(p, 1), GZ_OK);
		break;
	case S_A_OWNED:
	case S_A_SHARED:
		assert_int_equal(gz_mem_host_give_guest(&vm_a, p, IPA_X, 1), GZ_OK);
		if (s == S_A_SHARED) {
			assert_int_equal(gz_mem_guest_share_host(&vm_a, IPA_X, 1), GZ_OK);
			assert_int_equal(gz_host_s2_handle_fault(p), GZ_OK);
		}
		break;
	case S_B_OWNED:
	case S_B_SHARED:
		assert_int_equal(gz_mem_host_give_guest(&vm_b, p, IPA_X, 1), GZ_OK);
		if (s == S_B_SHARED)
			assert_int_equal(gz_mem_guest_share_host(&vm_b, IPA_X, 1), GZ_OK);
		break;
	default:
		break;
	}
	return p;
}

static int do_op(enum op o, gz_pa_t p)
{
	switch (o) {
	case O_DONATE_HYP:
		return gz_mem_host_donate_hyp(p, 1);
	case O_SHARE_HYP:
		return gz_mem_host_share_hyp(p, 1);
	case O_UNSHARE_HYP:
		return gz_mem_host_unshare_hyp(p, 1);
	case O_DONATE_A:
		return gz_mem_host_give_guest(&vm_a, p, IPA_X2, 1);
	case O_SHARE_A:
		return gz_mem_guest_share_host(&vm_a, IPA_X, 1);
	case O_UNSHARE_A:
		return gz_mem_guest_unshare_host(&vm_a, IPA_X, 1);
	case O_RELINQ_A:
		return gz_mem_guest_relinquish(&vm_a, IPA_X, 1);
	default:
		return gz_host_s2_handle_fault(p);
	}
}

#define OK  GZ_OK
#define AD  GZ_ERR_ACCESS_DENIED
#define BS  GZ_ERR_BAD_STATE
#define NF  GZ_ERR_NOT_FOUND
#define OOR GZ_ERR_OUT_OF_RANGE

/* Protected VMs: pages given to a VM are its own. */
static const int expect[S_NR][O_NR] = {
    /*                 dhyp shyp uhyp donA  shA  ushA relA fault */
    [S_HOST] = {OK, OK, BS, OK, NF, NF, NF, OK},
    [S_HOST_MAPPED] = {OK, OK, BS, OK, NF, NF, NF, OK},
    [S_HOST_SHARED] = {BS, BS, OK, BS, NF, NF, NF, OK},
    [S_HYP_DONATED] = {AD, AD, AD, AD, NF, NF, NF, AD},
    [S_HYP_OWNED] = {AD, AD, AD, AD, NF, NF, NF, AD},
    [S_A_OWNED] = {AD, AD, AD, AD, OK, BS, OK, AD},
    [S_A_SHARED] = {AD, AD, AD, AD, BS, OK, BS, OK},
    [S_B_OWNED] = {AD, AD, AD, AD, NF, NF, NF, AD},
    [S_B_SHARED] = {AD, AD, AD, AD, NF, NF, NF, OK},
    [S_UNMANAGED] = {OOR, OOR, OOR, OOR, NF, NF, NF, OK},
};

/* Normal VMs: pages given to a VM stay the host's, lent (the host may still map them, but
 * give them to no one else: BAD_STATE, the right owner in the wrong state). */
static const int expect_lent[S_NR][O_NR] = {
    /*                 dhyp shyp uhyp donA  shA  ushA relA fault */
    [S_HOST] = {OK, OK, BS, OK, NF, NF, NF, OK},
    [S_HOST_MAPPED] = {OK, OK, BS, OK, NF, NF, NF, OK},
    [S_HOST_SHARED] = {BS, BS, OK, BS, NF, NF, NF, OK},
    [S_HYP_DONATED] = {AD, AD, AD, AD, NF, NF, NF, AD},
    [S_HYP_OWNED] = {AD, AD, AD, AD, NF, NF, NF, AD},
    [S_A_OWNED] = {BS, BS, BS, BS, OK, BS, OK, OK},
    [S_A_SHARED] = {BS, BS, BS, BS, BS, OK, BS, OK},
    [S_B_OWNED] = {BS, BS, BS, BS, NF, NF, NF, OK},
    [S_B_SHARED] = {BS, BS, BS, BS, NF, NF, NF, OK},
    [S_UNMANAGED] = {OOR, OOR, OOR, OOR, NF, NF, NF, OK},
};

struct observed {
	void *store;
	size_t bytes;
	int host_mapped;
	gz_pa_t a_x, a_x2, b_x;
	int a_x_ret, a_x2_ret, b_x_ret;
	uint64_t pool_total;
};

static void observe(struct observed *o, gz_pa_t p)
{
	struct gz_pool_stats st;

	o->store = fix_snapshot(&o->bytes);
	o->host_mapped = fix_host_mapped(p);
	o->a_x_ret = fix_guest_pa(&vm_a, IPA_X, &o->a_x);
	o->a_x2_ret = fix_guest_pa(&vm_a, IPA_X2, &o->a_x2);
	o->b_x_ret = fix_guest_pa(&vm_b, IPA_X, &o->b_x);
	gz_pool_get_stats(gz_mem_pool(), &st);
	o->pool_total = st.total;
}

static void assert_unchanged(const struct observed *o, gz_pa_t p)
{
	struct observed now;

	observe(&now, p);
	assert_true(fix_same_as(o->store, o->bytes));
	assert_int_equal(now.host_mapped, o->host_mapped);
	assert_int_equal(now.a_x_ret, o->a_x_ret);
	assert_int_equal(now.a_x2_ret, o->a_x2_ret);
	assert_int_equal(now.b_x_ret, o->b_x_ret);
	if (!o->a_x_ret)
		assert_int_equal(now.a_x, o->a_x);
	if (!o->b_x_ret)
		assert_int_equal(now.b_x, o->b_x);
	assert_int_equal(now.pool_total, o->pool_total);
	free(now.store);
}

static void assert_applied(enum op o, enum pstate s, gz_pa_t p, const struct observed *before)
{
	gz_pa_t pa;
	uint32_t prot;

	switch (o) {
	case O_DONATE_HYP:
		assert_int_equal(gz_pgstate_owner(p), GZ_OWNER_HYP);
		assert_int_equal(gz_pgstate_state(p), GZ_PAGE_DONATED);
		assert_false(fix_host_mapped(p));
		struct gz_pool_stats st;
		gz_pool_get_stats(gz_mem_pool(), &st);
		assert_int_equal(st.total, before->pool_total + 1);
		break;
	case O_SHARE_HYP:
		assert_int_equal(gz_pgstate_view(p, GZ_OWNER_HYP), GZ_PAGE_SHARED_BORROWED);
		assert_int_equal(fix_host_mapped(p), before->host_mapped);
		break;
	case O_UNSHARE_HYP:
		assert_int_equal(gz_pgstate_view(p, GZ_OWNER_HOST), GZ_PAGE_OWNED);
		break;
	case O_DONATE_A:
		assert_int_equal(fix_guest_pa(&vm_a, IPA_X2, &pa), GZ_OK);
		assert_int_equal(pa, p);
		if (vm_kind == GZ_VM_NORMAL) {
			/* Lent: the host keeps the page and its mapping of it. */
			assert_int_equal(gz_pgstate_owner(p), GZ_OWNER_HOST);
			assert_int_equal(gz_pgstate_state(p), GZ_PAGE_LENT);
			assert_int_equal(gz_pgstate_lent_to(p), vm_a.owner);
			assert_int_equal(gz_pgstate_view(p, vm_a.owner), GZ_PAGE_BORROWED);
			assert_int_equal(gz_pgstate_view(p, vm_b.owner), GZ_PAGE_NOACCESS);
			assert_int_equal(fix_host_mapped(p), before->host_mapped);
			assert_int_equal(vm_a.lent_pages, 1);
			break;
		}
		assert_int_equal(gz_pgstate_owner(p), vm_a.owner);
		assert_false(fix_host_mapped(p));
		break;
	case O_SHARE_A:
		assert_int_equal(gz_pgstate_view(p, GZ_OWNER_HOST), vm_kind == GZ_VM_NORMAL
									? GZ_PAGE_LENT_SHARED
									: GZ_PAGE_SHARED_BORROWED);
		assert_int_equal(vm_a.shared_pages, 1);
		break;
	case O_UNSHARE_A:
		if (vm_kind == GZ_VM_NORMAL) {
			assert_int_equal(gz_pgstate_view(p, GZ_OWNER_HOST), GZ_PAGE_LENT);
			assert_true(fix_host_mapped(p)); /* faulted in as shared, kept */
		} else {
			assert_int_equal(gz_pgstate_view(p, GZ_OWNER_HOST), GZ_PAGE_NOACCESS);
			assert_false(fix_host_mapped(p));
		}
		assert_int_equal(vm_a.shared_pages, 0);
		break;
	case O_RELINQ_A:
		assert_int_equal(gz_pgstate_view(p, GZ_OWNER_HOST), GZ_PAGE_OWNED);
		assert_int_equal(fix_guest_pa(&vm_a, IPA_X, &pa), GZ_ERR_NOT_FOUND);
		/* A lent page comes back as it was (the host could read it all along). */
		if (vm_kind == GZ_VM_NORMAL)
			assert_int_equal(*(uint8_t *)gz_hal_pa_to_va(p), 0x5a);
		else
			assert_true(fix_is_zero(p));
		assert_int_equal(vm_a.owned_pages, 0);
		assert_int_equal(vm_a.lent_pages, 0);
		break;
	default:
		assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), p, &pa, &prot, NULL), GZ_OK);
		assert_int_equal(pa, p);
		if (s == S_UNMANAGED)
			assert_true(prot & GZ_PROT_DEVICE);
		else if ((s == S_A_SHARED || s == S_B_SHARED) && vm_kind == GZ_VM_PROTECTED)
			assert_int_equal(prot, GZ_PROT_RW);
		else
			assert_int_equal(prot, GZ_PROT_RWX);
		break;
	}
}

static void transition_matrix(enum gz_vm_kind kind, const int (*want)[O_NR])
{
	vm_kind = kind;
	for (int s = 0; s < S_NR; s++) {
		for (int o = 0; o < O_NR; o++) {
			struct observed before;
			gz_pa_t p;
			int ret;

			teardown(NULL);
			setup(NULL);
			p = enter_state(s);
			if (p != P_DEV)
				fix_fill(p, 0x5a);
			check_invariants();
			observe(&before, p);
			ret = do_op(o, p);
			if (ret != want[s][o])
				fail_msg("kind %d state %d op %d: %d, expected %d", kind, s, o, ret,
					 want[s][o]);
			if (ret == GZ_OK)
				assert_applied(o, s, p, &before);
			else
				assert_unchanged(&before, p);
			free(before.store);
			check_invariants();
		}
	}
	vm_kind = GZ_VM_PROTECTED;
}

static void test_transition_matrix(void **state)
{
	(void)state;
	transition_matrix(GZ_VM_PROTECTED, expect);
}

static void test_transition_matrix_lent(void **state)
{
	(void)state;
	transition_matrix(GZ_VM_NORMAL, expect_lent);
}

/* ---- ranges -------------------------------------------------------------------------- */

static void test_range_rejects(void **state)
{
	static const struct {
		gz_pa_t pa;
		uint64_t nr;
		int ret;
	} cases[] = {
	    {FIX_PAGE(0), 0, GZ_ERR_INVALID_ARGS},
	    {FIX_PAGE(0) + 8, 1, GZ_ERR_INVALID_ARGS},
	    {~0ULL << 12, 2, GZ_ERR_INVALID_ARGS},
	    {FIX_PAGE(0), UINT64_MAX, GZ_ERR_INVALID_ARGS},
	    {1ULL << 32, 1, GZ_ERR_OUT_OF_RANGE},		   /* beyond the PA size */
	    {FIX_HOST_END - GZ_PAGE_SIZE, 2, GZ_ERR_OUT_OF_RANGE}, /* off the memory */
	    {FIX_PAGE(0), 1, GZ_OK},
	};
	size_t bytes;
	void *snap;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snap = fix_snapshot(&bytes);
		assert_int_equal(gz_mem_host_donate_hyp(cases[i].pa, cases[i].nr), cases[i].ret);
		assert_int_equal(gz_mem_host_share_hyp(cases[i].pa, cases[i].nr),
				 cases[i].ret ? cases[i].ret : GZ_ERR_ACCESS_DENIED);
		assert_int_equal(gz_mem_host_give_guest(&vm_a, cases[i].pa, 0, cases[i].nr),
				 cases[i].ret ? cases[i].ret : GZ_ERR_ACCESS_DENIED);
		if (cases[i].ret)
			assert_true(fix_same_as(snap, bytes));
		free(snap);
	}
	/* A range where only the last page is wrong changes nothing. */
	assert_int_equal(gz_mem_host_share_hyp(FIX_PAGE(10), 1), GZ_OK);
	snap = fix_snapshot(&bytes);
	assert_int_equal(gz_mem_host_donate_hyp(FIX_PAGE(5), 6), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(5), 0, 6), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_host_unshare_hyp(FIX_PAGE(9), 2), GZ_ERR_BAD_STATE);
	assert_true(fix_same_as(snap, bytes));
	free(snap);
	/* Guest IPA ranges. */
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(0), 1ULL << 32, 1),
			 GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(0), 0x1001, 1),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 0x1000, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 1ULL << 32, 1), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_mem_guest_relinquish(&vm_a, 0, GZ_MEM_LIST_MAX + 1),
			 GZ_ERR_INVALID_ARGS);
}

/* ---- host <-> hyp -------------------------------------------------------------------- */

static void test_hyp_return_host(void **state)
{
	struct gz_pool_stats st0, st;
	struct gz_pool_acct acct;
	gz_pa_t pa[4];
	uint64_t n;

	(void)state;
	gz_pool_get_stats(gz_mem_pool(), &st0);
	assert_int_equal(gz_mem_host_donate_hyp(FIX_PAGE(0), 4), GZ_OK);
	gz_pool_get_stats(gz_mem_pool(), &st);
	assert_int_equal(st.total, st0.total + 4);
	/* The donated pages are on top of the free list: use two, dirty them, free one. */
	gz_pool_acct_init(&acct, gz_mem_pool());
	assert_int_equal(gz_pool_alloc(&acct, &pa[0]), GZ_OK);
	assert_int_equal(gz_pool_alloc(&acct, &pa[1]), GZ_OK);
	assert_int_equal(gz_pgstate_state(pa[0]), GZ_PAGE_DONATED);
	fix_fill(pa[0], 0x77);
	gz_pool_free(&acct, pa[0]);
	fake_hal_clear_ops();
	/* Ask for more than there is: the three free donated pages come back, scrubbed and
	 * cleaned to the point of coherency; the in-use one and the reserved ones stay. */
	assert_int_equal(gz_mem_hyp_return_host(100, &n), GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(gz_pgstate_owner(pa[0]), GZ_OWNER_HOST);
	assert_true(fix_is_zero(pa[0]));
	assert_int_equal(gz_pgstate_owner(pa[1]), GZ_OWNER_HYP);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_DCACHE), 3);
	gz_pool_get_stats(gz_mem_pool(), &st);
	assert_int_equal(st.total, st0.total + 1);
	assert_int_equal(st.free, st0.free);
	/* Nothing left to return; a zero budget returns nothing. */
	assert_int_equal(gz_mem_hyp_return_host(100, &n), GZ_OK);
	assert_int_equal(n, 0);
	gz_pool_free(&acct, pa[1]);
	assert_int_equal(gz_mem_hyp_return_host(0, &n), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(gz_mem_hyp_return_host(1, &n), GZ_OK);
	assert_int_equal(n, 1);
	gz_pool_get_stats(gz_mem_pool(), &st);
	assert_int_equal(st.total, st0.total);
	assert_int_equal(st.free, st0.free);
}

static void test_donate_hyp_unmaps_host_block(void **state)
{
	unsigned level;

	(void)state;
	/* The host faults a whole 2 MiB block in; donating one page of it drops the block, and
	 * the host faults the rest back as a page. */
	gz_pa_t blk = FIX_HOST_BASE + 2 * MB;
	assert_int_equal(gz_host_s2_handle_fault(blk + 5 * GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), blk, NULL, NULL, &level), GZ_OK);
	assert_int_equal(level, 2);
	fake_hal_clear_ops();
	assert_int_equal(gz_mem_host_donate_hyp(blk + 7 * GZ_PAGE_SIZE, 1), GZ_OK);
	assert_false(fix_host_mapped(blk));
	/* The block left the host's TLB too: by IPA, host VMID, level 2, after a DSB. */
	size_t t = fake_hal_find_op(FAKE_OP_TLBI_IPA, 0);
	assert_true(t != (size_t)-1);
	assert_int_equal(fake_hal_op(t)->a, 0);
	assert_int_equal(fake_hal_op(t)->b, blk);
	assert_int_equal(fake_hal_op(t)->c, 2);
	assert_true(fake_hal_find_op(FAKE_OP_DSB, 0) < t);
	assert_int_equal(gz_host_s2_handle_fault(blk), GZ_OK);
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), blk, NULL, NULL, &level), GZ_OK);
	assert_int_equal(level, 3);
	assert_int_equal(gz_host_s2_handle_fault(blk + 7 * GZ_PAGE_SIZE), GZ_ERR_ACCESS_DENIED);
	/* Faulting an already mapped page again is fine (two CPUs). */
	assert_int_equal(gz_host_s2_handle_fault(blk + 0x10), GZ_OK);
}

/* A page that comes back to the host makes its block whole again: the table of 4 KiB
 * mappings the host got meanwhile goes, with its pool page, and the host faults the block
 * back as one leaf (without this every block a VM ever took a page from kept a table page,
 * and gzhyp's table memory grew with each protected VM: bench/soak). */
static void test_returned_block_regroups(void **state)
{
	gz_pa_t blk = FIX_HOST_BASE + 2 * MB, g = FIX_HOST_BASE + 6 * MB;
	uint64_t tables = gz_mem_hyp_acct()->pages, n;
	unsigned level;

	(void)state;
	/* from the hypervisor's pool: a page of the block, then one elsewhere, which the
	 * table of the block's other pages takes (the pool's free list is last in, first out);
	 * the first page's return frees that table and so brings the second back too */
	assert_int_equal(gz_mem_host_donate_hyp(blk + 7 * GZ_PAGE_SIZE, 1), GZ_OK);
	assert_int_equal(gz_mem_host_donate_hyp(g + 4 * MB, 1), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(blk), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(blk + 8 * GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), blk, NULL, NULL, &level), GZ_OK);
	assert_int_equal(level, 3);
	assert_int_equal(gz_mem_hyp_acct()->pages, tables + 1);
	assert_int_equal(gz_mem_hyp_return_host(100, &n), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(gz_mem_hyp_acct()->pages, tables);
	assert_false(fix_host_mapped(blk));
	assert_int_equal(gz_host_s2_handle_fault(blk + 8 * GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), blk, NULL, NULL, &level), GZ_OK);
	assert_int_equal(level, 2);

	/* from a guest, at reclaim; a block still partly the guest's keeps its table */
	tables = gz_mem_hyp_acct()->pages;
	assert_int_equal(gz_mem_host_give_guest(&vm_a, g, 0x10000000ULL, 1), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, g + 2 * MB, 0x10001000ULL, 1), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(g + GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(g + 2 * MB + GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_mem_hyp_acct()->pages, tables + 2);
	assert_int_equal(gz_mem_guest_relinquish(&vm_a, 0x10000000ULL, 1), GZ_OK);
	assert_int_equal(gz_mem_hyp_acct()->pages, tables + 1);
	assert_false(fix_host_mapped(g + GZ_PAGE_SIZE));
	assert_true(fix_host_mapped(g + 2 * MB + GZ_PAGE_SIZE));
	while (gz_vm_mem_reclaim(&vm_a, 64) == GZ_ERR_BUSY)
		;
	assert_int_equal(gz_mem_hyp_acct()->pages, tables);
	check_invariants();
}

static void test_host_fault_geometry(void **state)
{
	const gz_pa_t base[] = {FAKE_PHYS_BASE, FAKE_PHYS_BASE + 20 * MB + 64 * GZ_PAGE_SIZE};
	const uint64_t size[] = {16 * MB, 16 * MB};
	struct gz_mem_config cfg = {FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE, 0, 0};
	uint32_t prot;
	unsigned level;
	gz_pa_t pa;

	(void)state;
	teardown(NULL);
	/* Memory with a hole: [1G, 1G+16M) and [1G+20M+256K, 1G+36M+256K). */
	fake_hal_reset(FIX_PHYS_SIZE, 0);
	fake_hal_set_phys_regions(base, size, 2);
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	/* A device block with no memory in it. */
	assert_int_equal(gz_host_s2_handle_fault(FAKE_PHYS_BASE + 17 * MB), GZ_OK);
	assert_int_equal(
	    gz_pgt_translate(gz_mem_host_s2(), FAKE_PHYS_BASE + 16 * MB, &pa, &prot, &level),
	    GZ_OK);
	assert_int_equal(level, 2);
	assert_true(prot & GZ_PROT_DEVICE);
	/* A device page next to memory: 4 KiB. */
	assert_int_equal(gz_host_s2_handle_fault(FAKE_PHYS_BASE + 20 * MB), GZ_OK);
	assert_int_equal(
	    gz_pgt_translate(gz_mem_host_s2(), FAKE_PHYS_BASE + 20 * MB, &pa, &prot, &level),
	    GZ_OK);
	assert_int_equal(level, 3);
	assert_true(prot & GZ_PROT_DEVICE);
	/* Memory whose 2 MiB block is partly a hole: 4 KiB pages. */
	assert_int_equal(gz_host_s2_handle_fault(base[1]), GZ_OK);
	assert_int_equal(gz_pgt_translate(gz_mem_host_s2(), base[1], &pa, &prot, &level), GZ_OK);
	assert_int_equal(level, 3);
	assert_int_equal(prot, GZ_PROT_RWX);
	/* The hypervisor's own block is refused, and so is anything past the PA size. */
	assert_int_equal(gz_host_s2_handle_fault(FIX_HYP_BASE), GZ_ERR_ACCESS_DENIED);
	assert_int_equal(gz_host_s2_handle_fault(1ULL << 32), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_host_s2_handle_fault(UINT64_MAX), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_mem_check_invariants(NULL, 0, NULL), GZ_OK);
	setup(NULL);
}

/* ---- host -> guest ------------------------------------------------------------------- */

static void test_donate_guest_block_and_pages(void **state)
{
	gz_pa_t pa, blk = FIX_HOST_BASE + 4 * MB; /* 2 MiB aligned */
	unsigned level;

	(void)state;
	fix_fill(blk, 0x11);
	assert_int_equal(gz_host_s2_handle_fault(blk), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, blk, 0x40000000ULL >> 2, 512), GZ_OK);
	assert_int_equal(gz_pgt_translate(&vm_a.s2, 0x10000000ULL + 0x1234, &pa, NULL, &level),
			 GZ_OK);
	assert_int_equal(pa, blk + 0x1234);
	assert_int_equal(level, 2); /* one block */
	assert_false(fix_host_mapped(blk));
	assert_int_equal(vm_a.owned_pages, 512);
	/* The guest sees the host's data (the host gave it); only reclaim scrubs. */
	assert_int_equal(*(uint8_t *)gz_hal_pa_to_va(blk), 0x11);
	/* Already mapped IPA, already given page. */
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(0), 0x10000000ULL, 1),
			 GZ_ERR_ALREADY_EXISTS);
	assert_int_equal(gz_mem_host_give_guest(&vm_b, blk, 0, 1), GZ_ERR_ACCESS_DENIED);
	check_invariants();
}

static void test_donate_pfns(void **state)
{
	uint64_t pfns[4] = {FIX_PAGE(3) >> 12, FIX_PAGE(1) >> 12, FIX_PAGE(2) >> 12,
			    FIX_PAGE(9) >> 12};
	uint64_t dup[2] = {FIX_PAGE(3) >> 12, FIX_PAGE(3) >> 12};
	/* ascending, then the first page again (past the one-pass check of ordered runs) */
	uint64_t again[3] = {FIX_PAGE(4) >> 12, FIX_PAGE(5) >> 12, FIX_PAGE(4) >> 12};
	uint64_t huge[1] = {~0ULL};
	gz_pa_t pa;
	size_t bytes;
	void *snap;

	(void)state;
	snap = fix_snapshot(&bytes);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, pfns, 0, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, pfns, 0, GZ_MEM_LIST_MAX + 1),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, dup, 0, 2), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, again, 0, 3), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, huge, 0, 1), GZ_ERR_INVALID_ARGS);
	assert_true(fix_same_as(snap, bytes));
	free(snap);

	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, pfns, 0x8000, 4), GZ_OK);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(fix_guest_pa(&vm_a, 0x8000 + i * GZ_PAGE_SIZE, &pa), GZ_OK);
		assert_int_equal(pa, pfns[i] << 12);
	}
	/* Again (two vCPUs faulting on the same pages): nothing to do, still fine. */
	fake_hal_clear_ops();
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, pfns, 0x8000, 4), GZ_OK);
	assert_int_equal(fake_hal_nr_ops(), 0);
	/* Partly done: the new page goes in, the others are left alone. */
	pfns[3] = FIX_PAGE(10) >> 12;
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, pfns, 0x9000, 1), GZ_ERR_ACCESS_DENIED);
	uint64_t two[2] = {FIX_PAGE(9) >> 12, FIX_PAGE(10) >> 12};
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, two, 0xb000, 2), GZ_OK);
	assert_int_equal(vm_a.owned_pages, 5);
	/* The last page already done, the first new. */
	uint64_t last_done[2] = {FIX_PAGE(16) >> 12, FIX_PAGE(3) >> 12};
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, last_done, 0x7000, 2), GZ_OK);
	assert_int_equal(vm_a.owned_pages, 6);
	/* A page at the wrong IPA is not "done". */
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, two, 0xc000, 1), GZ_ERR_ACCESS_DENIED);
	/* Unmanaged PFNs. */
	uint64_t dev[1] = {P_DEV >> 12};
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, dev, 0x20000, 1), GZ_ERR_OUT_OF_RANGE);
	check_invariants();
}

static void test_donate_rollback_on_no_memory(void **state)
{
	uint64_t pfns[2] = {FIX_PAGE(20) >> 12, FIX_PAGE(40) >> 12};
	struct gz_pool_acct drain;
	size_t n, bytes;
	gz_pa_t pa;
	void *snap;

	(void)state;
	/* Tables for [0, 2 MiB) exist; IPA 2 MiB needs a new last-level table. */
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(1), 2 * MB - 2 * GZ_PAGE_SIZE, 1),
			 GZ_OK);
	n = fix_drain(&drain, drained, 2048);
	snap = fix_snapshot(&bytes);
	fake_hal_clear_ops();
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, pfns, 2 * MB - GZ_PAGE_SIZE, 2),
			 GZ_ERR_NO_MEMORY);
	/* The first page was mapped and taken back out: nothing is left of the call. */
	assert_int_equal(fix_guest_pa(&vm_a, 2 * MB - GZ_PAGE_SIZE, &pa), GZ_ERR_NOT_FOUND);
	assert_int_equal(fix_guest_pa(&vm_a, 2 * MB, &pa), GZ_ERR_NOT_FOUND);
	assert_true(fix_same_as(snap, bytes));
	assert_true(fake_hal_count_ops(FAKE_OP_TLBI_IPA) + fake_hal_count_ops(FAKE_OP_TLBI_VMID) >=
		    1);
	free(snap);
	/* The middle one of three stretches fails: the first is taken back too. */
	uint64_t three[3] = {FIX_PAGE(20) >> 12, FIX_PAGE(40) >> 12, FIX_PAGE(60) >> 12};
	snap = fix_snapshot(&bytes);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, three, 2 * MB - GZ_PAGE_SIZE, 3),
			 GZ_ERR_NO_MEMORY);
	assert_int_equal(fix_guest_pa(&vm_a, 2 * MB - GZ_PAGE_SIZE, &pa), GZ_ERR_NOT_FOUND);
	assert_true(fix_same_as(snap, bytes));
	free(snap);
	/* Same for the host giving a contiguous run and for relinquishing out of a block. */
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(50), 4 * MB, 1), GZ_ERR_NO_MEMORY);
	fix_undrain(&drain, drained, n);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_HOST_BASE + 4 * MB, 8 * MB, 512), GZ_OK);
	n = fix_drain(&drain, drained, 2048);
	snap = fix_snapshot(&bytes);
	assert_int_equal(gz_mem_guest_relinquish(&vm_a, 8 * MB + GZ_PAGE_SIZE, 1),
			 GZ_ERR_NO_MEMORY);
	assert_true(fix_same_as(snap, bytes));
	assert_int_equal(fix_guest_pa(&vm_a, 8 * MB + GZ_PAGE_SIZE, &pa), GZ_OK);
	free(snap);
	fix_undrain(&drain, drained, n);
	check_invariants();
}

static void test_share_unshare_relinquish_ranges(void **state)
{
	gz_pa_t pa;

	(void)state;
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(0), 0x100000, 8), GZ_OK);
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 0x100000, 4), GZ_OK);
	assert_int_equal(vm_a.shared_pages, 4);
	/* A range running into a shared page, or off the mapped part, changes nothing. */
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 0x100000 + 3 * GZ_PAGE_SIZE, 2),
			 GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_guest_relinquish(&vm_a, 0x100000 + 6 * GZ_PAGE_SIZE, 3),
			 GZ_ERR_NOT_FOUND);
	assert_int_equal(vm_a.shared_pages, 4);
	/* The host faults the shared pages in as 4 KiB RW and loses them on unshare. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(i)), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(4)), GZ_ERR_ACCESS_DENIED);
	check_invariants();
	assert_int_equal(gz_mem_guest_unshare_host(&vm_a, 0x100000, 4), GZ_OK);
	for (int i = 0; i < 4; i++)
		assert_false(fix_host_mapped(FIX_PAGE(i)));
	assert_int_equal(gz_mem_guest_relinquish(&vm_a, 0x100000, 8), GZ_OK);
	assert_int_equal(vm_a.owned_pages, 0);
	assert_int_equal(fix_guest_pa(&vm_a, 0x100000, &pa), GZ_ERR_NOT_FOUND);
	check_invariants();
}

/* ---- VM destroy ---------------------------------------------------------------------- */

static void test_reclaim_batched(void **state)
{
	uint64_t hyp_bytes, shared_bytes, before;
	struct gz_pool_stats st;
	int calls = 0;

	(void)state;
	for (int i = 0; i < 10; i++)
		fix_fill(FIX_PAGE(i), 0xee);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(0), 0, 6), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(6), 0x80000000ULL, 4), GZ_OK);
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 0, 2), GZ_OK);
	assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(0)), GZ_OK);
	vm_a.obj_acct.pages = 0;
	gz_vm_mem_stats(&vm_a, &hyp_bytes, &shared_bytes);
	assert_int_equal(hyp_bytes, vm_a.pgt_acct.pages * GZ_PAGE_SIZE);
	assert_int_equal(hyp_bytes, gz_pgt_table_bytes(&vm_a.s2));
	assert_int_equal(shared_bytes, 2 * GZ_PAGE_SIZE);
	gz_pool_get_stats(gz_mem_pool(), &st);
	before = st.used;

	fake_hal_clear_ops();
	for (;;) {
		uint64_t owned = vm_a.owned_pages;
		int ret = gz_vm_mem_reclaim(&vm_a, 3);

		calls++;
		assert_true(owned - vm_a.owned_pages <= 3);
		if (ret == GZ_OK)
			break;
		assert_int_equal(ret, GZ_ERR_BUSY);
		assert_int_equal(vm_a.state, GZ_VM_MEM_DYING);
		/* Between calls: the VM's tables are gone, nothing it still owns is mapped. */
		struct gz_vm_mem *vms[] = {&vm_a, &vm_b};
		assert_int_equal(gz_mem_check_invariants(vms, 2, NULL), GZ_OK);
		/* A dying VM takes nothing new. */
		assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(20), 0, 1),
				 GZ_ERR_NOT_ALLOWED);
		assert_int_equal(gz_mem_guest_share_host(&vm_a, 0, 1), GZ_ERR_NOT_ALLOWED);
	}
	assert_int_equal(calls, 4);
	assert_int_equal(vm_a.state, GZ_VM_MEM_DEAD);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_TLBI_VMID), 1);
	assert_int_equal(fake_hal_op(fake_hal_find_op(FAKE_OP_TLBI_VMID, 0))->a, 1);
	/* Every page scrubbed and cleaned to the point of coherency, then the host's again:
	 * it faults them back in. */
	assert_int_equal(fake_hal_count_ops(FAKE_OP_DCACHE), 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(gz_pgstate_owner(FIX_PAGE(i)), GZ_OWNER_HOST);
		assert_true(fix_is_zero(FIX_PAGE(i)));
		assert_int_equal(gz_host_s2_handle_fault(FIX_PAGE(i)), GZ_OK);
		assert_true(fix_host_mapped(FIX_PAGE(i)));
	}
	assert_int_equal(vm_a.pgt_acct.pages, 0);
	gz_vm_mem_stats(&vm_a, &hyp_bytes, &shared_bytes);
	assert_int_equal(hyp_bytes, 0);
	assert_int_equal(shared_bytes, 0);
	gz_pool_get_stats(gz_mem_pool(), &st);
	assert_true(st.used < before);
	/* Done is done; 0 counts as 1. */
	assert_int_equal(gz_vm_mem_reclaim(&vm_a, 0), GZ_OK);
	assert_int_equal(gz_vm_mem_reclaim(&vm_b, 0), GZ_OK);
}

static void test_reclaim_scan_bound(void **state)
{
	struct gz_mem_config cfg = {FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, 4 * MB, 0, 0};
	gz_pa_t last = FAKE_PHYS_BASE + (2048ULL << 20) - GZ_PAGE_SIZE;
	int calls = 0, ret;

	(void)state;
	teardown(NULL);
	/* 2 GiB: more pages than one call scans. */
	fake_hal_reset(2048ULL << 20, 0);
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_a, 1, 32, 1), GZ_OK);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, last, 0, 1), GZ_OK);
	while ((ret = gz_vm_mem_reclaim(&vm_a, 100)) == GZ_ERR_BUSY)
		calls++;
	assert_int_equal(ret, GZ_OK);
	assert_int_equal(calls, (2048ULL << 8) / GZ_MEM_RECLAIM_SCAN_MAX - 1);
	assert_int_equal(gz_pgstate_owner(last), GZ_OWNER_HOST);
	fake_hal_teardown();
	setup(NULL);
}

/* ---- the invariant checker catches what it must -------------------------------------- */

static void expect_broken(uint64_t where)
{
	struct gz_vm_mem *vms[] = {&vm_a, &vm_b};
	uint64_t bad = 0;

	assert_int_equal(gz_mem_check_invariants(vms, 2, &bad), GZ_ERR_BAD_STATE);
	assert_int_equal(bad, where);
}

static void test_invariant_checker(void **state)
{
	struct gz_pgt *host = gz_mem_host_s2();

	(void)state;
	assert_int_equal(gz_mem_host_give_guest(&vm_a, FIX_PAGE(0), 0x3000, 2), GZ_OK);
	/* The store says the host owns a page the guest maps. */
	gz_pgstate_set(FIX_PAGE(1), 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	expect_broken(0x4000);
	gz_pgstate_set(FIX_PAGE(1), 1, vm_a.owner, GZ_PAGE_OWNED);
	/* Counters that do not match the store. */
	vm_a.shared_pages++;
	expect_broken(vm_a.owner);
	vm_a.shared_pages--;
	vm_a.owned_pages++;
	expect_broken(vm_a.owner);
	vm_a.owned_pages--;
	/* An owned page the VM does not map. */
	gz_pgstate_set(FIX_PAGE(5), 1, vm_a.owner, GZ_PAGE_OWNED);
	vm_a.owned_pages++;
	expect_broken(vm_a.owner);
	vm_a.owned_pages--;
	/* A page owned by a VM nobody knows. */
	gz_pgstate_set(FIX_PAGE(5), 1, GZ_OWNER_VM(9), GZ_PAGE_OWNED);
	expect_broken(FIX_PAGE(5));
	assert_int_equal(gz_mem_check_invariants(NULL, 0, NULL), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_mem_check_invariants(NULL, GZ_MEM_CHECK_MAX_VMS + 1, NULL),
			 GZ_ERR_INVALID_ARGS);
	gz_pgstate_set(FIX_PAGE(5), 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	check_invariants();
	/* The host maps a guest's page, a page it borrows as a block or executable, its own
	 * memory as device, device memory as normal. */
	assert_int_equal(gz_pgt_map(host, FIX_PAGE(0), FIX_PAGE(0), GZ_PAGE_SIZE, GZ_PROT_RW),
			 GZ_OK);
	expect_broken(FIX_PAGE(0));
	assert_int_equal(gz_mem_guest_share_host(&vm_a, 0x3000, 1), GZ_OK);
	check_invariants();
	assert_int_equal(gz_pgt_protect(host, FIX_PAGE(0), GZ_PAGE_SIZE, GZ_PROT_RWX), GZ_OK);
	expect_broken(FIX_PAGE(0));
	assert_int_equal(gz_pgt_unmap(host, FIX_PAGE(0), GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_pgt_map(host, FIX_HOST_BASE, FIX_HOST_BASE, 2 * MB, GZ_PROT_RW), GZ_OK);
	expect_broken(FIX_HOST_BASE);
	assert_int_equal(gz_pgt_unmap(host, FIX_HOST_BASE, 2 * MB), GZ_OK);
	assert_int_equal(
	    gz_pgt_map(host, FIX_PAGE(8), FIX_PAGE(8), GZ_PAGE_SIZE, GZ_PROT_RW | GZ_PROT_DEVICE),
	    GZ_OK);
	expect_broken(FIX_PAGE(8));
	assert_int_equal(gz_pgt_unmap(host, FIX_PAGE(8), GZ_PAGE_SIZE), GZ_OK);
	assert_int_equal(gz_pgt_map(host, P_DEV, P_DEV, GZ_PAGE_SIZE, GZ_PROT_RW), GZ_OK);
	expect_broken(P_DEV);
	assert_int_equal(gz_pgt_unmap(host, P_DEV, GZ_PAGE_SIZE), GZ_OK);
	check_invariants();
}

/* Memory the HAL reports but cannot map (an unbacked region), PA sizes, region order. */
static void test_odd_memory(void **state)
{
	const gz_pa_t hi = FAKE_PHYS_BASE + FIX_PHYS_SIZE; /* unbacked */
	const gz_pa_t base[] = {hi, FAKE_PHYS_BASE};
	const uint64_t size[] = {16 * MB, FIX_PHYS_SIZE};
	struct gz_mem_config cfg = {FIX_HYP_BASE, FIX_HYP_SIZE, FIX_WORK_BASE, FIX_WORK_SIZE, 0, 0};
	uint64_t pfn = hi >> 12;
	gz_pa_t far_base[] = {FAKE_PHYS_BASE, 1ULL << 48};
	uint64_t far_size[] = {FIX_PHYS_SIZE, MB};
	gz_pa_t wrap_base[] = {FAKE_PHYS_BASE, ~0ULL << 20};
	uint64_t wrap_size[] = {FIX_PHYS_SIZE, 2 * MB};
	gz_pa_t high_base[] = {FAKE_PHYS_BASE, 1ULL << 32};

	(void)state;
	teardown(NULL);
	/* Regions listed high first. */
	fake_hal_reset(FIX_PHYS_SIZE, 0);
	fake_hal_set_phys_regions(base, size, 2);
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	assert_int_equal(gz_mem_host_s2()->ia_bits, 32);
	assert_int_equal(gz_vm_mem_init(&vm_a, 1, 32, 1), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_b, 2, 32, 2), GZ_OK);
	/* The unbacked pages cannot be donated or read by the hypervisor. */
	assert_int_equal(gz_mem_host_donate_hyp(hi, 1), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_mem_host_give_guest(&vm_a, hi, 0, 1), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_mem_host_give_guest_pfns(&vm_a, &pfn, 0, 1), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_memslot_set_region(&vm_a, hi, 4096), GZ_ERR_OUT_OF_RANGE);
	/* ... nor hold the hypervisor. */
	struct gz_mem_config unbacked = cfg;
	unbacked.hyp_base = hi;
	assert_int_equal(gz_mem_init(&unbacked), GZ_ERR_INVALID_ARGS);
	unbacked = cfg;
	unbacked.work_base = hi;
	assert_int_equal(gz_mem_init(&unbacked), GZ_ERR_INVALID_ARGS);
	/* The hypervisor image above its working memory is fine. */
	struct gz_mem_config above = cfg;
	above.hyp_base = FIX_WORK_BASE + FIX_WORK_SIZE;
	assert_int_equal(gz_mem_init(&above), GZ_OK);
	/* Memory above 2^48, a wrapping region, memory above a given PA size. */
	fake_hal_set_phys_regions(far_base, far_size, 2);
	assert_int_equal(gz_mem_init(&cfg), GZ_ERR_INVALID_ARGS);
	fake_hal_set_phys_regions(wrap_base, wrap_size, 2);
	assert_int_equal(gz_mem_init(&cfg), GZ_ERR_INVALID_ARGS);
	fake_hal_set_phys_regions(high_base, far_size, 2);
	cfg.pa_bits = 32;
	assert_int_equal(gz_mem_init(&cfg), GZ_ERR_INVALID_ARGS);
	cfg.pa_bits = 64;
	assert_int_equal(gz_mem_init(&cfg), GZ_ERR_INVALID_ARGS);
	/* Memory above 64 GiB: 40 and 42 bits, with concatenated host stage-2 roots. */
	gz_pa_t b64[] = {FAKE_PHYS_BASE, 1ULL << 36}, b4t[] = {FAKE_PHYS_BASE, 1ULL << 41};
	fake_hal_set_phys_regions(b64, far_size, 2);
	cfg.pa_bits = 0;
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	assert_int_equal(gz_mem_host_s2()->ia_bits, 40);
	assert_true(gz_mem_host_s2()->nr_roots > 1);
	fake_hal_set_phys_regions(b4t, far_size, 2);
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	assert_int_equal(gz_mem_host_s2()->ia_bits, 42);
	fake_hal_set_phys_regions(high_base, far_size, 2);
	cfg.pa_bits = 40;
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	cfg.pa_bits = 44;
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	assert_int_equal(gz_vm_mem_init(&vm_a, 1, 40, 1), GZ_OK);
	assert_int_equal(vm_a.s2.ia_bits, 40);
	cfg.pa_bits = 36;
	assert_int_equal(gz_mem_init(&cfg), GZ_OK);
	assert_int_equal(gz_mem_host_s2()->ia_bits, 36);
	fake_hal_teardown();
	setup(NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_init_layout),
	    T(test_init_rejects),
	    T(test_vm_init_rejects),
	    T(test_transition_matrix),
	    T(test_transition_matrix_lent),
	    T(test_range_rejects),
	    T(test_hyp_return_host),
	    T(test_donate_hyp_unmaps_host_block),
	    T(test_returned_block_regroups),
	    T(test_host_fault_geometry),
	    T(test_donate_guest_block_and_pages),
	    T(test_donate_pfns),
	    T(test_donate_rollback_on_no_memory),
	    T(test_share_unshare_relinquish_ranges),
	    T(test_reclaim_batched),
	    T(test_reclaim_scan_bound),
	    T(test_invariant_checker),
	    T(test_odd_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
