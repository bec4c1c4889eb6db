/* Layout of the gzvm user ABI (include/uapi/linux/gzvm.h) and of the hypercall ABI
 * (include/gzabi/hvc.h): every size, offset and encoded number of the reference, checked at run
 * time as well (the headers also check them at compile time), with the system's ioctl
 * headers included beside the freestanding shims. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <cmocka.h>

#include <uapi/linux/gzvm.h>
#include <gzabi/guest_calls.h>
#include <gzabi/hvc.h>
#include <gzabi/status.h>

struct layout {
	const char *what;
	size_t got, want;
};

#define L(expr, want)                                                                              \
	{                                                                                          \
#expr, (size_t)(expr), (size_t)(want)                                              \
	}

static void test_struct_layouts(void **state)
{
	static const struct layout t[] = {
	    L(sizeof(struct gzvm_memory_region), 24),
	    L(offsetof(struct gzvm_memory_region, slot), 0),
	    L(offsetof(struct gzvm_memory_region, flags), 4),
	    L(offsetof(struct gzvm_memory_region, guest_phys_addr), 8),
	    L(offsetof(struct gzvm_memory_region, memory_size), 16),
	    L(sizeof(struct gzvm_userspace_memory_region), 32),
	    L(offsetof(struct gzvm_userspace_memory_region, userspace_addr), 24),
	    L(sizeof(struct gzvm_irq_level), 8),
	    L(offsetof(struct gzvm_irq_level, irq), 0),
	    L(offsetof(struct gzvm_irq_level, status), 0),
	    L(offsetof(struct gzvm_irq_level, level), 4),
	    L(sizeof(struct gzvm_create_device), 48),
	    L(offsetof(struct gzvm_create_device, dev_addr), 16),
	    L(offsetof(struct gzvm_create_device, dev_reg_size), 24),
	    L(offsetof(struct gzvm_create_device, attr_addr), 32),
	    L(offsetof(struct gzvm_create_device, attr_size), 40),
	    L(sizeof(struct gzvm_enable_cap), 48),
	    L(offsetof(struct gzvm_enable_cap, args[4]), 40),
	    L(sizeof(struct gzvm_one_reg), 16),
	    L(sizeof(struct gzvm_irqfd), 32),
	    L(offsetof(struct gzvm_irqfd, pad), 16),
	    L(sizeof(struct gzvm_ioeventfd), 64),
	    L(offsetof(struct gzvm_ioeventfd, fd), 20),
	    L(offsetof(struct gzvm_ioeventfd, flags), 24),
	    L(sizeof(struct gzvm_dtb_config), 16),
	    L(sizeof(struct gzvm_vcpu_run), 264),
	    L(offsetof(struct gzvm_vcpu_run, immediate_exit), 4),
	    L(offsetof(struct gzvm_vcpu_run, mmio.phys_addr), 8),
	    L(offsetof(struct gzvm_vcpu_run, mmio.data), 16),
	    L(offsetof(struct gzvm_vcpu_run, mmio.size), 24),
	    L(offsetof(struct gzvm_vcpu_run, mmio.reg_nr), 32),
	    L(offsetof(struct gzvm_vcpu_run, mmio.is_write), 36),
	    L(offsetof(struct gzvm_vcpu_run, mmio.completion), 48),
	    L(offsetof(struct gzvm_vcpu_run, exception.fault_gpa), 16),
	    L(offsetof(struct gzvm_vcpu_run, hypercall.args[7]), 8 + 56),
	    L(offsetof(struct gzvm_vcpu_run, system_event.data[15]), 16 + 120),
	    L(sizeof(struct gzvm_vcpu_hwstate), 160),
	    L(offsetof(struct gzvm_vcpu_hwstate, lr[15]), 8 + 120),
	    L(offsetof(struct gzvm_vcpu_hwstate, vtimer_offset), 136),
	    L(offsetof(struct gzvm_vcpu_hwstate, vtimer_delay), 144),
	    L(offsetof(struct gzvm_vcpu_hwstate, vtimer_migrate), 152),
	    L(sizeof(struct gzvm_memory_region_ranges), 24),
	    L(offsetof(struct gzvm_memory_region_ranges, gpa), 16),
	    L(offsetof(struct gzvm_memory_region_ranges, constituents), 24),
	    L(sizeof(struct mem_region_addr_range), 16),
	    L(GZVM_MEMREGION_MAX_CONSTITUENTS, 510),
	    L(sizeof(struct gzvm_regs), 864),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].got != t[i].want)
			fail_msg("%s = %zu, want %zu", t[i].what, t[i].got, t[i].want);
}

static void test_ioctl_numbers(void **state)
{
	static const struct {
		unsigned long got, want;
	} t[] = {
	    {GZVM_CREATE_VM, 0x00009201},
	    {GZVM_CHECK_EXTENSION, 0x00009203},
	    {GZVM_SET_MEMORY_REGION, 0x40189240},
	    {GZVM_CREATE_VCPU, 0x00009241},
	    {GZVM_SET_USER_MEMORY_REGION, 0x40209246},
	    {GZVM_CREATE_IRQCHIP, 0x00009260},
	    {GZVM_IRQ_LINE, 0x40089261},
	    {GZVM_IRQFD, 0x40209276},
	    {GZVM_IOEVENTFD, 0x40409279},
	    {GZVM_RUN, 0x00009280},
	    {GZVM_ENABLE_CAP, 0x403092a3},
	    {GZVM_GET_ONE_REG, 0x401092ab},
	    {GZVM_SET_ONE_REG, 0x401092ac},
	    {GZVM_CREATE_DEVICE, 0xc03092e0},
	    {GZVM_SET_DTB_CONFIG, 0x401092ff},
	    {GZVM_CREATE_CHANNEL, 0xc01892c0},	      /* opengz */
	    {GZVM_CREATE_CHANNEL_REGION, 0x402892c1}, /* opengz */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(t[i].got, t[i].want);
	/* The shim and the system agree on the encoding. */
	assert_int_equal(_IOC_SIZE(GZVM_IOEVENTFD), 64);
	assert_int_equal(_IOC_DIR(GZVM_CREATE_DEVICE), _IOC_READ | _IOC_WRITE);
}

static void test_constants(void **state)
{
	(void)state;
	assert_int_equal(GZVM_EXIT_UNKNOWN, 0x92920000);
	assert_int_equal(GZVM_EXIT_MMIO, 0x92920001);
	assert_int_equal(GZVM_EXIT_HYPERCALL, 0x92920002);
	assert_int_equal(GZVM_EXIT_IRQ, 0x92920003);
	assert_int_equal(GZVM_EXIT_EXCEPTION, 0x92920004);
	assert_int_equal(GZVM_EXIT_DEBUG, 0x92920005);
	assert_int_equal(GZVM_EXIT_FAIL_ENTRY, 0x92920006);
	assert_int_equal(GZVM_EXIT_INTERNAL_ERROR, 0x92920007);
	assert_int_equal(GZVM_EXIT_SYSTEM_EVENT, 0x92920008);
	assert_int_equal(GZVM_EXIT_SHUTDOWN, 0x92920009);
	assert_int_equal(GZVM_EXIT_GZ, 0x9292000a);
	assert_int_equal(GZVM_EXIT_IDLE, 0x9292000b);
	assert_int_equal(GZVM_EXIT_IPI, 0x9292000d);
	assert_int_equal(GZVM_CAP_VM_GPA_SIZE, 0xa5);
	assert_int_equal(GZVM_CAP_PROTECTED_VM, 0xffbadab1);
	assert_int_equal(GZVM_CAP_BLOCK_BASED_DEMAND_PAGING, 0x9201);
	assert_int_equal(GZVM_CAP_ENABLE_DEMAND_PAGING, 0x9202);
	assert_int_equal(GZVM_CAP_ENABLE_IDLE, 0x9203);
	assert_int_equal(GZVM_CAP_QUERY_HYP_BATCH_PAGES, 0x9204);
	assert_int_equal(GZVM_CAP_QUERY_DESTROY_BATCH_PAGES, 0x9205);
	assert_int_equal(GZVM_SYSTEM_EVENT_SHUTDOWN, 1);
	assert_int_equal(GZVM_SYSTEM_EVENT_RESET, 2);
	assert_int_equal(GZVM_SYSTEM_EVENT_CRASH, 3);
	assert_int_equal(GZVM_DEV_TYPE_ARM_VGIC_V3_DIST, 0);
	assert_int_equal(GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST, 1);
	assert_int_equal(GZVM_USER_MEM_REGION_STATIC_SWIOTLB, 4);
	assert_int_equal(GZ_ERR_BUSY, -33);
	assert_int_equal(GZ_ERR_INVALID_ARGS, -8);
	assert_int_equal(GZ_ERR_NOT_SUPPORTED, -24);
}

static void test_irq_line_encoding(void **state)
{
	uint32_t irq = GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 0x123, 27);

	(void)state;
	assert_int_equal(irq, (2u << 24) | (0x1u << 28) | (0x23u << 16) | 27);
	assert_int_equal(GZVM_IRQ_LINE_TYPE(irq), GZVM_IRQ_TYPE_PPI);
	assert_int_equal(GZVM_IRQ_LINE_VCPU(irq), 0x123);
	assert_int_equal(GZVM_IRQ_LINE_NUM(irq), 27);
	assert_int_equal(GZVM_IRQ_LINE_ENCODE(0, 0, 5), 5);
}

static void test_one_reg_ids(void **state)
{
	(void)state;
	assert_int_equal(GZVM_REG_CORE_X(0), 0x6030000000100000ULL);
	assert_int_equal(GZVM_REG_CORE_X(30), 0x603000000010003cULL);
	assert_int_equal(GZVM_REG_CORE_SP, 0x603000000010003eULL);
	assert_int_equal(GZVM_REG_CORE_PC, 0x6030000000100040ULL);
	assert_int_equal(GZVM_REG_CORE_PSTATE, 0x6030000000100042ULL);
	assert_int_equal(GZVM_REG_CORE_SP_EL1, 0x6030000000100044ULL);
	assert_int_equal(GZVM_REG_CORE_ELR_EL1, 0x6030000000100046ULL);
	assert_int_equal(GZVM_REG_CORE_SPSR(0), 0x6030000000100048ULL);
	assert_int_equal(GZVM_REG_CORE_V(0), 0x6040000000100054ULL);
	assert_int_equal(GZVM_REG_CORE_FPSR, 0x60200000001000d4ULL);
	assert_int_equal(GZVM_REG_CORE_FPCR, 0x60200000001000d5ULL);
	/* SCTLR_EL1 = op0 3, op1 0, CRn 1, CRm 0, op2 0 */
	assert_int_equal(GZVM_ARM64_SYS_REG(3, 0, 1, 0, 0), 0x603000000013c080ULL);
	assert_int_equal(GZVM_REG_SIZE(GZVM_REG_CORE_FPSR), 4);
	assert_int_equal(GZVM_REG_SIZE(GZVM_REG_CORE_V(3)), 16);
}

static void test_hvc_ids_and_tuple(void **state)
{
	static const uint32_t ids[] = {
	    GZ_HVC_CREATE_VM,	    GZ_HVC_DESTROY_VM,
	    GZ_HVC_CREATE_VCPU,	    GZ_HVC_DESTROY_VCPU,
	    GZ_HVC_SET_MEMREGION,   GZ_HVC_RUN,
	    GZ_HVC_GET_REGS,	    GZ_HVC_SET_REGS,
	    GZ_HVC_GET_ONE_REG,	    GZ_HVC_SET_ONE_REG,
	    GZ_HVC_IRQ_LINE,	    GZ_HVC_CREATE_DEVICE,
	    GZ_HVC_PROBE,	    GZ_HVC_ENABLE_CAP,
	    GZ_HVC_INFORM_EXIT,	    GZ_HVC_MEMREGION_PURPOSE,
	    GZ_HVC_SET_DTB_CONFIG,  GZ_HVC_MAP_GUEST,
	    GZ_HVC_MAP_GUEST_BLOCK, GZ_HVC_GET_STATISTICS,
	};

	(void)state;
	for (uint32_t n = 0; n < sizeof(ids) / sizeof(ids[0]); n++)
		assert_int_equal(ids[n], 0xfb001000u + n);
	assert_int_equal(gz_hvc_tuple(3, 5), 0x30005);
	assert_int_equal(gz_hvc_tuple_vm(0xabcd1234), 0xabcd);
	assert_int_equal(gz_hvc_tuple_vcpu(0xabcd1234), 0x1234);
	assert_true(gz_hvc_tuple_valid(0xffffffff));
	assert_false(gz_hvc_tuple_valid(0x100000000ULL));
}

static void test_guest_call_ids(void **state)
{
	(void)state;
	assert_int_equal(GZ_VENDOR_HYP_CALL_UID, 0x8600ff01);
	assert_int_equal(GZ_VENDOR_HYP_MEMINFO, 0xc6000002);
	assert_int_equal(GZ_VENDOR_HYP_MEM_RELINQUISH, GZVM_HVC_MEM_RELINQUISH);
	assert_int_equal(GZ_VENDOR_HYP_PTP, GZVM_HVC_PTP);
	/* The UID words spell 7e134ed0-3b82-488d-8cee-69c19211dbe7 byte by byte. */
	static const uint8_t uuid[16] = {0x7e, 0x13, 0x4e, 0xd0, 0x3b, 0x82, 0x48, 0x8d,
					 0x8c, 0xee, 0x69, 0xc1, 0x92, 0x11, 0xdb, 0xe7};
	const uint32_t w[4] = {GZ_GENIEZONE_UID_W0, GZ_GENIEZONE_UID_W1, GZ_GENIEZONE_UID_W2,
			       GZ_GENIEZONE_UID_W3};
	/* w0 holds the first 32-bit field byte-reversed (SMCCC convention as for KVM's UID);
	 * the other words hold bytes 4..15 little-endian. */
	assert_int_equal(w[0], (uint32_t)uuid[3] << 24 | uuid[2] << 16 | uuid[1] << 8 | uuid[0]);
	for (int i = 1; i < 4; i++)
		assert_int_equal(w[i], (uint32_t)uuid[4 * i + 3] << 24 | uuid[4 * i + 2] << 16 |
					   uuid[4 * i + 1] << 8 | uuid[4 * i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_struct_layouts), cmocka_unit_test(test_ioctl_numbers),
	    cmocka_unit_test(test_constants),	   cmocka_unit_test(test_irq_line_encoding),
	    cmocka_unit_test(test_one_reg_ids),	   cmocka_unit_test(test_hvc_ids_and_tuple),
	    cmocka_unit_test(test_guest_call_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
