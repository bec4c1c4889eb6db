// SPDX-License-Identifier: GPL-2.0
/* Demand paging: a stage-2 fault inside a memslot is served in the kernel by pinning the
 * host page(s) behind it and mapping them with MAP_GUEST (4 KiB) or by the 2 MiB block around
 * the fault: a block the host backs with one physically contiguous, aligned 2 MiB (a huge
 * page) goes to the hypervisor as one run in one MAP_GUEST call, which it maps with one
 * block descriptor; any other block, clipped to the slot, by MAP_GUEST_BLOCK in batches of
 * drv->batch_pages through the shared PFN buffer. Guest MEM_RELINQUISH gives a page back to
 * the host.
 */
#include "gzdrv_priv.h"

/* The hypervisor's count of the VM's 2 MiB stage-2 blocks after a map call (opengz: x1 of
 * MAP_GUEST and MAP_GUEST_BLOCK; 0 from a hypervisor without it). */
static void note_blocks(struct gzdrv_vm *vm, uint64_t now)
{
	if (now > vm->stats.s2_blocks)
		vm->stats.s2_blocks = now;
}

/* The 512 pins of a block none of whose pages is pinned, in one call of the embedder (a huge
 * page's pins in one walk of the host's tables); the PAs land in the slot's array. */
static int pin_fresh_block(struct gzdrv_vm *vm, struct gzdrv_slot *s, uint64_t idx)
{
	const struct gzdrv_ops *ops = vm->drv->ops;
	uint64_t *pa = &s->pa[idx];
	uint32_t i;
	int ret;

	ret = ops->pin_user_pages(vm->drv->env, s->uaddr + (idx << GZDRV_PAGE_SHIFT),
				  GZDRV_BLOCK_PAGES, pa);
	if (ret)
		return ret;
	for (i = 0; i < GZDRV_BLOCK_PAGES && pa[i] && !(pa[i] & (GZDRV_PAGE_SIZE - 1)); i++)
		;
	if (i < GZDRV_BLOCK_PAGES) {
		/* The embedder broke its contract: give back exactly what it gave. */
		for (i = 0; i < GZDRV_BLOCK_PAGES; i++) {
			ops->unpin_page(vm->drv->env, pa[i], false);
			pa[i] = 0;
		}
		return -EFAULT;
	}
	s->nr_pinned += GZDRV_BLOCK_PAGES;
	vm->stats.pinned_pages += GZDRV_BLOCK_PAGES;
	if (vm->stats.pinned_pages > vm->stats.pinned_max)
		vm->stats.pinned_max = vm->stats.pinned_pages;
	return 0;
}

/* Pin the whole block [first, first + 512) of the slot (inside it): in one go when none of
 * its pages is pinned and the embedder can, page by page otherwise. */
static int pin_block(struct gzdrv_vm *vm, struct gzdrv_slot *s, uint64_t first)
{
	uint64_t idx = first - s->base_gfn, pa, i;
	int ret;

	for (i = 0; i < GZDRV_BLOCK_PAGES && !s->pa[idx + i]; i++)
		;
	if (i == GZDRV_BLOCK_PAGES && vm->drv->ops->pin_user_pages)
		return pin_fresh_block(vm, s, idx);
	for (i = 0; i < GZDRV_BLOCK_PAGES; i++) {
		ret = gzdrv_pin_gfn(vm, s, first + i, &pa);
		if (ret)
			return ret;
	}
	return 0;
}

/* Whether the pinned block at slot index @idx is one physically contiguous, 2 MiB-aligned
 * range. */
static bool block_contiguous(const struct gzdrv_slot *s, uint64_t idx)
{
	uint64_t i;

	if (s->pa[idx] & (GZDRV_BLOCK_PAGES * GZDRV_PAGE_SIZE - 1))
		return false;
	for (i = 1; i < GZDRV_BLOCK_PAGES; i++)
		if (s->pa[idx + i] != s->pa[idx] + (i << GZDRV_PAGE_SHIFT))
			return false;
	return true;
}

static int map_block(struct gzdrv_vm *vm, uint32_t slot_id, struct gzdrv_slot *s, uint64_t gfn)
{
	struct gzdrv *drv = vm->drv;
	uint64_t first = gfn & ~(uint64_t)(GZDRV_BLOCK_PAGES - 1);
	uint64_t last = first + GZDRV_BLOCK_PAGES; /* exclusive */
	uint64_t slot_end = s->base_gfn + s->npages;
	struct gzdrv_hvc_out out;
	uint64_t start, pa;
	uint32_t n, i;
	int ret;

	if (first >= s->base_gfn && last <= slot_end) {
		uint64_t idx = first - s->base_gfn;

		ret = pin_block(vm, s, first);
		if (ret)
			return ret;
		if (block_contiguous(s, idx)) {
			ret = gzdrv_call5(drv, GZ_HVC_MAP_GUEST, vm->vm_id, slot_id,
					  s->pa[idx] >> GZDRV_PAGE_SHIFT, first, GZDRV_BLOCK_PAGES,
					  &out);
			if (!ret)
				note_blocks(vm, out.x[1]);
			return ret;
		}
	}
	if (first < s->base_gfn)
		first = s->base_gfn;
	if (last > slot_end)
		last = slot_end;
	for (start = first; start < last; start += n) {
		n = drv->batch_pages;
		if (n > last - start)
			n = (uint32_t)(last - start);
		for (i = 0; i < n; i++) {
			ret = gzdrv_pin_gfn(vm, s, start + i, &pa);
			if (ret)
				return ret;
			vm->pfn_buf[i] = pa >> GZDRV_PAGE_SHIFT;
		}
		ret = gzdrv_call(drv, GZ_HVC_MAP_GUEST_BLOCK,
				 (const uint64_t[]){vm->vm_id, slot_id, start, n}, 4, &out);
		if (ret)
			return ret;
		note_blocks(vm, out.x[1]);
	}
	return 0;
}

/* One 4 KiB page per fault: the fault's page mapped now and, with opengz's MAP_GUEST_AHEAD,
 * the next GZ_MAP_AHEAD_PAGES pages of the slot pinned and handed over with it, for gzhyp to
 * map at the guest's first touch of each without a trip here (a guest touching its memory
 * in order takes one host trip per 1 + GZ_MAP_AHEAD_PAGES faults). The first fault asks with
 * no page ahead; a page that cannot be pinned is not handed ahead. */
static int map_page(struct gzdrv_vm *vm, uint32_t slot_id, struct gzdrv_slot *s, uint64_t gfn)
{
	uint64_t a[3 + 1 + GZ_MAP_AHEAD_PAGES] = {vm->vm_id, slot_id, gfn};
	uint64_t pa, ahead;
	unsigned i;
	int ret;

	ret = gzdrv_pin_gfn(vm, s, gfn, &pa);
	if (ret || vm->ahead == GZDRV_AHEAD_NO)
		return ret ? ret
			   : gzdrv_call5(vm->drv, GZ_HVC_MAP_GUEST, vm->vm_id, slot_id,
					 pa >> GZDRV_PAGE_SHIFT, gfn, 1, NULL);
	a[3] = pa >> GZDRV_PAGE_SHIFT;
	for (i = 1; vm->ahead == GZDRV_AHEAD_YES && i <= GZ_MAP_AHEAD_PAGES &&
		    gfn + i < s->base_gfn + s->npages;
	     i++)
		if (!gzdrv_pin_gfn(vm, s, gfn + i, &ahead))
			a[3 + i] = ahead >> GZDRV_PAGE_SHIFT;
	ret = gzdrv_call(vm->drv, GZ_HVC_MAP_GUEST_AHEAD, a, GZDRV_ARRAY_SIZE(a), NULL);
	if (ret != -EOPNOTSUPP) {
		if (!ret)
			vm->ahead = GZDRV_AHEAD_YES;
		return ret;
	}
	vm->ahead = GZDRV_AHEAD_NO; /* a hypervisor without it */
	return gzdrv_call5(vm->drv, GZ_HVC_MAP_GUEST, vm->vm_id, slot_id, pa >> GZDRV_PAGE_SHIFT,
			   gfn, 1, NULL);
}

int gzdrv_handle_page_fault(struct gzdrv_vm *vm, uint64_t gpa, bool *handled)
{
	uint64_t gfn = gpa >> GZDRV_PAGE_SHIFT;
	struct gzdrv_slot *s;
	uint32_t slot_id;
	int ret;

	*handled = false;
	gzdrv_lock(vm);
	s = gzdrv_slot_find(vm, gfn, &slot_id);
	if (!s) {
		gzdrv_unlock(vm);
		return 0;
	}
	*handled = true;
	vm->stats.demand_faults++;
	if (vm->block_paging) {
		ret = map_block(vm, slot_id, s, gfn);
	} else {
		ret = map_page(vm, slot_id, s, gfn);
	}
	gzdrv_unlock(vm);
	/* ENOSPC: the VM's quota of hypervisor memory (docs/abi.md), which the VMM can name */
	if (ret == -ENOSPC)
		return ret;
	return ret ? -EFAULT : 0;
}

void gzdrv_handle_relinquish(struct gzdrv_vm *vm, uint64_t ipa)
{
	uint64_t gfn = ipa >> GZDRV_PAGE_SHIFT;
	struct gzdrv_slot *s;
	uint64_t idx;

	gzdrv_lock(vm);
	s = gzdrv_slot_find(vm, gfn, NULL);
	if (s) {
		idx = gfn - s->base_gfn;
		if (s->pa[idx]) {
			vm->drv->ops->unpin_page(vm->drv->env, s->pa[idx], true);
			s->pa[idx] = 0;
			s->nr_pinned--;
			vm->stats.pinned_pages--;
			vm->stats.relinquished++;
		}
	}
	gzdrv_unlock(vm);
}

/* Before SET_PVMFW_GPA (the v13 driver pre-populates memslots there): every page of the
 * PROTECT_FW slot holding @gpa mapped, so gzhyp can read and measure the firmware and the
 * host loses the pages at once, not at the firmware's first touch. A slot that is not
 * PROTECT_FW is left to the hypervisor to refuse. */
int gzdrv_populate_fw_slot(struct gzdrv_vm *vm, uint64_t gpa)
{
	uint64_t gfn = gpa >> GZDRV_PAGE_SHIFT, first, n, i;
	struct gzdrv_slot *s;
	bool handled;
	int ret;

	gzdrv_lock(vm);
	s = gzdrv_slot_find(vm, gfn, NULL);
	if (!s || !(s->flags & GZVM_USER_MEM_REGION_PROTECT_FW)) {
		gzdrv_unlock(vm);
		return 0;
	}
	first = s->base_gfn;
	n = s->npages;
	gzdrv_unlock(vm);
	for (i = 0; i < n;) {
		ret = gzdrv_handle_page_fault(vm, (first + i) << GZDRV_PAGE_SHIFT, &handled);
		if (ret)
			return ret;
		if (!handled)
			return -EINVAL; /* the slot went away meanwhile */
		/* block paging mapped the whole 2 MiB block around the page */
		i = vm->block_paging ? ((first + i) | (GZDRV_BLOCK_PAGES - 1)) + 1 - first : i + 1;
	}
	return 0;
}
