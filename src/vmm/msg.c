/* One-line error message formatting. */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>

void vmm_msg_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int vmm_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	vmm_msg_clean(err);
	return -1;
}

int vmm_report(int status, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	vmm_msg_clean(line);
	fprintf(stderr, "gzvmm: %s\n", line);
	return status;
}
