// SPDX-License-Identifier: GPL-2.0
/* VM fd ioctls: argument validation and the hypercalls behind CREATE_DEVICE, IRQ_LINE,
 * ENABLE_CAP and SET_DTB_CONFIG, plus the dispatch to memslots, irqfd, ioeventfd and vCPUs.
 */
#include "gzdrv_priv.h"

static long vm_create_device(struct gzdrv_vm *vm, uint64_t arg)
{
	struct gzdrv *drv = vm->drv;
	const struct gzdrv_ops *ops = drv->ops;
	struct gzvm_create_device d;
	void *dev_page = NULL, *attr_page = NULL;
	uint64_t dev_pa, attr_pa, end;
	long ret;

	if (ops->copy_from_user(drv->env, &d, arg, sizeof(d)))
		return -EFAULT;
	if (d.dev_type >= GZVM_DEV_TYPE_MAX || d.attr_size > GZDRV_PAGE_SIZE ||
	    (d.attr_size && !d.attr_addr) || !d.dev_reg_size ||
	    __builtin_add_overflow(d.dev_addr, d.dev_reg_size, &end))
		return -EINVAL;
	dev_page = ops->alloc_pages(drv->env, 1, &dev_pa);
	if (!dev_page)
		return -ENOMEM;
	if (d.attr_size) {
		attr_page = ops->alloc_pages(drv->env, 1, &attr_pa);
		if (!attr_page) {
			ret = -ENOMEM;
			goto out;
		}
		if (ops->copy_from_user(drv->env, attr_page, d.attr_addr, d.attr_size)) {
			ret = -EFAULT;
			goto out;
		}
		d.attr_addr = attr_pa;
	}
	memcpy(dev_page, &d, sizeof(d));
	ret = gzdrv_call3(drv, GZ_HVC_CREATE_DEVICE, vm->vm_id, dev_pa, 0, NULL);
out:
	if (attr_page)
		ops->free_pages(drv->env, attr_page, 1);
	ops->free_pages(drv->env, dev_page, 1);
	return ret;
}

/* IRQ_LINE (docs/abi.md): TYPE CPU (crosvm, upstream): NUM is a 0-based SPI index, sent bare;
 * opengz's typed forms go to the hypervisor as the whole encoded word: TYPE SPI with NUM =
 * INTID 32..1019, TYPE PPI with NUM = INTID 16..31 on the vCPU in VCPU/VCPU2.
 */
static long vm_irq_line(struct gzdrv_vm *vm, uint64_t arg)
{
	struct gzvm_irq_level l;
	uint32_t num, vcpu;

	if (vm->drv->ops->copy_from_user(vm->drv->env, &l, arg, sizeof(l)))
		return -EFAULT;
	if (l.level > 1)
		return -EINVAL;
	num = GZVM_IRQ_LINE_NUM(l.irq);
	vcpu = GZVM_IRQ_LINE_VCPU(l.irq);
	switch (GZVM_IRQ_LINE_TYPE(l.irq)) {
	case GZVM_IRQ_TYPE_CPU:
		if (num >= GZDRV_MAX_SPIS)
			return -EINVAL;
		return gzdrv_irq_line(vm, 0, num, l.level);
	case GZVM_IRQ_TYPE_SPI:
		if (num < ARCH_GIC_SPI_BASE || num >= ARCH_GIC_SPI_BASE + GZDRV_MAX_SPIS || vcpu)
			return -EINVAL;
		return gzdrv_irq_line(vm, 0, l.irq, l.level);
	case GZVM_IRQ_TYPE_PPI:
		if (num < ARCH_GIC_PPI_BASE || num >= ARCH_GIC_PPI_BASE + ARCH_GIC_NR_PPIS ||
		    vcpu >= GZDRV_MAX_VCPUS)
			return -EINVAL;
		return gzdrv_irq_line(vm, vcpu, l.irq, l.level);
	default:
		return -EINVAL;
	}
}

static long vm_enable_cap(struct gzdrv_vm *vm, uint64_t arg)
{
	struct gzdrv *drv = vm->drv;
	struct gzvm_enable_cap c;
	struct gzdrv_hvc_out out;
	int ret;

	if (drv->ops->copy_from_user(drv->env, &c, arg, sizeof(c)))
		return -EFAULT;
	if (c.cap == GZVM_CAP_OPENGZ_HYP_QUOTA) {
		/* args[0] pages (0: only ask); the quota in args[1] */
		__u64 a[5] = {c.args[0]};

		ret = gzdrv_enable_cap_hvc(drv, vm->vm_id, c.cap, a, &out);
		if (ret)
			return ret;
		c.args[1] = out.x[1];
		return drv->ops->copy_to_user(drv->env, arg, &c, sizeof(c)) ? -EFAULT : 0;
	}
	/* The other capabilities carry kernel PAs: only the driver itself may enable them. The
	 * hypervisor checks the constant register's arguments. */
	if (c.cap != GZVM_CAP_OPENGZ_MMIO_CONST &&
	    (c.cap != GZVM_CAP_PROTECTED_VM || c.args[0] > GZVM_CAP_PVM_SET_PROTECTED_VM))
		return -EINVAL;
	if (c.cap == GZVM_CAP_PROTECTED_VM && c.args[0] == GZVM_CAP_PVM_SET_PVMFW_GPA) {
		ret = gzdrv_populate_fw_slot(vm, c.args[1]);
		if (ret)
			return ret;
	}
	ret = gzdrv_enable_cap_hvc(drv, vm->vm_id, c.cap, c.args, &out);
	if (ret)
		return ret;
	if (c.cap == GZVM_CAP_PROTECTED_VM && c.args[0] == GZVM_CAP_PVM_GET_PVMFW_SIZE) {
		c.args[1] = out.x[1];
		if (drv->ops->copy_to_user(drv->env, arg, &c, sizeof(c)))
			return -EFAULT;
	}
	return 0;
}

static long vm_set_dtb_config(struct gzdrv_vm *vm, uint64_t arg)
{
	struct gzvm_dtb_config c;
	uint64_t end;

	if (vm->drv->ops->copy_from_user(vm->drv->env, &c, arg, sizeof(c)))
		return -EFAULT;
	if (!c.dtb_size || __builtin_add_overflow(c.dtb_addr, c.dtb_size, &end))
		return -EINVAL;
	return gzdrv_call3(vm->drv, GZ_HVC_SET_DTB_CONFIG, vm->vm_id, c.dtb_addr, c.dtb_size, NULL);
}

/*
 * A vCPU stays in vm->vcpus from creation to VM teardown (injections wake it without a
 * lock). If no fd can be made for it, it stays un-owned and a retry of CREATE_VCPU with
 * the same id gets a fd for it instead of creating it again.
 */
static long vm_create_vcpu_fd(struct gzdrv_vm *vm, uint64_t id)
{
	struct gzdrv_vcpu *vcpu;
	int ret, fd;

	if (id >= GZDRV_MAX_VCPUS)
		return -EINVAL;
	gzdrv_lock(vm);
	vcpu = vm->vcpus[id];
	if (vcpu && vcpu->owned) {
		gzdrv_unlock(vm);
		return -EEXIST;
	}
	if (vcpu)
		vcpu->owned = true;
	gzdrv_unlock(vm);
	if (!vcpu) {
		ret = gzdrv_vcpu_create(vm, id, &vcpu);
		if (ret)
			return ret;
	}
	fd = vm->drv->ops->new_fd(vm->drv->env, GZDRV_FD_VCPU, vcpu);
	if (fd < 0) {
		gzdrv_lock(vm);
		vcpu->owned = false;
		gzdrv_unlock(vm);
	}
	return fd;
}

int gzdrv_vm_hyp_stats(struct gzdrv_vm *vm, uint64_t *hyp_mem, uint64_t *shared_mem)
{
	struct gzdrv_hvc_out out;
	int ret;

	ret = gzdrv_call1(vm->drv, GZ_HVC_GET_STATISTICS, vm->vm_id, &out);
	if (ret)
		return ret;
	*hyp_mem = out.x[1];
	*shared_mem = out.x[2];
	return 0;
}

int gzdrv_hyp_mem(struct gzdrv *drv, struct gzdrv_hyp_mem *m)
{
	struct gzdrv_hvc_out out;
	int ret = gzdrv_call1(drv, GZ_HVC_GET_STATISTICS, 0, &out);

	if (ret)
		return ret;
	m->pool_used = out.x[1];
	m->pool_total = out.x[2];
	m->tables = out.x[3];
	return 0;
}

long gzdrv_vm_ioctl(struct gzdrv_vm *vm, unsigned int cmd, uint64_t arg)
{
	switch (cmd) {
	case GZVM_CHECK_EXTENSION:
		return gzdrv_check_extension(vm->drv, arg);
	case GZVM_CREATE_VCPU:
		return vm_create_vcpu_fd(vm, arg);
	case GZVM_SET_USER_MEMORY_REGION:
		return gzdrv_set_user_memory_region(vm, arg);
	case GZVM_CREATE_IRQCHIP: /* crosvm's KVM leftover: the vGIC always exists */
		return 0;
	case GZVM_IRQ_LINE:
		return vm_irq_line(vm, arg);
	case GZVM_IRQFD:
		return gzdrv_irqfd(vm, arg);
	case GZVM_IOEVENTFD:
		return gzdrv_ioeventfd(vm, arg);
	case GZVM_ENABLE_CAP:
		return vm_enable_cap(vm, arg);
	case GZVM_CREATE_DEVICE:
		return vm_create_device(vm, arg);
	case GZVM_SET_DTB_CONFIG:
		return vm_set_dtb_config(vm, arg);
	case GZVM_CREATE_CHANNEL: /* opengz */
		return gzdrv_create_channel(vm, arg);
	case GZVM_CREATE_CHANNEL_REGION: /* opengz */
		return gzdrv_create_channel_region(vm, arg);
	default: /* includes GZVM_SET_MEMORY_REGION, defined but unhandled in v13 */
		return -ENOTTY;
	}
}
