/* vCPU objects (one host-donated pool page each), their reset state and the run loop:
 * flush the vGIC, enter through the HAL, decode and dispatch the exit, until an exit needs
 * the host; then the exit is in the shared run page and hwstate describes the vGIC and the
 * virtual timer. */
#include <uapi/linux/gzvm.h>
#include <arm64/sysreg.h>
#include <gzabi/hvc.h>
#include <gzhyp/lib.h>
#include <gzhyp/psci.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <gzhyp/vtimer.h>
#include <hal.h>

GZ_STATIC_ASSERT(sizeof(struct gz_vcpu) <= GZ_PAGE_SIZE, "a vCPU is one pool page");

struct gz_vcpu *gz_vcpu_get(struct gz_vm *vm, uint64_t idx)
{
	if (idx >= GZ_VM_MAX_VCPUS)
		return NULL;
	return vm->vcpus[idx];
}

uint64_t gz_vcpu_get_reg(const struct gz_vcpu *v, unsigned reg)
{
	return reg < 31 ? v->ctx.x[reg] : 0;
}

void gz_vcpu_set_reg(struct gz_vcpu *v, unsigned reg, uint64_t val)
{
	if (reg < 31)
		v->ctx.x[reg] = val;
}

void gz_vcpu_skip_insn(struct gz_vcpu *v, const struct gz_exit_desc *d)
{
	v->ctx.pc += d->il ? 4 : 2;
}

void gz_vcpu_reset(struct gz_vcpu *v, uint64_t entry, uint64_t x0)
{
	struct gz_cpu_ctx *c = &v->ctx;
	struct gz_vm *vm = v->vm;

	gz_memset(c, 0, sizeof(*c));
	c->x[0] = x0;
	c->pc = entry;
	c->pstate = PSR_MODE_EL1h | PSR_DAIF;
	c->sys[GZ_SYS_SCTLR_EL1] = SCTLR_EL1_RESET;
	c->hcr_el2 = HCR_GUEST_FLAGS;
	c->mdcr_el2 = MDCR_GUEST_FLAGS;
	c->vtcr_el2 = gz_s2pt_vtcr(&vm->mem.s2) | gz_vmid_vtcr_vs(gz_vm_vmid_alloc());
	c->vttbr_el2 = gz_s2pt_vttbr(&vm->mem.s2);
	c->vmpidr_el2 = v->mpidr;
	c->fast_exits = 1;
	gz_vtimer_reset(c, vm->cntvoff);
	v->mmio.active = false;
	v->hvc_pending = false;
}

int gz_vcpu_create(struct gz_vm *vm, uint64_t idx, gz_pa_t shared_pa)
{
	struct gzvm_vcpu_run *run;
	struct gzvm_vcpu_hwstate *hw;
	struct gz_vcpu *v;
	uint64_t mpidr;
	int r;

	if (idx >= GZ_VM_MAX_VCPUS || !GZ_IS_ALIGNED(shared_pa, GZ_PAGE_SIZE))
		return GZ_ERR_INVALID_ARGS;
	mpidr = gz_vm_vcpu_mpidr((unsigned)idx);
	gz_hal_lock(&vm->lock);
	if (vm->state != GZ_VM_CREATED && vm->state != GZ_VM_RUNNING)
		r = GZ_ERR_BAD_STATE;
	else if (vm->vcpus[idx])
		r = GZ_ERR_ALREADY_EXISTS;
	else
		r = GZ_OK;
	gz_hal_unlock(&vm->lock);
	if (r != GZ_OK)
		return r;
	run = gz_hal_pa_to_va(shared_pa);
	hw = gz_hal_pa_to_va(shared_pa + GZVM_VCPU_HWSTATE_OFFSET);
	if (!run || !hw)
		return GZ_ERR_INVALID_ARGS;
	/* A vCPU index keeps its redistributor across destroy and re-create. */
	if (!vm->vgic.cpu[idx].present &&
	    gz_vgic_vcpu_init(&vm->vgic, (unsigned)idx, mpidr) != GZ_OK)
		return GZ_ERR_INVALID_ARGS;
	/* The block stays the host's; the hypervisor borrows it (the host cannot give it to
	 * a guest or to the hypervisor's pool while the vCPU exists). */
	r = gz_mem_host_share_hyp(shared_pa, GZVM_VCPU_RUN_MAP_SIZE / GZ_PAGE_SIZE);
	if (r != GZ_OK)
		return r;
	v = gz_pool_zalloc(&vm->mem.obj_acct);
	if (!v) {
		gz_mem_host_unshare_hyp(shared_pa, GZVM_VCPU_RUN_MAP_SIZE / GZ_PAGE_SIZE);
		return GZ_ERR_NO_MEMORY;
	}
	v->vm = vm;
	v->id = (uint16_t)idx;
	v->mpidr = mpidr;
	v->shared_pa = shared_pa;
	v->run = run;
	v->hwstate = hw;
	gz_vcpu_reset(v, 0, 0);
	gz_hal_lock(&vm->lock);
	/* Checked again: another CPU may have created this index, or started DESTROY_VM
	 * (which releases only the vCPUs it sees), since the check above. */
	if (vm->state != GZ_VM_CREATED && vm->state != GZ_VM_RUNNING)
		r = GZ_ERR_BAD_STATE;
	else if (vm->vcpus[idx])
		r = GZ_ERR_ALREADY_EXISTS;
	if (r == GZ_OK) {
		v->power = idx == 0 ? GZ_VCPU_ON : GZ_VCPU_OFF;
		vm->vcpus[idx] = v;
		vm->nr_vcpus++;
	}
	gz_hal_unlock(&vm->lock);
	if (r != GZ_OK) {
		gz_pool_free_va(&vm->mem.obj_acct, v);
		gz_mem_host_unshare_hyp(shared_pa, GZVM_VCPU_RUN_MAP_SIZE / GZ_PAGE_SIZE);
	}
	return r;
}

void gz_vcpu_release(struct gz_vcpu *v)
{
	struct gz_vm *vm = v->vm;

	vm->vcpus[v->id] = NULL;
	vm->nr_vcpus--;
	gz_mem_host_unshare_hyp(v->shared_pa, GZVM_VCPU_RUN_MAP_SIZE / GZ_PAGE_SIZE);
	gz_pool_free_va(&vm->mem.obj_acct, v);
}

int gz_vcpu_destroy(struct gz_vm *vm, uint64_t idx)
{
	struct gz_vcpu *v;
	int r = GZ_OK;

	if (idx >= GZ_VM_MAX_VCPUS)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&vm->lock);
	v = vm->vcpus[idx];
	if (!v)
		r = GZ_ERR_NOT_FOUND;
	else if (v->running)
		r = GZ_ERR_BUSY;
	else
		gz_vcpu_release(v);
	gz_hal_unlock(&vm->lock);
	return r;
}

static void idle_exit(struct gz_vcpu *v, uint64_t delay, uint32_t migrate)
{
	gz_vcpu_exit_simple(v, GZVM_EXIT_IDLE);
	v->hwstate->vtimer_delay = delay;
	v->hwstate->vtimer_migrate = migrate;
}

/*
 * Halt polling, as KVM's halt_poll_ns: before a waiting vCPU gives its CPU back to the host
 * (an IDLE exit, a sleep in the host driver and a wake-up through the host scheduler), spin
 * up to v->poll_ticks for an interrupt, its timer or the VM's end. The window adapts: a vCPU
 * woken within the HAL's maximum after its last IDLE exit polls longer next time (from an
 * eighth of the maximum, doubling), one that slept longer polls half as long. A host
 * interrupt stops the poll at once.
 */
static bool poll_for_wake(struct gz_vcpu *v)
{
	uint64_t window = GZ_MIN(v->poll_ticks, gz_hal_idle_poll_max()), start, now;

	if (!window)
		return false;
	start = now = gz_hal_cntpct();
	do {
		if (gz_vgic_vcpu_pending(&v->vm->vgic, v->id) || gz_vtimer_asserted(&v->ctx, now) ||
		    __atomic_load_n(&v->vm->state, __ATOMIC_RELAXED) == GZ_VM_OFF)
			return true;
		if (gz_hal_host_irq_pending())
			return false;
		now = gz_hal_cntpct();
	} while (now - start < window);
	return false;
}

static void adapt_poll(struct gz_vcpu *v)
{
	uint64_t max = gz_hal_idle_poll_max();

	if (!v->went_idle)
		return;
	v->went_idle = false;
	if (gz_hal_cntpct() - v->idle_since <= max)
		v->poll_ticks = v->poll_ticks ? GZ_MIN(v->poll_ticks * 2, max) : max / 8;
	else
		v->poll_ticks /= 2;
}

enum gz_exit_action gz_vcpu_wfi(struct gz_vcpu *v)
{
	uint64_t delay;
	uint32_t migrate;

	if (!v->vm->idle_cap || gz_vgic_vcpu_pending(&v->vm->vgic, v->id))
		return GZ_EXIT_RESUME;
	if (poll_for_wake(v)) {
		v->nr_polled_wakes++;
		return GZ_EXIT_RESUME;
	}
	gz_vtimer_idle_info(&v->ctx, gz_hal_cntpct(), &delay, &migrate);
	idle_exit(v, delay, migrate);
	v->idle_since = gz_hal_cntpct();
	v->went_idle = true;
	return GZ_EXIT_TO_HOST;
}

/* Finish what the previous exit left for the host to complete. */
static void complete_previous(struct gz_vcpu *v)
{
	unsigned i;

	gz_mmio_complete(v);
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
	struct gz_exit_desc desc;
	uint16_t vmid;
	int r;

	/* Kicks for this vCPU are picked up by the flush. */
	gz_hal_lock(&vm->lock);
	vm->kick_mask &= ~(1u << v->id);
	gz_hal_unlock(&vm->lock);
	gz_vtimer_update(&vm->vgic, v->id, &v->ctx);
	gz_vgic_flush(&vm->vgic, v->id);
	vmid = gz_vmid_enter(gz_vm_vmid_alloc(), &vm->vmid, gz_hal_cpu_id());
	if (vm->mem.s2.vmid != vmid)
		gz_s2pt_set_vmid(&vm->mem.s2, vmid);
	v->ctx.vttbr_el2 = gz_s2pt_vttbr(&vm->mem.s2);
	gz_memset(&rec, 0, sizeof(rec));
	r = gz_hal_vcpu_run(&v->ctx, &rec);
	save_lrs(v);
	gz_vgic_sync(&vm->vgic, v->id);
	gz_vtimer_update(&vm->vgic, v->id, &v->ctx);
	if (r < 0) {
		rec.kind = GZ_EXIT_KIND_FAIL_ENTRY;
		rec.esr = (uint64_t)(int64_t)r;
	}
	v->nr_exits++;
	/* The interrupt was gzhyp's own (the timer the sync just injected, maintenance, a
	 * kick): straight back in, the flush above picks up what it announced. */
	if (rec.kind == GZ_EXIT_KIND_IRQ && gz_hal_vcpu_irq_consumed())
		return GZ_EXIT_RESUME;
	arm64_exit_decode(&rec, &desc);
	if (desc.type == GZ_XT_FAIL_ENTRY)
		desc.esr = rec.esr; /* the HAL's reason, for fail_entry */
	return gz_exit_dispatch(v, &desc);
}

int gz_vcpu_run(struct gz_vm *vm, uint64_t idx, uint32_t *exit_reason)
{
	struct gz_vcpu *v;
	uint32_t self;
	unsigned budget;
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
	if (v->run->padding1[0] | v->run->padding1[1] | v->run->padding1[2]) {
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
		idle_exit(v, 0, 0);
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
	self = 1u << v->id;
	if (vm->state == GZ_VM_CREATED)
		vm->state = GZ_VM_RUNNING;
	gz_hal_unlock(&vm->lock);

	complete_previous(v);
	adapt_poll(v);
	for (budget = GZ_VCPU_RUN_BUDGET;; budget--) {
		if (enter_once(v) == GZ_EXIT_TO_HOST)
			break;
		if (vm->state == GZ_VM_OFF) {
			/* Another vCPU powered the machine off. */
			gz_vcpu_exit_system_event(v, vm->sys_event, vm->sys_event_data);
			break;
		}
		if (vm->kick_mask & ~self) {
			/* Another vCPU got an interrupt; its host thread may sleep in IDLE. The
			 * host wakes every vCPU of the VM on this exit. */
			__atomic_store_n(&vm->kick_mask, 0, __ATOMIC_RELAXED);
			gz_vcpu_exit_simple(v, GZVM_EXIT_IPI);
			break;
		}
		if (budget == 1) {
			gz_vcpu_exit_simple(v, GZVM_EXIT_GZ);
			break;
		}
	}
	fill_hwstate(v);
	*exit_reason = v->run->exit_reason;

	gz_hal_lock(&vm->lock);
	v->running = false;
	gz_hal_unlock(&vm->lock);
	return GZ_OK;
}
