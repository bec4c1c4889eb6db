/* Exit traces (trace.c): what run.c, the in-process driver and the embedder tell about each
 * exit of a vCPU, written as JSON lines. */
#ifndef GZ_SIM_TRACE_H
#define GZ_SIM_TRACE_H

#include "vcpu.h"

bool gz_sim_trace_on(void);
/* gz_hal_vcpu_run returns exit x of v: kept until its handling is known. */
void gz_sim_trace_exit(struct gz_sim_vcpu *v, const struct gz_exit_record *x,
		       const struct gz_cpu_ctx *ctx);
/* The core's fast path took exit x at pc inside the run; t0: gz_sim_trace_clock() before. */
void gz_sim_trace_fast(struct gz_sim_vcpu *v, const struct gz_exit_record *x,
		       const struct gz_cpu_ctx *ctx, uint64_t pc, uint64_t t0);
uint64_t gz_sim_trace_clock(void);
/* v enters the guest again: its last exit is written. */
void gz_sim_trace_entry(struct gz_sim_vcpu *v);
/* v goes away: its last exit is written, no thread names it any more. */
void gz_sim_trace_forget(struct gz_sim_vcpu *v);

#endif
