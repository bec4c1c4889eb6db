/* Exit dispatch (src/hyp/core/exit.c, run_loop.c): the dispatch table, the defined outcome of
 * every exit type (aborts inside and outside memslots, with and without a valid syndrome,
 * WFI/WFE, trapped system registers, the emulated physical timer, IRQ, SError, debug, entry
 * failure), vGIC MMIO in the hypervisor, the run budget and the IPI and power-off interplay
 * of vCPUs. The exception entry itself is tested in test_arm64_inject.c. The vGIC's
 * pending check is counted (the test links with --wrap) for halt polling's economy of its lock.
 * test-libs: gzcore gzfake gzlib -Wl,--wrap=gz_vgic_vcpu_pending */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arm64/debug.h>
#include <arm64/gicv3.h>
#include <arm64/ich.h>
#include <gzhyp/psci.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vcpu_exit.h>
#include <gzhyp/vtimer.h>
#include <gzabi/hvc.h>

#include "vm_fixture.h"

static uint16_t vm;
static struct gz_vcpu *v0;

static int setup(void **state)
{
	(void)state;
	return vfix_cmocka_setup(2, &vm, &v0);
}

/* ---- outcomes through RUN ------------------------------------------------------------- */
static void guest_at(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)arg;
	ctx->pc = 0x80000000;
	ctx->pstate = PSR_MODE_EL1h;
	ctx->sys[GZ_SYS_VBAR_EL1] = 0x80010000;
}

static uint32_t run_one(uint64_t esr, uint64_t far, uint64_t hpfar)
{
	uint32_t reason;

	vfix_push(GZ_EXIT_KIND_SYNC, esr, far, hpfar, guest_at, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	return reason;
}

/* The exit, then an IRQ exit once the guest resumed. */
static uint32_t run_irq(uint64_t esr, uint64_t far, uint64_t hpfar)
{
	uint32_t reason;

	vfix_push(GZ_EXIT_KIND_SYNC, esr, far, hpfar, guest_at, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	return reason;
}

/* 16 pages of guest memory at gpa (a purpose made before it applies). */
static void add_slot_at(uint64_t gpa)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(100);
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(pa);

	memset(r, 0, 64);
	r->constituent_cnt = 1;
	r->total_pages = 16;
	r->gpa = gpa;
	r->constituents[0].address = VFIX_GUEST_PAGE(0);
	r->constituents[0].pg_cnt = 16;
	assert_int_equal(hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, pa, 0, 0), GZ_OK);
}

static void add_slot(void)
{
	add_slot_at(0x80000000);
}

/* ---- the dispatch table ------------------------------------------------------------------ */

static enum gz_exit_action dispatch(enum gz_exit_type type)
{
	struct gz_exit x = {.desc = {.type = type}};

	return gz_exit_dispatch(v0, &x);
}

static void test_dispatch_table(void **state)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(200);
	struct gzvm_create_device *dev = gz_hal_pa_to_va(pa);
	uint32_t reason;

	(void)state;
	/* a type no handler claims gets its defined outcome */
	assert_int_equal(dispatch(GZ_XT_DEBUG), GZ_EXIT_TO_HOST);
	assert_int_equal(v0->run->exit_reason, GZVM_EXIT_DEBUG);
	/* an out-of-range type is treated as UNDEF */
	v0->ctx.sys[GZ_SYS_VBAR_EL1] = 0x1000;
	assert_int_equal(dispatch((enum gz_exit_type)99), GZ_EXIT_RESUME);
	assert_int_equal(v0->ctx.pc, 0x1000 + 0x200);
	/* The handlers of a type are asked in the table's order, and the first that decides
	 * ends the walk: a distributor placed over guest RAM answers a read there before
	 * demand paging would make it a page fault. */
	add_slot();
	memset(dev, 0, sizeof(*dev));
	dev->dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST;
	dev->dev_addr = 0x80000000;
	dev->dev_reg_size = 0x10000;
	assert_int_equal(hstatus(GZ_HVC_CREATE_DEVICE, vm, pa, 0, 0, 0), GZ_OK);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 3, false, false, 0x07),
		  ARCH_GICD_IIDR, hpfar_of(0x80000000), guest_at, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	assert_int_not_equal(vfix_guest.last.x[3], 0);
	/* an access the vGIC does not take (no syndrome) goes on to the next handler: demand
	 * paging of the slot */
	assert_int_equal(
	    run_one(esr_dabt(false, 0, false, 0, false, false, 0x07), 0, hpfar_of(0x80003000)),
	    GZVM_EXIT_EXCEPTION);
	assert_int_equal(v0->run->exception.fault_gpa, 0x80003000);
}

static void test_dabt_outcomes(void **state)
{
	struct gzvm_vcpu_run *run = v0->run;

	(void)state;
	add_slot();
	/* translation fault in a slot: demand paging, the instruction re-executes */
	assert_int_equal(
	    run_one(esr_dabt(false, 0, false, 0, false, false, 0x07), 0x1234, hpfar_of(0x80003000)),
	    GZVM_EXIT_EXCEPTION);
	assert_int_equal(run->exception.exception, GZVM_EXCEPTION_PAGE_FAULT);
	assert_int_equal(run->exception.fault_gpa, 0x80003000);
	assert_int_equal(v0->ctx.pc, 0x80000000);
	/* access-flag fault in a slot: demand paging too */
	assert_int_equal(
	    run_one(esr_dabt(true, 2, false, 1, false, false, 0x0b), 0x10, hpfar_of(0x80006000)),
	    GZVM_EXIT_EXCEPTION);
	assert_int_equal(run->exception.fault_gpa, 0x80006000);
	/* stage-1 walk faulting in a slot: also demand paging */
	assert_int_equal(
	    run_one(esr_ec(ESR_EC_DABT_LOW, ESR_xABT_S1PTW | 0x06), 0x1234, hpfar_of(0x80004000)),
	    GZVM_EXIT_EXCEPTION);
	/* permission fault in a slot: the guest gets an abort */
	assert_int_equal(
	    run_irq(esr_dabt(true, 2, false, 1, false, true, 0x0f), 0x5678, hpfar_of(0x80005000)),
	    GZVM_EXIT_IRQ);
	assert_int_equal(v0->ctx.sys[GZ_SYS_FAR_EL1], 0x5678);
	assert_int_equal(v0->ctx.pc, 0x80010200);
	assert_int_equal(ESR_EC(v0->ctx.sys[GZ_SYS_ESR_EL1]), ESR_EC_DABT_CUR);
	/* no syndrome outside slots: internal error with the facts */
	assert_int_equal(
	    run_one(esr_dabt(false, 0, false, 0, false, false, 0x07), 0x9abc, hpfar_of(0x9000000)),
	    GZVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(run->internal.suberror, GZ_INTERNAL_MMIO_NO_ISV);
	assert_int_equal(run->internal.ndata, 4);
	assert_int_equal(run->internal.data[1], 0x9abc);
	assert_int_equal(run->internal.data[2], 0x9000abc);
	assert_int_equal(run->internal.data[3], 0x80000000);
	/* external abort and stage-1 walk outside slots: injected */
	run_irq(esr_ec(ESR_EC_DABT_LOW, ESR_xABT_EA | ESR_FSC_EXTABT), 0x42, hpfar_of(0x9000000));
	assert_int_equal(v0->ctx.pc, 0x80010200);
	run_irq(esr_ec(ESR_EC_DABT_LOW, ESR_xABT_S1PTW | 0x07), 0x42, hpfar_of(0x9000000));
	assert_int_equal(v0->ctx.pc, 0x80010200);
	/* cache maintenance with a syndrome on a device: skipped as well */
	run_irq(esr_dabt(true, 2, false, 1, false, true, 0x07) | ESR_DABT_CM, 0x42,
		hpfar_of(0x9000000));
	assert_int_equal(v0->ctx.pc, 0x80000004);
	/* cache maintenance on a device: skipped */
	run_irq(esr_ec(ESR_EC_DABT_LOW, ESR_DABT_CM | ESR_DABT_WNR | 0x07), 0x42,
		hpfar_of(0x9000000));
	assert_int_equal(v0->ctx.pc, 0x80000004);
}

static void test_iabt_outcomes(void **state)
{
	(void)state;
	add_slot();
	assert_int_equal(run_one(esr_ec(ESR_EC_IABT_LOW, 0x07), 0x80002000, hpfar_of(0x80002000)),
			 GZVM_EXIT_EXCEPTION);
	assert_int_equal(v0->run->exception.fault_gpa, 0x80002000);
	run_irq(esr_ec(ESR_EC_IABT_LOW, 0x07), 0x9000000, hpfar_of(0x9000000));
	assert_int_equal(v0->ctx.pc, 0x80010200);
	assert_int_equal(ESR_EC(v0->ctx.sys[GZ_SYS_ESR_EL1]), ESR_EC_IABT_CUR);
	/* external abort on fetch inside a slot */
	run_irq(esr_ec(ESR_EC_IABT_LOW, ESR_FSC_EXTABT), 0x80002000, hpfar_of(0x80002000));
	assert_int_equal(v0->ctx.pc, 0x80010200);
}

/* A read-only slot (flash executing in place): a store is an MMIO exit for the VMM, the
 * page stays as it was; fetches and loads are served from the slot. */
static void test_readonly_slot_store(void **state)
{
	struct gzvm_vcpu_run *run = v0->run;

	(void)state;
	assert_int_equal(hstatus(GZ_HVC_MEMREGION_PURPOSE, vm, 0x4000000, 16 * 4096,
				 GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_READONLY, 0),
			 GZ_OK);
	add_slot_at(0x4000000);
	/* A 32-bit store of x1, permission fault at level 3: the VMM gets the write. */
	v0->ctx.x[1] = 0x00980098;
	assert_int_equal(
	    run_one(esr_dabt(true, 2, false, 1, false, true, 0x0f), 0xaa, hpfar_of(0x4000000)),
	    GZVM_EXIT_MMIO);
	assert_int_equal(run->mmio.phys_addr, 0x40000aa);
	assert_true(run->mmio.is_write);
	assert_int_equal(run->mmio.size, 4);
	/* ... also before its page is mapped (translation fault): no demand paging for it */
	assert_int_equal(
	    run_one(esr_dabt(true, 2, false, 1, false, true, 0x07), 0x54, hpfar_of(0x4003000)),
	    GZVM_EXIT_MMIO);
	assert_int_equal(run->mmio.phys_addr, 0x4003054);
	/* a load there that misses is demand-paged as in RAM */
	assert_int_equal(
	    run_one(esr_dabt(true, 2, false, 1, false, false, 0x07), 0x54, hpfar_of(0x4003000)),
	    GZVM_EXIT_EXCEPTION);
	assert_int_equal(run->exception.exception, GZVM_EXCEPTION_PAGE_FAULT);
	/* Without a syndrome: the VMM gets the facts, as outside slots. */
	assert_int_equal(
	    run_one(esr_dabt(false, 0, false, 0, false, true, 0x0f), 0x10, hpfar_of(0x4001000)),
	    GZVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(run->internal.data[2], 0x4001010);
	/* A permission fault on a load there is broken: the guest gets an abort. */
	run_irq(esr_dabt(true, 2, false, 1, false, false, 0x0f), 0x20, hpfar_of(0x4002000));
	assert_int_equal(v0->ctx.pc, 0x80010200);
	/* Purposes cannot make the slot writable afterwards. */
	assert_int_equal(hstatus(GZ_HVC_MEMREGION_PURPOSE, vm, 0x4000000, 16 * 4096,
				 GZVM_USER_MEM_REGION_GUEST_MEM, 0),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(hstatus(GZ_HVC_MEMREGION_PURPOSE, vm, 0x4000000, 16 * 4096, 1U << 20, 0),
			 GZ_ERR_INVALID_ARGS);
}

static void test_wfx(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);

	(void)state;
	/* WFE: the host gets a chance to schedule */
	assert_int_equal(run_one(esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFE), 0, 0), GZVM_EXIT_GZ);
	assert_int_equal(v0->ctx.pc, 0x80000004);
	/* WFI without the idle capability: the guest continues */
	run_irq(esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	/* with it: idle, with the timer state for the host */
	m->idle_cap = true;
	v0->ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	v0->ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 1000;
	fake_hal_set_cntpct(m->cntvoff + 400);
	assert_int_equal(run_one(esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(v0->hwstate->vtimer_migrate, 1);
	assert_int_equal(v0->hwstate->vtimer_delay, 600);
	/* a pending interrupt: WFI completes at once */
	assert_int_equal(hstatus(GZ_HVC_IRQ_LINE, gz_hvc_tuple(vm, 0),
				 GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 0, 20), 1, 0, 0),
			 GZ_OK);
	m->vgic.ctlr = 3;
	m->vgic.cpu[0].priv[20].flags |= GZ_VGIC_IRQ_ENABLED;
	m->vgic.cpu[0].vmcr = ~0ULL;
	if (gz_vgic_vcpu_pending(&m->vgic, 0)) {
		assert_int_equal(run_irq(esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0), GZVM_EXIT_IRQ);
	}
}

/* Every look at a vCPU's pending interrupts (it takes the vGIC's lock), counted; the counter
 * value of the last read before the first one that found something. */
static unsigned nr_pending_asks;
static uint64_t last_read, woke_at;
bool __real_gz_vgic_vcpu_pending(struct gz_vgic *vgic, unsigned vcpu);
bool __wrap_gz_vgic_vcpu_pending(struct gz_vgic *vgic, unsigned vcpu);
bool __wrap_gz_vgic_vcpu_pending(struct gz_vgic *vgic, unsigned vcpu)
{
	bool r = __real_gz_vgic_vcpu_pending(vgic, vcpu);

	nr_pending_asks++;
	if (r && !woke_at)
		woke_at = last_read;
	return r;
}

/* Halt polling: a WFI spins for a wake-up (adaptively, up to the HAL's maximum) before the
 * IDLE exit; a wake-up within the window re-enters the guest without the host. */
static uint64_t hook_at; /* the counter value at which PPI 20 rises (0: never) */

static void sgi_after_reads(uint64_t now, void *arg)
{
	struct gz_vm *m = arg;

	last_read = now;
	/* (not inside a locked region of the core: a device raises its line from outside) */
	if (hook_at && now >= hook_at && fake_hal_locks_held() == 0) {
		hook_at = 0;
		assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_HIGH), GZ_OK);
	}
}

static void halt_polling_setup(struct gz_vm *m)
{
	m->idle_cap = true;
	m->vgic.ctlr = 3;
	m->vgic.cpu[0].priv[20].flags |= GZ_VGIC_IRQ_ENABLED;
	m->vgic.cpu[0].vmcr = ~0ULL;
}

static void test_halt_polling(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	const uint64_t wfi = esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI);
	uint64_t t0;

	(void)state;
	m->idle_cap = true;
	m->vgic.ctlr = 3;
	m->vgic.cpu[0].priv[20].flags |= GZ_VGIC_IRQ_ENABLED;
	m->vgic.cpu[0].vmcr = ~0ULL;
	fake_hal_set_idle_poll(800, 10); /* at most 800 ticks; each counter read takes 10 */
	fake_hal_set_cntpct_hook(sgi_after_reads, m);
	/* first WFI: no history, no polling */
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(v0->poll_ticks, 0);
	/* woken soon after: the next RUN polls an eighth of the maximum, and an interrupt that
	 * arrives while it polls wakes the guest without an IDLE exit */
	hook_at = gz_hal_cntpct() + 70; /* the RUN reads the counter 4 times before polling */
	assert_int_equal(run_irq(wfi, 0, 0), GZVM_EXIT_IRQ);
	assert_int_equal(v0->poll_ticks, 100);
	assert_int_equal(v0->nr_polled_wakes, 1);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_LOW), GZ_OK);
	m->vgic.cpu[0].priv[20].flags &= ~GZ_VGIC_IRQ_ENABLED;
	/* nothing arrives: the poll ends after its window, then the IDLE exit */
	t0 = gz_hal_cntpct();
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_true(gz_hal_cntpct() - t0 >= 100);
	assert_int_equal(v0->nr_polled_wakes, 1);
	/* woken within the maximum again: the window doubles; a host interrupt ends it at once */
	fake_hal_set_host_irq(true);
	t0 = gz_hal_cntpct();
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(v0->poll_ticks, 200);
	assert_true(gz_hal_cntpct() - t0 < 200);
	fake_hal_set_host_irq(false);
	/* a long sleep: the window halves */
	fake_hal_set_cntpct(gz_hal_cntpct() + 100000);
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(v0->poll_ticks, 100);
	/* without polling from the HAL the window stays shut */
	fake_hal_set_idle_poll(0, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(v0->poll_ticks, 0);
	/* the emulated physical timer firing while the vCPU polls wakes it as well (its PPI
	 * is not even enabled at the vGIC: the guest may be polling the timer itself) */
	fake_hal_set_idle_poll(800, 10);
	v0->poll_ticks = 400;
	v0->ctx.cntp_ctl = CNT_CTL_ENABLE;
	v0->ctx.cntp_cval = gz_ptimer_count(&v0->ctx, gz_hal_cntpct()) + 150;
	assert_int_equal(run_irq(wfi, 0, 0), GZVM_EXIT_IRQ);
	assert_int_equal(v0->nr_polled_wakes, 2);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
}

/* The window adapts to when the wake-up came (the first kick after the IDLE exit), not to when
 * the host's thread ran the vCPU again: a host slower than the maximum to wake its thread
 * still opens the window of a vCPU kicked soon after its IDLE exit, and a kick later than
 * the maximum still halves it however soon the thread runs after it. */
static void test_poll_adapts_to_kick(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	const uint64_t wfi = esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI);

	(void)state;
	halt_polling_setup(m);
	fake_hal_set_idle_poll(800, 10);
	/* no history: the IDLE exit at once */
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(v0->poll_ticks, 0);
	/* kicked 50 ticks after its IDLE exit, running again 100,000 ticks later */
	fake_hal_set_cntpct(gz_hal_cntpct() + 50);
	assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_HIGH), GZ_OK);
	assert_true(v0->woken_at != 0);
	fake_hal_set_cntpct(gz_hal_cntpct() + 100000);
	assert_int_equal(run_irq(wfi, 0, 0), GZVM_EXIT_IRQ);
	assert_int_equal(v0->poll_ticks, 100); /* opened: an eighth of the maximum */
	assert_int_equal(v0->woken_at, 0);     /* taken by the RUN */
	assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_LOW), GZ_OK);
	/* nothing comes within the window: the IDLE exit; then a kick 1,000 ticks after it,
	 * and the thread at once: the window halves */
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	fake_hal_set_cntpct(gz_hal_cntpct() + 1000);
	assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_HIGH), GZ_OK);
	assert_int_equal(run_irq(wfi, 0, 0), GZVM_EXIT_IRQ);
	assert_int_equal(v0->poll_ticks, 50);
	assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_LOW), GZ_OK);
	/* a kick while the vCPU runs is no wake-up of a sleeping thread: nothing recorded */
	v0->running = true;
	assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_HIGH), GZ_OK);
	v0->running = false;
	assert_int_equal(v0->woken_at, 0);
}

/* A polling vCPU looks at the vGIC (under its lock, which the vCPU sending it an interrupt
 * needs) every eighth round, or in the round after a kick for it: an interrupt that arrives
 * wakes it at once, and the lock is mostly free meanwhile. */
static void test_poll_vgic_lock(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	const uint64_t wfi = esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI);
	uint64_t t0, rounds;

	(void)state;
	halt_polling_setup(m);
	fake_hal_set_idle_poll(800, 10); /* 80 rounds of one counter read */
	fake_hal_set_cntpct_hook(sgi_after_reads, m);
	v0->poll_ticks = 800;
	/* nothing arrives: one look in eight rounds (and the WFI's own, and the last) */
	nr_pending_asks = 0;
	t0 = gz_hal_cntpct();
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	rounds = (gz_hal_cntpct() - t0) / 10;
	assert_true(rounds >= 80);
	assert_true(nr_pending_asks >= 80 / 8);
	assert_true(nr_pending_asks <= rounds / 8 + 3);
	/* an interrupt 3 rounds into a poll (not a round the poll looks anyway): seen in the
	 * round after its kick */
	v0->went_idle = false;
	v0->poll_ticks = 800;
	woke_at = 0;
	t0 = gz_hal_cntpct() + 5 * 10 + 3 * 10; /* the RUN's 5 reads before the poll */
	hook_at = t0;
	assert_int_equal(run_irq(wfi, 0, 0), GZVM_EXIT_IRQ);
	assert_int_equal(v0->nr_polled_wakes, 1);
	assert_true(woke_at >= t0);
	assert_true(woke_at - t0 <= 10);
}

/* A vCPU whose own timer is due within four poll maxima waits for it at EL2, with or without
 * a polling history; a later one, or a host interrupt, still means the IDLE exit. */
static void test_timer_poll(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	const uint64_t wfi = esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI);
	uint64_t t0;

	(void)state;
	m->idle_cap = true;
	fake_hal_set_idle_poll(800, 10);
	v0->poll_ticks = 0; /* no history: the adaptive window is shut */
	v0->ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	/* due in 3,000 ticks (<= 4 x 800): the guest resumes once it fired, not the host */
	t0 = gz_hal_cntpct();
	v0->ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = t0 - m->cntvoff + 3000;
	assert_int_equal(run_irq(wfi, 0, 0), GZVM_EXIT_IRQ);
	assert_int_equal(v0->nr_polled_wakes, 1);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	assert_true(gz_hal_cntpct() - t0 >= 3000);
	assert_int_equal(v0->poll_ticks, 0); /* the window itself did not change */
	/* masked: not a wake-up to wait for */
	t0 = gz_hal_cntpct();
	v0->ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE | CNT_CTL_IMASK;
	v0->ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = t0 - m->cntvoff + 1000;
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_true(gz_hal_cntpct() - t0 < 1000);
	/* due later than 3,200 ticks: the IDLE exit at once, with the delay for the host */
	v0->ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	v0->went_idle = false;
	t0 = gz_hal_cntpct();
	v0->ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = t0 - m->cntvoff + 4000;
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_true(gz_hal_cntpct() - t0 < 1000);
	assert_int_equal(v0->hwstate->vtimer_migrate, 1);
	assert_true(v0->hwstate->vtimer_delay > 3000);
	/* a host interrupt ends the wait for a timer due soon */
	fake_hal_set_host_irq(true);
	v0->went_idle = false;
	t0 = gz_hal_cntpct();
	v0->ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = t0 - m->cntvoff + 2000;
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_true(gz_hal_cntpct() - t0 < 1000);
	fake_hal_set_host_irq(false);
	assert_int_equal(v0->nr_polled_wakes, 1);
	/* the simulator's HAL does not poll: no wait either */
	fake_hal_set_idle_poll(0, 10);
	v0->went_idle = false;
	t0 = gz_hal_cntpct();
	v0->ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = t0 - m->cntvoff + 2000;
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_true(gz_hal_cntpct() - t0 < 1000);
}

static void test_async_outcomes(void **state)
{
	uint32_t reason;
	uint64_t data[20];

	(void)state;
	/* internal-error data is capped at the run page's 16 words */
	for (int i = 0; i < 20; i++)
		data[i] = (uint64_t)i;
	gz_vcpu_exit_internal(v0, 9, data, 20);
	assert_int_equal(v0->run->internal.ndata, 16);
	assert_int_equal(v0->run->internal.data[15], 15);
	vfix_push(GZ_EXIT_KIND_SERROR, 0xbe000000, 0, 0, guest_at, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(v0->run->internal.suberror, GZ_INTERNAL_SERROR);
	assert_int_equal(v0->run->internal.data[0], 0xbe000000);
	assert_int_equal(run_one(esr_ec(ESR_EC_BRK64, 0), 0, 0), GZVM_EXIT_DEBUG);
	vfix_push(GZ_EXIT_KIND_FAIL_ENTRY, 0, 0, 0, NULL, NULL);
	fake_hal_set_cpu_id(1);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_FAIL_ENTRY);
	assert_int_equal(v0->run->fail_entry.cpu, 1);
	/* a guest-unknown instruction: UNDEF */
	run_irq(esr_ec(ESR_EC_UNKNOWN, 0), 0, 0);
	assert_int_equal(v0->ctx.pc, 0x80010200);
	assert_int_equal(v0->ctx.elr_el1, 0x80000000);
}

static void set_x5(struct gz_cpu_ctx *ctx, void *arg)
{
	guest_at(ctx, arg);
	ctx->x[5] = *(uint64_t *)arg;
}

static void test_sysregs(void **state)
{
	static uint64_t sgi = (1ULL << 24) | 0x2; /* SGI 1 to Aff0 1 */

	(void)state;
	/* SGI1R write: handled by the vGIC, the PC moves on */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, SYS_ISS(3, 0, 12, 11, 5, 5, 0)), 0, 0,
		  set_x5, &sgi);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	/* ASGI1R and SGI0R too */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, SYS_ISS(3, 0, 12, 11, 6, 5, 0)), 0, 0,
		  set_x5, &sgi);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, SYS_ISS(3, 0, 12, 11, 7, 5, 0)), 0, 0,
		  set_x5, &sgi);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	/* reading an SGI register, writing the physical counter, an unknown register: UNDEF */
	static const uint32_t undef[] = {
	    SYS_ISS(3, 0, 12, 11, 5, 5, 1),
	    SYS_ISS(3, 3, 14, 0, 1, 5, 0),
	    SYS_ISS(3, 0, 15, 0, 0, 5, 1),
	};
	for (size_t i = 0; i < sizeof(undef) / sizeof(undef[0]); i++) {
		run_irq(esr_ec(ESR_EC_SYS64, undef[i]), 0, 0);
		assert_int_equal(v0->ctx.pc, 0x80010200);
		assert_int_equal(v0->ctx.elr_el1, 0x80000000);
	}
	/* data cache maintenance by set/way (DC ISW, CSW, CISW): completed, nothing to do */
	static const uint32_t setway[] = {
	    SYS_ISS(1, 0, 7, 6, 2, 9, 0),
	    SYS_ISS(1, 0, 7, 10, 2, 9, 0),
	    SYS_ISS(1, 0, 7, 14, 2, 9, 0),
	};
	for (size_t i = 0; i < sizeof(setway) / sizeof(setway[0]); i++) {
		run_irq(esr_ec(ESR_EC_SYS64, setway[i]), 0, 0);
		assert_int_equal(v0->ctx.pc, 0x80000004);
	}
	/* ... but not by VA, and no SYSL form of them */
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(1, 3, 7, 14, 1, 9, 0)), 0, 0);
	assert_int_equal(v0->ctx.pc, 0x80010200);
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(1, 0, 7, 6, 2, 9, 1)), 0, 0);
	assert_int_equal(v0->ctx.pc, 0x80010200);
}

static bool ppi30_line(void)
{
	struct gz_vgic_irq_info info;

	assert_int_equal(gz_vgic_irq_info(&gz_vm_get(vm)->vgic, 0, ARCH_GIC_PPI_PTIMER, &info),
			 GZ_OK);
	return info.line;
}

/* One trapped MRS/MSR of (op0, op1, crn, crm, op2) with x5; returns x5 after it. */
static uint64_t ptimer_access(unsigned crm, unsigned op2, bool read, uint64_t x5)
{
	static uint64_t val;

	val = x5;
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, SYS_ISS(3, 3, 14, crm, op2, 5, read)), 0,
		  0, set_x5, &val);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.pc, 0x80000004); /* emulated: the PC moves on */
	return vfix_guest.last.x[5];
}

/* The EL1 physical timer, trapped and emulated: its registers read and written as the
 * architecture says against the VM's offset counter, its PPI 30 line, the exit deadline it
 * gives the HAL, the trap configuration. */
static void test_ptimer_sysregs(void **state)
{
	struct gz_cpu_ctx *c = &v0->ctx;
	uint64_t off = c->cntpoff;

	(void)state;
	assert_int_equal(off, gz_vm_get(vm)->cntvoff); /* physical count = virtual count */
	/* the counter traps once it is offset; the timer always */
	assert_int_equal(c->cnthctl_el2, off ? 0 : CNTHCTL_EL1PCTEN);
	fake_hal_set_cntpct(off + 1000);
	assert_int_equal(ptimer_access(0, 1, true, 0), 1000); /* CNTPCT_EL0 */
	ptimer_access(2, 2, false, 1500);		      /* CVAL */
	assert_int_equal(ptimer_access(2, 0, true, 0), 500);  /* TVAL = CVAL - count */
	assert_int_equal(ptimer_access(2, 2, true, 0), 1500);
	assert_int_equal(ptimer_access(2, 1, true, 0), 0);	      /* CTL: off */
	ptimer_access(2, 1, false, CNT_CTL_ENABLE | CNT_CTL_ISTATUS); /* ISTATUS is read-only */
	assert_int_equal(ptimer_access(2, 1, true, 0), CNT_CTL_ENABLE);
	assert_false(ppi30_line());
	assert_int_equal(c->exit_at, off + 1500); /* the HAL brings the vCPU back then */
	/* the condition met: ISTATUS, the line, no deadline any more */
	fake_hal_set_cntpct(off + 1500);
	assert_int_equal(ptimer_access(2, 1, true, 0), CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
	assert_true(ppi30_line());
	assert_int_equal(c->exit_at, 0);
	assert_int_equal((uint32_t)ptimer_access(2, 0, true, 0), 0);
	fake_hal_set_cntpct(off + 1510);
	assert_int_equal((uint32_t)ptimer_access(2, 0, true, 0), (uint32_t)-10);
	/* masked: the line drops at the write itself, ISTATUS stays */
	ptimer_access(2, 1, false, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	assert_false(ppi30_line());
	assert_int_equal(ptimer_access(2, 1, true, 0),
			 CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS);
	/* TVAL writes are signed and relative to the count */
	ptimer_access(2, 1, false, CNT_CTL_ENABLE);
	assert_true(ppi30_line());
	ptimer_access(2, 0, false, 0xffffff00ULL); /* -256: the past */
	assert_int_equal(ptimer_access(2, 2, true, 0), 1510 - 256);
	ptimer_access(2, 0, false, 90);
	assert_int_equal(ptimer_access(2, 2, true, 0), 1600);
	assert_false(ppi30_line());
	assert_int_equal(c->exit_at, off + 1600);
	/* disabled: no line, no deadline */
	ptimer_access(2, 1, false, 0);
	assert_int_equal(c->exit_at, 0);
}

static void x5_poison(struct gz_cpu_ctx *ctx, void *arg)
{
	guest_at(ctx, arg);
	ctx->x[5] = 0xdeadbeefULL;
}

/* Trapped reads into x5 (poisoned first): the guest resumes past each with its value. */
struct sys_read {
	uint32_t iss;
	uint64_t reads;
};

static void check_reads(const struct sys_read *regs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, regs[i].iss), 0, 0, x5_poison,
			  NULL);
		vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
		assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
		assert_int_equal(vfix_guest.last.pc, 0x80000004);
		assert_int_equal(vfix_guest.last.x[5], regs[i].reads);
	}
}

/* The debug registers opengz does not emulate: trapped (MDCR_EL2) and read-as-zero/writes-
 * ignored; the PMU's (trapped too, so a guest cannot read the host's counts) at reset, nothing
 * counting (test_pmu.c has the rest); other registers stay UNDEF. */
static void test_debug_pmu_raz_wi(void **state)
{
	static const struct sys_read regs[] = {
	    {SYS_ISS(2, 0, 1, 1, 4, 5, 1), OSLSR_OSLM_IMPLEMENTED}, /* OSLSR_EL1 */
	    {SYS_ISS(2, 0, 1, 0, 0, 5, 1), 0},			    /* MDRAR_EL1 */
	    {SYS_ISS(2, 3, 0, 1, 0, 5, 1), 0},			    /* MDCCSR_EL0 */
	    {SYS_ISS(3, 3, 9, 12, 0, 5, 1), 4 << 11},		    /* PMCR_EL0: N = 4 */
	    {SYS_ISS(3, 3, 9, 13, 0, 5, 1), 0},			    /* PMCCNTR_EL0 */
	    {SYS_ISS(3, 0, 9, 14, 1, 5, 1), 0},			    /* PMINTENSET_EL1 */
	    {SYS_ISS(3, 3, 14, 8, 3, 5, 1), 0},			    /* PMEVCNTR3_EL0 */
	    {SYS_ISS(3, 3, 14, 15, 7, 5, 1), 0},		    /* PMCCFILTR_EL0 */
	};
	static const uint32_t writes[] = {
	    SYS_ISS(2, 0, 1, 3, 4, 5, 0),   /* OSDLR_EL1 */
	    SYS_ISS(3, 3, 9, 12, 0, 5, 0),  /* PMCR_EL0 */
	    SYS_ISS(3, 3, 14, 12, 0, 5, 0), /* PMEVTYPER0_EL0 */
	};

	(void)state;
	assert_int_equal(v0->ctx.mdcr_el2, MDCR_GUEST_FLAGS);
	check_reads(regs, GZ_ARRAY_SIZE(regs));
	for (size_t i = 0; i < GZ_ARRAY_SIZE(writes); i++) {
		run_irq(esr_ec(ESR_EC_SYS64, writes[i]), 0, 0);
		assert_int_equal(v0->ctx.pc, 0x80000004);
	}
	/* next to the PMU but not of it (CRm 11 of CRn 9), and a write to XZR reads nothing */
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(3, 0, 9, 11, 0, 5, 1)), 0, 0);
	assert_int_equal(v0->ctx.pc, 0x80010200);
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(2, 0, 0, 0, 4, 31, 1)), 0, 0);
	assert_int_equal(v0->ctx.pc, 0x80000004);
}

/* A trapped write of @val to the register of @iss, then a read of it back into x5; the guest's
 * context after the read. */
static const struct gz_cpu_ctx *write_read(uint32_t iss, uint64_t val)
{
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, iss & ~1u), 0, 0, set_x5, &val);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, iss | 1), 0, 0, x5_poison, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	return &vfix_guest.last;
}

/* The guest's own debug unit (sysreg_dbg.c): breakpoints, watchpoints, MDSCR_EL1 and the OS
 * lock kept per vCPU with the bits each implements, as many as the VM's ID_AA64DFR0_EL1 says
 * (here of a CPU whose registers are all zero: one of each); what the CPU gets of MDSCR_EL1
 * has no enable while the OS lock is locked; an emulated instruction completes a step. */
static void test_debug_registers(void **state)
{
	const struct gz_cpu_ctx *c;

	(void)state;
	assert_int_equal(v0->ctx.dbg.nr_bps, 1);
	assert_int_equal(v0->ctx.dbg.nr_wps, 1);
	c = write_read(SYS_ISS(2, 0, 0, 0, 4, 5, 0), 0xffff800012345677ULL); /* DBGBVR0 */
	assert_int_equal(c->x[5], 0xffff800012345674ULL);
	c = write_read(SYS_ISS(2, 0, 0, 0, 5, 5, 0), ~0ULL); /* DBGBCR0 */
	assert_int_equal(c->x[5], DBGBCR_WRITABLE);
	c = write_read(SYS_ISS(2, 0, 0, 0, 6, 5, 0), 0x80000003ULL); /* DBGWVR0 */
	assert_int_equal(c->x[5], 0x80000000ULL);
	c = write_read(SYS_ISS(2, 0, 0, 0, 7, 5, 0), ~0ULL); /* DBGWCR0 */
	assert_int_equal(c->x[5], DBGWCR_WRITABLE);
	assert_int_equal(v0->ctx.dbg.bcr[0], DBGBCR_WRITABLE);
	assert_int_equal(v0->ctx.dbg.wvr[0], 0x80000000ULL);
	c = write_read(SYS_ISS(2, 0, 0, 2, 2, 5, 0), ~0ULL); /* MDSCR_EL1 */
	assert_int_equal(c->x[5], MDSCR_WRITABLE);
	assert_int_equal(c->sys[GZ_SYS_MDSCR_EL1], MDSCR_WRITABLE);
	/* the OS lock: the guest still reads its MDSCR, the CPU gets no enable */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, SYS_ISS(2, 0, 1, 0, 4, 5, 0)), 0, 0,
		  set_x5, &(uint64_t){1}); /* OSLAR_EL1 = 1 */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(2, 0, 1, 1, 4, 5, 1)), 0, 0); /* OSLSR_EL1 */
	assert_int_equal(v0->ctx.x[5], OSLSR_OSLM_IMPLEMENTED | OSLSR_OSLK);
	assert_int_equal(v0->ctx.sys[GZ_SYS_MDSCR_EL1], MDSCR_TDCC);
	assert_int_equal(v0->ctx.dbg.mdscr, MDSCR_WRITABLE);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, SYS_ISS(2, 0, 1, 0, 4, 31, 0)), 0, 0,
		  guest_at, NULL); /* OSLAR_EL1 = 0 (XZR) */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(v0->ctx.sys[GZ_SYS_MDSCR_EL1], MDSCR_WRITABLE);
	/* past the counts, OSLAR read, OSLSR write: UNDEFINED */
	static const uint32_t undef[] = {
	    SYS_ISS(2, 0, 0, 1, 4, 5, 1), SYS_ISS(2, 0, 0, 1, 5, 5, 0),
	    SYS_ISS(2, 0, 0, 1, 6, 5, 1), SYS_ISS(2, 0, 0, 15, 7, 5, 0),
	    SYS_ISS(2, 0, 1, 0, 4, 5, 1), SYS_ISS(2, 0, 1, 1, 4, 5, 0),
	};
	for (size_t i = 0; i < GZ_ARRAY_SIZE(undef); i++) {
		run_irq(esr_ec(ESR_EC_SYS64, undef[i]), 0, 0);
		assert_int_equal(v0->ctx.pc, 0x80010200);
	}
}

/* An instruction the hypervisor emulates while the guest steps it: PSTATE.SS clear after it,
 * so the step exception comes before the next one. */
static void ss_set(struct gz_cpu_ctx *ctx, void *arg)
{
	guest_at(ctx, arg);
	ctx->pstate |= PSR_SS;
}

static void test_emulated_insn_completes_step(void **state)
{
	(void)state;
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_SYS64, SYS_ISS(2, 0, 0, 2, 2, 5, 1)), 0, 0,
		  ss_set, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	assert_false(vfix_guest.last.pstate & PSR_SS);
}

/* ID registers: trapped (HCR_EL2.TID3) and read from the VM's view (sysreg_id.c; here of a
 * CPU whose registers are all zero: only what opengz sets shows); AArch32 and unallocated
 * encodings read as zero, a write is UNDEFINED, and what is next to the ID space stays UNDEF. */
static void test_id_registers(void **state)
{
	static const struct sys_read regs[] = {
	    {SYS_ISS(3, 0, 0, 4, 0, 5, 1), 0x01000011},	  /* ID_AA64PFR0_EL1 */
	    {SYS_ISS(3, 0, 0, 5, 0, 5, 1), 0xf000000106}, /* ID_AA64DFR0_EL1 */
	    {SYS_ISS(3, 0, 0, 6, 0, 5, 1), 0},		  /* ID_AA64ISAR0_EL1 */
	    {SYS_ISS(3, 0, 0, 7, 7, 5, 1), 0},		  /* unallocated */
	    {SYS_ISS(3, 0, 0, 1, 0, 5, 1), 0},		  /* ID_PFR0_EL1 (AArch32) */
	    {SYS_ISS(3, 0, 0, 3, 0, 5, 1), 0},		  /* MVFR0_EL1 */
	};

	(void)state;
	assert_true(v0->ctx.hcr_el2 & HCR_TID3);
	check_reads(regs, GZ_ARRAY_SIZE(regs));
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(3, 0, 0, 5, 0, 5, 0)), 0, 0); /* a write */
	assert_int_equal(v0->ctx.pc, 0x80010200);
	assert_int_equal(v0->ctx.elr_el1, 0x80000000);
	assert_int_equal(v0->ctx.sys[GZ_SYS_ESR_EL1] >> ESR_EC_SHIFT, ESR_EC_UNKNOWN);
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(3, 0, 0, 0, 6, 5, 1)), 0, 0); /* CRm 0 */
	assert_int_equal(v0->ctx.pc, 0x80010200);
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(3, 1, 0, 4, 0, 5, 1)), 0, 0); /* op1 1 */
	assert_int_equal(v0->ctx.pc, 0x80010200);
	run_irq(esr_ec(ESR_EC_SYS64, SYS_ISS(3, 0, 0, 8, 0, 5, 1)), 0, 0); /* CRm 8 */
	assert_int_equal(v0->ctx.pc, 0x80010200);
}

static gz_pa_t put_dist(void)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(200);
	struct gzvm_create_device *d = gz_hal_pa_to_va(pa);

	memset(d, 0, sizeof(*d));
	d->dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST;
	d->dev_addr = 0x3fff0000;
	d->dev_reg_size = 0x10000;
	return pa;
}

static void test_vgic_mmio(void **state)
{
	(void)state;
	assert_int_equal(hstatus(GZ_HVC_CREATE_DEVICE, vm, put_dist(), 0, 0, 0), GZ_OK);
	/* LDR W3, GICD_TYPER: emulated in the hypervisor */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 3, false, false, 0x07),
		  ARCH_GICD_TYPER, hpfar_of(0x3fff0000), guest_at, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.pc, 0x80000004);
	assert_int_equal(vfix_guest.last.x[3] & ARCH_GICD_TYPER_ITLINES,
			 GZ_VM_NR_SPIS / 32); /* (256 + 32) / 32 - 1 */
	/* the same read by a big-endian guest: the bytes arrive swapped */
	uint64_t typer = vfix_guest.last.x[3];
	v0->ctx.sys[GZ_SYS_SCTLR_EL1] = SCTLR_EL1_EE;
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 3, false, false, 0x07),
		  ARCH_GICD_TYPER, hpfar_of(0x3fff0000), guest_at, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.x[3], __builtin_bswap32((uint32_t)typer));
	v0->ctx.sys[GZ_SYS_SCTLR_EL1] = 0;
	/* STR W3 to GICD_CTLR */
	uint32_t rr;
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 3, false, true, 0x07), ARCH_GICD_CTLR,
		  hpfar_of(0x3fff0000), guest_at, NULL);
	vfix_run(vm, 0, &rr);
	/* enabling the distributor kicks the other vCPU: the host must wake it */
	assert_int_equal(rr, GZVM_EXIT_IPI);
	assert_int_equal(v0->ctx.pc, 0x80000004);
	/* a byte access to GICD_CTLR (word-only): the guest gets an abort */
	uint64_t val;
	assert_true(gz_vgic_mmio(&gz_vm_get(vm)->vgic, 0, 0x3fff0000, 1, false, &val) < 0);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 0, false, 3, false, false, 0x07), 0x0,
		  hpfar_of(0x3fff0000), guest_at, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	vfix_run(vm, 0, NULL);
	assert_int_equal(vfix_guest.last.pc, 0x80010200);
	/* outside the frames: an MMIO exit */
	assert_int_equal(
	    run_one(esr_dabt(true, 2, false, 3, false, false, 0x07), 0x0, hpfar_of(0x3ffe0000)),
	    GZVM_EXIT_MMIO);
}

static void wfi_loop(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)ctx, (void)arg;
}

/* The guest completes the interrupt in its LR: hwstate shows the LR as the guest left it. */
static void guest_eoi(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)ctx, (void)arg;
	uint64_t lr = fake_hal_ich(GZ_ICH_LR(0));
	fake_hal_set_ich(GZ_ICH_LR(0), lr & ~ARCH_ICH_LR_STATE);
}

static void test_hwstate_lrs(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	struct gzvm_vcpu_hwstate *hw = vfix_hwstate(vm, 0);
	uint64_t gicd_ctlr = 3;

	(void)state;
	assert_int_equal(hstatus(GZ_HVC_CREATE_DEVICE, vm, put_dist(), 0, 0, 0), GZ_OK);
	/* the guest enables the distributor, SPI 32 and its CPU interface */
	assert_int_equal(
	    gz_vgic_mmio(&m->vgic, 0, 0x3fff0000 + ARCH_GICD_CTLR, 4, true, &gicd_ctlr), GZ_OK);
	uint64_t en = 1;
	assert_int_equal(gz_vgic_mmio(&m->vgic, 0, 0x3fff0000 + 0x104, 4, true, &en), GZ_OK);
	m->vgic.cpu[0].vmcr = ~0ULL;
	assert_int_equal(hstatus(GZ_HVC_IRQ_LINE, gz_hvc_tuple(vm, 0), 0, 1, 0, 0), GZ_OK);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, guest_eoi, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(hw->nr_lrs, 1);
	assert_int_equal(hw->lr[0] & ARCH_ICH_LR_VINTID, 32);
	assert_int_equal(hw->lr[0] & ARCH_ICH_LR_STATE, 0);
	assert_int_equal(hw->lr[1], 0);
	/* while the guest has not taken it, it reads pending */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(hw->nr_lrs, 1);
	assert_true(hw->lr[0] & ARCH_ICH_LR_PENDING);
}

/* Direct calls of the run entry for states the host-call layer filters out first. */
static void test_run_entry_states(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	uint32_t reason;

	(void)state;
	assert_int_equal(gz_vcpu_run(m, 5, &reason), GZ_ERR_INVALID_ARGS);
	m->state = GZ_VM_DESTROYING;
	assert_int_equal(gz_vcpu_run(m, 0, &reason), GZ_ERR_BAD_STATE);
	m->state = GZ_VM_CREATED;
	/* a vGIC that refuses the vCPU (its affinity taken) refuses the vCPU */
	m->vgic.cpu[1].mpidr = gz_vcpu_mpidr(2);
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VCPU, gz_hvc_tuple(vm, 1), 0, 0, 0, 0), GZ_OK);
	assert_int_equal(vfix_create_vcpu(vm, 2), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_pgstate_state(VFIX_SHARED(vm, 2)), GZ_PAGE_OWNED);
}

static void test_budget(void **state)
{
	uint32_t reason;

	(void)state;
	for (int i = 0; i < GZ_VCPU_RUN_BUDGET + 5; i++)
		vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0, wfi_loop,
			  NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_GZ);
	assert_int_equal(vfix_guest.entries, GZ_VCPU_RUN_BUDGET);
}

/* The exit log in the hwstate page (gzhyp/exit_log.h), once the host turned it on: every exit
 * the run loop finishes, with its syndrome, PC and the ticks until the next entry; the one that
 * ends the RUN last. Off, nothing. */
static void tick(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)ctx, (void)arg;
	fake_hal_set_cntpct(gz_hal_cntpct() + 10);
}

static void test_exit_log(void **state)
{
	struct gz_exit_log *l =
	    (struct gz_exit_log *)((char *)vfix_hwstate(vm, 0) + GZ_EXIT_LOG_OFFSET);
	uint64_t wfi = esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI);
	uint32_t reason;

	(void)state;
	run_irq(wfi, 0, 0);
	assert_int_equal(l->head, 0);
	l->on = 1;
	fake_hal_set_cntpct(1000);
	vfix_push(GZ_EXIT_KIND_SYNC, wfi, 0, 0, guest_at, NULL);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, tick, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(l->head, 2);
	assert_int_equal(l->rec[0].esr, wfi);
	assert_int_equal(l->rec[0].handler, GZ_EXIT_LOG_CORE);
	assert_int_equal(l->rec[0].kind, GZ_EXIT_KIND_SYNC);
	assert_int_equal(l->rec[0].t_exit, 1000);
	assert_int_equal(l->rec[0].pc, 0x80000000);
	assert_int_equal(l->rec[0].cost, 0); /* the clock stood still until the next entry */
	assert_int_equal(l->rec[1].kind, GZ_EXIT_KIND_IRQ);
	assert_int_equal(l->rec[1].pc, 0x80000004); /* past the WFI */
	assert_int_equal(l->rec[1].t_exit, 1010);
	assert_int_equal(l->rec[1].handler, GZ_EXIT_LOG_HOST);
	assert_int_equal(l->rec[1].cost, 0); /* known at the next entry */
	fake_hal_set_cntpct(1100);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(l->rec[1].cost, 1100 - 1010);
	assert_int_equal(l->head, 3);
	/* the run loop's budget ends a RUN before it could fill the log (the fast path's exits
	 * do not count against the budget: test_exit_fast.c) */
	for (int i = 0; i < GZ_VCPU_RUN_BUDGET + 5; i++)
		vfix_push(GZ_EXIT_KIND_SYNC, wfi, 0, 0, wfi_loop, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_GZ);
	assert_int_equal(l->head, 3 + GZ_VCPU_RUN_BUDGET);
	_Static_assert(GZ_VCPU_RUN_BUDGET < GZ_EXIT_LOG_NR, "the budget comes first");
	l->on = 0;
	vfix_guest_reset();
}

/* Another CPU's vGIC makes an interrupt pending for vCPU 1 and kicks it. */
static void kick_other(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)ctx;
	struct gz_vm *m = arg;
	m->vgic.ops->kick(m->vgic.ops_ctx, 1);
}

static void kick_self(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)ctx;
	struct gz_vm *m = arg;
	m->kick_mask |= 1;
}

static void power_off(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)ctx;
	struct gz_vm *m = arg;
	m->state = GZ_VM_OFF;
	m->sys_event = GZVM_SYSTEM_EVENT_RESET;
}

static void test_kick_and_power_off(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	uint32_t reason;

	(void)state;
	/* a kick for this vCPU alone does not leave the guest */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0, kick_self, m);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	/* a kick for another vCPU outside a RUN: IPI exit so the host wakes it; the kick
	 * itself stays for that vCPU's next entry */
	fake_hal_clear_ops();
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0, kick_other, m);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IPI);
	assert_int_equal(m->wake_mask, 0);
	assert_int_equal(m->kick_mask, 2);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_VCPU_KICK), 0);
	m->kick_mask = 0;
	/* another vCPU powered the VM off while this one ran */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0, power_off, m);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(v0->run->system_event.type, GZVM_SYSTEM_EVENT_RESET);
}

/* A kick for a vCPU inside its RUN (in its guest or polling at EL2) interrupts it where it
 * runs and costs the sender no trip to the host: no IPI exit, no host wake-up. */
static void test_kick_running_no_ipi(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	struct gz_vcpu *v1 = m->vcpus[1];
	size_t k;
	uint32_t reason;

	(void)state;
	v1->running = true; /* vCPU 1's RUN on another CPU */
	fake_hal_clear_ops();
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0, kick_other, m);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	/* the guest ran on to the host interrupt */
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	k = fake_hal_find_op(FAKE_OP_VCPU_KICK, 0);
	assert_int_not_equal(k, (size_t)-1);
	assert_ptr_equal((const void *)(uintptr_t)fake_hal_op(k)->a, &v1->ctx);
	assert_int_equal(m->wake_mask, 0);
	assert_int_equal(m->kick_mask, 2); /* vCPU 1 takes it at its next entry */
	v1->running = false;
	/* the same kick once vCPU 1's RUN is over: its thread may sleep, the host wakes it */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0, kick_other, m);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IPI);
	assert_int_equal(m->wake_mask, 0);
}

static unsigned seen_run_cpu;

/* vCPU 0's guest: where its RUN says it runs, and a device's interrupt for it meanwhile. */
static void note_run_cpu(struct gz_cpu_ctx *ctx, void *arg)
{
	struct gz_vm *m = arg;

	guest_at(ctx, NULL);
	seen_run_cpu = ctx->run_cpu;
	assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_HIGH), GZ_OK);
}

/* A vCPU inside its RUN tells the kick which CPU runs it (1 + its id), for a HAL that lets
 * the sender wait for that CPU's entry (gzhyp: gz_hal_vcpu_kick_settle); outside a RUN it
 * names none. */
static void test_kick_names_run_cpu(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	uint32_t reason;
	size_t k;

	(void)state;
	halt_polling_setup(m);
	fake_hal_set_cpu_id(2);
	fake_hal_clear_ops();
	seen_run_cpu = 0;
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI), 0, 0, note_run_cpu, m);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal(seen_run_cpu, 3);
	k = fake_hal_find_op(FAKE_OP_VCPU_KICK, 0);
	assert_int_not_equal(k, (size_t)-1);
	assert_ptr_equal((const void *)(uintptr_t)fake_hal_op(k)->a, &v0->ctx);
	assert_int_equal(fake_hal_op(k)->b, 3);
	assert_int_equal(v0->ctx.run_cpu, 0);
}

static struct gz_vm *entry_vm;
static bool entry_irq_armed;
static uint64_t entry_lr0; /* list register 0 when the guest ran */

/* A device raises PPI 20 for vCPU 0 as the HAL begins the entry: after the flush looked at
 * the vGIC, before the vCPU counted as loaded, so the kick interrupted nothing. */
static void irq_at_entry(const struct fake_op *op, void *arg)
{
	(void)arg;
	if (op->kind != FAKE_OP_VCPU_RUN || !entry_irq_armed)
		return;
	entry_irq_armed = false;
	assert_int_equal(gz_vgic_inject(&entry_vm->vgic, 0, 20, GZ_VGIC_LINE_HIGH), GZ_OK);
}

static void note_lr0(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	entry_lr0 = fake_hal_ich(GZ_ICH_LR(0));
}

/* The kick that races with an entry is not lost: the HAL finds the vCPU's kick bit after it
 * published the entry and does not enter; the core flushes again and the guest runs with the
 * interrupt in a list register (without the check it would run on without it until some
 * other exit: the host's next tick). */
static void test_kick_at_entry(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	uint32_t reason;

	(void)state;
	entry_vm = m;
	m->vgic.ctlr = 3;
	m->vgic.cpu[0].priv[20].flags |= GZ_VGIC_IRQ_ENABLED;
	m->vgic.cpu[0].vmcr = ~0ULL;
	entry_irq_armed = true;
	entry_lr0 = 0;
	fake_hal_set_op_hook(irq_at_entry, NULL);
	fake_hal_clear_ops();
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, note_lr0, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	fake_hal_set_op_hook(NULL, NULL);
	assert_false(entry_irq_armed);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	/* two entries begun, the guest entered once, with the interrupt pending in LR 0 */
	assert_int_equal(fake_hal_count_ops(FAKE_OP_VCPU_RUN), 2);
	assert_int_equal(vfix_guest.entries, 1);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, entry_lr0), 20);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_STATE, entry_lr0), ARCH_ICH_LR_STATE_PENDING);
	assert_int_equal(m->kick_mask, 0); /* taken by the entry that happened */
	assert_int_equal(m->wake_mask, 0); /* vCPU 0 was inside its RUN */
	assert_int_equal(gz_vgic_inject(&m->vgic, 0, 20, GZ_VGIC_LINE_LOW), GZ_OK);
	m->vgic.cpu[0].priv[20].flags &= ~GZ_VGIC_IRQ_ENABLED;
}

/* The vCPU's own timer, due at its entry, makes its interrupt pending (and kicks the vCPU)
 * before the flush takes the kicks: one entry, with the interrupt in LR 0, not an entry
 * given up again and again for its own kick. */
static void test_own_timer_at_entry(void **state)
{
	struct gz_vm *m = gz_vm_get(vm);
	uint32_t reason;

	(void)state;
	m->vgic.ctlr = 3;
	m->vgic.cpu[0].priv[GZ_VGIC_VTIMER_PPI].flags |= GZ_VGIC_IRQ_ENABLED;
	m->vgic.cpu[0].vmcr = ~0ULL;
	v0->ctx.sys[GZ_SYS_CNTV_CTL_EL0] = CNT_CTL_ENABLE;
	v0->ctx.sys[GZ_SYS_CNTV_CVAL_EL0] = 0; /* due */
	entry_lr0 = 0;
	fake_hal_clear_ops();
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, note_lr0, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_VCPU_RUN), 1);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, entry_lr0), GZ_VGIC_VTIMER_PPI);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_STATE, entry_lr0), ARCH_ICH_LR_STATE_PENDING);
}

static struct gz_vm *idle_vm;
static bool idle_kick_armed;

/* The other CPU's kick lands between the IDLE decision and the end of the RUN: it looks at
 * vCPU 0 while it still runs (so it wakes no host thread), just before the RUN's last lock. */
static void kick_before_run_end(gz_lock_t *lock, bool acquire, void *arg)
{
	(void)arg;
	if (!acquire || !idle_kick_armed || lock != &idle_vm->lock ||
	    v0->run->exit_reason != GZVM_EXIT_IDLE)
		return;
	idle_kick_armed = false;
	idle_vm->kick_mask |= 1;
}

/* A vCPU about to sleep in the host after a kick that woke no host thread: the RUN ends with
 * GZVM_EXIT_GZ, not IDLE, so the wake-up is not lost. */
static void test_idle_after_kick_does_not_sleep(void **state)
{
	const uint64_t wfi = esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFI);

	(void)state;
	idle_vm = gz_vm_get(vm);
	idle_vm->idle_cap = true;
	fake_hal_set_idle_poll(0, 0);
	/* without a kick: IDLE */
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_IDLE);
	assert_int_equal(v0->run->exit_reason, GZVM_EXIT_IDLE);
	/* with one after the last look at the vGIC: the host re-enters at once */
	v0->run->exit_reason = 0;
	idle_kick_armed = true;
	fake_hal_set_lock_hook(kick_before_run_end, NULL);
	assert_int_equal(run_one(wfi, 0, 0), GZVM_EXIT_GZ);
	fake_hal_set_lock_hook(NULL, NULL);
	assert_false(idle_kick_armed);
	assert_int_equal(v0->run->exit_reason, GZVM_EXIT_GZ);
	assert_int_equal(v0->ctx.pc, 0x80000004); /* the WFI is complete */
	/* the next entry takes the kick */
	run_irq(esr_ec(ESR_EC_WFX, ESR_WFX_TI_WFE), 0, 0);
	assert_int_equal(idle_vm->kick_mask, 0);
	/* a powered-off vCPU (CPU_OFF) stays parked whatever its kick bit says */
	idle_vm->kick_mask |= 1;
	v0->power = GZ_VCPU_OFF;
	{
		uint32_t reason;

		assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
		assert_int_equal(reason, GZVM_EXIT_IDLE);
	}
	v0->power = GZ_VCPU_ON;
	idle_vm->kick_mask = 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, vfix_cmocka_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_dispatch_table),
	    T(test_dabt_outcomes),
	    T(test_iabt_outcomes),
	    T(test_wfx),
	    T(test_async_outcomes),
	    T(test_sysregs),
	    T(test_ptimer_sysregs),
	    T(test_vgic_mmio),
	    T(test_debug_pmu_raz_wi),
	    T(test_debug_registers),
	    T(test_emulated_insn_completes_step),
	    T(test_id_registers),
	    T(test_halt_polling),
	    T(test_poll_adapts_to_kick),
	    T(test_timer_poll),
	    T(test_poll_vgic_lock),
	    T(test_budget),
	    T(test_exit_log),
	    T(test_run_entry_states),
	    T(test_hwstate_lrs),
	    T(test_kick_and_power_off),
	    T(test_kick_running_no_ipi),
	    T(test_kick_names_run_cpu),
	    T(test_kick_at_entry),
	    T(test_own_timer_at_entry),
	    T(test_idle_after_kick_does_not_sleep),
	    T(test_readonly_slot_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
