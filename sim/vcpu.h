/* A simulated vCPU: its Unicorn engine, its map cache and what one gz_hal_vcpu_run shares
 * with the engine's hooks; the interrupt levels sampled from the virtual CPU interface and
 * the timer; and the one condition on which the vCPU leaves the guest for the host. The
 * registry (registry.c) creates vCPUs, run.c drives them. */
#ifndef GZ_SIM_VCPU_H
#define GZ_SIM_VCPU_H

#include <stdatomic.h>
#include <unicorn/unicorn.h>
#include <arm64/cpu_ctx.h>
#include "ucmap.h"
#include "vgic_cpuif.h"

/* Engine hooks the gdb server may install: one per breakpoint, one for steps and watchpoints. */
#define GZ_SIM_GDB_BPS	 64
#define GZ_SIM_GDB_HOOKS (GZ_SIM_GDB_BPS + 1)

/* An exit kept for the trace until its handling is known (trace.c). */
struct gz_sim_trace_rec {
	unsigned vcpu;
	uint64_t insns, vcpu_insns;
	enum gz_exit_kind kind;
	uint64_t esr, far, hpfar, pc;
	uint64_t t_exit;    /* host ns */
	uint32_t gzvm_exit; /* the GZVM_EXIT_* it became for the driver or the VMM; 0: none */
	char handler[8], device[16];
};

/* Why Unicorn stopped. */
/* stop_at when nothing is to stop: no block starts at an odd address */
#define GZ_SIM_NO_STOP 1u

enum gz_sim_stop {
	GZ_SIM_STOP_NONE,
	GZ_SIM_STOP_EXIT,    /* exit record filled: return to the core */
	GZ_SIM_STOP_HOSTIRQ, /* timer, maintenance, kick or end of slice: IRQ exit */
	GZ_SIM_STOP_GUEST,   /* guest exception to deliver at EL1 (gexc_*) */
	GZ_SIM_STOP_RETRY,   /* state changed under the engine: continue */
	GZ_SIM_STOP_YIELD,   /* quantum over and another vCPU waits to execute: continue later */
	GZ_SIM_STOP_ICOUNT,  /* the debugger's instruction count is in the next block (exec.h) */
};

struct gz_sim_vcpu {
	const struct gz_cpu_ctx *key;
	uc_engine *uc;
	struct gz_sim_ucmap map;
	atomic_int stale;    /* a TLBI: remap before running on */
	atomic_int running;  /* inside gz_hal_vcpu_run */
	atomic_int kick;     /* the host wants this CPU (gz_sim_vcpu_kick, signals) */
	atomic_int hyp_kick; /* the core made an interrupt pending (gz_hal_vcpu_kick) */
	uint64_t insns;
	uint64_t exec_from;	       /* insns when this vCPU last got the execution turn */
	struct gz_sim_vcpu *exec_next; /* the next waiter for the turn (exec.c) */
	bool exec_urgent;	       /* it waits with an interrupt to take */
	bool exec_det;		       /* it holds the deterministic scheduler's turn */
	int det_id;		       /* its id for that scheduler */
	atomic_int det_parked;	       /* it waits for that turn inside the run: remaps first */
	atomic_int in_fast_exit;       /* in the core's fast exit handler: remaps first */
	/* the block executing: its address, instructions and the machine's count before it */
	uint64_t blk_addr, blk_n, blk_before;
	uint64_t stop_at; /* the block hook stops the engine before a block here (gexc.c) */
	bool icount_near; /* the debugger's instruction count comes: every insn hooked */
	bool gdb_stopped; /* a debugger's hook stopped it: its next entry resumes */
	bool gdb_resumed; /* this entry follows that stop: the quantum and slice go on */

	/* the current run */
	struct gz_cpu_ctx *ctx;
	struct gz_exit_record *exit;
	struct gz_sim_ich *ich;
	enum gz_sim_stop reason;
	bool sys_dirty;		 /* the guest may have written a system register */
	bool gprs_saved;	 /* x0-x30, PC, PSTATE are in ctx already (a declined fast exit) */
	bool virq;		 /* a virtual IRQ passes the CPU interface's checks */
	bool maint;		 /* the maintenance interrupt condition holds */
	uint64_t slice_end;	 /* global instruction count */
	uint64_t timer_deadline; /* global instruction count, UINT64_MAX if none */
	bool timer_gated;	 /* the timer's output was up at entry (gz_sim_timer_fires) */
	uint64_t exit_at_insns;	 /* global instruction count by which ctx->exit_at comes */
	uint64_t gexc_esr, gexc_far, gexc_elr;
	bool gexc_far_valid;
	uint64_t fix_pc; /* PC to set after Unicorn stopped, 0 if none */
	/* the guest's debug unit (debug.c): its hook installed, PSTATE.SS, and an instruction
	 * stepped since SS was last set */
	uc_hook dbg_hook;
	bool dbg_hooked;
	bool ss, ss_stepped;
	/* the gdb server's hooks on this engine (gdb_halt.c) and the generation they follow */
	uc_hook gdb_hook[GZ_SIM_GDB_HOOKS];
	unsigned gdb_nr_hooks, gdb_gen;
	uint64_t uc_hcr;     /* HCR_EL2 as loaded into Unicorn, without VI */
	uint64_t uc_mdcr;    /* MDCR_EL2 as loaded into Unicorn */
	uint64_t uc_cnthctl; /* CNTHCTL_EL2 as loaded into Unicorn */
	bool uc_vi;	     /* HCR_EL2.VI as loaded: Unicorn's virtual IRQ line */
	unsigned hflags_el;  /* the EL Unicorn's cached translation flags were built for */
	struct gz_fpsimd fp_shadow;
	uint64_t sys_shadow[GZ_SYS_NR];
	uint64_t elr_shadow, spsr_shadow;
	bool shadow_valid;
	bool trace_pending; /* trace holds its last exit, not written yet */
	struct gz_sim_trace_rec trace;
};

/* Reasons to leave the guest (gz_sim_vcpu_must_leave). */
enum {
	GZ_SIM_LEAVE_KICK = 1u << 0,	 /* the host wants the CPU */
	GZ_SIM_LEAVE_HYP_KICK = 1u << 1, /* the core made an interrupt pending */
	GZ_SIM_LEAVE_SLICE = 1u << 2,	 /* the host's time slice is over */
	GZ_SIM_LEAVE_TIMER = 1u << 3,	 /* the virtual timer's line is up */
	GZ_SIM_LEAVE_MAINT = 1u << 4,	 /* the virtual interface's maintenance interrupt */
	GZ_SIM_LEAVE_EXIT_AT = 1u << 5,	 /* the core's emulated timer fires (ctx->exit_at) */
};

/* Sample the levels the run depends on: the virtual IRQ and maintenance conditions of the
 * CPU interface, the timer's deadline and the core's. Again after anything that may change
 * them. */
void gz_sim_vcpu_sample(struct gz_sim_vcpu *v);
/* Why the vCPU must leave the guest now (GZ_SIM_LEAVE_*), 0 when it may stay. Cheap enough
 * for every translated block: the timer is looked at only once its deadline has come. */
unsigned gz_sim_vcpu_must_leave(const struct gz_sim_vcpu *v);
/* The same at the machine's instruction count @now (the block hook's, which counted it). */
unsigned gz_sim_vcpu_leaves_at(const struct gz_sim_vcpu *v, uint64_t now);
/* Drive Unicorn's virtual IRQ line (HCR_EL2.VI): Unicorn takes the IRQ at EL1 itself. */
void gz_sim_vcpu_set_vi(struct gz_sim_vcpu *v, bool on);

#endif
