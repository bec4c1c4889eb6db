/* Boot self-test of the HAL on this CPU: every maintenance and barrier operation runs once
 * (an UNDEFINED one would end in the exception report), and what can be read back is
 * checked: ICH list registers keep what is written, the counter moves forward, the lock
 * can be taken and released, and only DTB memory is mapped by pa_to_va. Once the MMU is on,
 * gzhyp's own stage 1 is probed with AT S1E2R/W (no access, so no fault is taken): RAM it
 * was not given does not translate, its text is not writable, and the core's map/unmap and
 * the fixmap take effect and are undone. */
#include <hal.h>
#include <gzhyp/log.h>
#include <gzabi/status.h>
#include <arm64/esr.h>
#include <arm64/ich.h>
#include <arm64/sysreg_el2.h>

#include "el2.h"

/* An invalid (state 0) group-1 entry with a priority every implementation keeps (top bits):
 * it reads back exactly and is never presented to a guest. */
#define SELFTEST_LR_PRIORITY	0xa0UL
#define SELFTEST_PSTATE_EL1H	(PSR_MODE_EL1h | PSR_DAIF)
#define SELFTEST_PSTATE_EL2H	(PSR_MODE_EL2h | PSR_DAIF)
#define SELFTEST_PSTATE_AARCH32 (PSR_MODE_nRW | 0x3 | PSR_DAIF) /* AArch32 SVC mode */
#define SELFTEST_HCR_OK		(HCR_VM | HCR_RW)
#define SELFTEST_VTTBR_OK	0x1000UL
#define SELFTEST_LR_PATTERN                                                                        \
	(ARCH_ICH_LR_GROUP | GZ_FIELD_PREP(ARCH_ICH_LR_PRIORITY, SELFTEST_LR_PRIORITY) | 32UL)

static int fail(const char *what)
{
	gz_printf("selftest: FAILED: %s\n", what);
	return -1;
}

static int ich_selftest(void)
{
	uint64_t vtr = gz_hal_ich_read(GZ_ICH_VTR);
	unsigned lrs = (unsigned)GZ_FIELD_GET(ARCH_ICH_VTR_LISTREGS, vtr) + 1U;
	unsigned pribits = (unsigned)GZ_FIELD_GET(ARCH_ICH_VTR_PRIBITS, vtr) + 1U;

	gz_printf("gic: ich_vtr=0x%08lx lrs=%u pribits=%u\n", vtr, lrs, pribits);
	for (unsigned i = 0; i < lrs; i++) {
		uint64_t old = gz_hal_ich_read(GZ_ICH_LR(i));

		gz_hal_ich_write(GZ_ICH_LR(i), SELFTEST_LR_PATTERN + i);
		if (gz_hal_ich_read(GZ_ICH_LR(i)) != SELFTEST_LR_PATTERN + i)
			return fail("ICH_LR<n>_EL2 does not read back");
		gz_hal_ich_write(GZ_ICH_LR(i), old);
	}
	/* Touch the rest once; the values are state, not checkable here. */
	(void)gz_hal_ich_read(GZ_ICH_HCR);
	(void)gz_hal_ich_read(GZ_ICH_VMCR);
	(void)gz_hal_ich_read(GZ_ICH_MISR);
	(void)gz_hal_ich_read(GZ_ICH_EISR);
	(void)gz_hal_ich_read(GZ_ICH_ELRSR);
	(void)gz_hal_ich_read(GZ_ICH_AP0R0);
	(void)gz_hal_ich_read(GZ_ICH_AP1R0);
	return 0;
}

/* gz_hal_vcpu_run must refuse, without entering, a context that would run at EL2, in
 * AArch32, without stage 2 or with EL2-changing HCR_EL2 bits. */
static int vcpu_run_refusals(void)
{
	static struct gz_cpu_ctx c;
	static const struct {
		uint64_t pstate, hcr, vttbr;
	} bad[] = {
	    {SELFTEST_PSTATE_EL2H, SELFTEST_HCR_OK, SELFTEST_VTTBR_OK},
	    {SELFTEST_PSTATE_AARCH32, SELFTEST_HCR_OK, SELFTEST_VTTBR_OK},
	    {SELFTEST_PSTATE_EL1H, HCR_RW, SELFTEST_VTTBR_OK},
	    {SELFTEST_PSTATE_EL1H, SELFTEST_HCR_OK | HCR_TGE, SELFTEST_VTTBR_OK},
	    {SELFTEST_PSTATE_EL1H, SELFTEST_HCR_OK | HCR_HCD, SELFTEST_VTTBR_OK},
	    {SELFTEST_PSTATE_EL1H, SELFTEST_HCR_OK | (1UL << 34), SELFTEST_VTTBR_OK},
	    {SELFTEST_PSTATE_EL1H, SELFTEST_HCR_OK, 0},
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gz_exit_record e;

		c.pstate = bad[i].pstate;
		c.hcr_el2 = bad[i].hcr;
		c.vttbr_el2 = bad[i].vttbr;
		e.kind = GZ_EXIT_KIND_SYNC;
		if (gz_hal_vcpu_run(&c, &e) != GZ_ERR_INVALID_ARGS ||
		    e.kind != GZ_EXIT_KIND_FAIL_ENTRY)
			return fail("vcpu_run entered a context it must refuse");
	}
	return 0;
}

int gz_el2_hal_selftest(void)
{
	static gz_lock_t lock = GZ_LOCK_INIT;
	static uint8_t buf[256];
	uint64_t t0, t1, base, size;

	if (ich_selftest() < 0 || vcpu_run_refusals() < 0)
		return -1;
	gz_hal_tlbi_ipa(1, 0x1000, 3);
	gz_hal_tlbi_vmid(1);
	gz_hal_tlbi_all_vmids();
	gz_hal_tlbi_el2_va((uint64_t)(uintptr_t)buf);
	gz_hal_dcache_clean_inval(buf + 3, sizeof(buf) - 3);
	gz_hal_icache_inval_all();
	gz_hal_dsb();
	gz_hal_isb();

	t0 = gz_hal_cntpct();
	t1 = gz_hal_cntpct();
	if (gz_hal_cntfrq() == 0 || t1 < t0)
		return fail("generic timer");

	gz_hal_lock(&lock);
	if (lock.next != 1 || lock.owner != 0)
		return fail("lock not taken");
	gz_hal_unlock(&lock);
	if (lock.owner != 1)
		return fail("lock not released");

	if (!gz_hal_phys_region(0, &base, &size) || gz_hal_pa_to_va(base) != (void *)base ||
	    gz_hal_pa_to_va(base + size - 1) == NULL || gz_hal_pa_to_va(base + size) != NULL ||
	    gz_hal_va_to_pa(buf) != (gz_pa_t)(uintptr_t)buf)
		return fail("phys regions / pa_to_va");
	gz_printf("selftest: hal ok (tlbi, dc civac, ic ialluis, ich lrs, counter, lock, pa/va, "
		  "vcpu_run refusals)\n");
	return 0;
}

/* PAR_EL1 of an AT S1E2R (@write: S1E2W) of @va in gzhyp's own translation regime. */
static uint64_t at_s1e2(uint64_t va, bool write)
{
	uint64_t par;

	if (write)
		__asm__ volatile("at s1e2w, %0" ::"r"(va) : "memory");
	else
		__asm__ volatile("at s1e2r, %0" ::"r"(va) : "memory");
	__asm__ volatile("isb\n\tmrs %0, par_el1" : "=r"(par));
	return par;
}

static bool at_faults(uint64_t va, bool write, unsigned fsc_type)
{
	uint64_t par = at_s1e2(va, write);

	return (par & PAR_EL1_F) && (GZ_FIELD_GET(PAR_EL1_FST, par) & ESR_FSC_TYPE) == fsc_type;
}

static bool at_maps(uint64_t va, bool write, gz_pa_t pa)
{
	uint64_t par = at_s1e2(va, write);

	return !(par & PAR_EL1_F) && (par & PAR_EL1_PA) == (pa & PAR_EL1_PA);
}

/* A RAM page outside the image: the first of region 0, else the one after the image. */
static gz_pa_t probe_page(void)
{
	const struct gz_el2_platform *p = &gz_el2_platform;
	uint64_t text = (uint64_t)(uintptr_t)_text, end = (uint64_t)(uintptr_t)_end;
	gz_pa_t pa = p->mem_base[0];

	if (pa >= GZ_ALIGN_DOWN(text, GZ_PAGE_SIZE) && pa < end)
		pa = GZ_ALIGN_UP(end, GZ_PAGE_SIZE);
	return pa + GZ_PAGE_SIZE <= p->mem_base[0] + p->mem_size[0] ? pa : 0;
}

int gz_el2_mmu_selftest(void)
{
	uint64_t text = (uint64_t)(uintptr_t)_text;
	gz_pa_t probe = probe_page();
	void *w;

	if (!probe)
		return fail("no RAM page outside the image to probe");
	if (!at_faults(probe, false, ESR_FSC_TRANS))
		return fail("RAM gzhyp was not given is mapped at EL2");
	if (!at_maps(text, false, text) || !at_faults(text, true, ESR_FSC_PERM))
		return fail("gzhyp's text is not mapped read-only");
	if (gz_hal_hyp_map(probe, 1) != GZ_OK || !at_maps(probe, true, probe))
		return fail("gz_hal_hyp_map did not map the page RW");
	gz_hal_hyp_unmap(probe, 1);
	if (!at_faults(probe, false, ESR_FSC_TRANS))
		return fail("gz_hal_hyp_unmap left the page mapped");
	w = gz_hal_fixmap(probe);
	if (!w || !at_maps((uint64_t)(uintptr_t)w, true, probe))
		return fail("the fixmap did not map the page RW");
	gz_hal_fixunmap(w);
	if (!at_faults((uint64_t)(uintptr_t)w, false, ESR_FSC_TRANS))
		return fail("the fixmap slot still maps the page");
	gz_printf("selftest: EL2 stage 1 least privilege ok (RAM 0x%lx unmapped: AT S1E2R "
		  "translation fault; text not writable; hyp_map/unmap and fixmap undone)\n",
		  probe);
	return 0;
}
