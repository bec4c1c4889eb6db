/* The simulator's GICv3 virtual CPU interface: acknowledge by priority, PMR and running
 * priority, priority drop and deactivation (EOImode 0 and 1), EOIcount, and the
 * maintenance conditions in ICH_MISR/EISR/ELRSR.
 * test-libs: gzsim_internal gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arm64/ich.h>
#include <arm64/sysreg.h>
#include <arm64/sysreg_el2.h>
#include <gzsim/sim.h>
#include "vgic_cpuif.h"

/* ICH_VTR_EL2 of the simulated interface: 5 priority and preemption bits, 24-bit INTIDs,
 * A3V, nV4, TDS, 4 list registers. */
#define VTR_SIM 0x90b80003ULL

static uint64_t lr(unsigned intid, unsigned prio, uint64_t state, bool eoi)
{
	return GZ_FIELD_PREP(ARCH_ICH_LR_STATE, state) | ARCH_ICH_LR_GROUP |
	       GZ_FIELD_PREP(ARCH_ICH_LR_PRIORITY, prio) | (eoi ? ARCH_ICH_LR_EOI : 0) | intid;
}

static struct gz_sim_ich *ich;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){.phys_size = 4 << 20, .cpu_model = -1}), 0);
	gz_sim_set_cpu_id(0);
	ich = gz_sim_ich_of(0);
	gz_hal_ich_write(GZ_ICH_HCR, ARCH_ICH_HCR_EN);
	/* group 1 on, PMR 0xf0, BPR1 minimum */
	gz_hal_ich_write(GZ_ICH_VMCR, ARCH_ICH_VMCR_ENG1 | GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0xf0));
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++)
		gz_hal_ich_write(GZ_ICH_LR(n), 0);
	gz_hal_ich_write(GZ_ICH_AP1R0, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gz_sim_fini();
	return 0;
}

static uint64_t icc_rd(uint32_t sr)
{
	uint64_t v = 0xdead;

	assert_true(gz_sim_icc_read(ich, sr, &v));
	return v;
}

static void icc_wr(uint32_t sr, uint64_t v)
{
	assert_true(gz_sim_icc_write(ich, sr, v));
}

static void test_ack_by_priority_and_eoi(void **state)
{
	(void)state;
	gz_hal_ich_write(GZ_ICH_LR(0), lr(40, 0xa0, ARCH_ICH_LR_STATE_PENDING, false));
	gz_hal_ich_write(GZ_ICH_LR(1), lr(27, 0x80, ARCH_ICH_LR_STATE_PENDING, false));
	assert_true(gz_sim_ich_irq_pending(ich));
	assert_int_equal(icc_rd(SYS_ICC_HPPIR1_EL1), 27);
	assert_int_equal(icc_rd(SYS_ICC_RPR_EL1), 0xff);
	assert_int_equal(icc_rd(SYS_ICC_IAR1_EL1), 27);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_STATE, gz_hal_ich_read(GZ_ICH_LR(1))),
			 ARCH_ICH_LR_STATE_ACTIVE);
	assert_int_equal(icc_rd(SYS_ICC_RPR_EL1), 0x80);
	/* 0xa0 does not preempt the running 0x80 */
	assert_false(gz_sim_ich_irq_pending(ich));
	assert_int_equal(icc_rd(SYS_ICC_IAR1_EL1), ICC_IAR_INTID_NONE);
	icc_wr(SYS_ICC_EOIR1_EL1, 27);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_STATE, gz_hal_ich_read(GZ_ICH_LR(1))), 0);
	assert_int_equal(icc_rd(SYS_ICC_RPR_EL1), 0xff);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_ELRSR) & 2, 2);
	assert_true(gz_sim_ich_irq_pending(ich));
	assert_int_equal(icc_rd(SYS_ICC_IAR1_EL1), 40);
}

static void test_pmr_and_group_enable(void **state)
{
	(void)state;
	gz_hal_ich_write(GZ_ICH_LR(0), lr(33, 0xf0, ARCH_ICH_LR_STATE_PENDING, false));
	assert_false(gz_sim_ich_irq_pending(ich)); /* not below PMR 0xf0 */
	icc_wr(SYS_ICC_PMR_EL1, 0xff);
	assert_int_equal(icc_rd(SYS_ICC_PMR_EL1), 0xf8); /* 5 priority bits */
	assert_true(gz_sim_ich_irq_pending(ich));
	icc_wr(SYS_ICC_IGRPEN1_EL1, 0);
	assert_int_equal(icc_rd(SYS_ICC_IGRPEN1_EL1), 0);
	assert_false(gz_sim_ich_irq_pending(ich));
	assert_int_equal(icc_rd(SYS_ICC_IAR1_EL1), ICC_IAR_INTID_NONE);
	icc_wr(SYS_ICC_IGRPEN1_EL1, 1);
	gz_hal_ich_write(GZ_ICH_HCR, 0);
	assert_false(gz_sim_ich_irq_pending(ich)); /* interface disabled */
}

static void test_eoimode1_needs_dir(void **state)
{
	(void)state;
	icc_wr(SYS_ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
	assert_int_equal(icc_rd(SYS_ICC_CTLR_EL1) & ICC_CTLR_EOIMODE, ICC_CTLR_EOIMODE);
	gz_hal_ich_write(GZ_ICH_LR(2), lr(5, 0x40, ARCH_ICH_LR_STATE_PENDING, false));
	assert_int_equal(icc_rd(SYS_ICC_IAR1_EL1), 5);
	icc_wr(SYS_ICC_EOIR1_EL1, 5);
	assert_int_equal(icc_rd(SYS_ICC_RPR_EL1), 0xff); /* dropped */
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_STATE, gz_hal_ich_read(GZ_ICH_LR(2))),
			 ARCH_ICH_LR_STATE_ACTIVE);
	icc_wr(SYS_ICC_DIR_EL1, 5);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_STATE, gz_hal_ich_read(GZ_ICH_LR(2))), 0);
}

static void test_maintenance(void **state)
{
	(void)state;
	/* EOI maintenance: an LR with EOI set that the guest deactivated */
	gz_hal_ich_write(GZ_ICH_LR(0), lr(60, 0x40, ARCH_ICH_LR_STATE_PENDING, true));
	gz_hal_ich_write(GZ_ICH_HCR, ARCH_ICH_HCR_EN | ARCH_ICH_HCR_NPIE | ARCH_ICH_HCR_UIE);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_MISR), ARCH_ICH_MISR_U); /* one valid LR */
	assert_int_equal(icc_rd(SYS_ICC_IAR1_EL1), 60);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_MISR), ARCH_ICH_MISR_U | ARCH_ICH_MISR_NP);
	icc_wr(SYS_ICC_EOIR1_EL1, 60);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_EISR), 1);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_ELRSR) & 1, 0); /* EOI set: not yet empty */
	assert_true(gz_hal_ich_read(GZ_ICH_MISR) & ARCH_ICH_MISR_EOI);
	assert_true(gz_sim_ich_maint_pending(ich));
	/* EOI of an interrupt no LR holds: EOIcount, LRENP */
	gz_hal_ich_write(GZ_ICH_HCR, ARCH_ICH_HCR_EN | ARCH_ICH_HCR_LRENPIE);
	gz_hal_ich_write(GZ_ICH_LR(0), 0);
	icc_wr(SYS_ICC_EOIR1_EL1, 99);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_HCR_EOICOUNT, gz_hal_ich_read(GZ_ICH_HCR)), 1);
	assert_true(gz_hal_ich_read(GZ_ICH_MISR) & ARCH_ICH_MISR_LRENP);
	/* group enable/disable conditions */
	gz_hal_ich_write(GZ_ICH_HCR,
			 ARCH_ICH_HCR_EN | ARCH_ICH_HCR_VGRP1EIE | ARCH_ICH_HCR_VGRP1DIE);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_MISR), ARCH_ICH_MISR_VGRP1E);
	icc_wr(SYS_ICC_IGRPEN1_EL1, 0);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_MISR), ARCH_ICH_MISR_VGRP1D);
}

static void test_register_file(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(gz_hal_ich_read(GZ_ICH_VTR), VTR_SIM);
	gz_hal_ich_write(GZ_ICH_VTR, 0); /* read-only */
	assert_int_equal(gz_hal_ich_read(GZ_ICH_VTR), VTR_SIM);
	gz_hal_ich_write(GZ_ICH_LR(7), 123); /* beyond the 4 implemented LRs */
	assert_int_equal(gz_hal_ich_read(GZ_ICH_LR(7)), 0);
	gz_hal_ich_write(GZ_ICH_AP1R1, 5);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_AP1R1), 0);
	icc_wr(SYS_ICC_BPR1_EL1, 0);
	assert_int_equal(icc_rd(SYS_ICC_BPR1_EL1), 3); /* minimum with 5 preemption bits */
	assert_int_equal(icc_rd(SYS_ICC_SRE_EL1), 7);
	icc_wr(SYS_ICC_AP1R_EL1(0), 0x10);
	assert_int_equal(icc_rd(SYS_ICC_RPR_EL1), 0x20);
	assert_false(gz_sim_icc_read(ich, SYS_ICC_SGI1R_EL1, &v)); /* traps, not the interface's */
	assert_false(gz_sim_icc_write(ich, SYS_ENC(3, 0, 12, 12, 5) + 100, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ack_by_priority_and_eoi, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pmr_and_group_enable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eoimode1_needs_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_maintenance, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_register_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
