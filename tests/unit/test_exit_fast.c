/* The exit fast path (src/hyp/core/exit_fast.c, gz_vgic_mmio_locate): through RUN
 * with the fake HAL offering every synchronous exit the way gzhyp's trap vector does, the
 * queries and vGIC reads it takes give the guest exactly what the full path gives, without
 * a vGIC sync/flush or a return to the core's loop; everything else is refused with nothing
 * changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arm64/gicv3.h>
#include <gzhyp/exit.h>
#include <gzhyp/vgic.h>

#include <gzabi/hvc.h>
#include "vm_fixture.h"

#define DIST   0x3fff0000ULL
#define REDIST 0x3ff80000ULL /* two 128 KiB frames */
#define PC0    0x80000000ULL

static uint16_t vm;
static struct gz_vcpu *v0;

static gz_pa_t put_device(uint32_t type, uint64_t addr, uint64_t size)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(200 + type);
	struct gzvm_create_device *d = gz_hal_pa_to_va(pa);

	memset(d, 0, sizeof(*d));
	d->dev_type = type;
	d->dev_addr = addr;
	d->dev_reg_size = size;
	return pa;
}

static int setup(void **state)
{
	(void)state;
	vm = vfix_setup_vm(2);
	assert_int_not_equal(vm, 0);
	assert_int_equal(hstatus(GZ_HVC_CREATE_DEVICE, vm,
				 put_device(GZVM_DEV_TYPE_ARM_VGIC_V3_DIST, DIST, 0x10000), 0, 0,
				 0),
			 GZ_OK);
	assert_int_equal(hstatus(GZ_HVC_CREATE_DEVICE, vm,
				 put_device(GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST, REDIST, 0x40000), 0,
				 0, 0),
			 GZ_OK);
	v0 = vfix_vcpu(vm, 0);
	return 0;
}

/* ---- one guest script, played with and without the fast path ---------------------------- */

struct play {
	uint64_t x[4], pc;	   /* set before the exit */
	uint64_t seen[4], seen_pc; /* what the guest had when it got here */
};

static void play_fn(struct gz_cpu_ctx *ctx, void *arg)
{
	struct play *p = arg;

	memcpy(p->seen, ctx->x, sizeof(p->seen));
	p->seen_pc = ctx->pc;
	memcpy(ctx->x, p->x, sizeof(p->x));
	ctx->pc = p->pc;
	ctx->pstate = PSR_MODE_EL1h;
}

#define NSTEPS 13
static struct play steps[NSTEPS];
static uint64_t esrs[NSTEPS], fars[NSTEPS], hpfars[NSTEPS];

static void script(void)
{
	static const struct {
		uint64_t x0, x1, x2;
		unsigned ec; /* 0: a data abort at ipa */
		uint64_t ipa;
		unsigned sas;
	} s[NSTEPS] = {
	    {GZ_SMCCC_VERSION, 0, 0, ESR_EC_HVC64, 0, 0},
	    {GZ_PSCI_VERSION, 0, 0, ESR_EC_HVC64, 0, 0},
	    {GZ_PSCI_FEATURES, GZ_PSCI_CPU_ON_64, 0, ESR_EC_SMC64, 0, 0},
	    {GZ_VENDOR_HYP_CALL_UID, 0, 0, ESR_EC_HVC64, 0, 0},
	    {GZ_PSCI_AFFINITY_INFO_64, 1, 0, ESR_EC_HVC64, 0, 0},
	    {GZ_SMCCC_ARCH_FEATURES, GZ_SMCCC_VERSION, 0, ESR_EC_HVC64, 0, 0},
	    {0, 0, 0, 0, DIST + ARCH_GICD_TYPER, 2},
	    {0, 0, 0, 0, REDIST + 0x20000 + ARCH_GICR_TYPER, 3}, /* vCPU 1's frame */
	    {0, 0, 0, 0, DIST + ARCH_GICD_IPRIORITYR + 32, 0},
	    /* calls nobody implements: NOT_SUPPORTED without leaving the run */
	    {0x4b000000, 0, 0, ESR_EC_HVC64, 0, 0}, /* a yielding call */
	    {0xc2000001, 0, 0, ESR_EC_SMC64, 0, 0}, /* SiP service */
	    {GZ_PSCI_SYSTEM_SUSPEND_64, 0, 0, ESR_EC_HVC64, 0, 0},
	    {0x80007fff, 0, 0, ESR_EC_HVC64, 0, 0}, /* an arch function not defined */
	};

	for (unsigned i = 0; i < NSTEPS; i++) {
		steps[i] =
		    (struct play){.x = {s[i].x0, s[i].x1, s[i].x2, 0x5555}, .pc = PC0 + 8 * i};
		if (s[i].ec) {
			esrs[i] = esr_ec(s[i].ec, 0);
			fars[i] = hpfars[i] = 0;
		} else {
			/* LDR{B} W3 / LDR X3 from the frame */
			esrs[i] = esr_dabt(true, s[i].sas, false, 3, s[i].sas == 3, false, 0x07);
			fars[i] = s[i].ipa & 0xfff;
			hpfars[i] = hpfar_of(s[i].ipa);
		}
	}
}

static struct play final;

static unsigned count_ops(enum fake_op_kind k)
{
	unsigned n = 0;

	for (size_t i = 0; i < fake_hal_nr_ops(); i++)
		n += fake_hal_op(i)->kind == k;
	return n;
}

/* Plays the script (then an IRQ exit that goes to the host); returns the RUNs it took. */
static unsigned play_script(bool fast, struct play out[NSTEPS])
{
	uint32_t reason = 0;
	unsigned runs = 0;

	script();
	vfix_guest_reset();
	fake_hal_set_fast_path(fast ? gz_exit_fast : NULL);
	for (unsigned i = 0; i < NSTEPS; i++)
		vfix_push(GZ_EXIT_KIND_SYNC, esrs[i], fars[i], hpfars[i], play_fn, &steps[i]);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, play_fn, &final);
	fake_hal_clear_ops();
	while (vfix_guest.next < vfix_guest.n && runs < 20) {
		assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
		runs++;
	}
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	memcpy(out, steps, sizeof(steps));
	return count_ops(FAKE_OP_VCPU_RUN);
}

static void test_same_answers_fewer_switches(void **state)
{
	struct play slow[NSTEPS], fast[NSTEPS];
	uint64_t slow_final[4], slow_final_pc, fast_exits0 = v0->nr_fast_exits;
	unsigned runs;

	(void)state;
	runs = play_script(false, slow);
	assert_int_equal(runs, NSTEPS + 1); /* one entry per exit */
	assert_int_equal(count_ops(FAKE_OP_FAST_EXIT), 0);
	memcpy(slow_final, final.seen, sizeof(slow_final));
	slow_final_pc = final.seen_pc;
	assert_int_equal(v0->nr_fast_exits, fast_exits0);

	runs = play_script(true, fast);
	assert_int_equal(runs, 1); /* every exit of the script was served inside the run */
	assert_int_equal(count_ops(FAKE_OP_FAST_EXIT), NSTEPS);
	assert_int_equal(v0->nr_fast_exits, fast_exits0 + NSTEPS);

	for (unsigned i = 1; i < NSTEPS; i++) {
		assert_memory_equal(slow[i].seen, fast[i].seen, sizeof(slow[i].seen));
		assert_int_equal(slow[i].seen_pc, fast[i].seen_pc);
	}
	assert_memory_equal(slow_final, final.seen, sizeof(slow_final));
	assert_int_equal(slow_final_pc, final.seen_pc);

	/* and the answers are the right ones */
	assert_int_equal(fast[1].seen[0], GZ_SMCCC_VERSION_1_1);
	assert_int_equal(fast[2].seen[0], GZ_PSCI_VERSION_1_1);
	assert_int_equal(fast[3].seen[0], 0);		    /* CPU_ON is offered */
	assert_int_equal(fast[3].seen_pc, PC0 + 8 * 2 + 4); /* the SMC was stepped over */
	assert_int_equal(fast[4].seen[0], GZ_GENIEZONE_UID_W0);
	assert_int_equal(fast[5].seen[0], GZ_PSCI_AFFINITY_OFF); /* vCPU 1 never started */
	assert_int_equal(fast[6].seen[0], GZ_SMCCC_RET_SUCCESS);
	assert_int_equal(fast[7].seen[3] & ARCH_GICD_TYPER_ITLINES, GZ_VM_NR_SPIS / 32);
	assert_int_equal(fast[8].seen[3] >> 32, gz_vcpu_mpidr(1) & 0xffffff);
	assert_int_equal(fast[9].seen_pc, PC0 + 8 * 8 + 4); /* the load was stepped over */
	assert_int_equal(fast[10].seen[0], (uint64_t)(int64_t)GZ_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(fast[11].seen[0], (uint64_t)(int64_t)GZ_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(fast[11].seen_pc, PC0 + 8 * 10 + 4); /* the SMC was stepped over */
	assert_int_equal(fast[12].seen[0], (uint64_t)(int64_t)GZ_PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(final.seen[0], (uint64_t)(int64_t)GZ_SMCCC_RET_NOT_SUPPORTED);
}

/* ---- refusals ------------------------------------------------------------------------------ */

static bool refused_unchanged(uint64_t esr, uint64_t far, uint64_t hpfar, enum gz_exit_kind kind,
			      uint64_t x0, uint64_t x1)
{
	static struct gz_cpu_ctx before;
	static struct gzvm_vcpu_run run_before;
	static struct gz_vgic vgic_before;
	struct gz_exit_record rec = {.kind = kind, .esr = esr, .far = far, .hpfar = hpfar};
	struct gz_vm *m = gz_vm_get(vm);
	bool taken;

	v0->ctx.x[0] = x0;
	v0->ctx.x[1] = x1;
	v0->ctx.x[2] = v0->ctx.x[3] = 0;
	v0->ctx.pc = PC0;
	before = v0->ctx;
	run_before = *v0->run;
	vgic_before = m->vgic;
	taken = gz_exit_fast(&v0->ctx, &rec);
	assert_false(taken);
	assert_memory_equal(&before, &v0->ctx, sizeof(before));
	assert_memory_equal(&run_before, v0->run, sizeof(run_before));
	/* all but the lock word (a ticket lock counts its acquisitions) */
	assert_memory_equal((char *)&vgic_before + sizeof(vgic_before.lock),
			    (char *)&m->vgic + sizeof(m->vgic.lock),
			    sizeof(vgic_before) - sizeof(vgic_before.lock));
	return !taken;
}

/* The ISS of MRS/MSR x1, (3, 3, 14, crm, op2): the physical timer and counter. */
static uint64_t ptimer_iss(unsigned crm, unsigned op2, bool read)
{
	return GZ_FIELD_PREP(ESR_SYS64_OP0, 3) | GZ_FIELD_PREP(ESR_SYS64_OP1, 3) |
	       GZ_FIELD_PREP(ESR_SYS64_CRN, 14) | GZ_FIELD_PREP(ESR_SYS64_CRM, crm) |
	       GZ_FIELD_PREP(ESR_SYS64_OP2, op2) | GZ_FIELD_PREP(ESR_SYS64_RT, 1) |
	       (read ? ESR_SYS64_DIR : 0);
}

/* Reads of the emulated physical timer and counter are taken: registers only. */
static void test_ptimer_reads(void **state)
{
	struct gz_exit_record rec = {.kind = GZ_EXIT_KIND_SYNC};
	uint64_t off = v0->ctx.cntpoff;

	(void)state;
	fake_hal_set_cntpct(off + 700);
	v0->ctx.cntp_cval = 1000;
	v0->ctx.cntp_ctl = CNT_CTL_ENABLE;
	v0->ctx.pc = PC0;
	rec.esr = esr_ec(ESR_EC_SYS64, ptimer_iss(0, 1, true)); /* CNTPCT_EL0 */
	assert_true(gz_exit_fast(&v0->ctx, &rec));
	assert_int_equal(v0->ctx.x[1], 700);
	rec.esr = esr_ec(ESR_EC_SYS64, ptimer_iss(2, 0, true)); /* TVAL */
	assert_true(gz_exit_fast(&v0->ctx, &rec));
	assert_int_equal(v0->ctx.x[1], 300);
	rec.esr = esr_ec(ESR_EC_SYS64, ptimer_iss(2, 1, true)); /* CTL */
	assert_true(gz_exit_fast(&v0->ctx, &rec));
	assert_int_equal(v0->ctx.x[1], CNT_CTL_ENABLE);
	assert_int_equal(v0->ctx.pc, PC0 + 12);
	/* the virtual timer's registers never trap: not the fast path's either */
	rec.esr = esr_ec(ESR_EC_SYS64, ptimer_iss(3, 1, true));
	assert_false(gz_exit_fast(&v0->ctx, &rec));
}

static uint64_t rd32(unsigned sas, bool write)
{
	return esr_dabt(true, sas, false, 3, false, write, 0x07);
}

static uint64_t ptimer_iss(unsigned crm, unsigned op2, bool read);

static void test_refused(void **state)
{
	uint64_t hvc = esr_ec(ESR_EC_HVC64, 0);
	struct gz_exit_record ok = {.kind = GZ_EXIT_KIND_SYNC, .esr = hvc};

	(void)state;
	/* calls with effects beyond the registers: memory, power, the host */
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_VENDOR_HYP_MEM_SHARE, 0x80000000);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_PSCI_CPU_ON_64, 1);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_PSCI_SYSTEM_OFF, 0);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_PSCI_CPU_SUSPEND_64, 0);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, 0xc6000100, 0); /* vendor: to the host */
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_PSCI_CPU_OFF, 0);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_PSCI_SYSTEM_RESET, 0);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_PSCI_SYSTEM_RESET2_64, 0);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_PSCI_CPU_SUSPEND_32, 0);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_VENDOR_HYP_MMIO_GUARD_ENROLL, 0);
	refused_unchanged(esr_ec(ESR_EC_HVC64, 1), 0, 0, GZ_EXIT_KIND_SYNC, GZ_SMCCC_VERSION, 0);
	/* vGIC accesses that change state, depend on list registers, or abort */
	refused_unchanged(rd32(2, true), ARCH_GICD_CTLR, hpfar_of(DIST), GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(rd32(2, false), ARCH_GICD_ISPENDR + 4, hpfar_of(DIST), GZ_EXIT_KIND_SYNC,
			  0, 0);
	refused_unchanged(rd32(2, false), ARCH_GICD_ICACTIVER + 4, hpfar_of(DIST),
			  GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(rd32(2, false), ARCH_GICR_ISACTIVER0,
			  hpfar_of(REDIST + ARCH_GICR_SGI_BASE), GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(rd32(0, false), ARCH_GICD_CTLR, hpfar_of(DIST), GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(rd32(2, false), ARCH_GICD_TYPER + 2, hpfar_of(DIST), GZ_EXIT_KIND_SYNC, 0,
			  0);
	refused_unchanged(rd32(2, false), 0, hpfar_of(0x9000000), GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(esr_dabt(false, 0, false, 0, false, false, 0x07), ARCH_GICD_TYPER,
			  hpfar_of(DIST), GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(rd32(2, false) | ESR_xABT_S1PTW, ARCH_GICD_TYPER, hpfar_of(DIST),
			  GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(rd32(2, false) | ESR_xABT_EA, ARCH_GICD_TYPER, hpfar_of(DIST),
			  GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(rd32(2, false) | ESR_DABT_CM, ARCH_GICD_TYPER, hpfar_of(DIST),
			  GZ_EXIT_KIND_SYNC, 0, 0);
	/* writes of the emulated physical timer move its PPI 30 line: the full path's */
	refused_unchanged(esr_ec(ESR_EC_SYS64, ptimer_iss(2, 2, false)), 0, 0, GZ_EXIT_KIND_SYNC, 0,
			  0);
	refused_unchanged(esr_ec(ESR_EC_SYS64, ptimer_iss(2, 1, false)), 0, 0, GZ_EXIT_KIND_SYNC, 0,
			  0);
	/* other exit types and kinds */
	refused_unchanged(esr_ec(ESR_EC_WFX, 0), 0, 0, GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(esr_ec(ESR_EC_SYS64, 0), 0, 0, GZ_EXIT_KIND_SYNC, 0, 0);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_IRQ, GZ_SMCCC_VERSION, 0);
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SERROR, GZ_SMCCC_VERSION, 0);
	/* a context that is not a vCPU's, and no arguments */
	v0->ctx.fast_exits = 0;
	refused_unchanged(hvc, 0, 0, GZ_EXIT_KIND_SYNC, GZ_SMCCC_VERSION, 0);
	v0->ctx.fast_exits = 1;
	assert_false(gz_exit_fast(NULL, &ok));
	assert_false(gz_exit_fast(&v0->ctx, NULL));
	/* the same call with the registers right is taken */
	v0->ctx.x[0] = GZ_SMCCC_VERSION;
	assert_true(gz_exit_fast(&v0->ctx, &ok));
	assert_int_equal(v0->ctx.x[0], GZ_SMCCC_VERSION_1_1);
}

static bool read_stable(struct gz_vgic *g, unsigned vcpu, gz_ipa_t ipa, unsigned size)
{
	struct gz_vgic_loc loc;

	gz_vgic_mmio_locate(g, vcpu, ipa, size, &loc);
	return loc.read_stable;
}

static void test_stable_reads(void **state)
{
	struct gz_vgic *g = &gz_vm_get(vm)->vgic;
	static const struct {
		uint64_t ipa;
		unsigned size;
		bool stable;
	} t[] = {
	    {DIST + ARCH_GICD_CTLR, 4, true},
	    {DIST + ARCH_GICD_TYPER, 4, true},
	    {DIST + ARCH_GICD_TYPER, 8, false}, /* a width the register does not have */
	    {DIST + ARCH_GICD_TYPER, 3, false},
	    {DIST + ARCH_GICD_TYPER + 1, 1, false},
	    {DIST + ARCH_GICD_ISENABLER + 4, 4, true},
	    {DIST + ARCH_GICD_ISPENDR + 4, 4, false},
	    {DIST + ARCH_GICD_IPRIORITYR + 33, 1, true},
	    {DIST + ARCH_GICD_IROUTER + 8 * 40, 8, true},
	    {DIST + 0x8000, 4, true}, /* a hole: RAZ */
	    {DIST + 0xffe8, 4, true}, /* PIDR2 */
	    {DIST - 4, 4, false},
	    {DIST + 0x10000, 4, false},
	    {REDIST + ARCH_GICR_TYPER, 8, true},
	    {REDIST + ARCH_GICR_WAKER, 4, true},
	    {REDIST + ARCH_GICR_SGI_BASE + ARCH_GICR_ISENABLER0, 4, true},
	    {REDIST + ARCH_GICR_SGI_BASE + ARCH_GICR_ISPENDR0, 4, false},
	    {REDIST + ARCH_GICR_SGI_BASE + ARCH_GICR_ICPENDR0, 4, false},
	    {REDIST + 0x20000 + ARCH_GICR_SGI_BASE + ARCH_GICR_ISACTIVER0, 4, false},
	    {REDIST + 0x40000, 4, false}, /* past the frames of two vCPUs */
	};

	(void)state;
	for (unsigned i = 0; i < GZ_ARRAY_SIZE(t); i++) {
		uint64_t val = 0;

		assert_int_equal(read_stable(g, 0, t[i].ipa, t[i].size), t[i].stable);
		/* a stable read is one the vGIC performs */
		if (t[i].stable)
			assert_int_equal(gz_vgic_mmio(g, 0, t[i].ipa, t[i].size, false, &val),
					 GZ_OK);
	}
	assert_false(read_stable(g, 7, DIST + ARCH_GICD_TYPER, 4)); /* no vCPU */
	assert_int_equal(fake_hal_locks_held(), 0);
}

/* A located access is performed where it was found, without a second look-up: the frame and
 * offset the location names, the errors of the one-call form. */
static void test_locate_then_access(void **state)
{
	struct gz_vgic *g = &gz_vm_get(vm)->vgic;
	struct gz_vgic_loc loc;
	uint64_t a = 0, b = 0;

	(void)state;
	gz_vgic_mmio_locate(g, 0, DIST + ARCH_GICD_TYPER, 4, &loc);
	assert_int_equal(loc.frame, GZ_VGIC_FRAME_DIST);
	assert_int_equal(loc.off, ARCH_GICD_TYPER);
	assert_int_equal(gz_vgic_mmio_access(g, 0, &loc, 4, false, &a), GZ_OK);
	assert_int_equal(gz_vgic_mmio(g, 0, DIST + ARCH_GICD_TYPER, 4, false, &b), GZ_OK);
	assert_int_equal(a, b);
	gz_vgic_mmio_locate(g, 0, REDIST + 0x20000 + ARCH_GICR_TYPER, 8, &loc);
	assert_int_equal(loc.frame, GZ_VGIC_FRAME_REDIST);
	assert_int_equal(loc.off, 0x20000 + ARCH_GICR_TYPER);
	assert_int_equal(gz_vgic_mmio_access(g, 0, &loc, 8, false, &a), GZ_OK);
	assert_int_equal(a >> 32, gz_vcpu_mpidr(1) & 0xffffff); /* vCPU 1's frame */
	gz_vgic_mmio_locate(g, 0, 0x9000000, 4, &loc);
	assert_int_equal(loc.frame, GZ_VGIC_FRAME_NONE);
	assert_false(loc.read_stable);
	assert_int_equal(gz_vgic_mmio_access(g, 0, &loc, 4, false, &a), GZ_VGIC_MMIO_NOT_MINE);
	/* bad accesses at a good place abort, as a bad vCPU does */
	gz_vgic_mmio_locate(g, 0, DIST + ARCH_GICD_TYPER + 2, 4, &loc);
	assert_int_equal(gz_vgic_mmio_access(g, 0, &loc, 4, false, &a), GZ_ERR_INVALID_ARGS);
	gz_vgic_mmio_locate(g, 0, DIST + ARCH_GICD_TYPER, 4, &loc);
	assert_int_equal(gz_vgic_mmio_access(g, 7, &loc, 4, false, &a), GZ_ERR_INVALID_ARGS);
	assert_int_equal(fake_hal_locks_held(), 0);
}

/* ---- a declined exit is handed to the full path ---------------------------------------- */

static unsigned vgic_locks;

static void count_vgic_locks(gz_lock_t *lock, bool acquire, void *arg)
{
	if (acquire && lock == &((struct gz_vm *)arg)->vgic.lock)
		vgic_locks++;
}

/* Acquisitions of the vGIC lock in one RUN of @esr at @ipa (then an IRQ exit), with or
 * without the fast path; the RUN ends with @reason. */
static unsigned vgic_lock_count(bool fast, uint64_t esr, gz_ipa_t ipa, uint32_t reason)
{
	struct gz_vm *m = gz_vm_get(vm);
	uint32_t got = 0;

	vfix_guest_reset();
	fake_hal_set_fast_path(fast ? gz_exit_fast : NULL);
	vfix_push(GZ_EXIT_KIND_SYNC, esr, ipa & 0xfff, hpfar_of(ipa), play_fn, &final);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, play_fn, &final);
	vgic_locks = 0;
	fake_hal_set_lock_hook(count_vgic_locks, m);
	assert_int_equal(vfix_run(vm, 0, &got), GZ_OK);
	fake_hal_set_lock_hook(NULL, NULL);
	assert_int_equal(got, reason);
	if (reason == GZVM_EXIT_MMIO) /* complete it */
		assert_int_equal(vfix_run(vm, 0, &got), GZ_OK);
	fake_hal_set_fast_path(NULL);
	return vgic_locks;
}

/* An exit the fast path declines reaches the full path decoded and located in the vGIC: a
 * RUN takes the vGIC's lock as often with the fast path as without it, whether the access
 * goes to the host or to the vGIC. */
static void test_declined_handed_over(void **state)
{
	static const struct {
		uint64_t esr;
		gz_ipa_t ipa;
		uint32_t reason;
	} t[] = {
	    {0, 0x9000000, GZVM_EXIT_MMIO},			  /* a device of the VMM */
	    {1, DIST + ARCH_GICD_IPRIORITYR + 32, GZVM_EXIT_IRQ}, /* a vGIC write */
	    {2, DIST + ARCH_GICD_ISPENDR + 4, GZVM_EXIT_IRQ},	  /* LR-dependent read */
	};

	(void)state;
	script();
	for (unsigned i = 0; i < GZ_ARRAY_SIZE(t); i++) {
		uint64_t esr = rd32(2, t[i].esr == 1);
		unsigned slow = vgic_lock_count(false, esr, t[i].ipa, t[i].reason);
		unsigned fast = vgic_lock_count(true, esr, t[i].ipa, t[i].reason);

		if (fast != slow)
			fail_msg("case %u: %u vGIC lock round trips with the fast path, %u without",
				 i, fast, slow);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, vfix_cmocka_teardown)
/* With the exit log on (gzhyp/exit_log.h), exits the fast path serves are logged as its own;
 * once the log holds all but one record of this RUN the fast path declines, the run loop
 * takes the exit and ends the RUN (GZVM_EXIT_GZ) before the log wraps. */
static void test_exit_log(void **state)
{
	struct gz_exit_log *l =
	    (struct gz_exit_log *)((char *)vfix_hwstate(vm, 0) + GZ_EXIT_LOG_OFFSET);
	static struct play psci = {.x = {GZ_PSCI_VERSION}, .pc = PC0};
	uint32_t reason;

	(void)state;
	l->on = 1;
	fake_hal_set_cntpct(500); /* a clock that stands still: each fast exit costs 0 ticks */
	fake_hal_set_fast_path(gz_exit_fast);
	for (int i = 0; i < GZ_EXIT_LOG_NR + 5; i++)
		vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 0), 0, 0, play_fn, &psci);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_GZ);
	assert_int_equal(l->head, GZ_EXIT_LOG_NR);
	assert_int_equal(l->rec[0].handler, GZ_EXIT_LOG_FAST);
	assert_int_equal(l->rec[0].pc, PC0);
	assert_int_equal(l->rec[0].t_exit, 500);
	assert_int_equal(l->rec[0].cost, 0);
	assert_int_equal(l->rec[GZ_EXIT_LOG_NR - 2].handler, GZ_EXIT_LOG_FAST);
	assert_int_equal(l->rec[GZ_EXIT_LOG_NR - 1].handler, GZ_EXIT_LOG_CORE);
	fake_hal_set_fast_path(NULL);
}

/* Costs past 32 bits of ticks saturate, on the fast path (at once) and for an exit the host
 * served (at the next entry); a fast-path record carries its cost, so the next entry leaves it. */
static void test_exit_log_saturates(void **state)
{
	struct gz_exit_log *l =
	    (struct gz_exit_log *)((char *)vfix_hwstate(vm, 0) + GZ_EXIT_LOG_OFFSET);
	static struct play psci = {.x = {GZ_PSCI_VERSION}, .pc = PC0};
	uint32_t reason;

	(void)state;
	l->on = 1;
	fake_hal_set_cntpct(1000);
	fake_hal_set_idle_poll(0, 1ULL << 33); /* every counter read: 2^33 ticks later */
	fake_hal_set_fast_path(gz_exit_fast);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 0), 0, 0, play_fn, &psci);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(l->head, 2);
	assert_int_equal(l->rec[0].handler, GZ_EXIT_LOG_FAST);
	assert_int_equal(l->rec[0].cost, UINT32_MAX);
	assert_int_equal(l->rec[1].handler, GZ_EXIT_LOG_HOST);
	assert_int_equal(l->rec[1].cost, 0);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(l->rec[1].cost, UINT32_MAX);
	assert_int_equal(l->head, 3);
	fake_hal_set_fast_path(NULL);
	fake_hal_set_idle_poll(0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_same_answers_fewer_switches),
	    T(test_refused),
	    T(test_ptimer_reads),
	    T(test_stable_reads),
	    T(test_locate_then_access),
	    T(test_declined_handed_over),
	    T(test_exit_log),
	    T(test_exit_log_saturates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
