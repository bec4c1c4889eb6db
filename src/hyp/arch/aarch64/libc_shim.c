/* The four symbols GCC may call on its own (struct copies, zero-initialisation) even in a
 * freestanding build; they forward to the hypervisor's lib. Only the EL2 image links this. */
#include <gzhyp/lib.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	return gz_memcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	return gz_memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
	return gz_memset(dst, c, n);
}

int memcmp(const void *a, const void *b, size_t n)
{
	return gz_memcmp(a, b, n);
}
