/* gz_printf: formatted output to the HAL console, serialised so lines from different
 * physical CPUs do not interleave mid-line. */
#include <hal.h>
#include <gzhyp/lib.h>
#include <gzhyp/log.h>

static gz_lock_t console_lock = GZ_LOCK_INIT;

static void console_putc(void *ctx, char c)
{
	(void)ctx;
	gz_hal_console_putc(c);
}

int gz_vprintf(const char *fmt, va_list ap)
{
	int n;

	gz_hal_lock(&console_lock);
	n = gz_vformat(console_putc, NULL, fmt, ap);
	gz_hal_unlock(&console_lock);
	return n;
}

int gz_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gz_vprintf(fmt, ap);
	va_end(ap);
	return n;
}
