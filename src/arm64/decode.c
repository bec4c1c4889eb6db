/* Decoding of the HAL's exit record (ESR_EL2, FAR_EL2, HPFAR_EL2) into the arch-neutral
 * struct gz_exit_desc the exit handlers work on. Pure: no state, no side effects. */
#include <arm64/decode.h>
#include <arm64/esr.h>
#include <arm64/sysreg.h>

static enum gz_fault_kind fault_kind(uint8_t fsc)
{
	if (fsc == ESR_FSC_ALIGN)
		return GZ_FAULT_ALIGNMENT;
	if (fsc == ESR_FSC_EXTABT)
		return GZ_FAULT_EXTERNAL;
	switch (fsc & ESR_FSC_TYPE) {
	case ESR_FSC_ADDR_SZ:
		return GZ_FAULT_ADDR_SIZE;
	case ESR_FSC_TRANS:
		return GZ_FAULT_TRANSLATION;
	case ESR_FSC_ACCESS:
		return GZ_FAULT_ACCESS_FLAG;
	case ESR_FSC_PERM:
		return GZ_FAULT_PERMISSION;
	default:
		return GZ_FAULT_OTHER;
	}
}

static void decode_abort(const struct gz_exit_record *rec, uint32_t iss, bool data,
			 struct gz_exit_abort *ab)
{
	ab->va = rec->far;
	ab->far_valid = !(iss & ESR_xABT_FNV);
	/* HPFAR holds the page; FAR supplies the offset inside it when it is valid. */
	ab->ipa = (GZ_FIELD_GET(HPFAR_FIPA, rec->hpfar) << GZ_PAGE_SHIFT) |
		  (ab->far_valid ? (rec->far & ~GZ_PAGE_MASK) : 0);
	ab->fsc = (uint8_t)(iss & ESR_xABT_FSC);
	ab->kind = fault_kind(ab->fsc);
	ab->level = (ab->kind == GZ_FAULT_TRANSLATION || ab->kind == GZ_FAULT_ACCESS_FLAG ||
		     ab->kind == GZ_FAULT_PERMISSION || ab->kind == GZ_FAULT_ADDR_SIZE)
			? (uint8_t)(ab->fsc & ESR_FSC_LEVEL)
			: 0;
	ab->s1ptw = !!(iss & ESR_xABT_S1PTW);
	ab->ea = !!(iss & ESR_xABT_EA);
	if (!data)
		return;
	ab->write = !!(iss & ESR_DABT_WNR);
	ab->cm = !!(iss & ESR_DABT_CM);
	/* ISV is only meaningful for stage-2 aborts that are not on a stage-1 walk. */
	ab->isv = !!(iss & ESR_xABT_ISV) && !ab->s1ptw;
	if (!ab->isv)
		return;
	ab->size = (uint8_t)(1u << GZ_FIELD_GET(ESR_DABT_SAS, iss));
	ab->sign_extend = !!(iss & ESR_DABT_SSE);
	ab->reg = (uint8_t)GZ_FIELD_GET(ESR_DABT_SRT, iss);
	ab->sf = !!(iss & ESR_DABT_SF);
	ab->acqrel = !!(iss & ESR_DABT_AR);
}

static void decode_sysreg(uint32_t iss, struct gz_exit_sysreg *s)
{
	s->enc = SYS_ENC(
	    (uint32_t)GZ_FIELD_GET(ESR_SYS64_OP0, iss), (uint32_t)GZ_FIELD_GET(ESR_SYS64_OP1, iss),
	    (uint32_t)GZ_FIELD_GET(ESR_SYS64_CRN, iss), (uint32_t)GZ_FIELD_GET(ESR_SYS64_CRM, iss),
	    (uint32_t)GZ_FIELD_GET(ESR_SYS64_OP2, iss));
	s->read = !!(iss & ESR_SYS64_DIR);
	s->reg = (uint8_t)GZ_FIELD_GET(ESR_SYS64_RT, iss);
}

static void decode_sync(const struct gz_exit_record *rec, struct gz_exit_desc *d)
{
	uint32_t iss = d->iss;

	switch (d->ec) {
	case ESR_EC_DABT_LOW:
		d->type = GZ_XT_DABT;
		decode_abort(rec, iss, true, &d->abort);
		break;
	case ESR_EC_IABT_LOW:
		d->type = GZ_XT_IABT;
		decode_abort(rec, iss, false, &d->abort);
		break;
	case ESR_EC_HVC64:
		d->type = GZ_XT_HVC;
		d->call.imm = (uint16_t)(iss & ESR_xVC_IMM);
		break;
	case ESR_EC_SMC64:
		d->type = GZ_XT_SMC;
		d->call.imm = (uint16_t)(iss & ESR_xVC_IMM);
		break;
	case ESR_EC_WFX: {
		unsigned ti = (unsigned)GZ_FIELD_GET(ESR_WFX_TI, iss);

		d->type = (ti == ESR_WFX_TI_WFI || ti == ESR_WFX_TI_WFIT) ? GZ_XT_WFI : GZ_XT_WFE;
		d->wfx.with_timeout = ti == ESR_WFX_TI_WFIT || ti == ESR_WFX_TI_WFET;
		d->wfx.reg_valid = d->wfx.with_timeout && (iss & ESR_WFX_RV);
		d->wfx.reg = (uint8_t)GZ_FIELD_GET(ESR_WFX_RN, iss);
		break;
	}
	case ESR_EC_SYS64:
		d->type = GZ_XT_SYSREG;
		decode_sysreg(iss, &d->sysreg);
		break;
	case ESR_EC_BREAKPT_LOW:
	case ESR_EC_SOFTSTP_LOW:
	case ESR_EC_WATCHPT_LOW:
	case ESR_EC_BRK64:
		d->type = GZ_XT_DEBUG;
		break;
	case ESR_EC_SERROR:
		d->type = GZ_XT_SERROR;
		break;
	default:
		/* Everything else a guest can raise at EL2 (HVC32/SMC32 from AArch32, FP/SVE
		 * traps we never enable, illegal state, unknown instructions, ...) is an
		 * instruction the VM does not have. */
		d->type = GZ_XT_UNDEF;
		break;
	}
}

void arm64_exit_decode(const struct gz_exit_record *rec, struct gz_exit_desc *d)
{
	*d = (struct gz_exit_desc){0};
	d->esr = rec->esr;
	d->ec = (uint8_t)ESR_EC(rec->esr);
	d->il = !!(rec->esr & ESR_IL);
	d->iss = ESR_ISS(rec->esr);

	switch (rec->kind) {
	case GZ_EXIT_KIND_SYNC:
		decode_sync(rec, d);
		break;
	case GZ_EXIT_KIND_IRQ:
		d->type = GZ_XT_IRQ;
		break;
	case GZ_EXIT_KIND_SERROR:
		d->type = GZ_XT_SERROR;
		break;
	default:
		d->type = GZ_XT_FAIL_ENTRY;
		break;
	}
}

const char *arm64_exit_type_name(enum gz_exit_type type)
{
	static const char *const names[GZ_XT_NR] = {
	    [GZ_XT_UNDEF] = "undef",
	    [GZ_XT_DABT] = "dabt",
	    [GZ_XT_IABT] = "iabt",
	    [GZ_XT_HVC] = "hvc",
	    [GZ_XT_SMC] = "smc",
	    [GZ_XT_WFI] = "wfi",
	    [GZ_XT_WFE] = "wfe",
	    [GZ_XT_SYSREG] = "sysreg",
	    [GZ_XT_IRQ] = "irq",
	    [GZ_XT_SERROR] = "serror",
	    [GZ_XT_FAIL_ENTRY] = "fail-entry",
	    [GZ_XT_DEBUG] = "debug",
	};

	if ((unsigned)type >= GZ_XT_NR)
		return "?";
	return names[type];
}
