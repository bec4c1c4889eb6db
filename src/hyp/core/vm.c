/* The VM table and the VM lifecycle: creation (memory object, vGIC, timer offset), lookup,
 * MPIDRs of its vCPUs, and the batched destruction that gives every page back to the host. */
#include <arm64/sysreg.h>
#include <gzhyp/atomic.h>
#include <gzhyp/chan.h>
#include <gzhyp/lib.h>
#include <gzhyp/s2pt.h>
#include <gzhyp/sysreg_id.h>
#include <gzabi/status.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <gzhyp/vtimer.h>

static struct gz_vm vms[GZ_MAX_VMS];
static gz_lock_t table_lock = GZ_LOCK_INIT;
static uint64_t vm_limit = GZ_MAX_VMS;			 /* [table] */
static uint64_t quota_default = GZ_VM_HYP_QUOTA_DEFAULT; /* [table] */
static struct gz_vmid_alloc vmid_alloc;

struct gz_vmid_alloc *gz_vm_vmid_alloc(void)
{
	return &vmid_alloc;
}

void gz_vm_table_init(void)
{
	gz_memset(vms, 0, sizeof(vms));
	table_lock = (gz_lock_t)GZ_LOCK_INIT;
	vm_limit = GZ_MAX_VMS;
	quota_default = GZ_VM_HYP_QUOTA_DEFAULT;
}

/* The host's settings: at least 1 and at most @max, under the table lock. */
static int setting_set(uint64_t *field, uint64_t v, uint64_t max)
{
	if (v == 0 || v > max)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&table_lock);
	*field = v;
	gz_hal_unlock(&table_lock);
	return GZ_OK;
}

static uint64_t setting_get(const uint64_t *field)
{
	uint64_t v;

	gz_hal_lock(&table_lock);
	v = *field;
	gz_hal_unlock(&table_lock);
	return v;
}

int gz_vm_limit_set(uint64_t n)
{
	return setting_set(&vm_limit, n, GZ_MAX_VMS);
}

unsigned gz_vm_limit(void)
{
	return (unsigned)setting_get(&vm_limit);
}

int gz_vm_quota_default_set(uint64_t pages)
{
	return setting_set(&quota_default, pages, UINT64_MAX);
}

uint64_t gz_vm_quota_default(void)
{
	return setting_get(&quota_default);
}

/* vGIC callbacks: a vCPU of this VM should look at its interrupts. */
static void vm_kick(void *ctx, unsigned vcpu)
{
	struct gz_vm *vm = ctx;
	struct gz_vcpu *v;

	/* Before the look at the target: an entry the look misses finds the bit (hal.h). */
	gz_atomic_or_seq_cst(&vm->kick_mask, 1u << (vcpu % 32));
	/* A running target may sit on another physical CPU with its list registers already
	 * loaded: interrupt it there rather than wait for its next exit; one polling at EL2
	 * sees its kick bit. Only a target outside a RUN needs its host thread woken. The lock
	 * keeps it from being freed meanwhile, and orders this look against the target's end
	 * of RUN: one that ends after it finds its kick bit set and does not sleep
	 * (gz_vcpu_run). */
	gz_hal_lock(&vm->lock);
	v = vcpu < GZ_VM_MAX_VCPUS ? vm->vcpus[vcpu] : NULL;
	if (v && v->running) {
		gz_hal_vcpu_kick(&v->ctx);
	} else {
		gz_atomic_or(&vm->wake_mask, 1u << (vcpu % 32));
		if (v && !v->woken_at)
			v->woken_at = gz_hal_cntpct(); /* halt polling's measure (vcpu_idle.c) */
	}
	gz_hal_unlock(&vm->lock);
}

/* Only what was seen: a bit set between the load and the clear stays set. */
static uint32_t mask_take(uint32_t *m, uint32_t mask)
{
	uint32_t seen = gz_atomic_load(m) & mask;

	if (seen)
		gz_atomic_and(m, ~seen);
	return seen;
}

uint32_t gz_vm_kicks_take(struct gz_vm *vm, uint32_t mask)
{
	return mask_take(&vm->kick_mask, mask);
}

uint32_t gz_vm_wakes_take(struct gz_vm *vm, uint32_t mask)
{
	return mask_take(&vm->wake_mask, mask);
}

static const struct gz_vgic_ops vm_vgic_ops = {
    .kick = vm_kick,
    /* No resample callback: level irqfds are resampled by the host driver from the list
     * registers reported in hwstate after each RUN (docs/abi.md). */
    .resample = NULL,
};

int gz_vm_create(uint64_t vm_type, uint16_t *id)
{
	struct gz_vm *vm = NULL;
	unsigned i;
	uint64_t live = 0;
	uint64_t quota;
	int r;

	if (vm_type != GZ_VM_TYPE_LINUX)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&table_lock);
	/* Slots change from FREE only under this lock: the count is exact. */
	for (i = 0; i < GZ_MAX_VMS; i++)
		live += gz_atomic_load_acquire(&vms[i].state) != GZ_VM_FREE;
	for (i = 0; live < vm_limit && i < GZ_MAX_VMS; i++) {
		if (gz_atomic_load_acquire(&vms[i].state) == GZ_VM_FREE) {
			vm = &vms[i];
			/* Reserve the slot while it is set up outside the table lock. */
			gz_atomic_store_release(&vm->state, GZ_VM_CREATING);
			break;
		}
	}
	quota = quota_default;
	gz_hal_unlock(&table_lock);
	if (!vm)
		return GZ_ERR_NO_RESOURCES;

	vm->id = (uint16_t)(i + 1);
	vm->lock = (gz_lock_t)GZ_LOCK_INIT;
	vm->ipa_bits = GZ_MIN(GZ_VM_IPA_BITS, gz_mem_host_s2()->pa_bits);
	/* The vGIC allocates nothing; the memory object last, so a failure leaves nothing. */
	r = gz_vgic_init(&vm->vgic, GZ_VM_NR_SPIS, 1ULL << vm->ipa_bits, &vm_vgic_ops, vm);
	if (r == GZ_OK)
		r = gz_vm_mem_init(&vm->mem, vm->id, vm->ipa_bits, 0);
	if (r != GZ_OK) {
		gz_hal_lock(&table_lock);
		gz_memset(vm, 0, sizeof(*vm));
		gz_hal_unlock(&table_lock);
		return r;
	}
	/* After the root table: a quota too small for it still leaves a VM that reports why
	 * its first map fails, rather than a CREATE_VM refusal that looks like the VM limit. */
	gz_vm_mem_quota_set(&vm->mem, quota, false); /* a bound only: nothing to refuse */
	vm->cntvoff = gz_vtimer_vm_offset();
	gz_sysreg_id_init(vm->id_aa64);
	vm->vtcr_el2 = gz_s2pt_vtcr(&vm->mem.s2) | gz_vmid_vtcr_vs(&vmid_alloc);
	gz_atomic_store_release(&vm->state, GZ_VM_CREATED);
	*id = vm->id;
	return GZ_OK;
}

struct gz_vm *gz_vm_get(uint64_t id)
{
	struct gz_vm *vm;

	if (id == 0 || id > GZ_MAX_VMS)
		return NULL;
	vm = &vms[id - 1];
	switch (gz_atomic_load_acquire(&vm->state)) {
	case GZ_VM_FREE:
	case GZ_VM_CREATING:
		return NULL;
	default:
		return vm;
	}
	return vm;
}

int gz_vm_set_kind(struct gz_vm *vm, enum gz_vm_kind kind)
{
	int r = GZ_OK;

	if (kind != GZ_VM_NORMAL && kind != GZ_VM_PROTECTED)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&vm->lock);
	/* The first RUN moves the VM out of CREATED under this lock: no vCPU has run yet. */
	if (vm->state != GZ_VM_CREATED)
		r = GZ_ERR_BAD_STATE;
	else if (kind == GZ_VM_PROTECTED)
		r = gz_vm_mem_set_protected(&vm->mem);
	else if (gz_vm_kind(vm) != GZ_VM_NORMAL)
		r = GZ_ERR_NOT_ALLOWED;
	gz_hal_unlock(&vm->lock);
	return r;
}

unsigned gz_vm_count(void)
{
	unsigned i, n = 0;

	for (i = 0; i < GZ_MAX_VMS; i++)
		n += gz_vm_get(i + 1) != NULL;
	return n;
}

struct gz_vm *gz_vm_at(unsigned idx)
{
	unsigned i;

	for (i = 0; i < GZ_MAX_VMS; i++)
		if (gz_vm_get(i + 1) && idx-- == 0)
			return &vms[i];
	return NULL;
}

struct gz_vm *gz_vm_acquire(uint64_t id)
{
	struct gz_vm *vm;

	gz_hal_lock(&table_lock);
	vm = gz_vm_get(id);
	if (vm)
		vm->users++;
	gz_hal_unlock(&table_lock);
	return vm;
}

void gz_vm_release(struct gz_vm *vm)
{
	gz_hal_lock(&table_lock);
	vm->users--;
	gz_hal_unlock(&table_lock);
}

int gz_vm_destroy(struct gz_vm *vm, uint64_t batch)
{
	unsigned i;
	int r;

	gz_hal_lock(&vm->lock);
	if (vm->state != GZ_VM_DESTROYING) {
		for (i = 0; i < GZ_VM_MAX_VCPUS; i++) {
			if (vm->vcpus[i] && vm->vcpus[i]->running) {
				gz_hal_unlock(&vm->lock);
				return GZ_ERR_BUSY;
			}
		}
		gz_atomic_store_release(&vm->state, GZ_VM_DESTROYING);
		for (i = 0; i < GZ_VM_MAX_VCPUS; i++)
			if (vm->vcpus[i])
				gz_vcpu_release(vm->vcpus[i]);
		gz_mmio_const_free(&vm->mmio_const, &vm->mem.obj_acct);
		gz_hal_unlock(&vm->lock);
		/* Outside the VM lock: the channel lock comes first (gzhyp/chan.h). */
		gz_chan_vm_gone(vm);
	} else {
		gz_hal_unlock(&vm->lock);
	}

	r = gz_vm_mem_reclaim(&vm->mem, batch ? batch : GZ_MEM_DESTROY_BATCH);
	if (r != GZ_OK)
		return r;
	gz_hal_lock(&table_lock);
	if (vm->users > 1) {
		/* Another host call still holds the control block. */
		gz_hal_unlock(&table_lock);
		return GZ_ERR_BUSY;
	}
	gz_vmid_release(&vmid_alloc, &vm->vmid);
	gz_vm_mem_quota_set(&vm->mem, 0, false); /* its reservation goes back to the pool */
	gz_memset(vm, 0, sizeof(*vm));
	gz_hal_unlock(&table_lock);
	return GZ_OK;
}

struct gz_vcpu *gz_vm_find_vcpu_by_mpidr(struct gz_vm *vm, uint64_t mpidr)
{
	unsigned i;

	if (mpidr & ~MPIDR_AFF_MASK)
		return NULL;
	for (i = 0; i < GZ_VM_MAX_VCPUS; i++) {
		struct gz_vcpu *v = vm->vcpus[i];

		if (v && (v->mpidr & MPIDR_AFF_MASK) == mpidr)
			return v;
	}
	return NULL;
}
