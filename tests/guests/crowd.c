/* crowd: one of many VMs that must all exist at once (tests/qemu/fullstack_many.sh). vCPU 0
 * starts vCPU 1, says both are up, and waits in WFI for the PL011's receive interrupt; vCPU 1
 * waits in WFI for good. A line on the console (gzvmm --input pl011) lets vCPU 0 say goodbye
 * and power the VM off. Waiting costs the host nothing (IDLE exits), so dozens of such VMs
 * can sit side by side on two CPUs until the host releases them. */
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

static volatile unsigned up, rx_ready;

void guest_irq(unsigned intid)
{
	if (intid != SPI_UART) {
		printf_("unexpected interrupt %u\n", intid);
		return;
	}
	w32(UART_BASE + UART_IMSC, 0); /* level: masked until the FIFO is drained */
	rx_ready = 1;
}

void guest_main(unsigned cpu)
{
	if (cpu != 0) {
		up = 1;
		for (;;)
			wfi();
	}
	gic_init_dist();
	gic_init_cpu(0);
	w32(GICD_BASE + GICD_IGROUPR + 4 * (SPI_UART / 32), 1u << (SPI_UART % 32)); /* group 1 */
	w8(GICD_BASE + GICD_IPRIORITYR + SPI_UART, 0x80);
	w64(GICD_BASE + GICD_IROUTER + 8 * SPI_UART, 0); /* to CPU 0 */
	w32(GICD_BASE + GICD_ISENABLER + 4 * (SPI_UART / 32), 1u << (SPI_UART % 32));
	if (hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) != 0) {
		puts_("crowd: no second vCPU\n");
		return;
	}
	while (!up)
		__asm__ volatile("yield");
	puts_("crowd: 2 vCPUs up\n");
	w32(UART_BASE + UART_IMSC, UART_RX_INTS);
	wfi_until(rx_ready);
	while (!(r32(UART_BASE + UART_FR) & UART_FR_RXFE))
		(void)r32(UART_BASE + UART_DR);
	puts_("crowd: released, bye\n");
}
