/* Guest memory as the gdb server sees it (gdb_mem.h). */
#include <string.h>
#include <arm64/sysreg.h>
#include <gzsim/sim.h>
#include "s1walk.h"
#include "gdb_mem.h"

bool gz_sim_gdb_va_to_ipa(const struct gz_cpu_ctx *c, uint64_t va, uint64_t *ipa)
{
	struct gz_sim_s1_fault f;

	if (!(c->sys[GZ_SYS_SCTLR_EL1] & SCTLR_EL1_M)) {
		*ipa = va;
		return true;
	}
	gz_sim_s1_fault(c->vttbr_el2, c->vtcr_el2, c->sys, va, false, false, false, &f);
	*ipa = f.oa;
	return f.leaf;
}

/* A host pointer for @ipa and the bytes valid from it, at most to the end of its page. */
static uint8_t *ipa_ptr(const struct gz_sim_gdb_mem *m, const struct gz_cpu_ctx *c, uint64_t ipa,
			bool write, uint64_t *avail)
{
	struct gz_sim_s2_result r;
	uint64_t page_left = GZ_PAGE_SIZE - (ipa & (GZ_PAGE_SIZE - 1)), n = 0;
	uint8_t *p = NULL;

	if (gz_sim_s2_walk(c->vttbr_el2, c->vtcr_el2, ipa, &r)) {
		if (write && !r.w)
			return NULL; /* read-only for the guest (a flash bank): the VMM's to change
				      */
		p = gz_hal_pa_to_va(r.pa);
		n = page_left;
	} else if (m->ipa_ptr) {
		p = m->ipa_ptr(m->arg, ipa, &n);
	}
	if (!p || !n)
		return NULL;
	*avail = n < page_left ? n : page_left;
	return p;
}

static size_t copy(const struct gz_sim_gdb_mem *m, const struct gz_cpu_ctx *c, bool by_va,
		   uint64_t addr, uint8_t *buf, size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		uint64_t ipa = addr + done, avail, n;
		uint8_t *p;

		if (by_va && !gz_sim_gdb_va_to_ipa(c, addr + done, &ipa))
			break;
		p = ipa_ptr(m, c, ipa, write, &avail);
		if (!p)
			break;
		n = GZ_MIN((uint64_t)(len - done), avail);
		if (write)
			memcpy(p, buf + done, n);
		else
			memcpy(buf + done, p, n);
		done += n;
	}
	if (write && done)
		gz_hal_icache_inval_all(); /* translated code of the bytes changed is dropped */
	return done;
}

size_t gz_sim_gdb_mem_read(const struct gz_sim_gdb_mem *m, const struct gz_cpu_ctx *c, bool by_va,
			   uint64_t addr, void *buf, size_t len)
{
	return copy(m, c, by_va, addr, buf, len, false);
}

size_t gz_sim_gdb_mem_write(const struct gz_sim_gdb_mem *m, const struct gz_cpu_ctx *c, bool by_va,
			    uint64_t addr, const void *buf, size_t len)
{
	return copy(m, c, by_va, addr, (uint8_t *)(uintptr_t)buf, len, true);
}
