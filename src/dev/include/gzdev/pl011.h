/* PL011 UART register model, complete enough for Linux's amba-pl011 driver and earlycon: data,
 * flags, baud divisors, line and control registers, FIFO level select, the interrupt
 * mask/raw/masked/clear registers and the peripheral and PrimeCell IDs. Transmit is immediate
 * (the FIFO never fills: TXFE always, the TX interrupt raised after each byte); received bytes
 * wait in a backlog and enter a 16-entry FIFO (1 entry with FEN clear), raising RX and RT for
 * as long as data waits. Freestanding: what the guest transmits and the interrupt line's level
 * leave through callbacks; the caller serialises every call on one UART. gzvmm (host) and
 * gzhyp's test mode (EL2) use it. */
#ifndef GZDEV_PL011_H
#define GZDEV_PL011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arm64/pl011.h>

#define GZDEV_PL011_FIFO    16U
#define GZDEV_PL011_BACKLOG 4096U

#define GZDEV_PL011_CR_RESET   (PL011_CR_TXE | PL011_CR_RXE)
#define GZDEV_PL011_IFLS_RESET 0x12U /* both FIFO levels at half */

struct gzdev_pl011 {
	/* A byte the guest wrote to DR. */
	void (*tx)(void *ctx, uint8_t byte);
	/* The interrupt line (RIS & IMSC) changed level; NULL when nothing is wired to it. */
	void (*set_irq)(void *ctx, bool level);
	void *ctx;
	bool irq_level;

	uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr, ilpr;
	uint8_t fifo[GZDEV_PL011_FIFO];
	unsigned fifo_head, fifo_count;
	uint8_t backlog[GZDEV_PL011_BACKLOG]; /* ring: bytes offered but not yet in the FIFO */
	size_t backlog_head, backlog_len;
	uint64_t reads, writes, tx_bytes, rx_bytes, irq_changes;
};

/* Resets every register; tx must be set, set_irq may be NULL. */
void gzdev_pl011_init(struct gzdev_pl011 *u, void (*tx)(void *ctx, uint8_t byte),
		      void (*set_irq)(void *ctx, bool level), void *ctx);
/* Registers back to their reset values (a reboot of the machine); input not yet read by the
 * guest is kept, counters too. */
void gzdev_pl011_reset(struct gzdev_pl011 *u);
/* A guest access at offset off of size 1, 2, 4 or 8 bytes (other sizes: read 0, write
 * ignored); registers are 32-bit words, the low bits of off are ignored. */
uint64_t gzdev_pl011_read(struct gzdev_pl011 *u, uint64_t off, unsigned size);
void gzdev_pl011_write(struct gzdev_pl011 *u, uint64_t off, unsigned size, uint64_t val);
/* Input from the host; returns the bytes accepted (the rest must be offered again later). */
size_t gzdev_pl011_input(struct gzdev_pl011 *u, const void *buf, size_t len);
size_t gzdev_pl011_input_space(const struct gzdev_pl011 *u);
/* The flag register as a read would return it now: only input and the guest's reads of it
 * (and LCR_H's FIFO enable) change it. */
uint32_t gzdev_pl011_fr(const struct gzdev_pl011 *u);

#endif
