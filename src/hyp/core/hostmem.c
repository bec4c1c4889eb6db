/* Copies out of host memory through the per-CPU fixmap (gzhyp/hostmem.h). */
#include <gzhyp/hostmem.h>
#include <gzhyp/lib.h>
#include <gzabi/status.h>
#include <hal.h>

int gz_hostmem_read(void *dst, gz_pa_t pa, uint64_t len)
{
	uint8_t *d = dst;
	gz_pa_t end;

	if (!gz_range_end(pa, len, &end))
		return GZ_ERR_INVALID_ARGS;
	while (len) {
		uint64_t off = pa & (GZ_PAGE_SIZE - 1), chunk = GZ_MIN(len, GZ_PAGE_SIZE - off);
		const uint8_t *page = gz_hal_fixmap(pa - off);

		if (!page)
			return GZ_ERR_OUT_OF_RANGE;
		gz_memcpy(d, page + off, chunk);
		gz_hal_fixunmap((void *)page);
		d += chunk;
		pa += chunk;
		len -= chunk;
	}
	return GZ_OK;
}
