/* The fake environment of drv_fake.h: every service the portable driver needs, counted and
 * checked, plus a recording hypervisor model with scripted answers. */
#include "drv_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake_env fake;

#define MAX_USER  256
#define MAX_RAM	  64
#define PIN_SLOTS (1u << 17)
#define RAM_UBASE 0x7f0000000000ULL
#define RAM_USPAN 0x100000000ULL /* 4 GiB of user VA per RAM region */
#define RAM_PBASE 0x1000000000ULL

static struct {
	uint64_t base, len;
	bool ro;
} users[MAX_USER];
static unsigned int nr_users;

static struct {
	uint64_t uaddr, npages, pa_base;
	uint32_t gap;
} rams[MAX_RAM];
static unsigned int nr_rams;

static struct {
	uint64_t pa;
	long count;
} pins[PIN_SLOTS];

static uint64_t *pfn_buf;

static bool fail_now(long *ctr)
{
	return *ctr && --*ctr == 0;
}

/* ---- user memory ----------------------------------------------------------------------- */

static uint64_t user_add(void *p, size_t len, bool ro)
{
	unsigned int i;

	for (i = 0; i < nr_users; i++) /* re-registering a range updates it */
		if (users[i].base == (uint64_t)(uintptr_t)p && users[i].len == len)
			break;
	if (i == nr_users && nr_users < MAX_USER)
		nr_users++;
	if (i < MAX_USER) {
		users[i].base = (uint64_t)(uintptr_t)p;
		users[i].len = len;
		users[i].ro = ro;
	}
	return (uint64_t)(uintptr_t)p;
}

uint64_t fake_user(void *p, size_t len)
{
	return user_add(p, len, false);
}

uint64_t fake_user_ro(void *p, size_t len)
{
	return user_add(p, len, true);
}

static bool user_ok_rw(uint64_t uaddr, size_t len, bool write)
{
	unsigned int i;

	for (i = 0; i < nr_users; i++)
		if (uaddr >= users[i].base && uaddr - users[i].base <= users[i].len &&
		    len <= users[i].len - (uaddr - users[i].base) && !(write && users[i].ro))
			return true;
	return false;
}

static bool user_ok(uint64_t uaddr, size_t len)
{
	return user_ok_rw(uaddr, len, false);
}

static int f_copy_from_user(void *env, void *dst, uint64_t uaddr, size_t len)
{
	(void)env;
	if (!user_ok(uaddr, len))
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)uaddr, len);
	return 0;
}

static int f_copy_to_user(void *env, uint64_t uaddr, const void *src, size_t len)
{
	(void)env;
	if (!user_ok_rw(uaddr, len, true))
		return -EFAULT;
	memcpy((void *)(uintptr_t)uaddr, src, len);
	return 0;
}

uint64_t fake_ram(uint64_t npages, uint32_t gap_every)
{
	uint64_t u;

	if (nr_rams >= MAX_RAM || npages > RAM_USPAN / GZDRV_PAGE_SIZE)
		return 0;
	u = RAM_UBASE + nr_rams * RAM_USPAN;
	rams[nr_rams].uaddr = u;
	rams[nr_rams].npages = npages;
	rams[nr_rams].gap = gap_every;
	rams[nr_rams].pa_base = RAM_PBASE * (nr_rams + 1);
	nr_rams++;
	return u;
}

static int ram_find(uint64_t uaddr)
{
	unsigned int i;

	for (i = 0; i < nr_rams; i++)
		if (uaddr >= rams[i].uaddr &&
		    (uaddr - rams[i].uaddr) / GZDRV_PAGE_SIZE < rams[i].npages)
			return (int)i;
	return -1;
}

uint64_t fake_ram_pa(uint64_t uaddr)
{
	int r = ram_find(uaddr);
	uint64_t idx;

	if (r < 0)
		return 0;
	idx = (uaddr - rams[r].uaddr) / GZDRV_PAGE_SIZE;
	if (rams[r].gap)
		idx += idx / rams[r].gap;
	return rams[r].pa_base + idx * GZDRV_PAGE_SIZE;
}

static int f_check_user_range(void *env, uint64_t uaddr, uint64_t size)
{
	int r = ram_find(uaddr);

	(void)env;
	if (r < 0 ||
	    (size / GZDRV_PAGE_SIZE) > rams[r].npages - (uaddr - rams[r].uaddr) / GZDRV_PAGE_SIZE)
		return -EFAULT;
	return 0;
}

static long *pin_slot(uint64_t pa, bool create)
{
	uint32_t h = (uint32_t)((pa >> 12) * 2654435761u) & (PIN_SLOTS - 1);
	uint32_t n;

	for (n = 0; n < PIN_SLOTS; n++, h = (h + 1) & (PIN_SLOTS - 1)) {
		if (pins[h].pa == pa)
			return &pins[h].count;
		if (!pins[h].pa) {
			if (!create)
				return NULL;
			pins[h].pa = pa;
			return &pins[h].count;
		}
	}
	fprintf(stderr, "drv_fake: pin table full\n");
	abort();
}

static int f_pin_user_page(void *env, uint64_t uaddr, uint64_t *pa)
{
	uint64_t p;

	(void)env;
	if (fail_now(&fake.fail_pin_in))
		return -ENOMEM;
	p = fake_ram_pa(uaddr & ~(GZDRV_PAGE_SIZE - 1));
	if (!p)
		return -EFAULT;
	(*pin_slot(p, true))++;
	fake.pins_out++;
	fake.pins_total++;
	*pa = p;
	if (fail_now(&fake.bad_pa_in)) {
		(*pin_slot(p, true))--; /* the driver gives back exactly what it got */
		(*pin_slot(p | 1, true))++;
		*pa = p | 1;
	}
	return 0;
}

static void f_unpin_page(void *env, uint64_t pa, bool dirty);

/* A block's pins in one call (the full ops only): page by page underneath, all or none. */
static int f_pin_user_pages(void *env, uint64_t uaddr, uint32_t nr, uint64_t *pa)
{
	uint32_t i;
	int ret;

	fake.batch_pins++;
	for (i = 0; i < nr; i++) {
		ret = f_pin_user_page(env, uaddr + (uint64_t)i * GZDRV_PAGE_SIZE, &pa[i]);
		if (ret) {
			while (i--) {
				f_unpin_page(env, pa[i], false);
				pa[i] = 0;
			}
			return ret;
		}
	}
	return 0;
}

static void f_unpin_page(void *env, uint64_t pa, bool dirty)
{
	long *c = pin_slot(pa, false);

	(void)env;
	if (!c || *c <= 0) {
		fake.pin_error = true;
		return;
	}
	(*c)--;
	fake.pins_out--;
	fake.unpins_total++;
	if (dirty)
		fake.unpins_dirty++;
}

long fake_pins_outstanding(void)
{
	return fake.pins_out;
}

/* ---- memory ------------------------------------------------------------------------------ */

static void *f_alloc_pages(void *env, unsigned int n, uint64_t *pa)
{
	void *p;

	(void)env;
	if (fail_now(&fake.fail_alloc_in))
		return NULL;
	p = aligned_alloc(GZDRV_PAGE_SIZE, (size_t)n * GZDRV_PAGE_SIZE);
	if (!p)
		return NULL;
	memset(p, 0, (size_t)n * GZDRV_PAGE_SIZE);
	fake.pages_out += n;
	*pa = (uint64_t)(uintptr_t)p; /* the model reads "physical" memory directly */
	return p;
}

static void f_free_pages(void *env, void *va, unsigned int n)
{
	(void)env;
	fake.pages_out -= n;
	free(va);
}

static void *f_zalloc(void *env, size_t size)
{
	void *p;

	(void)env;
	if (fail_now(&fake.fail_zalloc_in))
		return NULL;
	p = calloc(1, size ? size : 1);
	if (p)
		fake.zallocs_out++;
	return p;
}

static void f_free(void *env, void *p)
{
	(void)env;
	if (p)
		fake.zallocs_out--;
	free(p);
}

/* ---- eventfds ---------------------------------------------------------------------------- */

struct fake_efd *fake_efd(int fd)
{
	if (fd < FAKE_EFD_BASE || fd >= FAKE_EFD_BASE + FAKE_MAX_EFDS)
		return NULL;
	return &fake.efds[fd - FAKE_EFD_BASE];
}

int fake_efd_new(void)
{
	int i;

	for (i = 0; i < FAKE_MAX_EFDS; i++) {
		struct fake_efd *e = &fake.efds[i];

		if (!e->open && !e->refs && !e->watcher) {
			memset(e, 0, sizeof(*e));
			e->open = true;
			return FAKE_EFD_BASE + i;
		}
	}
	return -1;
}

static bool pending[FAKE_MAX_EFDS];

void fake_efd_write(int fd)
{
	struct fake_efd *e = fake_efd(fd);

	if (!e || !e->open)
		return;
	if (e->watcher)
		gzdrv_irqfd_fire(e->watcher);
	else
		pending[e - fake.efds] = true;
}

void fake_efd_close(int fd)
{
	struct fake_efd *e = fake_efd(fd);

	if (!e || !e->open)
		return;
	e->open = false;
	pending[e - fake.efds] = false;
	if (e->watcher)
		gzdrv_irqfd_hangup(e->watcher);
}

static int f_eventfd_get(void *env, int fd, void **efd)
{
	struct fake_efd *e = fake_efd(fd);

	(void)env;
	if (!e || !e->open)
		return -EBADF;
	e->refs++;
	*efd = e;
	return 0;
}

static void f_eventfd_put(void *env, void *efd)
{
	struct fake_efd *e = efd;

	(void)env;
	if (e->refs <= 0)
		fake.pin_error = true; /* reuse: a reference-count error */
	e->refs--;
}

static void f_eventfd_signal(void *env, void *efd)
{
	(void)env;
	((struct fake_efd *)efd)->count++;
}

static int f_irqfd_watch(void *env, struct gzdrv_irqfd *irqfd)
{
	struct fake_efd *e = irqfd->efd;

	(void)env;
	if (fail_now(&fake.fail_watch_in))
		return -ENOMEM;
	e->watcher = irqfd;
	if (pending[e - fake.efds]) {
		pending[e - fake.efds] = false;
		gzdrv_irqfd_fire(irqfd);
	}
	return 0;
}

static void f_irqfd_unwatch(void *env, struct gzdrv_irqfd *irqfd)
{
	struct fake_efd *e = irqfd->efd;

	(void)env;
	if (e->watcher == irqfd)
		e->watcher = NULL;
}

/* ---- locks, fds, scheduling, clocks ----------------------------------------------------- */

struct fake_lock {
	bool held;
};

static void *f_lock_create(void *env)
{
	(void)env;
	if (fail_now(&fake.fail_lock_in))
		return NULL;
	fake.locks_out++;
	return calloc(1, sizeof(struct fake_lock));
}

static void f_lock_destroy(void *env, void *lock)
{
	(void)env;
	if (((struct fake_lock *)lock)->held)
		fake.lock_error = true;
	fake.locks_out--;
	free(lock);
}

static void f_lock(void *env, void *lock)
{
	struct fake_lock *l = lock;

	(void)env;
	if (l->held)
		fake.lock_error = true;
	l->held = true;
}

static void f_unlock(void *env, void *lock)
{
	struct fake_lock *l = lock;

	(void)env;
	if (!l->held)
		fake.lock_error = true;
	l->held = false;
}

static int f_new_fd(void *env, enum gzdrv_fd_kind kind, void *obj)
{
	(void)env;
	(void)kind;
	if (fail_now(&fake.fail_newfd_in))
		return -EMFILE;
	fake.last_fd_obj = obj;
	return fake.next_fd++;
}

static bool f_signal_pending(void *env)
{
	(void)env;
	fake.signal_calls++;
	return fake.signal_in && fake.signal_calls >= fake.signal_in;
}

static void f_vcpu_sleep(void *env, struct gzdrv_vcpu *vcpu, uint64_t timeout_ns)
{
	(void)env;
	(void)vcpu;
	fake.sleeps++;
	fake.last_sleep_ns = timeout_ns;
}

static void f_vcpu_wake(void *env, struct gzdrv_vcpu *vcpu)
{
	(void)env;
	(void)vcpu;
	fake.wakes++;
}

static void f_read_clocks(void *env, uint64_t *wall, uint64_t *cnt)
{
	(void)env;
	*wall = fake.clock_wall;
	*cnt = fake.clock_cnt;
}

/* ---- the hypervisor model ---------------------------------------------------------------- */

uint32_t fake_fn(uint64_t id)
{
	uint32_t n = (uint32_t)id - GZ_HVC_ID(0);

	if (id == GZ_HVC_MAP_GUEST_AHEAD)
		return FAKE_FN_MAP_GUEST_AHEAD;
	if (id > 0xffffffffULL || (uint32_t)id < GZ_HVC_ID(0) || n >= GZ_HVC_FN_NR)
		return GZ_HVC_FN_NR;
	return n;
}

static void summarise_memregion(struct fake_rec *r)
{
	const struct gzvm_memory_region_ranges *h = (const void *)(uintptr_t)r->x[3];
	uint32_t i, n;

	if (!h)
		return;
	r->slot = h->slot;
	r->cnt = h->constituent_cnt;
	r->total = h->total_pages;
	r->gpa = h->gpa;
	r->merged_max = true;
	n = r->cnt < GZVM_MEMREGION_MAX_CONSTITUENTS ? r->cnt : GZVM_MEMREGION_MAX_CONSTITUENTS;
	if (n)
		r->first_addr = h->constituents[0].address;
	for (i = 0; i < n; i++) {
		r->sum_pages += h->constituents[i].pg_cnt;
		if (i && h->constituents[i - 1].address +
				 (uint64_t)h->constituents[i - 1].pg_cnt * GZDRV_PAGE_SIZE ==
			     h->constituents[i].address)
			r->merged_max = false;
	}
}

static void f_hvc(void *env, const struct gzdrv_hvc_in *in, struct gzdrv_hvc_out *out)
{
	uint32_t fn = fake_fn(in->x[0]);
	struct fake_rec tmp, *r = fake.nr_recs < FAKE_MAX_RECS ? &fake.recs[fake.nr_recs++] : &tmp;
	bool scripted = fake.script_head[fn] != fake.script_tail[fn];
	int64_t status = fake.default_status[fn];
	uint64_t x[3] = {0, 0, 0};
	uint16_t vcpu = (uint16_t)in->x[1];

	(void)env;
	memset(r, 0, sizeof(*r));
	memcpy(r->x, in->x, sizeof(r->x));
	fake.per_fn[fn]++;
	if (fn == GZ_HVC_FN_NR)
		status = GZ_ERR_NOT_SUPPORTED;
	if (scripted) {
		unsigned int h = fake.script_head[fn]++ % FAKE_MAX_SCRIPT;

		status = fake.script[fn][h].status;
		memcpy(x, fake.script[fn][h].x, sizeof(x));
	}
	switch (fn) {
	case GZ_HVC_FN_CREATE_VM:
		if (!scripted)
			x[0] = fake.next_vm_id++;
		break;
	case GZ_HVC_FN_PROBE:
		if (!scripted) {
			x[0] = GZ_HYP_VERSION_MAJOR;
			x[1] = GZ_HYP_VERSION_MINOR;
		}
		break;
	case GZ_HVC_FN_CREATE_VCPU:
		if (status == GZ_OK && vcpu < GZVM_MAX_VCPUS)
			fake.vcpu_shared[vcpu] = (void *)(uintptr_t)in->x[2];
		break;
	case GZ_HVC_FN_DESTROY_VCPU:
		if (vcpu < GZVM_MAX_VCPUS)
			fake.vcpu_shared[vcpu] = NULL;
		break;
	case GZ_HVC_FN_ENABLE_CAP:
		if (in->x[2] == GZVM_CAP_BLOCK_BASED_DEMAND_PAGING && status == GZ_OK)
			pfn_buf = (uint64_t *)(uintptr_t)in->x[4];
		break;
	case GZ_HVC_FN_SET_MEMREGION:
		summarise_memregion(r);
		break;
	case GZ_HVC_FN_MAP_GUEST_BLOCK:
		if (pfn_buf && in->x[4] && in->x[4] <= GZDRV_BLOCK_PAGES) {
			r->first_pfn = pfn_buf[0];
			r->last_pfn = pfn_buf[in->x[4] - 1];
		}
		break;
	case GZ_HVC_FN_GET_ONE_REG:
		if (!scripted)
			x[0] = 0x1122334455667788ULL;
		break;
	case GZ_HVC_FN_GET_STATISTICS:
		if (!scripted) {
			x[0] = 180328;
			x[1] = 262144;
		}
		break;
	case GZ_HVC_FN_RUN:
		if (status != GZ_OK)
			break;
		if (fake.exit_head == fake.exit_tail || vcpu >= GZVM_MAX_VCPUS ||
		    !fake.vcpu_shared[vcpu]) {
			x[0] = GZVM_EXIT_UNKNOWN;
		} else {
			unsigned int h = fake.exit_head++ % FAKE_MAX_EXITS;
			uint8_t *page = fake.vcpu_shared[vcpu];

			memcpy(page + 8, (const uint8_t *)&fake.exits[h].run + 8,
			       sizeof(struct gzvm_vcpu_run) - 8);
			if (fake.exits[h].set_hw)
				memcpy(page + GZVM_VCPU_HWSTATE_OFFSET, &fake.exits[h].hw,
				       sizeof(fake.exits[h].hw));
			x[0] = fake.exits[h].run.exit_reason;
		}
		break;
	default:
		break;
	}
	out->x[0] = (uint64_t)status;
	out->x[1] = x[0];
	out->x[2] = x[1];
	out->x[3] = x[2];
	memcpy(r->out, out->x, sizeof(r->out));
}

void fake_hyp_status(uint32_t fn, int64_t status, uint64_t x1, uint64_t x2, uint64_t x3)
{
	unsigned int t = fake.script_tail[fn]++ % FAKE_MAX_SCRIPT;

	fake.script[fn][t].status = status;
	fake.script[fn][t].x[0] = x1;
	fake.script[fn][t].x[1] = x2;
	fake.script[fn][t].x[2] = x3;
}

void fake_hyp_default(uint32_t fn, int64_t status)
{
	fake.default_status[fn] = status;
}

struct gzvm_vcpu_run *fake_hyp_exit(uint32_t reason)
{
	unsigned int t = fake.exit_tail++ % FAKE_MAX_EXITS;

	memset(&fake.exits[t], 0, sizeof(fake.exits[t]));
	fake.exits[t].run.exit_reason = reason;
	return &fake.exits[t].run;
}

struct gzvm_vcpu_hwstate *fake_hyp_exit_hw(void)
{
	unsigned int t = (fake.exit_tail - 1) % FAKE_MAX_EXITS;

	fake.exits[t].set_hw = true;
	return &fake.exits[t].hw;
}

unsigned int fake_calls(uint32_t fn)
{
	return fake.per_fn[fn];
}

const struct fake_rec *fake_call(uint32_t fn, unsigned int nth)
{
	unsigned int i, seen = 0;

	for (i = 0; i < fake.nr_recs; i++)
		if (fake_fn(fake.recs[i].x[0]) == fn && seen++ == nth)
			return &fake.recs[i];
	return NULL;
}

const struct fake_rec *fake_last(void)
{
	return fake.nr_recs ? &fake.recs[fake.nr_recs - 1] : NULL;
}

static void f_trace_enter(void *env, uint64_t id)
{
	(void)env;
	(void)id;
	fake.traces_enter++;
}

static void f_trace_leave(void *env, uint64_t id, bool invalid)
{
	(void)env;
	(void)id;
	fake.traces_leave++;
	fake.traces_invalid += invalid;
}

static void f_trace_exit(void *env, uint32_t reason)
{
	(void)env;
	(void)reason;
	fake.traces_exit++;
}

static void f_yield(void *env)
{
	(void)env;
	fake.yields++;
}

static void f_vcpu_destroy(void *env, struct gzdrv_vcpu *vcpu)
{
	(void)env;
	(void)vcpu;
	fake.vcpu_destroys++;
}

/* ---- set-up ------------------------------------------------------------------------------ */

#define FAKE_MANDATORY_OPS                                                                         \
	.hvc = f_hvc, .alloc_pages = f_alloc_pages, .free_pages = f_free_pages,                    \
	.zalloc = f_zalloc, .free = f_free, .copy_from_user = f_copy_from_user,                    \
	.copy_to_user = f_copy_to_user, .check_user_range = f_check_user_range,                    \
	.pin_user_page = f_pin_user_page, .unpin_page = f_unpin_page,                              \
	.eventfd_get = f_eventfd_get, .eventfd_put = f_eventfd_put,                                \
	.eventfd_signal = f_eventfd_signal, .irqfd_watch = f_irqfd_watch,                          \
	.irqfd_unwatch = f_irqfd_unwatch, .lock_create = f_lock_create,                            \
	.lock_destroy = f_lock_destroy, .lock = f_lock, .unlock = f_unlock, .new_fd = f_new_fd,    \
	.signal_pending = f_signal_pending, .vcpu_sleep = f_vcpu_sleep, .vcpu_wake = f_vcpu_wake,  \
	.read_clocks = f_read_clocks

static const struct gzdrv_ops fake_min_ops = {FAKE_MANDATORY_OPS};

/* clang-format off */
static const struct gzdrv_ops fake_ops = {
	FAKE_MANDATORY_OPS,
	.pin_user_pages = f_pin_user_pages,
	.vcpu_destroy = f_vcpu_destroy,
	.yield = f_yield,
	.trace_hvc_enter = f_trace_enter,
	.trace_hvc_leave = f_trace_leave,
	.trace_exit = f_trace_exit,
};
/* clang-format on */

static struct gzdrv *reset(bool probe, const struct gzdrv_ops *ops, uint64_t cntfrq)
{
	memset(&fake, 0, sizeof(fake));
	memset(pins, 0, sizeof(pins));
	memset(pending, 0, sizeof(pending));
	nr_users = 0;
	nr_rams = 0;
	pfn_buf = NULL;
	fake.next_vm_id = 1;
	fake.default_status[FAKE_FN_MAP_GUEST_AHEAD] = GZ_ERR_NOT_SUPPORTED;
	fake.next_fd = 3;
	fake.clock_wall = 0x123456789abcdef0ULL;
	fake.clock_cnt = 0x0000000500000007ULL;
	gzdrv_init(&fake.drv, ops, &fake, 40, cntfrq);
	if (probe && gzdrv_probe(&fake.drv))
		return NULL;
	return &fake.drv;
}

struct gzdrv *fake_reset(bool probe)
{
	return reset(probe, &fake_ops, 62500000);
}

struct gzdrv *fake_reset_minimal(bool probe, uint64_t cntfrq)
{
	return reset(probe, &fake_min_ops, cntfrq);
}
