/* The trapped registers of the EL1 physical timer and the physical counter (a handler of
 * trapped system registers): answered by the emulated timer (gzhyp/ptimer.h); a write
 * re-evaluates its PPI 30 line at once. */
#include <gzabi/status.h>
#include <gzhyp/exit.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <hal.h>

enum gz_exit_action gz_sysreg_ptimer(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_sysreg *s = &x->desc.sysreg;
	uint64_t val = s->read ? 0 : gz_vcpu_get_reg(v, s->reg);

	if (!gz_ptimer_is_reg(s->enc) ||
	    gz_ptimer_access(&v->ctx, s->enc, !s->read, &val, gz_hal_cntpct()) != GZ_OK)
		return GZ_EXIT_NEXT;
	if (s->read)
		gz_vcpu_set_reg(v, s->reg, val);
	else
		gz_ptimer_update(&v->vm->vgic, v->id, &v->ctx);
	gz_vcpu_skip_insn(v, &x->desc);
	return GZ_EXIT_RESUME;
}
