/* One guest VM: its backend fds, RAM, vCPUs, devices, event loop and statistics. vm_setup.c
 * builds it (RAM, images, device tree, gzvm ioctls), vm_run.c runs it (vCPU threads, the
 * epoll loop that does device work, signals), vm_stats.c reports. */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <arm64/sysreg.h>
#include <gzdev/testdev.h>
#include <linux/gzvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "cli.h"
#include "console.h"
#include "det.h"
#include "exitcode.h"
#include "flash.h"
#include "gpio.h"
#include "guest_mem.h"
#include "loader.h"
#include "pl011.h"
#include "pvmfw.h"
#include "rtc.h"
#include "virtio_devices.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include "vsock.h"

#define VMM_NR_EXIT_REASONS 14U			 /* GZVM_EXIT_UNKNOWN + 0 .. + 0xd */
#define VMM_MAX_VDEVS	    (VMM_MAX_DISKS + 4U) /* disks, console, rng, vsock, net */

/* PSTATE at entry: EL1h with D, A, I and F masked. */
#define VMM_PSTATE_EL1H_DAIF (PSR_MODE_EL1h | PSR_DAIF)

struct vmm_vm;

struct vmm_vcpu {
	struct vmm_vm *vm;
	unsigned id;
	int fd;
	pthread_t thread;
	bool thread_started;
	struct gzvm_vcpu_run *run;
	uint64_t exits[VMM_NR_EXIT_REASONS + 1]; /* last: unknown values */
};

struct vmm_vdev {
	struct vmm_virtio vd;
	struct vmm_vm *vm;
	/* One wildcard ioeventfd on QueueNotify per transport: gzvm refuses a second
	 * ioeventfd at an address already covered, so per-queue DATAMATCH entries cannot
	 * coexist. A signal makes the event loop look at every queue of the device. */
	int notify_fd;
	bool ioeventfd;
	int irq_fd; /* irqfd */
	bool irqfd;
	/* Queues served by the notifying vCPU's thread in its MMIO exit (virtio-blk): no
	 * ioeventfd; notify_fd only takes work left over when a pass ran out of budget. */
	bool serve_on_vcpu;
	atomic_bool det_notified; /* deterministic mode: a queue notify to serve (det.c) */
	union {
		struct vmm_blk blk;
		struct vmm_vcon vcon;
		struct vmm_rng rng;
		struct vmm_vsock vsock;
		struct vmm_net net;
	} u;
};

struct vmm_vm {
	const struct vmm_config *cfg;
	struct vmm_backend be;
	int dev_fd;
	int vm_fd;
	void *ram;
	uint64_t ram_size;
	bool ram_locked; /* --prealloc: mlock took (ram.c) */
	struct vmm_mem mem;
	struct vmm_boot_layout boot;
	void *dtb;
	struct vmm_vcpu vcpus[VMM_MAX_CPUS];
	unsigned ncpus;

	struct vmm_console con;
	int con_fd; /* -1 for stdio */
	struct pl011 uart;
	struct vmm_vdev *vdevs[VMM_MAX_VDEVS];
	unsigned nvdevs;
	struct vmm_vdev *vcon;	/* the virtio-console transport */
	struct vmm_vdev *vsock; /* the virtio-vsock transport (--vsock), or NULL */
	struct vmm_vsock_host vsock_host;
	bool vsock_host_open;
	struct vmm_vdev *net; /* the virtio-net transport (--net), or NULL */

	int epfd;
	int stop_fd;
	int sig_fd;
	bool stdin_open;
	atomic_bool stopping;
	atomic_int status; /* enum vmm_exit_status once stopping */
	bool tty_raw;

	pthread_mutex_t testdev_lock;
	struct gzdev_testdev testdev;
	struct vmm_flash flash;
	struct vmm_rtc rtc;
	struct vmm_gpio gpio;
	int stop_timer_fd;	/* --stop-timeout after the SIGTERM power key press */
	bool power_key_pressed; /* by SIGTERM, this run */
	unsigned reboots;
	struct vmm_det det;
	struct vmm_pvmfw pvmfw; /* --pvmfw */

	unsigned mmio_const; /* registers the hypervisor answers (declare_mmio_const) */
	atomic_ullong mmio_unhandled;
	atomic_ullong aborts_injected;
	atomic_ullong irq_line_calls;
};

/* Builds the VM; on failure returns the exit status (VMM_EXIT_USAGE for bad input,
 * VMM_EXIT_ERROR for backend trouble) after printing one line; 0 on success. */
int vmm_vm_setup(struct vmm_vm *vm, const struct vmm_config *cfg,
		 const struct vmm_backend_ops *ops);
/* Memory the backend must provide for the VM of @cfg (its RAM and flash banks). */
size_t vmm_vm_backend_bytes(const struct vmm_config *cfg);
/* Runs until the guest stops or a signal arrives; returns the exit status. */
int vmm_vm_run(struct vmm_vm *vm);
void vmm_vm_teardown(struct vmm_vm *vm);
void vmm_vm_print_stats(struct vmm_vm *vm, void *stream);

/* MMIO dispatch for one exit (vCPU thread). false: no device there (reads returned 0). */
bool vmm_vm_mmio(struct vmm_vm *vm, uint64_t addr, uint8_t *data, unsigned size, bool is_write);
/* Ends the VM with status (first caller wins) and wakes the event loop. */
void vmm_vm_stop(struct vmm_vm *vm, int status);
const char *vmm_exit_reason_name(uint32_t reason);

/* Console input for the device --input names, and how much it takes now. */
size_t vmm_vm_input_space(struct vmm_vm *vm);
void vmm_vm_input(struct vmm_vm *vm, const uint8_t *buf, size_t n);

/* Sets the level of SPI spi (GZVM_IRQ_LINE). */
void vmm_vm_irq_line(struct vmm_vm *vm, unsigned spi, bool level);
/* After a guest reset (PSCI SYSTEM_RESET, --on-reset restart): the VM is built again in
 * place (images reloaded, RAM cleared, devices reset, disks and the variable store kept).
 * 0, or the exit status after a one-line message. */
int vmm_vm_reboot(struct vmm_vm *vm);

/* Sets guest register id to value on a vCPU. */
int vmm_vcpu_set_reg(struct vmm_vm *vm, struct vmm_vcpu *v, uint64_t id, uint64_t value);
/* Reports "gzvmm: WHAT failed: <errno>" for a failed ioctl (-@r), naming the limit when the
 * hypervisor refused for one (ENOSPC: the VM limit at GZVM_CREATE_VM, the VM's quota of
 * hypervisor memory elsewhere). VMM_EXIT_ERROR. */
int vmm_hv_fail(struct vmm_vm *vm, const char *what, long r);

#endif
