/*
 * vCPUs: object, power state machine, the run loop and the exit plumbing.
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
#include <gzhyp/exit.h>

struct gz_vm;
struct gzvm_vcpu_run;
struct gzvm_vcpu_hwstate;

enum gz_vcpu_power {
	GZ_VCPU_OFF = 0,
	GZ_VCPU_ON_PENDING,
	GZ_VCPU_ON,
};

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
};

struct gz_vcpu {
	struct gz_vm *vm;
	uint16_t id;
	uint8_t power; /* enum gz_vcpu_power */
	bool running;
	uint64_t mpidr;
	gz_pa_t shared_pa; /* host PA of the 2-page block (host pages shared with the hyp) */
	struct gzvm_vcpu_run *run;
	struct gzvm_vcpu_hwstate *hwstate;
	struct gz_mmio_pending mmio;
	/* a guest call went to the host: on the next RUN x0..x3 = hypercall.args[0..3] */
	bool hvc_pending;
	bool hvc_copy_back;
	/* PSCI CPU_ON: where the vCPU starts when it next runs */
	uint64_t on_entry;
	uint64_t on_context;
	/* the list registers as the guest left them at the last exit (hwstate.lr) */
	uint8_t nr_lrs_seen;
	uint64_t lrs_seen[GZ_ICH_MAX_LRS];
	/* exit statistics */
	uint64_t nr_exits;
	uint64_t nr_fast_exits; /* of which served by gz_exit_fast */
	/* halt polling (vcpu.c): how long a WFI spins for a wake-up before the IDLE exit,
	 * adapted to how soon the vCPU was woken after its last IDLE exit */
	uint64_t poll_ticks, idle_since;
	bool went_idle;
	uint64_t nr_polled_wakes; /* WFIs a poll ended without going to the host */
	struct gz_cpu_ctx ctx;
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
/* The vCPU @idx of @vm, or NULL. */
struct gz_vcpu *gz_vcpu_get(struct gz_vm *vm, uint64_t idx);

/* Architectural reset of the register state: PC = @entry, X0 = @x0, EL1h with DAIF
 * masked, MMU and caches off, the vCPU's MPIDR and the VM's timer offset. */
void gz_vcpu_reset(struct gz_vcpu *vcpu, uint64_t entry, uint64_t x0);

/* RUN vCPU @idx of @vm: complete a pending MMIO read, enter the guest until an exit needs
 * the host, write the exit into the run page and hwstate, return GZ_OK with *@exit_reason.
 * GZ_ERR_INVALID_ARGS for no such vCPU, GZ_ERR_BUSY if it is already running,
 * GZ_ERR_BAD_STATE when the VM is being destroyed. */
int gz_vcpu_run(struct gz_vm *vm, uint64_t idx, uint32_t *exit_reason);

/* Advance the guest PC past the trapped instruction. */
void gz_vcpu_skip_insn(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc);
/* Register access with register 31 as XZR. */
uint64_t gz_vcpu_get_reg(const struct gz_vcpu *vcpu, unsigned reg);
void gz_vcpu_set_reg(struct gz_vcpu *vcpu, unsigned reg, uint64_t val);

/* ---- exits to the host (exit.c fills the run page) ----------------------------------- */
void gz_vcpu_exit_system_event(struct gz_vcpu *vcpu, uint32_t type, uint64_t data);
void gz_vcpu_exit_hypercall(struct gz_vcpu *vcpu);
void gz_vcpu_exit_page_fault(struct gz_vcpu *vcpu, gz_ipa_t gpa, uint32_t error_code);
void gz_vcpu_exit_internal(struct gz_vcpu *vcpu, uint32_t suberror, const uint64_t *data,
			   unsigned ndata);
void gz_vcpu_exit_simple(struct gz_vcpu *vcpu, uint32_t reason);

/* ---- MMIO (mmio.c) --------------------------------------------------------------------- */
/* Turn a decoded data abort with ISV into a GZVM_EXIT_MMIO and remember what completes. */
void gz_mmio_exit(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc);
/* On RUN: finish the access the last MMIO exit described (load the register for a read with
 * size and sign extension, register 31 discarded; advance the PC). */
void gz_mmio_complete(struct gz_vcpu *vcpu);
/* The value a read of @size bytes from little-endian @data loads into a register. */
uint64_t gz_mmio_load_value(const uint8_t *data, unsigned size, bool sign_extend, bool sf);
/* The same for @data in memory order of a guest with @big_endian data accesses. */
uint64_t gz_mmio_load(const uint8_t *data, unsigned size, bool big_endian, bool sign_extend,
		      bool sf);
/* The @size bytes, in memory order, a store of @val writes. */
void gz_mmio_store_bytes(uint64_t val, unsigned size, bool big_endian, uint8_t *out);
/* Whether the vCPU's data accesses are big-endian now (SCTLR_EL1.EE at EL1, .E0E at EL0). */
bool gz_mmio_guest_big_endian(const struct gz_vcpu *vcpu);

#endif
