/* PL031 real-time clock register model: the data register counts seconds from a time base
 * the caller passes in with every access (gzvmm: the host's wall clock, so the guest gets
 * wall-clock time); load, match, control, the match interrupt's mask/raw/masked/clear
 * registers and the peripheral and PrimeCell IDs. The match interrupt needs a timer, which
 * the caller keeps: gzdev_pl031_until_match says when, gzdev_pl031_match raises it. The
 * interrupt line's level leaves through a callback. Freestanding; the caller serialises
 * calls on one RTC. */
#ifndef GZDEV_PL031_H
#define GZDEV_PL031_H

#include <stdbool.h>
#include <stdint.h>

#define GZDEV_PL031_DR	 0x00U
#define GZDEV_PL031_MR	 0x04U
#define GZDEV_PL031_LR	 0x08U
#define GZDEV_PL031_CR	 0x0cU
#define GZDEV_PL031_IMSC 0x10U
#define GZDEV_PL031_RIS	 0x14U
#define GZDEV_PL031_MIS	 0x18U
#define GZDEV_PL031_ICR	 0x1cU
#define GZDEV_PL031_ID	 0xfe0U /* 8 ID registers, one byte each */

struct gzdev_pl031 {
	void (*set_irq)(void *ctx, bool level); /* NULL: nothing wired */
	void *ctx;
	bool irq_level;
	uint32_t offset; /* DR = now + offset, modulo 2^32 */
	uint32_t mr, lr, cr, imsc, ris;
	uint64_t reads, writes, matches;
};

/* Resets the registers; the counter reads the time base until a guest loads another value. */
void gzdev_pl031_init(struct gzdev_pl031 *d, void (*set_irq)(void *ctx, bool level), void *ctx);
/* Registers are 32-bit words; the low two bits of off select bytes of them (size 1, 2, 4 or
 * 8; others read 0, writes ignored). now: seconds of the time base. */
uint64_t gzdev_pl031_read(struct gzdev_pl031 *d, uint64_t off, unsigned size, uint64_t now);
void gzdev_pl031_write(struct gzdev_pl031 *d, uint64_t off, unsigned size, uint64_t val,
		       uint64_t now);
/* Seconds until the counter equals the match register (0: it does now). */
uint32_t gzdev_pl031_until_match(const struct gzdev_pl031 *d, uint64_t now);
/* The counter reached the match register: raw interrupt set, line updated. */
void gzdev_pl031_match(struct gzdev_pl031 *d);

#endif
