/* Fuzz target: the host-call dispatcher with random call sequences. Each 12-byte record is
 * one call: a function (every v13 call, removed and unknown ids), and arguments built from
 * interesting values (VM ids, vm/vcpu tuples, host/hypervisor/unmanaged PAs, sizes, caps)
 * or raw input. RUN plays a guest from the input as well. Invariants after every call: a
 * status the ABI defines, x1..x3 zero on failure, no lock held, the page-ownership
 * invariants, and the protected VMs' (a VM that ran never becomes protected, a protected
 * one that ran refuses GET_ONE_REG), each VM's quota counting exactly its accounts' pages; at
 * the end every VM is destroyed, no page stays with a guest and the pool is as it was. A record may
 * also let a second physical CPU make one call at a point of its choice inside the first (any lock
 * taken or released while no other lock is held, through the fake HAL's lock hook): the
 * check-then-use windows between two critical sections. The page-ownership invariants are
 * checked incrementally after every call (what the memory tracker, gzhyp/mem_track.h, saw
 * change), in full every FULL_EVERY calls and at the end (gz_mem_check_invariants must
 * agree). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gzhyp/mem_track.h>

#include "../tests/unit/vm_fixture.h"
#include "harness/cross_check.h"
#include "harness/input.h"

#define FULL_EVERY 32 /* calls between two full checks */

static struct gz_mem_tracker track;
static struct gz_mem_track_page track_pages[4096]; /* the store of the 16 MiB machine */

static int guest(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit, void *arg)
{
	(void)arg;
	uint8_t k = (uint8_t)take(1);
	if (!in_n || k < 16) {
		exit->kind = GZ_EXIT_KIND_FAIL_ENTRY;
		return GZ_ERR_BAD_STATE;
	}
	exit->kind = (enum gz_exit_kind)(k & 3);
	exit->esr = take(4);
	exit->far = take(2);
	exit->hpfar = take(1) ? hpfar_of(0x80000000) : take(4);
	ctx->x[0] = 0x84000000 | take(1) | (take(1) & 0x40 ? 0x40000000 : 0);
	ctx->x[1] = take(1);
	return 0;
}

static uint64_t value(uint8_t sel)
{
	static const uint64_t pick[] = {
	    0,
	    1,
	    2,
	    3,
	    8,
	    16,
	    0xffff,
	    0x10000,
	    8192,
	    4096,
	    512,
	    128,
	    0x80000000,
	    0x3fff0000,
	    2u << 20,
	    0xffffffffffffffffULL,
	    /* 16.. */
	    GZVM_CAP_ENABLE_IDLE,
	    GZVM_CAP_ENABLE_DEMAND_PAGING,
	    GZVM_CAP_BLOCK_BASED_DEMAND_PAGING,
	    GZVM_CAP_QUERY_HYP_BATCH_PAGES,
	    GZVM_CAP_QUERY_DESTROY_BATCH_PAGES,
	    GZVM_CAP_PROTECTED_VM,
	    FIX_HYP_BASE,
	    FIX_WORK_BASE,
	    0x1000,
	    FIX_HOST_END,
	    GZVM_REG_CORE_PC,
	    GZVM_REG_CORE_PSTATE,
	    GZVM_ARM64_SYS_REG(3, 0, 1, 0, 0),
	    0x80000,
	    0x80010,
	    16,
	};

	switch (sel >> 5) {
	case 0:
		return pick[sel & 31];
	case 1: /* a tuple */
		return gz_hvc_tuple((sel >> 2) & 3, sel & 3);
	case 2: /* a host page */
		return FIX_PAGE(take(1) & 0x3f);
	case 3: /* a host page holding a descriptor */
		return VFIX_GUEST_PAGE(300 + (sel & 3));
	case 4:
		return take(8);
	case 6: /* opengz's limits: the VM limit and the quota of hypervisor memory */
		return sel & 1 ? GZVM_CAP_OPENGZ_HYP_QUOTA : GZVM_CAP_OPENGZ_VM_LIMIT;
	default:
		return sel & 7;
	}
}

/* A descriptor page the calls can point at (SET_MEMREGION, CREATE_DEVICE). */
static void fill_descriptors(void)
{
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(VFIX_GUEST_PAGE(300));
	struct gzvm_create_device *d = gz_hal_pa_to_va(VFIX_GUEST_PAGE(301));

	memset(r, 0, 64);
	r->slot = take(1) % 12;
	r->constituent_cnt = take(1) % 3;
	r->total_pages = take(1) % 20;
	r->gpa = 0x80000000 + ((take(1) % 16) << 16);
	r->constituents[0].address = FIX_PAGE(64 + (take(1) & 0x3f));
	r->constituents[0].pg_cnt = (uint32_t)(take(1) % 20);
	r->constituents[1].address = FIX_PAGE(128 + (take(1) & 0x3f));
	r->constituents[1].pg_cnt = (uint32_t)(take(1) % 4);
	memset(d, 0, sizeof(*d));
	d->dev_type = take(1) & 3;
	d->dev_addr = 0x3fff0000 - 0x20000 * (take(1) & 3);
	d->dev_reg_size = take(1) & 1 ? 0x20000 : 0x10000;
	memcpy(gz_hal_pa_to_va(VFIX_GUEST_PAGE(302)), ip, in_n < 64 ? in_n : 64);
}

static void check(bool full)
{
	struct gz_vm_mem *m[GZ_MAX_VMS];
	unsigned n = gz_vm_count();

	for (unsigned i = 0; i < n; i++) {
		uint64_t limit, used;

		m[i] = &gz_vm_at(i)->mem;
		/* The quota counts exactly what the VM's two accounts hold. */
		gz_vm_mem_quota_get(m[i], &limit, &used);
		if (used != m[i]->pgt_acct.pages + m[i]->obj_acct.pages)
			abort();
	}
	if (gz_mem_track_check(&track, m, n, NULL) != GZ_OK ||
	    (full && gz_mem_check_invariants(m, n, NULL) != GZ_OK) || fake_hal_locks_held() != 0)
		abort();
}

/* Per VM id: it had run while normal before the call (then it must stay normal). */
static bool ran_normal[GZ_MAX_VMS + 1];

static void note_kinds(void)
{
	for (unsigned id = 1; id <= GZ_MAX_VMS; id++) {
		struct gz_vm *vm = gz_vm_get(id);

		ran_normal[id] = vm && gz_vm_kind(vm) == GZ_VM_NORMAL &&
				 vm->state != GZ_VM_CREATED && vm->state != GZ_VM_CREATING;
	}
}

static void check_protected(void)
{
	for (unsigned id = 1; id <= GZ_MAX_VMS; id++) {
		struct gz_vm *vm = gz_vm_get(id);
		struct gz_smccc_regs r;

		if (!vm || vm->state == GZ_VM_CREATING)
			continue;
		if (ran_normal[id] && gz_vm_kind(vm) != GZ_VM_NORMAL)
			abort();
		if (gz_vm_kind(vm) != GZ_VM_PROTECTED || vm->state == GZ_VM_CREATED ||
		    vm->state == GZ_VM_DESTROYING)
			continue;
		/* its registers stay closed, whichever vCPU is asked */
		for (unsigned i = 0; i < 2; i++) {
			r = hcall(GZ_HVC_GET_ONE_REG, gz_hvc_tuple(id, i), GZVM_REG_CORE_X(0), 0, 0,
				  0);
			if (r.a[0] == GZ_OK || r.a[1])
				abort();
		}
	}
}

static bool defined_status(int64_t st)
{
	switch (st) {
	case GZ_OK:
	case GZ_ERR_NOT_FOUND:
	case GZ_ERR_NO_MEMORY:
	case GZ_ERR_INVALID_ARGS:
	case GZ_ERR_ALREADY_EXISTS:
	case GZ_ERR_NOT_ALLOWED:
	case GZ_ERR_NOT_SUPPORTED:
	case GZ_ERR_BAD_STATE:
	case GZ_ERR_BUSY:
	case GZ_ERR_OUT_OF_RANGE:
	case GZ_ERR_NO_RESOURCES:
	case GZ_ERR_ACCESS_DENIED:
		return true;
	default:
		return false;
	}
}

static uint64_t call_id(uint8_t f)
{
	return (f & 0x1f) < 22 ? GZ_HVC_ID(f & 0x1f) : GZ_HVC_ID_SMC32(f & 0x1f);
}

static void check_result(uint64_t fid, const struct gz_smccc_regs *r)
{
	if (!defined_status((int64_t)r->a[0]))
		abort();
	if (r->a[0] != GZ_OK && fid != GZ_HVC_CREATE_VM && (r->a[1] | r->a[2] | r->a[3]))
		abort();
}

/* The second CPU: fires at the @countdown-th lock event with no lock held. */
static struct {
	bool armed;
	unsigned countdown;
} other;

static void other_cpu(gz_lock_t *lock, bool acquire, void *arg)
{
	struct gz_smccc_regs r;
	uint64_t fid;

	(void)lock;
	(void)acquire;
	(void)arg;
	if (!other.armed || fake_hal_locks_held() != 0 || --other.countdown)
		return;
	other.armed = false;
	fid = call_id((uint8_t)take(1));
	/* Not RUN: the fake HAL has one set of list registers, which a guest entry on the
	 * second CPU would take from the first. */
	if (fid == GZ_HVC_RUN)
		fid = GZ_HVC_INFORM_EXIT;
	r.a[0] = fid;
	for (int i = 1; i < 8; i++)
		r.a[i] = value((uint8_t)take(1));
	fake_hal_set_cpu_id(1);
	gz_hostcall_dispatch(&r);
	fake_hal_set_cpu_id(0);
	check_result(fid, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gz_pool_stats before, after;

	bool cross_check = fuzz_full_checks(data, size);

	ip = data;
	in_n = size;
	/* One machine's memory for every input, set up again on it without page faults; the
	 * end of the input leaves it as a fresh one. */
	fake_hal_keep_phys(true);
	/* 16 MiB keeps the full invariant check (a walk of every page) cheap. */
	gz_mem_track_start(&track, track_pages, 4096, true);
	if (vfix_init_size(16ULL << 20) != GZ_OK)
		abort();
	gz_pool_get_stats(gz_mem_pool(), &before);
	fake_hal_set_run_handler(guest, NULL);
	for (int calls = 0; calls < 128 && in_n >= 6; calls++) {
		uint8_t f = (uint8_t)take(1);
		uint64_t fid = call_id(f);
		struct gz_smccc_regs r;

		fill_descriptors();
		note_kinds();
		r.a[0] = fid;
		for (int i = 1; i < 8; i++)
			r.a[i] = value((uint8_t)take(1));
		if ((f & 0xe0) == 0xe0) {
			other.armed = true;
			other.countdown = (unsigned)(take(1) & 15) + 1;
			fake_hal_set_lock_hook(other_cpu, NULL);
		}
		gz_hostcall_dispatch(&r);
		other.armed = false;
		fake_hal_set_lock_hook(NULL, NULL);
		check_result(fid, &r);
		check(cross_check && (calls + 1) % FULL_EVERY == 0);
		check_protected();
	}
	check(cross_check);
	gz_mem_track_stop(&track);
	vfix_destroy_all();
	gz_pool_get_stats(gz_mem_pool(), &after);
	/* Pool accounting back to where it started, quotas or not. */
	if (gz_vm_count() != 0 || after.used != before.used || after.free != before.free)
		abort();
	/* Nothing owned by or lent to a VM that is gone. */
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++)
		if (GZ_OWNER_IS_VM(gz_pgstate_owner(gz_pgstate_pa_at(i))) ||
		    gz_pgstate_lent_to(gz_pgstate_pa_at(i)) != GZ_OWNER_NONE)
			abort();
	/* Host memory as a fresh machine has it: the vCPUs' shared pages and the descriptors
	 * (both read by the core), the pages the host's tables live in (the core scrubbed every
	 * page it gave back). */
	memset(gz_hal_pa_to_va(FIX_PAGE(0)), 0, 65 * GZ_PAGE_SIZE); /* 0-63 and a last hwstate */
	memset(gz_hal_pa_to_va(VFIX_GUEST_PAGE(300)), 0, 4 * GZ_PAGE_SIZE);
	fix_clear_kept();
	return 0;
}
