/* The simulator's own API: the machine around the HAL (simulated physical memory and its
 * allocator for the in-process host, time, physical-CPU identity, vCPU bookkeeping). The HAL
 * itself (hal.h) is what the core calls; this header is for the embedders: the in-process
 * driver, gzvmm's sim backend, tests and benchmarks. */
#ifndef GZSIM_SIM_H
#define GZSIM_SIM_H

#include <hal.h>

#define GZ_SIM_DEFAULT_PHYS_BASE 0x100000000ULL /* distinct from any guest IPA in use */
#define GZ_SIM_DEFAULT_PHYS_SIZE (1ULL << 30)
#define GZ_SIM_DEFAULT_CNTFRQ	 62500000ULL
#define GZ_SIM_DEFAULT_INSN_HZ	 100000000ULL /* simulated CPU speed: instructions per second */
#define GZ_SIM_DEFAULT_SLICE	 2000000ULL   /* instructions before a scheduling exit */
#define GZ_SIM_NR_LRS		 4

enum gz_sim_clock {
	GZ_SIM_CLOCK_INSNS, /* counter derived from executed instructions (deterministic) */
	GZ_SIM_CLOCK_WALL,  /* counter follows the host's monotonic clock */
};

struct gz_sim_config {
	uint64_t phys_base; /* 0: default */
	uint64_t phys_size; /* 0: default; rounded up to 2 MiB */
	uint64_t cntfrq;    /* 0: default */
	uint64_t insn_hz;   /* 0: default */
	uint64_t slice;	    /* 0: default */
	enum gz_sim_clock clock;
	int cpu_model; /* UC_CPU_ARM64_*; -1: Cortex-A72 */
	/* Deterministic mode (sim/detsched.c): vCPU threads take turns defined in guest
	 * instructions, in an order seed decides (0: round robin). Instruction clock only. */
	bool deterministic;
	uint64_t seed;
	uint64_t epoch; /* deterministic mode: the wall-clock time (s) at counter 0 */
};

/* Create the machine. Returns 0 or a negative GZ_ERR_* (bad config, no memory). Calling it
 * again tears the previous machine down first (every vCPU must be stopped). */
int gz_sim_init(const struct gz_sim_config *cfg);
void gz_sim_fini(void);
const struct gz_sim_config *gz_sim_config(void);

/* Simulated physical memory for the in-process host: page-aligned, zeroed, physically
 * contiguous blocks. NULL when exhausted or size is 0. */
void *gz_sim_host_alloc(size_t size);
/* The same, starting on a 2 MiB boundary when @size is 2 MiB or more and such a run is free
 * (else as gz_sim_host_alloc): guest RAM in huge pages, as a host kernel backs gzvmm's RAM
 * with transparent huge pages. */
void *gz_sim_host_alloc_huge(size_t size);
void gz_sim_host_free(void *va, size_t size);
uint64_t gz_sim_phys_free_bytes(void);

/* The physical CPU the calling thread plays (gz_hal_cpu_id()). Default 0. */
void gz_sim_set_cpu_id(unsigned id);

/* Console sink for gz_hal_console_putc (default: stderr). */
typedef void (*gz_sim_putc_fn)(void *arg, char c);
void gz_sim_set_console(gz_sim_putc_fn fn, void *arg);

/* Time. In the instruction clock, idle machines jump forward with gz_sim_advance(). */
uint64_t gz_sim_insns(void);	     /* instructions executed by every vCPU */
void gz_sim_advance(uint64_t ticks); /* add counter ticks (idle skip) */
uint64_t gz_sim_ticks_to_ns(uint64_t ticks);

/* Deterministic mode: at every scheduling point (a vCPU's quantum is over, or it sleeps) the
 * thread that holds the turn calls the hook with the point's number (1, 2, ...; the same in
 * every run of the same guest with the same inputs) before the next vCPU is chosen, so the
 * embedder can deliver input and poll its devices there. idle: nothing can run and no timer
 * is due; the hook returns true if it wants to be called at the next step all the same
 * (it delivered something, or a replay has more to give). */
typedef bool (*gz_sim_sched_hook_fn)(void *arg, uint64_t step, bool idle);
void gz_sim_set_sched_hook(gz_sim_sched_hook_fn fn, void *arg);
/* Host input for a machine that is idle: its hook runs at a new step (no-op otherwise). */
void gz_sim_sched_poke(void);
/* Scheduling points passed so far. */
uint64_t gz_sim_sched_step(void);

/* Called on a vCPU's thread each time the core enters the guest and after each exit the
 * core's fast path handled inside a run (so after every exit the core handled), before the
 * guest runs again: the guest fuzzer's invariant checks (fuzz/fuzz_sim_guest.c). NULL:
 * none. */
typedef void (*gz_sim_entry_hook_fn)(void *arg, const struct gz_cpu_ctx *ctx);
void gz_sim_set_entry_hook(gz_sim_entry_hook_fn fn, void *arg);

/* Exit traces: every exit of every vCPU as a JSON line to path, at most max_bytes (0: 1 GiB)
 * and a last line saying it was cut. 0 or -errno. */
#define GZ_SIM_TRACE_MAX_DEFAULT (1ULL << 30)
int gz_sim_trace_open(const char *path, uint64_t max_bytes);
void gz_sim_trace_close(void);
/* The calling thread's vCPU's last exit came to handler ("driver", "vmm") as GZVM_EXIT_*
 * gzvm_exit, for device (NULL: none). */
void gz_sim_trace_handled(const char *handler, uint32_t gzvm_exit, const char *device);

/* vCPU bookkeeping: a vCPU is known by the address of its gz_cpu_ctx. Forget releases its
 * Unicorn instance (call before freeing the context). */
void gz_sim_vcpu_forget(const struct gz_cpu_ctx *ctx);
/* Ask a running vCPU to leave the guest at the next instruction boundary (thread-safe);
 * gz_hal_vcpu_run then returns a GZ_EXIT_KIND_IRQ exit. */
void gz_sim_vcpu_kick(const struct gz_cpu_ctx *ctx);
/* Statistics of one vCPU (0 for an unknown one). */
uint64_t gz_sim_vcpu_insns(const struct gz_cpu_ctx *ctx);
uint64_t gz_sim_vcpu_remaps(const struct gz_cpu_ctx *ctx);

/* Stage-2 walk as the simulated MMU does it (exported for tests and the cross-check). */
struct gz_sim_s2_result {
	bool ok;	/* translation found */
	unsigned level; /* level of the leaf, or of the fault */
	gz_pa_t pa;	/* output address for the IPA */
	uint64_t size;	/* bytes the leaf maps */
	bool r, w, x;	/* S2AP / XN */
	uint64_t attr;	/* MemAttr[3:0] */
	bool af_fault;	/* valid leaf with AF clear: access-flag fault at res->level */
};
/* Returns false with res->level = faulting level for a translation fault; false with
 * res->level = 0xff for a malformed configuration (root not backed, bad VTCR). */
bool gz_sim_s2_walk(uint64_t vttbr, uint64_t vtcr, gz_ipa_t ipa, struct gz_sim_s2_result *res);

#endif
