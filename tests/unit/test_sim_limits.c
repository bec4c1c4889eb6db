/* The hypervisor's limits through the simulator's in-process driver (the gzvm ABI as gzvmm
 * sees it): 64 VMs at once and ENOSPC for the next, with CHECK_EXTENSION naming the limit; a
 * lower limit the host sets; a VM's quota of hypervisor memory, ENOSPC past it while the
 * other VMs go on; and the pool back where it started once every VM is gone.
 * test-libs: gzsim_drv gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <gzabi/status.h>
#include <gzhyp/mem.h>
#include <gzhyp/pool.h>
#include <gzhyp/vm.h>
#include <gzsim/driver.h>
#include <uapi/linux/gzvm.h>

static int dev;

static int setup(void **state)
{
	(void)state;
	if (gz_sim_drv_init(NULL) != 0)
		return -1;
	dev = gz_sim_open();
	return dev < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	gz_sim_close(dev);
	gz_sim_drv_fini();
	return 0;
}

static uint64_t pool_free(void)
{
	struct gz_pool_stats st;

	gz_pool_get_stats(gz_mem_pool(), &st);
	return st.free;
}

/* CHECK_EXTENSION in v13's form: the cap in a u64 that the answer replaces. */
static long vm_limit(void)
{
	__u64 cap = GZVM_CAP_OPENGZ_VM_LIMIT;
	long r = gz_sim_ioctl(dev, GZVM_CHECK_EXTENSION, &cap);

	return r < 0 ? r : (long)cap;
}

static long quota(int vm, uint64_t pages)
{
	struct gzvm_enable_cap cap = {.cap = GZVM_CAP_OPENGZ_HYP_QUOTA, .args = {pages}};
	long r = gz_sim_ioctl(vm, GZVM_ENABLE_CAP, &cap);

	return r < 0 ? r : (long)cap.args[1];
}

static void test_vm_limit(void **state)
{
	int fds[GZ_MAX_VMS];
	uint64_t free0 = pool_free();

	(void)state;
	assert_int_equal(GZ_MAX_VMS, 64);
	assert_int_equal(vm_limit(), 64);
	for (unsigned i = 0; i < GZ_MAX_VMS; i++) {
		fds[i] = (int)gz_sim_ioctl(dev, GZVM_CREATE_VM, 0);
		assert_true(fds[i] >= 0);
	}
	assert_int_equal(gz_sim_ioctl(dev, GZVM_CREATE_VM, 0), -ENOSPC);
	/* One goes, one more may come. */
	assert_int_equal(gz_sim_close(fds[10]), 0);
	fds[10] = (int)gz_sim_ioctl(dev, GZVM_CREATE_VM, 0);
	assert_true(fds[10] >= 0);
	assert_int_equal(gz_sim_ioctl(dev, GZVM_CREATE_VM, 0), -ENOSPC);
	for (unsigned i = 0; i < GZ_MAX_VMS; i++)
		assert_int_equal(gz_sim_close(fds[i]), 0);
	assert_int_equal(gz_vm_count(), 0);
	assert_int_equal(pool_free(), free0);

	/* The host lowers it (gzvm.ko: /sys/kernel/gzvm/max_vms): the 4th VM is refused. */
	assert_int_equal(gz_vm_limit_set(3), 0);
	assert_int_equal(vm_limit(), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_true((fds[i] = (int)gz_sim_ioctl(dev, GZVM_CREATE_VM, 0)) >= 0);
	assert_int_equal(gz_sim_ioctl(dev, GZVM_CREATE_VM, 0), -ENOSPC);
	for (unsigned i = 0; i < 3; i++)
		gz_sim_close(fds[i]);
	assert_int_equal(gz_vm_limit_set(GZ_MAX_VMS + 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vm_limit_set(0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vm_limit_set(GZ_MAX_VMS), 0);
}

static void test_quota(void **state)
{
	uint64_t free0 = pool_free();
	int a, b, va, vb;

	(void)state;
	a = (int)gz_sim_ioctl(dev, GZVM_CREATE_VM, 0);
	b = (int)gz_sim_ioctl(dev, GZVM_CREATE_VM, 0);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(quota(a, 0), GZ_VM_HYP_QUOTA_DEFAULT);
	/* A quota its stage-2 root already fills: no vCPU object fits. */
	assert_int_equal(quota(a, 1), 1);
	assert_int_equal(gz_sim_ioctl(a, GZVM_CREATE_VCPU, 0), -ENOSPC);
	/* The other VM is not held back by it. */
	vb = (int)gz_sim_ioctl(b, GZVM_CREATE_VCPU, 0);
	assert_true(vb >= 0);
	/* Raised, the same call goes through. */
	assert_int_equal(quota(a, 64), 64);
	va = (int)gz_sim_ioctl(a, GZVM_CREATE_VCPU, 0);
	assert_true(va >= 0);
	gz_sim_close(va);
	gz_sim_close(vb);
	gz_sim_close(a);
	gz_sim_close(b);
	assert_int_equal(gz_vm_count(), 0);
	assert_int_equal(pool_free(), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vm_limit),
	    cmocka_unit_test(test_quota),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
