/* kvmvmm: the smallest VMM for KVM that runs the benchmark guest and a Linux guest on the
 * QEMU virt memory map, so the KVM column of bench/vs-kvm measures KVM and not a large VMM.
 * One VM, up to 8 vCPUs (PSCI 0.2 in the kernel, secondaries powered off), the in-kernel
 * vGICv3, RAM at 1 GiB, a write-only PL011 console and a plain MMIO register file at
 * 0x0b000000 served from user space, SYSTEM_OFF/RESET ending the run.
 *
 *   kvmvmm --kernel FILE [--initrd FILE --dtb FILE] [--cpus N] [--mem MiB]
 *          [--marker STRING] [--timeout SECONDS]
 *
 * An arm64 Linux Image (header magic) is placed at RAM base + text_offset with x0 = DTB;
 * anything else is a raw image for RAM base + 0x80000. The DTB goes to RAM + 128 MiB and
 * the initrd right after it (the DTB's /chosen must say so: the VMM does not edit it).
 * With --marker, the first console line holding STRING prints
 * "kvmvmm: marker <ms> ms" (from the VMM's start). Static aarch64 build, no libraries. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RAM_BASE	  0x40000000ULL
#define RAW_LOAD_OFFSET	  0x80000ULL
#define DTB_OFFSET	  (128ULL << 20)
#define INITRD_OFFSET	  (DTB_OFFSET + (2ULL << 20))
#define GICD_BASE	  0x08000000ULL
#define GICR_BASE	  0x080A0000ULL
#define UART_BASE	  0x09000000ULL
#define UART_SIZE	  0x1000ULL
#define TESTDEV_BASE	  0x0b000000ULL
#define TESTDEV_SIZE	  0x100ULL
#define MAX_CPUS	  8
#define ARM64_IMAGE_MAGIC 0x644d5241U /* "ARM\x64" at offset 56 */

/* PL011 registers the console needs to answer. */
#define UART_DR	     0x000
#define UART_FR	     0x018
#define UART_FR_TXFE (1U << 7)
#define UART_FR_RXFE (1U << 4)
#define UART_PID0    0xfe0

struct vm {
	int kvm, fd, gic;
	int ncpus;
	uint64_t mem_size;
	uint8_t *mem;
	uint64_t entry, x0;
	struct kvm_run *run[MAX_CPUS];
	int vcpu[MAX_CPUS];
	size_t run_size;
	pthread_mutex_t lock; /* console line and test device */
	char line[1024];
	size_t line_len;
	const char *marker;
	int marker_seen;
	uint8_t testdev[TESTDEV_SIZE];
};

static struct timespec t_start;

static double ms_since_start(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t_start.tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t_start.tv_nsec) / 1e6;
}

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("kvmvmm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno)
		fprintf(stderr, " (%s)", strerror(errno));
	fputc('\n', stderr);
	exit(1);
}

static void xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	errno = 0;
	if (ioctl(fd, req, arg) < 0)
		die("%s failed", what);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t off = 0;
	int fd;

	errno = 0;
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("cannot open %s", path);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		die("out of memory for %s", path);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n <= 0)
			die("cannot read %s", path);
		off += (size_t)n;
	}
	close(fd);
	*len = off;
	return buf;
}

static void load(struct vm *vm, uint64_t gpa, const uint8_t *data, size_t len, const char *what)
{
	if (gpa < RAM_BASE || gpa - RAM_BASE > vm->mem_size ||
	    len > vm->mem_size - (gpa - RAM_BASE))
		die("%s (%zu bytes at 0x%llx) does not fit in guest RAM", what, len,
		    (unsigned long long)gpa);
	memcpy(vm->mem + (gpa - RAM_BASE), data, len);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void load_images(struct vm *vm, const char *kernel, const char *initrd, const char *dtb)
{
	size_t klen, len;
	uint8_t *k = read_file(kernel, &klen);

	if (klen >= 64 && le32(k + 56) == ARM64_IMAGE_MAGIC) {
		uint64_t text_offset = le64(k + 8);

		vm->entry = RAM_BASE + text_offset;
		load(vm, vm->entry, k, klen, "kernel");
	} else {
		vm->entry = RAM_BASE + RAW_LOAD_OFFSET;
		load(vm, vm->entry, k, klen, "kernel");
	}
	free(k);
	if (dtb) {
		uint8_t *d = read_file(dtb, &len);

		if (len > (2ULL << 20))
			die("%s: a DTB is at most 2 MiB", dtb);
		load(vm, RAM_BASE + DTB_OFFSET, d, len, "dtb");
		vm->x0 = RAM_BASE + DTB_OFFSET;
		free(d);
	}
	if (initrd) {
		uint8_t *r = read_file(initrd, &len);

		load(vm, RAM_BASE + INITRD_OFFSET, r, len, "initrd");
		free(r);
	}
}

/* ---- devices ---- */
static void console_putc(struct vm *vm, char c)
{
	if (c == '\r')
		return;
	if (c != '\n' && vm->line_len < sizeof(vm->line) - 1) {
		vm->line[vm->line_len++] = c;
		return;
	}
	vm->line[vm->line_len] = '\0';
	if (vm->marker && !vm->marker_seen && strstr(vm->line, vm->marker)) {
		vm->marker_seen = 1;
		printf("%s\nkvmvmm: marker %.1f ms\n", vm->line, ms_since_start());
	} else {
		printf("%s\n", vm->line);
	}
	fflush(stdout);
	vm->line_len = 0;
	if (c != '\n')
		console_putc(vm, c);
}

static uint32_t uart_read(uint64_t off)
{
	static const uint8_t id[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

	if (off == UART_FR)
		return UART_FR_TXFE | UART_FR_RXFE;
	if (off >= UART_PID0 && off < UART_PID0 + 32 && !(off & 3))
		return id[(off - UART_PID0) / 4];
	return 0;
}

static void mmio(struct vm *vm, struct kvm_run *run)
{
	uint64_t a = run->mmio.phys_addr;
	uint32_t len = run->mmio.len;
	uint64_t v = 0;

	if (len > 8)
		len = 8;
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
	pthread_mutex_lock(&vm->lock);
	if (a >= UART_BASE && a < UART_BASE + UART_SIZE) {
		if (run->mmio.is_write) {
			if (a - UART_BASE == UART_DR)
				console_putc(vm, (char)run->mmio.data[0]);
		} else {
			v = uart_read(a - UART_BASE);
			memcpy(run->mmio.data, &v, len);
		}
	} else if (a >= TESTDEV_BASE && a - TESTDEV_BASE <= TESTDEV_SIZE - len) {
		if (run->mmio.is_write)
			memcpy(vm->testdev + (a - TESTDEV_BASE), run->mmio.data, len);
		else
			memcpy(run->mmio.data, vm->testdev + (a - TESTDEV_BASE), len);
	}
	/* Anything else: reads as zero, writes ignored (an unassigned bus). */
	pthread_mutex_unlock(&vm->lock);
}

static void finish(struct vm *vm, const char *why, int code)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->line_len)
		console_putc(vm, '\n');
	printf("kvmvmm: %s after %.1f ms\n", why, ms_since_start());
	fflush(stdout);
	_exit(code);
}

struct vcpu_arg {
	struct vm *vm;
	int id;
};

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *a = p;
	struct vm *vm = a->vm;
	struct kvm_run *run = vm->run[a->id];

	for (;;) {
		if (ioctl(vm->vcpu[a->id], KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN on vCPU %d failed", a->id);
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			mmio(vm, run);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
				finish(vm, "system off", 0);
			if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
				finish(vm, "system reset", 0);
			finish(vm, "system event (crash)", 2);
			break;
		case KVM_EXIT_INTR:
			break;
		default:
			fprintf(stderr, "kvmvmm: vCPU %d: unexpected exit reason %u\n", a->id,
				run->exit_reason);
			finish(vm, "unexpected exit", 3);
		}
	}
	return NULL;
}

static void set_reg(int vcpu, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&v};

	xioctl(vcpu, KVM_SET_ONE_REG, &r, "KVM_SET_ONE_REG");
}

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(x))

static void gic_attr(int fd, uint32_t group, uint64_t attr, void *addr, const char *what)
{
	struct kvm_device_attr a = {
	    .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)addr};

	xioctl(fd, KVM_SET_DEVICE_ATTR, &a, what);
}

static void create_vm(struct vm *vm)
{
	struct kvm_userspace_memory_region region;
	struct kvm_vcpu_init init;
	struct kvm_create_device dev = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
	uint64_t dist = GICD_BASE, redist = GICR_BASE;
	uint32_t nr_irqs = 96;
	int i, mmap_size;

	errno = 0;
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		die("cannot open /dev/kvm");
	if (ioctl(vm->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("KVM API version mismatch");
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM failed");

	region = (struct kvm_userspace_memory_region){
	    .slot = 0,
	    .guest_phys_addr = RAM_BASE,
	    .memory_size = vm->mem_size,
	    .userspace_addr = (uint64_t)(uintptr_t)vm->mem,
	};
	xioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region, "KVM_SET_USER_MEMORY_REGION");

	mmap_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE failed");
	vm->run_size = (size_t)mmap_size;
	xioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init, "KVM_ARM_PREFERRED_TARGET");
	for (i = 0; i < vm->ncpus; i++) {
		struct kvm_vcpu_init vi = init;

		vm->vcpu[i] = ioctl(vm->fd, KVM_CREATE_VCPU, i);
		if (vm->vcpu[i] < 0)
			die("KVM_CREATE_VCPU %d failed", i);
		vi.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
		if (i)
			vi.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
		xioctl(vm->vcpu[i], KVM_ARM_VCPU_INIT, &vi, "KVM_ARM_VCPU_INIT");
		vm->run[i] =
		    mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu[i], 0);
		if (vm->run[i] == MAP_FAILED)
			die("cannot map the run structure of vCPU %d", i);
	}
	set_reg(vm->vcpu[0], CORE_REG(regs.pc), vm->entry);
	set_reg(vm->vcpu[0], CORE_REG(regs.regs[0]), vm->x0);

	xioctl(vm->fd, KVM_CREATE_DEVICE, &dev, "KVM_CREATE_DEVICE (vGICv3)");
	vm->gic = (int)dev.fd;
	gic_attr(vm->gic, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist,
		 "vGIC distributor address");
	gic_attr(vm->gic, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
		 "vGIC redistributor address");
	gic_attr(vm->gic, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs, "vGIC interrupt count");
	gic_attr(vm->gic, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "vGIC init");
}

static void on_alarm(int sig)
{
	static const char msg[] = "kvmvmm: timeout\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(125);
	_exit(124);
}

static void usage(void)
{
	fputs("usage: kvmvmm --kernel FILE [--initrd FILE --dtb FILE] [--cpus N] [--mem MiB]\n"
	      "              [--marker STRING] [--timeout SECONDS]\n",
	      stderr);
	exit(2);
}

static long num_arg(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		errno = 0;
		die("invalid %s '%s' (%ld to %ld)", what, s, lo, hi);
	}
	return v;
}

int main(int argc, char **argv)
{
	static struct vm vm;
	static struct vcpu_arg args[MAX_CPUS];
	const char *kernel = NULL, *initrd = NULL, *dtb = NULL;
	pthread_t th[MAX_CPUS];
	long timeout = 0;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t_start);
	vm.ncpus = 1;
	vm.mem_size = 256ULL << 20;
	pthread_mutex_init(&vm.lock, NULL);
	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--help"))
			usage();
		if (!v)
			usage();
		if (!strcmp(o, "--kernel"))
			kernel = v;
		else if (!strcmp(o, "--initrd"))
			initrd = v;
		else if (!strcmp(o, "--dtb"))
			dtb = v;
		else if (!strcmp(o, "--cpus"))
			vm.ncpus = (int)num_arg(v, 1, MAX_CPUS, "--cpus");
		else if (!strcmp(o, "--mem"))
			vm.mem_size = (uint64_t)num_arg(v, 192, 3072, "--mem (MiB)") << 20;
		else if (!strcmp(o, "--marker"))
			vm.marker = v;
		else if (!strcmp(o, "--timeout"))
			timeout = num_arg(v, 1, 3600, "--timeout");
		else
			usage();
		i++;
	}
	if (!kernel || (initrd && !dtb))
		usage();
	if (timeout) {
		signal(SIGALRM, on_alarm);
		alarm((unsigned)timeout);
	}
	vm.mem_size &= ~((2ULL << 20) - 1);
	/* Guest RAM first (the images go straight into it), registered with KVM in create_vm. */
	errno = 0;
	vm.mem = mmap(NULL, vm.mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm.mem == MAP_FAILED)
		die("cannot map guest RAM");
	/* 4 KiB pages: the stage-2 fault-in figure is per page, as a demand-paged VM sees. */
	madvise(vm.mem, vm.mem_size, MADV_NOHUGEPAGE);
	load_images(&vm, kernel, initrd, dtb);
	create_vm(&vm);
	for (i = 0; i < vm.ncpus; i++) {
		args[i] = (struct vcpu_arg){.vm = &vm, .id = i};
		errno = 0;
		if (pthread_create(&th[i], NULL, vcpu_thread, &args[i]))
			die("cannot start the thread of vCPU %d", i);
	}
	for (i = 0; i < vm.ncpus; i++)
		pthread_join(th[i], NULL);
	return 0;
}
