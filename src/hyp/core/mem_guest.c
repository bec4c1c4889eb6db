/* Copies between the hypervisor and guest RAM by IPA (gzhyp/mem_guest.h): a check pass over
 * every page, then the copy through the per-CPU fixmap, both under the memory lock. */
#include <gzabi/status.h>
#include <gzhyp/lib.h>
#include <gzhyp/mem_guest.h>
#include <hal.h>

#include "mem_priv.h"

/* The hypervisor's own invariants: a guest maps only pages it holds, and those are RAM. */
static void must(bool ok, const char *what)
{
	if (!ok)
		gz_hal_panic(what);
}

/* Whether every page of [ipa, ipa + len) is mapped, held by the VM and, for @write,
 * writable in its stage 2. Under the lock. */
static int check_range(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t len, bool write)
{
	gz_ipa_t end, page;

	/* A dying VM's stage 2 is gone (its IPA size with it). */
	if (m->state != GZ_VM_MEM_LIVE)
		return GZ_ERR_NOT_ALLOWED;
	if (!gz_range_end(ipa, len, &end) || end > (1ULL << m->s2.ia_bits))
		return GZ_ERR_OUT_OF_RANGE;
	for (page = GZ_ALIGN_DOWN(ipa, GZ_PAGE_SIZE); page < end; page += GZ_PAGE_SIZE) {
		uint32_t prot;
		gz_pa_t pa;

		if (gz_pgt_translate(&m->s2, page, &pa, &prot, NULL) != GZ_OK)
			return GZ_ERR_NOT_FOUND;
		must(gz_mem_held_by(m, pa), "mem_guest: a guest maps a page it does not hold");
		if (write && !(prot & GZ_PROT_W))
			return GZ_ERR_ACCESS_DENIED;
	}
	return GZ_OK;
}

static int copy(struct gz_vm_mem *m, gz_ipa_t ipa, uint8_t *hyp, uint64_t len, bool write)
{
	int ret;

	if (!len)
		return GZ_OK;
	gz_mem_lock();
	ret = check_range(m, ipa, len, write);
	while (ret == GZ_OK && len) {
		uint64_t off = ipa & (GZ_PAGE_SIZE - 1), chunk = GZ_MIN(len, GZ_PAGE_SIZE - off);
		gz_pa_t pa;
		uint8_t *page;

		gz_pgt_translate(&m->s2, ipa, &pa, NULL, NULL);
		page = gz_hal_fixmap(pa - off);
		must(page != NULL, "mem_guest: a page the VM holds is not RAM");
		if (write)
			gz_memcpy(page + off, hyp, chunk);
		else
			gz_memcpy(hyp, page + off, chunk);
		gz_hal_fixunmap(page);
		hyp += chunk;
		ipa += chunk;
		len -= chunk;
	}
	gz_mem_unlock();
	return ret;
}

int gz_mem_guest_read(struct gz_vm_mem *m, gz_ipa_t ipa, void *dst, uint64_t len)
{
	return copy(m, ipa, dst, len, false);
}

int gz_mem_guest_write(struct gz_vm_mem *m, gz_ipa_t ipa, const void *src, uint64_t len)
{
	return copy(m, ipa, (uint8_t *)src, len, true);
}
