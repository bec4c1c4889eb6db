/* The bounce pool of a protected VM (swiotlb.h). */
#include "swiotlb.h"

#include "guest_mem.h"
#include "layout.h"

uint64_t vmm_swiotlb_size(const struct vmm_config *cfg)
{
	/* A pool takes at most an eighth of the RAM; a VM too small for one has none. */
	if (!cfg->protected_vm || cfg->mem_size < 8 * VMM_SWIOTLB_SIZE)
		return 0;
	return VMM_SWIOTLB_SIZE;
}

void vmm_ram_regions(struct vmm_vm *vm)
{
	uint64_t pool = vmm_swiotlb_size(vm->cfg), ram = vm->ram_size - pool;

	vm->mem.n = 0;
	vmm_mem_add(&vm->mem, VMM_RAM_BASE, ram, vm->ram);
	if (pool)
		vmm_mem_add(&vm->mem, VMM_RAM_BASE + ram, pool, (uint8_t *)vm->ram + ram);
}

int vmm_swiotlb_map(struct vmm_vm *vm)
{
	uint64_t pool = vmm_swiotlb_size(vm->cfg), ram = vm->ram_size - pool;
	struct gzvm_userspace_memory_region slot = {
	    .slot = VMM_SWIOTLB_SLOT,
	    .flags = GZVM_USER_MEM_REGION_STATIC_SWIOTLB,
	    .guest_phys_addr = VMM_RAM_BASE + ram,
	    .memory_size = pool,
	    .userspace_addr = (uint64_t)(uintptr_t)vm->ram + ram,
	};
	long r;

	if (!pool)
		return 0;
	r = vm->be.ops->ioctl(&vm->be, vm->vm_fd, GZVM_SET_USER_MEMORY_REGION, &slot);
	return r < 0 ? vmm_hv_fail(vm, "GZVM_SET_USER_MEMORY_REGION (bounce pool)", r) : 0;
}
