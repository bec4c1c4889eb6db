/*
 * The guest MMIO entry point of the vGIC: which frame an access hits (the distributor, or
 * the redistributor of which vCPU), the access checks every frame shares (a registered
 * vCPU, a naturally aligned 1, 2, 4 or 8 bytes), and the hand-over to the frame's registers
 * (vgic_dist.c, vgic_redist.c).
 */
#include <gzabi/status.h>
#include <gzhyp/vgic.h>

#include "vgic_priv.h"

enum vgic_frame { FRAME_NONE, FRAME_DIST, FRAME_REDIST };

/* The frame @ipa falls in and its offset there (redistributors: from the first frame). */
static enum vgic_frame locate(const struct gz_vgic *v, gz_ipa_t ipa, uint64_t *off)
{
	if (v->dist_base != GZ_VGIC_BASE_UNSET && ipa - v->dist_base < GZ_VGIC_DIST_SIZE) {
		*off = ipa - v->dist_base;
		return FRAME_DIST;
	}
	if (v->redist_base != GZ_VGIC_BASE_UNSET &&
	    ipa - v->redist_base < vgic_redist_frames(v) * GZ_VGIC_REDIST_FRAME_SIZE) {
		*off = ipa - v->redist_base;
		return FRAME_REDIST;
	}
	return FRAME_NONE;
}

static bool size_ok(gz_ipa_t ipa, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && GZ_IS_ALIGNED(ipa, size);
}

int gz_vgic_mmio(struct gz_vgic *vgic, unsigned vcpu, gz_ipa_t ipa, unsigned size, bool is_write,
		 uint64_t *val)
{
	struct vgic_defer d = {0};
	enum vgic_frame frame;
	uint64_t wval = 0, off = 0;
	int ret;

	gz_hal_lock(&vgic->lock);
	if (!vgic_vcpu_ok(vgic, vcpu)) {
		ret = GZ_ERR_INVALID_ARGS;
		goto out;
	}
	frame = locate(vgic, ipa, &off);
	if (frame == FRAME_NONE) {
		ret = GZ_VGIC_MMIO_NOT_MINE;
		goto out;
	}
	if (!size_ok(ipa, size)) {
		ret = GZ_ERR_INVALID_ARGS;
		goto out;
	}
	if (is_write)
		wval = size == 8 ? *val : *val & ((1ULL << (8 * size)) - 1);
	if (frame == FRAME_DIST)
		ret = vgic_dist_access(vgic, vcpu, (uint32_t)off, size, is_write,
				       is_write ? &wval : val, &d);
	else
		ret = vgic_redist_access(vgic, (unsigned)(off / GZ_VGIC_REDIST_FRAME_SIZE), vcpu,
					 (uint32_t)(off % GZ_VGIC_REDIST_FRAME_SIZE), size,
					 is_write, is_write ? &wval : val, &d);
out:
	vgic_unlock_run(vgic, &d);
	return ret;
}

bool gz_vgic_mmio_read_is_stable(struct gz_vgic *vgic, unsigned vcpu, gz_ipa_t ipa, unsigned size)
{
	const struct vgic_reg_range *r;
	uint64_t off = 0;
	bool ok = false;

	gz_hal_lock(&vgic->lock);
	if (!vgic_vcpu_ok(vgic, vcpu) || !size_ok(ipa, size))
		goto out;
	switch (locate(vgic, ipa, &off)) {
	case FRAME_DIST:
		r = vgic_dist_range((uint32_t)off);
		break;
	case FRAME_REDIST:
		r = vgic_redist_range((uint32_t)(off % GZ_VGIC_REDIST_FRAME_SIZE));
		break;
	default:
		goto out;
	}
	/* Holes read as zero; pending and active bits may sit in list registers the guest
	 * changed since the last sync, so only a full exit (sync first) reads them. */
	ok = !r || ((r->widths & size) &&
		    !(r->kind == VGIC_R_BITS &&
		      (r->sub == VGIC_BITS_SPEND || r->sub == VGIC_BITS_CPEND ||
		       r->sub == VGIC_BITS_SACTIVE || r->sub == VGIC_BITS_CACTIVE)));
out:
	gz_hal_unlock(&vgic->lock);
	return ok;
}
