/* Trap synthesis (trap.h). */
#include <stdio.h>
#include <arm64/esr.h>
#include "decode.h"
#include "machine.h"
#include "s1walk.h"
#include "syndrome.h"
#include "sysemu.h"
#include "timer.h"
#include "ucreg.h"
#include "trap.h"

/* QEMU's exception numbers as Unicorn reports them to UC_HOOK_INTR. */
enum {
	EXCP_UDEF = 1,
	EXCP_SWI = 2,
	EXCP_PREFETCH_ABORT = 3,
	EXCP_DATA_ABORT = 4,
	EXCP_BKPT = 7,
	EXCP_HVC = 11,
	EXCP_HYP_TRAP = 12,
	EXCP_SMC = 13,
	EXCP_UNALIGNED = 22,
};

/* v->exit holds the exit for the core. */
static void to_core(struct gz_sim_vcpu *v)
{
	v->reason = GZ_SIM_STOP_EXIT;
}

void gz_sim_trap_to_guest(struct gz_sim_vcpu *v, uint64_t esr, uint64_t elr, bool far_valid,
			  uint64_t far)
{
	if (gz_sim_m.trace)
		fprintf(stderr, "gzsim: guest exception ESR %#llx ELR %#llx FAR %#llx\n",
			(unsigned long long)esr, (unsigned long long)elr,
			(unsigned long long)(far_valid ? far : 0));
	v->gexc_esr = esr;
	v->gexc_elr = elr;
	v->gexc_far_valid = far_valid;
	v->gexc_far = far;
	v->reason = GZ_SIM_STOP_GUEST;
}

/* An access of @len bytes at @va that faulted at @addr (an IPA, or a VA): its part in the next
 * page when @addr is there (an access crossing a page boundary faults on the page it could not
 * translate, and FAR names that page), else @va. */
static uint64_t crossed_into(uint64_t va, unsigned len, uint64_t addr)
{
	uint64_t off = va & (GZ_PAGE_SIZE - 1);

	if (off + len <= GZ_PAGE_SIZE || (addr & (GZ_PAGE_SIZE - 1)) >= off)
		return va;
	return GZ_ALIGN_DOWN(va, GZ_PAGE_SIZE) + GZ_PAGE_SIZE + (addr & (GZ_PAGE_SIZE - 1));
}

/* A data or instruction access missed Unicorn's mappings or permissions. */
bool gz_sim_trap_mem_hook(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			  void *arg)
{
	struct gz_sim_vcpu *v = arg;
	bool fetch = type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT;
	bool write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
	int need = fetch ? UC_PROT_EXEC : write ? UC_PROT_WRITE : UC_PROT_READ;
	struct gz_sim_s2_result r;
	uint64_t pc = gz_sim_ucreg_rd(uc, UC_ARM64_REG_PC), far = addr;
	uint32_t insn = 0;

	(void)size;
	(void)value;
	if (fetch && gz_sim_ucmap_is_data(&v->map, addr)) {
		/* Made code once the engine stopped (gz_sim_trap_fetch_fault). */
		v->reason = GZ_SIM_STOP_RETRY;
		return false;
	}
	if (gz_sim_ucmap_refill(&v->map, addr, need, &r))
		return true;
	if (fetch) {
		gz_sim_syn_iabt(v->exit, &r, pc, addr);
	} else {
		gz_sim_ucreg_fetch_insn(uc, pc, &insn);
		/* Unicorn reports the output of stage 1 (the IPA); FAR_EL2 holds the VA. With
		 * the guest's MMU off they are the same; with it on, the VA is recomputed from
		 * the instruction. */
		if (!gz_sim_decode_ldst_va(insn, gz_sim_ucreg_addr_reg, uc, &far))
			far = addr;
		else
			far = crossed_into(far, gz_sim_decode_ldst_len(insn), addr);
		gz_sim_syn_dabt(v->exit, insn, write, &r, far, addr);
	}
	to_core(v);
	return false;
}

bool gz_sim_trap_fetch_fault(struct gz_sim_vcpu *v)
{
	uint64_t pc = gz_sim_ucreg_rd(v->uc, UC_ARM64_REG_PC), ipa = 0;

	/* A block's instructions are on one page: the fetch faulted at its first, the PC. */
	if (uc_vmem_translate(v->uc, pc, UC_PROT_EXEC, &ipa) != UC_ERR_OK)
		return false;
	if (gz_sim_ucmap_make_code(&v->map, ipa))
		return true;
	return v->reason == GZ_SIM_STOP_NONE &&
	       gz_sim_trap_mem_hook(v->uc, UC_MEM_FETCH_PROT, ipa, 4, 0, v);
}

/* Unicorn's own MMU (the guest's stage 1) refused an access, or it was misaligned: give the
 * guest the abort hardware would, or EL2 a stage-2 fault on the table walk (S1PTW). */
static void stage1_abort(struct gz_sim_vcpu *v, uint64_t pc, bool fetch, bool unaligned)
{
	uint64_t sys[GZ_SYS_NR] = {0}, va = pc;
	bool el0 = gz_sim_ucreg_at_el0(v->uc), write = false;
	struct gz_sim_s1_fault f = {.fsc = ESR_FSC_ALIGN};
	uint32_t insn = 0;

	if (!fetch) {
		gz_sim_ucreg_fetch_insn(v->uc, pc, &insn);
		if (!gz_sim_decode_ldst_va(insn, gz_sim_ucreg_addr_reg, v->uc, &va))
			va = 0;
		write = gz_sim_syn_dabt_iss(insn, !(insn & GZ_BIT(22))) & ESR_DABT_WNR;
	}
	if (!unaligned) {
		sys[GZ_SYS_TCR_EL1] =
		    gz_sim_ucreg_cp_read(v->uc, gz_sim_ucreg_sys_enc[GZ_SYS_TCR_EL1]);
		sys[GZ_SYS_TTBR0_EL1] =
		    gz_sim_ucreg_cp_read(v->uc, gz_sim_ucreg_sys_enc[GZ_SYS_TTBR0_EL1]);
		sys[GZ_SYS_TTBR1_EL1] =
		    gz_sim_ucreg_cp_read(v->uc, gz_sim_ucreg_sys_enc[GZ_SYS_TTBR1_EL1]);
		gz_sim_s1_fault(v->map.vttbr, v->map.vtcr, sys, va, write, fetch, el0, &f);
		if (!fetch && !f.s1ptw && f.fsc == ESR_FSC_ALIGN) {
			/* The first page translates: an access crossing into the next one faulted
			 * there (Linux's user stacks and memcpy's pairs and SIMD stores do), and
			 * the guest must hear of that page, not of an alignment fault. */
			uint64_t next = crossed_into(va, gz_sim_decode_ldst_len(insn), 0);
			struct gz_sim_s1_fault f2;

			if (next != va) {
				gz_sim_s1_fault(v->map.vttbr, v->map.vtcr, sys, next, write, fetch,
						el0, &f2);
				if (f2.s1ptw || f2.fsc != ESR_FSC_ALIGN) {
					f = f2;
					va = next;
				}
			}
		}
	}
	if (f.s1ptw) {
		struct gz_sim_s2_result r;

		gz_sim_s2_walk(v->map.vttbr, v->map.vtcr, f.ipa, &r);
		gz_sim_syn_s1ptw(v->exit, fetch, &r, va, f.ipa);
		to_core(v);
		return;
	}
	gz_sim_trap_to_guest(v, gz_sim_syn_guest_abort(fetch, el0, write, f.fsc), pc, true, va);
}

/* Unicorn raised UNDEF or a trap to its EL2, with the PC on the instruction. It was given the
 * core's trap controls (arm64/traps.h) so that it stops on every access they trap; where the
 * access goes is the shared table's answer (Unicorn reports a trap to EL2 as UNDEF). */
static void undef_or_trap(struct gz_sim_vcpu *v, uint64_t pc)
{
	struct gz_sim_msr m;
	uint32_t insn = 0;
	bool wfe;

	if (!gz_sim_ucreg_fetch_insn(v->uc, pc, &insn)) {
		gz_sim_trap_to_guest(v, gz_sim_syn_guest_undef(), pc, false, 0);
		return;
	}
	if (gz_sim_decode_msr(insn, &m)) {
		if (gz_sim_sysemu_is_icc(m.enc) && gz_sim_sysemu_icc(v, &m)) {
			v->fix_pc = pc + 4;
			return;
		}
		if (gz_sim_sysemu_timer_route(v, m.enc) == GZ_SIM_TIMER_TO_EL1) {
			/* CNTKCTL_EL1 forbids it at EL0: a trapped access, taken to EL1 */
			gz_sim_trap_to_guest(v, gz_sim_syn_guest_sysreg(insn), pc, false, 0);
			return;
		}
		if (gz_sim_sysemu_traps_to_el2(v, m.enc)) {
			gz_sim_syn_sysreg(v->exit, insn);
			to_core(v);
			return;
		}
	} else if (gz_sim_decode_wfx(insn, &wfe)) {
		gz_sim_syn_wfx(v->exit, wfe);
		to_core(v);
		return;
	} else if (gz_sim_decode_smc(insn, &(uint16_t){0})) {
		gz_sim_syn_smc(v->exit, insn);
		to_core(v);
		return;
	}
	gz_sim_trap_to_guest(v, gz_sim_syn_guest_undef(), pc, false, 0);
}

void gz_sim_trap_intr_hook(uc_engine *uc, uint32_t intno, void *arg)
{
	struct gz_sim_vcpu *v = arg;
	uint64_t pc = gz_sim_ucreg_rd(uc, UC_ARM64_REG_PC);
	uint32_t insn = 0;

	switch (intno) {
	case EXCP_UDEF:
	case EXCP_HYP_TRAP:
		undef_or_trap(v, pc);
		break;
	case EXCP_HVC:
		gz_sim_ucreg_fetch_insn(uc, pc - 4, &insn);
		gz_sim_syn_hvc(v->exit, insn);
		to_core(v);
		break;
	case EXCP_SMC:
		/* SMC with HCR_EL2.TSC clear went to Unicorn's EL3: there is no firmware in
		 * the simulator, so EL2 sees it as trapped (PC fixed up after the stop). */
		gz_sim_ucreg_fetch_insn(uc, pc - 4, &insn);
		v->fix_pc = pc - 4;
		gz_sim_syn_smc(v->exit, insn);
		to_core(v);
		break;
	case EXCP_SWI:
		gz_sim_ucreg_fetch_insn(uc, pc - 4, &insn);
		gz_sim_trap_to_guest(v, gz_sim_syn_guest_svc(insn), pc, false, 0);
		break;
	case EXCP_BKPT:
		gz_sim_ucreg_fetch_insn(uc, pc, &insn);
		gz_sim_trap_to_guest(v, gz_sim_syn_guest_brk(insn), pc, false, 0);
		break;
	case EXCP_UNALIGNED:
	case EXCP_DATA_ABORT:
	case EXCP_PREFETCH_ABORT:
		stage1_abort(v, pc, intno == EXCP_PREFETCH_ABORT, intno == EXCP_UNALIGNED);
		break;
	default:
		gz_sim_trap_to_guest(v, gz_sim_syn_guest_undef(), pc, false, 0);
		break;
	}
	uc_emu_stop(uc);
}
