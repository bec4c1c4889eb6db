/* The exit-handler registry and dispatch, the defined outcome of every exit type nobody
 * claims, and the writers of the gzvm exits in the shared run page. */
#include <uapi/linux/gzvm.h>
#include <arm64/esr.h>
#include <arm64/inject.h>
#include <arm64/sysreg.h>
#include <gzhyp/exit.h>
#include <gzabi/guest_calls.h>
#include <gzhyp/lib.h>
#include <gzhyp/psci.h>
#include <gzabi/status.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <gzhyp/vtimer.h>
#include <hal.h>

struct handler {
	int prio;
	gz_exit_handler_fn fn;
};

static struct {
	struct handler h[GZ_XT_NR][GZ_EXIT_MAX_HANDLERS];
	unsigned n[GZ_XT_NR];
} registry;

int gz_exit_register(enum gz_exit_type type, int prio, gz_exit_handler_fn fn)
{
	unsigned i, n;

	if ((unsigned)type >= GZ_XT_NR || !fn)
		return GZ_ERR_INVALID_ARGS;
	n = registry.n[type];
	for (i = 0; i < n; i++)
		if (registry.h[type][i].fn == fn)
			return GZ_ERR_ALREADY_EXISTS;
	if (n == GZ_EXIT_MAX_HANDLERS)
		return GZ_ERR_NO_RESOURCES;
	/* Keep the list sorted by priority; equal priorities run in registration order. */
	for (i = n; i > 0 && registry.h[type][i - 1].prio > prio; i--)
		registry.h[type][i] = registry.h[type][i - 1];
	registry.h[type][i].prio = prio;
	registry.h[type][i].fn = fn;
	registry.n[type] = n + 1;
	return GZ_OK;
}

/* ---- exits to the host ------------------------------------------------------------------ */

static void clear_exit(struct gz_vcpu *v, uint32_t reason)
{
	struct gzvm_vcpu_run *run = v->run;

	run->exit_reason = reason;
	gz_memset(run->padding, 0, sizeof(run->padding));
}

void gz_vcpu_exit_simple(struct gz_vcpu *v, uint32_t reason)
{
	clear_exit(v, reason);
}

void gz_vcpu_exit_system_event(struct gz_vcpu *v, uint32_t type, uint64_t data)
{
	clear_exit(v, GZVM_EXIT_SYSTEM_EVENT);
	v->run->system_event.type = type;
	v->run->system_event.ndata = 1;
	v->run->system_event.data[0] = data;
}

void gz_vcpu_exit_hypercall(struct gz_vcpu *v)
{
	unsigned i;

	clear_exit(v, GZVM_EXIT_HYPERCALL);
	for (i = 0; i < 8; i++)
		v->run->hypercall.args[i] = v->ctx.x[i];
	v->hvc_pending = true;
	v->hvc_copy_back = true;
}

void gz_vcpu_exit_page_fault(struct gz_vcpu *v, gz_ipa_t gpa, uint32_t error_code)
{
	clear_exit(v, GZVM_EXIT_EXCEPTION);
	v->run->exception.exception = GZVM_EXCEPTION_PAGE_FAULT;
	v->run->exception.error_code = error_code;
	v->run->exception.fault_gpa = gpa;
}

void gz_vcpu_exit_internal(struct gz_vcpu *v, uint32_t suberror, const uint64_t *data,
			   unsigned ndata)
{
	unsigned i;

	clear_exit(v, GZVM_EXIT_INTERNAL_ERROR);
	if (ndata > 16)
		ndata = 16;
	v->run->internal.suberror = suberror;
	v->run->internal.ndata = ndata;
	for (i = 0; i < ndata; i++)
		v->run->internal.data[i] = data[i];
}

/* ---- built-in handlers ------------------------------------------------------------------ */

static enum gz_exit_action abort_in_slot(struct gz_vcpu *v, const struct gz_exit_desc *d)
{
	const struct gz_exit_abort *ab = &d->abort;

	if (gz_memslot_lookup(&v->vm->mem, ab->ipa) < 0)
		return GZ_EXIT_NEXT;
	/* A missing page of guest RAM (or of a stage-1 table in it): demand paging. The
	 * instruction re-executes once the host mapped the page. */
	if (ab->kind == GZ_FAULT_TRANSLATION || ab->kind == GZ_FAULT_ACCESS_FLAG) {
		gz_vcpu_exit_page_fault(v, ab->ipa & GZ_PAGE_MASK, (uint32_t)d->esr);
		return GZ_EXIT_TO_HOST;
	}
	/* Guest RAM is mapped RWX: any other fault there is a broken access (external abort,
	 * alignment, address size). The guest gets the abort. */
	if (d->type == GZ_XT_DABT)
		arm64_inject_dabt(&v->ctx, ab->va, ab->write);
	else
		arm64_inject_iabt(&v->ctx, ab->va);
	return GZ_EXIT_RESUME;
}

static enum gz_exit_action dabt_default(struct gz_vcpu *v, const struct gz_exit_desc *d)
{
	const struct gz_exit_abort *ab = &d->abort;

	if (ab->ea || ab->s1ptw) {
		/* External abort, or the guest's page tables live outside its RAM. */
		arm64_inject_dabt(&v->ctx, ab->va, ab->write);
		return GZ_EXIT_RESUME;
	}
	if (ab->cm) {
		/* Cache maintenance by VA on a device: nothing to maintain. */
		gz_vcpu_skip_insn(v, d);
		return GZ_EXIT_RESUME;
	}
	if (ab->isv) {
		gz_mmio_exit(v, d);
		return GZ_EXIT_TO_HOST;
	}
	{
		/* No syndrome (load/store pair, writeback, SIMD...): not emulated; the VMM gets
		 * the facts and decides (docs/abi.md). */
		uint64_t data[4] = {d->esr, ab->va, ab->ipa, v->ctx.pc};

		gz_vcpu_exit_internal(v, GZ_INTERNAL_MMIO_NO_ISV, data, 4);
		return GZ_EXIT_TO_HOST;
	}
}

static enum gz_exit_action call_default(struct gz_vcpu *v, const struct gz_exit_desc *d)
{
	(void)d;
	v->ctx.x[0] = (uint64_t)(int64_t)GZ_SMCCC_RET_NOT_SUPPORTED;
	return GZ_EXIT_RESUME;
}

static enum gz_exit_action outcome(struct gz_vcpu *v, const struct gz_exit_desc *d)
{
	switch (d->type) {
	case GZ_XT_DABT:
		return dabt_default(v, d);
	case GZ_XT_IABT:
		/* Executing from a hole or a device. */
		arm64_inject_iabt(&v->ctx, d->abort.va);
		return GZ_EXIT_RESUME;
	case GZ_XT_HVC:
	case GZ_XT_SMC:
		return call_default(v, d);
	case GZ_XT_WFI:
		gz_vcpu_skip_insn(v, d);
		return gz_vcpu_wfi(v);
	case GZ_XT_WFE:
		/* A spin-wait hint: give the host a chance to run the lock holder. */
		gz_vcpu_skip_insn(v, d);
		gz_vcpu_exit_simple(v, GZVM_EXIT_GZ);
		return GZ_EXIT_TO_HOST;
	case GZ_XT_IRQ:
		gz_vcpu_exit_simple(v, GZVM_EXIT_IRQ);
		return GZ_EXIT_TO_HOST;
	case GZ_XT_DEBUG:
		gz_vcpu_exit_simple(v, GZVM_EXIT_DEBUG);
		return GZ_EXIT_TO_HOST;
	case GZ_XT_SERROR: {
		uint64_t data[2] = {d->esr, v->ctx.pc};

		gz_vcpu_exit_internal(v, GZ_INTERNAL_SERROR, data, 2);
		return GZ_EXIT_TO_HOST;
	}
	case GZ_XT_FAIL_ENTRY:
		clear_exit(v, GZVM_EXIT_FAIL_ENTRY);
		v->run->fail_entry.hardware_entry_failure_reason = d->esr;
		v->run->fail_entry.cpu = gz_hal_cpu_id();
		return GZ_EXIT_TO_HOST;
	default:
		/* UNDEF, and trapped system registers nobody emulates. */
		arm64_inject_undef(&v->ctx);
		return GZ_EXIT_RESUME;
	}
}

enum gz_exit_action gz_exit_dispatch(struct gz_vcpu *v, const struct gz_exit_desc *d)
{
	unsigned i, type = d->type;

	if (type >= GZ_XT_NR)
		type = GZ_XT_UNDEF;
	if (d->type == GZ_XT_SMC) {
		/* A trapped SMC returns to the SMC itself; a completed call goes past it. */
		gz_vcpu_skip_insn(v, d);
	}
	if ((d->type == GZ_XT_HVC || d->type == GZ_XT_SMC) && d->call.imm != 0)
		return call_default(v, d); /* SMCCC calls use immediate 0 */
	for (i = 0; i < registry.n[type]; i++) {
		enum gz_exit_action a = registry.h[type][i].fn(v, d);

		if (a != GZ_EXIT_NEXT)
			return a;
	}
	return outcome(v, d);
}

static enum gz_exit_action dabt_vgic(struct gz_vcpu *v, const struct gz_exit_desc *d)
{
	const struct gz_exit_abort *ab = &d->abort;
	bool be = gz_mmio_guest_big_endian(v);
	uint8_t bytes[8];
	uint64_t val = 0;
	int r;

	if (!ab->isv || ab->cm)
		return GZ_EXIT_NEXT;
	if (ab->write) {
		/* The bytes the store puts on the bus, read as the little-endian register. */
		gz_mmio_store_bytes(gz_vcpu_get_reg(v, ab->reg), ab->size, be, bytes);
		val = gz_mmio_load_value(bytes, ab->size, false, true);
	}
	r = gz_vgic_mmio(&v->vm->vgic, v->id, ab->ipa, ab->size, ab->write, &val);
	if (r == GZ_VGIC_MMIO_NOT_MINE)
		return GZ_EXIT_NEXT;
	if (r != GZ_OK) {
		arm64_inject_dabt(&v->ctx, ab->va, ab->write);
		return GZ_EXIT_RESUME;
	}
	if (!ab->write) {
		gz_mmio_store_bytes(val, ab->size, false, bytes);
		gz_vcpu_set_reg(v, ab->reg,
				gz_mmio_load(bytes, ab->size, be, ab->sign_extend, ab->sf));
	}
	gz_vcpu_skip_insn(v, d);
	return GZ_EXIT_RESUME;
}

static enum gz_exit_action sysreg_gic_timer(struct gz_vcpu *v, const struct gz_exit_desc *d)
{
	const struct gz_exit_sysreg *s = &d->sysreg;
	enum gz_vgic_sgi_reg which;

	switch (s->enc) {
	case SYS_ICC_SGI1R_EL1:
		which = GZ_VGIC_SGI1R;
		break;
	case SYS_ICC_ASGI1R_EL1:
		which = GZ_VGIC_ASGI1R;
		break;
	case SYS_ICC_SGI0R_EL1:
		which = GZ_VGIC_SGI0R;
		break;
	default:
		/* Including the physical EL1 timer (CNTP_*): only the virtual timer is offered
		 * (gzhyp/vtimer.h), the default outcome is UNDEF. */
		return GZ_EXIT_NEXT;
	}
	/* The SGI registers are write-only: a read is UNDEFINED. */
	if (s->read ||
	    gz_vgic_sysreg_sgi(&v->vm->vgic, v->id, which, gz_vcpu_get_reg(v, s->reg)) != GZ_OK)
		return GZ_EXIT_NEXT;
	gz_vcpu_skip_insn(v, d);
	return GZ_EXIT_RESUME; /* kicks of other vCPUs become an IPI exit in the run loop */
}

void gz_exit_registry_init(void)
{
	gz_memset(&registry, 0, sizeof(registry));
	gz_exit_register(GZ_XT_DABT, GZ_EXIT_PRIO_VGIC, dabt_vgic);
	gz_exit_register(GZ_XT_DABT, GZ_EXIT_PRIO_MEM, abort_in_slot);
	gz_exit_register(GZ_XT_IABT, GZ_EXIT_PRIO_MEM, abort_in_slot);
	gz_exit_register(GZ_XT_SYSREG, GZ_EXIT_PRIO_VGIC, sysreg_gic_timer);
	gz_exit_register(GZ_XT_SYSREG, GZ_EXIT_PRIO_DEFAULT, gz_sysreg_debug_pmu);
	gz_exit_register(GZ_XT_HVC, GZ_EXIT_PRIO_PSCI, gz_psci_call);
	gz_exit_register(GZ_XT_HVC, GZ_EXIT_PRIO_SMCCC, gz_smccc_call);
	gz_exit_register(GZ_XT_SMC, GZ_EXIT_PRIO_PSCI, gz_psci_call);
	gz_exit_register(GZ_XT_SMC, GZ_EXIT_PRIO_SMCCC, gz_smccc_call);
}
