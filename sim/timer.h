/* The guest's virtual timer (CNTV_*), which the simulator keeps itself: the counter as the
 * guest sees it, the timer condition, the instruction count by which it fires, and the
 * guest's accesses to the counter and timer registers: which of them CNTKCTL_EL1 and the
 * core's CNTHCTL_EL2 let through, as hardware checks them. The physical timer is the core's
 * (it always traps); the simulator only keeps its deadline (ctx->exit_at). */
#ifndef GZ_SIM_TIMER_H
#define GZ_SIM_TIMER_H

#include <arm64/cpu_ctx.h>
#include "vgic_cpuif.h"

/* The timer condition (enabled and CVAL reached), as CNTV_CTL_EL0.ISTATUS reports it. */
bool gz_sim_timer_cond(const struct gz_cpu_ctx *ctx);
/* The timer's output: the condition, unmasked (what the core drives PPI 27 with). */
bool gz_sim_timer_output(const struct gz_cpu_ctx *ctx);
/* The output brings the vCPU back to the hypervisor: it is up, the run did not gate it and
 * the virtual GIC does not hold the timer's PPI already. @gated: the output was up when the
 * run entered the guest. gzhyp disables the physical PPI for such a run, since the core has
 * the line high in the vGIC already, so a guest that keeps the PPI disabled at its GIC, or
 * does not take it, runs on instead of exiting before every instruction. */
bool gz_sim_timer_fires(const struct gz_cpu_ctx *ctx, const struct gz_sim_ich *ich, bool gated);
/* The machine's instruction count at which the vCPU must leave for its timer, UINT64_MAX
 * when it cannot (in the wall clock: now, or the next instruction when the condition is not
 * met yet). */
uint64_t gz_sim_timer_deadline(const struct gz_cpu_ctx *ctx, const struct gz_sim_ich *ich,
			       bool gated);

/* The instruction count by which the counter reaches @count (physical), as
 * gz_sim_timer_deadline counts it; UINT64_MAX for 0 (no deadline). */
uint64_t gz_sim_timer_insns_until(uint64_t count);

/* Where a guest access to a counter or timer register goes, in the architecture's order:
 * an EL0 access CNTKCTL_EL1 does not allow traps to EL1 first, then CNTHCTL_EL2's traps
 * apply (EL1PCTEN for CNTPCT_EL0; the physical timer always traps). */
enum gz_sim_timer_route {
	GZ_SIM_TIMER_NONE,   /* not a counter or timer register */
	GZ_SIM_TIMER_ANSWER, /* the simulator answers it (gz_sim_timer_read/write) */
	GZ_SIM_TIMER_TO_EL1, /* a trapped access the guest's EL1 takes (EC 0x18) */
	GZ_SIM_TIMER_TO_EL2, /* a trapped access the core takes (an EC 0x18 exit) */
};
enum gz_sim_timer_route gz_sim_timer_route(const struct gz_cpu_ctx *ctx, uint32_t enc, bool el0,
					   uint64_t cntkctl);
uint64_t gz_sim_timer_read(const struct gz_cpu_ctx *ctx, uint32_t enc);
/* A write (CNTFRQ_EL0 is read-only and ignored). */
void gz_sim_timer_write(struct gz_cpu_ctx *ctx, uint32_t enc, uint64_t val);

#endif
