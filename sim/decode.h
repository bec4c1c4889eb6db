/* Instruction decoding for syndromes (decode.c): what the trapping instruction word says
 * about the access (load/store operands and address, MSR/MRS operands, HVC/SMC/SVC/BRK
 * immediates, WFI/WFE). */
#ifndef GZ_SIM_DECODE_H
#define GZ_SIM_DECODE_H

#include <arm64/types.h>

struct gz_sim_ldst {
	bool valid; /* a single-register load/store that ISV can describe */
	bool write;
	bool sign; /* sign-extending load */
	bool sf;   /* 64-bit destination register */
	bool acqrel;
	unsigned size; /* log2 bytes */
	unsigned rt;
};
void gz_sim_decode_ldst(uint32_t insn, struct gz_sim_ldst *out);
/* The bytes DC ZVA zeroes: DCZID_EL0.BS of every CPU model Unicorn 2.1 has (4 << 4). */
#define GZ_SIM_ZVA_BYTES 64u

/* Virtual address a load/store instruction (or DC ZVA, a store of a block) accesses (reg(n, sp):
 * Xn, or SP for n = 31 when sp is true). False for an instruction that is not a load/store. */
bool gz_sim_decode_ldst_va(uint32_t insn, uint64_t (*reg)(void *arg, unsigned n, bool sp),
			   void *arg, uint64_t *va);

/* Bytes a load/store instruction accesses from the address gz_sim_decode_ldst_va gives (a
 * contiguous range: pairs, SIMD registers, structures, exclusive pairs, DC ZVA's block); 0 for an
 * instruction that is not a load/store. An access may cross into the next page, where the
 * translation that fails can be. */
unsigned gz_sim_decode_ldst_len(uint32_t insn);

/* MSR/MRS (register) with op0 = 2 or 3, and SYS/SYSL (op0 = 1: cache and TLB maintenance,
 * address translation). */
struct gz_sim_msr {
	uint32_t enc; /* SYS_ENC(op0, op1, CRn, CRm, op2) */
	unsigned rt;
	bool read; /* MRS */
};
bool gz_sim_decode_msr(uint32_t insn, struct gz_sim_msr *out);

bool gz_sim_decode_wfx(uint32_t insn, bool *wfe);
/* HVC/SMC immediates from the instruction word. */
bool gz_sim_decode_hvc(uint32_t insn, uint16_t *imm);
bool gz_sim_decode_smc(uint32_t insn, uint16_t *imm);
/* imm16 of an exception-generating instruction (SVC, HVC, SMC, BRK). */
uint16_t gz_sim_decode_imm16(uint32_t insn);

#endif
