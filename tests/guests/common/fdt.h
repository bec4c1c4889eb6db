/* The test guests' device-tree reader: one walk over a flattened blob that hands each node's
 * properties to a visitor, for the few lookups guests make (channel ends, the bounce pool). */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include "guest.h"

struct fdt_visitor {
	void (*begin)(void *ctx); /* a node starts */
	void (*prop)(void *ctx, const char *name, const uint8_t *val, uint32_t len);
	bool (*end)(void *ctx); /* a node ends: true stops the walk */
};

/* Walks the blob at @blob; true if a visitor's end() stopped it, false at its end or on a
 * blob that is not a device tree. */
bool fdt_walk(const void *blob, const struct fdt_visitor *v, void *ctx);
uint32_t fdt_be32(const uint8_t *p);
uint64_t fdt_be64(const uint8_t *p);
bool fdt_streq(const char *a, const char *b);
/* reg (two address and two size cells) of the first node compatible with @compat. */
bool fdt_find_reg(const void *blob, const char *compat, uint64_t *addr, uint64_t *size);

#endif
