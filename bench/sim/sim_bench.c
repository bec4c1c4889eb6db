/* Simulator figures: guest instructions/s on a compute loop (raw Unicorn vs gz_hal_vcpu_run),
 * HVC and MMIO exits/s at the HAL, MMIO round trips/s through the core and the gzvm ABI, and
 * the start-up time of a VM through the ABI. Prints one "name value unit" line per figure. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>
#include <linux/gzvm.h>
#include <gzsim/driver.h>
#include <arm64/esr.h>
#include <arm64/pte.h>
#include <arm64/sysreg.h>

#define IPA 0x40000000ULL

/* x0 = iterations: a dependent add/eor/load/store mix, 8 instructions per iteration. */
static const uint32_t compute_loop[] = {
    0xd2800021, /* mov x1, #1 */
    0xd2800002, /* mov x2, #0 */
    0xd2a80023, /* mov x3, #0x40010000 (scratch, not the code page) */
    /* loop: */
    0x8b010042, /* add x2, x2, x1 */
    0xca020021, /* eor x1, x1, x2 */
    0xf9400064, /* ldr x4, [x3] */
    0x8b040042, /* add x2, x2, x4 */
    0xf9000062, /* str x2, [x3] */
    0x91000421, /* add x1, x1, #1 */
    0xf1000400, /* subs x0, x0, #1 */
    0x54ffff21, /* b.ne loop */
    0xd4000002, /* hvc #0 */
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* The CPU time of this thread: on a machine shared with other work, the rate a loop that runs
 * on one thread would have alone. */
static double cpu_s(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static void figure(const char *name, double v, const char *unit)
{
	printf("%-36s %14.0f %s\n", name, v, unit);
}

static double raw_unicorn(uint64_t iters, double *per_cpu)
{
	uc_engine *uc;
	uint8_t *mem = aligned_alloc(4096, 1 << 20);
	uint64_t x0 = iters, pc = IPA + 0x1000;
	uc_arm64_cp_reg scr = {.op0 = 3, .op1 = 6, .crn = 1, .crm = 1, .op2 = 0};
	double t, c;

	memset(mem, 0, 1 << 20);
	memcpy(mem + 0x1000, compute_loop, sizeof(compute_loop));
	uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc);
	uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A72);
	uc_mem_map_ptr(uc, IPA, 1 << 20, UC_PROT_ALL, mem);
	uc_reg_read(uc, UC_ARM64_REG_CP_REG, &scr);
	scr.val |= 1 << 8;
	uc_reg_write(uc, UC_ARM64_REG_CP_REG, &scr);
	uc_reg_write(uc, UC_ARM64_REG_X0, &x0);
	t = now_s();
	c = cpu_s();
	uc_emu_start(uc, pc, IPA + 0x1000 + sizeof(compute_loop) - 4, 0, 0);
	*per_cpu = (double)(iters * 8) / (cpu_s() - c);
	t = now_s() - t;
	uc_close(uc);
	free(mem);
	return (double)(iters * 8) / t;
}

/* A one-VM setup on the bare HAL: 2 MiB of RAM at IPA as one block. */
static struct gz_cpu_ctx ctx;
static uint8_t *ram;

static void hal_vm(void)
{
	uint64_t *l1 = gz_sim_host_alloc(4096), *l2 = gz_sim_host_alloc(4096),
		 *l3 = gz_sim_host_alloc(4096);

	ram = gz_sim_host_alloc(2 << 20);
	l1[1] = gz_hal_va_to_pa(l2) | ARCH_PTE_VALID | ARCH_PTE_TYPE;
	l2[0] = gz_hal_va_to_pa(l3) | ARCH_PTE_VALID | ARCH_PTE_TYPE;
	for (unsigned i = 0; i < 512; i++)
		l3[i] = (gz_hal_va_to_pa(ram) + i * 4096ULL) | ARCH_PTE_VALID | ARCH_PTE_TYPE |
			ARCH_PTE_AF | ARCH_S2_S2AP_R | ARCH_S2_S2AP_W | (0xfULL << 2);
	memset(&ctx, 0, sizeof(ctx));
	ctx.pstate = PSR_MODE_EL1h | PSR_D | PSR_A | PSR_I | PSR_F;
	ctx.sys[GZ_SYS_SCTLR_EL1] = 0x30d00800;
	ctx.hcr_el2 = HCR_RW;
	ctx.vttbr_el2 = (1ULL << 48) | gz_hal_va_to_pa(l1);
	ctx.vtcr_el2 = 25 | (1ULL << 6) | (2ULL << 16);
}

static double hal_compute(uint64_t iters, double *per_cpu)
{
	struct gz_exit_record e;
	uint64_t before = gz_sim_insns();
	double t, c;

	memcpy(ram + 0x1000, compute_loop, sizeof(compute_loop));
	ctx.pc = IPA + 0x1000;
	ctx.x[0] = iters;
	t = now_s();
	c = cpu_s();
	do {
		gz_hal_vcpu_run(&ctx, &e);
	} while (e.kind == GZ_EXIT_KIND_IRQ);
	*per_cpu = (double)(iters * 8) / (cpu_s() - c);
	t = now_s() - t;
	if (e.esr >> 26 != ESR_EC_HVC64)
		fprintf(stderr, "unexpected exit %#llx\n", (unsigned long long)e.esr);
	(void)before;
	return (double)(iters * 8) / t;
}

/* Exits per second of wall time; *@per_cpu: per second of the thread's CPU time. */
static double hal_exits(const uint32_t *loop, size_t n, uint64_t count, double *per_cpu)
{
	struct gz_exit_record e;
	double t, c;

	memcpy(ram + 0x2000, loop, n * 4);
	ctx.pc = IPA + 0x2000;
	ctx.x[0] = 0x09000000;
	t = now_s();
	c = cpu_s();
	for (uint64_t i = 0; i < count; i++)
		gz_hal_vcpu_run(&ctx, &e);
	*per_cpu = (double)count / (cpu_s() - c);
	return (double)count / (now_s() - t);
}

/* Through the core: a guest storing to MMIO in a loop; every store is a RUN round trip. */
static double abi_mmio(uint64_t count, double *startup)
{
	const uint32_t loop[] = {
	    0xd2a12000, /* mov x0, #0x9000000 */
	    0xf9000001, /* str x1, [x0] */
	    0x17ffffff, /* b -4 */
	};
	struct gzvm_userspace_memory_region mr;
	struct gzvm_create_device dev;
	struct gzvm_vcpu_run run;
	struct gzvm_one_reg reg;
	uint64_t entry = IPA + 0x80000;
	int dfd, vfd, cfd;
	uint8_t *gram;
	double t0 = now_s(), t;
	long r;

	dfd = gz_sim_open();
	vfd = (int)gz_sim_ioctl(dfd, GZVM_CREATE_VM, 0);
	gram = gz_sim_ram_alloc(16 << 20);
	memcpy(gram + 0x80000, loop, sizeof(loop));
	mr = (struct gzvm_userspace_memory_region){.slot = 0,
						   .guest_phys_addr = IPA,
						   .memory_size = 16 << 20,
						   .userspace_addr = (uint64_t)(uintptr_t)gram};
	r = gz_sim_ioctl(vfd, GZVM_SET_USER_MEMORY_REGION, &mr);
	dev = (struct gzvm_create_device){.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST,
					  .dev_addr = 0x08000000,
					  .dev_reg_size = 0x10000};
	r |= gz_sim_ioctl(vfd, GZVM_CREATE_DEVICE, &dev);
	dev = (struct gzvm_create_device){.dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST,
					  .dev_addr = 0x080a0000,
					  .dev_reg_size = 0x20000};
	r |= gz_sim_ioctl(vfd, GZVM_CREATE_DEVICE, &dev);
	cfd = (int)gz_sim_ioctl(vfd, GZVM_CREATE_VCPU, 0);
	reg = (struct gzvm_one_reg){.id = GZVM_REG_CORE_PC, .addr = (uint64_t)(uintptr_t)&entry};
	r |= gz_sim_ioctl(cfd, GZVM_SET_ONE_REG, &reg);
	memset(&run, 0, sizeof(run));
	if (r < 0 || vfd < 0 || cfd < 0 || gz_sim_ioctl(cfd, GZVM_RUN, &run) < 0 ||
	    run.exit_reason != GZVM_EXIT_MMIO) {
		fprintf(stderr, "ABI setup failed (%ld, exit %#x)\n", r, run.exit_reason);
		return 0;
	}
	*startup = now_s() - t0;
	t = now_s();
	for (uint64_t i = 0; i < count; i++)
		gz_sim_ioctl(cfd, GZVM_RUN, &run);
	t = now_s() - t;
	gz_sim_close(cfd);
	gz_sim_close(vfd);
	gz_sim_close(dfd);
	return (double)count / t;
}

int main(int argc, char **argv)
{
	uint64_t iters = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000000;
	const uint32_t hvc_loop[] = {0xd4000002 /* hvc #0 */, 0x17ffffff /* b -4 */};
	const uint32_t mmio_loop[] = {0xf9000001 /* str x1, [x0] */};
	struct gz_sim_drv_config cfg = {.machine = {.phys_size = 256 << 20, .cpu_model = -1}};
	double raw, hal, raw_cpu, hal_cpu, startup = 0, abi, hvc, mmio, hvc_cpu, mmio_cpu;

	if (gz_sim_drv_init(&cfg)) {
		fprintf(stderr, "driver init failed\n");
		return 1;
	}
	gz_sim_set_cpu_id(1);
	hal_vm();
	raw = raw_unicorn(iters, &raw_cpu);
	hal = hal_compute(iters, &hal_cpu);
	figure("raw Unicorn compute loop", raw, "insn/s");
	figure("gz_hal_vcpu_run compute loop", hal, "insn/s");
	printf("%-36s %14.2f\n", "ratio sim/raw", hal / raw);
	printf("%-36s %14.2f\n", "CPU-time ratio sim/raw", hal_cpu / raw_cpu);
	hvc = hal_exits(hvc_loop, 2, 200000, &hvc_cpu);
	mmio = hal_exits(mmio_loop, 1, 200000, &mmio_cpu);
	figure("HAL HVC exits", hvc, "exits/s");
	figure("HAL MMIO (stage-2 fault) exits", mmio, "exits/s");
	figure("CPU-time HAL HVC exits", hvc_cpu, "exits/s");
	figure("CPU-time HAL MMIO exits", mmio_cpu, "exits/s");
	abi = abi_mmio(100000, &startup);
	figure("ABI RUN round trips (MMIO, core)", abi, "exits/s");
	printf("%-36s %14.3f ms\n", "VM start-up to first exit (ABI)", startup * 1e3);
	gz_sim_drv_fini();
	return 0;
}
