// SPDX-License-Identifier: GPL-2.0
/*
 * gzvm.ko: the Linux kernel as gzdrv's environment. Hypercalls through SMCCC 1.2 HVC,
 * page allocation and long-term pinning, user copies, eventfds with wait-queue callbacks
 * for irqfds, mutexes, anon-inode fds, vCPU sleep/wake, clocks and tracepoints.
 */
#include <linux/anon_inodes.h>
#include <linux/arm-smccc.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <clocksource/arm_arch_timer.h>

#include "gzvm_env.h"

#define CREATE_TRACE_POINTS
#include "gzvm_trace.h"

static void env_hvc(void *env, const struct gzdrv_hvc_in *in, struct gzdrv_hvc_out *out)
{
	struct arm_smccc_1_2_regs args = {
	    .a0 = in->x[0],
	    .a1 = in->x[1],
	    .a2 = in->x[2],
	    .a3 = in->x[3],
	    .a4 = in->x[4],
	    .a5 = in->x[5],
	    .a6 = in->x[6],
	    .a7 = in->x[7],
	};
	struct arm_smccc_1_2_regs res;

	arm_smccc_1_2_hvc(&args, &res);
	out->x[0] = res.a0;
	out->x[1] = res.a1;
	out->x[2] = res.a2;
	out->x[3] = res.a3;
}

/* Every allocation for a VM is charged to the memory cgroup of the VMM asking (as the guest
 * pages it pins are, faulted in by its threads): a container's limit bounds its VMs' cost. */
static void *env_alloc_pages(void *env, unsigned int nr_pages, uint64_t *pa)
{
	void *va =
	    alloc_pages_exact((size_t)nr_pages << PAGE_SHIFT, GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (va)
		*pa = virt_to_phys(va);
	return va;
}

static void env_free_pages(void *env, void *va, unsigned int nr_pages)
{
	free_pages_exact(va, (size_t)nr_pages << PAGE_SHIFT);
}

/* Sizes come from user input (a slot's PFN array): a huge one must fail quietly. */
static void *env_zalloc(void *env, size_t size)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
}

static void env_free(void *env, void *p)
{
	kvfree(p);
}

static int env_copy_from_user(void *env, void *dst, uint64_t uaddr, size_t len)
{
	return copy_from_user(dst, u64_to_user_ptr(uaddr), len) ? -EFAULT : 0;
}

static int env_copy_to_user(void *env, uint64_t uaddr, const void *src, size_t len)
{
	return copy_to_user(u64_to_user_ptr(uaddr), src, len) ? -EFAULT : 0;
}

/* Every byte of the range must lie in writable VMAs of the caller. */
static int env_check_user_range(void *env, uint64_t uaddr, uint64_t size)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	uint64_t addr = uaddr, end = uaddr + size;
	int ret = 0;

	if (!access_ok(u64_to_user_ptr(uaddr), size))
		return -EFAULT;
	mmap_read_lock(mm);
	while (addr < end) {
		vma = vma_lookup(mm, addr);
		if (!vma || !(vma->vm_flags & VM_WRITE) || (vma->vm_flags & (VM_IO | VM_PFNMAP))) {
			ret = -EFAULT;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

/* Pages pinned by the driver across all VMs (/sys/kernel/gzvm/pinned_pages). */
atomic64_t gzvm_pinned_pages = ATOMIC64_INIT(0);

static int env_pin_user_page(void *env, uint64_t uaddr, uint64_t *pa)
{
	struct page *page;
	int ret;

	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, &page);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;
	*pa = page_to_phys(page);
	atomic64_inc(&gzvm_pinned_pages);
	return 0;
}

/* One walk of the host's tables for a whole block (a huge page's 512 pins at once). The
 * page pointers go through @pa itself, as wide as they are, and are turned into PAs there. */
static int env_pin_user_pages(void *env, uint64_t uaddr, uint32_t nr, uint64_t *pa)
{
	struct page **pages = (struct page **)pa;
	long ret;
	uint32_t i;

	BUILD_BUG_ON(sizeof(struct page *) != sizeof(uint64_t));
	ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE | FOLL_LONGTERM, pages);
	if (ret != nr) {
		if (ret > 0)
			unpin_user_pages(pages, ret);
		memset(pa, 0, nr * sizeof(*pa));
		return ret < 0 ? ret : -EFAULT;
	}
	for (i = 0; i < nr; i++)
		pa[i] = page_to_phys(pages[i]);
	atomic64_add(nr, &gzvm_pinned_pages);
	return 0;
}

static void env_unpin_page(void *env, uint64_t pa, bool dirty)
{
	struct page *page = phys_to_page(pa);

	unpin_user_pages_dirty_lock(&page, 1, dirty);
	atomic64_dec(&gzvm_pinned_pages);
}

static int env_eventfd_get(void *env, int fd, void **efd)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fdget(fd);

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	*efd = ctx;
	return 0;
}

static void env_eventfd_put(void *env, void *efd)
{
	eventfd_ctx_put(efd);
}

static void env_eventfd_signal(void *env, void *efd)
{
	eventfd_signal(efd, 1);
}

/* irqfd: a wait-queue entry on the eventfd, as KVM does. */
struct gzvm_irqfd_watch {
	wait_queue_entry_t wait;
	poll_table pt;
	wait_queue_head_t *wqh;
	struct gzdrv_irqfd *irqfd;
};

static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct gzvm_irqfd_watch *w = container_of(wait, struct gzvm_irqfd_watch, wait);
	__poll_t flags = key_to_poll(key);
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(w->irqfd->efd, &cnt);
		gzdrv_irqfd_fire(w->irqfd);
	}
	if (flags & EPOLLHUP)
		gzdrv_irqfd_hangup(w->irqfd);
	return 0;
}

static void irqfd_ptable_queue(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct gzvm_irqfd_watch *w = container_of(pt, struct gzvm_irqfd_watch, pt);

	w->wqh = wqh;
	add_wait_queue_priority(wqh, &w->wait);
}

static int env_irqfd_watch(void *env, struct gzdrv_irqfd *irqfd)
{
	struct gzvm_irqfd_watch *w;
	struct eventfd_ctx *ctx;
	struct fd f;
	__poll_t events;
	int ret = 0;

	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;
	f = fdget(irqfd->fd);
	if (!f.file) {
		ret = -EBADF;
		goto fail;
	}
	/* The fd must still name the eventfd the driver resolved. */
	ctx = eventfd_ctx_fileget(f.file);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto fail_fd;
	}
	eventfd_ctx_put(ctx);
	if (ctx != irqfd->efd) {
		ret = -EBADF;
		goto fail_fd;
	}
	w->irqfd = irqfd;
	irqfd->priv = w;
	init_waitqueue_func_entry(&w->wait, irqfd_wakeup);
	init_poll_funcptr(&w->pt, irqfd_ptable_queue);
	events = vfs_poll(f.file, &w->pt);
	if (events & EPOLLIN)
		gzdrv_irqfd_fire(irqfd);
	fdput(f);
	return 0;
fail_fd:
	fdput(f);
fail:
	irqfd->priv = NULL;
	kfree(w);
	return ret;
}

static void env_irqfd_unwatch(void *env, struct gzdrv_irqfd *irqfd)
{
	struct gzvm_irqfd_watch *w = irqfd->priv;
	u64 cnt;

	if (!w)
		return;
	if (w->wqh)
		eventfd_ctx_remove_wait_queue(irqfd->efd, &w->wait, &cnt);
	irqfd->priv = NULL;
	kfree(w);
}

static void *env_lock_create(void *env)
{
	struct mutex *m = kmalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);

	if (m)
		mutex_init(m);
	return m;
}

static void env_lock_destroy(void *env, void *lock)
{
	mutex_destroy(lock);
	kfree(lock);
}

static void env_lock(void *env, void *lock)
{
	mutex_lock(lock);
}

static void env_unlock(void *env, void *lock)
{
	mutex_unlock(lock);
}

static const struct file_operations *vm_fops_p, *vcpu_fops_p;

void gzvm_env_set_fops(const struct file_operations *vm, const struct file_operations *vcpu)
{
	vm_fops_p = vm;
	vcpu_fops_p = vcpu;
}

/* The fd is installed last: until then nobody can close it under our feet. */
static int install_fd(const char *name, const struct file_operations *fops, void *obj)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile(name, fops, obj, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

static int env_new_fd(void *env, enum gzdrv_fd_kind kind, void *obj)
{
	char name[24];
	struct gzvm_vm_priv *vp;
	struct gzdrv_vcpu *vcpu;
	struct gzvm_vcpu_priv *cp;
	int fd;

	if (kind == GZDRV_FD_VM) {
		struct gzdrv_vm *vm = obj;

		vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
		if (!vp)
			return -ENOMEM;
		kref_init(&vp->ref);
		vp->vm = vm;
		vm->priv = vp;
		gzvm_debugfs_vm_add(vp);
		fd = install_fd("gzvm-vm", vm_fops_p, vp);
		if (fd < 0) {
			gzvm_debugfs_vm_remove(vp);
			vm->priv = NULL;
			kfree(vp);
		}
		return fd;
	}
	vcpu = obj;
	vp = vcpu->vm->priv;
	if (!vcpu->priv) {
		cp = kzalloc(sizeof(*cp), GFP_KERNEL_ACCOUNT);
		if (!cp)
			return -ENOMEM;
		init_waitqueue_head(&cp->wq);
		atomic_set(&cp->wake, 0);
		/* pairs with env_vcpu_wake(): a waker sees a fully set-up wait queue */
		smp_store_release(&vcpu->priv, cp);
	}
	kref_get(&vp->ref);
	snprintf(name, sizeof(name), "gzvm-vcpu:%u", vcpu->id);
	fd = install_fd(name, vcpu_fops_p, vcpu);
	if (fd < 0)
		gzvm_vm_put(vp);
	return fd;
}

/* A VM fd of this device: its VM, with the fd's private data pinned until env_vm_put. */
static int env_vm_get(void *env, int fd, struct gzdrv_vm **vm)
{
	struct fd f = fdget(fd);
	struct gzvm_vm_priv *vp;

	if (!f.file)
		return -EBADF;
	if (f.file->f_op != vm_fops_p) {
		fdput(f);
		return -EINVAL;
	}
	vp = f.file->private_data;
	kref_get(&vp->ref);
	fdput(f);
	*vm = vp->vm;
	return 0;
}

static void env_vm_put(void *env, struct gzdrv_vm *vm)
{
	gzvm_vm_put(vm->priv);
}

static bool env_signal_pending(void *env)
{
	return signal_pending(current);
}

static void env_vcpu_sleep(void *env, struct gzdrv_vcpu *vcpu, uint64_t timeout_ns)
{
	struct gzvm_vcpu_priv *cp = vcpu->priv;

	if (!cp)
		return;
	if (timeout_ns)
		wait_event_interruptible_hrtimeout(cp->wq, atomic_xchg(&cp->wake, 0),
						   ns_to_ktime(min_t(u64, timeout_ns, KTIME_MAX)));
	else
		wait_event_interruptible(cp->wq, atomic_xchg(&cp->wake, 0));
}

static void env_vcpu_wake(void *env, struct gzdrv_vcpu *vcpu)
{
	/* pairs with env_new_fd(): the vCPU may be woken before its fd exists */
	struct gzvm_vcpu_priv *cp = smp_load_acquire(&vcpu->priv);

	if (!cp)
		return;
	atomic_set(&cp->wake, 1);
	wake_up_interruptible(&cp->wq);
}

static void env_yield(void *env)
{
	cond_resched();
}

static void env_vcpu_destroy(void *env, struct gzdrv_vcpu *vcpu)
{
	kfree(vcpu->priv);
	vcpu->priv = NULL;
}

static void env_read_clocks(void *env, uint64_t *realtime_ns, uint64_t *counter)
{
	*realtime_ns = ktime_get_real_ns();
	*counter = arch_timer_read_counter();
}

static void env_trace_hvc_enter(void *env, uint64_t id)
{
	trace_mtk_hypcall_enter(id);
}

static void env_trace_hvc_leave(void *env, uint64_t id, bool invalid)
{
	trace_mtk_hypcall_leave(id, invalid);
}

static void env_trace_exit(void *env, uint32_t exit_reason)
{
	trace_mtk_vcpu_exit(exit_reason);
}

/* clang-format off */
const struct gzdrv_ops gzvm_ops = {
	.hvc = env_hvc,
	.alloc_pages = env_alloc_pages,
	.free_pages = env_free_pages,
	.zalloc = env_zalloc,
	.free = env_free,
	.copy_from_user = env_copy_from_user,
	.copy_to_user = env_copy_to_user,
	.check_user_range = env_check_user_range,
	.pin_user_page = env_pin_user_page,
	.pin_user_pages = env_pin_user_pages,
	.unpin_page = env_unpin_page,
	.eventfd_get = env_eventfd_get,
	.eventfd_put = env_eventfd_put,
	.eventfd_signal = env_eventfd_signal,
	.irqfd_watch = env_irqfd_watch,
	.irqfd_unwatch = env_irqfd_unwatch,
	.lock_create = env_lock_create,
	.lock_destroy = env_lock_destroy,
	.lock = env_lock,
	.unlock = env_unlock,
	.new_fd = env_new_fd,
	.vm_get = env_vm_get,
	.vm_put = env_vm_put,
	.signal_pending = env_signal_pending,
	.vcpu_sleep = env_vcpu_sleep,
	.vcpu_wake = env_vcpu_wake,
	.read_clocks = env_read_clocks,
	.vcpu_destroy = env_vcpu_destroy,
	.yield = env_yield,
	.trace_hvc_enter = env_trace_hvc_enter,
	.trace_hvc_leave = env_trace_hvc_leave,
	.trace_exit = env_trace_exit,
};
/* clang-format on */
