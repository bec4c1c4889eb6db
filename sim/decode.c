/* Instruction decoding for syndromes (decode.h): Unicorn reports no syndrome of its own, so
 * what hardware puts in ESR_EL2's ISS is read here from the trapping instruction word. */
#include <arm64/sysreg.h>
#include "decode.h"

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
	/* General-purpose registers only (V, bit 26, clear): SIMD&FP accesses have no ISV. */
	if ((insn & 0x3f000000) == 0x39000000) {
		/* unsigned immediate offset */
	} else if ((insn & 0x3f200c00) == 0x38000000 || (insn & 0x3f200c00) == 0x38000800 ||
		   (insn & 0x3f200c00) == 0x38200800) {
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

bool gz_sim_decode_msr(uint32_t insn, struct gz_sim_msr *out)
{
	/* 1101 0101 00 L op0: op0 0 is the hints, barriers and MSR (immediate) */
	if ((insn & 0xffc00000) != 0xd5000000 || !((insn >> 19) & 3))
		return false;
	*out = (struct gz_sim_msr){
	    .enc = SYS_ENC((insn >> 19) & 3, (insn >> 16) & 7, (insn >> 12) & 15, (insn >> 8) & 15,
			   (insn >> 5) & 7),
	    .rt = insn & 31,
	    .read = insn & GZ_BIT(21),
	};
	return true;
}

bool gz_sim_decode_wfx(uint32_t insn, bool *wfe)
{
	if ((insn & ~0x20u) != 0xd503205f)
		return false;
	*wfe = !(insn & 0x20);
	return true;
}

uint16_t gz_sim_decode_imm16(uint32_t insn)
{
	return (uint16_t)(insn >> 5);
}

bool gz_sim_decode_hvc(uint32_t insn, uint16_t *imm)
{
	if ((insn & 0xffe0001f) != 0xd4000002)
		return false;
	*imm = gz_sim_decode_imm16(insn);
	return true;
}

bool gz_sim_decode_smc(uint32_t insn, uint16_t *imm)
{
	if ((insn & 0xffe0001f) != 0xd4000003)
		return false;
	*imm = gz_sim_decode_imm16(insn);
	return true;
}

/* DC ZVA, Xt (SYS #3, C7, C4, #1): glibc's memset zeroes with it. */
static bool is_dc_zva(uint32_t insn)
{
	return (insn & 0xffffffe0) == 0xd50b7420;
}

static int64_t sext(uint64_t v, unsigned bits)
{
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static uint64_t extend_reg(uint64_t v, unsigned option, unsigned shift)
{
	switch (option) {
	case 2: /* UXTW */
		v = (uint32_t)v;
		break;
	case 6: /* SXTW */
		v = (uint64_t)(int64_t)(int32_t)v;
		break;
	default: /* LSL / UXTX / SXTX */
		break;
	}
	return v << shift;
}

/* Virtual address a load/store accesses, from the register values before it executes.
 * reg(n) returns Xn, with n = 31 meaning SP (as a base register). */
bool gz_sim_decode_ldst_va(uint32_t insn, uint64_t (*reg)(void *arg, unsigned n, bool sp),
			   void *arg, uint64_t *va)
{
	unsigned rn = (insn >> 5) & 31, size = insn >> 30;
	uint64_t base = reg(arg, rn, true);

	if (is_dc_zva(insn)) { /* the block that holds Xt (Rt 31: XZR) */
		*va = GZ_ALIGN_DOWN(reg(arg, insn & 31, false), GZ_SIM_ZVA_BYTES);
		return true;
	}

	if ((insn & 0x3f000000) == 0x08000000 || /* exclusive / ordered */
	    (insn & 0x3b200c00) == 0x38200000 || /* LSE atomics */
	    (insn & 0xbfbf0000) == 0x0c000000 || (insn & 0xbfa00000) == 0x0c800000 ||
	    (insn & 0xbf9f0000) == 0x0d000000 || (insn & 0xbf800000) == 0x0d800000) {
		*va = base; /* SIMD structure loads/stores: base only (post-index adds later) */
		return true;
	}
	if ((insn & 0x3a000000) == 0x28000000) { /* load/store pair */
		unsigned opc = insn >> 30, idx = (insn >> 23) & 3;
		bool simd = insn & GZ_BIT(26);
		unsigned scale = simd ? 2 + opc : (opc & 2 ? 3 : 2);

		*va = idx == 1 ? base
			       : base + (uint64_t)(sext((insn >> 15) & 0x7f, 7) * (1LL << scale));
		return true;
	}
	if ((insn & 0x3a000000) != 0x38000000)
		return false;
	if (insn & GZ_BIT(26) && size == 0 && (insn & GZ_BIT(23)))
		size = 4;	 /* 128-bit SIMD register */
	if (insn & GZ_BIT(24)) { /* unsigned immediate */
		*va = base + ((uint64_t)((insn >> 10) & 0xfff) << size);
		return true;
	}
	if (insn & GZ_BIT(21)) {
		if (((insn >> 10) & 3) != 2)
			return false; /* atomics handled above */
		*va = base + extend_reg(reg(arg, (insn >> 16) & 31, false), (insn >> 13) & 7,
					(insn & GZ_BIT(12)) ? size : 0);
		return true;
	}
	/* imm9: unscaled (00), post-index (01), unprivileged (10), pre-index (11) */
	*va = ((insn >> 10) & 3) == 1 ? base : base + (uint64_t)sext((insn >> 12) & 0x1ff, 9);
	return true;
}

/* SIMD structure loads/stores (LD1-LD4, ST1-ST4, LDnR): Q, the registers, the lane. */
static unsigned simd_struct_len(uint32_t insn)
{
	unsigned q = (insn >> 30) & 1, opcode = (insn >> 12) & 15, size = (insn >> 10) & 3;
	unsigned selem, scale;

	if (!(insn & GZ_BIT(24))) { /* multiple structures: whole registers */
		static const unsigned char regs[16] = {4, 0, 4, 0, 3, 0, 3, 1, 2, 0, 2};

		return regs[opcode] * (q ? 16u : 8u);
	}
	/* single structure: one element (or a replicated one) per register */
	selem = ((((insn >> 13) & 1) << 1) | ((insn >> 21) & 1)) + 1;
	scale = opcode >> 2 & 3;
	if (scale == 3)
		scale = size; /* LDnR */
	else if (scale == 2 && (size & 1))
		scale = 3; /* a 64-bit lane */
	return selem << scale;
}

unsigned gz_sim_decode_ldst_len(uint32_t insn)
{
	unsigned size = insn >> 30;

	if (is_dc_zva(insn))
		return GZ_SIM_ZVA_BYTES;
	if ((insn & 0xbfbf0000) == 0x0c000000 || (insn & 0xbfa00000) == 0x0c800000 ||
	    (insn & 0xbf9f0000) == 0x0d000000 || (insn & 0xbf800000) == 0x0d800000)
		return simd_struct_len(insn);
	if ((insn & 0x3f000000) == 0x08000000) {
		/* exclusive / ordered / compare and swap: o2 (bit 23) clear and o1 (bit 21)
		 * set are the pairs (LDXP, STXP, CASP), two registers of 4 << sz bytes */
		if (!(insn & GZ_BIT(23)) && (insn & GZ_BIT(21)))
			return 2u * (4u << ((insn >> 30) & 1));
		return 1u << size;
	}
	if ((insn & 0x3b200c00) == 0x38200000) /* LSE atomics */
		return 1u << size;
	if ((insn & 0x3a000000) == 0x28000000) { /* load/store pair */
		unsigned opc = insn >> 30;
		bool simd = insn & GZ_BIT(26);

		return 2u << (simd ? 2 + opc : (opc & 2 ? 3 : 2));
	}
	if ((insn & 0x3a000000) != 0x38000000)
		return 0;
	if (insn & GZ_BIT(26) && size == 0 && (insn & GZ_BIT(23)))
		size = 4; /* 128-bit SIMD register */
	return 1u << size;
}
