/* The canonical machine description (src/hyp/lib/fdt_vmdesc.c): the exact encoding of a small
 * tree recomputed here byte by byte with libsodium's SHA-256; the order of nodes and their
 * names do not count, nor properties other than compatible, reg and interrupts; on the tree
 * gzvmm builds, other memory changes only the memory digest, an added device, a changed
 * interrupt or reg only the devices digest, and bootargs and the boot signature neither;
 * malformed reg, interrupts and cell counts and more ranges or devices than the limits are
 * errors, never a shorter description.
 * test-libs: gzvmm_lib gzlib sodium */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libfdt.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include <gzhyp/fdt_vmdesc.h>

#include "fdt_build.h"
#include "layout.h"

static uint8_t blob[65536], blob2[65536];

#define OK(x) assert_int_equal((x), 0)

static int describe(struct gz_vmdesc *d, const void *b)
{
	struct gz_fdt fdt;

	assert_int_equal(gz_fdt_check(&fdt, b, fdt_totalsize(b)), GZ_FDT_OK);
	return gz_vmdesc_read(d, &fdt);
}

static void reg64(void *b, uint64_t a, uint64_t s)
{
	fdt64_t v[2] = {cpu_to_fdt64(a), cpu_to_fdt64(s)};

	OK(fdt_property(b, "reg", v, sizeof(v)));
}

static void cells(void *b, const char *name, const uint32_t *c, unsigned n)
{
	fdt32_t v[16];

	for (unsigned i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(c[i]);
	OK(fdt_property(b, name, v, n * 4));
}

/* A small machine: memory in two nodes (ranges out of order), a device with two compatibles,
 * reg and interrupts, a CPU under #size-cells 0, a node without compatible and one with
 * compatible under it. @reverse: the same nodes in the opposite order, other names. */
static void small_tree(void *b, bool reverse)
{
	static const uint32_t irq[3] = {0, 1, 4}, one = 1, zero = 0, two = 2;

	OK(fdt_create(b, sizeof(blob)));
	OK(fdt_finish_reservemap(b));
	OK(fdt_begin_node(b, ""));
	OK(fdt_property_string(b, "compatible", "root,is-no-device"));
	cells(b, "#address-cells", &two, 1);
	cells(b, "#size-cells", &two, 1);
	for (int i = 0; i < 4; i++) {
		switch (reverse ? 3 - i : i) {
		case 0:
			OK(fdt_begin_node(b, reverse ? "m2" : "memory@80000000"));
			OK(fdt_property_string(b, "device_type", "memory"));
			reg64(b, 0x80000000, 0x1000);
			OK(fdt_end_node(b));
			OK(fdt_begin_node(b, reverse ? "m1" : "memory@40000000"));
			OK(fdt_property_string(b, "device_type", "memory"));
			reg64(b, 0x40000000, 0x2000);
			OK(fdt_end_node(b));
			break;
		case 1:
			OK(fdt_begin_node(b, reverse ? "serial" : "dev@9000000"));
			OK(fdt_property(b, "compatible", "a\0bc", 5));
			reg64(b, 0x9000000, 0x1000);
			cells(b, "interrupts", irq, 3);
			OK(fdt_property_string(b, reverse ? "status" : "label",
					       "other properties"));
			OK(fdt_end_node(b));
			break;
		case 2:
			OK(fdt_begin_node(b, "cpus"));
			cells(b, "#address-cells", &one, 1);
			cells(b, "#size-cells", &zero, 1);
			OK(fdt_begin_node(b, reverse ? "c" : "cpu@3"));
			OK(fdt_property_string(b, "compatible", "c"));
			cells(b, "reg", (const uint32_t[]){3}, 1);
			OK(fdt_end_node(b));
			OK(fdt_end_node(b));
			break;
		default:
			OK(fdt_begin_node(b, "chosen"));
			OK(fdt_property_string(b, "bootargs", reverse ? "x" : "y"));
			OK(fdt_end_node(b));
		}
	}
	OK(fdt_end_node(b));
	OK(fdt_finish(b));
}

static size_t le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return 4;
}

static size_t le64(uint8_t *p, uint64_t v)
{
	return le32(p, (uint32_t)v) + le32(p + 4, (uint32_t)(v >> 32));
}

/* The SHA-256 of a device record written out here: compatible, one reg entry, @nirq cells. */
static void record(uint8_t out[32], const char *compat, size_t clen, const uint64_t reg[2],
		   const uint32_t *irq, unsigned nirq)
{
	uint8_t rec[128];
	size_t n = le32(rec, (uint32_t)clen);

	memcpy(rec + n, compat, clen);
	n += clen;
	n += le32(rec + n, 1);
	n += le64(rec + n, reg[0]);
	n += le64(rec + n, reg[1]);
	n += le32(rec + n, nirq);
	for (unsigned i = 0; i < nirq; i++)
		n += le32(rec + n, irq[i]);
	crypto_hash_sha256(out, rec, n);
}

static void test_encoding(void **state)
{
	struct gz_vmdesc d;
	uint8_t rec[64], h[2][32], list[64], want[32];
	size_t n = 0;

	(void)state;
	small_tree(blob, false);
	assert_int_equal(describe(&d, blob), GZ_FDT_OK);
	assert_int_equal(d.nmem, 2);
	assert_int_equal(d.mem_base[0], 0x40000000);
	assert_int_equal(d.mem_size[0], 0x2000);
	assert_int_equal(d.mem_base[1], 0x80000000);
	assert_int_equal(d.mem_size[1], 0x1000);
	assert_int_equal(d.ndevices, 2);
	/* memory: the sorted ranges, le64 base, le64 size */
	n = le64(rec, 0x40000000);
	n += le64(rec + n, 0x2000);
	n += le64(rec + n, 0x80000000);
	n += le64(rec + n, 0x1000);
	crypto_hash_sha256(want, rec, n);
	assert_memory_equal(d.memory_sha256, want, 32);
	/* the device: compatible (5 bytes), one reg entry, three interrupt cells */
	record(h[0], "a\0bc", 5, (const uint64_t[2]){0x9000000, 0x1000},
	       (const uint32_t[3]){0, 1, 4}, 3);
	/* the CPU: compatible "c\0", reg <3> with size 0, no interrupts */
	record(h[1], "c", 2, (const uint64_t[2]){3, 0}, NULL, 0);
	/* the records' digests in ascending order */
	if (memcmp(h[0], h[1], 32) < 0) {
		memcpy(list, h[0], 32);
		memcpy(list + 32, h[1], 32);
	} else {
		memcpy(list, h[1], 32);
		memcpy(list + 32, h[0], 32);
	}
	crypto_hash_sha256(want, list, 64);
	assert_memory_equal(d.devices_sha256, want, 32);
}

static void test_order_and_names(void **state)
{
	struct gz_vmdesc a, b;

	(void)state;
	small_tree(blob, false);
	small_tree(blob2, true);
	assert_int_equal(describe(&a, blob), GZ_FDT_OK);
	assert_int_equal(describe(&b, blob2), GZ_FDT_OK);
	assert_memory_equal(&a, &b, sizeof(a));
}

static struct vmm_fdt_params gzvmm_params(void)
{
	static const uint8_t sig[296] = {1, 2, 3};
	struct vmm_fdt_params p = {
	    .ram_base = VMM_RAM_BASE,
	    .ram_size = 256ULL << 20,
	    .cpus = 2,
	    .bootargs = "console=hvc0",
	    .nvirtio = 3,
	    .bootsig = sig,
	    .bootsig_size = sizeof(sig),
	    .dice = true,
	    .swiotlb_base = VMM_RAM_BASE + (252ULL << 20),
	    .swiotlb_size = 4ULL << 20,
	};
	return p;
}

/* @p built, described, and compared with @base: which digests changed. */
static void expect_change(const struct vmm_fdt_params *p, const struct gz_vmdesc *base, bool memory,
			  bool devices)
{
	struct gz_vmdesc d;

	OK(vmm_fdt_build(p, blob2, sizeof(blob2)));
	assert_int_equal(describe(&d, blob2), GZ_FDT_OK);
	assert_int_equal(memcmp(d.memory_sha256, base->memory_sha256, 32) != 0, memory);
	assert_int_equal(memcmp(d.devices_sha256, base->devices_sha256, 32) != 0, devices);
}

static void test_gzvmm_machine(void **state)
{
	struct vmm_fdt_params p = gzvmm_params();
	struct gz_vmdesc base, d;
	static const uint8_t other_sig[296] = {9};
	int uart, len;
	const fdt32_t *irq;

	(void)state;
	OK(vmm_fdt_build(&p, blob, sizeof(blob)));
	assert_int_equal(describe(&base, blob), GZ_FDT_OK);
	assert_int_equal(base.nmem, 1);
	assert_int_equal(base.mem_base[0], VMM_RAM_BASE);
	assert_int_equal(base.mem_size[0], 256ULL << 20);
	/* bootargs, the signature block, the initrd's place: not the machine */
	p.bootargs = "console=hvc0 init=/bin/sh";
	p.bootsig = other_sig;
	p.initrd_start = VMM_RAM_BASE + (64ULL << 20);
	p.initrd_end = p.initrd_start + 4096;
	expect_change(&p, &base, false, false);
	p = gzvmm_params();
	p.ram_size = 128ULL << 20;
	p.swiotlb_base = VMM_RAM_BASE + (124ULL << 20);
	expect_change(&p, &base, true, true); /* the bounce pool moved with the memory's end */
	p = gzvmm_params();
	p.nvirtio = 4;
	expect_change(&p, &base, false, true);
	p.nvirtio = 2;
	expect_change(&p, &base, false, true);
	p = gzvmm_params();
	p.cpus = 3; /* a CPU node more, and the redistributors' range */
	expect_change(&p, &base, false, true);
	/* the PL011's interrupt, changed in place */
	memcpy(blob2, blob, fdt_totalsize(blob));
	uart = fdt_path_offset(blob2, "/pl011@9000000");
	irq = fdt_getprop(blob2, uart, "interrupts", &len);
	assert_non_null(irq);
	assert_int_equal(len, 12);
	{
		fdt32_t v[3] = {irq[0], cpu_to_fdt32(fdt32_to_cpu(irq[1]) + 1), irq[2]};

		OK(fdt_setprop_inplace(blob2, uart, "interrupts", v, sizeof(v)));
	}
	assert_int_equal(describe(&d, blob2), GZ_FDT_OK);
	assert_memory_equal(d.memory_sha256, base.memory_sha256, 32);
	assert_memory_not_equal(d.devices_sha256, base.devices_sha256, 32);
	/* the same device moved (reg) */
	memcpy(blob2, blob, fdt_totalsize(blob));
	{
		fdt64_t v[2] = {cpu_to_fdt64(0x9100000), cpu_to_fdt64(0x1000)};

		OK(fdt_setprop_inplace(blob2, uart, "reg", v, sizeof(v)));
	}
	assert_int_equal(describe(&d, blob2), GZ_FDT_OK);
	assert_memory_not_equal(d.devices_sha256, base.devices_sha256, 32);
}

/* A tree of @nmem memory ranges and @ndev devices (each its own reg). */
static void many(void *b, unsigned nmem, unsigned ndev)
{
	static const uint32_t two = 2;
	char name[32];

	OK(fdt_create(b, sizeof(blob)));
	OK(fdt_finish_reservemap(b));
	OK(fdt_begin_node(b, ""));
	cells(b, "#address-cells", &two, 1);
	cells(b, "#size-cells", &two, 1);
	OK(fdt_begin_node(b, "memory"));
	OK(fdt_property_string(b, "device_type", "memory"));
	{
		fdt64_t v[2 * 20];

		for (unsigned i = 0; i < nmem; i++) {
			v[2 * i] = cpu_to_fdt64(0x40000000ULL + (i << 20));
			v[2 * i + 1] = cpu_to_fdt64(1 << 20);
		}
		OK(fdt_property(b, "reg", v, nmem * 16));
	}
	OK(fdt_end_node(b));
	for (unsigned i = 0; i < ndev; i++) {
		snprintf(name, sizeof(name), "d@%x", i);
		OK(fdt_begin_node(b, name));
		OK(fdt_property_string(b, "compatible", "virtio,mmio"));
		reg64(b, 0xa000000 + i * 0x200, 0x200);
		OK(fdt_end_node(b));
	}
	OK(fdt_end_node(b));
	OK(fdt_finish(b));
}

static void test_limits_and_errors(void **state)
{
	struct gz_vmdesc d;
	int node;

	(void)state;
	many(blob, GZ_VMDESC_MAX_MEMORY, GZ_VMDESC_MAX_DEVICES);
	assert_int_equal(describe(&d, blob), GZ_FDT_OK);
	assert_int_equal(d.nmem, GZ_VMDESC_MAX_MEMORY);
	assert_int_equal(d.ndevices, GZ_VMDESC_MAX_DEVICES);
	many(blob, GZ_VMDESC_MAX_MEMORY + 1, 1);
	assert_int_equal(describe(&d, blob), GZ_FDT_E_BADVALUE);
	many(blob, 1, GZ_VMDESC_MAX_DEVICES + 1);
	assert_int_equal(describe(&d, blob), GZ_FDT_E_BADVALUE);
	/* ranges at one base: by size; the same ranges in another order, the same digest */
	{
		struct gz_vmdesc e;
		int mem;

		many(blob, 3, 0);
		OK(fdt_open_into(blob, blob, sizeof(blob)));
		mem = fdt_path_offset(blob, "/memory");
		fdt64_t r1[6] = {cpu_to_fdt64(0x50000000), cpu_to_fdt64(0x2000),
				 cpu_to_fdt64(0x50000000), cpu_to_fdt64(0x1000),
				 cpu_to_fdt64(0x40000000), cpu_to_fdt64(0x3000)};
		fdt64_t r2[6] = {r1[4], r1[5], r1[2], r1[3], r1[0], r1[1]};

		OK(fdt_setprop(blob, mem, "reg", r1, sizeof(r1)));
		assert_int_equal(describe(&d, blob), GZ_FDT_OK);
		assert_int_equal(d.mem_base[0], 0x40000000);
		assert_int_equal(d.mem_size[1], 0x1000);
		assert_int_equal(d.mem_size[2], 0x2000);
		OK(fdt_setprop(blob, mem, "reg", r2, sizeof(r2)));
		assert_int_equal(describe(&e, blob), GZ_FDT_OK);
		assert_memory_equal(&d, &e, sizeof(d));
	}
	/* no memory and no devices: the digests of nothing */
	many(blob, 0, 0);
	assert_int_equal(describe(&d, blob), GZ_FDT_OK);
	assert_int_equal(d.nmem + d.ndevices, 0);
	/* a device's reg not a whole number of entries; interrupts not whole cells; a memory
	 * node's reg likewise; a parent's #address-cells beyond 2 */
	many(blob, 1, 2);
	OK(fdt_open_into(blob, blob, sizeof(blob)));
	node = fdt_path_offset(blob, "/d@1");
	OK(fdt_setprop(blob, node, "reg", "123456789", 9));
	assert_int_equal(describe(&d, blob), GZ_FDT_E_BADVALUE);
	OK(fdt_setprop(blob, node, "reg", "", 0));
	assert_int_equal(describe(&d, blob), GZ_FDT_OK);
	OK(fdt_setprop(blob, node, "interrupts", "abcde", 5));
	assert_int_equal(describe(&d, blob), GZ_FDT_E_BADVALUE);
	OK(fdt_delprop(blob, node, "interrupts"));
	OK(fdt_setprop(blob, fdt_path_offset(blob, "/memory"), "reg", "abc", 3));
	assert_int_equal(describe(&d, blob), GZ_FDT_E_BADVALUE);
	many(blob, 1, 2);
	OK(fdt_open_into(blob, blob, sizeof(blob)));
	OK(fdt_setprop_u32(blob, 0, "#address-cells", 3));
	assert_int_equal(describe(&d, blob), GZ_FDT_E_BADCELLS);
	/* a device record on its own; a node without compatible is none */
	many(blob, 1, 1);
	{
		struct gz_fdt fdt;
		uint8_t h[32];

		assert_int_equal(gz_fdt_check(&fdt, blob, fdt_totalsize(blob)), GZ_FDT_OK);
		assert_int_equal(gz_vmdesc_device(&fdt, fdt_path_offset(blob, "/d@0"), h),
				 GZ_FDT_OK);
		assert_int_equal(gz_vmdesc_device(&fdt, fdt_path_offset(blob, "/memory"), h),
				 GZ_FDT_E_NOTFOUND);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encoding),
	    cmocka_unit_test(test_order_and_names),
	    cmocka_unit_test(test_gzvmm_machine),
	    cmocka_unit_test(test_limits_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
