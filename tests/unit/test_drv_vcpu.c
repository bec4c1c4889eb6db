/* gzdrv vCPU and VM ioctls: the RUN loop (immediate_exit, padding, the MMIO completion passed
 * through, which exits stay in the kernel, signals and INFORM_EXIT, IDLE sleeping, IPI, PTP),
 * ONE_REG, CREATE_DEVICE, ENABLE_CAP, SET_DTB_CONFIG and IRQ_LINE with every kind of bad
 * argument.
 * test-libs: gzdrv_fake gzdrv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drv_fake.h"

static struct gzvm_vcpu_run urun;
static struct gzdrv_vm *vm;
static struct gzdrv_vcpu *vcpu;

static int setup(void **state)
{
	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	if (!vm || gzdrv_vcpu_create(vm, 1, &vcpu))
		return -1;
	memset(&urun, 0, sizeof(urun));
	return 0;
}

static int teardown(void **state)
{
	const char *leak;

	(void)state;
	gzdrv_vm_release(vm);
	leak = fake_leaks();
	if (leak)
		fail_msg("leak: %s", leak);
	return 0;
}

static long run(void)
{
	return gzdrv_vcpu_ioctl(vcpu, GZVM_RUN, fake_user(&urun, sizeof(urun)));
}

static void test_run_args(void **state)
{
	(void)state;
	assert_int_equal(gzdrv_vcpu_ioctl(vcpu, GZVM_RUN, 0x1000), -EFAULT);
	urun.padding1[2] = 1;
	assert_int_equal(run(), -EINVAL);
	urun.padding1[2] = 0;
	urun.immediate_exit = 1;
	assert_int_equal(run(), -EINTR);
	urun.immediate_exit = 0x80;
	assert_int_equal(run(), -EINTR);
	assert_int_equal(fake_calls(GZ_HVC_FN_RUN), 0);
	/* one caller at a time */
	vcpu->running = true;
	urun.immediate_exit = 0;
	assert_int_equal(run(), -EBUSY);
	vcpu->running = false;
	/* the hypervisor refuses RUN */
	fake_hyp_status(GZ_HVC_FN_RUN, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	assert_int_equal(run(), -EINVAL);
	assert_int_equal(fake_call(GZ_HVC_FN_RUN, 0)->x[1], (1 << 16) | 1);
	assert_false(vcpu->running);
}

static void test_run_copy_back_fails(void **state)
{
	(void)state;
	fake_hyp_exit(GZVM_EXIT_MMIO);
	assert_int_equal(gzdrv_vcpu_ioctl(vcpu, GZVM_RUN, fake_user_ro(&urun, sizeof(urun))),
			 -EFAULT);
	assert_int_equal(fake_calls(GZ_HVC_FN_RUN), 1);
	/* a signal's -EINTR is kept (and the hypervisor still told) */
	fake.signal_in = 1;
	assert_int_equal(gzdrv_vcpu_ioctl(vcpu, GZVM_RUN, fake_user_ro(&urun, sizeof(urun))),
			 -EINTR);
	assert_int_equal(fake_calls(GZ_HVC_FN_INFORM_EXIT), 1);
	assert_false(vcpu->running);
}

/* opengz's MMIO completion (docs/abi.md) reaches the hypervisor's copy of the run page as the
 * VMM set it; a value the hypervisor refuses ends RUN with -EINVAL. */
static void test_run_mmio_completion(void **state)
{
	const struct gzvm_vcpu_run *shared = vcpu->shared;

	(void)state;
	urun.exit_reason = GZVM_EXIT_MMIO;
	urun.mmio.completion = GZVM_MMIO_COMPLETE_EXT_ABORT;
	fake_hyp_status(GZ_HVC_FN_RUN, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	assert_int_equal(run(), -EINVAL);
	assert_int_equal(shared->mmio.completion, GZVM_MMIO_COMPLETE_EXT_ABORT);
	urun.mmio.completion = 0x7f;
	fake_hyp_status(GZ_HVC_FN_RUN, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	assert_int_equal(run(), -EINVAL);
	assert_int_equal(shared->mmio.completion, 0x7f);
	assert_int_equal(fake_calls(GZ_HVC_FN_RUN), 2);
}

static void test_run_exits_to_user(void **state)
{
	static const uint32_t to_user[] = {
	    GZVM_EXIT_UNKNOWN,
	    GZVM_EXIT_DEBUG,
	    GZVM_EXIT_FAIL_ENTRY,
	    GZVM_EXIT_INTERNAL_ERROR,
	    GZVM_EXIT_SYSTEM_EVENT,
	    GZVM_EXIT_SHUTDOWN,
	    0x9292000c,
	    0x12345678,
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(to_user) / sizeof(to_user[0]); i++) {
		struct gzvm_vcpu_run *e = fake_hyp_exit(to_user[i]);

		e->system_event.type = GZVM_SYSTEM_EVENT_RESET;
		e->system_event.ndata = i;
		assert_int_equal(run(), 0);
		assert_int_equal(urun.exit_reason, to_user[i]);
		assert_int_equal(urun.system_event.type, GZVM_SYSTEM_EVENT_RESET);
		assert_int_equal(urun.system_event.ndata, i);
	}
	assert_int_equal(fake_calls(GZ_HVC_FN_RUN), sizeof(to_user) / sizeof(to_user[0]));
	assert_int_equal(vcpu->nr_kernel_exits, 0);
}

static void test_run_in_kernel_exits(void **state)
{
	(void)state;
	fake_hyp_exit(GZVM_EXIT_IRQ);
	fake_hyp_exit(GZVM_EXIT_GZ);
	fake_hyp_exit(GZVM_EXIT_IPI);
	fake_hyp_exit(GZVM_EXIT_IRQ);
	fake_hyp_exit(GZVM_EXIT_SYSTEM_EVENT)->system_event.type = GZVM_SYSTEM_EVENT_SHUTDOWN;
	assert_int_equal(run(), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(fake_calls(GZ_HVC_FN_RUN), 5);
	assert_int_equal(vcpu->nr_exits, 5);
	assert_int_equal(vcpu->nr_kernel_exits, 4);
	assert_int_equal(fake.yields, 5); /* before every entry */
	assert_int_equal(fake.wakes, 1);  /* IPI: every vCPU of the VM (one here) */
}

static void test_run_signals(void **state)
{
	(void)state;
	/* pending before entry: no RUN, INFORM_EXIT, -EINTR, the struct is copied back */
	fake.signal_in = 1;
	urun.exit_reason = 0xdead;
	assert_int_equal(run(), -EINTR);
	assert_int_equal(fake_calls(GZ_HVC_FN_RUN), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_INFORM_EXIT), 1);
	assert_int_equal(fake_call(GZ_HVC_FN_INFORM_EXIT, 0)->x[1], 1);
	/* arriving after two in-kernel exits */
	fake.signal_calls = 0;
	fake.signal_in = 3;
	fake_hyp_exit(GZVM_EXIT_IRQ);
	fake_hyp_exit(GZVM_EXIT_GZ);
	fake_hyp_exit(GZVM_EXIT_MMIO);
	assert_int_equal(run(), -EINTR);
	assert_int_equal(fake_calls(GZ_HVC_FN_RUN), 2);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_GZ);
	assert_int_equal(fake_calls(GZ_HVC_FN_INFORM_EXIT), 2);
	/* exits to user space do not inform */
	fake.signal_in = 0;
	assert_int_equal(run(), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_MMIO);
	assert_int_equal(fake_calls(GZ_HVC_FN_INFORM_EXIT), 2);
}

static void test_run_idle(void **state)
{
	static const struct {
		uint32_t migrate;
		uint64_t delay;
		long sleeps;
		uint64_t ns;
	} t[] = {
	    {0, 12345, 1, 0},		  /* no timer: until woken */
	    {1, 62500000, 1, 1000000000}, /* 1 s at 62.5 MHz */
	    {1, 1, 1, 16},		  /* one tick */
	    {1, 0, 0, 0},		  /* already due: no sleep */
	    {7, 62500000ULL * 3 + 625, 1, 3000010000ULL},
	    {1, ~0ULL, 1, ~0ULL}, /* saturates */
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gzvm_vcpu_hwstate *hw;
		long before = fake.sleeps;

		fake_hyp_exit(GZVM_EXIT_IDLE);
		hw = fake_hyp_exit_hw();
		hw->vtimer_migrate = t[i].migrate;
		hw->vtimer_delay = t[i].delay;
		fake_hyp_exit(GZVM_EXIT_SHUTDOWN);
		assert_int_equal(run(), 0);
		assert_int_equal(urun.exit_reason, GZVM_EXIT_SHUTDOWN);
		assert_int_equal(fake.sleeps - before, t[i].sleeps);
		if (t[i].sleeps)
			assert_int_equal(fake.last_sleep_ns, t[i].ns);
	}
}

static void test_run_ptp(void **state)
{
	struct gzvm_vcpu_run *e;
	struct gzvm_vcpu_hwstate *hw;
	uint64_t *a = (uint64_t *)vcpu->shared + 1; /* hypercall.args in the kernel's copy */

	(void)state;
	/* physical counter */
	e = fake_hyp_exit(GZVM_EXIT_HYPERCALL);
	e->hypercall.args[0] = GZVM_HVC_PTP;
	e->hypercall.args[1] = 1;
	assert_int_equal(run(), 0); /* then UNKNOWN from the empty model */
	assert_int_equal(a[0], 0x12345678);
	assert_int_equal(a[1], 0x9abcdef0);
	assert_int_equal(a[2], 0x5);
	assert_int_equal(a[3], 0x7);
	/* virtual counter: minus the guest's offset */
	e = fake_hyp_exit(GZVM_EXIT_HYPERCALL);
	e->hypercall.args[0] = GZVM_HVC_PTP;
	e->hypercall.args[1] = 0;
	hw = fake_hyp_exit_hw();
	hw->vtimer_offset = 0x100000000ULL;
	assert_int_equal(run(), 0);
	assert_int_equal(a[2], 0x4);
	assert_int_equal(a[3], 0x7);
	/* unknown clock: SMCCC NOT_SUPPORTED, still finished in the kernel */
	e = fake_hyp_exit(GZVM_EXIT_HYPERCALL);
	e->hypercall.args[0] = GZVM_HVC_PTP;
	e->hypercall.args[1] = 2;
	assert_int_equal(run(), 0);
	assert_int_equal(a[0], ~0ULL);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_UNKNOWN);
	assert_int_equal(vcpu->nr_kernel_exits, 3);
}

static struct gzvm_one_reg reg;
static uint8_t regval[16];

static long one_reg(unsigned int cmd, uint64_t id)
{
	reg.id = id;
	reg.addr = fake_user(regval, sizeof(regval));
	return gzdrv_vcpu_ioctl(vcpu, cmd, fake_user(&reg, sizeof(reg)));
}

static void test_one_reg(void **state)
{
	const struct fake_rec *r;

	(void)state;
	memcpy(regval, "\x01\x02\x03\x04\x05\x06\x07\x08\x09", 9);
	assert_int_equal(one_reg(GZVM_SET_ONE_REG, GZVM_REG_CORE_PC), 0);
	r = fake_last();
	assert_int_equal(r->x[0], GZ_HVC_SET_ONE_REG);
	assert_int_equal(r->x[1], (1 << 16) | 1);
	assert_int_equal(r->x[2], GZVM_REG_CORE_PC);
	assert_int_equal(r->x[3], 0x0807060504030201ULL);
	assert_int_equal(one_reg(GZVM_SET_ONE_REG, GZVM_REG_CORE_FPSR), 0);
	assert_int_equal(fake_last()->x[3], 0x04030201);
	assert_int_equal(one_reg(GZVM_SET_ONE_REG, GZVM_REG_ARCH_ARM64 | GZVM_REG_SIZE_U8), 0);
	assert_int_equal(fake_last()->x[3], 0x01);
	assert_int_equal(one_reg(GZVM_SET_ONE_REG, GZVM_REG_CORE_V(0)), -EINVAL);
	assert_int_equal(one_reg(GZVM_SET_ONE_REG, GZVM_REG_ARCH_ARM64 | GZVM_REG_SIZE_U2048),
			 -EINVAL);
	assert_int_equal(one_reg(GZVM_SET_ONE_REG, 0x00f0000000000000ULL), -EINVAL);
	unsigned int calls = fake_calls(GZ_HVC_FN_SET_ONE_REG);
	/* bad pointers */
	assert_int_equal(gzdrv_vcpu_ioctl(vcpu, GZVM_SET_ONE_REG, 0x30), -EFAULT);
	reg.id = GZVM_REG_CORE_PC;
	reg.addr = 0x40;
	assert_int_equal(gzdrv_vcpu_ioctl(vcpu, GZVM_SET_ONE_REG, fake_user(&reg, sizeof(reg))),
			 -EFAULT);
	assert_int_equal(fake_calls(GZ_HVC_FN_SET_ONE_REG), calls);
	/* the hypervisor filters registers */
	fake_hyp_status(GZ_HVC_FN_SET_ONE_REG, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	assert_int_equal(one_reg(GZVM_SET_ONE_REG, 0x6030000000139999ULL), -EINVAL);

	/* GET_ONE_REG works in opengz; only the register's size is written */
	memset(regval, 0xee, sizeof(regval));
	assert_int_equal(one_reg(GZVM_GET_ONE_REG, GZVM_REG_CORE_X(3)), 0);
	assert_memory_equal(regval, "\x88\x77\x66\x55\x44\x33\x22\x11\xee", 9);
	memset(regval, 0xee, sizeof(regval));
	assert_int_equal(one_reg(GZVM_GET_ONE_REG, GZVM_REG_CORE_FPCR), 0);
	assert_memory_equal(regval, "\x88\x77\x66\x55\xee", 5);
	assert_int_equal(fake_last()->x[2], GZVM_REG_CORE_FPCR);
	assert_int_equal(one_reg(GZVM_GET_ONE_REG, GZVM_REG_CORE_V(1)), -EINVAL);
	fake_hyp_status(GZ_HVC_FN_GET_ONE_REG, GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	assert_int_equal(one_reg(GZVM_GET_ONE_REG, GZVM_REG_CORE_PC), -EOPNOTSUPP);
	/* a protected VM that ran keeps its registers: both directions are EPERM */
	fake_hyp_status(GZ_HVC_FN_GET_ONE_REG, GZ_ERR_ACCESS_DENIED, 0, 0, 0);
	assert_int_equal(one_reg(GZVM_GET_ONE_REG, GZVM_REG_CORE_PC), -EPERM);
	fake_hyp_status(GZ_HVC_FN_SET_ONE_REG, GZ_ERR_ACCESS_DENIED, 0, 0, 0);
	assert_int_equal(one_reg(GZVM_SET_ONE_REG, GZVM_REG_CORE_PC), -EPERM);
	reg.id = GZVM_REG_CORE_PC;
	reg.addr = 0x40;
	assert_int_equal(gzdrv_vcpu_ioctl(vcpu, GZVM_GET_ONE_REG, fake_user(&reg, sizeof(reg))),
			 -EFAULT);
}

static struct gzvm_create_device dev;
static uint8_t attr[4096];

static long create_device(void)
{
	return gzdrv_vm_ioctl(vm, GZVM_CREATE_DEVICE, fake_user(&dev, sizeof(dev)));
}

static void test_create_device(void **state)
{
	const struct fake_rec *r;

	(void)state;
	memset(&dev, 0, sizeof(dev));
	dev.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST;
	dev.dev_addr = 0x3fff0000;
	dev.dev_reg_size = 0x10000;
	assert_int_equal(create_device(), 0);
	r = fake_last();
	assert_int_equal(r->x[0], GZ_HVC_CREATE_DEVICE);
	assert_int_equal(r->x[1], 1);
	assert_int_equal(r->x[2] % 4096, 0);
	assert_int_equal(dev.attr_addr, 0); /* nothing written back */
	/* with attributes: a kernel copy replaces the user address */
	dev.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST;
	dev.attr_addr = fake_user(attr, sizeof(attr));
	dev.attr_size = 4096;
	assert_int_equal(create_device(), 0);
	assert_int_equal(dev.attr_addr, (uint64_t)(uintptr_t)attr);
	/* bad arguments */
	static const struct {
		uint32_t type;
		uint64_t addr, size, attr_addr, attr_size;
		long err;
	} t[] = {
	    {2, 0x3fff0000, 0x10000, 0, 0, -EINVAL}, /* type */
	    {0xffffffff, 0x3fff0000, 0x10000, 0, 0, -EINVAL},
	    {0, 0x3fff0000, 0, 0, 0, -EINVAL},		   /* no frame */
	    {0, ~0ULL - 0xff, 0x10000, 0, 0, -EINVAL},	   /* wraps */
	    {0, 0x3fff0000, 0x10000, 0, 1, -EINVAL},	   /* attributes at 0 */
	    {0, 0x3fff0000, 0x10000, 1, 4097, -EINVAL},	   /* > one page */
	    {0, 0x3fff0000, 0x10000, 0x5000, 16, -EFAULT}, /* unreadable */
	};
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dev.dev_type = t[i].type;
		dev.dev_addr = t[i].addr;
		dev.dev_reg_size = t[i].size;
		dev.attr_addr = t[i].attr_addr;
		dev.attr_size = t[i].attr_size;
		if (create_device() != t[i].err)
			fail_msg("case %u", i);
	}
	assert_int_equal(fake_calls(GZ_HVC_FN_CREATE_DEVICE), 2);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_DEVICE, 0x50), -EFAULT);
	/* allocation failures and hypervisor errors */
	dev.dev_type = 0;
	dev.dev_addr = 0x3fff0000;
	dev.dev_reg_size = 0x10000;
	dev.attr_addr = fake_user(attr, sizeof(attr));
	dev.attr_size = 8;
	fake.fail_alloc_in = 1;
	assert_int_equal(create_device(), -ENOMEM);
	fake.fail_alloc_in = 2;
	assert_int_equal(create_device(), -ENOMEM);
	fake_hyp_status(GZ_HVC_FN_CREATE_DEVICE, GZ_ERR_ALREADY_EXISTS, 0, 0, 0);
	assert_int_equal(create_device(), -EINVAL);
	fake_hyp_status(GZ_HVC_FN_CREATE_DEVICE, GZ_ERR_NO_MEMORY, 0, 0, 0);
	assert_int_equal(create_device(), -ENOMEM);
}

static struct gzvm_enable_cap cap;

static long enable_cap(uint64_t c, uint64_t a0, uint64_t a1)
{
	memset(&cap, 0, sizeof(cap));
	cap.cap = c;
	cap.args[0] = a0;
	cap.args[1] = a1;
	cap.args[4] = 0x4444;
	return gzdrv_vm_ioctl(vm, GZVM_ENABLE_CAP, fake_user(&cap, sizeof(cap)));
}

static void test_enable_cap(void **state)
{
	const struct fake_rec *r;
	unsigned int calls;

	(void)state;
	calls = fake_calls(GZ_HVC_FN_ENABLE_CAP);
	static const uint64_t refused[] = {GZVM_CAP_VM_GPA_SIZE,
					   GZVM_CAP_BLOCK_BASED_DEMAND_PAGING,
					   GZVM_CAP_ENABLE_DEMAND_PAGING,
					   GZVM_CAP_ENABLE_IDLE,
					   GZVM_CAP_QUERY_HYP_BATCH_PAGES,
					   0,
					   ~0ULL};
	for (unsigned int i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(enable_cap(refused[i], 0, 0), -EINVAL);
	assert_int_equal(enable_cap(GZVM_CAP_PROTECTED_VM, 3, 0), -EINVAL);
	assert_int_equal(fake_calls(GZ_HVC_FN_ENABLE_CAP), calls);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_ENABLE_CAP, 0x60), -EFAULT);

	assert_int_equal(enable_cap(GZVM_CAP_PROTECTED_VM, GZVM_CAP_PVM_SET_PVMFW_GPA, 0x7fe00000),
			 0);
	r = fake_last();
	assert_int_equal(r->x[1], 1);
	assert_int_equal(r->x[2], GZVM_CAP_PROTECTED_VM);
	assert_int_equal(r->x[3], GZVM_CAP_PVM_SET_PVMFW_GPA);
	assert_int_equal(r->x[4], 0x7fe00000);
	assert_int_equal(r->x[7], 0x4444);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_OK, 0x200000, 0, 0);
	assert_int_equal(enable_cap(GZVM_CAP_PROTECTED_VM, GZVM_CAP_PVM_GET_PVMFW_SIZE, 0), 0);
	assert_int_equal(cap.args[1], 0x200000); /* written back */
	cap.args[0] = GZVM_CAP_PVM_GET_PVMFW_SIZE;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_ENABLE_CAP, fake_user_ro(&cap, sizeof(cap))),
			 -EFAULT);
	fake_user(&cap, sizeof(cap));
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	assert_int_equal(enable_cap(GZVM_CAP_PROTECTED_VM, GZVM_CAP_PVM_SET_PROTECTED_VM, 0),
			 -EOPNOTSUPP);
}

static void test_dtb_config(void **state)
{
	static struct gzvm_dtb_config c;
	uint64_t u = fake_user(&c, sizeof(c));

	(void)state;
	c.dtb_addr = 0x80000000;
	c.dtb_size = 0;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_DTB_CONFIG, u), -EINVAL);
	c.dtb_addr = ~0ULL - 4;
	c.dtb_size = 0x1000;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_DTB_CONFIG, u), -EINVAL);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_DTB_CONFIG, 0x70), -EFAULT);
	assert_int_equal(fake_calls(GZ_HVC_FN_SET_DTB_CONFIG), 0);
	c.dtb_addr = 0x80000000;
	c.dtb_size = 0x2000;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_DTB_CONFIG, u), 0);
	assert_int_equal(fake_last()->x[1], 1);
	assert_int_equal(fake_last()->x[2], 0x80000000);
	assert_int_equal(fake_last()->x[3], 0x2000);
	fake_hyp_status(GZ_HVC_FN_SET_DTB_CONFIG, GZ_ERR_FAULT, 0, 0, 0);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_SET_DTB_CONFIG, u), -EFAULT);
}

static void test_irq_line(void **state)
{
	static struct gzvm_irq_level l;
	uint64_t u = fake_user(&l, sizeof(l));
	static const struct {
		uint32_t irq, level;
		long err;
		uint64_t tuple_vcpu, x2;
	} t[] = {
	    {5, 1, 0, 0, 5}, /* crosvm: bare SPI index */
	    {987, 0, 0, 0, 987},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 37), 1, 0, 0,
	     GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 37)}, /* typed: INTID */
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 1019), 0, 0, 0,
	     GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 1019)},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 3, 27), 1, 0, 3,
	     GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 3, 27)},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 7, 16), 0, 0, 7,
	     GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 7, 16)},
	    {988, 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 5), 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 31), 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 1020), 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 3, 40), 1, -EINVAL, 0, 0},
	    {5, 2, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 0, 15), 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 0, 32), 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 8, 27), 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 256, 27), 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(3, 0, 5), 1, -EINVAL, 0, 0},
	    {GZVM_IRQ_LINE_ENCODE(0xf, 0, 5), 1, -EINVAL, 0, 0},
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned int calls = fake_calls(GZ_HVC_FN_IRQ_LINE);
		long wakes = fake.wakes;

		l.irq = t[i].irq;
		l.level = t[i].level;
		if (gzdrv_vm_ioctl(vm, GZVM_IRQ_LINE, u) != t[i].err)
			fail_msg("case %u", i);
		if (t[i].err) {
			assert_int_equal(fake_calls(GZ_HVC_FN_IRQ_LINE), calls);
			continue;
		}
		assert_int_equal(fake_last()->x[1], (1 << 16) | t[i].tuple_vcpu);
		assert_int_equal(fake_last()->x[2], t[i].x2);
		assert_int_equal(fake_last()->x[3], t[i].level);
		assert_int_equal(fake.wakes - wakes, t[i].level ? 1 : 0);
	}
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_IRQ_LINE, 0x80), -EFAULT);
	fake_hyp_status(GZ_HVC_FN_IRQ_LINE, GZ_ERR_INVALID_ARGS, 0, 0, 0);
	l.irq = 5;
	l.level = 1;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_IRQ_LINE, u), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_run_args, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_copy_back_fails, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_mmio_completion, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_exits_to_user, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_in_kernel_exits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_signals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_idle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_ptp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_reg, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_device, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enable_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dtb_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_irq_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
