/* The vCPU's exit log (gzhyp/exit_log.h). The page is the host's too: what is read from it (the
 * `on` word) is read once per RUN, and nothing the host writes there can make the core write
 * outside the log. Off (the default), an exit costs one test of a flag. */
#include <gzabi/hvc.h>
#include <gzhyp/atomic.h>
#include <gzhyp/exit_log.h>
#include <gzhyp/mem.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <hal.h>

static struct gz_exit_log *log_of(const struct gz_vcpu *v)
{
	return v->xlog_on ? (struct gz_exit_log *)((char *)v->hwstate + GZ_EXIT_LOG_OFFSET) : 0;
}

void gz_exit_log_run(struct gz_vcpu *v)
{
	struct gz_exit_log *l = (struct gz_exit_log *)((char *)v->hwstate + GZ_EXIT_LOG_OFFSET);

	/* a protected VM's exits are its own */
	v->xlog_on = v->vm->mem.kind != GZ_VM_PROTECTED && *(volatile __le32 *)&l->on != 0;
	v->xlog_start = v->xlog_head;
}

uint64_t gz_exit_log_now(const struct gz_vcpu *v)
{
	return v->xlog_on ? gz_hal_cntpct() : 0;
}

void gz_exit_log_add(struct gz_vcpu *v, const struct gz_exit_record *rec, uint64_t pc,
		     uint64_t t_exit, unsigned handler, uint64_t done)
{
	struct gz_exit_log *l = log_of(v);
	struct gz_exit_log_rec *r;

	if (!l)
		return;
	r = &l->rec[v->xlog_head % GZ_EXIT_LOG_NR];
	r->t_exit = t_exit;
	r->esr = rec->esr;
	r->far = rec->far;
	r->hpfar = rec->hpfar;
	r->pc = pc;
	r->cost = done ? (uint32_t)GZ_MIN(done - t_exit, (uint64_t)UINT32_MAX) : 0;
	r->kind = (uint8_t)rec->kind;
	r->handler = (uint8_t)handler;
	r->__pad = 0;
	v->xlog_last = done ? UINT64_MAX : t_exit;
	v->xlog_head++;
	/* the record before the head: the host reads up to the head it sees */
	gz_atomic_store_release(&l->head, (uint32_t)v->xlog_head);
}

void gz_exit_log_enter(struct gz_vcpu *v)
{
	struct gz_exit_log *l = log_of(v);
	uint64_t now;

	if (!l || v->xlog_last == UINT64_MAX)
		return;
	now = gz_hal_cntpct();
	l->rec[(v->xlog_head - 1) % GZ_EXIT_LOG_NR].cost =
	    (uint32_t)GZ_MIN(now - v->xlog_last, (uint64_t)UINT32_MAX);
	v->xlog_last = UINT64_MAX;
}

bool gz_exit_log_full(const struct gz_vcpu *v)
{
	/* one slot kept for the exit that ends the RUN */
	return v->xlog_on && v->xlog_head - v->xlog_start >= GZ_EXIT_LOG_NR - 1;
}
