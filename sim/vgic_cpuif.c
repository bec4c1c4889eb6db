/* The GICv3 virtual CPU interface of each simulated physical CPU: the ICH_*_EL2 register
 * file the core programs through the HAL, and the guest's ICC_* view of it (acknowledge,
 * priority drop, deactivation, PMR/BPR/running priority) computed from the list registers,
 * with the maintenance conditions reflected in ICH_MISR/EISR/ELRSR. */
#include <string.h>
#include <arm64/ich.h>
#include <arm64/sysreg.h>
#include <arm64/sysreg_el2.h>
#include "machine.h"
#include "vgic_cpuif.h"

/* The interface this simulator implements: 5 priority and preemption bits, 24-bit INTIDs,
 * A3V, nV4 and TDS, GZ_SIM_NR_LRS list registers; the guest's ICC_CTLR_EL1 shows the 5
 * priority bits, 16-bit INTIDs and A3V. */
#define PRIO_BITS 5
#define VTR_VALUE                                                                                  \
	(GZ_FIELD_PREP(ARCH_ICH_VTR_PRIBITS, PRIO_BITS - 1) |                                      \
	 GZ_FIELD_PREP(ARCH_ICH_VTR_PREBITS, PRIO_BITS - 1) |                                      \
	 GZ_FIELD_PREP(ARCH_ICH_VTR_IDBITS, 1) | ARCH_ICH_VTR_A3V | ARCH_ICH_VTR_NV4 |             \
	 ARCH_ICH_VTR_TDS | GZ_FIELD_PREP(ARCH_ICH_VTR_LISTREGS, GZ_SIM_NR_LRS - 1))
_Static_assert(VTR_VALUE == 0x90b80003ULL, "ICH_VTR_EL2 as the simulator always reported it");
#define ICC_CTLR_RO ((uint64_t)(PRIO_BITS - 1) << ICC_CTLR_PRIBITS_SHIFT | ICC_CTLR_A3V)

static struct gz_sim_ich ich_cpus[GZ_SIM_MAX_PCPUS];

void gz_sim_ich_reset_all(void)
{
	memset(ich_cpus, 0, sizeof(ich_cpus));
}

struct gz_sim_ich *gz_sim_ich_of(unsigned pcpu)
{
	return &ich_cpus[pcpu % GZ_SIM_MAX_PCPUS];
}

static uint64_t lr_state(uint64_t lr)
{
	return GZ_FIELD_GET(ARCH_ICH_LR_STATE, lr);
}

static unsigned lr_prio(uint64_t lr)
{
	return (unsigned)GZ_FIELD_GET(ARCH_ICH_LR_PRIORITY, lr) & ~((1u << (8 - PRIO_BITS)) - 1);
}

static uint64_t vmcr(const struct gz_sim_ich *ich)
{
	return ich->reg[GZ_ICH_VMCR];
}

static unsigned pmr(const struct gz_sim_ich *ich)
{
	return (unsigned)GZ_FIELD_GET(ARCH_ICH_VMCR_PMR, vmcr(ich));
}

static unsigned bpr0(const struct gz_sim_ich *ich)
{
	unsigned b = (unsigned)GZ_FIELD_GET(ARCH_ICH_VMCR_BPR0, vmcr(ich));

	return GZ_MAX(b, 7u - PRIO_BITS);
}

static unsigned bpr1(const struct gz_sim_ich *ich)
{
	unsigned b = (unsigned)GZ_FIELD_GET(ARCH_ICH_VMCR_BPR1, vmcr(ich));

	if (vmcr(ich) & ARCH_ICH_VMCR_CBPR)
		return GZ_MIN(bpr0(ich) + 1, 7u);
	return GZ_MAX(b, 8u - PRIO_BITS);
}

/* Group priority: the preemption-relevant upper bits of a priority. */
static unsigned group_prio(const struct gz_sim_ich *ich, unsigned prio, bool grp1)
{
	unsigned shift = grp1 ? bpr1(ich) : bpr0(ich) + 1;

	return prio & (0xffu << shift) & 0xff;
}

static unsigned running_prio(const struct gz_sim_ich *ich)
{
	uint32_t act = (uint32_t)(ich->reg[GZ_ICH_AP0R0] | ich->reg[GZ_ICH_AP1R0]);

	if (!act)
		return 0xff;
	return (unsigned)__builtin_ctz(act) << (8 - PRIO_BITS);
}

/* Highest-priority pending LR, -1 if none. */
static int hppi_lr(const struct gz_sim_ich *ich)
{
	int best = -1;
	unsigned bp = 0x100;

	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t lr = ich->reg[GZ_ICH_LR0 + n];

		if (lr_state(lr) != ARCH_ICH_LR_STATE_PENDING)
			continue;
		if (lr_prio(lr) < bp) {
			bp = lr_prio(lr);
			best = (int)n;
		}
	}
	return best;
}

static bool group_enabled(const struct gz_sim_ich *ich, bool grp1)
{
	return vmcr(ich) & (grp1 ? ARCH_ICH_VMCR_ENG1 : ARCH_ICH_VMCR_ENG0);
}

/* Would the LR be signalled: enabled group, below PMR, preempts the running priority. */
static bool lr_signalled(const struct gz_sim_ich *ich, int n)
{
	uint64_t lr;
	bool grp1;

	if (n < 0 || !(ich->reg[GZ_ICH_HCR] & ARCH_ICH_HCR_EN))
		return false;
	lr = ich->reg[GZ_ICH_LR0 + n];
	grp1 = lr & ARCH_ICH_LR_GROUP;
	return group_enabled(ich, grp1) && lr_prio(lr) < pmr(ich) &&
	       group_prio(ich, lr_prio(lr), grp1) < running_prio(ich);
}

bool gz_sim_ich_irq_pending(const struct gz_sim_ich *ich)
{
	return lr_signalled(ich, hppi_lr(ich));
}

uint64_t gz_sim_ich_eisr(const struct gz_sim_ich *ich)
{
	uint64_t eisr = 0;

	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t lr = ich->reg[GZ_ICH_LR0 + n];

		if (lr_state(lr) == 0 && !(lr & ARCH_ICH_LR_HW) && (lr & ARCH_ICH_LR_EOI))
			eisr |= GZ_BIT(n);
	}
	return eisr;
}

uint64_t gz_sim_ich_elrsr(const struct gz_sim_ich *ich)
{
	uint64_t elrsr = 0;

	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t lr = ich->reg[GZ_ICH_LR0 + n];

		if (lr_state(lr) == 0 && ((lr & ARCH_ICH_LR_HW) || !(lr & ARCH_ICH_LR_EOI)))
			elrsr |= GZ_BIT(n);
	}
	return elrsr;
}

uint64_t gz_sim_ich_misr(const struct gz_sim_ich *ich)
{
	uint64_t hcr = ich->reg[GZ_ICH_HCR], misr = 0;
	unsigned valid = 0;
	bool pending = false;

	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t st = lr_state(ich->reg[GZ_ICH_LR0 + n]);

		valid += st != 0;
		pending |= st == ARCH_ICH_LR_STATE_PENDING;
	}
	if (gz_sim_ich_eisr(ich))
		misr |= ARCH_ICH_MISR_EOI;
	if ((hcr & ARCH_ICH_HCR_UIE) && valid <= 1)
		misr |= ARCH_ICH_MISR_U;
	if ((hcr & ARCH_ICH_HCR_LRENPIE) && GZ_FIELD_GET(ARCH_ICH_HCR_EOICOUNT, hcr))
		misr |= ARCH_ICH_MISR_LRENP;
	if ((hcr & ARCH_ICH_HCR_NPIE) && !pending)
		misr |= ARCH_ICH_MISR_NP;
	if ((hcr & ARCH_ICH_HCR_VGRP0EIE) && group_enabled(ich, false))
		misr |= ARCH_ICH_MISR_VGRP0E;
	if ((hcr & ARCH_ICH_HCR_VGRP0DIE) && !group_enabled(ich, false))
		misr |= ARCH_ICH_MISR_VGRP0D;
	if ((hcr & ARCH_ICH_HCR_VGRP1EIE) && group_enabled(ich, true))
		misr |= ARCH_ICH_MISR_VGRP1E;
	if ((hcr & ARCH_ICH_HCR_VGRP1DIE) && !group_enabled(ich, true))
		misr |= ARCH_ICH_MISR_VGRP1D;
	return misr;
}

bool gz_sim_ich_maint_pending(const struct gz_sim_ich *ich)
{
	return (ich->reg[GZ_ICH_HCR] & ARCH_ICH_HCR_EN) && gz_sim_ich_misr(ich);
}

uint64_t gz_hal_ich_read(enum gz_ich_reg reg)
{
	const struct gz_sim_ich *ich = gz_sim_ich_of(gz_sim_cpu());

	switch (reg) {
	case GZ_ICH_VTR:
		return VTR_VALUE;
	case GZ_ICH_MISR:
		return gz_sim_ich_misr(ich);
	case GZ_ICH_EISR:
		return gz_sim_ich_eisr(ich);
	case GZ_ICH_ELRSR:
		return gz_sim_ich_elrsr(ich);
	default:
		if ((unsigned)reg >= GZ_ICH_NR_REGS)
			gz_hal_panic("gz_hal_ich_read: no such register");
		if (reg >= GZ_ICH_LR(GZ_SIM_NR_LRS))
			return 0; /* list registers this interface does not implement */
		return ich->reg[reg];
	}
}

void gz_hal_ich_write(enum gz_ich_reg reg, uint64_t val)
{
	struct gz_sim_ich *ich = gz_sim_ich_of(gz_sim_cpu());

	if ((unsigned)reg >= GZ_ICH_NR_REGS)
		gz_hal_panic("gz_hal_ich_write: no such register");
	switch (reg) {
	case GZ_ICH_VTR:
	case GZ_ICH_MISR:
	case GZ_ICH_EISR:
	case GZ_ICH_ELRSR:
		return; /* read-only */
	case GZ_ICH_AP0R0:
	case GZ_ICH_AP1R0:
		ich->reg[reg] = val & 0xffffffffULL;
		return;
	case GZ_ICH_AP0R1:
	case GZ_ICH_AP0R2:
	case GZ_ICH_AP0R3:
	case GZ_ICH_AP1R1:
	case GZ_ICH_AP1R2:
	case GZ_ICH_AP1R3:
		return; /* RES0 with 5 preemption bits */
	default:
		if (reg >= GZ_ICH_LR(GZ_SIM_NR_LRS))
			return;
		ich->reg[reg] = val;
	}
}

/* ---- the guest's ICC_* view ------------------------------------------------------------- */

static int find_active_lr(const struct gz_sim_ich *ich, uint64_t intid)
{
	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t lr = ich->reg[GZ_ICH_LR0 + n];

		if ((lr & ARCH_ICH_LR_VINTID) == intid && (lr & ARCH_ICH_LR_ACTIVE))
			return (int)n;
	}
	return -1;
}

static void deactivate(struct gz_sim_ich *ich, uint64_t intid)
{
	int n = find_active_lr(ich, intid);

	if (n < 0) {
		uint64_t hcr = ich->reg[GZ_ICH_HCR];
		uint64_t cnt = GZ_FIELD_GET(ARCH_ICH_HCR_EOICOUNT, hcr);

		/* No LR holds it: count it so the hypervisor can deactivate it itself. */
		if (intid < ICC_IAR_SPURIOUS)
			ich->reg[GZ_ICH_HCR] = (hcr & ~ARCH_ICH_HCR_EOICOUNT) |
					       GZ_FIELD_PREP(ARCH_ICH_HCR_EOICOUNT, cnt + 1);
		return;
	}
	ich->reg[GZ_ICH_LR0 + n] &= ~ARCH_ICH_LR_ACTIVE;
}

static void drop_priority(struct gz_sim_ich *ich, enum gz_ich_reg apr)
{
	uint64_t v = ich->reg[apr];

	ich->reg[apr] = v & (v - 1); /* clear the highest active priority */
}

static uint64_t acknowledge(struct gz_sim_ich *ich, bool grp1)
{
	int n = hppi_lr(ich);
	uint64_t lr;

	if (!lr_signalled(ich, n))
		return ICC_IAR_INTID_NONE;
	lr = ich->reg[GZ_ICH_LR0 + n];
	if (!!(lr & ARCH_ICH_LR_GROUP) != grp1)
		return ICC_IAR_INTID_NONE;
	ich->reg[GZ_ICH_LR0 + n] =
	    (lr & ~ARCH_ICH_LR_STATE) | GZ_FIELD_PREP(ARCH_ICH_LR_STATE, ARCH_ICH_LR_STATE_ACTIVE);
	ich->reg[grp1 ? GZ_ICH_AP1R0 : GZ_ICH_AP0R0] |=
	    GZ_BIT(group_prio(ich, lr_prio(lr), grp1) >> (8 - PRIO_BITS));
	return lr & ARCH_ICH_LR_VINTID;
}

static uint64_t hppir(const struct gz_sim_ich *ich, bool grp1)
{
	int n = hppi_lr(ich);

	if (n < 0 || !!(ich->reg[GZ_ICH_LR0 + n] & ARCH_ICH_LR_GROUP) != grp1)
		return ICC_IAR_INTID_NONE;
	return ich->reg[GZ_ICH_LR0 + n] & ARCH_ICH_LR_VINTID;
}

static void set_vmcr_field(struct gz_sim_ich *ich, uint64_t field, uint64_t v)
{
	ich->reg[GZ_ICH_VMCR] = (ich->reg[GZ_ICH_VMCR] & ~field) | GZ_FIELD_PREP(field, v);
}

/* ICC_AP0R<n>_EL1 / ICC_AP1R<n>_EL1, n = 1..3: RES0 with 5 preemption bits (reads as zero,
 * writes ignored). */
static bool apr_res0(uint32_t sr)
{
	for (unsigned n = 1; n < 4; n++)
		if (sr == SYS_ICC_AP0R_EL1(n) || sr == SYS_ICC_AP1R_EL1(n))
			return true;
	return false;
}

bool gz_sim_icc_read(struct gz_sim_ich *ich, uint32_t sr, uint64_t *val)
{
	uint64_t v = vmcr(ich);

	if (apr_res0(sr)) {
		*val = 0;
		return true;
	}
	switch (sr) {
	case SYS_ICC_IAR1_EL1:
		*val = acknowledge(ich, true);
		return true;
	case SYS_ICC_IAR0_EL1:
		*val = acknowledge(ich, false);
		return true;
	case SYS_ICC_HPPIR1_EL1:
		*val = hppir(ich, true);
		return true;
	case SYS_ICC_HPPIR0_EL1:
		*val = hppir(ich, false);
		return true;
	case SYS_ICC_PMR_EL1:
		*val = pmr(ich);
		return true;
	case SYS_ICC_BPR1_EL1:
		*val = bpr1(ich);
		return true;
	case SYS_ICC_BPR0_EL1:
		*val = bpr0(ich);
		return true;
	case SYS_ICC_RPR_EL1:
		*val = running_prio(ich);
		return true;
	case SYS_ICC_CTLR_EL1:
		*val = ICC_CTLR_RO | ((v & ARCH_ICH_VMCR_EOIM) ? ICC_CTLR_EOIMODE : 0) |
		       ((v & ARCH_ICH_VMCR_CBPR) ? ICC_CTLR_CBPR : 0);
		return true;
	case SYS_ICC_SRE_EL1:
		*val = ICC_SRE_EL1_SRE | ICC_SRE_EL1_DFB | ICC_SRE_EL1_DIB;
		return true;
	case SYS_ICC_IGRPEN1_EL1:
		*val = !!(v & ARCH_ICH_VMCR_ENG1);
		return true;
	case SYS_ICC_IGRPEN0_EL1:
		*val = !!(v & ARCH_ICH_VMCR_ENG0);
		return true;
	case SYS_ICC_AP1R_EL1(0):
		*val = ich->reg[GZ_ICH_AP1R0];
		return true;
	case SYS_ICC_AP0R_EL1(0):
		*val = ich->reg[GZ_ICH_AP0R0];
		return true;
	default:
		return false;
	}
}

bool gz_sim_icc_write(struct gz_sim_ich *ich, uint32_t sr, uint64_t val)
{
	bool eoimode = vmcr(ich) & ARCH_ICH_VMCR_EOIM;

	if (apr_res0(sr))
		return true;
	switch (sr) {
	case SYS_ICC_EOIR1_EL1:
	case SYS_ICC_EOIR0_EL1:
		val &= ICC_IAR_INTID_MASK;
		drop_priority(ich, sr == SYS_ICC_EOIR1_EL1 ? GZ_ICH_AP1R0 : GZ_ICH_AP0R0);
		if (!eoimode)
			deactivate(ich, val);
		return true;
	case SYS_ICC_DIR_EL1:
		if (eoimode)
			deactivate(ich, val & ICC_IAR_INTID_MASK);
		return true;
	case SYS_ICC_PMR_EL1:
		set_vmcr_field(ich, ARCH_ICH_VMCR_PMR, val & 0xff & ~((1u << (8 - PRIO_BITS)) - 1));
		return true;
	case SYS_ICC_BPR1_EL1:
		if (!(vmcr(ich) & ARCH_ICH_VMCR_CBPR))
			set_vmcr_field(ich, ARCH_ICH_VMCR_BPR1, GZ_MAX(val & 7, 8u - PRIO_BITS));
		return true;
	case SYS_ICC_BPR0_EL1:
		set_vmcr_field(ich, ARCH_ICH_VMCR_BPR0, GZ_MAX(val & 7, 7u - PRIO_BITS));
		return true;
	case SYS_ICC_CTLR_EL1:
		set_vmcr_field(ich, ARCH_ICH_VMCR_EOIM, !!(val & ICC_CTLR_EOIMODE));
		set_vmcr_field(ich, ARCH_ICH_VMCR_CBPR, !!(val & ICC_CTLR_CBPR));
		return true;
	case SYS_ICC_SRE_EL1:
		return true; /* SRE is fixed at 1 */
	case SYS_ICC_IGRPEN1_EL1:
		set_vmcr_field(ich, ARCH_ICH_VMCR_ENG1, val & 1);
		return true;
	case SYS_ICC_IGRPEN0_EL1:
		set_vmcr_field(ich, ARCH_ICH_VMCR_ENG0, val & 1);
		return true;
	case SYS_ICC_AP1R_EL1(0):
		ich->reg[GZ_ICH_AP1R0] = val & 0xffffffffULL;
		return true;
	case SYS_ICC_AP0R_EL1(0):
		ich->reg[GZ_ICH_AP0R0] = val & 0xffffffffULL;
		return true;
	default:
		return false;
	}
}
