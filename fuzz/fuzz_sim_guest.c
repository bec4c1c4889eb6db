/*
 * Fuzz target: the hypervisor from inside a guest. The input becomes a guest program that runs
 * on the simulator (Unicorn) through the unchanged core and the in-process driver, in a VM of
 * 1-4 vCPUs (normal or protected) made as gzvmm makes one (fuzz/harness/simvm.h). Its first
 * byte picks the vCPUs and the kind; then each 12-byte record is one action of the vCPU it
 * names, appended to that vCPU's program:
 *  - HVC or SMC with a function id from PSCI (CPU_ON/OFF/SUSPEND, AFFINITY_INFO, FEATURES...),
 *    SMCCC, the vendor calls (MEMINFO, MEM_SHARE/UNSHARE/RELINQUISH, MMIO_GUARD, PTP, the
 *    channel calls) or the input, and arguments from its RAM, the GIC, the device window,
 *    other vCPUs' affinities, or the input;
 *  - a load or store of 1, 2, 4 or 8 bytes (or post-indexed, which has no ISV) to the
 *    distributor, a redistributor, the device window (an MMIO exit the harness answers), RAM,
 *    the edges of the stage-2 map, or anywhere;
 *  - MSR/MRS of a register that traps or that the simulator answers: the GIC's CPU interface
 *    (SGIs through ICC_SGI1R/ASGI1R/SGI0R, acknowledge, EOI, priorities), the virtual and the
 *    emulated physical timer, ID registers, the PMU, the debug registers, ACTLR, set/way cache
 *    maintenance, or an encoding from the input;
 *  - WFI, a window with IRQs unmasked, and SYSTEM_OFF/RESET.
 * Every vector returns past what trapped, so a program goes on after every injected abort or
 * UNDEF; vCPU 0 brings the others up first and powers the machine off at the end, the others
 * power themselves off. A budget of guest instructions and an idle machine end the run. After
 * every exit the memory-ownership invariant and the vGIC's state are checked (simvm.h); after
 * the VM is closed, nothing is left with a VM and the pool is where it was.
 * fuzz-libs: gzsim_drv gzsim gzcore gzlib
 * fuzz-flags: -detect_leaks=0
 */
#include <stdint.h>

#include <arm64/debug.h>
#include <arm64/idreg.h>
#include <arm64/pmu.h>
#include <gzabi/chan.h>

#include "harness/input.h"
#include "harness/simvm.h"

#define MAX_ACTIONS 96

static const uint32_t fids[] = {
    GZ_PSCI_VERSION,
    GZ_PSCI_CPU_SUSPEND_64,
    GZ_PSCI_CPU_OFF,
    GZ_PSCI_CPU_ON_64,
    GZ_PSCI_CPU_ON_32,
    GZ_PSCI_AFFINITY_INFO_64,
    GZ_PSCI_MIGRATE_INFO_TYPE,
    GZ_PSCI_FEATURES,
    GZ_PSCI_CPU_FREEZE,
    GZ_PSCI_CPU_DEFAULT_SUSPEND_64,
    GZ_PSCI_SYSTEM_SUSPEND_64,
    GZ_PSCI_SYSTEM_RESET2_64,
    GZ_PSCI_MEM_PROTECT,
    GZ_SMCCC_VERSION,
    GZ_SMCCC_ARCH_FEATURES,
    GZ_SMCCC_ARCH_SOC_ID,
    GZ_SMCCC_ARCH_WORKAROUND_1,
    GZ_VENDOR_HYP_CALL_UID,
    GZ_VENDOR_HYP_FEATURES,
    GZ_VENDOR_HYP_PTP,
    GZ_VENDOR_HYP_MEMINFO,
    GZ_VENDOR_HYP_MEM_SHARE,
    GZ_VENDOR_HYP_MEM_UNSHARE,
    GZ_VENDOR_HYP_MMIO_GUARD_INFO,
    GZ_VENDOR_HYP_MMIO_GUARD_ENROLL,
    GZ_VENDOR_HYP_MMIO_GUARD_MAP,
    GZ_VENDOR_HYP_MMIO_GUARD_UNMAP,
    GZ_VENDOR_HYP_MEM_RELINQUISH,
    GZ_VENDOR_HYP_CHAN_SEND,
    GZ_VENDOR_HYP_CHAN_RECV,
    GZ_VENDOR_HYP_CHAN_STATE,
    GZ_VENDOR_HYP_CHAN_WAKE,
};

static const uint32_t sysregs[] = {
    SYS_ICC_SGI1R_EL1,	 SYS_ICC_ASGI1R_EL1,   SYS_ICC_SGI0R_EL1, SYS_ICC_IAR1_EL1,
    SYS_ICC_EOIR1_EL1,	 SYS_ICC_DIR_EL1,      SYS_ICC_PMR_EL1,	  SYS_ICC_BPR1_EL1,
    SYS_ICC_CTLR_EL1,	 SYS_ICC_IGRPEN1_EL1,  SYS_ICC_RPR_EL1,	  SYS_ICC_HPPIR1_EL1,
    SYS_ICC_SRE_EL1,	 SYS_ICC_IAR0_EL1,     SYS_ICC_EOIR0_EL1, SYS_ICC_IGRPEN0_EL1,
    SYS_CNTV_CTL_EL0,	 SYS_CNTV_CVAL_EL0,    SYS_CNTV_TVAL_EL0, SYS_CNTP_CTL_EL0,
    SYS_CNTP_CVAL_EL0,	 SYS_CNTP_TVAL_EL0,    SYS_CNTPCT_EL0,	  SYS_CNTVCT_EL0,
    SYS_CNTKCTL_EL1,	 SYS_MPIDR_EL1,	       SYS_MIDR_EL1,	  SYS_ID_AA64PFR0_EL1,
    SYS_ID_AA64DFR0_EL1, SYS_ID_AA64MMFR0_EL1, SYS_PMCCNTR_EL0,	  SYS_PMCNTENSET_EL0,
    SYS_PMUSERENR_EL0,	 SYS_MDSCR_EL1,	       SYS_OSLSR_EL1,	  SYS_DBGBVR_EL1(0),
    SYS_DBGBCR_EL1(1),	 SYS_DBGWVR_EL1(0),    SYS_ACTLR_EL1,	  SYS_DC_ISW,
    SYS_DC_CISW,
};

/* An address the program aims at. */
static uint64_t target(uint8_t sel, uint64_t raw, unsigned nr_vcpus)
{
	switch (sel & 7) {
	case 0: /* the distributor */
		return SIMVM_DIST + (raw & 0xfffc);
	case 1: /* a redistributor (RD or SGI frame) */
		return SIMVM_REDIST + (raw % nr_vcpus) * 0x20000 + (raw & 0x1fffc);
	case 2: /* the device window: MMIO the harness answers */
		return SIMVM_DEV + (raw & 0xfff);
	case 3: /* RAM the program owns */
		return SIMVM_DATA + (raw & 0xffff);
	case 4: /* the edges of the RAM slot */
		return (raw & 1 ? SIMVM_RAM + SIMVM_RAM_SIZE : SIMVM_RAM) - 8 + (raw >> 1 & 15);
	case 5: /* the RAM's code and vectors */
		return SIMVM_RAM + (raw & 0x1ffff);
	default:
		return raw;
	}
}

static uint64_t arg(uint8_t sel, unsigned nr_vcpus)
{
	uint64_t raw = take(4);

	switch (sel & 3) {
	case 0:
		return raw & 0xf;
	case 1: /* an IPA or a vCPU's code */
		return sel & 0x80 ? SIMVM_CODE(raw % nr_vcpus)
				  : target((uint8_t)(sel >> 2), raw, nr_vcpus);
	case 2: /* an affinity */
		return raw % (nr_vcpus + 1);
	default:
		return raw | (uint64_t)take(4) << 32;
	}
}

/* One record, appended to its vCPU's program. */
static void action(struct simvm_prog *prog, unsigned nr_vcpus)
{
	uint8_t kind = (uint8_t)take(1), sel = (uint8_t)take(1);
	struct simvm_prog *p = &prog[(kind >> 5) % nr_vcpus];

	switch (kind & 7) {
	case 0:
	case 1: { /* a call */
		uint64_t x[4];

		x[0] = sel < 0xf0 ? fids[sel % (sizeof(fids) / sizeof(fids[0]))] : take(4);
		for (unsigned i = 1; i < 4; i++)
			x[i] = arg((uint8_t)take(1), nr_vcpus);
		prog_call(p, kind & 8 && sel & 1, x);
		break;
	}
	case 2:
	case 3: { /* MMIO and memory */
		unsigned size = sel & 3;

		prog_mov(p, 0, target((uint8_t)(sel >> 2), take(4), nr_vcpus));
		prog_mov(p, 1, take(4) | (uint64_t)take(4) << 32);
		prog_emit(p, a64_ldst(size, kind & 8, (sel & 0xe0) == 0xe0, 0, 1));
		break;
	}
	case 4: { /* a system register */
		uint32_t enc = sel < 0xf8 ? sysregs[sel % (sizeof(sysregs) / sizeof(sysregs[0]))]
					  : (uint32_t)take(2) | 0x8000;

		prog_mov(p, 1, take(4) | (uint64_t)take(1) << 32);
		prog_emit(p, kind & 8 ? a64_mrs(enc, 1) : a64_msr(enc, 1));
		break;
	}
	case 5: /* a moment with IRQs unmasked, or asleep */
		prog_emit(p, sel & 1 ? A64_WFI : 0xd50342ffU /* msr daifclr, #2 */);
		for (unsigned i = 0; i < (sel >> 1 & 15u); i++)
			prog_emit(p, A64_NOP);
		prog_emit(p, 0xd50342dfU); /* msr daifset, #2 */
		break;
	case 6: { /* the machine: off or reset (rare: only from the top values) */
		uint64_t x[4] = {sel > 0xfc ? GZ_PSCI_SYSTEM_RESET : GZ_PSCI_FEATURES,
				 GZ_PSCI_SYSTEM_OFF, 0, 0};

		if (sel > 0xfa && sel <= 0xfc)
			x[0] = GZ_PSCI_SYSTEM_OFF;
		prog_call(p, false, x);
		break;
	}
	default: /* the timer, programmed to fire soon */
		prog_mov(p, 1, take(2));
		prog_emit(p, a64_msr(sel & 1 ? SYS_CNTP_TVAL_EL0 : SYS_CNTV_TVAL_EL0, 1));
		prog_mov(p, 1, 1);
		prog_emit(p, a64_msr(sel & 1 ? SYS_CNTP_CTL_EL0 : SYS_CNTV_CTL_EL0, 1));
		break;
	}
}

static uint64_t mmio_read(struct simvm *vm, uint64_t addr, unsigned size)
{
	(void)vm;
	(void)size;
	return addr * 0x9e3779b97f4a7c15ULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct simvm vm;
	struct simvm_prog prog[SIMVM_MAX_VCPUS];
	uint8_t head;
	unsigned n;

	ip = data;
	in_n = size;
	simvm_machine();
	head = (uint8_t)take(1);
	n = 1 + (head & 3);
	simvm_alloc(&vm);
	simvm_write_vectors(vm.ram);
	for (unsigned i = 0; i < n; i++) {
		prog[i] = (struct simvm_prog){(uint32_t *)vm.ram + (SIMVM_CODE(i) - SIMVM_RAM) / 4,
					      0, (unsigned)(SIMVM_CODE_SIZE / 4) - 32};
		prog_prologue(&prog[i]);
	}
	for (unsigned i = 1; i < n; i++) {
		uint64_t x[4] = {GZ_PSCI_CPU_ON_64, i, SIMVM_CODE(i), 0};

		prog_call(&prog[0], false, x);
	}
	for (unsigned a = 0; a < MAX_ACTIONS && in_n; a++)
		action(prog, n);
	for (unsigned i = 0; i < n; i++) {
		uint64_t x[4] = {i ? GZ_PSCI_CPU_OFF : GZ_PSCI_SYSTEM_OFF, 0, 0, 0};

		prog[i].max += 32;
		prog_call(&prog[i], false, x);
		prog_emit(&prog[i], A64_WFI);
		prog_emit(&prog[i], A64_B_BACK1);
	}
	if (simvm_create(&vm, n, head & 4) != 0)
		abort();
	vm.mmio_read = mmio_read;
	simvm_start(&vm);
	simvm_join(&vm);
	simvm_destroy(&vm);
	return 0;
}
