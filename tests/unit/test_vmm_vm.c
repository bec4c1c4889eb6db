/* gzvmm end to end against a fake in-process backend: the exact gzvm ioctls of VM setup
 * (memslot, GIC frames matching the device tree, vCPUs, DTB config, boot registers,
 * ioeventfd and irqfd per queue), then a scripted guest on vCPU 0 that prints through the
 * PL011, brings up virtio-rng through MMIO exits, notifies through the ioeventfd and waits
 * for the irqfd, and ends in each of the ways the exit status reports. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fdt_build.h"
#include "layout.h"
#include "vm.h"

#define VM_FD	 100
#define VCPU_FD0 200

enum ending {
	END_OFF,
	END_RESET,
	END_CRASH,
	END_EXCEPTION,
	END_RUN_ERROR,
	END_SIGTERM,
	END_BAD_REASON,
	END_NO_ISV, /* a store without a syndrome (INTERNAL_ERROR), then power-off */
	END_SERROR,
	END_POWER_KEY /* SIGTERM; powers off once the power key's interrupt arrives */
};

struct step {
	uint64_t addr;
	uint32_t val;
	bool write;
	unsigned size;
};

static struct fake {
	enum ending ending;
	unsigned cpus;
	/* recorded */
	struct gzvm_userspace_memory_region slot;
	struct gzvm_create_device dev[2];
	unsigned ndev, nvcpus, nioev, nirqfd;
	struct gzvm_dtb_config dtb;
	uint64_t regs[64][2];
	unsigned nregs;
	struct gzvm_ioeventfd ioev[16];
	struct gzvm_irqfd irqfd[16];
	uint8_t *ram;
	struct gzvm_userspace_memory_region regions[32];
	unsigned nregions, ncreate_vm;
	bool gpio_raised;
	/* script */
	struct step steps[64];
	unsigned nsteps, pc;
	uint64_t read_vals[64]; /* what each read step of the script got */
	uint32_t fr_seen;
	uint64_t testdev_seen;
	uint32_t empty_seen[3]; /* magic, version, device id of an unpopulated transport */
	bool irq_seen;
	uint16_t used_seen;
	/* knobs */
	unsigned long fail_req; /* this ioctl fails with -EINVAL (-fail_errno if set) */
	int fail_errno;
	uint64_t quota_set; /* pages of the last GZVM_CAP_OPENGZ_HYP_QUOTA set (0: none) */
	bool fail_open, fail_ram;
	bool fail_pool;		     /* SET_USER_MEMORY_REGION of the bounce pool's slot fails */
	bool no_eventfds;	     /* IOEVENTFD and IRQFD unsupported: MMIO notify, IRQ_LINE */
	bool wait_input;	     /* vCPU 0 waits until stdin reached a device */
	unsigned drain;		     /* vCPU 0 reads this many bytes from the PL011 before ending */
	unsigned drained;	     /* ... and counts those that arrived in order */
	unsigned get_regs;	     /* GET_ONE_REG calls (refused) */
	uint8_t completion_seen[64]; /* mmio.completion the RUN after each step got */
	struct vmm_vm *vm;
	/* progress */
	unsigned irq_lines;
	bool mmio_notified;
	unsigned extra;
	unsigned internal_done;
	uint8_t no_isv_completion; /* what the RUN after the INTERNAL_ERROR exit got */
	uint64_t no_isv_data[4];
	bool hvc_answered;
} fk;

/* ESR_EL2 (DABT_LOW, WnR, no ISV), FAR_EL2, IPA, PC of the INTERNAL_ERROR exit */
static const uint64_t fk_no_isv_data[4] = {0x93800040ULL, 0xffff000009000000ULL, 0x09000000,
					   0x40080200};

static uint8_t *gpa(uint64_t a)
{
	return fk.ram + (a - VMM_RAM_BASE);
}

static int fk_init(struct vmm_backend *be, size_t ram, char *err, size_t errlen)
{
	(void)be, (void)ram, (void)err, (void)errlen;
	return 0;
}

static int fk_open(struct vmm_backend *be, char *err, size_t errlen)
{
	(void)be;
	if (fk.fail_open) {
		snprintf(err, errlen, "no such device");
		return -1;
	}
	return 50;
}

static void fk_close_fd(struct vmm_backend *be, int fd)
{
	(void)be, (void)fd;
}

static void *fk_ram_alloc(struct vmm_backend *be, size_t size)
{
	void *p = NULL;

	(void)be;
	if (fk.fail_ram || posix_memalign(&p, 4096, size) != 0)
		return NULL;
	memset(p, 0, size);
	return p;
}

static void fk_ram_free(struct vmm_backend *be, void *p, size_t size)
{
	(void)be, (void)size;
	free(p);
}

static void fk_kick(struct vmm_backend *be, pthread_t t)
{
	(void)be, (void)t;
}

static void fk_fini(struct vmm_backend *be)
{
	(void)be;
}

static void add(uint64_t addr, bool write, uint32_t val)
{
	fk.steps[fk.nsteps++] = (struct step){addr, val, write, 4};
}

/* virtio-rng is transport 1 (after the console). */
#define RNG   (VMM_VIRTIO_BASE + VMM_VIRTIO_STRIDE)
#define DESC  (VMM_RAM_BASE + 0x100000)
#define AVAIL (DESC + 0x1000)
#define USED  (DESC + 0x2000)
#define BUF   (DESC + 0x3000)

static void build_script(void)
{
	fk.nsteps = fk.pc = 0;
	fk.steps[fk.nsteps++] = (struct step){VMM_UART_BASE, 'o', true, 1};
	fk.steps[fk.nsteps++] = (struct step){VMM_UART_BASE, 'k', true, 1};
	fk.steps[fk.nsteps++] = (struct step){VMM_UART_BASE, '\n', true, 1};
	add(VMM_UART_BASE + PL011_FR, false, 0);
	add(RNG + VIRTIO_MMIO_STATUS, true, 0);
	add(RNG + VIRTIO_MMIO_STATUS, true, 3);
	add(RNG + VIRTIO_MMIO_DRIVER_FEATURES_SEL, true, 1);
	add(RNG + VIRTIO_MMIO_DRIVER_FEATURES, true, 1);
	add(RNG + VIRTIO_MMIO_STATUS, true, 0xb);
	add(RNG + VIRTIO_MMIO_QUEUE_SEL, true, 0);
	add(RNG + VIRTIO_MMIO_QUEUE_NUM, true, 16);
	add(RNG + VIRTIO_MMIO_QUEUE_DESC_LOW, true, (uint32_t)DESC);
	add(RNG + VIRTIO_MMIO_QUEUE_AVAIL_LOW, true, (uint32_t)AVAIL);
	add(RNG + VIRTIO_MMIO_QUEUE_USED_LOW, true, (uint32_t)USED);
	add(RNG + VIRTIO_MMIO_QUEUE_READY, true, 1);
	add(RNG + VIRTIO_MMIO_STATUS, true, 0xf);
	add(0x0c000000, false, 0); /* nothing mapped there */
	add(GZDEV_TESTDEV_BASE + 8, true, 0x11223344);
	for (unsigned k = 0; k < 3; k++)
		add(VMM_VIRTIO_BASE + 5 * VMM_VIRTIO_STRIDE + 4 * k, false, 0);
	fk.steps[fk.nsteps++] = (struct step){GZDEV_TESTDEV_BASE + 9, 0, false, 2};
	fk.steps[fk.nsteps++] =
	    (struct step){GZDEV_TESTDEV_BASE + GZDEV_TESTDEV_SIZE - 4, 0, true, 8};
}

static long run_vcpu0(struct gzvm_vcpu_run *run)
{
	if (fk.pc > 0 && fk.pc <= fk.nsteps)
		fk.completion_seen[fk.pc - 1] = run->mmio.completion;
	if (fk.pc > 0 && fk.pc <= fk.nsteps) {
		struct step *prev = &fk.steps[fk.pc - 1];

		if (!prev->write)
			memcpy(&fk.read_vals[fk.pc - 1], run->mmio.data, 8);

		if (!prev->write && prev->addr == VMM_UART_BASE + PL011_FR)
			memcpy(&fk.fr_seen, run->mmio.data, 4);
		if (!prev->write && prev->addr == GZDEV_TESTDEV_BASE + 9)
			memcpy(&fk.testdev_seen, run->mmio.data, 8);
		for (unsigned k = 0; k < 3; k++)
			if (!prev->write &&
			    prev->addr == VMM_VIRTIO_BASE + 5 * VMM_VIRTIO_STRIDE + 4 * k)
				memcpy(&fk.empty_seen[k], run->mmio.data, 4);
	}
	if (fk.pc < fk.nsteps) {
		struct step *s = &fk.steps[fk.pc++];

		run->exit_reason = GZVM_EXIT_MMIO;
		run->mmio.phys_addr = s->addr;
		run->mmio.size = s->size;
		run->mmio.is_write = s->write;
		run->mmio.completion = GZVM_MMIO_COMPLETE_DATA; /* as the hypervisor leaves it */
		memset(run->mmio.data, 0, 8);
		memcpy(run->mmio.data, &s->val, s->size);
		return 0;
	}
	if (fk.pc == fk.nsteps) {
		/* The guest queues a 32-byte buffer and notifies: the driver's ioeventfd fast
		 * path signals the eventfd registered for (notify address, queue 0); without
		 * ioeventfds the write is an MMIO exit. */
		uint64_t a = BUF, one = 1;
		uint32_t len = 32;
		uint16_t fl = VRING_DESC_F_WRITE, idx = 1, head = 0;
		int efd = -1, ifd = -1;

		memcpy(gpa(DESC), &a, 8);
		memcpy(gpa(DESC) + 8, &len, 4);
		memcpy(gpa(DESC) + 12, &fl, 2);
		memcpy(gpa(AVAIL) + 4, &head, 2);
		memcpy(gpa(AVAIL) + 2, &idx, 2);
		for (unsigned i = 0; i < fk.nioev; i++)
			if (fk.ioev[i].addr == RNG + VIRTIO_MMIO_QUEUE_NOTIFY)
				efd = fk.ioev[i].fd;
		for (unsigned i = 0; i < fk.nirqfd; i++)
			if (fk.irqfd[i].gsi == VMM_VIRTIO_SPI_BASE + 1)
				ifd = (int)fk.irqfd[i].fd;
		fk.pc++;
		if (efd < 0) {
			fk.mmio_notified = true;
			run->exit_reason = GZVM_EXIT_MMIO;
			run->mmio.phys_addr = RNG + VIRTIO_MMIO_QUEUE_NOTIFY;
			run->mmio.size = 4;
			run->mmio.is_write = 1;
			memset(run->mmio.data, 0, 8);
			return 0;
		}
		if (ifd >= 0 && write(efd, &one, 8) == 8) {
			struct pollfd p = {.fd = ifd, .events = POLLIN};

			fk.irq_seen = poll(&p, 1, 5000) == 1;
			memcpy(&fk.used_seen, gpa(USED) + 2, 2);
		}
	} else if (fk.pc == fk.nsteps + 1 && fk.mmio_notified) {
		/* Fallback path: the event loop completes the request, IRQ_LINE pulses. */
		for (int i = 0; i < 5000; i++) {
			struct timespec ts = {0, 1000000};

			memcpy(&fk.used_seen, gpa(USED) + 2, 2);
			if (fk.used_seen == 1 &&
			    __atomic_load_n(&fk.irq_lines, __ATOMIC_SEQ_CST) >= 2)
				break;
			nanosleep(&ts, NULL);
		}
		fk.irq_seen = __atomic_load_n(&fk.irq_lines, __ATOMIC_SEQ_CST) >= 2;
		fk.pc++;
	}
	/* Exits gzvmm must pass over: a hypercall it answers NOT_SUPPORTED, idle, IPI and a
	 * wake-up system event. */
	switch (fk.extra++) {
	case 0:
		run->exit_reason = GZVM_EXIT_HYPERCALL;
		run->hypercall.args[0] = 0x86000001;
		return 0;
	case 1:
		fk.hvc_answered = run->hypercall.args[0] == (uint64_t)-1;
		run->exit_reason = GZVM_EXIT_IDLE;
		return 0;
	case 2:
		run->exit_reason = GZVM_EXIT_IPI;
		return 0;
	case 3:
		run->exit_reason = GZVM_EXIT_SYSTEM_EVENT;
		run->system_event.type = GZVM_SYSTEM_EVENT_WAKEUP;
		return 0;
	default:
		break;
	}
	for (int i = 0; fk.drained < fk.drain && i < 10000;) {
		uint32_t fr = (uint32_t)pl011_read(&fk.vm->uart, PL011_FR, 4);

		if (fr & PL011_FR_RXFE) {
			struct timespec ts = {0, 1000000};

			nanosleep(&ts, NULL);
			i++;
			continue;
		}
		if (pl011_read(&fk.vm->uart, PL011_DR, 4) == (uint8_t)(fk.drained * 7))
			fk.drained++;
		else
			break;
	}
	for (int i = 0; fk.wait_input && i < 5000; i++) {
		struct timespec ts = {0, 1000000};

		if (fk.vm->uart.m.fifo_count || fk.vm->vcon->u.vcon.in_len)
			break;
		nanosleep(&ts, NULL);
	}
	switch (fk.ending) {
	case END_OFF:
	case END_RESET:
	case END_CRASH:
		run->exit_reason = GZVM_EXIT_SYSTEM_EVENT;
		run->system_event.type = fk.ending == END_OFF	  ? GZVM_SYSTEM_EVENT_SHUTDOWN
					 : fk.ending == END_RESET ? GZVM_SYSTEM_EVENT_RESET
								  : GZVM_SYSTEM_EVENT_CRASH;
		return 0;
	case END_EXCEPTION:
		run->exit_reason = GZVM_EXIT_EXCEPTION;
		run->exception.exception = GZVM_EXCEPTION_UNKNOWN;
		run->exception.fault_gpa = 0x1234;
		return 0;
	case END_RUN_ERROR:
		return -EFAULT;
	case END_SIGTERM:
		kill(getpid(), SIGTERM);
		break;
	case END_BAD_REASON:
		run->exit_reason = GZVM_EXIT_UNKNOWN + 0xc;
		return 0;
	case END_NO_ISV:
	case END_SERROR:
		if (fk.internal_done++) {
			fk.no_isv_completion = run->mmio.completion;
			memcpy(fk.no_isv_data, run->internal.data, sizeof(fk.no_isv_data));
			run->exit_reason = GZVM_EXIT_SYSTEM_EVENT;
			run->system_event.type = GZVM_SYSTEM_EVENT_SHUTDOWN;
			return 0;
		case END_POWER_KEY:
			kill(getpid(), SIGTERM);
			for (int i = 0;
			     i < 5000 && !__atomic_load_n(&fk.gpio_raised, __ATOMIC_SEQ_CST); i++) {
				struct timespec ts = {0, 1000000};

				nanosleep(&ts, NULL);
			}
			if (!__atomic_load_n(&fk.gpio_raised, __ATOMIC_SEQ_CST))
				break;
			run->exit_reason = GZVM_EXIT_SYSTEM_EVENT;
			run->system_event.type = GZVM_SYSTEM_EVENT_SHUTDOWN;
			return 0;
		}
		run->exit_reason = GZVM_EXIT_INTERNAL_ERROR;
		run->internal.suberror =
		    fk.ending == END_NO_ISV ? GZVM_INTERNAL_MMIO_NO_ISV : GZVM_INTERNAL_SERROR;
		run->internal.ndata = 4;
		memcpy(run->internal.data, fk_no_isv_data, sizeof(fk_no_isv_data));
		run->mmio.completion = GZVM_MMIO_COMPLETE_DATA; /* as the hypervisor leaves it */
		return 0;
	}
	/* Wait like an idle vCPU until kicked. */
	while (!__atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST)) {
		struct timespec ts = {0, 1000000};

		nanosleep(&ts, NULL);
	}
	return -EINTR;
}

static long fk_ioctl(struct vmm_backend *be, int fd, unsigned long req, void *arg)
{
	(void)be;
	if (req == fk.fail_req)
		return fk.fail_errno ? -fk.fail_errno : -EINVAL;
	if (fk.no_eventfds && (req == GZVM_IOEVENTFD || req == GZVM_IRQFD))
		return -ENOTTY;
	switch (req) {
	case GZVM_CREATE_VM:
		assert_int_equal(fd, 50);
		fk.ncreate_vm++;
		return VM_FD;
	case GZVM_SET_USER_MEMORY_REGION: {
		struct gzvm_userspace_memory_region *r = arg;

		if (fk.fail_pool && r->slot == VMM_SWIOTLB_SLOT)
			return -EINVAL;
		if (fk.nregions < 32)
			fk.regions[fk.nregions++] = *r;
		if (r->slot == 0) {
			fk.slot = *r;
			fk.ram = (uint8_t *)(uintptr_t)fk.slot.userspace_addr;
		}
		return 0;
	}
	case GZVM_CREATE_DEVICE:
		fk.dev[fk.ndev++] = *(struct gzvm_create_device *)arg;
		return 0;
	case GZVM_CREATE_VCPU:
		assert_int_equal((uintptr_t)arg, fk.nvcpus);
		return VCPU_FD0 + fk.nvcpus++;
	case GZVM_SET_DTB_CONFIG:
		fk.dtb = *(struct gzvm_dtb_config *)arg;
		return 0;
	case GZVM_SET_ONE_REG: {
		struct gzvm_one_reg *r = arg;

		assert_int_equal(fd, VCPU_FD0);
		if (fk.nregs == 64)
			return -ENOSPC;
		fk.regs[fk.nregs][0] = r->id;
		memcpy(&fk.regs[fk.nregs][1], (void *)(uintptr_t)r->addr, 8);
		fk.nregs++;
		return 0;
	}
	case GZVM_GET_ONE_REG:
		fk.get_regs++;
		return -EOPNOTSUPP;
	case GZVM_CHECK_EXTENSION:
		if (*(__u64 *)arg != GZVM_CAP_OPENGZ_VM_LIMIT)
			return -EINVAL;
		*(__u64 *)arg = 64;
		return 0;
	case GZVM_ENABLE_CAP: {
		struct gzvm_enable_cap *c = arg;

		if (c->cap != GZVM_CAP_OPENGZ_HYP_QUOTA)
			return 0;
		if (c->args[0])
			fk.quota_set = c->args[0];
		c->args[1] = fk.quota_set ? fk.quota_set : 4608;
		return 0;
	}
	case GZVM_IOEVENTFD:
		fk.ioev[fk.nioev++] = *(struct gzvm_ioeventfd *)arg;
		return 0;
	case GZVM_IRQFD:
		fk.irqfd[fk.nirqfd++] = *(struct gzvm_irqfd *)arg;
		return 0;
	case GZVM_IRQ_LINE: {
		struct gzvm_irq_level *l = arg;

		if (GZVM_IRQ_LINE_NUM(l->irq) == VMM_VIRTIO_SPI_BASE + 1)
			__atomic_fetch_add(&fk.irq_lines, 1, __ATOMIC_SEQ_CST);
		if (GZVM_IRQ_LINE_NUM(l->irq) == VMM_GPIO_SPI && l->level)
			__atomic_store_n(&fk.gpio_raised, true, __ATOMIC_SEQ_CST);
		return 0;
	}
	case GZVM_RUN:
		if (fd == VCPU_FD0)
			return run_vcpu0(arg);
		while (!__atomic_load_n(&((struct gzvm_vcpu_run *)arg)->immediate_exit,
					__ATOMIC_SEQ_CST)) {
			struct timespec ts = {0, 1000000};

			nanosleep(&ts, NULL);
		}
		return -EINTR;
	default:
		return -ENOTTY;
	}
}

static const struct vmm_backend_ops fake_ops = {
    .name = "fake",
    .init = fk_init,
    .open_dev = fk_open,
    .ioctl = fk_ioctl,
    .close_fd = fk_close_fd,
    .ram_alloc = fk_ram_alloc,
    .ram_free = fk_ram_free,
    .kick = fk_kick,
    .fini = fk_fini,
};

static char kpath[] = "/tmp/gzvmm-kern-XXXXXX";
static char cpath[] = "/tmp/gzvmm-cons-XXXXXX";

static void reset_fake(enum ending e, unsigned cpus)
{
	memset(&fk, 0, sizeof(fk));
	fk.ending = e;
	fk.cpus = cpus;
	build_script();
}

/* --mem of setup_case */
static const char *mem_arg = "16M";

/* Parses "gzvmm run --kernel K --cpus N --mem 16M --console file:C" plus extra; sets up. */
static int setup_case(unsigned cpus, const char *const *extra, struct vmm_config *cfg,
		      struct vmm_vm *vm)
{
	enum vmm_cli_action act;
	char err[256], cpus_s[4], con[64];
	char *argv[32] = {"gzvmm", "run",   "--kernel",	     kpath,	  "--cpus",
			  cpus_s,  "--mem", (char *)mem_arg, "--console", con};
	int argc = 10;

	snprintf(cpus_s, sizeof(cpus_s), "%u", cpus);
	snprintf(con, sizeof(con), "file:%s", cpath);
	for (unsigned i = 0; extra && extra[i]; i++)
		argv[argc++] = (char *)extra[i];
	assert_int_equal(vmm_cli_parse(argc, argv, cfg, &act, err, sizeof(err)), 0);
	fk.vm = vm;
	return vmm_vm_setup(vm, cfg, &fake_ops);
}

static int run_case(enum ending e, unsigned cpus, struct vmm_config *cfg, struct vmm_vm *vm)
{
	static const char *const extra[] = {
	    "--append", "console=ttyAMA0", "--testdev", "--stop-timeout", "0", NULL};

	reset_fake(e, cpus);
	assert_int_equal(setup_case(cpus, extra, cfg, vm), 0);
	return vmm_vm_run(vm);
}

static int global_setup(void **state)
{
	int fd = mkstemp(kpath);
	uint8_t code[64] = {0x1f, 0x20, 0x03, 0xd5};

	(void)state;
	assert_int_equal(write(fd, code, sizeof(code)), (ssize_t)sizeof(code));
	close(fd);
	fd = mkstemp(cpath);
	close(fd);
	return 0;
}

static int global_teardown(void **state)
{
	(void)state;
	unlink(kpath);
	unlink(cpath);
	return 0;
}

static uint64_t reg(uint64_t id)
{
	for (unsigned i = fk.nregs; i-- > 0;)
		if (fk.regs[i][0] == id)
			return fk.regs[i][1];
	fail_msg("register 0x%llx not set", (unsigned long long)id);
	return 0;
}

static void test_setup_and_poweroff(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;
	char out[64] = {0};
	int fd, rc;

	(void)state;
	rc = run_case(END_OFF, 2, &cfg, &vm);
	assert_int_equal(rc, VMM_EXIT_POWEROFF);
	/* Memslot 0: all of RAM at the virt base. */
	assert_int_equal(fk.slot.slot, 0);
	assert_int_equal(fk.slot.flags, GZVM_USER_MEM_REGION_GUEST_MEM);
	assert_true(fk.slot.guest_phys_addr == VMM_RAM_BASE);
	assert_true(fk.slot.memory_size == 16ULL << 20);
	/* GIC frames: distributor first, then the redistributors. */
	assert_int_equal(fk.ndev, 2);
	assert_int_equal(fk.dev[0].dev_type, GZVM_DEV_TYPE_ARM_VGIC_V3_DIST);
	assert_true(fk.dev[0].dev_addr == VMM_GIC_DIST_BASE && fk.dev[0].dev_reg_size == 0x10000);
	assert_int_equal(fk.dev[1].dev_type, GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST);
	assert_true(fk.dev[1].dev_addr == VMM_GIC_REDIST_BASE && fk.dev[1].dev_reg_size == 0x20000);
	assert_int_equal(fk.nvcpus, 2);
	/* The DTB handed over is the one in RAM, and its GIC node matches CREATE_DEVICE. */
	const void *dtb = gpa(fk.dtb.dtb_addr);

	assert_int_equal(fdt_check_header(dtb), 0);
	assert_int_equal(fdt_totalsize(dtb), fk.dtb.dtb_size);
	int node = fdt_path_offset(dtb, "/intc@8000000"), len;
	const uint8_t *rp = fdt_getprop(dtb, node, "reg", &len);
	fdt64_t r[4]; /* properties are only 4-byte aligned */

	assert_int_equal(len, 32);
	memcpy(r, rp, sizeof(r));
	assert_true(fdt64_to_cpu(r[0]) == fk.dev[0].dev_addr);
	assert_true(fdt64_to_cpu(r[1]) == fk.dev[0].dev_reg_size);
	assert_true(fdt64_to_cpu(r[2]) == fk.dev[1].dev_addr);
	assert_true(fdt64_to_cpu(r[3]) == fk.dev[1].dev_reg_size * 2);
	assert_string_equal(fdt_getprop(dtb, fdt_path_offset(dtb, "/chosen"), "bootargs", NULL),
			    "console=ttyAMA0");
	/* Boot registers of vCPU 0. */
	assert_true(reg(GZVM_REG_CORE_X(0)) == fk.dtb.dtb_addr);
	assert_true(reg(GZVM_REG_CORE_X(1)) == 0);
	assert_true(reg(GZVM_REG_CORE_PC) == VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET);
	assert_true(reg(GZVM_REG_CORE_PSTATE) == VMM_PSTATE_EL1H_DAIF);
	assert_memory_equal(gpa(VMM_RAM_BASE + VMM_RAW_LOAD_OFFSET), "\x1f\x20\x03\xd5", 4);
	/* One wildcard ioeventfd and one irqfd per transport. */
	assert_int_equal(fk.nioev, 2);
	for (unsigned i = 0; i < fk.nioev; i++) {
		assert_int_equal(fk.ioev[i].len, 4);
		assert_int_equal(fk.ioev[i].flags, 0);
		assert_true((fk.ioev[i].addr & 0x1ff) == VIRTIO_MMIO_QUEUE_NOTIFY);
	}
	assert_int_equal(fk.nirqfd, 2);
	assert_int_equal(fk.irqfd[0].gsi, VMM_VIRTIO_SPI_BASE);
	assert_int_equal(fk.irqfd[1].gsi, VMM_VIRTIO_SPI_BASE + 1);
	/* The scripted guest: UART output, FR value, rng request completed with an irqfd. */
	fd = open(cpath, O_RDONLY);
	assert_int_equal(read(fd, out, sizeof(out)), 3);
	close(fd);
	assert_string_equal(out, "ok\n");
	assert_int_equal(fk.fr_seen, PL011_FR_TXFE | PL011_FR_RXFE);
	assert_true(fk.irq_seen);
	assert_int_equal(fk.used_seen, 1);
	assert_true(fk.hvc_answered);
	assert_int_equal(vm.vcpus[0].exits[GZVM_EXIT_MMIO - GZVM_EXIT_UNKNOWN], fk.nsteps);
	assert_int_equal(vm.vcpus[0].exits[GZVM_EXIT_IDLE - GZVM_EXIT_UNKNOWN], 1);
	/* The scratch device reads back what was written; an access past its end is nothing. */
	assert_int_equal(fk.testdev_seen, 0x2233);
	/* Transport 5 is empty: magic, version 2, device 0. */
	assert_int_equal(fk.empty_seen[0], VIRTIO_MMIO_MAGIC);
	assert_int_equal(fk.empty_seen[1], 2);
	assert_int_equal(fk.empty_seen[2], 0);
	assert_int_equal(atomic_load(&vm.mmio_unhandled), 2);
	assert_int_equal(vm.vdevs[1]->vd.stats.chains, 1);
	/* --stats output names every device. */
	char *buf = NULL;
	size_t blen = 0;
	FILE *ms = open_memstream(&buf, &blen);

	vmm_vm_print_stats(&vm, ms);
	fclose(ms);
	assert_non_null(strstr(buf, "mmio=23"));
	assert_non_null(strstr(buf, "system_event=2"));
	assert_non_null(strstr(buf, "hypercall=1"));
	assert_non_null(strstr(buf, "virtio-rng@a000200"));
	assert_non_null(strstr(buf, "chains=1"));
	assert_non_null(strstr(buf, "tx_bytes=3"));
	free(buf);
	vmm_vm_teardown(&vm);
}

static void test_endings(void **state)
{
	static const struct {
		enum ending e;
		int status;
	} cases[] = {
	    {END_RESET, VMM_EXIT_RESET},
	    {END_CRASH, VMM_EXIT_CRASH},
	    {END_EXCEPTION, VMM_EXIT_CRASH},
	    {END_RUN_ERROR, VMM_EXIT_ERROR},
	    {END_SIGTERM, VMM_EXIT_SIGNAL_BASE + SIGTERM},
	    {END_SERROR, VMM_EXIT_CRASH},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct vmm_config cfg;
		static struct vmm_vm vm;
		int rc = run_case(cases[i].e, i % 2 ? 3 : 1, &cfg, &vm);

		if (rc != cases[i].status)
			fail_msg("case %zu: status %d, want %d", i, rc, cases[i].status);
		vmm_vm_teardown(&vm);
	}
}

static void test_setup_errors(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;
	enum vmm_cli_action act;
	char err[256];
	char *argv[] = {"gzvmm", "run", "--kernel", "/nonexistent", NULL};
	char *argv2[] = {"gzvmm", "run", "--kernel", kpath, "--disk", "/nonexistent", NULL};
	char *argv3[] = {"gzvmm", "run", "--kernel", kpath, "--dtb", kpath, NULL};

	(void)state;
	assert_int_equal(vmm_cli_parse(4, argv, &cfg, &act, err, sizeof(err)), 0);
	assert_int_equal(vmm_vm_setup(&vm, &cfg, &fake_ops), VMM_EXIT_USAGE);
	vmm_vm_teardown(&vm);
	assert_int_equal(vmm_cli_parse(6, argv2, &cfg, &act, err, sizeof(err)), 0);
	assert_int_equal(vmm_vm_setup(&vm, &cfg, &fake_ops), VMM_EXIT_USAGE);
	vmm_vm_teardown(&vm);
	assert_int_equal(vmm_cli_parse(6, argv3, &cfg, &act, err, sizeof(err)), 0);
	assert_int_equal(vmm_vm_setup(&vm, &cfg, &fake_ops), VMM_EXIT_USAGE);
	vmm_vm_teardown(&vm);
}

static void test_fallbacks_without_eventfds(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;

	(void)state;
	reset_fake(END_OFF, 1);
	fk.no_eventfds = true;
	assert_int_equal(setup_case(1, NULL, &cfg, &vm), 0);
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
	assert_int_equal(fk.nioev, 0);
	assert_int_equal(fk.used_seen, 1);
	assert_true(fk.irq_seen);
	assert_false(vm.vdevs[1]->ioeventfd);
	assert_false(vm.vdevs[1]->irqfd);
	vmm_vm_teardown(&vm);
}

static void test_ioctl_failures(void **state)
{
	static const unsigned long reqs[] = {GZVM_CREATE_VM,
					     GZVM_SET_USER_MEMORY_REGION,
					     GZVM_CREATE_DEVICE,
					     GZVM_CREATE_VCPU,
					     GZVM_SET_DTB_CONFIG,
					     GZVM_SET_ONE_REG,
					     1,
					     2};
	(void)state;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		static struct vmm_config cfg;
		static struct vmm_vm vm;

		reset_fake(END_OFF, 2);
		fk.fail_req = reqs[i];
		fk.fail_open = reqs[i] == 1;
		fk.fail_ram = reqs[i] == 2;
		if (setup_case(2, NULL, &cfg, &vm) != VMM_EXIT_ERROR)
			fail_msg("case %zu: setup did not fail", i);
		vmm_vm_teardown(&vm);
	}
}

/* A protected VM of 32 MiB or more: the last 4 MiB of its RAM are the bounce pool's memslot
 * (STATIC_SWIOTLB), the rest slot 0, and its transports offer ACCESS_PLATFORM; a smaller one
 * has no pool; a refused pool slot ends the set-up. */
static void test_protected_bounce_pool(void **state)
{
	static const char *const prot[] = {"--protected", NULL};
	static struct vmm_config cfg;
	static struct vmm_vm vm;

	(void)state;
	reset_fake(END_OFF, 1);
	mem_arg = "64M";
	assert_int_equal(setup_case(1, prot, &cfg, &vm), 0);
	assert_int_equal(fk.nregions, 2);
	assert_int_equal(fk.regions[0].slot, 0);
	assert_int_equal(fk.regions[0].memory_size, 60ULL << 20);
	assert_int_equal(fk.regions[1].slot, VMM_SWIOTLB_SLOT);
	assert_int_equal(fk.regions[1].flags, GZVM_USER_MEM_REGION_STATIC_SWIOTLB);
	assert_int_equal(fk.regions[1].guest_phys_addr, VMM_RAM_BASE + (60ULL << 20));
	assert_int_equal(fk.regions[1].memory_size, VMM_SWIOTLB_SIZE);
	assert_int_equal(fk.regions[1].userspace_addr,
			 fk.regions[0].userspace_addr + (60ULL << 20));
	assert_true(vm.nvdevs > 0 && vm.vdevs[0]->vd.access_platform);
	vmm_vm_teardown(&vm);

	reset_fake(END_OFF, 1);
	mem_arg = "16M";
	assert_int_equal(setup_case(1, prot, &cfg, &vm), 0);
	assert_int_equal(fk.nregions, 1);
	assert_int_equal(fk.regions[0].memory_size, 16ULL << 20);
	vmm_vm_teardown(&vm);

	reset_fake(END_OFF, 1);
	mem_arg = "64M";
	fk.fail_pool = true;
	assert_int_equal(setup_case(1, prot, &cfg, &vm), VMM_EXIT_ERROR);
	vmm_vm_teardown(&vm);
	mem_arg = "16M";
}

/* A limit the hypervisor enforces (ENOSPC) is named in gzvmm's one line: the VM limit at
 * CREATE_VM (asked with CHECK_EXTENSION), the VM's quota of hypervisor memory elsewhere
 * (asked with ENABLE_CAP), which --hyp-mem sets right after CREATE_VM. */
static void test_limit_messages(void **state)
{
	static const char *const quota_opt[] = {"--hyp-mem", "64K", NULL};
	static const struct {
		unsigned long req;
		const char *const *extra;
		const char *msg;
	} cases[] = {
	    {GZVM_CREATE_VM, NULL,
	     "gzvmm: GZVM_CREATE_VM: the hypervisor's VM limit (64) is reached\n"},
	    {GZVM_CREATE_VCPU, quota_opt,
	     "gzvmm: GZVM_CREATE_VCPU: the VM's quota of hypervisor memory (64 KiB, --hyp-mem) is "
	     "reached\n"},
	    {GZVM_SET_USER_MEMORY_REGION, NULL,
	     "gzvmm: GZVM_SET_USER_MEMORY_REGION: the VM's quota of hypervisor memory (18432 KiB, "
	     "--hyp-mem) is reached\n"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct vmm_config cfg;
		static struct vmm_vm vm;
		char path[] = "/tmp/gzvmm-err-XXXXXX", got[512] = "";
		int fd = mkstemp(path), saved = dup(2);
		ssize_t n;

		assert_true(fd >= 0 && saved >= 0);
		reset_fake(END_OFF, 1);
		fk.fail_req = cases[i].req;
		fk.fail_errno = ENOSPC;
		fflush(stderr);
		dup2(fd, 2);
		assert_int_equal(setup_case(1, cases[i].extra, &cfg, &vm), VMM_EXIT_ERROR);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		n = pread(fd, got, sizeof(got) - 1, 0);
		assert_true(n > 0);
		assert_string_equal(got, cases[i].msg);
		if (cases[i].extra)
			assert_int_equal(fk.quota_set, 16);
		close(fd);
		unlink(path);
		vmm_vm_teardown(&vm);
	}
}

/* stdin replaced by a pipe holding "xyz": it reaches the PL011, or the virtio-console. */
static void test_stdin_input(void **state)
{
	static const char *const to_uart[] = {"--input", "pl011", NULL};
	static const char *const to_vcon[] = {"--input", "virtio", NULL};
	const char *const *cases[] = {to_uart, to_vcon};

	(void)state;
	for (unsigned c = 0; c < 2; c++) {
		static struct vmm_config cfg;
		static struct vmm_vm vm;
		int p[2], saved = dup(0);

		assert_int_equal(pipe(p), 0);
		assert_int_equal(write(p[1], "xyz", 3), 3);
		close(p[1]);
		dup2(p[0], 0);
		close(p[0]);
		reset_fake(END_OFF, 1);
		fk.wait_input = true;
		assert_int_equal(setup_case(1, cases[c], &cfg, &vm), 0);
		assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
		dup2(saved, 0);
		close(saved);
		if (c == 0)
			assert_int_equal(vm.uart.m.fifo_count + vm.uart.m.backlog_len, 3);
		else
			assert_int_equal(vm.vcon->u.vcon.in_len, 3);
		vmm_vm_teardown(&vm);
	}
}

/* More input than the PL011 holds: stdin leaves the epoll set while it is full and comes
 * back as the guest reads, and every byte arrives in order. */
static void test_stdin_backpressure(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;
	static const char *const to_uart[] = {"--input", "pl011", NULL};
	static uint8_t data[3 * GZDEV_PL011_BACKLOG];
	int p[2], saved = dup(0);

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], data, sizeof(data)), (ssize_t)sizeof(data));
	close(p[1]);
	dup2(p[0], 0);
	close(p[0]);
	reset_fake(END_OFF, 1);
	fk.drain = sizeof(data);
	assert_int_equal(setup_case(1, to_uart, &cfg, &vm), 0);
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
	dup2(saved, 0);
	close(saved);
	assert_int_equal(fk.drained, sizeof(data));
	vmm_vm_teardown(&vm);
}

/* Disks, an initrd and --dump-dtb; then the dumped blob given back with --dtb. */
static void test_disks_initrd_and_user_dtb(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;
	char disk[] = "/tmp/gzvmm-vmdisk-XXXXXX", dtb[] = "/tmp/gzvmm-vmdtb-XXXXXX";
	char dspec[64], *buf = NULL;
	size_t blen = 0;
	int fd = mkstemp(disk);
	static char zeros[4096];

	(void)state;
	assert_int_equal(write(fd, zeros, sizeof(zeros)), (ssize_t)sizeof(zeros));
	close(fd);
	close(mkstemp(dtb));
	snprintf(dspec, sizeof(dspec), "%s,ro", disk);
	const char *const extra[] = {"--disk",		 disk,	"--disk",     dspec,
				     "--initrd",	 kpath, "--dump-dtb", dtb,
				     "--virtio-version", "1",	NULL};

	reset_fake(END_OFF, 1);
	/* Transports: two disks, console, rng: rng is transport 3 now. */
	for (unsigned i = 0; i < fk.nsteps; i++)
		if (fk.steps[i].addr >= RNG && fk.steps[i].addr < RNG + VMM_VIRTIO_STRIDE)
			fk.steps[i].addr += 2 * VMM_VIRTIO_STRIDE;
	fk.nsteps--; /* legacy transport: skip the modern queue setup, stop before the ring */
	assert_int_equal(setup_case(1, extra, &cfg, &vm), 0);
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
	assert_true(vm.boot.initrd_size == 64);
	assert_int_equal(vm.nvdevs, 4);
	assert_true(vm.vdevs[1]->u.blk.ro);
	FILE *ms = open_memstream(&buf, &blen);

	vmm_vm_print_stats(&vm, ms);
	fclose(ms);
	assert_non_null(strstr(buf, "virtio-blk@a000000"));
	assert_non_null(strstr(buf, "virtio-blk@a000200"));
	assert_non_null(strstr(buf, "virtio-console@a000400"));
	free(buf);
	vmm_vm_teardown(&vm);

	/* The dumped DTB, given back, is what the guest gets. */
	const char *const extra2[] = {"--dtb", dtb, NULL};

	reset_fake(END_OFF, 1);
	fk.nsteps = 3;
	assert_int_equal(setup_case(1, extra2, &cfg, &vm), 0);
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
	const void *blob = gpa(fk.dtb.dtb_addr);

	assert_int_equal(fdt_check_header(blob), 0);
	assert_non_null(
	    fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "linux,initrd-start", NULL));
	vmm_vm_teardown(&vm);
	unlink(disk);
	unlink(dtb);
}

/* An access to nothing becomes a synchronous external abort (QEMU virt's behaviour) in one
 * RUN: gzvmm sets the run page's MMIO completion (an opengz extension) and reads or writes no
 * register; with --unassigned zero the access completes as reads-as-zero/writes-ignored. */
static void test_abort_injection(void **state)
{
	static const char *const opts[2][6] = {
	    {"--append", "console=ttyAMA0", "--testdev", NULL},
	    {"--append", "console=ttyAMA0", "--testdev", "--unassigned", "zero", NULL},
	};
	static struct vmm_config cfg;
	static struct vmm_vm vm;

	(void)state;
	for (unsigned zero = 0; zero < 2; zero++) {
		unsigned boot_regs;

		reset_fake(END_OFF, 1);
		assert_int_equal(setup_case(1, opts[zero], &cfg, &vm), 0);
		boot_regs = fk.nregs;
		assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
		for (unsigned i = 0; i < fk.nsteps; i++) {
			/* the two accesses of the script no device claims */
			bool nothing =
			    fk.steps[i].addr == 0x0c000000 ||
			    fk.steps[i].addr == GZDEV_TESTDEV_BASE + GZDEV_TESTDEV_SIZE - 4;
			uint8_t want = nothing && !zero ? GZVM_MMIO_COMPLETE_EXT_ABORT
							: GZVM_MMIO_COMPLETE_DATA;

			if (fk.completion_seen[i] != want)
				fail_msg("zero %u step %u: completion %u, want %u", zero, i,
					 fk.completion_seen[i], want);
		}
		assert_int_equal(atomic_load(&vm.mmio_unhandled), 2);
		assert_int_equal(atomic_load(&vm.aborts_injected), zero ? 0 : 2);
		assert_int_equal(fk.get_regs, 0);
		assert_int_equal(fk.nregs, boot_regs);
		vmm_vm_teardown(&vm);
	}
}

/* A load or store without a syndrome outside RAM (INTERNAL_ERROR, MMIO_NO_ISV) cannot be
 * emulated: the guest takes an external abort (QEMU's answer to KVM_EXIT_ARM_NISV), asked for
 * with the run page's completion field, and goes on; the exit's data stay as they were. */
static void test_no_syndrome_abort(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;

	(void)state;
	reset_fake(END_NO_ISV, 1);
	fk.nsteps = 0; /* no MMIO script: the only abort is this one */
	assert_int_equal(setup_case(1, NULL, &cfg, &vm), 0);
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
	assert_int_equal(atomic_load(&vm.aborts_injected), 1);
	assert_int_equal(fk.no_isv_completion, GZVM_MMIO_COMPLETE_EXT_ABORT);
	for (unsigned i = 0; i < 4; i++)
		assert_true(fk.no_isv_data[i] == fk_no_isv_data[i]);
	assert_int_equal(fk.get_regs, 0);
	assert_int_equal(vm.vcpus[0].exits[GZVM_EXIT_INTERNAL_ERROR - GZVM_EXIT_UNKNOWN], 1);
	vmm_vm_teardown(&vm);
}

/* SIGTERM presses virt's power key: the PL061 raises its line (the guest enabled both
 * edges of line 3), the guest powers off, status 0, and 100 ms later the key is up again. */
static void test_power_key_shutdown(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;
	static const char *const extra[] = {"--stop-timeout", "5", NULL};

	(void)state;
	reset_fake(END_POWER_KEY, 1);
	fk.nsteps = 0;
	fk.steps[fk.nsteps++] = (struct step){VMM_GPIO_BASE + GZDEV_PL061_IBE, 0x08, true, 4};
	fk.steps[fk.nsteps++] = (struct step){VMM_GPIO_BASE + GZDEV_PL061_IE, 0x08, true, 4};
	fk.steps[fk.nsteps++] = (struct step){VMM_GPIO_BASE + (0x08 << 2), 0, false, 4};
	assert_int_equal(setup_case(1, extra, &cfg, &vm), 0);
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
	assert_true(fk.gpio_raised);
	assert_int_equal(fk.read_vals[2], 0); /* the key was up before */
	assert_int_equal(vm.gpio.presses, 1);
	assert_int_equal(vm.gpio.m.in, 1U << VMM_GPIO_POWER_LINE);
	usleep(150 * 1000);
	vmm_gpio_key_timer(&vm.gpio);
	assert_int_equal(vm.gpio.m.in, 0);
	assert_int_equal(vm.gpio.m.edges, 2);
	vmm_vm_teardown(&vm);
}

/* A guest that ignores the power key is stopped --stop-timeout seconds later (status 143). */
static void test_stop_timeout(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;
	static const char *const extra[] = {"--stop-timeout", "1", NULL};
	struct timespec t0, t1;
	double s;

	(void)state;
	reset_fake(END_SIGTERM, 1);
	assert_int_equal(setup_case(1, extra, &cfg, &vm), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_SIGNAL_BASE + SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(s >= 0.9 && s < 10);
	assert_int_equal(vm.gpio.presses, 1);
	vmm_vm_teardown(&vm);
}

#define BANK1	VMM_FLASH_BANK_SIZE
#define DUAL(c) ((uint32_t)(c)*0x10001U)

static char fwpath[] = "/tmp/gzvmm-fw-XXXXXX";
static char varspath[] = "/tmp/gzvmm-vars-XXXXXX";

static int setup_firmware(struct vmm_config *cfg, struct vmm_vm *vm)
{
	enum vmm_cli_action act;
	char err[256], con[64];
	char *argv[] = {"gzvmm",	  "run",   "--bios", fwpath,	  "--bios-vars",
			varspath,	  "--mem", "16M",    "--console", con,
			"--stop-timeout", "0",	   NULL};
	int fd;

	strcpy(fwpath, "/tmp/gzvmm-fw-XXXXXX");
	strcpy(varspath, "/tmp/gzvmm-vars-XXXXXX");
	fd = mkstemp(fwpath);
	assert_int_equal(write(fd, "firmware", 8), 8);
	close(fd);
	fd = mkstemp(varspath);
	assert_int_equal(ftruncate(fd, VMM_FLASH_BANK_SIZE), 0);
	close(fd);
	snprintf(con, sizeof(con), "file:%s", cpath);
	assert_int_equal(vmm_cli_parse(12, argv, cfg, &act, err, sizeof(err)), 0);
	fk.vm = vm;
	return vmm_vm_setup(vm, cfg, &fake_ops);
}

static uint32_t vars_word(uint64_t off)
{
	uint32_t v = 0;
	int fd = open(varspath, O_RDONLY);

	assert_int_equal(pread(fd, &v, 4, (off_t)off), 4);
	close(fd);
	return v;
}

/* --bios: both banks registered read-only, the DTB at the start of RAM, the vCPU at the reset
 * vector; commands switch a bank out of memory and back; program and erase reach the
 * variable store's file; a read that finds its bank back in memory runs again; the firmware
 * bank refuses to be programmed. */
static void test_firmware_flash(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;
	const uint32_t ro = GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_READONLY;

	(void)state;
	reset_fake(END_OFF, 1);
	fk.nsteps = 0;
	add(BANK1 + 0x154, true, DUAL(0x98));	/* 0: CFI query: bank 1 out of memory */
	add(BANK1 + 0x40, false, 0);		/* 1: "Q" from both chips */
	add(BANK1, true, DUAL(0xff));		/* 2: read array: back in memory */
	add(BANK1 + 0x40000, true, DUAL(0x20)); /* 3: erase block 1 */
	add(BANK1 + 0x40000, true, DUAL(0xd0)); /* 4 */
	add(BANK1 + 0x40010, true, DUAL(0x40)); /* 5: program a word */
	add(BANK1 + 0x40010, true, 0x12345678); /* 6 */
	add(BANK1, false, 0);			/* 7: status: ready */
	add(BANK1, true, DUAL(0xff));		/* 8: back in memory */
	add(BANK1 + 0x40010, false, 0);		/* 9: a read racing the return */
	add(VMM_FLASH_BASE, true, DUAL(0x40));	/* 10: program the firmware bank */
	add(VMM_FLASH_BASE, true, 0);		/* 11 */
	add(VMM_FLASH_BASE, false, 0);		/* 12: status: program error, locked */
	add(VMM_FLASH_BASE, true, DUAL(0xff));	/* 13 */
	assert_int_equal(setup_firmware(&cfg, &vm), 0);
	/* RAM in slot 0, then the banks, read-only, over their memory */
	assert_int_equal(fk.nregions, 3);
	for (unsigned i = 1; i < 3; i++) {
		assert_int_equal(fk.regions[i].slot, VMM_FLASH_SLOT + i - 1);
		assert_int_equal(fk.regions[i].flags, ro);
		assert_true(fk.regions[i].guest_phys_addr == (i - 1) * VMM_FLASH_BANK_SIZE);
		assert_true(fk.regions[i].memory_size == VMM_FLASH_BANK_SIZE);
	}
	assert_memory_equal((void *)(uintptr_t)fk.regions[1].userspace_addr, "firmware", 8);
	assert_true(fk.dtb.dtb_addr == VMM_RAM_BASE);
	assert_int_equal(fdt_check_header(gpa(VMM_RAM_BASE)), 0);
	assert_true(fdt_path_offset(gpa(VMM_RAM_BASE), "/flash@0") >= 0);
	assert_true(reg(GZVM_REG_CORE_PC) == VMM_FLASH_BASE);
	assert_true(reg(GZVM_REG_CORE_X(0)) == 0);

	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
	assert_int_equal(fk.read_vals[1], DUAL('Q'));
	assert_int_equal(fk.read_vals[7], DUAL(0x80));
	assert_int_equal(fk.read_vals[9], 0x12345678);
	assert_int_equal(fk.read_vals[12], DUAL(0x80 | 0x10 | 0x02));
	/* query out, array back, erase out, array back, out and back for the racing read; bank 0
	 * out and back */
	static const struct {
		unsigned slot;
		bool map;
	} seq[] = {{2, false}, {2, true}, {2, false}, {2, true},
		   {2, false}, {2, true}, {1, false}, {1, true}};
	assert_int_equal(fk.nregions, 3 + 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(fk.regions[3 + i].slot, seq[i].slot);
		assert_int_equal(fk.regions[3 + i].memory_size != 0, seq[i].map);
	}
	assert_int_equal(vm.flash.bank[1].races, 1);
	assert_int_equal(fk.get_regs, 0);
	/* the variable store's file */
	assert_int_equal(vars_word(0x40010), 0x12345678);
	assert_int_equal(vars_word(0x40014), 0xffffffff);
	assert_int_equal(vars_word(0x7fffc), 0xffffffff);
	assert_int_equal(vars_word(0x3fffc), 0);
	assert_int_equal(vm.flash.bank[0].m.programs, 0);
	vmm_vm_teardown(&vm);
	unlink(fwpath);
	unlink(varspath);
}

/* A guest reset, restarted in place: a new VM with fresh RAM and the device tree again,
 * the flash banks registered again with the variable store's contents kept. */
static void test_reboot_in_place(void **state)
{
	static struct vmm_config cfg;
	static struct vmm_vm vm;
	uint8_t *ram;

	(void)state;
	reset_fake(END_RESET, 1);
	fk.nsteps = 0;
	add(BANK1, true, DUAL(0x20));
	add(BANK1, true, DUAL(0xd0));
	add(BANK1, true, DUAL(0x40));
	add(BANK1 + 8, true, 0xabcd0000);
	add(BANK1, true, DUAL(0xff));
	assert_int_equal(setup_firmware(&cfg, &vm), 0);
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_RESET);
	ram = fk.ram;
	memset(ram + 0x1000, 0x5a, 16);
	fk.nregions = 0;
	fk.nregs = 0;
	fk.nvcpus = 0;
	fk.ndev = 0;
	fk.ending = END_OFF;
	fk.nsteps = fk.pc = 0;
	assert_int_equal(vmm_vm_reboot(&vm), 0);
	assert_int_equal(fk.ncreate_vm, 2);
	assert_int_equal(vm.reboots, 1);
	/* bank memslots left the old VM first; RAM, then both banks again in the new one */
	assert_int_equal(fk.nregions, 2 + 3);
	assert_true(fk.regions[0].memory_size == 0 && fk.regions[1].memory_size == 0);
	assert_int_equal(fk.regions[2].slot, 0);
	assert_int_equal(fk.regions[4].slot, VMM_FLASH_SLOT + 1);
	assert_true(fk.regions[4].memory_size == VMM_FLASH_BANK_SIZE);
	assert_int_equal(((uint8_t *)fk.ram)[0x1000], 0);
	assert_int_equal(fdt_check_header(gpa(VMM_RAM_BASE)), 0);
	assert_int_equal(fk.nvcpus, 1);
	assert_true(reg(GZVM_REG_CORE_PC) == VMM_FLASH_BASE);
	assert_int_equal(*(uint32_t *)(vm.flash.bank[1].mem + 8), 0xabcd0000);
	assert_true(gzdev_cfi_array_mode(&vm.flash.bank[1].m));
	assert_int_equal(vmm_vm_run(&vm), VMM_EXIT_POWEROFF);
	vmm_vm_teardown(&vm);
	unlink(fwpath);
	unlink(varspath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_setup_and_poweroff),
	    cmocka_unit_test(test_endings),
	    cmocka_unit_test(test_setup_errors),
	    cmocka_unit_test(test_fallbacks_without_eventfds),
	    cmocka_unit_test(test_ioctl_failures),
	    cmocka_unit_test(test_protected_bounce_pool),
	    cmocka_unit_test(test_limit_messages),
	    cmocka_unit_test(test_stdin_input),
	    cmocka_unit_test(test_disks_initrd_and_user_dtb),
	    cmocka_unit_test(test_abort_injection),
	    cmocka_unit_test(test_no_syndrome_abort),
	    cmocka_unit_test(test_power_key_shutdown),
	    cmocka_unit_test(test_stop_timeout),
	    cmocka_unit_test(test_firmware_flash),
	    cmocka_unit_test(test_reboot_in_place),
	    cmocka_unit_test(test_stdin_backpressure),
	};
	return cmocka_run_group_tests(tests, global_setup, global_teardown);
}
