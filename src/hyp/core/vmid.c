/*
 * VMID allocator with generations (gzhyp/vmid.h). A VM's id is generation << 16 | vmid. When a
 * generation has no free VMID left, the generation advances, all guest TLB entries are
 * invalidated and the VMIDs running on each CPU at that moment stay reserved for their VMs,
 * which keep them into the new generation; every other VM gets a new VMID when it next runs.
 */
#include <gzhyp/vmid.h>
#include <arm64/vtcr.h>
#include <gzabi/status.h>

#define ID_VMID(id) ((uint16_t)((id)&0xffff))
#define ID_GEN(id)  ((id) >> 16)

static bool used_test(const struct gz_vmid_alloc *a, unsigned v)
{
	return a->used[v / 64] & (1ULL << (v % 64));
}

static void used_set(struct gz_vmid_alloc *a, unsigned v)
{
	a->used[v / 64] |= 1ULL << (v % 64);
}

static void used_clear(struct gz_vmid_alloc *a, unsigned v)
{
	a->used[v / 64] &= ~(1ULL << (v % 64));
}

int gz_vmid_alloc_init(struct gz_vmid_alloc *a, unsigned bits)
{
	if (!a || (bits != 8 && bits != 16))
		return GZ_ERR_INVALID_ARGS;
	*a = (struct gz_vmid_alloc){.lock = GZ_LOCK_INIT, .bits = bits, .generation = 1, .next = 1};
	used_set(a, GZ_VMID_HOST);
	return GZ_OK;
}

static uint64_t make_id(const struct gz_vmid_alloc *a, unsigned v)
{
	return a->generation << 16 | v;
}

static void rollover(struct gz_vmid_alloc *a)
{
	a->generation++;
	a->rollovers++;
	for (unsigned i = 0; i < GZ_ARRAY_SIZE(a->used); i++)
		a->used[i] = 0;
	used_set(a, GZ_VMID_HOST);
	for (unsigned cpu = 0; cpu < GZ_MAX_PCPUS; cpu++) {
		uint64_t id = a->active[cpu];

		/* A CPU that has not entered a guest since the last rollover keeps its
		 * reservation: its TLB may still hold that VMID. */
		if (!id)
			id = a->reserved[cpu];
		a->active[cpu] = 0;
		a->reserved[cpu] = id;
		if (id)
			used_set(a, ID_VMID(id));
	}
	a->next = 1;
	gz_hal_tlbi_all_vmids();
}

/* Was @id live on a CPU at the last rollover? Then its VM keeps the VMID. */
static bool keep_reserved(struct gz_vmid_alloc *a, uint64_t id, uint64_t new_id)
{
	bool hit = false;

	for (unsigned cpu = 0; cpu < GZ_MAX_PCPUS; cpu++) {
		if (a->reserved[cpu] == id) {
			a->reserved[cpu] = new_id;
			hit = true;
		}
	}
	return hit;
}

static bool find_free(struct gz_vmid_alloc *a, unsigned *out)
{
	unsigned nr = 1u << a->bits;

	for (unsigned n = 0; n < nr; n++) {
		unsigned v = (a->next + n) % nr;

		if (!used_test(a, v)) {
			*out = v;
			return true;
		}
	}
	return false;
}

static uint64_t new_id(struct gz_vmid_alloc *a, uint64_t old)
{
	unsigned v;

	if (old) {
		uint64_t id = make_id(a, ID_VMID(old));

		if (keep_reserved(a, old, id))
			return id;
		/* Keep the number if nobody took it in this generation. */
		if (!used_test(a, ID_VMID(old))) {
			used_set(a, ID_VMID(old));
			return id;
		}
	}
	if (!find_free(a, &v)) {
		rollover(a);
		/* At most GZ_MAX_PCPUS + 1 VMIDs are reserved, far fewer than 2^8. */
		if (!find_free(a, &v))
			gz_hal_panic("vmid: no VMID free after rollover");
	}
	used_set(a, v);
	a->next = v + 1;
	return make_id(a, v);
}

uint16_t gz_vmid_enter(struct gz_vmid_alloc *a, struct gz_vmid *vmid, unsigned cpu)
{
	uint64_t id;

	if (cpu >= GZ_MAX_PCPUS)
		gz_hal_panic("vmid: CPU index out of range");
	gz_hal_lock(&a->lock);
	id = vmid->id;
	if (!id || ID_GEN(id) != a->generation) {
		id = new_id(a, id);
		vmid->id = id;
	}
	a->active[cpu] = id;
	gz_hal_unlock(&a->lock);
	return ID_VMID(id);
}

void gz_vmid_release(struct gz_vmid_alloc *a, struct gz_vmid *vmid)
{
	uint64_t id = vmid->id;

	if (!id)
		return;
	gz_hal_lock(&a->lock);
	gz_hal_tlbi_vmid(ID_VMID(id));
	for (unsigned cpu = 0; cpu < GZ_MAX_PCPUS; cpu++) {
		if (a->active[cpu] == id)
			a->active[cpu] = 0;
		if (a->reserved[cpu] == id)
			a->reserved[cpu] = 0;
	}
	if (ID_GEN(id) == a->generation)
		used_clear(a, ID_VMID(id));
	vmid->id = 0;
	gz_hal_unlock(&a->lock);
}

uint64_t gz_vmid_vtcr_vs(const struct gz_vmid_alloc *a)
{
	return a->bits == 16 ? ARCH_VTCR_VS : 0;
}
