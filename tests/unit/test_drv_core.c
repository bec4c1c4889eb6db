/* gzdrv against the real gzhyp core: the portable driver logic with an environment whose
 * hypercalls go straight into gz_hostcall_dispatch on the fake machine (host pages of
 * mem_fixture.h, a scripted guest from vm_fixture.h). Proves that what the driver sends is
 * what the hypervisor accepts: probe and batch queries, capability negotiation, registration
 * in demand and fully populated mode (constituent batches), block demand paging on a real
 * stage-2 fault, memslot delete, the ioeventfd fast path on a real MMIO exit, vGIC devices,
 * IRQ_LINE forms, a channel between two VMs (the ioctl on two VM fds, the doorbell's wake-up
 * finished in the kernel, the peer woken when a VM goes), and teardown giving every page back
 * to the host.
 * test-libs: gzdrv gzcore gzfake gzlib */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gzhyp/chan.h>
#include <gzhyp/pgstate.h>

#include <arm64/gicv3.h>
#include <arm64/ich.h>

#include "gzdrv.h"
#include "gzdrv_priv.h" /* gzdrv_chan_wake */
#include "vgic_model.h"
#include "vm_fixture.h"

#define ALLOC_FIRST 2048 /* driver pages: FIX_PAGE(2048..) */
#define RAM_FIRST   8192 /* "user" RAM: FIX_PAGE(8192..) */
#define RAM_PAGES   4096
#define RAM_UADDR   0x7f0000000000ULL
#define GPA	    0x80000000ULL

static struct {
	unsigned next_alloc;
	long pages_out, pins, fds;
	bool scatter;	/* RAM page i at FIX_PAGE(RAM_FIRST + 2 i): no two contiguous */
	bool no_demand; /* refuse ENABLE_DEMAND_PAGING on the way to the core */
	bool no_pages;	/* alloc_pages fails */
	void *last_obj;
	void *objs[64]; /* by fd - 3 */
	unsigned wakes;
	struct {
		uint64_t count;
		struct gzdrv_irqfd *watch;
	} efd[4];
} env;

static uint64_t ram_pa(uint64_t uaddr)
{
	uint64_t i = (uaddr - RAM_UADDR) >> GZ_PAGE_SHIFT;

	return FIX_PAGE(RAM_FIRST + (env.scatter ? 2 * i : i));
}

static void e_hvc(void *e, const struct gzdrv_hvc_in *in, struct gzdrv_hvc_out *out)
{
	struct gz_smccc_regs r;

	(void)e;
	memcpy(r.a, in->x, sizeof(r.a));
	if (env.no_demand && in->x[0] == GZ_HVC_ENABLE_CAP &&
	    in->x[2] == GZVM_CAP_ENABLE_DEMAND_PAGING) {
		memset(out, 0, sizeof(*out));
		out->x[0] = (uint64_t)(int64_t)GZ_ERR_NOT_SUPPORTED;
		return;
	}
	gz_hostcall_dispatch(&r);
	memcpy(out->x, r.a, sizeof(out->x));
}

static void *e_alloc_pages(void *e, unsigned int n, uint64_t *pa)
{
	void *va;

	(void)e;
	if (env.no_pages)
		return NULL;
	*pa = FIX_PAGE(ALLOC_FIRST + env.next_alloc);
	env.next_alloc += n;
	va = gz_hal_pa_to_va(*pa);
	memset(va, 0, (size_t)n << GZ_PAGE_SHIFT);
	env.pages_out += n;
	return va;
}

static void e_free_pages(void *e, void *va, unsigned int n)
{
	(void)e;
	(void)va;
	env.pages_out -= n;
}

static void *e_zalloc(void *e, size_t size)
{
	(void)e;
	return calloc(1, size);
}

static void e_free(void *e, void *p)
{
	(void)e;
	free(p);
}

static int e_copy_from_user(void *e, void *dst, uint64_t uaddr, size_t len)
{
	(void)e;
	memcpy(dst, (const void *)(uintptr_t)uaddr, len);
	return 0;
}

static int e_copy_to_user(void *e, uint64_t uaddr, const void *src, size_t len)
{
	(void)e;
	memcpy((void *)(uintptr_t)uaddr, src, len);
	return 0;
}

static int e_check_user_range(void *e, uint64_t uaddr, uint64_t size)
{
	(void)e;
	return uaddr >= RAM_UADDR && uaddr + size <= RAM_UADDR + (RAM_PAGES << GZ_PAGE_SHIFT)
		   ? 0
		   : -EFAULT;
}

static int e_pin(void *e, uint64_t uaddr, uint64_t *pa)
{
	(void)e;
	*pa = ram_pa(uaddr);
	env.pins++;
	return 0;
}

static void e_unpin(void *e, uint64_t pa, bool dirty)
{
	(void)e;
	(void)pa;
	(void)dirty;
	env.pins--;
}

static int e_eventfd_get(void *e, int fd, void **efd)
{
	(void)e;
	if (fd < 0 || fd >= 4)
		return -EBADF;
	*efd = &env.efd[fd];
	return 0;
}

static void e_eventfd_put(void *e, void *efd)
{
	(void)e;
	(void)efd;
}

static void e_eventfd_signal(void *e, void *efd)
{
	(void)e;
	((typeof(&env.efd[0]))efd)->count++;
}

static int e_watch(void *e, struct gzdrv_irqfd *f)
{
	(void)e;
	((typeof(&env.efd[0]))f->efd)->watch = f;
	return 0;
}

static void e_unwatch(void *e, struct gzdrv_irqfd *f)
{
	(void)e;
	((typeof(&env.efd[0]))f->efd)->watch = NULL;
}

static void *e_lock_create(void *e)
{
	(void)e;
	return &env;
}

static void e_lock_nop(void *e, void *l)
{
	(void)e;
	(void)l;
}

static int e_new_fd(void *e, enum gzdrv_fd_kind kind, void *obj)
{
	(void)e;
	(void)kind;
	env.last_obj = obj;
	env.objs[env.fds % 64] = obj;
	return (int)(3 + env.fds++);
}

static bool e_signal_pending(void *e)
{
	(void)e;
	return false;
}

static void e_sleep(void *e, struct gzdrv_vcpu *v, uint64_t ns)
{
	(void)e;
	(void)v;
	(void)ns;
}

static void e_wake(void *e, struct gzdrv_vcpu *v)
{
	(void)e;
	(void)v;
	env.wakes++;
}

static struct gzdrv drv;

/* fds 3.. as e_new_fd made them; only a VM's is a VM fd. */
static int e_vm_get(void *e, int fd, struct gzdrv_vm **vm)
{
	(void)e;
	if (fd < 3 || fd >= 3 + (int)env.fds)
		return -EBADF;
	if (!gz_vm_get(((struct gzdrv_vm *)env.objs[fd - 3])->vm_id) ||
	    ((struct gzdrv_vm *)env.objs[fd - 3])->drv != &drv)
		return -EINVAL;
	*vm = env.objs[fd - 3];
	return 0;
}

static void e_vm_put(void *e, struct gzdrv_vm *vm)
{
	(void)e;
	(void)vm;
}

static void e_clocks(void *e, uint64_t *wall, uint64_t *cnt)
{
	(void)e;
	*wall = 1;
	*cnt = 2;
}

/* clang-format off */
static const struct gzdrv_ops ops = {
	.hvc = e_hvc, .alloc_pages = e_alloc_pages, .free_pages = e_free_pages,
	.zalloc = e_zalloc, .free = e_free, .copy_from_user = e_copy_from_user,
	.copy_to_user = e_copy_to_user, .check_user_range = e_check_user_range,
	.pin_user_page = e_pin, .unpin_page = e_unpin, .eventfd_get = e_eventfd_get,
	.eventfd_put = e_eventfd_put, .eventfd_signal = e_eventfd_signal,
	.irqfd_watch = e_watch, .irqfd_unwatch = e_unwatch, .lock_create = e_lock_create,
	.lock_destroy = e_lock_nop, .lock = e_lock_nop, .unlock = e_lock_nop,
	.new_fd = e_new_fd, .signal_pending = e_signal_pending, .vcpu_sleep = e_sleep,
	.vcpu_wake = e_wake, .read_clocks = e_clocks, .vm_get = e_vm_get, .vm_put = e_vm_put,
};
/* clang-format on */

static struct gzvm_vcpu_run urun;

static int setup(void **state)
{
	(void)state;
	memset(&env, 0, sizeof(env));
	if (vfix_init() != GZ_OK)
		return -1;
	vfix_guest_reset();
	gzdrv_init(&drv, &ops, NULL, 40, 62500000);
	return gzdrv_probe(&drv);
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(gz_vm_count(), 0);
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++) {
		assert_false(GZ_OWNER_IS_VM(gz_pgstate_owner(gz_pgstate_pa_at(i))));
		assert_int_equal(gz_pgstate_lent_to(gz_pgstate_pa_at(i)), GZ_OWNER_NONE);
	}
	assert_int_equal(env.pins, 0);
	assert_int_equal(env.pages_out, 0);
	assert_int_equal(fake_hal_locks_held(), 0);
	fake_hal_teardown();
	return 0;
}

static struct gzdrv_vm *new_vm(void)
{
	assert_true(gzdrv_dev_ioctl(&drv, GZVM_CREATE_VM, 0) >= 3);
	return env.last_obj;
}

static long region(struct gzdrv_vm *vm, uint32_t slot, uint64_t gpa, uint64_t pages, uint64_t uoff)
{
	struct gzvm_userspace_memory_region r = {slot, GZVM_USER_MEM_REGION_GUEST_MEM, gpa,
						 pages << GZ_PAGE_SHIFT,
						 RAM_UADDR + (uoff << GZ_PAGE_SHIFT)};

	return gzdrv_vm_ioctl(vm, GZVM_SET_USER_MEMORY_REGION, (uint64_t)(uintptr_t)&r);
}

static struct gzdrv_vcpu *new_vcpu(struct gzdrv_vm *vm, uint64_t id)
{
	assert_true(gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, id) >= 3);
	return env.last_obj;
}

static long run(struct gzdrv_vcpu *v)
{
	return gzdrv_vcpu_ioctl(v, GZVM_RUN, (uint64_t)(uintptr_t)&urun);
}

static void guest_at(struct gz_cpu_ctx *ctx, void *arg)
{
	ctx->pc = 0x80000000;
	ctx->pstate = PSR_MODE_EL1h;
	ctx->sys[GZ_SYS_VBAR_EL1] = 0x80010000;
	ctx->x[1] = (uint64_t)(uintptr_t)arg;
}

/* The page went to a VM: lent to it (a normal VM, these tests' kind) or its own. */
static bool owned_by_vm(gz_pa_t pa)
{
	return GZ_OWNER_IS_VM(gz_pgstate_owner(pa)) || gz_pgstate_lent_to(pa) != GZ_OWNER_NONE;
}

static uint64_t psci_off[4] = {GZ_PSCI_SYSTEM_OFF, 0, 0, 0};

static void test_probe_answers(void **state)
{
	(void)state;
	assert_int_equal(drv.hyp_version[0], GZ_HYP_VERSION_MAJOR);
	assert_int_equal(drv.hyp_version[1], GZ_HYP_VERSION_MINOR);
	assert_int_equal(drv.batch_pages, 512);
	assert_int_equal(drv.destroy_batch_pages, 128);
}

static void test_demand_paging_and_delete(void **state)
{
	struct gzdrv_vm *vm;
	struct gzdrv_vcpu *v;
	static struct gzvm_ioeventfd io;

	(void)state;
	vm = new_vm();
	assert_true(vm->demand_paging);
	assert_true(vm->block_paging);
	assert_true(vm->idle);
	assert_int_equal(region(vm, 0, GPA, 1024, 0), 0);
	assert_int_equal(region(vm, 1, GPA + (1024 << GZ_PAGE_SHIFT), 64, 1024), 0);
	assert_int_equal(region(vm, 2, GPA + (512 << GZ_PAGE_SHIFT), 64, 2048), -EEXIST);
	assert_int_equal(env.pins, 0);
	v = new_vcpu(vm, 0);

	/* a real stage-2 fault in slot 0: the block around it is pinned and mapped, the access
	 * re-executes; then an MMIO read outside the slots goes to the VMM */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(false, 0, false, 0, false, false, 0x07), 0x123,
		  hpfar_of(GPA + 0x3000), guest_at, NULL);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 1, false, false, 0x07), 0x10,
		  hpfar_of(0x9000000), guest_at, NULL);
	assert_int_equal(run(v), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_MMIO);
	assert_int_equal(urun.mmio.phys_addr, 0x9000010);
	assert_false(urun.mmio.is_write);
	assert_int_equal(env.pins, 512);
	assert_int_equal(vm->stats.demand_faults, 1);
	assert_true(owned_by_vm(ram_pa(RAM_UADDR)));
	assert_true(owned_by_vm(ram_pa(RAM_UADDR + (511 << GZ_PAGE_SHIFT))));
	assert_false(owned_by_vm(ram_pa(RAM_UADDR + (512 << GZ_PAGE_SHIFT))));

	/* delete the slot: the hypervisor reclaims (BUSY until done), pins dropped */
	assert_int_equal(region(vm, 0, 0, 0, 0), 0);
	assert_int_equal(env.pins, 0);
	assert_false(owned_by_vm(ram_pa(RAM_UADDR)));
	assert_false(vm->slots[0].used);
	assert_int_equal(region(vm, 0, GPA, 1024, 0), 0); /* and back */

	/* an MMIO write to an ioeventfd address is finished in the kernel */
	io.addr = 0x9000100;
	io.len = 4;
	io.fd = 1;
	io.flags = GZVM_IOEVENTFD_FLAG_DATAMATCH;
	io.datamatch = 7;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_IOEVENTFD, (uint64_t)(uintptr_t)&io), 0);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 1, false, true, 0x07), 0x100,
		  hpfar_of(0x9000000), guest_at, (void *)7);
	vfix_push_hvc(psci_off);
	memset(&urun, 0, sizeof(urun));
	assert_int_equal(run(v), 0);
	assert_int_equal(env.efd[1].count, 1);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(urun.system_event.type, GZVM_SYSTEM_EVENT_SHUTDOWN);
	gzdrv_vm_release(vm);
}

static void test_populated_batches(void **state)
{
	struct gzdrv_vm *vm;

	(void)state;
	env.no_demand = true;
	env.scatter = true; /* 600 separate pages: 510 + 90 constituents */
	vm = new_vm();
	assert_false(vm->demand_paging);
	assert_int_equal(region(vm, 3, GPA, 600, 0), 0);
	assert_int_equal(env.pins, 600);
	for (uint64_t i = 0; i < 600; i++)
		assert_true(owned_by_vm(ram_pa(RAM_UADDR + (i << GZ_PAGE_SHIFT))));
	/* contiguous pages: one constituent for the lot */
	env.scatter = false;
	assert_int_equal(region(vm, 4, GPA + (600 << GZ_PAGE_SHIFT), 100, 1400), 0);
	assert_true(owned_by_vm(ram_pa(RAM_UADDR + (1499ULL << GZ_PAGE_SHIFT))));
	gzdrv_vm_release(vm);
	assert_int_equal(env.pins, 0);
}

static long irq_line(struct gzdrv_vm *vm, uint32_t irq, uint32_t level)
{
	struct gzvm_irq_level l = {.irq = irq, .level = level};

	return gzdrv_vm_ioctl(vm, GZVM_IRQ_LINE, (uint64_t)(uintptr_t)&l);
}

static void test_devices_and_irq_lines(void **state)
{
	struct gzdrv_vm *vm;
	struct gzvm_create_device d = {0};

	(void)state;
	vm = new_vm();
	new_vcpu(vm, 0);
	new_vcpu(vm, 1);
	d.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST;
	d.dev_addr = 0x8000000;
	d.dev_reg_size = 0x10000;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_DEVICE, (uint64_t)(uintptr_t)&d), 0);
	d.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST;
	d.dev_addr = 0x80a0000;
	d.dev_reg_size = 0x20000;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_DEVICE, (uint64_t)(uintptr_t)&d), 0);
	/* every form the driver passes, the hypervisor takes */
	assert_int_equal(irq_line(vm, 5, 1), 0);
	assert_int_equal(irq_line(vm, 5, 0), 0);
	assert_int_equal(irq_line(vm, GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_SPI, 0, 37), 1), 0);
	assert_int_equal(irq_line(vm, GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 1, 27), 1), 0);
	assert_int_equal(irq_line(vm, GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 1, 27), 0), 0);
	/* beyond the VM's SPIs the hypervisor refuses what the driver let through */
	assert_int_equal(irq_line(vm, 300, 1), -EINVAL);
	/* a vCPU that does not exist (checked by the hypervisor) */
	assert_int_equal(irq_line(vm, GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_PPI, 5, 27), 1), -EINVAL);
	/* GET_ONE_REG round trip (opengz) */
	static uint64_t val = 0x80001000, back;
	struct gzvm_one_reg r = {GZVM_REG_CORE_PC, (uint64_t)(uintptr_t)&val};
	assert_int_equal(gzdrv_vcpu_ioctl(vm->vcpus[0], GZVM_SET_ONE_REG, (uint64_t)(uintptr_t)&r),
			 0);
	r.addr = (uint64_t)(uintptr_t)&back;
	assert_int_equal(gzdrv_vcpu_ioctl(vm->vcpus[0], GZVM_GET_ONE_REG, (uint64_t)(uintptr_t)&r),
			 0);
	assert_int_equal(back, 0x80001000);
	/* statistics, the VM's and the hypervisor's (its pool): the VM's bytes come back */
	uint64_t hyp = 0, shared = 0;
	struct gzdrv_hyp_mem m1, m2;
	assert_int_equal(gzdrv_vm_hyp_stats(vm, &hyp, &shared), 0);
	assert_true(hyp > 0);
	assert_int_equal(gzdrv_hyp_mem(&drv, &m1), 0);
	assert_true(m1.pool_used >= hyp && m1.pool_used < m1.pool_total && m1.tables > 0);
	gzdrv_vm_release(vm);
	assert_int_equal(gzdrv_hyp_mem(&drv, &m2), 0);
	assert_int_equal(m2.pool_used, m1.pool_used - hyp);
	assert_int_equal(m2.pool_total, m1.pool_total);
}

/* The guest takes and completes whatever is pending in its LRs, then a host IRQ exits. */
static void guest_handles_irqs(struct gz_cpu_ctx *ctx, void *arg)
{
	int *got = arg;
	int id;

	guest_at(ctx, NULL);
	while ((id = model_ack(4)) >= 0) {
		*got = id;
		model_eoi(4, (uint32_t)id);
	}
}

static void vgic_write(struct gz_vgic *vg, uint64_t ipa, uint64_t val)
{
	assert_int_equal(gz_vgic_mmio(vg, 0, ipa, 4, true, &val), GZ_OK);
}

static void test_level_irqfd_resample(void **state)
{
	struct gzdrv_vm *vm;
	struct gzdrv_vcpu *v;
	struct gz_vgic *vg;
	struct gzvm_create_device d = {0};
	struct gzvm_irqfd irqfd = {0};
	int got = -1, got2 = -1;

	(void)state;
	vm = new_vm();
	v = new_vcpu(vm, 0);
	d.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST;
	d.dev_addr = 0x8000000;
	d.dev_reg_size = 0x10000;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_DEVICE, (uint64_t)(uintptr_t)&d), 0);
	d.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST;
	d.dev_addr = 0x80a0000;
	d.dev_reg_size = 0x20000;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_CREATE_DEVICE, (uint64_t)(uintptr_t)&d), 0);
	/* the guest's GIC set-up (what Linux writes): distributor on, SPI 37 level, enabled */
	vg = &gz_vm_get(vm->vm_id)->vgic;
	vgic_write(vg, 0x8000000 + ARCH_GICD_CTLR,
		   ARCH_GICD_CTLR_ENABLE_G0 | ARCH_GICD_CTLR_ENABLE_G1);
	vgic_write(vg, 0x8000000 + ARCH_GICD_IGROUPR + 4, 1u << 5);
	vgic_write(vg, 0x8000000 + ARCH_GICD_ISENABLER + 4, 1u << 5);
	vg->cpu[0].vmcr =
	    ARCH_ICH_VMCR_ENG0 | ARCH_ICH_VMCR_ENG1 | GZ_FIELD_PREP(ARCH_ICH_VMCR_PMR, 0xff);

	irqfd.fd = 2;
	irqfd.gsi = 5;
	irqfd.flags = GZVM_IRQFD_FLAG_RESAMPLE;
	irqfd.resamplefd = 3;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_IRQFD, (uint64_t)(uintptr_t)&irqfd), 0);
	gzdrv_irqfd_fire(env.efd[2].watch); /* the device raises its line */
	assert_true(vm->irqfds[0].asserted);

	/* entry 1: the guest takes SPI 37 and completes it; the host IRQ exit is finished in
	 * the kernel, and the LRs read back show the completion: line lowered, resample */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, guest_handles_irqs, &got);
	/* entry 2: nothing pending any more; an MMIO read ends the RUN */
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 1, false, false, 0x07), 0x10,
		  hpfar_of(0x9000000), guest_handles_irqs, &got2);
	memset(&urun, 0, sizeof(urun));
	assert_int_equal(run(v), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_MMIO);
	assert_int_equal(got, 37);
	assert_int_equal(got2, -1); /* not delivered twice */
	assert_int_equal(env.efd[3].count, 1);
	assert_false(vm->irqfds[0].asserted);
	assert_false(gz_vgic_vcpu_pending(vg, 0));
	gzdrv_vm_release(vm);
}

/* The guest's channel calls: x0..x3 from a call_args entry, the previous result kept. */
static uint64_t chan_ret[2];
static void chan_call(struct gz_cpu_ctx *ctx, void *arg)
{
	const uint64_t *a = arg;

	chan_ret[0] = ctx->x[0];
	chan_ret[1] = ctx->x[1];
	for (int i = 0; i < 4; i++)
		ctx->x[i] = a[i];
}

static long create_channel(struct gzdrv_vm *vm, int peer_fd, uint32_t irq, uint32_t peer_irq,
			   uint32_t flags, uint32_t *id)
{
	struct gzvm_create_channel c = {
	    .peer_fd = peer_fd, .flags = flags, .irq = irq, .peer_irq = peer_irq};
	long r = gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL, (uint64_t)(uintptr_t)&c);

	if (id)
		*id = c.id;
	return r;
}

static long channel_region(struct gzdrv_vm *vm, int peer_fd, uint32_t id, uint64_t size,
			   uint64_t ipa, uint64_t peer_ipa, uint32_t flags)
{
	struct gzvm_create_channel_region r = {.peer_fd = peer_fd,
					       .id = id,
					       .size = size,
					       .ipa = ipa,
					       .peer_ipa = peer_ipa,
					       .flags = flags};

	return gzdrv_vm_ioctl(vm, GZVM_CREATE_CHANNEL_REGION, (uint64_t)(uintptr_t)&r);
}

/* GZVM_CREATE_CHANNEL_REGION: every bad request's errno with no page kept, the region's pages
 * given to both VMs and held by the owner's driver object, freed only once the owner is
 * destroyed (the hypervisor took them back from both VMs when the first of them went). */
static void test_channel_region(void **state)
{
	const uint64_t ipa = 0x20000000ULL;
	struct gzdrv_vm *a, *b, *c;
	int fd_a, fd_b, fd_c;
	long out_before;
	uint32_t id = 0;

	(void)state;
	fd_a = (int)(3 + env.fds);
	a = new_vm();
	new_vcpu(a, 0);
	assert_int_equal(region(a, 0, GPA, 16, 0), 0);
	fd_b = (int)(3 + env.fds);
	b = new_vm();
	new_vcpu(b, 0);
	assert_int_equal(region(b, 0, GPA, 16, 64), 0);
	fd_c = (int)(3 + env.fds);
	c = new_vm();
	assert_int_equal(create_channel(a, fd_b, 40, 41, 0, &id), 0);
	out_before = env.pages_out;

	assert_int_equal(channel_region(a, fd_b, id, 8192, ipa, ipa, 1), -EINVAL);
	assert_int_equal(channel_region(a, fd_b, id, 0, ipa, ipa, 0), -EINVAL);
	assert_int_equal(channel_region(a, fd_b, id, 4097, ipa, ipa, 0), -EINVAL);
	assert_int_equal(channel_region(a, fd_b, id, (2u << 20) + 4096, ipa, ipa, 0), -EINVAL);
	assert_int_equal(channel_region(a, 99, id, 8192, ipa, ipa, 0), -EBADF);
	assert_int_equal(channel_region(a, fd_a, id, 8192, ipa, ipa, 0), -EINVAL); /* itself */
	assert_int_equal(channel_region(a, fd_c, id, 8192, ipa, ipa, 0), -ENOENT); /* no channel */
	assert_int_equal(channel_region(a, fd_b, id + 1, 8192, ipa, ipa, 0), -ENOENT);
	assert_int_equal(channel_region(a, fd_b, id, 8192, ipa + 512, ipa, 0), -EINVAL);
	assert_int_equal(channel_region(a, fd_b, id, 8192, ipa, GPA + 4096, 0), -EEXIST);
	assert_int_equal(env.pages_out, out_before);
	assert_null(a->regions[0].va);
	/* no memory for the pages; every one of the VM's region records in use */
	env.no_pages = true;
	assert_int_equal(channel_region(a, fd_b, id, 8192, ipa, ipa, 0), -ENOMEM);
	env.no_pages = false;
	for (unsigned i = 0; i < GZDRV_MAX_REGIONS; i++)
		a->regions[i].va = &env;
	assert_int_equal(channel_region(a, fd_b, id, 8192, ipa, ipa, 0), -EBUSY);
	memset(a->regions, 0, sizeof(a->regions));
	assert_int_equal(env.pages_out, out_before);

	assert_int_equal(channel_region(a, fd_b, id, 8192, ipa, ipa + 0x100000, 0), 0);
	assert_int_equal(env.pages_out, out_before + 2);
	assert_int_equal(a->regions[0].nr_pages, 2);
	assert_int_equal(gz_pgstate_state(a->regions[0].pa), GZ_PAGE_VM_SHARED);
	assert_int_equal(gz_chan_region_pages(), 2);
	/* again, from either end: the channel has its region */
	assert_int_equal(channel_region(a, fd_b, id, 4096, ipa + 0x8000, ipa + 0x8000, 0), -EBUSY);
	assert_int_equal(channel_region(b, fd_a, id, 4096, ipa + 0x8000, ipa + 0x8000, 0), -EBUSY);
	assert_int_equal(env.pages_out, out_before + 2);
	assert_null(a->regions[1].va);
	assert_null(b->regions[0].va);

	/* B goes: the region leaves both VMs, A's driver object still holds the pages */
	gzdrv_vm_release(b);
	assert_int_equal(gz_chan_region_pages(), 0);
	assert_int_equal(gz_pgstate_view(a->regions[0].pa, GZ_OWNER_HOST), GZ_PAGE_OWNED);
	assert_non_null(a->regions[0].va);
	assert_int_equal(channel_region(a, fd_c, id, 4096, ipa + 0x8000, ipa, 0), -ENOENT);
	gzdrv_vm_release(c);
	gzdrv_vm_release(a);
	assert_int_equal(env.pages_out, 0);
	gzdrv_fini(&drv);
}

static void test_channel(void **state)
{
	struct gzdrv_vm *a, *b;
	struct gzdrv_vcpu *va;
	uint32_t id = 0;
	int fd_a, fd_b;

	(void)state;
	env.no_demand = true; /* the buffers are mapped when the guest calls */
	fd_a = (int)(3 + env.fds);
	a = new_vm();
	va = new_vcpu(a, 0);
	assert_int_equal(region(a, 0, GPA, 16, 0), 0);
	fd_b = (int)(3 + env.fds);
	b = new_vm();
	new_vcpu(b, 0);
	assert_int_equal(region(b, 0, GPA, 16, 64), 0);

	assert_int_equal(create_channel(a, fd_b, 40, 41, 1, NULL), -EINVAL);
	assert_int_equal(create_channel(a, 99, 40, 41, 0, NULL), -EBADF);
	assert_int_equal(create_channel(a, fd_a, 40, 41, 0, NULL), -EINVAL);
	assert_int_equal(create_channel(a, fd_b, 40, 1000, 0, NULL), -EINVAL);
	assert_int_equal(create_channel(a, fd_b, 40, 41, 0, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(create_channel(b, fd_a, 41, 42, 0, NULL), -EEXIST);
	/* Eight ends per VM: the ninth channel is -ENOSPC. */
	for (uint32_t i = 1; i < GZ_CHAN_MAX_PER_VM; i++)
		assert_int_equal(create_channel(a, fd_b, 40 + 2 * i, 41 + 2 * i, 0, NULL), 0);
	assert_int_equal(create_channel(a, fd_b, 100, 101, 0, NULL), -ENOSPC);
	assert_int_equal(a->chan_peers, 1u << b->vm_id);
	assert_int_equal(b->chan_peers, 1u << a->vm_id);

	/* A sends 4 bytes: the doorbell's wake exit is finished in the kernel (B's vCPU woken),
	 * the RUN goes on to the MMIO read that ends it. */
	static uint64_t send[4] = {GZ_VENDOR_HYP_CHAN_SEND, 1, GPA, 4};
	memset(gz_hal_pa_to_va(ram_pa(RAM_UADDR)), 'x', 4);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 0), 0, 0, chan_call, send);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_dabt(true, 2, false, 1, false, false, 0x07), 0x10,
		  hpfar_of(0x9000000), chan_call, psci_off);
	memset(&urun, 0, sizeof(urun));
	env.wakes = 0;
	assert_int_equal(run(va), 0);
	assert_int_equal(urun.exit_reason, GZVM_EXIT_MMIO);
	assert_int_equal(chan_ret[0], GZ_CHAN_RET_SUCCESS);
	assert_int_equal(chan_ret[1], 1);
	assert_int_equal(env.wakes, 1);
	assert_int_equal(va->nr_kernel_exits, 1);

	/* Registering ids beyond the registry, or dropping a VM that is not the one registered,
	 * changes nothing. */
	struct gzdrv_vm stray = {.drv = &drv, .vm_id = 100};
	gzdrv_vm_register(&stray, true);
	stray.vm_id = 9;
	gzdrv_vm_register(&stray, false);
	stray.vm_id = b->vm_id;
	gzdrv_vm_register(&stray, false);
	assert_ptr_equal(drv.vms[b->vm_id], b);
	/* A wake exit naming a VM the driver does not have wakes nothing. */
	gzdrv_chan_wake(&drv, 9);
	gzdrv_chan_wake(&drv, 1000);
	assert_int_equal(env.wakes, 1);

	/* A goes: B's vCPU is woken to find PEER_GONE; B's release wakes no one. */
	env.wakes = 0;
	gzdrv_vm_release(a);
	assert_int_equal(env.wakes, 1);
	assert_int_equal(gz_chan_count(), GZ_CHAN_MAX_PER_VM);
	gzdrv_vm_release(b);
	assert_int_equal(env.wakes, 1);
	assert_int_equal(gz_chan_count(), 0);
	gzdrv_fini(&drv);
	assert_null(drv.vms_lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_probe_answers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_demand_paging_and_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_populated_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_devices_and_irq_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_irqfd_resample, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_channel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_channel_region, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
