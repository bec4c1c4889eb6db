/* Unit tests of the emulated EL1 physical timer (ptimer.c): the trap configuration its
 * offset needs, its registers as the architecture defines them against the offset counter
 * (CTL's ISTATUS, TVAL's signed 32-bit view, CNTPCT read-only), PPI 30 raised and dropped
 * for a vCPU that is not running, the deadline it gives the HAL (none once the line is up,
 * nor for a CVAL whose host count would wrap) and its idle budget. */
#include "vgic_test_env.h"

#include <gzhyp/ptimer.h>

static struct gz_cpu_ctx ctx;

static bool ppi30_line(unsigned vcpu)
{
	struct gz_vgic_irq_info info;

	assert_int_equal(gz_vgic_irq_info(&vg, vcpu, ARCH_GIC_PPI_PTIMER, &info), GZ_OK);
	return info.line;
}

static uint64_t rd(uint32_t enc, uint64_t cntpct)
{
	uint64_t v = 0xdead;

	assert_int_equal(gz_ptimer_access(&ctx, enc, false, &v, cntpct), GZ_OK);
	return v;
}

static void wr(uint32_t enc, uint64_t v, uint64_t cntpct)
{
	assert_int_equal(gz_ptimer_access(&ctx, enc, true, &v, cntpct), GZ_OK);
}

static void test_reset_and_traps(void **s)
{
	(void)s;
	memset(&ctx, 0xff, sizeof(ctx));
	gz_ptimer_reset(&ctx, 1000);
	assert_int_equal(ctx.cntp_ctl, 0);
	assert_int_equal(ctx.cntp_cval, 0);
	assert_int_equal(ctx.exit_at, 0);
	assert_int_equal(ctx.cntpoff, 1000);
	assert_int_equal(ctx.cnthctl_el2, 0); /* counter and timer trap */
	assert_int_equal(gz_ptimer_count(&ctx, 1500), 500);
	gz_ptimer_reset(&ctx, 0);
	assert_int_equal(ctx.cnthctl_el2, CNTHCTL_EL1PCTEN); /* nothing to offset */
	assert_true(gz_ptimer_is_reg(SYS_CNTP_CTL_EL0));
	assert_true(gz_ptimer_is_reg(SYS_CNTP_CVAL_EL0));
	assert_true(gz_ptimer_is_reg(SYS_CNTP_TVAL_EL0));
	assert_true(gz_ptimer_is_reg(SYS_CNTPCT_EL0));
	assert_false(gz_ptimer_is_reg(SYS_CNTVCT_EL0));
	assert_false(gz_ptimer_is_reg(SYS_CNTV_CTL_EL0));
}

static void test_registers(void **s)
{
	uint64_t v = 7;

	(void)s;
	memset(&ctx, 0, sizeof(ctx));
	gz_ptimer_reset(&ctx, 1000);
	assert_int_equal(rd(SYS_CNTPCT_EL0, 1800), 800);
	assert_int_equal(gz_ptimer_access(&ctx, SYS_CNTPCT_EL0, true, &v, 1800),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_ptimer_access(&ctx, SYS_CNTV_CTL_EL0, false, &v, 1800),
			 GZ_ERR_NOT_SUPPORTED);
	assert_int_equal(v, 7);
	/* CTL: only ENABLE and IMASK are kept; ISTATUS follows the condition */
	wr(SYS_CNTP_CTL_EL0, ~0ULL, 1800);
	assert_int_equal(ctx.cntp_ctl, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	wr(SYS_CNTP_CVAL_EL0, 900, 1800);
	assert_int_equal(rd(SYS_CNTP_CTL_EL0, 1899), CNT_CTL_ENABLE | CNT_CTL_IMASK);
	assert_int_equal(rd(SYS_CNTP_CTL_EL0, 1900),
			 CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS);
	assert_true(gz_ptimer_istatus(&ctx, 1900));
	assert_false(gz_ptimer_asserted(&ctx, 1900)); /* masked */
	wr(SYS_CNTP_CTL_EL0, CNT_CTL_ENABLE, 1800);
	assert_true(gz_ptimer_asserted(&ctx, 1900));
	/* TVAL: CVAL - count in 32 bits, signed on write */
	assert_int_equal(rd(SYS_CNTP_TVAL_EL0, 1800), 100);
	assert_int_equal(rd(SYS_CNTP_TVAL_EL0, 2000), 0xffffff9c); /* -100 */
	wr(SYS_CNTP_TVAL_EL0, 0xfffffff6, 2000);		   /* -10 */
	assert_int_equal(rd(SYS_CNTP_CVAL_EL0, 2000), 990);
	wr(SYS_CNTP_TVAL_EL0, 0x1234567800000010ULL, 2000); /* the upper half is ignored */
	assert_int_equal(rd(SYS_CNTP_CVAL_EL0, 2000), 1016);
	/* disabled: no condition */
	wr(SYS_CNTP_CTL_EL0, 0, 2000);
	assert_false(gz_ptimer_istatus(&ctx, 5000));
	assert_int_equal(rd(SYS_CNTP_CTL_EL0, 5000), 0);
}

static void test_line_and_deadline(void **s)
{
	(void)s;
	t_setup(4, 2, 32);
	t_enable(2);
	memset(&ctx, 0, sizeof(ctx));
	gz_ptimer_reset(&ctx, 1000);
	fake_hal_set_cntpct(1500);
	/* disabled: low, no deadline */
	ctx.cntp_cval = 600;
	assert_int_equal(gz_ptimer_update(&vg, 1, &ctx), GZ_OK);
	assert_false(ppi30_line(1));
	assert_int_equal(ctx.exit_at, 0);
	/* armed for later: low, and the HAL is asked to come back at host count 1600 */
	ctx.cntp_ctl = CNT_CTL_ENABLE;
	gz_ptimer_update(&vg, 1, &ctx);
	assert_false(ppi30_line(1));
	assert_int_equal(ctx.exit_at, 1600);
	/* masked: no deadline either */
	ctx.cntp_ctl = CNT_CTL_ENABLE | CNT_CTL_IMASK;
	gz_ptimer_update(&vg, 1, &ctx);
	assert_int_equal(ctx.exit_at, 0);
	/* due: the line on vCPU 1's PPI 30 only, no deadline any more */
	ctx.cntp_ctl = CNT_CTL_ENABLE;
	fake_hal_set_cntpct(1600);
	kicks = 0;
	gz_ptimer_update(&vg, 1, &ctx);
	assert_true(ppi30_line(1));
	assert_false(ppi30_line(0));
	assert_int_equal(ctx.exit_at, 0);
	assert_int_equal(kicks, 0); /* not enabled at the GIC yet */
	mw(1, T_SGI(1) + ARCH_GICR_ISENABLER0, 4, 1u << ARCH_GIC_PPI_PTIMER);
	assert_true(kicks & 2);
	assert_true(gz_vgic_vcpu_pending(&vg, 1));
	/* masked by the guest: the line drops */
	ctx.cntp_ctl |= CNT_CTL_IMASK;
	gz_ptimer_update(&vg, 1, &ctx);
	assert_false(ppi30_line(1));
	assert_false(gz_vgic_vcpu_pending(&vg, 1));
	/* a CVAL whose host count would wrap never comes: no deadline, no line */
	ctx.cntp_ctl = CNT_CTL_ENABLE;
	ctx.cntp_cval = UINT64_MAX - 10;
	gz_ptimer_update(&vg, 1, &ctx);
	assert_false(ppi30_line(1));
	assert_int_equal(ctx.exit_at, 0);
	/* an unregistered vCPU */
	assert_int_equal(gz_ptimer_update(&vg, 5, &ctx), GZ_ERR_INVALID_ARGS);
}

static void test_idle_delay(void **s)
{
	uint64_t d = 99;

	(void)s;
	memset(&ctx, 0, sizeof(ctx));
	gz_ptimer_reset(&ctx, 1000);
	ctx.cntp_cval = 300;
	assert_false(gz_ptimer_idle_delay(&ctx, 1100, &d));
	assert_int_equal(d, 99);
	ctx.cntp_ctl = CNT_CTL_ENABLE;
	assert_true(gz_ptimer_idle_delay(&ctx, 1100, &d));
	assert_int_equal(d, 200);
	assert_true(gz_ptimer_idle_delay(&ctx, 1400, &d));
	assert_int_equal(d, 0);
	ctx.cntp_ctl |= CNT_CTL_IMASK;
	assert_false(gz_ptimer_idle_delay(&ctx, 1100, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reset_and_traps),
	    cmocka_unit_test(test_registers),
	    cmocka_unit_test(test_line_and_deadline),
	    cmocka_unit_test(test_idle_delay),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	fake_hal_teardown();
	return ret;
}
