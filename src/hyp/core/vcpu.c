/* vCPU objects (one host-donated pool page each, in the VM's vCPU table): creation,
 * destruction and their reset state. The run loop is in run_loop.c. */
#include <uapi/linux/gzvm.h>
#include <arm64/sysreg.h>
#include <gzabi/hvc.h>
#include <gzhyp/lib.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <gzhyp/exit.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vtimer.h>
#include <hal.h>

GZ_STATIC_ASSERT(sizeof(struct gz_vcpu) <= GZ_PAGE_SIZE, "a vCPU is one pool page");

uint64_t gz_vcpu_mpidr(unsigned idx)
{
	return MPIDR_RES1 | GZ_FIELD_PREP(MPIDR_AFF0, idx % 16) |
	       GZ_FIELD_PREP(MPIDR_AFF1, idx / 16);
}

struct gz_vcpu *gz_vcpu_get(struct gz_vm *vm, uint64_t idx)
{
	if (idx >= GZ_VM_MAX_VCPUS)
		return NULL;
	return vm->vcpus[idx];
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
	c->vtcr_el2 = vm->vtcr_el2;
	c->vttbr_el2 = gz_s2pt_vttbr(&vm->mem.s2);
	c->vmpidr_el2 = v->mpidr;
	c->fast_exits = 1;
	c->kick_word = &vm->kick_mask;
	c->kick_bit = 1u << (v->id % 32);
	gz_sysreg_dbg_reset(c, vm->id_aa64[ID_AA64_INDEX(SYS_ID_AA64DFR0_EL1)]);
	gz_vtimer_reset(c, vm->cntvoff);
	gz_ptimer_reset(c, vm->cntvoff);
	gz_pmu_reset(&v->pmu);
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
	mpidr = gz_vcpu_mpidr((unsigned)idx);
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
	v->xlog_last = UINT64_MAX; /* no exit logged yet, so no cost to fill */
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
