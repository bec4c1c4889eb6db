/*
 * MMIO guard (pKVM's MMIO_GUARD_ENROLL / MAP / UNMAP, gzabi/guest_calls.h): a guest that
 * enrolled names the granules of its address space it expects to be emulated devices; from
 * then on a data abort outside its RAM reaches the VMM only inside those granules, any other
 * one is an abort injected into the guest (exit.c). A guest that never enrolled is not
 * guarded. The mapped granules are kept as disjoint ranges, merged with their neighbours.
 * The caller serialises every call (the VM's lock).
 */
#ifndef GZ_MMIO_GUARD_H
#define GZ_MMIO_GUARD_H

#include <arm64/types.h>

/* Disjoint ranges a guest may have mapped at once (a Linux guest maps a few per device). */
#define GZ_MMIO_GUARD_MAX_RANGES 32

struct gz_mmio_guard {
	bool enrolled;
	uint8_t nr;
	struct {
		gz_ipa_t base, end; /* [base, end), granule aligned */
	} r[GZ_MMIO_GUARD_MAX_RANGES];
};

/* GZ_OK, or GZ_ERR_ALREADY_EXISTS when the guest enrolled before. */
int gz_mmio_guard_enroll(struct gz_mmio_guard *g);
/* Map / unmap the granule at @ipa (granule aligned: the caller checks). Map: GZ_OK (also
 * when it was mapped), GZ_ERR_BAD_STATE (not enrolled), GZ_ERR_NO_RESOURCES (a new range
 * beyond GZ_MMIO_GUARD_MAX_RANGES). Unmap: GZ_OK, GZ_ERR_BAD_STATE, GZ_ERR_NOT_FOUND (not
 * mapped), GZ_ERR_NO_RESOURCES (splitting a range needs a slot there is not). A refused call
 * changes nothing. */
int gz_mmio_guard_map(struct gz_mmio_guard *g, gz_ipa_t ipa);
int gz_mmio_guard_unmap(struct gz_mmio_guard *g, gz_ipa_t ipa);
/* May an access to @ipa (outside guest RAM) go to the VMM? */
bool gz_mmio_guard_allows(const struct gz_mmio_guard *g, gz_ipa_t ipa);

#endif
