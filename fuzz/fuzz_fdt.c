/*
 * Fuzz target: the DTB reader. The input is the blob itself (seeds are dtc output and
 * QEMU's virt DTB). Invariants, checked with abort():
 *  - a blob accepted by gz_fdt_check is also accepted at every size >= totalsize and rejected
 *    at totalsize - 1;
 *  - two depth-first walks give the same nodes and depths; depths stay below
 *    GZ_FDT_MAX_DEPTH; every node name and every property (name and value) lies inside the
 *    blob, names terminated inside it;
 *  - gz_fdt_getprop finds the first property of that name the iteration yields;
 *  - gz_fdt_parent of a node is the node the walk was in, and lists it as a subnode;
 *  - queries (memory, cpus, compatible, reg) give the same answer twice;
 *  - the machine description (gzhyp/fdt_vmdesc.h) is the same twice; when read, its ranges
 *    are sorted and are exactly the memory ranges gz_fdt_find_memory lists, and it counts
 *    every node but the root and memory nodes that has a compatible property;
 *  - any 4-aligned offset passed as a node (forged) stays within the blob.
 * ASan catches any read outside the exact-size input buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gzhyp/fdt.h>
#include <gzhyp/fdt_vmdesc.h>

#define MAX_NODES  256 /* nodes whose parent/subnode relation is checked */
#define MAX_FORGED 512 /* forged offsets tried */

static const uint8_t *lo, *hi;

static void in_blob(const void *p, size_t len)
{
	const uint8_t *b = p;

	if (b < lo || b > hi || len > (size_t)(hi - b))
		abort();
}

static void name_in_blob(const char *s)
{
	in_blob(s, 1);
	if (!memchr(s, 0, (size_t)(hi - (const uint8_t *)s)))
		abort();
}

static void check_props(const struct gz_fdt *fdt, int node)
{
	struct gz_fdt_prop p, q;
	int cursor = 0, rc;

	while ((rc = gz_fdt_next_prop(fdt, node, &cursor, &p)) == GZ_FDT_OK) {
		int c2 = 0;

		name_in_blob(p.name);
		in_blob(p.data, p.len);
		/* getprop returns the first property with this name. */
		if (gz_fdt_getprop(fdt, node, p.name, &q) != GZ_FDT_OK)
			abort();
		for (;;) {
			struct gz_fdt_prop r;

			if (gz_fdt_next_prop(fdt, node, &c2, &r) != GZ_FDT_OK)
				abort();
			if (strcmp(r.name, p.name) == 0) {
				if (r.data != q.data || r.len != q.len)
					abort();
				break;
			}
		}
	}
	if (rc != GZ_FDT_E_NOTFOUND)
		abort(); /* a checked tree has no structural errors on real nodes */
}

static void queries_stable(const struct gz_fdt *fdt)
{
	uint64_t a1 = 0, s1 = 0, a2 = 0, s2 = 0;

	for (unsigned i = 0; i < 4; i++) {
		int r1 = gz_fdt_find_memory(fdt, i, &a1, &s1);
		int r2 = gz_fdt_find_memory(fdt, i, &a2, &s2);

		if (r1 != r2 || (r1 == GZ_FDT_OK && (a1 != a2 || s1 != s2)))
			abort();
		if (r1 < 0)
			break;
	}
	if (gz_fdt_cpu_count(fdt) != gz_fdt_cpu_count(fdt))
		abort();
	for (int n = -1, i = 0; i < 8; i++) {
		n = gz_fdt_find_compatible(fdt, n, "arm,pl011");
		if (n < 0)
			break;
		if (gz_fdt_reg(fdt, n, 0, &a1, &s1) != gz_fdt_reg(fdt, n, 0, &a2, &s2))
			abort();
	}
	gz_fdt_rsv(fdt, 0, &a1, &s1);
	gz_fdt_path(fdt, "/cpus/cpu@0");
	gz_fdt_path(fdt, "/chosen");
}

static bool has_string(const struct gz_fdt *fdt, int node, const char *prop, const char *str)
{
	struct gz_fdt_prop p;

	return gz_fdt_getprop(fdt, node, prop, &p) == GZ_FDT_OK &&
	       gz_fdt_stringlist_contains(&p, str);
}

static void machine_stable(const struct gz_fdt *fdt)
{
	static struct gz_vmdesc d1, d2;
	struct gz_fdt_prop p;
	uint64_t a, s;
	unsigned n = 0, devices = 0;
	int node = -1, depth = 0, r1 = gz_vmdesc_read(&d1, fdt), r2 = gz_vmdesc_read(&d2, fdt);

	if (r1 != r2 || (r1 == GZ_FDT_OK && memcmp(&d1, &d2, sizeof(d1))))
		abort();
	if (r1 != GZ_FDT_OK)
		return;
	if (d1.nmem > GZ_VMDESC_MAX_MEMORY || d1.ndevices > GZ_VMDESC_MAX_DEVICES)
		abort();
	for (unsigned i = 1; i < d1.nmem; i++)
		if (d1.mem_base[i - 1] > d1.mem_base[i] ||
		    (d1.mem_base[i - 1] == d1.mem_base[i] && d1.mem_size[i - 1] > d1.mem_size[i]))
			abort();
	for (; gz_fdt_find_memory(fdt, n, &a, &s) == GZ_FDT_OK; n++) {
		unsigned i = 0;

		while (i < d1.nmem && (d1.mem_base[i] != a || d1.mem_size[i] != s))
			i++;
		if (i == d1.nmem)
			abort();
	}
	if (n != d1.nmem)
		abort();
	while ((node = gz_fdt_next_node(fdt, node, &depth)) >= 0)
		if (depth > 0 && !has_string(fdt, node, "device_type", "memory") &&
		    gz_fdt_getprop(fdt, node, "compatible", &p) == GZ_FDT_OK)
			devices++;
	if (devices != d1.ndevices)
		abort();
}

static void forged(const struct gz_fdt *fdt)
{
	struct gz_fdt_prop p;
	uint64_t a, s;

	for (uint32_t off = 0, i = 0; off < fdt->size_struct && i < MAX_FORGED; off += 4, i++) {
		const char *name = gz_fdt_node_name(fdt, (int)off);
		int d = 0, cursor = 0;

		if (name)
			name_in_blob(name);
		gz_fdt_next_node(fdt, (int)off, &d);
		gz_fdt_next_subnode(fdt, (int)off, -1);
		while (gz_fdt_next_prop(fdt, (int)off, &cursor, &p) == GZ_FDT_OK) {
			name_in_blob(p.name);
			in_blob(p.data, p.len);
		}
		gz_fdt_reg(fdt, (int)off, 0, &a, &s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gz_fdt fdt, again;
	int nodes[MAX_NODES], depths[MAX_NODES], stack[GZ_FDT_MAX_DEPTH];
	int n = -1, d = 0, count = 0;

	lo = data;
	hi = data + size;
	if (gz_fdt_check(&fdt, data, size) != GZ_FDT_OK)
		return 0;
	if (fdt.totalsize > size || gz_fdt_check(&again, data, fdt.totalsize) != GZ_FDT_OK ||
	    gz_fdt_check(&again, data, fdt.totalsize - 1) != GZ_FDT_E_TRUNCATED)
		abort();

	/* First walk: record, check names, properties and the parent relation. */
	while ((n = gz_fdt_next_node(&fdt, n, &d)) >= 0) {
		if (d < 0 || d >= GZ_FDT_MAX_DEPTH || (count == 0) != (d == 0))
			abort();
		name_in_blob(gz_fdt_node_name(&fdt, n));
		check_props(&fdt, n);
		stack[d] = n;
		if (count < MAX_NODES) {
			nodes[count] = n;
			depths[count] = d;
			if (d > 0) {
				int parent = gz_fdt_parent(&fdt, n), c = -1;

				if (parent != stack[d - 1])
					abort();
				while ((c = gz_fdt_next_subnode(&fdt, parent, c)) >= 0 && c != n)
					;
				if (c != n)
					abort();
			} else if (gz_fdt_parent(&fdt, n) != GZ_FDT_E_NOTFOUND) {
				abort();
			}
		}
		count++;
	}
	if (n != GZ_FDT_E_NOTFOUND || count == 0)
		abort();
	/* Second walk: identical. */
	n = -1;
	for (int i = 0; i < count && i < MAX_NODES; i++) {
		n = gz_fdt_next_node(&fdt, n, &d);
		if (n != nodes[i] || d != depths[i])
			abort();
	}
	queries_stable(&fdt);
	machine_stable(&fdt);
	forged(&fdt);
	return 0;
}
