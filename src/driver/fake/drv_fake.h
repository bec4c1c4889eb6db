/* A fake environment for the portable driver logic on the host: a sandboxed "user space"
 * (only registered ranges can be copied), fake guest-RAM mappings with controllable physical
 * contiguity, counted pins and allocations, fake eventfds, scripted signals, and a small
 * recording model of the hypervisor that answers each hypercall with scripted statuses and
 * scripted vCPU exits. Used by tests/unit/test_drv_*.c and fuzz/fuzz_drv_*.c. */
#ifndef DRV_FAKE_H
#define DRV_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gzdrv.h"
#include <uapi/linux/gzvm.h>
#include <gzabi/hvc.h>
#include <gzabi/status.h>

#define FAKE_MAX_RECS	4096
#define FAKE_MAX_EXITS	64
#define FAKE_MAX_SCRIPT 64
#define FAKE_MAX_EFDS	256
#define FAKE_EFD_BASE	100

/* One recorded hypercall. For SET_MEMREGION the descriptor is summarised; for
 * MAP_GUEST_BLOCK the PFNs handed over are summarised. */
struct fake_rec {
	uint64_t x[8];
	uint64_t out[4];
	/* SET_MEMREGION */
	uint32_t slot, cnt;
	uint64_t total, gpa, sum_pages;
	uint64_t first_addr;
	bool merged_max; /* no two neighbouring constituents were contiguous */
	/* MAP_GUEST_BLOCK */
	uint64_t first_pfn, last_pfn;
};

struct fake_efd {
	bool open;	/* the fd exists (not closed) */
	int refs;	/* driver references */
	uint64_t count; /* signals */
	struct gzdrv_irqfd *watcher;
};

/* opengz's MAP_GUEST_AHEAD (0x41) in the hypercall log after gzvm's numbers and the unknown
 * ids' GZ_HVC_FN_NR; a reset answers it NOT_SUPPORTED, as a GenieZone hypervisor would
 * (fake_hyp_default(FAKE_FN_MAP_GUEST_AHEAD, GZ_OK) makes the fake take it). */
#define FAKE_FN_MAP_GUEST_AHEAD (GZ_HVC_FN_NR + 1)
#define FAKE_FNS		(GZ_HVC_FN_NR + 2)

struct fake_env {
	struct gzdrv drv;
	/* hypercall log */
	struct fake_rec recs[FAKE_MAX_RECS];
	unsigned int nr_recs;
	unsigned int per_fn[FAKE_FNS];
	/* scripted answers: fn -> queue of (status, x1, x2, x3); then the default status */
	struct {
		int64_t status;
		uint64_t x[3];
	} script[FAKE_FNS][FAKE_MAX_SCRIPT];
	unsigned int script_head[FAKE_FNS], script_tail[FAKE_FNS];
	int64_t default_status[FAKE_FNS];
	/* vCPU exits: template of the run struct (exit_reason is returned in x1) and the
	 * hwstate page contents to install before the exit is reported */
	struct {
		struct gzvm_vcpu_run run;
		bool set_hw;
		struct gzvm_vcpu_hwstate hw;
	} exits[FAKE_MAX_EXITS];
	unsigned int exit_head, exit_tail;
	uint16_t next_vm_id;
	void *vcpu_shared[GZVM_MAX_VCPUS]; /* of the last VM: PA == VA here */
	/* env counters */
	long pages_out, zallocs_out, locks_out, pins_out;
	long pins_total, unpins_total, unpins_dirty;
	long batch_pins; /* pin_user_pages calls (a block's pins at once) */
	long fail_alloc_in, fail_zalloc_in, fail_pin_in, fail_newfd_in, fail_watch_in;
	long fail_lock_in;
	int next_fd;
	int signal_in; /* signal_pending() true from the n-th call on (0: never) */
	long signal_calls;
	long sleeps, wakes;
	uint64_t last_sleep_ns;
	bool lock_error; /* a lock was taken twice or released unheld */
	bool pin_error;	 /* unpin of a PA that was not pinned */
	struct fake_efd efds[FAKE_MAX_EFDS];
	uint64_t clock_wall, clock_cnt;
	void *last_fd_obj; /* object of the last fd made */
	long bad_pa_in;	   /* the n-th pin returns a misaligned PA (an embedder bug) */
	long yields;
	long traces_enter, traces_leave, traces_invalid, traces_exit, vcpu_destroys;
};

extern struct fake_env fake;

/* Reset everything and return a probed driver (PROBE and batch queries scripted OK unless
 * probe is false). */
struct gzdrv *fake_reset(bool probe);
/* The same with only the mandatory ops (no tracing, no vcpu_destroy hook) and a given
 * counter frequency. */
struct gzdrv *fake_reset_minimal(bool probe, uint64_t cntfrq);

/* User memory. fake_user() makes [p, p+len) copyable (the uaddr is p itself). */
uint64_t fake_user(void *p, size_t len);
/* [p, p+len) can be read but not written by the driver. */
uint64_t fake_user_ro(void *p, size_t len);
/* Guest RAM: a fake user mapping of npages (never touched by the driver, only pinned).
 * Pages are physically contiguous except that a one-page gap follows every gap_every pages
 * (0: no gaps). */
uint64_t fake_ram(uint64_t npages, uint32_t gap_every);
/* PA the fake gives for the page at uaddr (0 if not fake RAM). */
uint64_t fake_ram_pa(uint64_t uaddr);
/* Number of distinct pages currently pinned. */
long fake_pins_outstanding(void);

/* eventfds */
int fake_efd_new(void);
void fake_efd_write(int fd); /* user writes to the eventfd: watchers fire */
void fake_efd_close(int fd); /* user closes it: watchers see the hang-up */
struct fake_efd *fake_efd(int fd);

/* hypervisor script */
void fake_hyp_status(uint32_t fn, int64_t status, uint64_t x1, uint64_t x2, uint64_t x3);
void fake_hyp_default(uint32_t fn, int64_t status);
struct gzvm_vcpu_run *fake_hyp_exit(uint32_t reason); /* returns the template to fill */
struct gzvm_vcpu_hwstate *fake_hyp_exit_hw(void);     /* hwstate for the last pushed exit */
unsigned int fake_calls(uint32_t fn);
const struct fake_rec *fake_call(uint32_t fn, unsigned int nth); /* NULL if absent */
const struct fake_rec *fake_last(void);

/* The fn number of a hypercall id (GZ_HVC_FN_NR for unknown ids, FAKE_FN_MAP_GUEST_AHEAD). */
uint32_t fake_fn(uint64_t id);

/* Invariants the fuzzer and tests check on a live VM: slots never overlap, every pin is
 * accounted for, the ioeventfd table holds no colliding entries, irqfds bind distinct
 * eventfds. Returns NULL or a description of the first violation. */
const char *fake_vm_invariants(const struct gzdrv_vm *vm);

/* A VM created through the driver (NULL on failure). */
struct gzdrv_vm *fake_vm_new(void);
/* After every VM is released: NULL, or what was left behind (pages, allocations, locks,
 * pins, eventfd references, lock or refcount errors). */
const char *fake_leaks(void);

#endif
