/* The freestanding helpers the hypervisor needs in place of libc: memory and string
 * routines and printf-style formatting. Prefixed so that host builds link beside libc. */
#ifndef GZ_LIB_H
#define GZ_LIB_H

#include <stdarg.h>
#include <arm64/types.h>

void *gz_memcpy(void *dst, const void *src, size_t n);
void *gz_memmove(void *dst, const void *src, size_t n);
void *gz_memset(void *dst, int c, size_t n);
int gz_memcmp(const void *a, const void *b, size_t n);
size_t gz_strlen(const char *s);
size_t gz_strnlen(const char *s, size_t max);
int gz_strcmp(const char *a, const char *b);
int gz_strncmp(const char *a, const char *b, size_t n);

/* Formatting: %d %i %u %x %X %o %p %s %c %% with flags '-', '0', ' ', '+', '#', width,
 * precision (also '*') and length modifiers hh h l ll z t j. Returns the length the full
 * output would have (like C99 snprintf); always NUL-terminates when size > 0. */
int gz_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int gz_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formatting into a sink, one character at a time (the console uses it). */
typedef void (*gz_putc_fn)(void *ctx, char c);
int gz_vformat(gz_putc_fn out, void *ctx, const char *fmt, va_list ap);

#endif
