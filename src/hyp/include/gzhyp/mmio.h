/*
 * Guest MMIO accesses the hypervisor does not serve itself: a trapped load or store becomes
 * a GZVM_EXIT_MMIO in the run page, and the value the VMM leaves there completes it on the
 * next RUN. Also the conversions between a register and the bytes an access puts on the bus,
 * for any handler that serves an access in the hypervisor (the vGIC).
 *
 * "Data" below is the access's bytes in memory order, read as a little-endian number (what a
 * device model or the VMM sees); "register" is the general register's value. A guest with
 * big-endian data accesses (SCTLR_EL1.EE / E0E) swaps the bytes between the two.
 */
#ifndef GZ_MMIO_H
#define GZ_MMIO_H

#include <arm64/types.h>
#include <arm64/decode.h>

struct gz_vcpu;

/* An MMIO access that went to the host and completes on the next RUN. */
struct gz_mmio_pending {
	bool active;
	bool is_write;
	uint8_t size;
	uint8_t reg; /* 31 = XZR */
	bool sign_extend;
	bool sf;
	bool big_endian;  /* data in the guest's big-endian memory order */
	uint8_t insn_len; /* 4 (A64) or 2 */
	uint64_t far;	  /* FAR_EL2 of the access: FAR_EL1 if it completes with an abort */
	bool no_isv;	  /* an INTERNAL_ERROR exit (no syndrome): only an abort completes it */
};

/* The register value a load of @size bytes (1..8) of @data gives: byte-swapped for a
 * big-endian guest, then sign- or zero-extended (a W register's upper half is zero). */
uint64_t gz_mmio_reg(uint64_t data, unsigned size, bool big_endian, bool sign_extend, bool sf);
/* The data a store of @size bytes (1..8) of register value @reg writes. */
uint64_t gz_mmio_data(uint64_t reg, unsigned size, bool big_endian);
/* The same for data as bytes in memory order (of @size, at most 8 count): the load of
 * @bytes... */
uint64_t gz_mmio_load(const uint8_t *bytes, unsigned size, bool big_endian, bool sign_extend,
		      bool sf);
/* ... and the @size bytes a store of @reg writes to @out. */
void gz_mmio_store_bytes(uint64_t reg, unsigned size, bool big_endian, uint8_t *out);
/* Whether the vCPU's data accesses are big-endian now (SCTLR_EL1.EE at EL1, .E0E at EL0). */
bool gz_mmio_guest_big_endian(const struct gz_vcpu *vcpu);
/* A data abort the hypervisor answers from the VM's constant registers (gzhyp/mmio_const.h):
 * a read with a syndrome, no external abort, no stage-1 walk, outside the VM's memslots, that
 * the MMIO guard lets through to the VMM, at a declared IPA with the declared size. True and
 * the declared value; false (nothing changed) for every other exit. */
bool gz_mmio_const_read(const struct gz_vcpu *vcpu, const struct gz_exit_desc *desc,
			uint32_t *value);

/* Turn a decoded data abort with ISV into a GZVM_EXIT_MMIO and remember what completes. */
void gz_mmio_exit(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc);
/* After the INTERNAL_ERROR exit of a data abort without a syndrome (exit.c): remember the
 * access, which the host may complete with an external abort. */
void gz_mmio_pend_no_isv(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc);
/* On RUN: how the host completes the pending access (run page mmio.completion, read once into
 * *@completion; GZVM_MMIO_COMPLETE_DATA when no access is pending, the field then being part
 * of another exit's layout). false for a value the ABI does not define. */
bool gz_mmio_completion(const struct gz_vcpu *vcpu, uint8_t *completion);
/* On RUN: finish the access the last MMIO exit described. GZVM_MMIO_COMPLETE_DATA: load the
 * register for a read with size and sign extension, register 31 discarded; advance the PC
 * (after a no-syndrome exit: nothing, the access runs again). GZVM_MMIO_COMPLETE_EXT_ABORT:
 * the access takes a synchronous external abort instead. */
void gz_mmio_complete(struct gz_vcpu *vcpu, uint8_t completion);

#endif
