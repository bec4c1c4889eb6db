/* The debug registers of a guest, trapped by MDCR_EL2 (MDCR_GUEST_FLAGS): the vCPU's own
 * breakpoints, watchpoints, MDSCR_EL1 and OS lock (ctx->dbg), as many as the VM's ID_AA64DFR0_EL1
 * says; the HAL arms the CPU with them while the guest runs, so a guest never touches the host's
 * debug state. Accesses past the counts are UNDEFINED; the rest of the debug space (MDRAR, the OS
 * double lock, DBGPRCR, the claim tags, the debug communications channel) reads as zero and ignores
 * writes. The PMU is pmu.c's. */
#include <arm64/debug.h>
#include <arm64/idreg.h>
#include <arm64/traps.h>
#include <gzhyp/exit.h>
#include <gzhyp/vcpu.h>

void gz_sysreg_dbg_reset(struct gz_cpu_ctx *c, uint64_t dfr0)
{
	c->dbg = (struct gz_debug_ctx){
	    .nr_bps = (uint32_t)GZ_FIELD_GET(ID_FIELD(ID_DFR0_BRPS_SHIFT), dfr0) + 1,
	    .nr_wps = (uint32_t)GZ_FIELD_GET(ID_FIELD(ID_DFR0_WRPS_SHIFT), dfr0) + 1,
	};
	c->sys[GZ_SYS_MDSCR_EL1] = 0;
}

/* What the CPU gets of MDSCR_EL1: with the OS lock locked no debug exception is taken. */
static void mdscr_update(struct gz_cpu_ctx *c)
{
	uint64_t m = c->dbg.mdscr;

	if (c->dbg.oslk)
		m &= ~(MDSCR_SS | MDSCR_KDE | MDSCR_MDE);
	c->sys[GZ_SYS_MDSCR_EL1] = m;
}

/* A breakpoint or watchpoint register of the vCPU's, and the bits it implements; NULL for
 * one it does not have. */
static uint64_t *bp_wp_reg(struct gz_debug_ctx *d, uint32_t enc, uint64_t *writable)
{
	unsigned n = SYS_ENC_CRM(enc);

	if (SYS_ENC_OP1(enc) != 0 || SYS_ENC_CRN(enc) != 0)
		return NULL;
	switch (SYS_ENC_OP2(enc)) {
	case SYS_DBG_OP2_BVR:
		*writable = DBGBVR_WRITABLE;
		return n < d->nr_bps ? &d->bvr[n] : NULL;
	case SYS_DBG_OP2_BCR:
		*writable = DBGBCR_WRITABLE;
		return n < d->nr_bps ? &d->bcr[n] : NULL;
	case SYS_DBG_OP2_WVR:
		*writable = DBGWVR_WRITABLE;
		return n < d->nr_wps ? &d->wvr[n] : NULL;
	case SYS_DBG_OP2_WCR:
		*writable = DBGWCR_WRITABLE;
		return n < d->nr_wps ? &d->wcr[n] : NULL;
	default:
		return NULL;
	}
}

/* One access to a debug register: false when it is UNDEFINED. */
static bool debug_access(struct gz_cpu_ctx *c, uint32_t enc, bool read, uint64_t *val)
{
	struct gz_debug_ctx *d = &c->dbg;
	uint64_t writable, *reg;

	switch (enc) {
	case SYS_MDSCR_EL1:
		if (read)
			*val = d->mdscr;
		else
			d->mdscr = *val & MDSCR_WRITABLE;
		break;
	case SYS_OSLAR_EL1: /* write-only */
		if (read)
			return false;
		d->oslk = *val & OSLAR_OSLK;
		break;
	case SYS_OSLSR_EL1: /* read-only */
		if (!read)
			return false;
		*val = OSLSR_OSLM_IMPLEMENTED | (d->oslk ? OSLSR_OSLK : 0);
		return true;
	default:
		if (SYS_ENC_CRN(enc) == 0 && SYS_ENC_OP2(enc) >= SYS_DBG_OP2_BVR &&
		    SYS_ENC_OP1(enc) == 0) {
			reg = bp_wp_reg(d, enc, &writable);
			if (!reg)
				return false;
			if (read)
				*val = *reg;
			else
				*reg = *val & writable;
			return true;
		}
		if (read)
			*val = 0;
		return true;
	}
	mdscr_update(c);
	return true;
}

enum gz_exit_action gz_sysreg_debug(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_sysreg *s = &x->desc.sysreg;
	uint64_t val = s->read ? 0 : gz_vcpu_get_reg(v, s->reg);

	if (!arm64_sysreg_is_debug(s->enc) || !debug_access(&v->ctx, s->enc, s->read, &val))
		return GZ_EXIT_NEXT;
	if (s->read)
		gz_vcpu_set_reg(v, s->reg, val);
	gz_vcpu_skip_insn(v, &x->desc);
	return GZ_EXIT_RESUME;
}
