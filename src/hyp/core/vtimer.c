/*
 * The EL1 virtual timer of a vCPU that is not running: its condition, the PPI 27 line it
 * drives in the vGIC, and the sleep budget handed to the host for an idle vCPU (which counts
 * the emulated physical timer's deadline too, gzhyp/ptimer.h).
 */
#include <gzabi/status.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vtimer.h>

void gz_vtimer_reset(struct gz_cpu_ctx *ctx, uint64_t cntvoff)
{
	ctx->sys[GZ_SYS_CNTV_CTL_EL0] = 0;
	ctx->sys[GZ_SYS_CNTV_CVAL_EL0] = 0;
	ctx->cntvoff_el2 = cntvoff;
}

uint64_t gz_vtimer_vm_offset(void)
{
	return gz_hal_cntpct();
}

uint64_t gz_vtimer_cntfrq(void)
{
	return gz_hal_cntfrq();
}

uint64_t gz_vtimer_vcount(const struct gz_cpu_ctx *ctx, uint64_t cntpct)
{
	return cntpct - ctx->cntvoff_el2;
}

bool gz_vtimer_istatus(const struct gz_cpu_ctx *ctx, uint64_t cntpct)
{
	return (ctx->sys[GZ_SYS_CNTV_CTL_EL0] & CNT_CTL_ENABLE) &&
	       gz_vtimer_vcount(ctx, cntpct) >= ctx->sys[GZ_SYS_CNTV_CVAL_EL0];
}

bool gz_vtimer_asserted(const struct gz_cpu_ctx *ctx, uint64_t cntpct)
{
	return gz_vtimer_istatus(ctx, cntpct) && !(ctx->sys[GZ_SYS_CNTV_CTL_EL0] & CNT_CTL_IMASK);
}

int gz_vtimer_update(struct gz_vgic *vgic, unsigned vcpu, struct gz_cpu_ctx *ctx)
{
	uint64_t *ctl = &ctx->sys[GZ_SYS_CNTV_CTL_EL0];
	/* A disabled timer's condition is false whatever the count: no counter read (one per
	 * update, twice per entry; under emulation a read of the counter is not free). */
	uint64_t now = (*ctl & CNT_CTL_ENABLE) ? gz_hal_cntpct() : 0;

	if (gz_vtimer_istatus(ctx, now))
		*ctl |= CNT_CTL_ISTATUS;
	else
		*ctl &= ~(uint64_t)CNT_CTL_ISTATUS;
	return gz_vgic_inject(vgic, vcpu, GZ_VGIC_VTIMER_PPI,
			      gz_vtimer_asserted(ctx, now) ? GZ_VGIC_LINE_HIGH : GZ_VGIC_LINE_LOW);
}

void gz_vtimer_idle_info(const struct gz_cpu_ctx *ctx, uint64_t cntpct, uint64_t *delay,
			 uint32_t *migrate)
{
	uint64_t ctl = ctx->sys[GZ_SYS_CNTV_CTL_EL0], pdelay;
	uint64_t now = gz_vtimer_vcount(ctx, cntpct), cval = ctx->sys[GZ_SYS_CNTV_CVAL_EL0];

	*delay = 0;
	*migrate = 0;
	if ((ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK)) {
		*delay = cval > now ? cval - now : 0;
		*migrate = 1;
	}
	/* Whichever timer fires first wakes the vCPU. */
	if (gz_ptimer_idle_delay(ctx, cntpct, &pdelay) && (!*migrate || pdelay < *delay)) {
		*delay = pdelay;
		*migrate = 1;
	}
}
