/* gzdrv (portable driver logic): probe handshake, status mapping, CHECK_EXTENSION, VM and
 * vCPU creation with their failure paths, VM teardown in batches, unknown ioctls.
 * test-libs: gzdrv_fake gzdrv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drv_fake.h"
#include "gzdrv_priv.h" /* gzdrv_chan_wake */

static void assert_clean(void)
{
	const char *leak = fake_leaks();

	if (leak)
		fail_msg("leak: %s", leak);
}

static void test_status_map(void **state)
{
	static const struct {
		int64_t status;
		int err;
	} t[] = {
	    {GZ_OK, 0},
	    {GZ_ERR_NO_MEMORY, -ENOMEM},
	    {GZ_ERR_INVALID_ARGS, -EINVAL},
	    {GZ_ERR_NOT_SUPPORTED, -EOPNOTSUPP},
	    {GZ_ERR_NOT_IMPLEMENTED, -EOPNOTSUPP},
	    {GZ_ERR_BUSY, -EAGAIN},
	    {GZ_ERR_FAULT, -EFAULT},
	    {GZ_ERR_ACCESS_DENIED, -EPERM},
	    {GZ_ERR_NO_RESOURCES, -ENOSPC},
	    {GZ_ERR_GENERIC, -EINVAL},
	    {GZ_ERR_NOT_FOUND, -EINVAL},
	    {12345, -EINVAL},
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(gzdrv_status_to_errno(t[i].status), t[i].err);
}

static void test_probe(void **state)
{
	struct gzdrv *drv;
	const struct fake_rec *r;

	(void)state;
	drv = fake_reset(false);
	fake_hyp_status(GZ_HVC_FN_PROBE, GZ_OK, 16, 2, 3);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 64, 0, 0);	 /* batch pages */
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 256, 0, 0); /* destroy batch */
	assert_int_equal(gzdrv_probe(drv), 0);
	r = fake_call(GZ_HVC_FN_PROBE, 0);
	assert_non_null(r);
	assert_int_equal(r->x[0], 0xfb00100c);
	assert_int_equal(r->x[1], 16);
	assert_int_equal(r->x[2], 0);
	assert_int_equal(r->x[3], 0);
	assert_int_equal(drv->hyp_version[0], 16);
	assert_int_equal(drv->hyp_version[1], 2);
	assert_int_equal(drv->hyp_version[2], 3);
	assert_int_equal(drv->batch_pages, 64);
	assert_int_equal(drv->destroy_batch_pages, 256);
	r = fake_call(GZ_HVC_FN_ENABLE_CAP, 0);
	assert_int_equal(r->x[1], 0); /* global query: vm_id 0 */
	assert_int_equal(r->x[2], GZVM_CAP_QUERY_HYP_BATCH_PAGES);
	assert_int_equal(fake_call(GZ_HVC_FN_ENABLE_CAP, 1)->x[2],
			 GZVM_CAP_QUERY_DESTROY_BATCH_PAGES);
}

static void test_probe_bad_answers(void **state)
{
	struct gzdrv *drv;

	(void)state;
	/* no hypervisor */
	drv = fake_reset(false);
	fake_hyp_status(GZ_HVC_FN_PROBE, GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	assert_int_equal(gzdrv_probe(drv), -ENODEV);
	/* batch answers that do not divide 512 / are not powers of 2 keep the defaults */
	static const uint64_t bad_batch[] = {0, 3, 1024, 100};
	static const uint64_t bad_destroy[] = {0, 3, 1ULL << 31, 100};
	for (unsigned int i = 0; i < 4; i++) {
		drv = fake_reset(false);
		fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, bad_batch[i], 0, 0);
		fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, bad_destroy[i], 0, 0);
		assert_int_equal(gzdrv_probe(drv), 0);
		assert_int_equal(drv->batch_pages, GZDRV_BLOCK_PAGES);
		assert_int_equal(drv->destroy_batch_pages, GZDRV_DEFAULT_DESTROY_BATCH);
	}
	/* queries refused: defaults */
	drv = fake_reset(false);
	fake_hyp_default(GZ_HVC_FN_ENABLE_CAP, GZ_ERR_NOT_SUPPORTED);
	assert_int_equal(gzdrv_probe(drv), 0);
	assert_int_equal(drv->batch_pages, GZDRV_BLOCK_PAGES);
}

static void test_tunables(void **state)
{
	struct gzdrv *drv = fake_reset(true);

	(void)state;
	assert_int_equal(gzdrv_set_batch_pages(drv, 0), -EINVAL);
	assert_int_equal(gzdrv_set_batch_pages(drv, 3), -EINVAL);
	assert_int_equal(gzdrv_set_batch_pages(drv, 1024), -EINVAL);
	assert_int_equal(gzdrv_set_batch_pages(drv, 1), 0);
	assert_int_equal(gzdrv_set_batch_pages(drv, 128), 0);
	assert_int_equal(drv->batch_pages, 128);
	assert_int_equal(gzdrv_set_destroy_batch_pages(drv, 0), -EINVAL);
	assert_int_equal(gzdrv_set_destroy_batch_pages(drv, 96), -EINVAL);
	assert_int_equal(gzdrv_set_destroy_batch_pages(drv, 0x80000000u), -EINVAL);
	assert_int_equal(gzdrv_set_destroy_batch_pages(drv, 64), 0);
	assert_int_equal(drv->destroy_batch_pages, 64);
}

static void test_check_extension(void **state)
{
	struct gzdrv *drv = fake_reset(true);
	uint64_t cap;
	uint64_t u = fake_user(&cap, sizeof(cap));

	(void)state;
	cap = GZVM_CAP_VM_GPA_SIZE;
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, u), 0);
	assert_int_equal(cap, 40);
	cap = GZVM_CAP_PROTECTED_VM;
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, u), 0);
	assert_int_equal(cap, 1);
	/* unknown caps, including the driver-internal ones */
	static const uint64_t unknown[] = {0, 1, 0x9201, 0x9202, 0x9203, 0x9204, ~0ULL};
	for (unsigned int i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		cap = unknown[i];
		assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, u), -EOPNOTSUPP);
		assert_int_equal(cap, unknown[i]);
	}
	/* crosvm's by-value IPA-size query: the answer is the return value */
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, GZVM_CAP_VM_GPA_SIZE), 40);
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, 0x11), -EOPNOTSUPP);
	/* a pointer the caller cannot read or write */
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, 0x10000), -EFAULT);
	/* readable but not writable: the fake allows exactly the registered range */
	uint8_t buf[12];
	uint64_t ub = fake_user(buf, 8);
	uint64_t v = GZVM_CAP_VM_GPA_SIZE;
	memcpy(buf, &v, 8);
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, ub), 0);
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, ub + 4), -EFAULT);
	/* also on the VM fd */
	struct gzdrv_vm *vm = fake_vm_new();
	assert_non_null(vm);
	cap = GZVM_CAP_VM_GPA_SIZE;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CHECK_EXTENSION, u), 0);
	assert_int_equal(cap, 40);
	gzdrv_vm_release(vm);
	assert_clean();
}

/* The hypervisor's limits (opengz): CHECK_EXTENSION answers the VM limit, asked from the
 * hypervisor (vm 0); the sysfs setters pass the value on; a VM fd's ENABLE_CAP of the quota
 * passes pages on and answers the quota in args[1]. */
static void test_hyp_limits(void **state)
{
	struct gzdrv *drv = fake_reset(true);
	const struct fake_rec *r;
	struct gzdrv_vm *vm;
	struct gzvm_enable_cap c;
	uint64_t cap, now = 0;
	uint64_t u = fake_user(&cap, sizeof(cap)), uc = fake_user(&c, sizeof(c));

	(void)state;
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 64, 0, 0);
	cap = GZVM_CAP_OPENGZ_VM_LIMIT;
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, u), 0);
	assert_int_equal(cap, 64);
	/* after the two queries of the probe */
	r = fake_call(GZ_HVC_FN_ENABLE_CAP, 2);
	assert_int_equal(r->x[1], 0);
	assert_int_equal(r->x[2], GZVM_CAP_OPENGZ_VM_LIMIT);
	assert_int_equal(r->x[3], 0);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	cap = GZVM_CAP_OPENGZ_VM_LIMIT;
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, u), -EOPNOTSUPP);
	cap = GZVM_CAP_OPENGZ_HYP_QUOTA;
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, u), 0);
	assert_int_equal(cap, 1);

	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 8, 0, 0);
	assert_int_equal(gzdrv_vm_limit(drv, 8, &now), 0);
	assert_int_equal(now, 8);
	assert_int_equal(fake_call(GZ_HVC_FN_ENABLE_CAP, 4)->x[3], 8);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	assert_int_equal(gzdrv_vm_limit(drv, 999, &now), -EINVAL);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 100, 0, 0);
	assert_int_equal(gzdrv_hyp_quota_default(drv, 100, &now), 0);
	assert_int_equal(now, 100);
	r = fake_call(GZ_HVC_FN_ENABLE_CAP, 6);
	assert_int_equal(r->x[2], GZVM_CAP_OPENGZ_HYP_QUOTA);
	assert_int_equal(r->x[3], 100);

	vm = fake_vm_new();
	assert_non_null(vm);
	c = (struct gzvm_enable_cap){.cap = GZVM_CAP_OPENGZ_HYP_QUOTA, .args = {16, 77}};
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 16, 0, 0);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_ENABLE_CAP, uc), 0);
	assert_int_equal(c.args[1], 16);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_ERR_BAD_STATE, 0, 0, 0);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_ENABLE_CAP, uc), -EINVAL);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_unknown_ioctls(void **state)
{
	struct gzdrv *drv = fake_reset(true);
	struct gzdrv_vm *vm;
	struct gzdrv_vcpu *vcpu;

	(void)state;
	assert_int_equal(gzdrv_dev_ioctl(drv, 0x9200, 0), -ENOTTY); /* GET_API_VERSION */
	assert_int_equal(gzdrv_dev_ioctl(drv, 0x9204, 0), -ENOTTY);
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_RUN, 0), -ENOTTY);
	vm = fake_vm_new();
	assert_non_null(vm);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_MEMORY_REGION, 0), -ENOTTY);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_RUN, 0), -ENOTTY);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_VM, 0), -ENOTTY);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_IRQCHIP, 0), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	assert_int_equal(gzdrv_vcpu_ioctl(vcpu, GZVM_IRQ_LINE, 0), -ENOTTY);
	assert_int_equal(gzdrv_vcpu_ioctl(vcpu, 0x92ae, 0), -ENOTTY); /* ARM_VCPU_INIT */
	gzdrv_vm_release(vm);
	assert_clean();
}

/* GZVM_CREATE_CHANNEL and GZVM_CREATE_CHANNEL_REGION (opengz) in an embedding that cannot
 * resolve VM fds: checked, then refused; the argument is read and written as user memory
 * (test_drv_core runs them for real). */
static void test_create_channel_unsupported(void **state)
{
	struct gzdrv *drv = fake_reset(true);
	struct gzvm_create_channel c = {.peer_fd = 3, .irq = 96, .peer_irq = 96};
	struct gzdrv_vm *vm = fake_vm_new();

	(void)state;
	assert_non_null(vm);
	assert_null(drv->vms_lock);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL, 0), -EFAULT);
	c.flags = 1;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL, fake_user(&c, sizeof(c))),
			 -EINVAL);
	c.flags = 0;
	c.id = 1; /* out only */
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL, fake_user(&c, sizeof(c))),
			 -EINVAL);
	c.id = 0;
	c.reserved = 1;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL, fake_user(&c, sizeof(c))),
			 -EINVAL);
	c.reserved = 0;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL, fake_user(&c, sizeof(c))),
			 -EOPNOTSUPP);
	/* Without the registry a wake-up finds nothing to wake (and no lock to take). */
	gzdrv_chan_wake(drv, vm->vm_id);
	/* GZVM_CREATE_CHANNEL_REGION the same way: user memory, its own checks, then refused */
	struct gzvm_create_channel_region r = {.peer_fd = 3, .id = 1, .size = 4096};
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL_REGION, 0), -EFAULT);
	r.reserved = 1;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL_REGION, fake_user(&r, sizeof(r))),
			 -EINVAL);
	r.reserved = 0;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL_REGION, fake_user(&r, sizeof(r))),
			 -EOPNOTSUPP);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_create_vm_features(void **state)
{
	static const struct {
		int64_t dp, block, idle;
		bool want_dp, want_block, want_idle;
	} t[] = {
	    {GZ_OK, GZ_OK, GZ_OK, true, true, true},
	    {GZ_OK, GZ_ERR_NOT_SUPPORTED, GZ_OK, true, false, true},
	    {GZ_ERR_NOT_SUPPORTED, GZ_OK, GZ_OK, false, false, true},
	    {GZ_OK, GZ_OK, GZ_ERR_NOT_SUPPORTED, true, true, false},
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gzdrv *drv = fake_reset(true);
		struct gzdrv_vm *vm;
		long fd;

		fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, t[i].dp, 0, 0, 0);
		if (t[i].dp == GZ_OK)
			fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, t[i].block, 0, 0, 0);
		fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, t[i].idle, 0, 0, 0);
		fd = gzdrv_dev_ioctl(drv, GZVM_CREATE_VM, 0);
		assert_true(fd >= 3);
		assert_int_equal(fake_calls(GZ_HVC_FN_CREATE_VM), 1);
		assert_int_equal(fake_call(GZ_HVC_FN_CREATE_VM, 0)->x[1], 0); /* vm_type */
		/* the fd's VM: released when its fd would be closed */
		gzdrv_vm_release(fake.last_fd_obj);
		assert_clean();
		/* check the flags through a fresh run with the same script */
		drv = fake_reset(true);
		fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, t[i].dp, 0, 0, 0);
		if (t[i].dp == GZ_OK)
			fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, t[i].block, 0, 0, 0);
		fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, t[i].idle, 0, 0, 0);
		assert_int_equal(gzdrv_vm_create(drv, 7, &vm), 0);
		assert_int_equal(fake_call(GZ_HVC_FN_CREATE_VM, 0)->x[1], 7);
		assert_int_equal(vm->vm_id, 1);
		assert_int_equal(vm->demand_paging, t[i].want_dp);
		assert_int_equal(vm->block_paging, t[i].want_block);
		assert_int_equal(vm->idle, t[i].want_idle);
		if (t[i].want_dp) {
			const struct fake_rec *r = fake_call(GZ_HVC_FN_ENABLE_CAP, 3);
			assert_int_equal(r->x[1], 1);
			assert_int_equal(r->x[2], GZVM_CAP_BLOCK_BASED_DEMAND_PAGING);
			assert_int_equal(r->x[3], 2 * 1024 * 1024);
			assert_int_equal(r->x[4], vm->pfn_buf_pa);
		}
		gzdrv_vm_release(vm);
		assert_clean();
	}
}

static void test_create_vm_failures(void **state)
{
	struct gzdrv *drv;
	struct gzdrv_vm *vm = NULL;

	(void)state;
	drv = fake_reset(true);
	fake.fail_zalloc_in = 1;
	assert_int_equal(gzdrv_vm_create(drv, 0, &vm), -ENOMEM);
	assert_clean();

	drv = fake_reset(true);
	fake.fail_lock_in = 1;
	assert_int_equal(gzdrv_vm_create(drv, 0, &vm), -ENOMEM);
	assert_int_equal(fake_calls(GZ_HVC_FN_CREATE_VM), 0);
	assert_clean();

	drv = fake_reset(true);
	fake.fail_alloc_in = 1;
	assert_int_equal(gzdrv_vm_create(drv, 0, &vm), -ENOMEM);
	assert_clean();

	/* hypervisor refuses: errno of its status, and no DESTROY for a VM that never was */
	drv = fake_reset(true);
	fake_hyp_status(GZ_HVC_FN_CREATE_VM, GZ_ERR_NO_MEMORY, 0, 0, 0);
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CREATE_VM, 0), -ENOMEM);
	assert_int_equal(fake_calls(GZ_HVC_FN_DESTROY_VM), 0);
	assert_clean();

	drv = fake_reset(true);
	fake_hyp_status(GZ_HVC_FN_CREATE_VM, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CREATE_VM, 0x80000000), -EINVAL);
	assert_clean();

	/* an invalid vm id from the hypervisor */
	drv = fake_reset(true);
	fake_hyp_status(GZ_HVC_FN_CREATE_VM, GZ_OK, 0xffff, 0, 0);
	assert_int_equal(gzdrv_vm_create(drv, 0, &vm), -EINVAL);
	assert_clean();

	/* PFN buffer allocation fails: demand paging without blocks */
	drv = fake_reset(true);
	fake.fail_alloc_in = 2;
	assert_int_equal(gzdrv_vm_create(drv, 0, &vm), 0);
	assert_true(vm->demand_paging);
	assert_false(vm->block_paging);
	gzdrv_vm_release(vm);
	assert_clean();

	/* no fd: the VM is destroyed again */
	drv = fake_reset(true);
	fake.fail_newfd_in = 1;
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CREATE_VM, 0), -EMFILE);
	assert_int_equal(fake_calls(GZ_HVC_FN_DESTROY_VM), 1);
	assert_clean();
}

static void test_destroy_batches(void **state)
{
	struct gzdrv *drv = fake_reset(true);
	struct gzdrv_vm *vm;
	uint64_t ram = fake_ram(16, 0);
	struct gzvm_userspace_memory_region r = {0, GZVM_USER_MEM_REGION_GUEST_MEM, 0x80000000,
						 16 * 4096, ram};

	(void)state;
	fake_hyp_default(GZ_HVC_FN_ENABLE_CAP, GZ_ERR_NOT_SUPPORTED); /* fully populated */
	vm = fake_vm_new();
	assert_non_null(vm);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_USER_MEMORY_REGION, fake_user(&r, sizeof(r))),
			 0);
	assert_int_equal(fake_pins_outstanding(), 16);
	for (int i = 0; i < 5; i++)
		fake_hyp_status(GZ_HVC_FN_DESTROY_VM, GZ_ERR_BUSY, 0, 0, 0);
	gzdrv_vm_release(vm);
	assert_int_equal(fake_calls(GZ_HVC_FN_DESTROY_VM), 6);
	for (unsigned int i = 0; i < 6; i++) {
		const struct fake_rec *d = fake_call(GZ_HVC_FN_DESTROY_VM, i);
		assert_int_equal(d->x[1], 1);
		assert_int_equal(d->x[2], drv->destroy_batch_pages);
	}
	assert_int_equal(fake.unpins_dirty, 16);
	assert_clean();
}

static void test_destroy_failure_keeps_pins(void **state)
{
	struct gzdrv_vm *vm;
	fake_reset(true);
	uint64_t ram = fake_ram(4, 0);
	struct gzvm_userspace_memory_region r = {1, 0, 0x40000000, 4 * 4096, ram};

	(void)state;
	fake_hyp_default(GZ_HVC_FN_ENABLE_CAP, GZ_ERR_NOT_SUPPORTED);
	vm = fake_vm_new();
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_USER_MEMORY_REGION, fake_user(&r, sizeof(r))),
			 0);
	fake_hyp_status(GZ_HVC_FN_DESTROY_VM, GZ_ERR_BUSY, 0, 0, 0);
	fake_hyp_status(GZ_HVC_FN_DESTROY_VM, GZ_ERR_FAULT, 0, 0, 0);
	gzdrv_vm_release(vm);
	assert_int_equal(fake_calls(GZ_HVC_FN_DESTROY_VM), 2);
	/* the hypervisor may still hold the pages: never hand them back to the host */
	assert_int_equal(fake_pins_outstanding(), 4);
	assert_int_equal(fake.unpins_total, 0);
}

static void test_vcpu_create(void **state)
{
	struct gzdrv_vm *vm;
	struct gzdrv_vcpu *v;
	const struct fake_rec *r;
	long fd;

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, 8), -EINVAL);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, 1ULL << 32), -EINVAL);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, ~0ULL), -EINVAL);
	fd = gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, 7);
	assert_true(fd >= 3);
	r = fake_call(GZ_HVC_FN_CREATE_VCPU, 0);
	assert_int_equal(r->x[1], (1 << 16) | 7);
	assert_non_null(vm->vcpus[7]);
	assert_int_equal(r->x[2], vm->vcpus[7]->shared_pa);
	assert_int_equal(r->x[2] % 4096, 0);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, 7), -EEXIST);
	/* hypervisor refusal */
	fake_hyp_status(GZ_HVC_FN_CREATE_VCPU, GZ_ERR_NO_MEMORY, 0, 0, 0);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, 0), -ENOMEM);
	assert_null(vm->vcpus[0]);
	/* allocation failures */
	fake.fail_zalloc_in = 1;
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &v), -ENOMEM);
	fake.fail_alloc_in = 1;
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &v), -ENOMEM);
	/* no fd: the vCPU stays (un-owned); a retry gets a fd for it without a new one */
	fake.fail_newfd_in = 1;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, 0), -EMFILE);
	assert_non_null(vm->vcpus[0]);
	assert_false(vm->vcpus[0]->owned);
	assert_int_equal(fake_calls(GZ_HVC_FN_CREATE_VCPU), 3);
	assert_true(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, 0) >= 3);
	assert_int_equal(fake_calls(GZ_HVC_FN_CREATE_VCPU), 3);
	assert_true(vm->vcpus[0]->owned);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, 0), -EEXIST);
	assert_int_equal(fake_calls(GZ_HVC_FN_DESTROY_VCPU), 0);
	gzdrv_vm_release(vm);
	assert_int_equal(fake_calls(GZ_HVC_FN_DESTROY_VCPU), 2);
	assert_clean();
}

static void test_exit_names(void **state)
{
	(void)state;
	assert_string_equal(gzdrv_exit_name(GZVM_EXIT_UNKNOWN), "UNKNOWN");
	assert_string_equal(gzdrv_exit_name(GZVM_EXIT_MMIO), "MMIO");
	assert_string_equal(gzdrv_exit_name(GZVM_EXIT_GZ), "GZ");
	assert_string_equal(gzdrv_exit_name(GZVM_EXIT_IDLE), "IDLE");
	assert_string_equal(gzdrv_exit_name(GZVM_EXIT_IPI), "IPI");
	assert_string_equal(gzdrv_exit_name(0x9292000c), "?");
	assert_string_equal(gzdrv_exit_name(0x9292000e), "?");
	assert_string_equal(gzdrv_exit_name(0), "?");
	assert_string_equal(gzdrv_exit_name(0x9291ffff), "?");
}

static void test_hvc_tracing(void **state)
{
	(void)state;
	fake_reset(true);
	/* unknown ids are reported as unsupported by the model: the mapping is -EOPNOTSUPP */
	struct gzdrv_vm *vm = fake_vm_new();
	uint64_t hyp, shared;
	assert_int_equal(gzdrv_vm_hyp_stats(vm, &hyp, &shared), 0);
	assert_int_equal(hyp, 180328);
	assert_int_equal(shared, 262144);
	fake_hyp_status(GZ_HVC_FN_GET_STATISTICS, GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	assert_int_equal(gzdrv_vm_hyp_stats(vm, &hyp, &shared), -EOPNOTSUPP);
	/* the hypervisor's own memory (VM 0): x1..x3 as they come, or refused the same way */
	struct gzdrv_hyp_mem m;
	fake_hyp_status(GZ_HVC_FN_GET_STATISTICS, GZ_OK, 8192, 65536, 4096);
	assert_int_equal(gzdrv_hyp_mem(vm->drv, &m), 0);
	assert_int_equal(m.pool_used, 8192);
	assert_int_equal(m.pool_total, 65536);
	assert_int_equal(m.tables, 4096);
	fake_hyp_status(GZ_HVC_FN_GET_STATISTICS, GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	assert_int_equal(gzdrv_hyp_mem(vm->drv, &m), -EOPNOTSUPP);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_tracing_and_minimal_ops(void **state)
{
	struct gzdrv *drv;
	struct gzdrv_vm *vm;
	struct gzdrv_vcpu *v;

	(void)state;
	/* every hypercall is traced on entry and exit; NOT_SUPPORTED is marked invalid */
	drv = fake_reset(true);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	assert_int_equal(gzdrv_vm_create(drv, 0, &vm), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &v), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &v), -EEXIST); /* direct form too */
	assert_int_equal(gzdrv_vcpu_create(vm, 8, &v), -EINVAL);
	gzdrv_vm_release(vm);
	assert_int_equal(fake.traces_enter, fake.nr_recs);
	assert_int_equal(fake.traces_leave, fake.nr_recs);
	assert_int_equal(fake.traces_invalid, 1);
	assert_int_equal(fake.vcpu_destroys, 1);
	assert_clean();

	/* only the mandatory ops: no tracing or destroy hooks are called */
	drv = fake_reset_minimal(true, 0);
	assert_int_equal(gzdrv_vm_create(drv, 0, &vm), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &v), 0);
	fake_hyp_exit(GZVM_EXIT_IDLE);
	fake_hyp_exit_hw()->vtimer_migrate = 1;
	fake.exits[(fake.exit_tail - 1) % FAKE_MAX_EXITS].hw.vtimer_delay = 12345;
	static struct gzvm_vcpu_run urun;
	assert_int_equal(gzdrv_vcpu_ioctl(v, GZVM_RUN, fake_user(&urun, sizeof(urun))), 0);
	assert_int_equal(fake.last_sleep_ns, 12345); /* no counter frequency: ticks as ns */
	gzdrv_vm_release(vm);
	assert_int_equal(fake.traces_enter + fake.traces_leave + fake.vcpu_destroys, 0);
	assert_clean();
}

static void test_check_extension_readonly(void **state)
{
	struct gzdrv *drv = fake_reset(true);
	static uint64_t cap = GZVM_CAP_VM_GPA_SIZE;

	(void)state;
	assert_int_equal(gzdrv_dev_ioctl(drv, GZVM_CHECK_EXTENSION, fake_user_ro(&cap, 8)),
			 -EFAULT);
	assert_int_equal(cap, GZVM_CAP_VM_GPA_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_map),
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_probe_bad_answers),
	    cmocka_unit_test(test_tunables),
	    cmocka_unit_test(test_check_extension),
	    cmocka_unit_test(test_hyp_limits),
	    cmocka_unit_test(test_unknown_ioctls),
	    cmocka_unit_test(test_create_channel_unsupported),
	    cmocka_unit_test(test_create_vm_features),
	    cmocka_unit_test(test_create_vm_failures),
	    cmocka_unit_test(test_destroy_batches),
	    cmocka_unit_test(test_destroy_failure_keeps_pins),
	    cmocka_unit_test(test_vcpu_create),
	    cmocka_unit_test(test_exit_names),
	    cmocka_unit_test(test_hvc_tracing),
	    cmocka_unit_test(test_tracing_and_minimal_ops),
	    cmocka_unit_test(test_check_extension_readonly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
