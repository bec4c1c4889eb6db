/* GET_ONE_REG / SET_ONE_REG (src/hyp/core/one_reg.c) through the host calls: every CORE
 * register that fits 64 bits, the EL1 system registers, MPIDR, the timer ids, size and
 * encoding errors, PSTATE validation, and the running-vCPU rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzhyp/one_reg.h>
#include <gzhyp/vtimer.h>

#include "vm_fixture.h"

static uint16_t vm;
static uint64_t t0;

static int setup(void **state)
{
	(void)state;
	vm = vfix_setup_vm(2);
	assert_int_not_equal(vm, 0);
	t0 = gz_hvc_tuple(vm, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_true(vfix_teardown());
	return 0;
}

static int64_t set(uint64_t id, uint64_t val)
{
	return hstatus(GZ_HVC_SET_ONE_REG, t0, id, val, 0, 0);
}

static uint64_t get(uint64_t id, int64_t *st)
{
	struct gz_smccc_regs r = hcall(GZ_HVC_GET_ONE_REG, t0, id, 0, 0, 0);

	*st = (int64_t)r.a[0];
	return r.a[1];
}

static void roundtrip(uint64_t id, uint64_t val, uint64_t *slot)
{
	int64_t st;

	if (set(id, val) != GZ_OK)
		fail_msg("set 0x%llx failed", (unsigned long long)id);
	if (slot)
		assert_int_equal(*slot, val);
	assert_int_equal(get(id, &st), val);
	assert_int_equal(st, GZ_OK);
}

static void test_core_registers(void **state)
{
	struct gz_cpu_ctx *c = &vfix_vcpu(vm, 0)->ctx;

	(void)state;
	for (int i = 0; i < 31; i++)
		roundtrip(GZVM_REG_CORE_X(i), 0x1000 + (uint64_t)i, &c->x[i]);
	roundtrip(GZVM_REG_CORE_SP, 0x5000, &c->sp_el0);
	roundtrip(GZVM_REG_CORE_PC, 0x80000000, &c->pc);
	roundtrip(GZVM_REG_CORE_PSTATE, PSR_MODE_EL1h | PSR_DAIF, &c->pstate);
	roundtrip(GZVM_REG_CORE_PSTATE, PSR_MODE_EL0t, &c->pstate);
	roundtrip(GZVM_REG_CORE_PSTATE, PSR_MODE_EL1t, &c->pstate);
	roundtrip(GZVM_REG_CORE_SP_EL1, 0x6000, &c->sp_el1);
	roundtrip(GZVM_REG_CORE_ELR_EL1, 0x7000, &c->elr_el1);
	roundtrip(GZVM_REG_CORE_SPSR(0), 0x3c5, &c->spsr_el1);
	roundtrip(GZVM_REG_CORE_FPSR, 0x8000001f, NULL);
	assert_int_equal(c->fp.fpsr, 0x8000001f);
	roundtrip(GZVM_REG_CORE_FPCR, 0x03c00000, NULL);
	assert_int_equal(c->fp.fpcr, 0x03c00000);
	/* the boot vCPU's first run sees what the VMM set */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, 0x80000000);
	assert_int_equal(vfix_guest.last.x[0], 0x1000);
}

/* PSTATE bits with no meaning for an AArch64 EL1/EL0 guest (RES0 in SPSR_EL2, or features
 * the VM does not have: ALLINT, TCO, PM...) are refused, not handed to the exception
 * return; the defined ones round-trip. */
static void test_pstate_reserved_bits(void **state)
{
	static const uint64_t bad[] = {
	    1ULL << 13, 1ULL << 14, 1ULL << 19, 1ULL << 25, 1ULL << 26,
	    1ULL << 27, 1ULL << 32, 1ULL << 33, 1ULL << 36, 1ULL << 63,
	};
	struct gz_cpu_ctx *c = &vfix_vcpu(vm, 0)->ctx;
	uint64_t before = c->pstate;

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(set(GZVM_REG_CORE_PSTATE, PSR_MODE_EL1h | bad[i]),
				 GZ_ERR_INVALID_ARGS);
	assert_int_equal(c->pstate, before);
	roundtrip(GZVM_REG_CORE_PSTATE,
		  PSR_MODE_EL1h | PSR_DAIF | PSR_NZCV | PSR_BTYPE | PSR_SSBS | PSR_IL | PSR_SS |
		      PSR_PAN | PSR_UAO | PSR_DIT,
		  &c->pstate);
}

static void test_core_errors(void **state)
{
	struct gz_cpu_ctx *c = &vfix_vcpu(vm, 0)->ctx;
	uint64_t before = c->pstate;
	int64_t st;

	(void)state;
	/* PSTATE: only AArch64 EL0t/EL1t/EL1h */
	assert_int_equal(set(GZVM_REG_CORE_PSTATE, PSR_MODE_EL2h), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_CORE_PSTATE, PSR_MODE_EL2t), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_CORE_PSTATE, 0xd), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_CORE_PSTATE, PSR_MODE_nRW | 0x3), GZ_ERR_INVALID_ARGS);
	assert_int_equal(c->pstate, before);
	/* wrong sizes */
	assert_int_equal(set(GZVM_REG_CORE_X(0) & ~GZVM_REG_SIZE_MASK, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set((GZVM_REG_CORE_X(0) & ~GZVM_REG_SIZE_MASK) | GZVM_REG_SIZE_U32, 1),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(set((GZVM_REG_CORE_FPSR & ~GZVM_REG_SIZE_MASK) | GZVM_REG_SIZE_U64, 1),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_CORE_FPSR, 1ULL << 32), GZ_ERR_INVALID_ARGS);
	/* V registers do not fit a 64-bit hypercall register */
	assert_int_equal(set(GZVM_REG_CORE_V(0), 1), GZ_ERR_NOT_SUPPORTED);
	get(GZVM_REG_CORE_V(31), &st);
	assert_int_equal(st, GZ_ERR_NOT_SUPPORTED);
	/* odd offsets, the padding, AArch32 SPSRs, beyond the structure, stray bits */
	assert_int_equal(set(GZVM_REG_CORE_X(0) + 1, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_CORE_SPSR(1), 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_CORE_ID(GZVM_REG_SIZE_U64, __pad), 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_CORE_X(0) + 0x1000, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_CORE_X(0) | (1ULL << 40), 1), GZ_ERR_INVALID_ARGS);
	/* wrong architecture and unknown groups */
	assert_int_equal(set((GZVM_REG_CORE_X(0) & ~GZVM_REG_ARCH_MASK) | GZVM_REG_ARM, 1),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_REG_ARCH_ARM64 | GZVM_REG_SIZE_U64 | GZVM_REG_ARM_DEMUX, 1),
			 GZ_ERR_NOT_SUPPORTED);
	assert_int_equal(set(GZVM_REG_ARCH_ARM64 | GZVM_REG_SIZE_U64 | (0x14ULL << 16), 1),
			 GZ_ERR_NOT_SUPPORTED);
}

/* ACTLR_EL1 is IMPLEMENTATION DEFINED CPU control: the guest's own accesses trap (HCR_EL2.TACR)
 * and UNDEF, so a host must not get a value of its choice loaded into the physical register
 * through SET_ONE_REG either. Reads work; a write must agree with the value there. */
static void test_actlr_not_host_writable(void **state)
{
	const uint64_t id = GZVM_ARM64_SYS_REG(3, 0, 1, 0, 1);
	struct gz_vcpu *v = vfix_vcpu(vm, 0);
	uint64_t before = v->ctx.sys[GZ_SYS_ACTLR_EL1];
	int64_t st;

	(void)state;
	assert_int_equal(set(id, before ^ 0xdead), GZ_ERR_INVALID_ARGS);
	assert_int_equal(v->ctx.sys[GZ_SYS_ACTLR_EL1], before);
	assert_int_equal(get(id, &st), before);
	assert_int_equal(st, GZ_OK);
	assert_int_equal(set(id, before), GZ_OK);
	assert_true(v->ctx.hcr_el2 & HCR_TACR);
}

static void test_sysregs(void **state)
{
	struct gz_vcpu *v = vfix_vcpu(vm, 0);
	static const struct {
		unsigned op0, op1, crn, crm, op2;
		enum gz_sysreg idx;
	} t[] = {
	    {3, 0, 1, 0, 0, GZ_SYS_SCTLR_EL1},
	    {3, 0, 1, 0, 2, GZ_SYS_CPACR_EL1},
	    {3, 0, 2, 0, 0, GZ_SYS_TTBR0_EL1},
	    {3, 0, 2, 0, 1, GZ_SYS_TTBR1_EL1},
	    {3, 0, 2, 0, 2, GZ_SYS_TCR_EL1},
	    {3, 0, 5, 2, 0, GZ_SYS_ESR_EL1},
	    {3, 0, 5, 1, 0, GZ_SYS_AFSR0_EL1},
	    {3, 0, 5, 1, 1, GZ_SYS_AFSR1_EL1},
	    {3, 0, 6, 0, 0, GZ_SYS_FAR_EL1},
	    {3, 0, 10, 2, 0, GZ_SYS_MAIR_EL1},
	    {3, 0, 10, 3, 0, GZ_SYS_AMAIR_EL1},
	    {3, 0, 12, 0, 0, GZ_SYS_VBAR_EL1},
	    {3, 0, 13, 0, 1, GZ_SYS_CONTEXTIDR_EL1},
	    {3, 3, 13, 0, 2, GZ_SYS_TPIDR_EL0},
	    {3, 3, 13, 0, 3, GZ_SYS_TPIDRRO_EL0},
	    {3, 0, 13, 0, 4, GZ_SYS_TPIDR_EL1},
	    {3, 0, 7, 4, 0, GZ_SYS_PAR_EL1},
	    {3, 0, 14, 1, 0, GZ_SYS_CNTKCTL_EL1},
	    {3, 2, 0, 0, 0, GZ_SYS_CSSELR_EL1},
	    {2, 0, 0, 2, 2, GZ_SYS_MDSCR_EL1},
	    {3, 3, 14, 3, 1, GZ_SYS_CNTV_CTL_EL0},
	    {3, 3, 14, 0, 2, GZ_SYS_CNTV_CVAL_EL0}, /* KVM's TIMER_CVAL id */
	};
	int64_t st;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t id = GZVM_ARM64_SYS_REG(t[i].op0, t[i].op1, t[i].crn, t[i].crm, t[i].op2);

		roundtrip(id, 0xabc0 + i, &v->ctx.sys[t[i].idx]);
	}
	/* MPIDR: readable, writes must agree */
	assert_int_equal(get(GZVM_ARM64_SYS_REG(3, 0, 0, 0, 5), &st), MPIDR_RES1);
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 0, 0, 0, 5), MPIDR_RES1), GZ_OK);
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 0, 0, 0, 5), MPIDR_RES1 | 1),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(hcall(GZ_HVC_GET_ONE_REG, gz_hvc_tuple(vm, 1),
			       GZVM_ARM64_SYS_REG(3, 0, 0, 0, 5), 0, 0, 0)
			     .a[1],
			 MPIDR_RES1 | 1);
	/* KVM's TIMER_CNT id: the guest's virtual count, not writable */
	fake_hal_set_cntpct(gz_vm_get(vm)->cntvoff + 12345);
	assert_int_equal(get(GZVM_ARM64_SYS_REG(3, 3, 14, 3, 2), &st), 12345);
	assert_int_equal(st, GZ_OK);
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 3, 14, 3, 2), 0), GZ_ERR_NOT_SUPPORTED);
	/* KVM's PTIMER_CNT: the guest's physical count, the same view; not writable */
	assert_int_equal(get(GZVM_ARM64_SYS_REG(3, 3, 14, 0, 1), &st), 12345);
	assert_int_equal(st, GZ_OK);
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 3, 14, 0, 1), 0), GZ_ERR_NOT_SUPPORTED);
	/* KVM's PTIMER_CVAL and PTIMER_CTL: the emulated timer's state, saved and restored; CTL
	 * keeps ENABLE and IMASK and reads ISTATUS from the count */
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 3, 14, 2, 2), 12000), GZ_OK);
	assert_int_equal(v->ctx.cntp_cval, 12000);
	assert_int_equal(get(GZVM_ARM64_SYS_REG(3, 3, 14, 2, 2), &st), 12000);
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 3, 14, 2, 1), 0xff), GZ_OK);
	assert_int_equal(v->ctx.cntp_ctl, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	assert_int_equal(get(GZVM_ARM64_SYS_REG(3, 3, 14, 2, 1), &st),
			 CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS);
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 3, 14, 2, 2), 20000), GZ_OK);
	assert_int_equal(get(GZVM_ARM64_SYS_REG(3, 3, 14, 2, 1), &st),
			 CNT_CTL_ENABLE | CNT_CTL_IMASK);
	/* TVAL is not a KVM id (CVAL says it all) */
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 3, 14, 2, 0), 0), GZ_ERR_NOT_SUPPORTED);
	/* ID registers and unknown ones */
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 0, 0, 4, 0), 0), GZ_ERR_NOT_SUPPORTED);
	get(GZVM_ARM64_SYS_REG(3, 0, 15, 0, 0), &st);
	assert_int_equal(st, GZ_ERR_NOT_SUPPORTED);
	/* a sysreg id must be 64 bits wide with no stray bits */
	assert_int_equal(
	    set((GZVM_ARM64_SYS_REG(3, 0, 1, 0, 0) & ~GZVM_REG_SIZE_MASK) | GZVM_REG_SIZE_U32, 0),
	    GZ_ERR_INVALID_ARGS);
	assert_int_equal(set(GZVM_ARM64_SYS_REG(3, 0, 1, 0, 0) | (1ULL << 30), 0),
			 GZ_ERR_INVALID_ARGS);
}

static void test_call_errors(void **state)
{
	int64_t st;

	(void)state;
	assert_int_equal(
	    hstatus(GZ_HVC_SET_ONE_REG, gz_hvc_tuple(vm, 2), GZVM_REG_CORE_PC, 0, 0, 0),
	    GZ_ERR_INVALID_ARGS);
	assert_int_equal(
	    hstatus(GZ_HVC_GET_ONE_REG, gz_hvc_tuple(vm + 1, 0), GZVM_REG_CORE_PC, 0, 0, 0),
	    GZ_ERR_INVALID_ARGS);
	vfix_vcpu(vm, 0)->running = true;
	assert_int_equal(set(GZVM_REG_CORE_PC, 0), GZ_ERR_BUSY);
	get(GZVM_REG_CORE_PC, &st);
	assert_int_equal(st, GZ_ERR_BUSY);
	vfix_vcpu(vm, 0)->running = false;
	/* a failed get returns no value */
	vfix_vcpu(vm, 0)->ctx.pc = 0x1234;
	assert_int_equal(hcall(GZ_HVC_GET_ONE_REG, t0, GZVM_REG_CORE_V(0), 0, 0, 0).a[1], 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_core_registers),	     T(test_core_errors), T(test_pstate_reserved_bits),
	    T(test_actlr_not_host_writable), T(test_sysregs),	  T(test_call_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
