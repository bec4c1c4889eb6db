/* PSCI 1.1 for guests, inside the hypervisor: version and feature discovery, CPU_ON /
 * CPU_OFF / AFFINITY_INFO on the vCPU power states (changed under the VM lock, so of several
 * concurrent CPU_ON calls for one vCPU exactly one gets SUCCESS), CPU_SUSPEND as a WFI, and
 * SYSTEM_OFF / SYSTEM_RESET / SYSTEM_RESET2 as SYSTEM_EVENT exits to the host. */
#include <uapi/linux/gzvm.h>
#include <arm64/sysreg.h>
#include <gzabi/guest_calls.h>
#include <gzhyp/atomic.h>
#include <gzhyp/psci.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vcpu_exit.h>
#include <gzhyp/vcpu_idle.h>
#include <gzhyp/vm.h>

#define PSCI_FN_MAX 0x1f

static uint64_t arg(const struct gz_vcpu *v, unsigned i, bool smc64)
{
	return smc64 ? v->ctx.x[i] : (uint32_t)v->ctx.x[i];
}

static void ret(struct gz_vcpu *v, int64_t val)
{
	v->ctx.x[0] = (uint64_t)val;
}

static int64_t cpu_on(struct gz_vcpu *v, bool smc64, bool *woke)
{
	struct gz_vm *vm = v->vm;
	uint64_t target = arg(v, 1, smc64), entry = arg(v, 2, smc64), ctx = arg(v, 3, smc64);
	struct gz_vcpu *t;
	int64_t r;

	/* The target is looked up under the VM lock: DESTROY_VCPU frees a vCPU under it, and
	 * the power state and entry point must never be written into a freed page. */
	gz_hal_lock(&vm->lock);
	t = gz_vm_find_vcpu_by_mpidr(vm, target);
	if (!t) {
		gz_hal_unlock(&vm->lock);
		return GZ_PSCI_RET_INVALID_PARAMETERS;
	}
	/* A64 instructions are word aligned; the entry must be a guest IPA. */
	if ((entry & 3) || (entry >> vm->ipa_bits)) {
		gz_hal_unlock(&vm->lock);
		return GZ_PSCI_RET_INVALID_ADDRESS;
	}
	switch (t->power) {
	case GZ_VCPU_OFF:
		t->power = GZ_VCPU_ON_PENDING;
		t->on_entry = entry;
		t->on_context = ctx;
		r = GZ_PSCI_RET_SUCCESS;
		*woke = true;
		break;
	case GZ_VCPU_ON_PENDING:
		r = GZ_PSCI_RET_ON_PENDING;
		break;
	default:
		r = GZ_PSCI_RET_ALREADY_ON;
		break;
	}
	gz_hal_unlock(&vm->lock);
	return r;
}

static int64_t affinity_info(struct gz_vcpu *v, bool smc64)
{
	uint64_t target = arg(v, 1, smc64), level = arg(v, 2, smc64), mask;
	struct gz_vm *vm = v->vm;
	bool any = false, on = false, pending = false;
	unsigned i;

	if (level > 3 || (target & ~MPIDR_AFF_MASK))
		return GZ_PSCI_RET_INVALID_PARAMETERS;
	/* Levels below @level are ignored: level 1 asks about a whole cluster. */
	mask = MPIDR_AFF_MASK;
	if (level >= 1)
		mask &= ~MPIDR_AFF0;
	if (level >= 2)
		mask &= ~MPIDR_AFF1;
	if (level >= 3)
		mask &= ~MPIDR_AFF2;
	gz_hal_lock(&vm->lock);
	for (i = 0; i < GZ_VM_MAX_VCPUS; i++) {
		struct gz_vcpu *t = vm->vcpus[i];

		if (!t || ((t->mpidr ^ target) & mask))
			continue;
		any = true;
		on |= t->power == GZ_VCPU_ON;
		pending |= t->power == GZ_VCPU_ON_PENDING;
	}
	gz_hal_unlock(&vm->lock);
	if (!any)
		return GZ_PSCI_RET_INVALID_PARAMETERS;
	if (on)
		return GZ_PSCI_AFFINITY_ON;
	return pending ? GZ_PSCI_AFFINITY_ON_PENDING : GZ_PSCI_AFFINITY_OFF;
}

static int64_t features(uint32_t fid)
{
	switch (fid) {
	case GZ_PSCI_VERSION:
	case GZ_PSCI_CPU_SUSPEND_32:
	case GZ_PSCI_CPU_SUSPEND_64:
	case GZ_PSCI_CPU_OFF:
	case GZ_PSCI_CPU_ON_32:
	case GZ_PSCI_CPU_ON_64:
	case GZ_PSCI_AFFINITY_INFO_32:
	case GZ_PSCI_AFFINITY_INFO_64:
	case GZ_PSCI_MIGRATE_INFO_TYPE:
	case GZ_PSCI_SYSTEM_OFF:
	case GZ_PSCI_SYSTEM_RESET:
	case GZ_PSCI_SYSTEM_RESET2_32:
	case GZ_PSCI_SYSTEM_RESET2_64:
	case GZ_PSCI_FEATURES:
	case GZ_SMCCC_VERSION:
		/* CPU_SUSPEND: 0 = platform-coordinated mode, original power_state format */
		return GZ_PSCI_RET_SUCCESS;
	default:
		return GZ_PSCI_RET_NOT_SUPPORTED;
	}
}

/* The guest asked the machine to stop: every vCPU's next RUN reports the same event. */
static enum gz_exit_action system_event(struct gz_vcpu *v, uint32_t type, uint64_t data)
{
	struct gz_vm *vm = v->vm;

	gz_hal_lock(&vm->lock);
	if (vm->state != GZ_VM_OFF) {
		/* The event first: a vCPU that sees OFF without the lock reads it next. */
		vm->sys_event = type;
		vm->sys_event_data = data;
		gz_atomic_store_release(&vm->state, GZ_VM_OFF);
	}
	type = vm->sys_event;
	data = vm->sys_event_data;
	gz_hal_unlock(&vm->lock);
	gz_vcpu_exit_system_event(v, type, data);
	return GZ_EXIT_TO_HOST;
}

/* Every case of gz_psci_call below that does more than write x0: keep the two in step
 * (test_exit_fast plays each PSCI function through both paths). */
bool gz_psci_call_is_query(uint32_t fid)
{
	switch (fid) {
	case GZ_PSCI_CPU_ON_32:
	case GZ_PSCI_CPU_ON_64:
	case GZ_PSCI_CPU_OFF:
	case GZ_PSCI_CPU_SUSPEND_32:
	case GZ_PSCI_CPU_SUSPEND_64:
	case GZ_PSCI_SYSTEM_OFF:
	case GZ_PSCI_SYSTEM_RESET:
	case GZ_PSCI_SYSTEM_RESET2_32:
	case GZ_PSCI_SYSTEM_RESET2_64:
		return false;
	default:
		return true;
	}
}

enum gz_exit_action gz_psci_call(struct gz_vcpu *v, const struct gz_exit *x)
{
	uint32_t fid = (uint32_t)v->ctx.x[0];
	bool smc64 = fid & GZ_SMCCC_SMC64;
	bool woke = false;
	uint64_t rtype;

	(void)x;
	if (GZ_SMCCC_OWNER(fid) != GZ_SMCCC_OWNER_STANDARD || !(fid & GZ_SMCCC_FAST_CALL) ||
	    (fid & GZ_SMCCC_FUNC_MASK) > PSCI_FN_MAX)
		return GZ_EXIT_NEXT;

	switch (fid) {
	case GZ_PSCI_VERSION:
		ret(v, GZ_PSCI_VERSION_1_1);
		return GZ_EXIT_RESUME;
	case GZ_PSCI_FEATURES:
		ret(v, features((uint32_t)v->ctx.x[1]));
		return GZ_EXIT_RESUME;
	case GZ_PSCI_CPU_ON_32:
	case GZ_PSCI_CPU_ON_64:
		ret(v, cpu_on(v, smc64, &woke));
		if (!woke)
			return GZ_EXIT_RESUME;
		/* The target's host thread may be asleep in IDLE: let the host wake it. */
		gz_vcpu_exit_simple(v, GZVM_EXIT_IPI);
		return GZ_EXIT_TO_HOST;
	case GZ_PSCI_CPU_OFF:
		gz_hal_lock(&v->vm->lock);
		v->power = GZ_VCPU_OFF;
		gz_hal_unlock(&v->vm->lock);
		/* No return on success; the host parks the thread until a CPU_ON. */
		gz_vcpu_exit_simple(v, GZVM_EXIT_IDLE);
		return GZ_EXIT_TO_HOST;
	case GZ_PSCI_AFFINITY_INFO_32:
	case GZ_PSCI_AFFINITY_INFO_64:
		ret(v, affinity_info(v, smc64));
		return GZ_EXIT_RESUME;
	case GZ_PSCI_CPU_SUSPEND_32:
	case GZ_PSCI_CPU_SUSPEND_64:
		/* Every power state is treated as standby: a WFI, then SUCCESS at the call site
		 * (PSCI allows an implementation to downgrade a powerdown request). */
		ret(v, GZ_PSCI_RET_SUCCESS);
		return gz_vcpu_wfi(v);
	case GZ_PSCI_MIGRATE_INFO_TYPE:
		ret(v, GZ_PSCI_TOS_NOT_PRESENT_MP);
		return GZ_EXIT_RESUME;
	case GZ_PSCI_SYSTEM_OFF:
		return system_event(v, GZVM_SYSTEM_EVENT_SHUTDOWN, 0);
	case GZ_PSCI_SYSTEM_RESET:
		return system_event(v, GZVM_SYSTEM_EVENT_RESET, 0);
	case GZ_PSCI_SYSTEM_RESET2_32:
	case GZ_PSCI_SYSTEM_RESET2_64:
		rtype = (uint32_t)v->ctx.x[1];
		/* Architectural types other than 0 (warm reset) are not defined. */
		if (!(rtype & GZ_PSCI_RESET2_VENDOR_BIT) && rtype != 0) {
			ret(v, GZ_PSCI_RET_INVALID_PARAMETERS);
			return GZ_EXIT_RESUME;
		}
		return system_event(v, GZVM_SYSTEM_EVENT_RESET, rtype);
	default:
		/* MIGRATE, MIGRATE_INFO_UP_CPU (no Trusted OS to migrate), CPU_FREEZE,
		 * SYSTEM_SUSPEND, statistics, MEM_PROTECT... */
		ret(v, GZ_PSCI_RET_NOT_SUPPORTED);
		return GZ_EXIT_RESUME;
	}
}
