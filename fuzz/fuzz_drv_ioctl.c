/* Fuzz target: sequences of VM/vCPU ioctls, eventfd events, vCPU exits and injected
 * environment/hypervisor failures against the portable gzvm driver logic (src/driver/common),
 * in the fake environment. After every step the VM's invariants must hold (slots never
 * overlap, every pin is accounted for and is its page's, the ioeventfd table holds no
 * colliding entries, irqfds bind distinct eventfds, eventfd references match the tables);
 * after teardown nothing may be left pinned, allocated, locked or referenced.
 * fuzz-libs: gzdrv_fake gzdrv */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arm64/ich.h>

#include "drv_fake.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t u64(struct in *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)u8(in) << (8 * i);
	return v;
}

static void check(struct gzdrv_vm *vm, const char *when)
{
	const char *bad = fake_vm_invariants(vm);

	if (!bad && fake_pins_outstanding() != (long)vm->stats.pinned_pages)
		bad = "pins outstanding differ from the VM's count";
	if (!bad && (fake.lock_error || fake.pin_error))
		bad = "lock or reference misuse";
	if (bad) {
		fprintf(stderr, "invariant broken after %s: %s\n", when, bad);
		abort();
	}
}

static const uint64_t io_addrs[] = {0x1000, 0x1002, 0x1004, 0x1008, 0x0fff, 0x2000, ~0ULL - 3};
static const uint32_t lens[] = {0, 1, 2, 4, 8, 3};
static const uint32_t exits[] = {GZVM_EXIT_MMIO,      GZVM_EXIT_IRQ,	   GZVM_EXIT_GZ,
				 GZVM_EXIT_EXCEPTION, GZVM_EXIT_HYPERCALL, GZVM_EXIT_IDLE,
				 GZVM_EXIT_IPI,	      GZVM_EXIT_SHUTDOWN};

static void push_exit(struct in *in)
{
	uint32_t kind = exits[u8(in) % (sizeof(exits) / sizeof(exits[0]))];
	struct gzvm_vcpu_run *e = fake_hyp_exit(kind);
	uint8_t sel = u8(in);

	switch (kind) {
	case GZVM_EXIT_MMIO:
		e->mmio.phys_addr = io_addrs[sel % 7];
		e->mmio.size = lens[(sel >> 3) % 6];
		e->mmio.is_write = sel >> 7;
		e->mmio.data[0] = u8(in);
		break;
	case GZVM_EXIT_EXCEPTION:
		e->exception.exception = sel & 1 ? GZVM_EXCEPTION_PAGE_FAULT : 0;
		e->exception.fault_gpa = (uint64_t)u8(in) * 16 * 4096 + (uint64_t)(sel >> 1) * 4096;
		break;
	case GZVM_EXIT_HYPERCALL:
		e->hypercall.args[0] = sel & 1 ? GZVM_HVC_MEM_RELINQUISH : GZVM_HVC_PTP;
		e->hypercall.args[1] =
		    sel & 1 ? (uint64_t)u8(in) * 16 * 4096 + (uint64_t)(sel >> 1) * 4096 : sel >> 6;
		break;
	case GZVM_EXIT_IDLE:
	case GZVM_EXIT_IRQ: {
		struct gzvm_vcpu_hwstate *hw = fake_hyp_exit_hw();

		hw->nr_lrs = sel & 3;
		hw->vtimer_migrate = sel >> 7;
		hw->vtimer_delay = u8(in);
		hw->lr[0] = GZ_FIELD_PREP(ARCH_ICH_LR_STATE, u8(in) & 3) | (32 + (sel >> 2) % 8);
		break;
	}
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	static struct gzvm_userspace_memory_region r;
	static struct gzvm_ioeventfd io;
	static struct gzvm_irqfd irq;
	static struct gzvm_irq_level lvl;
	static struct gzvm_vcpu_run run;
	struct gzdrv_vcpu *vcpus[GZVM_MAX_VCPUS] = {0};
	struct gzdrv_vm *vm;
	uint64_t ram[2];
	int fds[6];
	uint8_t mode = u8(&in);
	unsigned int steps = 0;

	fake_reset(true);
	fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, mode % 3 ? GZ_OK : GZ_ERR_NOT_SUPPORTED, 0, 0, 0);
	if (mode % 3)
		fake_hyp_status(GZ_HVC_FN_ENABLE_CAP, mode % 3 == 2 ? GZ_OK : GZ_ERR_NOT_SUPPORTED,
				0, 0, 0);
	vm = fake_vm_new();
	if (!vm)
		abort();
	gzdrv_set_batch_pages(vm->drv, 1u << ((mode >> 2) % 10));
	ram[0] = fake_ram(1024, (mode >> 4) % 5);
	ram[1] = fake_ram(64, 1);
	for (int i = 0; i < 6; i++)
		fds[i] = fake_efd_new();

	while (in.n && steps++ < 200) {
		uint8_t op = u8(&in);
		uint8_t a = u8(&in), b = u8(&in);

		switch (op % 16) {
		case 0: /* add a region */
			r.slot = a % 11;
			r.flags = (b & 0x80) ? 8 : (b & 7);
			r.guest_phys_addr = (uint64_t)u8(&in) * 16 * 4096;
			r.memory_size = (uint64_t)(u8(&in) % 65) * 4096;
			r.userspace_addr = ram[b & 1] + (uint64_t)((b >> 1) % 8) * 4096;
			gzdrv_vm_ioctl(vm, GZVM_SET_USER_MEMORY_REGION, fake_user(&r, sizeof(r)));
			break;
		case 1: /* delete */
			memset(&r, 0, sizeof(r));
			r.slot = a % 11;
			gzdrv_vm_ioctl(vm, GZVM_SET_USER_MEMORY_REGION, fake_user(&r, sizeof(r)));
			break;
		case 2: /* ioeventfd */
			memset(&io, 0, sizeof(io));
			io.fd = fds[a % 6];
			io.addr = io_addrs[(a >> 3) % 7];
			io.len = lens[b % 6];
			io.flags = (b >> 3) & 0xf;
			io.datamatch = b >> 7;
			gzdrv_vm_ioctl(vm, GZVM_IOEVENTFD, fake_user(&io, sizeof(io)));
			break;
		case 3: /* irqfd */
			memset(&irq, 0, sizeof(irq));
			irq.fd = (uint32_t)fds[a % 6];
			irq.resamplefd = (uint32_t)fds[(a >> 3) % 6];
			irq.gsi = b % 8;
			irq.flags = (b >> 3) & 7;
			gzdrv_vm_ioctl(vm, GZVM_IRQFD, fake_user(&irq, sizeof(irq)));
			break;
		case 4: /* the VMM writes an eventfd */
			fake_efd_write(fds[a % 6]);
			break;
		case 5: /* closes one and makes a new one */
			fake_efd_close(fds[a % 6]);
			fds[a % 6] = fake_efd_new();
			break;
		case 6: /* vCPU through the ioctl (its fd may fail: then it is retried) */
			fake.fail_newfd_in = b & 1;
			if (gzdrv_vm_ioctl(vm, GZVM_CREATE_VCPU, a % 10) >= 0)
				vcpus[a % 10] = fake.last_fd_obj;
			fake.fail_newfd_in = 0;
			break;
		case 7: /* run with a few scripted exits */
			for (int i = 0; i < b % 4; i++)
				push_exit(&in);
			if (vcpus[a % GZVM_MAX_VCPUS]) {
				memset(&run, 0, sizeof(run));
				gzdrv_vcpu_ioctl(vcpus[a % GZVM_MAX_VCPUS], GZVM_RUN,
						 fake_user(&run, sizeof(run)));
			}
			fake.exit_head = fake.exit_tail;
			break;
		case 8:
			lvl.irq = (uint32_t)u64(&in);
			lvl.level = a & 3;
			gzdrv_vm_ioctl(vm, GZVM_IRQ_LINE, fake_user(&lvl, sizeof(lvl)));
			break;
		case 9: /* a hypervisor answer goes wrong once */
			fake_hyp_status(a % GZ_HVC_FN_NR,
					(const int64_t[]){GZ_ERR_BUSY, GZ_ERR_NO_MEMORY,
							  GZ_ERR_INVALID_ARGS, GZ_ERR_FAULT}[b % 4],
					0, 0, 0);
			break;
		case 10: /* an environment service fails once */
			if (b % 3 == 0)
				fake.fail_pin_in = a % 64 + 1;
			else if (b % 3 == 1)
				fake.fail_zalloc_in = a % 4 + 1;
			else
				fake.fail_alloc_in = a % 4 + 1;
			break;
		case 11:
			gzdrv_vm_irq_eoi(vm, a % 8);
			break;
		case 12: /* any VM ioctl with a garbage argument */
			gzdrv_vm_ioctl(vm, 0x40009200u | ((uint32_t)b << 16) | a, u64(&in));
			break;
		case 13:
			gzdrv_vm_ioctl(vm, GZVM_CHECK_EXTENSION, u64(&in));
			break;
		case 14:
			if (vcpus[a % GZVM_MAX_VCPUS])
				gzdrv_vcpu_ioctl(vcpus[a % GZVM_MAX_VCPUS],
						 b & 1 ? GZVM_SET_ONE_REG : GZVM_GET_ONE_REG,
						 u64(&in));
			break;
		default:
			gzdrv_set_batch_pages(vm->drv, a);
			break;
		}
		check(vm, "a step");
	}
	/* teardown with a cooperative hypervisor: everything must come back */
	memset(fake.script_head, 0, sizeof(fake.script_head));
	memset(fake.script_tail, 0, sizeof(fake.script_tail));
	memset(fake.default_status, 0, sizeof(fake.default_status));
	fake.fail_pin_in = fake.fail_zalloc_in = fake.fail_alloc_in = 0;
	gzdrv_vm_release(vm);
	if (fake_leaks()) {
		fprintf(stderr, "after teardown: %s\n", fake_leaks());
		abort();
	}
	return 0;
}
