/* The guest's RAM as the VMM sees it: memslot regions (guest physical range -> host pointer)
 * and bounds-checked translation. Everything that touches guest memory (loaders, virtqueues,
 * devices) goes through here, so a guest-supplied address can never reach outside RAM. */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct vmm_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct vmm_mem {
	struct vmm_mem_region r[VMM_MAX_SLOTS];
	unsigned n;
};

/* Adds a region; -1 if full, empty, overflowing or overlapping another one. */
int vmm_mem_add(struct vmm_mem *m, uint64_t gpa, uint64_t size, void *hva);
/* Host pointer for [gpa, gpa+len) if that range lies inside one region, else NULL. len 0 is
 * treated as 1 (the address itself must be valid). */
void *vmm_mem_ptr(const struct vmm_mem *m, uint64_t gpa, uint64_t len);
bool vmm_mem_contains(const struct vmm_mem *m, uint64_t gpa, uint64_t len);
/* Lowest region (the RAM the guest boots in). */
const struct vmm_mem_region *vmm_mem_ram(const struct vmm_mem *m);

/* true if [a, a+alen) and [b, b+blen) intersect (no overflow for valid ranges). */
static inline bool vmm_range_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

#endif
