/* The hypervisor backends behind one small interface: everything gzvmm asks of the hypervisor
 * is an ioctl of the gzvm user ABI (include/uapi/linux/gzvm.h) on a file descriptor. The
 * "gzvm" backend issues ioctl(2) on /dev/gzvm; the "sim" backend calls the simulator's
 * in-process driver, which implements the same ABI. Guest RAM comes from the backend too:
 * anonymous mmap for gzvm, the simulator's physical memory for sim. */
#ifndef VMM_BACKEND_H
#define VMM_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmm_backend;

/* What only the simulator reads (the command line refuses it with the gzvm backend). */
struct vmm_sim_opts {
	bool wall_clock;    /* counter follows the host's clock, not the instructions executed */
	uint64_t slice;	    /* instructions a vCPU runs before a scheduling exit; 0: default */
	uint16_t gdb_port;  /* --gdb: the gdb server's port on 127.0.0.1; 0: none */
	bool gdb_wait;	    /* --gdb-wait: the vCPUs wait for the debugger */
	bool deterministic; /* --deterministic: vCPUs take turns in virtual time (sim/detsched.c) */
	uint64_t seed;	    /* --seed: the order of those turns (0: round robin) */
	uint64_t epoch;	    /* deterministic: the guest's wall-clock time (s) at counter 0 */
	const char *pvmfw_key;	 /* --sim-pvmfw-key: the platform's trusted key file */
	const char *attest_key;	 /* --sim-attest-key: where the attestation key goes */
	const char *attest_root; /* --sim-attest-root: the platform's attestation root (seed) */
	const char *attest_cert; /* --sim-attest-cert: where its certificate goes */
};

/* What the gdb server asks of the VMM (vm_run.c gives it). */
struct vmm_debug_hooks {
	/* A host pointer for guest-physical @ipa and the bytes valid from it, or NULL. */
	void *(*ipa_ptr)(void *arg, uint64_t ipa, uint64_t *avail);
	/* The debugger killed the guest. */
	void (*kill)(void *arg);
	void *arg;
};

/* Deterministic mode: called at every scheduling point by the thread holding the turn
 * (gzsim/sim.h's gz_sim_sched_hook_fn). */
typedef bool (*vmm_sched_hook_fn)(void *arg, uint64_t step, bool idle);

struct vmm_backend_ops {
	const char *name;
	/* Prepares the backend (no VM yet); -1 with a message. */
	int (*init)(struct vmm_backend *be, size_t ram_size, char *err, size_t errlen);
	/* Opens the device (/dev/gzvm); returns its fd or -1 with a message. */
	int (*open_dev)(struct vmm_backend *be, char *err, size_t errlen);
	/* ioctl on a backend fd: >= 0 result, or -errno. */
	long (*ioctl)(struct vmm_backend *be, int fd, unsigned long req, void *arg);
	void (*close_fd)(struct vmm_backend *be, int fd);
	/* Page-aligned zeroed guest RAM of size bytes (one memslot); NULL on failure. */
	void *(*ram_alloc)(struct vmm_backend *be, size_t size);
	void (*ram_free)(struct vmm_backend *be, void *p, size_t size);
	/* Makes a RUN ioctl in progress on thread t return soon (immediate_exit is set too). */
	void (*kick)(struct vmm_backend *be, pthread_t t);
	void (*fini)(struct vmm_backend *be);
	/* Guest instructions executed so far; NULL when the backend cannot count them. */
	uint64_t (*insns)(struct vmm_backend *be);
	/* The gdb server (sim.gdb_port): started before the vCPUs first run, again after a
	 * reboot with new hooks; -1 with a message. NULL when the backend has none. */
	int (*debug_start)(struct vmm_backend *be, const struct vmm_debug_hooks *h, char *err,
			   size_t errlen);
	/* The run ended with exit @status: tell the debugger, stop the server. May be NULL. */
	void (*debug_stop)(struct vmm_backend *be, int status);
	/* Deterministic mode (sim only, NULL otherwise): the hook run at each scheduling
	 * point, input for an idle machine (runs the hook at a new step), virtual time. */
	void (*sched_hook)(struct vmm_backend *be, vmm_sched_hook_fn fn, void *arg);
	void (*sched_poke)(struct vmm_backend *be);
	uint64_t (*virtual_ns)(struct vmm_backend *be);
	/* Exit traces (sim only, NULL otherwise): open (0 or -errno) and close the file; the
	 * calling vCPU thread's last exit reached gzvmm as exit_reason, for device. */
	int (*trace_open)(struct vmm_backend *be, const char *path, uint64_t max_bytes);
	void (*trace_close)(struct vmm_backend *be);
	void (*trace_handled)(struct vmm_backend *be, uint32_t exit_reason, const char *device);
};

struct vmm_backend {
	const struct vmm_backend_ops *ops;
	void *priv;
	struct vmm_sim_opts sim; /* set before init */
};

extern const struct vmm_backend_ops vmm_backend_gzvm;
/* NULL when gzvmm was built without the simulator. */
extern const struct vmm_backend_ops *const vmm_backend_sim;

/* Signal used to kick vCPU threads out of RUN (no SA_RESTART handler). */
#define VMM_KICK_SIGNAL SIGUSR1

#endif
