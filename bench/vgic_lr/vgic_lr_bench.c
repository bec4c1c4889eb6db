/*
 * vGIC list-register allocator benchmark (fake HAL: an ICH register write is a function call
 * and a log entry). Phases, each repeated and reported per operation:
 *   flush_sync_empty   flush + sync of a vCPU with nothing pending (64 SPIs scanned)
 *   flush_sync_4of4    4 pending interrupts, 4 LRs (every one placed)
 *   flush_sync_4of40   40 pending interrupts of mixed priorities, 4 LRs (overflow)
 *   flush_sync_16of40  the same with 16 LRs
 *   deliver40_4lr      inject 40 edges, then run the model guest until all 40 were taken,
 *                      through every maintenance exit (per delivered interrupt)
 *   deliver40_16lr     the same with 16 LRs
 *   hal_ich_write      one gz_hal_ich_write of the fake HAL (to subtract)
 *
 * Usage: vgic_lr_bench            all phases, timed
 *        vgic_lr_bench PHASE      one phase (callgrind counts it with --toggle-collect=PHASE)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arm64/gicv3.h>
#include <arm64/ich.h>
#include <gzabi/status.h>
#include <gzhyp/vgic.h>
#include "fake_hal.h"
#include "vgic_model.h"

#define DIST   0x08000000ULL
#define REDIST 0x080a0000ULL
#define N_FS   20000u
#define N_DEL  2000u

static struct gz_vgic vg;
static unsigned delivered;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void must(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "vgic_lr_bench: %s failed: %d\n", what, ret);
		exit(1);
	}
}

static void mmio_w(uint64_t ipa, unsigned size, uint64_t val)
{
	must(gz_vgic_mmio(&vg, 0, ipa, size, true, &val), "mmio");
}

/* One vCPU, 64 SPIs, @nr_lrs LRs, Linux-like setup; SPIs 32..71 edge, enabled, priorities
 * spread over 16 levels. */
static void setup(unsigned nr_lrs)
{
	fake_hal_reset(1 << 16, nr_lrs);
	must(gz_vgic_init(&vg, 64, 1ULL << 40, NULL, NULL), "init");
	must(gz_vgic_vcpu_init(&vg, 0, 0), "vcpu");
	must(gz_vgic_set_dist_base(&vg, DIST, 0), "dist");
	must(gz_vgic_set_redist_base(&vg, REDIST, 0), "redist");
	mmio_w(DIST + ARCH_GICD_CTLR, 4, ARCH_GICD_CTLR_ENABLE_G0 | ARCH_GICD_CTLR_ENABLE_G1);
	vg.cpu[0].vmcr = ARCH_ICH_VMCR_ENG1 | GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0xff);
	for (uint32_t i = 0; i < 40; i++)
		mmio_w(DIST + ARCH_GICD_IPRIORITYR + 32 + i, 1, ((i * 7) % 16) << 4);
	mmio_w(DIST + ARCH_GICD_ICFGR + 8, 4, 0xaaaaaaaa);
	mmio_w(DIST + ARCH_GICD_ICFGR + 12, 4, 0xaaaaaaaa);
	mmio_w(DIST + ARCH_GICD_ICFGR + 16, 4, 0xaaaaaaaa);
	mmio_w(DIST + ARCH_GICD_ISENABLER + 4, 4, 0xffffffff);
	mmio_w(DIST + ARCH_GICD_ISENABLER + 8, 4, 0xff);
}

static void pend(unsigned n)
{
	for (uint32_t i = 0; i < n; i++)
		must(gz_vgic_inject(&vg, 0, 32 + i, GZ_VGIC_LINE_HIGH), "inject");
}

/* The phases are separate, non-inlined functions so callgrind can count each alone. */
__attribute__((noinline)) void phase_flush_sync(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		gz_vgic_flush(&vg, 0);
		gz_vgic_sync(&vg, 0);
	}
}

__attribute__((noinline)) void phase_flush_sync_empty(unsigned n)
{
	phase_flush_sync(n);
}

__attribute__((noinline)) void phase_flush_sync_4of4(unsigned n)
{
	phase_flush_sync(n);
}

__attribute__((noinline)) void phase_flush_sync_4of40(unsigned n)
{
	phase_flush_sync(n);
}

__attribute__((noinline)) void phase_flush_sync_16of40(unsigned n)
{
	phase_flush_sync(n);
}

__attribute__((noinline)) void phase_deliver(unsigned n)
{
	unsigned nl = gz_vgic_nr_lrs(&vg);

	for (unsigned it = 0; it < n; it++) {
		unsigned got = 0;

		pend(40);
		while (got < 40) {
			gz_vgic_flush(&vg, 0);
			while (!model_misr(nl)) {
				int id = model_ack(nl);

				if (id < 0)
					break;
				model_eoi(nl, (uint32_t)id);
				got++;
			}
			gz_vgic_sync(&vg, 0);
		}
		delivered += got;
	}
}

__attribute__((noinline)) void phase_deliver40_4lr(unsigned n)
{
	phase_deliver(n);
}

__attribute__((noinline)) void phase_deliver40_16lr(unsigned n)
{
	phase_deliver(n);
}

__attribute__((noinline)) void phase_hal_ich_write(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		gz_hal_ich_write(GZ_ICH_LR(i & 3), i);
}

struct phase {
	const char *name;
	void (*fn)(unsigned);
	unsigned nr_lrs, pending, iters, per_iter; /* per_iter: operations per iteration */
	const char *unit;
};

static const struct phase phases[] = {
    {"flush_sync_empty", phase_flush_sync_empty, 4, 0, N_FS, 1, "flush+sync"},
    {"flush_sync_4of4", phase_flush_sync_4of4, 4, 4, N_FS, 1, "flush+sync"},
    {"flush_sync_4of40", phase_flush_sync_4of40, 4, 40, N_FS, 1, "flush+sync"},
    {"flush_sync_16of40", phase_flush_sync_16of40, 16, 40, N_FS, 1, "flush+sync"},
    {"deliver40_4lr", phase_deliver40_4lr, 4, 0, N_DEL, 40, "interrupt"},
    {"deliver40_16lr", phase_deliver40_16lr, 16, 0, N_DEL, 40, "interrupt"},
    {"hal_ich_write", phase_hal_ich_write, 4, 0, 1000000, 1, "write"},
};

int main(int argc, char **argv)
{
	for (size_t i = 0; i < GZ_ARRAY_SIZE(phases); i++) {
		const struct phase *p = &phases[i];
		char full[64];
		double t0, t1;

		snprintf(full, sizeof(full), "phase_%s", p->name);
		if (argc > 1 && strcmp(argv[1], full))
			continue;
		setup(p->nr_lrs);
		pend(p->pending);
		delivered = 0;
		t0 = now_ns();
		p->fn(p->iters);
		t1 = now_ns();
		if (!strncmp(p->name, "deliver", 7) && delivered != 40 * p->iters) {
			fprintf(stderr, "vgic_lr_bench: %s delivered %u\n", p->name, delivered);
			return 1;
		}
		/* name  operations  unit  ns/op */
		printf("%s %u %s %.1f\n", p->name, p->iters * p->per_iter, p->unit,
		       (t1 - t0) / (p->iters * p->per_iter));
	}
	fake_hal_teardown();
	return 0;
}
