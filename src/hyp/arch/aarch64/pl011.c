/* PL011 console: polled transmit only. Starts on the virt board's UART so that early
 * messages (wrong EL, bad DTB) are seen, then moves to the UART the DTB names. */
#include <hal.h>
#include <arm64/pl011.h>

#include "el2.h"
#include "mmio.h"

/* A stuck UART must not hang the hypervisor: give up on a character after this many polls. */
#define PL011_TX_POLLS 1000000U

static uint64_t uart_base = GZ_EL2_EARLY_UART;

static void pl011_wait_tx(uint32_t busy_bits)
{
	for (unsigned i = 0; i < PL011_TX_POLLS; i++)
		if (!(gz_mmio_read32(uart_base + PL011_FR) & busy_bits))
			return;
}

void gz_pl011_set_base(uint64_t base)
{
	uint32_t cr;

	pl011_wait_tx(PL011_FR_BUSY);
	uart_base = base;
	/* Firmware normally leaves the UART enabled; make sure transmit works either way. */
	cr = gz_mmio_read32(uart_base + PL011_CR);
	if ((cr & (PL011_CR_UARTEN | PL011_CR_TXE)) != (PL011_CR_UARTEN | PL011_CR_TXE))
		gz_mmio_write32(uart_base + PL011_CR, cr | PL011_CR_UARTEN | PL011_CR_TXE);
}

void gz_pl011_putc(char c)
{
	pl011_wait_tx(PL011_FR_TXFF);
	gz_mmio_write32(uart_base + PL011_DR, (uint8_t)c);
}

void gz_hal_console_putc(char c)
{
	if (c == '\n')
		gz_pl011_putc('\r');
	gz_pl011_putc(c);
}
