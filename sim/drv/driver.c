/* The in-process gzvm driver: fd table, gzdrv_ops over the simulated host (memory from
 * simulated physical memory, user copies as plain copies, hypercalls as direct calls of
 * gz_hostcall_dispatch, eventfds as Linux eventfds: eventfd.c), and the
 * idle protocol on virtual time: when every vCPU thread in RUN sleeps, the counter jumps to
 * the earliest wake-up. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gzhyp/hostcall.h>
#include <gzhyp/pvmfw.h>
#include <gzhyp/attest.h>
#include <gzcrypto/ct.h>
#include <gzcrypto/sha2.h>
#include <sys/random.h>
#include <gzabi/status.h>
#include <gzsim/driver.h>
#include <uapi/linux/gzvm.h>
#include "gzdrv.h"
#include "eventfd.h"
#include "../detsched.h"
#include "../exec.h"
#include "../gdb.h"
#include "../machine.h"
#include "../phys.h"
#include "../registry.h"

#define MAX_FDS	    256
#define FD_BASE	    1000 /* distinct from the process's real fds */
#define MAX_THREADS GZ_SIM_MAX_PCPUS

enum fd_kind { FD_FREE, FD_DEV, FD_VM, FD_VCPU };

struct fd_ent {
	enum fd_kind kind;
	void *obj;
};

struct vcpu_priv {
	pthread_cond_t cv;
	bool wake;
	bool asleep;
	bool in_run;	   /* a thread is in its GZVM_RUN (under S.mu) */
	uint64_t deadline; /* counter ticks, UINT64_MAX: none */
};

struct thread_ent {
	pthread_t t;
	bool used;
	atomic_int kicked;
	int det_id; /* the vCPU it runs, for the deterministic scheduler; -1: none yet */
};

static struct {
	bool up;
	struct gzdrv drv;
	pthread_mutex_t mu; /* fd table, threads, sleep bookkeeping */
	struct fd_ent fds[MAX_FDS];
	struct thread_ent threads[MAX_THREADS];
	unsigned nr_in_run, nr_asleep;
	void *hyp_mem;
	uint64_t hyp_size;
	uint64_t pinned, pinned_peak; /* pages pinned for all VMs, and the most at once (atomic) */
	uint64_t s2_blocks;	      /* stage-2 blocks of the VMs released so far (atomic) */
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local int my_thread = -1;
static _Thread_local struct gzdrv_vcpu *my_vcpu; /* in its ioctl (the gdb server's park) */
static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

/* A thread that ends gives its physical CPU back: a process that runs one VM after another
 * (bench/soak) starts new vCPU threads for each, and the machine has MAX_THREADS CPUs. */
static void thread_exit(void *slot)
{
	pthread_mutex_lock(&S.mu);
	S.threads[(intptr_t)slot - 1].used = false;
	pthread_mutex_unlock(&S.mu);
}

static void thread_key_init(void)
{
	if (pthread_key_create(&thread_key, thread_exit))
		gz_hal_panic("gzsim driver: no thread-specific key");
}

/* @want: the slot to take if free (a vCPU thread plays the physical CPU of its vCPU's
 * number, so that which thread came first makes no difference). */
static int thread_slot(int want)
{
	if (my_thread >= 0)
		return my_thread;
	pthread_once(&thread_key_once, thread_key_init);
	pthread_mutex_lock(&S.mu);
	if (want >= 0 && want < MAX_THREADS && !S.threads[want].used) {
		S.threads[want].used = true;
		S.threads[want].det_id = -1;
		S.threads[want].t = pthread_self();
		atomic_store(&S.threads[want].kicked, 0);
		my_thread = want;
		pthread_setspecific(thread_key, (void *)(intptr_t)(want + 1));
	}
	for (int i = 0; i < MAX_THREADS && my_thread < 0; i++) {
		if (!S.threads[i].used) {
			S.threads[i].used = true;
			S.threads[i].det_id = -1;
			S.threads[i].t = pthread_self();
			atomic_store(&S.threads[i].kicked, 0);
			my_thread = i;
			pthread_setspecific(thread_key, (void *)(intptr_t)(i + 1));
			break;
		}
	}
	pthread_mutex_unlock(&S.mu);
	if (my_thread < 0)
		gz_hal_panic("gzsim driver: more threads than physical CPUs");
	gz_sim_set_cpu_id((unsigned)my_thread);
	return my_thread;
}

/* ---- gzdrv_ops ------------------------------------------------------------------------ */

static void op_hvc(void *env, const struct gzdrv_hvc_in *in, struct gzdrv_hvc_out *out)
{
	struct gz_smccc_regs r;

	(void)env;
	memcpy(r.a, in->x, sizeof(r.a));
	gz_hostcall_dispatch(&r);
	memcpy(out->x, r.a, sizeof(out->x));
}

static void *op_alloc_pages(void *env, unsigned int nr, uint64_t *pa)
{
	void *p = gz_sim_host_alloc((size_t)nr << GZ_PAGE_SHIFT);

	(void)env;
	if (p)
		*pa = gz_hal_va_to_pa(p);
	return p;
}

static void op_free_pages(void *env, void *va, unsigned int nr)
{
	(void)env;
	gz_sim_host_free(va, (size_t)nr << GZ_PAGE_SHIFT);
}

static void *op_zalloc(void *env, size_t size)
{
	(void)env;
	return calloc(1, size);
}

static void op_free(void *env, void *p)
{
	(void)env;
	free(p);
}

static int op_copy_from_user(void *env, void *dst, uint64_t uaddr, size_t len)
{
	(void)env;
	if (!uaddr)
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)uaddr, len);
	return 0;
}

static int op_copy_to_user(void *env, uint64_t uaddr, const void *src, size_t len)
{
	(void)env;
	if (!uaddr)
		return -EFAULT;
	memcpy((void *)(uintptr_t)uaddr, src, len);
	return 0;
}

static bool in_phys(uint64_t uaddr, uint64_t size)
{
	return gz_sim_phys_contains((const void *)(uintptr_t)uaddr, size);
}

/* Guest RAM must be simulated physical memory: the hypervisor maps its PAs. */
static int op_check_user_range(void *env, uint64_t uaddr, uint64_t size)
{
	(void)env;
	return in_phys(uaddr, size) ? 0 : -EFAULT;
}

static int op_pin_user_page(void *env, uint64_t uaddr, uint64_t *pa)
{
	(void)env;
	if (!in_phys(uaddr, GZ_PAGE_SIZE))
		return -EFAULT;
	*pa = gz_hal_va_to_pa((const void *)(uintptr_t)uaddr);
	uint64_t n = __atomic_add_fetch(&S.pinned, 1, __ATOMIC_RELAXED);
	uint64_t peak = __atomic_load_n(&S.pinned_peak, __ATOMIC_RELAXED);

	while (n > peak && !__atomic_compare_exchange_n(&S.pinned_peak, &peak, n, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return 0;
}

static void op_unpin_page(void *env, uint64_t pa, bool dirty)
{
	(void)env;
	(void)pa;
	(void)dirty;
	__atomic_fetch_sub(&S.pinned, 1, __ATOMIC_RELAXED);
}

static void *op_lock_create(void *env)
{
	pthread_mutex_t *m = malloc(sizeof(*m));

	(void)env;
	if (m)
		pthread_mutex_init(m, NULL);
	return m;
}

static void op_lock_destroy(void *env, void *l)
{
	(void)env;
	if (l) {
		pthread_mutex_destroy(l);
		free(l);
	}
}

static void op_lock(void *env, void *l)
{
	(void)env;
	pthread_mutex_lock(l);
}

static void op_unlock(void *env, void *l)
{
	(void)env;
	pthread_mutex_unlock(l);
}

static int alloc_fd(enum fd_kind kind, void *obj)
{
	int fd = -EMFILE;

	pthread_mutex_lock(&S.mu);
	for (int i = 0; i < MAX_FDS; i++) {
		if (S.fds[i].kind == FD_FREE) {
			S.fds[i] = (struct fd_ent){kind, obj};
			fd = FD_BASE + i;
			break;
		}
	}
	pthread_mutex_unlock(&S.mu);
	return fd;
}

static int op_new_fd(void *env, enum gzdrv_fd_kind kind, void *obj)
{
	(void)env;
	if (kind == GZDRV_FD_VM)
		return alloc_fd(FD_VM, obj);
	if (kind == GZDRV_FD_VCPU) {
		struct gzdrv_vcpu *v = obj;
		struct vcpu_priv *p = calloc(1, sizeof(*p));

		if (!p)
			return -ENOMEM;
		pthread_cond_init(&p->cv, NULL);
		p->deadline = UINT64_MAX;
		v->priv = p;
		gz_sim_det_add(v->id);
		return alloc_fd(FD_VCPU, obj);
	}
	return -EINVAL;
}

static struct fd_ent *lookup(int fd);

/* The in-process VM fds: the VM stays while its fds do, and only gzvmm, which does not
 * close a VM's fd while it creates a channel on it, holds them; no reference to count. */
static int op_vm_get(void *env, int fd, struct gzdrv_vm **vm)
{
	struct fd_ent *p;
	int r = 0;

	(void)env;
	pthread_mutex_lock(&S.mu);
	p = lookup(fd);
	if (!p)
		r = -EBADF;
	else if (p->kind != FD_VM)
		r = -EINVAL;
	else
		*vm = p->obj;
	pthread_mutex_unlock(&S.mu);
	return r;
}

static void op_vm_put(void *env, struct gzdrv_vm *vm)
{
	(void)env;
	(void)vm;
}

static bool op_signal_pending(void *env)
{
	(void)env;
	if (my_thread < 0)
		return false;
	return atomic_exchange(&S.threads[my_thread].kicked, 0) != 0;
}

static uint64_t ns_to_ticks(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * gz_sim_m.cfg.cntfrq / 1000000000ULL);
}

/* Wake a sleeping vCPU thread; with S.mu held. It stops counting as asleep at once, not when
 * its thread gets to run again: until then a vCPU sleeping with a deadline must not see
 * every vCPU asleep and have time jump over the work the woken one is about to do (a
 * doorbell rung in another VM, an IPI). */
static void wake_locked(struct vcpu_priv *p)
{
	p->wake = true;
	if (p->asleep) {
		p->asleep = false;
		S.nr_asleep--;
	}
	pthread_cond_signal(&p->cv);
}

/* Every vCPU thread inside RUN sleeps: time jumps to the earliest deadline (instruction
 * clock) and that vCPU wakes. Called with S.mu held. */
static void maybe_skip_time(void)
{
	struct vcpu_priv *first = NULL;

	if (gz_sim_m.cfg.clock != GZ_SIM_CLOCK_INSNS || S.nr_asleep < S.nr_in_run || !S.nr_in_run ||
	    gz_sim_det_live())
		return; /* (the deterministic scheduler skips time itself) */
	for (int i = 0; i < MAX_FDS; i++) {
		struct vcpu_priv *p;

		if (S.fds[i].kind != FD_VCPU)
			continue;
		p = ((struct gzdrv_vcpu *)S.fds[i].obj)->priv;
		/* A vCPU outside RUN (not started yet: a second VM still being set up, or
		 * serving an exit in the VMM) is not asleep: it may yet do guest work. */
		if (p && !p->asleep)
			return;
		if (p && p->asleep && p->deadline != UINT64_MAX &&
		    (!first || p->deadline < first->deadline))
			first = p;
	}
	if (!first)
		return;
	if (first->deadline > gz_sim_now())
		gz_sim_advance(first->deadline - gz_sim_now());
	wake_locked(first);
}

static void op_vcpu_sleep(void *env, struct gzdrv_vcpu *vcpu, uint64_t timeout_ns)
{
	struct vcpu_priv *p = vcpu->priv;
	struct timespec until;

	(void)env;
	pthread_mutex_lock(&S.mu);
	if (!p->wake && gz_sim_det_live() && gz_sim_det_self() >= 0) {
		/* The turn goes to the next vCPU; it comes back once this one is woken (by
		 * the holder of the turn) or its deadline came in virtual time. */
		p->asleep = true;
		pthread_mutex_unlock(&S.mu);
		gz_sim_gdb_asleep(vcpu->vm->vm_id, vcpu->id, true);
		gz_sim_det_sleep(timeout_ns ? gz_sim_now() + ns_to_ticks(timeout_ns) : UINT64_MAX);
		gz_sim_gdb_asleep(vcpu->vm->vm_id, vcpu->id, false);
		pthread_mutex_lock(&S.mu);
		p->asleep = false;
	} else if (!p->wake) {
		gz_sim_exec_runnable(-1); /* asleep: the execution turn does not wait for it */
		p->asleep = true;
		p->deadline = timeout_ns ? gz_sim_now() + ns_to_ticks(timeout_ns) : UINT64_MAX;
		S.nr_asleep++;
		gz_sim_gdb_asleep(vcpu->vm->vm_id, vcpu->id, true);
		maybe_skip_time();
		while (!p->wake) {
			if (my_thread >= 0 && atomic_load(&S.threads[my_thread].kicked))
				break;
			/* Either clock: with instructions, another vCPU that never idles moves
			 * time past this deadline without ever letting maybe_skip_time() act. */
			if (p->deadline != UINT64_MAX && gz_sim_now() >= p->deadline)
				break;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 1000000; /* re-check kicks and deadlines */
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&p->cv, &S.mu, &until);
		}
		if (p->asleep) { /* a kick or the wall clock ended the sleep, not a wake */
			S.nr_asleep--;
			p->asleep = false;
		}
		gz_sim_gdb_asleep(vcpu->vm->vm_id, vcpu->id, false);
		p->deadline = UINT64_MAX;
		gz_sim_exec_runnable(1);
	}
	p->wake = false;
	pthread_mutex_unlock(&S.mu);
}

/* Before each RUN hypercall: where a vCPU the gdb server holds waits, its context at rest. */
static void op_yield(void *env)
{
	(void)env;
	if (my_vcpu)
		gz_sim_gdb_park(my_vcpu->vm->vm_id, my_vcpu->id,
				my_thread >= 0 ? &S.threads[my_thread].kicked : NULL);
}

static void op_vcpu_wake(void *env, struct gzdrv_vcpu *vcpu)
{
	struct vcpu_priv *p = vcpu->priv;

	(void)env;
	if (!p)
		return;
	pthread_mutex_lock(&S.mu);
	wake_locked(p);
	pthread_mutex_unlock(&S.mu);
	gz_sim_det_wake(vcpu->id);
}

/* gzdrv frees the vCPU next: nothing can sleep on or wake it any more. */
static void op_vcpu_destroy(void *env, struct gzdrv_vcpu *vcpu)
{
	struct vcpu_priv *p = vcpu->priv;

	(void)env;
	if (!p)
		return;
	pthread_mutex_lock(&S.mu);
	vcpu->priv = NULL;
	pthread_mutex_unlock(&S.mu);
	gz_sim_det_remove(vcpu->id);
	pthread_cond_destroy(&p->cv);
	free(p);
}

static void op_read_clocks(void *env, uint64_t *realtime_ns, uint64_t *counter)
{
	struct timespec ts;

	(void)env;
	*counter = gz_sim_now();
	if (gz_sim_m.cfg.deterministic) {
		/* The wall clock of a deterministic run: its epoch plus virtual time. */
		*realtime_ns = gz_sim_m.cfg.epoch * 1000000000ULL + gz_sim_ticks_to_ns(*counter);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	*realtime_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The run's exit reached the driver (trace.c: it handled it unless gzvmm sees it next). */
static void op_trace_exit(void *env, uint32_t exit_reason)
{
	(void)env;
	gz_sim_trace_handled("driver", exit_reason, NULL);
}

static const struct gzdrv_ops sim_ops = {
    .hvc = op_hvc,
    .alloc_pages = op_alloc_pages,
    .free_pages = op_free_pages,
    .zalloc = op_zalloc,
    .free = op_free,
    .copy_from_user = op_copy_from_user,
    .copy_to_user = op_copy_to_user,
    .check_user_range = op_check_user_range,
    .pin_user_page = op_pin_user_page,
    .unpin_page = op_unpin_page,
    .eventfd_get = gz_sim_eventfd_get,
    .eventfd_put = gz_sim_eventfd_put,
    .eventfd_signal = gz_sim_eventfd_signal,
    .irqfd_watch = gz_sim_irqfd_watch,
    .irqfd_unwatch = gz_sim_irqfd_unwatch,
    .lock_create = op_lock_create,
    .lock_destroy = op_lock_destroy,
    .lock = op_lock,
    .unlock = op_unlock,
    .new_fd = op_new_fd,
    .vm_get = op_vm_get,
    .vm_put = op_vm_put,
    .signal_pending = op_signal_pending,
    .vcpu_sleep = op_vcpu_sleep,
    .yield = op_yield,
    .vcpu_wake = op_vcpu_wake,
    .vcpu_destroy = op_vcpu_destroy,
    .read_clocks = op_read_clocks,
    .trace_exit = op_trace_exit,
};

/* ---- the embedder's API --------------------------------------------------------------- */

/* The per-boot secret of attestation (gzhyp/attest.h), as a platform gives gzhyp one: from
 * the host's random source, or in deterministic mode from the seed (a run repeated is the same
 * run, reports included; such a secret is no secret, which a simulation may accept). */
static int boot_secret(bool deterministic, uint64_t seed)
{
	static const char label[] = "opengz simulator secret";
	uint8_t secret[32], in[sizeof(label) + 8];

	if (deterministic) {
		memcpy(in, label, sizeof(label));
		memcpy(in + sizeof(label), &seed, 8);
		gzcrypto_sha256(secret, in, sizeof(in));
	} else if (getrandom(secret, sizeof(secret), 0) != (ssize_t)sizeof(secret)) {
		return -EIO;
	}
	gz_attest_set_secret(secret);
	gzcrypto_wipe(secret, sizeof(secret));
	return 0;
}

void gz_sim_attest_key(uint8_t out[32])
{
	/* gz_sim_drv_init always gives the core a secret */
	gz_attest_public_key(out);
}

bool gz_sim_attest_cert(uint8_t out[GZ_ATTEST_CERT_SIZE])
{
	return gz_attest_certificate(out);
}

int gz_sim_drv_init(const struct gz_sim_drv_config *cfg)
{
	struct gz_core_config core = {0};
	int r;

	gz_sim_drv_fini();
	r = gz_sim_init(cfg ? &cfg->machine : NULL);
	if (r)
		return -ENOMEM;
	S.pinned = S.pinned_peak = 0;
	S.hyp_size = cfg && cfg->hyp_mem ? GZ_ALIGN_UP(cfg->hyp_mem, GZ_PAGE_SIZE) : 32ULL << 20;
	S.hyp_mem = gz_sim_host_alloc(S.hyp_size);
	if (!S.hyp_mem)
		return -ENOMEM;
	core.mem.work_base = gz_hal_va_to_pa(S.hyp_mem);
	core.mem.work_size = S.hyp_size;
	core.mem.host_vmid = 0;
	r = gz_core_init(&core);
	if (r != GZ_OK) {
		fprintf(stderr, "gzsim driver: gz_core_init failed (%d)\n", r);
		return -ENODEV;
	}
	gz_pvmfw_set_platform_key(cfg ? cfg->pvmfw_key : NULL);
	r = boot_secret(cfg && cfg->machine.deterministic, cfg ? cfg->machine.seed : 0);
	if (r)
		return r;
	if (cfg && cfg->attest_root)
		gz_attest_certify(cfg->attest_root);
	r = gz_sim_irqfd_init();
	if (r)
		return r;
	gzdrv_init(&S.drv, &sim_ops, NULL, 40, gz_sim_m.cfg.cntfrq);
	r = gzdrv_probe(&S.drv);
	if (r)
		return r;
	gzdrv_set_block_paging(&S.drv, !(cfg && cfg->page_paging));
	S.up = true;
	return 0;
}

void gz_sim_drv_fini(void)
{
	gz_sim_irqfd_fini();
	if (S.up)
		gzdrv_fini(&S.drv);
	memset(S.fds, 0, sizeof(S.fds));
	S.up = false;
}

int gz_sim_open(void)
{
	if (!S.up)
		return -ENODEV;
	return alloc_fd(FD_DEV, &S.drv);
}

static struct fd_ent *lookup(int fd)
{
	if (fd < FD_BASE || fd >= FD_BASE + MAX_FDS || S.fds[fd - FD_BASE].kind == FD_FREE)
		return NULL;
	return &S.fds[fd - FD_BASE];
}

/* Mark @vcpu as in GZVM_RUN; false when another thread already is. */
static bool run_begin(struct gzdrv_vcpu *vcpu)
{
	struct vcpu_priv *p;
	bool ok;

	pthread_mutex_lock(&S.mu);
	p = vcpu->priv;
	ok = p && !p->in_run;
	if (ok)
		p->in_run = true;
	pthread_mutex_unlock(&S.mu);
	return ok;
}

long gz_sim_ioctl(int fd, unsigned long req, void *arg)
{
	struct fd_ent e, *p;
	long r;

	pthread_mutex_lock(&S.mu);
	p = lookup(fd);
	e = p ? *p : (struct fd_ent){FD_FREE, NULL};
	pthread_mutex_unlock(&S.mu);
	if (req > 0xffffffffUL)
		return -ENOTTY;
	switch (e.kind) {
	case FD_DEV:
		return gzdrv_dev_ioctl(e.obj, (unsigned int)req, (uint64_t)(uintptr_t)arg);
	case FD_VM:
		return gzdrv_vm_ioctl(e.obj, (unsigned int)req, (uint64_t)(uintptr_t)arg);
	case FD_VCPU:
		/* One thread at a time runs a vCPU (gzdrv_run says -EBUSY to the second); said
		 * here already, before a second thread would wait in the deterministic mode for
		 * the turn the first one holds, for good (fuzz_sim_host found it). */
		if (req == GZVM_RUN && !run_begin(e.obj))
			return -EBUSY;
		thread_slot((int)((struct gzdrv_vcpu *)e.obj)->id);
		/* Deterministic mode: the thread acts for this vCPU and waits for its turn,
		 * which it keeps past the return until it yields or sleeps (detsched.c). */
		if (req == GZVM_RUN && gz_sim_det_live()) {
			struct gzdrv_vcpu *dv = e.obj;

			S.threads[my_thread].det_id = (int)dv->id;
			gz_sim_gdb_turn(dv->vm->vm_id, dv->id, true);
			gz_sim_det_enter(dv->id);
			gz_sim_gdb_turn(dv->vm->vm_id, dv->id, false);
		}
		pthread_mutex_lock(&S.mu);
		S.nr_in_run++;
		pthread_mutex_unlock(&S.mu);
		gz_sim_exec_runnable(1);
		my_vcpu = e.obj;
		r = gzdrv_vcpu_ioctl(e.obj, (unsigned int)req, (uint64_t)(uintptr_t)arg);
		my_vcpu = NULL;
		gz_sim_exec_runnable(-1);
		pthread_mutex_lock(&S.mu);
		S.nr_in_run--;
		if (req == GZVM_RUN && ((struct gzdrv_vcpu *)e.obj)->priv)
			((struct vcpu_priv *)((struct gzdrv_vcpu *)e.obj)->priv)->in_run = false;
		maybe_skip_time();
		pthread_mutex_unlock(&S.mu);
		return r;
	default:
		return -EBADF;
	}
}

int gz_sim_close(int fd)
{
	struct fd_ent *p, e;
	struct gzdrv_vm *vm = NULL;
	bool last = true;

	pthread_mutex_lock(&S.mu);
	p = lookup(fd);
	if (!p) {
		pthread_mutex_unlock(&S.mu);
		return -EBADF;
	}
	e = *p;
	p->kind = FD_FREE;
	if (e.kind == FD_VM)
		vm = e.obj;
	else if (e.kind == FD_VCPU)
		vm = ((struct gzdrv_vcpu *)e.obj)->vm;
	for (int i = 0; vm && i < MAX_FDS; i++) {
		if ((S.fds[i].kind == FD_VM && S.fds[i].obj == vm) ||
		    (S.fds[i].kind == FD_VCPU && ((struct gzdrv_vcpu *)S.fds[i].obj)->vm == vm))
			last = false;
	}
	pthread_mutex_unlock(&S.mu);
	if (vm && last) {
		__atomic_fetch_add(&S.s2_blocks, vm->stats.s2_blocks, __ATOMIC_RELAXED);
		gzdrv_vm_release(vm);
	}
	return 0;
}

void gz_sim_kick_thread(pthread_t t)
{
	int det_id = -1;

	pthread_mutex_lock(&S.mu);
	for (int i = 0; i < MAX_THREADS; i++) {
		if (S.threads[i].used && pthread_equal(S.threads[i].t, t)) {
			atomic_store(&S.threads[i].kicked, 1);
			det_id = S.threads[i].det_id;
		}
	}
	pthread_mutex_unlock(&S.mu);
	gz_sim_registry_kick_all();
	/* A stop: this thread must get out, turn or not (kicked first, so that it does
	 * nothing more on its way out). */
	if (det_id >= 0)
		gz_sim_det_leave((unsigned)det_id);
}

int gz_sim_drv_mem(struct gz_sim_drv_mem *m)
{
	struct gzdrv_hyp_mem h;
	int r;

	if (!S.up)
		return -ENODEV;
	r = gzdrv_hyp_mem(&S.drv, &h);
	if (r)
		return r;
	m->pinned_pages = __atomic_load_n(&S.pinned, __ATOMIC_RELAXED);
	m->pinned_peak = __atomic_load_n(&S.pinned_peak, __ATOMIC_RELAXED);
	m->host_free_bytes = __atomic_load_n(&gz_sim_m.free_pages, __ATOMIC_RELAXED)
			     << GZ_PAGE_SHIFT;
	m->s2_blocks = __atomic_load_n(&S.s2_blocks, __ATOMIC_RELAXED);
	m->pool_used = h.pool_used;
	m->pool_total = h.pool_total;
	m->tables = h.tables;
	return 0;
}

void *gz_sim_ram_alloc(size_t size)
{
	return gz_sim_host_alloc_huge(size);
}

void gz_sim_ram_free(void *p, size_t size)
{
	gz_sim_host_free(p, size);
}
