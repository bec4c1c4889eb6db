// SPDX-License-Identifier: GPL-2.0
/* Inter-VM channels in the driver (opengz, docs/abi.md "Channels between VMs"): the
 * GZVM_CREATE_CHANNEL ioctl on two VM fds, the registry of the driver's VMs by id, and the
 * wake-ups a channel needs from the host: the VM whose doorbell a guest call rang (the
 * CHAN_WAKE hypercall exit), and the peers of a VM that was destroyed.
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
	if (!ops->vm_get || !drv->vms_lock)
		return -EOPNOTSUPP;
	ret = ops->vm_get(drv->env, c.peer_fd, &peer);
	if (ret)
		return ret;
	if (peer == vm) {
		ops->vm_put(drv->env, peer);
		return -EINVAL;
	}
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
