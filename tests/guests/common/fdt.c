/* The test guests' device-tree reader (fdt.h). */
#include "fdt.h"

#define FDT_MAGIC      0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP	       4

uint32_t fdt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t fdt_be64(const uint8_t *p)
{
	return (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4);
}

bool fdt_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

bool fdt_walk(const void *blob, const struct fdt_visitor *v, void *ctx)
{
	const uint8_t *fdt = blob, *p, *strings, *end;

	if (!fdt || fdt_be32(fdt) != FDT_MAGIC)
		return false;
	end = fdt + fdt_be32(fdt + 4);
	p = fdt + fdt_be32(fdt + 8);
	strings = fdt + fdt_be32(fdt + 12);
	while (p + 4 <= end) {
		uint32_t tok = fdt_be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			uint32_t n = 0;

			while (p[n])
				n++;
			p += (n + 4) & ~3U;
			v->begin(ctx);
		} else if (tok == FDT_END_NODE) {
			if (v->end(ctx))
				return true;
		} else if (tok == FDT_PROP) {
			uint32_t len = fdt_be32(p);

			v->prop(ctx, (const char *)strings + fdt_be32(p + 4), p + 8, len);
			p += 8 + ((len + 3) & ~3U);
		} else if (tok != FDT_NOP) {
			break;
		}
	}
	return false;
}

struct reg_find {
	const char *compat;
	bool match, have_reg;
	uint64_t addr, size;
};

static void reg_begin(void *ctx)
{
	struct reg_find *f = ctx;

	f->match = f->have_reg = false;
}

static void reg_prop(void *ctx, const char *name, const uint8_t *val, uint32_t len)
{
	struct reg_find *f = ctx;

	if (fdt_streq(name, "compatible")) {
		f->match = fdt_streq((const char *)val, f->compat);
	} else if (fdt_streq(name, "reg") && len >= 16) {
		f->addr = fdt_be64(val);
		f->size = fdt_be64(val + 8);
		f->have_reg = true;
	}
}

static bool reg_end(void *ctx)
{
	struct reg_find *f = ctx;
	bool found = f->match && f->have_reg;

	f->match = f->have_reg = false;
	return found;
}

bool fdt_find_reg(const void *blob, const char *compat, uint64_t *addr, uint64_t *size)
{
	static const struct fdt_visitor v = {reg_begin, reg_prop, reg_end};
	struct reg_find f = {compat, false, false, 0, 0};

	if (!fdt_walk(blob, &v, &f))
		return false;
	*addr = f.addr;
	*size = f.size;
	return true;
}
