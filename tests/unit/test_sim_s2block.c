/* Real 2 MiB stage-2 blocks through the simulator's in-process driver (the gzvm ABI as gzvmm
 * sees it): guest RAM from gz_sim_ram_alloc is 2 MiB-aligned and contiguous, so each block
 * the guest faults in goes to the core as one run and is mapped by one block descriptor
 * (counted by the driver from MAP_GUEST's x1); a page the guest relinquishes splits its
 * block, the 511 others stay mapped, and the page faulted in again lands in the split table.
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

static void test_blocks_and_split(void **state)
{
	uint8_t *ram;
	struct gzvm_userspace_memory_region slot = {
	    .slot = 0,
	    .flags = GZVM_USER_MEM_REGION_GUEST_MEM,
	    .guest_phys_addr = RAM,
	    .memory_size = RAM_SIZE,
	};
	struct gzvm_create_device dist = {.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST,
					  .dev_addr = 0x08000000,
					  .dev_reg_size = 0x10000};
	struct gzvm_create_device redist = {.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST,
					    .dev_addr = 0x080a0000,
					    .dev_reg_size = 0x20000};
	struct gzvm_vcpu_run run;
	struct gz_sim_drv_mem m0, m1;
	const uint64_t page = RAM + BLK + 5 * 4096; /* in the second block */
	uint32_t *p;
	struct gz_vm *vm = NULL;
	int dev, vm_fd, vcpu_fd, runs = 0;
	long r;

	(void)state;
	assert_int_equal(gz_sim_drv_init(NULL), 0);
	ram = gz_sim_ram_alloc(RAM_SIZE);
	assert_non_null(ram);
	/* the guest: store to the second block, give one of its pages back, store to it again,
	 * touch the fourth block, power off (the code itself is in the first) */
	p = (uint32_t *)ram;
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
	dev = gz_sim_open();
	assert_true(dev >= 0);
	vm_fd = (int)gz_sim_ioctl(dev, GZVM_CREATE_VM, 0);
	assert_true(vm_fd >= 0);
	slot.userspace_addr = (uint64_t)(uintptr_t)ram;
	assert_int_equal(gz_sim_ioctl(vm_fd, GZVM_SET_USER_MEMORY_REGION, &slot), 0);
	assert_int_equal(gz_sim_ioctl(vm_fd, GZVM_CREATE_DEVICE, &dist), 0);
	assert_int_equal(gz_sim_ioctl(vm_fd, GZVM_CREATE_DEVICE, &redist), 0);
	vcpu_fd = (int)gz_sim_ioctl(vm_fd, GZVM_CREATE_VCPU, 0);
	assert_true(vcpu_fd >= 0);
	assert_int_equal(set_reg(vcpu_fd, GZVM_REG_CORE_PC, RAM), 0);
	assert_int_equal(set_reg(vcpu_fd, GZVM_REG_CORE_PSTATE, 0x3c5), 0); /* EL1h, masked */
	assert_int_equal(gz_sim_drv_mem(&m0), 0);
	do {
		memset(&run, 0, sizeof(run));
		r = gz_sim_ioctl(vcpu_fd, GZVM_RUN, &run);
		assert_true(r == 0 || r == -EINTR);
	} while ((r != 0 || run.exit_reason != GZVM_EXIT_SYSTEM_EVENT) && ++runs < 100);
	assert_int_equal(run.exit_reason, GZVM_EXIT_SYSTEM_EVENT);
	for (unsigned i = 0; i < gz_vm_count() && !vm; i++)
		if (gz_vm_at(i))
			vm = gz_vm_at(i);
	assert_non_null(vm);
	assert_int_equal(leaf_level(vm, RAM), 2);
	assert_int_equal(leaf_level(vm, RAM + 3 * BLK + BLK - 1), 2);
	assert_int_equal(leaf_level(vm, RAM + 2 * BLK), 0); /* never touched */
	assert_int_equal(leaf_level(vm, page), 3);
	assert_int_equal(leaf_level(vm, page - 4096), 3);
	assert_int_equal(leaf_level(vm, RAM + BLK + BLK - 1), 3);
	assert_int_equal(*(uint64_t *)(ram + (page - RAM)), page);
	gz_sim_close(vcpu_fd);
	gz_sim_close(vm_fd);
	gz_sim_close(dev);
	/* three blocks faulted in, each one descriptor; the page given back and faulted in
	 * again made none (the driver's count, from MAP_GUEST's x1, once the VM is gone) */
	assert_int_equal(gz_sim_drv_mem(&m1), 0);
	assert_int_equal(m1.s2_blocks - m0.s2_blocks, 3);
	assert_int_equal(m1.pinned_pages, 0);
	gz_sim_ram_free(ram, RAM_SIZE);
	gz_sim_drv_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks_and_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
