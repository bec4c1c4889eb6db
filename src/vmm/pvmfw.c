/* gzvmm's side of booting through opengz's pvmfw (pvmfw.h): the image and the signature block
 * read and checked before the hypervisor is touched, the firmware's memslot and its
 * announcement, and the firmware's refusal turned into one line and VMM_EXIT_REFUSED. */
#include "pvmfw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gzabi/pvmfw.h>
#include <gzcrypto/bootsig.h>

#include "exitcode.h"
#include "loader.h"
#include "msg.h"
#include "vm.h"

#define ERRLEN 512

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* What gzhyp will check, said here first with the file's name. */
static const char *header_problem(const uint8_t *img, size_t size)
{
	uint64_t image, mem, entry;

	if (size < GZ_PVMFW_HEADER_SIZE || le(img + GZ_PVMFW_OFF_MAGIC, 8) != GZ_PVMFW_MAGIC)
		return "not an opengz pvmfw image (no GZPVMW1 header)";
	image = le(img + GZ_PVMFW_OFF_IMAGE, 8);
	mem = le(img + GZ_PVMFW_OFF_MEM, 8);
	entry = le(img + GZ_PVMFW_OFF_ENTRY, 8);
	if (le(img + GZ_PVMFW_OFF_VERSION, 4) != GZ_PVMFW_VERSION ||
	    le(img + GZ_PVMFW_OFF_HDR_SIZE, 4) != GZ_PVMFW_HEADER_SIZE)
		return "unknown pvmfw header version";
	if (image != size)
		return "the header's image size is not the file's";
	if (mem < image || mem > GZ_PVMFW_MAX_SIZE - GZ_PVMFW_DICE_SIZE || entry >= image ||
	    (entry & 3))
		return "the header's memory size or entry point is out of range";
	return NULL;
}

int vmm_pvmfw_open(struct vmm_vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	struct vmm_pvmfw *f = &vm->pvmfw;
	char err[ERRLEN];
	const char *why;

	if (!cfg->pvmfw)
		return 0;
	if (vmm_read_file("pvmfw", cfg->pvmfw, GZ_PVMFW_MAX_SIZE, &f->image, &f->size, err,
			  sizeof(err)))
		return vmm_report(VMM_EXIT_USAGE, "%s", err);
	why = header_problem(f->image, f->size);
	if (why)
		return vmm_report(VMM_EXIT_USAGE, "--pvmfw '%s': %s", cfg->pvmfw, why);
	if (cfg->boot_sig) {
		/* Its contents are the firmware's to judge (a malformed block is its refusal);
		 * only a block that cannot be one is a usage error here. */
		if (vmm_read_file("boot signature", cfg->boot_sig, 4096, &f->bootsig,
				  &f->bootsig_size, err, sizeof(err)))
			return vmm_report(VMM_EXIT_USAGE, "%s", err);
	}
	if (VMM_RAM_BASE + vm->ram_size > GZ_PVMFW_GPA)
		return vmm_report(VMM_EXIT_USAGE,
				  "--pvmfw: guest RAM must end below the firmware at 0x%llx "
				  "(--mem %lluM at most)",
				  (unsigned long long)GZ_PVMFW_GPA,
				  (unsigned long long)((GZ_PVMFW_GPA - VMM_RAM_BASE) >> 20));
	return vmm_pvmfw_reload(vm);
}

int vmm_pvmfw_reload(struct vmm_vm *vm)
{
	struct vmm_pvmfw *f = &vm->pvmfw;

	if (!f->image)
		return 0;
	if (f->mem)
		vm->be.ops->ram_free(&vm->be, f->mem, GZ_PVMFW_MAX_SIZE);
	f->mem = vm->be.ops->ram_alloc(&vm->be, GZ_PVMFW_MAX_SIZE);
	if (!f->mem)
		return vmm_report(VMM_EXIT_ERROR, "cannot allocate the firmware's memory");
	memcpy(f->mem, f->image, f->size);
	if (vmm_mem_add(&vm->mem, GZ_PVMFW_GPA, GZ_PVMFW_MAX_SIZE, f->mem) != 0)
		return vmm_report(VMM_EXIT_ERROR, "cannot add the firmware's memory");
	return 0;
}

static long be_ioctl(struct vmm_vm *vm, int fd, unsigned long req, void *arg)
{
	return vm->be.ops->ioctl(&vm->be, fd, req, arg);
}

int vmm_pvmfw_announce(struct vmm_vm *vm)
{
	struct vmm_pvmfw *f = &vm->pvmfw;
	struct gzvm_userspace_memory_region slot = {
	    .slot = VMM_PVMFW_SLOT,
	    .flags = GZVM_USER_MEM_REGION_PROTECT_FW,
	    .guest_phys_addr = GZ_PVMFW_GPA,
	    .memory_size = GZ_PVMFW_MAX_SIZE,
	    .userspace_addr = (uint64_t)(uintptr_t)f->mem,
	};
	struct gzvm_enable_cap set = {.cap = GZVM_CAP_PROTECTED_VM,
				      .args = {GZVM_CAP_PVM_SET_PVMFW_GPA, GZ_PVMFW_GPA}};
	struct gzvm_enable_cap get = {.cap = GZVM_CAP_PROTECTED_VM,
				      .args = {GZVM_CAP_PVM_GET_PVMFW_SIZE}};
	long r;

	if (!f->image)
		return 0;
	r = be_ioctl(vm, vm->vm_fd, GZVM_SET_USER_MEMORY_REGION, &slot);
	if (r < 0)
		return vmm_hv_fail(vm, "GZVM_SET_USER_MEMORY_REGION (pvmfw)", r);
	r = be_ioctl(vm, vm->vm_fd, GZVM_ENABLE_CAP, &set);
	if (r < 0)
		return vmm_hv_fail(vm, "GZVM_ENABLE_CAP (SET_PVMFW_GPA)", r);
	r = be_ioctl(vm, vm->vm_fd, GZVM_ENABLE_CAP, &get);
	if (r < 0)
		return vmm_hv_fail(vm, "GZVM_ENABLE_CAP (GET_PVMFW_SIZE)", r);
	if (get.args[1] != f->size)
		return vmm_report(VMM_EXIT_ERROR,
				  "the hypervisor took a firmware of %llu bytes, not %zu",
				  (unsigned long long)get.args[1], f->size);
	return 0;
}

int vmm_pvmfw_test_write(struct vmm_vm *vm)
{
	if (!vm->cfg->test_pvmfw_write || !vm->pvmfw.mem)
		return 0;
	/* The firmware's pages are the VM's since SET_PVMFW_GPA: this write must fault (SIGBUS
	 * on guest memory: the IPA reported, status 4) and never land. */
	fprintf(stderr, "gzvmm: writing the firmware's first page after SET_PVMFW_GPA\n");
	*(volatile uint8_t *)vm->pvmfw.mem ^= 0xff;
	return vmm_report(VMM_EXIT_ERROR, "the host could write the firmware after SET_PVMFW_GPA");
}

void vmm_pvmfw_close(struct vmm_vm *vm)
{
	struct vmm_pvmfw *f = &vm->pvmfw;

	if (f->mem)
		vm->be.ops->ram_free(&vm->be, f->mem, GZ_PVMFW_MAX_SIZE);
	free(f->image);
	free(f->bootsig);
	memset(f, 0, sizeof(*f));
}

const char *vmm_pvmfw_refusal(uint64_t code)
{
	switch (code) {
	case GZ_PVMFW_REFUSE_NO_KEY:
		return "the platform gave the hypervisor no trusted key";
	case GZ_PVMFW_REFUSE_NO_SIG:
		return "no boot signature block (--boot-sig)";
	case GZ_PVMFW_REFUSE_BAD_DT:
		return "the device tree is unreadable";
	case GZ_PVMFW_REFUSE_BAD_IMAGES:
		return "the kernel or initrd lies outside the VM's RAM";
	case GZ_PVMFW_REFUSE_BAD_MEMORY:
		return "the device tree's memory is not the VM's memory";
	default:
		if (code >= GZCRYPTO_BOOTSIG_TRUNCATED && code <= GZCRYPTO_BOOTSIG_DEVICES)
			return gzcrypto_bootsig_error((enum gzcrypto_bootsig_status)code);
		return "unknown reason";
	}
}

bool vmm_pvmfw_hypercall(struct vmm_vm *vm, struct gzvm_vcpu_run *run)
{
	if (run->hypercall.args[0] != GZ_VENDOR_HYP_PVMFW_REFUSE || !vm->pvmfw.image)
		return false;
	fprintf(stderr, "gzvmm: pvmfw refused to boot the kernel: %s\n",
		vmm_pvmfw_refusal(run->hypercall.args[1]));
	vmm_vm_stop(vm, VMM_EXIT_REFUSED);
	return true;
}
