/* The state the HAL loads into and saves from a physical CPU when it runs a vCPU, and the
 * record it hands back when the vCPU stops. Shared by the core and every HAL. */
#ifndef GZ_CPU_CTX_H
#define GZ_CPU_CTX_H

#include <arm64/types.h>

/* EL1/EL0 system registers a guest OS uses, saved and restored across world switches. */
enum gz_sysreg {
	GZ_SYS_SCTLR_EL1,
	GZ_SYS_ACTLR_EL1,
	GZ_SYS_CPACR_EL1,
	GZ_SYS_TTBR0_EL1,
	GZ_SYS_TTBR1_EL1,
	GZ_SYS_TCR_EL1,
	GZ_SYS_ESR_EL1,
	GZ_SYS_AFSR0_EL1,
	GZ_SYS_AFSR1_EL1,
	GZ_SYS_FAR_EL1,
	GZ_SYS_MAIR_EL1,
	GZ_SYS_AMAIR_EL1,
	GZ_SYS_VBAR_EL1,
	GZ_SYS_CONTEXTIDR_EL1,
	GZ_SYS_TPIDR_EL0,
	GZ_SYS_TPIDRRO_EL0,
	GZ_SYS_TPIDR_EL1,
	GZ_SYS_PAR_EL1,
	GZ_SYS_CNTKCTL_EL1,
	GZ_SYS_CSSELR_EL1,
	GZ_SYS_MDSCR_EL1,
	GZ_SYS_CNTV_CTL_EL0,
	GZ_SYS_CNTV_CVAL_EL0,
	GZ_SYS_NR
};

/* GIC virtual-interface registers (ICH_*_EL2), addressed through gz_hal_ich_read/write. */
enum gz_ich_reg {
	GZ_ICH_HCR,
	GZ_ICH_VTR,
	GZ_ICH_VMCR,
	GZ_ICH_MISR,
	GZ_ICH_EISR,
	GZ_ICH_ELRSR,
	GZ_ICH_AP0R0,
	GZ_ICH_AP0R1,
	GZ_ICH_AP0R2,
	GZ_ICH_AP0R3,
	GZ_ICH_AP1R0,
	GZ_ICH_AP1R1,
	GZ_ICH_AP1R2,
	GZ_ICH_AP1R3,
	GZ_ICH_LR0,
	GZ_ICH_LR15 = GZ_ICH_LR0 + 15,
	GZ_ICH_NR_REGS
};
#define GZ_ICH_LR(n)   ((enum gz_ich_reg)(GZ_ICH_LR0 + (n)))
#define GZ_ICH_MAX_LRS 16

struct gz_fpsimd {
	uint64_t v[32][2]; /* Q0-Q31, low half first */
	uint32_t fpsr;
	uint32_t fpcr;
};

/* A guest's self-hosted debug state (arm64/debug.h): the core emulates the registers (its
 * accesses trap, MDCR_EL2.TDA/TDOSA); a HAL arms the CPU, or its own matching, with them while
 * the guest runs. sys[GZ_SYS_MDSCR_EL1] is what the CPU gets: the guest's MDSCR without its
 * enables while the OS lock is locked. */
#define GZ_DBG_MAX_BPS 16
#define GZ_DBG_MAX_WPS 16
struct gz_debug_ctx {
	uint64_t bcr[GZ_DBG_MAX_BPS], bvr[GZ_DBG_MAX_BPS];
	uint64_t wcr[GZ_DBG_MAX_WPS], wvr[GZ_DBG_MAX_WPS];
	uint64_t mdscr;		 /* the guest's MDSCR_EL1 */
	uint32_t nr_bps, nr_wps; /* how many it has (the VM's ID_AA64DFR0_EL1) */
	uint32_t oslk;		 /* the OS lock */
};

struct gz_cpu_ctx {
	uint64_t x[31];
	uint64_t sp_el0;
	uint64_t sp_el1;
	uint64_t pc;
	uint64_t pstate; /* SPSR_EL2 format */
	uint64_t elr_el1;
	uint64_t spsr_el1;
	uint64_t sys[GZ_SYS_NR];
	struct gz_fpsimd fp;

	/* EL2 configuration chosen by the core for this vCPU. */
	uint64_t hcr_el2;
	uint64_t vttbr_el2; /* VMID in [63:48], stage-2 root PA below */
	uint64_t vtcr_el2;
	uint64_t vmpidr_el2;
	uint64_t vpidr_el2;
	uint64_t cntvoff_el2;
	uint64_t mdcr_el2; /* trap bits (MDCR_GUEST_FLAGS); the HAL adds HPMN */
	/* EL1 access to the physical counter: CNTHCTL_EL1PCTEN or 0 (it traps). EL1PCEN is
	 * never set: the physical timer always traps, the core emulates it (HALs refuse the
	 * entry otherwise). */
	uint64_t cnthctl_el2;
	/* The physical count at which the HAL makes the vCPU leave the guest with an IRQ exit,
	 * 0 for none: the deadline of the timer the core emulates, which has no hardware to
	 * interrupt the guest when it fires. */
	uint64_t exit_at;

	/* The EL1 physical timer, emulated by the core (never loaded into a CPU): the guest's
	 * physical count is CNTPCT - cntpoff (what CNTPOFF_EL2 of FEAT_ECV would do), its
	 * control register's ENABLE and IMASK, its compare value. */
	uint64_t cntpoff;
	uint64_t cntp_ctl;
	uint64_t cntp_cval;

	/* Nonzero when this is a vCPU of the core's: the HAL may then offer a synchronous exit
	 * to gz_exit_fast before doing the full switch back (hal.h). */
	uint64_t fast_exits;
	/* A vCPU of the core's: the word where the vGIC's kick sets kick_bit for it before it
	 * looks for the CPU that has it loaded (NULL for other contexts). The HAL reads it
	 * after publishing the context as loaded (hal.h, gz_hal_ctx_kicked). */
	const uint32_t *kick_word;
	uint32_t kick_bit;
	/* A vCPU of the core's: 1 + the physical CPU whose RUN holds it, 0 outside a RUN. The
	 * core writes it under the VM's lock, under which the kick reads it (gz_hal_vcpu_kick):
	 * a vCPU inside its RUN but not loaded (polling at EL2, between an exit and its next
	 * entry) is still found where it runs. */
	uint32_t run_cpu;

	struct gz_debug_ctx dbg;
};

enum gz_exit_kind {
	GZ_EXIT_KIND_SYNC,	 /* synchronous trap to EL2: esr/far/hpfar describe it */
	GZ_EXIT_KIND_IRQ,	 /* a physical interrupt for the host arrived */
	GZ_EXIT_KIND_SERROR,	 /* asynchronous external abort */
	GZ_EXIT_KIND_FAIL_ENTRY, /* the vCPU could not be entered */
};

struct gz_exit_record {
	enum gz_exit_kind kind;
	uint64_t esr;	/* ESR_EL2 */
	uint64_t far;	/* FAR_EL2 */
	uint64_t hpfar; /* HPFAR_EL2 */
};

#endif
