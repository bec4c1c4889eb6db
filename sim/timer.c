/* The guest's virtual timer, kept by the simulator (timer.h). */
#include <arm64/gicv3.h>
#include <arm64/ich.h>
#include <arm64/sysreg.h>
#include "machine.h"
#include "timer.h"

static uint64_t vcount(const struct gz_cpu_ctx *ctx)
{
	return gz_sim_now() - ctx->cntvoff_el2;
}

bool gz_sim_timer_cond(const struct gz_cpu_ctx *ctx)
{
	uint64_t ctl = ctx->sys[GZ_SYS_CNTV_CTL_EL0];

	return (ctl & CNT_CTL_ENABLE) && vcount(ctx) >= ctx->sys[GZ_SYS_CNTV_CVAL_EL0];
}

/* The virtual timer's PPI is held by the virtual GIC while an LR carries its INTID (the
 * physical line stays masked until the guest deactivates it). */
static bool line_held(const struct gz_sim_ich *ich)
{
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t lr = ich->reg[GZ_ICH_LR0 + n];

		if ((lr & ARCH_ICH_LR_STATE) && (lr & ARCH_ICH_LR_VINTID) == ARCH_GIC_PPI_VTIMER)
			return true;
	}
	return false;
}

/* The machine's instruction count by which @left more counter ticks have passed. One too
 * far to count is never reached in this run: every entry samples the deadline again, and a
 * run ends with its slice. */
static uint64_t insns_until(uint64_t left)
{
	if (gz_sim_m.cfg.clock == GZ_SIM_CLOCK_WALL)
		left = left ? 1 : 0; /* checked on every block */
	if (left >= UINT64_MAX / gz_sim_m.cfg.insn_hz)
		return UINT64_MAX; /* more than 49 minutes at the default speed */
	return atomic_load(&gz_sim_m.insns) + gz_sim_insns_from_ticks(left);
}

bool gz_sim_timer_output(const struct gz_cpu_ctx *ctx)
{
	return gz_sim_timer_cond(ctx) && !(ctx->sys[GZ_SYS_CNTV_CTL_EL0] & CNT_CTL_IMASK);
}

bool gz_sim_timer_fires(const struct gz_cpu_ctx *ctx, const struct gz_sim_ich *ich, bool gated)
{
	return !gated && gz_sim_timer_output(ctx) && !line_held(ich);
}

uint64_t gz_sim_timer_deadline(const struct gz_cpu_ctx *ctx, const struct gz_sim_ich *ich,
			       bool gated)
{
	uint64_t ctl = ctx->sys[GZ_SYS_CNTV_CTL_EL0], cval, now, left;

	if (gated || !(ctl & CNT_CTL_ENABLE) || (ctl & CNT_CTL_IMASK) || line_held(ich))
		return UINT64_MAX;
	cval = ctx->sys[GZ_SYS_CNTV_CVAL_EL0];
	now = vcount(ctx);
	left = cval > now ? cval - now : 0;
	return insns_until(left);
}

uint64_t gz_sim_timer_insns_until(uint64_t count)
{
	uint64_t now = gz_sim_now();

	if (!count)
		return UINT64_MAX;
	return insns_until(count > now ? count - now : 0);
}

enum gz_sim_timer_route gz_sim_timer_route(const struct gz_cpu_ctx *ctx, uint32_t enc, bool el0,
					   uint64_t cntkctl)
{
	uint64_t el0_needs;

	switch (enc) {
	case SYS_CNTVCT_EL0:
		el0_needs = CNTKCTL_EL0VCTEN;
		break;
	case SYS_CNTPCT_EL0:
		el0_needs = CNTKCTL_EL0PCTEN;
		break;
	case SYS_CNTFRQ_EL0:
		el0_needs = CNTKCTL_EL0VCTEN | CNTKCTL_EL0PCTEN; /* either */
		break;
	case SYS_CNTV_CTL_EL0:
	case SYS_CNTV_CVAL_EL0:
	case SYS_CNTV_TVAL_EL0:
		el0_needs = CNTKCTL_EL0VTEN;
		break;
	case SYS_CNTP_CTL_EL0:
	case SYS_CNTP_CVAL_EL0:
	case SYS_CNTP_TVAL_EL0:
		el0_needs = CNTKCTL_EL0PTEN;
		break;
	default:
		return GZ_SIM_TIMER_NONE;
	}
	if (el0 && !(cntkctl & el0_needs))
		return GZ_SIM_TIMER_TO_EL1;
	if (enc == SYS_CNTPCT_EL0 && !(ctx->cnthctl_el2 & CNTHCTL_EL1PCTEN))
		return GZ_SIM_TIMER_TO_EL2;
	if (el0_needs == CNTKCTL_EL0PTEN)
		return GZ_SIM_TIMER_TO_EL2; /* EL1PCEN is never set (run.c refuses it) */
	return GZ_SIM_TIMER_ANSWER;
}

uint64_t gz_sim_timer_read(const struct gz_cpu_ctx *ctx, uint32_t enc)
{
	uint64_t ctl = ctx->sys[GZ_SYS_CNTV_CTL_EL0] & (CNT_CTL_ENABLE | CNT_CTL_IMASK);

	switch (enc) {
	case SYS_CNTVCT_EL0:
		return vcount(ctx);
	case SYS_CNTPCT_EL0:
		return gz_sim_now(); /* the core let it through: not offset */
	case SYS_CNTFRQ_EL0:
		return gz_sim_m.cfg.cntfrq;
	case SYS_CNTV_CTL_EL0:
		return ctl | (gz_sim_timer_cond(ctx) ? CNT_CTL_ISTATUS : 0);
	case SYS_CNTV_CVAL_EL0:
		return ctx->sys[GZ_SYS_CNTV_CVAL_EL0];
	default: /* TVAL: CVAL - count, as a signed 32-bit value */
		return (uint32_t)(ctx->sys[GZ_SYS_CNTV_CVAL_EL0] - vcount(ctx));
	}
}

void gz_sim_timer_write(struct gz_cpu_ctx *ctx, uint32_t enc, uint64_t val)
{
	switch (enc) {
	case SYS_CNTV_CTL_EL0:
		ctx->sys[GZ_SYS_CNTV_CTL_EL0] = val & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
		break;
	case SYS_CNTV_CVAL_EL0:
		ctx->sys[GZ_SYS_CNTV_CVAL_EL0] = val;
		break;
	case SYS_CNTV_TVAL_EL0:
		ctx->sys[GZ_SYS_CNTV_CVAL_EL0] = vcount(ctx) + (uint64_t)(int64_t)(int32_t)val;
		break;
	default:
		break; /* the counters and CNTFRQ_EL0 are read-only */
	}
}
