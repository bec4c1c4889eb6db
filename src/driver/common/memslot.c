// SPDX-License-Identifier: GPL-2.0
/* Memslots: SET_USER_MEMORY_REGION validation, the slot table, page pinning bookkeeping, and
 * the SET_MEMREGION descriptors (constituent lists of merged PFN runs, at most 510 per call)
 * that register or fully populate a slot. opengz extension: size 0 deletes a slot.
 */
#include "gzdrv_priv.h"

#define GZDRV_MEM_FLAGS                                                                            \
	(GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_PROTECT_FW |                        \
	 GZVM_USER_MEM_REGION_STATIC_SWIOTLB | GZVM_USER_MEM_REGION_READONLY)

struct gzdrv_slot *gzdrv_slot_find(struct gzdrv_vm *vm, uint64_t gfn, uint32_t *slot_id)
{
	uint32_t i;

	for (i = 0; i < GZDRV_MAX_SLOTS; i++) {
		struct gzdrv_slot *s = &vm->slots[i];

		if (s->used && gfn >= s->base_gfn && gfn - s->base_gfn < s->npages) {
			if (slot_id)
				*slot_id = i;
			return s;
		}
	}
	return NULL;
}

int gzdrv_pin_gfn(struct gzdrv_vm *vm, struct gzdrv_slot *s, uint64_t gfn, uint64_t *pa)
{
	struct gzdrv *drv = vm->drv;
	uint64_t idx = gfn - s->base_gfn;
	uint64_t p;
	int ret;

	if (s->pa[idx]) {
		*pa = s->pa[idx];
		return 0;
	}
	ret = drv->ops->pin_user_page(drv->env, s->uaddr + (idx << GZDRV_PAGE_SHIFT), &p);
	if (ret)
		return ret;
	if (!p || (p & (GZDRV_PAGE_SIZE - 1))) {
		/* The embedder broke its contract; 0 is our "not pinned" marker. */
		drv->ops->unpin_page(drv->env, p, false);
		return -EFAULT;
	}
	s->pa[idx] = p;
	s->nr_pinned++;
	vm->stats.pinned_pages++;
	if (vm->stats.pinned_pages > vm->stats.pinned_max)
		vm->stats.pinned_max = vm->stats.pinned_pages;
	*pa = p;
	return 0;
}

void gzdrv_slot_unpin_all(struct gzdrv_vm *vm, struct gzdrv_slot *s)
{
	struct gzdrv *drv = vm->drv;
	uint64_t i;

	for (i = 0; i < s->npages && s->nr_pinned; i++) {
		if (!s->pa[i])
			continue;
		drv->ops->unpin_page(drv->env, s->pa[i], true);
		s->pa[i] = 0;
		s->nr_pinned--;
		vm->stats.pinned_pages--;
	}
}

static void slot_clear(struct gzdrv_vm *vm, struct gzdrv_slot *s)
{
	if (s->pa)
		vm->drv->ops->free(vm->drv->env, s->pa);
	memset(s, 0, sizeof(*s));
}

void gzdrv_slots_free(struct gzdrv_vm *vm, bool unpin)
{
	uint32_t i;

	for (i = 0; i < GZDRV_MAX_SLOTS; i++) {
		struct gzdrv_slot *s = &vm->slots[i];

		if (!s->used)
			continue;
		if (unpin) {
			gzdrv_slot_unpin_all(vm, s);
		} else {
			vm->stats.leaked_pages += s->nr_pinned;
			vm->stats.pinned_pages -= s->nr_pinned;
		}
		slot_clear(vm, s);
	}
}

static int send_ranges(struct gzdrv_vm *vm, uint32_t slot, uint32_t cnt, uint64_t pages,
		       uint64_t gpa)
{
	struct gzvm_memory_region_ranges *hdr = vm->region_buf;

	hdr->slot = slot;
	hdr->constituent_cnt = cnt;
	hdr->total_pages = pages;
	hdr->gpa = gpa;
	return gzdrv_call3(vm->drv, GZ_HVC_SET_MEMREGION, vm->vm_id, GZVM_MEMREGION_BUF_SIZE,
			   vm->region_buf_pa, NULL);
}

/* Pin every page of the slot and hand them over in batches: each call carries the gpa of
 * its first page, its page count and up to 510 runs of physically contiguous pages.
 */
static int slot_populate(struct gzdrv_vm *vm, uint32_t slot, struct gzdrv_slot *s)
{
	struct gzvm_memory_region_ranges *hdr = vm->region_buf;
	struct mem_region_addr_range *c = hdr->constituents;
	uint64_t i = 0, start, pa;
	uint32_t cnt;
	int ret;

	while (i < s->npages) {
		memset(vm->region_buf, 0, GZVM_MEMREGION_BUF_SIZE);
		start = i;
		cnt = 0;
		for (; i < s->npages; i++) {
			ret = gzdrv_pin_gfn(vm, s, s->base_gfn + i, &pa);
			if (ret)
				return ret;
			if (cnt && c[cnt - 1].pg_cnt < 0xffffffffU &&
			    c[cnt - 1].address +
				    ((uint64_t)c[cnt - 1].pg_cnt << GZDRV_PAGE_SHIFT) ==
				pa) {
				c[cnt - 1].pg_cnt++;
				continue;
			}
			if (cnt == GZVM_MEMREGION_MAX_CONSTITUENTS)
				break;
			c[cnt].address = pa;
			c[cnt].pg_cnt = 1;
			cnt++;
		}
		ret = send_ranges(vm, slot, cnt, i - start,
				  (s->base_gfn + start) << GZDRV_PAGE_SHIFT);
		if (ret)
			return ret;
	}
	return 0;
}

/* Ask the hypervisor to take the slot back (total_pages 0; it answers BUSY until it has
 * reclaimed every page, in batches), then drop our pins.
 */
static int slot_delete(struct gzdrv_vm *vm, uint32_t slot)
{
	struct gzdrv_slot *s = &vm->slots[slot];
	uint32_t calls;
	int ret = -EAGAIN;

	if (!s->used)
		return 0;
	for (calls = 0; calls < GZDRV_DESTROY_MAX_CALLS && ret == -EAGAIN; calls++) {
		memset(vm->region_buf, 0, GZVM_MEMREGION_BUF_SIZE);
		ret = send_ranges(vm, slot, 0, 0, s->base_gfn << GZDRV_PAGE_SHIFT);
	}
	if (ret)
		return ret;
	gzdrv_slot_unpin_all(vm, s);
	slot_clear(vm, s);
	return 0;
}

static int region_check(struct gzdrv_vm *vm, const struct gzvm_userspace_memory_region *r)
{
	uint64_t end;

	if (r->slot >= GZDRV_MAX_SLOTS || (r->flags & ~(uint32_t)GZDRV_MEM_FLAGS))
		return -EINVAL;
	if (!r->memory_size)
		return 0;
	if ((r->guest_phys_addr | r->memory_size | r->userspace_addr) & (GZDRV_PAGE_SIZE - 1))
		return -EINVAL;
	if ((r->memory_size >> GZDRV_PAGE_SHIFT) > GZDRV_MAX_SLOT_PAGES)
		return -EINVAL;
	if (__builtin_add_overflow(r->userspace_addr, r->memory_size, &end) || !r->userspace_addr)
		return -EINVAL;
	if (__builtin_add_overflow(r->guest_phys_addr, r->memory_size, &end))
		return -EINVAL;
	if (vm->drv->gpa_bits < 64 && end > (1ULL << vm->drv->gpa_bits))
		return -EINVAL;
	return 0;
}

static int slot_add(struct gzdrv_vm *vm, const struct gzvm_userspace_memory_region *r)
{
	struct gzdrv *drv = vm->drv;
	struct gzdrv_slot *s = &vm->slots[r->slot];
	uint64_t npages = r->memory_size >> GZDRV_PAGE_SHIFT;
	uint64_t gfn = r->guest_phys_addr >> GZDRV_PAGE_SHIFT;
	uint32_t i;
	int ret;

	if (s->used)
		return -EEXIST;
	for (i = 0; i < GZDRV_MAX_SLOTS; i++) {
		struct gzdrv_slot *o = &vm->slots[i];

		if (o->used && gfn < o->base_gfn + o->npages && o->base_gfn < gfn + npages)
			return -EEXIST;
	}
	s->pa = drv->ops->zalloc(drv->env, npages * sizeof(uint64_t));
	if (!s->pa)
		return -ENOMEM;
	s->flags = r->flags;
	s->base_gfn = gfn;
	s->npages = npages;
	s->uaddr = r->userspace_addr;
	s->used = true;

	if (gzdrv_call5(drv, GZ_HVC_MEMREGION_PURPOSE, vm->vm_id, r->guest_phys_addr,
			r->memory_size, r->flags, 0, NULL)) {
		ret = -EFAULT;
		goto undo;
	}
	if (vm->demand_paging) {
		memset(vm->region_buf, 0, GZVM_MEMREGION_BUF_SIZE);
		ret = send_ranges(vm, r->slot, 0, npages, r->guest_phys_addr);
		if (ret)
			goto undo;
		return 0;
	}
	ret = slot_populate(vm, r->slot, s);
	if (!ret)
		return 0;
	/* Part of the slot may be with the hypervisor: pins are only dropped once it has
	 * given the slot back; otherwise the slot stays (and is reclaimed at VM teardown).
	 */
	(void)slot_delete(vm, r->slot);
	return ret;
undo:
	slot_clear(vm, s);
	return ret;
}

long gzdrv_set_user_memory_region(struct gzdrv_vm *vm, uint64_t arg)
{
	struct gzvm_userspace_memory_region r;
	int ret;

	if (vm->drv->ops->copy_from_user(vm->drv->env, &r, arg, sizeof(r)))
		return -EFAULT;
	ret = region_check(vm, &r);
	if (ret)
		return ret;
	if (r.memory_size) {
		ret = vm->drv->ops->check_user_range(vm->drv->env, r.userspace_addr, r.memory_size);
		if (ret)
			return ret;
	}
	gzdrv_lock(vm);
	if (r.memory_size)
		ret = slot_add(vm, &r);
	else
		ret = slot_delete(vm, r.slot);
	gzdrv_unlock(vm);
	return ret;
}
