/* PL011 model: IDs, flags, transmit to the console sink, receive FIFO and backlog, and the
 * interrupt line level following RIS & IMSC through every register that changes them. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <unistd.h>

#include "pl011.h"

struct t {
	struct vmm_console con;
	struct pl011 u;
	int fds[2];
	int level_changes;
	bool level;
};

static void set_irq(void *ctx, bool level)
{
	struct t *t = ctx;

	t->level = level;
	t->level_changes++;
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	assert_int_equal(pipe(t->fds), 0);
	vmm_console_init(&t->con, t->fds[1]);
	pl011_init(&t->u, &t->con);
	t->u.set_irq = set_irq;
	t->u.irq_ctx = t;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	pl011_destroy(&t->u);
	vmm_console_destroy(&t->con);
	close(t->fds[0]);
	close(t->fds[1]);
	free(t);
	return 0;
}

static void test_ids_and_reset_values(void **state)
{
	struct t *t = *state;
	static const uint8_t ids[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(pl011_read(&t->u, PL011_ID_BASE + 4 * i, 4), ids[i]);
	assert_int_equal(pl011_read(&t->u, PL011_CR, 4), PL011_CR_RESET);
	assert_int_equal(pl011_read(&t->u, PL011_IFLS, 4), PL011_IFLS_RESET);
	assert_int_equal(pl011_read(&t->u, PL011_FR, 4), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(pl011_read(&t->u, PL011_DR, 4), 0); /* empty FIFO */
	assert_int_equal(pl011_read(&t->u, 0x800, 4), 0);
	assert_int_equal(pl011_read(&t->u, PL011_FR, 3), 0); /* bad access size */
	pl011_write(&t->u, PL011_IMSC, 3, 0xff);
	assert_int_equal(pl011_read(&t->u, PL011_IMSC, 4), 0);
}

static void test_registers_read_back(void **state)
{
	struct t *t = *state;
	static const struct {
		uint64_t off;
		uint32_t w, r;
	} regs[] = {
	    {PL011_IBRD, 0x12345, 0x2345}, {PL011_FBRD, 0xff, 0x3f},	{PL011_LCR_H, 0x1ff, 0xff},
	    {PL011_CR, 0x10301, 0x301},	   {PL011_IFLS, 0xff, 0x3f},	{PL011_DMACR, 0xf, 0x7},
	    {PL011_ILPR, 0x1aa, 0xaa},	   {PL011_IMSC, 0xffff, 0x7ff},
	};
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		pl011_write(&t->u, regs[i].off, 4, regs[i].w);
		assert_int_equal(pl011_read(&t->u, regs[i].off, 4), regs[i].r);
	}
	pl011_write(&t->u, PL011_RSR, 4, 0);
	assert_int_equal(pl011_read(&t->u, PL011_RSR, 4), 0);
}

static void test_transmit(void **state)
{
	struct t *t = *state;
	char buf[8] = {0};

	pl011_write(&t->u, PL011_DR, 1, 'h');
	pl011_write(&t->u, PL011_DR, 4, 0x169); /* only the low byte is data */
	assert_int_equal(read(t->fds[0], buf, sizeof(buf)), 2);
	assert_string_equal(buf, "hi");
	assert_true(pl011_read(&t->u, PL011_RIS, 4) & PL011_INT_TX);
	assert_int_equal(t->level_changes, 0); /* masked */
	pl011_write(&t->u, PL011_IMSC, 4, PL011_INT_TX);
	assert_true(t->level);
	assert_int_equal(pl011_read(&t->u, PL011_MIS, 4), PL011_INT_TX);
	pl011_write(&t->u, PL011_ICR, 4, PL011_INT_TX);
	assert_false(t->level);
	assert_int_equal(t->level_changes, 2);
	assert_int_equal(t->u.tx_bytes, 2);
}

static void test_receive(void **state)
{
	struct t *t = *state;

	pl011_write(&t->u, PL011_IMSC, 4, PL011_INT_RX | PL011_INT_RT);
	/* FIFO off: one byte at a time, the rest waits in the backlog. */
	assert_int_equal(pl011_input(&t->u, "abc", 3), 3);
	assert_true(t->level);
	assert_int_equal(pl011_read(&t->u, PL011_FR, 4), PL011_FR_TXFE | PL011_FR_RXFF);
	/* Clearing RX while data waits keeps it raised (level semantics). */
	pl011_write(&t->u, PL011_ICR, 4, PL011_INT_ALL);
	assert_true(t->level);
	assert_int_equal(pl011_read(&t->u, PL011_DR, 4), 'a');
	/* FIFO on: the remaining bytes move in. */
	pl011_write(&t->u, PL011_LCR_H, 4, PL011_LCRH_FEN);
	assert_int_equal(pl011_read(&t->u, PL011_FR, 4) & PL011_FR_RXFF, 0);
	assert_int_equal(pl011_read(&t->u, PL011_DR, 4), 'b');
	assert_int_equal(pl011_read(&t->u, PL011_DR, 4), 'c');
	assert_false(t->level);
	assert_int_equal(pl011_read(&t->u, PL011_FR, 4), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(t->u.rx_bytes, 3);
}

static void test_backlog_limit(void **state)
{
	struct t *t = *state;
	static uint8_t big[PL011_BACKLOG + 100];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	pl011_write(&t->u, PL011_LCR_H, 4, PL011_LCRH_FEN);
	/* 16 go to the FIFO at once, the backlog holds the rest up to its size. */
	assert_int_equal(pl011_input(&t->u, big, sizeof(big)), PL011_BACKLOG);
	assert_int_equal(pl011_input_space(&t->u), PL011_FIFO);
	for (size_t i = 0; i < PL011_BACKLOG; i++)
		assert_int_equal(pl011_read(&t->u, PL011_DR, 4), (uint8_t)i);
	assert_int_equal(pl011_input_space(&t->u), PL011_BACKLOG);
	assert_int_equal(pl011_read(&t->u, PL011_FR, 4) & PL011_FR_RXFE, PL011_FR_RXFE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ids_and_reset_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_registers_read_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_receive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backlog_limit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
