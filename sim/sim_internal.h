/* Shared state between the simulator's files (not for embedders). */
#ifndef GZ_SIM_INTERNAL_H
#define GZ_SIM_INTERNAL_H

#include <stdatomic.h>
#include <gzsim/sim.h>

#define GZ_SIM_MAX_PCPUS 64
_Static_assert(GZ_SIM_MAX_PCPUS <= GZ_MAX_PCPUS, "the core's per-CPU state must cover every simulator thread");

struct gz_sim_machine {
	struct gz_sim_config cfg;
	uint8_t *mem;  /* host view of [cfg.phys_base, + cfg.phys_size) */
	uint8_t *used; /* one byte per page: allocated */
	uint64_t nr_pages;
	uint64_t free_pages;
	uint64_t next_hint;
	atomic_uint_fast64_t insns;   /* executed by every vCPU */
	atomic_uint_fast64_t skipped; /* counter ticks added by gz_sim_advance */
	uint64_t wall_start_ns;
};

extern struct gz_sim_machine gz_sim_m;

/* Physical CPU of the calling thread. */
unsigned gz_sim_cpu(void);

/* Per physical CPU GIC virtual interface (vgic_cpuif.c). */
struct gz_sim_ich {
	uint64_t reg[GZ_ICH_NR_REGS];
};
struct gz_sim_ich *gz_sim_ich_of(unsigned pcpu);
/* Guest access to an ICC_* register through the virtual interface: returns false when the
 * register is not one the virtual interface provides (the caller treats it as trapped). */
bool gz_sim_icc_read(struct gz_sim_ich *ich, uint32_t sysreg, uint64_t *val);
bool gz_sim_icc_write(struct gz_sim_ich *ich, uint32_t sysreg, uint64_t val);
/* The virtual IRQ line: a pending group-1 interrupt passes PMR and the running priority. */
bool gz_sim_ich_irq_pending(const struct gz_sim_ich *ich);
/* Maintenance interrupt condition (HCR.En and MISR != 0). */
bool gz_sim_ich_maint_pending(const struct gz_sim_ich *ich);
uint64_t gz_sim_ich_misr(const struct gz_sim_ich *ich);
uint64_t gz_sim_ich_eisr(const struct gz_sim_ich *ich);
uint64_t gz_sim_ich_elrsr(const struct gz_sim_ich *ich);

/* Instruction decode for syndromes (decode.c). */
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
/* Build the data-abort ISS (without DFSC) for @insn; WnR from @write when undecodable. */
uint64_t gz_sim_dabt_iss(uint32_t insn, bool write);
/* Virtual address a load/store instruction accesses (reg(n, sp): Xn, or SP for n = 31 when
 * sp is true). False for an instruction that is not a load/store. */
bool gz_sim_ldst_va(uint32_t insn, uint64_t (*reg)(void *arg, unsigned n, bool sp), void *arg,
		    uint64_t *va);
/* Guest stage-1 walk (s1walk.c): the level and kind of fault a VA access takes under the
 * guest's own translation regime; the stage-2 walk gives the table addresses. */
struct gz_sim_s1_fault {
	unsigned fsc; /* DFSC/IFSC */
	bool s1ptw;   /* the table walk itself faulted at stage 2 (IPA in ipa) */
	uint64_t ipa;
};
void gz_sim_s1_fault(uint64_t vttbr, uint64_t vtcr, const uint64_t *sys, uint64_t va, bool write,
		     bool fetch, bool el0, struct gz_sim_s1_fault *out);
bool gz_sim_is_wfx(uint32_t insn, bool *wfe);
/* HVC/SMC immediates from the instruction word. */
bool gz_sim_is_hvc(uint32_t insn, uint16_t *imm);
bool gz_sim_is_smc(uint32_t insn, uint16_t *imm);

/* Every valid leaf of a stage-2 table, in IPA order (s2walk.c). */
bool gz_sim_s2_for_each(uint64_t vttbr, uint64_t vtcr,
			void (*fn)(void *arg, gz_ipa_t ipa, const struct gz_sim_s2_result *leaf),
			void *arg);

/* Counter value now (physical). */
uint64_t gz_sim_now(void);
uint64_t gz_sim_ticks_from_insns(uint64_t insns);
uint64_t gz_sim_insns_from_ticks(uint64_t ticks);

/* Flush hooks (vcpu.c): every vCPU whose VMID matches (or all) remaps before running. */
void gz_sim_vcpu_invalidate(bool all, uint16_t vmid);
/* Make every vCPU inside Unicorn leave with an IRQ exit (host signal delivery). */
void gz_sim_kick_pcpu_all(void);

#endif
