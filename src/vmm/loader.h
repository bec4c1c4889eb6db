/* Boot image loaders (arm64 Linux Image, ELF64, raw binary) and the placement of the initrd
 * and device tree per the arm64 booting protocol. Images are parsed from memory buffers, so
 * the same code serves gzvmm, the unit tests and the fuzzer; every error is a one-line
 * message. */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

/* arm64 Image header (Documentation/arch/arm64/booting.rst), little-endian. */
#define VMM_IMAGE_HDR_SIZE	 64U
#define VMM_IMAGE_OFF_TEXT	 8U
#define VMM_IMAGE_OFF_SIZE	 16U
#define VMM_IMAGE_OFF_FLAGS	 24U
#define VMM_IMAGE_OFF_MAGIC	 56U
#define VMM_IMAGE_MAGIC		 0x644d5241U /* "ARM\x64" */
#define VMM_IMAGE_FLAG_BE	 (1ULL << 0)
#define VMM_IMAGE_LEGACY_TEXTOFF 0x80000ULL

/* FIRMWARE: --bios, nothing in RAM but the device tree; the vCPU starts in the flash. */
enum vmm_kernel_format { VMM_FMT_IMAGE, VMM_FMT_ELF, VMM_FMT_RAW, VMM_FMT_FIRMWARE };

struct vmm_boot_layout {
	enum vmm_kernel_format fmt;
	uint64_t kernel_start; /* guest range the kernel occupies (incl. BSS where known) */
	uint64_t kernel_end;
	/* End of what the kernel may use beyond its file: an Image's image_size, an ELF's
	 * segment memory sizes, a raw binary's conservative gap (its BSS and stack are not in
	 * the file). The initrd and the device tree are placed clear of [kernel_start, this). */
	uint64_t reserved_end;
	uint64_t entry;
	uint64_t initrd_start; /* 0 when there is no initrd */
	uint64_t initrd_size;
	uint64_t dtb_addr;
	uint64_t dtb_size;
};

/* Reads a whole regular file of at most max bytes ("what" names it in messages). */
int vmm_read_file(const char *what, const char *path, size_t max, uint8_t **data, size_t *size,
		  char *err, size_t errlen);

/* A file's bytes as vmm_map_file gave them: its pages mapped read-only, or (a file that cannot
 * be mapped) read into a buffer. */
struct vmm_file {
	uint8_t *data;
	size_t size;
	bool mapped;
};

/* vmm_read_file's checks and messages, the bytes mapped instead of copied: a kernel or
 * initrd then goes from the page cache into guest RAM in one copy, where reading it first
 * cost a second copy and a fresh zeroed buffer as large as the file. */
int vmm_map_file(const char *what, const char *path, size_t max, struct vmm_file *f, char *err,
		 size_t errlen);
void vmm_file_release(struct vmm_file *f);

/* Detects the format and copies the kernel into guest memory; fills fmt, kernel range, entry. */
int vmm_load_kernel(const struct vmm_mem *m, const uint8_t *img, size_t size,
		    struct vmm_boot_layout *bl, char *err, size_t errlen);
/* Places and copies the initrd above what the kernel may use (reserved_end, page aligned). */
int vmm_load_initrd(const struct vmm_mem *m, const uint8_t *data, size_t size,
		    struct vmm_boot_layout *bl, char *err, size_t errlen);
/* Chooses the DTB address for a blob of dtb_size bytes: top of RAM, page aligned, inside one
 * 2 MiB block, clear of the kernel's reserved range and the initrd. */
int vmm_place_dtb(const struct vmm_mem *m, uint64_t dtb_size, struct vmm_boot_layout *bl, char *err,
		  size_t errlen);
/* Firmware boot (no kernel): entry at the flash's reset vector, nothing reserved in RAM,
 * the DTB at the start of RAM, where QEMU puts it for images that are not a Linux kernel
 * and where EDK2 and U-Boot look for it. */
int vmm_place_firmware(const struct vmm_mem *m, uint64_t dtb_size, struct vmm_boot_layout *bl,
		       char *err, size_t errlen);
/* Copies the DTB to bl->dtb_addr. */
int vmm_write_dtb(const struct vmm_mem *m, const void *dtb, uint64_t size,
		  const struct vmm_boot_layout *bl, char *err, size_t errlen);

#endif
