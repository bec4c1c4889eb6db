// SPDX-License-Identifier: GPL-2.0
/* vCPUs: creation with the shared 2-page block, ONE_REG, and the RUN loop (reference §1.4):
 * exits the kernel can finish (host IRQ, GZ-internal, ioeventfd MMIO writes, in-slot page
 * faults, MEM_RELINQUISH and PTP calls, IDLE, IPI) re-enter the guest without a trip to
 * user space; everything else is copied back to the VMM.
 */
#include "gzdrv_priv.h"

static struct gzvm_vcpu_hwstate *hwstate(struct gzdrv_vcpu *vcpu)
{
	return (void *)((uint8_t *)vcpu->shared + GZVM_VCPU_HWSTATE_OFFSET);
}

int gzdrv_vcpu_create(struct gzdrv_vm *vm, uint64_t id, struct gzdrv_vcpu **out)
{
	struct gzdrv *drv = vm->drv;
	const struct gzdrv_ops *ops = drv->ops;
	struct gzdrv_vcpu *vcpu;
	int ret;

	if (id >= GZDRV_MAX_VCPUS)
		return -EINVAL;
	vcpu = ops->zalloc(drv->env, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = (uint32_t)id;
	vcpu->shared = ops->alloc_pages(drv->env, GZDRV_VCPU_SHARED_PAGES, &vcpu->shared_pa);
	if (!vcpu->shared) {
		ops->free(drv->env, vcpu);
		return -ENOMEM;
	}
	gzdrv_lock(vm);
	if (vm->vcpus[id]) {
		ret = -EEXIST;
	} else {
		ret = gzdrv_call3(drv, GZ_HVC_CREATE_VCPU, gz_hvc_tuple(vm->vm_id, (uint16_t)id),
				  vcpu->shared_pa, 0, NULL);
		if (!ret) {
			vcpu->owned = true;
			vm->vcpus[id] = vcpu;
		}
	}
	gzdrv_unlock(vm);
	if (ret) {
		ops->free_pages(drv->env, vcpu->shared, GZDRV_VCPU_SHARED_PAGES);
		ops->free(drv->env, vcpu);
		return ret;
	}
	gzdrv_xtrace_vcpu_init(vcpu);
	*out = vcpu;
	return 0;
}

void gzdrv_vcpu_free(struct gzdrv_vcpu *vcpu)
{
	struct gzdrv *drv = vcpu->vm->drv;

	gzdrv_xtrace_vcpu_end(vcpu);
	gzdrv_call1(drv, GZ_HVC_DESTROY_VCPU, gz_hvc_tuple(vcpu->vm->vm_id, (uint16_t)vcpu->id),
		    NULL);
	if (drv->ops->vcpu_destroy)
		drv->ops->vcpu_destroy(drv->env, vcpu);
	drv->ops->free_pages(drv->env, vcpu->shared, GZDRV_VCPU_SHARED_PAGES);
	drv->ops->free(drv->env, vcpu);
}

/* ONE_REG values are 1, 2, 4 or 8 bytes (KVM's size field 0..3). */
static long vcpu_one_reg(struct gzdrv_vcpu *vcpu, uint64_t arg, bool set)
{
	struct gzdrv *drv = vcpu->vm->drv;
	uint64_t tuple = gz_hvc_tuple(vcpu->vm->vm_id, (uint16_t)vcpu->id);
	struct gzdrv_hvc_out out;
	struct gzvm_one_reg r;
	uint64_t val = 0, size_field;
	size_t size;
	int ret;

	if (drv->ops->copy_from_user(drv->env, &r, arg, sizeof(r)))
		return -EFAULT;
	size_field = (r.id & GZVM_REG_SIZE_MASK) >> GZVM_REG_SIZE_SHIFT;
	if (size_field > 3)
		return -EINVAL;
	size = (size_t)1 << size_field;
	if (set) {
		if (drv->ops->copy_from_user(drv->env, &val, r.addr, size))
			return -EFAULT;
		return gzdrv_call3(drv, GZ_HVC_SET_ONE_REG, tuple, r.id, val, NULL);
	}
	ret = gzdrv_call3(drv, GZ_HVC_GET_ONE_REG, tuple, r.id, 0, &out);
	if (ret)
		return ret;
	val = out.x[1];
	if (drv->ops->copy_to_user(drv->env, r.addr, &val, size))
		return -EFAULT;
	return 0;
}

long gzdrv_vcpu_ioctl(struct gzdrv_vcpu *vcpu, unsigned int cmd, uint64_t arg)
{
	switch (cmd) {
	case GZVM_RUN:
		return gzdrv_run(vcpu, arg);
	case GZVM_SET_ONE_REG:
		return vcpu_one_reg(vcpu, arg, true);
	case GZVM_GET_ONE_REG: /* opengz: works (v13 always fails it) */
		return vcpu_one_reg(vcpu, arg, false);
	default:
		return -ENOTTY;
	}
}

static uint64_t ticks_to_ns(uint64_t ticks, uint64_t freq)
{
	uint64_t sec, rem;

	if (!freq)
		return ticks;
	sec = ticks / freq;
	rem = ticks % freq;
	if (sec > GZDRV_U64_MAX / GZDRV_NSEC_PER_SEC - 1)
		return GZDRV_U64_MAX;
	/* rem < freq: rem * 1e9 fits while freq < 18 GHz */
	return sec * GZDRV_NSEC_PER_SEC + rem * GZDRV_NSEC_PER_SEC / freq;
}

/* Guest WFI: sleep until an injection or IPI wakes us, a signal arrives, or, when the
 * hypervisor migrated the guest's virtual timer to us, until that timer would fire.
 */
static void vcpu_idle(struct gzdrv_vcpu *vcpu)
{
	struct gzdrv *drv = vcpu->vm->drv;
	struct gzvm_vcpu_hwstate *hw = hwstate(vcpu);
	uint64_t timeout = 0;

	if (gzdrv_le32(hw->vtimer_migrate)) {
		timeout = ticks_to_ns(gzdrv_le64(hw->vtimer_delay), drv->cntfrq);
		if (!timeout)
			return; /* already due */
	}
	drv->ops->vcpu_sleep(drv->env, vcpu, timeout);
}

/* Guest PTP (KVM's ptp_kvm numbering): args[1] 0 = virtual, 1 = physical counter; answer
 * wall clock and counter as hi/lo 32-bit halves in args[0..3].
 */
static void vcpu_ptp(struct gzdrv_vcpu *vcpu, struct gzvm_vcpu_run *run)
{
	struct gzdrv *drv = vcpu->vm->drv;
	__u64 *a = run->hypercall.args;
	uint64_t wall, cnt;

	if (a[1] > 1) {
		a[0] = (uint64_t)(int64_t)GZ_SMCCC_RET_NOT_SUPPORTED;
		return;
	}
	drv->ops->read_clocks(drv->env, &wall, &cnt);
	if (a[1] == 0)
		cnt -= gzdrv_le64(hwstate(vcpu)->vtimer_offset);
	a[0] = wall >> 32;
	a[1] = wall & 0xffffffffULL;
	a[2] = cnt >> 32;
	a[3] = cnt & 0xffffffffULL;
}

static bool reserved_zero(const struct gzvm_vcpu_run *run)
{
	unsigned int i;

	for (i = 0; i < GZDRV_ARRAY_SIZE(run->exception.reserved); i++)
		if (run->exception.reserved[i])
			return false;
	return true;
}

/* true: the exit was finished here, re-enter the guest (unless *err is set). */
static bool exit_in_kernel(struct gzdrv_vcpu *vcpu, struct gzvm_vcpu_run *run, int *err)
{
	struct gzdrv_vm *vm = vcpu->vm;
	bool handled;

	switch (run->exit_reason) {
	case GZVM_EXIT_IRQ:
	case GZVM_EXIT_GZ:
		return true;
	case GZVM_EXIT_MMIO:
		return run->mmio.is_write && run->mmio.size <= 8 &&
		       gzdrv_ioeventfd_write(vm, run->mmio.phys_addr, (uint32_t)run->mmio.size,
					     run->mmio.data);
	case GZVM_EXIT_EXCEPTION:
		if (run->exception.exception != GZVM_EXCEPTION_PAGE_FAULT || !reserved_zero(run))
			return false;
		*err = gzdrv_handle_page_fault(vm, run->exception.fault_gpa, &handled);
		return handled;
	case GZVM_EXIT_HYPERCALL:
		if (run->hypercall.args[0] == GZVM_HVC_MEM_RELINQUISH) {
			gzdrv_handle_relinquish(vm, run->hypercall.args[1]);
			return true;
		}
		if (run->hypercall.args[0] == GZ_VENDOR_HYP_CHAN_WAKE) {
			gzdrv_chan_wake(vm->drv, run->hypercall.args[1]);
			return true;
		}
		if (run->hypercall.args[0] == GZVM_HVC_PTP) {
			vcpu_ptp(vcpu, run);
			return true;
		}
		return false;
	case GZVM_EXIT_IDLE:
		vcpu_idle(vcpu);
		return true;
	case GZVM_EXIT_IPI:
		gzdrv_vm_wake_all(vm);
		return true;
	default:
		return false;
	}
}

long gzdrv_run(struct gzdrv_vcpu *vcpu, uint64_t arg)
{
	struct gzdrv_vm *vm = vcpu->vm;
	struct gzdrv *drv = vm->drv;
	const struct gzdrv_ops *ops = drv->ops;
	struct gzvm_vcpu_run *run = vcpu->shared;
	uint64_t tuple = gz_hvc_tuple(vm->vm_id, (uint16_t)vcpu->id);
	struct gzdrv_hvc_out out;
	bool signalled = false;
	int ret = 0;

	/* One caller at a time, claimed without the VM's lock: nothing else looks at the flag,
	 * and the lock (a separate allocation) would be one more cold page per exit for a
	 * host whose TLB the world switch has just flushed. */
	if (!gzdrv_flag_claim(&vcpu->running))
		return -EBUSY;

	if (ops->copy_from_user(drv->env, run, arg, sizeof(*run))) {
		ret = -EFAULT;
		goto out;
	}
	if (run->padding1[0] || run->padding1[1] || run->padding1[2]) {
		ret = -EINVAL;
		goto out;
	}
	if (run->immediate_exit) {
		ret = -EINTR;
		goto out;
	}
	for (;;) {
		if (ops->signal_pending(drv->env)) {
			signalled = true;
			ret = -EINTR;
			break;
		}
		if (ops->yield)
			ops->yield(drv->env);
		ret = gzdrv_call1(drv, GZ_HVC_RUN, tuple, &out);
		if (ret)
			break;
		run->exit_reason = (uint32_t)out.x[1];
		vcpu->nr_exits++;
		if (ops->trace_exit)
			ops->trace_exit(drv->env, run->exit_reason);
		gzdrv_xtrace_run(vcpu, run->exit_reason);
		gzdrv_irqfd_scan_lrs(vcpu);
		if (!exit_in_kernel(vcpu, run, &ret) || ret)
			break;
		gzdrv_xtrace_in_kernel(vcpu);
		vcpu->nr_kernel_exits++;
	}
	if (ops->copy_to_user(drv->env, arg, run, sizeof(*run)) && !ret)
		ret = -EFAULT;
	if (signalled)
		gzdrv_call1(drv, GZ_HVC_INFORM_EXIT, vm->vm_id, NULL);
out:
	gzdrv_flag_release(&vcpu->running);
	return ret;
}
