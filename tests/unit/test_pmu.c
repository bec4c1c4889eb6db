/* The virtual PMU (src/hyp/core/pmu.c) through trapped accesses: every register, what counts
 * (the cycle counter and CPU_CYCLES from the generic counter, /64 with PMCR_EL0.D; SW_INCR),
 * the overflows (32-bit event counters, the cycle counter's low 32 bits or all 64 with
 * PMCR_EL0.LC), PPI 23's level in the vGIC, and what is UNDEFINED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arm64/pmu.h>
#include <arm64/traps.h>
#include <gzhyp/pmu.h>

#include "vm_fixture.h"

#define CYC	      (1ULL << PMU_CYCLE_BIT)
#define PMEVCNTR(n)   SYS_ENC(3, 3, 14, 8 + (n) / 8, (n) % 8)
#define PMEVTYPER(n)  SYS_ENC(3, 3, 14, 12 + (n) / 8, (n) % 8)
#define IN_VECTOR     0x80010200 /* UNDEFINED: the guest's sync vector */
#define PAST_THE_INSN 0x80000004

static uint16_t vm;

static void guest_at(struct gz_cpu_ctx *ctx, void *arg)
{
	ctx->pc = 0x80000000;
	ctx->pstate = PSR_MODE_EL1h;
	ctx->sys[GZ_SYS_VBAR_EL1] = 0x80010000;
	ctx->x[5] = *(uint64_t *)arg;
}

/* One trapped access of x5 at the generic counter's @now; the PC after it. */
static uint64_t access_at(uint32_t enc, bool read, uint64_t *val, uint64_t now)
{
	uint32_t iss = SYS_ISS(SYS_ENC_OP0(enc), SYS_ENC_OP1(enc), SYS_ENC_CRN(enc),
			       SYS_ENC_CRM(enc), SYS_ENC_OP2(enc), 5, read);

	fake_hal_set_cntpct(now);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, iss), 0, 0, guest_at, val);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	if (read)
		*val = vfix_guest.last.x[5];
	return vfix_vcpu(vm, 0)->ctx.pc;
}

static uint64_t now_;

static void wr(uint32_t enc, uint64_t val)
{
	assert_int_equal(access_at(enc, false, &val, now_), PAST_THE_INSN);
}

static uint64_t rd(uint32_t enc)
{
	uint64_t val = 0x5555;

	assert_int_equal(access_at(enc, true, &val, now_), PAST_THE_INSN);
	return val;
}

static bool undefined(uint32_t enc, bool read)
{
	uint64_t val = 0;

	return access_at(enc, read, &val, now_) == IN_VECTOR;
}

/* PPI 23's line in the vGIC */
static bool line(void)
{
	struct gz_vm *v = gz_vm_get(vm);
	struct gz_vgic_irq_info info;

	assert_int_equal(gz_vgic_irq_info(&v->vgic, 0, GZ_PMU_PPI, &info), GZ_OK);
	return info.line;
}

/* The generic counter at 1000 when the vCPU is created (the PMU's time base). */
static int setup(void **state)
{
	(void)state;
	if (vfix_init() != GZ_OK)
		return -1;
	now_ = 1000;
	fake_hal_set_cntpct(now_);
	vfix_guest_reset();
	vm = vfix_create_vm();
	return vm && vfix_create_vcpu(vm, 0) == GZ_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return vfix_teardown() ? 0 : -1; /* no lock left held */
}

static void test_identity_and_reset(void **state)
{
	(void)state;
	assert_int_equal(rd(SYS_PMCR_EL0), GZ_PMU_NR_COUNTERS << PMCR_N_SHIFT);
	assert_int_equal(rd(SYS_PMCEID0_EL0), (1u << PMU_EV_SW_INCR) | (1u << PMU_EV_CPU_CYCLES));
	assert_int_equal(rd(SYS_PMCEID1_EL0), 0);
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 0);
	assert_int_equal(rd(SYS_PMCNTENSET_EL0), 0);
	/* EL0 gets no access: PMUSERENR_EL0 reads as zero whatever is written */
	wr(SYS_PMUSERENR_EL0, 0xf);
	assert_int_equal(rd(SYS_PMUSERENR_EL0), 0);
	/* write-only, read-only, counters it does not have, the rest of the PMU space */
	assert_true(undefined(SYS_PMSWINC_EL0, true));
	assert_true(undefined(SYS_PMCEID0_EL0, false));
	assert_true(undefined(PMEVCNTR(GZ_PMU_NR_COUNTERS), true));
	assert_true(undefined(PMEVTYPER(30), false));
	assert_true(undefined(SYS_ENC(3, 3, 9, 14, 4), true));
	wr(SYS_PMSELR_EL0, PMSELR_SEL_CYCLE);
	assert_true(undefined(SYS_PMXEVCNTR_EL0, true)); /* the cycle counter has no XEVCNTR */
	assert_int_equal(line(), false);
}

static void test_bitmaps_and_selection(void **state)
{
	(void)state;
	wr(SYS_PMCNTENSET_EL0, ~0ULL);
	assert_int_equal(rd(SYS_PMCNTENCLR_EL0), CYC | 0xf);
	wr(SYS_PMCNTENCLR_EL0, 0x3);
	assert_int_equal(rd(SYS_PMCNTENSET_EL0), CYC | 0xc);
	wr(SYS_PMINTENSET_EL1, 0x80000001);
	wr(SYS_PMINTENCLR_EL1, 1);
	assert_int_equal(rd(SYS_PMINTENSET_EL1), CYC);
	wr(SYS_PMOVSSET_EL0, 0x6);
	wr(SYS_PMOVSCLR_EL0, 0x2);
	assert_int_equal(rd(SYS_PMOVSCLR_EL0), 0x4);
	/* the selected counter and its type; 31 selects PMCCFILTR_EL0 */
	wr(SYS_PMSELR_EL0, 0xff);
	assert_int_equal(rd(SYS_PMSELR_EL0), PMSELR_SEL_CYCLE);
	wr(SYS_PMXEVTYPER_EL0, ~0ULL);
	assert_int_equal(rd(SYS_PMCCFILTR_EL0), PMEVTYPER_FILTERS);
	wr(SYS_PMSELR_EL0, 2);
	wr(SYS_PMXEVTYPER_EL0, ~0ULL);
	assert_int_equal(rd(PMEVTYPER(2)), PMEVTYPER_FILTERS | PMEVTYPER_EVTCOUNT);
	wr(SYS_PMXEVCNTR_EL0, 0x1234);
	assert_int_equal(rd(PMEVCNTR(2)), 0x1234);
	assert_int_equal(rd(SYS_PMXEVCNTR_EL0), 0x1234);
	wr(PMEVTYPER(3), PMU_EV_CPU_CYCLES);
	assert_int_equal(rd(SYS_PMXEVTYPER_EL0), PMEVTYPER_FILTERS | PMEVTYPER_EVTCOUNT);
	/* X and DP are not implemented, N is read-only; P and C reset the counters */
	wr(PMEVCNTR(1), 7);
	wr(SYS_PMCCNTR_EL0, 9);
	wr(SYS_PMCR_EL0, 0xffffULL & ~(PMCR_E | PMCR_P | PMCR_C));
	assert_int_equal(rd(SYS_PMCR_EL0), PMCR_D | PMCR_LC | GZ_PMU_NR_COUNTERS << PMCR_N_SHIFT);
	assert_int_equal(rd(PMEVCNTR(1)), 7);
	wr(SYS_PMCR_EL0, PMCR_P);
	assert_int_equal(rd(PMEVCNTR(1)), 0);
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 9);
	wr(SYS_PMCR_EL0, PMCR_C);
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 0);
}

/* The cycle counter and a CPU_CYCLES counter follow the generic counter while the PMU and
 * they are enabled; PMCR_EL0.D divides the cycle counter by 64. */
static void test_cycles(void **state)
{
	(void)state;
	wr(PMEVTYPER(1), PMU_EV_CPU_CYCLES);
	wr(SYS_PMCNTENSET_EL0, CYC | 0x3); /* counter 0 counts SW_INCR: not time */
	now_ += 100;
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 0); /* PMCR_EL0.E clear */
	wr(SYS_PMCR_EL0, PMCR_E);
	now_ += 100;
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 100);
	assert_int_equal(rd(PMEVCNTR(1)), 100);
	assert_int_equal(rd(PMEVCNTR(0)), 0);
	wr(SYS_PMCR_EL0, PMCR_E | PMCR_D);
	now_ += 130;
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 102); /* 130 / 64, 2 left over */
	now_ += 62;
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 103);
	assert_int_equal(rd(PMEVCNTR(1)), 292); /* events are not divided */
	wr(SYS_PMCNTENCLR_EL0, CYC);
	now_ += 1000;
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 103);
	assert_int_equal(line(), false);
}

static unsigned counter_reads;

static void count_read(uint64_t now, void *arg)
{
	(void)now, (void)arg;
	counter_reads++;
}

/* The run loop's update before and after each entry reads the counter only while the PMU is
 * on (PMCR_EL0.E): a guest that never turns it on costs no counter read for it. */
static void test_update_reads_counter_when_on(void **state)
{
	struct gz_vm *v = gz_vm_get(vm);
	struct gz_vpmu *p = &vfix_vcpu(vm, 0)->pmu;

	(void)state;
	fake_hal_set_cntpct_hook(count_read, NULL);
	counter_reads = 0;
	assert_int_equal(gz_pmu_update(p, &v->vgic, 0), GZ_OK);
	assert_int_equal(counter_reads, 0);
	fake_hal_set_cntpct_hook(NULL, NULL);
	wr(SYS_PMCNTENSET_EL0, CYC);
	wr(SYS_PMCR_EL0, PMCR_E);
	fake_hal_set_cntpct_hook(count_read, NULL);
	now_ += 50;
	fake_hal_set_cntpct(now_);
	assert_int_equal(gz_pmu_update(p, &v->vgic, 0), GZ_OK);
	assert_int_equal(counter_reads, 1);
	fake_hal_set_cntpct_hook(NULL, NULL);
	/* the update brought the cycle count up to that read */
	assert_int_equal(p->ccnt, 50);
}

/* Overflows: an event counter wrapping 32 bits, the cycle counter's low 32 bits, or all 64
 * with PMCR_EL0.LC; the line is up while an overflow flag has its interrupt enabled and the PMU
 * is, down when the flag clears; the run loop brings time-based counts up at each entry. */
static void test_overflow_interrupt(void **state)
{
	(void)state;
	wr(PMEVTYPER(0), PMU_EV_SW_INCR);
	wr(SYS_PMCNTENSET_EL0, 0x1);
	wr(SYS_PMCR_EL0, PMCR_E);
	wr(PMEVCNTR(0), 0xfffffffe);
	wr(SYS_PMSWINC_EL0, 0x3); /* counter 1 is off */
	assert_int_equal(rd(PMEVCNTR(0)), 0xffffffff);
	assert_int_equal(rd(SYS_PMOVSSET_EL0), 0);
	wr(SYS_PMSWINC_EL0, 0x1);
	assert_int_equal(rd(PMEVCNTR(0)), 0);
	assert_int_equal(rd(SYS_PMOVSSET_EL0), 0x1);
	assert_false(line()); /* no interrupt enabled */
	wr(SYS_PMINTENSET_EL1, 0x1);
	assert_true(line());
	wr(SYS_PMCR_EL0, 0); /* the PMU off: the line too */
	assert_false(line());
	wr(SYS_PMCR_EL0, PMCR_E);
	assert_true(line());
	wr(SYS_PMOVSCLR_EL0, 0x1);
	assert_false(line());

	/* the cycle counter's low 32 bits wrap, seen at the next entry (gz_pmu_update) */
	wr(SYS_PMINTENSET_EL1, CYC);
	wr(SYS_PMCCNTR_EL0, 0xffffff00ULL);
	wr(SYS_PMCNTENSET_EL0, CYC);
	now_ += 0x100;
	fake_hal_set_cntpct(now_);
	assert_int_equal(gz_pmu_update(&vfix_vcpu(vm, 0)->pmu, &gz_vm_get(vm)->vgic, 0), GZ_OK);
	assert_true(line());
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 0x100000000ULL);
	assert_int_equal(rd(SYS_PMOVSSET_EL0), CYC);
	wr(SYS_PMOVSCLR_EL0, CYC);
	/* with LC only the 64-bit wrap overflows */
	wr(SYS_PMCR_EL0, PMCR_E | PMCR_LC);
	wr(SYS_PMCCNTR_EL0, 0xffffff00ULL);
	now_ += 0x200;
	assert_int_equal(rd(SYS_PMOVSSET_EL0), 0);
	wr(SYS_PMCCNTR_EL0, ~0ULL - 0xf);
	now_ += 0x20;
	assert_int_equal(rd(SYS_PMCCNTR_EL0), 0x10);
	assert_int_equal(rd(SYS_PMOVSSET_EL0), CYC);
	assert_true(line());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_identity_and_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bitmaps_and_selection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cycles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overflow_interrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_reads_counter_when_on, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
