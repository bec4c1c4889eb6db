/* Register-level tests of the emulated GICv3 frames: a table of every GICD / GICR register
 * with its reset value, kind (read/write with a writable mask, read-only, RAZ/WI) and allowed
 * access widths, checked at every width; then the set/clear register pairs, IROUTER split
 * accesses, GICR_TYPER and WAKER, frame placement and setup validation. */
#include "vgic_test_env.h"

enum frame { F_D, F_RD, F_SGI };
enum kind { K_RW, K_RO, K_RAZWI };

struct reg_row {
	const char *name;
	enum frame frame;
	uint32_t off;
	uint64_t reset;
	uint8_t widths;
	enum kind kind;
	uint64_t rw_mask; /* K_RW: bits that stick when all ones are written */
};

#define ALL 0xffffffffffffffffULL
/* 2 vCPUs, 64 SPIs, 5 priority bits; rows for redistributor frames use vCPU 1 (Last). */
static const struct reg_row rows[] = {
    {"GICD_CTLR", F_D, 0x0000, 0x50, 4, K_RW, 0x53},
    {"GICD_TYPER", F_D, 0x0004, 0x02480002, 4, K_RO, 0},
    {"GICD_IIDR", F_D, 0x0008, 0x4700043b, 4, K_RO, 0},
    {"GICD_TYPER2", F_D, 0x000c, 0, 4, K_RAZWI, 0},
    {"GICD_STATUSR", F_D, 0x0010, 0, 4, K_RAZWI, 0},
    {"GICD_SETSPI_NSR", F_D, 0x0040, 0, 4, K_RAZWI, 0},
    {"GICD_CLRSPI_SR", F_D, 0x0058, 0, 4, K_RAZWI, 0},
    {"GICD_IGROUPR0", F_D, 0x0080, 0, 4, K_RAZWI, 0},
    {"GICD_IGROUPR1", F_D, 0x0084, 0xffffffff, 4, K_RW, 0xffffffff},
    {"GICD_IGROUPR2", F_D, 0x0088, 0xffffffff, 4, K_RW, 0xffffffff},
    {"GICD_IGROUPR3", F_D, 0x008c, 0, 4, K_RAZWI, 0},
    {"GICD_ISENABLER0", F_D, 0x0100, 0, 4, K_RAZWI, 0},
    {"GICD_ISENABLER1", F_D, 0x0104, 0, 4, K_RW, 0xffffffff},
    {"GICD_ICENABLER2", F_D, 0x0188, 0, 4, K_RO, 0}, /* 1s clear: stays 0 */
    {"GICD_ISPENDR1", F_D, 0x0204, 0, 4, K_RW, 0xffffffff},
    {"GICD_ICPENDR1", F_D, 0x0284, 0, 4, K_RO, 0},
    {"GICD_ISACTIVER2", F_D, 0x0308, 0, 4, K_RW, 0xffffffff},
    {"GICD_ICACTIVER1", F_D, 0x0384, 0, 4, K_RO, 0},
    {"GICD_ICACTIVER3", F_D, 0x038c, 0, 4, K_RAZWI, 0},
    {"GICD_IPRIORITYR0", F_D, 0x0400, 0, 1 | 4, K_RAZWI, 0},
    {"GICD_IPRIORITYR8", F_D, 0x0420, 0, 1 | 4, K_RW, 0xf8f8f8f8},
    {"GICD_IPRIORITYR23", F_D, 0x045c, 0, 1 | 4, K_RW, 0xf8f8f8f8},
    {"GICD_IPRIORITYR24", F_D, 0x0460, 0, 1 | 4, K_RAZWI, 0},
    {"GICD_ITARGETSR8", F_D, 0x0820, 0, 1 | 4, K_RAZWI, 0},
    {"GICD_ICFGR0", F_D, 0x0c00, 0, 4, K_RAZWI, 0},
    {"GICD_ICFGR1", F_D, 0x0c04, 0, 4, K_RAZWI, 0},
    {"GICD_ICFGR2", F_D, 0x0c08, 0, 4, K_RW, 0xaaaaaaaa},
    {"GICD_ICFGR6", F_D, 0x0c18, 0, 4, K_RAZWI, 0},
    {"GICD_IGRPMODR1", F_D, 0x0d04, 0, 4, K_RAZWI, 0},
    {"GICD_NSACR2", F_D, 0x0e08, 0, 4, K_RAZWI, 0},
    {"GICD_SGIR", F_D, 0x0f00, 0, 4, K_RAZWI, 0},
    {"GICD_CPENDSGIR0", F_D, 0x0f10, 0, 1 | 4, K_RAZWI, 0},
    {"GICD_SPENDSGIR3", F_D, 0x0f2c, 0, 1 | 4, K_RAZWI, 0},
    {"GICD_IROUTER0", F_D, 0x6000, 0, 4 | 8, K_RAZWI, 0},
    {"GICD_IROUTER32", F_D, 0x6100, 0, 4 | 8, K_RW, 0xff00ffffffULL},
    {"GICD_IROUTER95", F_D, 0x62f8, 0, 4 | 8, K_RW, 0xff00ffffffULL},
    {"GICD_IROUTER96", F_D, 0x6300, 0, 4 | 8, K_RAZWI, 0},
    {"GICD_PIDR2", F_D, 0xffe8, 0x3b, 4, K_RO, 0},
    {"GICD_PIDR0", F_D, 0xffe0, 0, 4, K_RO, 0},
    {"GICD_CIDR0", F_D, 0xfff0, 0x0d, 4, K_RO, 0},
    {"GICD_CIDR1", F_D, 0xfff4, 0xf0, 4, K_RO, 0},
    {"GICD_CIDR2", F_D, 0xfff8, 0x05, 4, K_RO, 0},
    {"GICD_CIDR3", F_D, 0xfffc, 0xb1, 4, K_RO, 0},
    {"GICD reserved 0x0020", F_D, 0x0020, 0, 1 | 2 | 4 | 8, K_RAZWI, 0},
    {"GICD reserved 0x2000", F_D, 0x2000, 0, 1 | 2 | 4 | 8, K_RAZWI, 0},
    {"GICR_CTLR", F_RD, 0x0000, 0, 4, K_RAZWI, 0},
    {"GICR_IIDR", F_RD, 0x0004, 0x4700043b, 4, K_RO, 0},
    {"GICR_TYPER", F_RD, 0x0008, 0x0000000100000110ULL, 4 | 8, K_RO, 0},
    {"GICR_STATUSR", F_RD, 0x0010, 0, 4, K_RAZWI, 0},
    {"GICR_WAKER", F_RD, 0x0014, 0x6, 4, K_RW, 0x6},
    {"GICR_PROPBASER", F_RD, 0x0070, 0, 4 | 8, K_RAZWI, 0},
    {"GICR_PENDBASER", F_RD, 0x0078, 0, 4 | 8, K_RAZWI, 0},
    {"GICR_PIDR2", F_RD, 0xffe8, 0x3b, 4, K_RO, 0},
    {"GICR reserved 0x0100", F_RD, 0x0100, 0, 1 | 2 | 4 | 8, K_RAZWI, 0},
    {"GICR_IGROUPR0", F_SGI, 0x0080, 0xffffffff, 4, K_RW, 0xffffffff},
    {"GICR_ISENABLER0", F_SGI, 0x0100, 0x0000ffff, 4, K_RW, 0xffffffff},
    {"GICR_ICENABLER0", F_SGI, 0x0180, 0x0000ffff, 4, K_RW, 0},
    {"GICR_ISPENDR0", F_SGI, 0x0200, 0, 4, K_RW, 0xffffffff},
    {"GICR_ICPENDR0", F_SGI, 0x0280, 0, 4, K_RO, 0},
    {"GICR_ISACTIVER0", F_SGI, 0x0300, 0, 4, K_RW, 0xffffffff},
    {"GICR_ICACTIVER0", F_SGI, 0x0380, 0, 4, K_RO, 0},
    {"GICR_IPRIORITYR0", F_SGI, 0x0400, 0, 1 | 4, K_RW, 0xf8f8f8f8},
    {"GICR_IPRIORITYR7", F_SGI, 0x041c, 0, 1 | 4, K_RW, 0xf8f8f8f8},
    {"GICR_ICFGR0", F_SGI, 0x0c00, 0xaaaaaaaa, 4, K_RO, 0},
    {"GICR_ICFGR1", F_SGI, 0x0c04, 0, 4, K_RO, 0},
    {"GICR_IGRPMODR0", F_SGI, 0x0d00, 0, 4, K_RAZWI, 0},
    {"GICR_NSACR", F_SGI, 0x0e00, 0, 4, K_RAZWI, 0},
    {"GICR_SGI reserved 0x0000", F_SGI, 0x0000, 0, 1 | 2 | 4 | 8, K_RAZWI, 0},
    {"GICR_SGI reserved 0x0420", F_SGI, 0x0420, 0, 1 | 2 | 4 | 8, K_RAZWI, 0},
};

static uint64_t row_ipa(const struct reg_row *r)
{
	switch (r->frame) {
	case F_D:
		return T_DIST + r->off;
	case F_RD:
		return T_RD(1) + r->off;
	default:
		return T_SGI(1) + r->off;
	}
}

static uint64_t width_mask(unsigned w)
{
	return w == 8 ? ALL : (1ULL << (8 * w)) - 1;
}

static unsigned natural_width(const struct reg_row *r)
{
	return (r->widths & 8) ? 8 : 4;
}

static void test_register_table(void **s)
{
	(void)s;
	for (size_t i = 0; i < GZ_ARRAY_SIZE(rows); i++) {
		const struct reg_row *r = &rows[i];
		uint64_t ipa = row_ipa(r), v;
		unsigned nw = natural_width(r);

		t_setup(4, 2, 64);
		print_message("%s\n", r->name);
		/* Reset value at the natural width. */
		assert_int_equal(mr(0, ipa, nw), r->reset);
		/* Every width: allowed ones succeed (and a read returns the matching window of
		 * the reset value), the others are bad accesses that change nothing. */
		for (unsigned w = 1; w <= 8; w <<= 1) {
			int want = (r->widths & w) ? GZ_OK : GZ_ERR_INVALID_ARGS;

			v = 0;
			assert_int_equal(gz_vgic_mmio(&vg, 0, ipa, w, false, &v), want);
			if (want == GZ_OK)
				assert_int_equal(v, r->reset & width_mask(w));
			v = ALL;
			if (want != GZ_OK)
				assert_int_equal(gz_vgic_mmio(&vg, 0, ipa, w, true, &v), want);
		}
		assert_int_equal(mr(0, ipa, nw), r->reset);
		/* Writing all ones. */
		mw(0, ipa, nw, ALL);
		switch (r->kind) {
		case K_RW:
			if (r->rw_mask == 0) /* clear-register: the 1s cleared everything */
				assert_int_equal(mr(0, ipa, nw), 0);
			else
				assert_int_equal(mr(0, ipa, nw), r->rw_mask & width_mask(nw));
			break;
		case K_RO:
			assert_int_equal(mr(0, ipa, nw), r->reset);
			break;
		default:
			assert_int_equal(mr(0, ipa, nw), 0);
			break;
		}
		/* Byte access to a byte-accessible register hits one byte only. */
		if ((r->widths & 1) && r->kind == K_RW) {
			mw(0, ipa, 4, 0);
			mw(0, ipa + 2, 1, 0xff);
			assert_int_equal(mr(0, ipa, 4), 0xff0000 & r->rw_mask);
			assert_int_equal(mr(0, ipa + 2, 1), 0xff & (r->rw_mask >> 16));
		}
	}
}

static void test_access_errors(void **s)
{
	(void)s;
	uint64_t v = 0;

	t_setup(4, 2, 64);
	/* Misaligned and odd sizes: bad access. */
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_DIST + 2, 4, false, &v), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_DIST + 0x6104, 8, true, &v), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_DIST, 3, false, &v), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_DIST, 16, false, &v), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_RD(0) + 0xc, 8, false, &v), GZ_ERR_INVALID_ARGS);
	/* Outside every frame: not ours (even misaligned). */
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_DIST - 4, 4, false, &v), GZ_VGIC_MMIO_NOT_MINE);
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_DIST + 0x10000, 4, false, &v),
			 GZ_VGIC_MMIO_NOT_MINE);
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_RD(2), 4, false, &v), GZ_VGIC_MMIO_NOT_MINE);
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_REDIST - 1, 3, false, &v), GZ_VGIC_MMIO_NOT_MINE);
	/* Unregistered accessing vCPU. */
	assert_int_equal(gz_vgic_mmio(&vg, 5, T_DIST, 4, false, &v), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_mmio(&vg, 99, T_DIST, 4, false, &v), GZ_ERR_INVALID_ARGS);
	/* Before CREATE_DEVICE nothing is ours. */
	assert_int_equal(gz_vgic_init(&vg, 32, 1ULL << 40, NULL, NULL), GZ_OK);
	assert_int_equal(gz_vgic_vcpu_init(&vg, 0, 0), GZ_OK);
	assert_int_equal(gz_vgic_mmio(&vg, 0, T_DIST, 4, false, &v), GZ_VGIC_MMIO_NOT_MINE);
	/* Without ops, kicks go nowhere (and nothing crashes). */
	assert_int_equal(gz_vgic_set_dist_base(&vg, T_DIST, 0), GZ_OK);
	mw(0, T_DIST + ARCH_GICD_CTLR, 4, 3);
	gz_vgic_inject(&vg, 0, GZ_VGIC_VTIMER_PPI, GZ_VGIC_PULSE);
	/* ops with no callbacks set: same. */
	static const struct gz_vgic_ops none = {NULL, NULL};

	assert_int_equal(gz_vgic_init(&vg, 32, 1ULL << 40, &none, NULL), GZ_OK);
	assert_int_equal(gz_vgic_vcpu_init(&vg, 0, 0), GZ_OK);
	assert_int_equal(gz_vgic_set_resample(&vg, 40, true), GZ_OK);
	gz_vgic_inject(&vg, 0, 40, GZ_VGIC_PULSE);
	assert_int_equal(gz_vgic_flush(&vg, 0), GZ_OK);
	fake_hal_set_ich(GZ_ICH_LR(0), 0);
	assert_int_equal(gz_vgic_sync(&vg, 0), GZ_OK);
}

static void test_set_clear_pairs(void **s)
{
	(void)s;
	struct gz_vgic_irq_info info;

	t_setup(4, 2, 64);
	/* SPIs 40, 41 in word 1 (bits 8, 9). */
	mw(0, T_DIST + ARCH_GICD_ISENABLER + 4, 4, 3u << 8);
	mw(0, T_DIST + ARCH_GICD_ICENABLER + 4, 4, 1u << 8);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISENABLER + 4, 4), 1u << 9);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ICENABLER + 4, 4), 1u << 9);
	/* Pending: latch set/clear; a level line reads pending while high even if disabled
	 * and ICPENDR cannot clear it. */
	mw(0, T_DIST + ARCH_GICD_ISPENDR + 4, 4, 1u << 8);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ICPENDR + 4, 4), 1u << 8);
	mw(0, T_DIST + ARCH_GICD_ICPENDR + 4, 4, 1u << 8);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISPENDR + 4, 4), 0);
	assert_int_equal(gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_HIGH), GZ_OK);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISPENDR + 4, 4), 1u << 8);
	mw(0, T_DIST + ARCH_GICD_ICPENDR + 4, 4, 1u << 8);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISPENDR + 4, 4), 1u << 8);
	assert_int_equal(gz_vgic_inject(&vg, 0, 40, GZ_VGIC_LINE_LOW), GZ_OK);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISPENDR + 4, 4), 0);
	/* Active. */
	mw(1, T_DIST + ARCH_GICD_ISACTIVER + 4, 4, 1u << 9);
	gz_vgic_irq_info(&vg, 0, 41, &info);
	assert_true(info.active);
	mw(0, T_DIST + ARCH_GICD_ICACTIVER + 4, 4, 1u << 9);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_ISACTIVER + 4, 4), 0);
	/* Group: plain read/write. */
	mw(0, T_DIST + ARCH_GICD_IGROUPR + 4, 4, 0x0000ff00);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_IGROUPR + 4, 4), 0x0000ff00);
	/* SGI frame: banked per vCPU. */
	mw(0, T_SGI(1) + ARCH_GICR_ICENABLER0, 4, 0xffffffff);
	assert_int_equal(mr(0, T_SGI(1) + ARCH_GICR_ISENABLER0, 4), 0);
	assert_int_equal(mr(0, T_SGI(0) + ARCH_GICR_ISENABLER0, 4), 0xffff);
	mw(0, T_SGI(1) + ARCH_GICR_ISPENDR0, 4, 1u << 27);
	gz_vgic_irq_info(&vg, 1, 27, &info);
	assert_true(info.pending);
	gz_vgic_irq_info(&vg, 0, 27, &info);
	assert_false(info.pending);
	/* ICFGR of SGIs/PPIs is read-only. */
	mw(0, T_SGI(0) + ARCH_GICR_ICFGR1, 4, 0xaaaaaaaa);
	assert_int_equal(mr(0, T_SGI(0) + ARCH_GICR_ICFGR1, 4), 0);
	/* SPI configuration. */
	mw(0, T_DIST + ARCH_GICD_ICFGR + 8, 4, 0x00000002);
	gz_vgic_irq_info(&vg, 0, 32, &info);
	assert_true(info.edge);
	mw(0, T_DIST + ARCH_GICD_ICFGR + 8, 4, 0x00000001);
	gz_vgic_irq_info(&vg, 0, 32, &info);
	assert_false(info.edge);
}

static void test_irouter_and_gicr_typer(void **s)
{
	(void)s;
	struct gz_vgic_irq_info info;

	t_setup(4, 6, 64);
	/* vCPU 5 has affinity 0.0.1.1 (Aff1 = 1, Aff0 = 1). */
	mw(0, T_DIST + ARCH_GICD_IROUTER + 33 * 8, 4, 0x101);
	mw(0, T_DIST + ARCH_GICD_IROUTER + 33 * 8 + 4, 4, 0x0);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_IROUTER + 33 * 8, 8), 0x101);
	gz_vgic_irq_info(&vg, 0, 33, &info);
	assert_int_equal(info.target, 5);
	/* IRM and reserved bits are ignored; Aff3 lands in [39:32]. */
	mw(0, T_DIST + ARCH_GICD_IROUTER + 34 * 8, 8, 0xffff00ffff000000ULL | GZ_BIT(31));
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_IROUTER + 34 * 8, 8), 0xff00000000ULL);
	assert_int_equal(mr(0, T_DIST + ARCH_GICD_IROUTER + 34 * 8 + 4, 4), 0xff);
	gz_vgic_irq_info(&vg, 0, 34, &info);
	assert_int_equal(info.target, GZ_VGIC_NO_VCPU);
	/* GICR_TYPER of each vCPU: affinity, processor number, Last on the final one. */
	for (unsigned c = 0; c < 6; c++) {
		uint64_t t = mr(0, T_RD(c) + ARCH_GICR_TYPER, 8);

		assert_int_equal(t >> 32, (c & 3) | (c >> 2) << 8);
		assert_int_equal(GZ_FIELD_GET(ARCH_GICR_TYPER_PROCNUM, t), c);
		assert_int_equal(!!(t & ARCH_GICR_TYPER_LAST), c == 5);
		assert_int_equal(mr(0, T_RD(c) + ARCH_GICR_TYPER + 4, 4), t >> 32);
		assert_int_equal(mr(0, T_RD(c) + ARCH_GICR_TYPER, 4), t & 0xffffffff);
	}
	/* WAKER: ChildrenAsleep follows ProcessorSleep. */
	mw(0, T_RD(2) + ARCH_GICR_WAKER, 4, 0);
	assert_int_equal(mr(0, T_RD(2) + ARCH_GICR_WAKER, 4), 0);
	mw(0, T_RD(2) + ARCH_GICR_WAKER, 4, ARCH_GICR_WAKER_PROCESSOR_SLEEP);
	assert_int_equal(mr(0, T_RD(2) + ARCH_GICR_WAKER, 4), 6);
}

static void test_frames_and_setup(void **s)
{
	(void)s;
	uint64_t v;

	fake_hal_reset(1 << 20, 4);
	assert_int_equal(gz_vgic_init(&vg, 33, 1ULL << 40, &t_ops, NULL), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_init(&vg, 288, 1ULL << 40, &t_ops, NULL), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_init(&vg, 32, 0x1000, &t_ops, NULL), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_init(&vg, 0, 1ULL << 32, &t_ops, NULL), GZ_OK);
	assert_int_equal(gz_vgic_vcpu_init(&vg, 8, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_vcpu_init(&vg, 0, 0x80000000), GZ_OK);
	assert_int_equal(gz_vgic_vcpu_init(&vg, 0, 1), GZ_ERR_ALREADY_EXISTS);
	assert_int_equal(gz_vgic_vcpu_init(&vg, 2, 0), GZ_ERR_ALREADY_EXISTS); /* same aff */
	assert_int_equal(gz_vgic_vcpu_init(&vg, 2, 2), GZ_OK);
	/* Distributor: size, alignment, IPA space, twice. */
	assert_int_equal(gz_vgic_set_dist_base(&vg, 0x3fff0000, 0x20000), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_dist_base(&vg, 0x3fff1000, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_dist_base(&vg, 0xffff0000ULL + 0x10000, 0),
			 GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_vgic_set_dist_base(&vg, 0xffffffffffff0000ULL, 0), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_vgic_create_device(&vg, GZ_VGIC_DEV_DIST, 0x3fff0000, 0x10000), GZ_OK);
	assert_int_equal(gz_vgic_set_dist_base(&vg, 0x3ffe0000, 0), GZ_ERR_ALREADY_EXISTS);
	assert_int_equal(gz_vgic_create_device(&vg, 2, 0, 0), GZ_ERR_NOT_SUPPORTED);
	/* Redistributors: crosvm's layout right below the distributor (3 frames, since vCPUs
	 * 0..2 exist); overlapping, misaligned, odd sizes are refused. */
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x3fff0000 - 0x40000, 0x20000),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x3fff0000 - 0x60000, 0x30000),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x3fff0000 - 0x60000, 0x20000 * 9),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x3fff0000 - 0x60000, 0x50000),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x8000, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0xffff0000, 0), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x3fff0000 - 0x60000, 0x20000), GZ_OK);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x10000000, 0), GZ_ERR_ALREADY_EXISTS);
	/* vCPU 1 was never registered: its frame reads as zero. */
	assert_int_equal(mr(0, 0x3fff0000 - 0x40000 + ARCH_GICR_TYPER, 8), 0);
	assert_int_equal(mr(0, 0x3fff0000 - 0x20000 + ARCH_GICR_TYPER, 8) >> 32, 2);
	/* No SPIs: GICD_TYPER.ITLinesNumber 0, SPI registers RAZ/WI, IROUTER RAZ/WI. */
	assert_int_equal(mr(0, 0x3fff0000 + ARCH_GICD_TYPER, 4) & 0x1f, 0);
	assert_int_equal(mr(0, 0x3fff0000 + ARCH_GICD_IROUTER + 32 * 8, 8), 0);
	v = 1;
	assert_int_equal(gz_vgic_inject(&vg, 0, 32, GZ_VGIC_LINE_HIGH), GZ_ERR_INVALID_ARGS);
	(void)v;

	/* Explicit region size: frames limited to it; overlapping with a later distributor. */
	assert_int_equal(gz_vgic_init(&vg, 32, 1ULL << 32, &t_ops, NULL), GZ_OK);
	for (unsigned c = 0; c < 4; c++)
		assert_int_equal(gz_vgic_vcpu_init(&vg, c, c), GZ_OK);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x080a0000, 0x40000), GZ_OK);
	assert_int_equal(gz_vgic_set_dist_base(&vg, 0x080b0000, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_dist_base(&vg, 0x08000000, 0), GZ_OK);
	assert_true(mr(0, 0x080a0000 + 0x20000 + ARCH_GICR_TYPER, 8) & ARCH_GICR_TYPER_LAST);
	assert_int_equal(gz_vgic_mmio(&vg, 0, 0x080a0000 + 0x40000, 4, false, &v),
			 GZ_VGIC_MMIO_NOT_MINE);
	/* Redistributor placed over an existing distributor. */
	assert_int_equal(gz_vgic_init(&vg, 32, 1ULL << 32, &t_ops, NULL), GZ_OK);
	assert_int_equal(gz_vgic_set_dist_base(&vg, 0x08000000, 0), GZ_OK);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x08000000, 0x20000), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x07ff0000, 0x40000), GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_vgic_set_redist_base(&vg, 0x07fe0000, 0x20000), GZ_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_register_table),   cmocka_unit_test(test_access_errors),
	    cmocka_unit_test(test_set_clear_pairs),  cmocka_unit_test(test_irouter_and_gicr_typer),
	    cmocka_unit_test(test_frames_and_setup),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	fake_hal_teardown();
	return ret;
}
