/*
 * A vCPU that waits: what a WFI (or PSCI CPU_SUSPEND) does, halt polling before the vCPU
 * gives its CPU back to the host, and the GZVM_EXIT_IDLE that tells the host to let the
 * vCPU's thread sleep (with the virtual timer's deadline in hwstate).
 */
#ifndef GZ_VCPU_IDLE_H
#define GZ_VCPU_IDLE_H

#include <arm64/types.h>
#include <gzhyp/exit.h>

struct gz_vcpu;

/* Resume when an interrupt is pending or the idle capability is off; otherwise poll for a
 * wake-up (halt polling) and, when none comes, a GZVM_EXIT_IDLE with the vtimer hwstate. The
 * PC has already moved past the instruction. */
enum gz_exit_action gz_vcpu_wfi(struct gz_vcpu *vcpu);
/* GZVM_EXIT_IDLE: the host may sleep @delay counter ticks (0: until woken); @migrate says
 * whether it should arm a host timer for it (hwstate.vtimer_delay / vtimer_migrate). */
void gz_vcpu_idle_exit(struct gz_vcpu *vcpu, uint64_t delay, uint32_t migrate);
/* On RUN after an IDLE exit: adapt the polling window to how soon the vCPU was woken, at
 * @woken_at (the counter at the first kick while it was outside its RUN, vcpu->woken_at) or,
 * with no kick (0), now. */
void gz_vcpu_idle_adapt(struct gz_vcpu *vcpu, uint64_t woken_at);

#endif
