/*
 * A strict reader of flattened device trees (DTB, version 17), freestanding.
 *
 * gzhyp reads the machine description it was booted with (and later, device trees handed in
 * by a host) through this parser. The blob is untrusted: gz_fdt_check validates the header and
 * walks the whole structure block once with strict bounds; every other call re-checks what it
 * touches, so no call reads outside [blob, blob + size) whatever the bytes are.
 *
 * Nodes are named by the offset of their FDT_BEGIN_NODE token in the structure block (as in
 * libfdt); negative values are GZ_FDT_E* error codes.
 */
#ifndef GZ_FDT_H
#define GZ_FDT_H

#include <arm64/types.h>

#define GZ_FDT_MAGIC	   0xd00dfeedU
#define GZ_FDT_HEADER_SIZE 40U /* version 17 header */
#define GZ_FDT_VERSION	   17U
#define GZ_FDT_MAX_DEPTH   32	      /* deepest node nesting accepted */
#define GZ_FDT_MAX_SIZE	   (2U << 20) /* Linux's limit for a boot DTB */
#define GZ_FDT_MAX_CELLS   2U	      /* #address-cells/#size-cells a 64-bit value can hold */

/* Structure-block tokens (big-endian 32-bit words in the blob). */
#define GZ_FDT_BEGIN_NODE 1U
#define GZ_FDT_END_NODE	  2U
#define GZ_FDT_PROP	  3U
#define GZ_FDT_NOP	  4U
#define GZ_FDT_END	  9U

/* Error codes: every failing call returns one of these (all negative). */
enum gz_fdt_err {
	GZ_FDT_OK = 0,
	GZ_FDT_E_NOTFOUND = -1,	 /* no such node/property/entry (not a format error) */
	GZ_FDT_E_TRUNCATED = -2, /* blob shorter than its header or its totalsize */
	GZ_FDT_E_BADMAGIC = -3,
	GZ_FDT_E_BADVERSION = -4,
	GZ_FDT_E_BADLAYOUT = -5, /* block offsets/sizes out of range, misaligned or overlapping */
	GZ_FDT_E_BADSTRUCT = -6, /* bad token, unterminated name, unbalanced nodes, overlong prop */
	GZ_FDT_E_BADSTRING = -7, /* property name offset outside the strings block/unterminated */
	GZ_FDT_E_DEPTH = -8,	 /* nesting deeper than GZ_FDT_MAX_DEPTH */
	GZ_FDT_E_BADVALUE = -9,	 /* a property's length/content does not fit its meaning */
	GZ_FDT_E_BADCELLS = -10, /* #address-cells/#size-cells missing a value or > 2 */
	GZ_FDT_E_BADARG = -11,	 /* a caller passed a node offset that is not a node */
};

/* A validated blob. Filled by gz_fdt_check; the other calls need it. */
struct gz_fdt {
	const uint8_t *blob;
	uint32_t totalsize;
	uint32_t off_struct;
	uint32_t size_struct;
	uint32_t off_strings;
	uint32_t size_strings;
	uint32_t off_rsvmap;
	uint32_t boot_cpuid;
};

/* One property: its name (NUL-terminated, inside the strings block) and value bytes (inside
 * the structure block). */
struct gz_fdt_prop {
	const char *name;
	const uint8_t *data;
	uint32_t len;
};

/* The totalsize a header claims, after checking magic only; lets a caller that does not know
 * the blob's size (the boot path) bound it. Needs @avail >= GZ_FDT_HEADER_SIZE. */
int gz_fdt_totalsize(const void *blob, size_t avail, uint32_t *totalsize);

/* Validates header and whole structure of the @size bytes at @blob and fills @fdt. */
int gz_fdt_check(struct gz_fdt *fdt, const void *blob, size_t size);

/* Depth-first walk: with @node < 0, the root (depth 0); otherwise the next node after @node in
 * document order. *depth is the depth of @node on entry and of the result on return.
 * Returns GZ_FDT_E_NOTFOUND after the last node. */
int gz_fdt_next_node(const struct gz_fdt *fdt, int node, int *depth);
/* Children of @parent: the first with @prev < 0, else the sibling after @prev. */
int gz_fdt_next_subnode(const struct gz_fdt *fdt, int parent, int prev);
/* The parent of @node (GZ_FDT_E_NOTFOUND for the root). */
int gz_fdt_parent(const struct gz_fdt *fdt, int node);
/* A node's name ("" for the root), or NULL when @node is not a node. */
const char *gz_fdt_node_name(const struct gz_fdt *fdt, int node);
/* The child of @parent called @name; a name without '@' also matches "name@unit". */
int gz_fdt_subnode(const struct gz_fdt *fdt, int parent, const char *name);
/* Absolute path lookup ("/", "/cpus", "/soc/uart@9000000"). */
int gz_fdt_path(const struct gz_fdt *fdt, const char *path);

/* Properties of @node: *cursor = 0 before the first call; returns GZ_FDT_OK and fills @prop,
 * then GZ_FDT_E_NOTFOUND after the last one. */
int gz_fdt_next_prop(const struct gz_fdt *fdt, int node, int *cursor, struct gz_fdt_prop *prop);
int gz_fdt_getprop(const struct gz_fdt *fdt, int node, const char *name, struct gz_fdt_prop *prop);
/* A property holding one 32-bit cell. */
int gz_fdt_getprop_u32(const struct gz_fdt *fdt, int node, const char *name, uint32_t *val);
/* True when @prop (a string list) contains @str as one of its NUL-terminated entries. */
bool gz_fdt_stringlist_contains(const struct gz_fdt_prop *prop, const char *str);

/* Reads @ncells (0..2) big-endian cells at @p into a 64-bit value. */
int gz_fdt_read_cells(const uint8_t *p, unsigned ncells, uint64_t *val);
/* #address-cells / #size-cells that @node gives its children (defaults 2 and 1). */
int gz_fdt_addr_cells(const struct gz_fdt *fdt, int node);
int gz_fdt_size_cells(const struct gz_fdt *fdt, int node);
/* Entry @idx of @node's "reg", decoded with its parent's cell counts. */
int gz_fdt_reg(const struct gz_fdt *fdt, int node, unsigned idx, uint64_t *addr, uint64_t *size);

/* The next node after @from (from the start when @from < 0) whose "compatible" lists @compat. */
int gz_fdt_find_compatible(const struct gz_fdt *fdt, int from, const char *compat);
/* Region @idx over all device_type = "memory" nodes' reg entries, in document order. */
int gz_fdt_find_memory(const struct gz_fdt *fdt, unsigned idx, uint64_t *base, uint64_t *size);
/* Entry @idx of the memory reservation block. */
int gz_fdt_rsv(const struct gz_fdt *fdt, unsigned idx, uint64_t *addr, uint64_t *size);
/* Number of device_type = "cpu" children of /cpus (GZ_FDT_E_NOTFOUND without /cpus). */
int gz_fdt_cpu_count(const struct gz_fdt *fdt);

/* A short fixed name for an error code (for console messages). */
const char *gz_fdt_strerror(int err);

#endif
