/* ARM PrimeCell PL011 UART, complete enough for Linux's amba-pl011 driver and earlycon:
 * data, flags, baud divisors, line and control registers, FIFO level select, the interrupt
 * mask/raw/masked/clear registers and the peripheral and PrimeCell IDs. Transmit is
 * immediate (the FIFO never fills); receive takes bytes from the event loop into a 16-entry
 * FIFO backed by a larger backlog, with RX/RT interrupts. The interrupt is a level line. */
#ifndef VMM_PL011_H
#define VMM_PL011_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console.h"

#define PL011_DR      0x000
#define PL011_RSR     0x004
#define PL011_FR      0x018
#define PL011_ILPR    0x020
#define PL011_IBRD    0x024
#define PL011_FBRD    0x028
#define PL011_LCR_H   0x02c
#define PL011_CR      0x030
#define PL011_IFLS    0x034
#define PL011_IMSC    0x038
#define PL011_RIS     0x03c
#define PL011_MIS     0x040
#define PL011_ICR     0x044
#define PL011_DMACR   0x048
#define PL011_ID_BASE 0xfe0

#define PL011_FR_BUSY 0x008
#define PL011_FR_RXFE 0x010
#define PL011_FR_TXFF 0x020
#define PL011_FR_RXFF 0x040
#define PL011_FR_TXFE 0x080

#define PL011_INT_RX  0x010
#define PL011_INT_TX  0x020
#define PL011_INT_RT  0x040
#define PL011_INT_ALL 0x7ff

#define PL011_LCRH_FEN	 0x010
#define PL011_CR_RESET	 0x300 /* TXE | RXE */
#define PL011_IFLS_RESET 0x12

#define PL011_FIFO    16U
#define PL011_BACKLOG 4096U

struct pl011 {
	pthread_mutex_t lock;
	struct vmm_console *out;
	/* Sets the interrupt line level (IRQ_LINE). */
	void (*set_irq)(void *ctx, bool level);
	void *irq_ctx;
	bool irq_level;

	uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr, ilpr;
	uint8_t fifo[PL011_FIFO];
	unsigned fifo_head, fifo_count;
	uint8_t backlog[PL011_BACKLOG];
	size_t backlog_len;
	uint64_t reads, writes, tx_bytes, rx_bytes, irq_changes;
};

int pl011_init(struct pl011 *u, struct vmm_console *out);
void pl011_destroy(struct pl011 *u);
uint64_t pl011_read(struct pl011 *u, uint64_t off, unsigned size);
void pl011_write(struct pl011 *u, uint64_t off, unsigned size, uint64_t val);
/* Input from the host; returns bytes accepted (the rest must be offered again later). */
size_t pl011_input(struct pl011 *u, const void *buf, size_t len);
size_t pl011_input_space(struct pl011 *u);

#endif
