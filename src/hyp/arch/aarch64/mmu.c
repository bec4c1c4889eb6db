/*
 * gzhyp's own EL2 stage-1 tables, built with the core's page-table engine (s1pt_el2 format):
 * an identity map of the RAM the DTB describes (normal write-back memory; gzhyp's text
 * read-only and executable, its rodata read-only, everything else read-write and never
 * executable) and of the devices gzhyp drives (UART, GIC) as device memory. Turning the MMU
 * on gives gzhyp cacheable memory, which exclusives (the ticket locks) need on real cores.
 * The tables come from a small static area of the image, so they exist before the core's
 * page pool does.
 */
#include <hal.h>
#include <gzhyp/lib.h>
#include <gzhyp/log.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <arm64/pte.h>
#include <arm64/sysreg_el2.h>

#include "el2.h"

#define EL2_PT_PAGES	32
#define EL2_VA_BITS	39 /* one level-1 root covers 512 GiB: all of QEMU virt's low map */
#define EL2_PA_BITS_MAX 48
#define UART_MAP_SIZE	0x1000UL

static uint8_t pt_pages[EL2_PT_PAGES][GZ_PAGE_SIZE] __attribute__((aligned(GZ_PAGE_SIZE)));
static unsigned pt_used;
static struct gz_pgt el2_pgt;
static bool el2_mmu_ready;

static void *pt_zalloc(void *ctx)
{
	(void)ctx;
	if (pt_used == EL2_PT_PAGES)
		return NULL;
	gz_memset(pt_pages[pt_used], 0, GZ_PAGE_SIZE);
	return pt_pages[pt_used++];
}

static void pt_free(void *ctx, void *va)
{
	(void)ctx;
	(void)va; /* the identity map only grows; a split's leftovers stay reserved */
}

static unsigned pa_bits(void)
{
	static const unsigned enc[] = {32, 36, 40, 42, 44, 48};
	uint64_t r = gz_sysreg_read(id_aa64mmfr0_el1) & ID_AA64MMFR0_PARANGE_MASK;
	unsigned bits = r < sizeof(enc) / sizeof(enc[0]) ? enc[r] : EL2_PA_BITS_MAX;

	return bits > EL2_VA_BITS ? EL2_VA_BITS : bits;
}

static int map(uint64_t start, uint64_t end, uint32_t prot)
{
	start = GZ_ALIGN_DOWN(start, GZ_PAGE_SIZE);
	end = GZ_ALIGN_UP(end, GZ_PAGE_SIZE);
	if (end <= start)
		return GZ_OK;
	return gz_pgt_map(&el2_pgt, start, start, end - start, prot);
}

/* RAM region [base, base + size) with the image's pieces carved out at their permissions. */
static int map_ram(uint64_t base, uint64_t size)
{
	const uint64_t text = (uint64_t)(uintptr_t)_text,
		       text_end = (uint64_t)(uintptr_t)__text_end;
	const uint64_t ro_end = (uint64_t)(uintptr_t)__rodata_end;
	uint64_t end = base + size;
	int r;

	if (text >= end || ro_end <= base)
		return map(base, end, GZ_PROT_RW);
	r = map(base, text, GZ_PROT_RW);
	if (r == GZ_OK)
		r = map(text, text_end, GZ_PROT_R | GZ_PROT_X);
	if (r == GZ_OK)
		r = map(text_end, ro_end, GZ_PROT_R);
	if (r == GZ_OK)
		r = map(ro_end, end, GZ_PROT_RW);
	return r;
}

int gz_el2_mmu_init(void)
{
	const struct gz_el2_platform *p = &gz_el2_platform;
	struct gz_pgt_mm_ops mm = {.zalloc_page = pt_zalloc, .free_page = pt_free};
	int r = gz_s1pt_el2_init(&el2_pgt, EL2_VA_BITS, pa_bits(), &mm);

	for (unsigned i = 0; r == GZ_OK && i < p->nr_mem; i++)
		r = map_ram(p->mem_base[i], p->mem_size[i]);
	if (r == GZ_OK)
		r = map(p->uart_base, p->uart_base + UART_MAP_SIZE, GZ_PROT_RW | GZ_PROT_DEVICE);
	if (r == GZ_OK)
		r = map(p->gicd_base, p->gicd_base + p->gicd_size, GZ_PROT_RW | GZ_PROT_DEVICE);
	if (r == GZ_OK)
		r = map(p->gicr_base, p->gicr_base + p->gicr_size, GZ_PROT_RW | GZ_PROT_DEVICE);
	if (r != GZ_OK) {
		gz_printf("mmu: EL2 stage-1 map failed (%d, %u table pages)\n", r, pt_used);
		return r;
	}
	gz_hal_dcache_clean_inval(pt_pages, sizeof(pt_pages));
	el2_mmu_ready = true;
	gz_printf("mmu: EL2 stage 1 on: %u-bit VA, %u-bit PA, %u table pages, text RX, rodata R, "
		  "data RW\n",
		  EL2_VA_BITS, el2_pgt.pa_bits, pt_used);
	return GZ_OK;
}

void gz_el2_mmu_enable_cpu(void)
{
	if (!el2_mmu_ready)
		return;
	gz_sysreg_write(mair_el2, ARCH_MAIR_EL2_VALUE);
	gz_sysreg_write(tcr_el2, gz_s1pt_el2_tcr(&el2_pgt));
	gz_sysreg_write(ttbr0_el2, el2_pgt.root_pa);
	__asm__ volatile("isb\n\ttlbi alle2\n\tdsb ish\n\tisb" ::: "memory");
	gz_sysreg_write(sctlr_el2, gz_sysreg_read(sctlr_el2) | SCTLR_ELX_M | SCTLR_ELX_C);
	__asm__ volatile("isb" ::: "memory");
}
