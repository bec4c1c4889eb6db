/*
 * vCPUs: the object (vcpu.c), its power state machine and its run loop (run_loop.c). What
 * an exit writes for the host is in gzhyp/vcpu_exit.h, MMIO in gzhyp/mmio.h, waiting in
 * gzhyp/vcpu_idle.h.
 *
 * Power states (PSCI view, changed under the VM lock):
 *   OFF --CPU_ON (exactly one caller gets SUCCESS)--> ON_PENDING --RUN--> ON
 *   ON --CPU_OFF--> OFF
 * vCPU 0 is created ON (the boot CPU the VMM sets up with SET_ONE_REG); the others are
 * created OFF and wait for PSCI CPU_ON. RUN on an OFF vCPU returns GZVM_EXIT_IDLE with no
 * timer to migrate (hwstate.vtimer_migrate = 0): the host sleeps until an IPI exit or an
 * injection wakes it. `running` marks a vCPU between entry and exit: a second RUN of the
 * same vCPU gets GZ_ERR_BUSY.
 */
#ifndef GZ_VCPU_H
#define GZ_VCPU_H

#include <arm64/types.h>
#include <arm64/cpu_ctx.h>
#include <arm64/sysreg.h>
#include <gzhyp/exit.h>
#include <gzhyp/mmio.h>
#include <gzhyp/pmu.h>

struct gz_vm;
struct gzvm_vcpu_run;
struct gzvm_vcpu_hwstate;

enum gz_vcpu_power {
	GZ_VCPU_OFF = 0,
	GZ_VCPU_ON_PENDING,
	GZ_VCPU_ON,
};

/*
 * Who may touch a field (its rule is next to it):
 *   [const] set by CREATE_VCPU before the vCPU is in the VM's table; read-only after
 *   [lock]  the VM's lock
 *   [run]   the vCPU's own: only the RUN that marked it running touches it (on the CPU that
 *           runs it: the run loop, the HAL, the exit fast path), or a caller holding the
 *           VM's lock while it does not run (ONE_REG, the reset of a CPU_ON, destruction).
 *           Others may take the context's address (gz_hal_vcpu_kick), never its contents.
 */
struct gz_vcpu {
	struct gz_vm *vm; /* [const] */
	uint16_t id;	  /* [const] */
	uint8_t power;	  /* [lock] enum gz_vcpu_power */
	bool running;	  /* [lock] */
	uint64_t mpidr;	  /* [const] */
	/* [const] host PA of the 2-page block (host pages shared with the hyp) */
	gz_pa_t shared_pa;
	/* [const] the block's pages: the hypervisor writes them under [run]; the host may
	 * write them at any time, so what is read from them is read once */
	struct gzvm_vcpu_run *run;
	struct gzvm_vcpu_hwstate *hwstate;
	struct gz_mmio_pending mmio; /* [run] */
	/* [run] a guest call went to the host: on the next RUN x0..x3 = hypercall.args[0..3] */
	bool hvc_pending;
	bool hvc_copy_back;
	/* [lock] PSCI CPU_ON: where the vCPU starts when it next runs */
	uint64_t on_entry;
	uint64_t on_context;
	/* [run] the list registers as the guest left them at the last exit (hwstate.lr) */
	uint8_t nr_lrs_seen;
	uint64_t lrs_seen[GZ_ICH_MAX_LRS];
	/* [run] the exit gz_hal_vcpu_run is returning, as gz_exit_fast decoded it before
	 * declining it (exit_handed): the run loop dispatches it without decoding it again */
	bool exit_handed;
	struct gz_exit exit;
	/* [run] exit statistics */
	uint64_t nr_exits;
	uint64_t nr_fast_exits; /* of which served by gz_exit_fast */
	/* [run] the exit log (gzhyp/exit_log.h): records written, the head when this RUN
	 * began, whether it is on for this RUN, the counter at the exit whose cost is not known
	 * yet (UINT64_MAX: none) */
	uint64_t xlog_head, xlog_start, xlog_last;
	bool xlog_on;
	/* [run] halt polling (vcpu_idle.c): how long a WFI spins for a wake-up before the IDLE
	 * exit, adapted to how soon the vCPU was woken after its last IDLE exit */
	uint64_t poll_ticks, idle_since;
	bool went_idle;
	/* [lock] the counter at the first kick (an interrupt made pending for it) that found
	 * the vCPU outside a RUN, 0: none since its last RUN began. Set by the kick (vm.c),
	 * taken by the next RUN: when the wake-up came, not when the host's thread was back. */
	uint64_t woken_at;
	uint64_t nr_polled_wakes; /* WFIs a poll ended without going to the host */
	struct gz_vpmu pmu;	  /* [run] */
	struct gz_cpu_ctx ctx;	  /* [run] */
};

/* Most exits handled inside the hypervisor per RUN call before it returns GZVM_EXIT_GZ to
 * the host (the driver loops): bounds the time one hypercall keeps the host CPU. */
#define GZ_VCPU_RUN_BUDGET 64

/* CREATE_VCPU: @shared_pa is the host PA of the 2-page run/hwstate block; the pages must be
 * host-owned (they become shared with the hypervisor until DESTROY_VCPU). */
int gz_vcpu_create(struct gz_vm *vm, uint64_t idx, gz_pa_t shared_pa);
/* DESTROY_VCPU: GZ_ERR_BUSY while it runs. */
int gz_vcpu_destroy(struct gz_vm *vm, uint64_t idx);
/* Release a vCPU during VM destruction (the VM lock is held, nothing runs). */
void gz_vcpu_release(struct gz_vcpu *vcpu);
/* MPIDR_EL1 of vCPU @idx: Aff0 = idx % 16, Aff1 = idx / 16, RES1 bit 31. */
uint64_t gz_vcpu_mpidr(unsigned idx);
/* The vCPU @idx of @vm, or NULL. */
struct gz_vcpu *gz_vcpu_get(struct gz_vm *vm, uint64_t idx);

/* Architectural reset of the register state: PC = @entry, X0 = @x0, EL1h with DAIF
 * masked, MMU and caches off, the vCPU's MPIDR and the VM's timer offset. */
void gz_vcpu_reset(struct gz_vcpu *vcpu, uint64_t entry, uint64_t x0);

/* RUN vCPU @idx of @vm (run_loop.c): complete a pending MMIO access, enter the guest until an
 * exit needs the host, write the exit into the run page and hwstate, return GZ_OK with
 * *@exit_reason. GZ_ERR_INVALID_ARGS for no such vCPU, padding1 not zero or an MMIO completion
 * the ABI does not define (nothing changed), GZ_ERR_BUSY if it is already running,
 * GZ_ERR_BAD_STATE when the VM is being destroyed. */
int gz_vcpu_run(struct gz_vm *vm, uint64_t idx, uint32_t *exit_reason);

/* Advance the guest PC past the trapped instruction. */
/* Past an instruction the hypervisor completed for the guest. A software step of it is then
 * done: PSTATE.SS clear takes the step exception before the next one, as after any
 * instruction stepped (KVM does the same). */
static inline void gz_vcpu_skip_insn(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc)
{
	vcpu->ctx.pc += desc->il ? 4 : 2;
	vcpu->ctx.pstate &= ~(uint64_t)PSR_SS;
}

/* Register access with register 31 as XZR. */
static inline uint64_t gz_vcpu_get_reg(const struct gz_vcpu *vcpu, unsigned reg)
{
	return reg < 31 ? vcpu->ctx.x[reg] : 0;
}

static inline void gz_vcpu_set_reg(struct gz_vcpu *vcpu, unsigned reg, uint64_t val)
{
	if (reg < 31)
		vcpu->ctx.x[reg] = val;
}

#endif
