/* SPDX-License-Identifier: GPL-2.0 */
/* gzdrv: the gzvm driver's logic in portable C, shared by the Linux module (src/driver/linux)
 * and the simulator's in-process driver and tests (host library "gzdrv").
 *
 * It implements the user ABI of /dev/gzvm (include/uapi/linux/gzvm.h: gzvm v13 plus opengz's
 * extensions) on top of the host hypercall ABI (include/gzabi/hvc.h). It never calls libc or the
 * kernel: every environment service goes through struct gzdrv_ops, which the embedder fills.
 *
 * Calling model (the embedder's side):
 *  - gzdrv_init() once, then gzdrv_probe() (PROBE handshake, batch-size query).
 *  - /dev/gzvm ioctl        -> gzdrv_dev_ioctl()
 *    VM fd ioctl            -> gzdrv_vm_ioctl()     (ops->new_fd makes the VM/vCPU fds)
 *    vCPU fd ioctl          -> gzdrv_vcpu_ioctl()
 *  - when the VM fd and every vCPU fd of a VM are closed -> gzdrv_vm_release().
 *  - when a watched irqfd eventfd is signalled -> gzdrv_irqfd_fire() (may be atomic context);
 *    when it hangs up -> gzdrv_irqfd_hangup() (atomic context too).
 * ioctl handlers return 0 / a non-negative value (an fd for the create ioctls) or -errno.
 * Every ioctl argument is validated here; the embedder passes the raw user argument.
 */
#ifndef GZDRV_H
#define GZDRV_H

#include "gzdrv_compat.h"

/* Limits (v13 values where v13 has one). */
#define GZDRV_MAX_VCPUS		    8
#define GZDRV_MAX_SLOTS		    10
#define GZDRV_MAX_REGIONS	    8	/* bulk regions a VM owns: one per channel end */
#define GZDRV_MAX_IOEVENTFDS	    128 /* per VM; assign beyond this is -ENOSPC */
#define GZDRV_MAX_IRQFDS	    64	/* per VM; assign beyond this is -ENOSPC */
#define GZDRV_MAX_SLOT_PAGES	    0x7fffffffULL
#define GZDRV_BLOCK_PAGES	    512 /* 2 MiB block demand paging */
#define GZDRV_DEFAULT_DESTROY_BATCH 128
#define GZDRV_VCPU_SHARED_PAGES	    2 /* page 0: gzvm_vcpu_run, page 1: hwstate */

/* Whether the hypervisor takes opengz's MAP_GUEST_AHEAD (struct gzdrv_vm's ahead): not asked
 * yet (the first 4 KiB fault asks with no page ahead), yes, or no (MAP_GUEST only). */
#define GZDRV_AHEAD_UNKNOWN 0
#define GZDRV_AHEAD_YES	    1
#define GZDRV_AHEAD_NO	    2

/* Driver version sent in the PROBE handshake (v13: 16.0.0). */
#define GZDRV_VERSION_MAJOR 16
#define GZDRV_VERSION_MINOR 0
#define GZDRV_VERSION_SUB   0

struct gzdrv;
struct gzdrv_vm;
struct gzdrv_vcpu;
struct gzdrv_irqfd;

/* One SMCCC 1.2 call: x[0] = function id, x[1..7] = arguments; results x0..x3. */
struct gzdrv_hvc_in {
	uint64_t x[8];
};
struct gzdrv_hvc_out {
	uint64_t x[4];
};

enum gzdrv_fd_kind {
	GZDRV_FD_VM,
	GZDRV_FD_VCPU,
};

/*
 * Environment services. All are mandatory unless marked optional. "env" is the pointer given
 * to gzdrv_init(). Functions returning int return 0 or -errno.
 */
struct gzdrv_ops {
	/* Issue a hypercall (HVC #0). Cannot fail by itself; the status is out->x[0]. Called in
	 * atomic context too (irqfd injection).
	 */
	void (*hvc)(void *env, const struct gzdrv_hvc_in *in, struct gzdrv_hvc_out *out);

	/* Zeroed, physically contiguous, page-aligned memory shared with the hypervisor; *pa
	 * is its physical address. NULL on failure.
	 */
	void *(*alloc_pages)(void *env, unsigned int nr_pages, uint64_t *pa);
	void (*free_pages)(void *env, void *va, unsigned int nr_pages);
	/* Zeroed private bookkeeping memory (may be large: per-slot PFN arrays). */
	void *(*zalloc)(void *env, size_t size);
	void (*free)(void *env, void *p);

	/* Caller's user memory. */
	int (*copy_from_user)(void *env, void *dst, uint64_t uaddr, size_t len);
	int (*copy_to_user)(void *env, uint64_t uaddr, const void *src, size_t len);
	/* [uaddr, uaddr + size) is mapped, writable user memory that may back guest RAM
	 * (page aligned, non-zero, no overflow: checked before the call). -EFAULT otherwise.
	 */
	int (*check_user_range)(void *env, uint64_t uaddr, uint64_t size);
	/* Pin one page of the caller's memory long-term for writing; *pa = its PA. */
	int (*pin_user_page)(void *env, uint64_t uaddr, uint64_t *pa);
	/* Optional (may be NULL: pin_user_page one page at a time): pin @nr pages of the
	 * caller's memory from @uaddr as pin_user_page does, all or none; pa[i] = the PA of
	 * page i. Each pin is dropped alone by unpin_page. */
	int (*pin_user_pages)(void *env, uint64_t uaddr, uint32_t nr, uint64_t *pa);
	/* Drop a pin taken by pin_user_page (dirty: the guest may have written it). */
	void (*unpin_page)(void *env, uint64_t pa, bool dirty);

	/* eventfds: resolve an fd number of the caller to a reference (-EBADF / -EINVAL when
	 * it is not an eventfd), drop the reference, signal it (atomic context allowed).
	 */
	int (*eventfd_get)(void *env, int fd, void **efd);
	void (*eventfd_put)(void *env, void *efd);
	void (*eventfd_signal)(void *env, void *efd);
	/* Start watching an irqfd's eventfd: from now on each signal of irqfd->efd makes the
	 * embedder call gzdrv_irqfd_fire(irqfd) (and a hang-up gzdrv_irqfd_hangup()); a signal
	 * already pending must fire once. unwatch stops it and waits for running callbacks.
	 */
	int (*irqfd_watch)(void *env, struct gzdrv_irqfd *irqfd);
	void (*irqfd_unwatch)(void *env, struct gzdrv_irqfd *irqfd);

	/* Sleeping locks (mutex-like). lock_create returns NULL on failure. */
	void *(*lock_create)(void *env);
	void (*lock_destroy)(void *env, void *lock);
	void (*lock)(void *env, void *lock);
	void (*unlock)(void *env, void *lock);

	/* Fd creation for the create ioctls: returns the new fd (>= 0) or -errno. The fd
	 * refers to obj (a struct gzdrv_vm * or struct gzdrv_vcpu *).
	 */
	int (*new_fd)(void *env, enum gzdrv_fd_kind kind, void *obj);

	/* Scheduling. signal_pending: the calling thread has a signal to handle.
	 * vcpu_sleep blocks the calling vCPU thread until vcpu_wake(vcpu), a signal, or
	 * timeout_ns (0 = no timeout) elapses; a wake issued while the vCPU was not asleep
	 * makes the next sleep return at once. vcpu_wake may be called in atomic context.
	 */
	bool (*signal_pending)(void *env);
	void (*vcpu_sleep)(void *env, struct gzdrv_vcpu *vcpu, uint64_t timeout_ns);
	void (*vcpu_wake)(void *env, struct gzdrv_vcpu *vcpu);

	/* Clocks for the guest PTP call: realtime in ns and the physical counter value. */
	void (*read_clocks)(void *env, uint64_t *realtime_ns, uint64_t *counter);

	/* Optional (may be NULL): called before each guest entry of the RUN loop, so a long
	 * series of exits finished in the kernel lets the scheduler run (cond_resched).
	 */
	void (*yield)(void *env);

	/* Optional (may be NULL: GZVM_CREATE_CHANNEL is then -EOPNOTSUPP): resolve a VM fd
	 * number of the caller to its VM with a reference held (-EBADF, or -EINVAL when the
	 * fd is no VM fd of this device), and drop that reference.
	 */
	int (*vm_get)(void *env, int fd, struct gzdrv_vm **vm);
	void (*vm_put)(void *env, struct gzdrv_vm *vm);

	/* Optional (may be NULL): a vCPU is about to be freed (its priv can go). */
	void (*vcpu_destroy)(void *env, struct gzdrv_vcpu *vcpu);

	/* Optional (may be NULL): tracing of hypercalls and exits. */
	void (*trace_hvc_enter)(void *env, uint64_t id);
	void (*trace_hvc_leave)(void *env, uint64_t id, bool invalid);
	void (*trace_exit)(void *env, uint32_t exit_reason);
};

/* ---- objects (fields are read by embedders and tests; change them only through gzdrv_*) -- */

/* VM ids the hypervisor hands out (1..16): the driver's VMs by id, for waking a channel's
 * peer (gzdrv_chan_wake). */
#define GZDRV_MAX_VM_ID 16

/* One exit in the driver's exit trace (xtrace.c): the hypervisor's record (gzabi/hvc.h,
 * struct gz_exit_log_rec), whose vCPU it was, and what the host made of it. */
enum gzdrv_xtrace_handler {
	GZDRV_XTRACE_DRIVER = 4, /* after GZ_EXIT_LOG_*: the driver finished it in the kernel */
	GZDRV_XTRACE_VMM = 5,	 /* the VMM got it */
};

struct gzdrv_xrec {
	uint64_t t_exit, esr, far, hpfar, pc;
	uint32_t cost;	    /* counter ticks from the exit to the next entry */
	uint32_t gzvm_exit; /* the GZVM_EXIT_* of the RUN it ended; 0: it ended none */
	uint16_t vm_id, vcpu;
	uint8_t kind, handler; /* enum gz_exit_kind; GZ_EXIT_LOG_* or GZDRV_XTRACE_* */
};

/* The driver-wide ring of the last exits of every VM (oldest overwritten). */
struct gzdrv_xtrace {
	void *lock;
	struct gzdrv_xrec *rec;
	uint64_t cap, head, lost; /* lost: records the hypervisor's log wrapped over */
};

struct gzdrv {
	const struct gzdrv_ops *ops;
	void *env;
	void *vms_lock; /* vms[]; NULL without ops->vm_get or if it could not be made */
	struct gzdrv_vm *vms[GZDRV_MAX_VM_ID + 1];
	uint32_t hyp_version[3];      /* major, minor, sub from PROBE */
	uint32_t batch_pages;	      /* demand-paging batch; divides GZDRV_BLOCK_PAGES */
	bool block_paging;	      /* new VMs ask for block-based demand paging (default) */
	uint32_t destroy_batch_pages; /* pages reclaimed per DESTROY_VM call; power of 2 */
	uint32_t gpa_bits;	      /* answer to GZVM_CAP_VM_GPA_SIZE */
	uint64_t cntfrq;	      /* counter frequency, Hz (vtimer delay -> ns) */
	struct gzdrv_xtrace *xtrace;  /* the exit trace; NULL: off */
};

/* One memslot. pa[] holds the PA of each pinned page (0 = not pinned). */
struct gzdrv_slot {
	bool used;
	uint32_t flags;
	uint64_t base_gfn;
	uint64_t npages;
	uint64_t uaddr;
	uint64_t *pa;
	uint64_t nr_pinned;
};

struct gzdrv_ioeventfd {
	bool used;
	bool wildcard;
	uint32_t len;
	uint64_t addr;
	uint64_t datamatch;
	void *efd;
};

struct gzdrv_irqfd {
	int fd; /* the caller's eventfd number at assign time (for the embedder's poll) */
	bool used;
	bool active;   /* watched and not hung up */
	bool level;    /* RESAMPLE: level-triggered, deasserted on EOI */
	bool asserted; /* level irqfd: line currently raised by us */
	bool seen;     /* level irqfd: seen live in an LR of vCPU seen_vcpu */
	uint32_t seen_vcpu;
	uint32_t gsi;
	void *efd;
	void *resample_efd;
	struct gzdrv_vm *vm;
	void *priv; /* embedder's (wait-queue entry etc.) */
};

struct gzdrv_vcpu {
	struct gzdrv_vm *vm;
	uint32_t id;
	void *shared; /* 2 pages: gzvm_vcpu_run, hwstate */
	uint64_t shared_pa;
	uint64_t nr_exits; /* statistics */
	uint64_t nr_kernel_exits;
	bool running; /* inside GZVM_RUN (one caller at a time) */
	bool owned;   /* reserved by a fd (or a direct gzdrv_vcpu_create caller) */
	/* the exit trace: the next record of the hypervisor's log to take, the log's head at
	 * the last RUN, and the RUN's last exit held until its cost is known */
	uint32_t xlog_seen, xlog_head;
	bool xpend;
	uint32_t xpend_exit;
	uint8_t xpend_handler;
	void *priv; /* embedder's (wait queue, hrtimer...) */
};

struct gzdrv_vm_stats {
	uint64_t pinned_pages;	 /* pages pinned by the driver right now */
	uint64_t pinned_max;	 /* high-water mark */
	uint64_t demand_faults;	 /* PAGE_FAULT exits handled in the kernel */
	uint64_t relinquished;	 /* pages unpinned on guest MEM_RELINQUISH */
	uint64_t ioeventfd_hits; /* MMIO writes completed by an ioeventfd */
	uint64_t irq_injections; /* IRQ_LINE hypercalls issued (ioctl + irqfd) */
	uint64_t destroy_calls;	 /* DESTROY_VM hypercalls issued (batches) */
	uint64_t leaked_pages;	 /* pins kept: the hypervisor did not give the pages back */
	uint64_t s2_blocks;	 /* 2 MiB stage-2 block descriptors the hypervisor made */
};

struct gzdrv_vm {
	struct gzdrv *drv;
	uint16_t vm_id;
	bool demand_paging; /* hypervisor accepted GZVM_CAP_ENABLE_DEMAND_PAGING */
	bool block_paging;  /* ... and GZVM_CAP_BLOCK_BASED_DEMAND_PAGING */
	bool idle;	    /* ... and GZVM_CAP_ENABLE_IDLE */
	uint8_t ahead;	    /* MAP_GUEST_AHEAD: GZDRV_AHEAD_* */
	bool destroyed;	    /* DESTROY_VM succeeded (release only) */
	void *lock;	    /* memslots, pins, PFN buffer, vcpus, ioeventfds, irqfds */
	struct gzdrv_slot slots[GZDRV_MAX_SLOTS];
	struct gzdrv_vcpu *vcpus[GZDRV_MAX_VCPUS];
	struct gzdrv_ioeventfd ioeventfds[GZDRV_MAX_IOEVENTFDS];
	struct gzdrv_irqfd irqfds[GZDRV_MAX_IRQFDS];
	uint32_t nr_level_irqfds; /* level (RESAMPLE) irqfds: EOI scan needed */
	uint64_t *pfn_buf;	  /* GZDRV_BLOCK_PAGES entries, shared with the hypervisor */
	uint64_t pfn_buf_pa;
	void *region_buf; /* gzvm_memory_region_ranges buffer (2 pages) */
	uint64_t region_buf_pa;
	struct gzdrv_vm_stats stats;
	uint32_t chan_peers; /* bit n: a channel joins this VM and VM n (drv->vms_lock) */
	/* the bulk regions this VM owns (GZVM_CREATE_CHANNEL_REGION): freed only once the
	 * hypervisor destroyed the VM, which took them back from both VMs (vm->lock) */
	struct gzdrv_region {
		void *va;
		uint64_t pa;
		uint32_t nr_pages;
	} regions[GZDRV_MAX_REGIONS];
	void *priv; /* embedder's (debugfs dentry...) */
};

/* ---- driver ------------------------------------------------------------------------------ */

/* Fill drv. gpa_bits: the host's PA size answered to GZVM_CAP_VM_GPA_SIZE (v13 answers
 * CONFIG_ARM64_PA_BITS); cntfrq: generic-timer frequency.
 */
void gzdrv_init(struct gzdrv *drv, const struct gzdrv_ops *ops, void *env, uint32_t gpa_bits,
		uint64_t cntfrq);
/* PROBE handshake (sends the driver version, records the hypervisor's) and the global
 * batch-size query. -ENODEV if no GenieZone-compatible hypervisor answers.
 */
int gzdrv_probe(struct gzdrv *drv);
/* Tunables (sysfs in the kernel): -EINVAL unless the value divides 512 / is a power of 2. */
int gzdrv_set_batch_pages(struct gzdrv *drv, uint32_t pages);
/* Whether VMs created from now on fault their memory in by 2 MiB block (true, the default)
 * or one 4 KiB page per fault (as KVM on a host without huge pages; bench/vs-kvm). */
void gzdrv_set_block_paging(struct gzdrv *drv, bool on);
int gzdrv_set_destroy_batch_pages(struct gzdrv *drv, uint32_t pages);
/* The hypervisor's limits (opengz, docs/abi.md; sysfs max_vms and vm_hyp_quota_pages in the
 * kernel): with @set non-zero set it first; the value now in *@now. -EINVAL out of range
 * (VMs: 1..the hypervisor's table; quota: at least 1 page), -EOPNOTSUPP from a hypervisor
 * without them. */
int gzdrv_vm_limit(struct gzdrv *drv, uint64_t set, uint64_t *now);
int gzdrv_hyp_quota_default(struct gzdrv *drv, uint64_t set, uint64_t *now);

/* The exit trace (xtrace.c; gzvm.ko's exit_trace parameter and debugfs file): keep the last
 * @nr exits of every VM's vCPUs, each vCPU's hypervisor log turned on and read after every RUN, so
 * that none is lost. 0 or -ENOMEM; stop frees it (no VM may run then). */
int gzdrv_xtrace_start(struct gzdrv *drv, uint64_t nr);
void gzdrv_xtrace_stop(struct gzdrv *drv);
/* Record @i of the trace, oldest first (false past the newest); *@lost: records the
 * hypervisor's logs wrapped over before the driver read them. */
bool gzdrv_xtrace_get(struct gzdrv *drv, uint64_t i, struct gzdrv_xrec *out, uint64_t *lost);
/* Empty the trace. */
void gzdrv_xtrace_clear(struct gzdrv *drv);

/* Drop what gzdrv_init created (the VM registry's lock) once every VM is released. */
void gzdrv_fini(struct gzdrv *drv);

/* Map a hypervisor status (include/gzabi/status.h) to -errno (reference §2.2). */
int gzdrv_status_to_errno(int64_t status);

/* ---- ioctls ------------------------------------------------------------------------------ */

long gzdrv_dev_ioctl(struct gzdrv *drv, unsigned int cmd, uint64_t arg);
long gzdrv_vm_ioctl(struct gzdrv_vm *vm, unsigned int cmd, uint64_t arg);
long gzdrv_vcpu_ioctl(struct gzdrv_vcpu *vcpu, unsigned int cmd, uint64_t arg);

/* Direct forms, for embedders that create fds themselves (the ioctls above use them). */
int gzdrv_vm_create(struct gzdrv *drv, uint64_t vm_type, struct gzdrv_vm **out);
int gzdrv_vcpu_create(struct gzdrv_vm *vm, uint64_t id, struct gzdrv_vcpu **out);

/* Tear a VM down: irqfds, vCPUs, DESTROY_VM in batches (retrying on BUSY), then every pin
 * and buffer. Called once, after the VM fd and all its vCPU fds are gone.
 */
void gzdrv_vm_release(struct gzdrv_vm *vm);

/* ---- asynchronous events -------------------------------------------------------------- */

/* The irqfd's eventfd was signalled: inject (edge: pulse; level: assert until EOI). */
void gzdrv_irqfd_fire(struct gzdrv_irqfd *irqfd);
/* The irqfd's eventfd hung up (closed): the irqfd stops injecting at once (atomic context
 * allowed); its entry is reclaimed by the next GZVM_IRQFD ioctl or VM teardown.
 */
void gzdrv_irqfd_hangup(struct gzdrv_irqfd *irqfd);
/* The guest completed (EOI) interrupt gsi: deassert level irqfds on it and notify their
 * resamplefds.
 */
void gzdrv_vm_irq_eoi(struct gzdrv_vm *vm, uint32_t gsi);
/* Wake every sleeping vCPU of the VM (injection, IPI exit). */
void gzdrv_vm_wake_all(struct gzdrv_vm *vm);

/* Memory statistics: driver counters plus the hypervisor's GET_STATISTICS answer. */
int gzdrv_vm_hyp_stats(struct gzdrv_vm *vm, uint64_t *hyp_mem, uint64_t *shared_mem);

/* The hypervisor's own memory (opengz's GET_STATISTICS of VM 0), in bytes: its pool in use
 * and in all, and its own page tables among the used (sysfs in the kernel; soak runs). */
struct gzdrv_hyp_mem {
	uint64_t pool_used, pool_total, tables;
};
int gzdrv_hyp_mem(struct gzdrv *drv, struct gzdrv_hyp_mem *m);

/* Symbolic name of a GZVM_EXIT_* value ("MMIO", ...; "?" if unknown). */
const char *gzdrv_exit_name(uint32_t exit_reason);

#endif
