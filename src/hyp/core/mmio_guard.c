/* MMIO guard ranges (gzhyp/mmio_guard.h). */
#include <gzabi/status.h>
#include <gzhyp/mmio_guard.h>

int gz_mmio_guard_enroll(struct gz_mmio_guard *g)
{
	if (g->enrolled)
		return GZ_ERR_ALREADY_EXISTS;
	g->enrolled = true;
	return GZ_OK;
}

/* The range holding @ipa, or -1. */
static int find(const struct gz_mmio_guard *g, gz_ipa_t ipa)
{
	for (unsigned i = 0; i < g->nr; i++)
		if (ipa >= g->r[i].base && ipa < g->r[i].end)
			return (int)i;
	return -1;
}

static void remove_at(struct gz_mmio_guard *g, unsigned i)
{
	g->r[i] = g->r[--g->nr];
}

int gz_mmio_guard_map(struct gz_mmio_guard *g, gz_ipa_t ipa)
{
	gz_ipa_t end = ipa + GZ_PAGE_SIZE;
	int left = -1, right = -1;

	if (!g->enrolled)
		return GZ_ERR_BAD_STATE;
	if (find(g, ipa) >= 0)
		return GZ_OK;
	for (unsigned i = 0; i < g->nr; i++) {
		if (g->r[i].end == ipa)
			left = (int)i;
		if (g->r[i].base == end)
			right = (int)i;
	}
	if (left >= 0 && right >= 0) {
		g->r[left].end = g->r[right].end;
		remove_at(g, (unsigned)right);
	} else if (left >= 0) {
		g->r[left].end = end;
	} else if (right >= 0) {
		g->r[right].base = ipa;
	} else {
		if (g->nr == GZ_MMIO_GUARD_MAX_RANGES)
			return GZ_ERR_NO_RESOURCES;
		g->r[g->nr].base = ipa;
		g->r[g->nr].end = end;
		g->nr++;
	}
	return GZ_OK;
}

int gz_mmio_guard_unmap(struct gz_mmio_guard *g, gz_ipa_t ipa)
{
	gz_ipa_t end = ipa + GZ_PAGE_SIZE;
	int i;

	if (!g->enrolled)
		return GZ_ERR_BAD_STATE;
	i = find(g, ipa);
	if (i < 0)
		return GZ_ERR_NOT_FOUND;
	if (g->r[i].base == ipa && g->r[i].end == end) {
		remove_at(g, (unsigned)i);
	} else if (g->r[i].base == ipa) {
		g->r[i].base = end;
	} else if (g->r[i].end == end) {
		g->r[i].end = ipa;
	} else {
		/* The middle of a range: its upper part needs a slot of its own. */
		if (g->nr == GZ_MMIO_GUARD_MAX_RANGES)
			return GZ_ERR_NO_RESOURCES;
		g->r[g->nr].base = end;
		g->r[g->nr].end = g->r[i].end;
		g->nr++;
		g->r[i].end = ipa;
	}
	return GZ_OK;
}

bool gz_mmio_guard_allows(const struct gz_mmio_guard *g, gz_ipa_t ipa)
{
	return !g->enrolled || find(g, ipa) >= 0;
}
