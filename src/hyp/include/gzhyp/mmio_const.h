/*
 * Constant device registers (opengz extension, GZVM_CAP_OPENGZ_MMIO_CONST in docs/abi.md): the
 * VMM declares, before the VM first runs, that a read of @size bytes at @ipa always returns
 * @value (virtio-mmio's MagicValue, Version, DeviceID, VendorID). The hypervisor then answers
 * such a read itself, on the exit fast path, instead of a round trip through the host kernel
 * and the VMM. Only that exact access is served: another size or offset, and every write, still
 * goes to the VMM, so a device model keeps its own answer for them. The table lives in one
 * pool page charged to the VM, taken at the first declaration and freed with the VM; its
 * entries are fixed once the VM has run, so vCPUs search it without a lock. Only the value of
 * an entry declared updatable (GZVM_MMIO_CONST_UPDATABLE) may change then, one atomic store
 * that a vCPU's read sees whole: a register the VMM changes now and then (the PL011's flag
 * register, which input changes) is answered here between its changes.
 */
#ifndef GZ_MMIO_CONST_H
#define GZ_MMIO_CONST_H

#include <arm64/types.h>

struct gz_pool_acct;

struct gz_mmio_const_ent {
	gz_ipa_t ipa;
	/* [atomic] release/acquire: set while the VM is CREATED, and afterwards for an
	 * updatable entry by gz_mmio_const_update under the VM's lock, read by vCPUs */
	uint32_t value;
	uint16_t size;	/* 1, 2 or 4 */
	uint16_t flags; /* GZVM_MMIO_CONST_UPDATABLE */
};

#define GZ_MMIO_CONST_MAX (GZ_PAGE_SIZE / sizeof(struct gz_mmio_const_ent))

struct gz_mmio_const {
	struct gz_mmio_const_ent *ent; /* sorted by ipa; NULL until the first declaration */
	uint32_t nr;
};

/* Declare (size 1, 2, 4) or remove (size 0) the constant register at @ipa, with @flags
 * (GZVM_MMIO_CONST_UPDATABLE or 0); a declaration at an IPA already declared replaces it. The
 * caller holds the VM's lock and has checked that the VM has not run. GZ_OK;
 * GZ_ERR_INVALID_ARGS (size, alignment, a value wider than the size, @ipa at or above
 * 1 << @ipa_bits, an unknown flag); GZ_ERR_NOT_FOUND (remove what is not declared);
 * GZ_ERR_NO_RESOURCES (table full); GZ_ERR_NO_MEMORY (no pool page). A refusal changes
 * nothing. */
int gz_mmio_const_set(struct gz_mmio_const *t, struct gz_pool_acct *acct, unsigned ipa_bits,
		      gz_ipa_t ipa, uint64_t size, uint64_t value, uint64_t flags);
/* The same call once the VM has run (the caller holds the VM's lock): only a new value for
 * the entry at @ipa declared updatable with this @size, and @flags updatable. GZ_OK;
 * GZ_ERR_INVALID_ARGS as gz_mmio_const_set; GZ_ERR_BAD_STATE for anything else (a new IPA,
 * a removal, another size, an entry declared constant). */
int gz_mmio_const_update(struct gz_mmio_const *t, unsigned ipa_bits, gz_ipa_t ipa, uint64_t size,
			 uint64_t value, uint64_t flags);
/* The constant a read of @size bytes at @ipa returns, if one is declared. */
bool gz_mmio_const_lookup(const struct gz_mmio_const *t, gz_ipa_t ipa, unsigned size,
			  uint32_t *value);
/* Give the table's page back (VM destroy). */
void gz_mmio_const_free(struct gz_mmio_const *t, struct gz_pool_acct *acct);

#endif
