/*
 * The exit fast path. Most exits a guest makes in a steady state are questions the core
 * answers from the general registers alone (SMCCC/PSCI queries, reads of the vGIC's
 * configuration). On the full path every one costs two world switches (EL1 context, stage
 * 2, timer, FP) and a vGIC sync and flush. Here the HAL offers the exit from inside
 * gz_hal_vcpu_run with all of that still loaded; the exit goes through the same
 * gz_exit_dispatch as on the full path, so both give the same answer, and only exits whose
 * handling touches nothing but x0-x30/PC/PSTATE are taken. The decision is made before any
 * side effect: a refused exit leaves everything as it was.
 */
#include <arm64/esr.h>
#include <gzabi/status.h>
#include <gzabi/hvc.h>
#include <gzhyp/exit.h>
#include <gzhyp/exit_log.h>
#include <gzhyp/mmio.h>
#include <gzhyp/psci.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vgic.h>
#include <gzhyp/vm.h>

/* A data access's stage-2 translation fault on a page the host handed ahead
 * (MAP_GUEST_AHEAD): mapped here, the guest's stage 2 still loaded (a new valid entry needs no
 * TLB maintenance), and the access re-executed. The mapping is the one side effect the fast
 * path allows besides the registers; nothing changed when the answer is no. An instruction
 * fetch's fault on a held page is served by the run loop (exit.c, abort_in_slot), still
 * without a trip to the host. */
static bool fault_ahead(struct gz_vcpu *v, const struct gz_exit_record *rec, uint64_t pc)
{
	const struct gz_exit_desc *d = &v->exit.desc;
	const struct gz_exit_abort *ab = &d->abort;
	uint64_t t_exit;

	if (d->type != GZ_XT_DABT)
		return false;
	if (ab->kind != GZ_FAULT_TRANSLATION && ab->kind != GZ_FAULT_ACCESS_FLAG)
		return false;
	t_exit = gz_exit_log_now(v);
	if (gz_memslot_fault_ahead(&v->vm->mem, ab->ipa) != GZ_OK)
		return false;
	gz_exit_log_add(v, rec, pc, t_exit, GZ_EXIT_LOG_FAST, gz_exit_log_now(v));
	v->nr_exits++;
	v->nr_fast_exits++;
	return true;
}

static bool takes(struct gz_vcpu *v, struct gz_exit *x)
{
	const struct gz_exit_desc *d = &x->desc;
	const struct gz_exit_abort *ab = &d->abort;

	if (d->type == GZ_XT_HVC || d->type == GZ_XT_SMC)
		return d->call.imm == 0 && gz_guest_call_is_query((uint32_t)v->ctx.x[0]);
	/* A read of the emulated physical timer or counter (firmware polls CNTPCT_EL0): a
	 * function of the vCPU's timer state and the counter. */
	if (d->type == GZ_XT_SYSREG)
		return d->sysreg.read && gz_ptimer_is_reg(d->sysreg.enc);
	/* A data abort (the only other class let through): a read the vGIC serves without
	 * aborting and without list-register state. Where an access with a syndrome lands in
	 * the vGIC is found here once, for whichever path completes it. */
	if (d->type != GZ_XT_DABT || !ab->isv || ab->cm)
		return false;
	gz_vgic_mmio_locate(&v->vm->vgic, v->id, ab->ipa, ab->size, &x->vgic);
	x->vgic_located = true;
	if (x->vgic.frame == GZ_VGIC_FRAME_NONE) {
		/* or a read of a register the VMM declared constant: looked up here once, the
		 * answer kept for dabt_const on whichever path dispatches the exit */
		x->const_hit = gz_mmio_const_read(v, d, &x->const_val);
		x->const_located = true;
		return x->const_hit;
	}
	return !ab->write && !ab->ea && !ab->s1ptw && x->vgic.read_stable;
}

bool gz_exit_fast(struct gz_cpu_ctx *ctx, const struct gz_exit_record *rec)
{
	struct gz_vcpu *v;
	struct gz_exit *x;
	uint64_t t_exit, pc; /* the exit's pc: a handler moves it on */

	if (!ctx || !rec || !ctx->fast_exits)
		return false;
	v = GZ_CONTAINER_OF(ctx, struct gz_vcpu, ctx);
	v->exit_handed = false;
	/* a full exit log: the run loop takes this one and ends the RUN (exit_log.h) */
	if (rec->kind != GZ_EXIT_KIND_SYNC || gz_exit_log_full(v))
		return false;
	switch (ESR_EC(rec->esr)) {
	case ESR_EC_HVC64:
	case ESR_EC_SMC64:
	case ESR_EC_DABT_LOW:
	case ESR_EC_SYS64:
		break;
	default:
		return false; /* the only classes takes() can accept: skip the decode */
	}
	x = &v->exit;
	arm64_exit_decode(rec, &x->desc);
	x->vgic_located = false;
	x->const_located = false;
	if (fault_ahead(v, rec, ctx->pc))
		return true;
	if (!takes(v, x)) {
		v->exit_handed = true; /* the run loop dispatches it as decoded */
		return false;
	}
	t_exit = gz_exit_log_now(v);
	pc = ctx->pc;
	if (gz_exit_dispatch(v, x) != GZ_EXIT_RESUME)
		return false;
	gz_exit_log_add(v, rec, pc, t_exit, GZ_EXIT_LOG_FAST, gz_exit_log_now(v));
	v->nr_exits++;
	v->nr_fast_exits++;
	return true;
}
