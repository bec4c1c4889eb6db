/* Building a VM: files first (so bad input is reported before the hypervisor is touched),
 * then RAM, images and device tree, then the gzvm ioctls in the order the driver expects:
 * CREATE_VM, SET_USER_MEMORY_REGION, CREATE_DEVICE (GIC distributor, redistributors),
 * CREATE_VCPU, SET_DTB_CONFIG, SET_ONE_REG (boot vCPU), IOEVENTFD and IRQFD per device. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dtb_check.h"
#include "fdt_build.h"
#include "layout.h"
#include "msg.h"
#include "openfile.h"
#include <gzabi/pvmfw.h>
#include "ram.h"
#include "swiotlb.h"

#define ERRLEN	     512
#define FDT_BUF_SIZE (64U * 1024U)

static long be_ioctl(struct vmm_vm *vm, int fd, unsigned long req, void *arg)
{
	return vm->be.ops->ioctl(&vm->be, fd, req, arg);
}

int vmm_vcpu_set_reg(struct vmm_vm *vm, struct vmm_vcpu *v, uint64_t id, uint64_t value)
{
	struct gzvm_one_reg reg = {.id = id, .addr = (uint64_t)(uintptr_t)&value};

	return (int)be_ioctl(vm, v->fd, GZVM_SET_ONE_REG, &reg);
}

void vmm_vm_irq_line(struct vmm_vm *vm, unsigned spi, bool level)
{
	/* TYPE_CPU with the 0-based SPI index, as crosvm (docs/abi.md); TYPE_SPI would want
	 * the INTID, and refused the bare index: no line of gzvmm's reached the guest. */
	struct gzvm_irq_level l = {
	    .irq = GZVM_IRQ_LINE_ENCODE(GZVM_IRQ_TYPE_CPU, 0, spi),
	    .level = level,
	};

	atomic_fetch_add(&vm->irq_line_calls, 1);
	be_ioctl(vm, vm->vm_fd, GZVM_IRQ_LINE, &l);
}

static void uart_set_irq(void *ctx, bool level)
{
	vmm_vm_irq_line(ctx, VMM_UART_SPI, level);
}

static void rtc_set_irq(void *ctx, bool level)
{
	vmm_vm_irq_line(ctx, VMM_RTC_SPI, level);
}

static void gpio_set_irq(void *ctx, bool level)
{
	vmm_vm_irq_line(ctx, VMM_GPIO_SPI, level);
}

static void eventfd_signal(int fd)
{
	uint64_t one = 1;
	ssize_t r;

	do
		r = write(fd, &one, sizeof(one));
	while (r < 0 && errno == EINTR);
}

static void vdev_raise(void *ctx)
{
	struct vmm_vdev *d = ctx;

	if (d->irqfd) {
		eventfd_signal(d->irq_fd);
		return;
	}
	/* No irqfd: an edge on the SPI through IRQ_LINE. */
	vmm_vm_irq_line(d->vm, VMM_VIRTIO_SPI_BASE + d->vd.index, true);
	vmm_vm_irq_line(d->vm, VMM_VIRTIO_SPI_BASE + d->vd.index, false);
}

/* Queue work for the event loop (or, deterministic, for the vCPU thread with the turn). */
static void vdev_requeue(void *ctx, unsigned q)
{
	struct vmm_vdev *d = ctx;

	(void)q;
	if (d->vm->det.on) {
		/* Served by the notifying vCPU's thread after its exit: at a defined point of
		 * the run, not when the event loop gets to it. */
		atomic_store(&d->det_notified, true);
		return;
	}
	eventfd_signal(d->notify_fd);
}

/* A QueueNotify write that reached gzvmm, on the notifying vCPU's thread. */
static void vdev_notify(void *ctx, unsigned q)
{
	struct vmm_vdev *d = ctx;

	if (d->serve_on_vcpu && !d->vm->det.on) {
		vmm_virtio_process(&d->vd, q);
		return;
	}
	vdev_requeue(ctx, q);
}

static int add_vdev(struct vmm_vm *vm, const struct vmm_virtio_dev_ops *ops, struct vmm_vdev **out)
{
	struct vmm_vdev *d = calloc(1, sizeof(*d));
	unsigned idx = vm->nvdevs;

	if (!d)
		return -1;
	d->irq_fd = -1;
	d->notify_fd = -1;
	if (vmm_virtio_init(&d->vd, ops, &d->u, &vm->mem, vm->cfg->virtio_version, idx) != 0) {
		free(d);
		return -1;
	}
	/* A protected guest's buffers are where it bounces them (its swiotlb pool), not
	 * anywhere in its RAM: the device says it honours the platform's DMA restrictions. */
	d->vd.access_platform = vm->cfg->protected_vm;
	d->vd.irq = vdev_raise;
	d->vd.notify = vdev_notify;
	d->vd.requeue = vdev_requeue;
	d->vd.cb_ctx = d;
	d->vm = vm;
	vm->vdevs[vm->nvdevs++] = d;
	*out = d;
	return 0;
}

static int open_console(struct vmm_vm *vm)
{
	int fd = 1;

	vm->con_fd = -1;
	if (vm->cfg->console == VMM_CONSOLE_FILE) {
		fd = vmm_open_noblock(vm->cfg->console_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 && errno == ENXIO)
			return vmm_report(VMM_EXIT_USAGE,
					  "console file '%s' is a FIFO that no process reads",
					  vm->cfg->console_path);
		if (fd < 0)
			return vmm_report(VMM_EXIT_USAGE, "cannot open console file '%s': %s",
					  vm->cfg->console_path, strerror(errno));
		vm->con_fd = fd;
	}
	if (vmm_console_init(&vm->con, fd) != 0 || pl011_init(&vm->uart, &vm->con) != 0)
		return vmm_report(VMM_EXIT_ERROR, "cannot initialise the console");
	vm->uart.set_irq = uart_set_irq;
	vm->uart.irq_ctx = vm;
	if (vmm_rtc_init(&vm->rtc, rtc_set_irq, vm) != 0 ||
	    vmm_gpio_init(&vm->gpio, gpio_set_irq, vm) != 0)
		return vmm_report(VMM_EXIT_ERROR, "cannot set up the RTC and GPIO timers: %s",
				  strerror(errno));
	return 0;
}

static int make_devices(struct vmm_vm *vm)
{
	char err[ERRLEN];
	struct vmm_vdev *d;

	for (unsigned i = 0; i < vm->cfg->ndisks; i++) {
		if (add_vdev(vm, &vmm_blk_ops, &d) != 0)
			return vmm_report(VMM_EXIT_ERROR, "out of memory");
		/* A request on a file is a few system calls: serving it right away on the
		 * notifying vCPU's thread, which re-enters the guest with the interrupt already
		 * pending, beats handing it to the event loop (an ioeventfd, a wake-up of that
		 * thread, an irqfd and a wake-up of the vCPU's; bench/io, docs/benchmarks.md). */
		d->serve_on_vcpu = true;
		d->u.blk.fd = -1;
		if (vmm_blk_open(&d->u.blk, vm->cfg->disks[i].path, vm->cfg->disks[i].ro, i, err,
				 sizeof(err)) != 0)
			return vmm_report(VMM_EXIT_USAGE, "%s", err);
	}
	if (add_vdev(vm, &vmm_vcon_ops, &d) != 0)
		return vmm_report(VMM_EXIT_ERROR, "out of memory");
	d->u.vcon.out = &vm->con;
	vm->vcon = d;
	if (vm->cfg->rng && add_vdev(vm, &vmm_rng_ops, &d) != 0)
		return vmm_report(VMM_EXIT_ERROR, "out of memory");
	/* A deterministic run's entropy is the seed's (a recording replays it). */
	if (vm->cfg->rng && vm->cfg->backend == VMM_BACKEND_SIM && vm->cfg->sim.deterministic) {
		d->u.rng.det = true;
		d->u.rng.state = vm->cfg->sim.seed ^ 0x6a09e667f3bcc909ULL;
	}
	if (vm->cfg->vsock_path) {
		if (vmm_vsock_host_open(&vm->vsock_host, vm->cfg->vsock_path, err, sizeof(err)))
			return vmm_report(VMM_EXIT_USAGE, "%s", err);
		vm->vsock_host_open = true;
		if (add_vdev(vm, &vmm_vsock_ops, &d) != 0)
			return vmm_report(VMM_EXIT_ERROR, "out of memory");
		vmm_vsock_init(&d->u.vsock, vm->cfg->vsock_cid, &d->vd, &vm->vsock_host);
		vm->vsock = d;
	}
	if (vm->cfg->net_tap) {
		int fd = vmm_tap_open(vm->cfg->net_tap, err, sizeof(err));

		if (fd < 0)
			return vmm_report(VMM_EXIT_USAGE, "%s", err);
		if (add_vdev(vm, &vmm_net_ops, &d) != 0) {
			close(fd);
			return vmm_report(VMM_EXIT_ERROR, "out of memory");
		}
		vmm_net_init_fd(&d->u.net, fd, vm->cfg->net_mac);
		vm->net = d;
	}
	return 0;
}

/* Loads kernel, initrd and device tree into RAM and fills vm->boot. */
static int load_images(struct vmm_vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	char err[ERRLEN];
	struct vmm_file kernel = {0}, initrd = {0};
	uint8_t *udtb = NULL;
	size_t dsize = 0;
	int rc = VMM_EXIT_USAGE;
	uint64_t dtb_size;

	if (cfg->kernel &&
	    vmm_map_file("kernel", cfg->kernel, cfg->mem_size, &kernel, err, sizeof(err)))
		goto fail_msg;
	if (cfg->initrd &&
	    vmm_map_file("initrd", cfg->initrd, cfg->mem_size, &initrd, err, sizeof(err)))
		goto fail_msg;
	if (cfg->dtb) {
		if (vmm_read_file("dtb", cfg->dtb, VMM_DTB_MAX_SIZE, &udtb, &dsize, err,
				  sizeof(err)))
			goto fail_msg;
		if (vmm_dtb_check(cfg->dtb, udtb, dsize, VMM_RAM_BASE, vm->ram_size, err,
				  sizeof(err)) != 0)
			goto fail_msg;
	}
	if (kernel.data &&
	    vmm_load_kernel(&vm->mem, kernel.data, kernel.size, &vm->boot, err, sizeof(err)))
		goto fail_msg;
	if (cfg->pvmfw && kernel.data && vm->boot.fmt == VMM_FMT_ELF) {
		/* pvmfw checks the kernel's bytes where it starts it: a file loaded as it is */
		snprintf(err, sizeof(err), "--pvmfw needs a raw or arm64 Image kernel, not an ELF");
		goto fail_msg;
	}
	if (initrd.data &&
	    vmm_load_initrd(&vm->mem, initrd.data, initrd.size, &vm->boot, err, sizeof(err)))
		goto fail_msg;

	vm->dtb = calloc(1, FDT_BUF_SIZE);
	if (!vm->dtb) {
		rc = vmm_report(VMM_EXIT_ERROR, "out of memory");
		goto out;
	}
	if (udtb) {
		dtb_size = fdt_totalsize(udtb);
		if (dtb_size > FDT_BUF_SIZE) {
			free(vm->dtb);
			vm->dtb = malloc(dtb_size);
			if (!vm->dtb) {
				rc = vmm_report(VMM_EXIT_ERROR, "out of memory");
				goto out;
			}
		}
		memcpy(vm->dtb, udtb, dtb_size);
	} else {
		struct vmm_fdt_params p = {
		    .ram_base = VMM_RAM_BASE,
		    .ram_size = vm->ram_size,
		    .cpus = cfg->cpus,
		    .bootargs = cfg->append,
		    .initrd_start = vm->boot.initrd_start,
		    .initrd_end = vm->boot.initrd_start + vm->boot.initrd_size,
		    .nvirtio = vm->nvdevs,
		    .flash = vm->flash.present,
		    .channel = cfg->channel,
		    .vsock_cid = cfg->vsock_cid,
		    .peer_vsock_cid = cfg->peer_vsock_cid,
		    .chan_region = cfg->chan_region,
		    .chan_region_owner = cfg->chan_region_owner,
		    .bootsig = vm->pvmfw.bootsig,
		    .bootsig_size = vm->pvmfw.bootsig_size,
		    .dice = vm->pvmfw.image != NULL,
		    .swiotlb_base = VMM_RAM_BASE + vm->ram_size - vmm_swiotlb_size(cfg),
		    .swiotlb_size = vmm_swiotlb_size(cfg),
		};

		if (vmm_fdt_build(&p, vm->dtb, FDT_BUF_SIZE) != 0) {
			snprintf(err, sizeof(err), "device tree does not fit (--append too long?)");
			goto fail_msg;
		}
		dtb_size = fdt_totalsize(vm->dtb);
	}
	if (kernel.data ? vmm_place_dtb(&vm->mem, dtb_size, &vm->boot, err, sizeof(err))
			: vmm_place_firmware(&vm->mem, dtb_size, &vm->boot, err, sizeof(err)))
		goto fail_msg;
	if (vmm_write_dtb(&vm->mem, vm->dtb, dtb_size, &vm->boot, err, sizeof(err)))
		goto fail_msg;
	if (cfg->dump_dtb) {
		int fd = vmm_open_noblock(cfg->dump_dtb, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 && errno == ENXIO) {
			snprintf(err, sizeof(err),
				 "--dump-dtb file '%s' is a FIFO that no process reads",
				 cfg->dump_dtb);
			goto fail_msg;
		}
		if (fd < 0 || write(fd, vm->dtb, dtb_size) != (ssize_t)dtb_size) {
			snprintf(err, sizeof(err), "cannot write --dump-dtb file '%s': %s",
				 cfg->dump_dtb, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto fail_msg;
		}
		close(fd);
	}
	rc = 0;
	goto out;
fail_msg:
	rc = vmm_report(VMM_EXIT_USAGE, "%s", err);
out:
	vmm_file_release(&kernel);
	vmm_file_release(&initrd);
	free(udtb);
	return rc;
}

int vmm_hv_fail(struct vmm_vm *vm, const char *what, long r)
{
	if (r == -ENOSPC && strcmp(what, "GZVM_CREATE_VM") == 0) {
		/* CHECK_EXTENSION answers the number (opengz, docs/abi.md) in place of the cap */
		__u64 n = GZVM_CAP_OPENGZ_VM_LIMIT;

		if (be_ioctl(vm, vm->dev_fd, GZVM_CHECK_EXTENSION, &n) == 0)
			return vmm_report(VMM_EXIT_ERROR,
					  "%s: the hypervisor's VM limit (%llu) is reached", what,
					  (unsigned long long)n);
		return vmm_report(VMM_EXIT_ERROR, "%s: the hypervisor's VM limit is reached", what);
	}
	if (r == -ENOSPC) {
		struct gzvm_enable_cap cap = {.cap = GZVM_CAP_OPENGZ_HYP_QUOTA};

		if (be_ioctl(vm, vm->vm_fd, GZVM_ENABLE_CAP, &cap) == 0 && cap.args[1])
			return vmm_report(VMM_EXIT_ERROR,
					  "%s: the VM's quota of hypervisor memory (%llu KiB, "
					  "--hyp-mem) is reached",
					  what, (unsigned long long)cap.args[1] * 4);
		return vmm_report(VMM_EXIT_ERROR,
				  "%s: the VM's quota of hypervisor memory is reached", what);
	}
	return vmm_report(VMM_EXIT_ERROR, "%s failed: %s", what, strerror((int)-r));
}

static int create_vm(struct vmm_vm *vm)
{
	char err[ERRLEN];
	long r;
	struct gzvm_userspace_memory_region slot = {
	    .slot = 0,
	    .flags = GZVM_USER_MEM_REGION_GUEST_MEM,
	    .guest_phys_addr = VMM_RAM_BASE,
	    .memory_size = vm->ram_size - vmm_swiotlb_size(vm->cfg),
	    .userspace_addr = (uint64_t)(uintptr_t)vm->ram,
	};
	struct gzvm_create_device dist = {
	    .dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_DIST,
	    .dev_addr = VMM_GIC_DIST_BASE,
	    .dev_reg_size = ARCH_GICD_SIZE,
	};
	struct gzvm_create_device redist = {
	    .dev_type = GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST,
	    .dev_addr = VMM_GIC_REDIST_BASE,
	    .dev_reg_size = ARCH_GICR_STRIDE,
	};
	struct gzvm_dtb_config dtb = {.dtb_addr = vm->boot.dtb_addr, .dtb_size = vm->boot.dtb_size};

	vm->dev_fd = vm->be.ops->open_dev(&vm->be, err, sizeof(err));
	if (vm->dev_fd < 0)
		return vmm_report(VMM_EXIT_ERROR, "%s", err);
	r = be_ioctl(vm, vm->dev_fd, GZVM_CREATE_VM, (void *)0);
	if (r < 0)
		return vmm_hv_fail(vm, "GZVM_CREATE_VM", r);
	vm->vm_fd = (int)r;
	if (vm->cfg->hyp_mem) {
		struct gzvm_enable_cap cap = {.cap = GZVM_CAP_OPENGZ_HYP_QUOTA,
					      .args = {vm->cfg->hyp_mem / VMM_PAGE_SIZE}};

		r = be_ioctl(vm, vm->vm_fd, GZVM_ENABLE_CAP, &cap);
		if (r == -ENOSPC) /* a quota set for one VM is held for it: it must fit */
			return vmm_report(
			    VMM_EXIT_ERROR,
			    "GZVM_ENABLE_CAP (--hyp-mem): the hypervisor's free memory "
			    "cannot hold %llu KiB for this VM beside the other VMs' quotas",
			    (unsigned long long)(vm->cfg->hyp_mem / 1024));
		if (r < 0)
			return vmm_hv_fail(vm, "GZVM_ENABLE_CAP (--hyp-mem)", r);
	}
	if (vm->cfg->protected_vm && !vm->cfg->pvmfw) {
		struct gzvm_enable_cap cap = {.cap = GZVM_CAP_PROTECTED_VM,
					      .args = {GZVM_CAP_PVM_SET_PROTECTED_VM}};

		r = be_ioctl(vm, vm->vm_fd, GZVM_ENABLE_CAP, &cap);
		if (r < 0)
			return vmm_hv_fail(vm, "GZVM_ENABLE_CAP (protected VM)", r);
	}
	r = be_ioctl(vm, vm->vm_fd, GZVM_SET_USER_MEMORY_REGION, &slot);
	if (r < 0)
		return vmm_hv_fail(vm, "GZVM_SET_USER_MEMORY_REGION", r);
	r = vmm_swiotlb_map(vm);
	if (r)
		return (int)r;
	if (vmm_flash_map(vm) != 0)
		return VMM_EXIT_ERROR;
	r = vmm_pvmfw_announce(vm);
	if (r)
		return (int)r;
	r = be_ioctl(vm, vm->vm_fd, GZVM_CREATE_DEVICE, &dist);
	if (r < 0)
		return vmm_hv_fail(vm, "GZVM_CREATE_DEVICE (GIC distributor)", r);
	r = be_ioctl(vm, vm->vm_fd, GZVM_CREATE_DEVICE, &redist);
	if (r < 0)
		return vmm_hv_fail(vm, "GZVM_CREATE_DEVICE (GIC redistributor)", r);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		r = be_ioctl(vm, vm->vm_fd, GZVM_CREATE_VCPU, (void *)(uintptr_t)i);
		if (r < 0)
			return vmm_hv_fail(vm, "GZVM_CREATE_VCPU", r);
		v->fd = (int)r;
	}
	r = be_ioctl(vm, vm->vm_fd, GZVM_SET_DTB_CONFIG, &dtb);
	if (r < 0)
		return vmm_hv_fail(vm, "GZVM_SET_DTB_CONFIG", r);
	/* Boot state of vCPU 0 (booting.rst): x0 = DTB, x1-x3 = 0, EL1h, DAIF masked; firmware
	 * starts as from reset (x0 = 0, as QEMU does) and finds the DTB at the start of RAM.
	 * The secondaries start through PSCI CPU_ON inside the hypervisor. */
	struct {
		uint64_t id, val;
	} regs[] = {
	    {GZVM_REG_CORE_X(0), vm->boot.fmt == VMM_FMT_FIRMWARE ? 0 : vm->boot.dtb_addr},
	    {GZVM_REG_CORE_X(1), 0},
	    {GZVM_REG_CORE_X(2), 0},
	    {GZVM_REG_CORE_X(3), 0},
	    {GZVM_REG_CORE_PC, vm->boot.entry},
	    {GZVM_REG_CORE_PSTATE, VMM_PSTATE_EL1H_DAIF},
	};
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		r = vmm_vcpu_set_reg(vm, &vm->vcpus[0], regs[i].id, regs[i].val);
		if (r < 0)
			return vmm_hv_fail(vm, "GZVM_SET_ONE_REG", r);
	}
	return 0;
}

/* The PL011's flag register as the hypervisor answers 32-bit reads of it, a constant that
 * input changes (GZVM_MMIO_CONST_UPDATABLE); called with the UART's lock held. */
static bool uart_fr_set(void *ctx, uint32_t fr)
{
	struct vmm_vm *vm = ctx;
	struct gzvm_enable_cap cap = {
	    .cap = GZVM_CAP_OPENGZ_MMIO_CONST,
	    .args = {VMM_UART_BASE + PL011_FR, 4, fr, GZVM_MMIO_CONST_UPDATABLE},
	};

	return be_ioctl(vm, vm->vm_fd, GZVM_ENABLE_CAP, &cap) == 0;
}

/* The identification registers of all 32 virtio-mmio transports never change: the hypervisor
 * answers their 32-bit reads itself (GZVM_CAP_OPENGZ_MMIO_CONST, docs/abi.md), as
 * vmm_virtio_mmio_read and empty_transport would. A guest probing its devices, or a benchmark
 * reading DeviceID in a loop, then costs no trip through the host kernel and back. Nor does a
 * guest polling the PL011's flag register, which changes only with input: it is declared
 * updatable, and the UART tells the hypervisor each new value (pl011_fr_track). A
 * hypervisor without the extension refuses the first declaration (without updatable
 * registers, the flag register's): every such read comes here. */
static void declare_mmio_const(struct vmm_vm *vm)
{
	vm->mmio_const = 0;
	for (unsigned i = 0; i < VMM_VIRTIO_MAX && vm->cfg->mmio_const; i++) {
		uint64_t base = VMM_VIRTIO_BASE + i * VMM_VIRTIO_STRIDE;
		const struct vmm_virtio *vd = i < vm->nvdevs ? &vm->vdevs[i]->vd : NULL;
		const uint64_t reg[][2] = {
		    {VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_MAGIC},
		    {VIRTIO_MMIO_VERSION, vd ? vd->version : vm->cfg->virtio_version},
		    {VIRTIO_MMIO_DEVICE_ID, vd ? vd->ops->device_id : 0},
		    {VIRTIO_MMIO_VENDOR_ID, VIRTIO_VENDOR_ID},
		};

		for (unsigned r = 0; r < sizeof(reg) / sizeof(reg[0]); r++) {
			struct gzvm_enable_cap cap = {.cap = GZVM_CAP_OPENGZ_MMIO_CONST,
						      .args = {base + reg[r][0], 4, reg[r][1]}};

			if (be_ioctl(vm, vm->vm_fd, GZVM_ENABLE_CAP, &cap) < 0)
				return;
			vm->mmio_const++;
		}
	}
	if (vm->cfg->mmio_const && pl011_fr_track(&vm->uart, uart_fr_set, vm))
		vm->mmio_const++;
}

static int wire_devices(struct vmm_vm *vm)
{
	declare_mmio_const(vm);
	for (unsigned i = 0; i < vm->nvdevs; i++) {
		struct vmm_vdev *d = vm->vdevs[i];
		uint64_t base = VMM_VIRTIO_BASE + i * VMM_VIRTIO_STRIDE;

		struct gzvm_ioeventfd io = {
		    .addr = base + VIRTIO_MMIO_QUEUE_NOTIFY,
		    .len = 4,
		};

		d->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (d->notify_fd < 0)
			return vmm_report(VMM_EXIT_ERROR, "eventfd: %s", strerror(errno));
		io.fd = d->notify_fd;
		/* Without ioeventfd support the notify write arrives as an MMIO exit and
		 * signals the same eventfd (vdev_notify); a device served on the vCPU's thread
		 * wants that exit and takes no ioeventfd. */
		d->ioeventfd = !vm->det.on && !d->serve_on_vcpu &&
			       be_ioctl(vm, vm->vm_fd, GZVM_IOEVENTFD, &io) == 0;
		struct gzvm_irqfd irq = {.gsi = VMM_VIRTIO_SPI_BASE + i};

		d->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (d->irq_fd < 0)
			return vmm_report(VMM_EXIT_ERROR, "eventfd: %s", strerror(errno));
		irq.fd = (uint32_t)d->irq_fd;
		/* Deterministic mode: interrupts through IRQ_LINE on the thread with the turn,
		 * not through the driver's eventfd watcher. */
		d->irqfd = !vm->det.on && be_ioctl(vm, vm->vm_fd, GZVM_IRQFD, &irq) == 0;
	}
	return 0;
}

size_t vmm_vm_backend_bytes(const struct vmm_config *cfg)
{
	return cfg->mem_size + (cfg->bios ? VMM_FLASH_BANKS * VMM_FLASH_BANK_SIZE : 0) +
	       (cfg->pvmfw ? GZ_PVMFW_MAX_SIZE : 0) +
	       (cfg->chan_region_owner ? cfg->chan_region : 0);
}

int vmm_vm_setup(struct vmm_vm *vm, const struct vmm_config *cfg, const struct vmm_backend_ops *ops)
{
	char err[ERRLEN];
	int rc;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->be.ops = ops;
	vm->dev_fd = vm->vm_fd = vm->epfd = vm->stop_fd = vm->sig_fd = vm->con_fd = -1;
	vm->stop_timer_fd = vm->rtc.timer_fd = vm->gpio.key_fd = -1;
	vm->ncpus = cfg->cpus;
	vm->ram_size = cfg->mem_size;
	for (unsigned i = 0; i < VMM_MAX_CPUS; i++) {
		vm->vcpus[i].fd = -1;
		vm->vcpus[i].id = i;
		vm->vcpus[i].vm = vm;
	}
	pthread_mutex_init(&vm->testdev_lock, NULL);
	rc = open_console(vm);
	if (rc)
		return rc;
	rc = make_devices(vm);
	if (rc)
		return rc;
	vm->be.sim = cfg->sim;
	rc = vmm_det_prepare(vm);
	if (rc)
		return rc;
	if (cfg->shared_be)
		vm->be = *cfg->shared_be;
	else if (ops->init(&vm->be, vmm_vm_backend_bytes(cfg), err, sizeof(err)) != 0)
		return vmm_report(VMM_EXIT_ERROR, "%s", err);
	if (cfg->trace && ops->trace_open) {
		int e = ops->trace_open(&vm->be, cfg->trace, cfg->trace_max);

		if (e < 0)
			return vmm_report(VMM_EXIT_USAGE, "cannot create --trace file '%s': %s",
					  cfg->trace, strerror(-e));
	}
	rc = vmm_flash_open(vm);
	if (rc)
		return rc;
	rc = vmm_ram_get(vm);
	if (rc)
		return rc;
	vmm_ram_regions(vm);
	rc = vmm_pvmfw_open(vm);
	if (rc)
		return rc;
	rc = load_images(vm);
	if (rc || cfg->dry_run)
		return rc;
	rc = create_vm(vm);
	if (rc)
		return rc;
	vmm_det_start(vm);
	return wire_devices(vm);
}

/* The hypervisor side goes (vCPUs, VM, eventfds); disks, console and files stay. */
static void drop_vm(struct vmm_vm *vm)
{
	const struct vmm_backend_ops *ops = vm->be.ops;

	/* The flash banks leave the VM first, so that their memory comes back unscrubbed. */
	vmm_flash_unmap(vm);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		if (vm->vcpus[i].fd >= 0)
			ops->close_fd(&vm->be, vm->vcpus[i].fd);
		vm->vcpus[i].fd = -1;
	}
	if (vm->vm_fd >= 0)
		ops->close_fd(&vm->be, vm->vm_fd);
	if (vm->dev_fd >= 0)
		ops->close_fd(&vm->be, vm->dev_fd);
	vm->vm_fd = vm->dev_fd = -1;
	for (unsigned i = 0; i < vm->nvdevs; i++) {
		struct vmm_vdev *d = vm->vdevs[i];

		if (d->notify_fd >= 0)
			close(d->notify_fd);
		if (d->irq_fd >= 0)
			close(d->irq_fd);
		d->notify_fd = d->irq_fd = -1;
	}
}

int vmm_vm_reboot(struct vmm_vm *vm)
{
	int rc;

	drop_vm(vm);
	/* Fresh RAM: zeroed pages, nothing of the last boot left. */
	vmm_ram_put(vm);
	rc = vmm_ram_get(vm);
	if (rc)
		return rc;
	vmm_ram_regions(vm);
	rc = vmm_pvmfw_reload(vm);
	if (rc)
		return rc;
	/* Devices as at power-on; a virtio reset is the driver's status write of 0. */
	for (unsigned i = 0; i < vm->nvdevs; i++)
		vmm_virtio_mmio_write(&vm->vdevs[i]->vd, VIRTIO_MMIO_STATUS, 4, 0);
	pl011_reset(&vm->uart);
	vmm_rtc_reset(&vm->rtc);
	vmm_gpio_reset(&vm->gpio);
	pthread_mutex_lock(&vm->testdev_lock);
	memset(&vm->testdev, 0, sizeof(vm->testdev));
	pthread_mutex_unlock(&vm->testdev_lock);
	rc = vmm_flash_reset(vm);
	if (rc)
		return rc;
	free(vm->dtb);
	vm->dtb = NULL;
	memset(&vm->boot, 0, sizeof(vm->boot));
	rc = load_images(vm);
	if (!rc)
		rc = create_vm(vm);
	if (!rc)
		rc = wire_devices(vm);
	if (!rc)
		vm->reboots++;
	return rc;
}

void vmm_vm_teardown(struct vmm_vm *vm)
{
	const struct vmm_backend_ops *ops = vm->be.ops;

	if (ops)
		drop_vm(vm);
	for (unsigned i = 0; i < vm->nvdevs; i++) {
		struct vmm_vdev *d = vm->vdevs[i];

		if (d->vd.ops == &vmm_blk_ops)
			vmm_blk_close(&d->u.blk);
		if (d->vd.ops == &vmm_vsock_ops)
			vmm_vsock_close_all(&d->u.vsock);
		if (d->vd.ops == &vmm_net_ops)
			vmm_net_close(&d->u.net);
		vmm_virtio_destroy(&d->vd);
		free(d);
		vm->vdevs[i] = NULL;
	}
	vm->nvdevs = 0;
	vm->vsock = NULL;
	if (vm->vsock_host_open)
		vmm_vsock_host_close(&vm->vsock_host);
	vm->vsock_host_open = false;
	vm->net = NULL;
	for (unsigned i = 0; i < vm->ncpus; i++) {
		free(vm->vcpus[i].run);
		vm->vcpus[i].run = NULL;
	}
	vmm_ram_put(vm);
	if (ops)
		vmm_pvmfw_close(vm);
	if (ops) {
		vmm_flash_close(vm);
		vmm_det_close(vm);
		if (vm->cfg->trace && ops->trace_close)
			ops->trace_close(&vm->be);
		if (!vm->cfg->shared_be)
			ops->fini(&vm->be);
	}
	vmm_rtc_destroy(&vm->rtc);
	vmm_gpio_destroy(&vm->gpio);
	free(vm->dtb);
	vm->dtb = NULL;
	if (vm->con_fd >= 0)
		close(vm->con_fd);
}
