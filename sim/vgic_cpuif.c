/* The GICv3 virtual CPU interface of each simulated physical CPU: the ICH_*_EL2 register
 * file the core programs through the HAL, and the guest's ICC_* view of it (acknowledge,
 * priority drop, deactivation, PMR/BPR/running priority) computed from the list registers,
 * with the maintenance conditions reflected in ICH_MISR/EISR/ELRSR. */
#include <string.h>
#include "sim_internal.h"
#include "sim_arch.h"

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
	return lr >> ICH_LR_STATE_SHIFT;
}

static unsigned lr_prio(uint64_t lr)
{
	return (unsigned)(lr >> ICH_LR_PRIO_SHIFT) & 0xff & ~((1u << (8 - GIC_PRIO_BITS)) - 1);
}

static uint64_t vmcr(const struct gz_sim_ich *ich)
{
	return ich->reg[GZ_ICH_VMCR];
}

static unsigned pmr(const struct gz_sim_ich *ich)
{
	return (unsigned)(vmcr(ich) >> ICH_VMCR_VPMR_SHIFT) & 0xff;
}

static unsigned bpr0(const struct gz_sim_ich *ich)
{
	unsigned b = (unsigned)(vmcr(ich) >> ICH_VMCR_VBPR0_SHIFT) & 7;

	return GZ_MAX(b, 7u - GIC_PRIO_BITS);
}

static unsigned bpr1(const struct gz_sim_ich *ich)
{
	unsigned b = (unsigned)(vmcr(ich) >> ICH_VMCR_VBPR1_SHIFT) & 7;

	if (vmcr(ich) & ICH_VMCR_VCBPR)
		return GZ_MIN(bpr0(ich) + 1, 7u);
	return GZ_MAX(b, 8u - GIC_PRIO_BITS);
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
	return (unsigned)__builtin_ctz(act) << (8 - GIC_PRIO_BITS);
}

/* Highest-priority pending LR, -1 if none. */
static int hppi_lr(const struct gz_sim_ich *ich)
{
	int best = -1;
	unsigned bp = 0x100;

	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t lr = ich->reg[GZ_ICH_LR0 + n];

		if (lr_state(lr) != ICH_LR_PENDING)
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
	return vmcr(ich) & (grp1 ? ICH_VMCR_VENG1 : ICH_VMCR_VENG0);
}

/* Would the LR be signalled: enabled group, below PMR, preempts the running priority. */
static bool lr_signalled(const struct gz_sim_ich *ich, int n)
{
	uint64_t lr;
	bool grp1;

	if (n < 0 || !(ich->reg[GZ_ICH_HCR] & ICH_HCR_EN))
		return false;
	lr = ich->reg[GZ_ICH_LR0 + n];
	grp1 = lr & ICH_LR_GROUP;
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

		if (lr_state(lr) == 0 && !(lr & ICH_LR_HW) && (lr & ICH_LR_EOI))
			eisr |= GZ_BIT(n);
	}
	return eisr;
}

uint64_t gz_sim_ich_elrsr(const struct gz_sim_ich *ich)
{
	uint64_t elrsr = 0;

	for (unsigned n = 0; n < GZ_SIM_NR_LRS; n++) {
		uint64_t lr = ich->reg[GZ_ICH_LR0 + n];

		if (lr_state(lr) == 0 && ((lr & ICH_LR_HW) || !(lr & ICH_LR_EOI)))
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
		pending |= st == ICH_LR_PENDING;
	}
	if (gz_sim_ich_eisr(ich))
		misr |= ICH_MISR_EOI;
	if ((hcr & ICH_HCR_UIE) && valid <= 1)
		misr |= ICH_MISR_U;
	if ((hcr & ICH_HCR_LRENPIE) && (hcr >> ICH_HCR_EOICOUNT_SHIFT))
		misr |= ICH_MISR_LRENP;
	if ((hcr & ICH_HCR_NPIE) && !pending)
		misr |= ICH_MISR_NP;
	if ((hcr & ICH_HCR_VGRP0EIE) && group_enabled(ich, false))
		misr |= ICH_MISR_VGRP0E;
	if ((hcr & ICH_HCR_VGRP0DIE) && !group_enabled(ich, false))
		misr |= ICH_MISR_VGRP0D;
	if ((hcr & ICH_HCR_VGRP1EIE) && group_enabled(ich, true))
		misr |= ICH_MISR_VGRP1E;
	if ((hcr & ICH_HCR_VGRP1DIE) && !group_enabled(ich, true))
		misr |= ICH_MISR_VGRP1D;
	return misr;
}

bool gz_sim_ich_maint_pending(const struct gz_sim_ich *ich)
{
	return (ich->reg[GZ_ICH_HCR] & ICH_HCR_EN) && gz_sim_ich_misr(ich);
}

uint64_t gz_hal_ich_read(enum gz_ich_reg reg)
{
	const struct gz_sim_ich *ich = gz_sim_ich_of(gz_sim_cpu());

	switch (reg) {
	case GZ_ICH_VTR:
		return ICH_VTR_VALUE;
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

		if ((lr & ICH_LR_VINTID_MASK) == intid && (lr_state(lr) & ICH_LR_ACTIVE))
			return (int)n;
	}
	return -1;
}

static void deactivate(struct gz_sim_ich *ich, uint64_t intid)
{
	int n = find_active_lr(ich, intid);

	if (n < 0) {
		uint64_t hcr = ich->reg[GZ_ICH_HCR];
		uint64_t cnt = (hcr >> ICH_HCR_EOICOUNT_SHIFT) & 0x1f;

		/* No LR holds it: count it so the hypervisor can deactivate it itself. */
		if (intid < 1020)
			ich->reg[GZ_ICH_HCR] = (hcr & ~(0x1fULL << ICH_HCR_EOICOUNT_SHIFT)) |
					       (((cnt + 1) & 0x1f) << ICH_HCR_EOICOUNT_SHIFT);
		return;
	}
	ich->reg[GZ_ICH_LR0 + n] &= ~(ICH_LR_ACTIVE << ICH_LR_STATE_SHIFT);
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
		return GIC_SPURIOUS;
	lr = ich->reg[GZ_ICH_LR0 + n];
	if (!!(lr & ICH_LR_GROUP) != grp1)
		return GIC_SPURIOUS;
	ich->reg[GZ_ICH_LR0 + n] =
	    (lr & ~(3ULL << ICH_LR_STATE_SHIFT)) | (ICH_LR_ACTIVE << ICH_LR_STATE_SHIFT);
	ich->reg[grp1 ? GZ_ICH_AP1R0 : GZ_ICH_AP0R0] |=
	    GZ_BIT(group_prio(ich, lr_prio(lr), grp1) >> (8 - GIC_PRIO_BITS));
	return lr & ICH_LR_VINTID_MASK;
}

static uint64_t hppir(const struct gz_sim_ich *ich, bool grp1)
{
	int n = hppi_lr(ich);

	if (n < 0 || !!(ich->reg[GZ_ICH_LR0 + n] & ICH_LR_GROUP) != grp1)
		return GIC_SPURIOUS;
	return ich->reg[GZ_ICH_LR0 + n] & ICH_LR_VINTID_MASK;
}

static void set_vmcr_field(struct gz_sim_ich *ich, unsigned shift, uint64_t mask, uint64_t v)
{
	ich->reg[GZ_ICH_VMCR] = (ich->reg[GZ_ICH_VMCR] & ~(mask << shift)) | ((v & mask) << shift);
}

bool gz_sim_icc_read(struct gz_sim_ich *ich, uint32_t sr, uint64_t *val)
{
	uint64_t v = vmcr(ich);

	switch (sr) {
	case SR_ICC_IAR1:
		*val = acknowledge(ich, true);
		return true;
	case SR_ICC_IAR0:
		*val = acknowledge(ich, false);
		return true;
	case SR_ICC_HPPIR1:
		*val = hppir(ich, true);
		return true;
	case SR_ICC_HPPIR0:
		*val = hppir(ich, false);
		return true;
	case SR_ICC_PMR:
		*val = pmr(ich);
		return true;
	case SR_ICC_BPR1:
		*val = bpr1(ich);
		return true;
	case SR_ICC_BPR0:
		*val = bpr0(ich);
		return true;
	case SR_ICC_RPR:
		*val = running_prio(ich);
		return true;
	case SR_ICC_CTLR:
		*val = ICC_CTLR_RO | ((v & ICH_VMCR_VEOIM) ? ICC_CTLR_EOIMODE : 0) |
		       ((v & ICH_VMCR_VCBPR) ? ICC_CTLR_CBPR : 0);
		return true;
	case SR_ICC_SRE:
		*val = 7; /* SRE, DFB, DIB */
		return true;
	case SR_ICC_IGRPEN1:
		*val = !!(v & ICH_VMCR_VENG1);
		return true;
	case SR_ICC_IGRPEN0:
		*val = !!(v & ICH_VMCR_VENG0);
		return true;
	case SR_ICC_AP1R(0):
		*val = ich->reg[GZ_ICH_AP1R0];
		return true;
	case SR_ICC_AP0R(0):
		*val = ich->reg[GZ_ICH_AP0R0];
		return true;
	case SR_ICC_AP1R(1):
	case SR_ICC_AP1R(2):
	case SR_ICC_AP1R(3):
	case SR_ICC_AP0R(1):
	case SR_ICC_AP0R(2):
	case SR_ICC_AP0R(3):
		*val = 0;
		return true;
	default:
		return false;
	}
}

bool gz_sim_icc_write(struct gz_sim_ich *ich, uint32_t sr, uint64_t val)
{
	bool eoimode = vmcr(ich) & ICH_VMCR_VEOIM;

	switch (sr) {
	case SR_ICC_EOIR1:
	case SR_ICC_EOIR0:
		val &= 0xffffff;
		drop_priority(ich, sr == SR_ICC_EOIR1 ? GZ_ICH_AP1R0 : GZ_ICH_AP0R0);
		if (!eoimode)
			deactivate(ich, val);
		return true;
	case SR_ICC_DIR:
		if (eoimode)
			deactivate(ich, val & 0xffffff);
		return true;
	case SR_ICC_PMR:
		set_vmcr_field(ich, ICH_VMCR_VPMR_SHIFT, 0xff,
			       val & 0xff & ~((1u << (8 - GIC_PRIO_BITS)) - 1));
		return true;
	case SR_ICC_BPR1:
		if (!(vmcr(ich) & ICH_VMCR_VCBPR))
			set_vmcr_field(ich, ICH_VMCR_VBPR1_SHIFT, 7,
				       GZ_MAX(val & 7, 8u - GIC_PRIO_BITS));
		return true;
	case SR_ICC_BPR0:
		set_vmcr_field(ich, ICH_VMCR_VBPR0_SHIFT, 7, GZ_MAX(val & 7, 7u - GIC_PRIO_BITS));
		return true;
	case SR_ICC_CTLR:
		set_vmcr_field(ich, 9, 1, !!(val & ICC_CTLR_EOIMODE));
		set_vmcr_field(ich, 4, 1, !!(val & ICC_CTLR_CBPR));
		return true;
	case SR_ICC_SRE:
		return true; /* SRE is fixed at 1 */
	case SR_ICC_IGRPEN1:
		set_vmcr_field(ich, 1, 1, val & 1);
		return true;
	case SR_ICC_IGRPEN0:
		set_vmcr_field(ich, 0, 1, val & 1);
		return true;
	case SR_ICC_AP1R(0):
		ich->reg[GZ_ICH_AP1R0] = val & 0xffffffffULL;
		return true;
	case SR_ICC_AP0R(0):
		ich->reg[GZ_ICH_AP0R0] = val & 0xffffffffULL;
		return true;
	case SR_ICC_AP1R(1):
	case SR_ICC_AP1R(2):
	case SR_ICC_AP1R(3):
	case SR_ICC_AP0R(1):
	case SR_ICC_AP0R(2):
	case SR_ICC_AP0R(3):
		return true;
	default:
		return false;
	}
}
