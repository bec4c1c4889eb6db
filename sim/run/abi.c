/* gzsim-run's VMM role over the gzvm user ABI (gz_sim_ioctl): the guest runs on the real
 * core, through the in-process driver, exactly as gzvmm's sim backend drives it. One thread
 * per vCPU; the VMM side serves the PL011, the scratch device and the system events. */
#ifdef GZSIM_HAVE_DRV
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <linux/gzvm.h>
#include <gzsim/driver.h>
#include "runner.h"

struct abi_vm {
	int vm_fd;
	int vcpu_fd[RUN_MAX_CPUS];
	unsigned ncpus;
	struct run_vm *rvm;
	pthread_mutex_t mu;
	volatile bool off;
	int status;
	pthread_t threads[RUN_MAX_CPUS];
};

static long get_reg(int fd, uint64_t id, uint64_t *val)
{
	struct gzvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)val};

	return gz_sim_ioctl(fd, GZVM_GET_ONE_REG, &r);
}

static long set_reg(int fd, uint64_t id, uint64_t val)
{
	struct gzvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&val};

	return gz_sim_ioctl(fd, GZVM_SET_ONE_REG, &r);
}

/* An access to nothing: the guest gets a synchronous external abort, made by the VMM through
 * ONE_REG as on a real gzvm host (ELR/SPSR/ESR/FAR, then PSTATE and PC on the vector). */
static bool inject_sea(int fd, uint64_t ipa, bool write)
{
	uint64_t pstate, pc, vbar, sctlr, esr, off;

	if (get_reg(fd, GZVM_REG_CORE_PSTATE, &pstate) < 0 ||
	    get_reg(fd, GZVM_REG_CORE_PC, &pc) < 0 ||
	    get_reg(fd, GZVM_ARM64_SYS_REG(3, 0, 12, 0, 0), &vbar) < 0 ||
	    get_reg(fd, GZVM_ARM64_SYS_REG(3, 0, 1, 0, 0), &sctlr) < 0)
		return false;
	off = (pstate & 0xf) == 0 ? 0x400 : (pstate & 0xf) == 4 ? 0 : 0x200;
	esr = ((pstate & 0xf) == 0 ? 0x24ULL : 0x25ULL) << 26 | (1ULL << 25) | 0x10 |
	      (write ? 1ULL << 6 : 0) | ((sctlr & 1) ? 1ULL << 10 /* FnV: FAR not the VA */ : 0);
	return set_reg(fd, GZVM_REG_CORE_ELR_EL1, pc) >= 0 &&
	       set_reg(fd, GZVM_REG_CORE_SPSR(0), pstate) >= 0 &&
	       set_reg(fd, GZVM_ARM64_SYS_REG(3, 0, 5, 2, 0), esr) >= 0 &&
	       set_reg(fd, GZVM_ARM64_SYS_REG(3, 0, 6, 0, 0), ipa) >= 0 &&
	       set_reg(fd, GZVM_REG_CORE_PSTATE, 0x3c5) >= 0 &&
	       set_reg(fd, GZVM_REG_CORE_PC, (vbar & ~0x7ffULL) + off) >= 0;
}

static bool abi_mmio(struct abi_vm *a, struct gzvm_vcpu_run *run)
{
	bool claimed = true;

	uint64_t ipa = run->mmio.phys_addr, size = run->mmio.size;
	struct run_vm *vm = a->rvm;

	pthread_mutex_lock(&a->mu);
	if (ipa >= RUN_UART_BASE && ipa < RUN_UART_BASE + 0x1000) {
		if (run->mmio.is_write && ipa == RUN_UART_BASE)
			fputc(run->mmio.data[0], vm->out);
		else if (!run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data)),
			    run->mmio.data[0] = ipa == RUN_UART_BASE + 0x18 ? 0x90 : 0;
	} else if (ipa >= RUN_TESTDEV_BASE && size <= 8 &&
		   ipa + size <= RUN_TESTDEV_BASE + RUN_TESTDEV_SIZE) {
		uint8_t *p = vm->testdev + (ipa - RUN_TESTDEV_BASE);

		if (run->mmio.is_write)
			memcpy(p, run->mmio.data, size);
		else {
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
			memcpy(run->mmio.data, p, size);
		}
	} else {
		claimed = false;
	}
	vm->nr_mmio++;
	pthread_mutex_unlock(&a->mu);
	return claimed;
}

struct vcpu_arg {
	struct abi_vm *a;
	unsigned idx;
};

static void stop_all(struct abi_vm *a, int status)
{
	pthread_mutex_lock(&a->mu);
	if (!a->off) {
		a->off = true;
		a->status = status;
	}
	pthread_mutex_unlock(&a->mu);
	for (unsigned i = 0; i < a->ncpus; i++)
		gz_sim_kick_thread(a->threads[i]);
}

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *va = p;
	struct abi_vm *a = va->a;
	struct gzvm_vcpu_run run;
	int fd = a->vcpu_fd[va->idx];

	memset(&run, 0, sizeof(run));
	while (!a->off) {
		long r = gz_sim_ioctl(fd, GZVM_RUN, &run);

		if (r == -EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "gzsim-run: vCPU %u: RUN failed (%ld)\n", va->idx, r);
			stop_all(a, 1);
			break;
		}
		a->rvm->nr_exits++;
		switch (run.exit_reason) {
		case GZVM_EXIT_MMIO:
			if (!abi_mmio(a, &run) &&
			    !inject_sea(fd, run.mmio.phys_addr, run.mmio.is_write)) {
				fprintf(stderr, "gzsim-run: vCPU %u: abort injection failed\n",
					va->idx);
				stop_all(a, 1);
			}
			break;
		case GZVM_EXIT_SYSTEM_EVENT:
			stop_all(a, run.system_event.type == GZVM_SYSTEM_EVENT_SHUTDOWN ||
					    run.system_event.type == GZVM_SYSTEM_EVENT_RESET
					? 0
					: 1);
			break;
		case GZVM_EXIT_IRQ:
		case GZVM_EXIT_GZ:
		case GZVM_EXIT_IDLE:
		case GZVM_EXIT_IPI:
			break;
		default:
			fprintf(stderr, "gzsim-run: vCPU %u: exit %#x\n", va->idx, run.exit_reason);
			stop_all(a, 1);
			break;
		}
	}
	return NULL;
}

int run_via_core(struct run_vm *vm, const char *kernel, uint64_t entry_hint,
		 int (*load)(struct run_vm *, const char *, uint64_t *))
{
	static struct abi_vm a;
	struct vcpu_arg args[RUN_MAX_CPUS];
	struct gzvm_userspace_memory_region mr;
	struct gzvm_create_device dev;
	struct gzvm_one_reg reg;
	uint64_t entry = entry_hint;
	int dev_fd;
	long r;

	memset(&a, 0, sizeof(a));
	pthread_mutex_init(&a.mu, NULL);
	a.rvm = vm;
	a.ncpus = vm->ncpus;
	dev_fd = gz_sim_open();
	a.vm_fd = (int)gz_sim_ioctl(dev_fd, GZVM_CREATE_VM, 0);
	if (dev_fd < 0 || a.vm_fd < 0) {
		fprintf(stderr, "gzsim-run: CREATE_VM failed (%d)\n", a.vm_fd);
		return 1;
	}
	vm->ram = gz_sim_ram_alloc(vm->ram_size);
	if (!vm->ram || load(vm, kernel, &entry))
		return 1;
	mr = (struct gzvm_userspace_memory_region){.slot = 0,
						   .guest_phys_addr = RUN_RAM_BASE,
						   .memory_size = vm->ram_size,
						   .userspace_addr = (uint64_t)(uintptr_t)vm->ram};
	r = gz_sim_ioctl(a.vm_fd, GZVM_SET_USER_MEMORY_REGION, &mr);
	if (r < 0) {
		fprintf(stderr, "gzsim-run: SET_USER_MEMORY_REGION failed (%ld)\n", r);
		return 1;
	}
	dev = (struct gzvm_create_device){.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST,
					  .dev_addr = RUN_GICD_BASE,
					  .dev_reg_size = RUN_GICD_SIZE};
	r = gz_sim_ioctl(a.vm_fd, GZVM_CREATE_DEVICE, &dev);
	if (r >= 0) {
		dev = (struct gzvm_create_device){.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST,
						  .dev_addr = RUN_GICR_BASE,
						  .dev_reg_size = RUN_GICR_STRIDE};
		r = gz_sim_ioctl(a.vm_fd, GZVM_CREATE_DEVICE, &dev);
	}
	if (r < 0) {
		fprintf(stderr, "gzsim-run: CREATE_DEVICE failed (%ld)\n", r);
		return 1;
	}
	for (unsigned i = 0; i < a.ncpus; i++) {
		a.vcpu_fd[i] = (int)gz_sim_ioctl(a.vm_fd, GZVM_CREATE_VCPU, (void *)(uintptr_t)i);
		if (a.vcpu_fd[i] < 0) {
			fprintf(stderr, "gzsim-run: CREATE_VCPU %u failed (%d)\n", i, a.vcpu_fd[i]);
			return 1;
		}
	}
	reg = (struct gzvm_one_reg){.id = GZVM_REG_CORE_PC, .addr = (uint64_t)(uintptr_t)&entry};
	r = gz_sim_ioctl(a.vcpu_fd[0], GZVM_SET_ONE_REG, &reg);
	if (r < 0) {
		fprintf(stderr, "gzsim-run: SET_ONE_REG PC failed (%ld)\n", r);
		return 1;
	}
	for (unsigned i = 0; i < a.ncpus; i++) {
		args[i] = (struct vcpu_arg){&a, i};
		pthread_create(&a.threads[i], NULL, vcpu_thread, &args[i]);
	}
	for (unsigned i = 0; i < a.ncpus; i++)
		pthread_join(a.threads[i], NULL);
	for (unsigned i = 0; i < a.ncpus; i++)
		gz_sim_close(a.vcpu_fd[i]);
	gz_sim_close(a.vm_fd);
	gz_sim_close(dev_fd);
	return a.status;
}
#endif
