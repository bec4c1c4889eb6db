/* gzvmm's firmware flash (see flash.h): files, memslot switching, MMIO. */
#include "flash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "openfile.h"
#include "vm.h"

#define LOAD_CHUNK (64U * 1024U)

static void le_store(uint8_t *d, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		d[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_load(const uint8_t *d, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)d[i] << (8 * i);
	return v;
}

static int bank_slot(struct vmm_flash_bank *b, bool map)
{
	struct vmm_vm *vm = b->vm;
	struct gzvm_userspace_memory_region r = {
	    .slot = VMM_FLASH_SLOT + b->index,
	    .flags = GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_READONLY,
	    .guest_phys_addr = VMM_FLASH_BASE + b->index * VMM_FLASH_BANK_SIZE,
	    .memory_size = map ? VMM_FLASH_BANK_SIZE : 0,
	    .userspace_addr = map ? (uint64_t)(uintptr_t)b->mem : 0,
	};
	long rc = vm->be.ops->ioctl(&vm->be, vm->vm_fd, GZVM_SET_USER_MEMORY_REGION, &r);

	if (rc < 0) {
		vmm_report(0, "flash bank %u: %s its memslot failed: %s", b->index,
			   map ? "registering" : "deleting", strerror((int)-rc));
		return -1;
	}
	b->mapped = map;
	if (map)
		b->maps++;
	else
		b->unmaps++;
	return 0;
}

/* Program and erase of the variable store reach its file at once. */
static void persist(void *ctx, uint64_t off, uint64_t len)
{
	struct vmm_flash_bank *b = ctx;
	ssize_t n = 0;

	if (b->fd < 0)
		return;
	for (uint64_t done = 0; done < len; done += (uint64_t)n) {
		n = pwrite(b->fd, b->mem + off + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			if (!b->write_failed)
				vmm_report(0, "cannot write the variable store: %s",
					   n < 0 ? strerror(errno) : "short write");
			b->write_failed = true;
			return;
		}
	}
}

/* Reads [0, len) of fd into dst; chunks of zeros are skipped (dst is zero), so an empty
 * store does not make its memory resident. */
static int load(int fd, uint8_t *dst, uint64_t len)
{
	static uint8_t chunk[LOAD_CHUNK];
	static const uint8_t zero[LOAD_CHUNK];

	for (uint64_t off = 0; off < len;) {
		size_t want = len - off < LOAD_CHUNK ? (size_t)(len - off) : LOAD_CHUNK;
		ssize_t n = pread(fd, chunk, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		if (memcmp(chunk, zero, (size_t)n) != 0)
			memcpy(dst + off, chunk, (size_t)n);
		off += (uint64_t)n;
	}
	return 0;
}

/* Opens a flash file: a regular file, not empty; its size in *size. */
static int open_file(const char *what, const char *path, int flags, uint64_t *size)
{
	struct stat st;
	int fd = vmm_open_noblock(path, flags, 0);

	if (fd < 0)
		return vmm_report(-1, "cannot open %s '%s': %s", what, path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vmm_report(-1, "%s '%s' is not a regular file", what, path);
	}
	if (st.st_size == 0) {
		close(fd);
		return vmm_report(-1, "%s '%s' is empty", what, path);
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

static int load_firmware(struct vmm_vm *vm)
{
	uint64_t size = 0; /* set with a valid fd; GCC -O2 cannot see it */
	int fd = open_file("firmware", vm->cfg->bios, O_RDONLY, &size), rc;

	if (fd < 0)
		return VMM_EXIT_USAGE;
	if (size > VMM_FLASH_BANK_SIZE) {
		close(fd);
		return vmm_report(
		    VMM_EXIT_USAGE,
		    "firmware '%s' is %llu bytes, larger than its flash bank (%llu MiB)",
		    vm->cfg->bios, (unsigned long long)size,
		    (unsigned long long)(VMM_FLASH_BANK_SIZE >> 20));
	}
	rc = load(fd, vm->flash.bank[0].mem, size);
	close(fd);
	vm->flash.fw_size = size;
	if (rc)
		return vmm_report(VMM_EXIT_USAGE, "cannot read firmware '%s': %s", vm->cfg->bios,
				  strerror(-rc));
	return 0;
}

static int open_vars(struct vmm_vm *vm)
{
	struct vmm_flash_bank *b = &vm->flash.bank[1];
	uint64_t size = 0; /* set with a valid fd; GCC -O2 cannot see it */
	int rc;

	b->fd = open_file("variable store", vm->cfg->bios_vars, O_RDWR, &size);
	if (b->fd < 0)
		return VMM_EXIT_USAGE;
	if (size != VMM_FLASH_BANK_SIZE)
		return vmm_report(VMM_EXIT_USAGE,
				  "variable store '%s' is %llu bytes; it must be exactly %llu "
				  "(64 MiB: truncate -s 64M makes an empty one)",
				  vm->cfg->bios_vars, (unsigned long long)size,
				  (unsigned long long)VMM_FLASH_BANK_SIZE);
	rc = load(b->fd, b->mem, size);
	if (rc)
		return vmm_report(VMM_EXIT_USAGE, "cannot read variable store '%s': %s",
				  vm->cfg->bios_vars, strerror(-rc));
	return 0;
}

int vmm_flash_open(struct vmm_vm *vm)
{
	struct vmm_flash *f = &vm->flash;
	int rc;

	for (unsigned i = 0; i < VMM_FLASH_BANKS; i++)
		f->bank[i].fd = -1;
	if (!vm->cfg->bios)
		return 0;
	f->present = true;
	for (unsigned i = 0; i < VMM_FLASH_BANKS; i++) {
		struct vmm_flash_bank *b = &f->bank[i];

		b->vm = vm;
		b->index = i;
		pthread_mutex_init(&b->lock, NULL);
		b->mem = vm->be.ops->ram_alloc(&vm->be, VMM_FLASH_BANK_SIZE);
		if (!b->mem)
			return vmm_report(VMM_EXIT_ERROR, "cannot allocate flash bank %u", i);
		/* Bank 0 holds the firmware: the guest cannot change it. */
		if (gzdev_cfi_init(&b->m, b->mem, VMM_FLASH_BANK_SIZE, VMM_FLASH_BLOCK_SIZE, i == 0,
				   persist, b) != 0)
			return vmm_report(VMM_EXIT_ERROR, "flash geometry refused");
	}
	rc = load_firmware(vm);
	if (!rc && vm->cfg->bios_vars)
		rc = open_vars(vm);
	return rc;
}

int vmm_flash_map(struct vmm_vm *vm)
{
	for (unsigned i = 0; vm->flash.present && i < VMM_FLASH_BANKS; i++)
		if (bank_slot(&vm->flash.bank[i], true) != 0)
			return VMM_EXIT_ERROR;
	return 0;
}

bool vmm_flash_claims(const struct vmm_vm *vm, uint64_t addr)
{
	return vm->flash.present && addr - VMM_FLASH_BASE < VMM_FLASH_BANKS * VMM_FLASH_BANK_SIZE;
}

bool vmm_flash_mmio(struct vmm_vm *vm, uint64_t addr, uint8_t *data, unsigned size, bool is_write)
{
	uint64_t rel = addr - VMM_FLASH_BASE, off = rel % VMM_FLASH_BANK_SIZE;
	struct vmm_flash_bank *b = &vm->flash.bank[rel / VMM_FLASH_BANK_SIZE];
	bool ok = true;

	pthread_mutex_lock(&b->lock);
	if (!is_write) {
		/* A read in read-array mode missed the memslot because another vCPU put the
		 * bank back in memory meanwhile: its pages may be the guest's by now, so the bank
		 * leaves the guest for the read and comes back after it. */
		if (b->mapped) {
			b->races++;
			ok = bank_slot(b, false) == 0;
		}
		if (ok)
			le_store(data, size, gzdev_cfi_read(&b->m, off, size));
	} else {
		/* In read-array mode every write is a command and the array cannot change;
		 * the memslot goes only if the command leaves read-array mode, before the
		 * model may touch the bank's memory. */
		gzdev_cfi_write(&b->m, off, size, le_load(data, size));
		if (b->mapped && !gzdev_cfi_array_mode(&b->m))
			ok = bank_slot(b, false) == 0;
	}
	if (ok && !b->mapped && gzdev_cfi_array_mode(&b->m))
		ok = bank_slot(b, true) == 0;
	pthread_mutex_unlock(&b->lock);
	if (!ok)
		vmm_vm_stop(vm, VMM_EXIT_ERROR);
	return ok;
}

void vmm_flash_unmap(struct vmm_vm *vm)
{
	for (unsigned i = 0; vm->flash.present && i < VMM_FLASH_BANKS; i++) {
		struct vmm_flash_bank *b = &vm->flash.bank[i];

		if (b->mapped)
			bank_slot(b, false);
	}
}

int vmm_flash_reset(struct vmm_vm *vm)
{
	if (!vm->flash.present)
		return 0;
	for (unsigned i = 0; i < VMM_FLASH_BANKS; i++) {
		gzdev_cfi_reset(&vm->flash.bank[i].m);
		vm->flash.bank[i].mapped = false;
	}
	/* The rest of the bank was never written (the guest cannot program bank 0). */
	memset(vm->flash.bank[0].mem, 0, vm->flash.fw_size);
	return load_firmware(vm);
}

void vmm_flash_close(struct vmm_vm *vm)
{
	for (unsigned i = 0; vm->flash.present && i < VMM_FLASH_BANKS; i++) {
		struct vmm_flash_bank *b = &vm->flash.bank[i];

		if (b->fd >= 0) {
			if (fdatasync(b->fd) != 0 && !b->write_failed)
				vmm_report(0, "cannot write the variable store: %s",
					   strerror(errno));
			close(b->fd);
			b->fd = -1;
		}
		if (b->mem)
			vm->be.ops->ram_free(&vm->be, b->mem, VMM_FLASH_BANK_SIZE);
		b->mem = NULL;
		pthread_mutex_destroy(&b->lock);
	}
	vm->flash.present = false;
}

void vmm_flash_print_stats(const struct vmm_vm *vm, void *stream)
{
	for (unsigned i = 0; vm->flash.present && i < VMM_FLASH_BANKS; i++) {
		const struct vmm_flash_bank *b = &vm->flash.bank[i];

		fprintf(stream,
			"  flash%u@%llx: reads=%llu writes=%llu programs=%llu erases=%llu "
			"errors=%llu maps=%llu unmaps=%llu races=%llu\n",
			i, (unsigned long long)(VMM_FLASH_BASE + i * VMM_FLASH_BANK_SIZE),
			(unsigned long long)b->m.reads, (unsigned long long)b->m.writes,
			(unsigned long long)b->m.programs, (unsigned long long)b->m.erases,
			(unsigned long long)b->m.errors, (unsigned long long)b->maps,
			(unsigned long long)b->unmaps, (unsigned long long)b->races);
	}
}
