/* The HAL on real EL2 registers: TLB and cache maintenance, barriers, the identity map of
 * physical memory (gzhyp maps it 1:1, mmu.c), the generic timer, CPU identity and panic. */
#include <hal.h>
#include <gzhyp/lib.h>
#include <arm64/idreg.h>
#include <arm64/sysreg_el2.h>

#include "el2.h"

#define sysreg_read  gz_sysreg_read
#define sysreg_write gz_sysreg_write

/* TLBI by VMID needs that VMID live in VTTBR_EL2: switch to it, invalidate, switch back. */
static uint64_t vttbr_switch(uint16_t vmid)
{
	uint64_t old = sysreg_read(vttbr_el2);

	sysreg_write(vttbr_el2, (uint64_t)vmid << VTTBR_VMID_SHIFT);
	__asm__ volatile("isb");
	return old;
}

static void vttbr_restore(uint64_t old)
{
	sysreg_write(vttbr_el2, old);
	__asm__ volatile("isb");
}

void gz_hal_tlbi_ipa(uint16_t vmid, gz_ipa_t ipa, unsigned level)
{
	uint64_t old = vttbr_switch(vmid);

	(void)level; /* a hint only (FEAT_TTL); a full-level invalidation is always correct */
	__asm__ volatile("tlbi ipas2e1is, %0\n\t"
			 "dsb ish\n\t"
			 "tlbi vmalle1is\n\t"
			 "dsb ish" ::"r"(ipa >> TLBI_ADDR_SHIFT)
			 : "memory");
	vttbr_restore(old);
}

void gz_hal_tlbi_vmid(uint16_t vmid)
{
	uint64_t old = vttbr_switch(vmid);

	__asm__ volatile("tlbi vmalls12e1is\n\tdsb ish" ::: "memory");
	vttbr_restore(old);
}

void gz_hal_tlbi_all_vmids(void)
{
	__asm__ volatile("tlbi alle1is\n\tdsb ish" ::: "memory");
}

void gz_hal_tlbi_el2_va(uint64_t va)
{
	__asm__ volatile("tlbi vae2is, %0\n\tdsb ish" ::"r"(va >> TLBI_ADDR_SHIFT) : "memory");
}

void gz_hal_dsb(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}

void gz_hal_isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

void gz_hal_dcache_clean_inval(const void *va, size_t len)
{
	uint64_t ctr = sysreg_read(ctr_el0);
	uint64_t line = 4UL << ((ctr >> CTR_DMINLINE_SHIFT) & CTR_DMINLINE_MASK);
	uint64_t p = GZ_ALIGN_DOWN((uint64_t)(uintptr_t)va, line);
	uint64_t end;

	if (!gz_range_end((uint64_t)(uintptr_t)va, len, &end))
		gz_hal_panic("dcache_clean_inval: range wraps");
	for (; p < end; p += line)
		__asm__ volatile("dc civac, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
}

/* The host runs under its stage 2, which follows the page-state store by itself. */
void gz_hal_host_access(gz_pa_t pa, uint64_t nr, bool accessible)
{
	(void)pa;
	(void)nr;
	(void)accessible;
}

void gz_hal_icache_inval_all(void)
{
	__asm__ volatile("ic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}

bool gz_hal_phys_region(unsigned idx, gz_pa_t *base, uint64_t *size)
{
	if (idx >= gz_el2_platform.nr_mem)
		return false;
	*base = gz_el2_platform.mem_base[idx];
	*size = gz_el2_platform.mem_size[idx];
	return true;
}

/* Identity (the EL2 stage 1 maps RAM 1:1, and the MMU is off before it); only RAM the DTB
 * described is "backed". */
void *gz_hal_pa_to_va(gz_pa_t pa)
{
	gz_pa_t base;
	uint64_t size;

	for (unsigned i = 0; gz_hal_phys_region(i, &base, &size); i++)
		if (pa >= base && pa - base < size)
			return (void *)(uintptr_t)pa;
	return NULL;
}

gz_pa_t gz_hal_va_to_pa(const void *va)
{
	return (gz_pa_t)(uintptr_t)va;
}

uint64_t gz_hal_cntpct(void)
{
	__asm__ volatile("isb" ::: "memory"); /* no early (speculative) counter read */
	return sysreg_read(cntpct_el0);
}

uint64_t gz_hal_cntfrq(void)
{
	return sysreg_read(cntfrq_el0);
}

/* 200 us, KVM's default halt_poll_ns: a wake-up within it costs no trip through the host. */
#define IDLE_POLL_US 200

uint64_t gz_hal_idle_poll_max(void)
{
	return gz_hal_cntfrq() / (1000000 / IDLE_POLL_US);
}

bool gz_hal_host_irq_pending(void)
{
	/* At EL2 ISR_EL1 shows the physical lines whatever HCR_EL2.IMO/FMO say (the last
	 * context's stay loaded between runs: they route EL1's interrupts only). */
	return (sysreg_read(isr_el1) & (ISR_EL1_I | ISR_EL1_F)) != 0;
}

/* An MRS names its register in the instruction: one per encoding of the AArch64 ID space
 * (the unallocated ones read as zero, the CPU says so itself). */
uint64_t gz_hal_cpu_id_reg(uint32_t enc)
{
	if (!ID_AA64_IS(enc))
		return 0;
	switch (ID_AA64_INDEX(enc)) {
	case 0:
		return sysreg_read(S3_0_C0_C4_0);
	case 1:
		return sysreg_read(S3_0_C0_C4_1);
	case 2:
		return sysreg_read(S3_0_C0_C4_2);
	case 3:
		return sysreg_read(S3_0_C0_C4_3);
	case 4:
		return sysreg_read(S3_0_C0_C4_4);
	case 5:
		return sysreg_read(S3_0_C0_C4_5);
	case 6:
		return sysreg_read(S3_0_C0_C4_6);
	case 7:
		return sysreg_read(S3_0_C0_C4_7);
	case 8:
		return sysreg_read(S3_0_C0_C5_0);
	case 9:
		return sysreg_read(S3_0_C0_C5_1);
	case 10:
		return sysreg_read(S3_0_C0_C5_2);
	case 11:
		return sysreg_read(S3_0_C0_C5_3);
	case 12:
		return sysreg_read(S3_0_C0_C5_4);
	case 13:
		return sysreg_read(S3_0_C0_C5_5);
	case 14:
		return sysreg_read(S3_0_C0_C5_6);
	case 15:
		return sysreg_read(S3_0_C0_C5_7);
	case 16:
		return sysreg_read(S3_0_C0_C6_0);
	case 17:
		return sysreg_read(S3_0_C0_C6_1);
	case 18:
		return sysreg_read(S3_0_C0_C6_2);
	case 19:
		return sysreg_read(S3_0_C0_C6_3);
	case 20:
		return sysreg_read(S3_0_C0_C6_4);
	case 21:
		return sysreg_read(S3_0_C0_C6_5);
	case 22:
		return sysreg_read(S3_0_C0_C6_6);
	case 23:
		return sysreg_read(S3_0_C0_C6_7);
	case 24:
		return sysreg_read(S3_0_C0_C7_0);
	case 25:
		return sysreg_read(S3_0_C0_C7_1);
	case 26:
		return sysreg_read(S3_0_C0_C7_2);
	case 27:
		return sysreg_read(S3_0_C0_C7_3);
	case 28:
		return sysreg_read(S3_0_C0_C7_4);
	case 29:
		return sysreg_read(S3_0_C0_C7_5);
	case 30:
		return sysreg_read(S3_0_C0_C7_6);
	case 31:
		return sysreg_read(S3_0_C0_C7_7);
	default:
		return 0;
	}
}

/* The index this CPU was given at entry (TPIDR_EL2 -> per-CPU data). Before that (an early
 * exception), the position of its MPIDR among the DTB's CPUs, else 0. */
unsigned gz_hal_cpu_id(void)
{
	const struct gz_el2_percpu *pc = (const void *)(uintptr_t)sysreg_read(tpidr_el2);
	uint64_t mpidr = sysreg_read(mpidr_el1) & MPIDR_AFF_MASK;

	if (pc)
		return pc->id;
	for (unsigned i = 0; i < gz_el2_platform.nr_cpus && i < GZ_EL2_MAX_CPUS; i++)
		if (gz_el2_platform.cpu_mpidr[i] == mpidr)
			return i;
	return 0;
}

void gz_hal_panic(const char *msg)
{
	__asm__ volatile("msr daifset, #" GZ_STR(DAIFSET_ALL));
	gz_el2_raw_printf("gzhyp: PANIC on cpu%u: %s\n", gz_hal_cpu_id(), msg);
	gz_el2_exit(GZ_EL2_EXIT_PANIC);
}
