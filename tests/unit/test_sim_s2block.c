/* Demand paging through the simulator's in-process driver (the gzvm ABI as gzvmm sees it).
 * Real 2 MiB stage-2 blocks: guest RAM from gz_sim_ram_alloc is 2 MiB-aligned and
 * contiguous, so each block the guest faults in goes to the core as one run and is mapped by
 * one block descriptor (counted by the driver from MAP_GUEST's x1); a page the guest
 * relinquishes splits its block, the 511 others stay mapped, and the page faulted in again
 * lands in the split table. Pages ahead: with 4 KiB demand paging, a guest touching eight
 * pages in order goes to the host for two of them (MAP_GUEST_AHEAD) and gzhyp's fast path
 * maps the six others.
 * test-libs: gzsim_drv gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <gzabi/guest_calls.h>
#include <gzabi/status.h>
#include <gzhyp/pgtable.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <gzsim/driver.h>
#include <uapi/linux/gzvm.h>

#define RAM		0x40000000ULL
#define RAM_SIZE	(8ULL << 20)
#define BLK		(2ULL << 20)
#define PSCI_SYSTEM_OFF 0x84000008U

static uint32_t movz(unsigned rd, uint16_t imm, unsigned hw)
{
	return 0xd2800000U | hw << 21 | (uint32_t)imm << 5 | rd;
}

static uint32_t movk(unsigned rd, uint16_t imm, unsigned hw)
{
	return 0xf2800000U | hw << 21 | (uint32_t)imm << 5 | rd;
}

/* x@rd = @v in four instructions */
static uint32_t *mov64(uint32_t *p, unsigned rd, uint64_t v)
{
	*p++ = movz(rd, (uint16_t)v, 0);
	for (unsigned hw = 1; hw < 4; hw++)
		*p++ = movk(rd, (uint16_t)(v >> (16 * hw)), hw);
	return p;
}

#define STR_X1_X1 0xf9000021U /* str x1, [x1] */
#define HVC0	  0xd4000002U

static int set_reg(int fd, uint64_t id, uint64_t val)
{
	struct gzvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&val};

	return (int)gz_sim_ioctl(fd, GZVM_SET_ONE_REG, &r);
}

static unsigned leaf_level(const struct gz_vm *vm, uint64_t ipa)
{
	unsigned level = 0;

	if (gz_pgt_translate(&vm->mem.s2, ipa, NULL, NULL, &level) != GZ_OK)
		return 0;
	return level;
}

struct vm {
	uint8_t *ram;
	int dev, vm_fd, vcpu_fd;
};

/* A VM with RAM_SIZE of RAM at RAM (its program already written there) and one vCPU at RAM. */
static void vm_make(struct vm *v)
{
	struct gzvm_userspace_memory_region slot = {
	    .slot = 0,
	    .flags = GZVM_USER_MEM_REGION_GUEST_MEM,
	    .guest_phys_addr = RAM,
	    .memory_size = RAM_SIZE,
	    .userspace_addr = (uint64_t)(uintptr_t)v->ram,
	};
	struct gzvm_create_device gic[2] = {
	    {.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST,
	     .dev_addr = 0x08000000,
	     .dev_reg_size = 0x10000},
	    {.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST,
	     .dev_addr = 0x080a0000,
	     .dev_reg_size = 0x20000},
	};

	v->dev = gz_sim_open();
	assert_true(v->dev >= 0);
	v->vm_fd = (int)gz_sim_ioctl(v->dev, GZVM_CREATE_VM, 0);
	assert_true(v->vm_fd >= 0);
	assert_int_equal(gz_sim_ioctl(v->vm_fd, GZVM_SET_USER_MEMORY_REGION, &slot), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(gz_sim_ioctl(v->vm_fd, GZVM_CREATE_DEVICE, &gic[i]), 0);
	v->vcpu_fd = (int)gz_sim_ioctl(v->vm_fd, GZVM_CREATE_VCPU, 0);
	assert_true(v->vcpu_fd >= 0);
	assert_int_equal(set_reg(v->vcpu_fd, GZVM_REG_CORE_PC, RAM), 0);
	assert_int_equal(set_reg(v->vcpu_fd, GZVM_REG_CORE_PSTATE, 0x3c5), 0); /* EL1h, masked */
}

/* RUN until the guest powers off (the demand-paging exits are the driver's). */
static void vm_run(struct vm *v)
{
	struct gzvm_vcpu_run run;
	int runs = 0;
	long r;

	do {
		memset(&run, 0, sizeof(run));
		r = gz_sim_ioctl(v->vcpu_fd, GZVM_RUN, &run);
		assert_true(r == 0 || r == -EINTR);
	} while ((r != 0 || run.exit_reason != GZVM_EXIT_SYSTEM_EVENT) && ++runs < 100);
	assert_int_equal(run.exit_reason, GZVM_EXIT_SYSTEM_EVENT);
}

static void vm_close(struct vm *v)
{
	gz_sim_close(v->vcpu_fd);
	gz_sim_close(v->vm_fd);
	gz_sim_close(v->dev);
}

/* The core's VM (one at a time in these tests). */
static struct gz_vm *core_vm(void)
{
	for (unsigned i = 0; i < gz_vm_count(); i++)
		if (gz_vm_at(i))
			return gz_vm_at(i);
	fail_msg("no VM in the core");
	return NULL;
}

static void test_blocks_and_split(void **state)
{
	const uint64_t page = RAM + BLK + 5 * 4096; /* in the second block */
	struct gz_sim_drv_mem m0, m1;
	struct gz_vm *vm;
	struct vm v;
	uint32_t *p;

	(void)state;
	assert_int_equal(gz_sim_drv_init(NULL), 0);
	v.ram = gz_sim_ram_alloc(RAM_SIZE);
	assert_non_null(v.ram);
	/* the guest: store to the second block, give one of its pages back, store to it again,
	 * touch the fourth block, power off (the code itself is in the first) */
	p = (uint32_t *)v.ram;
	p = mov64(p, 1, page);
	*p++ = STR_X1_X1;
	p = mov64(p, 0, GZ_VENDOR_HYP_MEM_RELINQUISH);
	p = mov64(p, 1, page);
	*p++ = HVC0;
	p = mov64(p, 1, page);
	*p++ = STR_X1_X1;
	p = mov64(p, 1, RAM + 3 * BLK);
	*p++ = STR_X1_X1;
	p = mov64(p, 0, PSCI_SYSTEM_OFF);
	*p++ = HVC0;
	vm_make(&v);
	assert_int_equal(gz_sim_drv_mem(&m0), 0);
	vm_run(&v);
	vm = core_vm();
	assert_int_equal(leaf_level(vm, RAM), 2);
	assert_int_equal(leaf_level(vm, RAM + 3 * BLK + BLK - 1), 2);
	assert_int_equal(leaf_level(vm, RAM + 2 * BLK), 0); /* never touched */
	assert_int_equal(leaf_level(vm, page), 3);
	assert_int_equal(leaf_level(vm, page - 4096), 3);
	assert_int_equal(leaf_level(vm, RAM + BLK + BLK - 1), 3);
	assert_int_equal(*(uint64_t *)(v.ram + (page - RAM)), page);
	vm_close(&v);
	/* three blocks faulted in, each one descriptor; the page given back and faulted in
	 * again made none (the driver's count, from MAP_GUEST's x1, once the VM is gone) */
	assert_int_equal(gz_sim_drv_mem(&m1), 0);
	assert_int_equal(m1.s2_blocks - m0.s2_blocks, 3);
	assert_int_equal(m1.pinned_pages, 0);
	gz_sim_ram_free(v.ram, RAM_SIZE);
	gz_sim_drv_fini();
}

static void test_pages_ahead(void **state)
{
	struct gz_sim_drv_config cfg = {.machine = {.cpu_model = -1}, .page_paging = true};
	struct gz_vm *vm;
	struct vm v;
	uint32_t *p;

	(void)state;
	assert_int_equal(gz_sim_drv_init(&cfg), 0);
	v.ram = gz_sim_ram_alloc(RAM_SIZE);
	assert_non_null(v.ram);
	/* the guest: a store to each of eight pages in order (none in the code's page) */
	p = (uint32_t *)v.ram;
	for (unsigned i = 0; i < 8; i++) {
		p = mov64(p, 1, RAM + BLK + i * 4096ULL);
		*p++ = STR_X1_X1;
	}
	p = mov64(p, 0, PSCI_SYSTEM_OFF);
	*p++ = HVC0;
	vm_make(&v);
	vm_run(&v);
	vm = core_vm();
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(leaf_level(vm, RAM + BLK + i * 4096ULL), 3);
		assert_int_equal(*(uint64_t *)(v.ram + BLK + i * 4096ULL), RAM + BLK + i * 4096ULL);
	}
	assert_int_equal(leaf_level(vm, RAM + BLK + 8 * 4096ULL), 0); /* held, never touched */
	/* the code page's fault asks without pages ahead, the first store's hands three, the
	 * fifth store's three more: six faults served by the fast path */
	assert_int_equal(vm->vcpus[0]->nr_fast_exits, 6);
	vm_close(&v);
	gz_sim_ram_free(v.ram, RAM_SIZE);
	gz_sim_drv_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks_and_split),
	    cmocka_unit_test(test_pages_ahead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
