/* The virtual PMU (gzhyp/pmu.h). */
#include <arm64/pmu.h>
#include <arm64/traps.h>
#include <gzhyp/pmu.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vgic.h>
#include <gzhyp/vm.h>
#include <hal.h>

#define EVENT_MASK ((1u << GZ_PMU_NR_COUNTERS) - 1)
#define ALL_MASK   (EVENT_MASK | (1u << PMU_CYCLE_BIT))
#define PMCR_RW	   (PMCR_E | PMCR_D | PMCR_LC)
#define PMCEID0	   ((1u << PMU_EV_SW_INCR) | (1u << PMU_EV_CPU_CYCLES))

void gz_pmu_reset(struct gz_vpmu *p)
{
	*p = (struct gz_vpmu){.since = gz_hal_cntpct()};
}

static unsigned event(const struct gz_vpmu *p, unsigned n)
{
	return (unsigned)GZ_FIELD_GET(PMEVTYPER_EVTCOUNT, p->evtyper[n]);
}

static bool counting(const struct gz_vpmu *p, unsigned bit)
{
	return (p->pmcr & PMCR_E) && (p->cnten & (1u << bit));
}

static void event_add(struct gz_vpmu *p, unsigned n, uint64_t inc)
{
	uint64_t v = (uint64_t)p->evcnt[n] + inc;

	if (v >> 32)
		p->ovs |= 1u << n; /* a 32-bit event counter wrapped */
	p->evcnt[n] = (uint32_t)v;
}

/* The counts at the generic counter's @now. */
static void sync(struct gz_vpmu *p, uint64_t now)
{
	uint64_t ticks = now - p->since, cycles = ticks;

	p->since = now;
	if (counting(p, PMU_CYCLE_BIT)) {
		uint64_t old = p->ccnt;

		if (p->pmcr & PMCR_D) {
			p->div_acc += ticks;
			cycles = p->div_acc / PMU_CYCLE_DIVIDER;
			p->div_acc %= PMU_CYCLE_DIVIDER;
		}
		p->ccnt += cycles;
		/* LC: the 64-bit counter wraps; otherwise its low 32 bits do */
		if ((p->pmcr & PMCR_LC) ? p->ccnt < old : (p->ccnt >> 32) != (old >> 32))
			p->ovs |= 1u << PMU_CYCLE_BIT;
	}
	for (unsigned n = 0; n < GZ_PMU_NR_COUNTERS; n++)
		if (counting(p, n) && event(p, n) == PMU_EV_CPU_CYCLES)
			event_add(p, n, ticks);
}

static bool line(const struct gz_vpmu *p)
{
	return (p->pmcr & PMCR_E) && (p->ovs & p->inten);
}

int gz_pmu_update(struct gz_vpmu *p, struct gz_vgic *vgic, unsigned vcpu)
{
	/* With PMCR_EL0.E clear nothing counts: the counts wait for the next sync, which every
	 * access to the PMU makes first (most guests never turn it on; their entries and exits
	 * do not read the counter for it). */
	if (p->pmcr & PMCR_E)
		sync(p, gz_hal_cntpct());
	return gz_vgic_inject(vgic, vcpu, GZ_PMU_PPI,
			      line(p) ? GZ_VGIC_LINE_HIGH : GZ_VGIC_LINE_LOW);
}

static void swinc(struct gz_vpmu *p, uint64_t val)
{
	for (unsigned n = 0; n < GZ_PMU_NR_COUNTERS; n++)
		if ((val & (1u << n)) && counting(p, n) && event(p, n) == PMU_EV_SW_INCR)
			event_add(p, n, 1);
}

static void pmcr_write(struct gz_vpmu *p, uint64_t val)
{
	if (val & PMCR_P)
		for (unsigned n = 0; n < GZ_PMU_NR_COUNTERS; n++)
			p->evcnt[n] = 0;
	if (val & PMCR_C)
		p->ccnt = 0;
	p->pmcr = val & PMCR_RW;
}

/* A bitmap register: *reg |= / &= ~ the implemented bits of val. */
static void set_clr(uint32_t *reg, uint64_t val, bool set)
{
	if (set)
		*reg |= (uint32_t)val & ALL_MASK;
	else
		*reg &= ~((uint32_t)val & ALL_MASK);
}

/* PMEVCNTR<n>_EL0 / PMEVTYPER<n>_EL0 and their PMSELR_EL0-selected forms: false for a counter
 * the PMU does not have. */
static bool counter_access(struct gz_vpmu *p, unsigned n, bool type, bool read, uint64_t *val)
{
	if (type && n == PMSELR_SEL_CYCLE) {
		if (read)
			*val = p->ccfiltr;
		else
			p->ccfiltr = *val & PMEVTYPER_FILTERS;
		return true;
	}
	if (n >= GZ_PMU_NR_COUNTERS)
		return false;
	if (type && read)
		*val = p->evtyper[n];
	else if (type)
		p->evtyper[n] = (uint32_t)(*val & (PMEVTYPER_FILTERS | PMEVTYPER_EVTCOUNT));
	else if (read)
		*val = p->evcnt[n];
	else
		p->evcnt[n] = (uint32_t)*val;
	return true;
}

/* One access, the counts synced: false when it is UNDEFINED. */
static bool access(struct gz_vpmu *p, uint32_t enc, bool read, uint64_t *val)
{
	unsigned crm = SYS_ENC_CRM(enc);

	if (SYS_ENC_OP1(enc) == SYS_PMEV_OP1 && SYS_ENC_CRN(enc) == SYS_CRN_PMU_EV)
		return counter_access(p, (crm & 3) << 3 | SYS_ENC_OP2(enc),
				      crm >= SYS_CRM_PMEVTYPER, read, val);
	switch (enc) {
	case SYS_PMCR_EL0:
		if (read)
			*val = p->pmcr | (uint64_t)GZ_PMU_NR_COUNTERS << PMCR_N_SHIFT;
		else
			pmcr_write(p, *val);
		return true;
	case SYS_PMCNTENSET_EL0:
	case SYS_PMCNTENCLR_EL0:
		if (read)
			*val = p->cnten;
		else
			set_clr(&p->cnten, *val, enc == SYS_PMCNTENSET_EL0);
		return true;
	case SYS_PMINTENSET_EL1:
	case SYS_PMINTENCLR_EL1:
		if (read)
			*val = p->inten;
		else
			set_clr(&p->inten, *val, enc == SYS_PMINTENSET_EL1);
		return true;
	case SYS_PMOVSSET_EL0:
	case SYS_PMOVSCLR_EL0:
		if (read)
			*val = p->ovs;
		else
			set_clr(&p->ovs, *val, enc == SYS_PMOVSSET_EL0);
		return true;
	case SYS_PMSWINC_EL0: /* write-only */
		if (read)
			return false;
		swinc(p, *val);
		return true;
	case SYS_PMSELR_EL0:
		if (read)
			*val = p->selr;
		else
			p->selr = (uint32_t)(*val & PMSELR_SEL);
		return true;
	case SYS_PMCEID0_EL0: /* read-only */
	case SYS_PMCEID1_EL0:
		if (!read)
			return false;
		*val = enc == SYS_PMCEID0_EL0 ? PMCEID0 : 0;
		return true;
	case SYS_PMCCNTR_EL0:
		if (read)
			*val = p->ccnt;
		else
			p->ccnt = *val;
		return true;
	case SYS_PMXEVTYPER_EL0:
	case SYS_PMXEVCNTR_EL0:
		return counter_access(p, p->selr, enc == SYS_PMXEVTYPER_EL0, read, val);
	case SYS_PMUSERENR_EL0: /* EL0 gets no access: reads as zero, writes ignored */
		if (read)
			*val = 0;
		return true;
	default:
		return false;
	}
}

enum gz_exit_action gz_pmu_sysreg(struct gz_vcpu *v, const struct gz_exit *x)
{
	const struct gz_exit_sysreg *s = &x->desc.sysreg;
	struct gz_vpmu *p = &v->pmu;
	uint64_t val = s->read ? 0 : gz_vcpu_get_reg(v, s->reg);

	if (!arm64_sysreg_is_pmu(s->enc))
		return GZ_EXIT_NEXT;
	sync(p, gz_hal_cntpct());
	if (!access(p, s->enc, s->read, &val))
		return GZ_EXIT_NEXT;
	if (s->read)
		gz_vcpu_set_reg(v, s->reg, val);
	gz_vcpu_skip_insn(v, &x->desc);
	/* an overflow (or its clearing) shows at once */
	gz_vgic_inject(&v->vm->vgic, v->id, GZ_PMU_PPI,
		       line(p) ? GZ_VGIC_LINE_HIGH : GZ_VGIC_LINE_LOW);
	return GZ_EXIT_RESUME;
}
