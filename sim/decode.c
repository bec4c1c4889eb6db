/* Instruction decoding for syndromes: what hardware puts in ESR_EL2's ISS is derived here
 * from the trapping instruction word, since Unicorn reports no syndrome of its own. */
#include "sim_internal.h"
#include "sim_arch.h"

/* Single general-purpose register loads/stores without writeback, and LDAR/STLR: the ones
 * for which the architecture provides a valid instruction syndrome. */
void gz_sim_decode_ldst(uint32_t insn, struct gz_sim_ldst *o)
{
	unsigned size = insn >> 30, opc = (insn >> 22) & 3;

	*o = (struct gz_sim_ldst){.rt = insn & 31, .size = size};
	if ((insn & 0x3f000000) == 0x08000000) {
		/* Load/store ordered: o2 (bit 23) = 1, o1 (bit 21) = 0, o0 (bit 15) = 1. */
		if (!(insn & GZ_BIT(23)) || (insn & GZ_BIT(21)) || !(insn & GZ_BIT(15)))
			return;
		o->valid = true;
		o->write = !(insn & GZ_BIT(22));
		o->sf = size == 3;
		o->acqrel = true;
		return;
	}
	if ((insn & 0x3b000000) == 0x39000000) {
		/* unsigned immediate offset */
	} else if ((insn & 0x3b200c00) == 0x38000000 || (insn & 0x3b200c00) == 0x38000800 ||
		   (insn & 0x3b200c00) == 0x38200800) {
		/* unscaled immediate, unprivileged, register offset */
	} else {
		return;
	}
	if (opc == 0) {
		o->write = true;
		o->sf = size == 3;
	} else if (opc == 1) {
		o->sf = size == 3;
	} else if (size == 3) {
		return; /* PRFM (opc 2) and the unallocated opc 3 */
	} else if (size == 2) {
		if (opc == 3)
			return;
		o->sign = true; /* LDRSW */
		o->sf = true;
	} else {
		o->sign = true; /* LDRSB/LDRSH to X (opc 2) or W (opc 3) */
		o->sf = opc == 2;
	}
	o->valid = true;
}

uint64_t gz_sim_dabt_iss(uint32_t insn, bool write)
{
	struct gz_sim_ldst d;
	uint64_t iss;

	gz_sim_decode_ldst(insn, &d);
	if (!d.valid)
		return write ? ESR_ISS_WNR : 0;
	iss = ESR_ISS_ISV | ((uint64_t)d.size << ESR_ISS_SAS_SHIFT) |
	      ((uint64_t)d.rt << ESR_ISS_SRT_SHIFT);
	if (d.sign)
		iss |= ESR_ISS_SSE;
	if (d.sf)
		iss |= ESR_ISS_SF;
	if (d.acqrel)
		iss |= ESR_ISS_AR;
	if (d.write)
		iss |= ESR_ISS_WNR;
	return iss;
}

bool gz_sim_is_wfx(uint32_t insn, bool *wfe)
{
	if ((insn & ~0x20u) != 0xd503205f)
		return false;
	*wfe = !(insn & 0x20);
	return true;
}

bool gz_sim_is_hvc(uint32_t insn, uint16_t *imm)
{
	if ((insn & 0xffe0001f) != 0xd4000002)
		return false;
	*imm = (uint16_t)(insn >> 5);
	return true;
}

bool gz_sim_is_smc(uint32_t insn, uint16_t *imm)
{
	if ((insn & 0xffe0001f) != 0xd4000003)
		return false;
	*imm = (uint16_t)(insn >> 5);
	return true;
}
