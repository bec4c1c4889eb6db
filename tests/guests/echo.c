/* echo: reads the console. vCPU 0 waits in WFI for the PL011's receive interrupt (SPI 33) and
 * echoes every line it gets as "echo: <line>"; vCPU 1 meanwhile counts and prints three
 * ticks, then turns itself off, so where the echoes fall among the ticks is the host's timing
 * of the input, and input that comes later finds the machine idle. A line "q" powers off. Under
 * gzvmm --record that timing is kept; --replay gives the same transcript again
 * (tests/vmm/replay.cmake). */
#include "common/guest.h"

#define UART_DR		0x00
#define UART_FR		0x18
#define UART_FR_RXFE	(1u << 4)
#define UART_IMSC	0x38
#define UART_RX_INTS	((1u << 4) | (1u << 6)) /* RXIM | RTIM */
#define SPI_UART	33u
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER	0x6000

static volatile unsigned rx_ready, quit, ticks_on;

void guest_irq(unsigned intid)
{
	if (intid != SPI_UART) {
		printf_("unexpected interrupt %u\n", intid);
		return;
	}
	/* Masked until vCPU 0 has drained the FIFO: the line is level, it stays up till then. */
	w32(UART_BASE + UART_IMSC, 0);
	rx_ready = 1;
}

static void ticker(void)
{
	while (!ticks_on)
		__asm__ volatile("yield");
	for (unsigned n = 1; n <= 3 && !quit; n++) {
		for (volatile unsigned i = 0; i < 50000 && !quit; i++)
			;
		printf_("tick %u\n", n);
	}
}

static void echo(void)
{
	char line[80];
	unsigned len = 0;

	gic_init_dist();
	gic_init_cpu(0);
	w32(GICD_BASE + GICD_IGROUPR + 4 * (SPI_UART / 32), 1u << (SPI_UART % 32)); /* group 1 */
	w8(GICD_BASE + GICD_IPRIORITYR + SPI_UART, 0x80);
	w64(GICD_BASE + GICD_IROUTER + 8 * SPI_UART, 0); /* to CPU 0 */
	w32(GICD_BASE + GICD_ISENABLER + 4 * (SPI_UART / 32), 1u << (SPI_UART % 32));
	ticks_on = 1;
	while (!quit) {
		w32(UART_BASE + UART_IMSC, UART_RX_INTS);
		wfi_until(rx_ready);
		rx_ready = 0;
		while (!(r32(UART_BASE + UART_FR) & UART_FR_RXFE)) {
			char c = (char)r32(UART_BASE + UART_DR);

			if (c != '\n' && len < sizeof(line) - 1) {
				line[len++] = c;
				continue;
			}
			line[len] = '\0';
			if (c == '\n' && len == 1 && line[0] == 'q') {
				quit = 1;
				break;
			}
			printf_("echo: %s\n", line);
			len = 0;
		}
	}
	puts_("echo: bye\n");
}

void guest_main(unsigned cpu)
{
	if (cpu != 0) {
		ticker();
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		for (;;)
			wfi();
	}
	if (hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) != 0)
		puts_("echo: no second vCPU\n");
	echo();
	system_off();
}
