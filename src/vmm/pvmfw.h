/* Booting a protected VM through opengz's pvmfw (--pvmfw FILE, include/gzabi/pvmfw.h): the
 * firmware image read and checked, its memory (a PROTECT_FW memslot at GZ_PVMFW_GPA), the
 * announcement (GZVM_ENABLE_CAP(GZVM_CAP_PROTECTED_VM) SET_PVMFW_GPA, then GET_PVMFW_SIZE),
 * the boot signature block for the device tree (--boot-sig FILE), and the firmware's refusal,
 * which ends gzvmm with VMM_EXIT_REFUSED. */
#ifndef VMM_PVMFW_H
#define VMM_PVMFW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmm_vm;
struct gzvm_vcpu_run;

/* The memslot of the firmware (RAM is 0, the flash banks 1 and 2). */
#define VMM_PVMFW_SLOT 3U

struct vmm_pvmfw {
	uint8_t *image; /* the file */
	size_t size;
	void *mem; /* GZ_PVMFW_MAX_SIZE bytes of the backend's memory */
	uint8_t *bootsig;
	size_t bootsig_size;
};

/* Reads --pvmfw and --boot-sig and checks them (one-line message, VMM_EXIT_USAGE), then
 * allocates and fills the firmware's memory. 0 without --pvmfw. */
int vmm_pvmfw_open(struct vmm_vm *vm);
/* After RAM's memslot: the firmware's slot, SET_PVMFW_GPA, GET_PVMFW_SIZE (which must equal
 * the image's size). 0 or the exit status after one line. */
int vmm_pvmfw_announce(struct vmm_vm *vm);
/* Fresh memory with the image again (a guest reset: the last boot's pages went back to the
 * host scrubbed with the VM). */
int vmm_pvmfw_reload(struct vmm_vm *vm);
void vmm_pvmfw_close(struct vmm_vm *vm);
/* --test-pvmfw-write, once gzvmm catches faults on guest memory: write the firmware's first
 * byte. It faults (gzvmm ends with status 4 naming the IPA); if it did not, one line and
 * VMM_EXIT_ERROR. 0 without the option. */
int vmm_pvmfw_test_write(struct vmm_vm *vm);
/* A GZVM_EXIT_HYPERCALL: true if it was the firmware's refusal, reported (one line) and
 * the VM stopped with VMM_EXIT_REFUSED. */
bool vmm_pvmfw_hypercall(struct vmm_vm *vm, struct gzvm_vcpu_run *run);
/* The text for a refusal code (include/gzabi/pvmfw.h). */
const char *vmm_pvmfw_refusal(uint64_t code);

#endif
