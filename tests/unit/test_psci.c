/* PSCI 1.1 and SMCCC/vendor calls from a scripted guest through the real run loop
 * (src/hyp/core/psci.c, smccc.c, vcpu.c): discovery, CPU_ON and its concurrency rules,
 * CPU_OFF, AFFINITY_INFO, CPU_SUSPEND as WFI, SYSTEM_OFF/RESET/RESET2 exits, the UID,
 * memory calls, forwarded calls and NOT_SUPPORTED for the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm_fixture.h"

static uint16_t vm;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(vfix_init(), GZ_OK);
	vfix_guest_reset();
	vm = vfix_create_vm();
	assert_int_not_equal(vm, 0);
	for (uint16_t i = 0; i < 4; i++)
		assert_int_equal(vfix_create_vcpu(vm, i), GZ_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_hal_locks_held(), 0);
	vfix_destroy_all();
	assert_int_equal(gz_vm_count(), 0);
	fake_hal_teardown();
	return 0;
}

/* One HVC by vCPU @i with x0..x3 = a..d; returns the exit reason (the guest's results are
 * in the vCPU context). The script ends with the call, so a resumed guest fails entry. */
static uint32_t call(uint16_t i, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	static uint64_t args[VFIX_MAX_STEPS][4];
	uint32_t reason = 0;
	unsigned k = vfix_guest.n;

	args[k][0] = a;
	args[k][1] = b;
	args[k][2] = c;
	args[k][3] = d;
	vfix_push_hvc(args[k]);
	assert_int_equal(vfix_run(vm, i, &reason), GZ_OK);
	return reason;
}

static uint64_t x(uint16_t i, int r)
{
	return vfix_vcpu(vm, i)->ctx.x[r];
}

static void test_version_features(void **state)
{
	(void)state;
	/* Resumed calls come back as FAIL_ENTRY once the script is over. */
	assert_int_equal(call(0, GZ_PSCI_VERSION, 0, 0, 0), GZVM_EXIT_FAIL_ENTRY);
	assert_int_equal(x(0, 0), GZ_PSCI_VERSION_1_1);
	static const uint32_t yes[] = {GZ_PSCI_CPU_ON_64,	 GZ_PSCI_CPU_OFF,
				       GZ_PSCI_AFFINITY_INFO_64, GZ_PSCI_SYSTEM_OFF,
				       GZ_PSCI_SYSTEM_RESET2_64, GZ_SMCCC_VERSION,
				       GZ_PSCI_CPU_SUSPEND_64,	 GZ_PSCI_MIGRATE_INFO_TYPE};
	for (size_t k = 0; k < sizeof(yes) / sizeof(yes[0]); k++) {
		call(0, GZ_PSCI_FEATURES, yes[k], 0, 0);
		assert_int_equal(x(0, 0), GZ_PSCI_RET_SUCCESS);
	}
	static const uint32_t no[] = {GZ_PSCI_MIGRATE_32, GZ_PSCI_SYSTEM_SUSPEND_64,
				      GZ_PSCI_CPU_FREEZE, 0x12345678};
	for (size_t k = 0; k < sizeof(no) / sizeof(no[0]); k++) {
		call(0, GZ_PSCI_FEATURES, no[k], 0, 0);
		assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_NOT_SUPPORTED);
	}
	call(0, GZ_PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
	assert_int_equal(x(0, 0), GZ_PSCI_TOS_NOT_PRESENT_MP);
	call(0, GZ_PSCI_MIGRATE_64, 1, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_NOT_SUPPORTED);
	call(0, GZ_PSCI_STAT_COUNT_64, 0, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_NOT_SUPPORTED);
}

static void test_cpu_on_rules(void **state)
{
	struct gz_vcpu *v1 = vfix_vcpu(vm, 1);
	uint32_t reason;

	(void)state;
	assert_int_equal(v1->power, GZ_VCPU_OFF);
	/* An OFF vCPU idles with nothing to migrate. */
	assert_int_equal(vfix_run(vm, 1, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IDLE);
	assert_int_equal(vfix_hwstate(vm, 1)->vtimer_migrate, 0);
	assert_int_equal(vfix_guest.entries, 0);

	/* bad MPIDRs */
	call(0, GZ_PSCI_CPU_ON_64, 0x80000001, 0x80000000, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_PARAMETERS);
	call(0, GZ_PSCI_CPU_ON_64, 9, 0x80000000, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_PARAMETERS);
	call(0, GZ_PSCI_CPU_ON_64, 1ULL << 40, 0x80000000, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_PARAMETERS);
	/* bad entry points */
	call(0, GZ_PSCI_CPU_ON_64, 1, 0x80000002, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_ADDRESS);
	call(0, GZ_PSCI_CPU_ON_64, 1, 1ULL << 50, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_ADDRESS);
	assert_int_equal(v1->power, GZ_VCPU_OFF);

	/* First caller wins and the host is told to wake threads. */
	assert_int_equal(call(0, GZ_PSCI_CPU_ON_64, 1, 0x80001000, 0xc0ffee), GZVM_EXIT_IPI);
	assert_int_equal(x(0, 0), GZ_PSCI_RET_SUCCESS);
	assert_int_equal(v1->power, GZ_VCPU_ON_PENDING);
	/* Concurrent callers while it is pending: ON_PENDING, state unchanged. */
	assert_int_equal(call(2, GZ_PSCI_CPU_ON_64, 1, 0x90000000, 1), GZVM_EXIT_IDLE);
	/* vCPU 2 is OFF itself: its call never ran */
	call(0, GZ_PSCI_CPU_ON_32, 1, 0x90000000, 1);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_ON_PENDING);
	assert_int_equal(v1->on_entry, 0x80001000);
	call(0, GZ_PSCI_AFFINITY_INFO_64, 1, 0, 0);
	assert_int_equal(x(0, 0), GZ_PSCI_AFFINITY_ON_PENDING);

	/* The target starts at the entry with the context id, MMU off, EL1h, DAIF masked. */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 1, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal(vfix_guest.last.pc, 0x80001000);
	assert_int_equal(vfix_guest.last.x[0], 0xc0ffee);
	assert_int_equal(vfix_guest.last.pstate, PSR_MODE_EL1h | PSR_DAIF);
	assert_int_equal(vfix_guest.last.sys[GZ_SYS_SCTLR_EL1] & SCTLR_EL1_M, 0);
	assert_int_equal(vfix_guest.last.vmpidr_el2, MPIDR_RES1 | 1);
	assert_int_equal(v1->power, GZ_VCPU_ON);
	call(0, GZ_PSCI_CPU_ON_64, 1, 0x80000000, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_ALREADY_ON);
	call(0, GZ_PSCI_AFFINITY_INFO_64, 1, 0, 0);
	assert_int_equal(x(0, 0), GZ_PSCI_AFFINITY_ON);
}

/* Many vCPUs race to power on one target: exactly one SUCCESS. */
static void test_cpu_on_exactly_one_success(void **state)
{
	int success = 0, other = 0;

	(void)state;
	/* vCPUs 0 and, once on, 1 and 2 all try to start vCPU 3 */
	call(0, GZ_PSCI_CPU_ON_64, 1, 0x80000000, 0);
	call(0, GZ_PSCI_CPU_ON_64, 2, 0x80000000, 0);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 1, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 2, NULL);
	for (int round = 0; round < 3; round++) {
		for (uint16_t i = 0; i < 3; i++) {
			call(i, GZ_PSCI_CPU_ON_64, 3, 0x80000000 + 4 * i, i);
			if (x(i, 0) == GZ_PSCI_RET_SUCCESS)
				success++;
			else if ((int64_t)x(i, 0) == GZ_PSCI_RET_ON_PENDING)
				other++;
			else
				fail_msg("unexpected %lld", (long long)x(i, 0));
		}
	}
	assert_int_equal(success, 1);
	assert_int_equal(other, 8);
	assert_int_equal(vfix_vcpu(vm, 3)->on_entry, 0x80000000);
}

static void test_cpu_off_and_affinity(void **state)
{
	uint32_t reason;

	(void)state;
	call(0, GZ_PSCI_CPU_ON_64, 1, 0x80000000, 0);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 1, NULL);
	assert_int_equal(call(1, GZ_PSCI_CPU_OFF, 0, 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(vfix_vcpu(vm, 1)->power, GZ_VCPU_OFF);
	assert_int_equal(vfix_run(vm, 1, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IDLE);
	call(0, GZ_PSCI_AFFINITY_INFO_64, 1, 0, 0);
	assert_int_equal(x(0, 0), GZ_PSCI_AFFINITY_OFF);
	/* level 1: the cluster holding vCPU 0 is on */
	call(0, GZ_PSCI_AFFINITY_INFO_64, 1, 1, 0);
	assert_int_equal(x(0, 0), GZ_PSCI_AFFINITY_ON);
	call(0, GZ_PSCI_AFFINITY_INFO_32, 0x0300, 2, 0);
	assert_int_equal(x(0, 0), GZ_PSCI_AFFINITY_ON);
	call(0, GZ_PSCI_AFFINITY_INFO_64, 0, 3, 0);
	assert_int_equal(x(0, 0), GZ_PSCI_AFFINITY_ON);
	/* bad level, bad bits, no such CPU */
	call(0, GZ_PSCI_AFFINITY_INFO_64, 0, 4, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_PARAMETERS);
	call(0, GZ_PSCI_AFFINITY_INFO_64, 1ULL << 31, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_PARAMETERS);
	call(0, GZ_PSCI_AFFINITY_INFO_64, 0x100, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_PARAMETERS);
	/* the 32-bit variant ignores the upper halves */
	call(0, GZ_PSCI_AFFINITY_INFO_32, 0xffffffff00000000ULL, 0xffffffff00000000ULL, 0);
	assert_int_equal(x(0, 0), GZ_PSCI_AFFINITY_ON);
}

static void test_cpu_suspend_is_wfi(void **state)
{
	struct gz_vm *v = gz_vm_get(vm);

	(void)state;
	/* without the idle capability the guest simply continues */
	assert_int_equal(call(0, GZ_PSCI_CPU_SUSPEND_64, 0, 0, 0), GZVM_EXIT_FAIL_ENTRY);
	assert_int_equal(x(0, 0), GZ_PSCI_RET_SUCCESS);
	v->idle_cap = true;
	assert_int_equal(call(0, GZ_PSCI_CPU_SUSPEND_32, 0x10000, 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(x(0, 0), GZ_PSCI_RET_SUCCESS);
}

static void test_system_events(void **state)
{
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint32_t reason;

	(void)state;
	/* RESET2 with an undefined architectural type is refused */
	call(0, GZ_PSCI_SYSTEM_RESET2_64, 5, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(call(0, GZ_PSCI_SYSTEM_OFF, 0, 0, 0), GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(run->system_event.type, GZVM_SYSTEM_EVENT_SHUTDOWN);
	assert_int_equal(gz_vm_get(vm)->state, GZ_VM_OFF);
	/* every vCPU now reports the same event, and nothing runs */
	unsigned entries = vfix_guest.entries;
	assert_int_equal(vfix_run(vm, 1, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(vfix_run_page(vm, 1)->system_event.type, GZVM_SYSTEM_EVENT_SHUTDOWN);
	assert_int_equal(vfix_guest.entries, entries);
}

static void test_reset_and_reset2(void **state)
{
	(void)state;
	assert_int_equal(call(0, GZ_PSCI_SYSTEM_RESET2_32, GZ_PSCI_RESET2_VENDOR_BIT | 7, 0, 0),
			 GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(vfix_run_page(vm, 0)->system_event.type, GZVM_SYSTEM_EVENT_RESET);
	assert_int_equal(vfix_run_page(vm, 0)->system_event.data[0], GZ_PSCI_RESET2_VENDOR_BIT | 7);
	/* a second event on an OFF VM keeps the first */
	gz_vm_get(vm)->state = GZ_VM_RUNNING;
	assert_int_equal(call(0, GZ_PSCI_SYSTEM_RESET, 0, 0, 0), GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(vfix_run_page(vm, 0)->system_event.type, GZVM_SYSTEM_EVENT_RESET);
	assert_int_equal(vfix_run_page(vm, 0)->system_event.data[0], 0);
}

static void test_smccc_and_vendor(void **state)
{
	(void)state;
	call(0, GZ_SMCCC_VERSION, 0, 0, 0);
	assert_int_equal(x(0, 0), GZ_SMCCC_VERSION_1_1);
	call(0, GZ_SMCCC_ARCH_FEATURES, GZ_SMCCC_ARCH_FEATURES, 0, 0);
	assert_int_equal(x(0, 0), 0);
	call(0, GZ_SMCCC_ARCH_FEATURES, GZ_SMCCC_VERSION, 0, 0);
	assert_int_equal(x(0, 0), 0);
	call(0, GZ_SMCCC_ARCH_FEATURES, GZ_SMCCC_ARCH_WORKAROUND_1, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_NOT_SUPPORTED);
	call(0, GZ_SMCCC_ARCH_SOC_ID, 0, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_NOT_SUPPORTED);
	call(0, GZ_VENDOR_HYP_CALL_UID, 0, 0, 0);
	assert_int_equal(x(0, 0), 0xd04e137e);
	assert_int_equal(x(0, 1), 0x8d48823b);
	assert_int_equal(x(0, 2), 0xc169ee8c);
	assert_int_equal(x(0, 3), 0xe7db1192);
	call(0, GZ_VENDOR_HYP_FEATURES, 0, 0, 0);
	/* functions 0..9, pvmfw's calls 0x20..0x24 and the channel calls 0x30..0x32 */
	assert_int_equal(x(0, 0), 0x3ff | (0x1fULL << 0x20) | (7ULL << 0x30));
	call(0, GZ_VENDOR_HYP_MEMINFO, 0, 0, 0);
	assert_int_equal(x(0, 0), 4096);
	call(0, GZ_VENDOR_HYP_MEMINFO, 1, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	call(0, GZ_VENDOR_HYP_MMIO_GUARD_INFO, 0, 0, 0);
	assert_int_equal(x(0, 0), 4096);
	call(0, GZ_VENDOR_HYP_MMIO_GUARD_ENROLL, 0, 0, 0);
	assert_int_equal(x(0, 0), 0);
	call(0, GZ_VENDOR_HYP_MMIO_GUARD_ENROLL, 0, 0, 3);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	call(0, GZ_VENDOR_HYP_MMIO_GUARD_MAP, 0x9000000, 0, 0);
	assert_int_equal(x(0, 0), 0);
	call(0, GZ_VENDOR_HYP_MMIO_GUARD_UNMAP, 0x9000001, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	/* unknown owners and yielding calls */
	call(0, 0xb2000000, 0, 0, 0); /* trusted OS */
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_NOT_SUPPORTED);
	call(0, 0x04000000, 0, 0, 0); /* yielding standard call */
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_NOT_SUPPORTED);
	call(0, 0x8400001f, 0, 0, 0); /* PSCI range, undefined */
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_NOT_SUPPORTED);
	call(0, 0x84000020, 0, 0, 0); /* standard service beyond PSCI */
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_NOT_SUPPORTED);
}

/* Memory calls go through the ownership API on a VM with one populated slot (a normal VM:
 * its pages are lent; test_mem.c has both kinds). */
static void add_slot(void)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(100);
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(pa);

	memset(r, 0, 64);
	r->constituent_cnt = 1;
	r->total_pages = 8;
	r->gpa = 0x80000000;
	r->constituents[0].address = VFIX_GUEST_PAGE(0);
	r->constituents[0].pg_cnt = 8;
	assert_int_equal(hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, pa, 0, 0), GZ_OK);
}

static void test_memory_calls(void **state)
{
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);

	(void)state;
	add_slot();
	/* share, share again (refused), unshare */
	call(0, GZ_VENDOR_HYP_MEM_SHARE, 0x80001000, 0, 0);
	assert_int_equal(x(0, 0), GZ_SMCCC_RET_SUCCESS);
	assert_int_equal(gz_pgstate_state(VFIX_GUEST_PAGE(1)), GZ_PAGE_LENT_SHARED);
	call(0, GZ_VENDOR_HYP_MEM_SHARE, 0x80001000, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	call(0, GZ_VENDOR_HYP_MEM_UNSHARE, 0x80001000, 0, 0);
	assert_int_equal(x(0, 0), GZ_SMCCC_RET_SUCCESS);
	assert_int_equal(gz_pgstate_state(VFIX_GUEST_PAGE(1)), GZ_PAGE_LENT);
	/* bad arguments: unaligned, extra arguments, outside guest RAM */
	call(0, GZ_VENDOR_HYP_MEM_SHARE, 0x80001008, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	call(0, GZ_VENDOR_HYP_MEM_SHARE, 0x80001000, 0, 1);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	call(0, GZ_VENDOR_HYP_MEM_UNSHARE, 0x90000000, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	call(0, GZ_VENDOR_HYP_MEM_UNSHARE, 0x80002000, 0, 5);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	/* MMIO guard on guest RAM is refused */
	call(0, GZ_VENDOR_HYP_MMIO_GUARD_MAP, 0x80002000, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	/* relinquish: the page goes back to the host (lent: as it was, the host could read it
	 * all along), then the host hears of it */
	fix_fill(VFIX_GUEST_PAGE(2), 0x5a);
	assert_int_equal(call(0, GZ_VENDOR_HYP_MEM_RELINQUISH, 0x80002000, 0, 0),
			 GZVM_EXIT_HYPERCALL);
	assert_int_equal(run->hypercall.args[0], GZVM_HVC_MEM_RELINQUISH);
	assert_int_equal(run->hypercall.args[1], 0x80002000);
	assert_int_equal(x(0, 0), GZ_SMCCC_RET_SUCCESS);
	assert_int_equal(gz_pgstate_owner(VFIX_GUEST_PAGE(2)), GZ_OWNER_HOST);
	assert_int_equal(gz_pgstate_state(VFIX_GUEST_PAGE(2)), GZ_PAGE_OWNED);
	assert_int_equal(*(uint8_t *)gz_hal_pa_to_va(VFIX_GUEST_PAGE(2)), 0x5a);
	/* the host leaves args alone; the guest's result stays SUCCESS */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.x[0], GZ_SMCCC_RET_SUCCESS);
	/* a second relinquish of the same page is refused in the guest, no exit */
	call(0, GZ_VENDOR_HYP_MEM_RELINQUISH, 0x80002000, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
	call(0, GZ_VENDOR_HYP_MEM_RELINQUISH, 0x80002001, 0, 0);
	assert_int_equal((int64_t)x(0, 0), GZ_SMCCC_RET_INVALID_PARAMETER);
}

static void power_off_meanwhile(struct gz_cpu_ctx *ctx, void *arg)
{
	struct gz_vm *m = gz_vm_get(vm);

	(void)arg;
	ctx->x[0] = GZ_PSCI_SYSTEM_RESET;
	m->state = GZ_VM_OFF;
	m->sys_event = GZVM_SYSTEM_EVENT_SHUTDOWN;
	m->sys_event_data = 0;
}

static void test_event_race_and_warm_reset(void **state)
{
	uint32_t reason;

	(void)state;
	/* RESET2 type 0: architectural warm reset */
	assert_int_equal(call(0, GZ_PSCI_SYSTEM_RESET2_64, 0, 0, 0), GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(vfix_run_page(vm, 0)->system_event.type, GZVM_SYSTEM_EVENT_RESET);
	/* another vCPU powered off first: the first event wins */
	gz_vm_get(vm)->state = GZ_VM_RUNNING;
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 0), 0, 0, power_off_meanwhile, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(vfix_run_page(vm, 0)->system_event.type, GZVM_SYSTEM_EVENT_SHUTDOWN);
}

static void test_forwarded_ptp(void **state)
{
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);

	(void)state;
	assert_int_equal(call(0, GZ_VENDOR_HYP_PTP, GZ_PTP_VIRT_COUNTER, 0, 0),
			 GZVM_EXIT_HYPERCALL);
	assert_int_equal(run->hypercall.args[0], GZ_VENDOR_HYP_PTP);
	assert_int_equal(run->hypercall.args[1], GZ_PTP_VIRT_COUNTER);
	/* the host answers in args[0..3]; the next RUN hands them to the guest */
	run->hypercall.args[0] = 1;
	run->hypercall.args[1] = 2;
	run->hypercall.args[2] = 3;
	run->hypercall.args[3] = 4;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(vfix_guest.last.x[0], 1);
	assert_int_equal(vfix_guest.last.x[3], 4);
}

static void test_smc_conduit_and_imm(void **state)
{
	static uint64_t a[4] = {GZ_PSCI_VERSION, 0, 0, 0};
	struct gz_vcpu *v = vfix_vcpu(vm, 0);

	(void)state;
	v->ctx.pc = 0x1000;
	/* SMC #0: handled, and the PC moves past the SMC */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SMC64, 0), 0, 0, vfix_set_x, a);
	vfix_run(vm, 0, NULL);
	assert_int_equal(v->ctx.x[0], GZ_PSCI_VERSION_1_1);
	assert_int_equal(v->ctx.pc, 0x1004);
	/* HVC #1: not an SMCCC call */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 1), 0, 0, vfix_set_x, a);
	vfix_run(vm, 0, NULL);
	assert_int_equal((int64_t)v->ctx.x[0], GZ_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(v->ctx.pc, 0x1004);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_version_features),
	    T(test_cpu_on_rules),
	    T(test_cpu_on_exactly_one_success),
	    T(test_cpu_off_and_affinity),
	    T(test_cpu_suspend_is_wfi),
	    T(test_system_events),
	    T(test_reset_and_reset2),
	    T(test_smccc_and_vendor),
	    T(test_forwarded_ptp),
	    T(test_smc_conduit_and_imm),
	    T(test_memory_calls),
	    T(test_event_race_and_warm_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
