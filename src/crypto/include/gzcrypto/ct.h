/* Helpers for secrets: a comparison whose time does not depend on where two buffers differ,
 * and a wipe the compiler may not drop. */
#ifndef GZCRYPTO_CT_H
#define GZCRYPTO_CT_H

#include <stdbool.h>
#include <stddef.h>

/* true when the LEN bytes at A and B are equal; reads every byte whatever they hold. */
bool gzcrypto_ct_equal(const void *a, const void *b, size_t len);
/* Zeroes LEN bytes at P through volatile stores. */
void gzcrypto_wipe(void *p, size_t len);

#endif
