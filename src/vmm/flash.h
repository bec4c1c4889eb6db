/* gzvmm's firmware flash: QEMU virt's two 64 MiB CFI banks at 0 (--bios), bank 0 the
 * firmware, write-protected, bank 1 its variable store, kept in the --bios-vars file. Each
 * bank is the register model of src/dev (gzdev/cfi.h) behind a lock, over memory that the
 * bank's memslot maps.
 *
 * A bank is seen in one of two ways, as QEMU switches a pflash between ROM and I/O mode:
 *  - in read-array mode it is a read-only memslot: the guest executes and reads it at memory
 *    speed, and only its stores (commands) reach gzvmm, as MMIO exits (read-only memslots:
 *    docs/abi.md);
 *  - a command that leaves read-array mode (status, identifier, query, program, erase, lock)
 *    deletes the memslot first, so that reads too come to the model as MMIO exits; the
 *    command that returns to read-array mode registers the memslot again.
 * The model writes the bank's memory only while it is not mapped, so under gzhyp no page the
 * guest holds is touched (a read-only slot's pages come back unscrubbed: the bank keeps its
 * contents across the switches). Program and erase of bank 1 are written through to its
 * file at once. */
#ifndef VMM_FLASH_H
#define VMM_FLASH_H

#include <gzdev/cfi.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct vmm_vm;
struct vmm_vcpu;

struct vmm_flash_bank {
	pthread_mutex_t lock;
	struct gzdev_cfi m;
	struct vmm_vm *vm;
	unsigned index;
	uint8_t *mem; /* VMM_FLASH_BANK_SIZE bytes, the memslot's memory */
	bool mapped;  /* registered as a read-only memslot */
	int fd;	      /* the variable store's file, -1 */
	uint64_t maps, unmaps, races;
	bool write_failed;
};

struct vmm_flash {
	bool present;	  /* --bios given */
	uint64_t fw_size; /* of the firmware file loaded into bank 0 */
	struct vmm_flash_bank bank[VMM_FLASH_BANKS];
};

/* Reads the firmware (at most one bank) and the variable store (exactly one bank), takes
 * the banks' memory from the backend and loads them. One-line error, VMM_EXIT_USAGE or
 * VMM_EXIT_ERROR; 0 on success. */
int vmm_flash_open(struct vmm_vm *vm);
/* Registers both banks as read-only memslots (the VM exists; power-on state). */
int vmm_flash_map(struct vmm_vm *vm);
/* Whether guest-physical addr lies in the flash. */
bool vmm_flash_claims(const struct vmm_vm *vm, uint64_t addr);
/* An MMIO exit in the flash (vCPU thread): true when served (a read's data filled in),
 * false when a memslot change failed and the VM was stopped. */
bool vmm_flash_mmio(struct vmm_vm *vm, uint64_t addr, uint8_t *data, unsigned size, bool is_write);
/* Before the VM goes away for a reboot: memslots deleted, so that the banks' memory comes
 * back as it is. */
void vmm_flash_unmap(struct vmm_vm *vm);
/* Power-on state for a reboot: bank 0 reloaded from the firmware file, both models reset
 * (bank 1 keeps its contents, as a flash does). */
int vmm_flash_reset(struct vmm_vm *vm);
/* Flushes the variable store and frees the banks. */
void vmm_flash_close(struct vmm_vm *vm);
void vmm_flash_print_stats(const struct vmm_vm *vm, void *stream);

#endif
