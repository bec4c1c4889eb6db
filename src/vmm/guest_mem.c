/* Guest RAM regions and bounds-checked guest-physical to host translation. */
#include "guest_mem.h"

int vmm_mem_add(struct vmm_mem *m, uint64_t gpa, uint64_t size, void *hva)
{
	if (m->n >= VMM_MAX_SLOTS || size == 0 || !hva || gpa + size < gpa)
		return -1;
	for (unsigned i = 0; i < m->n; i++)
		if (vmm_range_overlap(gpa, size, m->r[i].gpa, m->r[i].size))
			return -1;
	m->r[m->n].gpa = gpa;
	m->r[m->n].size = size;
	m->r[m->n].hva = hva;
	m->n++;
	return 0;
}

void *vmm_mem_ptr(const struct vmm_mem *m, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		len = 1;
	for (unsigned i = 0; i < m->n; i++) {
		const struct vmm_mem_region *r = &m->r[i];

		if (gpa < r->gpa)
			continue;
		uint64_t off = gpa - r->gpa;

		if (off >= r->size || len > r->size - off)
			continue;
		return r->hva + off;
	}
	return NULL;
}

bool vmm_mem_contains(const struct vmm_mem *m, uint64_t gpa, uint64_t len)
{
	return vmm_mem_ptr(m, gpa, len) != NULL;
}

const struct vmm_mem_region *vmm_mem_ram(const struct vmm_mem *m)
{
	const struct vmm_mem_region *best = NULL;

	for (unsigned i = 0; i < m->n; i++)
		if (!best || m->r[i].gpa < best->gpa)
			best = &m->r[i];
	return best;
}
