/*
 * The guest MMIO entry point of the vGIC: which frame an access hits (the distributor, or
 * the redistributor of which vCPU), the access checks every frame shares (a registered
 * vCPU, a naturally aligned 1, 2, 4 or 8 bytes), and the hand-over to the frame's registers
 * (vgic_dist.c, vgic_redist.c).
 */
#include <gzabi/status.h>
#include <gzhyp/vgic.h>

#include "vgic_priv.h"

/* The frame @ipa falls in and its offset there (redistributors: from the first frame). */
static enum gz_vgic_frame locate(const struct gz_vgic *v, gz_ipa_t ipa, uint64_t *off)
{
	if (v->dist_base != GZ_VGIC_BASE_UNSET && ipa - v->dist_base < ARCH_GICD_SIZE) {
		*off = ipa - v->dist_base;
		return GZ_VGIC_FRAME_DIST;
	}
	if (v->redist_base != GZ_VGIC_BASE_UNSET &&
	    ipa - v->redist_base < vgic_redist_frames(v) * ARCH_GICR_STRIDE) {
		*off = ipa - v->redist_base;
		return GZ_VGIC_FRAME_REDIST;
	}
	return GZ_VGIC_FRAME_NONE;
}

/* Frames are 64 KiB aligned: an offset is aligned as its IPA is. */
static bool size_ok(uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && GZ_IS_ALIGNED(off, size);
}

/* Pending and active bits may sit in list registers the guest changed since the last sync,
 * so only a full exit (sync first) reads them; everything else, holes included (zero),
 * reads the same whatever the list registers hold. */
static bool read_stable(const struct gz_vgic_loc *loc, unsigned size)
{
	const struct vgic_reg_range *r = loc->frame == GZ_VGIC_FRAME_DIST
					     ? vgic_dist_range(loc->off)
					     : vgic_redist_range(loc->off % ARCH_GICR_STRIDE);

	return !r || ((r->widths & size) &&
		      !(r->kind == VGIC_R_BITS &&
			(r->sub == VGIC_BITS_SPEND || r->sub == VGIC_BITS_CPEND ||
			 r->sub == VGIC_BITS_SACTIVE || r->sub == VGIC_BITS_CACTIVE)));
}

void gz_vgic_mmio_locate(struct gz_vgic *vgic, unsigned vcpu, gz_ipa_t ipa, unsigned size,
			 struct gz_vgic_loc *loc)
{
	uint64_t off = 0;

	gz_hal_lock(&vgic->lock);
	loc->frame = (uint8_t)locate(vgic, ipa, &off);
	loc->off = (uint32_t)off;
	loc->read_stable = loc->frame != GZ_VGIC_FRAME_NONE && vgic_vcpu_ok(vgic, vcpu) &&
			   size_ok(off, size) && read_stable(loc, size);
	gz_hal_unlock(&vgic->lock);
}

int gz_vgic_mmio_access(struct gz_vgic *vgic, unsigned vcpu, const struct gz_vgic_loc *loc,
			unsigned size, bool is_write, uint64_t *val)
{
	struct vgic_defer d = {0};
	uint64_t wval = 0;
	int ret;

	gz_hal_lock(&vgic->lock);
	if (!vgic_vcpu_ok(vgic, vcpu))
		ret = GZ_ERR_INVALID_ARGS;
	else if (loc->frame == GZ_VGIC_FRAME_NONE)
		ret = GZ_VGIC_MMIO_NOT_MINE;
	else if (!size_ok(loc->off, size))
		ret = GZ_ERR_INVALID_ARGS;
	else {
		if (is_write)
			wval = size == 8 ? *val : *val & ((1ULL << (8 * size)) - 1);
		if (loc->frame == GZ_VGIC_FRAME_DIST)
			ret = vgic_dist_access(vgic, vcpu, loc->off, size, is_write,
					       is_write ? &wval : val, &d);
		else
			ret = vgic_redist_access(vgic, loc->off / ARCH_GICR_STRIDE, vcpu,
						 loc->off % ARCH_GICR_STRIDE, size, is_write,
						 is_write ? &wval : val, &d);
	}
	vgic_unlock_run(vgic, &d);
	return ret;
}

int gz_vgic_mmio(struct gz_vgic *vgic, unsigned vcpu, gz_ipa_t ipa, unsigned size, bool is_write,
		 uint64_t *val)
{
	struct gz_vgic_loc loc;

	gz_vgic_mmio_locate(vgic, vcpu, ipa, size, &loc);
	return gz_vgic_mmio_access(vgic, vcpu, &loc, size, is_write, val);
}
