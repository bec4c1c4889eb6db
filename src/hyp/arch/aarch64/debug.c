/* gzhyp's half of guest debug: while a guest whose debug unit is enabled (its MDSCR_EL1 as
 * the core gives it the CPU, MDE or KDE set) runs, the CPU's breakpoints and watchpoints hold
 * the guest's (ctx->dbg, emulated by the core: the guest's accesses trap) and the host's are
 * kept aside; they are back before anything of the host runs. A guest with its debug unit
 * off leaves them alone: with MDSCR_EL1.MDE clear none can fire in it. Debug exceptions are
 * the CPU's, taken by the guest's EL1 (MDCR_EL2.TDE clear) with the syndrome hardware
 * gives. The host VM's context is not a guest's (no MDCR_EL2.TDA): it owns the CPU's. */
#include <arm64/debug.h>

#include "el2.h"

/* An MRS/MSR names its register in the instruction: one case per breakpoint/watchpoint. */
#define DBG_NUMBERS(X, r)                                                                          \
	X(r, 0)                                                                                    \
	X(r, 1) X(r, 2) X(r, 3) X(r, 4) X(r, 5) X(r, 6) X(r, 7) X(r, 8) X(r, 9) X(r, 10) X(r, 11)  \
	    X(r, 12) X(r, 13) X(r, 14) X(r, 15)
#define READ_CASE(r, n)                                                                            \
	case n:                                                                                    \
		return gz_sysreg_read(r##n##_el1);
#define WRITE_CASE(r, n)                                                                           \
	case n:                                                                                    \
		gz_sysreg_write(r##n##_el1, v);                                                    \
		break;
#define DBG_ACCESSORS(r)                                                                           \
	static uint64_t r##_read(unsigned n)                                                       \
	{                                                                                          \
		switch (n) {                                                                       \
			DBG_NUMBERS(READ_CASE, r)                                                  \
		default:                                                                           \
			return 0;                                                                  \
		}                                                                                  \
	}                                                                                          \
	static void r##_write(unsigned n, uint64_t v)                                              \
	{                                                                                          \
		switch (n) {                                                                       \
			DBG_NUMBERS(WRITE_CASE, r)                                                 \
		default:                                                                           \
			break;                                                                     \
		}                                                                                  \
	}

DBG_ACCESSORS(dbgbcr)
DBG_ACCESSORS(dbgbvr)
DBG_ACCESSORS(dbgwcr)
DBG_ACCESSORS(dbgwvr)

bool gz_el2_debug_enter(const struct gz_cpu_ctx *c, struct gz_el2_debug_save *save)
{
	const struct gz_debug_ctx *d = &c->dbg;

	if (!(c->mdcr_el2 & MDCR_TDA) || !(c->sys[GZ_SYS_MDSCR_EL1] & (MDSCR_MDE | MDSCR_KDE)))
		return false;
	for (unsigned n = 0; n < d->nr_bps && n < GZ_DBG_MAX_BPS; n++) {
		save->bcr[n] = dbgbcr_read(n);
		save->bvr[n] = dbgbvr_read(n);
		dbgbcr_write(n, d->bcr[n]);
		dbgbvr_write(n, d->bvr[n]);
	}
	for (unsigned n = 0; n < d->nr_wps && n < GZ_DBG_MAX_WPS; n++) {
		save->wcr[n] = dbgwcr_read(n);
		save->wvr[n] = dbgwvr_read(n);
		dbgwcr_write(n, d->wcr[n]);
		dbgwvr_write(n, d->wvr[n]);
	}
	return true;
}

void gz_el2_debug_leave(const struct gz_cpu_ctx *c, const struct gz_el2_debug_save *save)
{
	const struct gz_debug_ctx *d = &c->dbg;

	for (unsigned n = 0; n < d->nr_bps && n < GZ_DBG_MAX_BPS; n++) {
		dbgbcr_write(n, save->bcr[n]);
		dbgbvr_write(n, save->bvr[n]);
	}
	for (unsigned n = 0; n < d->nr_wps && n < GZ_DBG_MAX_WPS; n++) {
		dbgwcr_write(n, save->wcr[n]);
		dbgwvr_write(n, save->wvr[n]);
	}
}
