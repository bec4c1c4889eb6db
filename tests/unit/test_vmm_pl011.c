/* gzvmm's PL011 wiring around the register model: transmitted bytes reach the console sink,
 * the interrupt line reaches set_irq with its context, stdin bytes go in under the lock. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_wiring)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
