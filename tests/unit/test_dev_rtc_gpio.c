/* The PL031 RTC and PL061 GPIO register models (src/dev): IDs, the RTC counting from the time
 * base and from a loaded value, match and its interrupt; GPIO masked data access, direction,
 * edge (rising, falling, both) and level detection, mask and clear, and the interrupt line
 * following RIS & IE — the way Linux's gpio-keys sees virt's power key on line 3. */
/* test-libs: gzdev */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gzdev/pl031.h>
#include <gzdev/pl061.h>

static bool line;
static int changes;

static void set_irq(void *ctx, bool level)
{
	assert_ptr_equal(ctx, &line);
	line = level;
	changes++;
}

static int setup(void **state)
{
	(void)state;
	line = false;
	changes = 0;
	return 0;
}

static void test_pl031_ids_and_counter(void **state)
{
	static const uint8_t ids[8] = {0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	struct gzdev_pl031 d;

	(void)state;
	gzdev_pl031_init(&d, set_irq, &line);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_ID + 4 * i, 4, 0), ids[i]);
	/* the counter is the time base, bytes of it at sub-word offsets */
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_DR, 4, 1700000000), 1700000000);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_DR + 1, 1, 0x12345678), 0x56);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_DR, 2, 0x12345678), 0x5678);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_DR, 3, 0x12345678), 0);
	/* a loaded value: the counter goes on from it */
	gzdev_pl031_write(&d, GZDEV_PL031_LR, 4, 1000, 5000);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_LR, 4, 0), 1000);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_DR, 4, 5000), 1000);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_DR, 4, 5007), 1007);
	/* DR is read-only; partial writes are ignored */
	gzdev_pl031_write(&d, GZDEV_PL031_DR, 4, 1, 5007);
	gzdev_pl031_write(&d, GZDEV_PL031_LR, 2, 1, 5007);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_DR, 4, 5007), 1007);
	/* start bit: set once, stays */
	gzdev_pl031_write(&d, GZDEV_PL031_CR, 4, 1, 0);
	gzdev_pl031_write(&d, GZDEV_PL031_CR, 4, 0, 0);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_CR, 4, 0), 1);
	assert_int_equal(gzdev_pl031_read(&d, 0x20, 4, 0), 0);
}

static void test_pl031_match(void **state)
{
	struct gzdev_pl031 d;

	(void)state;
	gzdev_pl031_init(&d, set_irq, &line);
	gzdev_pl031_write(&d, GZDEV_PL031_MR, 4, 110, 100);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_MR, 4, 0), 110);
	assert_int_equal(gzdev_pl031_until_match(&d, 100), 10);
	assert_int_equal(gzdev_pl031_until_match(&d, 110), 0);
	assert_int_equal(gzdev_pl031_until_match(&d, 111), 0xffffffff);
	/* masked: raw status only */
	gzdev_pl031_match(&d);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_RIS, 4, 0), 1);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_MIS, 4, 0), 0);
	assert_false(line);
	/* unmasked: the line rises; cleared: it falls */
	gzdev_pl031_write(&d, GZDEV_PL031_IMSC, 4, 0xff, 0);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_IMSC, 4, 0), 1);
	assert_true(line);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_MIS, 4, 0), 1);
	gzdev_pl031_write(&d, GZDEV_PL031_ICR, 4, 1, 0);
	assert_false(line);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_RIS, 4, 0), 0);
	gzdev_pl031_match(&d);
	assert_true(line);
	assert_int_equal(changes, 3);
	assert_int_equal(d.matches, 2);
	/* a loaded value moves the match */
	gzdev_pl031_write(&d, GZDEV_PL031_LR, 4, 105, 100);
	assert_int_equal(gzdev_pl031_until_match(&d, 100), 5);
}

static void test_pl061_ids_and_data(void **state)
{
	static const uint8_t ids[8] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	struct gzdev_pl061 g;

	(void)state;
	gzdev_pl061_init(&g, set_irq, &line);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_ID + 4 * i, 4), ids[i]);
	/* lines 0-3 outputs; a data write touches only the masked lines */
	gzdev_pl061_write(&g, GZDEV_PL061_DIR, 4, 0x0f);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_DIR, 4), 0x0f);
	gzdev_pl061_write(&g, 0x3fc, 4, 0x05);
	assert_int_equal(gzdev_pl061_read(&g, 0x3fc, 4), 0x05);
	gzdev_pl061_write(&g, 0x3 << 2, 4, 0x02); /* mask 0x03 */
	assert_int_equal(gzdev_pl061_read(&g, 0x3fc, 4), 0x06);
	assert_int_equal(gzdev_pl061_read(&g, 0x2 << 2, 4), 0x02);
	/* inputs read what the board drives, outputs never */
	gzdev_pl061_set_input(&g, 5, true);
	gzdev_pl061_set_input(&g, 1, false);
	gzdev_pl061_set_input(&g, 9, true);
	assert_int_equal(gzdev_pl061_read(&g, 0x3fc, 4), 0x26);
	assert_int_equal(gzdev_pl061_read(&g, 1U << (5 + 2), 1), 0x20);
	/* the other byte lanes and unknown registers read 0 */
	assert_int_equal(gzdev_pl061_read(&g, 0x3fd, 1), 0);
	assert_int_equal(gzdev_pl061_read(&g, 0x500, 4), 0);
	assert_int_equal(gzdev_pl061_read(&g, 0x3fc, 3), 0);
	gzdev_pl061_write(&g, GZDEV_PL061_AFSEL, 4, 0x81);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_AFSEL, 4), 0x81);
	assert_int_equal(changes, 0);
}

/* Linux's gpio-keys on virt's power key: both edges of line 3. */
static void test_pl061_power_key(void **state)
{
	struct gzdev_pl061 g;

	(void)state;
	gzdev_pl061_init(&g, set_irq, &line);
	gzdev_pl061_write(&g, GZDEV_PL061_IBE, 4, 0x08);
	gzdev_pl061_write(&g, GZDEV_PL061_IE, 4, 0x08);
	gzdev_pl061_set_input(&g, 3, true); /* press */
	assert_true(line);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_MIS, 4), 0x08);
	assert_int_equal(gzdev_pl061_read(&g, 1U << (3 + 2), 4), 0x08);
	gzdev_pl061_write(&g, GZDEV_PL061_IC, 4, 0x08);
	assert_false(line);
	gzdev_pl061_set_input(&g, 3, true); /* no change, no edge */
	assert_false(line);
	gzdev_pl061_set_input(&g, 3, false); /* release */
	assert_true(line);
	assert_int_equal(gzdev_pl061_read(&g, 1U << (3 + 2), 4), 0);
	gzdev_pl061_write(&g, GZDEV_PL061_IC, 4, 0xff);
	assert_false(line);
	assert_int_equal(g.edges, 2);
	assert_int_equal(changes, 4);
}

static void test_pl061_edge_and_level(void **state)
{
	struct gzdev_pl061 g;

	(void)state;
	gzdev_pl061_init(&g, set_irq, &line);
	/* line 0: rising edge; line 1: falling edge; line 2: level high; line 3: level low */
	gzdev_pl061_write(&g, GZDEV_PL061_IEV, 4, 0x05);
	gzdev_pl061_write(&g, GZDEV_PL061_IS, 4, 0x0c);
	/* line 3 is low: a level-low line is active at once (masked) */
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_RIS, 4), 0x08);
	assert_false(line);
	gzdev_pl061_write(&g, GZDEV_PL061_IE, 4, 0x07);
	assert_false(line);
	gzdev_pl061_set_input(&g, 0, true);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_RIS, 4), 0x09);
	assert_true(line);
	gzdev_pl061_set_input(&g, 0, false); /* falling on a rising-edge line: nothing new */
	gzdev_pl061_write(&g, GZDEV_PL061_IC, 4, 0x01);
	assert_false(line);
	gzdev_pl061_set_input(&g, 1, true); /* rising on a falling-edge line: nothing */
	assert_false(line);
	gzdev_pl061_set_input(&g, 1, false);
	assert_true(line);
	gzdev_pl061_write(&g, GZDEV_PL061_IC, 4, 0x02);
	assert_false(line);
	/* level high on line 2: stays raised while high, IC cannot clear it */
	gzdev_pl061_set_input(&g, 2, true);
	assert_true(line);
	gzdev_pl061_write(&g, GZDEV_PL061_IC, 4, 0xff);
	assert_true(line);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_MIS, 4), 0x04);
	gzdev_pl061_set_input(&g, 2, false);
	assert_false(line);
	/* line 3 goes high: its level-low status drops */
	gzdev_pl061_set_input(&g, 3, true);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_RIS, 4), 0);
	/* an output line's own edges are detected too */
	gzdev_pl061_write(&g, GZDEV_PL061_IS, 4, 0);
	gzdev_pl061_write(&g, GZDEV_PL061_DIR, 4, 0x01);
	gzdev_pl061_write(&g, 1U << 2, 4, 0x01);
	assert_true(line);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_RIS, 4), 0x01);
	/* misaligned or odd-sized writes are ignored */
	gzdev_pl061_write(&g, GZDEV_PL061_IE + 1, 1, 0);
	gzdev_pl061_write(&g, GZDEV_PL061_IE, 3, 0);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_IE, 4), 0x07);
}

/* Every register read back, sizes and offsets outside the registers, no interrupt line. */
static void test_registers_and_edges(void **state)
{
	struct gzdev_pl031 d;
	struct gzdev_pl061 g;

	(void)state;
	gzdev_pl031_init(&d, NULL, NULL);
	gzdev_pl031_write(&d, GZDEV_PL031_IMSC, 8, 1, 0);
	gzdev_pl031_match(&d); /* nothing wired: only the state changes */
	assert_true(d.irq_level);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_MIS, 8, 0), 1);
	gzdev_pl031_write(&d, GZDEV_PL031_RIS, 4, 0, 0); /* read-only */
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_RIS, 1, 0), 1);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_ID + 32, 4, 0), 0);
	assert_int_equal(gzdev_pl031_read(&d, GZDEV_PL031_ID - 4, 4, 0), 0);
	assert_int_equal(d.writes, 2);

	gzdev_pl061_init(&g, NULL, NULL);
	gzdev_pl061_write(&g, GZDEV_PL061_IS, 1, 0x11);
	gzdev_pl061_write(&g, GZDEV_PL061_IBE, 2, 0x22);
	gzdev_pl061_write(&g, GZDEV_PL061_IEV, 8, 0x44);
	gzdev_pl061_write(&g, GZDEV_PL061_IE, 4, 0xc8);
	gzdev_pl061_write(&g, GZDEV_PL061_RIS, 4, 0xff); /* read-only */
	gzdev_pl061_write(&g, 0x500, 4, 0xff);		 /* nothing there */
	gzdev_pl061_write(&g, GZDEV_PL061_DIR, 7, 0xff); /* bad size */
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_IS, 2), 0x11);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_IBE, 8), 0x22);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_IEV, 1), 0x44);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_IE, 4), 0xc8);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_DIR, 4), 0);
	/* lines 0 and 4 are level-low sensitive and low: raw status, outside IE */
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_RIS, 4), 0x11);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_MIS, 4), 0);
	gzdev_pl061_set_input(&g, 7, true); /* line 7 takes falling edges only */
	assert_false(g.irq_level);
	gzdev_pl061_set_input(&g, 6, true); /* line 6 rising edges (IEV), enabled */
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_MIS, 4), 0x40);
	assert_true(g.irq_level);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_ID + 32, 4), 0);
	assert_int_equal(gzdev_pl061_read(&g, GZDEV_PL061_ID - 4, 4), 0);
	assert_int_equal(g.writes, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_pl031_ids_and_counter, setup),
	    cmocka_unit_test_setup(test_pl031_match, setup),
	    cmocka_unit_test_setup(test_pl061_ids_and_data, setup),
	    cmocka_unit_test_setup(test_pl061_power_key, setup),
	    cmocka_unit_test_setup(test_pl061_edge_and_level, setup),
	    cmocka_unit_test_setup(test_registers_and_edges, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
