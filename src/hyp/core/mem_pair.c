/*
 * The two-VM share (gzhyp/mem.h): a channel's bulk region, host pages that leave the host and
 * are mapped in two VMs at once, and their return to the host when either VM goes. The only
 * transition in which a page is mapped in two guests' stage 2s; the store records it as
 * VM_SHARED with a pair slot naming its owner and its borrower (gzhyp/pgstate.h).
 */
#include <gzabi/status.h>
#include <hal.h>

#include "mem_priv.h"

/* Never executable: the region carries data, and neither VM can put code into the other. */
#define PAIR_PROT GZ_PROT_RW

/* Every page of [pa, pa + nr) the host's own, not shared, lent nor given, and one the
 * hypervisor can scrub: 0 or a status. */
static int check_host_pages(gz_pa_t pa, uint64_t nr)
{
	int ret = gz_mem_check_pages(pa, nr, GZ_OWNER_HOST, GZ_PAGE_OWNED);

	for (uint64_t i = 0; !ret && i < nr; i++)
		if (!gz_hal_pa_to_va(pa + (i << GZ_PAGE_SHIFT)))
			ret = GZ_ERR_OUT_OF_RANGE;
	return ret;
}

/* [ipa, ipa + nr) usable for a share in @m: 0 or a status; *@range the free record. */
static int check_ipas(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr,
		      struct gz_mem_peer_range **range)
{
	int ret;

	ret = gz_mem_check_live_ipas(m, ipa, nr);
	if (ret)
		return ret;
	if (gz_mem_ipa_taken(m, GZ_MEMSLOT_MAX, ipa, nr))
		return GZ_ERR_ALREADY_EXISTS;
	for (uint64_t i = 0; i < nr; i++)
		if (gz_pgt_translate(&m->s2, ipa + (i << GZ_PAGE_SHIFT), NULL, NULL, NULL) == GZ_OK)
			return GZ_ERR_ALREADY_EXISTS;
	*range = NULL;
	for (unsigned i = 0; !*range && i < GZ_MEM_PEER_MAX; i++)
		if (!m->peer_ranges[i].nr)
			*range = &m->peer_ranges[i];
	return *range ? GZ_OK : GZ_ERR_NO_RESOURCES;
}

/* Unmap the whole share from @m (mapped there exactly, so no block is split). */
static void unmap_share(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr)
{
	if (m->state == GZ_VM_MEM_LIVE && gz_pgt_unmap(&m->s2, ipa, nr << GZ_PAGE_SHIFT))
		gz_hal_panic("mem: unmapping a two-VM share failed");
}

/* The share's pages back to the host, zeroed (either VM may have written them). Mapped in
 * no VM any more. */
static void return_pages(gz_pa_t pa, uint64_t nr)
{
	gz_mem_scrub(pa, nr);
	gz_pgstate_set(pa, nr, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	for (uint64_t i = 0; i < nr; i++)
		gz_host_s2_regroup(&gz_mem_g.host_s2, pa + (i << GZ_PAGE_SHIFT));
}

static void forget_range(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr)
{
	for (unsigned i = 0; i < GZ_MEM_PEER_MAX; i++) {
		if (m->peer_ranges[i].nr && m->peer_ranges[i].ipa == ipa) {
			m->peer_ranges[i] = (struct gz_mem_peer_range){0};
			m->peer_pages -= nr;
			return;
		}
	}
	gz_hal_panic("mem: revoking a two-VM share a VM does not map");
}

int gz_mem_host_give_pair(struct gz_vm_mem *a, gz_ipa_t ipa_a, struct gz_vm_mem *b, gz_ipa_t ipa_b,
			  gz_pa_t pa, uint64_t nr, unsigned slot)
{
	struct gz_mem_peer_range *ra, *rb;
	int ret;

	if (a == b || slot >= GZ_PGSTATE_PAIRS || !nr || nr > GZ_MEM_PEER_PAGES_MAX)
		return GZ_ERR_INVALID_ARGS;
	if (!gz_mem_g.ready)
		return GZ_ERR_BAD_STATE;
	gz_mem_lock();
	ret = check_host_pages(pa, nr);
	if (!ret)
		ret = check_ipas(a, ipa_a, nr, &ra);
	if (!ret)
		ret = check_ipas(b, ipa_b, nr, &rb);
	if (ret)
		goto out;
	/* The host loses the pages before they are zeroed and before either VM can write them:
	 * nothing a guest puts there is ever readable by the host. */
	gz_pgstate_pair_name(slot, a->owner, b->owner);
	gz_pgstate_set_pair(pa, nr, slot);
	gz_host_s2_unmap(&gz_mem_g.host_s2, pa, nr);
	gz_mem_scrub(pa, nr);
	ret = gz_pgt_map(&a->s2, ipa_a, pa, nr << GZ_PAGE_SHIFT, PAIR_PROT);
	if (!ret) {
		ret = gz_pgt_map(&b->s2, ipa_b, pa, nr << GZ_PAGE_SHIFT, PAIR_PROT);
		if (ret)
			unmap_share(a, ipa_a, nr);
	}
	if (ret) {
		/* A VM running meanwhile may have written them: zeroed again on the way back. */
		return_pages(pa, nr);
		goto out;
	}
	*ra = (struct gz_mem_peer_range){ipa_a, nr};
	*rb = (struct gz_mem_peer_range){ipa_b, nr};
	a->peer_pages += nr;
	b->peer_pages += nr;
out:
	gz_mem_unlock();
	return ret;
}

void gz_mem_pair_revoke(struct gz_vm_mem *a, gz_ipa_t ipa_a, struct gz_vm_mem *b, gz_ipa_t ipa_b,
			gz_pa_t pa, uint64_t nr)
{
	gz_mem_lock();
	for (uint64_t i = 0; i < nr; i++) {
		gz_pa_t p = pa + (i << GZ_PAGE_SHIFT);

		if (gz_pgstate_state(p) != GZ_PAGE_VM_SHARED || gz_pgstate_owner(p) != a->owner ||
		    gz_pgstate_vm_borrower(p) != b->owner)
			gz_hal_panic("mem: a two-VM share the store does not record");
	}
	/* Both stage 2s first (their TLB entries with them): no VM reaches a page the host
	 * gets back, and no VM keeps one the other lost. */
	unmap_share(a, ipa_a, nr);
	unmap_share(b, ipa_b, nr);
	forget_range(a, ipa_a, nr);
	forget_range(b, ipa_b, nr);
	return_pages(pa, nr);
	gz_mem_unlock();
}
