/* SPDX-License-Identifier: GPL-2.0 */
/* gzbounce.ko's pool for other guest modules (gzsecret.ko): memory the host may read. */
#ifndef GZBOUNCE_H
#define GZBOUNCE_H

#include <linux/types.h>

/* Zeroed, page-aligned memory of @size bytes in the shared pool, its IPA in @pa; NULL when
 * the pool is full or absent. */
void *gzbounce_alloc(size_t size, phys_addr_t *pa);
void gzbounce_free(void *va, size_t size);
/* Where the pool is (base 0, size 0 before gzbounce found it). */
void gzbounce_pool(phys_addr_t *base, size_t *size);

#endif
