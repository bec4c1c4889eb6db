/* Console output of the hypervisor, through the HAL console. */
#ifndef GZ_LOG_H
#define GZ_LOG_H

#include <stdarg.h>

int gz_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gz_vprintf(const char *fmt, va_list ap);

#endif
