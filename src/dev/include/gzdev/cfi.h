/* One bank of CFI NOR flash as QEMU's virt board has it: two x16 chips side by side on a
 * 32-bit bus (bank width 4, device width 2), Intel/Sharp extended command set (CFI primary
 * vendor command set 0x0001), manufacturer 0x89, device 0x18 — what EDK2's and U-Boot's
 * flash drivers (and Linux's cfi_cmdset_0001) drive.
 *
 * Commands are the low byte of the value written, anywhere in the bank (both chips take the
 * same command): 0xFF read array, 0x70 read status, 0x50 clear status, 0x90 read identifier,
 * 0x98 CFI query, 0x40/0x10 word program, 0x20 + 0xD0 block erase, 0xE8 buffered program
 * (word count - 1, the data, 0xD0), 0x60 + 0x01/0xD0/0x2F lock, unlock, lock down, 0xB0/0xD0
 * suspend/resume (nothing to suspend: operations complete at once). Any other byte returns
 * to read array, as the reset commands of other command sets expect.
 *
 * Drivers differ in how wide they see the bank: EDK2 and Linux write 32-bit words (one word
 * to each chip), U-Boot settles on 16-bit accesses. Reads in identifier and query mode answer
 * at chip word (offset / 4) whatever the access size, and a buffered program takes as many
 * data writes as its count announced, of any size, all inside one aligned window; both as
 * QEMU's pflash does, so each driver finds the geometry it finds there.
 *
 * Programming clears bits only (new = old & data), erase sets a block to 0xFF, as on NOR.
 * Blocks start unlocked; a write-protected bank (firmware) reports every block locked down
 * and refuses program, erase and unlock with the locked-block status bits. Each chip's CFI
 * query table describes one chip (half the bank). Reads in read-array mode come straight
 * from the array: a VMM maps the bank as read-only memory then (gzdev_cfi_array_mode) and
 * only writes reach the model. Freestanding; the caller serialises calls on one bank. */
#ifndef GZDEV_CFI_H
#define GZDEV_CFI_H

#include <stdbool.h>
#include <stdint.h>

#define GZDEV_CFI_BANK_WIDTH   4U /* bytes per bus word: one 16-bit word of each chip */
#define GZDEV_CFI_MANUFACTURER 0x89U
#define GZDEV_CFI_DEVICE_ID    0x18U
/* Buffered program window on the bus: 2 KiB per chip (CFI max write buffer 2^11). */
#define GZDEV_CFI_WRITE_BUFFER 4096U
#define GZDEV_CFI_MAX_BLOCKS   1024U

/* Status register (each chip reports it in the low byte of its word). */
#define GZDEV_CFI_SR_READY	 0x80U
#define GZDEV_CFI_SR_ERASE_ERR	 0x20U /* also: clear lock-bit error */
#define GZDEV_CFI_SR_PROGRAM_ERR 0x10U /* also: set lock-bit error */
#define GZDEV_CFI_SR_LOCKED	 0x02U
#define GZDEV_CFI_SR_ERRORS	 0x3aU /* what 0x50 clears */

enum gzdev_cfi_read_mode {
	GZDEV_CFI_READ_ARRAY,
	GZDEV_CFI_READ_STATUS,
	GZDEV_CFI_READ_ID,
	GZDEV_CFI_READ_QUERY,
};

/* What the next write means. */
enum gzdev_cfi_wstate {
	GZDEV_CFI_IDLE,	       /* a command */
	GZDEV_CFI_PROGRAM,     /* the data of a word program */
	GZDEV_CFI_ERASE,       /* 0xD0 confirms the block erase */
	GZDEV_CFI_BUF_COUNT,   /* word count - 1 of a buffered program */
	GZDEV_CFI_BUF_DATA,    /* its data */
	GZDEV_CFI_BUF_CONFIRM, /* 0xD0 programs the buffer */
	GZDEV_CFI_LOCK,	       /* 0x01 lock, 0xD0 unlock, 0x2F lock down */
};

struct gzdev_cfi {
	uint8_t *array; /* the bank's contents, size bytes */
	uint64_t size;
	uint32_t block_size; /* bytes of the bank per erase block (both chips) */
	bool write_protected;
	/* The array changed in [off, off + len) (program, erase): persist it. May be NULL. */
	void (*changed)(void *ctx, uint64_t off, uint64_t len);
	void *ctx;

	uint8_t read_mode; /* enum gzdev_cfi_read_mode */
	uint8_t wstate;	   /* enum gzdev_cfi_wstate */
	uint8_t status;
	uint32_t buf_words; /* data writes announced by the count */
	uint32_t buf_seen;  /* received */
	uint64_t buf_base;  /* window of the first data write; UINT64_MAX before it */
	uint8_t buf[GZDEV_CFI_WRITE_BUFFER];
	uint8_t buf_valid[GZDEV_CFI_WRITE_BUFFER / 8];
	uint8_t locked[GZDEV_CFI_MAX_BLOCKS / 8];
	uint64_t reads, writes, programs, erases, errors;
};

/* Sets the bank up over array (its contents are kept) and resets it. size and block_size
 * must be powers of two, GZDEV_CFI_WRITE_BUFFER <= block_size <= size, at most
 * GZDEV_CFI_MAX_BLOCKS blocks; -1 otherwise. */
int gzdev_cfi_init(struct gzdev_cfi *f, uint8_t *array, uint64_t size, uint32_t block_size,
		   bool write_protected, void (*changed)(void *ctx, uint64_t off, uint64_t len),
		   void *ctx);
/* Power-on state: read array, status ready, every block unlocked; the array is kept. */
void gzdev_cfi_reset(struct gzdev_cfi *f);
/* Whether reads return the array (and writes are commands): the bank may be mapped
 * read-only then. */
bool gzdev_cfi_array_mode(const struct gzdev_cfi *f);
/* Accesses of 1, 2, 4 or 8 bytes inside the bank, little-endian (others: read 0, write
 * ignored). */
uint64_t gzdev_cfi_read(struct gzdev_cfi *f, uint64_t off, unsigned size);
void gzdev_cfi_write(struct gzdev_cfi *f, uint64_t off, unsigned size, uint64_t val);
/* Chip word w of the CFI query table (0 past its end). */
uint16_t gzdev_cfi_query_word(const struct gzdev_cfi *f, uint64_t w);
bool gzdev_cfi_block_locked(const struct gzdev_cfi *f, uint64_t off);

#endif
