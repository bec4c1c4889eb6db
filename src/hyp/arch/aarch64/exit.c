/* The end of a gzhyp run: a final, greppable status line, then the status goes to QEMU
 * through semihosting, or the machine is powered off through PSCI when that is missing. */
#include <gzhyp/lib.h>
#include <hal.h>

#include "el2.h"

static const char *status_name(unsigned status)
{
	switch (status) {
	case GZ_EL2_EXIT_OK:
		return "ok";
	case GZ_EL2_EXIT_FAIL:
		return "boot check failed";
	case GZ_EL2_EXIT_EXCEPTION:
		return "unexpected exception";
	case GZ_EL2_EXIT_PANIC:
		return "panic";
	default:
		return "error";
	}
}

static void raw_putc(void *ctx, char c)
{
	(void)ctx;
	gz_hal_console_putc(c);
}

void gz_el2_raw_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gz_vformat(raw_putc, NULL, fmt, ap);
	va_end(ap);
}

void gz_el2_exit(unsigned status)
{
	gz_el2_raw_printf("gzhyp: exit status=%u (%s)\n", status, status_name(status));
	gz_semihost_exit(status);
	gz_el2_raw_printf("gzhyp: no semihosting; powering off through PSCI SYSTEM_OFF\n");
	gz_psci_system_off();
	for (;;)
		__asm__ volatile("wfi");
}
