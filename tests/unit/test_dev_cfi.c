/* The CFI flash bank model (src/dev/cfi.c): the command state machine as U-Boot's and EDK2's
 * drivers use it (32-bit accesses with the command in each chip's half), the query table a
 * CFI probe reads, identifier and lock status, word and buffered program, block erase, lock
 * and unlock, the write-protected firmware bank, status errors and malformed sequences. */
/* test-libs: gzdev */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <gzdev/cfi.h>

#define SIZE	(1U << 20)
#define BLOCK	(64U * 1024U)
#define DUAL(c) ((uint32_t)(c) | (uint32_t)(c) << 16)

static struct gzdev_cfi f;
static uint8_t *mem;
static uint64_t ch_off, ch_len;
static unsigned nchanged;

static void changed(void *ctx, uint64_t off, uint64_t len)
{
	assert_ptr_equal(ctx, &f);
	ch_off = off;
	ch_len = len;
	nchanged++;
}

static int setup(void **state)
{
	(void)state;
	mem = malloc(SIZE);
	memset(mem, 0, SIZE);
	memcpy(mem, "firmware", 8);
	nchanged = 0;
	return gzdev_cfi_init(&f, mem, SIZE, BLOCK, false, changed, &f);
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static void cmd(uint64_t off, uint8_t c)
{
	gzdev_cfi_write(&f, off, 4, DUAL(c));
}

static uint32_t rd32(uint64_t off)
{
	return (uint32_t)gzdev_cfi_read(&f, off, 4);
}

static void test_geometry_checked(void **state)
{
	struct gzdev_cfi g;
	uint8_t b[8];

	(void)state;
	assert_int_equal(gzdev_cfi_init(&g, NULL, SIZE, BLOCK, false, NULL, NULL), -1);
	assert_int_equal(gzdev_cfi_init(&g, b, SIZE + 4096, BLOCK, false, NULL, NULL), -1);
	assert_int_equal(gzdev_cfi_init(&g, b, SIZE, BLOCK + 1, false, NULL, NULL), -1);
	assert_int_equal(gzdev_cfi_init(&g, b, SIZE, 2048, false, NULL, NULL), -1);
	assert_int_equal(gzdev_cfi_init(&g, b, SIZE, 2 * SIZE, false, NULL, NULL), -1);
	assert_int_equal(gzdev_cfi_init(&g, b, 2048ULL * BLOCK, BLOCK, false, NULL, NULL), -1);
	/* virt's banks: 64 MiB of 256 KiB blocks */
	assert_int_equal(gzdev_cfi_init(&g, b, 64U << 20, 256U << 10, false, NULL, NULL), 0);
	assert_int_equal(gzdev_cfi_query_word(&g, 0x27), 25); /* 32 MiB per chip */
	assert_int_equal(gzdev_cfi_query_word(&g, 0x2d) | gzdev_cfi_query_word(&g, 0x2e) << 8, 255);
	assert_int_equal(gzdev_cfi_query_word(&g, 0x2f) | gzdev_cfi_query_word(&g, 0x30) << 8,
			 (128U << 10) >> 8);
}

static void test_read_array_and_modes(void **state)
{
	(void)state;
	assert_true(gzdev_cfi_array_mode(&f));
	assert_int_equal(gzdev_cfi_read(&f, 0, 8), 0x657261776d726966ULL); /* "firmware" */
	assert_int_equal(gzdev_cfi_read(&f, 1, 1), 'i');
	assert_int_equal(gzdev_cfi_read(&f, 2, 2), 0x6d72);
	/* status: each chip's word holds it */
	cmd(0, 0x70);
	assert_false(gzdev_cfi_array_mode(&f));
	assert_int_equal(rd32(0x1234), 0x00800080);
	assert_int_equal(gzdev_cfi_read(&f, 0x12, 2), 0x0080);
	assert_int_equal(gzdev_cfi_read(&f, 0x11, 1), 0);
	assert_int_equal(gzdev_cfi_read(&f, 8, 8), 0x0080008000800080ULL);
	/* back to the array, and an unknown command or another set's reset does the same */
	cmd(0, 0xff);
	assert_true(gzdev_cfi_array_mode(&f));
	cmd(0, 0x90);
	assert_false(gzdev_cfi_array_mode(&f));
	gzdev_cfi_write(&f, 0x55, 1, 0xf0);
	assert_true(gzdev_cfi_array_mode(&f));
	assert_int_equal(gzdev_cfi_read(&f, 0, 1), 'f');
	/* bad sizes and offsets: nothing */
	assert_int_equal(gzdev_cfi_read(&f, 0, 3), 0);
	assert_int_equal(gzdev_cfi_read(&f, SIZE - 2, 4), 0);
	assert_int_equal(gzdev_cfi_read(&f, SIZE, 1), 0);
	gzdev_cfi_write(&f, SIZE - 1, 2, 0x70);
	gzdev_cfi_write(&f, 0, 16, 0x70);
	assert_true(gzdev_cfi_array_mode(&f));
	assert_int_equal(f.writes, 4);
}

/* What U-Boot's flash_detect_cfi and Linux's cfi_probe read at bus width 4. */
static void test_query(void **state)
{
	(void)state;
	cmd(0x55 * 4, 0x98);
	assert_int_equal(rd32(0x10 * 4), 0x00510051);
	assert_int_equal(rd32(0x11 * 4), 0x00520052);
	assert_int_equal(rd32(0x12 * 4), 0x00590059);
	/* one byte at a time (flash_read_uchar), low lane */
	assert_int_equal(gzdev_cfi_read(&f, 0x13 * 4, 1), 0x01);
	assert_int_equal(gzdev_cfi_read(&f, 0x15 * 4, 1), 0x31);
	assert_int_equal(gzdev_cfi_read(&f, 0x27 * 4, 1), 19); /* 512 KiB per chip */
	assert_int_equal(gzdev_cfi_read(&f, 0x2a * 4, 1), 11); /* 2 KiB buffer per chip */
	assert_int_equal(gzdev_cfi_read(&f, 0x2c * 4, 1), 1);
	assert_int_equal(gzdev_cfi_read(&f, 0x2d * 4, 1), 15); /* 16 blocks */
	assert_int_equal(gzdev_cfi_read(&f, 0x2f * 4, 1), (BLOCK / 2) >> 8);
	assert_int_equal(gzdev_cfi_read(&f, 0x31 * 4, 1), 'P');
	assert_int_equal(gzdev_cfi_read(&f, 0x33 * 4, 1), 'I');
	/* a probe at bus width 1 or 2 finds no "QRY" where it looks */
	assert_int_not_equal(gzdev_cfi_read(&f, 0x10, 1), 'Q');
	assert_int_not_equal(gzdev_cfi_read(&f, 0x20, 2), 'Q');
	/* the table repeats every 256 words; past its end words read 0 */
	assert_int_equal(rd32(0x110 * 4), 0x00510051);
	assert_int_equal(gzdev_cfi_query_word(&f, 0x80), 0);
}

static void test_identifier_and_locks(void **state)
{
	(void)state;
	cmd(0, 0x90);
	assert_int_equal(gzdev_cfi_read(&f, 0, 1), GZDEV_CFI_MANUFACTURER);
	assert_int_equal(rd32(4), DUAL(GZDEV_CFI_DEVICE_ID));
	assert_int_equal(rd32(3 * BLOCK + 8), 0);
	/* lock block 3: its lock word says so, the others not */
	cmd(3 * BLOCK, 0x60);
	cmd(3 * BLOCK, 0x01);
	assert_int_equal(rd32(0), 0x00800080); /* status after the command */
	cmd(0, 0x90);
	assert_int_equal(rd32(3 * BLOCK + 8), 0x00010001);
	assert_int_equal(rd32(2 * BLOCK + 8), 0);
	assert_int_equal(rd32(3 * BLOCK + 12), 0);
	/* a locked block refuses erase and program */
	cmd(3 * BLOCK, 0x20);
	cmd(3 * BLOCK, 0xd0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x20 | 0x02));
	cmd(0, 0x50);
	assert_int_equal(rd32(0), 0x00800080);
	cmd(3 * BLOCK, 0x40);
	gzdev_cfi_write(&f, 3 * BLOCK, 4, 0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x10 | 0x02));
	assert_int_equal(nchanged, 0);
	cmd(0, 0x50);
	/* unlock, lock down (also a lock), unlock again */
	cmd(3 * BLOCK, 0x60);
	cmd(3 * BLOCK, 0xd0);
	assert_false(gzdev_cfi_block_locked(&f, 3 * BLOCK));
	cmd(5 * BLOCK, 0x60);
	cmd(5 * BLOCK + 100, 0x2f);
	assert_true(gzdev_cfi_block_locked(&f, 5 * BLOCK + 4));
	cmd(5 * BLOCK, 0x60);
	cmd(5 * BLOCK, 0xd0);
	assert_false(gzdev_cfi_block_locked(&f, 5 * BLOCK));
	/* a bad lock sub-command is a sequence error */
	cmd(0, 0x60);
	cmd(0, 0x77);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x30));
	/* reset: unlocked again, ready, read array */
	cmd(0, 0x60);
	cmd(0, 0x01);
	gzdev_cfi_reset(&f);
	assert_false(gzdev_cfi_block_locked(&f, 0));
	assert_true(gzdev_cfi_array_mode(&f));
	assert_int_equal(f.status, GZDEV_CFI_SR_READY);
}

static void test_program_and_erase(void **state)
{
	(void)state;
	/* erase block 1: 0xff throughout, reported */
	cmd(BLOCK + 0x100, 0x20);
	assert_false(gzdev_cfi_array_mode(&f));
	cmd(BLOCK + 0x100, 0xd0);
	assert_int_equal(rd32(0), 0x00800080);
	assert_int_equal(nchanged, 1);
	assert_int_equal(ch_off, BLOCK);
	assert_int_equal(ch_len, BLOCK);
	assert_int_equal(mem[BLOCK], 0xff);
	assert_int_equal(mem[2 * BLOCK - 1], 0xff);
	assert_int_equal(mem[2 * BLOCK], 0);
	/* word program: clears bits only */
	cmd(BLOCK + 16, 0x40);
	gzdev_cfi_write(&f, BLOCK + 16, 4, 0x12345678);
	assert_int_equal(rd32(0), 0x00800080);
	cmd(0, 0xff);
	assert_int_equal(rd32(BLOCK + 16), 0x12345678);
	cmd(BLOCK + 16, 0x10);
	gzdev_cfi_write(&f, BLOCK + 16, 4, 0xffff0000);
	cmd(0, 0xff);
	assert_int_equal(rd32(BLOCK + 16), 0x12340000);
	assert_int_equal(ch_off, BLOCK + 16);
	assert_int_equal(ch_len, 4);
	/* 8-byte and 1-byte programs */
	cmd(BLOCK + 32, 0x40);
	gzdev_cfi_write(&f, BLOCK + 32, 8, 0x0102030405060708ULL);
	cmd(BLOCK + 40, 0x40);
	gzdev_cfi_write(&f, BLOCK + 41, 1, 0x5a);
	cmd(0, 0xff);
	assert_int_equal(gzdev_cfi_read(&f, BLOCK + 32, 8), 0x0102030405060708ULL);
	assert_int_equal(gzdev_cfi_read(&f, BLOCK + 40, 4), 0xffff5aff);
	/* an erase not confirmed with 0xD0: sequence error, nothing erased */
	cmd(BLOCK, 0x20);
	cmd(BLOCK, 0xff);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x30));
	assert_int_equal(mem[BLOCK + 16], 0x00);
	assert_int_equal(f.erases, 1);
	assert_int_equal(f.programs, 4);
	/* errors stay until cleared */
	cmd(0, 0x70);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x30));
	cmd(0, 0x50);
	assert_int_equal(rd32(0), 0x00800080);
}

/* EDK2's NorFlashWriteBuffer and U-Boot's flash_write_cfibuffer. */
static void test_buffered_program(void **state)
{
	(void)state;
	cmd(2 * BLOCK, 0x20);
	cmd(2 * BLOCK, 0xd0);
	cmd(2 * BLOCK + 0x100, 0xe8);
	assert_int_equal(rd32(2 * BLOCK + 0x100), 0x00800080); /* buffer available */
	gzdev_cfi_write(&f, 2 * BLOCK + 0x100, 4, DUAL(3));    /* 4 bus words */
	for (uint32_t i = 0; i < 4; i++) {
		assert_false(gzdev_cfi_array_mode(&f));
		gzdev_cfi_write(&f, 2 * BLOCK + 0x100 + 4 * i, 4, 0xa0b0c0d0 + i);
	}
	assert_int_equal(f.wstate, GZDEV_CFI_BUF_CONFIRM);
	assert_int_equal(mem[2 * BLOCK + 0x100], 0xff); /* not before the confirmation */
	cmd(2 * BLOCK + 0x100, 0xd0);
	assert_int_equal(rd32(0), 0x00800080);
	assert_int_equal(ch_off, 2 * BLOCK + 0x100);
	assert_int_equal(ch_len, 16);
	cmd(0, 0xff);
	assert_int_equal(rd32(2 * BLOCK + 0x10c), 0xa0b0c0d3);
	assert_int_equal(rd32(2 * BLOCK + 0x110), 0xffffffff);
	/* data in any order and size inside one window: the count is of writes (U-Boot's
	 * 16-bit view of the bank writes twice as many as EDK2's 32-bit one) */
	cmd(2 * BLOCK, 0xe8);
	gzdev_cfi_write(&f, 2 * BLOCK, 4, DUAL(2));
	gzdev_cfi_write(&f, 2 * BLOCK + 4, 4, 0x11111111);
	gzdev_cfi_write(&f, 2 * BLOCK + 2, 2, 0x2222);
	gzdev_cfi_write(&f, 2 * BLOCK, 2, 0x3333);
	cmd(2 * BLOCK, 0xd0);
	cmd(0, 0xff);
	assert_int_equal(gzdev_cfi_read(&f, 2 * BLOCK, 8), 0x1111111122223333ULL);
	/* the largest: 1024 16-bit writes, 2 KiB, as U-Boot's saveenv sends them */
	cmd(3 * BLOCK, 0x20);
	cmd(3 * BLOCK, 0xd0);
	cmd(3 * BLOCK + 2048, 0xe8);
	gzdev_cfi_write(&f, 3 * BLOCK + 2048, 2, 1023);
	for (uint32_t i = 0; i < 1024; i++)
		gzdev_cfi_write(&f, 3 * BLOCK + 2048 + 2 * i, 2, i);
	gzdev_cfi_write(&f, 3 * BLOCK + 2048, 2, 0xd0);
	assert_int_equal(gzdev_cfi_read(&f, 0, 2), 0x0080);
	assert_int_equal(ch_len, 2048);
	cmd(0, 0xff);
	assert_int_equal(gzdev_cfi_read(&f, 3 * BLOCK + 2048 + 2 * 1023, 2), 1023);
}

static void test_buffered_program_errors(void **state)
{
	uint64_t errors;

	(void)state;
	memset(mem + 4 * BLOCK, 0xff, BLOCK);
	/* a count larger than the buffer has words */
	cmd(4 * BLOCK, 0xe8);
	gzdev_cfi_write(&f, 4 * BLOCK, 4, DUAL(GZDEV_CFI_WRITE_BUFFER / 4));
	assert_int_equal(rd32(0), DUAL(0x80 | 0x30));
	assert_int_equal(f.wstate, GZDEV_CFI_IDLE);
	cmd(0, 0x50);
	/* data outside the first write's window */
	cmd(4 * BLOCK, 0xe8);
	gzdev_cfi_write(&f, 4 * BLOCK, 4, DUAL(1));
	gzdev_cfi_write(&f, 4 * BLOCK + GZDEV_CFI_WRITE_BUFFER - 4, 4, 0);
	gzdev_cfi_write(&f, 4 * BLOCK + GZDEV_CFI_WRITE_BUFFER, 4, 0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x30));
	cmd(0, 0x50);
	/* a write straddling the window's end */
	cmd(4 * BLOCK, 0xe8);
	gzdev_cfi_write(&f, 4 * BLOCK, 4, DUAL(3));
	gzdev_cfi_write(&f, 4 * BLOCK + GZDEV_CFI_WRITE_BUFFER - 4, 8, 0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x30));
	cmd(0, 0x50);
	/* more data than announced: the extra write is not the confirmation */
	cmd(4 * BLOCK, 0xe8);
	gzdev_cfi_write(&f, 4 * BLOCK, 4, DUAL(0));
	gzdev_cfi_write(&f, 4 * BLOCK, 8, 0);
	gzdev_cfi_write(&f, 4 * BLOCK + 8, 4, 0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x30));
	cmd(0, 0x50);
	/* no confirmation */
	cmd(4 * BLOCK, 0xe8);
	gzdev_cfi_write(&f, 4 * BLOCK, 4, DUAL(0));
	gzdev_cfi_write(&f, 4 * BLOCK, 4, 0);
	cmd(4 * BLOCK, 0xff);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x30));
	errors = f.errors;
	assert_int_equal(errors, 5);
	cmd(0, 0xff);
	for (unsigned i = 0; i < BLOCK; i++)
		if (mem[4 * BLOCK + i] != 0xff)
			fail_msg("byte %u programmed", i);
	assert_int_equal(nchanged, 0);
	/* into a locked block */
	cmd(0, 0x50);
	cmd(4 * BLOCK, 0x60);
	cmd(4 * BLOCK, 0x01);
	cmd(4 * BLOCK, 0xe8);
	gzdev_cfi_write(&f, 4 * BLOCK, 4, DUAL(0));
	gzdev_cfi_write(&f, 4 * BLOCK, 4, 0);
	cmd(4 * BLOCK, 0xd0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x10 | 0x02));
	assert_int_equal(mem[4 * BLOCK], 0xff);
}

/* The firmware bank: every block reads as locked down; program, erase and unlock fail. */
static void test_write_protected(void **state)
{
	(void)state;
	assert_int_equal(gzdev_cfi_init(&f, mem, SIZE, BLOCK, true, changed, &f), 0);
	cmd(0, 0x90);
	assert_int_equal(rd32(8), 0x00030003);
	cmd(0, 0x60);
	cmd(0, 0xd0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x20 | 0x02));
	cmd(0, 0x50);
	cmd(0, 0x20);
	cmd(0, 0xd0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x20 | 0x02));
	cmd(0, 0x50);
	cmd(0, 0x40);
	gzdev_cfi_write(&f, 0, 4, 0);
	assert_int_equal(rd32(0), DUAL(0x80 | 0x10 | 0x02));
	cmd(0, 0xff);
	assert_int_equal(gzdev_cfi_read(&f, 0, 8), 0x657261776d726966ULL);
	assert_int_equal(nchanged, 0);
	/* suspend and resume just report the status */
	cmd(0, 0xb0);
	assert_int_equal(f.read_mode, GZDEV_CFI_READ_STATUS);
	cmd(0, 0xff);
	cmd(0, 0xd0);
	assert_int_equal(f.read_mode, GZDEV_CFI_READ_STATUS);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_geometry_checked),	     T(test_read_array_and_modes), T(test_query),
	    T(test_identifier_and_locks),    T(test_program_and_erase),	   T(test_buffered_program),
	    T(test_buffered_program_errors), T(test_write_protected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
