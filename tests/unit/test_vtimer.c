/* Unit tests of the virtual timer (vtimer.c): the condition against the offset counter,
 * PPI 27 raised for a vCPU that is not running, dropped when masked or disabled, re-arming,
 * the idle sleep budget (hwstate vtimer_delay / vtimer_migrate), which the emulated physical
 * timer's deadline shortens. */
#include "vgic_test_env.h"

#include <gzhyp/ptimer.h>
#include <gzhyp/vtimer.h>

static struct gz_cpu_ctx ctx;

static bool ppi27_line(unsigned vcpu)
{
	struct gz_vgic_irq_info info;

	assert_int_equal(gz_vgic_irq_info(&vg, vcpu, GZ_VGIC_VTIMER_PPI, &info), GZ_OK);
	return info.line;
}

static void test_condition_and_line(void **s)
{
	(void)s;
	t_setup(4, 2, 32);
	t_enable(2);
	fake_hal_set_cntpct(1000);
	memset(&ctx, 0, sizeof(ctx));
	gz_vtimer_reset(&ctx, gz_vtimer_vm_offset());
	assert_int_equal(ctx.cntvoff_el2, 1000);
	assert_int_equal(gz_vtimer_cntfrq(), 62500000);
	fake_hal_set_cntfrq(24000000);
	assert_int_equal(gz_vtimer_cntfrq(), 24000000);
	fake_hal_set_cntpct(1500);
	assert_int_equal(gz_vtimer_vcount(&ctx, 1500), 500);
	/* Disabled: never fires. */
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 100;
	assert_false(gz_vtimer_istatus(&ctx, 1500));
	assert_int_equal(gz_vtimer_update(&vg, 1, &ctx), GZ_OK);
	assert_false(ppi27_line(1));
	assert_false(ctx.sys[GZ_SYS_CNTV_CTL_EL0] & CNT_CTL_ISTATUS);
	/* Enabled, CVAL reached: ISTATUS and the line, on vCPU 1's PPI 27 only. */
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	kicks = 0;
	assert_int_equal(gz_vtimer_update(&vg, 1, &ctx), GZ_OK);
	assert_true(ctx.sys[GZ_SYS_CNTV_CTL_EL0] & CNT_CTL_ISTATUS);
	assert_true(ppi27_line(1));
	assert_false(ppi27_line(0));
	/* PPI 27 not enabled by the guest yet: pending but not deliverable, no kick. */
	assert_int_equal(kicks, 0);
	mw(1, T_SGI(1) + ARCH_GICR_ISENABLER0, 4, 1u << 27);
	assert_true(kicks & 2);
	assert_true(gz_vgic_vcpu_pending(&vg, 1));
	/* Masked: condition still true (ISTATUS) but the line drops. */
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] |= CNT_CTL_IMASK;
	assert_int_equal(gz_vtimer_update(&vg, 1, &ctx), GZ_OK);
	assert_true(ctx.sys[GZ_SYS_CNTV_CTL_EL0] & CNT_CTL_ISTATUS);
	assert_false(ppi27_line(1));
	assert_false(gz_vgic_vcpu_pending(&vg, 1));
	/* Unmasked again, then disabled: drops, ISTATUS clears. */
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	gz_vtimer_update(&vg, 1, &ctx);
	assert_true(ppi27_line(1));
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = 0;
	gz_vtimer_update(&vg, 1, &ctx);
	assert_false(ppi27_line(1));
	assert_false(ctx.sys[GZ_SYS_CNTV_CTL_EL0] & CNT_CTL_ISTATUS);
	/* Re-armed for later: low until the counter gets there. */
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 2000;
	gz_vtimer_update(&vg, 1, &ctx);
	assert_false(ppi27_line(1));
	fake_hal_set_cntpct(2999);
	gz_vtimer_update(&vg, 1, &ctx);
	assert_false(ppi27_line(1));
	fake_hal_set_cntpct(3000);
	gz_vtimer_update(&vg, 1, &ctx);
	assert_true(ppi27_line(1));
	assert_true(gz_vtimer_asserted(&ctx, 3000));
	/* Unregistered vCPU. */
	assert_int_equal(gz_vtimer_update(&vg, 5, &ctx), GZ_ERR_INVALID_ARGS);
}

static unsigned counter_reads;

static void count_read(uint64_t now, void *arg)
{
	(void)now, (void)arg;
	counter_reads++;
}

/* The update reads the counter only for an enabled timer (a disabled one's condition is false
 * at any count): guests whose timer is off cost no counter read per entry and exit. */
static void test_update_reads_counter_when_enabled(void **s)
{
	(void)s;
	t_setup(4, 2, 32);
	memset(&ctx, 0, sizeof(ctx));
	fake_hal_set_cntpct(5000);
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 100;
	fake_hal_set_cntpct_hook(count_read, NULL);
	counter_reads = 0;
	assert_int_equal(gz_vtimer_update(&vg, 1, &ctx), GZ_OK);
	assert_int_equal(counter_reads, 0);
	assert_false(ppi27_line(1));
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	assert_int_equal(gz_vtimer_update(&vg, 1, &ctx), GZ_OK);
	assert_int_equal(counter_reads, 1);
	assert_true(ppi27_line(1));
	fake_hal_set_cntpct_hook(NULL, NULL);
}

static bool rearm;
static void guest_timer_handler(int intid)
{
	/* The guest's handler programs the next expiry, which lowers the line at the next
	 * update (here: at the exit that follows). */
	assert_int_equal(intid, GZ_VGIC_VTIMER_PPI);
	if (rearm)
		ctx.sys[GZ_SYS_CNTV_CVAL_EL0] += 1000;
	else
		ctx.sys[GZ_SYS_CNTV_CTL_EL0] |= CNT_CTL_IMASK;
	gz_vtimer_update(&vg, 0, &ctx);
}

static void test_timer_fires_through_lrs(void **s)
{
	(void)s;
	struct t_run r = {0};

	t_setup(4, 1, 32);
	t_enable(1);
	memset(&ctx, 0, sizeof(ctx));
	fake_hal_set_cntpct(0);
	gz_vtimer_reset(&ctx, 0);
	mw(0, T_SGI(0) + ARCH_GICR_ISENABLER0, 4, 1u << 27);
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 1000;
	fake_hal_set_cntpct(1000);
	gz_vtimer_update(&vg, 0, &ctx);
	rearm = true;
	t_run(0, &r, guest_timer_handler);
	assert_int_equal(r.nr, 1);
	assert_false(ppi27_line(0));
	/* Time passes: fires again; this time the guest masks it. */
	fake_hal_set_cntpct(2000);
	gz_vtimer_update(&vg, 0, &ctx);
	rearm = false;
	t_run(0, &r, guest_timer_handler);
	assert_int_equal(r.nr, 2);
	assert_false(ppi27_line(0));
}

static void test_idle_info(void **s)
{
	(void)s;
	uint64_t delay = 1;
	uint32_t migrate = 1;

	memset(&ctx, 0, sizeof(ctx));
	gz_vtimer_reset(&ctx, 500);
	gz_ptimer_reset(&ctx, 500);
	gz_vtimer_idle_info(&ctx, 600, &delay, &migrate);
	assert_int_equal(migrate, 0);
	assert_int_equal(delay, 0);
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 400;
	gz_vtimer_idle_info(&ctx, 600, &delay, &migrate); /* vcount 100 */
	assert_int_equal(migrate, 1);
	assert_int_equal(delay, 300);
	gz_vtimer_idle_info(&ctx, 1000, &delay, &migrate); /* already due */
	assert_int_equal(migrate, 1);
	assert_int_equal(delay, 0);
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] |= CNT_CTL_IMASK;
	gz_vtimer_idle_info(&ctx, 600, &delay, &migrate);
	assert_int_equal(migrate, 0);
	assert_int_equal(delay, 0);
	/* The physical timer alone (physical count 100, CVAL 250): it wakes the vCPU. */
	ctx.cntp_ctl = CNT_CTL_ENABLE;
	ctx.cntp_cval = 250;
	gz_vtimer_idle_info(&ctx, 600, &delay, &migrate);
	assert_int_equal(migrate, 1);
	assert_int_equal(delay, 150);
	/* Both: the first to fire wins, whichever it is. */
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE; /* CVAL 400: in 300 */
	gz_vtimer_idle_info(&ctx, 600, &delay, &migrate);
	assert_int_equal(delay, 150);
	ctx.cntp_cval = 450;
	gz_vtimer_idle_info(&ctx, 600, &delay, &migrate);
	assert_int_equal(migrate, 1);
	assert_int_equal(delay, 300);
	/* A masked physical timer does not count. */
	ctx.cntp_cval = 100;
	ctx.cntp_ctl = CNT_CTL_ENABLE | CNT_CTL_IMASK;
	gz_vtimer_idle_info(&ctx, 600, &delay, &migrate);
	assert_int_equal(delay, 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_condition_and_line),
	    cmocka_unit_test(test_timer_fires_through_lrs),
	    cmocka_unit_test(test_idle_info),
	    cmocka_unit_test(test_update_reads_counter_when_enabled),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	fake_hal_teardown();
	return ret;
}
