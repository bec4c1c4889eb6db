/* The run loop of a vCPU (gz_vcpu_run): finish what the last exit left for the host, then
 * flush the vGIC, enter through the HAL, dispatch the exit (decoded by the fast path inside
 * the HAL, or here), until an exit needs the host; then the exit is in the shared run page
 * and hwstate describes the vGIC and the virtual timer. */
#include <uapi/linux/gzvm.h>
#include <gzabi/hvc.h>
#include <gzhyp/atomic.h>
#include <gzhyp/exit.h>
#include <gzhyp/exit_log.h>
#include <gzhyp/lib.h>
#include <gzhyp/mmio.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <gzhyp/pmu.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vcpu_exit.h>
#include <gzhyp/vcpu_idle.h>
#include <gzhyp/vm.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vtimer.h>
#include <hal.h>

/* Finish what the previous exit left for the host to complete. */
static void complete_previous(struct gz_vcpu *v, uint8_t mmio_completion)
{
	unsigned i;

	gz_mmio_complete(v, mmio_completion);
	if (v->hvc_pending) {
		v->hvc_pending = false;
		if (v->hvc_copy_back)
			for (i = 0; i < 4; i++)
				v->ctx.x[i] = v->run->hypercall.args[i];
	}
}

/* hwstate for the host: the list registers as the guest left them (an interrupt the guest
 * completed reads state "invalid" with its vINTID still there, which is how the driver
 * resamples level irqfds), and the timer offset. */
static void fill_hwstate(struct gz_vcpu *v)
{
	struct gzvm_vcpu_hwstate *hw = v->hwstate;
	unsigned i;

	hw->nr_lrs = v->nr_lrs_seen;
	for (i = 0; i < GZVM_VCPU_HWSTATE_NR_LRS; i++)
		hw->lr[i] = i < v->nr_lrs_seen ? v->lrs_seen[i] : 0;
	hw->vtimer_offset = v->vm->cntvoff;
}

/* Between the guest's exit and the vGIC sync: keep the LRs the flush used, as they are. */
static void save_lrs(struct gz_vcpu *v)
{
	unsigned i, nr = 0;

	gz_vgic_lrs(&v->vm->vgic, v->id, &nr);
	nr = GZ_MIN(nr, GZVM_VCPU_HWSTATE_NR_LRS);
	for (i = 0; i < nr; i++)
		v->lrs_seen[i] = gz_hal_ich_read(GZ_ICH_LR(i));
	v->nr_lrs_seen = (uint8_t)nr;
}

/* One entry into the guest; returns the action for its exit. */
static enum gz_exit_action enter_once(struct gz_vcpu *v)
{
	struct gz_vm *vm = v->vm;
	struct gz_exit_record rec;
	enum gz_exit_action act;
	uint64_t t_exit, pc;
	uint16_t vmid;
	int r;

	gz_hal_vcpu_kick_settle();
	gz_vtimer_update(&vm->vgic, v->id, &v->ctx);
	gz_ptimer_update(&vm->vgic, v->id, &v->ctx);
	gz_pmu_update(&v->pmu, &vm->vgic, v->id);
	/* Kicks for this vCPU (its own timers' above among them) are picked up by the flush;
	 * one that comes after it makes the HAL give up the entry (hal.h). */
	gz_vm_kicks_take(vm, 1u << v->id);
	gz_vgic_flush(&vm->vgic, v->id);
	vmid = gz_vmid_enter(gz_vm_vmid_alloc(), &vm->vmid, gz_hal_cpu_id());
	if (gz_atomic_load(&vm->mem.s2.vmid) != vmid)
		gz_s2pt_set_vmid(&vm->mem.s2, vmid);
	v->ctx.vttbr_el2 = gz_s2pt_vttbr(&vm->mem.s2);
	gz_memset(&rec, 0, sizeof(rec));
	v->exit_handed = false;
	gz_exit_log_enter(v);
	r = gz_hal_vcpu_run(&v->ctx, &rec);
	t_exit = gz_exit_log_now(v);
	pc = v->ctx.pc; /* the exit's: handlers move it on */
	save_lrs(v);
	gz_vgic_sync(&vm->vgic, v->id);
	gz_vtimer_update(&vm->vgic, v->id, &v->ctx);
	gz_ptimer_update(&vm->vgic, v->id, &v->ctx);
	gz_pmu_update(&v->pmu, &vm->vgic, v->id);
	if (r < 0) {
		rec.kind = GZ_EXIT_KIND_FAIL_ENTRY;
		rec.esr = (uint64_t)(int64_t)r;
	}
	v->nr_exits++;
	/* The interrupt was gzhyp's own (the timer the sync just injected, maintenance, a
	 * kick): straight back in, the flush above picks up what it announced. */
	if (rec.kind == GZ_EXIT_KIND_IRQ && gz_hal_vcpu_irq_consumed()) {
		gz_exit_log_add(v, &rec, pc, t_exit, GZ_EXIT_LOG_CORE, 0);
		return GZ_EXIT_RESUME;
	}
	/* An exit the fast path declined comes decoded (and located in the vGIC). */
	if (!v->exit_handed) {
		arm64_exit_decode(&rec, &v->exit.desc);
		v->exit.vgic_located = false;
		v->exit.const_located = false;
		if (v->exit.desc.type == GZ_XT_FAIL_ENTRY)
			v->exit.desc.esr = rec.esr; /* the HAL's reason, for fail_entry */
	}
	act = gz_exit_dispatch(v, &v->exit);
	gz_exit_log_add(v, &rec, pc, t_exit,
			act == GZ_EXIT_TO_HOST ? GZ_EXIT_LOG_HOST : GZ_EXIT_LOG_CORE, 0);
	return act;
}

int gz_vcpu_run(struct gz_vm *vm, uint64_t idx, uint32_t *exit_reason)
{
	struct gz_vcpu *v;
	uint32_t self;
	uint64_t woken_at;
	unsigned budget;
	uint8_t completion;
	int r = GZ_OK;

	/* Looked up under the lock: DESTROY_VCPU/VM cannot free it from under this call. */
	gz_hal_lock(&vm->lock);
	v = gz_vcpu_get(vm, idx);
	if (vm->state == GZ_VM_DESTROYING)
		r = GZ_ERR_BAD_STATE;
	else if (!v)
		r = GZ_ERR_INVALID_ARGS;
	else if (v->running)
		r = GZ_ERR_BUSY;
	if (r != GZ_OK) {
		gz_hal_unlock(&vm->lock);
		return r;
	}
	if ((v->run->padding1[0] | v->run->padding1[1] | v->run->padding1[2]) ||
	    !gz_mmio_completion(v, &completion)) {
		gz_hal_unlock(&vm->lock);
		return GZ_ERR_INVALID_ARGS;
	}
	if (vm->state == GZ_VM_OFF) {
		gz_vcpu_exit_system_event(v, vm->sys_event, vm->sys_event_data);
		gz_hal_unlock(&vm->lock);
		*exit_reason = GZVM_EXIT_SYSTEM_EVENT;
		return GZ_OK;
	}
	if (v->power == GZ_VCPU_OFF) {
		/* Under the lock: the vCPU is not marked running, so only the lock keeps a
		 * DESTROY_VCPU from freeing it under these writes. */
		gz_vcpu_idle_exit(v, 0, 0);
		fill_hwstate(v);
		gz_hal_unlock(&vm->lock);
		*exit_reason = GZVM_EXIT_IDLE;
		return GZ_OK;
	}
	if (v->power == GZ_VCPU_ON_PENDING) {
		gz_vcpu_reset(v, v->on_entry, v->on_context);
		v->power = GZ_VCPU_ON;
	}
	v->running = true;
	v->ctx.run_cpu = gz_hal_cpu_id() + 1;
	woken_at = v->woken_at;
	v->woken_at = 0;
	self = 1u << v->id;
	if (vm->state == GZ_VM_CREATED) {
		gz_pvmfw_first_run(vm, v);
		gz_atomic_store_release(&vm->state, GZ_VM_RUNNING);
	}
	gz_hal_unlock(&vm->lock);

	complete_previous(v, completion);
	gz_vcpu_idle_adapt(v, woken_at);
	gz_exit_log_run(v);
	for (budget = GZ_VCPU_RUN_BUDGET;; budget--) {
		if (enter_once(v) == GZ_EXIT_TO_HOST)
			break;
		if (gz_atomic_load_acquire(&vm->state) == GZ_VM_OFF) {
			/* Another vCPU powered the machine off. */
			gz_vcpu_exit_system_event(v, vm->sys_event, vm->sys_event_data);
			break;
		}
		if (gz_vm_wakes_take(vm, ~self)) {
			/* Another vCPU outside a RUN got an interrupt; its host thread may sleep
			 * in IDLE. The host wakes every vCPU of the VM on this exit. */
			gz_vcpu_exit_simple(v, GZVM_EXIT_IPI);
			break;
		}
		if (budget == 1 || gz_exit_log_full(v)) {
			gz_vcpu_exit_simple(v, GZVM_EXIT_GZ);
			break;
		}
	}
	fill_hwstate(v);
	*exit_reason = v->run->exit_reason;

	gz_hal_lock(&vm->lock);
	v->running = false;
	v->ctx.run_cpu = 0;
	/* A kick that looked at this vCPU while it still ran woke no host thread (vm.c): if
	 * one came since its last entry, the IDLE exit must not put the thread to sleep. The
	 * RUN ends with GZVM_EXIT_GZ instead (the host re-enters at once; the WFI is done). */
	if (*exit_reason == GZVM_EXIT_IDLE && v->power == GZ_VCPU_ON &&
	    (gz_atomic_load(&vm->kick_mask) & self)) {
		gz_vcpu_exit_simple(v, GZVM_EXIT_GZ);
		*exit_reason = GZVM_EXIT_GZ;
	}
	gz_hal_unlock(&vm->lock);
	return GZ_OK;
}
