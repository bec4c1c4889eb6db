/*
 * The host VM's stage-2: an identity map of what the host may touch, filled lazily. A host
 * stage-2 fault maps what the page-state store lets the host reach (gz_host_s2_map_fault,
 * through gz_host_s2_handle_fault in mem.c); transitions that take a page from the host
 * call gz_host_s2_unmap, which drops whole leaves so that it never has to split a block (and
 * so never needs memory and never fails). Both work on the table they are given, under the
 * memory lock their caller holds: the memory object's state is mem.c's.
 */
#include <gzabi/status.h>
#include <hal.h>

#include "mem_priv.h"

#define HOST_BLOCK  GZ_PGT_BLOCK_2M
#define HOST_PROT   GZ_PROT_RWX
#define BORROW_PROT GZ_PROT_RW
#define DEVICE_PROT (GZ_PROT_RW | GZ_PROT_DEVICE)

void gz_host_s2_unmap(struct gz_pgt *s2, gz_pa_t pa, uint64_t nr)
{
	gz_pa_t end = pa + (nr << GZ_PAGE_SHIFT);
	unsigned level;

	while (pa < end) {
		if (gz_pgt_translate(s2, pa, NULL, NULL, &level) == GZ_OK) {
			uint64_t size = gz_pgt_level_size(level);
			gz_pa_t leaf = GZ_ALIGN_DOWN(pa, size);

			if (gz_pgt_unmap(s2, leaf, size))
				gz_hal_panic("host_s2: unmapping a whole leaf failed");
			pa = leaf + size;
		} else {
			pa += GZ_PAGE_SIZE;
		}
	}
}

/* May the host map the whole 2 MiB block around @pa as its own normal memory? (Pages it
 * lends are still its own.) The scan starts at @pa and wraps: pages come back in ascending
 * order, so while a block is being returned the page after @pa is the likeliest not to be
 * the host's yet (from the block's start a 2 MiB return read 131,072 entries, 512 here). */
static bool host_owns_block(gz_pa_t block, gz_pa_t pa)
{
	uint64_t first = (pa - block) >> GZ_PAGE_SHIFT, n = HOST_BLOCK >> GZ_PAGE_SHIFT;

	if (!gz_pgstate_managed_range(block, n))
		return false;
	for (uint64_t i = 0; i < n; i++)
		if (gz_pgstate_owner(block + (((first + i) % n) << GZ_PAGE_SHIFT)) != GZ_OWNER_HOST)
			return false;
	return true;
}

void gz_host_s2_regroup(struct gz_pgt *s2, gz_pa_t pa)
{
	gz_pa_t block = GZ_ALIGN_DOWN(pa, HOST_BLOCK);

	if (!host_owns_block(block, GZ_ALIGN_DOWN(pa, GZ_PAGE_SIZE)))
		return;
	/* Whatever maps part of the block is a table of pages: the returned page's leaf went
	 * when it left, and the host cannot have mapped the block whole since. Unmapping the
	 * whole aligned block splits nothing, so it needs no memory and cannot fail. */
	for (gz_pa_t p = block; p < block + HOST_BLOCK; p += GZ_PAGE_SIZE) {
		if (gz_pgt_translate(s2, p, NULL, NULL, NULL) != GZ_OK)
			continue;
		if (gz_pgt_unmap(s2, block, HOST_BLOCK))
			gz_hal_panic("host_s2: unmapping a table of pages failed");
		return;
	}
}

int gz_host_s2_map_fault(struct gz_pgt *s2, gz_pa_t pa)
{
	gz_pa_t page = GZ_ALIGN_DOWN(pa, GZ_PAGE_SIZE);
	gz_pa_t block = GZ_ALIGN_DOWN(pa, HOST_BLOCK);
	uint64_t size = GZ_PAGE_SIZE;
	gz_pa_t base = page;
	uint32_t prot;

	if (gz_pgt_translate(s2, page, NULL, NULL, NULL) == GZ_OK)
		return GZ_OK; /* another CPU mapped it first */
	if (!gz_pgstate_managed(page)) {
		prot = DEVICE_PROT;
		if (!gz_pgstate_any_managed(block, HOST_BLOCK)) {
			base = block;
			size = HOST_BLOCK;
		}
	} else {
		switch (gz_pgstate_view(page, GZ_OWNER_HOST)) {
		case GZ_PAGE_OWNED:
		case GZ_PAGE_SHARED_OWNED:
		case GZ_PAGE_LENT: /* lent pages stay the host's own (a normal VM's memory) */
		case GZ_PAGE_LENT_SHARED:
			prot = HOST_PROT;
			if (host_owns_block(block, page)) {
				base = block;
				size = HOST_BLOCK;
			}
			break;
		case GZ_PAGE_SHARED_BORROWED:
			prot = BORROW_PROT;
			break;
		default:
			return GZ_ERR_ACCESS_DENIED;
		}
	}
	/* Pages of the block already mapped are mapped identically (same PA, same prot: a
	 * page the host borrowed is never part of a block), which the engine accepts. */
	return gz_pgt_map(s2, base, base, size, prot);
}
