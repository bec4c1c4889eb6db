/* The guest's ID registers (gzhyp/sysreg_id.h). Each register of the view is made of fields
 * copied from the CPU (what needs no virtualization: instructions, memory-system facts),
 * fields capped at what opengz offers (the lower of the CPU's and the cap: debug counts), and
 * fields opengz sets itself (EL0/EL1 AArch64 only, the GICv3 system-register interface, the
 * debug and PMU versions it implements); every other field reads as zero, "not implemented":
 * EL2/EL3, SVE, SME, RAS, MPAM, AMU, MTE, pointer authentication, TME, LS64, the trace unit,
 * the statistical profiler and what only an EL2 would use. */
#include <arm64/idreg.h>
#include <gzhyp/sysreg_id.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <hal.h>

#define F ID_FIELD

struct id_rule {
	uint32_t enc;
	uint64_t copy; /* fields taken from the CPU */
	uint64_t min;  /* fields: the lower of the CPU's and val's */
	uint64_t set;  /* fields: val's */
	uint64_t val;
};

static const struct id_rule rules[] = {
    {SYS_ID_AA64PFR0_EL1,
     F(ID_PFR0_FP_SHIFT) | F(ID_PFR0_ADVSIMD_SHIFT) | F(ID_PFR0_DIT_SHIFT) | F(ID_PFR0_CSV2_SHIFT) |
	 F(ID_PFR0_CSV3_SHIFT),
     0, F(ID_PFR0_EL0_SHIFT) | F(ID_PFR0_EL1_SHIFT) | F(ID_PFR0_GIC_SHIFT),
     (ID_PFR0_EL_AARCH64 << ID_PFR0_EL0_SHIFT) | (ID_PFR0_EL_AARCH64 << ID_PFR0_EL1_SHIFT) |
	 (ID_PFR0_GIC_SYSREG << ID_PFR0_GIC_SHIFT)},
    {SYS_ID_AA64PFR1_EL1, F(ID_PFR1_BT_SHIFT) | F(ID_PFR1_SSBS_SHIFT), 0, 0, 0},
    {SYS_ID_AA64DFR0_EL1, 0,
     F(ID_DFR0_BRPS_SHIFT) | F(ID_DFR0_WRPS_SHIFT) | F(ID_DFR0_CTX_CMPS_SHIFT),
     F(ID_DFR0_DEBUGVER_SHIFT) | F(ID_DFR0_PMUVER_SHIFT) | F(ID_DFR0_DOUBLELOCK_SHIFT),
     ((uint64_t)GZ_ID_BRPS_MAX << ID_DFR0_BRPS_SHIFT) |
	 ((uint64_t)GZ_ID_WRPS_MAX << ID_DFR0_WRPS_SHIFT) |
	 ((uint64_t)GZ_ID_CTX_CMPS_MAX << ID_DFR0_CTX_CMPS_SHIFT) |
	 ((uint64_t)ID_DFR0_DEBUGVER_V8 << ID_DFR0_DEBUGVER_SHIFT) |
	 ((uint64_t)ID_DFR0_PMUVER_V3 << ID_DFR0_PMUVER_SHIFT) |
	 ((uint64_t)ID_DFR0_DOUBLELOCK_NONE << ID_DFR0_DOUBLELOCK_SHIFT)},
    {SYS_ID_AA64ISAR0_EL1, ~F(ID_ISAR0_TME_SHIFT), 0, 0, 0},
    {SYS_ID_AA64ISAR1_EL1,
     ~(F(ID_ISAR1_APA_SHIFT) | F(ID_ISAR1_API_SHIFT) | F(ID_ISAR1_GPA_SHIFT) |
       F(ID_ISAR1_GPI_SHIFT) | F(ID_ISAR1_LS64_SHIFT)),
     0, 0, 0},
    /* PARange is the CPU's, as under KVM: the guest learns its IPA space from its memory
     * map (the VM's IPA size depends on the host's PA size, which differs between worlds) */
    {SYS_ID_AA64MMFR0_EL1, GZ_GENMASK(ID_MMFR0_TGRAN16_2_SHIFT - 1, ID_MMFR0_PARANGE_SHIFT), 0, 0,
     0},
    {SYS_ID_AA64MMFR1_EL1,
     ~(F(ID_MMFR1_VMIDBITS_SHIFT) | F(ID_MMFR1_VH_SHIFT) | F(ID_MMFR1_XNX_SHIFT) |
       F(ID_MMFR1_TWED_SHIFT) | F(ID_MMFR1_HCX_SHIFT) | F(ID_MMFR1_TIDCP1_SHIFT) |
       F(ID_MMFR1_CMOW_SHIFT)),
     0, 0, 0},
    {SYS_ID_AA64MMFR2_EL1, ~(F(ID_MMFR2_NV_SHIFT) | F(ID_MMFR2_FWB_SHIFT) | F(ID_MMFR2_EVT_SHIFT)),
     0, 0, 0},
};

/* Per 4-bit field of @mask: the lower of @a's and @b's. */
static uint64_t field_min(uint64_t a, uint64_t b, uint64_t mask)
{
	uint64_t r = 0;

	for (unsigned s = 0; s < 64; s += 4) {
		uint64_t fa = a & F(s), fb = b & F(s);

		if (mask & F(s))
			r |= fa < fb ? fa : fb;
	}
	return r;
}

void gz_sysreg_id_init(uint64_t view[ID_AA64_NR])
{
	for (unsigned i = 0; i < ID_AA64_NR; i++)
		view[i] = 0;
	for (unsigned i = 0; i < GZ_ARRAY_SIZE(rules); i++) {
		const struct id_rule *r = &rules[i];
		uint64_t hw = gz_hal_cpu_id_reg(r->enc);

		view[ID_AA64_INDEX(r->enc)] =
		    (hw & r->copy) | field_min(hw, r->val, r->min) | (r->val & r->set);
	}
}

enum gz_exit_action gz_sysreg_id(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_sysreg *s = &x->desc.sysreg;

	if (!SYS_IS_ID_REG(s->enc) || !s->read)
		return GZ_EXIT_NEXT;
	/* in the ID space: the AArch64 registers are CRm 4..7 */
	gz_vcpu_set_reg(
	    v, s->reg,
	    SYS_ENC_CRM(s->enc) >= ID_AA64_CRM_FIRST ? v->vm->id_aa64[ID_AA64_INDEX(s->enc)] : 0);
	gz_vcpu_skip_insn(v, &x->desc);
	return GZ_EXIT_RESUME;
}
