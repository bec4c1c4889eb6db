/* gzvmm device-tree builder: content of every node read back with libfdt, parameter
 * validation, and every buffer size from 0 up: too small fails cleanly, big enough works.
 * Also the console sink's behaviour when its output is gone. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libfdt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "fdt_build.h"
#include "layout.h"

static uint8_t blob[65536];

static uint32_t cell(const void *fdt, const char *path, const char *prop, unsigned i)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, fdt_path_offset(fdt, path), prop, &len);
	fdt32_t v;

	assert_non_null(p);
	assert_true((unsigned)len >= (i + 1) * 4);
	memcpy(&v, p + 4 * i, 4);
	return fdt32_to_cpu(v);
}

static void test_content(void **state)
{
	struct vmm_fdt_params p = {
	    .ram_base = VMM_RAM_BASE,
	    .ram_size = 1ULL << 30,
	    .cpus = 3,
	    .bootargs = "quiet",
	    .initrd_start = 0x48000000,
	    .initrd_end = 0x48100000,
	    .nvirtio = 2,
	};
	int len;

	(void)state;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
	assert_int_equal(fdt_check_header(blob), 0);
	assert_true(fdt_totalsize(blob) < 4096);
	assert_string_equal(fdt_getprop(blob, 0, "compatible", NULL), "linux,dummy-virt");
	assert_int_equal(cell(blob, "/", "interrupt-parent", 0), VMM_FDT_PHANDLE_GIC);
	/* memory: <0 base 0 size> */
	assert_int_equal(cell(blob, "/memory@40000000", "reg", 1), 0x40000000);
	assert_int_equal(cell(blob, "/memory@40000000", "reg", 3), 0x40000000);
	/* cpus with MPIDR reg and psci */
	for (unsigned i = 0; i < 3; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		assert_int_equal(cell(blob, path, "reg", 0), i);
		assert_string_equal(
		    fdt_getprop(blob, fdt_path_offset(blob, path), "enable-method", NULL), "psci");
	}
	assert_true(fdt_path_offset(blob, "/cpus/cpu@3") < 0);
	assert_string_equal(fdt_getprop(blob, fdt_path_offset(blob, "/psci"), "method", NULL),
			    "hvc");
	/* GIC: redistributor range covers every vCPU */
	assert_int_equal(cell(blob, "/intc@8000000", "reg", 7), 3 * ARCH_GICR_STRIDE);
	assert_int_equal(cell(blob, "/intc@8000000", "phandle", 0), VMM_FDT_PHANDLE_GIC);
	/* timer PPIs 13, 14, 11, 10 */
	static const uint32_t ppis[4] = {13, 14, 11, 10};

	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(cell(blob, "/timer", "interrupts", 3 * i), 1);
		assert_int_equal(cell(blob, "/timer", "interrupts", 3 * i + 1), ppis[i]);
	}
	/* PL011 */
	const char *compat =
	    fdt_getprop(blob, fdt_path_offset(blob, "/pl011@9000000"), "compatible", &len);

	assert_int_equal(len, sizeof("arm,pl011\0arm,primecell"));
	assert_memory_equal(compat, "arm,pl011\0arm,primecell", len);
	assert_int_equal(cell(blob, "/pl011@9000000", "interrupts", 1), VMM_UART_SPI);
	assert_int_equal(cell(blob, "/pl011@9000000", "clocks", 0), VMM_FDT_PHANDLE_CLK);
	assert_int_equal(cell(blob, "/apb-pclk", "clock-frequency", 0), VMM_UART_CLOCK_HZ);
	/* chosen */
	assert_string_equal(fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "bootargs", NULL),
			    "quiet");
	assert_string_equal(
	    fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "stdout-path", NULL),
	    "/pl011@9000000");
	assert_int_equal(cell(blob, "/chosen", "linux,initrd-start", 1), 0x48000000);
	assert_int_equal(cell(blob, "/chosen", "linux,initrd-end", 1), 0x48100000);
	/* virtio */
	assert_int_equal(cell(blob, "/virtio_mmio@a000200", "reg", 1), 0x0a000200);
	assert_int_equal(cell(blob, "/virtio_mmio@a000200", "interrupts", 1),
			 VMM_VIRTIO_SPI_BASE + 1);
	assert_true(fdt_path_offset(blob, "/virtio_mmio@a000400") < 0);

	/* Without bootargs and initrd, those properties are absent. */
	p.bootargs = NULL;
	p.initrd_end = 0;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
	assert_null(fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "bootargs", NULL));
	assert_null(
	    fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "linux,initrd-start", NULL));
}

/* A protected VM's bounce pool: a restricted-dma-pool every virtio transport names. */
static void test_swiotlb(void **state)
{
	struct vmm_fdt_params p = {
	    .ram_base = VMM_RAM_BASE,
	    .ram_size = 128ULL << 20,
	    .cpus = 1,
	    .nvirtio = 2,
	    .swiotlb_base = 0x47c00000,
	    .swiotlb_size = 4ULL << 20,
	};
	const char *pool = "/reserved-memory/restricted-dma@47c00000";

	(void)state;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
	assert_string_equal(fdt_getprop(blob, fdt_path_offset(blob, pool), "compatible", NULL),
			    "restricted-dma-pool");
	assert_int_equal(cell(blob, pool, "reg", 1), 0x47c00000);
	assert_int_equal(cell(blob, pool, "reg", 3), 4U << 20);
	assert_int_equal(cell(blob, pool, "phandle", 0), VMM_FDT_PHANDLE_SWIOTLB);
	assert_int_equal(cell(blob, "/reserved-memory", "#size-cells", 0), 2);
	assert_int_equal(cell(blob, "/virtio_mmio@a000000", "memory-region", 0),
			 VMM_FDT_PHANDLE_SWIOTLB);
	assert_int_equal(cell(blob, "/virtio_mmio@a000200", "memory-region", 0),
			 VMM_FDT_PHANDLE_SWIOTLB);
	/* a normal VM has neither */
	p.swiotlb_size = 0;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
	assert_true(fdt_path_offset(blob, "/reserved-memory") < 0);
	assert_null(fdt_getprop(blob, fdt_path_offset(blob, "/virtio_mmio@a000000"),
				"memory-region", NULL));
}

static void test_bad_params(void **state)
{
	struct vmm_fdt_params ok = {.ram_base = VMM_RAM_BASE, .ram_size = 1 << 21, .cpus = 1};
	struct vmm_fdt_params p;

	(void)state;
	assert_int_equal(vmm_fdt_build(NULL, blob, sizeof(blob)), -1);
	assert_int_equal(vmm_fdt_build(&ok, NULL, sizeof(blob)), -1);
	assert_int_equal(vmm_fdt_build(&ok, blob, (size_t)INT32_MAX + 1), -1);
	p = ok, p.cpus = 0;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), -1);
	p = ok, p.cpus = VMM_MAX_CPUS + 1;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), -1);
	p = ok, p.nvirtio = VMM_VIRTIO_MAX + 1;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), -1);
	p = ok, p.ram_size = 0;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), -1);
	p = ok, p.cpus = VMM_MAX_CPUS, p.nvirtio = VMM_VIRTIO_MAX;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
}

/* Every size below what the tree needs fails without writing past the buffer. */
static void test_every_buffer_size(void **state)
{
	struct vmm_fdt_params p = {
	    .ram_base = VMM_RAM_BASE,
	    .ram_size = 1 << 21,
	    .cpus = 2,
	    .bootargs = "x",
	    .initrd_start = 1,
	    .initrd_end = 2,
	    .nvirtio = 2,
	};
	size_t need = 0;

	(void)state;
	/* without and with a protected VM's bounce pool */
	for (unsigned pool = 0; pool < 2; pool++) {
		p.swiotlb_base = pool ? 0x40100000 : 0;
		p.swiotlb_size = pool ? 0x100000 : 0;
		assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
		need = fdt_totalsize(blob);
		for (size_t size = 0; size < need + 512; size += 4) {
			memset(blob, 0x5a, sizeof(blob));
			int rc = vmm_fdt_build(&p, blob, size);

			for (size_t i = size; i < size + 64; i++)
				assert_int_equal(blob[i], 0x5a);
			if (rc == 0)
				assert_true(fdt_totalsize(blob) <= size);
			if (size < need)
				assert_int_equal(rc, -1);
		}
	}
}

static void test_console_output_gone(void **state)
{
	struct vmm_console c;
	int p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	assert_int_equal(vmm_console_init(&c, p[1]), 0);
	vmm_console_write(&c, "lost", 4); /* EPIPE: dropped, no hang */
	assert_int_equal(c.bytes, 4);
	vmm_console_destroy(&c);
	close(p[1]);
	assert_int_equal(vmm_console_init(&c, -1), 0);
	vmm_console_write(&c, "x", 1);
	assert_int_equal(c.bytes, 1);
	vmm_console_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_content),
	    cmocka_unit_test(test_swiotlb),
	    cmocka_unit_test(test_bad_params),
	    cmocka_unit_test(test_every_buffer_size),
	    cmocka_unit_test(test_console_output_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
