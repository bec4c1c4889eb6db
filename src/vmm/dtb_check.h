/* A device tree blob given with --dtb, checked before it reaches the guest: the header, the
 * memory reservation map, libfdt's full structural check, a nesting bound, and what a guest
 * cannot boot without (/cpus with a CPU, /memory inside the guest's RAM). */
#ifndef VMM_DTB_CHECK_H
#define VMM_DTB_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Deeper trees are refused: Linux's unflattening stops at 64 levels (FDT_MAX_DEPTH). */
#define VMM_DTB_MAX_DEPTH 64

/* 0, or -1 with a one-line message in @err naming @name. @size: the bytes read from the file
 * (the blob's totalsize must fit in them); the guest's RAM is [@ram_base, @ram_base +
 * @ram_size). */
int vmm_dtb_check(const char *name, const void *dtb, size_t size, uint64_t ram_base,
		  uint64_t ram_size, char *err, size_t errlen);

#endif
