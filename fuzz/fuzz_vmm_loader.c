/* Fuzz target: gzvmm's image loaders and boot placement. The input is a kernel image (ELF,
 * arm64 Image or raw) loaded into a small guest RAM with guard zones; its last bytes size
 * an initrd and a DTB. Invariants: nothing is written outside RAM; on success the kernel,
 * initrd and DTB lie inside RAM, do not overlap, the DTB is page aligned inside one 2 MiB
 * block and the entry point lies in RAM; on failure the message is one non-empty line. The
 * same bytes also drive the device-tree builder, whose output must be a valid blob. */
/* fuzz-libs: gzvmm_lib */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdt_build.h"
#include "loader.h"

#define RAM   (4ULL << 20)
#define GUARD 4096ULL

static uint8_t *mem;

static void check_msg(const char *err)
{
	size_t n = strlen(err);

	if (n == 0 || memchr(err, '\n', n))
		abort();
}

static bool inside(uint64_t a, uint64_t len)
{
	return a >= VMM_RAM_BASE && len <= RAM && a - VMM_RAM_BASE <= RAM - len;
}

static void fuzz_fdt(const uint8_t *data, size_t size)
{
	static uint8_t blob[16384];
	struct vmm_fdt_params p = {
	    .ram_base = VMM_RAM_BASE,
	    .ram_size = size ? (uint64_t)data[0] << 21 : 0,
	    .cpus = size > 1 ? data[1] % 10 : 1,
	    .nvirtio = size > 2 ? data[2] % 40 : 0,
	    .bootargs = size > 3 && data[3] & 1 ? "console=ttyAMA0" : NULL,
	    .initrd_start = VMM_RAM_BASE + 0x100000,
	    .initrd_end = size > 4 && data[4] & 1 ? VMM_RAM_BASE + 0x200000 : 0,
	};
	size_t bsize = size > 5 ? 256 + (size_t)data[5] * 60 : sizeof(blob);
	int rc = vmm_fdt_build(&p, blob, bsize);
	bool valid =
	    p.ram_size && p.cpus >= 1 && p.cpus <= VMM_MAX_CPUS && p.nvirtio <= VMM_VIRTIO_MAX;

	if (rc == 0) {
		if (!valid || fdt_check_header(blob) != 0 ||
		    fdt_path_offset(blob, "/intc@8000000") < 0)
			abort();
		int cpus = 0, node;

		fdt_for_each_subnode(node, blob, fdt_path_offset(blob, "/cpus")) cpus++;
		if ((unsigned)cpus != p.cpus)
			abort();
	} else if (valid && size <= 5) {
		abort(); /* the default buffer always fits */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm_mem m = {0};
	struct vmm_boot_layout bl;
	char err[256] = "";
	uint64_t isize = 0, dsize = 1;

	fuzz_fdt(data, size);
	if (!mem)
		mem = malloc(RAM + 2 * GUARD);
	memset(mem, 0xa5, GUARD);
	memset(mem + GUARD + RAM, 0xa5, GUARD);
	vmm_mem_add(&m, VMM_RAM_BASE, RAM, mem + GUARD);
	if (size >= 4) {
		isize = ((uint64_t)data[size - 1] << 14) | data[size - 2];
		dsize = ((uint64_t)data[size - 3] << 13 | data[size - 4]) + 1;
	}
	if (vmm_load_kernel(&m, data, size, &bl, err, sizeof(err)) != 0) {
		check_msg(err);
		goto guards;
	}
	/* What the kernel may use (its reserved range) covers its file and stays in RAM. */
	if (bl.kernel_end <= bl.kernel_start || bl.reserved_end < bl.kernel_end ||
	    !inside(bl.kernel_start, bl.reserved_end - bl.kernel_start) || !inside(bl.entry, 1))
		abort();
	if (isize) {
		if (vmm_load_initrd(&m, data, isize < size ? isize : size, &bl, err, sizeof(err))) {
			check_msg(err);
			goto guards;
		}
		if (!inside(bl.initrd_start, bl.initrd_size) ||
		    vmm_range_overlap(bl.initrd_start, bl.initrd_size, bl.kernel_start,
				      bl.reserved_end - bl.kernel_start))
			abort();
	}
	if (vmm_place_dtb(&m, dsize, &bl, err, sizeof(err)) != 0) {
		check_msg(err);
		goto guards;
	}
	if (!inside(bl.dtb_addr, bl.dtb_size) || bl.dtb_addr % VMM_PAGE_SIZE ||
	    bl.dtb_addr / VMM_SZ_2M != (bl.dtb_addr + bl.dtb_size - 1) / VMM_SZ_2M ||
	    vmm_range_overlap(bl.dtb_addr, bl.dtb_size, bl.kernel_start,
			      bl.reserved_end - bl.kernel_start) ||
	    vmm_range_overlap(bl.dtb_addr, bl.dtb_size, bl.initrd_start, bl.initrd_size))
		abort();
guards:
	for (uint64_t i = 0; i < GUARD; i++)
		if (mem[i] != 0xa5 || mem[GUARD + RAM + i] != 0xa5)
			abort();
	return 0;
}
