// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd: eventfds that inject an SPI when signalled, without a trip through the VMM, and
 * IRQ_LINE. Edge irqfds pulse the line. opengz extension (RESAMPLE): a level irqfd keeps
 * the line asserted until the guest completes the interrupt, then deasserts it and signals
 * the resamplefd. The completion is read from the list registers gzhyp reports in the
 * vCPU's hwstate page after every RUN (read back after the guest ran): the vINTID in an LR
 * whose state is invalid means the guest completed it during that entry; once seen pending
 * or active in an LR of a vCPU, its absence from that vCPU's LRs means the same.
 */
#include "gzdrv_priv.h"

#define GZDRV_IRQFD_FLAGS (GZVM_IRQFD_FLAG_DEASSIGN | GZVM_IRQFD_FLAG_RESAMPLE)

void gzdrv_vm_wake_all(struct gzdrv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < GZDRV_MAX_VCPUS; i++) {
		struct gzdrv_vcpu *v = vm->vcpus[i];

		if (v)
			vm->drv->ops->vcpu_wake(vm->drv->env, v);
	}
}

int gzdrv_irq_line(struct gzdrv_vm *vm, uint32_t vcpu, uint32_t irq, uint32_t level)
{
	int ret;

	vm->stats.irq_injections++;
	ret = gzdrv_call3(vm->drv, GZ_HVC_IRQ_LINE, gz_hvc_tuple(vm->vm_id, (uint16_t)vcpu), irq,
			  level, NULL);
	if (!ret && level)
		gzdrv_vm_wake_all(vm);
	return ret;
}

void gzdrv_irqfd_fire(struct gzdrv_irqfd *irqfd)
{
	struct gzdrv_vm *vm = irqfd->vm;

	if (!irqfd->used || !irqfd->active)
		return;
	if (irqfd->level) {
		irqfd->seen = false;
		irqfd->asserted = true;
		gzdrv_irq_line(vm, 0, irqfd->gsi, 1);
		return;
	}
	gzdrv_irq_line(vm, 0, irqfd->gsi, 1);
	gzdrv_irq_line(vm, 0, irqfd->gsi, 0);
}

void gzdrv_irqfd_hangup(struct gzdrv_irqfd *irqfd)
{
	irqfd->active = false;
}

static void level_eoi(struct gzdrv_irqfd *irqfd)
{
	struct gzdrv_vm *vm = irqfd->vm;

	irqfd->asserted = false;
	irqfd->seen = false;
	gzdrv_irq_line(vm, 0, irqfd->gsi, 0);
	vm->drv->ops->eventfd_signal(vm->drv->env, irqfd->resample_efd);
}

static void eoi_locked(struct gzdrv_vm *vm, uint32_t gsi)
{
	unsigned int i;

	for (i = 0; i < GZDRV_MAX_IRQFDS; i++) {
		struct gzdrv_irqfd *f = &vm->irqfds[i];

		if (f->used && f->active && f->level && f->asserted && f->gsi == gsi)
			level_eoi(f);
	}
}

void gzdrv_vm_irq_eoi(struct gzdrv_vm *vm, uint32_t gsi)
{
	gzdrv_lock(vm);
	eoi_locked(vm, gsi);
	gzdrv_unlock(vm);
}

void gzdrv_irqfd_scan_lrs(struct gzdrv_vcpu *vcpu)
{
	struct gzdrv_vm *vm = vcpu->vm;
	const struct gzvm_vcpu_hwstate *hw =
	    (const void *)((const uint8_t *)vcpu->shared + GZVM_VCPU_HWSTATE_OFFSET);
	uint32_t nr = gzdrv_le32(hw->nr_lrs);
	unsigned int i, l;

	if (!vm->nr_level_irqfds)
		return;
	if (nr > GZVM_VCPU_HWSTATE_NR_LRS)
		nr = GZVM_VCPU_HWSTATE_NR_LRS;
	gzdrv_lock(vm);
	for (i = 0; i < GZDRV_MAX_IRQFDS; i++) {
		struct gzdrv_irqfd *f = &vm->irqfds[i];
		bool live = false, done = false;

		if (!f->used || !f->active || !f->level || !f->asserted)
			continue;
		for (l = 0; l < nr; l++) {
			uint64_t lr = gzdrv_le64(hw->lr[l]);

			if (GZ_FIELD_GET(ARCH_ICH_LR_VINTID, lr) != f->gsi + ARCH_GIC_SPI_BASE)
				continue;
			if (lr & ARCH_ICH_LR_STATE)
				live = true;
			else
				done = true;
		}
		if (live) {
			f->seen = true;
			f->seen_vcpu = vcpu->id;
		} else if (done || (f->seen && f->seen_vcpu == vcpu->id)) {
			level_eoi(f);
		}
	}
	gzdrv_unlock(vm);
}

static void irqfd_detach(struct gzdrv_vm *vm, struct gzdrv_irqfd *f)
{
	const struct gzdrv_ops *ops = vm->drv->ops;

	ops->irqfd_unwatch(vm->drv->env, f);
	if (f->asserted)
		gzdrv_irq_line(vm, 0, f->gsi, 0);
	ops->eventfd_put(vm->drv->env, f->efd);
	if (f->resample_efd) {
		ops->eventfd_put(vm->drv->env, f->resample_efd);
		vm->nr_level_irqfds--;
	}
	memset(f, 0, sizeof(*f));
}

/* Entries whose eventfd hung up are reclaimed here (process context, lock held). */
static void purge_dead(struct gzdrv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < GZDRV_MAX_IRQFDS; i++)
		if (vm->irqfds[i].used && !vm->irqfds[i].active)
			irqfd_detach(vm, &vm->irqfds[i]);
}

static int assign(struct gzdrv_vm *vm, int fd, void *efd, void *resample, uint32_t gsi)
{
	struct gzdrv_irqfd *f = NULL;
	unsigned int i;
	int ret;

	purge_dead(vm);
	for (i = 0; i < GZDRV_MAX_IRQFDS; i++) {
		struct gzdrv_irqfd *p = &vm->irqfds[i];

		if (p->used && p->efd == efd)
			return -EBUSY;
		if (!p->used && !f)
			f = p;
	}
	if (!f)
		return -ENOSPC;
	f->used = true;
	f->active = true;
	f->vm = vm;
	f->gsi = gsi;
	f->fd = fd;
	f->efd = efd;
	f->resample_efd = resample;
	f->level = resample != NULL;
	ret = vm->drv->ops->irqfd_watch(vm->drv->env, f);
	if (ret)
		memset(f, 0, sizeof(*f));
	else if (f->level)
		vm->nr_level_irqfds++;
	return ret;
}

static void deassign(struct gzdrv_vm *vm, void *efd, uint32_t gsi)
{
	unsigned int i;

	for (i = 0; i < GZDRV_MAX_IRQFDS; i++) {
		struct gzdrv_irqfd *f = &vm->irqfds[i];

		if (f->used && f->efd == efd && f->gsi == gsi)
			irqfd_detach(vm, f);
	}
	purge_dead(vm);
}

long gzdrv_irqfd(struct gzdrv_vm *vm, uint64_t arg)
{
	const struct gzdrv_ops *ops = vm->drv->ops;
	void *env = vm->drv->env;
	void *efd = NULL, *resample = NULL;
	struct gzvm_irqfd a;
	unsigned int i;
	int ret;

	if (ops->copy_from_user(env, &a, arg, sizeof(a)))
		return -EFAULT;
	for (i = 0; i < sizeof(a.pad); i++)
		if (a.pad[i])
			return -EINVAL;
	if ((a.flags & ~(uint32_t)GZDRV_IRQFD_FLAGS) || a.gsi >= GZDRV_MAX_SPIS)
		return -EINVAL;
	ret = ops->eventfd_get(env, (int)a.fd, &efd);
	if (ret)
		return ret;
	if (a.flags & GZVM_IRQFD_FLAG_DEASSIGN) {
		gzdrv_lock(vm);
		deassign(vm, efd, a.gsi);
		gzdrv_unlock(vm);
		ops->eventfd_put(env, efd);
		return 0;
	}
	if (a.flags & GZVM_IRQFD_FLAG_RESAMPLE) {
		ret = ops->eventfd_get(env, (int)a.resamplefd, &resample);
		if (ret) {
			ops->eventfd_put(env, efd);
			return ret;
		}
	}
	gzdrv_lock(vm);
	ret = assign(vm, (int)a.fd, efd, resample, a.gsi);
	gzdrv_unlock(vm);
	if (ret) {
		ops->eventfd_put(env, efd);
		if (resample)
			ops->eventfd_put(env, resample);
	}
	return ret;
}

void gzdrv_irqfd_release_all(struct gzdrv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < GZDRV_MAX_IRQFDS; i++)
		if (vm->irqfds[i].used)
			irqfd_detach(vm, &vm->irqfds[i]);
}
