/* The EL1 physical timer of a vCPU, emulated (gzhyp/ptimer.h): its registers as the guest
 * accesses them, its condition, the PPI 30 line it drives and the deadline the HAL keeps
 * for a running vCPU. */
#include <gzabi/status.h>
#include <gzhyp/ptimer.h>

/* What a write of CNTP_CTL_EL0 keeps (ISTATUS is read-only). */
#define CTL_WRITABLE (CNT_CTL_ENABLE | CNT_CTL_IMASK)

void gz_ptimer_reset(struct gz_cpu_ctx *ctx, uint64_t cntpoff)
{
	ctx->cntp_ctl = 0;
	ctx->cntp_cval = 0;
	ctx->cntpoff = cntpoff;
	ctx->exit_at = 0;
	/* The timer always traps; the counter only when it must be offset. */
	ctx->cnthctl_el2 = cntpoff ? 0 : CNTHCTL_EL1PCTEN;
}

uint64_t gz_ptimer_count(const struct gz_cpu_ctx *ctx, uint64_t cntpct)
{
	return cntpct - ctx->cntpoff;
}

bool gz_ptimer_istatus(const struct gz_cpu_ctx *ctx, uint64_t cntpct)
{
	return (ctx->cntp_ctl & CNT_CTL_ENABLE) && gz_ptimer_count(ctx, cntpct) >= ctx->cntp_cval;
}

bool gz_ptimer_asserted(const struct gz_cpu_ctx *ctx, uint64_t cntpct)
{
	return gz_ptimer_istatus(ctx, cntpct) && !(ctx->cntp_ctl & CNT_CTL_IMASK);
}

/* Can the output go up (enabled and unmasked)? */
static bool armed(const struct gz_cpu_ctx *ctx)
{
	return (ctx->cntp_ctl & CTL_WRITABLE) == CNT_CTL_ENABLE;
}

int gz_ptimer_update(struct gz_vgic *vgic, unsigned vcpu, struct gz_cpu_ctx *ctx)
{
	bool up = false;

	/* Only an enabled, unmasked timer has an output to look at: most guests never use
	 * this one, and their runs do not even read the counter for it. Once the output is up
	 * the line is high in the vGIC, and no exit is needed for it. A CVAL whose host count
	 * would wrap (a guest's far-future value) never comes. */
	ctx->exit_at = 0;
	if (armed(ctx)) {
		up = gz_ptimer_asserted(ctx, gz_hal_cntpct());
		if (!up && ctx->cntp_cval + ctx->cntpoff >= ctx->cntpoff)
			ctx->exit_at = ctx->cntp_cval + ctx->cntpoff;
	}
	return gz_vgic_inject(vgic, vcpu, ARCH_GIC_PPI_PTIMER,
			      up ? GZ_VGIC_LINE_HIGH : GZ_VGIC_LINE_LOW);
}

bool gz_ptimer_idle_delay(const struct gz_cpu_ctx *ctx, uint64_t cntpct, uint64_t *delay)
{
	uint64_t now = gz_ptimer_count(ctx, cntpct);

	if (!armed(ctx))
		return false;
	*delay = ctx->cntp_cval > now ? ctx->cntp_cval - now : 0;
	return true;
}

bool gz_ptimer_is_reg(uint32_t enc)
{
	return enc == SYS_CNTP_CTL_EL0 || enc == SYS_CNTP_CVAL_EL0 || enc == SYS_CNTP_TVAL_EL0 ||
	       enc == SYS_CNTPCT_EL0;
}

int gz_ptimer_access(struct gz_cpu_ctx *ctx, uint32_t enc, bool write, uint64_t *val,
		     uint64_t cntpct)
{
	uint64_t count = gz_ptimer_count(ctx, cntpct);

	switch (enc) {
	case SYS_CNTP_CTL_EL0:
		if (write)
			ctx->cntp_ctl = *val & CTL_WRITABLE;
		else
			*val =
			    ctx->cntp_ctl | (gz_ptimer_istatus(ctx, cntpct) ? CNT_CTL_ISTATUS : 0);
		return GZ_OK;
	case SYS_CNTP_CVAL_EL0:
		if (write)
			ctx->cntp_cval = *val;
		else
			*val = ctx->cntp_cval;
		return GZ_OK;
	case SYS_CNTP_TVAL_EL0:
		if (write)
			ctx->cntp_cval = count + (uint64_t)(int64_t)(int32_t)*val;
		else
			*val = (uint32_t)(ctx->cntp_cval - count);
		return GZ_OK;
	case SYS_CNTPCT_EL0:
		if (write)
			return GZ_ERR_INVALID_ARGS;
		*val = count;
		return GZ_OK;
	default:
		return GZ_ERR_NOT_SUPPORTED;
	}
}
