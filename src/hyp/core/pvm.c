/* Protected VMs (gzhyp/pvm.h): GZVM_CAP_PROTECTED_VM's sub-commands, the host's register
 * access refused once a protected VM ran, and the MMIO guard's filter on exits. */
#include <uapi/linux/gzvm.h>
#include <gzabi/status.h>
#include <gzhyp/atomic.h>
#include <gzhyp/pvm.h>
#include <gzhyp/vm.h>

/* SET_PVMFW_GPA: where the VMM loaded pvmfw must be a PROTECT_FW region of guest RAM. */
static int check_pvmfw_gpa(struct gz_vm *vm, uint64_t gpa)
{
	int slot;

	if (!GZ_IS_ALIGNED(gpa, GZ_PAGE_SIZE) || gpa >= (1ULL << vm->ipa_bits))
		return GZ_ERR_INVALID_ARGS;
	slot = gz_memslot_lookup(&vm->mem, gpa);
	if (slot < 0 || !(vm->mem.slots[slot].flags & GZVM_USER_MEM_REGION_PROTECT_FW))
		return GZ_ERR_INVALID_ARGS;
	return GZ_OK;
}

int gz_pvm_enable_cap(struct gz_vm *vm, const uint64_t args[5], uint64_t *out)
{
	int st;

	*out = 0;
	switch (args[0]) {
	case GZVM_CAP_PVM_SET_PVMFW_GPA:
		if (args[2] | args[3] | args[4])
			return GZ_ERR_INVALID_ARGS;
		st = check_pvmfw_gpa(vm, args[1]);
		/* Booting through pvmfw (verification, handover) is not there yet: a VMM that
		 * asks for it learns so before its guest runs unprotected. */
		return st != GZ_OK ? st : GZ_ERR_NOT_SUPPORTED;
	case GZVM_CAP_PVM_GET_PVMFW_SIZE:
		/* gzhyp carries no pvmfw of its own: size 0 (crosvm then refuses to load one). */
		return args[1] | args[2] | args[3] | args[4] ? GZ_ERR_INVALID_ARGS : GZ_OK;
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
