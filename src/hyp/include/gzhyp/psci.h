/*
 * Guest calls handled in the hypervisor: PSCI 1.1 (psci.c), SMCCC 1.1 discovery and the
 * vendor-hypervisor service (smccc.c). Each handler takes the function id in x0 and the
 * arguments in x1..x3, writes results to x0..x3 and tells the run loop what to do next.
 */
#ifndef GZ_PSCI_H
#define GZ_PSCI_H

#include <gzhyp/exit.h>

struct gz_vcpu;

/* PSCI function ids (owner "standard", functions 0x00..0x1f). GZ_EXIT_NEXT for any other. */
enum gz_exit_action gz_psci_call(struct gz_vcpu *vcpu, const struct gz_exit *x);
/* SMCCC arch calls (owner 0) and vendor-hypervisor calls (owner 6). GZ_EXIT_NEXT else. */
enum gz_exit_action gz_smccc_call(struct gz_vcpu *vcpu, const struct gz_exit *x);

/* True when the guest call @fid (SMCCC function id, HVC/SMC #0) is answered in the hypervisor
 * from the call's registers and VM state the call cannot change: the answer to a query, or
 * NOT_SUPPORTED for what nobody implements. Such a call changes nothing but x0-x3 (and the PC
 * of an SMC), so the exit fast path may serve it. Calls that change power, memory or interrupt
 * state, or that go to the host, are not. */
bool gz_guest_call_is_query(uint32_t fid);
/* The PSCI part of it: false only for the PSCI functions with an effect. */
bool gz_psci_call_is_query(uint32_t fid);

#endif
