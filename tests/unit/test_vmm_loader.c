/* gzvmm image loaders: arm64 Image header rules, ELF64 checks, raw placement, initrd and DTB
 * placement per the booting protocol, and every malformed image rejected with its message. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

#define RAM_SIZE (8ULL << 20)

struct fixture {
	struct vmm_mem mem;
	uint8_t *ram;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->ram = calloc(1, RAM_SIZE);
	assert_int_equal(vmm_mem_add(&f->mem, VMM_RAM_BASE, RAM_SIZE, f->ram), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->ram);
	free(f);
	return 0;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint8_t *make_image(size_t size, uint64_t text, uint64_t isize, uint64_t flags)
{
	uint8_t *img = calloc(1, size);

	put64(img + VMM_IMAGE_OFF_TEXT, text);
	put64(img + VMM_IMAGE_OFF_SIZE, isize);
	put64(img + VMM_IMAGE_OFF_FLAGS, flags);
	uint32_t magic = VMM_IMAGE_MAGIC;

	memcpy(img + VMM_IMAGE_OFF_MAGIC, &magic, 4);
	for (size_t i = VMM_IMAGE_HDR_SIZE; i < size; i++)
		img[i] = (uint8_t)(i * 13);
	return img;
}

static void test_image_ok(void **state)
{
	struct fixture *f = *state;
	struct vmm_boot_layout bl;
	char err[256];
	uint8_t *img = make_image(4096, 0x80000, 0x10000, 0);

	memset(f->ram + 0x80000 + 4096, 0xaa, 0x1000); /* BSS must be cleared */
	assert_int_equal(vmm_load_kernel(&f->mem, img, 4096, &bl, err, sizeof(err)), 0);
	assert_int_equal(bl.fmt, VMM_FMT_IMAGE);
	assert_true(bl.kernel_start == VMM_RAM_BASE + 0x80000);
	assert_true(bl.kernel_end == VMM_RAM_BASE + 0x80000 + 0x10000);
	assert_true(bl.entry == bl.kernel_start);
	assert_memory_equal(f->ram + 0x80000, img, 4096);
	for (size_t i = 4096; i < 0x10000; i++)
		assert_int_equal(f->ram[0x80000 + i], 0);
	free(img);
}

static void test_image_text_offset_zero_and_legacy(void **state)
{
	struct fixture *f = *state;
	struct vmm_boot_layout bl;
	char err[256];
	uint8_t *img = make_image(256, 0, 0x2000, 0);

	assert_int_equal(vmm_load_kernel(&f->mem, img, 256, &bl, err, sizeof(err)), 0);
	assert_true(bl.kernel_start == VMM_RAM_BASE);
	free(img);
	/* image_size 0: pre-3.17 kernel, text_offset taken as 0x80000 whatever it says. */
	img = make_image(256, 0x1234, 0, 0);
	assert_int_equal(vmm_load_kernel(&f->mem, img, 256, &bl, err, sizeof(err)), 0);
	assert_true(bl.kernel_start == VMM_RAM_BASE + 0x80000);
	assert_true(bl.kernel_end == VMM_RAM_BASE + 0x80000 + 256);
	free(img);
}

struct bad_image {
	size_t size;
	uint64_t text, isize, flags;
	const char *msg;
};

static void test_image_malformed(void **state)
{
	struct fixture *f = *state;
	static const struct bad_image cases[] = {
	    {4096, 0x80000, 0x10000, VMM_IMAGE_FLAG_BE, "kernel Image is big-endian (unsupported)"},
	    {4096, 0x80000, 100, 0, "kernel Image header: image_size 100 is smaller than the file"},
	    {4096, 0x80004, 0x10000, 0,
	     "kernel Image header: text_offset 0x80004 is not 8-byte aligned"},
	    {4096, 0x80000, RAM_SIZE, 0,
	     "kernel Image does not fit in guest memory (text_offset 0x80000, image_size "
	     "0x800000)"},
	    {4096, RAM_SIZE, 0x10000, 0,
	     "kernel Image does not fit in guest memory (text_offset 0x800000, image_size "
	     "0x10000)"},
	    {4096, 0xfffffffffffff000ULL, 0x10000, 0,
	     "kernel Image does not fit in guest memory (text_offset 0xfffffffffffff000, "
	     "image_size "
	     "0x10000)"},
	    {4096, 0x1000, 0xffffffffffffff00ULL, 0,
	     "kernel Image does not fit in guest memory (text_offset 0x1000, image_size "
	     "0xffffffffffffff00)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmm_boot_layout bl;
		char err[256] = "";
		uint8_t *img =
		    make_image(cases[i].size, cases[i].text, cases[i].isize, cases[i].flags);

		assert_int_equal(
		    vmm_load_kernel(&f->mem, img, cases[i].size, &bl, err, sizeof(err)), -1);
		if (strcmp(err, cases[i].msg) != 0)
			fail_msg("case %zu: '%s'", i, err);
		free(img);
	}
}

static void test_raw(void **state)
{
	struct fixture *f = *state;
	struct vmm_boot_layout bl;
	char err[256];
	uint8_t code[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	uint8_t *big = calloc(1, RAM_SIZE);

	assert_int_equal(vmm_load_kernel(&f->mem, code, sizeof(code), &bl, err, sizeof(err)), 0);
	assert_int_equal(bl.fmt, VMM_FMT_RAW);
	assert_true(bl.entry == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET);
	assert_memory_equal(f->ram + VMM_RAW_LOAD_OFFSET, code, sizeof(code));
	assert_int_equal(vmm_load_kernel(&f->mem, big, RAM_SIZE - VMM_RAW_LOAD_OFFSET + 1, &bl, err,
					 sizeof(err)),
			 -1);
	assert_string_equal(err, "kernel binary (7864321 bytes) does not fit in guest memory");
	assert_int_equal(
	    vmm_load_kernel(&f->mem, big, RAM_SIZE - VMM_RAW_LOAD_OFFSET, &bl, err, sizeof(err)),
	    0);
	assert_int_equal(vmm_load_kernel(&f->mem, code, 0, &bl, err, sizeof(err)), -1);
	assert_string_equal(err, "kernel file is empty");
	big[0] = 0x1f;
	big[1] = 0x8b;
	assert_int_equal(vmm_load_kernel(&f->mem, big, 100, &bl, err, sizeof(err)), -1);
	assert_string_equal(err, "kernel is gzip-compressed (decompress it first)");
	free(big);
}

/* A two-segment ELF: text at RAM + 0x10000, data+bss at RAM + 0x20000. */
#define ELF_SIZE 0x400
static void make_elf(uint8_t *buf, Elf64_Ehdr *eh, Elf64_Phdr ph[3])
{
	memset(buf, 0, ELF_SIZE);
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_AARCH64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = VMM_RAM_BASE + 0x10000;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	memset(ph, 0, 3 * sizeof(*ph));
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = 0x200,
			     .p_paddr = VMM_RAM_BASE + 0x10000,
			     .p_vaddr = VMM_RAM_BASE + 0x10000,
			     .p_filesz = 0x100,
			     .p_memsz = 0x100,
			     .p_flags = PF_R | PF_X};
	ph[1] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = 0x300,
			     .p_paddr = VMM_RAM_BASE + 0x20000,
			     .p_vaddr = VMM_RAM_BASE + 0x20000,
			     .p_filesz = 0x100,
			     .p_memsz = 0x1000,
			     .p_flags = PF_R | PF_W};
	ph[2] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = 0x10, .p_filesz = 4};
}

static void emit_elf(uint8_t *buf, const Elf64_Ehdr *eh, const Elf64_Phdr ph[3])
{
	memcpy(buf, eh, sizeof(*eh));
	memcpy(buf + sizeof(*eh), ph, 3 * sizeof(*ph));
	for (unsigned i = 0x200; i < ELF_SIZE; i++)
		buf[i] = (uint8_t)(i ^ 0x5a);
}

static void test_elf_ok(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[ELF_SIZE];
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	struct vmm_boot_layout bl;
	char err[256];

	make_elf(buf, &eh, ph);
	emit_elf(buf, &eh, ph);
	memset(f->ram + 0x20000, 0xee, 0x1000);
	assert_int_equal(vmm_load_kernel(&f->mem, buf, sizeof(buf), &bl, err, sizeof(err)), 0);
	assert_int_equal(bl.fmt, VMM_FMT_ELF);
	assert_true(bl.entry == VMM_RAM_BASE + 0x10000);
	assert_true(bl.kernel_start == VMM_RAM_BASE + 0x10000);
	assert_true(bl.kernel_end == VMM_RAM_BASE + 0x21000);
	assert_memory_equal(f->ram + 0x10000, buf + 0x200, 0x100);
	assert_memory_equal(f->ram + 0x20000, buf + 0x300, 0x100);
	for (unsigned i = 0x100; i < 0x1000; i++)
		assert_int_equal(f->ram[0x20000 + i], 0);
}

static void test_elf_malformed(void **state)
{
	struct fixture *f = *state;
	static const char *const msgs[] = {
	    "kernel ELF is not 64-bit",
	    "kernel ELF is not little-endian",
	    "kernel ELF is not for aarch64 (e_machine 62)",
	    "kernel ELF is not an executable (e_type 3)",
	    "kernel ELF has a bad program header table (0 entries of 56 bytes)",
	    "kernel ELF has a bad program header table (3 entries of 32 bytes)",
	    "kernel ELF program headers lie outside the file",
	    "kernel ELF segment 0: file size exceeds memory size",
	    "kernel ELF segment 1 lies outside the file",
	    "kernel ELF segment 0 (0x10000, 256 bytes) is outside guest memory",
	    "kernel ELF segment 1 (0x407ff000, 4097 bytes) is outside guest memory",
	    "kernel ELF segment 1 (0xffffffffffffff00, 4096 bytes) is outside guest memory",
	    "kernel ELF segments overlap (segment 1)",
	    "kernel ELF entry point 0x40000000 is not in a loaded segment",
	    "kernel ELF has no loadable segment",
	    "kernel ELF is truncated (no header)",
	    "kernel ELF has a bad program header table (65 entries of 56 bytes)",
	    "kernel ELF segment 1 lies outside the file",
	    "kernel ELF entry point 0x40010002 is not 4-byte aligned",
	    "kernel ELF entry point 0x40030000 is not in a loaded segment",
	};

	for (unsigned c = 0; c < sizeof(msgs) / sizeof(msgs[0]); c++) {
		uint8_t buf[ELF_SIZE];
		Elf64_Ehdr eh;
		Elf64_Phdr ph[3];
		struct vmm_boot_layout bl;
		char err[256] = "";
		size_t size = sizeof(buf);

		make_elf(buf, &eh, ph);
		switch (c) {
		case 0:
			eh.e_ident[EI_CLASS] = ELFCLASS32;
			break;
		case 1:
			eh.e_ident[EI_DATA] = ELFDATA2MSB;
			break;
		case 2:
			eh.e_machine = EM_X86_64;
			break;
		case 3:
			eh.e_type = ET_DYN;
			break;
		case 4:
			eh.e_phnum = 0;
			break;
		case 5:
			eh.e_phentsize = 32;
			break;
		case 6:
			eh.e_phoff = ELF_SIZE - 8;
			break;
		case 7:
			ph[0].p_filesz = 0x200;
			break;
		case 8:
			ph[1].p_offset = ELF_SIZE - 0x80;
			break;
		case 9:
			ph[0].p_paddr = 0x10000;
			break;
		case 10:
			ph[1].p_paddr = VMM_RAM_BASE + RAM_SIZE - 0x1000;
			ph[1].p_memsz = 0x1001;
			break;
		case 11:
			ph[1].p_paddr = 0xffffffffffffff00ULL;
			break;
		case 12:
			ph[1].p_paddr = VMM_RAM_BASE + 0x10080;
			break;
		case 13:
			eh.e_entry = VMM_RAM_BASE;
			break;
		case 14:
			ph[0].p_type = PT_NULL;
			ph[1].p_memsz = 0;
			break;
		case 15:
			size = 20;
			break;
		case 16:
			eh.e_phnum = 65;
			break;
		case 17:
			ph[1].p_offset = 0xffffffffffffff80ULL;
			break;
		case 18:
			eh.e_entry = VMM_RAM_BASE + 0x10002;
			break;
		case 19: /* past the end of the BSS of the last segment */
			eh.e_entry = VMM_RAM_BASE + 0x21000 + 0xf000;
			break;
		}
		emit_elf(buf, &eh, ph);
		assert_int_equal(vmm_load_kernel(&f->mem, buf, size, &bl, err, sizeof(err)), -1);
		if (strcmp(err, msgs[c]) != 0)
			fail_msg("case %u: '%s' want '%s'", c, err, msgs[c]);
	}
}

static void test_initrd_and_dtb_placement(void **state)
{
	struct fixture *f = *state;
	struct vmm_boot_layout bl;
	char err[256];
	uint8_t code[64] = {0};
	uint8_t rd[5000];
	uint8_t dtb[0x800];

	memset(rd, 0x77, sizeof(rd));
	memset(dtb, 0xd7, sizeof(dtb));
	assert_int_equal(vmm_load_kernel(&f->mem, code, sizeof(code), &bl, err, sizeof(err)), 0);
	assert_int_equal(vmm_load_initrd(&f->mem, rd, sizeof(rd), &bl, err, sizeof(err)), 0);
	/* A raw binary's BSS is not in its file: min(RAM / 2, 128 MiB) above its load address. */
	assert_true(bl.initrd_start == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET + RAM_SIZE / 2);
	assert_memory_equal(f->ram + (bl.initrd_start - VMM_RAM_BASE), rd, sizeof(rd));
	assert_int_equal(vmm_place_dtb(&f->mem, sizeof(dtb), &bl, err, sizeof(err)), 0);
	assert_true(bl.dtb_addr == VMM_RAM_BASE + RAM_SIZE - 0x1000);
	assert_int_equal(bl.dtb_addr % 8, 0);
	assert_int_equal(vmm_write_dtb(&f->mem, dtb, sizeof(dtb), &bl, err, sizeof(err)), 0);
	assert_memory_equal(f->ram + RAM_SIZE - 0x1000, dtb, sizeof(dtb));
	/* A 2 MiB blob takes the whole last block; one byte more is refused. */
	assert_int_equal(vmm_place_dtb(&f->mem, VMM_SZ_2M, &bl, err, sizeof(err)), 0);
	assert_true(bl.dtb_addr == VMM_RAM_BASE + RAM_SIZE - VMM_SZ_2M);
	assert_int_equal(vmm_place_dtb(&f->mem, VMM_SZ_2M + 1, &bl, err, sizeof(err)), -1);
	assert_string_equal(err, "device tree size 2097153 is not within 1..2M bytes");
	assert_int_equal(vmm_place_dtb(&f->mem, 0, &bl, err, sizeof(err)), -1);
	/* Size mismatch between placement and write. */
	assert_int_equal(vmm_write_dtb(&f->mem, dtb, 16, &bl, err, sizeof(err)), -1);
	assert_string_equal(err, "device tree placement is invalid");
}

/* The initrd and the device tree never land on what an image uses beyond its file: an
 * Image's image_size, an ELF's BSS (p_memsz), a raw binary's BSS and stack (unknown: the gap
 * QEMU's virt boot code leaves, min(RAM / 2, 128 MiB) above the load address). */
static void test_initrd_clear_of_bss(void **state)
{
	struct fixture *f = *state;
	struct vmm_boot_layout bl;
	char err[256];
	uint8_t rd[0x3000], buf[ELF_SIZE];
	uint8_t *img = make_image(4096, 0x80000, 0x200000, 0);
	uint8_t *raw = calloc(1, 0x600000);
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];

	memset(rd, 0x5c, sizeof(rd));
	/* Image: 4 KiB of file, 2 MiB of image_size. */
	assert_int_equal(vmm_load_kernel(&f->mem, img, 4096, &bl, err, sizeof(err)), 0);
	assert_true(bl.reserved_end == VMM_RAM_BASE + 0x80000 + 0x200000);
	assert_int_equal(vmm_load_initrd(&f->mem, rd, sizeof(rd), &bl, err, sizeof(err)), 0);
	assert_true(bl.initrd_start == VMM_RAM_BASE + 0x280000);
	/* ELF: the second segment's 0x100 bytes of file carry 0xf00 bytes of BSS. */
	make_elf(buf, &eh, ph);
	emit_elf(buf, &eh, ph);
	assert_int_equal(vmm_load_kernel(&f->mem, buf, sizeof(buf), &bl, err, sizeof(err)), 0);
	assert_int_equal(vmm_load_initrd(&f->mem, rd, sizeof(rd), &bl, err, sizeof(err)), 0);
	assert_true(bl.initrd_start == VMM_RAM_BASE + 0x21000);
	/* Raw: 512 bytes of file; initrd and device tree stay above load + RAM / 2. */
	assert_int_equal(vmm_load_kernel(&f->mem, raw, 512, &bl, err, sizeof(err)), 0);
	assert_true(bl.kernel_end == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET + 512);
	assert_true(bl.reserved_end == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET + RAM_SIZE / 2);
	assert_int_equal(vmm_load_initrd(&f->mem, rd, sizeof(rd), &bl, err, sizeof(err)), 0);
	assert_true(bl.initrd_start >= bl.reserved_end);
	assert_memory_equal(f->ram + (bl.initrd_start - VMM_RAM_BASE), rd, sizeof(rd));
	assert_int_equal(vmm_place_dtb(&f->mem, 0x1000, &bl, err, sizeof(err)), 0);
	assert_true(bl.dtb_addr >= bl.initrd_start + bl.initrd_size);
	/* A raw file larger than the gap reserves its whole file (and fits up to RAM's end). */
	assert_int_equal(vmm_load_kernel(&f->mem, raw, 0x600000, &bl, err, sizeof(err)), 0);
	assert_true(bl.reserved_end == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET + 0x600000);
	assert_int_equal(vmm_load_initrd(&f->mem, rd, sizeof(rd), &bl, err, sizeof(err)), 0);
	assert_true(bl.initrd_start == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET + 0x600000);
	free(img);
	free(raw);
}

/* On a large VM the raw gap is capped at 128 MiB, as on QEMU's virt board. */
static void test_raw_gap_capped(void **state)
{
	(void)state;
	struct vmm_mem m = {0};
	struct vmm_boot_layout bl;
	char err[256];
	uint64_t ram_size = 512ULL << 20;
	uint8_t *ram = calloc(1, ram_size), code[16] = {0}, rd[16] = {1};

	assert_non_null(ram);
	assert_int_equal(vmm_mem_add(&m, VMM_RAM_BASE, ram_size, ram), 0);
	assert_int_equal(vmm_load_kernel(&m, code, sizeof(code), &bl, err, sizeof(err)), 0);
	assert_true(bl.reserved_end == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET + VMM_RAW_GAP_MAX);
	assert_int_equal(vmm_load_initrd(&m, rd, sizeof(rd), &bl, err, sizeof(err)), 0);
	assert_true(bl.initrd_start == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET + (128ULL << 20));
	free(ram);
}

static void test_dtb_never_straddles_2m(void **state)
{
	struct fixture *f = *state;
	struct vmm_boot_layout bl;
	char err[256];

	memset(&bl, 0, sizeof(bl));
	for (uint64_t size = 1; size <= VMM_SZ_2M; size = size * 3 + 7) {
		assert_int_equal(vmm_place_dtb(&f->mem, size, &bl, err, sizeof(err)), 0);
		assert_true(bl.dtb_addr / VMM_SZ_2M == (bl.dtb_addr + size - 1) / VMM_SZ_2M);
		assert_true(bl.dtb_addr + size <= VMM_RAM_BASE + RAM_SIZE);
		assert_int_equal(bl.dtb_addr % VMM_PAGE_SIZE, 0);
	}
}

static void test_overlaps_refused(void **state)
{
	struct fixture *f = *state;
	struct vmm_boot_layout bl;
	char err[256];
	uint8_t *img = make_image(4096, 0, RAM_SIZE - 0x1000, 0);
	uint8_t rd[0x2000] = {0};

	/* The kernel fills all but the last page: no room for an initrd or a large DTB. */
	assert_int_equal(vmm_load_kernel(&f->mem, img, 4096, &bl, err, sizeof(err)), 0);
	assert_int_equal(vmm_load_initrd(&f->mem, rd, sizeof(rd), &bl, err, sizeof(err)), -1);
	assert_string_equal(err, "initrd (8192 bytes) does not fit in guest memory above the "
				 "kernel (from 0x407ff000; use a larger --mem)");
	assert_int_equal(vmm_place_dtb(&f->mem, 0x2000, &bl, err, sizeof(err)), -1);
	assert_string_equal(
	    err, "no room for the device tree: it would overlap the kernel (use a larger --mem)");
	assert_int_equal(vmm_place_dtb(&f->mem, 0x1000, &bl, err, sizeof(err)), 0);
	free(img);
	/* Kernel small, initrd up to the end: the DTB would land on the initrd. */
	uint8_t code[8] = {0};
	uint64_t rd2_size = RAM_SIZE / 2 - VMM_RAW_LOAD_OFFSET;
	uint8_t *rd2 = calloc(1, rd2_size + 1);

	assert_int_equal(vmm_load_kernel(&f->mem, code, sizeof(code), &bl, err, sizeof(err)), 0);
	/* One byte more than what lies above the raw image's gap is refused. */
	assert_int_equal(vmm_load_initrd(&f->mem, rd2, rd2_size + 1, &bl, err, sizeof(err)), -1);
	assert_string_equal(err, "initrd (3670017 bytes) does not fit in guest memory above the "
				 "kernel (from 0x40480000; use a larger --mem)");
	assert_int_equal(vmm_load_initrd(&f->mem, rd2, rd2_size, &bl, err, sizeof(err)), 0);
	assert_int_equal(vmm_place_dtb(&f->mem, 0x100, &bl, err, sizeof(err)), -1);
	assert_string_equal(
	    err, "no room for the device tree: it would overlap the initrd (use a larger --mem)");
	assert_int_equal(vmm_load_initrd(&f->mem, rd2, 0, &bl, err, sizeof(err)), -1);
	assert_string_equal(err, "initrd is empty");
	free(rd2);
}

static void test_read_file_errors(void **state)
{
	char err[256], path[] = "/tmp/gzvmm-test-XXXXXX";
	uint8_t *data;
	size_t size;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(vmm_read_file("kernel", path, 100, &data, &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is empty"));
	assert_int_equal(write(fd, "0123456789", 10), 10);
	assert_int_equal(vmm_read_file("kernel", path, 9, &data, &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is too big for guest memory (10 bytes)"));
	assert_int_equal(vmm_read_file("kernel", path, 10, &data, &size, err, sizeof(err)), 0);
	assert_int_equal(size, 10);
	assert_memory_equal(data, "0123456789", 10);
	free(data);
	close(fd);
	unlink(path);
	assert_int_equal(
	    vmm_read_file("initrd", "/nonexistent/x", 10, &data, &size, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot open initrd '/nonexistent/x': No such file or directory");
	assert_int_equal(vmm_read_file("dtb", "/tmp", 10, &data, &size, err, sizeof(err)), -1);
	assert_string_equal(err, "dtb '/tmp' is not a regular file");
}

/* The kernel and initrd are mapped, not read: the same checks and messages as
 * vmm_read_file, the file's bytes, and nothing left mapped after the release. */
static void test_map_file(void **state)
{
	char err[256], path[] = "/tmp/gzvmm-test-XXXXXX";
	struct vmm_file f = {0};
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(vmm_map_file("kernel", path, 100, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is empty"));
	assert_null(f.data);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	assert_int_equal(vmm_map_file("kernel", path, 9, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is too big for guest memory (10 bytes)"));
	assert_int_equal(vmm_map_file("kernel", path, 10, &f, err, sizeof(err)), 0);
	assert_true(f.mapped);
	assert_int_equal(f.size, 10);
	assert_memory_equal(f.data, "0123456789", 10);
	/* loaded from the mapping as from a buffer (a raw binary here) */
	{
		struct vmm_mem m = {0};
		static uint8_t ram[4 << 20];
		struct vmm_boot_layout bl = {0};

		assert_int_equal(vmm_mem_add(&m, VMM_RAM_BASE, sizeof(ram), ram), 0);
		assert_int_equal(vmm_load_kernel(&m, f.data, f.size, &bl, err, sizeof(err)), 0);
		assert_memory_equal(ram + VMM_RAW_LOAD_OFFSET, "0123456789", 10);
	}
	vmm_file_release(&f);
	assert_null(f.data);
	assert_int_equal(f.size, 0);
	assert_false(f.mapped);
	vmm_file_release(&f); /* twice, or never filled: nothing happens */
	close(fd);
	unlink(path);
	assert_int_equal(vmm_map_file("initrd", "/nonexistent/x", 10, &f, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot open initrd '/nonexistent/x': No such file or directory");
	assert_int_equal(vmm_map_file("dtb", "/tmp", 10, &f, err, sizeof(err)), -1);
	assert_string_equal(err, "dtb '/tmp' is not a regular file");
}

static void test_guest_mem(void **state)
{
	struct vmm_mem m = {0};
	static uint8_t a[0x2000], b[0x1000];

	(void)state;
	assert_int_equal(vmm_mem_add(&m, 0x1000, sizeof(a), a), 0);
	assert_int_equal(vmm_mem_add(&m, 0x2000, sizeof(b), b), -1); /* overlap */
	assert_int_equal(vmm_mem_add(&m, 0x10000, 0, b), -1);
	assert_int_equal(vmm_mem_add(&m, 0xfffffffffffff800ULL, 0x1000, b), -1);
	assert_int_equal(vmm_mem_add(&m, 0x3000, sizeof(b), b), 0);
	assert_ptr_equal(vmm_mem_ptr(&m, 0x1000, 0x2000), a);
	assert_null(vmm_mem_ptr(&m, 0x1000, 0x2001)); /* straddles two regions */
	assert_ptr_equal(vmm_mem_ptr(&m, 0x3fff, 1), b + 0xfff);
	assert_null(vmm_mem_ptr(&m, 0x4000, 1));
	assert_null(vmm_mem_ptr(&m, 0xfff, 2));
	assert_null(vmm_mem_ptr(&m, 0x1000, UINT64_MAX));
	assert_ptr_equal(vmm_mem_ptr(&m, 0x1000, 0), a);
	assert_ptr_equal(vmm_mem_ram(&m)->hva, a);
	for (unsigned i = 2; i < VMM_MAX_SLOTS; i++)
		assert_int_equal(vmm_mem_add(&m, 0x100000ULL * i, 0x1000, b), 0);
	assert_int_equal(vmm_mem_add(&m, 0x10000000, 0x1000, b), -1); /* full */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_image_ok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_image_text_offset_zero_and_legacy, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_image_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_elf_ok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_elf_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_initrd_and_dtb_placement, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_initrd_clear_of_bss, setup, teardown),
	    cmocka_unit_test(test_raw_gap_capped),
	    cmocka_unit_test_setup_teardown(test_dtb_never_straddles_2m, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlaps_refused, setup, teardown),
	    cmocka_unit_test(test_read_file_errors),
	    cmocka_unit_test(test_map_file),
	    cmocka_unit_test(test_guest_mem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
