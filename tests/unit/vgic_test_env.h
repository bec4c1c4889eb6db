/* Shared setup of the vGIC unit tests: one VM's vGIC on the fake HAL, frames at QEMU-virt
 * addresses, recorded kick/resample callbacks, MMIO helpers, and a run loop that plays the
 * guest through the model CPU interface (vgic_model.h), exiting on maintenance or kick. */
#ifndef VGIC_TEST_ENV_H
#define VGIC_TEST_ENV_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <arm64/gicv3.h>
#include <arm64/ich.h>
#include <gzabi/status.h>
#include <gzhyp/vgic.h>
#include "fake_hal.h"
#include "vgic_model.h"

#define T_DIST	 0x08000000ULL
#define T_REDIST 0x080a0000ULL
#define T_SGI(v) (T_REDIST + (v)*ARCH_GICR_STRIDE + ARCH_GICR_SGI_BASE)
#define T_RD(v)	 (T_REDIST + (v)*ARCH_GICR_STRIDE)

static struct gz_vgic vg;
static uint32_t kicks;
static uint32_t resampled[64];
static unsigned nr_resampled;

static GZ_UNUSED void t_kick(void *ctx, unsigned vcpu)
{
	(void)ctx;
	kicks |= 1u << vcpu;
}

static GZ_UNUSED void t_resample(void *ctx, uint32_t intid)
{
	(void)ctx;
	if (nr_resampled < 64)
		resampled[nr_resampled++] = intid;
}

static const struct gz_vgic_ops t_ops = {t_kick, t_resample};

static inline uint64_t t_mpidr(unsigned v)
{
	return (uint64_t)(v & 3) | (uint64_t)(v >> 2) << 8 | GZ_BIT(31);
}

static GZ_UNUSED void t_setup(unsigned nr_lrs, unsigned nr_vcpus, uint32_t nr_spis)
{
	fake_hal_reset(1 << 20, nr_lrs);
	kicks = 0;
	nr_resampled = 0;
	assert_int_equal(gz_vgic_init(&vg, nr_spis, 1ULL << 40, &t_ops, NULL), GZ_OK);
	for (unsigned v = 0; v < nr_vcpus; v++)
		assert_int_equal(gz_vgic_vcpu_init(&vg, v, t_mpidr(v)), GZ_OK);
	assert_int_equal(gz_vgic_create_device(&vg, GZ_VGIC_DEV_DIST, T_DIST, 0x10000), GZ_OK);
	assert_int_equal(gz_vgic_create_device(&vg, GZ_VGIC_DEV_REDIST, T_REDIST, 0x20000), GZ_OK);
}

static GZ_UNUSED uint64_t mr(unsigned vcpu, uint64_t ipa, unsigned size)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;

	assert_int_equal(gz_vgic_mmio(&vg, vcpu, ipa, size, false, &v), GZ_OK);
	return v;
}

static GZ_UNUSED void mw(unsigned vcpu, uint64_t ipa, unsigned size, uint64_t val)
{
	assert_int_equal(gz_vgic_mmio(&vg, vcpu, ipa, size, true, &val), GZ_OK);
}

/* Guest setup as Linux does it: distributor enabled for both groups, CPU interface group 1
 * enabled with the priority mask wide open (ICC_PMR_EL1 = 0xff). */
static GZ_UNUSED void t_enable(unsigned nr_vcpus)
{
	mw(0, T_DIST + ARCH_GICD_CTLR, 4, ARCH_GICD_CTLR_ENABLE_G0 | ARCH_GICD_CTLR_ENABLE_G1);
	for (unsigned v = 0; v < nr_vcpus; v++)
		vg.cpu[v].vmcr = ARCH_ICH_VMCR_ENG0 | ARCH_ICH_VMCR_ENG1 |
				 GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0xff);
	kicks = 0;
}

/* Configure SPI @intid: enabled, @prio, edge or level. */
static GZ_UNUSED void t_spi(uint32_t intid, uint8_t prio, bool edge)
{
	uint64_t cfg = mr(0, T_DIST + ARCH_GICD_ICFGR + intid / 16 * 4, 4);

	mw(0, T_DIST + ARCH_GICD_IPRIORITYR + intid, 1, prio);
	cfg &= ~(3ULL << (intid % 16 * 2));
	if (edge)
		cfg |= (uint64_t)ARCH_GIC_ICFGR_EDGE << (intid % 16 * 2);
	mw(0, T_DIST + ARCH_GICD_ICFGR + intid / 16 * 4, 4, cfg);
	mw(0, T_DIST + ARCH_GICD_ISENABLER + intid / 32 * 4, 4, 1ULL << (intid % 32));
}

/* The busy summaries equal a recomputation from every interrupt's state: bit set exactly
 * when the interrupt is active or pending outside an LR (latch, or line when level). */
static GZ_UNUSED bool t_busy(const struct gz_vgic_irq *irq)
{
	return (irq->flags & (GZ_VGIC_IRQ_ACTIVE | GZ_VGIC_IRQ_LATCH)) ||
	       ((irq->flags & GZ_VGIC_IRQ_LINE) && !(irq->flags & GZ_VGIC_IRQ_EDGE));
}

static GZ_UNUSED void t_check_busy(void)
{
	for (unsigned v = 0; v < GZ_VGIC_MAX_VCPUS; v++) {
		uint32_t want = 0;

		for (uint32_t i = 0; i < GZ_VGIC_NR_PRIVATE && vg.cpu[v].present; i++)
			want |= (uint32_t)t_busy(&vg.cpu[v].priv[i]) << i;
		assert_int_equal(vg.cpu[v].busy, want);
	}
	for (uint32_t w = 0; w < GZ_VGIC_MAX_SPIS / 32; w++) {
		uint32_t want = 0;

		for (uint32_t i = 0; i < 32 && w * 32 + i < vg.nr_spis; i++)
			want |= (uint32_t)t_busy(&vg.spi[w * 32 + i]) << i;
		assert_int_equal(vg.spi_busy[w], want);
	}
}

struct t_run {
	int got[1024];
	unsigned nr;
	unsigned exits, stuck;
};

/* Enter @vcpu and let the model guest acknowledge and EOI (calling @on_ack between the two,
 * when given) until it has nothing left; every maintenance condition or kick is an exit
 * (sync, then flush again). "stuck" counts times the guest found no pending LR while the
 * vGIC still had a deliverable interrupt for it and no maintenance was armed to say so. */
static GZ_UNUSED void t_run(unsigned vcpu, struct t_run *r, void (*on_ack)(int intid))
{
	unsigned nl = gz_vgic_nr_lrs(&vg);

	for (unsigned round = 0; round < 4096; round++) {
		bool idle = false;

		kicks &= ~(1u << vcpu);
		assert_int_equal(gz_vgic_flush(&vg, vcpu), GZ_OK);
		t_check_busy();
		assert_true(model_lrs_unique(nl));
		while (!model_misr(nl) && !(kicks & (1u << vcpu))) {
			int id = model_ack(nl);

			if (id < 0) {
				idle = true;
				break;
			}
			if (r->nr < GZ_ARRAY_SIZE(r->got))
				r->got[r->nr++] = id;
			if (on_ack)
				on_ack(id);
			model_eoi(nl, (uint32_t)id);
		}
		assert_int_equal(gz_vgic_sync(&vg, vcpu), GZ_OK);
		t_check_busy();
		r->exits++;
		if (idle) {
			if (!gz_vgic_vcpu_pending(&vg, vcpu))
				return;
			r->stuck++;
		}
	}
	fail_msg("guest model did not settle");
}

#endif
