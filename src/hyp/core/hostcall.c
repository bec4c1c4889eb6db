/* The host hypercall dispatcher (MT_HVC_GZVM_*, include/gzabi/hvc.h) and the core's init.
 * Every argument is checked here or by the callee before anything changes; a bad call gets
 * a status code in x0 and leaves the hypervisor as it was. */
#include <uapi/linux/gzvm.h>
#include <gzabi/chan.h>
#include <gzhyp/atomic.h>
#include <gzhyp/chan.h>
#include <gzhyp/hostcall.h>
#include <gzhyp/hostmem.h>
#include <gzabi/hvc.h>
#include <gzhyp/lib.h>
#include <gzhyp/one_reg.h>
#include <gzhyp/pgstate.h>
#include <gzhyp/pvm.h>
#include <gzabi/status.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <hal.h>

/* Largest DESTROY_VM batch honoured (bounds one call's time in the hypervisor). */
#define HOSTCALL_DESTROY_BATCH_MAX 4096
#define HOSTCALL_MEM_PURPOSE_FLAGS                                                                 \
	(GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_PROTECT_FW |                        \
	 GZVM_USER_MEM_REGION_STATIC_SWIOTLB | GZVM_USER_MEM_REGION_READONLY)

static bool hyp_ready;
/* The VM each physical CPU's current host call holds a reference on (released when the call
 * returns), so a concurrent DESTROY_VM cannot free it under the call. */
static struct gz_vm *held[GZ_MAX_PCPUS];

static int hold_vm(uint64_t id, struct gz_vm **out)
{
	struct gz_vm *vm;

	if (id > 0xffff)
		return GZ_ERR_INVALID_ARGS;
	vm = gz_vm_acquire(id);
	if (!vm)
		return GZ_ERR_INVALID_ARGS;
	held[gz_hal_cpu_id() % GZ_MAX_PCPUS] = vm;
	*out = vm;
	return GZ_OK;
}

/* The VM addressed by a bare vm_id argument that still accepts calls. */
static int live_vm(uint64_t id, struct gz_vm **out)
{
	int r = hold_vm(id, out);

	if (r == GZ_OK && gz_atomic_load_acquire(&(*out)->state) == GZ_VM_DESTROYING)
		return GZ_ERR_BAD_STATE;
	return r;
}

/* The VM of a (vm_id << 16 | vcpu_id) tuple; the vCPU is looked up by the callee under
 * the VM lock. */
static int tuple_vm(uint64_t tuple, struct gz_vm **vm)
{
	if (!gz_hvc_tuple_valid(tuple))
		return GZ_ERR_INVALID_ARGS;
	return live_vm(gz_hvc_tuple_vm(tuple), vm);
}

static int do_probe(struct gz_smccc_regs *r)
{
	uint64_t major = r->a[1];

	/* Pre-v13 drivers send no version (0); v13 sends 16.0.0. */
	if (major != 0 && major != GZ_HYP_VERSION_MAJOR)
		return GZ_ERR_NOT_SUPPORTED;
	r->a[1] = GZ_HYP_VERSION_MAJOR;
	r->a[2] = GZ_HYP_VERSION_MINOR;
	r->a[3] = GZ_HYP_VERSION_SUB;
	return GZ_OK;
}

static int do_create_vm(struct gz_smccc_regs *r)
{
	uint16_t id;
	int st = gz_vm_create(r->a[1], &id);

	if (st == GZ_OK)
		r->a[1] = id;
	return st;
}

static int do_destroy_vm(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	int st;

	if (r->a[2] > HOSTCALL_DESTROY_BATCH_MAX)
		return GZ_ERR_INVALID_ARGS;
	st = hold_vm(r->a[1], &vm);
	if (st != GZ_OK)
		return st;
	st = gz_vm_destroy(vm, r->a[2]);
	if (st == GZ_OK)
		held[gz_hal_cpu_id() % GZ_MAX_PCPUS] = NULL; /* consumed */
	return st;
}

static int do_create_vcpu(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	int st = tuple_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	return gz_vcpu_create(vm, gz_hvc_tuple_vcpu(r->a[1]), r->a[2]);
}

static int do_destroy_vcpu(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	int st = tuple_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	return gz_vcpu_destroy(vm, gz_hvc_tuple_vcpu(r->a[1]));
}

static int do_run(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	uint32_t reason = 0;
	int st = tuple_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	st = gz_vcpu_run(vm, gz_hvc_tuple_vcpu(r->a[1]), &reason);
	if (st == GZ_OK)
		r->a[1] = reason;
	return st;
}

static int one_reg(struct gz_smccc_regs *r, bool set)
{
	struct gz_vm *vm;
	struct gz_vcpu *v;
	uint64_t val = 0;
	int st = tuple_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	gz_hal_lock(&vm->lock);
	v = gz_vcpu_get(vm, gz_hvc_tuple_vcpu(r->a[1]));
	/* A protected VM's registers are closed before anything else is said about the vCPU:
	 * whether it is inside RUN just now must not change the answer a host gets. */
	if (!v)
		st = GZ_ERR_INVALID_ARGS;
	else if ((st = gz_pvm_one_reg_allowed(vm)) == GZ_OK && v->running)
		st = GZ_ERR_BUSY;
	if (st == GZ_OK)
		st = set ? gz_one_reg_set(v, r->a[2], r->a[3]) : gz_one_reg_get(v, r->a[2], &val);
	gz_hal_unlock(&vm->lock);
	if (st == GZ_OK && !set)
		r->a[1] = val;
	return st;
}

static int do_get_one_reg(struct gz_smccc_regs *r)
{
	return one_reg(r, false);
}

static int do_set_one_reg(struct gz_smccc_regs *r)
{
	return one_reg(r, true);
}

static bool vcpu_exists(struct gz_vm *vm, unsigned idx)
{
	bool r;

	gz_hal_lock(&vm->lock);
	r = gz_vcpu_get(vm, idx) != NULL;
	gz_hal_unlock(&vm->lock);
	return r;
}

/* IRQ_LINE: the upstream form is a bare 0-based SPI index (TYPE 0); opengz also takes the
 * typed form: TYPE SPI with an INTID >= 32, TYPE PPI with an INTID 16..31 for the vCPU the
 * VCPU fields name (docs/abi.md). */
static int do_irq_line(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	uint64_t irq = r->a[2], level = r->a[3];
	uint32_t num, type, intid;
	unsigned vcpu = 0;
	int st = tuple_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	if (irq >> 32 || level > 1)
		return GZ_ERR_INVALID_ARGS;
	num = GZVM_IRQ_LINE_NUM(irq);
	type = GZVM_IRQ_LINE_TYPE(irq);
	switch (type) {
	case GZVM_IRQ_TYPE_CPU:
		if (irq & ~(uint64_t)GZVM_IRQ_NUM_MASK)
			return GZ_ERR_INVALID_ARGS;
		if (num >= GZ_VM_NR_SPIS)
			return GZ_ERR_INVALID_ARGS;
		intid = ARCH_GIC_SPI_BASE + num;
		break;
	case GZVM_IRQ_TYPE_SPI:
		if (num < ARCH_GIC_SPI_BASE || num >= ARCH_GIC_SPI_BASE + GZ_VM_NR_SPIS)
			return GZ_ERR_INVALID_ARGS;
		intid = num;
		break;
	case GZVM_IRQ_TYPE_PPI:
		vcpu = GZVM_IRQ_LINE_VCPU(irq);
		if (num < GZ_VGIC_NR_SGIS || num >= GZ_VGIC_NR_PRIVATE || !vcpu_exists(vm, vcpu))
			return GZ_ERR_INVALID_ARGS;
		intid = num;
		break;
	default:
		return GZ_ERR_INVALID_ARGS;
	}
	st = gz_vgic_inject(&vm->vgic, vcpu, intid, (uint32_t)level);
	/* The driver wakes every vCPU after an injection: no IPI exit needed for it. The kick
	 * bits stay: each is its vCPU's to take at its entry, and an entry racing with this
	 * kick looks at its bit (hal.h, gz_hal_ctx_kicked). */
	gz_vm_wakes_take(vm, ~0u);
	return st;
}

/* Copy a structure the host placed at @pa (inside one host-owned page). */
static int read_host_struct(gz_pa_t pa, void *dst, size_t size)
{
	if ((pa & ~GZ_PAGE_MASK) + size > GZ_PAGE_SIZE)
		return GZ_ERR_INVALID_ARGS;
	/* Only pages the host owns outright (not lent to the hypervisor, not a guest's). */
	if (gz_pgstate_owner(pa) != GZ_OWNER_HOST ||
	    gz_pgstate_view(pa, GZ_OWNER_HOST) != GZ_PAGE_OWNED)
		return GZ_ERR_ACCESS_DENIED;
	/* Covered is not always backed (hal.h): a PA the HAL cannot map is refused. */
	return gz_hostmem_read(dst, pa, size);
}

static int do_create_device(struct gz_smccc_regs *r)
{
	struct gzvm_create_device dev;
	struct gz_vm *vm;
	int st = live_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	st = read_host_struct(r->a[2], &dev, sizeof(dev));
	if (st != GZ_OK)
		return st;
	if (dev.flags)
		return GZ_ERR_INVALID_ARGS;
	return gz_vgic_create_device(&vm->vgic, dev.dev_type, dev.dev_addr, dev.dev_reg_size);
}

static int do_enable_cap(struct gz_smccc_regs *r)
{
	uint64_t cap = r->a[2];
	struct gz_vm *vm = NULL;
	int st;

	switch (cap) {
	case GZVM_CAP_QUERY_HYP_BATCH_PAGES:
		r->a[1] = GZ_MEMSLOT_BLOCK_PAGES;
		return GZ_OK;
	case GZVM_CAP_QUERY_DESTROY_BATCH_PAGES:
		r->a[1] = GZ_MEM_DESTROY_BATCH;
		return GZ_OK;
	case GZVM_CAP_OPENGZ_VM_LIMIT: /* the hypervisor's: vm 0 only */
		if (r->a[1])
			return GZ_ERR_INVALID_ARGS;
		st = r->a[3] ? gz_vm_limit_set(r->a[3]) : GZ_OK;
		r->a[1] = st == GZ_OK ? gz_vm_limit() : 0;
		return st;
	case GZVM_CAP_OPENGZ_HYP_QUOTA:
		if (r->a[1])
			break;
		/* vm 0: the quota of VMs created from now on */
		st = r->a[3] ? gz_vm_quota_default_set(r->a[3]) : GZ_OK;
		r->a[1] = st == GZ_OK ? gz_vm_quota_default() : 0;
		return st;
	default:
		break;
	}
	st = live_vm(r->a[1], &vm);
	if (st != GZ_OK)
		return st;
	switch (cap) {
	case GZVM_CAP_ENABLE_DEMAND_PAGING:
		r->a[1] = 0;
		return gz_memslot_enable_demand_paging(&vm->mem);
	case GZVM_CAP_BLOCK_BASED_DEMAND_PAGING:
		r->a[1] = 0;
		return gz_memslot_set_block_buffer(&vm->mem, r->a[3], r->a[4]);
	case GZVM_CAP_ENABLE_IDLE:
		gz_atomic_store(&vm->idle_cap, true);
		r->a[1] = 0;
		return GZ_OK;
	case GZVM_CAP_PROTECTED_VM:
		return gz_pvm_enable_cap(vm, &r->a[3], &r->a[1]);
	case GZVM_CAP_OPENGZ_MMIO_CONST:
		r->a[1] = 0;
		if (r->a[7])
			return GZ_ERR_INVALID_ARGS;
		gz_hal_lock(&vm->lock);
		/* The first RUN moves the VM out of CREATED under this lock: vCPUs search the
		 * table without it, so from then on only an updatable entry's value changes. */
		st = vm->state != GZ_VM_CREATED
			 ? gz_mmio_const_update(&vm->mmio_const, vm->ipa_bits, r->a[3], r->a[4],
						r->a[5], r->a[6])
			 : gz_mmio_const_set(&vm->mmio_const, &vm->mem.obj_acct, vm->ipa_bits,
					     r->a[3], r->a[4], r->a[5], r->a[6]);
		gz_hal_unlock(&vm->lock);
		return st;
	case GZVM_CAP_OPENGZ_HYP_QUOTA: {
		uint64_t limit, used;

		/* The host's own quota for this VM is a reservation: it can always be reached,
		 * and the VMs' reservations never add up past the pool. */
		st = r->a[3] ? gz_vm_mem_quota_set(&vm->mem, r->a[3], true) : GZ_OK;
		gz_vm_mem_quota_get(&vm->mem, &limit, &used);
		r->a[1] = limit;
		return st;
	}
	default:
		return GZ_ERR_NOT_SUPPORTED;
	}
}

static int do_memregion_purpose(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	int st = live_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	if (r->a[4] & ~(uint64_t)HOSTCALL_MEM_PURPOSE_FLAGS)
		return GZ_ERR_INVALID_ARGS;
	return gz_memslot_purpose(&vm->mem, r->a[2], r->a[3], (uint32_t)r->a[4]);
}

static int do_set_memregion(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	int st = live_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	return gz_memslot_set_region(&vm->mem, r->a[3], r->a[2]);
}

static int do_set_dtb_config(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	uint64_t end;
	int st = live_vm(r->a[1], &vm);

	if (st != GZ_OK)
		return st;
	if (!r->a[3] || !gz_range_end(r->a[2], r->a[3], &end) || end > (1ULL << vm->ipa_bits))
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&vm->lock);
	vm->dtb_addr = r->a[2];
	vm->dtb_size = r->a[3];
	gz_hal_unlock(&vm->lock);
	return GZ_OK;
}

/* The VM (x1) and memslot id (x2, 32 bits) the MAP_GUEST calls name. */
static int slot_call(const struct gz_smccc_regs *r, struct gz_vm **vm)
{
	int st = live_vm(r->a[1], vm);

	if (st == GZ_OK && r->a[2] > 0xffffffffULL)
		return GZ_ERR_INVALID_ARGS;
	return st;
}

static int map_guest(struct gz_smccc_regs *r, bool block)
{
	struct gz_vm *vm;
	int st = slot_call(r, &vm);

	if (st != GZ_OK)
		return st;
	if (block)
		st = gz_memslot_map_guest_block(&vm->mem, (uint32_t)r->a[2], r->a[3], r->a[4]);
	else
		st = gz_memslot_map_guest(&vm->mem, (uint32_t)r->a[2], r->a[3], r->a[4], r->a[5]);
	/* opengz: x1 = the 2 MiB stage-2 blocks the VM's maps have made so far (docs/abi.md) */
	r->a[1] = gz_vm_mem_s2_blocks(&vm->mem);
	return st;
}

static int do_map_guest(struct gz_smccc_regs *r)
{
	return map_guest(r, false);
}

static int do_map_guest_block(struct gz_smccc_regs *r)
{
	return map_guest(r, true);
}

/* MAP_GUEST_AHEAD (opengz, include/gzabi/hvc.h): x4 the fault's page, x5..x7 those held. */
static int do_map_guest_ahead(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	int st = slot_call(r, &vm);

	if (st != GZ_OK)
		return st;
	return gz_memslot_map_ahead(&vm->mem, (uint32_t)r->a[2], r->a[3], &r->a[4],
				    1 + GZ_MAP_AHEAD_PAGES);
}

static int do_statistics(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;
	int st;

	/* VM 0 is the hypervisor itself (as in ENABLE_CAP's queries): its pool, for soak runs
	 * and leak checks across VM lifetimes. */
	if (r->a[1] == 0) {
		gz_mem_hyp_stats(&r->a[1], &r->a[2], &r->a[3]);
		return GZ_OK;
	}
	st = live_vm(r->a[1], &vm);
	if (st != GZ_OK)
		return st;
	gz_vm_mem_stats(&vm->mem, &r->a[1], &r->a[2]);
	r->a[3] = 0;
	return GZ_OK;
}

/* The two VMs of a channel call, x1 (live, held until the dispatch ends) and x2 (held: the
 * caller releases *@b). */
static int chan_vms(const struct gz_smccc_regs *r, struct gz_vm **a, struct gz_vm **b)
{
	int st = live_vm(r->a[1], a);

	if (st != GZ_OK)
		return st;
	if (r->a[2] > 0xffff)
		return GZ_ERR_INVALID_ARGS;
	*b = gz_vm_acquire(r->a[2]);
	return *b ? GZ_OK : GZ_ERR_INVALID_ARGS;
}

/* CHAN_CREATE (opengz, include/gzabi/chan.h): both VMs held for the call. */
static int do_chan_create(struct gz_smccc_regs *r)
{
	struct gz_vm *a, *b;
	uint32_t id = 0;
	int st = chan_vms(r, &a, &b);

	if (st != GZ_OK)
		return st;
	st = gz_chan_create(a, b, r->a[3], r->a[4], &id);
	gz_vm_release(b);
	if (st == GZ_OK)
		r->a[1] = id;
	return st;
}

/* CHAN_REGION (opengz, include/gzabi/chan.h): both VMs held for the call. */
static int do_chan_region(struct gz_smccc_regs *r)
{
	struct gz_vm *a, *b;
	int st = chan_vms(r, &a, &b);

	if (st != GZ_OK)
		return st;
	st = gz_chan_region(a, b, r->a[3], r->a[4], r->a[5], r->a[6], r->a[7]);
	gz_vm_release(b);
	return st;
}

static int do_inform_exit(struct gz_smccc_regs *r)
{
	struct gz_vm *vm;

	/* Nothing is deferred inside the hypervisor at a host signal: acknowledge. */
	return live_vm(r->a[1], &vm);
}

/* Every host call: its handler and how many of x1..x3 it returns on success (the rest read
 * as zero). Indexed by function number; the numbers without a handler (GET_REGS/SET_REGS,
 * removed in v5) and every id outside the table (SMC32 ids...) get GZ_ERR_NOT_SUPPORTED. */
static const struct hostcall {
	int (*fn)(struct gz_smccc_regs *r);
	uint8_t nr_results;
} calls[GZ_HVC_FN_NR] = {
    [GZ_HVC_FN_CREATE_VM] = {do_create_vm, 1},
    [GZ_HVC_FN_DESTROY_VM] = {do_destroy_vm, 0},
    [GZ_HVC_FN_CREATE_VCPU] = {do_create_vcpu, 0},
    [GZ_HVC_FN_DESTROY_VCPU] = {do_destroy_vcpu, 0},
    [GZ_HVC_FN_SET_MEMREGION] = {do_set_memregion, 0},
    [GZ_HVC_FN_RUN] = {do_run, 1},
    [GZ_HVC_FN_GET_ONE_REG] = {do_get_one_reg, 1},
    [GZ_HVC_FN_SET_ONE_REG] = {do_set_one_reg, 0},
    [GZ_HVC_FN_IRQ_LINE] = {do_irq_line, 0},
    [GZ_HVC_FN_CREATE_DEVICE] = {do_create_device, 0},
    [GZ_HVC_FN_PROBE] = {do_probe, 3},
    [GZ_HVC_FN_ENABLE_CAP] = {do_enable_cap, 1},
    [GZ_HVC_FN_INFORM_EXIT] = {do_inform_exit, 0},
    [GZ_HVC_FN_MEMREGION_PURPOSE] = {do_memregion_purpose, 0},
    [GZ_HVC_FN_SET_DTB_CONFIG] = {do_set_dtb_config, 0},
    [GZ_HVC_FN_MAP_GUEST] = {do_map_guest, 1},
    [GZ_HVC_FN_MAP_GUEST_BLOCK] = {do_map_guest_block, 1},
    [GZ_HVC_FN_GET_STATISTICS] = {do_statistics, 3},
};

void gz_hostcall_dispatch(struct gz_smccc_regs *regs)
{
	uint64_t fid = regs->a[0];
	unsigned i, n = 0;
	int st;

	if (!hyp_ready) {
		st = GZ_ERR_BAD_STATE;
	} else {
		unsigned cpu = gz_hal_cpu_id() % GZ_MAX_PCPUS;

		/* opengz's own calls sit outside gzvm's numbers (include/gzabi/chan.h). */
		static const struct hostcall chan_create = {do_chan_create, 1};
		static const struct hostcall chan_region = {do_chan_region, 0};
		static const struct hostcall map_ahead = {do_map_guest_ahead, 0};
		const struct hostcall *c =
		    fid - GZ_HVC_ID(0) < GZ_HVC_FN_NR ? &calls[fid - GZ_HVC_ID(0)] : NULL;

		if (fid == GZ_HVC_CHAN_CREATE)
			c = &chan_create;
		else if (fid == GZ_HVC_CHAN_REGION)
			c = &chan_region;
		else if (fid == GZ_HVC_MAP_GUEST_AHEAD)
			c = &map_ahead;

		st = c && c->fn ? c->fn(regs) : GZ_ERR_NOT_SUPPORTED;
		if (st == GZ_OK)
			n = c->nr_results;
		/* A page-table change reports any refused page as NO_MEMORY: the VM's quota, not
		 * an empty pool, is NO_RESOURCES (gzvm.ko: ENOSPC), so the host knows which.
		 * Asked only then: no pool lock on the path of every RUN. */
		if (st == GZ_ERR_NO_MEMORY && held[cpu] && gz_vm_mem_quota_refused(&held[cpu]->mem))
			st = GZ_ERR_NO_RESOURCES;
		if (held[cpu]) {
			gz_vm_release(held[cpu]);
			held[cpu] = NULL;
		}
	}
	for (i = n + 1; i <= 3; i++)
		regs->a[i] = 0;
	if (st != GZ_OK && fid == GZ_HVC_CREATE_VM)
		regs->a[1] = GZ_HVC_INVALID_VM_ID;
	regs->a[0] = (uint64_t)(int64_t)st;
}

int gz_core_init(const struct gz_core_config *cfg)
{
	int r;

	hyp_ready = false;
	gz_memset(held, 0, sizeof(held));
	if (!cfg)
		return GZ_ERR_INVALID_ARGS;
	r = gz_mem_init(&cfg->mem);
	if (r != GZ_OK)
		return r;
	r = gz_vmid_alloc_init(gz_vm_vmid_alloc(), cfg->vmid_bits ? cfg->vmid_bits : 8);
	if (r != GZ_OK)
		return r;
	gz_vm_table_init();
	gz_chan_table_init();
	hyp_ready = true;
	return GZ_OK;
}
