/* The vCPU's exit log in the page it shares with the host (gzabi/hvc.h, struct gz_exit_log):
 * every exit of a normal VM's vCPU with its syndrome, who finished it and what it cost, for
 * the host's exit trace. Calls of the vCPU's own run ([run]). */
#ifndef GZHYP_EXIT_LOG_H
#define GZHYP_EXIT_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <arm64/cpu_ctx.h>

struct gz_vcpu;

/* A RUN begins: is the log on (the host's word; never for a protected VM), and where it
 * starts for the check that ends the RUN before the log wraps. */
void gz_exit_log_run(struct gz_vcpu *v);
/* The counter, for the log's times; 0 while it is off (no read). */
uint64_t gz_exit_log_now(const struct gz_vcpu *v);
/* The exit @rec at @pc, taken at counter @t_exit, was finished by @handler
 * (enum gz_exit_log_handler); @done: the counter now, the cost of a fast exit (0: at the next
 * entry). */
void gz_exit_log_add(struct gz_vcpu *v, const struct gz_exit_record *rec, uint64_t pc,
		     uint64_t t_exit, unsigned handler, uint64_t done);
/* The vCPU enters the guest: the last record's cost, if it has none yet. */
void gz_exit_log_enter(struct gz_vcpu *v);
/* The log is on and this RUN filled it: time to go out before it wraps. */
bool gz_exit_log_full(const struct gz_vcpu *v);

#endif
