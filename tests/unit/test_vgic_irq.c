/* Unit tests of the injection path and interrupt semantics: SPI routing and kicks, SGI
 * target lists, RS, IRM = 1 broadcast and group filtering, edge coalescing, level lines,
 * pulses, the WFI pending query (priority mask, group enables), argument validation. */
#include "vgic_test_env.h"

static unsigned deliver_all(unsigned vcpu, int *out)
{
	struct t_run r = {0};

	t_run(vcpu, &r, NULL);
	for (unsigned i = 0; i < r.nr; i++)
		out[i] = r.got[i];
	return r.nr;
}

static void test_spi_routing(void **s)
{
	(void)s;
	int got[64];
	struct gz_vgic_irq_info info;

	t_setup(4, 4, 32);
	t_enable(4);
	t_spi(45, 0x20, true);
	/* Reset route 0.0.0.0 is vCPU 0. */
	gz_vgic_irq_info(&vg, 0, 45, &info);
	assert_int_equal(info.target, 0);
	mw(0, T_DIST + ARCH_GICD_IROUTER + 45 * 8, 8, 3); /* vCPU 3 */
	kicks = 0;
	assert_int_equal(gz_vgic_inject(&vg, 0, 45, GZ_VGIC_LINE_HIGH), GZ_OK);
	assert_int_equal(kicks, 1u << 3);
	assert_int_equal(deliver_all(0, got), 0);
	assert_int_equal(deliver_all(3, got), 1);
	assert_int_equal(got[0], 45);
	/* Route to an affinity nobody has: stays pending, delivered to nobody, until a vCPU
	 * with that affinity appears. */
	mw(0, T_DIST + ARCH_GICD_IROUTER + 45 * 8, 8, 0x0200);
	kicks = 0;
	gz_vgic_inject(&vg, 0, 45, GZ_VGIC_LINE_HIGH);
	assert_int_equal(kicks, 0);
	for (unsigned c = 0; c < 4; c++)
		assert_int_equal(deliver_all(c, got), 0);
	assert_int_equal(gz_vgic_vcpu_init(&vg, 7, 0x0200), GZ_OK);
	vg.cpu[7].vmcr = vg.cpu[0].vmcr;
	assert_int_equal(deliver_all(7, got), 1);
	/* Disabled or group-disabled interrupts are not delivered but stay pending. */
	mw(0, T_DIST + ARCH_GICD_ICENABLER + 4, 4, 1u << 13);
	gz_vgic_inject(&vg, 0, 45, GZ_VGIC_LINE_HIGH);
	assert_int_equal(deliver_all(7, got), 0);
	mw(0, T_DIST + ARCH_GICD_CTLR, 4, ARCH_GICD_CTLR_ENABLE_G0);
	mw(0, T_DIST + ARCH_GICD_ISENABLER + 4, 4, 1u << 13);
	assert_int_equal(deliver_all(7, got), 0);
	kicks = 0;
	mw(0, T_DIST + ARCH_GICD_CTLR, 4, ARCH_GICD_CTLR_ENABLE_G1);
	assert_int_equal(kicks, 0x8f);
	assert_int_equal(deliver_all(7, got), 1);
}

static void test_sgi_targets(void **s)
{
	(void)s;
	struct gz_vgic_irq_info info;
	/* vCPUs 0..5: affinities 0.0.0.{0..3}, 0.0.1.{0,1}. */
	t_setup(4, 6, 32);
	t_enable(6);
	/* SGI 3 to Aff1 = 0, target list {1, 3}. */
	kicks = 0;
	assert_int_equal(gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI1R, (3ULL << 24) | 0xa), GZ_OK);
	assert_int_equal(kicks, (1u << 1) | (1u << 3));
	for (unsigned c = 0; c < 6; c++) {
		gz_vgic_irq_info(&vg, c, 3, &info);
		assert_int_equal(info.pending, c == 1 || c == 3);
		gz_vgic_irq_info(&vg, c, 2, &info);
		assert_false(info.pending);
	}
	/* Aff1 = 1, list {1}: vCPU 5 only. */
	kicks = 0;
	gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI1R, (7ULL << 24) | (1ULL << 16) | 0x2);
	assert_int_equal(kicks, 1u << 5);
	/* RS = 1 selects Aff0 16..31: nobody here. */
	kicks = 0;
	gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI1R, (7ULL << 24) | (1ULL << 44) | 0xffff);
	assert_int_equal(kicks, 0);
	/* Aff2 / Aff3 mismatch: nobody. */
	gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI1R, (7ULL << 24) | (1ULL << 32) | 0xffff);
	gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI1R, (7ULL << 24) | (1ULL << 48) | 0xffff);
	assert_int_equal(kicks, 0);
	/* IRM = 1: everyone but the sender. */
	gz_vgic_sysreg_sgi(&vg, 2, GZ_VGIC_SGI1R, (9ULL << 24) | GZ_BIT(40));
	assert_int_equal(kicks, 0x3b);
	/* Group filtering: SGI 9 is Group 1, so SGI0R/ASGI1R do nothing; make SGI 10 Group 0
	 * on vCPU 1 and SGI0R reaches it. */
	for (unsigned c = 0; c < 6; c++)
		mw(c, T_SGI(c) + ARCH_GICR_ICPENDR0, 4, 0xffff);
	kicks = 0;
	gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI0R, (9ULL << 24) | GZ_BIT(40));
	gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_ASGI1R, (9ULL << 24) | GZ_BIT(40));
	assert_int_equal(kicks, 0);
	mw(0, T_SGI(1) + ARCH_GICR_IGROUPR0, 4, ~(1u << 10));
	gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI0R, (10ULL << 24) | 0x2);
	assert_int_equal(kicks, 1u << 1);
	gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI1R, (10ULL << 24) | 0x4);
	gz_vgic_irq_info(&vg, 2, 10, &info);
	assert_true(info.pending);
	/* Delivered as SGIs through the LRs. */
	int got[8];

	assert_int_equal(deliver_all(1, got), 1);
	assert_int_equal(got[0], 10);
	/* Errors. */
	assert_int_equal(gz_vgic_sysreg_sgi(&vg, 6, GZ_VGIC_SGI1R, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_sysreg_sgi(&vg, 0, (enum gz_vgic_sgi_reg)3, 0),
			 GZ_ERR_INVALID_ARGS);
}

static void lower_ppi(int intid)
{
	gz_vgic_inject(&vg, 0, (uint32_t)intid, GZ_VGIC_LINE_LOW);
}

static void test_edge_and_level(void **s)
{
	(void)s;
	int got[8];
	struct gz_vgic_irq_info info;

	t_setup(4, 1, 32);
	t_enable(1);
	/* Edges while pending coalesce into one delivery. */
	t_spi(40, 0x40, true);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_LOW); /* falling edge: nothing */
	assert_int_equal(deliver_all(0, got), 1);
	/* An edge while active (acknowledged, not yet EOI'd) is delivered again after EOI. */
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(model_ack(4), 40);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	gz_vgic_irq_info(&vg, 0, 40, &info);
	assert_true(info.active);
	assert_true(info.pending);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(model_lr_state(fake_hal_ich(GZ_ICH_LR(0))),
			 ARCH_ICH_LR_STATE_PENDING_ACTIVE);
	model_eoi(4, 40);
	assert_int_equal(model_ack(4), 40);
	model_eoi(4, 40);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
	/* Level: pending exactly while the line is high, even when disabled. */
	t_spi(41, 0x40, false);
	mw(0, T_DIST + ARCH_GICD_ICENABLER + 4, 4, 1u << 9);
	gz_vgic_inject(&vg, 0, 41, GZ_VGIC_LINE_HIGH);
	gz_vgic_irq_info(&vg, 0, 41, &info);
	assert_true(info.pending);
	assert_true(info.line);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
	gz_vgic_inject(&vg, 0, 41, GZ_VGIC_LINE_LOW);
	gz_vgic_irq_info(&vg, 0, 41, &info);
	assert_false(info.pending);
	/* A pulse on a level interrupt latches it until acknowledged. */
	mw(0, T_DIST + ARCH_GICD_ISENABLER + 4, 4, 1u << 9);
	gz_vgic_inject(&vg, 0, 41, GZ_VGIC_PULSE);
	assert_true(gz_vgic_vcpu_pending(&vg, 0));
	assert_int_equal(deliver_all(0, got), 1);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
	/* PPIs: typed injection into one vCPU's bank (level); the device drops the line in
	 * the handler, so one delivery. */
	struct t_run r = {0};

	mw(0, T_SGI(0) + ARCH_GICR_ISENABLER0, 4, 1u << 27);
	gz_vgic_inject(&vg, 0, 27, GZ_VGIC_LINE_HIGH);
	t_run(0, &r, lower_ppi);
	assert_int_equal(r.nr, 1);
	assert_int_equal(r.got[0], 27);
}

static void test_pending_query(void **s)
{
	(void)s;
	t_setup(4, 2, 32);
	t_enable(2);
	t_spi(40, 0x80, true);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	assert_true(gz_vgic_vcpu_pending(&vg, 0));
	assert_false(gz_vgic_vcpu_pending(&vg, 1));
	assert_false(gz_vgic_vcpu_pending(&vg, 2));
	assert_false(gz_vgic_vcpu_pending(&vg, 100));
	/* Priority mask at the interrupt's priority: masked. */
	vg.cpu[0].vmcr = ARCH_ICH_VMCR_ENG1 | GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0x80);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
	vg.cpu[0].vmcr = ARCH_ICH_VMCR_ENG1 | GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0x88);
	assert_true(gz_vgic_vcpu_pending(&vg, 0));
	/* Group 1 disabled at the CPU interface. */
	vg.cpu[0].vmcr = ARCH_ICH_VMCR_ENG0 | GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0xff);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
	/* Group 0 interrupt with ENG0. */
	mw(0, T_DIST + ARCH_GICD_IGROUPR + 4, 4, 0);
	assert_true(gz_vgic_vcpu_pending(&vg, 0));
}

static void test_inject_errors(void **s)
{
	(void)s;
	struct gz_vgic_irq_info info;

	t_setup(4, 2, 32);
	assert_int_equal(gz_vgic_inject(&vg, 0, 64, GZ_VGIC_LINE_HIGH), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_inject(&vg, 0, 1020, GZ_VGIC_LINE_HIGH), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_inject(&vg, 0, 0xffffffff, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_inject(&vg, 0, 40, 3), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_inject(&vg, 2, 27, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_inject(&vg, 8, 5, 1), GZ_ERR_INVALID_ARGS);
	/* SPIs ignore the vCPU argument. */
	assert_int_equal(gz_vgic_inject(&vg, 200, 40, 1), GZ_OK);
	assert_int_equal(gz_vgic_set_resample(&vg, 27, true), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_resample(&vg, 64, true), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_resample(&vg, 40, true), GZ_OK);
	assert_int_equal(gz_vgic_set_resample(&vg, 40, false), GZ_OK);
	assert_int_equal(gz_vgic_irq_info(&vg, 3, 20, &info), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_irq_info(&vg, 0, 64, &info), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_irq_info(&vg, 1, 20, &info), GZ_OK);
	assert_int_equal(info.target, 1);
	assert_int_equal(gz_vgic_nr_lrs(&vg), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spi_routing),	   cmocka_unit_test(test_sgi_targets),
	    cmocka_unit_test(test_edge_and_level), cmocka_unit_test(test_pending_query),
	    cmocka_unit_test(test_inject_errors),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	fake_hal_teardown();
	return ret;
}
