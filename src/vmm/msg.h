/* One-line error messages: formatted, with any control character (a newline in a file name
 * or an argument, say) replaced by '?', so every error stays on one line. */
#ifndef VMM_MSG_H
#define VMM_MSG_H

#include <stddef.h>

/* Formats into err and returns -1 (for "return vmm_fail(...)"). */
int vmm_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void vmm_msg_clean(char *s);
/* Prints "gzvmm: <message>" as one line on stderr and returns status. */
int vmm_report(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
