/* A model of the guest side of a GICv3 virtual CPU interface, driving the fake HAL's ICH
 * registers the way hardware would: acknowledge takes the highest-priority pending LR (lowest
 * priority value, then lowest LR index) and makes it active; EOI (EOImode 0) drops its active
 * state, or counts in ICH_HCR_EL2.EOIcount when no LR holds it; the maintenance condition is
 * computed from ICH_HCR_EL2 and the LRs as ICH_MISR_EL2 would. Shared by the vGIC unit tests
 * and the vGIC fuzz target. Ignores priority masking and preemption (a guest that EOIs what
 * it acknowledged before the next acknowledge). */
#ifndef VGIC_MODEL_H
#define VGIC_MODEL_H

#include <arm64/ich.h>
#include <gzhyp/vgic.h>
#include "fake_hal.h"

static inline unsigned model_lr_state(uint64_t lr)
{
	return (unsigned)GZ_FIELD_GET(ARCH_ICH_LR_STATE, lr);
}

/* Acknowledge: the INTID taken, or -1 when no LR is pending (or the interface is off). */
static inline int model_ack(unsigned nr_lrs)
{
	int best = -1;
	unsigned best_prio = 0x100;

	if (!(fake_hal_ich(GZ_ICH_HCR) & ARCH_ICH_HCR_EN))
		return -1;
	for (unsigned i = 0; i < nr_lrs; i++) {
		uint64_t lr = fake_hal_ich(GZ_ICH_LR(i));
		unsigned prio = (unsigned)GZ_FIELD_GET(ARCH_ICH_LR_PRIORITY, lr);

		if (model_lr_state(lr) == ARCH_ICH_LR_STATE_PENDING && prio < best_prio) {
			best = (int)i;
			best_prio = prio;
		}
	}
	if (best < 0)
		return -1;
	uint64_t lr = fake_hal_ich(GZ_ICH_LR(best));

	lr = (lr & ~ARCH_ICH_LR_STATE) | ARCH_ICH_LR_ACTIVE;
	fake_hal_set_ich(GZ_ICH_LR(best), lr);
	return (int)GZ_FIELD_GET(ARCH_ICH_LR_VINTID, lr);
}

/* EOI of @intid: true when an LR held it active. */
static inline bool model_eoi(unsigned nr_lrs, uint32_t intid)
{
	for (unsigned i = 0; i < nr_lrs; i++) {
		uint64_t lr = fake_hal_ich(GZ_ICH_LR(i));

		if ((lr & ARCH_ICH_LR_ACTIVE) && GZ_FIELD_GET(ARCH_ICH_LR_VINTID, lr) == intid) {
			fake_hal_set_ich(GZ_ICH_LR(i), lr & ~ARCH_ICH_LR_ACTIVE);
			return true;
		}
	}
	uint64_t hcr = fake_hal_ich(GZ_ICH_HCR);
	uint64_t cnt = GZ_FIELD_GET(ARCH_ICH_HCR_EOICOUNT, hcr);

	if (cnt < 31)
		cnt++;
	fake_hal_set_ich(GZ_ICH_HCR, (hcr & ~ARCH_ICH_HCR_EOICOUNT) |
					 GZ_FIELD_PREP(ARCH_ICH_HCR_EOICOUNT, cnt));
	return false;
}

/* ICH_MISR_EL2 as hardware computes it (EOI, U, LRENP, NP). */
static inline uint64_t model_misr(unsigned nr_lrs)
{
	uint64_t hcr = fake_hal_ich(GZ_ICH_HCR), misr = 0;
	unsigned valid = 0, pending = 0;

	if (!(hcr & ARCH_ICH_HCR_EN))
		return 0;
	for (unsigned i = 0; i < nr_lrs; i++) {
		uint64_t lr = fake_hal_ich(GZ_ICH_LR(i));
		unsigned st = model_lr_state(lr);

		valid += st != ARCH_ICH_LR_STATE_INVALID;
		pending += st == ARCH_ICH_LR_STATE_PENDING;
		if (st == ARCH_ICH_LR_STATE_INVALID && (lr & ARCH_ICH_LR_EOI) &&
		    !(lr & ARCH_ICH_LR_HW))
			misr |= ARCH_ICH_MISR_EOI;
	}
	if ((hcr & ARCH_ICH_HCR_UIE) && valid <= 1)
		misr |= ARCH_ICH_MISR_U;
	if ((hcr & ARCH_ICH_HCR_LRENPIE) && GZ_FIELD_GET(ARCH_ICH_HCR_EOICOUNT, hcr))
		misr |= ARCH_ICH_MISR_LRENP;
	if ((hcr & ARCH_ICH_HCR_NPIE) && pending == 0)
		misr |= ARCH_ICH_MISR_NP;
	return misr;
}

/* Invariant: no INTID in two valid LRs. */
static inline bool model_lrs_unique(unsigned nr_lrs)
{
	for (unsigned i = 0; i < nr_lrs; i++) {
		uint64_t a = fake_hal_ich(GZ_ICH_LR(i));

		if (model_lr_state(a) == ARCH_ICH_LR_STATE_INVALID)
			continue;
		for (unsigned j = i + 1; j < nr_lrs; j++) {
			uint64_t b = fake_hal_ich(GZ_ICH_LR(j));

			if (model_lr_state(b) != ARCH_ICH_LR_STATE_INVALID &&
			    GZ_FIELD_GET(ARCH_ICH_LR_VINTID, a) ==
				GZ_FIELD_GET(ARCH_ICH_LR_VINTID, b))
				return false;
		}
	}
	return true;
}

#endif
