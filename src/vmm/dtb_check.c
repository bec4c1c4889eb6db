/* Checks of a user-supplied device tree blob (dtb_check.h). libfdt's fdt_check_full covers the
 * structure and strings blocks (tags, lengths, name offsets, FDT_END); the reservation map and
 * the nesting depth it leaves alone, and the semantic checks are the VMM's. */
#include "dtb_check.h"
#include "msg.h"

#include <libfdt.h>
#include <string.h>

#define RSV_ENTRY 16U

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The reservation map must end with its zero entry before the next block (or the blob's end):
 * libfdt's readers would otherwise walk on into the structure block. */
static int check_rsvmap(const uint8_t *dtb)
{
	uint32_t start = fdt_off_mem_rsvmap(dtb), end = fdt_totalsize(dtb);
	uint32_t other[2] = {fdt_off_dt_struct(dtb), fdt_off_dt_strings(dtb)};

	for (unsigned i = 0; i < 2; i++)
		if (other[i] >= start && other[i] < end)
			end = other[i];
	for (uint32_t at = start; end >= RSV_ENTRY && at <= end - RSV_ENTRY; at += RSV_ENTRY) {
		static const uint8_t zero[RSV_ENTRY];

		if (memcmp(dtb + at, zero, RSV_ENTRY) == 0)
			return 0;
	}
	return -1;
}

static int max_depth(const void *dtb)
{
	int depth = 0, deepest = 0, off = 0;

	while (off >= 0) {
		off = fdt_next_node(dtb, off, &depth);
		if (depth > deepest)
			deepest = depth;
		if (deepest > VMM_DTB_MAX_DEPTH)
			break;
	}
	return deepest;
}

static uint64_t read_cells(const uint8_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

static int check_cpus(const char *name, const void *dtb, char *err, size_t errlen)
{
	int cpus = fdt_path_offset(dtb, "/cpus"), node;

	if (cpus < 0)
		return vmm_fail(err, errlen, "dtb '%s' has no /cpus node", name);
	fdt_for_each_subnode(node, dtb, cpus)
	{
		const char *type = fdt_getprop(dtb, node, "device_type", NULL);

		if (type && strcmp(type, "cpu") == 0)
			return 0;
	}
	return vmm_fail(err, errlen, "dtb '%s' has no CPU under /cpus", name);
}

static int check_memory(const char *name, const void *dtb, uint64_t ram_base, uint64_t ram_size,
			char *err, size_t errlen)
{
	int ac = fdt_address_cells(dtb, 0), sc = fdt_size_cells(dtb, 0);
	int node = fdt_node_offset_by_prop_value(dtb, -1, "device_type", "memory", 7);
	uint64_t total = 0;

	if (node < 0)
		return vmm_fail(err, errlen, "dtb '%s' has no /memory node", name);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return vmm_fail(err, errlen,
				"dtb '%s': the root's #address-cells %d / #size-cells %d are not "
				"1 or 2",
				name, ac, sc);
	for (; node >= 0;
	     node = fdt_node_offset_by_prop_value(dtb, node, "device_type", "memory", 7)) {
		const char *path = fdt_get_name(dtb, node, NULL);
		int len, step = 4 * (ac + sc);
		const uint8_t *reg = fdt_getprop(dtb, node, "reg", &len);

		if (!reg || len <= 0 || len % step)
			return vmm_fail(err, errlen, "dtb '%s': memory node '%s' has a bad reg",
					name, path);
		for (int at = 0; at < len; at += step) {
			uint64_t base = read_cells(reg + at, ac),
				 sz = read_cells(reg + at + 4 * ac, sc);

			if (sz == 0)
				continue;
			if (base < ram_base || sz > ram_size || base - ram_base > ram_size - sz)
				return vmm_fail(err, errlen,
						"dtb '%s': memory 0x%llx+0x%llx in '%s' is outside "
						"the guest's RAM (0x%llx, %llu MiB: --mem)",
						name, (unsigned long long)base,
						(unsigned long long)sz, path,
						(unsigned long long)ram_base,
						(unsigned long long)(ram_size >> 20));
			total += sz;
		}
	}
	if (total == 0)
		return vmm_fail(err, errlen, "dtb '%s': its memory size is 0", name);
	return 0;
}

/* A node's phandle ("phandle" or the older "linux,phandle"): 0 when it has none, -1 when the
 * property is not one cell or holds 0 or 0xffffffff (libfdt's and the spec's "none"). */
static int64_t node_phandle(const void *dtb, int node)
{
	static const char *const props[] = {"phandle", "linux,phandle"};

	for (unsigned i = 0; i < 2; i++) {
		int len;
		const uint8_t *p = fdt_getprop(dtb, node, props[i], &len);

		if (p)
			return len == 4 && be32(p) && be32(p) != 0xffffffff ? (int64_t)be32(p) : -1;
	}
	return 0;
}

/* Every phandle one good cell, used by one node only; every interrupt-parent names a node, and
 * following interrupt-parent from node to node reaches an interrupt controller (or a node naming
 * none) instead of coming back round: a guest kernel walking such a loop to find an interrupt's
 * controller would never get out of it. */
static int check_phandles(const char *name, const void *dtb, char *err, size_t errlen)
{
	int node, nodes = 0;

	for (node = fdt_next_node(dtb, -1, NULL); node >= 0;
	     node = fdt_next_node(dtb, node, NULL)) {
		int64_t ph = node_phandle(dtb, node);
		int other;

		nodes++;
		if (ph == 0)
			continue;
		if (ph < 0)
			return vmm_fail(err, errlen, "dtb '%s': node '%s' has a bad phandle", name,
					fdt_get_name(dtb, node, NULL));
		other = fdt_node_offset_by_phandle(dtb, (uint32_t)ph);
		if (other != node)
			return vmm_fail(err, errlen,
					"dtb '%s': phandle 0x%x belongs to two nodes ('%s' and "
					"'%s')",
					name, (unsigned)ph, fdt_get_name(dtb, other, NULL),
					fdt_get_name(dtb, node, NULL));
	}
	for (node = fdt_next_node(dtb, -1, NULL); node >= 0;
	     node = fdt_next_node(dtb, node, NULL)) {
		int cur = node;

		/* More hops than nodes means a node came back. */
		for (int hops = 0;; hops++) {
			int len;
			const uint8_t *ip = fdt_getprop(dtb, cur, "interrupt-parent", &len);

			if (!ip ||
			    (cur != node && (fdt_getprop(dtb, cur, "interrupt-controller", NULL) ||
					     fdt_getprop(dtb, cur, "interrupt-map", NULL))))
				break;
			if (len != 4 || (cur = fdt_node_offset_by_phandle(dtb, be32(ip))) < 0)
				return vmm_fail(err, errlen,
						"dtb '%s': node '%s' names an interrupt-parent no "
						"node has",
						name, fdt_get_name(dtb, node, NULL));
			if (hops > nodes)
				return vmm_fail(
				    err, errlen,
				    "dtb '%s': the interrupt-parent chain from node '%s' "
				    "loops",
				    name, fdt_get_name(dtb, node, NULL));
		}
	}
	return 0;
}

int vmm_dtb_check(const char *name, const void *dtb, size_t size, uint64_t ram_base,
		  uint64_t ram_size, char *err, size_t errlen)
{
	int r;

	if (size < sizeof(struct fdt_header) || fdt_check_header(dtb) != 0 ||
	    fdt_totalsize(dtb) > size)
		return vmm_fail(err, errlen, "dtb '%s' is not a valid device tree blob", name);
	if (check_rsvmap(dtb) != 0)
		return vmm_fail(err, errlen,
				"dtb '%s': the memory reservation map has no end marker", name);
	r = fdt_check_full(dtb, fdt_totalsize(dtb));
	if (r != 0)
		return vmm_fail(err, errlen, "dtb '%s' is malformed (libfdt: %s)", name,
				fdt_strerror(r));
	if (max_depth(dtb) > VMM_DTB_MAX_DEPTH)
		return vmm_fail(err, errlen, "dtb '%s' nests nodes deeper than %d levels", name,
				VMM_DTB_MAX_DEPTH);
	if (check_cpus(name, dtb, err, errlen) != 0 || check_phandles(name, dtb, err, errlen) != 0)
		return -1;
	return check_memory(name, dtb, ram_base, ram_size, err, errlen);
}
