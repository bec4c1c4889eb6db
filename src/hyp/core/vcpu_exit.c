/* The writers of the gzvm exits in the shared run page (gzhyp/vcpu_exit.h). */
#include <uapi/linux/gzvm.h>
#include <gzhyp/lib.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vcpu_exit.h>
#include <hal.h>

void gz_vcpu_exit_simple(struct gz_vcpu *v, uint32_t reason)
{
	struct gzvm_vcpu_run *run = v->run;

	run->exit_reason = reason;
	gz_memset(run->padding, 0, sizeof(run->padding));
}

void gz_vcpu_exit_system_event(struct gz_vcpu *v, uint32_t type, uint64_t data)
{
	gz_vcpu_exit_simple(v, GZVM_EXIT_SYSTEM_EVENT);
	v->run->system_event.type = type;
	v->run->system_event.ndata = 1;
	v->run->system_event.data[0] = data;
}

void gz_vcpu_exit_hypercall(struct gz_vcpu *v)
{
	unsigned i;

	gz_vcpu_exit_simple(v, GZVM_EXIT_HYPERCALL);
	for (i = 0; i < 8; i++)
		v->run->hypercall.args[i] = v->ctx.x[i];
	v->hvc_pending = true;
	v->hvc_copy_back = true;
}

void gz_vcpu_exit_page_fault(struct gz_vcpu *v, gz_ipa_t gpa, uint32_t error_code)
{
	gz_vcpu_exit_simple(v, GZVM_EXIT_EXCEPTION);
	v->run->exception.exception = GZVM_EXCEPTION_PAGE_FAULT;
	v->run->exception.error_code = error_code;
	v->run->exception.fault_gpa = gpa;
}

void gz_vcpu_exit_internal(struct gz_vcpu *v, uint32_t suberror, const uint64_t *data,
			   unsigned ndata)
{
	unsigned i;

	gz_vcpu_exit_simple(v, GZVM_EXIT_INTERNAL_ERROR);
	if (ndata > 16)
		ndata = 16;
	v->run->internal.suberror = suberror;
	v->run->internal.ndata = ndata;
	for (i = 0; i < ndata; i++)
		v->run->internal.data[i] = data[i];
}

void gz_vcpu_exit_fail_entry(struct gz_vcpu *v, uint64_t reason)
{
	gz_vcpu_exit_simple(v, GZVM_EXIT_FAIL_ENTRY);
	v->run->fail_entry.hardware_entry_failure_reason = reason;
	v->run->fail_entry.cpu = gz_hal_cpu_id();
}
