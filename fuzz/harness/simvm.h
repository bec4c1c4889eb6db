/* A live VM in the simulator for the fuzz targets that run guest code (fuzz_sim_guest,
 * fuzz_sim_host): the machine and the in-process driver brought up once per process, in
 * deterministic mode and tracked by the memory tracker from before the store exists; per
 * input a VM with one RAM slot, the GIC and 1-4 vCPUs made through the gzvm ioctls as gzvmm
 * makes them, a guest program written into its RAM by a small A64 encoder, one thread per
 * vCPU in GZVM_RUN, a budget of guest instructions, and the checks: after every exit (the
 * simulator's entry hook) the memory-ownership invariant (incremental, in full every
 * SIMVM_FULL_EVERY checks and at the end) and the vGIC's summaries and list registers; after
 * the VM is gone, nothing held by a VM and the pool where it was. Header-only. */
#ifndef FUZZ_HARNESS_SIMVM_H
#define FUZZ_HARNESS_SIMVM_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arm64/gicv3.h>
#include <arm64/sysreg.h>
#include <gzabi/guest_calls.h>
#include <gzabi/status.h>
#include <gzhyp/mem_track.h>
#include <gzhyp/pool.h>
#include <gzhyp/vm.h>
#include <gzsim/driver.h>
#include <uapi/linux/gzvm.h>

#define SIMVM_PHYS	  (64ULL << 20)
#define SIMVM_PAGES	  (SIMVM_PHYS >> 12)
#define SIMVM_RAM	  0x40000000ULL /* the guest's RAM slot */
#define SIMVM_RAM_SIZE	  (2ULL << 20)
#define SIMVM_VECTORS	  SIMVM_RAM /* 2 KiB of exception vectors */
#define SIMVM_CODE(v)	  (SIMVM_RAM + 0x1000 + (uint64_t)(v)*SIMVM_CODE_SIZE)
#define SIMVM_CODE_SIZE	  0x4000ULL		 /* per vCPU: 4096 instructions */
#define SIMVM_DATA	  (SIMVM_RAM + 0x100000) /* what the program reads and writes */
#define SIMVM_DIST	  0x08000000ULL
#define SIMVM_REDIST	  0x080a0000ULL
#define SIMVM_DEV	  0x09000000ULL /* no one's: MMIO exits to the harness */
#define SIMVM_MAX_VCPUS	  4
#define SIMVM_FULL_EVERY  64
#define SIMVM_INSN_BUDGET 400000ULL

/* ---- A64 encodings of the few instructions the programs use --------------------------- */

#define A64_NOP	    0xd503201fU
#define A64_WFI	    0xd503207fU
#define A64_ISB	    0xd5033fdfU
#define A64_ERET    0xd69f03e0U
#define A64_B_BACK1 0x17ffffffU /* b .-4 */

static inline uint32_t a64_movz(unsigned rd, uint16_t imm, unsigned hw)
{
	return 0xd2800000U | hw << 21 | (uint32_t)imm << 5 | rd;
}

static inline uint32_t a64_movk(unsigned rd, uint16_t imm, unsigned hw)
{
	return 0xf2800000U | hw << 21 | (uint32_t)imm << 5 | rd;
}

static inline uint32_t a64_hvc(uint16_t imm)
{
	return 0xd4000002U | (uint32_t)imm << 5;
}

static inline uint32_t a64_smc(uint16_t imm)
{
	return 0xd4000003U | (uint32_t)imm << 5;
}

/* MSR/MRS of a register in SYS_ENC's packed form (which is the instruction's [20:5]). */
static inline uint32_t a64_msr(uint32_t enc, unsigned rt)
{
	return 0xd5000000U | (enc & 0xffffU) << 5 | rt;
}

static inline uint32_t a64_mrs(uint32_t enc, unsigned rt)
{
	return 0xd5200000U | (enc & 0xffffU) << 5 | rt;
}

/* LDR/STR of 1 << @size bytes at [xn] (unsigned offset 0), or post-indexed by 8 (no ISV in
 * the syndrome of a stage-2 fault). */
static inline uint32_t a64_ldst(unsigned size, bool load, bool post, unsigned rn, unsigned rt)
{
	if (post)
		return (uint32_t)size << 30 | 0x38000400U | (load ? 1U << 22 : 0) | 8U << 12 |
		       rn << 5 | rt;
	return (uint32_t)size << 30 | 0x39000000U | (load ? 1U << 22 : 0) | rn << 5 | rt;
}

struct simvm_prog {
	uint32_t *code;
	unsigned n, max;
};

static inline void prog_emit(struct simvm_prog *p, uint32_t insn)
{
	if (p->n < p->max)
		p->code[p->n++] = insn;
}

/* xd = @v (four instructions). */
static inline void prog_mov(struct simvm_prog *p, unsigned rd, uint64_t v)
{
	prog_emit(p, a64_movz(rd, (uint16_t)v, 0));
	for (unsigned hw = 1; hw < 4; hw++)
		prog_emit(p, a64_movk(rd, (uint16_t)(v >> (16 * hw)), hw));
}

/* A call with x0..x3 (HVC or SMC). */
static inline void prog_call(struct simvm_prog *p, bool smc, const uint64_t x[4])
{
	for (unsigned r = 0; r < 4; r++)
		prog_mov(p, r, x[r]);
	prog_emit(p, smc ? a64_smc(0) : a64_hvc(0));
}

/* Every vector entry steps over what trapped (ELR += 4) and returns; an IRQ is acknowledged
 * and ended first. So a program goes on past every fault, injected abort or UNDEF. */
static inline void simvm_write_vectors(uint32_t *ram)
{
	for (unsigned e = 0; e < 16; e++) {
		uint32_t *v = ram + e * 32;
		unsigned i = 0;

		if ((e & 3) == 1) { /* IRQ */
			v[i++] = a64_mrs(SYS_ICC_IAR1_EL1, 16);
			v[i++] = a64_msr(SYS_ICC_EOIR1_EL1, 16);
			v[i++] = A64_ERET;
			continue;
		}
		v[i++] = a64_mrs(SYS_ELR_EL1, 17);
		v[i++] = 0x91001231U; /* add x17, x17, #4 */
		v[i++] = a64_msr(SYS_ELR_EL1, 17);
		v[i++] = A64_ERET;
	}
}

/* Every program starts here: vectors, the GIC's CPU interface on, IRQs masked. */
static inline void prog_prologue(struct simvm_prog *p)
{
	prog_mov(p, 17, SIMVM_VECTORS);
	prog_emit(p, a64_msr(SYS_VBAR_EL1, 17));
	prog_mov(p, 17, 0xff);
	prog_emit(p, a64_msr(SYS_ICC_PMR_EL1, 17));
	prog_mov(p, 17, 1);
	prog_emit(p, a64_msr(SYS_ICC_IGRPEN1_EL1, 17));
	prog_emit(p, A64_ISB);
}

/* ---- the machine, checks ------------------------------------------------------------- */

struct simvm_vcpu {
	int fd;
	pthread_t thread;
	struct gzvm_vcpu_run run;
	struct simvm *vm;
	unsigned id;
};

struct simvm {
	int dev, vm_fd;
	void *ram;
	unsigned nr_vcpus;
	struct simvm_vcpu vcpu[SIMVM_MAX_VCPUS];
	atomic_bool stop;
	uint64_t insn_start;
	/* answered by the embedder for MMIO reads no one else serves (NULL: zeroes) */
	uint64_t (*mmio_read)(struct simvm *vm, uint64_t addr, unsigned size);
	/* after the fds are closed: what the embedder made behind the driver's back goes */
	void (*orphans)(void);
	uint64_t exits, mmio_exits;
};

static struct gz_mem_tracker simvm_track;
static struct gz_mem_track_page simvm_track_pages[SIMVM_PAGES];
static atomic_ulong simvm_checks;
static uint64_t simvm_pool_own; /* pool pages in use beyond the hypervisor's tables */
static struct simvm *simvm_live;

/* Active, or pending outside an LR (latch, or line when level-sensitive). */
static inline bool simvm_irq_busy(const struct gz_vgic_irq *irq)
{
	return (irq->flags & (GZ_VGIC_IRQ_ACTIVE | GZ_VGIC_IRQ_LATCH)) ||
	       ((irq->flags & GZ_VGIC_IRQ_LINE) && !(irq->flags & GZ_VGIC_IRQ_EDGE));
}

/* The vGIC's state under its lock: the busy summaries equal a recomputation; every list
 * register a flush wrote (and no sync took back yet) holds an interrupt that names that vCPU
 * as its holder, and no SPI sits in two vCPUs' list registers. */
static inline void simvm_check_vgic(struct gz_vgic *g)
{
	gz_hal_lock(&g->lock);
	for (unsigned v = 0; v < g->nr_vcpus; v++) {
		const struct gz_vgic_cpu *c = &g->cpu[v];
		uint32_t want = 0;

		for (uint32_t i = 0; i < GZ_VGIC_NR_PRIVATE; i++)
			want |= (uint32_t)simvm_irq_busy(&c->priv[i]) << i;
		if (c->present && c->busy != want) {
			fprintf(stderr, "simvm: vCPU %u's busy summary %#x, state %#x\n", v,
				c->busy, want);
			abort();
		}
		for (unsigned i = 0; c->hcr && i < c->nr_lr_used; i++) {
			uint32_t id = c->lr_intid[i];
			const struct gz_vgic_irq *irq = id < GZ_VGIC_NR_PRIVATE ? &c->priv[id]
							: id - ARCH_GIC_SPI_BASE < g->nr_spis
							    ? &g->spi[id - ARCH_GIC_SPI_BASE]
							    : NULL;

			if (irq && irq->lr_vcpu != v) {
				fprintf(stderr, "simvm: INTID %u in vCPU %u's LR %u, held by %u\n",
					id, v, i, irq->lr_vcpu);
				abort();
			}
		}
	}
	for (uint32_t w = 0; w < g->nr_spis / 32; w++) {
		uint32_t want = 0;

		for (uint32_t i = 0; i < 32; i++)
			want |= (uint32_t)simvm_irq_busy(&g->spi[w * 32 + i]) << i;
		if (g->spi_busy[w] != want) {
			fprintf(stderr, "simvm: SPI busy word %u %#x, state %#x\n", w,
				g->spi_busy[w], want);
			abort();
		}
	}
	gz_hal_unlock(&g->lock);
}

static inline void simvm_check(bool full)
{
	struct gz_vm_mem *m[GZ_MAX_VMS];
	unsigned n = gz_vm_count();
	uint64_t bad = 0;

	for (unsigned i = 0; i < n; i++)
		m[i] = &gz_vm_at(i)->mem;
	if (gz_mem_track_check(&simvm_track, m, n, &bad) != GZ_OK) {
		fprintf(stderr, "simvm: memory invariant broken at %#llx (incremental)\n",
			(unsigned long long)bad);
		abort();
	}
	if (full && gz_mem_check_invariants(m, n, &bad) != GZ_OK) {
		fprintf(stderr, "simvm: memory invariant broken at %#llx (full)\n",
			(unsigned long long)bad);
		abort();
	}
	for (unsigned i = 0; i < n; i++)
		simvm_check_vgic(&gz_vm_at(i)->vgic);
}

/* After every exit the core handled: one vCPU thread at a time holds the turn here. */
static void simvm_entry_hook(void *arg, const struct gz_cpu_ctx *ctx)
{
	(void)arg;
	(void)ctx;
	simvm_check(atomic_fetch_add(&simvm_checks, 1) % SIMVM_FULL_EVERY == 0);
}

static inline void simvm_stop(struct simvm *vm)
{
	if (atomic_exchange(&vm->stop, true))
		return;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		__atomic_store_n(&vm->vcpu[i].run.immediate_exit, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		gz_sim_kick_thread(vm->vcpu[i].thread);
}

/* At every scheduling point: the budget, or a machine with nothing left to run (the hook
 * asks to be called again when nothing can run, and then ends the run). */
static bool simvm_sched_hook(void *arg, uint64_t step, bool idle)
{
	struct simvm *vm = simvm_live;

	(void)arg;
	(void)step;
	if (!vm || atomic_load(&vm->stop))
		return false;
	if (idle || gz_sim_insns() - vm->insn_start > SIMVM_INSN_BUDGET) {
		simvm_stop(vm);
		return false;
	}
	return true;
}

static inline uint64_t simvm_pool_used(void)
{
	struct gz_pool_stats st;

	gz_pool_get_stats(gz_mem_pool(), &st);
	return st.used - gz_mem_hyp_acct()->pages;
}

/* Once per process. */
static inline void simvm_machine(void)
{
	static bool up;
	struct gz_sim_drv_config cfg;

	if (up)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.machine.phys_size = SIMVM_PHYS;
	cfg.machine.cpu_model = -1;
	cfg.machine.clock = GZ_SIM_CLOCK_INSNS;
	cfg.machine.deterministic = true;
	cfg.hyp_mem = 16ULL << 20;
	gz_mem_track_start(&simvm_track, simvm_track_pages, SIMVM_PAGES, true);
	if (gz_sim_drv_init(&cfg) != 0)
		abort();
	gz_sim_set_entry_hook(simvm_entry_hook, NULL);
	gz_sim_set_sched_hook(simvm_sched_hook, NULL);
	simvm_check(true);
	simvm_pool_own = simvm_pool_used();
	up = true;
}

static inline long simvm_ioctl(int fd, unsigned long req, void *arg)
{
	return gz_sim_ioctl(fd, req, arg);
}

static inline int simvm_set_reg(int vcpu_fd, uint64_t id, uint64_t val)
{
	struct gzvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&val};

	return (int)simvm_ioctl(vcpu_fd, GZVM_SET_ONE_REG, &r);
}

/* The VM's RAM, zeroed, for the program to be written into before simvm_create (a protected
 * VM's RAM is out of the host's reach from then on). */
static inline void simvm_alloc(struct simvm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->ram = gz_sim_ram_alloc(SIMVM_RAM_SIZE);
	if (!vm->ram)
		abort();
}

/* A VM with @nr_vcpus vCPUs (protected or not) on that RAM; vCPU i starts at SIMVM_CODE(i)
 * (only vCPU 0 runs until a CPU_ON). 0 or -errno. */
static inline int simvm_create(struct simvm *vm, unsigned nr_vcpus, bool protected_vm)
{
	struct gzvm_userspace_memory_region slot = {
	    .slot = 0,
	    .flags = GZVM_USER_MEM_REGION_GUEST_MEM,
	    .guest_phys_addr = SIMVM_RAM,
	    .memory_size = SIMVM_RAM_SIZE,
	};
	struct gzvm_create_device dist = {.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST,
					  .dev_addr = SIMVM_DIST,
					  .dev_reg_size = 0x10000};
	struct gzvm_create_device redist = {.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST,
					    .dev_addr = SIMVM_REDIST,
					    .dev_reg_size = 0x20000};
	long r;

	vm->dev = gz_sim_open();
	vm->nr_vcpus = nr_vcpus;
	for (unsigned i = 0; i < SIMVM_MAX_VCPUS; i++)
		vm->vcpu[i].fd = -1;
	if (vm->dev < 0)
		abort();
	slot.userspace_addr = (uint64_t)(uintptr_t)vm->ram;
	vm->vm_fd = (int)simvm_ioctl(vm->dev, GZVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		abort();
	if (protected_vm) {
		struct gzvm_enable_cap cap = {.cap = GZVM_CAP_PROTECTED_VM,
					      .args = {GZVM_CAP_PVM_SET_PROTECTED_VM}};

		if (simvm_ioctl(vm->vm_fd, GZVM_ENABLE_CAP, &cap) < 0)
			abort();
	}
	if ((r = simvm_ioctl(vm->vm_fd, GZVM_SET_USER_MEMORY_REGION, &slot)) < 0 ||
	    (r = simvm_ioctl(vm->vm_fd, GZVM_CREATE_DEVICE, &dist)) < 0 ||
	    (r = simvm_ioctl(vm->vm_fd, GZVM_CREATE_DEVICE, &redist)) < 0)
		return (int)r;
	for (unsigned i = 0; i < nr_vcpus; i++) {
		struct simvm_vcpu *v = &vm->vcpu[i];

		v->vm = vm;
		v->id = i;
		v->fd = (int)simvm_ioctl(vm->vm_fd, GZVM_CREATE_VCPU, (void *)(uintptr_t)i);
		if (v->fd < 0)
			return v->fd;
		if (simvm_set_reg(v->fd, GZVM_REG_CORE_PC, SIMVM_CODE(i)) < 0 ||
		    simvm_set_reg(v->fd, GZVM_REG_CORE_PSTATE, 0x3c5) < 0) /* EL1h, DAIF masked */
			abort();
	}
	return 0;
}

static void *simvm_vcpu_thread(void *arg)
{
	struct simvm_vcpu *v = arg;
	struct simvm *vm = v->vm;

	while (!atomic_load(&vm->stop)) {
		struct gzvm_vcpu_run *run = &v->run;
		long r = simvm_ioctl(v->fd, GZVM_RUN, run);

		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r < 0)
			break; /* refused (a forged host call may have made it so) */
		vm->exits++;
		switch (run->exit_reason) {
		case GZVM_EXIT_MMIO:
			vm->mmio_exits++;
			if (!run->mmio.is_write) {
				uint64_t d = vm->mmio_read ? vm->mmio_read(vm, run->mmio.phys_addr,
									   (unsigned)run->mmio.size)
							   : 0;

				memcpy(run->mmio.data, &d, sizeof(d));
			}
			break;
		case GZVM_EXIT_HYPERCALL:
			run->hypercall.args[0] = (uint64_t)-1;
			break;
		case GZVM_EXIT_SYSTEM_EVENT:
		case GZVM_EXIT_SHUTDOWN:
		case GZVM_EXIT_FAIL_ENTRY:
			simvm_stop(vm);
			break;
		case GZVM_EXIT_INTERNAL_ERROR:
			run->mmio.completion = GZVM_MMIO_COMPLETE_EXT_ABORT;
			break;
		default:
			break;
		}
	}
	return NULL;
}

static inline void simvm_start(struct simvm *vm)
{
	vm->insn_start = gz_sim_insns();
	simvm_live = vm;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (pthread_create(&vm->vcpu[i].thread, NULL, simvm_vcpu_thread, &vm->vcpu[i]))
			abort();
}

static inline void simvm_join(struct simvm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		pthread_join(vm->vcpu[i].thread, NULL);
	simvm_live = NULL;
	if (getenv("SIMVM_STATS"))
		fprintf(stderr, "simvm: %llu guest instructions, %llu exits to the VMM (%llu MMIO), "
				"%lu checks\n",
			(unsigned long long)(gz_sim_insns() - vm->insn_start),
			(unsigned long long)vm->exits, (unsigned long long)vm->mmio_exits,
			(unsigned long)atomic_load(&simvm_checks));
}

/* Close everything; the VM goes and everything it held comes back. */
static inline void simvm_destroy(struct simvm *vm)
{
	struct gz_sim_drv_mem dm;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i].fd >= 0)
			gz_sim_close(vm->vcpu[i].fd);
	if (vm->vm_fd >= 0)
		gz_sim_close(vm->vm_fd);
	gz_sim_close(vm->dev);
	if (vm->orphans)
		vm->orphans();
	if (gz_vm_count() != 0) {
		fprintf(stderr, "simvm: %u VMs left after close\n", gz_vm_count());
		abort();
	}
	simvm_check(true);
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++) {
		gz_pa_t pa = gz_pgstate_pa_at(i);

		if (GZ_OWNER_IS_VM(gz_pgstate_owner(pa)) && gz_pgstate_owner(pa) != GZ_OWNER_NONE) {
			fprintf(stderr, "simvm: page %#llx still a VM's\n", (unsigned long long)pa);
			abort();
		}
		if (gz_pgstate_lent_to(pa) != GZ_OWNER_NONE)
			abort();
	}
	if (gz_sim_drv_mem(&dm) != 0 || dm.pinned_pages) {
		fprintf(stderr, "simvm: the driver still pins %llu pages\n",
			(unsigned long long)dm.pinned_pages);
		abort();
	}
	if (simvm_pool_used() != simvm_pool_own) {
		fprintf(stderr,
			"simvm: %llu pool pages used besides the host's tables, %llu before\n",
			(unsigned long long)simvm_pool_used(), (unsigned long long)simvm_pool_own);
		abort();
	}
	gz_sim_ram_free(vm->ram, SIMVM_RAM_SIZE);
}

#endif
