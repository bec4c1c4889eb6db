/* Kernel, initrd and DTB loading into guest RAM, with every header field validated. */
#include "loader.h"
#include "msg.h"
#include "openfile.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELF_MAX_PHDRS 64U

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Opens @path for reading when it is a regular file of 1..@max bytes; its size in @size. */
static int open_checked(const char *what, const char *path, size_t max, size_t *size, char *err,
			size_t errlen)
{
	struct stat st;
	int fd = vmm_open_noblock(path, O_RDONLY, 0);

	if (fd < 0)
		return vmm_fail(err, errlen, "cannot open %s '%s': %s", what, path,
				strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vmm_fail(err, errlen, "%s '%s' is not a regular file", what, path);
	}
	if (st.st_size == 0) {
		close(fd);
		return vmm_fail(err, errlen, "%s '%s' is empty", what, path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return vmm_fail(err, errlen, "%s '%s' is too big for guest memory (%llu bytes)",
				what, path, (unsigned long long)st.st_size);
	}
	*size = (size_t)st.st_size;
	return fd;
}

/* Reads the @size bytes of @fd into a new buffer. */
static int read_all(int fd, const char *what, const char *path, uint8_t **data, size_t size,
		    char *err, size_t errlen)
{
	uint8_t *buf = malloc(size);
	size_t got = 0;

	if (!buf)
		return vmm_fail(err, errlen, "out of memory reading %s '%s'", what, path);
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			free(buf);
			return vmm_fail(err, errlen, "cannot read %s '%s': %s", what, path,
					strerror(e));
		}
		got += (size_t)n;
	}
	*data = buf;
	return 0;
}

int vmm_read_file(const char *what, const char *path, size_t max, uint8_t **data, size_t *size,
		  char *err, size_t errlen)
{
	int fd = open_checked(what, path, max, size, err, errlen);
	int rc;

	if (fd < 0)
		return -1;
	rc = read_all(fd, what, path, data, *size, err, errlen);
	close(fd);
	return rc;
}

int vmm_map_file(const char *what, const char *path, size_t max, struct vmm_file *f, char *err,
		 size_t errlen)
{
	int fd = open_checked(what, path, max, &f->size, err, errlen);
	void *p;
	int rc = 0;

	f->data = NULL;
	f->mapped = false;
	if (fd < 0)
		return -1;
	/* The file's own page-cache pages, mapped at once (MAP_POPULATE): the loader copies
	 * them into guest RAM with no buffer in between. A filesystem that cannot map it
	 * is read instead. */
	p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p != MAP_FAILED) {
		f->data = p;
		f->mapped = true;
	} else {
		rc = read_all(fd, what, path, &f->data, f->size, err, errlen);
	}
	close(fd);
	return rc;
}

void vmm_file_release(struct vmm_file *f)
{
	if (f->mapped)
		munmap(f->data, f->size);
	else
		free(f->data);
	f->data = NULL;
	f->size = 0;
	f->mapped = false;
}

static int copy_in(const struct vmm_mem *m, uint64_t gpa, const void *src, uint64_t len,
		   uint64_t zero_len)
{
	uint8_t *dst = vmm_mem_ptr(m, gpa, len + zero_len);

	if (!dst || len + zero_len < len)
		return -1;
	memcpy(dst, src, len);
	memset(dst + len, 0, zero_len);
	return 0;
}

static int load_image(const struct vmm_mem *m, const uint8_t *img, size_t size,
		      struct vmm_boot_layout *bl, char *err, size_t errlen)
{
	const struct vmm_mem_region *ram = vmm_mem_ram(m);
	uint64_t text = rd64(img + VMM_IMAGE_OFF_TEXT);
	uint64_t isize = rd64(img + VMM_IMAGE_OFF_SIZE);
	uint64_t flags = rd64(img + VMM_IMAGE_OFF_FLAGS);
	uint64_t base;

	if (isize == 0) {
		/* Pre-3.17 kernels: text_offset is not reliable, 0x80000 is what they expect. */
		text = VMM_IMAGE_LEGACY_TEXTOFF;
		isize = size;
	}
	if (flags & VMM_IMAGE_FLAG_BE)
		return vmm_fail(err, errlen, "kernel Image is big-endian (unsupported)");
	if (isize < size)
		return vmm_fail(err, errlen,
				"kernel Image header: image_size %llu is smaller than the file",
				(unsigned long long)isize);
	if (text % 8)
		return vmm_fail(err, errlen,
				"kernel Image header: text_offset 0x%llx is not 8-byte aligned",
				(unsigned long long)text);
	/* The 2 MiB-aligned base is the start of RAM (its size is a multiple of 2 MiB). */
	base = ram->gpa;
	if (text >= ram->size || isize > ram->size - text)
		return vmm_fail(err, errlen,
				"kernel Image does not fit in guest memory (text_offset 0x%llx, "
				"image_size 0x%llx)",
				(unsigned long long)text, (unsigned long long)isize);
	if (copy_in(m, base + text, img, size, isize - size) != 0)
		return vmm_fail(err, errlen, "kernel Image does not fit in guest memory");
	bl->fmt = VMM_FMT_IMAGE;
	bl->kernel_start = base + text;
	bl->kernel_end = base + text + isize;
	bl->reserved_end = bl->kernel_end; /* image_size covers BSS and the early page tables */
	bl->entry = bl->kernel_start;
	return 0;
}

static int load_elf(const struct vmm_mem *m, const uint8_t *img, size_t size,
		    struct vmm_boot_layout *bl, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	uint64_t lo = UINT64_MAX, hi = 0;
	bool entry_ok = false;
	Elf64_Phdr ph[ELF_MAX_PHDRS];
	unsigned nload = 0;

	if (size < sizeof(eh))
		return vmm_fail(err, errlen, "kernel ELF is truncated (no header)");
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return vmm_fail(err, errlen, "kernel ELF is not 64-bit");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return vmm_fail(err, errlen, "kernel ELF is not little-endian");
	if (eh.e_machine != EM_AARCH64)
		return vmm_fail(err, errlen, "kernel ELF is not for aarch64 (e_machine %u)",
				eh.e_machine);
	if (eh.e_type != ET_EXEC)
		return vmm_fail(err, errlen, "kernel ELF is not an executable (e_type %u)",
				eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > ELF_MAX_PHDRS)
		return vmm_fail(
		    err, errlen,
		    "kernel ELF has a bad program header table (%u entries of %u bytes)",
		    eh.e_phnum, eh.e_phentsize);
	/* A4 instructions: an unaligned PC faults on its first fetch, and the guest would spin
	 * in its (not yet set up) exception vector until the timeout. */
	if (eh.e_entry % 4)
		return vmm_fail(err, errlen, "kernel ELF entry point 0x%llx is not 4-byte aligned",
				(unsigned long long)eh.e_entry);
	if (eh.e_phoff > size || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > size - eh.e_phoff)
		return vmm_fail(err, errlen, "kernel ELF program headers lie outside the file");
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, img + eh.e_phoff + i * sizeof(p), sizeof(p));
		if (p.p_type != PT_LOAD || p.p_memsz == 0)
			continue;
		if (p.p_filesz > p.p_memsz)
			return vmm_fail(err, errlen,
					"kernel ELF segment %u: file size exceeds memory size", i);
		if (p.p_offset > size || p.p_filesz > size - p.p_offset)
			return vmm_fail(err, errlen, "kernel ELF segment %u lies outside the file",
					i);
		if (p.p_paddr + p.p_memsz < p.p_paddr || !vmm_mem_contains(m, p.p_paddr, p.p_memsz))
			return vmm_fail(
			    err, errlen,
			    "kernel ELF segment %u (0x%llx, %llu bytes) is outside guest memory", i,
			    (unsigned long long)p.p_paddr, (unsigned long long)p.p_memsz);
		for (unsigned j = 0; j < nload; j++)
			if (vmm_range_overlap(p.p_paddr, p.p_memsz, ph[j].p_paddr, ph[j].p_memsz))
				return vmm_fail(err, errlen,
						"kernel ELF segments overlap (segment %u)", i);
		ph[nload++] = p;
		if (eh.e_entry >= p.p_paddr && eh.e_entry - p.p_paddr < p.p_memsz)
			entry_ok = true;
		if (p.p_paddr < lo)
			lo = p.p_paddr;
		if (p.p_paddr + p.p_memsz > hi)
			hi = p.p_paddr + p.p_memsz;
	}
	if (nload == 0)
		return vmm_fail(err, errlen, "kernel ELF has no loadable segment");
	if (!entry_ok)
		return vmm_fail(err, errlen,
				"kernel ELF entry point 0x%llx is not in a loaded segment",
				(unsigned long long)eh.e_entry);
	for (unsigned i = 0; i < nload; i++)
		copy_in(m, ph[i].p_paddr, img + ph[i].p_offset, ph[i].p_filesz,
			ph[i].p_memsz - ph[i].p_filesz);
	bl->fmt = VMM_FMT_ELF;
	bl->kernel_start = lo;
	bl->kernel_end = hi;
	bl->reserved_end = hi; /* memory sizes: BSS included */
	bl->entry = eh.e_entry;
	return 0;
}

static int load_raw(const struct vmm_mem *m, const uint8_t *img, size_t size,
		    struct vmm_boot_layout *bl, char *err, size_t errlen)
{
	const struct vmm_mem_region *ram = vmm_mem_ram(m);
	uint64_t at = ram->gpa + VMM_RAW_LOAD_OFFSET, gap;

	if (ram->size <= VMM_RAW_LOAD_OFFSET || size > ram->size - VMM_RAW_LOAD_OFFSET)
		return vmm_fail(err, errlen,
				"kernel binary (%zu bytes) does not fit in guest memory", size);
	copy_in(m, at, img, size, 0);
	bl->fmt = VMM_FMT_RAW;
	bl->kernel_start = at;
	bl->kernel_end = at + size;
	gap = ram->size / 2 < VMM_RAW_GAP_MAX ? ram->size / 2 : VMM_RAW_GAP_MAX;
	bl->reserved_end = at + (size > gap ? size : gap);
	if (bl->reserved_end > ram->gpa + ram->size)
		bl->reserved_end = ram->gpa + ram->size;
	bl->entry = at;
	return 0;
}

int vmm_load_kernel(const struct vmm_mem *m, const uint8_t *img, size_t size,
		    struct vmm_boot_layout *bl, char *err, size_t errlen)
{
	memset(bl, 0, sizeof(*bl));
	if (!vmm_mem_ram(m))
		return vmm_fail(err, errlen, "no guest memory");
	if (size == 0)
		return vmm_fail(err, errlen, "kernel file is empty");
	if (size >= 4 && memcmp(img, ELFMAG, SELFMAG) == 0)
		return load_elf(m, img, size, bl, err, errlen);
	if (size >= VMM_IMAGE_HDR_SIZE && rd32(img + VMM_IMAGE_OFF_MAGIC) == VMM_IMAGE_MAGIC)
		return load_image(m, img, size, bl, err, errlen);
	if (size >= 2 && img[0] == 0x1f && img[1] == 0x8b)
		return vmm_fail(err, errlen, "kernel is gzip-compressed (decompress it first)");
	return load_raw(m, img, size, bl, err, errlen);
}

int vmm_load_initrd(const struct vmm_mem *m, const uint8_t *data, size_t size,
		    struct vmm_boot_layout *bl, char *err, size_t errlen)
{
	const struct vmm_mem_region *ram = vmm_mem_ram(m);
	uint64_t start = (bl->reserved_end + VMM_PAGE_SIZE - 1) & ~(VMM_PAGE_SIZE - 1);
	uint64_t end = ram->gpa + ram->size;

	if (size == 0)
		return vmm_fail(err, errlen, "initrd is empty");
	if (start >= end || size > end - start)
		return vmm_fail(err, errlen,
				"initrd (%zu bytes) does not fit in guest memory above the kernel "
				"(from 0x%llx; use a larger --mem)",
				size, (unsigned long long)start);
	if (copy_in(m, start, data, size, 0) != 0)
		return vmm_fail(err, errlen, "initrd does not fit in guest memory");
	bl->initrd_start = start;
	bl->initrd_size = size;
	return 0;
}

int vmm_place_dtb(const struct vmm_mem *m, uint64_t dtb_size, struct vmm_boot_layout *bl, char *err,
		  size_t errlen)
{
	const struct vmm_mem_region *ram = vmm_mem_ram(m);
	uint64_t end = ram->gpa + ram->size, at;

	if (dtb_size == 0 || dtb_size > VMM_DTB_MAX_SIZE)
		return vmm_fail(err, errlen, "device tree size %llu is not within 1..2M bytes",
				(unsigned long long)dtb_size);
	if (dtb_size > ram->size)
		return vmm_fail(err, errlen, "device tree does not fit in guest memory");
	at = (end - dtb_size) & ~(VMM_PAGE_SIZE - 1);
	/* It must not straddle a 2 MiB block: the kernel maps it with one block mapping. */
	if ((at & ~(VMM_SZ_2M - 1)) != ((at + dtb_size - 1) & ~(VMM_SZ_2M - 1)))
		at = (((at + dtb_size - 1) & ~(VMM_SZ_2M - 1)) - dtb_size) & ~(VMM_PAGE_SIZE - 1);
	if (at < ram->gpa)
		return vmm_fail(err, errlen, "device tree does not fit in guest memory");
	if (vmm_range_overlap(at, dtb_size, bl->kernel_start, bl->reserved_end - bl->kernel_start))
		return vmm_fail(err, errlen,
				"no room for the device tree: it would overlap the kernel "
				"(use a larger --mem)");
	if (vmm_range_overlap(at, dtb_size, bl->initrd_start, bl->initrd_size))
		return vmm_fail(err, errlen,
				"no room for the device tree: it would overlap the initrd "
				"(use a larger --mem)");
	bl->dtb_addr = at;
	bl->dtb_size = dtb_size;
	return 0;
}

int vmm_place_firmware(const struct vmm_mem *m, uint64_t dtb_size, struct vmm_boot_layout *bl,
		       char *err, size_t errlen)
{
	const struct vmm_mem_region *ram = vmm_mem_ram(m);

	if (dtb_size == 0 || dtb_size > VMM_DTB_MAX_SIZE)
		return vmm_fail(err, errlen, "device tree size %llu is not within 1..2M bytes",
				(unsigned long long)dtb_size);
	if (dtb_size > ram->size)
		return vmm_fail(err, errlen, "device tree does not fit in guest memory");
	*bl = (struct vmm_boot_layout){
	    .fmt = VMM_FMT_FIRMWARE,
	    .kernel_start = ram->gpa,
	    .kernel_end = ram->gpa,
	    .reserved_end = ram->gpa,
	    .entry = VMM_FLASH_BASE,
	    .dtb_addr = ram->gpa,
	    .dtb_size = dtb_size,
	};
	return 0;
}

int vmm_write_dtb(const struct vmm_mem *m, const void *dtb, uint64_t size,
		  const struct vmm_boot_layout *bl, char *err, size_t errlen)
{
	if (size != bl->dtb_size || copy_in(m, bl->dtb_addr, dtb, size, 0) != 0)
		return vmm_fail(err, errlen, "device tree placement is invalid");
	return 0;
}
