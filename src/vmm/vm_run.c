/* Running a VM: one thread per vCPU issuing GZVM_RUN and serving MMIO exits; the main thread
 * runs an epoll loop that does all device work (queue notifications from ioeventfds, console
 * input) and handles SIGINT/SIGTERM through a signalfd. Stopping sets immediate_exit in every
 * run structure and kicks the vCPU threads out of RUN with a signal. */
#define _GNU_SOURCE /* pthread_tryjoin_np */
#include "vm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "guest_fault.h"
#include "layout.h"

#define EV_STOP	  0x100000000ULL
#define EV_SIGNAL 0x200000000ULL
#define EV_STDIN  0x300000000ULL
#define EV_QUEUE  0x400000000ULL /* | transport index */
#define EV_RTC	  0x500000000ULL
#define EV_KEY	  0x600000000ULL
#define EV_TERM	  0x700000000ULL /* --stop-timeout ran out */
#define EV_VSOCK  0x800000000ULL /* the virtio-vsock host sockets' epoll set */
#define EV_NET	  0x900000000ULL /* the TAP has frames */
#define EV_KIND	  0xf00000000ULL

static struct termios saved_tio;

const char *vmm_exit_reason_name(uint32_t reason)
{
	static const char *const names[VMM_NR_EXIT_REASONS] = {
	    "unknown", "mmio",	     "hypercall",      "irq",	       "exception",
	    "debug",   "fail_entry", "internal_error", "system_event", "shutdown",
	    "gz",      "idle",	     "(0xc)",	       "ipi",
	};
	uint32_t i = reason - GZVM_EXIT_UNKNOWN;

	return i < VMM_NR_EXIT_REASONS ? names[i] : "invalid";
}

void vmm_vm_stop(struct vmm_vm *vm, int status)
{
	bool expected = false;
	uint64_t one = 1;

	if (atomic_compare_exchange_strong(&vm->stopping, &expected, true)) {
		atomic_store(&vm->status, status);
		if (vm->stop_fd >= 0 && write(vm->stop_fd, &one, sizeof(one)) < 0)
			perror("gzvmm: stop");
	}
}

static uint64_t le_load(const uint8_t *d, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)d[i] << (8 * i);
	return v;
}

static void le_store(uint8_t *d, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		d[i] = (uint8_t)(v >> (8 * i));
}

/* An unpopulated virtio-mmio transport: magic and version, device ID 0 ("no device"). */
static uint64_t empty_transport(struct vmm_vm *vm, uint64_t off)
{
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return vm->cfg->virtio_version;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_VENDOR_ID;
	default:
		return 0;
	}
}

bool vmm_vm_mmio(struct vmm_vm *vm, uint64_t addr, uint8_t *data, unsigned size, bool is_write)
{
	uint64_t v = is_write ? le_load(data, size) : 0;
	bool claimed = true;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		atomic_fetch_add(&vm->mmio_unhandled, 1);
		return false;
	}
	if (addr >= VMM_UART_BASE && addr - VMM_UART_BASE < VMM_UART_SIZE) {
		if (is_write)
			pl011_write(&vm->uart, addr - VMM_UART_BASE, size, v);
		else
			v = pl011_read(&vm->uart, addr - VMM_UART_BASE, size);
	} else if (addr >= VMM_VIRTIO_BASE &&
		   addr - VMM_VIRTIO_BASE < (uint64_t)VMM_VIRTIO_MAX * VMM_VIRTIO_STRIDE) {
		uint64_t rel = addr - VMM_VIRTIO_BASE, off = rel % VMM_VIRTIO_STRIDE;
		unsigned idx = (unsigned)(rel / VMM_VIRTIO_STRIDE);

		if (idx < vm->nvdevs && is_write)
			vmm_virtio_mmio_write(&vm->vdevs[idx]->vd, off, size, v);
		else if (idx < vm->nvdevs)
			v = vmm_virtio_mmio_read(&vm->vdevs[idx]->vd, off, size);
		else if (!is_write && size == 4)
			v = empty_transport(vm, off); /* as QEMU virt: all 32 transports exist */
	} else if (addr >= VMM_RTC_BASE && addr - VMM_RTC_BASE < VMM_RTC_SIZE) {
		if (is_write)
			vmm_rtc_write(&vm->rtc, addr - VMM_RTC_BASE, size, v);
		else
			v = vmm_rtc_read(&vm->rtc, addr - VMM_RTC_BASE, size);
	} else if (addr >= VMM_GPIO_BASE && addr - VMM_GPIO_BASE < VMM_GPIO_SIZE) {
		if (is_write)
			vmm_gpio_write(&vm->gpio, addr - VMM_GPIO_BASE, size, v);
		else
			v = vmm_gpio_read(&vm->gpio, addr - VMM_GPIO_BASE, size);
	} else if (vm->cfg->testdev && addr >= GZDEV_TESTDEV_BASE &&
		   gzdev_testdev_claims(addr - GZDEV_TESTDEV_BASE, size)) {
		pthread_mutex_lock(&vm->testdev_lock);
		if (is_write)
			gzdev_testdev_write(&vm->testdev, addr - GZDEV_TESTDEV_BASE, size, v);
		else
			v = gzdev_testdev_read(&vm->testdev, addr - GZDEV_TESTDEV_BASE, size);
		pthread_mutex_unlock(&vm->testdev_lock);
	} else {
		/* Nothing there: reads as zero, writes ignored, unless the caller injects. */
		atomic_fetch_add(&vm->mmio_unhandled, 1);
		claimed = false;
	}
	if (!is_write)
		le_store(data, size, v);
	return claimed;
}

static void kick_handler(int sig)
{
	(void)sig;
}

/* The device an MMIO exit at addr is for, as --trace names it. */
static const char *mmio_device(struct vmm_vm *vm, uint64_t addr)
{
	if (vmm_flash_claims(vm, addr))
		return "flash";
	if (addr >= VMM_UART_BASE && addr - VMM_UART_BASE < VMM_UART_SIZE)
		return "pl011";
	if (addr >= VMM_VIRTIO_BASE &&
	    addr - VMM_VIRTIO_BASE < (uint64_t)VMM_VIRTIO_MAX * VMM_VIRTIO_STRIDE) {
		unsigned idx = (unsigned)((addr - VMM_VIRTIO_BASE) / VMM_VIRTIO_STRIDE);

		return idx < vm->nvdevs ? vm->vdevs[idx]->vd.ops->name : "virtio-none";
	}
	if (addr >= VMM_RTC_BASE && addr - VMM_RTC_BASE < VMM_RTC_SIZE)
		return "pl031";
	if (addr >= VMM_GPIO_BASE && addr - VMM_GPIO_BASE < VMM_GPIO_SIZE)
		return "pl061";
	if (vm->cfg->testdev && addr >= GZDEV_TESTDEV_BASE &&
	    gzdev_testdev_claims(addr - GZDEV_TESTDEV_BASE, 1))
		return "testdev";
	return "unassigned";
}

static bool handle_exit(struct vmm_vcpu *v)
{
	struct vmm_vm *vm = v->vm;
	struct gzvm_vcpu_run *run = v->run;
	uint32_t reason = run->exit_reason;
	uint32_t i = reason - GZVM_EXIT_UNKNOWN;

	v->exits[i < VMM_NR_EXIT_REASONS ? i : VMM_NR_EXIT_REASONS]++;
	if (vm->cfg->trace && vm->be.ops->trace_handled)
		vm->be.ops->trace_handled(
		    &vm->be, reason,
		    reason == GZVM_EXIT_MMIO ? mmio_device(vm, run->mmio.phys_addr) : NULL);
	switch (reason) {
	case GZVM_EXIT_MMIO:
		if (vmm_flash_claims(vm, run->mmio.phys_addr))
			return vmm_flash_mmio(vm, run->mmio.phys_addr, run->mmio.data,
					      (unsigned)run->mmio.size, run->mmio.is_write);
		if (!vmm_vm_mmio(vm, run->mmio.phys_addr, run->mmio.data, (unsigned)run->mmio.size,
				 run->mmio.is_write) &&
		    !vm->cfg->unassigned_zero) {
			/* As QEMU's virt does for unassigned addresses: the next RUN makes the
			 * access a synchronous external abort (opengz's MMIO completion,
			 * docs/abi.md; a GenieZone hypervisor ignores the field and the read
			 * returns zero). */
			run->mmio.completion = GZVM_MMIO_COMPLETE_EXT_ABORT;
			atomic_fetch_add(&vm->aborts_injected, 1);
		}
		return true;
	case GZVM_EXIT_HYPERCALL:
		if (vmm_pvmfw_hypercall(vm, run))
			return false;
		/* Nothing is forwarded to gzvmm on purpose: answer NOT_SUPPORTED (SMCCC -1). */
		run->hypercall.args[0] = (uint64_t)-1;
		return true;
	case GZVM_EXIT_IRQ:
	case GZVM_EXIT_GZ:
	case GZVM_EXIT_IDLE:
	case GZVM_EXIT_IPI:
		return true;
	case GZVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case GZVM_SYSTEM_EVENT_SHUTDOWN:
			vmm_vm_stop(vm, VMM_EXIT_POWEROFF);
			return false;
		case GZVM_SYSTEM_EVENT_RESET:
			vmm_vm_stop(vm, VMM_EXIT_RESET);
			return false;
		case GZVM_SYSTEM_EVENT_CRASH:
			fprintf(stderr, "gzvmm: vCPU %u: guest reported a crash\n", v->id);
			vmm_vm_stop(vm, VMM_EXIT_CRASH);
			return false;
		default:
			return true;
		}
	case GZVM_EXIT_EXCEPTION:
		/* A flash bank left memory between the fault and the driver's demand paging:
		 * the access, run again, is an MMIO exit now. */
		if (run->exception.exception == GZVM_EXCEPTION_PAGE_FAULT &&
		    vmm_flash_claims(vm, run->exception.fault_gpa))
			return true;
		fprintf(stderr, "gzvmm: vCPU %u: unhandled guest exception %u at 0x%llx\n", v->id,
			run->exception.exception, (unsigned long long)run->exception.fault_gpa);
		vmm_vm_stop(vm, VMM_EXIT_CRASH);
		return false;
	case GZVM_EXIT_INTERNAL_ERROR:
		/* A load or store nobody can emulate (no syndrome: a pair, a writeback form,
		 * SIMD) outside RAM: the guest gets the external abort QEMU gives it under KVM
		 * for KVM_EXIT_ARM_NISV, through the same completion field (it lies past this
		 * exit's data). Any other internal error ends the VM. */
		if (run->internal.suberror == GZVM_INTERNAL_MMIO_NO_ISV) {
			run->mmio.completion = GZVM_MMIO_COMPLETE_EXT_ABORT;
			atomic_fetch_add(&vm->aborts_injected, 1);
			return true;
		}
		/* fall through */
	default:
		fprintf(stderr, "gzvmm: vCPU %u: exit %s (0x%x)\n", v->id,
			vmm_exit_reason_name(reason), reason);
		vmm_vm_stop(vm, VMM_EXIT_CRASH);
		return false;
	}
}

/* --max-insns: the guest ran past its budget. Looked at after every exit that reaches gzvmm
 * and, for guests that spin without one, every 10 ms by the event loop. */
static bool insn_limit_reached(struct vmm_vm *vm)
{
	uint64_t n;

	if (!vm->cfg->max_insns || !vm->be.ops->insns || atomic_load(&vm->stopping))
		return false;
	n = vm->be.ops->insns(&vm->be);
	if (n <= vm->cfg->max_insns)
		return false;
	fprintf(stderr, "gzvmm: instruction limit reached (%llu guest instructions)\n",
		(unsigned long long)n);
	vmm_vm_stop(vm, VMM_EXIT_ERROR);
	return true;
}

static void *vcpu_thread(void *arg)
{
	struct vmm_vcpu *v = arg;
	struct vmm_vm *vm = v->vm;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (!atomic_load(&vm->stopping)) {
		long r = vm->be.ops->ioctl(&vm->be, v->fd, GZVM_RUN, v->run);

		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r == -ENOSPC) {
			vmm_hv_fail(vm, "GZVM_RUN", r);
			vmm_vm_stop(vm, VMM_EXIT_ERROR);
			break;
		}
		if (r < 0) {
			fprintf(stderr, "gzvmm: vCPU %u: GZVM_RUN failed: %s\n", v->id,
				strerror((int)-r));
			vmm_vm_stop(vm, VMM_EXIT_ERROR);
			break;
		}
		if (!handle_exit(v) || insn_limit_reached(vm))
			break;
		if (vm->det.on)
			vmm_det_devices(vm);
	}
	return NULL;
}

static int ep_add(struct vmm_vm *vm, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return epoll_ctl(vm->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

static struct vmm_virtio *input_dev(struct vmm_vm *vm)
{
	return vm->cfg->input == VMM_INPUT_VIRTIO && vm->vcon ? &vm->vcon->vd : NULL;
}

size_t vmm_vm_input_space(struct vmm_vm *vm)
{
	struct vmm_virtio *vd = input_dev(vm);

	return vd ? vmm_vcon_input_space(vd) : pl011_input_space(&vm->uart);
}

void vmm_vm_input(struct vmm_vm *vm, const uint8_t *buf, size_t n)
{
	struct vmm_virtio *vd = input_dev(vm);

	if (vd) {
		vmm_vcon_input(vd, buf, n);
		vmm_virtio_process(vd, VMM_VCON_RX);
	} else {
		pl011_input(&vm->uart, buf, n);
	}
}

/* What stdin may give now: the device's room, or in a deterministic run what is kept for
 * the next scheduling point (det.c). */
static size_t input_space(struct vmm_vm *vm)
{
	return vm->det.on ? vmm_det_input_space(vm) : vmm_vm_input_space(vm);
}

/* Reads what stdin has (at most what the device can take). false at EOF or error. */
static bool read_stdin(struct vmm_vm *vm)
{
	uint8_t buf[GZDEV_PL011_BACKLOG];
	size_t space = input_space(vm);
	ssize_t n;

	if (space == 0)
		return true;
	if (space > sizeof(buf))
		space = sizeof(buf);
	n = read(0, buf, space);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (vm->det.on)
		vmm_det_input(vm, buf, (size_t)n);
	else
		vmm_vm_input(vm, buf, (size_t)n);
	return true;
}

static void setup_tty(struct vmm_vm *vm)
{
	struct termios t;

	if (!isatty(0) || tcgetattr(0, &saved_tio) != 0)
		return;
	t = saved_tio;
	/* Characters go to the guest as typed; Ctrl-C still stops gzvmm. */
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_iflag &= ~(tcflag_t)ICRNL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSANOW, &t) == 0)
		vm->tty_raw = true;
}

/* SIGTERM: the first presses the power key, as QEMU's system_powerdown, and gives the
 * guest --stop-timeout seconds to power off; a second one (or timeout 0) stops it hard.
 * true if the guest was asked. */
static bool shutdown_request(struct vmm_vm *vm)
{
	struct itimerspec its = {{0, 0}, {(time_t)vm->cfg->stop_timeout, 0}};

	if (vm->power_key_pressed || vm->cfg->stop_timeout == 0 || vm->stop_timer_fd < 0 ||
	    timerfd_settime(vm->stop_timer_fd, 0, &its, NULL) != 0)
		return false;
	vm->power_key_pressed = true;
	vmm_gpio_press_power_key(&vm->gpio);
	return true;
}

static void event_loop(struct vmm_vm *vm)
{
	bool stdin_poll = false;   /* stdin cannot be epolled (regular file): read it each turn */
	bool stdin_on = false;	   /* stdin is in the epoll set */
	bool stdin_paused = false; /* taken out while the input device is full */

	/* A replay's input is the recording's. */
	if (vm->cfg->input != VMM_INPUT_NONE && !vm->det.replaying) {
		if (ep_add(vm, 0, EV_STDIN) == 0)
			stdin_on = true;
		else if (errno == EPERM)
			stdin_poll = true;
	}
	for (;;) {
		struct epoll_event evs[16];
		/* A full input device, a polled stdin or an instruction budget needs another
		 * look soon. */
		int timeout = stdin_poll || stdin_paused || vm->cfg->max_insns ? 10 : -1;
		int n = epoll_wait(vm->epfd, evs, 16, timeout);

		if (n < 0 && errno != EINTR)
			break;
		if (insn_limit_reached(vm))
			return;
		if (stdin_poll && !read_stdin(vm))
			stdin_poll = false;
		if (stdin_paused && input_space(vm) > 0 && ep_add(vm, 0, EV_STDIN) == 0) {
			stdin_paused = false;
			stdin_on = true;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			switch (tag & EV_KIND) {
			case EV_STOP:
				return;
			case EV_SIGNAL: {
				struct signalfd_siginfo si;

				if (read(vm->sig_fd, &si, sizeof(si)) != sizeof(si))
					break;
				if (si.ssi_signo == SIGTERM && shutdown_request(vm))
					break;
				vmm_vm_stop(vm, VMM_EXIT_SIGNAL_BASE + (int)si.ssi_signo);
				return;
			}
			case EV_RTC:
				vmm_rtc_timer(&vm->rtc);
				break;
			case EV_KEY:
				vmm_gpio_key_timer(&vm->gpio);
				break;
			case EV_TERM:
				fprintf(
				    stderr,
				    "gzvmm: the guest did not power off within %u s of the power "
				    "key: stopping it\n",
				    vm->cfg->stop_timeout);
				vmm_vm_stop(vm, VMM_EXIT_SIGNAL_BASE + SIGTERM);
				return;
			case EV_STDIN:
				if (!stdin_on)
					break;
				if (input_space(vm) == 0) {
					/* Level-triggered: stop watching until the guest reads. */
					epoll_ctl(vm->epfd, EPOLL_CTL_DEL, 0, NULL);
					stdin_on = false;
					stdin_paused = true;
					break;
				}
				if (!read_stdin(vm)) {
					epoll_ctl(vm->epfd, EPOLL_CTL_DEL, 0, NULL);
					stdin_on = false;
				}
				break;
			case EV_VSOCK:
				vmm_vsock_host_poll(&vm->vsock->u.vsock);
				break;
			case EV_NET:
				vmm_virtio_process(&vm->net->vd, VMM_NET_RX);
				break;
			case EV_QUEUE: {
				struct vmm_vdev *d = vm->vdevs[tag & 0xff];

				drain(d->notify_fd);
				for (unsigned q = 0; q < d->vd.ops->nqueues; q++)
					vmm_virtio_process(&d->vd, q);
				break;
			}
			default:
				break;
			}
		}
		if (atomic_load(&vm->stopping))
			return;
	}
}

static void stop_vcpus(struct vmm_vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i].run)
			__atomic_store_n(&vm->vcpus[i].run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (!v->thread_started)
			continue;
		/* Kick until it leaves: a kick can land just before RUN is entered. */
		while (pthread_tryjoin_np(v->thread, NULL) == EBUSY) {
			struct timespec ts = {0, 2 * 1000 * 1000};

			vm->be.ops->kick(&vm->be, v->thread);
			nanosleep(&ts, NULL);
		}
		v->thread_started = false;
	}
}

/* The gdb server reads guest memory the stage 2 does not map yet through the memslots. */
static void *debug_ipa_ptr(void *arg, uint64_t ipa, uint64_t *avail)
{
	const struct vmm_mem *m = &((struct vmm_vm *)arg)->mem;

	for (unsigned i = 0; i < m->n; i++) {
		if (ipa >= m->r[i].gpa && ipa - m->r[i].gpa < m->r[i].size) {
			*avail = m->r[i].size - (ipa - m->r[i].gpa);
			return m->r[i].hva + (ipa - m->r[i].gpa);
		}
	}
	return NULL;
}

static void debug_kill(void *arg)
{
	fprintf(stderr, "gzvmm: the debugger killed the guest\n");
	vmm_vm_stop(arg, VMM_EXIT_ERROR);
}

static int start_debugger(struct vmm_vm *vm)
{
	struct vmm_debug_hooks h = {debug_ipa_ptr, debug_kill, vm};
	char err[256];

	if (!vm->be.ops->debug_start) {
		fprintf(stderr, "gzvmm: the %s backend has no gdb server\n", vm->be.ops->name);
		return -1;
	}
	if (vm->be.ops->debug_start(&vm->be, &h, err, sizeof(err)) != 0) {
		fprintf(stderr, "gzvmm: %s\n", err);
		return -1;
	}
	return 0;
}

int vmm_vm_run(struct vmm_vm *vm)
{
	sigset_t set, old;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler; /* no SA_RESTART: RUN must return EINTR */
	sigaction(VMM_KICK_SIGNAL, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	sigdelset(&set, VMM_KICK_SIGNAL);

	vm->epfd = epoll_create1(EPOLL_CLOEXEC);
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	vm->stop_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	vm->power_key_pressed = false;
	atomic_store(&vm->stopping, false);
	if (vm->epfd < 0 || vm->stop_fd < 0 || vm->sig_fd < 0 || vm->stop_timer_fd < 0 ||
	    ep_add(vm, vm->stop_fd, EV_STOP) || ep_add(vm, vm->sig_fd, EV_SIGNAL) ||
	    ep_add(vm, vm->stop_timer_fd, EV_TERM) || ep_add(vm, vm->rtc.timer_fd, EV_RTC) ||
	    ep_add(vm, vm->gpio.key_fd, EV_KEY)) {
		fprintf(stderr, "gzvmm: event loop setup failed: %s\n", strerror(errno));
		return VMM_EXIT_ERROR;
	}
	for (unsigned i = 0; i < vm->nvdevs; i++)
		if (ep_add(vm, vm->vdevs[i]->notify_fd, EV_QUEUE | i) != 0) {
			fprintf(stderr, "gzvmm: epoll: %s\n", strerror(errno));
			return VMM_EXIT_ERROR;
		}
	if (vm->vsock && ep_add(vm, vmm_vsock_host_event_fd(&vm->vsock_host), EV_VSOCK) != 0) {
		fprintf(stderr, "gzvmm: epoll: %s\n", strerror(errno));
		return VMM_EXIT_ERROR;
	}
	if (vm->net) {
		/* Edge-triggered: the receive queue reads the TAP dry or until the guest has no
		 * buffer left; the guest's next notify (it asked for one when the ring went empty)
		 * resumes it, so frames waiting meanwhile do not spin the loop. */
		struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = EV_NET};

		if (epoll_ctl(vm->epfd, EPOLL_CTL_ADD, vm->net->u.net.fd, &ev) != 0) {
			fprintf(stderr, "gzvmm: epoll: %s\n", strerror(errno));
			return VMM_EXIT_ERROR;
		}
	}
	if (vm->cfg->input != VMM_INPUT_NONE)
		setup_tty(vm);
	/* A page a protected guest did not share is not the host's, under gzhyp's host stage 2
	 * and the simulator's (sim/hostview.c) alike: reading it is a fault of the guest's
	 * making, reported as a crash of the guest, not of gzvmm. */
	if (vmm_guest_fault_install(&vm->mem) != 0)
		fprintf(stderr, "gzvmm: cannot catch SIGBUS on guest memory: %s\n",
			strerror(errno));
	if (vmm_pvmfw_test_write(vm) != 0)
		return VMM_EXIT_ERROR;
	if (vm->cfg->sim.gdb_port && start_debugger(vm) != 0)
		return VMM_EXIT_ERROR;
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (!v->run)
			v->run = calloc(1, sizeof(*v->run));
		else
			memset(v->run, 0, sizeof(*v->run));
		if (!v->run || pthread_create(&v->thread, NULL, vcpu_thread, v) != 0) {
			fprintf(stderr, "gzvmm: cannot start vCPU %u\n", i);
			vmm_vm_stop(vm, VMM_EXIT_ERROR);
			break;
		}
		v->thread_started = true;
	}
	if (!atomic_load(&vm->stopping))
		event_loop(vm);
	vmm_vm_stop(vm, VMM_EXIT_ERROR); /* no-op unless the loop failed on its own */
	stop_vcpus(vm);
	if (vm->tty_raw)
		tcsetattr(0, TCSANOW, &saved_tio);
	close(vm->epfd);
	close(vm->stop_fd);
	close(vm->sig_fd);
	close(vm->stop_timer_fd);
	vm->epfd = vm->stop_fd = vm->sig_fd = vm->stop_timer_fd = -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return atomic_load(&vm->status);
}

void vmm_vm_print_stats(struct vmm_vm *vm, void *stream)
{
	FILE *f = stream;
	uint64_t total[VMM_NR_EXIT_REASONS + 1] = {0};

	for (unsigned c = 0; c < vm->ncpus; c++)
		for (unsigned i = 0; i <= VMM_NR_EXIT_REASONS; i++)
			total[i] += vm->vcpus[c].exits[i];
	fprintf(f, "gzvmm stats:\n  exits:");
	for (unsigned i = 0; i < VMM_NR_EXIT_REASONS; i++)
		if (total[i])
			fprintf(f, " %s=%llu", vmm_exit_reason_name(GZVM_EXIT_UNKNOWN + i),
				(unsigned long long)total[i]);
	if (total[VMM_NR_EXIT_REASONS])
		fprintf(f, " invalid=%llu", (unsigned long long)total[VMM_NR_EXIT_REASONS]);
	fprintf(f, "\n");
	for (unsigned c = 0; c < vm->ncpus; c++) {
		fprintf(f, "  vcpu%u:", c);
		for (unsigned i = 0; i < VMM_NR_EXIT_REASONS; i++)
			if (vm->vcpus[c].exits[i])
				fprintf(f, " %s=%llu", vmm_exit_reason_name(GZVM_EXIT_UNKNOWN + i),
					(unsigned long long)vm->vcpus[c].exits[i]);
		fprintf(f, "\n");
	}
	fprintf(f, "  mmio constants: %u registers answered by the hypervisor\n", vm->mmio_const);
	fprintf(f,
		"  pl011@%llx: reads=%llu writes=%llu tx_bytes=%llu rx_bytes=%llu "
		"irq_changes=%llu\n",
		(unsigned long long)VMM_UART_BASE, (unsigned long long)vm->uart.m.reads,
		(unsigned long long)vm->uart.m.writes, (unsigned long long)vm->uart.m.tx_bytes,
		(unsigned long long)vm->uart.m.rx_bytes,
		(unsigned long long)vm->uart.m.irq_changes);
	for (unsigned i = 0; i < vm->nvdevs; i++) {
		struct vmm_vdev *d = vm->vdevs[i];
		const struct vmm_virtio_stats *s = &d->vd.stats;

		fprintf(f,
			"  %s@%llx: mmio_reads=%llu mmio_writes=%llu notifies=%llu chains=%llu "
			"irqs=%llu errors=%llu%s%s%s",
			d->vd.ops->name,
			(unsigned long long)(VMM_VIRTIO_BASE + i * VMM_VIRTIO_STRIDE),
			(unsigned long long)s->mmio_reads, (unsigned long long)s->mmio_writes,
			(unsigned long long)s->notifies, (unsigned long long)s->chains,
			(unsigned long long)s->irqs, (unsigned long long)s->errors,
			s->errors ? " (last: " : "",
			s->errors ? vmm_vq_err_name(s->last_error) : "", s->errors ? ")" : "");
		if (d->vd.ops == &vmm_blk_ops)
			fprintf(f, " reads=%llu writes=%llu flushes=%llu ioerrs=%llu",
				(unsigned long long)d->u.blk.reads,
				(unsigned long long)d->u.blk.writes,
				(unsigned long long)d->u.blk.flushes,
				(unsigned long long)d->u.blk.ioerrs);
		if (d->vd.ops == &vmm_vsock_ops) {
			const struct vmm_vsock_stats *v = &d->u.vsock.stats;

			fprintf(f,
				" cid=%llu conns=%llu rx_pkts=%llu tx_pkts=%llu rx_bytes=%llu "
				"tx_bytes=%llu rsts=%llu dropped=%llu",
				(unsigned long long)d->u.vsock.guest_cid,
				(unsigned long long)v->conns, (unsigned long long)v->rx_pkts,
				(unsigned long long)v->tx_pkts, (unsigned long long)v->rx_bytes,
				(unsigned long long)v->tx_bytes, (unsigned long long)v->rsts_sent,
				(unsigned long long)v->dropped);
		}
		if (d->vd.ops == &vmm_net_ops)
			fprintf(f,
				" rx_frames=%llu rx_bytes=%llu rx_dropped=%llu tx_frames=%llu "
				"tx_bytes=%llu tx_dropped=%llu",
				(unsigned long long)d->u.net.rx_frames,
				(unsigned long long)d->u.net.rx_bytes,
				(unsigned long long)d->u.net.rx_dropped,
				(unsigned long long)d->u.net.tx_frames,
				(unsigned long long)d->u.net.tx_bytes,
				(unsigned long long)d->u.net.tx_dropped);
		fprintf(f, " ioeventfd=%s irqfd=%s\n", d->ioeventfd ? "yes" : "no",
			d->irqfd ? "yes" : "no");
	}
	fprintf(f, "  pl031@%llx: reads=%llu writes=%llu matches=%llu\n",
		(unsigned long long)VMM_RTC_BASE, (unsigned long long)vm->rtc.m.reads,
		(unsigned long long)vm->rtc.m.writes, (unsigned long long)vm->rtc.m.matches);
	fprintf(f, "  pl061@%llx: reads=%llu writes=%llu edges=%llu power_key_presses=%llu\n",
		(unsigned long long)VMM_GPIO_BASE, (unsigned long long)vm->gpio.m.reads,
		(unsigned long long)vm->gpio.m.writes, (unsigned long long)vm->gpio.m.edges,
		(unsigned long long)vm->gpio.presses);
	vmm_flash_print_stats(vm, f);
	fprintf(f, "  unhandled_mmio=%llu aborts_injected=%llu irq_line_calls=%llu reboots=%u\n",
		(unsigned long long)atomic_load(&vm->mmio_unhandled),
		(unsigned long long)atomic_load(&vm->aborts_injected),
		(unsigned long long)atomic_load(&vm->irq_line_calls), vm->reboots);
	if (vm->be.ops->insns)
		fprintf(f, "  %s: insns=%llu clock=%s\n", vm->be.ops->name,
			(unsigned long long)vm->be.ops->insns(&vm->be),
			vm->be.sim.wall_clock ? "wall" : "insns");
}
