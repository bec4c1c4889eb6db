/*
 * Protected VMs (GZVM_CAP_PROTECTED_VM): the host's side of the capability and what a
 * protected VM refuses the host. A protected VM's pages are donated (gzhyp/mem.h: they leave
 * the host's stage 2 and come back only scrubbed); once it has run, the host can neither read
 * nor set its vCPUs' registers. The guest's MMIO guard is here too: it filters which exits
 * reach the VMM (gzhyp/mmio_guard.h).
 */
#ifndef GZ_PVM_H
#define GZ_PVM_H

#include <arm64/types.h>

struct gz_vm;

/* ENABLE_CAP(GZVM_CAP_PROTECTED_VM) with args[0..4] (x3..x7): *@out is x1.
 *   SET_PVMFW_GPA (0)   args[1] = the IPA where the VMM loaded pvmfw (args[2..4] zero):
 *                       gz_pvmfw_set_gpa (gzhyp/pvmfw.h): the VM becomes protected and
 *                       boots through the firmware
 *   GET_PVMFW_SIZE (1)  GZ_OK, *@out = the firmware's size (0 before SET_PVMFW_GPA)
 *   SET_PROTECTED_VM (2) the VM becomes protected (gz_vm_set_kind: before its first RUN,
 *                       GZ_ERR_BAD_STATE after); args[1..4] zero
 *   anything else       GZ_ERR_INVALID_ARGS
 * A refused call changes nothing. */
int gz_pvm_enable_cap(struct gz_vm *vm, const uint64_t args[5], uint64_t *out);
/* ONE_REG on a vCPU of @vm, the VM's lock held: GZ_OK, or GZ_ERR_ACCESS_DENIED for a
 * protected VM that has run (its registers are the guest's secret). */
int gz_pvm_one_reg_allowed(const struct gz_vm *vm);
/* May a data abort at @ipa outside guest RAM go to the VMM (gzhyp/mmio_guard.h)? Takes the
 * VM's lock. */
bool gz_pvm_mmio_allowed(struct gz_vm *vm, gz_ipa_t ipa);

#endif
