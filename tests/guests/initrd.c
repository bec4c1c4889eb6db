/* initrd: a raw image whose BSS and stacks extend far past its file finds its initrd and
 * device tree intact. It reads /chosen's linux,initrd-start/end from the device tree it got
 * in x0, hashes the initrd (FNV-1a) before and after writing all of its 1 MiB BSS, and checks
 * that neither the initrd nor the device tree overlaps what the image uses. A loader that
 * puts the initrd right after the file loses it to the BSS clearing at start-up. */
#include "common/guest.h"

#define FDT_MAGIC      0xd00dfeedU
#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE   2U
#define FDT_PROP       3U
#define FDT_NOP	       4U
#define FDT_END	       9U
#define BIG_BSS	       (1U << 20)

extern char _start[], __image_end[];
static uint8_t big_bss[BIG_BSS];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be_cells(const uint8_t *p, uint32_t len)
{
	return len == 8 ? (uint64_t)be32(p) << 32 | be32(p + 4) : be32(p);
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Finds /chosen's initrd range; false when the blob or the properties are missing. */
static bool fdt_initrd(const uint8_t *fdt, uint64_t *start, uint64_t *end, uint32_t *fdt_size)
{
	const uint8_t *p, *strings;
	uint32_t depth = 0, found = 0;
	bool in_chosen = false;

	if (be32(fdt) != FDT_MAGIC)
		return false;
	*fdt_size = be32(fdt + 4);
	p = fdt + be32(fdt + 8);
	strings = fdt + be32(fdt + 12);
	while (p + 4 <= fdt + *fdt_size) {
		uint32_t tok = be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			uint32_t n = 0;

			depth++;
			if (depth == 2)
				in_chosen = str_eq(name, "chosen");
			while (name[n])
				n++;
			p += (n + 4) & ~3U;
		} else if (tok == FDT_END_NODE) {
			if (depth == 2)
				in_chosen = false;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p), nameoff = be32(p + 4);
			const char *name = (const char *)strings + nameoff;

			if (in_chosen && str_eq(name, "linux,initrd-start")) {
				*start = be_cells(p + 8, len);
				found |= 1;
			} else if (in_chosen && str_eq(name, "linux,initrd-end")) {
				*end = be_cells(p + 8, len);
				found |= 2;
			}
			p += 8 + ((len + 3) & ~3U);
		} else if (tok != FDT_NOP) {
			break;
		}
	}
	return found == 3 && *end > *start;
}

static uint32_t fnv1a(const uint8_t *p, uint64_t n)
{
	uint32_t h = 2166136261U;

	for (uint64_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619U;
	return h;
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

void guest_main(unsigned cpu)
{
	const uint8_t *fdt = (const uint8_t *)guest_boot_x0;
	uint64_t start = 0, end = 0, img = (uint64_t)_start;
	uint64_t img_size = (uint64_t)__image_end - img;
	uint32_t fdt_size = 0, before, after;
	char line[64];
	unsigned n = 0;

	(void)cpu;
	if (!fdt || !fdt_initrd(fdt, &start, &end, &fdt_size)) {
		puts_("initrd: none in the device tree\n");
		return;
	}
	before = fnv1a((const uint8_t *)start, end - start);
	while (n < sizeof(line) - 1 && start + n < end && ((const char *)start)[n] != '\n') {
		line[n] = ((const char *)start)[n];
		n++;
	}
	line[n] = 0;
	printf_("initrd: %lu bytes, fnv1a %x\n", end - start, before);
	printf_("initrd: first line '%s'\n", line);
	printf_("initrd clear of the image's BSS and stacks: %s\n",
		overlaps(start, end - start, img, img_size) ? "no" : "yes");
	printf_("device tree clear of the image and the initrd: %s\n",
		overlaps((uint64_t)fdt, fdt_size, img, img_size) ||
			overlaps((uint64_t)fdt, fdt_size, start, end - start)
		    ? "no"
		    : "yes");
	for (uint32_t i = 0; i < BIG_BSS; i++)
		big_bss[i] = (uint8_t)(i * 7 + 1);
	after = fnv1a((const uint8_t *)start, end - start);
	printf_("initrd intact after the BSS (%u bytes) was written: %s\n", BIG_BSS,
		after == before && big_bss[BIG_BSS - 1] == (uint8_t)((BIG_BSS - 1) * 7 + 1) ? "yes"
											    : "no");
	puts_("bye\n");
}
