/*
 * Flattened device tree reader (see gzhyp/fdt.h). One tokenizer, next_token(), checks every
 * structure-block token it returns against the block's bounds; gz_fdt_check() runs it over the
 * whole tree once to validate nesting and ordering, and every other call goes through it again,
 * so even a node offset that did not come from this API cannot make a read leave the blob.
 */
#include <gzhyp/fdt.h>
#include <gzhyp/lib.h>

/* Header field offsets (all big-endian 32-bit). */
#define HDR_MAGIC	0
#define HDR_TOTALSIZE	4
#define HDR_OFF_STRUCT	8
#define HDR_OFF_STRINGS 12
#define HDR_OFF_RSVMAP	16
#define HDR_VERSION	20
#define HDR_LAST_COMP	24
#define HDR_BOOT_CPUID	28
#define HDR_SIZE_STRS	32
#define HDR_SIZE_STRUCT 36

#define RSV_ENTRY_SIZE 16U
#define TOKEN_SIZE     4U
#define PROP_HDR_SIZE  8U /* len, nameoff */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint32_t align4(uint32_t v)
{
	return (v + 3U) & ~3U;
}

/* Length of the NUL-terminated string at @p within @max bytes, or -1 when unterminated. */
static int64_t bounded_strlen(const uint8_t *p, uint32_t max)
{
	for (uint32_t i = 0; i < max; i++)
		if (p[i] == 0)
			return i;
	return -1;
}

static const uint8_t *sblock(const struct gz_fdt *fdt)
{
	return fdt->blob + fdt->off_struct;
}

/*
 * Decodes the token at structure offset @off. On success *tok is the token and *next the
 * offset of the one after it; for FDT_PROP, @prop (if not NULL) describes the property.
 */
static int next_token(const struct gz_fdt *fdt, uint32_t off, uint32_t *tok, uint32_t *next,
		      struct gz_fdt_prop *prop)
{
	const uint8_t *s = sblock(fdt);
	uint32_t end = fdt->size_struct;
	uint32_t len, nameoff;
	int64_t n;

	if ((off & 3U) || end < TOKEN_SIZE || off > end - TOKEN_SIZE)
		return GZ_FDT_E_BADSTRUCT;
	*tok = be32(s + off);
	off += TOKEN_SIZE;
	switch (*tok) {
	case GZ_FDT_BEGIN_NODE:
		n = bounded_strlen(s + off, end - off);
		if (n < 0)
			return GZ_FDT_E_BADSTRUCT;
		off = align4(off + (uint32_t)n + 1U);
		break;
	case GZ_FDT_PROP:
		if (end - off < PROP_HDR_SIZE)
			return GZ_FDT_E_BADSTRUCT;
		len = be32(s + off);
		nameoff = be32(s + off + 4);
		off += PROP_HDR_SIZE;
		if (len > end - off)
			return GZ_FDT_E_BADSTRUCT;
		if (nameoff >= fdt->size_strings ||
		    bounded_strlen(fdt->blob + fdt->off_strings + nameoff,
				   fdt->size_strings - nameoff) < 0)
			return GZ_FDT_E_BADSTRING;
		if (prop) {
			prop->name = (const char *)(fdt->blob + fdt->off_strings + nameoff);
			prop->data = s + off;
			prop->len = len;
		}
		off = align4(off + len);
		break;
	case GZ_FDT_END_NODE:
	case GZ_FDT_NOP:
	case GZ_FDT_END:
		break;
	default:
		return GZ_FDT_E_BADSTRUCT;
	}
	if (off > end)
		return GZ_FDT_E_BADSTRUCT;
	*next = off;
	return GZ_FDT_OK;
}

/* @node must be the offset of a FDT_BEGIN_NODE token; *after is the offset past it. */
static int node_token(const struct gz_fdt *fdt, int node, uint32_t *after)
{
	uint32_t off = (uint32_t)node, tok;

	if (node < 0 || (off & 3U) || fdt->size_struct < TOKEN_SIZE ||
	    off > fdt->size_struct - TOKEN_SIZE || be32(sblock(fdt) + off) != GZ_FDT_BEGIN_NODE)
		return GZ_FDT_E_BADARG;
	return next_token(fdt, off, &tok, after, NULL);
}

int gz_fdt_totalsize(const void *blob, size_t avail, uint32_t *totalsize)
{
	const uint8_t *b = blob;

	if (!b || avail < GZ_FDT_HEADER_SIZE)
		return GZ_FDT_E_TRUNCATED;
	if (be32(b + HDR_MAGIC) != GZ_FDT_MAGIC)
		return GZ_FDT_E_BADMAGIC;
	*totalsize = be32(b + HDR_TOTALSIZE);
	return GZ_FDT_OK;
}

/* [off, off + size) lies after the header and inside totalsize. */
static bool block_ok(uint32_t off, uint32_t size, uint32_t totalsize)
{
	return off >= GZ_FDT_HEADER_SIZE && (uint64_t)off + size <= totalsize;
}

static int check_header(struct gz_fdt *fdt, const uint8_t *b, size_t size)
{
	uint32_t ts, rsv_end;
	int rc;

	rc = gz_fdt_totalsize(b, size, &ts);
	if (rc < 0)
		return rc;
	if (ts > size)
		return GZ_FDT_E_TRUNCATED;
	if (ts < GZ_FDT_HEADER_SIZE || ts > (uint32_t)INT32_MAX)
		return GZ_FDT_E_BADLAYOUT;
	if (be32(b + HDR_VERSION) < GZ_FDT_VERSION || be32(b + HDR_LAST_COMP) > GZ_FDT_VERSION)
		return GZ_FDT_E_BADVERSION;
	fdt->blob = b;
	fdt->totalsize = ts;
	fdt->off_struct = be32(b + HDR_OFF_STRUCT);
	fdt->size_struct = be32(b + HDR_SIZE_STRUCT);
	fdt->off_strings = be32(b + HDR_OFF_STRINGS);
	fdt->size_strings = be32(b + HDR_SIZE_STRS);
	fdt->off_rsvmap = be32(b + HDR_OFF_RSVMAP);
	fdt->boot_cpuid = be32(b + HDR_BOOT_CPUID);
	if (!block_ok(fdt->off_struct, fdt->size_struct, ts) || (fdt->off_struct & 3U) ||
	    !block_ok(fdt->off_strings, fdt->size_strings, ts))
		return GZ_FDT_E_BADLAYOUT;
	/* Structure and strings must not share bytes: a name is never also a token. */
	if (fdt->size_strings && fdt->off_struct < fdt->off_strings + fdt->size_strings &&
	    fdt->off_strings < fdt->off_struct + fdt->size_struct)
		return GZ_FDT_E_BADLAYOUT;
	/* Reservation map: 8-aligned, terminated by an all-zero entry inside the blob. */
	if (!block_ok(fdt->off_rsvmap, 0, ts) || (fdt->off_rsvmap & 7U))
		return GZ_FDT_E_BADLAYOUT;
	for (rsv_end = fdt->off_rsvmap;; rsv_end += RSV_ENTRY_SIZE) {
		if (ts - rsv_end < RSV_ENTRY_SIZE)
			return GZ_FDT_E_BADLAYOUT;
		if (be64(b + rsv_end) == 0 && be64(b + rsv_end + 8) == 0)
			break;
	}
	return GZ_FDT_OK;
}

/* Walks the whole structure block: one root, balanced nodes, properties before subnodes,
 * bounded depth, FDT_END last. */
static int check_struct(const struct gz_fdt *fdt)
{
	uint64_t has_child = 0; /* bit d: the open node at depth d already has a subnode */
	uint32_t off = 0, tok;
	int depth = 0, rc;
	bool root_seen = false;

	for (;;) {
		rc = next_token(fdt, off, &tok, &off, NULL);
		if (rc < 0)
			return rc;
		switch (tok) {
		case GZ_FDT_BEGIN_NODE:
			if (depth == 0 && root_seen)
				return GZ_FDT_E_BADSTRUCT;
			if (depth >= GZ_FDT_MAX_DEPTH)
				return GZ_FDT_E_DEPTH;
			has_child |= 1ULL << depth;
			depth++;
			has_child &= ~(1ULL << depth);
			root_seen = true;
			break;
		case GZ_FDT_PROP:
			if (depth == 0 || (has_child & (1ULL << depth)))
				return GZ_FDT_E_BADSTRUCT;
			break;
		case GZ_FDT_END_NODE:
			if (depth == 0)
				return GZ_FDT_E_BADSTRUCT;
			depth--;
			break;
		case GZ_FDT_END:
			return (root_seen && depth == 0) ? GZ_FDT_OK : GZ_FDT_E_BADSTRUCT;
		default: /* GZ_FDT_NOP */
			break;
		}
	}
}

int gz_fdt_check(struct gz_fdt *fdt, const void *blob, size_t size)
{
	struct gz_fdt tmp;
	int rc;

	rc = check_header(&tmp, blob, size);
	if (rc == GZ_FDT_OK)
		rc = check_struct(&tmp);
	if (rc == GZ_FDT_OK)
		*fdt = tmp;
	return rc;
}

int gz_fdt_next_node(const struct gz_fdt *fdt, int node, int *depth)
{
	uint32_t off = 0, tok, next;
	int d = 0, rc;

	if (node >= 0) {
		rc = node_token(fdt, node, &off);
		if (rc < 0)
			return rc;
		d = *depth;
	}
	for (;;) {
		rc = next_token(fdt, off, &tok, &next, NULL);
		if (rc < 0)
			return rc;
		if (tok == GZ_FDT_BEGIN_NODE) {
			*depth = node >= 0 ? d + 1 : 0;
			return (int)off;
		}
		if (tok == GZ_FDT_END_NODE)
			d--;
		else if (tok == GZ_FDT_END)
			return GZ_FDT_E_NOTFOUND;
		off = next;
	}
}

int gz_fdt_next_subnode(const struct gz_fdt *fdt, int parent, int prev)
{
	int cur = prev < 0 ? parent : prev;
	int d = prev < 0 ? 0 : 1;
	int n;

	for (;;) {
		n = gz_fdt_next_node(fdt, cur, &d);
		if (n < 0)
			return n;
		if (d <= 0)
			return GZ_FDT_E_NOTFOUND;
		if (d == 1)
			return n;
		cur = n;
	}
}

int gz_fdt_parent(const struct gz_fdt *fdt, int node)
{
	int stack[GZ_FDT_MAX_DEPTH + 1];
	int d = 0, n, rc;
	uint32_t after;

	rc = node_token(fdt, node, &after);
	if (rc < 0)
		return rc;
	n = gz_fdt_next_node(fdt, -1, &d);
	if (n < 0)
		return n;
	if (n == node)
		return GZ_FDT_E_NOTFOUND;
	stack[0] = n;
	for (;;) {
		n = gz_fdt_next_node(fdt, n, &d);
		if (n < 0) /* @node is not reachable from the root */
			return n == GZ_FDT_E_NOTFOUND ? GZ_FDT_E_BADARG : n;
		/* gz_fdt_check bounded the depth; stay memory-safe regardless. */
		if (d < 1 || d > GZ_FDT_MAX_DEPTH)
			return GZ_FDT_E_DEPTH;
		stack[d] = n;
		if (n == node)
			return stack[d - 1];
	}
}

const char *gz_fdt_node_name(const struct gz_fdt *fdt, int node)
{
	uint32_t after;

	if (node_token(fdt, node, &after) < 0)
		return NULL;
	return (const char *)(sblock(fdt) + node + TOKEN_SIZE);
}

/* @name (a node name) matches the @len bytes at @comp: exactly, or as "comp@unit" when @comp
 * has no unit address itself. */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	bool comp_has_unit = false;

	for (size_t i = 0; i < len; i++)
		if (comp[i] == '@')
			comp_has_unit = true;
	if (gz_strncmp(name, comp, len) != 0)
		return false;
	return name[len] == 0 || (name[len] == '@' && !comp_has_unit);
}

static int subnode_n(const struct gz_fdt *fdt, int parent, const char *name, size_t len)
{
	int n = -1;

	for (;;) {
		n = gz_fdt_next_subnode(fdt, parent, n);
		if (n < 0)
			return n;
		if (name_matches(gz_fdt_node_name(fdt, n), name, len))
			return n;
	}
}

int gz_fdt_subnode(const struct gz_fdt *fdt, int parent, const char *name)
{
	return subnode_n(fdt, parent, name, gz_strlen(name));
}

int gz_fdt_path(const struct gz_fdt *fdt, const char *path)
{
	int d = 0, node;
	size_t len;

	if (!path || path[0] != '/')
		return GZ_FDT_E_BADARG;
	node = gz_fdt_next_node(fdt, -1, &d);
	while (node >= 0) {
		while (*path == '/')
			path++;
		if (*path == 0)
			break;
		for (len = 0; path[len] && path[len] != '/'; len++)
			;
		node = subnode_n(fdt, node, path, len);
		path += len;
	}
	return node;
}

int gz_fdt_next_prop(const struct gz_fdt *fdt, int node, int *cursor, struct gz_fdt_prop *prop)
{
	uint32_t off, tok, next;
	int rc;

	if (*cursor < 0)
		return GZ_FDT_E_BADARG;
	if (*cursor == 0) {
		rc = node_token(fdt, node, &off);
		if (rc < 0)
			return rc;
	} else {
		off = (uint32_t)*cursor;
	}
	for (;;) {
		rc = next_token(fdt, off, &tok, &next, prop);
		if (rc < 0)
			return rc;
		if (tok == GZ_FDT_PROP) {
			*cursor = (int)next;
			return GZ_FDT_OK;
		}
		if (tok != GZ_FDT_NOP)
			return GZ_FDT_E_NOTFOUND;
		off = next;
	}
}

int gz_fdt_getprop(const struct gz_fdt *fdt, int node, const char *name, struct gz_fdt_prop *prop)
{
	int cursor = 0, rc;

	for (;;) {
		rc = gz_fdt_next_prop(fdt, node, &cursor, prop);
		if (rc < 0)
			return rc;
		if (gz_strcmp(prop->name, name) == 0)
			return GZ_FDT_OK;
	}
}

int gz_fdt_getprop_u32(const struct gz_fdt *fdt, int node, const char *name, uint32_t *val)
{
	struct gz_fdt_prop p;
	int rc = gz_fdt_getprop(fdt, node, name, &p);

	if (rc < 0)
		return rc;
	if (p.len != 4)
		return GZ_FDT_E_BADVALUE;
	*val = be32(p.data);
	return GZ_FDT_OK;
}

bool gz_fdt_stringlist_contains(const struct gz_fdt_prop *prop, const char *str)
{
	uint32_t off = 0;
	int64_t n;

	while (off < prop->len) {
		n = bounded_strlen(prop->data + off, prop->len - off);
		if (n < 0)
			return false;
		if (gz_strcmp((const char *)prop->data + off, str) == 0)
			return true;
		off += (uint32_t)n + 1U;
	}
	return false;
}

int gz_fdt_read_cells(const uint8_t *p, unsigned ncells, uint64_t *val)
{
	if (ncells > GZ_FDT_MAX_CELLS)
		return GZ_FDT_E_BADCELLS;
	*val = ncells == 2 ? be64(p) : ncells == 1 ? be32(p) : 0;
	return GZ_FDT_OK;
}

static int cells(const struct gz_fdt *fdt, int node, const char *name, int dflt)
{
	uint32_t v;
	int rc = gz_fdt_getprop_u32(fdt, node, name, &v);

	if (rc == GZ_FDT_E_NOTFOUND)
		return dflt;
	if (rc == GZ_FDT_E_BADVALUE)
		return GZ_FDT_E_BADCELLS;
	if (rc < 0)
		return rc;
	return v > GZ_FDT_MAX_CELLS ? GZ_FDT_E_BADCELLS : (int)v;
}

int gz_fdt_addr_cells(const struct gz_fdt *fdt, int node)
{
	return cells(fdt, node, "#address-cells", 2);
}

int gz_fdt_size_cells(const struct gz_fdt *fdt, int node)
{
	return cells(fdt, node, "#size-cells", 1);
}

/* Decodes "reg" entry @idx of @node; *count gets the number of entries (0 without "reg"). */
static int reg_decode(const struct gz_fdt *fdt, int node, unsigned idx, uint64_t *addr,
		      uint64_t *size, unsigned *count)
{
	struct gz_fdt_prop p;
	int parent, ac, sc, rc;
	uint32_t entry;

	*count = 0;
	parent = gz_fdt_parent(fdt, node);
	if (parent < 0)
		return parent == GZ_FDT_E_NOTFOUND ? GZ_FDT_E_BADARG : parent;
	ac = gz_fdt_addr_cells(fdt, parent);
	if (ac < 0)
		return ac;
	sc = gz_fdt_size_cells(fdt, parent);
	if (sc < 0)
		return sc;
	rc = gz_fdt_getprop(fdt, node, "reg", &p);
	if (rc < 0)
		return rc;
	entry = (uint32_t)(ac + sc) * 4U;
	if (entry == 0 || p.len % entry)
		return GZ_FDT_E_BADVALUE;
	*count = p.len / entry;
	if (idx >= *count)
		return GZ_FDT_E_NOTFOUND;
	gz_fdt_read_cells(p.data + idx * entry, (unsigned)ac, addr);
	gz_fdt_read_cells(p.data + idx * entry + (uint32_t)ac * 4U, (unsigned)sc, size);
	return GZ_FDT_OK;
}

int gz_fdt_reg(const struct gz_fdt *fdt, int node, unsigned idx, uint64_t *addr, uint64_t *size)
{
	unsigned count;

	return reg_decode(fdt, node, idx, addr, size, &count);
}

static bool prop_has_string(const struct gz_fdt *fdt, int node, const char *prop, const char *str)
{
	struct gz_fdt_prop p;

	return gz_fdt_getprop(fdt, node, prop, &p) == GZ_FDT_OK &&
	       gz_fdt_stringlist_contains(&p, str);
}

int gz_fdt_find_compatible(const struct gz_fdt *fdt, int from, const char *compat)
{
	int d = 0, n = from;

	for (;;) {
		n = gz_fdt_next_node(fdt, n, &d);
		if (n < 0)
			return n;
		if (prop_has_string(fdt, n, "compatible", compat))
			return n;
	}
}

int gz_fdt_find_memory(const struct gz_fdt *fdt, unsigned idx, uint64_t *base, uint64_t *size)
{
	unsigned count;
	int d = 0, n = -1, rc;

	for (;;) {
		n = gz_fdt_next_node(fdt, n, &d);
		if (n < 0)
			return n;
		if (!prop_has_string(fdt, n, "device_type", "memory"))
			continue;
		rc = reg_decode(fdt, n, idx, base, size, &count);
		if (rc != GZ_FDT_E_NOTFOUND)
			return rc;
		idx -= count;
	}
}

int gz_fdt_rsv(const struct gz_fdt *fdt, unsigned idx, uint64_t *addr, uint64_t *size)
{
	uint64_t off = fdt->off_rsvmap;

	for (unsigned i = 0;; i++, off += RSV_ENTRY_SIZE) {
		if (off + RSV_ENTRY_SIZE > fdt->totalsize)
			return GZ_FDT_E_BADLAYOUT;
		*addr = be64(fdt->blob + off);
		*size = be64(fdt->blob + off + 8);
		if (*addr == 0 && *size == 0)
			return GZ_FDT_E_NOTFOUND;
		if (i == idx)
			return GZ_FDT_OK;
	}
}

int gz_fdt_cpu_count(const struct gz_fdt *fdt)
{
	int cpus = gz_fdt_path(fdt, "/cpus");
	int n = -1, count = 0;

	if (cpus < 0)
		return cpus;
	for (;;) {
		n = gz_fdt_next_subnode(fdt, cpus, n);
		if (n == GZ_FDT_E_NOTFOUND)
			return count;
		if (n < 0)
			return n;
		if (prop_has_string(fdt, n, "device_type", "cpu"))
			count++;
	}
}

const char *gz_fdt_strerror(int err)
{
	switch (err) {
	case GZ_FDT_OK:
		return "ok";
	case GZ_FDT_E_NOTFOUND:
		return "not found";
	case GZ_FDT_E_TRUNCATED:
		return "truncated";
	case GZ_FDT_E_BADMAGIC:
		return "bad magic";
	case GZ_FDT_E_BADVERSION:
		return "unsupported version";
	case GZ_FDT_E_BADLAYOUT:
		return "bad block layout";
	case GZ_FDT_E_BADSTRUCT:
		return "bad structure block";
	case GZ_FDT_E_BADSTRING:
		return "bad string offset";
	case GZ_FDT_E_DEPTH:
		return "nesting too deep";
	case GZ_FDT_E_BADVALUE:
		return "bad property value";
	case GZ_FDT_E_BADCELLS:
		return "bad #cells";
	case GZ_FDT_E_BADARG:
		return "bad argument";
	default:
		return "unknown error";
	}
}
