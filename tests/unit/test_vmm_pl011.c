/* gzvmm's PL011 wiring around the register model: transmitted bytes reach the console sink,
 * the interrupt line reaches set_irq with its context, stdin bytes go in under the lock, and
 * the flag register's every change reaches the hypervisor's copy before the guest can see it
 * anywhere else. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "pl011.h"

static bool level;
static int changes;
static void *seen_ctx;

static void set_irq(void *ctx, bool l)
{
	seen_ctx = ctx;
	level = l;
	changes++;
}

static void test_wiring(void **state)
{
	struct vmm_console con;
	struct pl011 u;
	int fds[2];
	char buf[8] = {0};

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(vmm_console_init(&con, fds[1]), 0);
	assert_int_equal(pl011_init(&u, &con), 0);
	u.set_irq = set_irq;
	u.irq_ctx = &u;

	pl011_write(&u, PL011_DR, 4, 'o');
	pl011_write(&u, PL011_DR, 1, 'k');
	assert_int_equal(read(fds[0], buf, sizeof(buf)), 2);
	assert_string_equal(buf, "ok");
	assert_int_equal(con.bytes, 2);
	assert_int_equal(u.m.tx_bytes, 2);

	pl011_write(&u, PL011_IMSC, 4, PL011_INT_RX);
	assert_int_equal(pl011_input_space(&u), GZDEV_PL011_BACKLOG);
	assert_int_equal(pl011_input(&u, "z", 1), 1);
	assert_true(level);
	assert_ptr_equal(seen_ctx, &u);
	assert_int_equal(pl011_read(&u, PL011_DR, 4), 'z');
	assert_false(level);
	assert_int_equal(changes, 2);

	/* Without a callback the model keeps the level to itself. */
	u.set_irq = NULL;
	pl011_input(&u, "y", 1);
	assert_true(u.m.irq_level);
	assert_int_equal(changes, 2);

	pl011_destroy(&u);
	vmm_console_destroy(&con);
	close(fds[0]);
	close(fds[1]);
}

/* The flag register handed to fr_set (the hypervisor's copy, pl011_fr_track): its value at
 * once, then each change, and each before the interrupt that input raises. */
static uint32_t frs[16];
static unsigned nfr;
static bool fr_refuse;
static int irq_at_fr[16]; /* the interrupt line's changes when each value came */

static bool fr_set(void *ctx, uint32_t fr)
{
	assert_ptr_equal(ctx, &frs);
	if (fr_refuse)
		return false;
	assert_true(nfr < 16);
	irq_at_fr[nfr] = changes;
	frs[nfr++] = fr;
	return true;
}

static void test_fr_tracked(void **state)
{
	const uint32_t idle = PL011_FR_TXFE | PL011_FR_RXFE;
	struct vmm_console con;
	struct pl011 u;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(vmm_console_init(&con, fds[1]), 0);
	assert_int_equal(pl011_init(&u, &con), 0);
	u.set_irq = set_irq;
	u.irq_ctx = &u;
	changes = 0;

	/* refused at once: nothing handed over, nothing called later */
	fr_refuse = true;
	assert_false(pl011_fr_track(&u, fr_set, &frs));
	fr_refuse = false;
	pl011_input(&u, "a", 1);
	assert_int_equal(nfr, 0);
	assert_int_equal(pl011_read(&u, PL011_DR, 4), 'a');

	assert_true(pl011_fr_track(&u, fr_set, &frs));
	assert_int_equal(nfr, 1);
	assert_int_equal(frs[0], idle);
	/* output, and the registers that leave FR alone: no call */
	pl011_write(&u, PL011_DR, 4, 'x');
	pl011_write(&u, PL011_IMSC, 4, PL011_INT_RX);
	assert_int_equal(pl011_read(&u, PL011_FR, 4), idle);
	assert_int_equal(nfr, 1);
	/* input: RXFE clear (and RXFF: FEN is clear, a FIFO of one), told before the
	 * interrupt goes up */
	assert_int_equal(pl011_input(&u, "bc", 2), 2);
	assert_int_equal(nfr, 2);
	assert_int_equal(frs[1], PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(irq_at_fr[1], changes - 1);
	assert_true(level);
	/* the first byte read lets the second in: no change; the second empties it */
	assert_int_equal(pl011_read(&u, PL011_DR, 4), 'b');
	assert_int_equal(nfr, 2);
	assert_int_equal(pl011_read(&u, PL011_DR, 4), 'c');
	assert_int_equal(nfr, 3);
	assert_int_equal(frs[2], idle);
	/* with the FIFO on, one byte does not fill it; turned off, the same byte does */
	pl011_write(&u, PL011_LCR_H, 4, PL011_LCRH_FEN);
	assert_int_equal(nfr, 3);
	assert_int_equal(pl011_input(&u, "d", 1), 1);
	assert_int_equal(frs[3], PL011_FR_TXFE);
	pl011_write(&u, PL011_LCR_H, 4, 0);
	assert_int_equal(nfr, 5);
	assert_int_equal(frs[4], PL011_FR_TXFE | PL011_FR_RXFF);
	/* a refused change is offered again at the next one */
	fr_refuse = true;
	assert_int_equal(pl011_read(&u, PL011_DR, 4), 'd');
	assert_int_equal(nfr, 5);
	fr_refuse = false;
	pl011_reset(&u);
	assert_int_equal(nfr, 6);
	assert_int_equal(frs[5], idle);
	assert_int_equal(u.fr_known, idle);

	pl011_destroy(&u);
	vmm_console_destroy(&con);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_wiring),
					   cmocka_unit_test(test_fr_tracked)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
