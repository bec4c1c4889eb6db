/*
 * The writers of the gzvm exits a vCPU hands to the host: each fills the shared run page
 * (struct gzvm_vcpu_run) with one exit reason and its data, the rest of the exit union
 * zeroed. GZVM_EXIT_MMIO is written by mmio.c, which also keeps what completes it.
 */
#ifndef GZ_VCPU_EXIT_H
#define GZ_VCPU_EXIT_H

#include <arm64/types.h>

struct gz_vcpu;

/* A bare exit reason (IDLE, IPI, IRQ, GZ, DEBUG, UNKNOWN). */
void gz_vcpu_exit_simple(struct gz_vcpu *vcpu, uint32_t reason);
/* GZVM_EXIT_SYSTEM_EVENT of @type with one data word. */
void gz_vcpu_exit_system_event(struct gz_vcpu *vcpu, uint32_t type, uint64_t data);
/* A guest call for the host: x0..x7 go out in hypercall.args; on the next RUN x0..x3 come
 * back from args[0..3] (vcpu->hvc_copy_back, which a handler may clear). */
void gz_vcpu_exit_hypercall(struct gz_vcpu *vcpu);
/* GZVM_EXIT_EXCEPTION with a page fault at @gpa (demand paging). */
void gz_vcpu_exit_page_fault(struct gz_vcpu *vcpu, gz_ipa_t gpa, uint32_t error_code);
/* GZVM_EXIT_INTERNAL_ERROR with @suberror and up to 16 data words. */
void gz_vcpu_exit_internal(struct gz_vcpu *vcpu, uint32_t suberror, const uint64_t *data,
			   unsigned ndata);
/* GZVM_EXIT_FAIL_ENTRY: the HAL's @reason, on this physical CPU. */
void gz_vcpu_exit_fail_entry(struct gz_vcpu *vcpu, uint64_t reason);

#endif
