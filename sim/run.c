/* gz_hal_vcpu_run on Unicorn: load the context, run the engine in turns until the vCPU must
 * leave the guest (an exit for the core, or an IRQ exit for the host), delivering on the way
 * the exceptions the simulator takes to the guest itself and offering synchronous exits to
 * the core's fast path; then save the context. */
#include <stdio.h>
#include <arm64/traps.h>
#include <gzabi/status.h>
#include "ctx.h"
#include "debug.h"
#include "decode.h"
#include "exec.h"
#include "gdb.h"
#include "gexc.h"
#include "machine.h"
#include "registry.h"
#include "syndrome.h"
#include "timer.h"
#include "trace.h"
#include "trap.h"
#include "ucreg.h"

static _Thread_local bool irq_consumed; /* the last IRQ exit on this CPU was the hypervisor's */

/* Unicorn stops by itself after an untrapped WFI/WFE (it halts the CPU). */
static gz_sim_entry_hook_fn entry_hook;
static void *entry_hook_arg;

void gz_sim_set_entry_hook(gz_sim_entry_hook_fn fn, void *arg)
{
	entry_hook = fn;
	entry_hook_arg = arg;
}

static void finish_wfx(struct gz_sim_vcpu *v, bool wfe)
{
	bool trap = v->ctx->hcr_el2 & (wfe ? HCR_TWE : HCR_TWI);

	if (trap) {
		/* Unicorn traps these itself (HCR_EL2.TWI/TWE loaded): not reached. */
		v->reason = GZ_SIM_STOP_HOSTIRQ;
	} else if (!wfe && !v->virq) {
		/* An untrapped WFI sleeps until an interrupt: let the host run meanwhile. */
		v->reason = GZ_SIM_STOP_HOSTIRQ;
	}
}

/* Enter: map, load the context and Unicorn's trap controls. */
static int enter(struct gz_sim_vcpu *v, struct gz_cpu_ctx *ctx, struct gz_exit_record *exit)
{
	uint64_t hcr;

	v->ctx = ctx;
	v->exit = exit;
	v->ich = gz_sim_ich_of(gz_sim_cpu());
	v->sys_dirty = false;
	atomic_store(&v->hyp_kick, 0);
	atomic_store(&v->running, 1);
	if (!v->map.valid || atomic_exchange(&v->stale, 0) || v->map.vttbr != ctx->vttbr_el2 ||
	    v->map.vtcr != ctx->vtcr_el2)
		gz_sim_ucmap_remap(&v->map, ctx->vttbr_el2, ctx->vtcr_el2);
	if (gz_sim_ctx_load(v, ctx) != GZ_OK) {
		atomic_store(&v->running, 0);
		return GZ_ERR_NOT_SUPPORTED;
	}
	/* The core's traps, applied by Unicorn as hardware would (arm64/traps.h). */
	hcr = HCR_RW | HCR_IMO | HCR_FMO | (ctx->hcr_el2 & HCR_GUEST_TRAPS);
	if (hcr != v->uc_hcr) {
		v->uc_hcr = hcr;
		gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_hcr_el2, hcr | (v->uc_vi ? HCR_VI : 0));
	}
	if ((ctx->mdcr_el2 & MDCR_GUEST_FLAGS) != v->uc_mdcr) {
		v->uc_mdcr = ctx->mdcr_el2 & MDCR_GUEST_FLAGS;
		gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_mdcr_el2, v->uc_mdcr);
	}
	/* Unicorn raises the counter's trap itself (the timer's always traps) */
	if (ctx->cnthctl_el2 != v->uc_cnthctl) {
		v->uc_cnthctl = ctx->cnthctl_el2;
		gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_cnthctl_el2, ctx->cnthctl_el2);
	}
	gz_sim_debug_enter(v);
	if (atomic_load_explicit(&gz_sim_gdb_on, memory_order_relaxed))
		gz_sim_gdb_enter(v);
	v->gdb_resumed = v->gdb_stopped;
	v->gdb_stopped = false;
	if (!v->gdb_resumed)
		v->slice_end = atomic_load(&gz_sim_m.insns) + gz_sim_m.cfg.slice;
	v->timer_gated = gz_sim_timer_output(ctx);
	atomic_store(&v->kick, 0);
	return GZ_OK;
}

/* The quantum is over: pass the turn. With a debugger in a deterministic run the vCPU waits
 * for its next turn inside the run, so its registers go to its context meanwhile (the
 * debugger reads and may write them there) and come back from it. */
static bool yield(struct gz_sim_vcpu *v)
{
	bool dbg = v->exec_det && atomic_load_explicit(&gz_sim_gdb_on, memory_order_relaxed);
	bool held;

	if (dbg) {
		gz_sim_ctx_save(v, v->ctx);
		gz_sim_gdb_waiting(v, true);
	}
	held = gz_sim_exec_yield(v);
	if (dbg) {
		gz_sim_gdb_waiting(v, false);
		gz_sim_ctx_load(v, v->ctx);
		gz_sim_gdb_enter(v);
	}
	return held;
}

/* Run the engine until the vCPU leaves the guest (v->reason EXIT or HOSTIRQ). The execution
 * turn is kept across the stops the simulator handles itself and re-enters at once (an ICC_*
 * access, an exception it delivers, a fast exit): given up there, an interrupt handler would
 * wait a full quantum of another vCPU's at each of its GIC accesses. */
static void run_guest(struct gz_sim_vcpu *v)
{
	bool held = false;

	for (;;) {
		uint64_t pc;
		uint32_t insn = 0;
		bool wfe;
		uc_err err;

		v->reason = GZ_SIM_STOP_NONE;
		gz_sim_vcpu_sample(v);
		gz_sim_vcpu_set_vi(v, v->virq); /* Unicorn takes it at EL1's IRQ vector */
		if (gz_sim_vcpu_must_leave(v)) {
			v->reason = GZ_SIM_STOP_HOSTIRQ;
			goto out;
		}
		if (atomic_load(&v->stale)) {
			atomic_store(&v->stale, 0);
			gz_sim_ucmap_remap(&v->map, v->map.vttbr, v->map.vtcr);
		}
		pc = gz_sim_ucreg_rd(v->uc, UC_ARM64_REG_PC);
		if (!held && !(held = gz_sim_exec_acquire(v, v->virq)))
			continue; /* kicked, or a TLBI, while it waited: see to it first */
		v->gdb_resumed = false;
		err = uc_emu_start(v->uc, pc, GZ_SIM_NO_UNTIL, 0, 0);
		if (v->reason == GZ_SIM_STOP_YIELD)
			held = yield(v);
		v->hflags_el = (gz_sim_ucreg_rd(v->uc, UC_ARM64_REG_PSTATE) >> 2) & 3;
		/* After the EL is known: the run may end before the engine starts again. */
		if (err == UC_ERR_FETCH_PROT &&
		    (v->reason == GZ_SIM_STOP_NONE || v->reason == GZ_SIM_STOP_RETRY) &&
		    gz_sim_trap_fetch_fault(v))
			continue; /* code in a data range: its chunk is code now */
		if (v->fix_pc) {
			gz_sim_ucreg_wr(v->uc, UC_ARM64_REG_PC, v->fix_pc);
			v->fix_pc = 0;
		}
		pc = gz_sim_ucreg_rd(v->uc, UC_ARM64_REG_PC);
		if (v->reason == GZ_SIM_STOP_EXIT) {
			uint64_t t0 = gz_sim_trace_clock();

			bool fast;

			/* The fast exit may take a lock a TLBI's caller holds while it waits
			 * for this vCPU (gz_sim_registry_invalidate): it need not, since the
			 * loop remaps before the engine runs again. */
			atomic_store(&v->in_fast_exit, 1);
			fast = v->ctx->fast_exits && gz_sim_ctx_fast_exit(v, v->ctx);
			atomic_store(&v->in_fast_exit, 0);
			if (fast) {
				gz_sim_trace_fast(v, v->exit, v->ctx, pc, t0);
				if (entry_hook) /* the core handled an exit here too */
					entry_hook(entry_hook_arg, v->ctx);
				continue;
			}
			goto out;
		}
		if (err != UC_ERR_OK && v->reason == GZ_SIM_STOP_NONE) {
			/* Unicorn refused something we could not classify: report it as an
			 * unknown-reason trap so the core sees the PC. */
			gz_sim_syn_unknown(v->exit);
			v->reason = GZ_SIM_STOP_EXIT;
			goto out;
		}
		switch (v->reason) {
		case GZ_SIM_STOP_GUEST:
			gz_sim_gexc_enter(v, v->gexc_esr, v->gexc_elr, v->gexc_far_valid,
					  v->gexc_far);
			break;
		case GZ_SIM_STOP_ICOUNT:
			gz_sim_gdb_icount_near(v); /* the next block again, each insn hooked */
			break;
		case GZ_SIM_STOP_HOSTIRQ:
			gz_sim_vcpu_sample(v);
			if (!atomic_load(&v->stale) || gz_sim_vcpu_must_leave(v))
				goto out;
			break; /* only a TLBI: remap at the top and go on */
		case GZ_SIM_STOP_NONE:
			if (pc >= 4 && gz_sim_ucreg_fetch_insn(v->uc, pc - 4, &insn) &&
			    gz_sim_decode_wfx(insn, &wfe)) {
				finish_wfx(v, wfe);
				if (v->reason == GZ_SIM_STOP_HOSTIRQ)
					goto out;
			}
			break;
		default:
			break;
		}
	}
out:
	if (held)
		gz_sim_exec_release(v);
}

int gz_hal_vcpu_run(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit)
{
	struct gz_sim_vcpu *v;
	int r;

	*exit = (struct gz_exit_record){.kind = GZ_EXIT_KIND_FAIL_ENTRY};
	if (!gz_sim_m.mem)
		return GZ_ERR_BAD_STATE;
	v = gz_sim_registry_find(ctx, true);
	if (!v)
		return GZ_ERR_NO_RESOURCES;
	if ((ctx->pstate & PSR_MODE_MASK) != PSR_MODE_EL1h &&
	    (ctx->pstate & PSR_MODE_MASK) != PSR_MODE_EL1t &&
	    (ctx->pstate & PSR_MODE_MASK) != PSR_MODE_EL0t)
		return GZ_ERR_INVALID_ARGS; /* AArch32 and EL2+ are not guest states */
	if (ctx->cnthctl_el2 & ~CNTHCTL_GUEST_ALLOWED)
		return GZ_ERR_INVALID_ARGS; /* the physical timer is never a guest's (as gzhyp) */
	if (entry_hook)
		entry_hook(entry_hook_arg, ctx);
	gz_sim_trace_entry(v);
	r = enter(v, ctx, exit);
	if (r != GZ_OK)
		return r;
	irq_consumed = false;
	if (gz_hal_ctx_kicked(ctx)) {
		/* Kicked before enter() marked it running: that kick stopped nothing and the
		 * flush may have missed its interrupt (hal.h). No guest instruction: an IRQ exit
		 * the core re-enters from at once. */
		*exit = (struct gz_exit_record){.kind = GZ_EXIT_KIND_IRQ};
		irq_consumed = true;
		v->reason = GZ_SIM_STOP_NONE;
	} else {
		run_guest(v);
		v->gdb_resumed = false;
	}
	if (v->reason == GZ_SIM_STOP_HOSTIRQ) {
		bool kicked = atomic_exchange(&v->hyp_kick, 0);
		unsigned why, own = GZ_SIM_LEAVE_HYP_KICK | GZ_SIM_LEAVE_EXIT_AT;

		*exit = (struct gz_exit_record){.kind = GZ_EXIT_KIND_IRQ};
		/* Only the core's own interrupts are consumed in the hypervisor, as on gzhyp: a
		 * kick, and the deadline of its emulated timer (its exit resamples the timer). The
		 * virtual timer and the maintenance condition stay visible to the core's IRQ exit
		 * handling (levels the core resamples), a host kick or the end of a slice go to
		 * the host. */
		gz_sim_vcpu_sample(v);
		why = gz_sim_vcpu_must_leave(v);
		irq_consumed = (kicked || (why & GZ_SIM_LEAVE_EXIT_AT)) && !(why & ~own);
	}
	gz_sim_ctx_save(v, ctx);
	if (atomic_load_explicit(&gz_sim_gdb_on, memory_order_relaxed))
		gz_sim_gdb_exit(v, exit);
	gz_sim_trace_exit(v, exit, ctx);
	if (gz_sim_m.trace > 1)
		fprintf(
		    stderr,
		    "gzsim: exit kind %d ESR %#llx FAR %#llx HPFAR %#llx PC %#llx PSTATE %#llx\n",
		    exit->kind, (unsigned long long)exit->esr, (unsigned long long)exit->far,
		    (unsigned long long)exit->hpfar, (unsigned long long)ctx->pc,
		    (unsigned long long)ctx->pstate);
	atomic_store(&v->running, 0);
	return 0;
}

/* True after an IRQ exit caused only by gz_hal_vcpu_kick on this CPU. */
bool gz_hal_vcpu_irq_consumed(void)
{
	return irq_consumed;
}
