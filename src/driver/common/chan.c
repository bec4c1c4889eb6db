// SPDX-License-Identifier: GPL-2.0
/* Inter-VM channels in the driver (opengz, docs/abi.md "Channels between VMs"): the
 * GZVM_CREATE_CHANNEL and GZVM_CREATE_CHANNEL_REGION ioctls on two VM fds, the registry of the
 * driver's VMs by id, and the wake-ups a channel needs from the host: the VM whose doorbell a guest
 * call rang (the CHAN_WAKE hypercall exit), and the peers of a VM that was destroyed.
 */
#include "gzdrv_priv.h"

void gzdrv_vm_register(struct gzdrv_vm *vm, bool on)
{
	struct gzdrv *drv = vm->drv;

	if (!drv->vms_lock || vm->vm_id > GZDRV_MAX_VM_ID)
		return;
	drv->ops->lock(drv->env, drv->vms_lock);
	if (on)
		drv->vms[vm->vm_id] = vm;
	else if (drv->vms[vm->vm_id] == vm)
		drv->vms[vm->vm_id] = NULL;
	drv->ops->unlock(drv->env, drv->vms_lock);
}

/* Under the registry lock, which keeps the VM from being freed: its release unregisters
 * it first. An id the driver does not know (a VM gone meanwhile) wakes nothing. */
void gzdrv_chan_wake(struct gzdrv *drv, uint64_t vm_id)
{
	if (!drv->vms_lock || vm_id > GZDRV_MAX_VM_ID)
		return;
	drv->ops->lock(drv->env, drv->vms_lock);
	if (drv->vms[vm_id])
		gzdrv_vm_wake_all(drv->vms[vm_id]);
	drv->ops->unlock(drv->env, drv->vms_lock);
}

void gzdrv_chan_wake_peers(struct gzdrv_vm *vm)
{
	for (unsigned int id = 1; id <= GZDRV_MAX_VM_ID; id++)
		if (vm->chan_peers & (1U << id))
			gzdrv_chan_wake(vm->drv, id);
}

/* Note that a channel joins @vm and VM @id (woken when @vm goes). Under the registry lock. */
static void link_peer(struct gzdrv_vm *vm, uint16_t id)
{
	if (id <= GZDRV_MAX_VM_ID)
		vm->chan_peers |= 1U << id;
}

/* The hypervisor's refusals that have an errno of their own here. */
static int create_errno(int ret, int64_t status)
{
	switch (status) {
	case GZ_ERR_ALREADY_EXISTS:
		return -EEXIST;
	case GZ_ERR_NO_RESOURCES:
		return -ENOSPC;
	default:
		return ret;
	}
}

/* The other VM of a channel ioctl, by its fd, held (the caller puts it): never @vm itself. */
static int peer_get(struct gzdrv_vm *vm, int fd, struct gzdrv_vm **peer)
{
	struct gzdrv *drv = vm->drv;
	int ret;

	if (!drv->ops->vm_get || !drv->vms_lock)
		return -EOPNOTSUPP;
	ret = drv->ops->vm_get(drv->env, fd, peer);
	if (ret)
		return ret;
	if (*peer == vm) {
		drv->ops->vm_put(drv->env, *peer);
		return -EINVAL;
	}
	return 0;
}

long gzdrv_create_channel(struct gzdrv_vm *vm, uint64_t arg)
{
	struct gzdrv *drv = vm->drv;
	const struct gzdrv_ops *ops = drv->ops;
	struct gzvm_create_channel c;
	struct gzdrv_hvc_out out;
	struct gzdrv_vm *peer;
	int ret;

	if (ops->copy_from_user(drv->env, &c, arg, sizeof(c)))
		return -EFAULT;
	if (c.flags || c.reserved || c.id)
		return -EINVAL;
	ret = peer_get(vm, c.peer_fd, &peer);
	if (ret)
		return ret;
	ret = gzdrv_call5(drv, GZ_HVC_CHAN_CREATE, vm->vm_id, peer->vm_id, c.irq, c.peer_irq, 0,
			  &out);
	ret = create_errno(ret, (int64_t)out.x[0]);
	if (!ret) {
		c.id = (uint32_t)out.x[1];
		ops->lock(drv->env, drv->vms_lock);
		link_peer(vm, peer->vm_id);
		link_peer(peer, vm->vm_id);
		ops->unlock(drv->env, drv->vms_lock);
	}
	ops->vm_put(drv->env, peer);
	if (!ret && ops->copy_to_user(drv->env, arg, &c, sizeof(c)))
		return -EFAULT;
	return ret;
}

_Static_assert(GZDRV_MAX_REGIONS == GZ_CHAN_MAX_PER_VM, "a region per channel end");

/* The hypervisor's refusals of CHAN_REGION that have an errno of their own. */
static int region_errno(int ret, int64_t status)
{
	switch (status) {
	case GZ_ERR_NOT_FOUND: /* no such channel between the two VMs */
		return -ENOENT;
	case GZ_ERR_BAD_STATE: /* a VM is being destroyed */
		return -EPIPE;
	case GZ_ERR_ALREADY_EXISTS: /* an IPA range is in use */
		return -EEXIST;
	case GZ_ERR_NO_RESOURCES: /* the channel has its region already */
		return -EBUSY;
	default:
		return ret;
	}
}

/* Allocate the region's pages, hand them to the hypervisor and keep them on @vm (the owner)
 * until its destruction; freed at once when refused. Under vm->lock. */
static int region_give(struct gzdrv_vm *vm, struct gzdrv_vm *peer,
		       const struct gzvm_create_channel_region *c)
{
	struct gzdrv *drv = vm->drv;
	const struct gzdrv_ops *ops = drv->ops;
	uint32_t nr = (uint32_t)(c->size / GZDRV_PAGE_SIZE);
	uint64_t args[7] = {vm->vm_id, peer->vm_id, c->id, 0, nr, c->ipa, c->peer_ipa};
	struct gzdrv_region *r = NULL;
	struct gzdrv_hvc_out out;
	int ret;

	for (unsigned int i = 0; !r && i < GZDRV_MAX_REGIONS; i++)
		if (!vm->regions[i].va)
			r = &vm->regions[i];
	if (!r)
		return -EBUSY;
	r->va = ops->alloc_pages(drv->env, nr, &r->pa);
	if (!r->va)
		return -ENOMEM;
	args[3] = r->pa;
	ret = gzdrv_call(drv, GZ_HVC_CHAN_REGION, args, 7, &out);
	ret = region_errno(ret, (int64_t)out.x[0]);
	if (ret) {
		/* Refused: the hypervisor changed nothing, the pages are still the host's. */
		ops->free_pages(drv->env, r->va, nr);
		*r = (struct gzdrv_region){0};
		return ret;
	}
	r->nr_pages = nr;
	return 0;
}

long gzdrv_create_channel_region(struct gzdrv_vm *vm, uint64_t arg)
{
	struct gzdrv *drv = vm->drv;
	const struct gzdrv_ops *ops = drv->ops;
	struct gzvm_create_channel_region c;
	struct gzdrv_vm *peer;
	int ret;

	if (ops->copy_from_user(drv->env, &c, arg, sizeof(c)))
		return -EFAULT;
	if (c.flags || c.reserved || !c.size || c.size % GZDRV_PAGE_SIZE ||
	    c.size > (uint64_t)GZ_CHAN_REGION_PAGES_MAX * GZDRV_PAGE_SIZE)
		return -EINVAL;
	ret = peer_get(vm, c.peer_fd, &peer);
	if (ret)
		return ret;
	gzdrv_lock(vm);
	ret = region_give(vm, peer, &c);
	gzdrv_unlock(vm);
	ops->vm_put(drv->env, peer);
	return ret;
}

void gzdrv_regions_free(struct gzdrv_vm *vm, bool destroyed)
{
	for (unsigned int i = 0; i < GZDRV_MAX_REGIONS; i++) {
		struct gzdrv_region *r = &vm->regions[i];

		/* Pages the hypervisor may still hold (destroy failed) stay with it. */
		if (r->va && destroyed)
			vm->drv->ops->free_pages(vm->drv->env, r->va, r->nr_pages);
		*r = (struct gzdrv_region){0};
	}
}
