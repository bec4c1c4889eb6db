// SPDX-License-Identifier: GPL-2.0
/* The driver as a whole: probe handshake, tunables, /dev/gzvm ioctls (CHECK_EXTENSION and
 * CREATE_VM), VM creation with its capability negotiation, and VM teardown.
 */
#include "gzdrv_priv.h"

void gzdrv_init(struct gzdrv *drv, const struct gzdrv_ops *ops, void *env, uint32_t gpa_bits,
		uint64_t cntfrq)
{
	memset(drv, 0, sizeof(*drv));
	drv->ops = ops;
	drv->env = env;
	drv->gpa_bits = gpa_bits;
	drv->cntfrq = cntfrq;
	drv->batch_pages = GZDRV_BLOCK_PAGES;
	drv->block_paging = true;
	drv->destroy_batch_pages = GZDRV_DEFAULT_DESTROY_BATCH;
	/* Only an embedder that resolves VM fds offers channels, which need the registry. */
	if (ops->vm_get)
		drv->vms_lock = ops->lock_create(env);
}

void gzdrv_fini(struct gzdrv *drv)
{
	if (drv->vms_lock)
		drv->ops->lock_destroy(drv->env, drv->vms_lock);
	drv->vms_lock = NULL;
}

static bool batch_ok(uint64_t pages)
{
	return pages && pages <= GZDRV_BLOCK_PAGES && GZDRV_BLOCK_PAGES % pages == 0;
}

static bool pow2_ok(uint64_t pages)
{
	return pages && pages <= (1U << 30) && (pages & (pages - 1)) == 0;
}

int gzdrv_set_batch_pages(struct gzdrv *drv, uint32_t pages)
{
	if (!batch_ok(pages))
		return -EINVAL;
	drv->batch_pages = pages;
	return 0;
}

void gzdrv_set_block_paging(struct gzdrv *drv, bool on)
{
	drv->block_paging = on;
}

int gzdrv_set_destroy_batch_pages(struct gzdrv *drv, uint32_t pages)
{
	if (!pow2_ok(pages))
		return -EINVAL;
	drv->destroy_batch_pages = pages;
	return 0;
}

int gzdrv_probe(struct gzdrv *drv)
{
	struct gzdrv_hvc_out out;

	if (gzdrv_call3(drv, GZ_HVC_PROBE, GZDRV_VERSION_MAJOR, GZDRV_VERSION_MINOR,
			GZDRV_VERSION_SUB, &out))
		return -ENODEV;
	drv->hyp_version[0] = (uint32_t)out.x[1];
	drv->hyp_version[1] = (uint32_t)out.x[2];
	drv->hyp_version[2] = (uint32_t)out.x[3];

	/* Global queries (vm_id 0); a hypervisor that does not answer keeps the defaults. */
	if (!gzdrv_enable_cap_hvc(drv, 0, GZVM_CAP_QUERY_HYP_BATCH_PAGES, NULL, &out) &&
	    batch_ok(out.x[1]))
		drv->batch_pages = (uint32_t)out.x[1];
	if (!gzdrv_enable_cap_hvc(drv, 0, GZVM_CAP_QUERY_DESTROY_BATCH_PAGES, NULL, &out) &&
	    pow2_ok(out.x[1]))
		drv->destroy_batch_pages = (uint32_t)out.x[1];
	return 0;
}

static int hyp_limit(struct gzdrv *drv, uint64_t cap, uint64_t set, uint64_t *now)
{
	__u64 args[5] = {set};
	struct gzdrv_hvc_out out;
	int ret = gzdrv_enable_cap_hvc(drv, 0, cap, args, &out);

	if (!ret)
		*now = out.x[1];
	return ret;
}

int gzdrv_vm_limit(struct gzdrv *drv, uint64_t set, uint64_t *now)
{
	return hyp_limit(drv, GZVM_CAP_OPENGZ_VM_LIMIT, set, now);
}

int gzdrv_hyp_quota_default(struct gzdrv *drv, uint64_t set, uint64_t *now)
{
	return hyp_limit(drv, GZVM_CAP_OPENGZ_HYP_QUOTA, set, now);
}

long gzdrv_check_extension_value(struct gzdrv *drv, uint64_t cap)
{
	uint64_t v;
	int ret;

	switch (cap) {
	case GZVM_CAP_VM_GPA_SIZE:
		return drv->gpa_bits;
	case GZVM_CAP_PROTECTED_VM:
	case GZVM_CAP_OPENGZ_HYP_QUOTA:
		return 1;
	case GZVM_CAP_OPENGZ_VM_LIMIT: /* the number, as KVM_CAP_MAX_VCPUS answers one */
		ret = gzdrv_vm_limit(drv, 0, &v);
		return ret ? ret : (long)v;
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * v13 takes a pointer to a u64 holding the cap and writes the answer back. crosvm passes the
 * IPA-size cap by value and reads the ioctl's return value: a value below one page can never
 * be a user pointer, so it is taken as that by-value form.
 */
long gzdrv_check_extension(struct gzdrv *drv, uint64_t arg)
{
	const struct gzdrv_ops *ops = drv->ops;
	uint64_t cap;
	long val;

	if (arg < GZDRV_PAGE_SIZE)
		return gzdrv_check_extension_value(drv, arg);
	if (ops->copy_from_user(drv->env, &cap, arg, sizeof(cap)))
		return -EFAULT;
	val = gzdrv_check_extension_value(drv, cap);
	if (val < 0)
		return val;
	cap = (uint64_t)val;
	if (ops->copy_to_user(drv->env, arg, &cap, sizeof(cap)))
		return -EFAULT;
	return 0;
}

long gzdrv_dev_ioctl(struct gzdrv *drv, unsigned int cmd, uint64_t arg)
{
	struct gzdrv_vm *vm;
	int fd, ret;

	switch (cmd) {
	case GZVM_CREATE_VM:
		ret = gzdrv_vm_create(drv, arg, &vm);
		if (ret)
			return ret;
		fd = drv->ops->new_fd(drv->env, GZDRV_FD_VM, vm);
		if (fd < 0)
			gzdrv_vm_release(vm);
		return fd;
	case GZVM_CHECK_EXTENSION:
		return gzdrv_check_extension(drv, arg);
	default:
		return -ENOTTY;
	}
}

/* Negotiate the memory mode and idle protocol (reference §3.3, §4.4); failures of these
 * optional capabilities select the fallback, they do not fail the VM.
 */
static void vm_enable_features(struct gzdrv_vm *vm)
{
	struct gzdrv *drv = vm->drv;
	__u64 args[5] = {0};

	if (!gzdrv_enable_cap_hvc(drv, vm->vm_id, GZVM_CAP_ENABLE_DEMAND_PAGING, NULL, NULL)) {
		vm->demand_paging = true;
		if (drv->block_paging)
			vm->pfn_buf = drv->ops->alloc_pages(drv->env, 1, &vm->pfn_buf_pa);
		if (vm->pfn_buf) {
			args[0] = GZDRV_BLOCK_PAGES * GZDRV_PAGE_SIZE;
			args[1] = vm->pfn_buf_pa;
			if (!gzdrv_enable_cap_hvc(drv, vm->vm_id,
						  GZVM_CAP_BLOCK_BASED_DEMAND_PAGING, args, NULL))
				vm->block_paging = true;
		}
	}
	if (!gzdrv_enable_cap_hvc(drv, vm->vm_id, GZVM_CAP_ENABLE_IDLE, NULL, NULL))
		vm->idle = true;
}

int gzdrv_vm_create(struct gzdrv *drv, uint64_t vm_type, struct gzdrv_vm **out)
{
	const struct gzdrv_ops *ops = drv->ops;
	struct gzdrv_hvc_out res;
	struct gzdrv_vm *vm;
	int ret;

	vm = ops->zalloc(drv->env, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->drv = drv;
	vm->vm_id = GZ_HVC_INVALID_VM_ID;
	vm->lock = ops->lock_create(drv->env);
	vm->region_buf = ops->alloc_pages(drv->env, GZVM_MEMREGION_BUF_SIZE / GZDRV_PAGE_SIZE,
					  &vm->region_buf_pa);
	if (!vm->lock || !vm->region_buf) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = gzdrv_call1(drv, GZ_HVC_CREATE_VM, vm_type, &res);
	if (ret)
		goto fail;
	if (res.x[1] >= GZ_HVC_INVALID_VM_ID) {
		ret = -EINVAL;
		goto fail;
	}
	vm->vm_id = (uint16_t)res.x[1];
	gzdrv_vm_register(vm, true);
	vm_enable_features(vm);
	*out = vm;
	return 0;
fail:
	gzdrv_vm_release(vm);
	return ret;
}

static void vm_destroy_hyp(struct gzdrv_vm *vm)
{
	struct gzdrv *drv = vm->drv;
	uint32_t calls;
	int ret = -EAGAIN;

	for (calls = 0; calls < GZDRV_DESTROY_MAX_CALLS && ret == -EAGAIN; calls++) {
		vm->stats.destroy_calls++;
		ret = gzdrv_call3(drv, GZ_HVC_DESTROY_VM, vm->vm_id, drv->destroy_batch_pages, 0,
				  NULL);
	}
	vm->destroyed = !ret;
}

void gzdrv_vm_release(struct gzdrv_vm *vm)
{
	struct gzdrv *drv = vm->drv;
	const struct gzdrv_ops *ops = drv->ops;
	unsigned int i;

	/* Nothing else can reach the VM now; the lock is held for the helpers' sake. */
	if (vm->lock) {
		gzdrv_lock(vm);
		gzdrv_irqfd_release_all(vm);
		gzdrv_ioeventfd_release_all(vm);
		gzdrv_unlock(vm);
	}
	for (i = 0; i < GZDRV_MAX_VCPUS; i++) {
		if (vm->vcpus[i])
			gzdrv_vcpu_free(vm->vcpus[i]);
		vm->vcpus[i] = NULL;
	}
	if (vm->vm_id != GZ_HVC_INVALID_VM_ID) {
		gzdrv_vm_register(vm, false);
		vm_destroy_hyp(vm);
		/* Its channels died with it: their other ends have a doorbell to look at. */
		gzdrv_chan_wake_peers(vm);
	} else {
		vm->destroyed = true;
	}
	/* Pages the hypervisor still holds (destroy failed) must not go back to the host. */
	gzdrv_slots_free(vm, vm->destroyed);
	gzdrv_regions_free(vm, vm->destroyed);
	if (vm->pfn_buf)
		ops->free_pages(drv->env, vm->pfn_buf, 1);
	if (vm->region_buf)
		ops->free_pages(drv->env, vm->region_buf,
				GZVM_MEMREGION_BUF_SIZE / GZDRV_PAGE_SIZE);
	if (vm->lock)
		ops->lock_destroy(drv->env, vm->lock);
	ops->free(drv->env, vm);
}
