/* The bounce pool of a protected VM (gzvmm --protected): the last VMM_SWIOTLB_SIZE bytes of
 * its RAM become their own memslot of purpose STATIC_SWIOTLB, a "restricted-dma-pool" in
 * the device tree that every virtio transport names as its memory-region, as crosvm lays it
 * out for GenieZone. The guest shares the pool (MEM_SHARE) and bounces its virtio buffers
 * through it: gzvmm reads nothing else of its memory. */
#ifndef VMM_SWIOTLB_H
#define VMM_SWIOTLB_H

#include <stdint.h>

#include "vm.h"

/* Bytes of the pool for a VM of @cfg: 0 for a normal VM. */
uint64_t vmm_swiotlb_size(const struct vmm_config *cfg);
/* The guest RAM's regions in vm->mem: the RAM the loader uses first, the pool after it. */
void vmm_ram_regions(struct vmm_vm *vm);
/* The pool's memslot; 0 or the exit status after a one-line message. Nothing for a normal
 * VM. */
int vmm_swiotlb_map(struct vmm_vm *vm);

#endif
