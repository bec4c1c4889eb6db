/*
 * Fuzz target: a malicious host against a live VM in the simulator (the twin of
 * fuzz_sim_guest). A VM of 2 vCPUs (normal or protected, the first byte says) runs a guest
 * that never stops making exits (MMIO to the GIC and to the device window, calls, its timers,
 * WFI, memory it shares and unshares) on its vCPU threads (fuzz/harness/simvm.h), while the
 * host issues what the input says, each 12-byte record one call, between the guest's exits:
 *  - ioctls with forged arguments on the VM and vCPU fds: memory regions (any slot, IPA, size
 *    and host address, deleting the guest's RAM under it included), capabilities (protected
 *    after it ran, quotas, demand paging), IRQ lines of every type, devices, the DTB, one-reg
 *    get and set on running vCPUs, a second GZVM_RUN on a running vCPU, more vCPUs,
 *    statistics;
 *  - host calls straight to the hypervisor (gz_hostcall_dispatch), past the driver: every
 *    call but RUN with the live VM's id, its vCPUs' tuples, PAs of its RAM, of the
 *    hypervisor and of no one, and raw values.
 * After every exit of the guest and after every host call: the memory-ownership invariant
 * and the vGIC's state (a host call and an exit's check never overlap); at the end the VM is
 * closed and nothing is left with a VM, the pool where it was. The guest runs under the
 * deterministic scheduler but the host's calls come from their own thread, so a run is not
 * exactly repeatable: a crash is replayed by its input most of the time, not always.
 * fuzz-libs: gzsim_drv gzsim gzcore gzlib
 * fuzz-flags: -detect_leaks=0
 */
#include <stdint.h>
#include <time.h>

#include <gzabi/hvc.h>
#include <gzhyp/hostcall.h>

#include "harness/input.h"
#include "harness/simvm.h"

#define MAX_CALLS 32
#define NR_VCPUS  2

static pthread_mutex_t host_mu = PTHREAD_MUTEX_INITIALIZER;

/* The guest: the same loop on both vCPUs, exits of every kind. */
static void guest_program(struct simvm_prog *p, unsigned v)
{
	static const uint64_t share[4] = {GZ_VENDOR_HYP_MEM_SHARE, SIMVM_DATA, 1, 0};
	static const uint64_t unshare[4] = {GZ_VENDOR_HYP_MEM_UNSHARE, SIMVM_DATA, 1, 0};
	static const uint64_t version[4] = {GZ_PSCI_VERSION, 0, 0, 0};
	unsigned loop;

	prog_prologue(p);
	if (v == 0) {
		uint64_t on[4] = {GZ_PSCI_CPU_ON_64, 1, SIMVM_CODE(1), 0};

		prog_call(p, false, on);
	}
	loop = p->n;
	prog_call(p, false, share);
	prog_mov(p, 0, SIMVM_DEV + 8 * v);
	prog_emit(p, a64_ldst(2, true, false, 0, 1));  /* MMIO read */
	prog_emit(p, a64_ldst(3, false, false, 0, 1)); /* MMIO write */
	prog_mov(p, 0, SIMVM_DIST + 0x100);	       /* GICD_ISENABLER0.. */
	prog_emit(p, a64_ldst(2, true, false, 0, 1));
	prog_mov(p, 1, (1ULL << 24) | (1ULL << (1 - v))); /* SGI 1 to the other vCPU */
	prog_emit(p, a64_msr(SYS_ICC_SGI1R_EL1, 1));
	prog_mov(p, 1, 200);
	prog_emit(p, a64_msr(SYS_CNTV_TVAL_EL0, 1));
	prog_mov(p, 1, 1);
	prog_emit(p, a64_msr(SYS_CNTV_CTL_EL0, 1));
	prog_emit(p, 0xd50342ffU); /* msr daifclr, #2 */
	prog_emit(p, A64_WFI);
	prog_emit(p, 0xd50342dfU); /* msr daifset, #2 */
	prog_mov(p, 0, SIMVM_DATA + 64 * v);
	prog_emit(p, a64_ldst(3, false, false, 0, 1)); /* RAM */
	prog_call(p, false, unshare);
	prog_call(p, true, version);
	/* b loop */
	prog_emit(p, 0x14000000U | (0x03ffffffU & (uint32_t)(loop - p->n)));
}

static uint64_t value(uint8_t sel, const struct simvm *vm)
{
	uint16_t id = gz_vm_count() ? gz_vm_at(0)->id : 0;

	switch (sel >> 4) {
	case 0:
		return sel & 15;
	case 1: /* the live VM, one of its vCPUs */
		return sel & 8 ? gz_hvc_tuple(id, sel & 3) : id;
	case 2: /* a PA of its RAM (the driver's pinned pages) */
		return gz_hal_va_to_pa(vm->ram) + ((uint64_t)(sel & 15) << 12);
	case 3: /* an IPA of it */
		return SIMVM_RAM + ((uint64_t)(sel & 15) << 16);
	case 4: /* a PA of the hypervisor's own (a table of the host's stage 2), or of none */
		return sel & 8 ? gz_mem_host_s2()->root_pa : 0x200000000ULL;
	case 5:
		return (uint64_t)1 << (sel & 15) << 20;
	case 6:
		return sel & 1 ? GZVM_CAP_PROTECTED_VM : GZVM_CAP_ENABLE_DEMAND_PAGING;
	default:
		return take(8);
	}
}

static void host_call(const struct simvm *vm)
{
	struct gz_smccc_regs r;
	uint8_t f = (uint8_t)take(1) % GZ_HVC_FN_NR;

	if (f == GZ_HVC_FN_RUN)
		f = GZ_HVC_FN_GET_STATISTICS;
	r.a[0] = GZ_HVC_ID(f);
	for (int i = 1; i < 8; i++)
		r.a[i] = value((uint8_t)take(1), vm);
	gz_hostcall_dispatch(&r);
}

static void ioctl_call(struct simvm *vm)
{
	uint8_t what = (uint8_t)take(1), sel = (uint8_t)take(1);
	int vcpu_fd = vm->vcpu[sel & 1].fd;
	uint64_t v;

	switch (what % 10) {
	case 0: { /* a memory region, the guest's own slot included */
		struct gzvm_userspace_memory_region m = {
		    .slot = sel & 3,
		    .flags = sel & 4 ? 0 : GZVM_USER_MEM_REGION_GUEST_MEM,
		    .guest_phys_addr = sel & 8 ? SIMVM_RAM : value((uint8_t)take(1), vm),
		    .memory_size = sel & 16 ? 0 : (uint64_t)(take(1) & 63) << 12,
		    .userspace_addr = sel & 32 ? (uint64_t)(uintptr_t)vm->ram
					       : (uint64_t)(uintptr_t)vm->ram + (take(1) << 12),
		};

		simvm_ioctl(vm->vm_fd, GZVM_SET_USER_MEMORY_REGION, &m);
		break;
	}
	case 1: {
		struct gzvm_enable_cap cap = {.cap = value((uint8_t)take(1), vm),
					      .args = {take(1), take(8)}};

		simvm_ioctl(vm->vm_fd, GZVM_ENABLE_CAP, &cap);
		break;
	}
	case 2: {
		struct gzvm_irq_level l = {.irq = (uint32_t)take(4), .level = sel & 1};

		simvm_ioctl(vm->vm_fd, GZVM_IRQ_LINE, &l);
		break;
	}
	case 3: {
		struct gzvm_create_device d = {.dev_type = sel & 3,
					       .dev_addr = value((uint8_t)take(1), vm),
					       .dev_reg_size = value((uint8_t)take(1), vm)};

		simvm_ioctl(vm->vm_fd, GZVM_CREATE_DEVICE, &d);
		break;
	}
	case 4: { /* a register of a running vCPU */
		struct gzvm_one_reg reg = {.id = sel & 8 ? GZVM_REG_CORE_PC : take(8),
					   .addr = (uint64_t)(uintptr_t)&v};

		v = take(8);
		simvm_ioctl(vcpu_fd, sel & 16 ? GZVM_GET_ONE_REG : GZVM_SET_ONE_REG, &reg);
		break;
	}
	case 5: { /* a second RUN of a vCPU another thread runs */
		struct gzvm_vcpu_run run;

		memset(&run, 0, sizeof(run));
		run.immediate_exit = 1;
		simvm_ioctl(vcpu_fd, GZVM_RUN, &run);
		break;
	}
	case 6: {
		struct gzvm_dtb_config d = {value((uint8_t)take(1), vm), take(4)};

		simvm_ioctl(vm->vm_fd, GZVM_SET_DTB_CONFIG, &d);
		break;
	}
	case 7: { /* another vCPU (closed again at once) */
		int fd =
		    (int)simvm_ioctl(vm->vm_fd, GZVM_CREATE_VCPU, (void *)(uintptr_t)(sel & 7));

		if (fd >= 0)
			gz_sim_close(fd);
		break;
	}
	case 8:
		v = value(sel, vm);
		simvm_ioctl(sel & 1 ? vm->vm_fd : vm->dev, GZVM_CHECK_EXTENSION, &v);
		break;
	default:
		host_call(vm);
		break;
	}
}

/* VMs a raw CREATE_VM made, which the driver does not know: the host destroys them. */
static void destroy_orphans(void)
{
	for (unsigned id = 1; id <= GZ_MAX_VMS; id++) {
		struct gz_smccc_regs r;

		do {
			memset(&r, 0, sizeof(r));
			r.a[0] = GZ_HVC_DESTROY_VM;
			r.a[1] = id;
			gz_hostcall_dispatch(&r);
		} while (r.a[0] == (uint64_t)(int64_t)GZ_ERR_BUSY);
	}
}

/* The guest's exits are checked unless a host call is under way (never both at once). */
static void entry_hook(void *arg, const struct gz_cpu_ctx *ctx)
{
	if (pthread_mutex_trylock(&host_mu) == 0) {
		simvm_entry_hook(arg, ctx);
		pthread_mutex_unlock(&host_mu);
	}
}

static uint64_t mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/* Let the guest make some exits, or give up after 2 ms (it may be asleep for good). A
 * deadline, not a count of sleeps: on a loaded machine each 100 us sleep lasted tens of
 * milliseconds, and an input of 32 calls took over 10 s. */
static void let_run(struct simvm *vm, unsigned exits)
{
	uint64_t until = vm->exits + exits, end = mono_us() + 2000;
	struct timespec ts = {0, 100000};

	while (vm->exits < until && !atomic_load(&vm->stop) && mono_us() < end)
		nanosleep(&ts, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct simvm vm;
	uint8_t head;

	ip = data;
	in_n = size;
	simvm_machine();
	gz_sim_set_entry_hook(entry_hook, NULL);
	head = (uint8_t)take(1);
	simvm_alloc(&vm);
	vm.orphans = destroy_orphans;
	simvm_write_vectors(vm.ram);
	for (unsigned i = 0; i < NR_VCPUS; i++) {
		struct simvm_prog p = {(uint32_t *)vm.ram + (SIMVM_CODE(i) - SIMVM_RAM) / 4, 0,
				       (unsigned)(SIMVM_CODE_SIZE / 4)};

		guest_program(&p, i);
	}
	if (simvm_create(&vm, NR_VCPUS, head & 1) != 0)
		abort();
	simvm_start(&vm);
	for (unsigned c = 0; c < MAX_CALLS && in_n && !atomic_load(&vm.stop); c++) {
		let_run(&vm, 1 + (take(1) & 7));
		pthread_mutex_lock(&host_mu);
		ioctl_call(&vm);
		simvm_check(false);
		pthread_mutex_unlock(&host_mu);
	}
	simvm_stop(&vm);
	simvm_join(&vm);
	simvm_destroy(&vm);
	return 0;
}
