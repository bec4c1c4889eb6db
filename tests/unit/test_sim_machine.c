/* The simulated machine around the HAL: configuration checks, the instruction and wall
 * clocks, idle time skips, console sink, locks, maintenance calls, and the guest stage-1
 * walk that gives the guest its fault status codes.
 * test-libs: gzsim_internal gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <gzabi/status.h>
#include <arm64/pte.h>
#include <arm64/esr.h>
#include "machine.h"
#include "registry.h"
#include "s1walk.h"

static char out[64];
static size_t nout;

static void sink(void *arg, char c)
{
	(void)arg;
	if (nout < sizeof(out) - 1)
		out[nout++] = c;
}

static void test_config_checks(void **state)
{
	(void)state;
	assert_int_equal(gz_sim_init(&(struct gz_sim_config){.clock = 7, .cpu_model = -1}),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){.cntfrq = 1ULL << 40, .cpu_model = -1}),
	    GZ_ERR_INVALID_ARGS);
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){.phys_size = 1ULL << 40, .cpu_model = -1}),
	    GZ_ERR_INVALID_ARGS);
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){.phys_base = ~0ULL << 21, .cpu_model = -1}),
	    GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_sim_init(NULL), GZ_OK);
	assert_int_equal(gz_sim_config()->cntfrq, GZ_SIM_DEFAULT_CNTFRQ);
	assert_int_equal(gz_sim_config()->phys_size, GZ_SIM_DEFAULT_PHYS_SIZE);
	gz_sim_fini();
}

static void test_instruction_clock(void **state)
{
	(void)state;
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){
		.phys_size = 4 << 20, .cntfrq = 1000000, .insn_hz = 2000000, .cpu_model = -1}),
	    GZ_OK);
	assert_int_equal(gz_hal_cntfrq(), 1000000);
	assert_int_equal(gz_hal_cntpct(), 0);
	assert_int_equal(gz_sim_insns(), 0);
	gz_sim_advance(500);
	assert_int_equal(gz_hal_cntpct(), 500);
	assert_int_equal(gz_sim_ticks_to_ns(500), 500000);
	assert_int_equal(gz_sim_ticks_from_insns(2000), 1000);
	assert_int_equal(gz_sim_insns_from_ticks(1000), 2000);
	assert_int_equal(gz_sim_insns_from_ticks(1), 2);
	gz_sim_fini();
}

static void test_wall_clock(void **state)
{
	struct timespec ts = {0, 2000000};
	uint64_t a, b;

	(void)state;
	assert_int_equal(gz_sim_init(&(struct gz_sim_config){
			     .phys_size = 4 << 20, .clock = GZ_SIM_CLOCK_WALL, .cpu_model = -1}),
			 GZ_OK);
	a = gz_hal_cntpct();
	nanosleep(&ts, NULL);
	b = gz_hal_cntpct();
	assert_true(b - a >= GZ_SIM_DEFAULT_CNTFRQ / 1000); /* at least 1 ms of ticks */
	gz_sim_fini();
}

static void test_console_identity_locks_maintenance(void **state)
{
	gz_lock_t l = GZ_LOCK_INIT;
	struct gz_cpu_ctx ctx;

	(void)state;
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){.phys_size = 4 << 20, .cpu_model = -1}), GZ_OK);
	gz_sim_set_console(sink, NULL);
	gz_hal_console_putc('o');
	gz_hal_console_putc('k');
	assert_memory_equal(out, "ok", 2);
	gz_sim_set_console(NULL, NULL);
	gz_sim_set_cpu_id(3);
	assert_int_equal(gz_hal_cpu_id(), 3);
	gz_sim_set_cpu_id(0);
	gz_hal_lock(&l);
	gz_hal_unlock(&l);
	gz_hal_lock(&l);
	gz_hal_unlock(&l);
	assert_int_equal(l.next, 2);
	assert_int_equal(l.owner, 2);
	/* maintenance on a machine without vCPUs, and statistics of an unknown vCPU */
	gz_hal_tlbi_ipa(1, 0x1000, 3);
	gz_hal_tlbi_vmid(1);
	gz_hal_tlbi_all_vmids();
	gz_hal_tlbi_el2_va(0x1000);
	gz_hal_dsb();
	gz_hal_isb();
	gz_hal_dcache_clean_inval(&l, sizeof(l));
	gz_hal_icache_inval_all();
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(gz_sim_vcpu_insns(&ctx), 0);
	assert_int_equal(gz_sim_vcpu_remaps(&ctx), 0);
	gz_sim_vcpu_kick(&ctx);
	gz_sim_vcpu_forget(&ctx);
	gz_sim_registry_kick_all();
	gz_sim_fini();
}

/* ---- guest stage 1 ---------------------------------------------------------------------- */

#define S1_TABLE 3ULL
#define S1_PAGE	 (3ULL | (1ULL << 10)) /* valid page, AF */
#define S1_BLOCK (1ULL | (1ULL << 10)) /* valid block, AF */
#define AP_RO	 (1ULL << 7)
#define AP_EL0	 (1ULL << 6)
#define PXN	 (1ULL << 53)
#define UXN	 (1ULL << 54)

static uint64_t *ram, *l1, *l2, *l3;
static gz_pa_t ram_pa;
static uint64_t vttbr, vtcr = 25 | (1ULL << 6);
static uint64_t sys[GZ_SYS_NR];

/* IPA 0x40000000 + off -> host ram + off (one 2 MiB stage-2 region of pages) */
static uint64_t ipa(void *p)
{
	return 0x40000000ULL + (uint64_t)((uint8_t *)p - (uint8_t *)ram);
}

static int s1_setup(void **state)
{
	uint64_t *s2l1, *s2l2, *s2l3;

	(void)state;
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){.phys_size = 8 << 20, .cpu_model = -1}), GZ_OK);
	ram = gz_sim_host_alloc(2 << 20);
	ram_pa = gz_hal_va_to_pa(ram);
	s2l1 = gz_sim_host_alloc(4096);
	s2l2 = gz_sim_host_alloc(4096);
	s2l3 = gz_sim_host_alloc(4096);
	s2l1[1] = gz_hal_va_to_pa(s2l2) | 3;
	s2l2[0] = gz_hal_va_to_pa(s2l3) | 3;
	for (unsigned i = 0; i < 512; i++)
		s2l3[i] =
		    (ram_pa + i * 4096ULL) | 3 | ARCH_PTE_AF | ARCH_S2_S2AP_R | ARCH_S2_S2AP_W;
	s2l3[100] = 0; /* a hole in the VM's memory */
	vttbr = gz_hal_va_to_pa(s2l1);
	l1 = ram + 512 * 1; /* page 1 */
	l2 = ram + 512 * 2;
	l3 = ram + 512 * 3;
	memset(sys, 0, sizeof(sys));
	/* TTBR0: 39-bit VA (T0SZ 25), TTBR1 walks disabled (EPD1) */
	sys[GZ_SYS_TCR_EL1] = 25 | (1ULL << 23) | (2ULL << 30) | (25ULL << 16);
	sys[GZ_SYS_TTBR0_EL1] = ipa(l1);
	l1[0] = ipa(l2) | S1_TABLE;
	l2[0] = ipa(l3) | S1_TABLE;
	l3[1] = 0x40001000ULL | S1_PAGE;		 /* kernel RW */
	l3[2] = 0x40002000ULL | S1_PAGE | AP_RO | PXN;	 /* kernel RO, no exec */
	l3[3] = 0x40003000ULL | 3;			 /* AF clear */
	l3[4] = 0x40004000ULL | S1_PAGE | AP_EL0 | UXN;	 /* user RW, no user exec */
	l2[1] = 0x40200000ULL | S1_BLOCK;		 /* 2 MiB block */
	l2[2] = (0x40000000ULL + 100 * 4096) | S1_TABLE; /* table in the stage-2 hole */
	return 0;
}

static int s1_teardown(void **state)
{
	(void)state;
	gz_sim_fini();
	return 0;
}

static struct gz_sim_s1_fault walk(uint64_t va, bool write, bool fetch, bool el0)
{
	struct gz_sim_s1_fault f;

	gz_sim_s1_fault(vttbr, vtcr, sys, va, write, fetch, el0, &f);
	return f;
}

static void test_s1_fault_codes(void **state)
{
	struct gz_sim_s1_fault f;

	(void)state;
	assert_int_equal(walk(0x5000, false, false, false).fsc, (ESR_FSC_TRANS + 3)); /* no page */
	assert_int_equal(walk(0x40000000, false, false, false).fsc, (ESR_FSC_TRANS + 1));
	assert_int_equal(walk(0x600000, false, false, false).fsc, (ESR_FSC_TRANS + 2));
	assert_int_equal(walk(0x3000, false, false, false).fsc, 0x08 + 3); /* access flag */
	assert_int_equal(walk(0x2000, true, false, false).fsc, (ESR_FSC_PERM + 3));
	assert_int_equal(walk(0x2000, false, true, false).fsc, (ESR_FSC_PERM + 3)); /* PXN */
	assert_int_equal(walk(0x1000, false, false, true).fsc, (ESR_FSC_PERM + 3)); /* no EL0 */
	assert_int_equal(walk(0x4000, false, true, true).fsc, (ESR_FSC_PERM + 3));  /* UXN */
	assert_int_equal(walk(0x1000, false, false, false).fsc, 0x21);	/* allowed: alignment */
	assert_int_equal(walk(0x200000, true, false, false).fsc, 0x21); /* block, allowed */
	f = walk(0x400000, false, false, false); /* the L3 table sits in a stage-2 hole */
	assert_true(f.s1ptw);
	assert_int_equal(f.ipa, 0x40000000ULL + 100 * 4096);
	/* beyond the VA size, upper half with EPD1, other granules */
	assert_int_equal(walk(1ULL << 40, false, false, false).fsc, (ESR_FSC_TRANS + 0));
	assert_int_equal(walk(0xffffffffffff0000ULL, false, false, false).fsc, (ESR_FSC_TRANS + 0));
	sys[GZ_SYS_TCR_EL1] |= 1ULL << 14; /* TG0 = 64 KiB */
	assert_int_equal(walk(0x1000, false, false, false).fsc, (ESR_FSC_TRANS + 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_checks),
	    cmocka_unit_test(test_instruction_clock),
	    cmocka_unit_test(test_wall_clock),
	    cmocka_unit_test(test_console_identity_locks_maintenance),
	    cmocka_unit_test_setup_teardown(test_s1_fault_codes, s1_setup, s1_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
