/*
 * Reading host memory the host passed by physical address (descriptors, PFN lists): gzhyp
 * does not map the host's memory (least privilege, hal.h), so each read goes through a
 * temporary single-page mapping (gz_hal_fixmap) that exists only for the copy. The caller
 * checks first that the host may hand over the pages (owner and state in the page-state
 * store); this only bounds where the copy can reach.
 */
#ifndef GZ_HOSTMEM_H
#define GZ_HOSTMEM_H

#include <arm64/types.h>

/* Copy @len bytes at @pa into @dst. GZ_ERR_INVALID_ARGS (the range wraps),
 * GZ_ERR_OUT_OF_RANGE (a page is not backed RAM; @dst may hold a part of the copy). */
int gz_hostmem_read(void *dst, gz_pa_t pa, uint64_t len);

#endif
