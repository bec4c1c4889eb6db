/* gzsim-run's platform: what the core and the VMM will do for a guest, reduced to what the
 * test guests need — PSCI over HVC/SMC, MMIO emulation from the data-abort syndrome (PL011,
 * GICv3 distributor and redistributors, a scratch device), SGIs from trapped ICC_SGI1R
 * writes, the virtual timer's PPI 27, interrupts delivered through the list registers, and
 * synchronous external aborts injected for accesses to nothing. */
#include <stdlib.h>
#include <string.h>
#include <gzabi/status.h>
#include "runner.h"

#define EC(esr)	 ((unsigned)((esr) >> 26) & 0x3f)
#define ISS(esr) ((esr)&0x1ffffff)

#define PSCI_VERSION	       0x84000000U
#define PSCI_CPU_OFF	       0x84000002U
#define PSCI_CPU_ON32	       0x84000003U
#define PSCI_CPU_ON64	       0xc4000003U
#define PSCI_AFFINITY_INFO64   0xc4000004U
#define PSCI_SYSTEM_OFF	       0x84000008U
#define PSCI_SYSTEM_RESET      0x84000009U
#define PSCI_FEATURES	       0x8400000aU
#define PSCI_E_NOT_SUPPORTED   (-1LL)
#define PSCI_E_INVALID_PARAMS  (-2LL)
#define PSCI_E_ALREADY_ON      (-4LL)
#define PSCI_E_INVALID_ADDRESS (-9LL)

#define HCR_VM	(1ULL << 0)
#define HCR_FMO (1ULL << 3)
#define HCR_IMO (1ULL << 4)
#define HCR_AMO (1ULL << 5)
#define HCR_TWI (1ULL << 13)
#define HCR_TSC (1ULL << 19)
#define HCR_RW	(1ULL << 31)

#define LR_PENDING   (1ULL << 62)
#define LR_GROUP1    (1ULL << 60)
#define LR_STATE(lr) ((lr) >> 62)

#define TIMER_PPI 27

void run_vcpu_reset(struct run_vm *vm, unsigned i, uint64_t entry, uint64_t x0)
{
	struct run_vcpu *c = &vm->cpu[i];

	memset(&c->ctx, 0, sizeof(c->ctx));
	c->ctx.pc = entry;
	c->ctx.x[0] = x0;
	c->ctx.pstate = 0x3c5;	    /* EL1h, DAIF masked */
	c->ctx.sys[0] = 0x30d00800; /* SCTLR_EL1 RES1 bits, MMU and caches off */
	c->ctx.hcr_el2 = HCR_VM | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TWI | HCR_TSC | HCR_RW;
	c->ctx.vttbr_el2 = vm->vttbr;
	c->ctx.vtcr_el2 = vm->vtcr;
	c->ctx.vmpidr_el2 = (1ULL << 31) | i;
	c->ctx.vpidr_el2 = 0x410fd083; /* Cortex-A72 */
	c->ctx.cntvoff_el2 = 0;
	c->on = true;
	c->idle = false;
	c->enabled = 0;
	memset(c->prio, 0, sizeof(c->prio));
	memset(c->lr, 0, sizeof(c->lr));
	c->vmcr = c->ap1r0 = c->ap0r0 = 0;
	c->pending = 0;
	c->waker = 6; /* ProcessorSleep, ChildrenAsleep */
}

/* ---- interrupts --------------------------------------------------------------------------- */

static bool intid_in_lrs(const struct run_vcpu *c, unsigned intid)
{
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++)
		if (LR_STATE(c->lr[n]) && (c->lr[n] & 0xffffffffULL) == intid)
			return true;
	return false;
}

static bool timer_line(const struct run_vcpu *c)
{
	uint64_t ctl = c->ctx.sys[GZ_SYS_CNTV_CTL_EL0];

	return (ctl & 1) && !(ctl & 2) &&
	       gz_hal_cntpct() - c->ctx.cntvoff_el2 >= c->ctx.sys[GZ_SYS_CNTV_CVAL_EL0];
}

static bool has_work(const struct run_vcpu *c)
{
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++)
		if (LR_STATE(c->lr[n]) & 1)
			return true;
	return (c->pending & c->enabled) != 0;
}

static void raise_private(struct run_vm *vm, unsigned cpu, unsigned intid)
{
	struct run_vcpu *c = &vm->cpu[cpu];

	c->pending |= 1u << intid;
	if (c->enabled & (1u << intid))
		c->idle = false;
}

uint64_t run_check_timers(struct run_vm *vm)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct run_vcpu *c = &vm->cpu[i];
		uint64_t ctl = c->ctx.sys[GZ_SYS_CNTV_CTL_EL0];

		if (!c->on)
			continue;
		if (timer_line(c)) {
			if (!intid_in_lrs(c, TIMER_PPI))
				raise_private(vm, i, TIMER_PPI);
		} else if ((ctl & 1) && !(ctl & 2)) {
			uint64_t at = c->ctx.sys[GZ_SYS_CNTV_CVAL_EL0] + c->ctx.cntvoff_el2;

			next = at < next ? at : next;
		}
	}
	return next;
}

/* Move pending interrupts into free list registers and load this vCPU's interface. */
static void load_gic(struct run_vm *vm, struct run_vcpu *c)
{
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint32_t ready = c->pending & c->enabled;

		if (LR_STATE(c->lr[n]) || !ready || !(vm->gicd_ctlr & 2))
			continue;
		for (unsigned id = 0; id < 32; id++) {
			if (!(ready & (1u << id)) || intid_in_lrs(c, id))
				continue;
			c->lr[n] = LR_PENDING | LR_GROUP1 | ((uint64_t)c->prio[id] << 48) | id;
			c->pending &= ~(1u << id);
			break;
		}
	}
	gz_hal_ich_write(GZ_ICH_HCR, 1);
	gz_hal_ich_write(GZ_ICH_VMCR, c->vmcr);
	gz_hal_ich_write(GZ_ICH_AP1R0, c->ap1r0);
	gz_hal_ich_write(GZ_ICH_AP0R0, c->ap0r0);
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++)
		gz_hal_ich_write(GZ_ICH_LR(n), c->lr[n]);
}

static void save_gic(struct run_vcpu *c)
{
	c->vmcr = gz_hal_ich_read(GZ_ICH_VMCR);
	c->ap1r0 = gz_hal_ich_read(GZ_ICH_AP1R0);
	c->ap0r0 = gz_hal_ich_read(GZ_ICH_AP0R0);
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++)
		c->lr[n] = gz_hal_ich_read(GZ_ICH_LR(n));
	gz_hal_ich_write(GZ_ICH_HCR, 0);
}

/* ---- injection ---------------------------------------------------------------------------- */

static void inject_sync(struct run_vcpu *c, uint64_t esr, uint64_t far)
{
	struct gz_cpu_ctx *x = &c->ctx;
	unsigned mode = x->pstate & 0xf;
	uint64_t off = mode == 0 ? 0x400 : mode == 4 ? 0x000 : 0x200;

	x->elr_el1 = x->pc;
	x->spsr_el1 = x->pstate;
	x->sys[GZ_SYS_ESR_EL1] = esr;
	x->sys[GZ_SYS_FAR_EL1] = far;
	x->pstate = 0x3c5;
	x->pc = (x->sys[GZ_SYS_VBAR_EL1] & ~0x7ffULL) + off;
}

static void inject_abort(struct run_vcpu *c, bool insn, bool write, uint64_t far)
{
	unsigned lower = (c->ctx.pstate & 0xf) == 0;
	uint64_t ec = insn ? (lower ? 0x20 : 0x21) : (lower ? 0x24 : 0x25);

	inject_sync(c, (ec << 26) | (1ULL << 25) | (write ? 1ULL << 6 : 0) | 0x10 /* SEA */, far);
}

/* ---- PSCI --------------------------------------------------------------------------------- */

static bool ram_ipa(struct run_vm *vm, uint64_t ipa)
{
	return ipa >= RUN_RAM_BASE && ipa - RUN_RAM_BASE < vm->ram_size;
}

static void psci(struct run_vm *vm, unsigned self, struct gz_cpu_ctx *x)
{
	uint32_t fn = (uint32_t)x->x[0];
	int64_t r = PSCI_E_NOT_SUPPORTED;

	vm->nr_hvc++;
	switch (fn) {
	case PSCI_VERSION:
		r = 0x10001;
		break;
	case PSCI_FEATURES:
		r = (x->x[1] == PSCI_CPU_ON64 || x->x[1] == PSCI_SYSTEM_OFF ||
		     x->x[1] == PSCI_VERSION || x->x[1] == PSCI_CPU_OFF)
			? 0
			: PSCI_E_NOT_SUPPORTED;
		break;
	case PSCI_CPU_ON64:
	case PSCI_CPU_ON32: {
		uint64_t target = x->x[1], entry = x->x[2];

		if (fn == PSCI_CPU_ON32)
			entry &= 0xffffffffULL;
		if ((target & ~0xffULL) || target >= vm->ncpus)
			r = PSCI_E_INVALID_PARAMS;
		else if (vm->cpu[target].on)
			r = PSCI_E_ALREADY_ON;
		else if (!ram_ipa(vm, entry) || (entry & 3))
			r = PSCI_E_INVALID_ADDRESS;
		else {
			run_vcpu_reset(vm, (unsigned)target, entry, x->x[3]);
			r = 0;
		}
		break;
	}
	case PSCI_AFFINITY_INFO64:
		r = x->x[1] < vm->ncpus ? (vm->cpu[x->x[1]].on ? 0 : 1) : PSCI_E_INVALID_PARAMS;
		break;
	case PSCI_CPU_OFF:
		vm->cpu[self].on = false;
		r = 0;
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		vm->off = true;
		vm->status = 0;
		r = 0;
		break;
	default:
		break;
	}
	x->x[0] = (uint64_t)r;
}

/* ---- MMIO --------------------------------------------------------------------------------- */

static bool gicd_access(struct run_vm *vm, uint64_t off, bool write, uint64_t *val)
{
	if (write) {
		if (off == 0)
			vm->gicd_ctlr = (uint32_t)*val & 0x13;
		return true; /* SPI configuration: accepted and ignored (no SPIs here) */
	}
	switch (off) {
	case 0x0000:
		*val = vm->gicd_ctlr;
		break;
	case 0x0004:
		*val =
		    (1u << 24) /* no LPIs, A3V */ | (9u << 19) /* 10 ID bits */ | 1u /* 64 IDs */;
		break;
	case 0x0008:
		*val = 0x43b; /* IIDR: Arm */
		break;
	case 0xffe8:
		*val = 0x3b; /* PIDR2: GICv3 */
		break;
	default:
		*val = 0;
	}
	return true;
}

static bool gicr_access(struct run_vm *vm, unsigned cpu, uint64_t off, unsigned size, bool write,
			uint64_t *val)
{
	struct run_vcpu *c = &vm->cpu[cpu];

	if (off >= 0x10400 && off < 0x10420) { /* IPRIORITYR, byte accessible */
		unsigned id = (unsigned)(off - 0x10400);

		for (unsigned b = 0; b < (1u << size) && id + b < 32; b++) {
			if (write)
				c->prio[id + b] = (uint8_t)(*val >> (8 * b));
			else
				*val = (b ? *val : 0) | ((uint64_t)c->prio[id + b] << (8 * b));
		}
		return true;
	}
	switch (off) {
	case 0x0000:
		if (!write)
			*val = 0;
		break;
	case 0x0008: /* TYPER: affinity, processor number, Last */
		if (!write)
			*val = ((uint64_t)cpu << 32) | ((uint64_t)cpu << 8) |
			       (cpu == vm->ncpus - 1 ? 1u << 4 : 0);
		break;
	case 0x000c:
		if (!write)
			*val = cpu;
		break;
	case 0x0014: /* WAKER */
		if (write)
			c->waker = (*val & 2) ? 6 : 0;
		else
			*val = c->waker;
		break;
	case 0xffe8:
		if (!write)
			*val = 0x3b;
		break;
	case 0x10080: /* IGROUPR0 */
		if (!write)
			*val = 0xffffffff;
		break;
	case 0x10100: /* ISENABLER0 */
		if (write)
			c->enabled |= (uint32_t)*val;
		else
			*val = c->enabled;
		break;
	case 0x10180: /* ICENABLER0 */
		if (write)
			c->enabled &= ~(uint32_t)*val;
		else
			*val = c->enabled;
		break;
	case 0x10200: /* ISPENDR0 */
		if (write)
			c->pending |= (uint32_t)*val;
		else
			*val = c->pending;
		break;
	case 0x10280: /* ICPENDR0 */
		if (write)
			c->pending &= ~(uint32_t)*val;
		else
			*val = c->pending;
		break;
	default:
		if (!write)
			*val = 0;
	}
	return true;
}

static bool mmio(struct run_vm *vm, unsigned self, uint64_t ipa, unsigned size, bool write,
		 uint64_t *val)
{
	(void)self;
	if (ipa >= RUN_UART_BASE && ipa < RUN_UART_BASE + 0x1000) {
		uint64_t off = ipa - RUN_UART_BASE;

		if (write && off == 0) {
			fputc((int)(*val & 0xff), vm->out);
		} else if (!write) {
			*val = off == 0x18 ? 0x90 /* TXFE, RXFE */ : off == 0xfe0 ? 0x11 : 0;
		}
		return true;
	}
	if (ipa >= RUN_GICD_BASE && ipa < RUN_GICD_BASE + RUN_GICD_SIZE)
		return gicd_access(vm, ipa - RUN_GICD_BASE, write, val);
	if (ipa >= RUN_GICR_BASE && ipa < RUN_GICR_BASE + vm->ncpus * RUN_GICR_STRIDE) {
		uint64_t off = ipa - RUN_GICR_BASE;

		return gicr_access(vm, (unsigned)(off / RUN_GICR_STRIDE), off % RUN_GICR_STRIDE,
				   size, write, val);
	}
	if (ipa >= RUN_TESTDEV_BASE && ipa + (1u << size) <= RUN_TESTDEV_BASE + RUN_TESTDEV_SIZE) {
		uint8_t *p = vm->testdev + (ipa - RUN_TESTDEV_BASE);

		if (write)
			memcpy(p, val, 1u << size);
		else {
			*val = 0;
			memcpy(val, p, 1u << size);
		}
		return true;
	}
	return false;
}

static void data_abort(struct run_vm *vm, unsigned self, const struct gz_exit_record *e)
{
	struct run_vcpu *c = &vm->cpu[self];
	uint64_t iss = ISS(e->esr), ipa = ((e->hpfar >> 4) << 12) | (e->far & 0xfff), val = 0;
	unsigned size = (iss >> 22) & 3, rt = (iss >> 16) & 31;
	bool write = iss & (1u << 6), sse = iss & (1u << 21), sf = iss & (1u << 15);

	if (!(iss & (1u << 24))) {
		inject_abort(c, false, write, e->far);
		return;
	}
	if (write)
		val = rt == 31 ? 0 : c->ctx.x[rt];
	if (size < 3 && write)
		val &= (1ULL << (8u << size)) - 1;
	if (!mmio(vm, self, ipa, size, write, &val)) {
		inject_abort(c, false, write, e->far);
		return;
	}
	vm->nr_mmio++;
	if (!write && rt != 31) {
		if (size < 3) {
			val &= (1ULL << (8u << size)) - 1;
			if (sse && (val >> ((8u << size) - 1)))
				val |= ~0ULL << (8u << size);
		}
		if (!sf)
			val &= 0xffffffffULL;
		c->ctx.x[rt] = val;
	}
	c->ctx.pc += 4;
}

/* ---- trapped system registers ------------------------------------------------------------- */

static void sysreg_trap(struct run_vm *vm, unsigned self, uint64_t iss)
{
	struct run_vcpu *c = &vm->cpu[self];
	unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
	unsigned crn = (iss >> 10) & 15, rt = (iss >> 5) & 31, crm = (iss >> 1) & 15;
	bool read = iss & 1;
	uint64_t v = rt == 31 ? 0 : c->ctx.x[rt];

	if (!read && op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && op2 == 5) {
		/* ICC_SGI1R_EL1: INTID[27:24], Aff1[23:16], TargetList[15:0], IRM[40] */
		unsigned intid = (v >> 24) & 15, aff1 = (v >> 16) & 0xff;

		for (unsigned t = 0; t < vm->ncpus; t++) {
			bool hit = (v >> 40) & 1 ? t != self : (aff1 == 0 && ((v >> t) & 1));

			if (hit && vm->cpu[t].on)
				raise_private(vm, t, intid);
		}
	} else if (read && rt != 31) {
		c->ctx.x[rt] = 0; /* other trapped registers read as zero, writes ignored */
	}
	c->ctx.pc += 4;
}

/* ---- one run ------------------------------------------------------------------------------ */

int run_vcpu_once(struct run_vm *vm, unsigned i)
{
	struct run_vcpu *c = &vm->cpu[i];
	struct gz_exit_record e;
	int r;

	run_check_timers(vm);
	load_gic(vm, c);
	if (getenv("GZSIM_TRACE_GIC"))
		fprintf(stderr, "vcpu %u: pending %#x enabled %#x lr0 %#llx vmcr %#llx\n", i,
			c->pending, c->enabled, (unsigned long long)c->lr[0],
			(unsigned long long)c->vmcr);
	r = gz_hal_vcpu_run(&c->ctx, &e);
	save_gic(c);
	if (r < 0) {
		fprintf(stderr, "gzsim-run: vCPU %u could not be entered (%d)\n", i, r);
		return r;
	}
	vm->nr_exits++;
	c->exits++;
	if (getenv("GZSIM_TRACE"))
		fprintf(stderr, "vcpu %u exit kind %d esr %#llx far %#llx hpfar %#llx pc %#llx\n",
			i, e.kind, (unsigned long long)e.esr, (unsigned long long)e.far,
			(unsigned long long)e.hpfar, (unsigned long long)c->ctx.pc);
	if (e.kind != GZ_EXIT_KIND_SYNC)
		return 0; /* timer, maintenance, end of slice: the next round looks at it */
	switch (EC(e.esr)) {
	case 0x16: /* HVC */
		psci(vm, i, &c->ctx);
		break;
	case 0x17: /* SMC (trapped by TSC): return past it */
		c->ctx.pc += 4;
		psci(vm, i, &c->ctx);
		break;
	case 0x01: /* WFI/WFE */
		c->ctx.pc += 4;
		if (!(e.esr & 1) && !has_work(c) && !timer_line(c))
			c->idle = true;
		break;
	case 0x18:
		sysreg_trap(vm, i, ISS(e.esr));
		break;
	case 0x24:
		data_abort(vm, i, &e);
		break;
	case 0x20:
		inject_abort(c, true, false, e.far);
		break;
	default:
		fprintf(stderr, "gzsim-run: vCPU %u: unhandled exit ESR %#llx at PC %#llx\n", i,
			(unsigned long long)e.esr, (unsigned long long)c->ctx.pc);
		return GZ_ERR_NOT_SUPPORTED;
	}
	return 0;
}
