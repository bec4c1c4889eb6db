/* The simulator's HAL end to end: guest code run by gz_hal_vcpu_run against stage-2 tables
 * built here, checking the exit records hardware would give (HVC, trapped SMC, stage-2
 * translation and permission faults with their ISS/FAR/HPFAR, a store pair without a
 * syndrome, FAR = the VA with the guest's MMU on, accesses crossing into a page that faults
 * at stage 2 or at the guest's stage 1, DC ZVA's block, instruction aborts, WFI, trapped
 * ICC_SGI1R and CNTP_CTL_EL0), exception entry into the guest (SVC from EL1 and EL0, virtual
 * IRQs from the list registers, EL0's counter accesses and their traps), the identity
 * registers, the system registers and AT the simulator follows, untrapped WFI/WFE, code in a
 * 2 MiB block, the virtual timer (and its gate for a run entered with its output up), TLB
 * invalidation before and during a run, a run kicked from another thread resuming at the
 * instruction it stopped before, code written by the guest and run (from a page mapped as data
 * until then, and with more ranges than the fault hook takes), the states it refuses to enter,
 * the stage-2 walker and simulated physical memory. test-libs: gzsim_internal gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <stdatomic.h>
#include <cmocka.h>
#include <gzabi/status.h>
#include <arm64/debug.h>
#include <arm64/esr.h>
#include <arm64/gicv3.h>
#include <arm64/ich.h>
#include <arm64/pte.h>
#include <arm64/sysreg.h>
#include <gzsim/sim.h>
#include "machine.h"
#include "decode.h"
#include "phys.h"

#define HPFAR_OF(ipa) GZ_FIELD_PREP(HPFAR_FIPA, (ipa) >> GZ_PAGE_SHIFT)

#define IPA_RAM 0x40000000ULL
#define PG(n)	(IPA_RAM + (n)*0x1000ULL)
#define CODE	PG(1) /* RX */
#define DATA	PG(2) /* RW */
#define RODATA	PG(3) /* R */
#define NOEXEC	PG(4) /* RW, XN */
#define VBAR	PG(8) /* vectors, RX (2 pages) */

#define S2_PAGE(pa, ap, xn)                                                                        \
	((pa) | ARCH_PTE_VALID | ARCH_PTE_TYPE | ARCH_PTE_AF | (3ULL << 8) | (0xfULL << 2) |       \
	 (ap) | ((xn) ? GZ_FIELD_PREP(ARCH_S2_XN, ARCH_S2_XN_NONE) : 0))
#define RW (ARCH_S2_S2AP_R | ARCH_S2_S2AP_W)
#define RO ARCH_S2_S2AP_R

static uint8_t *ram; /* host view of the 2 MiB at IPA_RAM */
static gz_pa_t ram_pa;
static uint64_t *l1, *l2, *l3;
static struct gz_cpu_ctx ctx;
static struct gz_exit_record ex;
static uint64_t vtcr = 25 | (1ULL << 6) | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | (2ULL << 16);

static uint64_t *alloc_table(void)
{
	uint64_t *t = gz_sim_host_alloc(4096);

	assert_non_null(t);
	return t;
}

static void put(uint64_t ipa, const uint32_t *insns, size_t n)
{
	memcpy(ram + (ipa - IPA_RAM), insns, n * 4);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(gz_sim_init(&(struct gz_sim_config){
			     .phys_size = 16 << 20, .cpu_model = -1, .slice = 100000}),
			 0);
	gz_sim_set_cpu_id(0);
	ram = gz_sim_host_alloc(2 << 20);
	assert_non_null(ram);
	ram_pa = gz_hal_va_to_pa(ram);
	l1 = alloc_table();
	l2 = alloc_table();
	l3 = alloc_table();
	l1[1] = gz_hal_va_to_pa(l2) | ARCH_PTE_VALID | ARCH_PTE_TYPE; /* 1 GiB at IPA 0x40000000 */
	l2[0] = gz_hal_va_to_pa(l3) | ARCH_PTE_VALID | ARCH_PTE_TYPE;
	for (unsigned i = 0; i < 512; i++)
		l3[i] = S2_PAGE(ram_pa + i * 0x1000ULL, RW, false);
	l3[1] = S2_PAGE(ram_pa + 0x1000, RO, false); /* code: read + execute */
	l3[3] = S2_PAGE(ram_pa + 0x3000, RO, true);
	l3[4] = S2_PAGE(ram_pa + 0x4000, RW, true);
	l3[8] = S2_PAGE(ram_pa + 0x8000, RO, false);
	l3[9] = S2_PAGE(ram_pa + 0x9000, RO, false);
	memset(&ctx, 0, sizeof(ctx));
	ctx.pc = CODE;
	ctx.pstate = PSR_MODE_EL1h | PSR_D | PSR_A | PSR_I | PSR_F;
	ctx.sys[GZ_SYS_SCTLR_EL1] = 0x30d00800;
	ctx.sys[GZ_SYS_VBAR_EL1] = VBAR;
	ctx.hcr_el2 = HCR_TWI | HCR_RW;
	ctx.vttbr_el2 = (1ULL << 48) | gz_hal_va_to_pa(l1);
	ctx.vtcr_el2 = vtcr;
	ctx.vmpidr_el2 = 1ULL << 31;
	ctx.cnthctl_el2 = CNTHCTL_EL1PCTEN; /* the counter readable, unless a test says not */
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++)
		gz_hal_ich_write(GZ_ICH_LR(n), 0);
	gz_hal_ich_write(GZ_ICH_HCR, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gz_sim_fini();
	return 0;
}

static void run(void)
{
	assert_int_equal(gz_hal_vcpu_run(&ctx, &ex), 0);
}

static unsigned ec(void)
{
	return (unsigned)(ex.esr >> ESR_EC_SHIFT);
}

static void test_hvc_exit(void **state)
{
	const uint32_t code[] = {0xd2800541 /* mov x1, #42 */, 0xd4024682 /* hvc #0x1234 */};

	(void)state;
	put(CODE, code, 2);
	run();
	assert_int_equal(ex.kind, GZ_EXIT_KIND_SYNC);
	assert_int_equal(ex.esr, 0x5a001234);
	assert_int_equal(ctx.pc, CODE + 8);
	assert_int_equal(ctx.x[1], 42);
	assert_int_equal(ctx.pstate & PSR_MODE_MASK, PSR_MODE_EL1h);
}

static void test_dabt_unmapped_ipa(void **state)
{
	/* mov x0, #0x9000; movk x0, #0x900, lsl #16; ldr x5, [x0, #8] */
	const uint32_t code[] = {0xd2920000, 0xf2a12000, 0xf9400405};

	(void)state;
	put(CODE, code, 3);
	run();
	assert_int_equal(ex.kind, GZ_EXIT_KIND_SYNC);
	assert_int_equal(ec(), ESR_EC_DABT_LOW);
	/* ISV, SAS = 3, SRT = 5, SF, read, translation fault at level 1 (no L1 entry) */
	assert_int_equal(ex.esr & 0x1ffffff, ESR_xABT_ISV | (3ULL << 22) | (5ULL << 16) |
						 ESR_DABT_SF | (ESR_FSC_TRANS + 1));
	assert_true(ex.esr & ESR_IL);
	assert_int_equal(ex.far, 0x09009008);
	assert_int_equal(ex.hpfar, HPFAR_OF(0x09009008ULL));
	assert_int_equal(ctx.pc, CODE + 8); /* on the load */
	assert_int_equal(ctx.x[0], 0x09009000);
}

static void test_permission_fault_write_ro(void **state)
{
	/* mov x0, #0x3000; movk x0, #0x4000, lsl #16; ldr x5, [x0]; str w5, [x0, #4] */
	const uint32_t code[] = {0xd2860000, 0xf2a80000, 0xf9400005, 0xb9000405};

	(void)state;
	put(CODE, code, 4);
	*(uint64_t *)(ram + 0x3000) = 0x1122334455667788ULL;
	run();
	assert_int_equal(ec(), ESR_EC_DABT_LOW);
	assert_int_equal(ex.esr & 0x1ffffff, ESR_xABT_ISV | (2ULL << 22) | (5ULL << 16) |
						 ESR_DABT_WNR | (ESR_FSC_PERM + 3));
	assert_int_equal(ex.far, RODATA + 4);
	assert_int_equal(ctx.pc, CODE + 12);
	assert_int_equal(ctx.x[5], 0x1122334455667788ULL); /* the read was allowed */
}

static void test_exec_from_xn_page(void **state)
{
	/* mov x0, #0x4000; movk x0, #0x4000, lsl #16; br x0 */
	const uint32_t code[] = {0xd2880000, 0xf2a80000, 0xd61f0000};
	const uint32_t nop = 0xd503201f;

	(void)state;
	put(CODE, code, 3);
	put(NOEXEC, &nop, 1);
	run();
	assert_int_equal(ec(), ESR_EC_IABT_LOW);
	assert_int_equal(ex.esr & 0x3f, (ESR_FSC_PERM + 3));
	assert_int_equal(ex.far, NOEXEC);
	assert_int_equal(ex.hpfar, HPFAR_OF(NOEXEC));
	assert_int_equal(ctx.pc, NOEXEC);
}

static void test_wfi_and_sgi_traps(void **state)
{
	/* wfi; mov x2, #7; msr icc_sgi1r_el1, x2 */
	const uint32_t code[] = {0xd503207f, 0xd28000e2, 0xd518cba2};

	(void)state;
	put(CODE, code, 3);
	run();
	assert_int_equal(ec(), ESR_EC_WFX);
	assert_int_equal(ex.esr & 3, 0); /* WFI */
	assert_int_equal(ctx.pc, CODE);	 /* ELR_EL2 on the WFI */
	ctx.pc += 4;
	run();
	assert_int_equal(ec(), ESR_EC_SYS64);
	assert_int_equal(ex.esr & 0x1ffffff,
			 (GZ_FIELD_PREP(ESR_SYS64_OP0, 3) | GZ_FIELD_PREP(ESR_SYS64_CRN, 12) |
			  GZ_FIELD_PREP(ESR_SYS64_CRM, 11) | GZ_FIELD_PREP(ESR_SYS64_OP2, 5) |
			  GZ_FIELD_PREP(ESR_SYS64_RT, 2)));
	assert_int_equal(ctx.pc, CODE + 8);
	assert_int_equal(ctx.x[2], 7);
}

static void test_svc_enters_guest_vector(void **state)
{
	const uint32_t code[] = {0xd4000841 /* svc #0x42 */};
	const uint32_t vec = 0xd4000022; /* hvc #1 */

	(void)state;
	put(CODE, code, 1);
	put(VBAR + VBAR_OFF_CUR_SPX + VBAR_OFF_SYNC, &vec, 1);
	ctx.pstate = PSR_MODE_EL1h | PSR_F; /* IRQs unmasked: SPSR must keep that */
	run();
	assert_int_equal(ex.esr, 0x5a000001);
	assert_int_equal(ctx.pc, VBAR + 0x204);
	assert_int_equal(ctx.elr_el1, CODE + 4);
	assert_int_equal(ctx.spsr_el1, PSR_MODE_EL1h | PSR_F);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], 0x56000042);
	assert_int_equal(ctx.pstate & (PSR_I | PSR_A | PSR_D | PSR_F | PSR_MODE_MASK),
			 PSR_I | PSR_A | PSR_D | PSR_F | PSR_MODE_EL1h);
}

static void test_virtual_irq_from_lr(void **state)
{
	const uint32_t code[] = {0xd50342ff /* msr daifclr, #2 */, 0x14000000 /* b . */};
	/* mrs x3, icc_iar1_el1; hvc #2 */
	const uint32_t vec[] = {0xd538cc03, 0xd4000042};

	(void)state;
	put(CODE, code, 2);
	put(VBAR + VBAR_OFF_CUR_SPX + VBAR_OFF_IRQ, vec, 2);
	gz_hal_ich_write(GZ_ICH_HCR, ARCH_ICH_HCR_EN);
	gz_hal_ich_write(GZ_ICH_VMCR, ARCH_ICH_VMCR_ENG1 | GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0xf0));
	gz_hal_ich_write(GZ_ICH_LR(0), ARCH_ICH_LR_PENDING | ARCH_ICH_LR_GROUP |
					   GZ_FIELD_PREP(ARCH_ICH_LR_PRIORITY, 0x80) | 27);
	run();
	assert_int_equal(ex.esr, 0x5a000002);
	assert_int_equal(ctx.x[3], 27);
	assert_int_equal(ctx.elr_el1, CODE + 4); /* interrupted in the loop */
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_STATE, gz_hal_ich_read(GZ_ICH_LR(0))),
			 ARCH_ICH_LR_STATE_ACTIVE);
	assert_int_equal(gz_hal_ich_read(GZ_ICH_AP1R0), 1u << (0x80 >> 3));
}

static void test_vtimer_and_slice_exits(void **state)
{
	const uint32_t code[] = {0x14000000 /* b . */};

	(void)state;
	put(CODE, code, 1);
	run(); /* spins until the end of its slice */
	assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
	assert_int_equal(ctx.pc, CODE);
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = gz_hal_cntpct() + 100;
	run();
	assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
	assert_true(gz_hal_cntpct() >= ctx.sys[GZ_SYS_CNTV_CVAL_EL0]);
	assert_true(gz_sim_vcpu_insns(&ctx) < 200000);
}

/* A timer whose output is already up when the run enters has its line in the vGIC already:
 * like gzhyp, which disables the physical PPI for such a run, the simulator does not leave
 * for it (a guest with the PPI disabled at its GIC would exit before every instruction).
 * An output that goes up during the run does bring the vCPU back. */
static void test_vtimer_gated_while_up_at_entry(void **state)
{
	/* add x1, x1, #1; cmp x1, #1000; b.ne -8; hvc #3 */
	const uint32_t code[] = {0x91000421, 0xf10fa03f, 0x54ffffc1, 0xd4000062};

	(void)state;
	put(CODE, code, 4);
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 0; /* in the past */
	run();
	assert_int_equal(ex.kind, GZ_EXIT_KIND_SYNC);
	assert_int_equal(ex.esr, 0x5a000003);
	assert_int_equal(ctx.x[1], 1000);
	/* masked at entry, unmasked by the guest: the output goes up during the run (new code
	 * at a new address: Unicorn keeps what it translated at CODE) */
	ctx.pc = CODE + 0x100;
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE | CNT_CTL_IMASK;
	put(CODE + 0x100,
	    (const uint32_t[]){0xd2800020 /* mov x0, #1 */, 0xd51be320 /* msr cntv_ctl_el0, x0 */,
			       0x14000000 /* b . */},
	    3);
	run();
	assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
	assert_int_equal(ctx.pc, CODE + 0x108);
	assert_int_equal(ctx.sys[GZ_SYS_CNTV_CTL_EL0], CNT_CTL_ENABLE);
}

static void test_tlbi_unmaps(void **state)
{
	/* mov x0, #0x2000; movk x0, #0x4000, lsl #16; ldr x5, [x0]; hvc #0 */
	const uint32_t code[] = {0xd2840000, 0xf2a80000, 0xf9400005, 0xd4000002};

	(void)state;
	put(CODE, code, 4);
	*(uint64_t *)(ram + 0x2000) = 77;
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.x[5], 77);
	l3[2] = 0;
	gz_hal_tlbi_ipa(1, DATA, 3);
	ctx.pc = CODE;
	run();
	assert_int_equal(ec(), ESR_EC_DABT_LOW);
	assert_int_equal(ex.esr & 0x3f, (ESR_FSC_TRANS + 3));
	assert_int_equal(ex.hpfar, HPFAR_OF(DATA));
	/* A mapping added without TLBI (invalid -> valid) is picked up on the miss. */
	l3[2] = S2_PAGE(ram_pa + 0x2000, RW, false);
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.x[5], 77);
}

static void test_entry_refused(void **state)
{
	(void)state;
	ctx.pstate = 0x9; /* EL2h is not a guest state */
	assert_int_equal(gz_hal_vcpu_run(&ctx, &ex), GZ_ERR_INVALID_ARGS);
	assert_int_equal(ex.kind, GZ_EXIT_KIND_FAIL_ENTRY);
}

/* Into EL0 at PG(6) (SPSR_EL1 = EL0t, ELR_EL1 = PG(6), ERET); EL0's SVCs and traps come back
 * to the lower-EL vector, which makes an HVC #5. */
static void enter_el0(const uint32_t *el0, size_t n)
{
	/* mov x0, #0x6000; movk x0, #0x4000, lsl #16; msr elr_el1, x0; msr spsr_el1, xzr; eret */
	const uint32_t code[] = {0xd28c0000, 0xf2a80000, 0xd5184020, 0xd518401f, 0xd69f03e0};
	const uint32_t vec = 0xd40000a2; /* hvc #5 */

	put(CODE, code, 5);
	put(PG(6), el0, n);
	put(VBAR + VBAR_OFF_LOWER_A64 + VBAR_OFF_SYNC, &vec, 1);
	run();
	assert_int_equal(ex.esr, 0x5a000005);
}

static void test_el0_counter_access(void **state)
{
	/* mrs x1, cntvct_el0; mrs x2, cntpct_el0; mrs x3, cntfrq_el0; mrs x4, cntv_ctl_el0;
	 * svc #0 */
	const uint32_t el0[] = {0xd53be041, 0xd53be022, 0xd53be003, 0xd53be324, 0xd4000001};

	(void)state;
	ctx.sys[GZ_SYS_CNTKCTL_EL1] = CNTKCTL_EL0VCTEN | CNTKCTL_EL0PCTEN | CNTKCTL_EL0VTEN;
	ctx.x[4] = 99;
	enter_el0(el0, 5);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], 0x56000000); /* the SVC */
	assert_int_equal(ctx.elr_el1, PG(6) + 20);
	assert_int_equal(ctx.spsr_el1 & PSR_MODE_MASK, PSR_MODE_EL0t);
	assert_true(ctx.x[2] >= ctx.x[1]); /* no virtual offset */
	assert_int_equal(ctx.x[3], GZ_SIM_DEFAULT_CNTFRQ);
	assert_int_equal(ctx.x[4], 0);
}

static void test_el0_counter_refused(void **state)
{
	const uint32_t el0[] = {0xd53be041 /* mrs x1, cntvct_el0 */};

	(void)state;
	ctx.sys[GZ_SYS_CNTKCTL_EL1] = CNTKCTL_EL0PCTEN; /* the virtual counter not for EL0 */
	enter_el0(el0, 1);
	/* a trapped MRS (EC 0x18) taken to EL1, on the instruction */
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1],
			 ((uint64_t)ESR_EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
			     GZ_FIELD_PREP(ESR_SYS64_OP0, 3) | GZ_FIELD_PREP(ESR_SYS64_OP1, 3) |
			     GZ_FIELD_PREP(ESR_SYS64_CRN, 14) | GZ_FIELD_PREP(ESR_SYS64_OP2, 2) |
			     GZ_FIELD_PREP(ESR_SYS64_RT, 1) | ESR_SYS64_DIR);
	assert_int_equal(ctx.elr_el1, PG(6));
}

/* An EC 0x18 exit for MRS x<rt> of (3, 3, 14, crm, op2), with the PC on it. */
static void assert_timer_trap(unsigned crm, unsigned op2, unsigned rt, uint64_t pc)
{
	assert_int_equal(ex.kind, GZ_EXIT_KIND_SYNC);
	assert_int_equal(ex.esr,
			 ((uint64_t)ESR_EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
			     GZ_FIELD_PREP(ESR_SYS64_OP0, 3) | GZ_FIELD_PREP(ESR_SYS64_OP1, 3) |
			     GZ_FIELD_PREP(ESR_SYS64_CRN, 14) | GZ_FIELD_PREP(ESR_SYS64_CRM, crm) |
			     GZ_FIELD_PREP(ESR_SYS64_OP2, op2) | GZ_FIELD_PREP(ESR_SYS64_RT, rt) |
			     ESR_SYS64_DIR);
	assert_int_equal(ctx.pc, pc);
}

/* The virtual timer's registers as the simulator keeps them (TVAL written, CVAL and the
 * count read back); its output going up while a list register still holds PPI 27 does not
 * bring the vCPU back (the guest has not finished with the last one); a deadline too far to
 * count never ends the run before its slice. */
static void test_vtimer_registers_and_held_line(void **state)
{
	/* msr cntv_tval_el0, x1; mrs x2, cntv_cval_el0; mrs x3, cntvct_el0; hvc #4 */
	const uint32_t regs[] = {0xd51be301, 0xd53be342, 0xd53be043, 0xd4000082};
	/* mov x0, #1; msr cntv_ctl_el0, x0; add x1, x1, #1; cmp x1, #1000; b.ne -8; hvc #5 */
	const uint32_t held[] = {0xd2800020, 0xd51be320, 0x91000421,
				 0xf10fa03f, 0x54ffffc1, 0xd40000a2};
	uint64_t i0;

	(void)state;
	put(CODE, regs, 4);
	ctx.x[1] = 1000;
	run();
	assert_int_equal(ex.esr, 0x5a000004);
	assert_true(ctx.x[3] < ctx.x[2] && ctx.x[3] + 1000 > ctx.x[2]); /* CVAL = count + TVAL */
	assert_int_equal(ctx.sys[GZ_SYS_CNTV_CVAL_EL0], ctx.x[2]);
	put(CODE + 0x100, held, 6);
	ctx.pc = CODE + 0x100;
	ctx.x[1] = 0;
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = 0; /* output low at entry: not gated */
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 0;
	gz_hal_ich_write(GZ_ICH_HCR, ARCH_ICH_HCR_EN);
	gz_hal_ich_write(GZ_ICH_LR(0), ARCH_ICH_LR_ACTIVE | ARCH_ICH_LR_GROUP |
					   GZ_FIELD_PREP(ARCH_ICH_LR_PRIORITY, 0x80) |
					   ARCH_GIC_PPI_VTIMER);
	run();
	assert_int_equal(ex.esr, 0x5a000005);
	assert_int_equal(ctx.x[1], 1000);
	gz_hal_ich_write(GZ_ICH_LR(0), 0);
	put(CODE + 0x200, (const uint32_t[]){0x14000000 /* b . */}, 1);
	ctx.pc = CODE + 0x200;
	ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = gz_hal_cntpct() + (1ULL << 62);
	i0 = gz_sim_insns();
	run();
	assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ); /* the slice, not the timer */
	assert_true(gz_sim_insns() - i0 >= 100000);
	assert_true(gz_hal_cntpct() < ctx.sys[GZ_SYS_CNTV_CVAL_EL0]);
}

/* CNTHCTL_EL2 as the core sets it: without EL1PCTEN the physical counter traps to EL2 from
 * EL1 and, once CNTKCTL_EL1 lets EL0 have it, from EL0; the physical timer traps from EL0
 * to EL1 first (CNTKCTL_EL1.EL0PTEN clear), then to EL2. A context that would hand the
 * guest the physical timer (EL1PCEN) is refused. */
static void test_counter_and_ptimer_traps(void **state)
{
	/* mrs x2, cntpct_el0 */
	const uint32_t code[] = {0xd53be022};
	/* mrs x4, cntp_ctl_el0; mrs x2, cntpct_el0 */
	const uint32_t el0[] = {0xd53be224, 0xd53be022};

	(void)state;
	put(CODE + 0x200, code, 1);
	ctx.pc = CODE + 0x200;
	ctx.cnthctl_el2 = 0;
	run();
	assert_timer_trap(0, 1, 2, CODE + 0x200);
	ctx.cnthctl_el2 = CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN;
	assert_int_equal(gz_hal_vcpu_run(&ctx, &ex), GZ_ERR_INVALID_ARGS);
	assert_int_equal(ex.kind, GZ_EXIT_KIND_FAIL_ENTRY);
	ctx.cnthctl_el2 = 0;
	ctx.pc = CODE;
	ctx.sys[GZ_SYS_CNTKCTL_EL1] = CNTKCTL_EL0PCTEN;
	enter_el0(el0, 2); /* CNTP_CTL_EL0 without EL0PTEN: EL0's own EL1 takes it */
	assert_int_equal(ESR_EC(ctx.sys[GZ_SYS_ESR_EL1]), ESR_EC_SYS64);
	assert_int_equal(ctx.elr_el1, PG(6));
	ctx.pc = CODE;
	ctx.pstate = PSR_MODE_EL1h | PSR_DAIF;
	ctx.sys[GZ_SYS_CNTKCTL_EL1] = CNTKCTL_EL0PCTEN | CNTKCTL_EL0PTEN;
	run(); /* allowed to EL0: now the physical timer's trap to EL2 */
	assert_timer_trap(2, 1, 4, PG(6));
	assert_int_equal(ctx.pstate & PSR_MODE_MASK, PSR_MODE_EL0t);
	ctx.pc += 4; /* as the core completes it */
	run();	     /* and EL0's counter read */
	assert_timer_trap(0, 1, 2, PG(6) + 4);
}

/* The core's emulated timer has no hardware: its deadline (ctx->exit_at) is an IRQ exit the
 * hypervisor consumes itself, as gzhyp's EL2 timer armed for it. */
static void test_exit_at_deadline(void **state)
{
	const uint32_t code[] = {0x14000000 /* b . */};

	(void)state;
	put(CODE, code, 1);
	ctx.exit_at = gz_hal_cntpct() + 100;
	run();
	assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
	assert_true(gz_hal_cntpct() >= ctx.exit_at);
	assert_true(gz_sim_vcpu_insns(&ctx) < 1000);
	assert_true(gz_hal_vcpu_irq_consumed());
	/* the end of a slice is the host's, deadline or not */
	ctx.exit_at = gz_hal_cntpct() + 1000000000ULL;
	run();
	assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
	assert_false(gz_hal_vcpu_irq_consumed());
}

static void test_id_and_system_registers(void **state)
{
	/* mrs x1, midr_el1; mrs x2, mpidr_el1; msr tpidr_el1, x3; at s1e1r, x4; tlbi vmalle1;
	 * ic iallu; hvc #0 */
	const uint32_t code[] = {0xd5380001, 0xd53800a2, 0xd518d083, 0xd5087804,
				 0xd508871f, 0xd508751f, 0xd4000002};

	(void)state;
	put(CODE, code, 7);
	ctx.x[3] = 0x1234;
	ctx.x[4] = DATA;
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.x[1] >> 24, 0x41); /* the simulated CPU's own MIDR: Arm's */
	assert_int_equal(ctx.x[2], 1ULL << 31); /* VMPIDR_EL2 */
	assert_int_equal(ctx.sys[GZ_SYS_TPIDR_EL1], 0x1234);
	assert_int_equal(ctx.sys[GZ_SYS_PAR_EL1] & (ARCH_PTE_ADDR_MASK | 1), DATA); /* MMU off */
}

/* HCR_EL2.TID3: an ID register read at EL1 is an EC 0x18 exit on the instruction; at EL0 it
 * is UNDEFINED, taken to EL1 (the hypervisor never sees it). */
static void test_id_registers_trapped(void **state)
{
	const uint32_t code[] = {0xd5380503 /* mrs x3, id_aa64dfr0_el1 */};

	(void)state;
	put(CODE, code, 1);
	ctx.hcr_el2 |= HCR_TID3;
	ctx.x[3] = 0x5555;
	run();
	assert_int_equal(ex.esr, ((uint64_t)ESR_EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
				     GZ_FIELD_PREP(ESR_SYS64_OP0, 3) |
				     GZ_FIELD_PREP(ESR_SYS64_CRM, 5) |
				     GZ_FIELD_PREP(ESR_SYS64_RT, 3) | ESR_SYS64_DIR);
	assert_int_equal(ctx.pc, CODE);
	assert_int_equal(ctx.x[3], 0x5555);
}

static void test_id_registers_el0_undefined(void **state)
{
	const uint32_t el0[] = {0xd5380503 /* mrs x3, id_aa64dfr0_el1 */};

	(void)state;
	ctx.hcr_el2 |= HCR_TID3;
	enter_el0(el0, 1);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], (uint64_t)ESR_IL); /* EC 0: UNDEFINED */
	assert_int_equal(ctx.elr_el1, PG(6));
}

/* The core's debug, PMU and ACTLR traps (MDCR_EL2.TPM/TPMCR/TDA/TDOSA/TDRA, HCR_EL2.TACR),
 * applied by Unicorn as hardware does: each access is an EC 0x18 exit on the instruction, and
 * the guest never reaches Unicorn's own PMU or debug registers. */
static void test_debug_pmu_actlr_trapped(void **state)
{
	/* mrs x3, pmccntr_el0; msr dbgbcr0_el1, x3; msr oslar_el1, x3; mrs x3, mdrar_el1;
	 * mrs x3, pmcr_el0; mrs x3, actlr_el1; msr mdscr_el1, x3 */
	const uint32_t code[] = {0xd53b9d03, 0xd51000a3, 0xd5101083, 0xd5301003,
				 0xd53b9c03, 0xd5381023, 0xd5100243};

	(void)state;
	put(CODE, code, GZ_ARRAY_SIZE(code));
	ctx.hcr_el2 |= HCR_TACR;
	ctx.mdcr_el2 = MDCR_GUEST_FLAGS;
	for (unsigned i = 0; i < GZ_ARRAY_SIZE(code); i++) {
		uint32_t in = code[i];

		ctx.x[3] = 0x5555;
		run();
		assert_int_equal(ex.esr, ((uint64_t)ESR_EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
					     GZ_FIELD_PREP(ESR_SYS64_OP0, (in >> 19) & 3) |
					     GZ_FIELD_PREP(ESR_SYS64_OP1, (in >> 16) & 7) |
					     GZ_FIELD_PREP(ESR_SYS64_CRN, (in >> 12) & 15) |
					     GZ_FIELD_PREP(ESR_SYS64_CRM, (in >> 8) & 15) |
					     GZ_FIELD_PREP(ESR_SYS64_OP2, (in >> 5) & 7) |
					     GZ_FIELD_PREP(ESR_SYS64_RT, 3) |
					     ((in & GZ_BIT(21)) ? ESR_SYS64_DIR : 0));
		assert_int_equal(ctx.pc, CODE + 4 * i);
		assert_int_equal(ctx.x[3], 0x5555);
		ctx.pc += 4;
	}
}

/* At EL0 the PMU (PMUSERENR_EL0.EN clear) is UNDEFINED, taken to EL1 before MDCR_EL2's trap. */
static void test_pmu_el0_undefined(void **state)
{
	const uint32_t el0[] = {0xd53b9d03 /* mrs x3, pmccntr_el0 */};

	(void)state;
	ctx.mdcr_el2 = MDCR_GUEST_FLAGS;
	enter_el0(el0, 1);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], (uint64_t)ESR_IL);
	assert_int_equal(ctx.elr_el1, PG(6));
}

/* The guest's debug unit from EL0 (sim/debug.c; MDSCR_EL1 and the registers as the core keeps
 * them): a breakpoint on EL0's second instruction, a watchpoint on the word EL0 loads, and a
 * step pending from the ERET (SPSR_EL1.SS clear), each taken to EL1 with the lower-EL
 * syndrome on the instruction, which has not executed. */
static void test_debug_from_el0(void **state)
{
	const uint32_t el0[] = {0xd503201f, 0xf9400041 /* nop; ldr x1, [x2] */};

	(void)state;
	ctx.sys[GZ_SYS_MDSCR_EL1] = MDSCR_MDE;
	ctx.dbg.nr_bps = ctx.dbg.nr_wps = 2;
	ctx.dbg.bcr[1] = DBGxCR_E | DBGxCR_EL0 | DBGBCR_BAS;
	ctx.dbg.bvr[1] = PG(6) + 4;
	enter_el0(el0, 2);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], arm64_esr(ESR_EC_BREAKPT_LOW, ESR_DBG_FSC_DEBUG));
	assert_int_equal(ctx.elr_el1, PG(6) + 4);
}

static void test_watchpoint_from_el0(void **state)
{
	const uint32_t el0[] = {0xd503201f, 0xf9400041 /* nop; ldr x1, [x2] */};

	(void)state;
	ctx.sys[GZ_SYS_MDSCR_EL1] = MDSCR_MDE;
	ctx.dbg.nr_wps = 1;
	ctx.dbg.wcr[0] = DBGxCR_E | DBGxCR_EL0 | DBGWCR_LSC_LOAD | (0x10u << DBGWCR_BAS_SHIFT);
	ctx.dbg.wvr[0] = DATA; /* byte 4 of the doubleword */
	ctx.x[2] = DATA;
	ctx.x[1] = 0x5555;
	enter_el0(el0, 2);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], arm64_esr(ESR_EC_WATCHPT_LOW, ESR_DBG_FSC_DEBUG));
	assert_int_equal(ctx.elr_el1, PG(6) + 4);
	assert_int_equal(ctx.sys[GZ_SYS_FAR_EL1], DATA);
	assert_int_equal(ctx.x[1], 0x5555);
}

/* A watchpoint with an address mask (DBGWCR.MASK: a 64-byte region, BAS unused) caught by a
 * load pair, whose 16 bytes come from the instruction (no syndrome): only the second of two
 * such watchpoints covers the pair's last 16 bytes of the region, and it fires. */
static void test_watchpoint_mask_pair_from_el0(void **state)
{
	const uint32_t el0[] = {0xa9400c41 /* ldp x1, x3, [x2] */};

	(void)state;
	ctx.sys[GZ_SYS_MDSCR_EL1] = MDSCR_MDE;
	ctx.dbg.nr_wps = 2;
	for (unsigned n = 0; n < 2; n++)
		ctx.dbg.wcr[n] =
		    DBGxCR_E | DBGxCR_EL0 | DBGWCR_LSC_LOAD | (6u << DBGWCR_MASK_SHIFT);
	ctx.dbg.wvr[0] = DATA + 64; /* the next region: the pair stops short of it */
	ctx.dbg.wvr[1] = DATA + 8;  /* inside the region: the mask clears its low bits */
	ctx.x[2] = DATA + 48;
	ctx.x[1] = 0x5555;
	enter_el0(el0, 1);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], arm64_esr(ESR_EC_WATCHPT_LOW, ESR_DBG_FSC_DEBUG));
	assert_int_equal(ctx.elr_el1, PG(6));
	assert_int_equal(ctx.x[1], 0x5555);
}

static void test_step_pending_from_eret(void **state)
{
	const uint32_t el0[] = {0xd503201f};

	(void)state;
	ctx.sys[GZ_SYS_MDSCR_EL1] = MDSCR_SS;
	enter_el0(el0, 1);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], arm64_esr(ESR_EC_SOFTSTP_LOW, ESR_DBG_FSC_DEBUG));
	assert_int_equal(ctx.elr_el1, PG(6));
}

static void test_untrapped_wfx(void **state)
{
	const uint32_t code[] = {0xd503205f /* wfe */, 0xd503207f /* wfi */,
				 0xd4000062 /* hvc #3 */};

	(void)state;
	put(CODE, code, 3);
	ctx.hcr_el2 = HCR_RW; /* neither TWI nor TWE */
	run();
	/* The WFE goes on; the WFI sleeps until an interrupt: the host runs meanwhile. */
	assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
	assert_int_equal(ctx.pc, CODE + 8);
	run();
	assert_int_equal(ex.esr, 0x5a000003);
}

static void test_entry_states(void **state)
{
	(void)state;
	ctx.pstate = PSR_MODE_EL0t; /* Unicorn's EL cannot be moved down from outside */
	assert_int_equal(gz_hal_vcpu_run(&ctx, &ex), GZ_ERR_NOT_SUPPORTED);
	gz_sim_fini();
	ctx.pstate = PSR_MODE_EL1h;
	assert_int_equal(gz_hal_vcpu_run(&ctx, &ex), GZ_ERR_BAD_STATE); /* no machine */
	assert_int_equal(ex.kind, GZ_EXIT_KIND_FAIL_ENTRY);
}

static atomic_int started;

static void *tlbi_while_running(void *arg)
{
	(void)arg;
	while (!atomic_load(&started) || gz_sim_vcpu_insns(&ctx) < 1000)
		sched_yield();
	/* returns once the vCPU has left the engine and taken the invalidation in: it remaps
	 * before it executes again, so before the kick can end its run */
	gz_hal_tlbi_vmid(1);
	gz_sim_vcpu_kick(&ctx);
	return NULL;
}

static void test_tlbi_while_running(void **state)
{
	const uint32_t code[] = {0x14000000 /* b . */};
	pthread_t t;

	(void)state;
	put(CODE, code, 1);
	gz_sim_m.cfg.slice = UINT64_MAX / 2; /* only the kick ends the run */
	atomic_store(&started, 0);
	assert_int_equal(pthread_create(&t, NULL, tlbi_while_running, NULL), 0);
	atomic_store(&started, 1);
	gz_sim_m.trace = 2; /* the exit is printed too */
	run();
	gz_sim_m.trace = 0;
	pthread_join(t, NULL);
	assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
	assert_int_equal(gz_sim_vcpu_remaps(&ctx), 2); /* mapped at entry, again after the TLBI */
	assert_false(gz_hal_vcpu_irq_consumed());      /* the host's kick */
}

static void test_s2_walk(void **state)
{
	struct gz_sim_s2_result r;
	uint64_t vttbr = ctx.vttbr_el2;

	(void)state;
	assert_true(gz_sim_s2_walk(vttbr, vtcr, DATA + 0x10, &r));
	assert_int_equal(r.level, 3);
	assert_int_equal(r.pa, ram_pa + 0x2010);
	assert_true(r.r && r.w && r.x);
	assert_true(gz_sim_s2_walk(vttbr, vtcr, RODATA, &r));
	assert_true(r.r && !r.w && !r.x);
	/* a 2 MiB block at level 2 */
	l2[1] = ram_pa | ARCH_PTE_VALID | ARCH_PTE_AF | RW;
	assert_true(gz_sim_s2_walk(vttbr, vtcr, IPA_RAM + 0x200000 + 0x1234, &r));
	assert_int_equal(r.level, 2);
	assert_int_equal(r.size, 0x200000);
	assert_int_equal(r.pa, ram_pa + 0x1234);
	/* access flag clear */
	l2[2] = ram_pa | ARCH_PTE_VALID | RW;
	assert_false(gz_sim_s2_walk(vttbr, vtcr, IPA_RAM + 0x400000, &r));
	assert_true(r.af_fault);
	assert_int_equal(r.level, 2);
	/* holes at each level */
	assert_false(gz_sim_s2_walk(vttbr, vtcr, 0x09000000, &r));
	assert_int_equal(r.level, 1);
	l3[7] = 0;
	assert_false(gz_sim_s2_walk(vttbr, vtcr, PG(7), &r));
	assert_int_equal(r.level, 3);
	/* beyond the 39-bit IPA space, bad configurations */
	assert_false(gz_sim_s2_walk(vttbr, vtcr, 1ULL << 39, &r));
	assert_false(gz_sim_s2_walk(vttbr, vtcr | (1ULL << 14), DATA, &r)); /* 64 KiB granule */
	assert_int_equal(r.level, 0xff);
	assert_false(gz_sim_s2_walk(0x1000, vtcr, DATA, &r)); /* root not in memory */
	assert_int_equal(r.level, 0xff);
}

static void test_phys_memory(void **state)
{
	gz_pa_t base;
	uint64_t size, free0 = gz_sim_phys_free_bytes();
	void *a, *b;

	(void)state;
	assert_true(gz_hal_phys_region(0, &base, &size));
	assert_int_equal(base, GZ_SIM_DEFAULT_PHYS_BASE);
	assert_int_equal(size, 16 << 20);
	assert_false(gz_hal_phys_region(1, &base, &size));
	assert_null(gz_hal_pa_to_va(base - 1));
	assert_null(gz_hal_pa_to_va(base + size));
	/* the host's allocations are in its own view of the same memory */
	assert_ptr_equal(gz_sim_host_view(ram_pa), ram);
	assert_int_equal(gz_hal_va_to_pa(ram), ram_pa);
	assert_int_equal(gz_hal_va_to_pa(gz_hal_pa_to_va(ram_pa)), ram_pa);
	((volatile uint8_t *)ram)[7] = 0x5a;
	assert_int_equal(((volatile uint8_t *)gz_hal_pa_to_va(ram_pa))[7], 0x5a);
	((volatile uint8_t *)ram)[7] = 0;
	assert_null(gz_sim_host_view(base + size));
	assert_null(gz_sim_host_alloc(0));
	assert_null(gz_sim_host_alloc(free0 + 4096));
	a = gz_sim_host_alloc(8192);
	assert_non_null(a);
	memset(a, 0xaa, 8192);
	assert_int_equal(gz_sim_phys_free_bytes(), free0 - 8192);
	gz_sim_host_free(a, 8192);
	b = gz_sim_host_alloc(8192);
	assert_non_null(b);
	assert_int_equal(((uint8_t *)b)[100], 0); /* handed out zeroed */
	gz_sim_host_free(b, 8192);
	assert_int_equal(gz_sim_phys_free_bytes(), free0);
	assert_int_not_equal(
	    gz_sim_init(&(struct gz_sim_config){.phys_base = 0x1234, .cpu_model = -1}), 0);
}

static void test_smc_and_cntp_traps(void **state)
{
	/* smc #0x21; mrs x3, cntp_ctl_el0 */
	const uint32_t code[] = {0xd4000423, 0xd53be223};

	(void)state;
	put(CODE, code, 2);
	ctx.hcr_el2 |= HCR_TSC;
	run();
	assert_int_equal(ex.esr, ((uint64_t)ESR_EC_SMC64 << ESR_EC_SHIFT) | ESR_IL | 0x21);
	assert_int_equal(ctx.pc, CODE); /* a trapped SMC returns to itself */
	ctx.pc += 4;
	ctx.x[3] = 0x5555;
	run();
	/* only the virtual timer is the guest's: the physical one traps (CNTHCTL_EL2.EL1PCEN) */
	assert_int_equal(ec(), ESR_EC_SYS64);
	assert_int_equal(ex.esr & 0x1ffffff,
			 (GZ_FIELD_PREP(ESR_SYS64_OP0, 3) | GZ_FIELD_PREP(ESR_SYS64_OP1, 3) |
			  GZ_FIELD_PREP(ESR_SYS64_CRN, 14) | GZ_FIELD_PREP(ESR_SYS64_CRM, 2) |
			  GZ_FIELD_PREP(ESR_SYS64_OP2, 1) | GZ_FIELD_PREP(ESR_SYS64_RT, 3) |
			  ESR_SYS64_DIR));
	assert_int_equal(ctx.pc, CODE + 4);
	assert_int_equal(ctx.x[3], 0x5555);
}

static void test_store_pair_has_no_syndrome(void **state)
{
	const uint32_t code[] = {0xa9000401 /* stp x1, x1, [x0] */};

	(void)state;
	put(CODE, code, 1);
	ctx.x[0] = 0x09000000;
	run();
	assert_int_equal(ec(), ESR_EC_DABT_LOW);
	/* no ISV: nothing can emulate it from the syndrome; WnR still says write */
	assert_int_equal(ex.esr & 0x1ffffff, ESR_DABT_WNR | (ESR_FSC_TRANS + 1));
	assert_int_equal(ex.far, 0x09000000);
	assert_int_equal(ex.hpfar, HPFAR_OF(0x09000000ULL));
	assert_int_equal(ctx.pc, CODE);
}

static void test_identity_registers(void **state)
{
	/* mrs x1, midr_el1; mrs x2, mpidr_el1; hvc #0 */
	const uint32_t code[] = {0xd5380001, 0xd53800a2, 0xd4000002};

	(void)state;
	put(CODE, code, 3);
	ctx.vpidr_el2 = 0x410fd034;
	ctx.vmpidr_el2 = (1ULL << 31) | (1ULL << 8) | 2;
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.x[1], 0x410fd034);
	assert_int_equal(ctx.x[2], (1ULL << 31) | (1ULL << 8) | 2);
}

/* Guest code and data in a 2 MiB stage-2 block rather than pages. */
static void test_runs_from_block_mapping(void **state)
{
	/* mov x1, #5; ldr x5, [x0]; hvc #0 */
	const uint32_t code[] = {0xd28000a1, 0xf9400005, 0xd4000002};
	uint8_t *big = gz_sim_host_alloc(4 << 20), *blk;
	gz_pa_t pa;

	(void)state;
	assert_non_null(big);
	pa = (gz_hal_va_to_pa(big) + 0x1fffff) & ~0x1fffffULL;
	blk = big + (pa - gz_hal_va_to_pa(big));
	l2[1] = pa | ARCH_PTE_VALID | ARCH_PTE_AF | (3ULL << 8) | (0xfULL << 2) | RW;
	memcpy(blk + 0x1000, code, sizeof(code));
	*(uint64_t *)(blk + 0x1ff000) = 0xb10c;
	ctx.pc = IPA_RAM + 0x201000;
	ctx.x[0] = IPA_RAM + 0x3ff000;
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.x[1], 5);
	assert_int_equal(ctx.x[5], 0xb10c);
	assert_int_equal(ctx.pc, IPA_RAM + 0x20100c);
}

/* EL0 is reached the guest's way, by ERET from EL1; its SVC enters EL1 at the lower-EL
 * vector. */
static void test_svc_from_el0(void **state)
{
	/* eret; nop; svc #0x11 */
	const uint32_t code[] = {0xd69f03e0, 0xd503201f, 0xd4000221};
	const uint32_t vec = 0xd4000062; /* hvc #3 */

	(void)state;
	put(CODE, code, 3);
	put(VBAR + VBAR_OFF_LOWER_A64 + VBAR_OFF_SYNC, &vec, 1);
	ctx.elr_el1 = CODE + 8;
	ctx.spsr_el1 = PSR_MODE_EL0t;
	run();
	assert_int_equal(ex.esr, 0x5a000003);
	assert_int_equal(ctx.pc, VBAR + VBAR_OFF_LOWER_A64 + 4);
	assert_int_equal(ctx.elr_el1, CODE + 12);
	assert_int_equal(ctx.spsr_el1, PSR_MODE_EL0t);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1], 0x56000011);
	assert_int_equal(ctx.pstate & (PSR_I | PSR_A | PSR_D | PSR_F | PSR_MODE_MASK),
			 PSR_I | PSR_A | PSR_D | PSR_F | PSR_MODE_EL1h);
}

/* With the guest's MMU on, a stage-2 fault reports both addresses: FAR_EL2 the VA the guest
 * used, HPFAR_EL2 the IPA its stage 1 made of it. */
static void test_mmu_on_far_is_va(void **state)
{
	const uint32_t code[] = {0xf9400406 /* ldr x6, [x0, #8] */};
	const uint64_t s1_block = ARCH_PTE_VALID | (1ULL << 10) /* AF */;
	uint64_t *s1 = (uint64_t *)(ram + (PG(16) - IPA_RAM));

	(void)state;
	put(CODE, code, 1);
	s1[1] = IPA_RAM | s1_block | (3ULL << 8) /* inner shareable, normal */;
	s1[3] = 0 | s1_block | (1ULL << 2) /* device */; /* VA 0xc0000000 -> IPA 0 */
	ctx.sys[GZ_SYS_MAIR_EL1] = 0x00ff;
	/* T0SZ 25, walks cacheable and inner shareable, 4 KiB granule, no TTBR1, 40-bit IPS */
	ctx.sys[GZ_SYS_TCR_EL1] =
	    25 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | (1ULL << 23) | (2ULL << 32);
	ctx.sys[GZ_SYS_TTBR0_EL1] = PG(16);
	ctx.sys[GZ_SYS_SCTLR_EL1] |= 1; /* M */
	ctx.x[0] = 0xc9009000;
	run();
	assert_int_equal(ec(), ESR_EC_DABT_LOW);
	assert_int_equal(ex.esr & 0x1ffffff, ESR_xABT_ISV | (3ULL << 22) | (6ULL << 16) |
						 ESR_DABT_SF | (ESR_FSC_TRANS + 1));
	assert_int_equal(ex.far, 0xc9009008);
	assert_int_equal(ex.hpfar, HPFAR_OF(0x09009008ULL));
	assert_int_equal(ctx.pc, CODE);
}

/* An access crossing a page boundary whose second page has no stage-2 mapping: the exit names
 * that page in FAR as in HPFAR, not the first byte of the access. */
static void test_page_crossing_stage2_fault(void **state)
{
	const uint32_t code[] = {0xa9000801 /* stp x1, x2, [x0] */};

	(void)state;
	put(CODE, code, 1);
	l3[6] = 0;
	ctx.x[0] = PG(6) - 8;
	run();
	assert_int_equal(ec(), ESR_EC_DABT_LOW);
	assert_int_equal(ex.esr & 0x1ffffff, ESR_DABT_WNR | (ESR_FSC_TRANS + 3));
	assert_int_equal(ex.far, PG(6));
	assert_int_equal(ex.hpfar, HPFAR_OF(PG(6)));
	assert_int_equal(ctx.pc, CODE);
}

/* The guest's MMU on at EL1 with VA = IPA over the 2 MiB of RAM in 4 KiB pages, page @hole left
 * without a valid descriptor; FP and SIMD allowed, and an hvc #3 at the vector that takes a
 * synchronous exception at EL1. */
static void s1_pages_with_hole(unsigned hole)
{
	const uint32_t vec = 0xd4000062; /* hvc #3 */
	uint64_t *s1 = (uint64_t *)(ram + (PG(16) - IPA_RAM));
	uint64_t *s1l2 = (uint64_t *)(ram + (PG(17) - IPA_RAM));
	uint64_t *s1l3 = (uint64_t *)(ram + (PG(18) - IPA_RAM));

	put(VBAR + VBAR_OFF_CUR_SPX + VBAR_OFF_SYNC, &vec, 1);
	s1[1] = PG(17) | ARCH_PTE_VALID | ARCH_PTE_TYPE;
	s1l2[0] = PG(18) | ARCH_PTE_VALID | ARCH_PTE_TYPE;
	for (unsigned i = 0; i < 512; i++) /* normal memory, inner shareable, RW at EL1 */
		s1l3[i] = PG(i) | ARCH_PTE_VALID | ARCH_PTE_TYPE | ARCH_PTE_AF | (3ULL << 8);
	s1l3[hole] = 0;
	ctx.sys[GZ_SYS_MAIR_EL1] = 0xff;
	ctx.sys[GZ_SYS_TCR_EL1] =
	    25 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | (1ULL << 23) | (2ULL << 32);
	ctx.sys[GZ_SYS_TTBR0_EL1] = PG(16);
	ctx.sys[GZ_SYS_CPACR_EL1] = 3ULL << 20;
	ctx.sys[GZ_SYS_SCTLR_EL1] |= 1; /* M */
}

/* A write the guest's stage 1 refused, taken by the guest at EL1 (hvc #3 at its vector). */
static void assert_guest_write_fault(uint64_t far)
{
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.elr_el1, CODE);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1] >> ESR_EC_SHIFT, ESR_EC_DABT_CUR);
	assert_int_equal(ctx.sys[GZ_SYS_ESR_EL1] & 0x1ffffff, ESR_DABT_WNR | (ESR_FSC_TRANS + 3));
	assert_int_equal(ctx.sys[GZ_SYS_FAR_EL1], far);
}

/* The same across a boundary of the guest's own stage 1: the first page translates, the next
 * one has no valid descriptor. The guest takes a translation fault on the second page, as
 * Linux expects when a store pair at the end of a page reaches an untouched stack or heap page
 * (it was an alignment fault, which user space gets as SIGBUS). */
static void test_page_crossing_stage1_fault(void **state)
{
	const uint32_t code[] = {0xad000400 /* stp q0, q1, [x0] */};

	(void)state;
	put(CODE, code, 1);
	s1_pages_with_hole(22);
	ctx.x[0] = PG(22) - 16;
	run();
	assert_guest_write_fault(PG(22));
}

/* DC ZVA (glibc's memset) into a page the guest's stage 1 does not map yet: a write fault on
 * the block it zeroes (it was a fault on address 0: SIGSEGV in user space). The block is
 * DCZID_EL0's. */
static void test_dc_zva_stage1_fault(void **state)
{
	const uint32_t dczid[] = {0xd53b00e1 /* mrs x1, dczid_el0 */, 0xd4000002 /* hvc #0 */};
	const uint32_t code[] = {0xd50b7420 /* dc zva, x0 */, 0xd4000082 /* hvc #4 */};

	(void)state;
	put(CODE + 0x100, dczid, 2);
	ctx.pc = CODE + 0x100;
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(4u << (ctx.x[1] & 0xf), GZ_SIM_ZVA_BYTES);
	/* the MMU turned on by the context, after a run with it off: what Unicorn translated
	 * with it off must not stay */
	put(CODE, code, 2);
	ctx.pc = CODE;
	s1_pages_with_hole(23);
	ctx.x[0] = PG(23) + 0x48;
	run();
	assert_guest_write_fault(PG(23) + 0x40);
}

/* The guest remaps a VA in its stage 1 and invalidates it the way Linux does (TLBI by VA,
 * inner shareable, or all of EL1): the next access goes to the new page. */
static void test_guest_tlbi_remaps(void **state)
{
	const uint32_t tlbis[] = {0xd5088364 /* tlbi vaae1is, x4 */,
				  0xd50883a4 /* tlbi vale1is, x4 */,
				  0xd508831f /* tlbi vmalle1is */, 0xd5088724 /* tlbi vae1, x4 */};

	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(tlbis); i++) {
		const uint32_t code[] = {
		    0xf9400002,		    /* ldr x2, [x0] */
		    0xf9000061,		    /* str x1, [x3] */
		    0xd5033b9f,		    /* dsb ish */
		    tlbis[i],	0xd5033b9f, /* dsb ish */
		    0xd5033fdf,		    /* isb */
		    0xf9400005,		    /* ldr x5, [x0] */
		    0xd4000002,		    /* hvc #0 */
		};
		uint64_t pte = ARCH_PTE_VALID | ARCH_PTE_TYPE | ARCH_PTE_AF | (3ULL << 8);
		unsigned a = 40 + 2 * (unsigned)i; /* a fresh VA each time: page a, then a + 1 */

		put(CODE, code, GZ_ARRAY_SIZE(code));
		s1_pages_with_hole(511);
		*(uint64_t *)(ram + a * 0x1000) = 0xaaaa;
		*(uint64_t *)(ram + (a + 1) * 0x1000) = 0xbbbb;
		ctx.pc = CODE;
		ctx.x[0] = PG(a);
		ctx.x[1] = PG(a + 1) | pte;
		ctx.x[3] = PG(18) + a * 8;
		ctx.x[4] = PG(a) >> 12;
		run();
		assert_int_equal(ec(), ESR_EC_HVC64);
		assert_int_equal(ctx.x[2], 0xaaaa);
		if (ctx.x[5] != 0xbbbb)
			fail_msg("tlbi %#x: the old page still answers (%#llx)", tlbis[i],
				 (unsigned long long)ctx.x[5]);
	}
}

/* A load whose base is its destination, into a page stage 2 maps since the last run without a
 * TLBI (demand paging): the simulator maps it in Unicorn on the miss and the load runs once. */
static void test_refilled_load_runs_once(void **state)
{
	const uint32_t code[] = {0xd538d084 /* mrs x4, tpidr_el1 */,
				 0xb8646821 /* ldr w1, [x1, x4] */, 0xd4000002 /* hvc #0 */};

	(void)state;
	put(CODE, code, 3);
	l3[7] = 0;
	*(uint32_t *)(ram + 7 * 0x1000 + 0x10) = 0x7010; /* a second load would read 0x7010 */
	*(uint32_t *)(ram + 7 * 0x1000 + 0x10 + 0x7010) = 0xdead;
	ctx.sys[GZ_SYS_TPIDR_EL1] = 0x10;
	ctx.x[1] = PG(7);
	run();
	assert_int_equal(ec(), ESR_EC_DABT_LOW); /* not mapped yet */
	assert_int_equal(ctx.pc, CODE + 4);
	l3[7] = S2_PAGE(ram_pa + 0x7000, RW, false); /* as MAP_GUEST does it: no TLBI */
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.x[1], 0x7010);
}

/* The guest stores to @page, writes two instructions there (x1's, then hvc #0) and branches to
 * them: the first run executes them from a page it stored to just before, the second after
 * storing another first instruction (x1 = mov x3, #2) over the code it ran, a store elsewhere
 * on the page first (which invalidates nothing: the stores after it must too). */
static void write_code_and_run_twice(uint64_t page, uint32_t movz_x0)
{
	const uint32_t code[] = {movz_x0,
				 0xf2a80000 /* movk x0, #0x4000, lsl #16 */,
				 0xb901001f /* str wzr, [x0, #0x100] */,
				 0xb9000001 /* str w1, [x0] */,
				 0xb9000402 /* str w2, [x0, #4] */,
				 0xd61f0000 /* br x0 */};

	put(CODE, code, 6);
	ctx.x[1] = 0xd2800023; /* mov x3, #1 */
	ctx.x[2] = 0xd4000002; /* hvc #0 */
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.pc, page + 8);
	assert_int_equal(ctx.x[3], 1);
	ctx.pc = CODE;
	ctx.x[1] = 0xd2800043; /* mov x3, #2 */
	run();
	assert_int_equal(ec(), ESR_EC_HVC64);
	assert_int_equal(ctx.x[3], 2); /* not the translation of the first */
}

/* A page read-write-execute at stage 2 is mapped in Unicorn as data (stores on its fast path)
 * until code runs from its chunk, which then becomes code: a store to it takes the slow path
 * again and invalidates what was translated. Without the TLB flush at that change the second
 * store went through the fast entry the first had left, and the old translation ran. */
static void test_code_written_to_a_data_page(void **state)
{
	(void)state;
	write_code_and_run_twice(PG(5), 0xd28a0000 /* mov x0, #0x5000 */);
}

/* The same with more data ranges than the fault hook takes ranges (pages alternately
 * read-write and read-only): the hook covers every address and sees the fetch itself. */
static void test_code_written_past_the_hook_limit(void **state)
{
	(void)state;
	for (unsigned i = 10; i < 512; i++)
		l3[i] = S2_PAGE(ram_pa + i * 0x1000ULL, (i & 1) ? RO : RW, false);
	write_code_and_run_twice(PG(12), 0xd2980000 /* mov x0, #0xc000 */);
}

static atomic_int kicks_done;

static void *kick_repeatedly(void *arg)
{
	unsigned seed = 1;

	(void)arg;
	while (!atomic_load(&kicks_done)) {
		struct timespec ts = {0, (long)(rand_r(&seed) % 200000)};

		gz_sim_vcpu_kick(&ctx);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* EL0 code in a data page: the run makes its chunk code after the fetch faulted there, at
 * EL0 already (an ERET before it). A kick meanwhile ended the run before the engine started
 * again, with the EL the simulator believed Unicorn in still EL1's: the next entry, at EL0,
 * was refused (fail_entry; Debian's vsock test guest died of it). A TLBI each round makes the
 * chunk data again. */
static void test_el0_code_from_a_data_page_kicked(void **state)
{
	const uint32_t eret = 0xd69f03e0, spin = 0x14000000 /* b . */;
	pthread_t t;

	(void)state;
	put(CODE, &eret, 1);
	put(PG(5), &spin, 1);
	gz_sim_m.cfg.slice = 20000;
	atomic_store(&kicks_done, 0);
	assert_int_equal(pthread_create(&t, NULL, kick_repeatedly, NULL), 0);
	for (unsigned round = 0; round < 200; round++) {
		gz_hal_tlbi_vmid(1);
		ctx.pc = CODE;
		ctx.pstate = PSR_MODE_EL1h | PSR_D | PSR_A | PSR_I | PSR_F;
		ctx.elr_el1 = PG(5);
		ctx.spsr_el1 = PSR_MODE_EL0t;
		run();
		if ((ctx.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t) {
			assert_int_equal(ctx.pc, PG(5));
			run(); /* entered at EL0 */
			assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
			assert_int_equal(ctx.pc, PG(5));
		}
	}
	atomic_store(&kicks_done, 1);
	pthread_join(t, NULL);
}

/* A vCPU kicked from another thread while it runs (an interrupt made pending for it, the host
 * wanting its CPU) leaves the engine with its PC on the next instruction to execute. Stopped
 * from outside, Unicorn 2.1 could leave the PC on a load it had already executed (it stores
 * the PC before each memory access and, told to stop, does not write it at the end of the
 * block): the load ran again on the next entry, with its result as its own address. Debian's
 * kernel died of it in ct_nmi_exit and this_cpu_has_cap. Here a load follows a ring of
 * pointers and the counter before it says how far: the pair is checked at every exit. */
static void test_kicked_run_resumes_exactly(void **state)
{
	const uint32_t code[] = {0x91000400 /* loop: add x0, x0, #1 */,
				 0xf9400021 /* ldr x1, [x1] */, 0x17fffffe /* b loop */};
	uint64_t *ring = (uint64_t *)(ram + (DATA - IPA_RAM));
	pthread_t t;
	unsigned exits = 0;

	(void)state;
	put(CODE, code, 3);
	for (unsigned i = 0; i < 8; i++)
		ring[i] = DATA + 8 * ((i + 1) % 8);
	ctx.x[0] = 0;
	ctx.x[1] = DATA;
	gz_sim_m.cfg.slice = UINT64_MAX / 2; /* only the kicks end the runs */
	atomic_store(&kicks_done, 0);
	assert_int_equal(pthread_create(&t, NULL, kick_repeatedly, NULL), 0);
	for (exits = 0; exits < 300; exits++) {
		uint64_t loads;

		run();
		assert_int_equal(ex.kind, GZ_EXIT_KIND_IRQ);
		assert_in_range(ctx.pc, CODE, CODE + 8);
		/* the counter runs one ahead while the PC is on the load */
		loads = ctx.x[0] - (ctx.pc == CODE + 4 ? 1 : 0);
		assert_int_equal(ctx.x[1], DATA + 8 * (loads % 8));
	}
	atomic_store(&kicks_done, 1);
	pthread_join(t, NULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_hvc_exit),
	    T(test_dabt_unmapped_ipa),
	    T(test_permission_fault_write_ro),
	    T(test_exec_from_xn_page),
	    T(test_wfi_and_sgi_traps),
	    T(test_svc_enters_guest_vector),
	    T(test_virtual_irq_from_lr),
	    T(test_vtimer_and_slice_exits),
	    T(test_vtimer_gated_while_up_at_entry),
	    T(test_vtimer_registers_and_held_line),
	    T(test_counter_and_ptimer_traps),
	    T(test_exit_at_deadline),
	    T(test_tlbi_unmaps),
	    T(test_entry_refused),
	    T(test_el0_counter_access),
	    T(test_el0_counter_refused),
	    T(test_id_and_system_registers),
	    T(test_untrapped_wfx),
	    T(test_entry_states),
	    T(test_tlbi_while_running),
	    T(test_s2_walk),
	    T(test_phys_memory),
	    T(test_smc_and_cntp_traps),
	    T(test_id_registers_trapped),
	    T(test_id_registers_el0_undefined),
	    T(test_debug_pmu_actlr_trapped),
	    T(test_pmu_el0_undefined),
	    T(test_debug_from_el0),
	    T(test_watchpoint_from_el0),
	    T(test_watchpoint_mask_pair_from_el0),
	    T(test_step_pending_from_eret),
	    T(test_store_pair_has_no_syndrome),
	    T(test_identity_registers),
	    T(test_runs_from_block_mapping),
	    T(test_svc_from_el0),
	    T(test_mmu_on_far_is_va),
	    T(test_page_crossing_stage2_fault),
	    T(test_page_crossing_stage1_fault),
	    T(test_dc_zva_stage1_fault),
	    T(test_guest_tlbi_remaps),
	    T(test_refilled_load_runs_once),
	    T(test_kicked_run_resumes_exactly),
	    T(test_code_written_to_a_data_page),
	    T(test_code_written_past_the_hook_limit),
	    T(test_el0_code_from_a_data_page_kicked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
