/* Exit dispatch: one static table says, per exit type, which in-hypervisor handlers are asked
 * and in what order, and what happens to an exit none of them claims. */
#include <uapi/linux/gzvm.h>
#include <arm64/inject.h>
#include <arm64/sysreg.h>
#include <gzhyp/exit.h>
#include <gzabi/guest_calls.h>
#include <gzhyp/mmio.h>
#include <gzhyp/pmu.h>
#include <gzhyp/psci.h>
#include <gzhyp/pvm.h>
#include <gzhyp/sysreg_id.h>
#include <gzabi/status.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vcpu_exit.h>
#include <gzhyp/vcpu_idle.h>
#include <gzhyp/vm.h>

/* ---- handlers ------------------------------------------------------------------------- */

/* An access the vGIC serves: its distributor or a redistributor frame. The value crosses
 * between register and bus once each way (a big-endian guest's bytes swapped). */
static enum gz_exit_action dabt_vgic(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_desc *d = &x->desc;
	const struct gz_exit_abort *ab = &d->abort;
	struct gz_vgic_loc loc;
	uint64_t val = 0;
	bool be;
	int r;

	if (!ab->isv || ab->cm)
		return GZ_EXIT_NEXT;
	if (x->vgic_located)
		loc = x->vgic;
	else
		gz_vgic_mmio_locate(&v->vm->vgic, v->id, ab->ipa, ab->size, &loc);
	if (loc.frame == GZ_VGIC_FRAME_NONE)
		return GZ_EXIT_NEXT;
	be = gz_mmio_guest_big_endian(v);
	if (ab->write)
		val = gz_mmio_data(gz_vcpu_get_reg(v, ab->reg), ab->size, be);
	r = gz_vgic_mmio_access(&v->vm->vgic, v->id, &loc, ab->size, ab->write, &val);
	if (r != GZ_OK) {
		arm64_inject_dabt(&v->ctx, ab->va, ab->write);
		return GZ_EXIT_RESUME;
	}
	if (!ab->write)
		gz_vcpu_set_reg(v, ab->reg,
				gz_mmio_reg(val, ab->size, be, ab->sign_extend, ab->sf));
	gz_vcpu_skip_insn(v, d);
	return GZ_EXIT_RESUME;
}

/* An abort inside a memslot: guest RAM. */
static enum gz_exit_action abort_in_slot(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_desc *d = &x->desc;
	const struct gz_exit_abort *ab = &d->abort;
	int slot = gz_memslot_lookup(&v->vm->mem, ab->ipa);

	if (slot < 0)
		return GZ_EXIT_NEXT;
	/* A store to a read-only slot (flash executing in place) is the VMM's to emulate: the
	 * MMIO path below, as for KVM's read-only memslots; whether its page is mapped yet or
	 * not (mapping it first would only fault again). */
	if (d->type == GZ_XT_DABT && ab->write && !ab->s1ptw &&
	    (ab->kind == GZ_FAULT_PERMISSION || ab->kind == GZ_FAULT_TRANSLATION ||
	     ab->kind == GZ_FAULT_ACCESS_FLAG) &&
	    (gz_memslot_get(&v->vm->mem, (uint32_t)slot)->flags & GZVM_USER_MEM_REGION_READONLY))
		return GZ_EXIT_NEXT;
	/* A missing page of guest RAM (or of a stage-1 table in it): demand paging. The
	 * instruction re-executes once the host mapped the page. */
	if (ab->kind == GZ_FAULT_TRANSLATION || ab->kind == GZ_FAULT_ACCESS_FLAG) {
		/* a page the host handed ahead (MAP_GUEST_AHEAD) is mapped here and now */
		if (gz_memslot_fault_ahead(&v->vm->mem, ab->ipa) == GZ_OK)
			return GZ_EXIT_RESUME;
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

/* A read of a register the VMM declared constant (gzhyp/mmio_const.h), answered here as the
 * VMM would: the value crosses to the register as an MMIO completion's data would. An access
 * the MMIO guard keeps from the VMM is not answered either (dabt_default aborts it). The
 * fast path has usually looked the access up already (x->const_located). */
static enum gz_exit_action dabt_const(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_desc *d = &x->desc;
	const struct gz_exit_abort *ab = &d->abort;
	uint32_t val = x->const_val;

	if (x->const_located ? !x->const_hit : !gz_mmio_const_read(v, d, &val))
		return GZ_EXIT_NEXT;
	gz_vcpu_set_reg(
	    v, ab->reg,
	    gz_mmio_reg(val, ab->size, gz_mmio_guest_big_endian(v), ab->sign_extend, ab->sf));
	gz_vcpu_skip_insn(v, d);
	return GZ_EXIT_RESUME;
}

/* The SGI-generation registers. */
static enum gz_exit_action sysreg_sgi(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_sysreg *s = &x->desc.sysreg;
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
		return GZ_EXIT_NEXT;
	}
	/* The SGI registers are write-only: a read is UNDEFINED. */
	if (s->read ||
	    gz_vgic_sysreg_sgi(&v->vm->vgic, v->id, which, gz_vcpu_get_reg(v, s->reg)) != GZ_OK)
		return GZ_EXIT_NEXT;
	gz_vcpu_skip_insn(v, &x->desc);
	return GZ_EXIT_RESUME; /* kicks of other vCPUs become an IPI exit in the run loop */
}

/* Data cache maintenance by set/way (DC ISW, CSW, CISW), trapped by HCR_EL2.TSW: it acts on
 * one physical CPU's caches, which other vCPUs, other VMs and the host share, so it cannot be
 * handed to a guest. Firmware (U-Boot, EDK2) issues it around turning its caches on and off;
 * it completes as a no-op, which is exact where there are no caches to keep coherent (QEMU's
 * TCG). KVM also cleans the whole VM when a guest turns its caches on again; opengz does not
 * yet (docs/abi.md, known limits). */
static enum gz_exit_action sysreg_dc_setway(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_sysreg *s = &x->desc.sysreg;

	if (s->read || (s->enc != SYS_DC_ISW && s->enc != SYS_DC_CSW && s->enc != SYS_DC_CISW))
		return GZ_EXIT_NEXT;
	gz_vcpu_skip_insn(v, &x->desc);
	return GZ_EXIT_RESUME;
}

/* ---- defined outcomes ----------------------------------------------------------------- */

static enum gz_exit_action undef(struct gz_vcpu *v, const struct gz_exit *x)
{
	(void)x;
	arm64_inject_undef(&v->ctx);
	return GZ_EXIT_RESUME;
}

static enum gz_exit_action dabt_default(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_desc *d = &x->desc;
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
	if (!gz_pvm_mmio_allowed(v->vm, ab->ipa)) {
		/* The guest enrolled in the MMIO guard and never mapped this granule: the VMM
		 * does not see the access (nor the data a write would carry). */
		arm64_inject_dabt(&v->ctx, ab->va, ab->write);
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
		gz_mmio_pend_no_isv(v, d);
		return GZ_EXIT_TO_HOST;
	}
}

/* Executing from a hole or a device. */
static enum gz_exit_action iabt_default(struct gz_vcpu *v, const struct gz_exit *x)
{
	arm64_inject_iabt(&v->ctx, x->desc.abort.va);
	return GZ_EXIT_RESUME;
}

static enum gz_exit_action call_default(struct gz_vcpu *v, const struct gz_exit *x)
{
	(void)x;
	v->ctx.x[0] = (uint64_t)(int64_t)GZ_SMCCC_RET_NOT_SUPPORTED;
	return GZ_EXIT_RESUME;
}

static enum gz_exit_action wfi(struct gz_vcpu *v, const struct gz_exit *x)
{
	gz_vcpu_skip_insn(v, &x->desc);
	return gz_vcpu_wfi(v);
}

/* A spin-wait hint: give the host a chance to run the lock holder. */
static enum gz_exit_action wfe(struct gz_vcpu *v, const struct gz_exit *x)
{
	gz_vcpu_skip_insn(v, &x->desc);
	gz_vcpu_exit_simple(v, GZVM_EXIT_GZ);
	return GZ_EXIT_TO_HOST;
}

static enum gz_exit_action host_irq(struct gz_vcpu *v, const struct gz_exit *x)
{
	(void)x;
	gz_vcpu_exit_simple(v, GZVM_EXIT_IRQ);
	return GZ_EXIT_TO_HOST;
}

static enum gz_exit_action serror(struct gz_vcpu *v, const struct gz_exit *x)
{
	uint64_t data[2] = {x->desc.esr, v->ctx.pc};

	gz_vcpu_exit_internal(v, GZ_INTERNAL_SERROR, data, 2);
	return GZ_EXIT_TO_HOST;
}

static enum gz_exit_action fail_entry(struct gz_vcpu *v, const struct gz_exit *x)
{
	gz_vcpu_exit_fail_entry(v, x->desc.esr);
	return GZ_EXIT_TO_HOST;
}

static enum gz_exit_action debug(struct gz_vcpu *v, const struct gz_exit *x)
{
	(void)x;
	gz_vcpu_exit_simple(v, GZVM_EXIT_DEBUG);
	return GZ_EXIT_TO_HOST;
}

/* ---- the table -------------------------------------------------------------------------- */

#define EXIT_MAX_HANDLERS 6

static const struct exit_route {
	gz_exit_handler_fn handlers[EXIT_MAX_HANDLERS]; /* asked in order; NULL ends the list */
	gz_exit_handler_fn outcome;			/* what none claims; always decides */
} routes[GZ_XT_NR] = {
    [GZ_XT_UNDEF] = {{NULL}, undef},
    [GZ_XT_DABT] = {{dabt_vgic, abort_in_slot, dabt_const}, dabt_default},
    [GZ_XT_IABT] = {{abort_in_slot}, iabt_default},
    [GZ_XT_HVC] = {{gz_psci_call, gz_smccc_call}, call_default},
    [GZ_XT_SMC] = {{gz_psci_call, gz_smccc_call}, call_default},
    [GZ_XT_WFI] = {{NULL}, wfi},
    [GZ_XT_WFE] = {{NULL}, wfe},
    /* trapped system registers nobody emulates are UNDEFINED */
    [GZ_XT_SYSREG] = {{sysreg_sgi, sysreg_dc_setway, gz_sysreg_ptimer, gz_sysreg_id,
		       gz_sysreg_debug, gz_pmu_sysreg},
		      undef},
    [GZ_XT_IRQ] = {{NULL}, host_irq},
    [GZ_XT_SERROR] = {{NULL}, serror},
    [GZ_XT_FAIL_ENTRY] = {{NULL}, fail_entry},
    [GZ_XT_DEBUG] = {{NULL}, debug},
};

enum gz_exit_action gz_exit_dispatch(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_desc *d = &x->desc;
	const struct exit_route *route = &routes[d->type < GZ_XT_NR ? d->type : GZ_XT_UNDEF];

	if (d->type == GZ_XT_SMC) {
		/* A trapped SMC returns to the SMC itself; a completed call goes past it. */
		gz_vcpu_skip_insn(v, d);
	}
	if ((d->type == GZ_XT_HVC || d->type == GZ_XT_SMC) && d->call.imm != 0)
		return call_default(v, x); /* SMCCC calls use immediate 0 */
	for (unsigned i = 0; i < EXIT_MAX_HANDLERS && route->handlers[i]; i++) {
		enum gz_exit_action a = route->handlers[i](v, x);

		if (a != GZ_EXIT_NEXT)
			return a;
	}
	return route->outcome(v, x);
}
