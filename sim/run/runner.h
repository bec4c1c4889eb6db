/* gzsim-run: a stand-alone VMM for the simulator. It builds a VM's stage-2 tables from memory
 * the simulated host allocates, runs the vCPUs through gz_hal_vcpu_run and serves their exits
 * with a small QEMU-virt platform (PL011, GICv3 distributor/redistributors through list
 * registers, PSCI, the virtual timer, a scratch MMIO device). It is the test bench of the HAL
 * until the core's exit handling and gzvmm's sim backend take that role. */
#ifndef GZSIM_RUNNER_H
#define GZSIM_RUNNER_H

#include <stdio.h>
#include <gzsim/sim.h>

#define RUN_MAX_CPUS	 8
#define RUN_RAM_BASE	 0x40000000ULL
#define RUN_LOAD_OFFSET	 0x80000ULL
#define RUN_UART_BASE	 0x09000000ULL
#define RUN_GICD_BASE	 0x08000000ULL
#define RUN_GICD_SIZE	 0x10000ULL
#define RUN_GICR_BASE	 0x080A0000ULL
#define RUN_GICR_STRIDE	 0x20000ULL
#define RUN_TESTDEV_BASE 0x0b000000ULL
#define RUN_TESTDEV_SIZE 0x100ULL
#define RUN_IPA_BITS	 39

struct run_vcpu {
	struct gz_cpu_ctx ctx;
	bool on, idle;
	uint32_t pending; /* SGIs and PPIs waiting for a list register */
	uint32_t enabled; /* GICR_ISENABLER0 */
	uint8_t prio[32];
	uint64_t lr[GZ_SIM_NR_LRS], vmcr, ap1r0, ap0r0;
	uint32_t waker;
	uint64_t exits;
	uint64_t vtime; /* scheduling clock: instructions run plus time credited while idle */
};

struct run_vm {
	unsigned ncpus;
	uint64_t ram_size;
	uint8_t *ram; /* host view */
	gz_pa_t ram_pa;
	gz_pa_t s2_root;
	uint64_t vtcr, vttbr;
	uint32_t gicd_ctlr;
	uint8_t testdev[RUN_TESTDEV_SIZE];
	struct run_vcpu cpu[RUN_MAX_CPUS];
	bool off;
	int status; /* process exit status once off */
	FILE *out;
	uint64_t nr_exits, nr_mmio, nr_hvc;
};

/* Stage-2 builder (s2build.c). */
int run_s2_init(struct run_vm *vm);
int run_s2_map(struct run_vm *vm, uint64_t ipa, gz_pa_t pa, uint64_t size, bool w, bool x);

/* Platform (platform.c). */
void run_vcpu_reset(struct run_vm *vm, unsigned i, uint64_t entry, uint64_t x0);
/* One trip into the guest for vCPU i and the handling of its exit. <0 on a fatal error. */
int run_vcpu_once(struct run_vm *vm, unsigned i);
/* Wake vCPUs whose timer fired; returns the earliest future deadline in counter ticks or
 * UINT64_MAX. */
uint64_t run_check_timers(struct run_vm *vm);

/* The VMM role over the gzvm ABI and the real core (abi.c); the process exit status. */
int run_via_core(struct run_vm *vm, const char *kernel, uint64_t entry_hint,
		 int (*load)(struct run_vm *, const char *, uint64_t *));

#endif
