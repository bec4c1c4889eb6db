/* Simulated physical memory: one host mapping standing for the machine's RAM at a fixed PA,
 * the HAL's PA<->VA translation over it, the record of what the hypervisor maps for itself
 * (gz_hal_hyp_map, gz_hal_fixmap: the build machine has no EL2 stage 1 to enforce it, so the
 * simulator keeps the core's calls balanced instead) and the page allocator the in-process
 * host uses. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <gzabi/status.h>
#include "machine.h"
#include "phys.h"

static pthread_mutex_t phys_mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *hyp_mapped; /* one byte per page: mapped for the hypervisor */
/* Each simulator thread that calls the core is a physical CPU with its own fixmap slot. */
static __thread bool fixmap_busy;

/* Back [off, off + len) of the memory file with nothing: it reads as zero again, and host
 * memory follows what is used (a memset made all of guest RAM resident). */
static void zero_range(uint64_t off, uint64_t len)
{
	if (fallocate(gz_sim_m.mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) != 0)
		memset(gz_sim_m.mem + off, 0, len);
}

static void unmap_views(void)
{
	if (gz_sim_m.mem)
		munmap(gz_sim_m.mem, gz_sim_m.cfg.phys_size);
	if (gz_sim_m.host)
		munmap(gz_sim_m.host, gz_sim_m.cfg.phys_size);
	if (gz_sim_m.mem_fd > 0) /* 0: never opened (the machine starts zeroed) */
		close(gz_sim_m.mem_fd);
	gz_sim_m.mem = gz_sim_m.host = NULL;
	gz_sim_m.mem_fd = -1;
}

static uint8_t *map_view(void)
{
	void *p = mmap(NULL, gz_sim_m.cfg.phys_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_NORESERVE, gz_sim_m.mem_fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

int gz_sim_phys_setup(void)
{
	struct gz_sim_config *c = &gz_sim_m.cfg;
	uint64_t end;

	if (c->phys_size == 0 || c->phys_size > (64ULL << 30))
		return GZ_ERR_INVALID_ARGS;
	c->phys_size = GZ_ALIGN_UP(c->phys_size, 1ULL << 21);
	if (!GZ_IS_ALIGNED(c->phys_base, 1ULL << 21) ||
	    !gz_range_end(c->phys_base, c->phys_size, &end) || end > (1ULL << 48))
		return GZ_ERR_INVALID_ARGS;
	gz_sim_m.mem_fd = memfd_create("gzsim-phys", MFD_CLOEXEC);
	if (gz_sim_m.mem_fd < 0 || ftruncate(gz_sim_m.mem_fd, (off_t)c->phys_size) != 0 ||
	    !(gz_sim_m.mem = map_view()) || !(gz_sim_m.host = map_view())) {
		unmap_views();
		return GZ_ERR_NO_MEMORY;
	}
	gz_sim_m.nr_pages = c->phys_size >> GZ_PAGE_SHIFT;
	gz_sim_m.used = calloc(gz_sim_m.nr_pages, 1);
	hyp_mapped = calloc(gz_sim_m.nr_pages, 1);
	if (!gz_sim_m.used || !hyp_mapped) {
		free(gz_sim_m.used);
		free(hyp_mapped);
		gz_sim_m.used = hyp_mapped = NULL;
		unmap_views();
		return GZ_ERR_NO_MEMORY;
	}
	gz_sim_m.free_pages = gz_sim_m.nr_pages;
	gz_sim_m.next_hint = 0;
	return GZ_OK;
}

void gz_sim_phys_teardown(void)
{
	unmap_views();
	free(gz_sim_m.used);
	free(hyp_mapped);
	hyp_mapped = NULL;
	gz_sim_m.used = NULL;
	gz_sim_m.nr_pages = gz_sim_m.free_pages = 0;
}

void *gz_hal_pa_to_va(gz_pa_t pa)
{
	uint64_t off = pa - gz_sim_m.cfg.phys_base;

	if (!gz_sim_m.mem || pa < gz_sim_m.cfg.phys_base || off >= gz_sim_m.cfg.phys_size)
		return NULL;
	return gz_sim_m.mem + off;
}

/* The offset of @p in one of the two views, false outside both. */
static bool view_offset(const void *p, uint64_t *off)
{
	const uint8_t *b = p;

	if (gz_sim_m.mem && b >= gz_sim_m.mem && b < gz_sim_m.mem + gz_sim_m.cfg.phys_size)
		*off = (uint64_t)(b - gz_sim_m.mem);
	else if (gz_sim_m.host && b >= gz_sim_m.host && b < gz_sim_m.host + gz_sim_m.cfg.phys_size)
		*off = (uint64_t)(b - gz_sim_m.host);
	else
		return false;
	return true;
}

gz_pa_t gz_hal_va_to_pa(const void *va)
{
	uint64_t off;

	if (!view_offset(va, &off))
		gz_hal_panic("gz_hal_va_to_pa: address outside simulated physical memory");
	return gz_sim_m.cfg.phys_base + off;
}

void *gz_sim_host_view(gz_pa_t pa)
{
	uint64_t off = pa - gz_sim_m.cfg.phys_base;

	if (!gz_sim_m.host || pa < gz_sim_m.cfg.phys_base || off >= gz_sim_m.cfg.phys_size)
		return NULL;
	return gz_sim_m.host + off;
}

/* First page index of [pa, pa + nr pages) inside simulated memory, or false. */
static bool page_range(gz_pa_t pa, uint64_t nr, uint64_t *first)
{
	uint64_t off = pa - gz_sim_m.cfg.phys_base;

	if (!gz_sim_m.mem || !nr || !GZ_IS_ALIGNED(pa, GZ_PAGE_SIZE) ||
	    pa < gz_sim_m.cfg.phys_base || (off >> GZ_PAGE_SHIFT) >= gz_sim_m.nr_pages ||
	    nr > gz_sim_m.nr_pages - (off >> GZ_PAGE_SHIFT))
		return false;
	*first = off >> GZ_PAGE_SHIFT;
	return true;
}

int gz_hal_hyp_map(gz_pa_t pa, uint64_t nr)
{
	uint64_t first;

	if (!page_range(pa, nr, &first))
		return GZ_ERR_OUT_OF_RANGE;
	pthread_mutex_lock(&phys_mu);
	memset(hyp_mapped + first, 1, nr);
	pthread_mutex_unlock(&phys_mu);
	return GZ_OK;
}

void gz_hal_hyp_unmap(gz_pa_t pa, uint64_t nr)
{
	uint64_t first;

	if (!page_range(pa, nr, &first))
		gz_hal_panic("gz_hal_hyp_unmap: not simulated RAM");
	pthread_mutex_lock(&phys_mu);
	for (uint64_t i = first; i < first + nr; i++)
		if (!hyp_mapped[i])
			gz_hal_panic("gz_hal_hyp_unmap: a page the hypervisor does not map");
	memset(hyp_mapped + first, 0, nr);
	pthread_mutex_unlock(&phys_mu);
}

void *gz_hal_fixmap(gz_pa_t pa)
{
	uint64_t first;

	if (fixmap_busy)
		gz_hal_panic("gz_hal_fixmap: nested on this CPU");
	if (!page_range(pa, 1, &first))
		return NULL;
	fixmap_busy = true;
	return gz_sim_m.mem + (first << GZ_PAGE_SHIFT);
}

void gz_hal_fixunmap(void *va)
{
	if (!fixmap_busy || !gz_sim_phys_contains(va, GZ_PAGE_SIZE))
		gz_hal_panic("gz_hal_fixunmap: no fixmap on this CPU");
	fixmap_busy = false;
}

bool gz_sim_phys_contains(const void *p, size_t size)
{
	uint64_t off;

	return view_offset(p, &off) && size <= gz_sim_m.cfg.phys_size &&
	       off <= gz_sim_m.cfg.phys_size - size;
}

bool gz_hal_phys_region(unsigned idx, gz_pa_t *base, uint64_t *size)
{
	if (idx != 0 || !gz_sim_m.mem)
		return false;
	*base = gz_sim_m.cfg.phys_base;
	*size = gz_sim_m.cfg.phys_size;
	return true;
}

/* First fit from a moving hint: allocations are few and large (guest RAM, VM state). */
/* The first free run of @n pages in [from, to) that starts on a multiple of @align pages. */
static bool find_run(uint64_t from, uint64_t to, uint64_t n, uint64_t align, uint64_t *first)
{
	uint64_t start = GZ_ALIGN_UP(from, align);

	for (uint64_t i = start; i < to; i++) {
		if (gz_sim_m.used[i]) {
			start = GZ_ALIGN_UP(i + 1, align);
			i = start - 1;
			continue;
		}
		if (i + 1 - start == n) {
			*first = start;
			return true;
		}
	}
	return false;
}

static void *host_alloc(size_t size, uint64_t align)
{
	uint64_t n = GZ_ALIGN_UP((uint64_t)size, GZ_PAGE_SIZE) >> GZ_PAGE_SHIFT, first;
	void *va = NULL;

	if (size == 0 || !gz_sim_m.mem)
		return NULL;
	pthread_mutex_lock(&phys_mu);
	if (n <= gz_sim_m.free_pages &&
	    (find_run(gz_sim_m.next_hint, gz_sim_m.nr_pages, n, align, &first) ||
	     find_run(0, gz_sim_m.nr_pages, n, align, &first))) {
		memset(gz_sim_m.used + first, 1, n);
		gz_sim_m.free_pages -= n;
		gz_sim_m.next_hint = first + n;
		va = gz_sim_m.host + (first << GZ_PAGE_SHIFT);
	}
	pthread_mutex_unlock(&phys_mu);
	/* The host's own memory from now on, zeroed without being touched; a page the host's
	 * stage 2 once lost (hostview.c) is the host's again. */
	if (va) {
		zero_range(first << GZ_PAGE_SHIFT, n << GZ_PAGE_SHIFT);
		mprotect(va, n << GZ_PAGE_SHIFT, PROT_READ | PROT_WRITE);
	}
	return va;
}

void *gz_sim_host_alloc(size_t size)
{
	return host_alloc(size, 1);
}

void *gz_sim_host_alloc_huge(size_t size)
{
	const uint64_t huge = (2ULL << 20) >> GZ_PAGE_SHIFT; /* pages; phys_base is 2 MiB-aligned */
	void *va = size >= (huge << GZ_PAGE_SHIFT) ? host_alloc(size, huge) : NULL;

	return va ? va : host_alloc(size, 1);
}

void gz_sim_host_free(void *va, size_t size)
{
	uint8_t *p = va;
	uint64_t first, n = GZ_ALIGN_UP((uint64_t)size, GZ_PAGE_SIZE) >> GZ_PAGE_SHIFT;

	if (!va)
		return;
	if (p < gz_sim_m.host || p >= gz_sim_m.host + gz_sim_m.cfg.phys_size ||
	    !GZ_IS_ALIGNED((uint64_t)(p - gz_sim_m.host), GZ_PAGE_SIZE))
		gz_hal_panic("gz_sim_host_free: not an allocation");
	first = (uint64_t)(p - gz_sim_m.host) >> GZ_PAGE_SHIFT;
	if (first + n > gz_sim_m.nr_pages)
		gz_hal_panic("gz_sim_host_free: beyond physical memory");
	pthread_mutex_lock(&phys_mu);
	for (uint64_t i = first; i < first + n; i++) {
		if (!gz_sim_m.used[i])
			gz_hal_panic("gz_sim_host_free: page not allocated");
		gz_sim_m.used[i] = 0;
	}
	gz_sim_m.free_pages += n;
	pthread_mutex_unlock(&phys_mu);
	/* Give the host memory back: a freed page reads as zero again. */
	zero_range(first << GZ_PAGE_SHIFT, n << GZ_PAGE_SHIFT);
}

uint64_t gz_sim_phys_free_bytes(void)
{
	return gz_sim_m.free_pages << GZ_PAGE_SHIFT;
}
