/* The guest's virtual timer (CNTV_*), which the simulator keeps itself: the counter as the
 * guest sees it, the timer condition, the instruction count by which it fires, and the
 * guest's accesses to the counter and timer registers. */
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

/* True when @enc (SYS_ENC) is a counter or virtual-timer register the timer answers. */
bool gz_sim_timer_is_reg(uint32_t enc);
uint64_t gz_sim_timer_read(const struct gz_cpu_ctx *ctx, uint32_t enc);
/* A write (CNTFRQ_EL0 is read-only and ignored). */
void gz_sim_timer_write(struct gz_cpu_ctx *ctx, uint32_t enc, uint64_t val);

#endif
