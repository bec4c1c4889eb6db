/*
 * gzhyp's own EL2 stage-1 tables, built with the core's page-table engine (s1pt_el2 format),
 * at least privilege. gzhyp maps
 *   - its image where it is linked: text RX, rodata R, data, bss and the per-CPU stacks RW;
 *   - the devices it drives (UART, GIC distributor and redistributors) as device memory;
 *   - RAM the core hands it (gz_hal_hyp_map: its working memory, pool donations, host pages
 *     shared with it), identity-mapped RW and never executable, until the core takes it back
 *     (gz_hal_hyp_unmap, with the TLB entries invalidated on every CPU);
 *   - one fixmap slot per CPU at the top of the VA space (gz_hal_fixmap);
 *   - for the port's own work as the host (the host's DTB at boot, the test mode's driver
 *     role), a host window: RAM at VA = PA + GZ_EL2_HOST_WINDOW, open only for that work.
 * No other RAM: an access through a forged host PA is a translation fault at EL2, not a read
 * of the host's or a guest's memory. Turning the MMU on also gives gzhyp cacheable memory,
 * which exclusives (the ticket locks) need on real cores. Table pages come from a small
 * static area of the image first (the tables exist before the core's pool does), then from
 * the pool (gz_el2_mmu_pool_ready).
 */
#include <hal.h>
#include <gzhyp/lib.h>
#include <gzhyp/log.h>
#include <gzhyp/mem.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <arm64/pte.h>
#include <arm64/sysreg_el2.h>

#include "el2.h"

#define EL2_PT_PAGES	32
#define EL2_VA_BITS	39 /* one level-1 root covers 512 GiB: all of QEMU virt's low map */
#define EL2_PA_BITS_MAX 48
#define UART_MAP_SIZE	0x1000UL
/* The fixmap slots: the last 2 MiB of the VA space, used for nothing else. */
#define EL2_FIXMAP_VA ((1ULL << EL2_VA_BITS) - 0x200000ULL)

_Static_assert(GZ_EL2_HOST_WINDOW + GZ_EL2_HOST_WINDOW <= (1ULL << EL2_VA_BITS),
	       "the host window is inside the VA space");

static uint8_t pt_pages[EL2_PT_PAGES][GZ_PAGE_SIZE] __attribute__((aligned(GZ_PAGE_SIZE)));
static unsigned pt_used;
static void *pt_free_list; /* static table pages the engine gave back */
static bool pt_from_pool;
static struct gz_pgt el2_pgt;
static bool el2_mmu_ready;
static gz_lock_t el2_map_lock = GZ_LOCK_INIT; /* every change of el2_pgt after boot */
static struct gz_s1pt_el2_slot fixmap[GZ_EL2_MAX_CPUS];

static bool pt_static(const void *va)
{
	return (const uint8_t *)va >= pt_pages[0] && (const uint8_t *)va < pt_pages[EL2_PT_PAGES];
}

static void *pt_zalloc(void *ctx)
{
	void *p = pt_free_list;

	(void)ctx;
	if (p)
		pt_free_list = *(void **)p;
	else if (pt_used < EL2_PT_PAGES)
		p = pt_pages[pt_used++];
	else if (pt_from_pool)
		return gz_pool_zalloc(gz_mem_hyp_acct());
	if (p)
		gz_memset(p, 0, GZ_PAGE_SIZE);
	return p;
}

static void pt_free(void *ctx, void *va)
{
	(void)ctx;
	if (pt_static(va)) {
		*(void **)va = pt_free_list;
		pt_free_list = va;
	} else {
		gz_pool_free_va(gz_mem_hyp_acct(), va);
	}
}

void gz_el2_mmu_pool_ready(void)
{
	gz_hal_lock(&el2_map_lock);
	pt_from_pool = true;
	gz_hal_unlock(&el2_map_lock);
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

/* The image, [_text, _end): its pieces at their permissions. */
static int map_image(void)
{
	int r =
	    map((uint64_t)(uintptr_t)_text, (uint64_t)(uintptr_t)__text_end, GZ_PROT_R | GZ_PROT_X);

	if (r == GZ_OK)
		r = map((uint64_t)(uintptr_t)__text_end, (uint64_t)(uintptr_t)__rodata_end,
			GZ_PROT_R);
	if (r == GZ_OK)
		r = map((uint64_t)(uintptr_t)__rodata_end, (uint64_t)(uintptr_t)_end, GZ_PROT_RW);
	return r;
}

/* [pa, pa + size) is page aligned, inside one RAM region of the DTB and below the host
 * window (so its identity and window addresses never meet). */
static bool ram_range(gz_pa_t pa, uint64_t size)
{
	uint64_t end;

	if (!size || !GZ_IS_ALIGNED(pa | size, GZ_PAGE_SIZE) || !gz_range_end(pa, size, &end) ||
	    end > GZ_EL2_HOST_WINDOW - (1ULL << 21))
		return false;
	for (unsigned i = 0; i < gz_el2_platform.nr_mem; i++) {
		uint64_t base = gz_el2_platform.mem_base[i], len = gz_el2_platform.mem_size[i];

		if (pa >= base && end <= base + len && end > base)
			return true;
	}
	return false;
}

int gz_el2_mmu_init(void)
{
	const struct gz_el2_platform *p = &gz_el2_platform;
	struct gz_pgt_mm_ops mm = {.zalloc_page = pt_zalloc, .free_page = pt_free};
	int r = gz_s1pt_el2_init(&el2_pgt, EL2_VA_BITS, pa_bits(), &mm);

	if (r == GZ_OK)
		r = map_image();
	if (r == GZ_OK)
		r = map(p->uart_base, p->uart_base + UART_MAP_SIZE, GZ_PROT_RW | GZ_PROT_DEVICE);
	if (r == GZ_OK)
		r = map(p->gicd_base, p->gicd_base + p->gicd_size, GZ_PROT_RW | GZ_PROT_DEVICE);
	if (r == GZ_OK)
		r = map(p->gicr_base, p->gicr_base + p->gicr_size, GZ_PROT_RW | GZ_PROT_DEVICE);
	for (unsigned i = 0; r == GZ_OK && i < GZ_EL2_MAX_CPUS; i++)
		r = gz_s1pt_el2_slot_init(&el2_pgt, EL2_FIXMAP_VA + i * GZ_PAGE_SIZE, &fixmap[i]);
	if (r != GZ_OK) {
		gz_printf("mmu: EL2 stage-1 map failed (%d, %u table pages)\n", r, pt_used);
		return r;
	}
	gz_hal_dcache_clean_inval(pt_pages, sizeof(pt_pages));
	el2_mmu_ready = true;
	gz_printf("mmu: EL2 stage 1 on: %u-bit VA, %u-bit PA, %u table pages, text RX, rodata R, "
		  "data RW\n",
		  EL2_VA_BITS, el2_pgt.pa_bits, pt_used);
	gz_printf("mmu: mapped: image 0x%lx-0x%lx, uart, gicd, gicr, %u fixmap slots; RAM only "
		  "when the core maps it (pool, shares)\n",
		  (uint64_t)(uintptr_t)_text, (uint64_t)(uintptr_t)_end, GZ_EL2_MAX_CPUS);
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

/* ---- the core's mappings (hal.h) ------------------------------------------------------- */

int gz_hal_hyp_map(gz_pa_t pa, uint64_t nr)
{
	int r;

	if (nr > (UINT64_MAX >> GZ_PAGE_SHIFT) || !ram_range(pa, nr << GZ_PAGE_SHIFT))
		return GZ_ERR_OUT_OF_RANGE;
	if (!el2_mmu_ready)
		return GZ_ERR_BAD_STATE;
	gz_hal_lock(&el2_map_lock);
	r = gz_pgt_map(&el2_pgt, pa, pa, nr << GZ_PAGE_SHIFT, GZ_PROT_RW);
	gz_hal_unlock(&el2_map_lock);
	return r;
}

void gz_hal_hyp_unmap(gz_pa_t pa, uint64_t nr)
{
	int r;

	if (nr > (UINT64_MAX >> GZ_PAGE_SHIFT) || !ram_range(pa, nr << GZ_PAGE_SHIFT) ||
	    !el2_mmu_ready)
		gz_hal_panic("mmu: hyp_unmap of a range gzhyp cannot have mapped");
	gz_hal_lock(&el2_map_lock);
	r = gz_pgt_unmap(&el2_pgt, pa, nr << GZ_PAGE_SHIFT);
	gz_hal_unlock(&el2_map_lock);
	if (r != GZ_OK)
		gz_hal_panic("mmu: no table page to split a block of gzhyp's own map");
}

/* With the MMU still off (before gz_el2_mmu_init) a PA is its own address. */
void *gz_hal_fixmap(gz_pa_t pa)
{
	if (!ram_range(pa, GZ_PAGE_SIZE))
		return NULL;
	if (!el2_mmu_ready)
		return (void *)(uintptr_t)pa;
	return gz_s1pt_el2_slot_map(&el2_pgt, &fixmap[gz_hal_cpu_id()], pa);
}

void gz_hal_fixunmap(void *va)
{
	struct gz_s1pt_el2_slot *s = &fixmap[gz_hal_cpu_id()];

	if (!el2_mmu_ready)
		return;
	if ((uint64_t)(uintptr_t)va != s->va)
		gz_hal_panic("mmu: fixunmap of an address that is not this CPU's slot");
	gz_s1pt_el2_slot_unmap(s);
}

/* ---- the host window (the port's own work as the host) -------------------------------- */

void *gz_el2_host_window_open(gz_pa_t pa, uint64_t size, bool write)
{
	gz_pa_t start = GZ_ALIGN_DOWN(pa, GZ_PAGE_SIZE);
	uint64_t end;
	int r;

	if (!gz_range_end(pa, size, &end) || !el2_mmu_ready)
		return NULL;
	end = GZ_ALIGN_UP(end, GZ_PAGE_SIZE);
	if (!ram_range(start, end - start))
		return NULL;
	gz_hal_lock(&el2_map_lock);
	r = gz_pgt_map(&el2_pgt, start + GZ_EL2_HOST_WINDOW, start, end - start,
		       write ? GZ_PROT_RW : GZ_PROT_R);
	gz_hal_unlock(&el2_map_lock);
	return r == GZ_OK ? (void *)(uintptr_t)(pa + GZ_EL2_HOST_WINDOW) : NULL;
}

void gz_el2_host_window_close(gz_pa_t pa, uint64_t size)
{
	gz_pa_t start = GZ_ALIGN_DOWN(pa, GZ_PAGE_SIZE);
	uint64_t end;
	int r;

	if (!gz_range_end(pa, size, &end))
		gz_hal_panic("mmu: closing a host window that wraps");
	end = GZ_ALIGN_UP(end, GZ_PAGE_SIZE);
	gz_hal_lock(&el2_map_lock);
	r = gz_pgt_unmap(&el2_pgt, start + GZ_EL2_HOST_WINDOW, end - start);
	gz_hal_unlock(&el2_map_lock);
	if (r != GZ_OK)
		gz_hal_panic("mmu: no table page to close a host window");
}
