// SPDX-License-Identifier: GPL-2.0
/* The exit trace (gzdrv.h): after each RUN the driver takes what is new in the vCPU's exit log,
 * the page gzhyp appends every exit to (gzabi/hvc.h), into one ring for the whole driver. The
 * RUN's last exit stays with the vCPU until its next RUN: its cost (the trip through the host
 * back to the guest) is known only then, and so is who finished it (the driver or the VMM).
 * The driver turns each vCPU's log on, and gzhyp ends a RUN before it wraps. The page is
 * the hypervisor's to write: indices read from it are taken modulo the log's size.
 */
#include "gzdrv_priv.h"

static struct gz_exit_log *xlog(struct gzdrv_vcpu *vcpu)
{
	return (void *)((uint8_t *)vcpu->shared + GZVM_VCPU_HWSTATE_OFFSET + GZ_EXIT_LOG_OFFSET);
}

int gzdrv_xtrace_start(struct gzdrv *drv, uint64_t nr)
{
	const struct gzdrv_ops *ops = drv->ops;
	struct gzdrv_xtrace *t;

	if (!nr || nr > (1ULL << 24))
		return -EINVAL;
	t = ops->zalloc(drv->env, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->rec = ops->zalloc(drv->env, nr * sizeof(*t->rec));
	t->lock = ops->lock_create(drv->env);
	if (!t->rec || !t->lock) {
		if (t->lock)
			ops->lock_destroy(drv->env, t->lock);
		ops->free(drv->env, t->rec);
		ops->free(drv->env, t);
		return -ENOMEM;
	}
	t->cap = nr;
	drv->xtrace = t;
	return 0;
}

void gzdrv_xtrace_stop(struct gzdrv *drv)
{
	struct gzdrv_xtrace *t = drv->xtrace;

	if (!t)
		return;
	drv->xtrace = NULL;
	drv->ops->lock_destroy(drv->env, t->lock);
	drv->ops->free(drv->env, t->rec);
	drv->ops->free(drv->env, t);
}

bool gzdrv_xtrace_get(struct gzdrv *drv, uint64_t i, struct gzdrv_xrec *out, uint64_t *lost)
{
	struct gzdrv_xtrace *t = drv->xtrace;
	uint64_t first;
	bool ok;

	if (!t)
		return false;
	drv->ops->lock(drv->env, t->lock);
	first = t->head > t->cap ? t->head - t->cap : 0;
	ok = first + i < t->head;
	if (ok)
		*out = t->rec[(first + i) % t->cap];
	*lost = t->lost;
	drv->ops->unlock(drv->env, t->lock);
	return ok;
}

void gzdrv_xtrace_clear(struct gzdrv *drv)
{
	struct gzdrv_xtrace *t = drv->xtrace;

	if (!t)
		return;
	drv->ops->lock(drv->env, t->lock);
	t->head = 0;
	t->lost = 0;
	drv->ops->unlock(drv->env, t->lock);
}

void gzdrv_xtrace_vcpu_init(struct gzdrv_vcpu *vcpu)
{
	struct gz_exit_log *l = xlog(vcpu);

	if (!vcpu->vm->drv->xtrace)
		return;
	vcpu->xlog_seen = vcpu->xlog_head = gzdrv_le32(__atomic_load_n(&l->head, __ATOMIC_ACQUIRE));
	__atomic_store_n(&l->on, 1, __ATOMIC_RELAXED);
}

/* Log record @idx of @vcpu into the ring; @last: it ended a RUN (the pending annotations). */
static void push(struct gzdrv_vcpu *vcpu, uint32_t idx, bool last)
{
	struct gzdrv *drv = vcpu->vm->drv;
	struct gzdrv_xtrace *t = drv->xtrace;
	const struct gz_exit_log_rec *r = &xlog(vcpu)->rec[idx % GZ_EXIT_LOG_NR];
	struct gzdrv_xrec x = {
	    .t_exit = gzdrv_le64(r->t_exit),
	    .esr = gzdrv_le64(r->esr),
	    .far = gzdrv_le64(r->far),
	    .hpfar = gzdrv_le64(r->hpfar),
	    .pc = gzdrv_le64(r->pc),
	    .cost = gzdrv_le32(r->cost),
	    .vm_id = vcpu->vm->vm_id,
	    .vcpu = (uint16_t)vcpu->id,
	    .kind = r->kind,
	    .handler = r->handler,
	};

	if (last) {
		x.gzvm_exit = vcpu->xpend_exit;
		x.handler = vcpu->xpend_handler;
	}
	drv->ops->lock(drv->env, t->lock);
	t->rec[t->head++ % t->cap] = x;
	drv->ops->unlock(drv->env, t->lock);
}

/* Everything before @upto, the pending exit with its annotations. */
static void take(struct gzdrv_vcpu *vcpu, uint32_t upto)
{
	struct gzdrv_xtrace *t = vcpu->vm->drv->xtrace;

	if (upto - vcpu->xlog_seen > GZ_EXIT_LOG_NR) {
		uint32_t gone = upto - vcpu->xlog_seen - GZ_EXIT_LOG_NR;

		vcpu->vm->drv->ops->lock(vcpu->vm->drv->env, t->lock);
		t->lost += gone;
		vcpu->vm->drv->ops->unlock(vcpu->vm->drv->env, t->lock);
		vcpu->xlog_seen += gone;
		vcpu->xpend = false; /* it was the oldest: gone too */
	}
	for (; vcpu->xlog_seen != upto; vcpu->xlog_seen++)
		push(vcpu, vcpu->xlog_seen, vcpu->xpend && vcpu->xlog_seen == vcpu->xlog_head - 1);
	vcpu->xpend = false;
}

void gzdrv_xtrace_run(struct gzdrv_vcpu *vcpu, uint32_t exit_reason)
{
	uint32_t head;

	if (!vcpu->vm->drv->xtrace)
		return;
	head = gzdrv_le32(__atomic_load_n(&xlog(vcpu)->head, __ATOMIC_ACQUIRE));
	if (head == vcpu->xlog_head)
		return; /* the RUN ended before the guest ran (powered off, a system event) */
	take(vcpu, head - 1);
	vcpu->xlog_head = head;
	vcpu->xpend = true;
	vcpu->xpend_exit = exit_reason;
	vcpu->xpend_handler = GZDRV_XTRACE_VMM;
}

void gzdrv_xtrace_in_kernel(struct gzdrv_vcpu *vcpu)
{
	if (vcpu->vm->drv->xtrace && vcpu->xpend)
		vcpu->xpend_handler = GZDRV_XTRACE_DRIVER;
}

void gzdrv_xtrace_vcpu_end(struct gzdrv_vcpu *vcpu)
{
	if (!vcpu->vm->drv->xtrace)
		return;
	take(vcpu, vcpu->xlog_head);
}
