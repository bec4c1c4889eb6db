/* Unit tests of the LR allocator (vgic_lr.c): 40 pending interrupts through 1, 2, 4 and 16
 * list registers delivered exactly once in priority order; LR fields; level re-pend at EOI
 * and resample; active interrupts first and EOIcount; VMCR and active priorities saved and
 * restored; guest changes to an interrupt sitting in another vCPU's LR; error paths; the
 * busy summaries that the flush, sync and pending scans walk, through every state change. */
#include "vgic_test_env.h"

#include <gzhyp/vmid.h>

static void deliver_40(unsigned nr_lrs, bool edge)
{
	struct t_run r = {0};
	unsigned seen[128] = {0};

	t_setup(nr_lrs, 1, 64);
	t_enable(1);
	for (uint32_t i = 0; i < 40; i++) {
		uint32_t intid = 32 + i;

		t_spi(intid, (uint8_t)(((i * 7) % 16) << 4), edge);
		assert_int_equal(
		    gz_vgic_inject(&vg, 0, intid, edge ? GZ_VGIC_LINE_HIGH : GZ_VGIC_PULSE), GZ_OK);
	}
	t_run(0, &r, NULL);
	assert_int_equal(r.nr, 40);
	assert_int_equal(r.stuck, 0);
	for (unsigned i = 0; i < r.nr; i++) {
		assert_in_range(r.got[i], 32, 71);
		seen[r.got[i]]++;
		if (i)
			assert_true(vg.spi[r.got[i - 1] - 32].priority <=
				    vg.spi[r.got[i] - 32].priority);
	}
	for (unsigned i = 32; i < 72; i++)
		assert_int_equal(seen[i], 1);
	/* Nothing left anywhere. */
	for (uint32_t i = 32; i < 72; i++) {
		struct gz_vgic_irq_info info;

		assert_int_equal(gz_vgic_irq_info(&vg, 0, i, &info), GZ_OK);
		assert_false(info.pending);
		assert_false(info.active);
	}
}

static void test_40_irqs_4_lrs(void **s)
{
	(void)s;
	deliver_40(4, true);
	deliver_40(4, false);
}

static void test_40_irqs_other_lr_counts(void **s)
{
	(void)s;
	deliver_40(1, true);
	deliver_40(2, true);
	deliver_40(16, true);
	deliver_40(16, false);
}

static void test_lr_fields_and_hcr(void **s)
{
	(void)s;
	t_setup(4, 1, 32);
	t_enable(1);
	t_spi(40, 0x80, true);
	t_spi(41, 0x40, false);
	mw(0, T_DIST + ARCH_GICD_IGROUPR + 4, 4, ~(1u << 9)); /* SPI 41 -> group 0 */
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	gz_vgic_inject(&vg, 0, 41, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	uint64_t lr0 = fake_hal_ich(GZ_ICH_LR(0)), lr1 = fake_hal_ich(GZ_ICH_LR(1));

	/* Level SPI 41 first (priority 0x40): group 0, EOI maintenance; edge 40: group 1. */
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, lr0), 41);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_PRIORITY, lr0), 0x40);
	assert_false(lr0 & ARCH_ICH_LR_GROUP);
	assert_true(lr0 & ARCH_ICH_LR_EOI);
	assert_int_equal(model_lr_state(lr0), ARCH_ICH_LR_STATE_PENDING);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, lr1), 40);
	assert_true(lr1 & ARCH_ICH_LR_GROUP);
	assert_false(lr1 & ARCH_ICH_LR_EOI);
	assert_false(lr1 & ARCH_ICH_LR_HW);
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR), ARCH_ICH_HCR_EN);
	assert_int_equal(fake_hal_ich(GZ_ICH_LR(2)), 0);
	/* Second flush without sync is refused; the LRs of the run are visible. */
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_ERR_BAD_STATE);
	unsigned nr;
	const uint64_t *lrs = gz_vgic_lrs(&vg, 0, &nr);

	assert_int_equal(nr, 2);
	assert_int_equal(lrs[0], lr0);
	/* Guest acknowledges 41 and leaves it active: sync keeps it active. The line is still
	 * high, but a level line can drop with no exit (a guest reprogramming its timer), so
	 * the LR is active-only with EOI maintenance; the pending state is resampled then. */
	assert_int_equal(model_ack(4), 41);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	/* No maintenance was armed: En alone stays, with every LR invalid. */
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR), ARCH_ICH_HCR_EN);
	assert_int_equal(fake_hal_ich(GZ_ICH_LR(0)), 0);
	lrs = gz_vgic_lrs(&vg, 0, &nr);
	assert_int_equal(model_lr_state(lrs[0]), ARCH_ICH_LR_STATE_ACTIVE);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(model_lr_state(fake_hal_ich(GZ_ICH_LR(0))), ARCH_ICH_LR_STATE_ACTIVE);
	assert_true(fake_hal_ich(GZ_ICH_LR(0)) & ARCH_ICH_LR_EOI);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, fake_hal_ich(GZ_ICH_LR(0))), 41);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	/* Errors. */
	assert_int_equal(gz_vgic_flush(&vg, 1), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_sync(&vg, 9), GZ_ERR_INVALID_ARGS);
	assert_null(gz_vgic_lrs(&vg, 3, &nr));
	assert_int_equal(nr, 0);
}

static void test_overflow_maintenance_bits(void **s)
{
	(void)s;
	t_setup(2, 1, 32);
	t_enable(1);
	for (uint32_t i = 40; i < 43; i++) {
		t_spi(i, 0x10, true);
		gz_vgic_inject(&vg, 0, i, GZ_VGIC_LINE_HIGH);
	}
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR),
			 ARCH_ICH_HCR_EN | ARCH_ICH_HCR_NPIE | ARCH_ICH_HCR_UIE);
	/* No maintenance until the guest took one. */
	assert_int_equal(model_misr(2), 0);
	assert_int_equal(model_ack(2), 40);
	assert_int_equal(model_misr(2), 0);
	model_eoi(2, 40);
	assert_int_equal(model_misr(2), ARCH_ICH_MISR_U);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	/* The armed maintenance must not fire while the host runs. */
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR), 0);
	/* Refill: 41 (still pending in its LR) and 42. */
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR), ARCH_ICH_HCR_EN);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, fake_hal_ich(GZ_ICH_LR(0))), 41);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, fake_hal_ich(GZ_ICH_LR(1))), 42);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
}

/* Overflow: active interrupts go in as active only with the EOI bit, their pending state
 * kept back, so no NPIE storm (no pending LR) and no priority inversion when the guest
 * deactivates one: the EOI exits and the refill ranks the re-pended interrupt again. */
static void test_overflow_active_only(void **s)
{
	(void)s;
	t_setup(1, 1, 32);
	t_enable(1);
	t_spi(40, 0x10, true);
	t_spi(41, 0x20, true);
	mw(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4, 1u << 8);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	gz_vgic_inject(&vg, 0, 41, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(model_lr_state(fake_hal_ich(GZ_ICH_LR(0))), ARCH_ICH_LR_STATE_ACTIVE);
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR), ARCH_ICH_HCR_EN);
	assert_true(fake_hal_ich(GZ_ICH_LR(0)) & ARCH_ICH_LR_EOI);
	assert_int_equal(model_misr(1), 0);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);

	/* 2 LRs: 40 (0x80) active and pending, 41 (0x90) active, 42 (0x00) pending. */
	t_setup(2, 1, 32);
	t_enable(1);
	t_spi(40, 0x80, true);
	t_spi(41, 0x90, true);
	t_spi(42, 0x00, true);
	mw(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4, 3u << 8);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	gz_vgic_inject(&vg, 0, 42, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR), ARCH_ICH_HCR_EN | ARCH_ICH_HCR_UIE);
	assert_int_equal(model_ack(2), -1);
	assert_true(model_eoi(2, 40));
	assert_true(model_misr(2) & ARCH_ICH_MISR_EOI);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(model_ack(2), 42);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
}

/* More active interrupts than LRs: the highest-priority actives get the LRs, LRENPIE is armed
 * and an EOI outside the LRs (EOIcount) deactivates the highest-priority active one left. */
static void test_active_overflow_eoicount(void **s)
{
	(void)s;
	t_setup(2, 1, 32);
	t_enable(1);
	for (uint32_t i = 0; i < 3; i++)
		t_spi(40 + i, (uint8_t)(0x20 * (i + 1)), false);
	gz_vgic_set_resample(&vg, 42, true);
	mw(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4, 7u << 8); /* 40, 41, 42 active */
	gz_vgic_inject(&vg, 0, 43, GZ_VGIC_PULSE);	     /* disabled: not a candidate */
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR),
			 ARCH_ICH_HCR_EN | ARCH_ICH_HCR_UIE | ARCH_ICH_HCR_LRENPIE);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, fake_hal_ich(GZ_ICH_LR(0))), 40);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, fake_hal_ich(GZ_ICH_LR(1))), 41);
	/* EOI 40 (in an LR) and 42 (not): EOIcount 1. */
	assert_true(model_eoi(2, 40));
	assert_false(model_eoi(2, 42));
	assert_true(model_misr(2) & ARCH_ICH_MISR_LRENP);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4), 1u << 9);
	/* 42 was a resample level interrupt: notified. */
	assert_int_equal(nr_resampled, 1);
	assert_int_equal(resampled[0], 42);
	/* An EOIcount with nothing active outside the LRs changes nothing. */
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	fake_hal_set_ich(GZ_ICH_HCR,
			 fake_hal_ich(GZ_ICH_HCR) | GZ_FIELD_PREP(ARCH_ICH_HCR_EOICOUNT, 2));
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4), 1u << 9);
}

static bool lower_line;
static void lower_on_ack(int intid)
{
	if (lower_line)
		gz_vgic_inject(&vg, 0, (uint32_t)intid, GZ_VGIC_LINE_LOW);
}

static void test_level_repend_and_resample(void **s)
{
	(void)s;
	struct t_run r = {0};

	t_setup(4, 1, 32);
	t_enable(1);
	t_spi(50, 0xa0, false);
	gz_vgic_set_resample(&vg, 50, true);
	gz_vgic_inject(&vg, 0, 50, GZ_VGIC_LINE_HIGH);
	assert_true(kicks & 1);
	/* Line stays high across one EOI: re-pended; the device then lowers it during the
	 * second handler, so the third acknowledge never comes. */
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(model_ack(4), 50);
	model_eoi(4, 50);
	assert_true(model_misr(4) & ARCH_ICH_MISR_EOI);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(nr_resampled, 1);
	assert_true(gz_vgic_vcpu_pending(&vg, 0));
	lower_line = true;
	t_run(0, &r, lower_on_ack);
	lower_line = false;
	assert_int_equal(r.nr, 1);
	assert_int_equal(nr_resampled, 2);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
	/* Lowering the line of a level interrupt sitting pending in an LR kicks the vCPU. */
	gz_vgic_inject(&vg, 0, 50, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	kicks = 0;
	gz_vgic_inject(&vg, 0, 50, GZ_VGIC_LINE_LOW);
	assert_true(kicks & 1);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
}

/* A higher-priority interrupt injected while the LRs are full of lower ones kicks the vCPU
 * and is the next one acknowledged. */
static bool injected_high;
static void inject_high_on_ack(int intid)
{
	(void)intid;
	if (!injected_high) {
		injected_high = true;
		gz_vgic_inject(&vg, 0, 63, GZ_VGIC_LINE_HIGH);
	}
}

static void test_preemption_by_injection(void **s)
{
	(void)s;
	struct t_run r = {0};

	t_setup(4, 1, 32);
	t_enable(1);
	for (uint32_t i = 32; i < 40; i++) {
		t_spi(i, 0x80, true);
		gz_vgic_inject(&vg, 0, i, GZ_VGIC_LINE_HIGH);
	}
	t_spi(63, 0x00, true);
	injected_high = false;
	t_run(0, &r, inject_high_on_ack);
	assert_int_equal(r.nr, 9);
	assert_int_equal(r.got[0], 32);
	assert_int_equal(r.got[1], 63);
	assert_int_equal(r.stuck, 0);
}

static void test_vmcr_apr_saved(void **s)
{
	(void)s;
	t_setup(4, 1, 32);
	/* An interrupt in an LR: the guest may acknowledge it and set an active priority. */
	t_enable(1);
	t_spi(40, 0x80, true);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_VMCR), vg.cpu[0].vmcr);
	fake_hal_set_ich(GZ_ICH_VMCR, 0xf0000003);
	fake_hal_set_ich(GZ_ICH_AP1R0, 0x80000000);
	fake_hal_set_ich(GZ_ICH_AP0R0, 0x1);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	/* Entered next on another physical CPU, whose interface holds something else. */
	fake_hal_set_cpu_id(1);
	fake_hal_set_ich(GZ_ICH_VMCR, 0);
	fake_hal_set_ich(GZ_ICH_AP1R0, 0);
	fake_hal_set_ich(GZ_ICH_AP0R0, 0);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_VMCR), 0xf0000003);
	assert_int_equal(fake_hal_ich(GZ_ICH_AP1R0), 0x80000000);
	assert_int_equal(fake_hal_ich(GZ_ICH_AP0R0), 0x1);
	/* 5 preemption bits (QEMU's cortex-a72): only AP{0,1}R0 are touched. */
	for (size_t i = 0; i < fake_hal_nr_ops(); i++) {
		const struct fake_op *op = fake_hal_op(i);

		if (op->kind == FAKE_OP_ICH_WRITE)
			assert_true(op->a != GZ_ICH_AP1R1 && op->a != GZ_ICH_AP0R3);
	}
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	/* 7 preemption bits: four of each. */
	fake_hal_reset(1 << 20, 4);
	fake_hal_set_ich(GZ_ICH_VTR, fake_hal_ich(GZ_ICH_VTR) |
					 GZ_FIELD_PREP(ARCH_ICH_VTR_PREBITS, 6) |
					 GZ_FIELD_PREP(ARCH_ICH_VTR_PRIBITS, 7));
	assert_int_equal(gz_vgic_init(&vg, 32, 1ULL << 40, &t_ops, NULL), GZ_OK);
	assert_int_equal(vg.nr_apr, 4);
	assert_int_equal(vg.pri_mask, 0xff);
	assert_int_equal(gz_vgic_vcpu_init(&vg, 0, 0), GZ_OK);
	vg.cpu[0].ap1r[3] = 0x55;
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_AP1R3), 0x55);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
}

/* A run with no LR, no active priority and nothing active outside the LRs (most exits of a
 * guest at work): the sync reads VMCR only, and leaves ICH_HCR_EL2 as En alone; the next
 * flush on the same CPU writes ICH_HCR_EL2 only, unless another vCPU was there or the CPU
 * moved or was reset. */
static void test_sync_reads_only_what_can_change(void **s)
{
	(void)s;
	t_setup(4, 1, 32);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	fake_hal_set_ich(GZ_ICH_VMCR, 0xf0000003); /* the guest wrote ICC_PMR_EL1 */
	fake_hal_clear_ops();
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich_reads(GZ_ICH_VMCR), 1);
	assert_int_equal(fake_hal_ich_reads(GZ_ICH_HCR), 0);
	assert_int_equal(fake_hal_ich_reads(GZ_ICH_AP0R0), 0);
	assert_int_equal(fake_hal_ich_reads(GZ_ICH_AP1R0), 0);
	assert_int_equal(fake_hal_nr_ops(), 0); /* no write at all */
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR), ARCH_ICH_HCR_EN);
	assert_int_equal(vg.cpu[0].vmcr, 0xf0000003);
	/* Entered again on the same CPU with no other vCPU there in between: VMCR and the
	 * active priorities are still its own, and only ICH_HCR_EL2 is written (whole: a
	 * stray EOI of the guest may have counted in it). */
	fake_hal_set_ich(GZ_ICH_HCR, ARCH_ICH_HCR_EN | GZ_FIELD_PREP(ARCH_ICH_HCR_EOICOUNT, 3));
	fake_hal_clear_ops();
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_nr_ops(), 1);
	assert_int_equal(fake_hal_op(0)->a, GZ_ICH_HCR);
	assert_int_equal(fake_hal_ich(GZ_ICH_HCR), ARCH_ICH_HCR_EN);
	assert_int_equal(fake_hal_ich(GZ_ICH_VMCR), 0xf0000003);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);

	/* Another vCPU ran on this CPU in between: the flush writes them all again. */
	assert_int_equal(gz_vgic_vcpu_init(&vg, 1, t_mpidr(1)), GZ_OK);
	vg.cpu[1].ap1r[0] = 0x40000000;
	assert_int_equal(gz_vgic_flush(&vg, 1), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_AP1R0), 0x40000000);
	assert_int_equal(fake_hal_ich(GZ_ICH_VMCR), 0);
	fake_hal_set_ich(GZ_ICH_AP1R0, 0); /* its guest's priority drop */
	assert_int_equal(gz_vgic_sync(&vg, 1), GZ_OK);
	/* Its active priority was read back: it set one at its flush. */
	assert_int_equal(fake_hal_ich_reads(GZ_ICH_AP1R0), 1);
	assert_int_equal(vg.cpu[1].ap1r[0], 0);
	fake_hal_set_ich(GZ_ICH_VMCR, 0x12);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_VMCR), 0xf0000003);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);

	/* Away on another CPU and back: what it left here is stale, written again. */
	fake_hal_set_cpu_id(1);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	fake_hal_set_ich(GZ_ICH_VMCR, 0xf0000007);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	fake_hal_set_cpu_id(0);
	fake_hal_set_ich(GZ_ICH_VMCR, 0xf0000003); /* as it left CPU 0 */
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_VMCR), 0xf0000007);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);

	/* A CPU that went through reset: its next flush writes everything. */
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	gz_vgic_cpu_interface_reset(0);
	fake_hal_set_ich(GZ_ICH_VMCR, 0);
	fake_hal_clear_ops();
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_VMCR), 0xf0000007);
	assert_true(fake_hal_nr_ops() > 1);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);

	/* An active priority that changed between the sync and the flush: written. */
	vg.cpu[0].ap0r[0] = 0x1;
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_AP0R0), 0x1);
	fake_hal_set_ich(GZ_ICH_AP0R0, 0); /* the guest's priority drop */
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(vg.cpu[0].ap0r[0], 0);

	/* A CPU past the records (and its reset, a no-op): everything written every time. */
	gz_vgic_cpu_interface_reset(GZ_MAX_PCPUS);
	fake_hal_set_cpu_id(GZ_MAX_PCPUS);
	for (unsigned i = 0; i < 2; i++) {
		fake_hal_set_ich(GZ_ICH_VMCR, 0);
		assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
		assert_int_equal(fake_hal_ich(GZ_ICH_VMCR), 0xf0000007);
		assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	}
	fake_hal_set_cpu_id(0);

	/* An interrupt active outside the LRs (made active by another vCPU's ISACTIVER write
	 * while this one ran): EOIcount is read, and deactivates it. */
	t_enable(1);
	t_spi(40, 0x80, true);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	mw(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4, 1u << 8);
	fake_hal_set_ich(GZ_ICH_HCR,
			 fake_hal_ich(GZ_ICH_HCR) | GZ_FIELD_PREP(ARCH_ICH_HCR_EOICOUNT, 1));
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich_reads(GZ_ICH_HCR), 1);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4), 0);
}

/* Guest writes from another vCPU to an interrupt in a running vCPU's LR take effect at
 * that vCPU's sync; a route change never puts an interrupt in two LRs. */
static void test_changes_while_in_lr(void **s)
{
	(void)s;
	struct gz_vgic_irq_info info;

	t_setup(4, 2, 32);
	t_enable(2);
	t_spi(40, 0x10, true);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	/* Reads as pending while it sits in the LR. */
	assert_int_equal(mr(1, T_DIST + ARCH_GICD_ISPENDR + 4, 4), 1u << 8);
	kicks = 0;
	mw(1, T_DIST + ARCH_GICD_ICPENDR + 4, 4, 1u << 8);
	assert_true(kicks & 1);
	assert_int_equal(mr(1, T_DIST + ARCH_GICD_ISPENDR + 4, 4), 0);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	gz_vgic_irq_info(&vg, 0, 40, &info);
	assert_false(info.pending);

	/* Active set, then cleared, by vCPU 1 while vCPU 0 holds it. */
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(model_ack(4), 40);
	mw(1, T_DIST + ARCH_GICD_ICACTIVER + 4, 4, 1u << 8);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	gz_vgic_irq_info(&vg, 0, 40, &info);
	assert_false(info.active);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	mw(1, T_DIST + ARCH_GICD_ISACTIVER + 4, 4, 1u << 8);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	gz_vgic_irq_info(&vg, 0, 40, &info);
	assert_true(info.active);
	assert_true(info.pending);
	mw(1, T_DIST + ARCH_GICD_ICACTIVER + 4, 4, 1u << 8);

	/* Route to vCPU 1 while in vCPU 0's LR: vCPU 1 does not get it until vCPU 0 synced. */
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	kicks = 0;
	mw(1, T_DIST + ARCH_GICD_IROUTER + 40 * 8, 8, t_mpidr(1) & 0xffffff);
	assert_true(kicks & 1);
	/* (The fake has one ICH register file: vCPU 1 "runs" on it after vCPU 0 left it.) */
	unsigned nr;
	const uint64_t *lrs0 = gz_vgic_lrs(&vg, 0, &nr);
	uint64_t saved = fake_hal_ich(GZ_ICH_LR(0));

	assert_int_equal(nr, 1);
	assert_int_equal(lrs0[0], saved);
	assert_int_equal(gz_vgic_flush(&vg, 1), GZ_OK);
	gz_vgic_lrs(&vg, 1, &nr);
	assert_int_equal(nr, 0);
	assert_int_equal(gz_vgic_sync(&vg, 1), GZ_OK);
	fake_hal_set_ich(GZ_ICH_LR(0), saved);
	kicks = 0;
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_true(kicks & 2);
	assert_int_equal(gz_vgic_flush(&vg, 1), GZ_OK);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, fake_hal_ich(GZ_ICH_LR(0))), 40);
	assert_int_equal(gz_vgic_sync(&vg, 1), GZ_OK);
}

/* LRs are UNKNOWN after a CPU's reset: its first flush invalidates the ones it does not use;
 * later flushes on that CPU rely on the syncs having cleared them. */
static void test_first_flush_clears_stale_lrs(void **s)
{
	(void)s;
	t_setup(4, 1, 32);
	t_enable(1);
	t_spi(40, 0x10, true);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	fake_hal_set_cpu_id(6);
	fake_hal_set_ich(GZ_ICH_LR(3), ARCH_ICH_LR_PENDING | 77);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, fake_hal_ich(GZ_ICH_LR(0))), 40);
	assert_int_equal(fake_hal_ich(GZ_ICH_LR(3)), 0);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	fake_hal_clear_ops();
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	for (size_t i = 0; i < fake_hal_nr_ops(); i++)
		assert_true(fake_hal_op(i)->a != GZ_ICH_LR(3));
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	/* A CPU index beyond the table: cleared on every flush. */
	fake_hal_set_cpu_id(GZ_MAX_PCPUS + 1);
	fake_hal_set_ich(GZ_ICH_LR(2), ARCH_ICH_LR_PENDING | 78);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(fake_hal_ich(GZ_ICH_LR(2)), 0);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
}

/* Every path that changes the pending or active state keeps the busy summaries exact. */
static void test_busy_summaries(void **s)
{
	unsigned nl;

	(void)s;
	t_setup(4, 2, 64);
	t_enable(2);
	nl = gz_vgic_nr_lrs(&vg);
	t_check_busy();
	assert_int_equal(vg.cpu[0].busy | vg.cpu[1].busy | vg.spi_busy[0] | vg.spi_busy[1], 0);
	/* A PPI line: its bank's word. */
	gz_vgic_inject(&vg, 1, 20, GZ_VGIC_LINE_HIGH);
	assert_int_equal(vg.cpu[1].busy, 1u << 20);
	assert_int_equal(vg.cpu[0].busy, 0);
	gz_vgic_inject(&vg, 1, 20, GZ_VGIC_LINE_LOW);
	assert_int_equal(vg.cpu[1].busy, 0);
	/* The last SPI: an edge, into an LR (latch moves out), acknowledged (active), EOI. */
	t_spi(95, 0x10, true);
	gz_vgic_inject(&vg, 0, 95, GZ_VGIC_LINE_HIGH);
	assert_int_equal(vg.spi_busy[1], 1u << 31);
	assert_true(gz_vgic_vcpu_pending(&vg, 0));
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(vg.spi_busy[1], 0);
	assert_int_equal(model_ack(nl), 95);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(vg.spi_busy[1], 1u << 31);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_true(model_eoi(nl, 95));
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	assert_int_equal(vg.spi_busy[1], 0);
	/* A level line on a disabled SPI is pending; configured edge, the line alone is not. */
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH);
	assert_int_equal(vg.spi_busy[0], 1u << 8);
	mw(0, T_DIST + ARCH_GICD_ICFGR + 40 / 16 * 4, 4, ARCH_GIC_ICFGR_EDGE << (40 % 16 * 2));
	assert_int_equal(vg.spi_busy[0], 0);
	mw(0, T_DIST + ARCH_GICD_ICFGR + 40 / 16 * 4, 4, 0);
	assert_int_equal(vg.spi_busy[0], 1u << 8);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_LOW);
	/* Set/clear pending and active registers. */
	mw(0, T_SGI(0) + ARCH_GICR_ISPENDR0, 4, 1u << 3);
	assert_int_equal(vg.cpu[0].busy, 1u << 3);
	mw(0, T_SGI(0) + ARCH_GICR_ICPENDR0, 4, 1u << 3);
	mw(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4, 1u << 9);
	assert_int_equal(vg.spi_busy[0], 1u << 9);
	mw(0, T_DIST + ARCH_GICD_ICACTIVER + 4, 4, 1u << 9);
	assert_int_equal(vg.cpu[0].busy | vg.spi_busy[0], 0);
	/* An SGI through ICC_SGI1R_EL1 (IRM: everyone but the sender). */
	assert_int_equal(
	    gz_vgic_sysreg_sgi(&vg, 0, GZ_VGIC_SGI1R,
			       GZ_FIELD_PREP(ARCH_ICC_SGIR_INTID, 5) | ARCH_ICC_SGIR_IRM),
	    GZ_OK);
	assert_int_equal(vg.cpu[1].busy, 1u << 5);
	assert_int_equal(vg.cpu[0].busy, 0);
	t_check_busy();
}

/* 256 SPIs: the summary walk reaches the last word and INTID 287. */
static void test_busy_last_spi(void **s)
{
	(void)s;
	t_setup(4, 1, 256);
	t_enable(1);
	t_spi(287, 0x20, true);
	assert_false(gz_vgic_vcpu_pending(&vg, 0));
	gz_vgic_inject(&vg, 0, 287, GZ_VGIC_PULSE);
	assert_int_equal(vg.spi_busy[7], 1u << 31);
	assert_true(gz_vgic_vcpu_pending(&vg, 0));
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	assert_int_equal(GZ_FIELD_GET(ARCH_ICH_LR_VINTID, fake_hal_ich(GZ_ICH_LR(0))), 287);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
	t_check_busy();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_40_irqs_4_lrs),
	    cmocka_unit_test(test_40_irqs_other_lr_counts),
	    cmocka_unit_test(test_lr_fields_and_hcr),
	    cmocka_unit_test(test_overflow_maintenance_bits),
	    cmocka_unit_test(test_active_overflow_eoicount),
	    cmocka_unit_test(test_overflow_active_only),
	    cmocka_unit_test(test_level_repend_and_resample),
	    cmocka_unit_test(test_preemption_by_injection),
	    cmocka_unit_test(test_vmcr_apr_saved),
	    cmocka_unit_test(test_sync_reads_only_what_can_change),
	    cmocka_unit_test(test_changes_while_in_lr),
	    cmocka_unit_test(test_first_flush_clears_stale_lrs),
	    cmocka_unit_test(test_busy_summaries),
	    cmocka_unit_test(test_busy_last_spi),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	fake_hal_teardown();
	return ret;
}
