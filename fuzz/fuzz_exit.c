/* Fuzz target: the exit path (decode, dispatch, in-hypervisor handlers, exits to the host,
 * MMIO/hypercall completion). The input sets up a VM with up to three memslots and two
 * vCPUs, then plays a guest: each 40-byte record is one exit (kind, ESR, FAR, HPFAR, x0-x3,
 * PSTATE) and, for the RUN that follows, the bytes the host leaves in the run page.
 * The VM may be protected, and may boot through a firmware (SET_PVMFW_GPA of a valid image in
 * a PROTECT_FW slot); a guest's vendor calls (memory and MMIO guard, pvmfw's KEY, REFUSE, RAM,
 * HANDOVER and ATTEST) get IPAs and counts near its RAM. pvmfw's invariants: only a VM with a
 * firmware hands over (then it has measurements) or refuses (a HYPERCALL exit naming REFUSE
 * and its code). Invariants after every RUN: a defined exit reason, no lock held, the
 * page-ownership invariants, the MMIO guard's ranges well formed and no access reaching the
 * host through a granule an enrolled guest did not map, a protected VM's registers closed to
 * the host, each vCPU's emulated physical timer (reachable through trapped CNTP_* and
 * CNTPCT_EL0 accesses) keeping only ENABLE/IMASK with its PPI 30 line equal to its output; at
 * the end the VM is destroyed and no page stays with it, no pool page leaks.
 * Every synchronous exit is also offered to the exit fast path and checked against the full
 * dispatch (check_fast). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gzabi/pvmfw.h>
#include <gzhyp/attest.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/pvmfw.h>

#include "../tests/unit/vm_fixture.h"

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct reader *r, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v |= (uint64_t)(r->n ? *r->p : 0) << (8 * i);
		if (r->n) {
			r->p++;
			r->n--;
		}
	}
	return v;
}

static struct reader in;
static const uint64_t ipas[] = {0x80000000, 0x80003000, 0x3fff0000, 0x3ffe0000,
				0x9000000,  0x0,	0x80010000, GZ_PVMFW_GPA};

/* The exit fast path against the full one: an exit gz_exit_fast takes gives the registers
 * the full dispatch gives and changes nothing else; one it refuses changes nothing at all.
 * The context is left as it was: the core then handles the exit on its full path. */
static void check_fast(struct gz_cpu_ctx *ctx, const struct gz_exit_record *exit)
{
	static struct gz_cpu_ctx before, fast;
	static struct gzvm_vcpu_run run;
	static struct gz_vgic vgic;
	struct gz_vcpu *v = GZ_CONTAINER_OF(ctx, struct gz_vcpu, ctx);
	const size_t skip = sizeof(vgic.lock); /* a ticket lock counts acquisitions */
	struct gz_exit x;
	bool taken;

	before = *ctx;
	run = *v->run;
	vgic = v->vm->vgic;
	taken = gz_exit_fast(ctx, exit);
	if (memcmp(v->run, &run, sizeof(run)) ||
	    memcmp((char *)&v->vm->vgic + skip, (char *)&vgic + skip, sizeof(vgic) - skip))
		abort(); /* the fast path touched more than the registers */
	if (!taken) {
		if (memcmp(ctx, &before, sizeof(before)))
			abort();
		return;
	}
	fast = *ctx;
	*ctx = before;
	arm64_exit_decode(exit, &x.desc);
	if (gz_exit_dispatch(v, &x) != GZ_EXIT_RESUME || memcmp(ctx, &fast, sizeof(fast)))
		abort(); /* the two paths disagree */
	*ctx = before;
}

static int guest(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit, void *arg)
{
	(void)arg;
	if (in.n < 8) {
		exit->kind = GZ_EXIT_KIND_FAIL_ENTRY;
		return GZ_ERR_BAD_STATE;
	}
	uint8_t sel = (uint8_t)take(&in, 1);
	exit->kind = (enum gz_exit_kind)(sel & 3);
	exit->esr = take(&in, 4);
	/* mostly interesting addresses, sometimes anything */
	exit->far = (sel & 0x80) ? take(&in, 8) : take(&in, 2);
	exit->hpfar = (sel & 0x40) ? take(&in, 8) : hpfar_of(ipas[(sel >> 2) & 7]);
	for (int i = 0; i < 4; i++)
		ctx->x[i] = (sel & 0x20) ? take(&in, 8) : take(&in, 4) | 0x80000000ULL;
	if (!(sel & 0x20) && GZ_SMCCC_OWNER(ctx->x[0]) == GZ_SMCCC_OWNER_VENDOR_HYP &&
	    (ctx->x[0] & 0x100)) {
		/* pvmfw's calls (0x20..0x24): buffers at IPAs from the list, RAM's lengths and
		 * ATTEST's report address likewise, REFUSE's codes around their range */
		ctx->x[0] = GZ_VENDOR_HYP_PVMFW_KEY + (ctx->x[0] & 0xff) % 5;
		ctx->x[1] = ctx->x[0] == GZ_VENDOR_HYP_PVMFW_REFUSE
				? ctx->x[1] & 0x3f
				: ipas[ctx->x[1] & 7] + ((ctx->x[1] >> 8) & 0xfff);
		ctx->x[2] = ctx->x[0] == GZ_VENDOR_HYP_ATTEST
				? ipas[ctx->x[2] & 7] + ((ctx->x[2] >> 8) & 0xfff)
				: ctx->x[2] & ((ctx->x[2] >> 20 & 1) ? 0x1ffff : 0);
		ctx->x[3] &= ctx->x[3] >> 8 & 1;
	} else if (!(sel & 0x20) && GZ_SMCCC_OWNER(ctx->x[0]) == GZ_SMCCC_OWNER_VENDOR_HYP) {
		/* the pKVM memory and guard calls (functions 2..9), on granules: an IPA from
		 * the list (RAM, devices, nothing), a small count, x3 mostly zero */
		ctx->x[0] = GZ_VENDOR_HYP_MEMINFO + (ctx->x[0] & 0xff) % 8;
		ctx->x[1] = ipas[ctx->x[1] & 7] + ((ctx->x[1] >> 8) & 0xf) * GZ_PAGE_SIZE;
		ctx->x[2] &= 3;
		ctx->x[3] &= ctx->x[3] >> 8 & 1;
	}
	ctx->pstate = take(&in, 1) & 0x3ff;
	ctx->sys[GZ_SYS_VBAR_EL1] = 0x80010000;
	if (exit->kind == GZ_EXIT_KIND_SYNC)
		check_fast(ctx, exit);
	return 0;
}

/* Every RUN ends with the timers updated: the physical timer's line is its output. */
static void check_ptimer(uint16_t vm)
{
	struct gz_vm *m = gz_vm_get(vm);

	for (uint16_t i = 0; i < 2; i++) {
		const struct gz_cpu_ctx *c = &vfix_vcpu(vm, i)->ctx;
		struct gz_vgic_irq_info info;

		if (c->cntp_ctl & ~(uint64_t)(CNT_CTL_ENABLE | CNT_CTL_IMASK) ||
		    gz_vgic_irq_info(&m->vgic, i, ARCH_GIC_PPI_PTIMER, &info) != GZ_OK ||
		    info.line != gz_ptimer_asserted(c, gz_hal_cntpct()))
			abort();
	}
}

static void check(uint16_t vm)
{
	struct gz_vm_mem *m[GZ_MAX_VMS];
	unsigned n = gz_vm_count();

	for (unsigned i = 0; i < n; i++)
		m[i] = &gz_vm_at(i)->mem;
	if (gz_mem_check_invariants(m, n, NULL) != GZ_OK || fake_hal_locks_held() != 0)
		abort();
	check_ptimer(vm);
}

/* The guard's ranges: granule aligned, non-empty, disjoint, within the table. */
static void check_guard(const struct gz_mmio_guard *g)
{
	if (g->nr > GZ_MMIO_GUARD_MAX_RANGES || (!g->enrolled && g->nr))
		abort();
	for (unsigned i = 0; i < g->nr; i++) {
		if (!GZ_IS_ALIGNED(g->r[i].base | g->r[i].end, GZ_PAGE_SIZE) ||
		    g->r[i].base >= g->r[i].end)
			abort();
		for (unsigned j = 0; j < i; j++)
			if (g->r[i].base < g->r[j].end && g->r[j].base < g->r[i].end)
				abort();
	}
}

/* What reached the host after a RUN that went well. */
static void check_exit(uint16_t vm, uint16_t idx, uint32_t reason)
{
	struct gz_vm *m = gz_vm_get(vm);
	const struct gzvm_vcpu_run *run = vfix_run_page(vm, idx);
	struct gz_smccc_regs r;

	check_guard(&m->mmio_guard);
	if (reason == GZVM_EXIT_MMIO && !gz_mmio_guard_allows(&m->mmio_guard, run->mmio.phys_addr))
		abort();
	if (reason == GZVM_EXIT_INTERNAL_ERROR &&
	    run->internal.suberror == GZ_INTERNAL_MMIO_NO_ISV &&
	    !gz_mmio_guard_allows(&m->mmio_guard, run->internal.data[2]))
		abort();
	if (reason == GZVM_EXIT_HYPERCALL && run->hypercall.args[0] == GZ_VENDOR_HYP_PVMFW_REFUSE &&
	    (!m->pvmfw.size || !run->hypercall.args[1] ||
	     run->hypercall.args[1] > GZ_PVMFW_REFUSE_CODE_MAX || !m->pvmfw.refused))
		abort(); /* a refusal only from a VM with a firmware, with a code, recorded */
	if (m->pvmfw.handed_over && (!m->pvmfw.size || m->pvmfw.refused))
		abort();
	/* (a RUN of a vCPU that is off runs nothing: the VM stays CREATED) */
	if (gz_vm_kind(m) == GZ_VM_PROTECTED && m->state != GZ_VM_CREATED) {
		r = hcall(GZ_HVC_GET_ONE_REG, gz_hvc_tuple(vm, idx), GZVM_REG_CORE_PC, 0, 0, 0);
		if (r.a[0] != (uint64_t)GZ_ERR_ACCESS_DENIED || r.a[1])
			abort();
	}
}

static bool known_reason(uint32_t r)
{
	return r >= GZVM_EXIT_UNKNOWN && r <= GZVM_EXIT_IPI && r != 0x9292000c;
}

static const uint8_t platform_key[32] = {0x9d, 0x61, 0xb1};

/* A firmware of one page in a PROTECT_FW slot of 8 at GZ_PVMFW_GPA (slot 3, host pages 64..71),
 * taken by SET_PVMFW_GPA: the VM becomes protected and its first RUN enters the firmware. */
static int64_t add_firmware(uint16_t vm)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(203);
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(pa);
	uint8_t *img = gz_hal_pa_to_va(VFIX_GUEST_PAGE(64));
	const uint64_t hdr[5] = {GZ_PVMFW_MAGIC,
				 GZ_PVMFW_VERSION | (uint64_t)GZ_PVMFW_HEADER_SIZE << 32, 4096,
				 4 * 4096, 64};

	memset(r, 0, 64);
	r->slot = 3;
	r->constituent_cnt = 1;
	r->total_pages = 8;
	r->gpa = GZ_PVMFW_GPA;
	r->constituents[0].address = VFIX_GUEST_PAGE(64);
	r->constituents[0].pg_cnt = 8;
	if (hstatus(GZ_HVC_MEMREGION_PURPOSE, vm, GZ_PVMFW_GPA, 8 << 12,
		    GZVM_USER_MEM_REGION_PROTECT_FW, 0) != GZ_OK ||
	    hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, pa, 0, 0) != GZ_OK)
		return GZ_ERR_GENERIC;
	memset(img, 0, 4096);
	memcpy(img, hdr, sizeof(hdr)); /* little-endian, as the build machine is */
	return hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_PROTECTED_VM, GZVM_CAP_PVM_SET_PVMFW_GPA,
		       GZ_PVMFW_GPA, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gz_pool_stats before, after;
	uint16_t vm;

	in.p = data;
	in.n = size;
	/* 16 MiB keeps the per-RUN invariant check (a walk of every page) cheap. */
	if (vfix_init_size(16ULL << 20) != GZ_OK)
		abort();
	gz_pool_get_stats(gz_mem_pool(), &before);
	vm = vfix_create_vm();
	if (!vm || vfix_create_vcpu(vm, 0) != GZ_OK || vfix_create_vcpu(vm, 1) != GZ_OK)
		abort();
	/* memslots: up to three, small, from the input */
	unsigned nslots = take(&in, 1) % 4;
	for (unsigned s = 0; s < nslots; s++) {
		gz_pa_t pa = VFIX_GUEST_PAGE(200 + s);
		struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(pa);
		unsigned pages = 1 + take(&in, 1) % 16;

		memset(r, 0, 64);
		r->slot = s;
		r->constituent_cnt = 1;
		r->total_pages = pages;
		r->gpa = 0x80000000 + ((take(&in, 1) % 64) << 16);
		r->constituents[0].address = VFIX_GUEST_PAGE(16 * s);
		r->constituents[0].pg_cnt = pages;
		hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, pa, 0, 0); /* may fail: overlap */
	}
	uint8_t caps = (uint8_t)take(&in, 1);
	if (caps & 1)
		hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_ENABLE_IDLE, 0, 0, 0);
	if ((caps & 2) && hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_PROTECTED_VM,
				  GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 0) != GZ_OK)
		abort();
	/* the platform's key and secret, or not */
	gz_pvmfw_set_platform_key((caps & 8) ? platform_key : NULL);
	gz_attest_set_secret((caps & 8) ? platform_key : NULL);
	if ((caps & 16) && gz_attest_certify(platform_key) != ((caps & 8) != 0))
		abort(); /* the attestation key certified, when there is one */
	if ((caps & 4) && add_firmware(vm) != GZ_OK)
		abort(); /* a valid image in its slot, on a VM that has not run */
	{
		gz_pa_t pa = VFIX_GUEST_PAGE(250);
		struct gzvm_create_device *d = gz_hal_pa_to_va(pa);

		memset(d, 0, sizeof(*d));
		d->dev_addr = 0x3fff0000;
		d->dev_reg_size = 0x10000;
		hstatus(GZ_HVC_CREATE_DEVICE, vm, pa, 0, 0, 0);
	}
	fake_hal_set_run_handler(guest, NULL);
	for (int runs = 0; runs < 64 && in.n >= 8; runs++) {
		uint16_t idx = take(&in, 1) & 1;
		struct gzvm_vcpu_run *run = vfix_run_page(vm, idx);
		uint32_t reason = 0;

		/* what the host leaves for the completion of the last exit */
		uint64_t d = take(&in, 8);
		memcpy(run->mmio.data, &d, 8);
		run->hypercall.args[0] = d;
		int64_t st = vfix_run(vm, idx, &reason);
		if (st == GZ_OK && !known_reason(reason))
			abort();
		if (st == GZ_OK)
			check_exit(vm, idx, reason);
		if (st != GZ_OK && st != GZ_ERR_INVALID_ARGS)
			abort();
		check(vm);
	}
	while (hstatus(GZ_HVC_DESTROY_VM, vm, 64, 0, 0, 0) == GZ_ERR_BUSY)
		;
	gz_pool_get_stats(gz_mem_pool(), &after);
	if (gz_vm_count() != 0 || after.used != before.used)
		abort();
	/* Nothing owned by or lent to a VM that is gone. */
	for (uint64_t i = 0; i < gz_pgstate_nr_pages(); i++)
		if (GZ_OWNER_IS_VM(gz_pgstate_owner(gz_pgstate_pa_at(i))) ||
		    gz_pgstate_lent_to(gz_pgstate_pa_at(i)) != GZ_OWNER_NONE)
			abort();
	fake_hal_teardown();
	return 0;
}
