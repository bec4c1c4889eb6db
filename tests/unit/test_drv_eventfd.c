/* gzdrv ioeventfd and irqfd: argument validation, v13's collision and deassign matching
 * rules, the MMIO-write fast path in RUN, irqfd assign/deassign rules, edge injection,
 * hang-up, and opengz's level irqfds with resample on EOI (seen in the hwstate LRs).
 * test-libs: gzdrv_fake gzdrv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drv_fake.h"

static void assert_clean(void)
{
	const char *leak = fake_leaks();

	if (leak)
		fail_msg("leak: %s", leak);
}

static void assert_inv(struct gzdrv_vm *vm)
{
	const char *bad = fake_vm_invariants(vm);

	if (bad)
		fail_msg("invariant: %s", bad);
}

static struct gzvm_ioeventfd io;

static long ioev(struct gzdrv_vm *vm, int fd, uint64_t addr, uint32_t len, uint32_t flags,
		 uint64_t dm)
{
	memset(&io, 0, sizeof(io));
	io.fd = fd;
	io.addr = addr;
	io.len = len;
	io.flags = flags;
	io.datamatch = dm;
	return gzdrv_vm_ioctl(vm, GZVM_IOEVENTFD, fake_user(&io, sizeof(io)));
}

#define DM  GZVM_IOEVENTFD_FLAG_DATAMATCH
#define DEA GZVM_IOEVENTFD_FLAG_DEASSIGN

static void test_ioeventfd_validation(void **state)
{
	struct gzdrv_vm *vm;
	int fd;

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	fd = fake_efd_new();
	assert_int_equal(ioev(vm, fd, 0x1000, 4, 8, 0), -EINVAL);
	assert_int_equal(ioev(vm, fd, 0x1000, 4, GZVM_IOEVENTFD_FLAG_PIO, 0), -EINVAL);
	assert_int_equal(ioev(vm, fd, 0x1000, 3, 0, 0), -EINVAL);
	assert_int_equal(ioev(vm, fd, 0x1000, 16, 0, 0), -EINVAL);
	assert_int_equal(ioev(vm, fd, ~0ULL - 1, 4, 0, 0), -EINVAL);
	assert_int_equal(ioev(vm, fd, 0x1000, 0, DM, 0), -EINVAL);
	assert_int_equal(ioev(vm, fd, 0x1000, 4, 0, 0), 0);	     /* len 4 fits */
	assert_int_equal(ioev(vm, fd, ~0ULL - 3, 4, 0, 0), -EINVAL); /* end wraps to 0 */
	assert_int_equal(ioev(vm, fd, ~0ULL - 7, 4, 0, 0), 0);
	memset(&io, 0, sizeof(io));
	io.fd = fd;
	io.addr = 0x9000;
	io.len = 4;
	io.pad[35] = 1;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_IOEVENTFD, fake_user(&io, sizeof(io))), -EINVAL);
	assert_int_equal(ioev(vm, 999, 0x9000, 4, 0, 0), -EBADF);
	assert_int_equal(ioev(vm, -1, 0x9000, 4, 0, 0), -EBADF);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_IOEVENTFD, 0x10), -EFAULT);
	assert_int_equal(fake_efd(fd)->refs, 2);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_ioeventfd_collisions(void **state)
{
	static const struct {
		uint64_t addr;
		uint32_t len, flags;
		uint64_t dm;
		uint64_t naddr;
		uint32_t nlen, nflags;
		uint64_t ndm;
		long err;
	} t[] = {
	    {0x1000, 4, 0, 0, 0x1000, 4, DM, 1, -EEXIST},  /* wildcard vs datamatch */
	    {0x1000, 4, DM, 1, 0x1000, 4, 0, 0, -EEXIST},  /* datamatch vs wildcard */
	    {0x1000, 4, DM, 1, 0x1000, 4, DM, 1, -EEXIST}, /* same datamatch */
	    {0x1000, 4, DM, 1, 0x1000, 4, DM, 2, -EEXIST}, /* v13: addr inside old range */
	    {0x1000, 4, DM, 1, 0x1000, 2, DM, 1, -EEXIST},
	    {0x1000, 0, 0, 0, 0x1000, 4, 0, 0, -EEXIST}, /* len 0 matches all */
	    {0x1000, 4, 0, 0, 0x1000, 0, 0, 0, -EEXIST},
	    {0x1000, 0, 0, 0, 0x1000, 0, 0, 0, -EEXIST},
	    {0x1000, 4, 0, 0, 0x1002, 2, 0, 0, -EEXIST}, /* inside */
	    {0x1000, 8, 0, 0, 0x1007, 1, 0, 0, -EEXIST},
	    {0x1000, 4, 0, 0, 0x1004, 4, 0, 0, 0}, /* next to it */
	    {0x1004, 4, 0, 0, 0x1000, 8, 0, 0, 0}, /* only the new address counts */
	    {0x1000, 0, 0, 0, 0x1001, 1, 0, 0, 0},
	    {0x1000, 4, 0, 0, 0x0fff, 1, 0, 0, 0},
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gzdrv_vm *vm;
		int a, b;
		long ret;

		fake_reset(true);
		vm = fake_vm_new();
		a = fake_efd_new();
		b = fake_efd_new();
		assert_int_equal(ioev(vm, a, t[i].addr, t[i].len, t[i].flags, t[i].dm), 0);
		ret = ioev(vm, b, t[i].naddr, t[i].nlen, t[i].nflags, t[i].ndm);
		if (ret != t[i].err)
			fail_msg("case %u: %ld != %ld", i, ret, t[i].err);
		/* the same eventfd does not change the verdict */
		ret = ioev(vm, a, t[i].naddr, t[i].nlen, t[i].nflags, t[i].ndm);
		assert_int_equal(ret, t[i].err ? t[i].err : -EEXIST);
		assert_inv(vm);
		gzdrv_vm_release(vm);
		assert_clean();
	}
}

static void test_ioeventfd_table_full(void **state)
{
	struct gzdrv_vm *vm;
	int fd;

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	fd = fake_efd_new();
	for (unsigned int i = 0; i < GZDRV_MAX_IOEVENTFDS; i++)
		assert_int_equal(ioev(vm, fd, 0x100000 + 8 * i, 4, 0, 0), 0);
	assert_int_equal(ioev(vm, fd, 0x200000, 4, 0, 0), -ENOSPC);
	assert_int_equal(fake_efd(fd)->refs, GZDRV_MAX_IOEVENTFDS);
	assert_int_equal(ioev(vm, fd, 0x100000, 4, DEA, 0), 0);
	assert_int_equal(ioev(vm, fd, 0x200000, 4, 0, 0), 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_ioeventfd_deassign(void **state)
{
	struct gzdrv_vm *vm;
	int a, b;

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	a = fake_efd_new();
	b = fake_efd_new();
	assert_int_equal(ioev(vm, a, 0x2000, 4, DM, 5), 0);
	assert_int_equal(ioev(vm, b, 0x2000, 4, DM | DEA, 5), -ENOENT); /* other eventfd */
	assert_int_equal(ioev(vm, a, 0x2000, 4, DM | DEA, 6), -ENOENT); /* other datamatch */
	assert_int_equal(ioev(vm, a, 0x2000, 4, DEA, 5), -ENOENT);	/* wildcard */
	assert_int_equal(ioev(vm, a, 0x2000, 2, DM | DEA, 5), -ENOENT); /* other len */
	assert_int_equal(ioev(vm, a, 0x2004, 4, DM | DEA, 5), -ENOENT); /* other addr */
	assert_int_equal(ioev(vm, a, 0x2000, 8, DM | DEA | GZVM_IOEVENTFD_FLAG_PIO, 5),
			 -EINVAL); /* validated like assign */
	assert_int_equal(ioev(vm, 999, 0x2000, 4, DM | DEA, 5), -EBADF);
	assert_int_equal(fake_efd(a)->refs, 1);
	assert_int_equal(ioev(vm, a, 0x2000, 4, DM | DEA, 5), 0);
	assert_int_equal(fake_efd(a)->refs, 0);
	assert_int_equal(ioev(vm, a, 0x2000, 4, DM | DEA, 5), -ENOENT);
	/* a wildcard entry: the datamatch value of the request does not matter */
	assert_int_equal(ioev(vm, a, 0x3000, 0, 0, 0), 0);
	assert_int_equal(ioev(vm, a, 0x3000, 0, DEA, 77), 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static struct gzvm_vcpu_run urun;

static long run(struct gzdrv_vcpu *vcpu)
{
	return gzdrv_vcpu_ioctl(vcpu, GZVM_RUN, fake_user(&urun, sizeof(urun)));
}

static void push_mmio(uint64_t addr, uint64_t size, bool write, uint64_t val)
{
	struct gzvm_vcpu_run *e = fake_hyp_exit(GZVM_EXIT_MMIO);

	e->mmio.phys_addr = addr;
	e->mmio.size = size;
	e->mmio.is_write = write;
	memcpy(e->mmio.data, &val, 8);
}

static void test_ioeventfd_fast_path(void **state)
{
	static const struct {
		uint64_t addr, size;
		bool write;
		uint64_t val;
		int hit; /* index of the eventfd signalled, -1: to the VMM */
	} t[] = {
	    {0x3000, 4, true, 1, 0},
	    {0x3000, 4, true, 2, -1},		  /* other value */
	    {0x3000, 4, false, 1, -1},		  /* reads always go out */
	    {0x3000, 2, true, 1, -1},		  /* other size */
	    {0x3000, 4, true, 0x100000001ULL, 0}, /* only 4 bytes are read */
	    {0x4000, 1, true, 0xff, 1},		  /* len 0: any access */
	    {0x4000, 8, true, 0, 1},
	    {0x4001, 1, true, 0, -1},	  /* exact address only */
	    {0x5000, 2, true, 0xabcd, 2}, /* wildcard */
	    {0x5000, 4, true, 0xabcd, -1},
	    {0x6000, 8, true, 0x1122334455667788ULL, 3},
	    {0x6000, 8, true, 0x1122334455667789ULL, -1},
	    {0x6000, 16, true, 0, -1}, /* malformed size */
	    {0x6000, 0, true, 0, -1},
	    {0x6000, 3, true, 0, -1},
	};
	struct gzdrv_vm *vm;
	struct gzdrv_vcpu *vcpu;
	int fds[4];

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	for (int i = 0; i < 4; i++)
		fds[i] = fake_efd_new();
	assert_int_equal(ioev(vm, fds[0], 0x3000, 4, DM, 1), 0);
	assert_int_equal(ioev(vm, fds[1], 0x4000, 0, 0, 0), 0);
	assert_int_equal(ioev(vm, fds[2], 0x5000, 2, 0, 0), 0);
	assert_int_equal(ioev(vm, fds[3], 0x6000, 8, DM, 0x1122334455667788ULL), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &vcpu), 0);
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t before[4];

		for (int k = 0; k < 4; k++)
			before[k] = fake_efd(fds[k])->count;
		push_mmio(t[i].addr, t[i].size, t[i].write, t[i].val);
		assert_int_equal(run(vcpu), 0);
		for (int k = 0; k < 4; k++)
			assert_int_equal(fake_efd(fds[k])->count - before[k], k == t[i].hit);
		/* a hit re-enters the guest; the model then has no more exits */
		assert_int_equal(urun.exit_reason,
				 t[i].hit >= 0 ? GZVM_EXIT_UNKNOWN : GZVM_EXIT_MMIO);
		if (t[i].hit < 0)
			assert_int_equal(urun.mmio.phys_addr, t[i].addr);
	}
	assert_int_equal(vm->stats.ioeventfd_hits, 6);
	gzdrv_vm_release(vm);
	assert_clean();
}

/* ---- irqfd --------------------------------------------------------------------------- */

static struct gzvm_irqfd irq;

static long irqfd(struct gzdrv_vm *vm, int fd, uint32_t gsi, uint32_t flags, int rfd)
{
	memset(&irq, 0, sizeof(irq));
	irq.fd = (uint32_t)fd;
	irq.gsi = gsi;
	irq.flags = flags;
	irq.resamplefd = (uint32_t)rfd;
	return gzdrv_vm_ioctl(vm, GZVM_IRQFD, fake_user(&irq, sizeof(irq)));
}

static void test_irqfd_validation(void **state)
{
	struct gzdrv_vm *vm;
	int a;

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	a = fake_efd_new();
	assert_int_equal(irqfd(vm, a, 0, 4, 0), -EINVAL);
	assert_int_equal(irqfd(vm, a, 0, 0x80000000, 0), -EINVAL);
	assert_int_equal(irqfd(vm, a, 988, 0, 0), -EINVAL);
	assert_int_equal(irqfd(vm, 999, 0, 0, 0), -EBADF);
	assert_int_equal(irqfd(vm, a, 0, GZVM_IRQFD_FLAG_RESAMPLE, 999), -EBADF);
	memset(&irq, 0, sizeof(irq));
	irq.fd = (uint32_t)a;
	irq.pad[15] = 1;
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_IRQFD, fake_user(&irq, sizeof(irq))), -EINVAL);
	assert_int_equal(gzdrv_vm_ioctl(vm, GZVM_IRQFD, 0x20), -EFAULT);
	assert_int_equal(fake_efd(a)->refs, 0);
	/* the watch cannot be set up */
	fake.fail_watch_in = 1;
	assert_int_equal(irqfd(vm, a, 0, 0, 0), -ENOMEM);
	assert_int_equal(fake_efd(a)->refs, 0);
	int rs = fake_efd_new();
	fake.fail_watch_in = 1;
	assert_int_equal(irqfd(vm, a, 0, GZVM_IRQFD_FLAG_RESAMPLE, rs), -ENOMEM);
	assert_int_equal(fake_efd(rs)->refs, 0);
	assert_int_equal(vm->nr_level_irqfds, 0);
	assert_int_equal(irqfd(vm, a, 987, 0, 0), 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_irqfd_rules(void **state)
{
	struct gzdrv_vm *vm;
	int a, b, c, fds[GZDRV_MAX_IRQFDS];

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	a = fake_efd_new();
	b = fake_efd_new();
	c = fake_efd_new();
	assert_int_equal(irqfd(vm, a, 5, 0, 0), 0);
	assert_int_equal(irqfd(vm, a, 6, 0, 0), -EBUSY); /* one eventfd, one gsi */
	assert_int_equal(irqfd(vm, a, 5, 0, 0), -EBUSY);
	assert_int_equal(irqfd(vm, b, 5, GZVM_IRQFD_FLAG_RESAMPLE, c), 0); /* shared gsi */
	assert_int_equal(irqfd(vm, c, 5, 0, 0), 0); /* a resamplefd can also be an irqfd */
	assert_inv(vm);
	/* deassign matches eventfd and gsi; no match is not an error (as in KVM) */
	assert_int_equal(irqfd(vm, a, 6, GZVM_IRQFD_FLAG_DEASSIGN, 0), 0);
	assert_int_equal(fake_efd(a)->refs, 1);
	assert_int_equal(irqfd(vm, a, 5, GZVM_IRQFD_FLAG_DEASSIGN, 0), 0);
	assert_int_equal(fake_efd(a)->refs, 0);
	assert_null(fake_efd(a)->watcher);
	assert_int_equal(irqfd(vm, 999, 5, GZVM_IRQFD_FLAG_DEASSIGN, 0), -EBADF);
	assert_int_equal(irqfd(vm, b, 5, GZVM_IRQFD_FLAG_DEASSIGN, 0), 0);
	assert_int_equal(fake_efd(c)->refs, 1); /* resample reference dropped with it */
	assert_int_equal(vm->nr_level_irqfds, 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();

	/* table full */
	fake_reset(true);
	vm = fake_vm_new();
	for (int i = 0; i < GZDRV_MAX_IRQFDS; i++) {
		fds[i] = fake_efd_new();
		assert_int_equal(irqfd(vm, fds[i], (uint32_t)i, 0, 0), 0);
	}
	a = fake_efd_new();
	assert_int_equal(irqfd(vm, a, 1, 0, 0), -ENOSPC);
	assert_int_equal(fake_efd(a)->refs, 0);
	/* a hung-up eventfd frees its entry at the next ioctl */
	fake_efd_close(fds[3]);
	assert_int_equal(fake_efd(fds[3])->refs, 1);
	assert_int_equal(irqfd(vm, a, 1, 0, 0), 0);
	assert_int_equal(fake_efd(fds[3])->refs, 0);
	assert_inv(vm);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void test_irqfd_edge(void **state)
{
	struct gzdrv_vm *vm;
	struct gzdrv_vcpu *v0, *v1;
	const struct fake_rec *r;
	int a, b;

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &v0), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 1, &v1), 0);
	a = fake_efd_new();
	b = fake_efd_new();
	assert_int_equal(irqfd(vm, a, 9, 0, 0), 0);
	fake_efd_write(a);
	assert_int_equal(fake_calls(GZ_HVC_FN_IRQ_LINE), 2);
	r = fake_call(GZ_HVC_FN_IRQ_LINE, 0);
	assert_int_equal(r->x[1], 1 << 16);
	assert_int_equal(r->x[2], 9);
	assert_int_equal(r->x[3], 1);
	r = fake_call(GZ_HVC_FN_IRQ_LINE, 1);
	assert_int_equal(r->x[2], 9);
	assert_int_equal(r->x[3], 0);
	assert_int_equal(fake.wakes, 2); /* both vCPUs */
	/* signalled before it was assigned: fires once on assign */
	fake_efd_write(b);
	assert_int_equal(irqfd(vm, b, 10, 0, 0), 0);
	assert_int_equal(fake_calls(GZ_HVC_FN_IRQ_LINE), 4);
	assert_int_equal(fake_call(GZ_HVC_FN_IRQ_LINE, 2)->x[2], 10);
	/* after a hang-up nothing is injected any more */
	vm->irqfds[0].active = true;
	gzdrv_irqfd_hangup(&vm->irqfds[0]);
	gzdrv_irqfd_fire(&vm->irqfds[0]);
	assert_int_equal(fake_calls(GZ_HVC_FN_IRQ_LINE), 4);
	assert_int_equal(vm->stats.irq_injections, 4);
	gzdrv_vm_release(vm);
	assert_clean();
}

static void push_lr_exit(uint32_t nr, uint64_t lr0, uint64_t lr1)
{
	struct gzvm_vcpu_hwstate *hw;

	fake_hyp_exit(GZVM_EXIT_IRQ);
	hw = fake_hyp_exit_hw();
	hw->nr_lrs = nr;
	hw->lr[0] = lr0;
	hw->lr[1] = lr1;
}

#define LR_PENDING (1ULL << 62)
#define LR_ACTIVE  (2ULL << 62)

static void test_irqfd_level_resample(void **state)
{
	struct gzdrv_vm *vm;
	struct gzdrv_vcpu *v0, *v1;
	int l, rs;
	const struct fake_rec *r;

	(void)state;
	fake_reset(true);
	vm = fake_vm_new();
	assert_int_equal(gzdrv_vcpu_create(vm, 0, &v0), 0);
	assert_int_equal(gzdrv_vcpu_create(vm, 1, &v1), 0);
	l = fake_efd_new();
	rs = fake_efd_new();
	assert_int_equal(irqfd(vm, l, 7, GZVM_IRQFD_FLAG_RESAMPLE, rs), 0);
	assert_int_equal(vm->nr_level_irqfds, 1);
	fake_efd_write(l);
	assert_int_equal(fake_calls(GZ_HVC_FN_IRQ_LINE), 1); /* asserted, not pulsed */
	assert_int_equal(fake_call(GZ_HVC_FN_IRQ_LINE, 0)->x[3], 1);
	/* not yet in an LR: no EOI even though nothing is live */
	push_lr_exit(0, 0, 0);
	assert_int_equal(gzdrv_vcpu_ioctl(v0, GZVM_RUN, fake_user(&urun, sizeof(urun))), 0);
	assert_int_equal(fake_efd(rs)->count, 0);
	/* pending in vCPU 1's LR 1, then active, then vCPU 0 exits (not its LR): still live */
	push_lr_exit(2, LR_PENDING | 40, LR_PENDING | 39);
	push_lr_exit(2, 0, LR_ACTIVE | 39);
	assert_int_equal(gzdrv_vcpu_ioctl(v1, GZVM_RUN, fake_user(&urun, sizeof(urun))), 0);
	push_lr_exit(0, 0, 0);
	assert_int_equal(gzdrv_vcpu_ioctl(v0, GZVM_RUN, fake_user(&urun, sizeof(urun))), 0);
	assert_int_equal(fake_efd(rs)->count, 0);
	/* nr_lrs beyond 16 is clipped; the LR went invalid on vCPU 1: EOI */
	push_lr_exit(1000, 39, 0);
	assert_int_equal(gzdrv_vcpu_ioctl(v1, GZVM_RUN, fake_user(&urun, sizeof(urun))), 0);
	assert_int_equal(fake_efd(rs)->count, 1);
	r = fake_call(GZ_HVC_FN_IRQ_LINE, 1);
	assert_int_equal(r->x[2], 7);
	assert_int_equal(r->x[3], 0);
	assert_false(vm->irqfds[0].asserted);
	/* once deasserted, nothing more happens */
	push_lr_exit(0, 0, 0);
	assert_int_equal(gzdrv_vcpu_ioctl(v1, GZVM_RUN, fake_user(&urun, sizeof(urun))), 0);
	assert_int_equal(fake_efd(rs)->count, 1);
	/* delivered and completed within one entry: the first LR seen is already invalid */
	fake_efd_write(l);
	push_lr_exit(2, LR_PENDING | 40, 39);
	assert_int_equal(gzdrv_vcpu_ioctl(v0, GZVM_RUN, fake_user(&urun, sizeof(urun))), 0);
	assert_int_equal(fake_efd(rs)->count, 2);
	assert_false(vm->irqfds[0].asserted);
	/* the direct EOI entry point */
	fake_efd_write(l);
	gzdrv_vm_irq_eoi(vm, 8);
	assert_int_equal(fake_efd(rs)->count, 2);
	gzdrv_vm_irq_eoi(vm, 7);
	assert_int_equal(fake_efd(rs)->count, 3);
	/* teardown deasserts a raised line */
	fake_efd_write(l);
	unsigned int before = fake_calls(GZ_HVC_FN_IRQ_LINE);
	gzdrv_vm_release(vm);
	assert_int_equal(fake_calls(GZ_HVC_FN_IRQ_LINE), before + 1);
	assert_int_equal(fake_last()->x[0], GZ_HVC_DESTROY_VM);
	assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ioeventfd_validation),
	    cmocka_unit_test(test_ioeventfd_collisions),
	    cmocka_unit_test(test_ioeventfd_table_full),
	    cmocka_unit_test(test_ioeventfd_deassign),
	    cmocka_unit_test(test_ioeventfd_fast_path),
	    cmocka_unit_test(test_irqfd_validation),
	    cmocka_unit_test(test_irqfd_rules),
	    cmocka_unit_test(test_irqfd_edge),
	    cmocka_unit_test(test_irqfd_level_resample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
