/* SMCCC 1.1 discovery (owner 0) and the vendor-hypervisor service (owner 6) for guests:
 * the GenieZone UID, the features bitmap, and the pKVM-numbered memory calls (MEMINFO,
 * MEM_SHARE, MEM_UNSHARE, MEM_RELINQUISH through the ownership API; MMIO_GUARD_* on the VM's
 * guard, gzhyp/mmio_guard.h). PTP and vendor calls the hypervisor does not implement go to
 * the host as GZVM_EXIT_HYPERCALL; MEM_RELINQUISH does both (the host unpins the page the
 * hypervisor gave back). */
#include <uapi/linux/gzvm.h>
#include <gzabi/guest_calls.h>
#include <gzhyp/chan_guest.h>
#include <gzhyp/pvmfw.h>
#include <gzhyp/psci.h>
#include <gzabi/status.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vcpu_exit.h>
#include <gzhyp/vm.h>

static void ret(struct gz_vcpu *v, int64_t val)
{
	v->ctx.x[0] = (uint64_t)val;
}

static enum gz_exit_action arch_call(struct gz_vcpu *v, uint32_t fid)
{
	switch (fid) {
	case GZ_SMCCC_VERSION:
		ret(v, GZ_SMCCC_VERSION_1_1);
		break;
	case GZ_SMCCC_ARCH_FEATURES:
		switch ((uint32_t)v->ctx.x[1]) {
		case GZ_SMCCC_VERSION:
		case GZ_SMCCC_ARCH_FEATURES:
			ret(v, GZ_SMCCC_RET_SUCCESS);
			break;
		default:
			/* No firmware workarounds (WORKAROUND_1/2/3) and no SOC_ID. */
			ret(v, GZ_SMCCC_RET_NOT_SUPPORTED);
			break;
		}
		break;
	default:
		ret(v, GZ_SMCCC_RET_NOT_SUPPORTED);
		break;
	}
	return GZ_EXIT_RESUME;
}

#define FEATURE(id) (1ULL << GZ_VENDOR_HYP_FN(id))
static const uint64_t vendor_features =
    FEATURE(GZ_VENDOR_HYP_FEATURES) | FEATURE(GZ_VENDOR_HYP_PTP) | FEATURE(GZ_VENDOR_HYP_MEMINFO) |
    FEATURE(GZ_VENDOR_HYP_MEM_SHARE) | FEATURE(GZ_VENDOR_HYP_MEM_UNSHARE) |
    FEATURE(GZ_VENDOR_HYP_MMIO_GUARD_INFO) | FEATURE(GZ_VENDOR_HYP_MMIO_GUARD_ENROLL) |
    FEATURE(GZ_VENDOR_HYP_MMIO_GUARD_MAP) | FEATURE(GZ_VENDOR_HYP_MMIO_GUARD_UNMAP) |
    FEATURE(GZ_VENDOR_HYP_MEM_RELINQUISH);

/* pKVM's argument rule: the unused argument registers must be zero. */
static bool args_zero(const struct gz_vcpu *v, unsigned from)
{
	unsigned i;

	for (i = from; i <= 3; i++)
		if (v->ctx.x[i])
			return false;
	return true;
}

static int64_t mem_status(int st)
{
	return st == GZ_OK ? GZ_SMCCC_RET_SUCCESS : GZ_SMCCC_RET_INVALID_PARAMETER;
}

/* A page-aligned IPA argument in x1 with x2, x3 zero. */
static bool page_arg(const struct gz_vcpu *v)
{
	return GZ_IS_ALIGNED(v->ctx.x[1], GZ_PAGE_SIZE) && args_zero(v, 2);
}

/* MEM_SHARE / MEM_UNSHARE: x1 = the first granule's IPA, x2 = how many granules (0: one, the
 * single-granule form pKVM's guests use), x3 zero. All of the range or none of it; on success
 * x1 = the granules done. */
static void mem_range(struct gz_vcpu *v, int (*op)(struct gz_vm_mem *m, gz_ipa_t ipa, uint64_t nr))
{
	uint64_t nr = v->ctx.x[2] ? v->ctx.x[2] : 1;
	int st = GZ_ERR_INVALID_ARGS;

	if (GZ_IS_ALIGNED(v->ctx.x[1], GZ_PAGE_SIZE) && !v->ctx.x[3] &&
	    nr <= GZ_VENDOR_HYP_MEM_RANGE_MAX)
		st = op(&v->vm->mem, v->ctx.x[1], nr);
	ret(v, mem_status(st));
	v->ctx.x[1] = st == GZ_OK ? nr : 0;
}

/* MMIO_GUARD_ENROLL / MAP / UNMAP on the VM's guard, under its lock. Enrolling twice is
 * NOT_REQUIRED; a granule of guest RAM or outside the IPA space, a map or unmap before the
 * enrolment, an unmap of what is not mapped and a range table that is full are
 * INVALID_PARAMETER. */
static int64_t mmio_guard(struct gz_vcpu *v, uint32_t fid)
{
	struct gz_vm *vm = v->vm;
	gz_ipa_t ipa = v->ctx.x[1];
	int st;

	if (fid == GZ_VENDOR_HYP_MMIO_GUARD_ENROLL) {
		if (!args_zero(v, 1))
			return GZ_SMCCC_RET_INVALID_PARAMETER;
	} else if (!page_arg(v) || ipa >> vm->ipa_bits || gz_memslot_lookup(&vm->mem, ipa) >= 0) {
		return GZ_SMCCC_RET_INVALID_PARAMETER;
	}
	gz_hal_lock(&vm->lock);
	if (fid == GZ_VENDOR_HYP_MMIO_GUARD_ENROLL)
		st = gz_mmio_guard_enroll(&vm->mmio_guard);
	else if (fid == GZ_VENDOR_HYP_MMIO_GUARD_MAP)
		st = gz_mmio_guard_map(&vm->mmio_guard, ipa);
	else
		st = gz_mmio_guard_unmap(&vm->mmio_guard, ipa);
	gz_hal_unlock(&vm->lock);
	if (st == GZ_ERR_ALREADY_EXISTS)
		return GZ_SMCCC_RET_NOT_REQUIRED;
	return mem_status(st);
}

static void forward(struct gz_vcpu *v)
{
	gz_vcpu_exit_hypercall(v);
}

static enum gz_exit_action vendor_call(struct gz_vcpu *v, uint32_t fid)
{
	struct gz_vm_mem *m = &v->vm->mem;

	if (gz_chan_guest_owns(fid))
		return gz_chan_guest_call(v, fid);
	if (gz_pvmfw_guest_owns(fid))
		return gz_pvmfw_guest_call(v, fid);
	switch (fid) {
	case GZ_VENDOR_HYP_CALL_UID:
		v->ctx.x[0] = GZ_GENIEZONE_UID_W0;
		v->ctx.x[1] = GZ_GENIEZONE_UID_W1;
		v->ctx.x[2] = GZ_GENIEZONE_UID_W2;
		v->ctx.x[3] = GZ_GENIEZONE_UID_W3;
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_FEATURES:
		v->ctx.x[0] =
		    vendor_features | gz_chan_guest_features() | gz_pvmfw_guest_features();
		v->ctx.x[1] = v->ctx.x[2] = v->ctx.x[3] = 0;
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_MEMINFO:
	case GZ_VENDOR_HYP_MMIO_GUARD_INFO:
		ret(v, args_zero(v, 1) ? GZ_VENDOR_HYP_GRANULE : GZ_SMCCC_RET_INVALID_PARAMETER);
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_MEM_SHARE:
		mem_range(v, gz_mem_guest_share_host);
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_MEM_UNSHARE:
		mem_range(v, gz_mem_guest_unshare_host);
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_MMIO_GUARD_ENROLL:
	case GZ_VENDOR_HYP_MMIO_GUARD_MAP:
	case GZ_VENDOR_HYP_MMIO_GUARD_UNMAP:
		ret(v, mmio_guard(v, fid));
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_MEM_RELINQUISH: {
		int64_t r = page_arg(v) ? mem_status(gz_mem_guest_relinquish(m, v->ctx.x[1], 1))
					: GZ_SMCCC_RET_INVALID_PARAMETER;

		if (r != GZ_SMCCC_RET_SUCCESS) {
			ret(v, r);
			return GZ_EXIT_RESUME;
		}
		/* The page is the host's again; the driver unpins it (args[1] = IPA). The
		 * guest's result is final now, nothing is copied back. */
		forward(v);
		ret(v, GZ_SMCCC_RET_SUCCESS);
		v->hvc_copy_back = false;
		return GZ_EXIT_TO_HOST;
	}
	default:
		/* PTP and other vendor calls: the host answers in hypercall.args[0..3]. */
		forward(v);
		return GZ_EXIT_TO_HOST;
	}
}

enum gz_exit_action gz_smccc_call(struct gz_vcpu *v, const struct gz_exit *x)
{
	uint32_t fid = (uint32_t)v->ctx.x[0];

	(void)x;
	if (!(fid & GZ_SMCCC_FAST_CALL))
		return GZ_EXIT_NEXT;
	switch (GZ_SMCCC_OWNER(fid)) {
	case GZ_SMCCC_OWNER_ARCH:
		return arch_call(v, fid);
	case GZ_SMCCC_OWNER_VENDOR_HYP:
		return vendor_call(v, fid);
	default:
		return GZ_EXIT_NEXT;
	}
}

bool gz_guest_call_is_query(uint32_t fid)
{
	/* Yielding calls and owners nobody serves end in call_default (NOT_SUPPORTED); every
	 * arch call is a query (arch_call); the vendor service forwards what it does not list. */
	if (!(fid & GZ_SMCCC_FAST_CALL))
		return true;
	switch (GZ_SMCCC_OWNER(fid)) {
	case GZ_SMCCC_OWNER_STANDARD:
		return gz_psci_call_is_query(fid);
	case GZ_SMCCC_OWNER_VENDOR_HYP:
		switch (fid) {
		case GZ_VENDOR_HYP_CALL_UID:
		case GZ_VENDOR_HYP_FEATURES:
		case GZ_VENDOR_HYP_MEMINFO:
		case GZ_VENDOR_HYP_MMIO_GUARD_INFO:
			return true;
		default:
			return false;
		}
	default:
		return true;
	}
}
