/* gz_hal_vcpu_run on Unicorn: one engine per vCPU, guest IPA windows mapped only where the
 * VM's stage-2 tables map them (with their permissions), every trap turned into the exit
 * record hardware would give EL2, and exception entry into the guest (virtual IRQs from the
 * list registers, SVC/BRK/UNDEF) done here as the architecture specifies. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include <gzhyp/exit.h>
#include <gzabi/status.h>
#include "sim_internal.h"
#include "sim_arch.h"

#define MAX_VCPUS  64
#define TCG_BUFFER (64u << 20)

/* QEMU's exception numbers as Unicorn reports them to UC_HOOK_INTR. */
enum {
	EXCP_UDEF = 1,
	EXCP_SWI = 2,
	EXCP_PREFETCH_ABORT = 3,
	EXCP_DATA_ABORT = 4,
	EXCP_BKPT = 7,
	EXCP_HVC = 11,
	EXCP_HYP_TRAP = 12,
	EXCP_SMC = 13,
	EXCP_UNALIGNED = 22,
};

enum stop_reason {
	STOP_NONE,
	STOP_EXIT,    /* exit record filled: return to the core */
	STOP_HOSTIRQ, /* timer, maintenance, kick or end of slice: IRQ exit */
	STOP_GUEST,   /* guest exception to deliver at EL1 (gexc_*) */
	STOP_RETRY,   /* mappings changed under us: remap and continue */
	STOP_YIELD,   /* quantum over and another vCPU waits to execute: continue later */
};

struct map {
	uint64_t ipa, size;
};

struct sim_vcpu {
	const struct gz_cpu_ctx *key;
	uc_engine *uc;
	uint64_t vttbr, vtcr;
	bool have_map;
	atomic_int stale;
	atomic_int running;
	atomic_int kick;     /* the host wants this CPU (gz_sim_vcpu_kick, signals) */
	atomic_int hyp_kick; /* the core made an interrupt pending (gz_hal_vcpu_kick) */
	struct map *maps;
	size_t nr_maps, cap_maps;
	uint64_t remaps;
	uint64_t insns;
	uint64_t exec_from; /* insns when this vCPU last got the execution turn */

	/* the current run */
	struct gz_cpu_ctx *ctx;
	struct gz_exit_record *exit;
	struct gz_sim_ich *ich;
	enum stop_reason reason;
	bool sys_dirty;
	bool virq;		 /* a virtual IRQ passes the CPU interface's checks */
	uint64_t slice_end;	 /* global instruction count */
	uint64_t timer_deadline; /* global instruction count, UINT64_MAX if none */
	uint64_t gexc_esr, gexc_far, gexc_elr;
	bool gexc_far_valid;
	uint64_t fix_pc;    /* PC to set after Unicorn stopped, 0 if none */
	uint64_t uc_hcr;    /* HCR_EL2 as loaded into Unicorn, without VI */
	bool uc_vi;	    /* HCR_EL2.VI as loaded: Unicorn's virtual IRQ line */
	unsigned hflags_el; /* the EL Unicorn's cached translation flags were built for */
	struct gz_fpsimd fp_shadow;
	uint64_t sys_shadow[GZ_SYS_NR];
	bool shadow_valid;
};

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local bool irq_consumed; /* the last IRQ exit on this CPU was the hypervisor's */
static int trace_exc; /* GZSIM_TRACE=1: exceptions delivered to guests; 2: also every exit */
static struct sim_vcpu *vcpus[MAX_VCPUS];

/* ---- system register plumbing --------------------------------------------------------------- */

struct cpreg {
	uint8_t op0, op1, crn, crm, op2;
};

static const struct cpreg sys_enc[GZ_SYS_NR] = {
    [GZ_SYS_SCTLR_EL1] = {3, 0, 1, 0, 0},
    [GZ_SYS_ACTLR_EL1] = {3, 0, 1, 0, 1},
    [GZ_SYS_CPACR_EL1] = {3, 0, 1, 0, 2},
    [GZ_SYS_TTBR0_EL1] = {3, 0, 2, 0, 0},
    [GZ_SYS_TTBR1_EL1] = {3, 0, 2, 0, 1},
    [GZ_SYS_TCR_EL1] = {3, 0, 2, 0, 2},
    [GZ_SYS_ESR_EL1] = {3, 0, 5, 2, 0},
    [GZ_SYS_AFSR0_EL1] = {3, 0, 5, 1, 0},
    [GZ_SYS_AFSR1_EL1] = {3, 0, 5, 1, 1},
    [GZ_SYS_FAR_EL1] = {3, 0, 6, 0, 0},
    [GZ_SYS_MAIR_EL1] = {3, 0, 10, 2, 0},
    [GZ_SYS_AMAIR_EL1] = {3, 0, 10, 3, 0},
    [GZ_SYS_VBAR_EL1] = {3, 0, 12, 0, 0},
    [GZ_SYS_CONTEXTIDR_EL1] = {3, 0, 13, 0, 1},
    [GZ_SYS_TPIDR_EL0] = {3, 3, 13, 0, 2},
    [GZ_SYS_TPIDRRO_EL0] = {3, 3, 13, 0, 3},
    [GZ_SYS_TPIDR_EL1] = {3, 0, 13, 0, 4},
    [GZ_SYS_PAR_EL1] = {3, 0, 7, 4, 0},
    [GZ_SYS_CNTKCTL_EL1] = {3, 0, 14, 1, 0},
    [GZ_SYS_CSSELR_EL1] = {3, 2, 0, 0, 0},
    [GZ_SYS_MDSCR_EL1] = {2, 0, 0, 2, 2},
    /* CNTV_CTL/CVAL are the simulator's own (virtual timer), never loaded into Unicorn. */
    [GZ_SYS_CNTV_CTL_EL0] = {0, 0, 0, 0, 0},
    [GZ_SYS_CNTV_CVAL_EL0] = {0, 0, 0, 0, 0},
};

static const struct cpreg enc_elr = {3, 0, 4, 0, 1}, enc_spsr = {3, 0, 4, 0, 0};
static const struct cpreg enc_midr = {3, 0, 0, 0, 0};
/* Unicorn's own EL2/EL3 controls, used to make it raise precise traps for us. */
static const struct cpreg enc_hcr = {3, 4, 1, 1, 0}, enc_scr = {3, 6, 1, 1, 0},
			  enc_cnthctl = {3, 4, 14, 1, 0};

static uint64_t cp_read(uc_engine *uc, struct cpreg e)
{
	uc_arm64_cp_reg r = {.op0 = e.op0, .op1 = e.op1, .crn = e.crn, .crm = e.crm, .op2 = e.op2};

	if (uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r) != UC_ERR_OK)
		return 0;
	return r.val;
}

static void cp_write(uc_engine *uc, struct cpreg e, uint64_t v)
{
	uc_arm64_cp_reg r = {
	    .op0 = e.op0, .op1 = e.op1, .crn = e.crn, .crm = e.crm, .op2 = e.op2, .val = v};

	uc_reg_write(uc, UC_ARM64_REG_CP_REG, &r);
}

static bool is_unicorn_sysreg(int i)
{
	return i != GZ_SYS_CNTV_CTL_EL0 && i != GZ_SYS_CNTV_CVAL_EL0;
}

static int xreg(unsigned n)
{
	if (n < 29)
		return UC_ARM64_REG_X0 + (int)n;
	return n == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

static uint64_t rd(uc_engine *uc, int reg)
{
	uint64_t v = 0;

	uc_reg_read(uc, reg, &v);
	return v;
}

static void wr(uc_engine *uc, int reg, uint64_t v)
{
	uc_reg_write(uc, reg, &v);
}

/* GPR n as an instruction operand (31 = XZR). */
static uint64_t gpr(uc_engine *uc, unsigned n)
{
	return n == 31 ? 0 : rd(uc, xreg(n));
}

static void set_gpr(uc_engine *uc, unsigned n, uint64_t v)
{
	if (n != 31)
		wr(uc, xreg(n), v);
}

static bool sp_is_el1(uint64_t pstate)
{
	return (pstate & PSR_MODE_MASK) == PSR_MODE_EL1H;
}

/* Current SP lives in REG_SP; the other bank in SP_EL0/SP_EL1. */
static void write_pstate_sp(uc_engine *uc, uint64_t pstate, uint64_t sp_el0, uint64_t sp_el1)
{
	wr(uc, UC_ARM64_REG_PSTATE, pstate);
	wr(uc, UC_ARM64_REG_SP_EL0, sp_el0);
	wr(uc, UC_ARM64_REG_SP_EL1, sp_el1);
	wr(uc, UC_ARM64_REG_SP, sp_is_el1(pstate) ? sp_el1 : sp_el0);
}

static void read_sps(uc_engine *uc, uint64_t pstate, uint64_t *sp_el0, uint64_t *sp_el1)
{
	uint64_t cur = rd(uc, UC_ARM64_REG_SP);

	if (sp_is_el1(pstate)) {
		*sp_el1 = cur;
		*sp_el0 = rd(uc, UC_ARM64_REG_SP_EL0);
	} else {
		*sp_el0 = cur;
		*sp_el1 = rd(uc, UC_ARM64_REG_SP_EL1);
	}
}

static bool fetch_insn(uc_engine *uc, uint64_t pc, uint32_t *insn)
{
	if (uc_vmem_read(uc, pc, UC_PROT_EXEC, insn, 4) == UC_ERR_OK)
		return true;
	return uc_mem_read(uc, pc, insn, 4) == UC_ERR_OK;
}

/* ---- mappings ----------------------------------------------------------------------------------
 */

static void unmap_all(struct sim_vcpu *v)
{
	for (size_t i = 0; i < v->nr_maps; i++)
		uc_mem_unmap(v->uc, v->maps[i].ipa, v->maps[i].size);
	v->nr_maps = 0;
	uc_ctl_flush_tlb(v->uc);
	uc_ctl_flush_tb(v->uc);
}

static int uc_prot_of(const struct gz_sim_s2_result *r)
{
	return (r->r ? UC_PROT_READ : 0) | (r->w ? UC_PROT_WRITE : 0) | (r->x ? UC_PROT_EXEC : 0);
}

static bool add_map(struct sim_vcpu *v, uint64_t ipa, uint64_t size, gz_pa_t pa, int prot)
{
	void *host = gz_hal_pa_to_va(pa);

	if (!prot || !host || !gz_hal_pa_to_va(pa + size - 1))
		return false;
	if (v->nr_maps == v->cap_maps) {
		size_t cap = v->cap_maps ? v->cap_maps * 2 : 64;
		struct map *m = realloc(v->maps, cap * sizeof(*m));

		if (!m)
			gz_hal_panic("gzsim: out of host memory for mappings");
		v->maps = m;
		v->cap_maps = cap;
	}
	if (uc_mem_map_ptr(v->uc, ipa, size, (uint32_t)prot, host) != UC_ERR_OK)
		return false;
	v->maps[v->nr_maps++] = (struct map){ipa, size};
	return true;
}

struct coalesce {
	struct sim_vcpu *v;
	bool open;
	uint64_t ipa, size;
	gz_pa_t pa;
	int prot;
};

static void flush_run(struct coalesce *c)
{
	if (c->open)
		add_map(c->v, c->ipa, c->size, c->pa, c->prot);
	c->open = false;
}

static void coalesce_leaf(void *arg, gz_ipa_t ipa, const struct gz_sim_s2_result *leaf)
{
	struct coalesce *c = arg;
	int prot = uc_prot_of(leaf);

	if (c->open && c->ipa + c->size == ipa && c->pa + c->size == leaf->pa && c->prot == prot) {
		c->size += leaf->size;
		return;
	}
	flush_run(c);
	*c = (struct coalesce){
	    .v = c->v, .open = true, .ipa = ipa, .size = leaf->size, .pa = leaf->pa, .prot = prot};
}

static void remap(struct sim_vcpu *v, uint64_t vttbr, uint64_t vtcr)
{
	struct coalesce c = {.v = v};

	unmap_all(v);
	v->vttbr = vttbr;
	v->vtcr = vtcr;
	v->have_map = true;
	v->remaps++;
	gz_sim_s2_for_each(vttbr, vtcr, coalesce_leaf, &c);
	flush_run(&c);
}

/* The IPA is not mapped (or not with this access) in Unicorn: either our view is older than
 * the tables (map the leaf and retry), or the access faults at stage 2. */
static bool refill(struct sim_vcpu *v, uint64_t ipa, int need, struct gz_sim_s2_result *r)
{
	if (!gz_sim_s2_walk(v->vttbr, v->vtcr, ipa, r))
		return false;
	if ((uc_prot_of(r) & need) != need)
		return false;
	/* Drop whatever covers the leaf now, then map the leaf itself. */
	for (size_t i = 0; i < v->nr_maps;) {
		struct map *m = &v->maps[i];
		uint64_t leaf = ipa & ~(r->size - 1);

		if (m->ipa < leaf + r->size && leaf < m->ipa + m->size) {
			uc_mem_unmap(v->uc, m->ipa, m->size);
			*m = v->maps[--v->nr_maps];
			continue;
		}
		i++;
	}
	uc_ctl_flush_tlb(v->uc);
	return add_map(v, ipa & ~(r->size - 1), r->size, r->pa & ~(r->size - 1), uc_prot_of(r));
}

static uint64_t uc_reg_cb(void *arg, unsigned n, bool sp);
static void set_vi(struct sim_vcpu *v, bool on);

/* ---- exits -------------------------------------------------------------------------------------
 */

static void set_exit(struct sim_vcpu *v, uint64_t ec, uint64_t iss, uint64_t far, uint64_t hpfar)
{
	*v->exit = (struct gz_exit_record){
	    .kind = GZ_EXIT_KIND_SYNC,
	    .esr = (ec << ESR_EC_SHIFT) | ESR_IL | iss,
	    .far = far,
	    .hpfar = hpfar,
	};
	v->reason = STOP_EXIT;
}

static void guest_exc(struct sim_vcpu *v, uint64_t esr, uint64_t elr, bool far_valid, uint64_t far)
{
	if (trace_exc)
		fprintf(stderr, "gzsim: guest exception ESR %#llx ELR %#llx FAR %#llx\n",
			(unsigned long long)esr, (unsigned long long)elr,
			(unsigned long long)(far_valid ? far : 0));
	v->gexc_esr = esr;
	v->gexc_elr = elr;
	v->gexc_far_valid = far_valid;
	v->gexc_far = far;
	v->reason = STOP_GUEST;
}

/* A data or instruction access missed Unicorn's mappings or permissions. */
static bool mem_fault(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		      void *arg)
{
	struct sim_vcpu *v = arg;
	bool fetch = type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT;
	bool write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
	int need = fetch ? UC_PROT_EXEC : write ? UC_PROT_WRITE : UC_PROT_READ;
	struct gz_sim_s2_result r;
	uint64_t pc = rd(uc, UC_ARM64_REG_PC), far = addr, fsc, iss;
	uint32_t insn = 0;

	(void)size;
	(void)value;
	if (refill(v, addr, need, &r))
		return true;
	/* Unicorn reports the output of stage 1; FAR_EL2 holds the virtual address. With the
	 * guest's MMU off they are the same; with it on, the VA is recomputed from the insn. */
	if (r.level == 0xff)
		r.level = 0;
	if (r.ok)
		fsc = ESR_FSC_PERM(r.level);
	else if (r.af_fault)
		fsc = 0x08 + r.level;
	else
		fsc = ESR_FSC_TRANS(r.level);
	if (fetch) {
		set_exit(v, ESR_EC_IABT_LOW, fsc, pc, HPFAR_FROM_IPA(addr));
	} else {
		fetch_insn(uc, pc, &insn);
		iss = gz_sim_dabt_iss(insn, write);
		if (write)
			iss |= ESR_ISS_WNR;
		/* Unicorn reports the stage-1 output (the IPA); FAR_EL2 holds the VA. */
		if (!gz_sim_ldst_va(insn, uc_reg_cb, v, &far))
			far = addr;
		set_exit(v, ESR_EC_DABT_LOW, iss | fsc, far, HPFAR_FROM_IPA(addr));
	}
	return false;
}

static uint64_t vcount(struct sim_vcpu *v)
{
	return gz_sim_now() - v->ctx->cntvoff_el2;
}

static bool timer_cond(struct sim_vcpu *v)
{
	uint64_t ctl = v->ctx->sys[GZ_SYS_CNTV_CTL_EL0];

	return (ctl & CNT_CTL_ENABLE) && vcount(v) >= v->ctx->sys[GZ_SYS_CNTV_CVAL_EL0];
}

/* The virtual timer's PPI is held by the virtual GIC while an LR carries INTID 27 (the
 * physical line stays masked until the guest deactivates it). */
static bool timer_line_held(struct sim_vcpu *v)
{
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t lr = v->ich->reg[GZ_ICH_LR0 + n];

		if ((lr >> ICH_LR_STATE_SHIFT) && (lr & ICH_LR_VINTID_MASK) == 27)
			return true;
	}
	return false;
}

static void update_timer_deadline(struct sim_vcpu *v)
{
	uint64_t ctl = v->ctx->sys[GZ_SYS_CNTV_CTL_EL0], cval, now, left;

	v->timer_deadline = UINT64_MAX;
	if (!(ctl & CNT_CTL_ENABLE) || (ctl & CNT_CTL_IMASK) || timer_line_held(v))
		return;
	cval = v->ctx->sys[GZ_SYS_CNTV_CVAL_EL0];
	now = vcount(v);
	left = cval > now ? cval - now : 0;
	if (gz_sim_m.cfg.clock == GZ_SIM_CLOCK_WALL)
		left = left ? 1 : 0; /* checked on every block */
	v->timer_deadline = atomic_load(&gz_sim_m.insns) + gz_sim_insns_from_ticks(left);
}

static bool timer_fires(struct sim_vcpu *v)
{
	uint64_t ctl = v->ctx->sys[GZ_SYS_CNTV_CTL_EL0];

	return timer_cond(v) && !(ctl & CNT_CTL_IMASK) && !timer_line_held(v);
}

static void refresh_virq(struct sim_vcpu *v)
{
	v->virq = gz_sim_ich_irq_pending(v->ich);
}

/*
 * One vCPU executes guest code at a time. Each vCPU is its own Unicorn instance, and
 * Unicorn translates load/store-exclusive and the LSE atomics as plain loads and stores
 * (it never runs CPUs in parallel itself): two instances on two host threads lose
 * increments of the same counter, and a guest spinning on that counter never ends (the
 * ipi guest's "ready" count did, ~1 run in 20). A fair ticket turn around uc_emu_start makes
 * every guest memory access of one vCPU atomic against the others, as on QEMU's
 * round-robin TCG; a vCPU gives the turn up after EXEC_QUANTUM instructions when another
 * waits. The core, the VMM and the host side still run in parallel.
 */
#define EXEC_QUANTUM 20000

static pthread_mutex_t exec_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exec_cv = PTHREAD_COND_INITIALIZER;
static uint64_t exec_next, exec_serving;
static atomic_uint_fast64_t exec_queued; /* tickets taken and not yet done */

static void exec_acquire(struct sim_vcpu *v)
{
	uint64_t t;

	atomic_fetch_add(&exec_queued, 1);
	pthread_mutex_lock(&exec_mu);
	t = exec_next++;
	while (t != exec_serving)
		pthread_cond_wait(&exec_cv, &exec_mu);
	pthread_mutex_unlock(&exec_mu);
	v->exec_from = v->insns;
}

static void exec_release(void)
{
	pthread_mutex_lock(&exec_mu);
	exec_serving++;
	pthread_cond_broadcast(&exec_cv);
	pthread_mutex_unlock(&exec_mu);
	atomic_fetch_sub(&exec_queued, 1);
}

static void block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	struct sim_vcpu *v = arg;
	uint64_t n = size / 4, now;

	(void)addr;
	v->insns += n;
	now = atomic_fetch_add(&gz_sim_m.insns, n) + n;
	if (now >= v->slice_end || atomic_load(&v->kick) || atomic_load(&v->hyp_kick) ||
	    atomic_load(&v->stale)) {
		if (v->reason == STOP_NONE)
			v->reason = STOP_HOSTIRQ;
		uc_emu_stop(uc);
		return;
	}
	if (now >= v->timer_deadline &&
	    (gz_sim_m.cfg.clock != GZ_SIM_CLOCK_WALL || timer_fires(v))) {
		if (v->reason == STOP_NONE)
			v->reason = STOP_HOSTIRQ;
		uc_emu_stop(uc);
		return;
	}
	if (v->insns - v->exec_from >= EXEC_QUANTUM && atomic_load(&exec_queued) > 1 &&
	    v->reason == STOP_NONE) {
		v->reason = STOP_YIELD;
		uc_emu_stop(uc);
	}
}

static bool is_id_reg(uint32_t sr)
{
	return SYSREG_OP0(sr) == 3 && SYSREG_OP1(sr) == 0 && SYSREG_CRN(sr) == 0 &&
	       SYSREG_CRM(sr) >= 1 && SYSREG_CRM(sr) <= 7;
}

static bool sysreg_traps_to_el2(struct sim_vcpu *v, uint32_t sr)
{
	switch (sr) {
	case SR_ICC_SGI1R:
	case SR_ICC_ASGI1R:
	case SR_ICC_SGI0R:
	case SR_CNTP_CTL:
	case SR_CNTP_CVAL:
	case SR_CNTP_TVAL:
		return true;
	default:
		return is_id_reg(sr) && (v->ctx->hcr_el2 & HCR_TID3);
	}
}

static bool is_icc(uint32_t sr)
{
	return SYSREG_OP0(sr) == 3 && SYSREG_OP1(sr) == 0 &&
	       (SYSREG_CRN(sr) == 12 || (SYSREG_CRN(sr) == 4 && SYSREG_CRM(sr) == 6)) &&
	       (SYSREG_CRN(sr) != 12 || SYSREG_CRM(sr) >= 8);
}

/* The hooked instruction's register operand (XZR reads as zero, writes vanish). */
static uint64_t reg_get(uc_engine *uc, uc_arm64_reg reg)
{
	return reg == UC_ARM64_REG_XZR || reg == UC_ARM64_REG_WZR ? 0 : rd(uc, reg);
}

static void reg_set(uc_engine *uc, uc_arm64_reg reg, uint64_t val)
{
	if (reg != UC_ARM64_REG_XZR && reg != UC_ARM64_REG_WZR)
		wr(uc, reg, val);
}

/* MRS/MSR/SYS of a register Unicorn has. Returning 1 makes Unicorn 2.1 step over the
 * instruction; writing the PC from a hook instead makes later fault PCs of the same run
 * imprecise (seen with 2.1.4), and for registers Unicorn lacks it re-executes the access, so
 * those (ICC_*) are left to raise UNDEF and are emulated in undef_or_trap. */
/* An access that UNDEFs at the current EL must not be answered by a hook: returning 1 for
 * it makes Unicorn re-execute it forever. */
static bool at_el0(uc_engine *uc)
{
	return (rd(uc, UC_ARM64_REG_PSTATE) & PSR_MODE_MASK) == PSR_MODE_EL0T;
}

static bool el0_timer_allowed(struct sim_vcpu *v, uint32_t sr)
{
	uint64_t k;

	if (!at_el0(v->uc))
		return true;
	k = cp_read(v->uc, sys_enc[GZ_SYS_CNTKCTL_EL1]);
	switch (sr) {
	case SR_CNTVCT:
		return k & CNTKCTL_EL0VCTEN;
	case SR_CNTPCT:
		return k & CNTKCTL_EL0PCTEN;
	case SR_CNTFRQ:
		return k & (CNTKCTL_EL0VCTEN | CNTKCTL_EL0PCTEN);
	default:
		return k & CNTKCTL_EL0VTEN;
	}
}

static uint32_t sys_access(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
			   struct sim_vcpu *v, bool read)
{
	uint32_t sr;
	uint64_t val;

	sr = SYSREG(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
	if (cp->op0 < 2) {
		v->sys_dirty = true;
		return 0;
	}
	/* An access that must trap to EL2 is left to Unicorn, which is configured (HCR_EL2,
	 * CNTHCTL_EL2, no GIC registers) to raise a precise UNDEF for it: undef_or_trap makes
	 * it an EC 0x18 exit with the PC on the instruction. */
	if (sysreg_traps_to_el2(v, sr))
		return 0;
	if (is_icc(sr))
		return 0; /* not a Unicorn register: it raises UNDEF, emulated in undef_or_trap */
	switch (sr) {
	case SR_CNTVCT:
	case SR_CNTPCT:
	case SR_CNTFRQ:
	case SR_CNTV_CTL:
	case SR_CNTV_CVAL:
	case SR_CNTV_TVAL:
		if (!el0_timer_allowed(v, sr))
			return 0; /* Unicorn refuses it at EL0 too: undef_or_trap reports it */
		if (sr == SR_CNTFRQ && !read)
			break; /* CNTFRQ_EL0 is read-only at EL1 */
		if (read) {
			uint64_t ctl =
			    v->ctx->sys[GZ_SYS_CNTV_CTL_EL0] & (CNT_CTL_ENABLE | CNT_CTL_IMASK);

			val = sr == SR_CNTVCT	  ? vcount(v)
			      : sr == SR_CNTPCT	  ? gz_sim_now()
			      : sr == SR_CNTFRQ	  ? gz_sim_m.cfg.cntfrq
			      : sr == SR_CNTV_CTL ? ctl | (timer_cond(v) ? CNT_CTL_ISTATUS : 0)
			      : sr == SR_CNTV_CVAL
				  ? v->ctx->sys[GZ_SYS_CNTV_CVAL_EL0]
				  : (uint64_t)(uint32_t)(v->ctx->sys[GZ_SYS_CNTV_CVAL_EL0] -
							 vcount(v));
			reg_set(uc, reg, val);
		} else {
			val = reg_get(uc, reg);
			if (sr == SR_CNTV_CTL)
				v->ctx->sys[GZ_SYS_CNTV_CTL_EL0] =
				    val & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
			else if (sr == SR_CNTV_CVAL)
				v->ctx->sys[GZ_SYS_CNTV_CVAL_EL0] = val;
			else if (sr == SR_CNTV_TVAL)
				v->ctx->sys[GZ_SYS_CNTV_CVAL_EL0] =
				    vcount(v) + (uint64_t)(int64_t)(int32_t)val;
			update_timer_deadline(v);
		}
		return 1;
	case SR_MPIDR:
		if (read && !at_el0(uc)) {
			reg_set(uc, reg, v->ctx->vmpidr_el2);
			return 1;
		}
		break;
	case SR_MIDR:
		if (read && !at_el0(uc)) {
			/* VPIDR_EL2 0 means the CPU's own MIDR, as on gzhyp (vcpu_run.c) */
			reg_set(uc, reg,
				v->ctx->vpidr_el2 ? v->ctx->vpidr_el2 : cp_read(uc, enc_midr));
			return 1;
		}
		break;
	default:
		break;
	}
	if (!read)
		v->sys_dirty = true;
	return 0;
}

static uint32_t mrs_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *arg)
{
	return sys_access(uc, reg, cp, arg, true);
}

static uint32_t msr_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *arg)
{
	return sys_access(uc, reg, cp, arg, false);
}

/* SYS (TLBI, AT, DC, IC): Unicorn executes it; AT may change PAR_EL1. */
static uint32_t sysinsn_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *arg)
{
	struct sim_vcpu *v = arg;

	(void)uc;
	(void)reg;
	(void)cp;
	v->sys_dirty = true;
	return 0;
}

static uint64_t uc_reg_cb(void *arg, unsigned n, bool sp)
{
	struct sim_vcpu *v = arg;

	if (n == 31)
		return sp ? rd(v->uc, UC_ARM64_REG_SP) : 0;
	return rd(v->uc, xreg(n));
}

/* Unicorn's own MMU (the guest's stage 1) refused an access, or it was misaligned: give the
 * guest the abort hardware would, or EL2 a stage-2 fault on the table walk (S1PTW). */
static void stage1_abort(struct sim_vcpu *v, uint64_t pc, bool fetch, bool unaligned)
{
	uint64_t sys[GZ_SYS_NR] = {0}, va = pc, pstate = rd(v->uc, UC_ARM64_REG_PSTATE), iss = 0;
	bool el0 = (pstate & PSR_MODE_MASK) == PSR_MODE_EL0T, write = false;
	struct gz_sim_s1_fault f = {.fsc = 0x21};
	uint32_t insn = 0;
	uint64_t ec;

	if (!fetch) {
		fetch_insn(v->uc, pc, &insn);
		if (!gz_sim_ldst_va(insn, uc_reg_cb, v, &va))
			va = 0;
		write = !(insn & GZ_BIT(22));
		iss = gz_sim_dabt_iss(insn, write) & ESR_ISS_WNR;
		write = iss;
	}
	if (!unaligned) {
		sys[GZ_SYS_TCR_EL1] = cp_read(v->uc, sys_enc[GZ_SYS_TCR_EL1]);
		sys[GZ_SYS_TTBR0_EL1] = cp_read(v->uc, sys_enc[GZ_SYS_TTBR0_EL1]);
		sys[GZ_SYS_TTBR1_EL1] = cp_read(v->uc, sys_enc[GZ_SYS_TTBR1_EL1]);
		gz_sim_s1_fault(v->vttbr, v->vtcr, sys, va, write, fetch, el0, &f);
	}
	if (f.s1ptw) {
		struct gz_sim_s2_result r;

		gz_sim_s2_walk(v->vttbr, v->vtcr, f.ipa, &r);
		set_exit(v, fetch ? ESR_EC_IABT_LOW : ESR_EC_DABT_LOW,
			 ESR_ISS_S1PTW | (r.ok ? ESR_FSC_PERM(r.level)
					       : ESR_FSC_TRANS(r.level == 0xff ? 0 : r.level)),
			 va, HPFAR_FROM_IPA(f.ipa));
		return;
	}
	if (fetch)
		ec = el0 ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR;
	else
		ec = el0 ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR;
	guest_exc(v, (ec << ESR_EC_SHIFT) | ESR_IL | iss | f.fsc, pc, true, va);
}

/* The guest's ICC_* access through the virtual CPU interface (false: not one it has). */
static bool icc_access(struct sim_vcpu *v, uint32_t sr, uint32_t insn)
{
	unsigned rt = insn & 31;
	uint64_t val;

	if (insn & GZ_BIT(21)) {
		if (!gz_sim_icc_read(v->ich, sr, &val))
			return false;
		set_gpr(v->uc, rt, val);
	} else if (!gz_sim_icc_write(v->ich, sr, gpr(v->uc, rt))) {
		return false;
	}
	refresh_virq(v);
	set_vi(v, v->virq);
	update_timer_deadline(v);
	v->reason = gz_sim_ich_maint_pending(v->ich) ? STOP_HOSTIRQ : STOP_RETRY;
	return true;
}

static bool is_el0_timer(uint32_t sr)
{
	return sr == SR_CNTVCT || sr == SR_CNTPCT || sr == SR_CNTFRQ || sr == SR_CNTV_CTL ||
	       sr == SR_CNTV_CVAL || sr == SR_CNTV_TVAL;
}

/* Unicorn raised UNDEF (or a trap to its EL2) with the PC on the instruction. */
static void undef_or_trap(struct sim_vcpu *v, uint64_t pc)
{
	uint32_t insn = 0, sr;
	uint16_t imm;
	bool wfe;

	if (!fetch_insn(v->uc, pc, &insn)) {
		guest_exc(v, ((uint64_t)ESR_EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, pc, false, 0);
		return;
	}
	if ((insn & 0xffd00000) == 0xd5100000) { /* MSR/MRS (register), op0 = 2 or 3 */
		sr = SYSREG(((insn >> 19) & 3), (insn >> 16) & 7, (insn >> 12) & 15,
			    (insn >> 8) & 15, (insn >> 5) & 7);
		if (is_icc(sr) && icc_access(v, sr, insn)) {
			v->fix_pc = pc + 4;
			return;
		}
		if (at_el0(v->uc) && is_el0_timer(sr)) {
			/* CNTKCTL_EL1 forbids it at EL0: a trapped access, taken to EL1 */
			guest_exc(v,
				  ((uint64_t)ESR_EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
				      ESR_SYS_ISS(SYSREG_OP0(sr), SYSREG_OP1(sr), SYSREG_CRN(sr),
						  SYSREG_CRM(sr), SYSREG_OP2(sr), insn & 31,
						  !!(insn & GZ_BIT(21))),
				  pc, false, 0);
			return;
		}
		if (sysreg_traps_to_el2(v, sr)) {
			set_exit(v, ESR_EC_SYS64,
				 ESR_SYS_ISS(SYSREG_OP0(sr), SYSREG_OP1(sr), SYSREG_CRN(sr),
					     SYSREG_CRM(sr), SYSREG_OP2(sr), insn & 31,
					     !!(insn & GZ_BIT(21))),
				 0, 0);
			return;
		}
	} else if (gz_sim_is_wfx(insn, &wfe)) {
		set_exit(v, ESR_EC_WFX, (1ULL << 24) | (0xeULL << 20) | (wfe ? ESR_WFX_TI_WFE : 0),
			 0, 0);
		return;
	} else if (gz_sim_is_smc(insn, &imm)) {
		set_exit(v, ESR_EC_SMC64, imm, 0, 0);
		return;
	}
	guest_exc(v, ((uint64_t)ESR_EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, pc, false, 0);
}

static void intr_hook(uc_engine *uc, uint32_t intno, void *arg)
{
	struct sim_vcpu *v = arg;
	uint64_t pc = rd(uc, UC_ARM64_REG_PC);
	uint32_t insn = 0;
	uint16_t imm = 0;

	switch (intno) {
	case EXCP_UDEF:
	case EXCP_HYP_TRAP:
		undef_or_trap(v, pc);
		break;
	case EXCP_HVC:
		fetch_insn(uc, pc - 4, &insn);
		gz_sim_is_hvc(insn, &imm);
		set_exit(v, ESR_EC_HVC64, imm, 0, 0);
		break;
	case EXCP_SMC:
		/* SMC with HCR_EL2.TSC clear went to Unicorn's EL3: there is no firmware in
		 * the simulator, so EL2 sees it as trapped (PC fixed up after the stop). */
		fetch_insn(uc, pc - 4, &insn);
		gz_sim_is_smc(insn, &imm);
		v->fix_pc = pc - 4;
		set_exit(v, ESR_EC_SMC64, imm, 0, 0);
		break;
	case EXCP_SWI:
		fetch_insn(uc, pc - 4, &insn);
		guest_exc(
		    v, ((uint64_t)ESR_EC_SVC64 << ESR_EC_SHIFT) | ESR_IL | ((insn >> 5) & 0xffff),
		    pc, false, 0);
		break;
	case EXCP_BKPT:
		fetch_insn(uc, pc, &insn);
		guest_exc(
		    v, ((uint64_t)ESR_EC_BRK64 << ESR_EC_SHIFT) | ESR_IL | ((insn >> 5) & 0xffff),
		    pc, false, 0);
		break;
	case EXCP_UNALIGNED:
	case EXCP_DATA_ABORT:
	case EXCP_PREFETCH_ABORT:
		stage1_abort(v, pc, intno == EXCP_PREFETCH_ABORT, intno == EXCP_UNALIGNED);
		break;
	default:
		guest_exc(v, ((uint64_t)ESR_EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, pc, false, 0);
		break;
	}
	uc_emu_stop(uc);
}

/* ---- exception entry into the guest ------------------------------------------------------------
 */

static void set_vi(struct sim_vcpu *v, bool on)
{
	if (on == v->uc_vi)
		return;
	cp_write(v->uc, enc_hcr, v->uc_hcr | (on ? HCR_VI : 0));
	v->uc_vi = on;
}

/* Unicorn keeps translation flags (the EL among them) cached and rebuilds them only when it
 * changes EL itself, never on a PSTATE write through its API (seen with 2.1.4). To move the
 * CPU from EL0 to EL1 we let Unicorn take a virtual IRQ (HCR_EL2.VI) and stop on the vector;
 * the caller then rewrites ESR/FAR/ELR/SPSR/PC as the real exception needs. */
static void stop_here(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	(void)addr;
	(void)size;
	(void)arg;
	uc_emu_stop(uc);
}

static void unicorn_el0_to_el1(struct sim_vcpu *v)
{
	uc_engine *uc = v->uc;
	uint64_t pstate = rd(uc, UC_ARM64_REG_PSTATE), pc = rd(uc, UC_ARM64_REG_PC);
	uint64_t vbar = cp_read(uc, sys_enc[GZ_SYS_VBAR_EL1]) & ~0x7ffULL;
	bool vi = v->uc_vi;

	uc_hook h;

	wr(uc, UC_ARM64_REG_PSTATE, pstate & ~PSR_I);
	set_vi(v, true);
	/* A code hook on the vector stops before its first instruction ("until" does not
	 * stop after an interrupt entry in 2.1.4). */
	uc_ctl_flush_tb(uc); /* a cached translation of the vector would ignore the hook */
	uc_hook_add(uc, &h, UC_HOOK_CODE, stop_here, v, vbar + VEC_LOW_A64 + VEC_IRQ,
		    vbar + VEC_LOW_A64 + VEC_IRQ);
	uc_emu_start(uc, pc, 0, 0, 0);
	uc_hook_del(uc, h);
	set_vi(v, vi);
	v->hflags_el = (rd(uc, UC_ARM64_REG_PSTATE) >> 2) & 3;
	if (trace_exc)
		fprintf(stderr, "gzsim: EL0->EL1 from %#llx: now at %#llx, EL %u\n",
			(unsigned long long)pc, (unsigned long long)rd(uc, UC_ARM64_REG_PC),
			v->hflags_el);
	if (v->hflags_el != 1 || rd(uc, UC_ARM64_REG_PC) != vbar + VEC_LOW_A64 + VEC_IRQ)
		gz_hal_panic("gzsim: Unicorn did not take the EL0 -> EL1 entry");
	/* The caller rewrites ELR/SPSR/ESR/FAR, PSTATE (at EL1) and PC from its own copy. */
}

static void enter_guest_vector(struct sim_vcpu *v, unsigned type_off, uint64_t esr, uint64_t elr,
			       bool far_valid, uint64_t far)
{
	uc_engine *uc = v->uc;
	uint64_t pstate = rd(uc, UC_ARM64_REG_PSTATE), sp0, sp1, off, vbar;

	read_sps(uc, pstate, &sp0, &sp1);
	if ((pstate & PSR_MODE_MASK) == PSR_MODE_EL0T && v->hflags_el != 1)
		unicorn_el0_to_el1(v); /* from here only EL1 state is written */
	if ((pstate & PSR_MODE_MASK) == PSR_MODE_EL0T)
		off = VEC_LOW_A64;
	else if ((pstate & PSR_MODE_MASK) == PSR_MODE_EL1T)
		off = VEC_CUR_SP0;
	else
		off = VEC_CUR_SPX;
	cp_write(uc, enc_elr, elr);
	cp_write(uc, enc_spsr, pstate);
	if (type_off == VEC_SYNC) {
		cp_write(uc, sys_enc[GZ_SYS_ESR_EL1], esr);
		if (far_valid)
			cp_write(uc, sys_enc[GZ_SYS_FAR_EL1], far);
	}
	vbar = cp_read(uc, sys_enc[GZ_SYS_VBAR_EL1]);
	pstate = (pstate & ~(PSR_MODE_MASK | PSR_SS | PSR_IL | 0x10)) | PSR_MODE_EL1H | PSR_D |
		 PSR_A | PSR_I | PSR_F;
	write_pstate_sp(uc, pstate, sp0, sp1);
	wr(uc, UC_ARM64_REG_PC, (vbar & ~0x7ffULL) + off + type_off);
	v->sys_dirty = true;
}

/* ---- registers in and out ----------------------------------------------------------------------
 */

static int load_ctx(struct sim_vcpu *v, const struct gz_cpu_ctx *c)
{
	uc_engine *uc = v->uc;
	unsigned el = (unsigned)(c->pstate >> 2) & 3;

	if (el != v->hflags_el) {
		/* The core moved the vCPU to EL1 (an exception it injected at EL0): let Unicorn
		 * make that transition. The reverse only happens through the guest's ERET. */
		if (el != 1)
			return GZ_ERR_NOT_SUPPORTED;
		unicorn_el0_to_el1(v);
	}

	for (unsigned i = 0; i < 31; i++)
		wr(uc, xreg(i), c->x[i]);
	if (!v->shadow_valid || memcmp(&v->fp_shadow, &c->fp, sizeof(c->fp))) {
		for (unsigned i = 0; i < 32; i++) {
			uint64_t q[2] = {c->fp.v[i][0], c->fp.v[i][1]};

			uc_reg_write(uc, UC_ARM64_REG_Q0 + (int)i, q);
		}
		wr(uc, UC_ARM64_REG_FPSR, c->fp.fpsr);
		wr(uc, UC_ARM64_REG_FPCR, c->fp.fpcr);
	}
	for (int i = 0; i < GZ_SYS_NR; i++)
		if (is_unicorn_sysreg(i) && (!v->shadow_valid || v->sys_shadow[i] != c->sys[i]))
			cp_write(uc, sys_enc[i], c->sys[i]);
	cp_write(uc, enc_elr, c->elr_el1);
	cp_write(uc, enc_spsr, c->spsr_el1);
	write_pstate_sp(uc, c->pstate, c->sp_el0, c->sp_el1);
	wr(uc, UC_ARM64_REG_PC, c->pc);
	return GZ_OK;
}

static void save_ctx(struct sim_vcpu *v, struct gz_cpu_ctx *c)
{
	uc_engine *uc = v->uc;

	for (unsigned i = 0; i < 31; i++)
		c->x[i] = rd(uc, xreg(i));
	c->pc = rd(uc, UC_ARM64_REG_PC);
	c->pstate = rd(uc, UC_ARM64_REG_PSTATE);
	read_sps(uc, c->pstate, &c->sp_el0, &c->sp_el1);
	for (unsigned i = 0; i < 32; i++) {
		uint64_t q[2] = {0, 0};

		uc_reg_read(uc, UC_ARM64_REG_Q0 + (int)i, q);
		c->fp.v[i][0] = q[0];
		c->fp.v[i][1] = q[1];
	}
	c->fp.fpsr = (uint32_t)rd(uc, UC_ARM64_REG_FPSR);
	c->fp.fpcr = (uint32_t)rd(uc, UC_ARM64_REG_FPCR);
	if (v->sys_dirty) {
		for (int i = 0; i < GZ_SYS_NR; i++)
			if (is_unicorn_sysreg(i))
				c->sys[i] = cp_read(uc, sys_enc[i]);
	}
	c->elr_el1 = cp_read(uc, enc_elr);
	c->spsr_el1 = cp_read(uc, enc_spsr);
	v->fp_shadow = c->fp;
	memcpy(v->sys_shadow, c->sys, sizeof(c->sys));
	v->shadow_valid = true;
}

/* ---- vCPU registry ------------------------------------------------------------------------------
 */

static struct sim_vcpu *create_vcpu(const struct gz_cpu_ctx *key)
{
	struct sim_vcpu *v = calloc(1, sizeof(*v));
	uc_hook h;
	uc_arm64_cp_reg scr = {.op0 = 3, .op1 = 6, .crn = 1, .crm = 1, .op2 = 0};
	(void)enc_scr;
	int model = gz_sim_m.cfg.cpu_model < 0 ? UC_CPU_ARM64_A72 : gz_sim_m.cfg.cpu_model;

	if (!v)
		return NULL;
	trace_exc = getenv("GZSIM_TRACE") ? atoi(getenv("GZSIM_TRACE")) : 0;
	v->key = key;
	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &v->uc) != UC_ERR_OK) {
		free(v);
		return NULL;
	}
	uc_ctl_set_cpu_model(v->uc, model);
	uc_ctl_set_tcg_buffer_size(v->uc, TCG_BUFFER);
	/* Non-secure EL1 under an AArch64 EL2: HVC reaches "EL2" (our hook) with SCR_EL3.HCE,
	 * and Unicorn's HCR_EL2/CNTHCTL_EL2 traps give precise PCs for trapped instructions. */
	uc_reg_read(v->uc, UC_ARM64_REG_CP_REG, &scr);
	scr.val |= GZ_BIT(0) | GZ_BIT(8) | GZ_BIT(10);
	uc_reg_write(v->uc, UC_ARM64_REG_CP_REG, &scr);
	v->uc_hcr = HCR_RW | HCR_IMO | HCR_FMO;
	v->hflags_el = 1;
	cp_write(v->uc, enc_hcr, v->uc_hcr);
	cp_write(v->uc, enc_cnthctl, 1); /* EL1PCTEN: CNTPCT readable, CNTP_* trap */
	uc_hook_add(v->uc, &h, UC_HOOK_MEM_INVALID, mem_fault, v, 1, 0);
	uc_hook_add(v->uc, &h, UC_HOOK_INTR, intr_hook, v, 1, 0);
	uc_hook_add(v->uc, &h, UC_HOOK_BLOCK, block_hook, v, 1, 0);
	uc_hook_add(v->uc, &h, UC_HOOK_INSN, mrs_hook, v, 1, 0, UC_ARM64_INS_MRS);
	uc_hook_add(v->uc, &h, UC_HOOK_INSN, msr_hook, v, 1, 0, UC_ARM64_INS_MSR);
	uc_hook_add(v->uc, &h, UC_HOOK_INSN, sysinsn_hook, v, 1, 0, UC_ARM64_INS_SYS);
	return v;
}

static void destroy_vcpu(struct sim_vcpu *v)
{
	if (!v)
		return;
	uc_close(v->uc);
	free(v->maps);
	free(v);
}

static struct sim_vcpu *find_vcpu(const struct gz_cpu_ctx *key, bool create)
{
	struct sim_vcpu *v = NULL;
	int free_slot = -1;

	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		if (vcpus[i] && vcpus[i]->key == key) {
			v = vcpus[i];
			break;
		}
		if (!vcpus[i] && free_slot < 0)
			free_slot = i;
	}
	if (!v && create && free_slot >= 0) {
		v = create_vcpu(key);
		vcpus[free_slot] = v;
	}
	pthread_mutex_unlock(&reg_mu);
	return v;
}

void gz_sim_vcpu_forget(const struct gz_cpu_ctx *ctx)
{
	struct sim_vcpu *v = NULL;

	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		if (vcpus[i] && vcpus[i]->key == ctx) {
			v = vcpus[i];
			vcpus[i] = NULL;
		}
	}
	pthread_mutex_unlock(&reg_mu);
	destroy_vcpu(v);
}

void gz_sim_vcpu_forget_all(void)
{
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		destroy_vcpu(vcpus[i]);
		vcpus[i] = NULL;
	}
	pthread_mutex_unlock(&reg_mu);
}

void gz_sim_vcpu_kick(const struct gz_cpu_ctx *ctx)
{
	struct sim_vcpu *v = find_vcpu(ctx, false);

	if (!v)
		return;
	atomic_store(&v->kick, 1);
	if (atomic_load(&v->running))
		uc_emu_stop(v->uc);
}

uint64_t gz_sim_vcpu_insns(const struct gz_cpu_ctx *ctx)
{
	struct sim_vcpu *v = find_vcpu(ctx, false);

	return v ? v->insns : 0;
}

uint64_t gz_sim_vcpu_remaps(const struct gz_cpu_ctx *ctx)
{
	struct sim_vcpu *v = find_vcpu(ctx, false);

	return v ? v->remaps : 0;
}

/* A TLBI: the vCPUs of that VMID (or all) drop their mappings before they run again; a vCPU
 * inside Unicorn on another thread is stopped first, and we wait until it has left. */
void gz_sim_vcpu_invalidate(bool all, uint16_t vmid)
{
	struct sim_vcpu *targets[MAX_VCPUS];
	int n = 0;

	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		struct sim_vcpu *v = vcpus[i];

		if (!v || !v->have_map || (!all && VTTBR_VMID(v->vttbr) != vmid))
			continue;
		atomic_store(&v->stale, 1);
		targets[n++] = v;
	}
	pthread_mutex_unlock(&reg_mu);
	for (int i = 0; i < n; i++) {
		while (atomic_load(&targets[i]->running) && atomic_load(&targets[i]->stale)) {
			uc_emu_stop(targets[i]->uc);
			sched_yield();
		}
	}
}

/* ---- the run loop -----------------------------------------------------------------------------
 */

static void finish_wfx(struct sim_vcpu *v, uint64_t pc, bool wfe)
{
	bool trap = v->ctx->hcr_el2 & (wfe ? HCR_TWE : HCR_TWI);

	(void)pc;
	if (trap) {
		/* Unicorn traps these itself (HCR_EL2.TWI/TWE loaded): not reached. */
		v->reason = STOP_HOSTIRQ;
	} else if (!wfe && !v->virq) {
		/* An untrapped WFI sleeps until an interrupt: let the host run meanwhile. */
		v->reason = STOP_HOSTIRQ;
	}
}

/* The core's exit fast path (hal.h): only the registers it reads go out and come back;
 * the rest of the context stays in Unicorn as on gzhyp it stays loaded. */
static bool fast_exit(struct sim_vcpu *v, struct gz_cpu_ctx *c)
{
	uc_engine *uc = v->uc;
	uint64_t pstate;

	for (unsigned i = 0; i < 31; i++)
		c->x[i] = rd(uc, xreg(i));
	c->pc = rd(uc, UC_ARM64_REG_PC);
	c->pstate = pstate = rd(uc, UC_ARM64_REG_PSTATE);
	c->sys[GZ_SYS_SCTLR_EL1] = cp_read(uc, sys_enc[GZ_SYS_SCTLR_EL1]);
	if (!gz_exit_fast(c, v->exit))
		return false;
	for (unsigned i = 0; i < 31; i++)
		wr(uc, xreg(i), c->x[i]);
	if (c->pstate != pstate) {
		uint64_t sp0, sp1;

		read_sps(uc, pstate, &sp0, &sp1);
		write_pstate_sp(uc, c->pstate, sp0, sp1);
	}
	wr(uc, UC_ARM64_REG_PC, c->pc);
	return true;
}

int gz_hal_vcpu_run(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit)
{
	struct sim_vcpu *v;
	uint64_t hcr;
	uc_err err;

	*exit = (struct gz_exit_record){.kind = GZ_EXIT_KIND_FAIL_ENTRY};
	if (!gz_sim_m.mem)
		return GZ_ERR_BAD_STATE;
	v = find_vcpu(ctx, true);
	if (!v)
		return GZ_ERR_NO_RESOURCES;
	if ((ctx->pstate & PSR_MODE_MASK) != PSR_MODE_EL1H &&
	    (ctx->pstate & PSR_MODE_MASK) != PSR_MODE_EL1T &&
	    (ctx->pstate & PSR_MODE_MASK) != PSR_MODE_EL0T)
		return GZ_ERR_INVALID_ARGS; /* AArch32 and EL2+ are not guest states */
	v->ctx = ctx;
	v->exit = exit;
	v->ich = gz_sim_ich_of(gz_sim_cpu());
	v->sys_dirty = false;
	atomic_store(&v->hyp_kick, 0);
	atomic_store(&v->running, 1);
	if (!v->have_map || atomic_exchange(&v->stale, 0) || v->vttbr != ctx->vttbr_el2 ||
	    v->vtcr != ctx->vtcr_el2)
		remap(v, ctx->vttbr_el2, ctx->vtcr_el2);
	if (load_ctx(v, ctx) != GZ_OK) {
		atomic_store(&v->running, 0);
		return GZ_ERR_NOT_SUPPORTED;
	}
	hcr =
	    HCR_RW | HCR_IMO | HCR_FMO | (ctx->hcr_el2 & (HCR_TWI | HCR_TWE | HCR_TSC | HCR_TID3));
	if (hcr != v->uc_hcr) {
		v->uc_hcr = hcr;
		cp_write(v->uc, enc_hcr, hcr | (v->uc_vi ? HCR_VI : 0));
	}
	v->slice_end = atomic_load(&gz_sim_m.insns) + gz_sim_m.cfg.slice;
	atomic_store(&v->kick, 0);

	for (;;) {
		uint64_t pc;
		uint32_t insn = 0;
		bool wfe;

		v->reason = STOP_NONE;
		refresh_virq(v);
		update_timer_deadline(v);
		set_vi(v, v->virq); /* Unicorn takes it at EL1's IRQ vector when unmasked */
		if (timer_fires(v) || gz_sim_ich_maint_pending(v->ich) || atomic_load(&v->kick) ||
		    atomic_load(&v->hyp_kick) || atomic_load(&gz_sim_m.insns) >= v->slice_end) {
			v->reason = STOP_HOSTIRQ;
			break;
		}
		if (atomic_load(&v->stale)) {
			atomic_store(&v->stale, 0);
			remap(v, v->vttbr, v->vtcr);
		}
		pc = rd(v->uc, UC_ARM64_REG_PC);
		exec_acquire(v);
		err = uc_emu_start(v->uc, pc, 0, 0, 0);
		exec_release();
		v->hflags_el = (rd(v->uc, UC_ARM64_REG_PSTATE) >> 2) & 3;
		if (v->fix_pc) {
			wr(v->uc, UC_ARM64_REG_PC, v->fix_pc);
			v->fix_pc = 0;
		}
		pc = rd(v->uc, UC_ARM64_REG_PC);
		if (v->reason == STOP_EXIT) {
			if (ctx->fast_exits && fast_exit(v, ctx))
				continue;
			break;
		}
		if (err != UC_ERR_OK && v->reason == STOP_NONE) {
			/* Unicorn refused something we could not classify: report it as an
			 * unknown-reason trap so the core sees the PC. */
			set_exit(v, ESR_EC_UNKNOWN, 0, 0, 0);
			break;
		}
		switch (v->reason) {
		case STOP_GUEST:
			enter_guest_vector(v, VEC_SYNC, v->gexc_esr, v->gexc_elr, v->gexc_far_valid,
					   v->gexc_far);
			continue;
		case STOP_HOSTIRQ:
			if (atomic_load(&v->stale) && !atomic_load(&v->kick) &&
			    !atomic_load(&v->hyp_kick) &&
			    atomic_load(&gz_sim_m.insns) < v->slice_end && !timer_fires(v) &&
			    !gz_sim_ich_maint_pending(v->ich))
				continue; /* only a TLBI: remap at the top and go on */
			break;
		case STOP_NONE:
			/* Unicorn stops by itself after WFI/WFE (it halts the CPU). */
			if (pc >= 4 && fetch_insn(v->uc, pc - 4, &insn) &&
			    gz_sim_is_wfx(insn, &wfe)) {
				finish_wfx(v, pc, wfe);
				if (v->reason == STOP_EXIT || v->reason == STOP_HOSTIRQ)
					break;
			}
			continue;
		default:
			continue;
		}
		break;
	}
	irq_consumed = false;
	if (v->reason == STOP_HOSTIRQ) {
		bool kicked = atomic_exchange(&v->hyp_kick, 0);

		*exit = (struct gz_exit_record){.kind = GZ_EXIT_KIND_IRQ};
		/* Only a kick of the core's is consumed in the hypervisor: the timer and the
		 * maintenance condition stay visible to the core's IRQ exit handling (they are
		 * levels the core resamples), a host kick or the end of a slice go to the host. */
		irq_consumed = kicked && !atomic_load(&v->kick) && !timer_fires(v) &&
			       !gz_sim_ich_maint_pending(v->ich) &&
			       atomic_load(&gz_sim_m.insns) < v->slice_end;
	}
	save_ctx(v, ctx);
	if (trace_exc > 1)
		fprintf(
		    stderr,
		    "gzsim: exit kind %d ESR %#llx FAR %#llx HPFAR %#llx PC %#llx PSTATE %#llx\n",
		    exit->kind, (unsigned long long)exit->esr, (unsigned long long)exit->far,
		    (unsigned long long)exit->hpfar, (unsigned long long)ctx->pc,
		    (unsigned long long)ctx->pstate);
	atomic_store(&v->running, 0);
	return 0;
}

void gz_sim_kick_pcpu_all(void)
{
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		if (vcpus[i]) {
			atomic_store(&vcpus[i]->kick, 1);
			if (atomic_load(&vcpus[i]->running))
				uc_emu_stop(vcpus[i]->uc);
		}
	}
	pthread_mutex_unlock(&reg_mu);
}

/* True after an IRQ exit caused only by gz_hal_vcpu_kick on this CPU. */
bool gz_hal_vcpu_irq_consumed(void)
{
	return irq_consumed;
}

void gz_hal_vcpu_kick(const struct gz_cpu_ctx *ctx)
{
	struct sim_vcpu *v = find_vcpu(ctx, false);

	/* Only a vCPU inside gz_hal_vcpu_run is kicked; the next entry sees what was made
	 * pending anyway. */
	if (!v || !atomic_load(&v->running))
		return;
	atomic_store(&v->hyp_kick, 1);
	uc_emu_stop(v->uc);
}
