/*
 * Stage-2 translation of a VM on the page-table engine (gzhyp/pgtable.h): init with the IPA and
 * PA sizes, and the values of VTCR_EL2 and VTTBR_EL2 that make the hardware (or the
 * simulator) walk these tables. The map/unmap/protect/translate/collapse calls are the
 * generic gz_pgt_* ones.
 *
 * Start level and concatenation (4 KiB granule): the engine uses the fewest levels whose
 * start level needs at most 16 concatenated tables, as VTCR_EL2 allows:
 *   IPA 32..34: start level 2, 4/8/16 concatenated tables
 *   IPA 35..39: start level 1, one table
 *   IPA 40..43: start level 1, 2/4/8/16 concatenated tables
 *   IPA 44..48: start level 0, one table
 * When the mm ops have no zalloc_contig it starts one level deeper instead where the
 * architecture allows it (see gz_s2pt_geometry), else init fails with GZ_ERR_NOT_SUPPORTED. A
 * walker recovers both from VTCR alone: T0SZ = 64 - IPA bits, SL0 (4 KiB granule) 0 = level 2, 1 =
 * level 1, 2 = level 0.
 */
#ifndef GZ_S2PT_H
#define GZ_S2PT_H

#include <gzhyp/pgtable.h>

#define GZ_S2PT_IPA_MIN 32
#define GZ_S2PT_IPA_MAX 48

/* @ipa_bits 32..48, @pa_bits 32..48 with ipa_bits <= the PA range VTCR.PS gives (pa_bits
 * rounded up to 32/36/40/42/44/48). GZ_ERR_INVALID_ARGS, GZ_ERR_NO_MEMORY. */
int gz_s2pt_init(struct gz_pgt *pgt, unsigned ipa_bits, unsigned pa_bits, uint16_t vmid,
		 const struct gz_pgt_mm_ops *mm);
/* VTCR_EL2 for these tables: T0SZ, SL0, IRGN0/ORGN0 = write-back write-allocate,
 * SH0 = inner shareable, TG0 = 4 KiB, PS from pa_bits, RES1 bit 31. VS (16-bit VMIDs) is
 * not set here: OR in gz_vmid_vtcr_vs() of the VMID allocator. */
uint64_t gz_s2pt_vtcr(const struct gz_pgt *pgt);
/* VTTBR_EL2: root PA | VMID << 48. */
uint64_t gz_s2pt_vttbr(const struct gz_pgt *pgt);
/* The VMID changed (new generation): later TLB maintenance uses @vmid. */
void gz_s2pt_set_vmid(struct gz_pgt *pgt, uint16_t vmid);
/* The start level and concatenation gz_s2pt_init picks for @ipa_bits with output size
 * @pa_bits, when concatenation is possible (@can_concat) or not. Without concatenation IPA
 * 32..34 start at level 1, and IPA 40..43 at level 0 only when the PA range is 44 bits or
 * more (the architecture forbids a level-0 start below that); false means "not possible". */
bool gz_s2pt_geometry(unsigned ipa_bits, unsigned pa_bits, bool can_concat, unsigned *start_level,
		      unsigned *nr_roots);

/* EL2 stage 1 (s1pt_el2.c): @va_bits 32..48, TTBR0_EL2 = root_pa; prot must include R. */
int gz_s1pt_el2_init(struct gz_pgt *pgt, unsigned va_bits, unsigned pa_bits,
		     const struct gz_pgt_mm_ops *mm);
/* TCR_EL2 for these tables (T0SZ, IRGN0/ORGN0 WB-WA, SH0 inner, TG0 4 KiB, PS, RES1). */
uint64_t gz_s1pt_el2_tcr(const struct gz_pgt *pgt);

/* A fixmap slot: one level-3 entry of EL2 stage-1 tables kept for short-lived mappings of
 * single pages (gz_hal_fixmap), rewritten in place so that a temporary mapping costs no
 * table walk, no allocation and no lock. Each slot belongs to one CPU. */
struct gz_s1pt_el2_slot {
	uint64_t va;
	uint64_t *ptep; /* NULL: not set up */
	bool busy;
};
/* Set up the slot at @va (page aligned, in a 2 MiB region the tables use for slots only):
 * builds the tables down to level 3 and leaves the entry invalid. GZ_ERR_INVALID_ARGS,
 * GZ_ERR_NO_MEMORY, GZ_ERR_ALREADY_EXISTS (@va is mapped). */
int gz_s1pt_el2_slot_init(struct gz_pgt *pgt, uint64_t va, struct gz_s1pt_el2_slot *slot);
/* Map @pa (page aligned) read-write, never executable, at the slot; returns the slot's VA.
 * Panics when the slot is in use (nested use is a bug of the hypervisor's own). */
void *gz_s1pt_el2_slot_map(const struct gz_pgt *pgt, struct gz_s1pt_el2_slot *slot, gz_pa_t pa);
/* Invalidate the entry, then its TLB entries: afterwards the page is unreachable again. */
void gz_s1pt_el2_slot_unmap(struct gz_s1pt_el2_slot *slot);

#endif
