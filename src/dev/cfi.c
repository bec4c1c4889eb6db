/* CFI NOR flash bank, Intel/Sharp extended command set (see gzdev/cfi.h). */
#include <gzdev/cfi.h>

#define NO_WINDOW UINT64_MAX

/* The primary vendor-specific extended query table starts at chip word 0x31. */
#define QUERY_PRI 0x31U

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static unsigned log2u(uint64_t v)
{
	unsigned n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

int gzdev_cfi_init(struct gzdev_cfi *f, uint8_t *array, uint64_t size, uint32_t block_size,
		   bool write_protected, void (*changed)(void *ctx, uint64_t off, uint64_t len),
		   void *ctx)
{
	if (!array || !pow2(size) || !pow2(block_size) || block_size < GZDEV_CFI_WRITE_BUFFER ||
	    block_size > size || size / block_size > GZDEV_CFI_MAX_BLOCKS)
		return -1;
	f->array = array;
	f->size = size;
	f->block_size = block_size;
	f->write_protected = write_protected;
	f->changed = changed;
	f->ctx = ctx;
	f->reads = f->writes = f->programs = f->erases = f->errors = 0;
	gzdev_cfi_reset(f);
	return 0;
}

void gzdev_cfi_reset(struct gzdev_cfi *f)
{
	f->read_mode = GZDEV_CFI_READ_ARRAY;
	f->wstate = GZDEV_CFI_IDLE;
	f->status = GZDEV_CFI_SR_READY;
	f->buf_words = f->buf_seen = 0;
	f->buf_base = NO_WINDOW;
	for (unsigned i = 0; i < sizeof(f->locked); i++)
		f->locked[i] = 0;
}

bool gzdev_cfi_array_mode(const struct gzdev_cfi *f)
{
	return f->read_mode == GZDEV_CFI_READ_ARRAY && f->wstate == GZDEV_CFI_IDLE;
}

static uint64_t block_of(const struct gzdev_cfi *f, uint64_t off)
{
	return off / f->block_size;
}

bool gzdev_cfi_block_locked(const struct gzdev_cfi *f, uint64_t off)
{
	uint64_t b = block_of(f, off);

	return f->write_protected ||
	       (b < GZDEV_CFI_MAX_BLOCKS && (f->locked[b / 8] >> (b % 8)) & 1);
}

static void set_lock(struct gzdev_cfi *f, uint64_t off, bool on)
{
	uint64_t b = block_of(f, off);

	if (on)
		f->locked[b / 8] |= (uint8_t)(1U << (b % 8));
	else
		f->locked[b / 8] &= (uint8_t) ~(1U << (b % 8));
}

uint16_t gzdev_cfi_query_word(const struct gzdev_cfi *f, uint64_t w)
{
	/* One chip: half the bank, half of each block. */
	uint64_t chip_size = f->size / 2, chip_block = f->block_size / 2;
	uint64_t blocks = f->size / f->block_size;

	switch (w) {
	case 0x10:
		return 'Q';
	case 0x11:
		return 'R';
	case 0x12:
		return 'Y';
	case 0x13:
		return 0x01; /* primary command set 0x0001: Intel/Sharp extended */
	case 0x15:
		return QUERY_PRI;
	case 0x1b:
		return 0x27; /* Vcc 2.7 V .. 3.6 V, no Vpp pin */
	case 0x1c:
		return 0x36;
	case 0x1f:
		return 0x06; /* typical word program 2^6 us */
	case 0x20:
		return 0x09; /* typical buffer program 2^9 us */
	case 0x21:
		return 0x0a; /* typical block erase 2^10 ms; no chip erase */
	case 0x23:
	case 0x24:
	case 0x25:
		return 0x02; /* maxima: 4 x typical */
	case 0x27:
		return (uint16_t)log2u(chip_size);
	case 0x28:
		return 0x01; /* x16 interface */
	case 0x2a:
		return (uint16_t)log2u(GZDEV_CFI_WRITE_BUFFER / 2);
	case 0x2c:
		return 1; /* one region of uniform blocks */
	case 0x2d:
		return (uint16_t)((blocks - 1) & 0xff);
	case 0x2e:
		return (uint16_t)((blocks - 1) >> 8);
	case 0x2f:
		return (uint16_t)((chip_block >> 8) & 0xff);
	case 0x30:
		return (uint16_t)(chip_block >> 16);
	case QUERY_PRI:
		return 'P';
	case QUERY_PRI + 1:
		return 'R';
	case QUERY_PRI + 2:
		return 'I';
	case QUERY_PRI + 3:
		return '1'; /* extended table version 1.0 */
	case QUERY_PRI + 4:
		return '0';
	case QUERY_PRI + 10:
		return 0x03; /* block status register: lock and lock-down bits */
	case QUERY_PRI + 12:
		return 0x33; /* Vcc optimum 3.3 V */
	default:
		return 0;
	}
}

/* The 16-bit word a chip outputs at bus byte off. */
static uint16_t chip_word(const struct gzdev_cfi *f, uint64_t off)
{
	uint64_t w;

	switch (f->read_mode) {
	case GZDEV_CFI_READ_STATUS:
		return f->status;
	case GZDEV_CFI_READ_QUERY:
		/* Word addresses on a chip are bus addresses / bank width; the table repeats. */
		return gzdev_cfi_query_word(f, (off / GZDEV_CFI_BANK_WIDTH) & 0xff);
	case GZDEV_CFI_READ_ID:
		w = (off % f->block_size) / GZDEV_CFI_BANK_WIDTH;
		if (w == 0)
			return GZDEV_CFI_MANUFACTURER;
		if (w == 1)
			return GZDEV_CFI_DEVICE_ID;
		if (w == 2) /* block lock configuration: bit 0 locked, bit 1 locked down */
			return f->write_protected ? 3 : gzdev_cfi_block_locked(f, off) ? 1 : 0;
		return 0;
	default:
		return 0;
	}
}

static uint8_t read_byte(const struct gzdev_cfi *f, uint64_t off)
{
	uint16_t w;

	if (f->read_mode == GZDEV_CFI_READ_ARRAY)
		return f->array[off];
	/* Byte lanes 0-1 are the first chip's word, 2-3 the second's, low byte first. */
	w = chip_word(f, off);
	return (uint8_t)((off & 1) ? w >> 8 : w);
}

static bool access_ok(const struct gzdev_cfi *f, uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && off < f->size &&
	       size <= f->size - off;
}

uint64_t gzdev_cfi_read(struct gzdev_cfi *f, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	if (!access_ok(f, off, size))
		return 0;
	f->reads++;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)read_byte(f, off + i) << (8 * i);
	return v;
}

static void error(struct gzdev_cfi *f, uint8_t bits)
{
	f->status |= bits;
	f->errors++;
}

/* The write-buffer window holding bus byte off. */
static uint64_t window_of(uint64_t off)
{
	return off & ~(uint64_t)(GZDEV_CFI_WRITE_BUFFER - 1);
}

static void program(struct gzdev_cfi *f, uint64_t off, unsigned size, uint64_t val)
{
	if (gzdev_cfi_block_locked(f, off)) {
		error(f, GZDEV_CFI_SR_PROGRAM_ERR | GZDEV_CFI_SR_LOCKED);
		return;
	}
	for (unsigned i = 0; i < size; i++)
		f->array[off + i] &= (uint8_t)(val >> (8 * i));
	f->programs++;
	if (f->changed)
		f->changed(f->ctx, off, size);
}

static void erase(struct gzdev_cfi *f, uint64_t off)
{
	uint64_t base = off - off % f->block_size;

	if (gzdev_cfi_block_locked(f, off)) {
		error(f, GZDEV_CFI_SR_ERASE_ERR | GZDEV_CFI_SR_LOCKED);
		return;
	}
	for (uint64_t i = 0; i < f->block_size; i++)
		f->array[base + i] = 0xff;
	f->erases++;
	if (f->changed)
		f->changed(f->ctx, base, f->block_size);
}

static void buffer_start(struct gzdev_cfi *f, uint64_t val)
{
	uint32_t words = (uint32_t)(val & 0xffff) + 1;

	if (words > GZDEV_CFI_WRITE_BUFFER / GZDEV_CFI_BANK_WIDTH) {
		error(f, GZDEV_CFI_SR_PROGRAM_ERR | GZDEV_CFI_SR_ERASE_ERR);
		f->wstate = GZDEV_CFI_IDLE;
		return;
	}
	f->buf_words = words;
	f->buf_seen = 0;
	f->buf_base = NO_WINDOW;
	for (unsigned i = 0; i < sizeof(f->buf_valid); i++)
		f->buf_valid[i] = 0;
	f->wstate = GZDEV_CFI_BUF_DATA;
}

static void buffer_data(struct gzdev_cfi *f, uint64_t off, unsigned size, uint64_t val)
{
	if (f->buf_base == NO_WINDOW)
		f->buf_base = window_of(off);
	/* Every word of one buffered program lies in one aligned window; otherwise the
	 * sequence is aborted, as the chips do. */
	if (window_of(off) != f->buf_base || window_of(off + size - 1) != f->buf_base) {
		error(f, GZDEV_CFI_SR_PROGRAM_ERR | GZDEV_CFI_SR_ERASE_ERR);
		f->wstate = GZDEV_CFI_IDLE;
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		uint64_t k = off + i - f->buf_base;

		f->buf[k] = (uint8_t)(val >> (8 * i));
		f->buf_valid[k / 8] |= (uint8_t)(1U << (k % 8));
	}
	if (++f->buf_seen == f->buf_words)
		f->wstate = GZDEV_CFI_BUF_CONFIRM;
}

static void buffer_commit(struct gzdev_cfi *f)
{
	uint64_t lo = GZDEV_CFI_WRITE_BUFFER, hi = 0;

	if (gzdev_cfi_block_locked(f, f->buf_base)) {
		error(f, GZDEV_CFI_SR_PROGRAM_ERR | GZDEV_CFI_SR_LOCKED);
		return;
	}
	for (uint64_t k = 0; k < GZDEV_CFI_WRITE_BUFFER; k++) {
		if (!((f->buf_valid[k / 8] >> (k % 8)) & 1))
			continue;
		f->array[f->buf_base + k] &= f->buf[k];
		if (k < lo)
			lo = k;
		hi = k + 1;
	}
	f->programs++;
	if (f->changed)
		f->changed(f->ctx, f->buf_base + lo, hi - lo);
}

static void lock_command(struct gzdev_cfi *f, uint64_t off, uint8_t cmd)
{
	switch (cmd) {
	case 0x01: /* lock */
	case 0x2f: /* lock down: kept until reset, as a lock here */
		set_lock(f, off, true);
		break;
	case 0xd0: /* unlock */
		if (f->write_protected)
			error(f, GZDEV_CFI_SR_ERASE_ERR | GZDEV_CFI_SR_LOCKED);
		else
			set_lock(f, off, false);
		break;
	default:
		error(f, GZDEV_CFI_SR_PROGRAM_ERR | GZDEV_CFI_SR_ERASE_ERR);
		break;
	}
}

static void command(struct gzdev_cfi *f, uint8_t cmd)
{
	switch (cmd) {
	case 0xff:
		f->read_mode = GZDEV_CFI_READ_ARRAY;
		break;
	case 0x70:
	case 0xb0: /* suspend: nothing is ever in progress */
	case 0xd0: /* resume: nothing is suspended */
		f->read_mode = GZDEV_CFI_READ_STATUS;
		break;
	case 0x50:
		f->status &= (uint8_t)~GZDEV_CFI_SR_ERRORS;
		break;
	case 0x90:
		f->read_mode = GZDEV_CFI_READ_ID;
		break;
	case 0x98:
		f->read_mode = GZDEV_CFI_READ_QUERY;
		break;
	case 0x40:
	case 0x10:
		f->wstate = GZDEV_CFI_PROGRAM;
		f->read_mode = GZDEV_CFI_READ_STATUS;
		break;
	case 0x20:
		f->wstate = GZDEV_CFI_ERASE;
		f->read_mode = GZDEV_CFI_READ_STATUS;
		break;
	case 0xe8:
		f->wstate = GZDEV_CFI_BUF_COUNT;
		f->read_mode = GZDEV_CFI_READ_STATUS; /* reads the buffer as available */
		break;
	case 0x60:
		f->wstate = GZDEV_CFI_LOCK;
		f->read_mode = GZDEV_CFI_READ_STATUS;
		break;
	default:
		/* Unknown, or another command set's reset (0xF0): back to reading the array. */
		f->read_mode = GZDEV_CFI_READ_ARRAY;
		break;
	}
}

void gzdev_cfi_write(struct gzdev_cfi *f, uint64_t off, unsigned size, uint64_t val)
{
	uint8_t cmd = (uint8_t)val;
	uint8_t state = f->wstate;

	if (!access_ok(f, off, size))
		return;
	f->writes++;
	if (state == GZDEV_CFI_BUF_DATA) {
		buffer_data(f, off, size, val);
		return;
	}
	f->wstate = GZDEV_CFI_IDLE;
	switch (state) {
	case GZDEV_CFI_PROGRAM:
		program(f, off, size, val);
		break;
	case GZDEV_CFI_ERASE:
		if (cmd == 0xd0)
			erase(f, off);
		else
			error(f, GZDEV_CFI_SR_PROGRAM_ERR | GZDEV_CFI_SR_ERASE_ERR);
		break;
	case GZDEV_CFI_BUF_COUNT:
		buffer_start(f, val);
		break;
	case GZDEV_CFI_BUF_CONFIRM:
		if (cmd == 0xd0)
			buffer_commit(f);
		else
			error(f, GZDEV_CFI_SR_PROGRAM_ERR | GZDEV_CFI_SR_ERASE_ERR);
		break;
	case GZDEV_CFI_LOCK:
		lock_command(f, off, cmd);
		break;
	default:
		command(f, cmd);
		return;
	}
	/* After every operation the chips answer reads with their status. */
	f->read_mode = GZDEV_CFI_READ_STATUS;
}
