/* Protected VMs (gzhyp/pvm.h): GZVM_CAP_PROTECTED_VM's sub-commands, the host's register
 * access refused once a protected VM ran, and the MMIO guard's filter on exits. */
#include <uapi/linux/gzvm.h>
#include <gzabi/status.h>
#include <gzhyp/atomic.h>
#include <gzhyp/pvm.h>
#include <gzhyp/pvmfw.h>
#include <gzhyp/vm.h>

int gz_pvm_enable_cap(struct gz_vm *vm, const uint64_t args[5], uint64_t *out)
{
	*out = 0;
	switch (args[0]) {
	case GZVM_CAP_PVM_SET_PVMFW_GPA:
		if (args[2] | args[3] | args[4])
			return GZ_ERR_INVALID_ARGS;
		return gz_pvmfw_set_gpa(vm, args[1]);
	case GZVM_CAP_PVM_GET_PVMFW_SIZE:
		/* The firmware the VMM loaded and SET_PVMFW_GPA took (gzhyp carries none of its
		 * own): 0 before. */
		if (args[1] | args[2] | args[3] | args[4])
			return GZ_ERR_INVALID_ARGS;
		*out = gz_pvmfw_size(vm);
		return GZ_OK;
	case GZVM_CAP_PVM_SET_PROTECTED_VM:
		if (args[1] | args[2] | args[3] | args[4])
			return GZ_ERR_INVALID_ARGS;
		return gz_vm_set_kind(vm, GZ_VM_PROTECTED);
	default:
		return GZ_ERR_INVALID_ARGS;
	}
}

int gz_pvm_one_reg_allowed(const struct gz_vm *vm)
{
	/* RUNNING or OFF: a vCPU ran. Every vCPU, not only those that ran: a secondary's
	 * registers are set by the guest's CPU_ON, never by the host. */
	return gz_vm_kind(vm) == GZ_VM_PROTECTED && vm->state != GZ_VM_CREATED
		   ? GZ_ERR_ACCESS_DENIED
		   : GZ_OK;
}

bool gz_pvm_mmio_allowed(struct gz_vm *vm, gz_ipa_t ipa)
{
	bool r;

	gz_hal_lock(&vm->lock);
	r = gz_mmio_guard_allows(&vm->mmio_guard, ipa);
	gz_hal_unlock(&vm->lock);
	return r;
}
