/* The canonical description of a VM's memory and devices in its device tree
 * (gzhyp/fdt_vmdesc.h): what pvmfw and gz-sign both hash. */
#include <gzcrypto/sha2.h>
#include <gzhyp/fdt_vmdesc.h>
#include <gzhyp/lib.h>

static void put_le32(struct gzcrypto_sha256 *c, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	gzcrypto_sha256_update(c, b, sizeof(b));
}

static void put_le64(struct gzcrypto_sha256 *c, uint64_t v)
{
	put_le32(c, (uint32_t)v);
	put_le32(c, (uint32_t)(v >> 32));
}

static bool is_memory(const struct gz_fdt *fdt, int node)
{
	struct gz_fdt_prop p;

	return gz_fdt_getprop(fdt, node, "device_type", &p) == GZ_FDT_OK &&
	       gz_fdt_stringlist_contains(&p, "memory");
}

/* reg's entries in order; 0 entries without reg. */
static int put_reg(struct gzcrypto_sha256 *c, const struct gz_fdt *fdt, int node)
{
	uint64_t a, s;
	unsigned n = 0;
	int rc;

	while ((rc = gz_fdt_reg(fdt, node, n, &a, &s)) == GZ_FDT_OK)
		n++;
	if (rc != GZ_FDT_E_NOTFOUND)
		return rc;
	put_le32(c, n);
	for (unsigned i = 0; i < n; i++) {
		gz_fdt_reg(fdt, node, i, &a, &s);
		put_le64(c, a);
		put_le64(c, s);
	}
	return GZ_FDT_OK;
}

int gz_vmdesc_device(const struct gz_fdt *fdt, int node, uint8_t out[32])
{
	struct gzcrypto_sha256 c;
	struct gz_fdt_prop p;
	int rc;

	rc = gz_fdt_getprop(fdt, node, "compatible", &p);
	if (rc != GZ_FDT_OK)
		return rc;
	gzcrypto_sha256_init(&c);
	put_le32(&c, p.len);
	gzcrypto_sha256_update(&c, p.data, p.len);
	rc = put_reg(&c, fdt, node);
	if (rc != GZ_FDT_OK)
		return rc;
	rc = gz_fdt_getprop(fdt, node, "interrupts", &p);
	if (rc == GZ_FDT_E_NOTFOUND)
		p.len = 0;
	else if (rc != GZ_FDT_OK)
		return rc;
	else if (p.len % 4)
		return GZ_FDT_E_BADVALUE;
	put_le32(&c, p.len / 4);
	for (uint32_t i = 0; i < p.len; i += 4)
		put_le32(&c, (uint32_t)p.data[i] << 24 | (uint32_t)p.data[i + 1] << 16 |
				 (uint32_t)p.data[i + 2] << 8 | p.data[i + 3]);
	gzcrypto_sha256_final(&c, out);
	return GZ_FDT_OK;
}

/* Inserts (base, size) into the sorted ranges of @d. */
static int add_range(struct gz_vmdesc *d, uint64_t base, uint64_t size)
{
	unsigned i = d->nmem;

	if (d->nmem == GZ_VMDESC_MAX_MEMORY)
		return GZ_FDT_E_BADVALUE;
	while (i > 0 && (d->mem_base[i - 1] > base ||
			 (d->mem_base[i - 1] == base && d->mem_size[i - 1] > size))) {
		d->mem_base[i] = d->mem_base[i - 1];
		d->mem_size[i] = d->mem_size[i - 1];
		i--;
	}
	d->mem_base[i] = base;
	d->mem_size[i] = size;
	d->nmem++;
	return GZ_FDT_OK;
}

static int add_memory(struct gz_vmdesc *d, const struct gz_fdt *fdt, int node)
{
	uint64_t a, s;
	int rc;

	for (unsigned i = 0; (rc = gz_fdt_reg(fdt, node, i, &a, &s)) == GZ_FDT_OK; i++) {
		rc = add_range(d, a, s);
		if (rc != GZ_FDT_OK)
			return rc;
	}
	return rc == GZ_FDT_E_NOTFOUND ? GZ_FDT_OK : rc;
}

/* Inserts the record digest @h into the sorted @list of @n. */
static void add_sorted(uint8_t (*list)[32], unsigned n, const uint8_t h[32])
{
	unsigned i = n;

	while (i > 0 && gz_memcmp(list[i - 1], h, 32) > 0) {
		gz_memcpy(list[i], list[i - 1], 32);
		i--;
	}
	gz_memcpy(list[i], h, 32);
}

int gz_vmdesc_read(struct gz_vmdesc *d, const struct gz_fdt *fdt)
{
	uint8_t list[GZ_VMDESC_MAX_DEVICES][32], h[32];
	struct gzcrypto_sha256 c;
	struct gz_fdt_prop p;
	int node = -1, depth = 0, rc = GZ_FDT_OK;

	gz_memset(d, 0, sizeof(*d));
	while ((node = gz_fdt_next_node(fdt, node, &depth)) >= 0) {
		if (depth == 0)
			continue;
		if (is_memory(fdt, node)) {
			rc = add_memory(d, fdt, node);
		} else if (gz_fdt_getprop(fdt, node, "compatible", &p) != GZ_FDT_OK) {
			continue;
		} else if (d->ndevices == GZ_VMDESC_MAX_DEVICES) {
			rc = GZ_FDT_E_BADVALUE;
		} else {
			rc = gz_vmdesc_device(fdt, node, h);
			if (rc == GZ_FDT_OK)
				add_sorted(list, d->ndevices++, h);
		}
		if (rc != GZ_FDT_OK)
			return rc;
	}
	if (node != GZ_FDT_E_NOTFOUND)
		return node;
	gzcrypto_sha256_init(&c);
	for (unsigned i = 0; i < d->nmem; i++) {
		put_le64(&c, d->mem_base[i]);
		put_le64(&c, d->mem_size[i]);
	}
	gzcrypto_sha256_final(&c, d->memory_sha256);
	gzcrypto_sha256(d->devices_sha256, list, (size_t)d->ndevices * 32);
	return GZ_FDT_OK;
}
