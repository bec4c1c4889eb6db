/* A simulated vCPU's interrupt levels and the one condition on which it leaves the guest
 * (vcpu.h). */
#include <arm64/sysreg.h>
#include "machine.h"
#include "timer.h"
#include "ucreg.h"
#include "vcpu.h"

void gz_sim_vcpu_sample(struct gz_sim_vcpu *v)
{
	v->virq = gz_sim_ich_irq_pending(v->ich);
	v->maint = gz_sim_ich_maint_pending(v->ich);
	v->timer_deadline = gz_sim_timer_deadline(v->ctx, v->ich, v->timer_gated);
	v->exit_at_insns = gz_sim_timer_insns_until(v->ctx->exit_at);
}

unsigned gz_sim_vcpu_must_leave(const struct gz_sim_vcpu *v)
{
	return gz_sim_vcpu_leaves_at(v, atomic_load(&gz_sim_m.insns));
}

unsigned gz_sim_vcpu_leaves_at(const struct gz_sim_vcpu *v, uint64_t now)
{
	unsigned why = 0;

	if (atomic_load(&v->kick))
		why |= GZ_SIM_LEAVE_KICK;
	if (atomic_load(&v->hyp_kick))
		why |= GZ_SIM_LEAVE_HYP_KICK;
	if (now >= v->slice_end)
		why |= GZ_SIM_LEAVE_SLICE;
	if (now >= v->timer_deadline && gz_sim_timer_fires(v->ctx, v->ich, v->timer_gated))
		why |= GZ_SIM_LEAVE_TIMER;
	if (v->maint)
		why |= GZ_SIM_LEAVE_MAINT;
	if (now >= v->exit_at_insns && gz_sim_now() >= v->ctx->exit_at)
		why |= GZ_SIM_LEAVE_EXIT_AT;
	return why;
}

void gz_sim_vcpu_set_vi(struct gz_sim_vcpu *v, bool on)
{
	if (on == v->uc_vi)
		return;
	gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_hcr_el2, v->uc_hcr | (on ? HCR_VI : 0));
	v->uc_vi = on;
}
