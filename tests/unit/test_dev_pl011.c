/* The PL011 register model (src/dev): IDs, flags, transmit through the tx callback, receive
 * FIFO and backlog, and the interrupt line level following RIS & IMSC through every register
 * that changes them. */
/* test-libs: gzdev */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <gzdev/pl011.h>

struct t {
	struct gzdev_pl011 u;
	char out[16];
	size_t nout;
	int level_changes;
	bool level;
};

static void tx(void *ctx, uint8_t byte)
{
	struct t *t = ctx;

	if (t->nout < sizeof(t->out) - 1)
		t->out[t->nout++] = (char)byte;
}

static void set_irq(void *ctx, bool level)
{
	struct t *t = ctx;

	t->level = level;
	t->level_changes++;
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	gzdev_pl011_init(&t->u, tx, set_irq, t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_ids_and_reset_values(void **state)
{
	struct t *t = *state;
	static const uint8_t ids[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(gzdev_pl011_read(&t->u, PL011_ID_BASE + 4 * i, 4), ids[i]);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_CR, 4), GZDEV_PL011_CR_RESET);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_IFLS, 4), GZDEV_PL011_IFLS_RESET);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_FR, 4), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_DR, 4), 0); /* empty FIFO */
	assert_int_equal(gzdev_pl011_read(&t->u, 0x800, 4), 0);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_FR, 3), 0); /* bad access size */
	gzdev_pl011_write(&t->u, PL011_IMSC, 3, 0xff);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_IMSC, 4), 0);
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
		gzdev_pl011_write(&t->u, regs[i].off, 4, regs[i].w);
		assert_int_equal(gzdev_pl011_read(&t->u, regs[i].off, 4), regs[i].r);
	}
	gzdev_pl011_write(&t->u, PL011_RSR, 4, 0);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_RSR, 4), 0);
}

static void test_transmit(void **state)
{
	struct t *t = *state;

	gzdev_pl011_write(&t->u, PL011_DR, 1, 'h');
	gzdev_pl011_write(&t->u, PL011_DR, 4, 0x169); /* only the low byte is data */
	assert_string_equal(t->out, "hi");
	assert_true(gzdev_pl011_read(&t->u, PL011_RIS, 4) & PL011_INT_TX);
	assert_int_equal(t->level_changes, 0); /* masked */
	gzdev_pl011_write(&t->u, PL011_IMSC, 4, PL011_INT_TX);
	assert_true(t->level);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_MIS, 4), PL011_INT_TX);
	gzdev_pl011_write(&t->u, PL011_ICR, 4, PL011_INT_TX);
	assert_false(t->level);
	assert_int_equal(t->level_changes, 2);
	assert_int_equal(t->u.tx_bytes, 2);
}

static void test_receive(void **state)
{
	struct t *t = *state;

	gzdev_pl011_write(&t->u, PL011_IMSC, 4, PL011_INT_RX | PL011_INT_RT);
	/* FIFO off: one byte at a time, the rest waits in the backlog. */
	assert_int_equal(gzdev_pl011_input(&t->u, "abc", 3), 3);
	assert_true(t->level);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_FR, 4), PL011_FR_TXFE | PL011_FR_RXFF);
	/* Clearing RX while data waits keeps it raised (level semantics). */
	gzdev_pl011_write(&t->u, PL011_ICR, 4, PL011_INT_ALL);
	assert_true(t->level);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_DR, 4), 'a');
	/* FIFO on: the remaining bytes move in. */
	gzdev_pl011_write(&t->u, PL011_LCR_H, 4, PL011_LCRH_FEN);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_FR, 4) & PL011_FR_RXFF, 0);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_DR, 4), 'b');
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_DR, 4), 'c');
	assert_false(t->level);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_FR, 4), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(t->u.rx_bytes, 3);
}

/* A machine reset: registers back to their reset values, unread input kept in order
 * (what was in the FIFO first), counters kept. */
static void test_reset_keeps_input(void **state)
{
	struct t *t = *state;

	gzdev_pl011_write(&t->u, PL011_LCR_H, 4, PL011_LCRH_FEN);
	gzdev_pl011_write(&t->u, PL011_IMSC, 4, PL011_INT_RX);
	gzdev_pl011_write(&t->u, PL011_IBRD, 4, 13);
	gzdev_pl011_write(&t->u, PL011_DR, 1, 'x');
	assert_int_equal(gzdev_pl011_input(&t->u, "0123456789abcdefghij", 20), 20);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_DR, 4), '0');
	assert_true(t->level);
	gzdev_pl011_reset(&t->u);
	assert_false(t->level); /* IMSC cleared */
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_IBRD, 4), 0);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_LCR_H, 4), 0);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_CR, 4), GZDEV_PL011_CR_RESET);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_IFLS, 4), GZDEV_PL011_IFLS_RESET);
	assert_int_equal(t->u.tx_bytes, 1);
	for (const char *p = "123456789abcdefghij"; *p; p++)
		assert_int_equal(gzdev_pl011_read(&t->u, PL011_DR, 4), *p);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_FR, 4), PL011_FR_TXFE | PL011_FR_RXFE);
}

static void test_backlog_limit(void **state)
{
	struct t *t = *state;
	static uint8_t big[GZDEV_PL011_BACKLOG + 100];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	gzdev_pl011_write(&t->u, PL011_LCR_H, 4, PL011_LCRH_FEN);
	/* 16 go to the FIFO at once, the backlog holds the rest up to its size. */
	assert_int_equal(gzdev_pl011_input(&t->u, big, sizeof(big)), GZDEV_PL011_BACKLOG);
	assert_int_equal(gzdev_pl011_input_space(&t->u), GZDEV_PL011_FIFO);
	for (size_t i = 0; i < GZDEV_PL011_BACKLOG; i++)
		assert_int_equal(gzdev_pl011_read(&t->u, PL011_DR, 4), (uint8_t)i);
	assert_int_equal(gzdev_pl011_input_space(&t->u), GZDEV_PL011_BACKLOG);
	assert_int_equal(gzdev_pl011_read(&t->u, PL011_FR, 4) & PL011_FR_RXFE, PL011_FR_RXFE);
}

/* The backlog is a ring: bytes offered after the first lap wrap around its end intact. */
static void test_backlog_wraps(void **state)
{
	struct t *t = *state;
	static uint8_t first[GZDEV_PL011_BACKLOG - 10], second[200];

	for (size_t i = 0; i < sizeof(second); i++)
		second[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(gzdev_pl011_input(&t->u, first, sizeof(first)), sizeof(first));
	for (size_t i = 0; i < sizeof(first); i++)
		gzdev_pl011_read(&t->u, PL011_DR, 4);
	assert_int_equal(gzdev_pl011_input(&t->u, second, sizeof(second)), sizeof(second));
	for (size_t i = 0; i < sizeof(second); i++)
		assert_int_equal(gzdev_pl011_read(&t->u, PL011_DR, 4), second[i]);
	assert_int_equal(gzdev_pl011_input_space(&t->u), GZDEV_PL011_BACKLOG);
}

/* With no line wired (gzhyp's test mode), the interrupt state still follows the registers. */
static void test_no_irq_line(void **state)
{
	struct t *t = *state;

	gzdev_pl011_init(&t->u, tx, NULL, t);
	gzdev_pl011_write(&t->u, PL011_IMSC, 4, PL011_INT_TX);
	gzdev_pl011_write(&t->u, PL011_DR, 4, 'x');
	assert_true(t->u.irq_level);
	assert_int_equal(t->level_changes, 0);
	assert_string_equal(t->out, "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ids_and_reset_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_registers_read_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_receive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset_keeps_input, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backlog_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backlog_wraps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_irq_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
