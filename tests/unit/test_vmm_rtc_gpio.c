/* gzvmm's PL031 and PL061 (src/vmm/rtc.c, gpio.c): the RTC reads the host's wall clock, a
 * match set one second ahead fires through the timerfd the event loop watches, one that is
 * due at once fires at once, a timer that fires early waits again, a reset puts the counter
 * back on the host's clock; the power key goes down and, on its timer, up again. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <poll.h>
#include <time.h>

#include "gpio.h"
#include "layout.h"
#include "rtc.h"

static bool line;
static int changes;

static void set_irq(void *ctx, bool level)
{
	assert_ptr_equal(ctx, &line);
	line = level;
	changes++;
}

static bool fires(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t realtime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint32_t)ts.tv_sec;
}

static void test_rtc_wall_clock_and_match(void **state)
{
	struct vmm_rtc r;
	uint32_t dr, t0, t1;

	(void)state;
	line = false;
	changes = 0;
	assert_int_equal(vmm_rtc_init(&r, set_irq, &line), 0);
	/* Between two readings of the clock the RTC uses: time() reads a coarser clock, which
	 * can still show the second before when CLOCK_REALTIME has moved on. */
	t0 = realtime_s();
	dr = (uint32_t)vmm_rtc_read(&r, GZDEV_PL031_DR, 4);
	t1 = realtime_s();
	assert_true(dr >= t0 && dr <= t1);
	assert_false(fires(r.timer_fd, 0)); /* match register 0: not for a long time */
	vmm_rtc_write(&r, GZDEV_PL031_IMSC, 4, 1);
	/* due now: raised at once */
	vmm_rtc_write(&r, GZDEV_PL031_MR, 4, vmm_rtc_read(&r, GZDEV_PL031_DR, 4));
	assert_true(line);
	vmm_rtc_write(&r, GZDEV_PL031_ICR, 4, 1);
	assert_false(line);
	/* two seconds ahead: the timer, then the interrupt */
	vmm_rtc_write(&r, GZDEV_PL031_MR, 4, vmm_rtc_read(&r, GZDEV_PL031_DR, 4) + 2);
	assert_false(line);
	/* a look before it is due (the host's clock set back, say) waits again */
	vmm_rtc_timer(&r);
	assert_false(line);
	assert_true(fires(r.timer_fd, 3500));
	vmm_rtc_timer(&r);
	assert_true(line);
	assert_int_equal(r.m.matches, 2);
	/* a loaded value moves the counter, a reset brings it back to the host's clock */
	vmm_rtc_write(&r, GZDEV_PL031_LR, 4, 1000);
	assert_true(vmm_rtc_read(&r, GZDEV_PL031_DR, 4) <= 1001);
	vmm_rtc_reset(&r); /* of a rebooted machine: its new GIC has the line low */
	assert_false(r.m.irq_level);
	assert_int_equal(vmm_rtc_read(&r, GZDEV_PL031_RIS, 4), 0);
	assert_true(vmm_rtc_read(&r, GZDEV_PL031_DR, 4) >= dr);
	assert_int_equal(vmm_rtc_read(&r, GZDEV_PL031_IMSC, 4), 0);
	vmm_rtc_destroy(&r);
	assert_int_equal(r.timer_fd, -1);
}

static void test_power_key_pulse(void **state)
{
	struct vmm_gpio g;
	int64_t pressed;

	(void)state;
	line = false;
	changes = 0;
	assert_int_equal(vmm_gpio_init(&g, set_irq, &line), 0);
	vmm_gpio_write(&g, GZDEV_PL061_IBE, 4, 1U << VMM_GPIO_POWER_LINE);
	vmm_gpio_write(&g, GZDEV_PL061_IE, 4, 1U << VMM_GPIO_POWER_LINE);
	pressed = monotonic_ms();
	vmm_gpio_press_power_key(&g);
	assert_true(line);
	assert_int_equal(vmm_gpio_read(&g, 4U << VMM_GPIO_POWER_LINE, 4),
			 1U << VMM_GPIO_POWER_LINE);
	vmm_gpio_write(&g, GZDEV_PL061_IC, 4, 0xff);
	assert_false(line);
	/* up again on its timer, 100 ms later: a second edge. Not before: if it has fired by the
	 * first look, the 100 ms had passed (a loaded machine can hold this thread that long). */
	if (fires(g.key_fd, 50))
		assert_true(monotonic_ms() - pressed >= 100);
	else
		assert_true(fires(g.key_fd, 1000));
	vmm_gpio_key_timer(&g);
	assert_true(line);
	assert_int_equal(vmm_gpio_read(&g, 4U << VMM_GPIO_POWER_LINE, 4), 0);
	assert_int_equal(g.presses, 1);
	/* a reset drops the configuration and a pending release */
	vmm_gpio_press_power_key(&g);
	vmm_gpio_reset(&g);
	assert_false(fires(g.key_fd, 200));
	assert_int_equal(vmm_gpio_read(&g, GZDEV_PL061_IE, 4), 0);
	vmm_gpio_destroy(&g);
	assert_int_equal(g.key_fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rtc_wall_clock_and_match),
	    cmocka_unit_test(test_power_key_pulse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
