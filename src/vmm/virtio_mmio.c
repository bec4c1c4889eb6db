/* virtio-mmio register file, feature negotiation, queue setup and the generic queue loop. */
#include "virtio_mmio.h"

#include <string.h>

#define PROCESS_BUDGET 1024U /* chains per call before yielding to other work */

int vmm_virtio_init(struct vmm_virtio *vd, const struct vmm_virtio_dev_ops *ops, void *dev,
		    const struct vmm_mem *mem, unsigned version, unsigned index)
{
	memset(vd, 0, sizeof(*vd));
	if (ops->nqueues == 0 || ops->nqueues > VMM_VIRTIO_MAX_QUEUES ||
	    (version != 1 && version != 2))
		return -1;
	if (pthread_mutex_init(&vd->lock, NULL) != 0)
		return -1;
	vd->ops = ops;
	vd->dev = dev;
	vd->mem = mem;
	vd->version = version;
	vd->index = index;
	return 0;
}

void vmm_virtio_destroy(struct vmm_virtio *vd)
{
	pthread_mutex_destroy(&vd->lock);
}

uint64_t vmm_virtio_offered(struct vmm_virtio *vd)
{
	uint64_t f = vd->ops->features(vd) | VIRTIO_F_RING_EVENT_IDX;

	if (vd->version == 2)
		f |= VIRTIO_F_VERSION_1 | (vd->access_platform ? VIRTIO_F_ACCESS_PLATFORM : 0);
	return f;
}

static void raise_irq(struct vmm_virtio *vd, uint32_t why)
{
	vd->isr |= why;
	vd->stats.irqs++;
	if (vd->irq)
		vd->irq(vd->cb_ctx);
}

static void needs_reset(struct vmm_virtio *vd, int err)
{
	vd->stats.errors++;
	vd->stats.last_error = err < 0 ? -err : err;
	if (vd->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	vd->status |= VIRTIO_STATUS_NEEDS_RESET;
	for (unsigned q = 0; q < VMM_VIRTIO_MAX_QUEUES; q++)
		vd->vq[q].ready = false;
	if (vd->status & VIRTIO_STATUS_DRIVER_OK)
		raise_irq(vd, VIRTIO_INT_CONFIG);
}

bool vmm_virtio_needs_reset(struct vmm_virtio *vd)
{
	bool r;

	pthread_mutex_lock(&vd->lock);
	r = (vd->status & VIRTIO_STATUS_NEEDS_RESET) != 0;
	pthread_mutex_unlock(&vd->lock);
	return r;
}

static void reset(struct vmm_virtio *vd)
{
	vd->status = 0;
	vd->dev_feat_sel = vd->drv_feat_sel = 0;
	vd->drv_features = 0;
	vd->queue_sel = 0;
	vd->isr = 0;
	vd->guest_page_size = 0;
	for (unsigned q = 0; q < VMM_VIRTIO_MAX_QUEUES; q++) {
		vmm_vq_reset(&vd->vq[q]);
		vd->queue_align[q] = 0;
		vd->queue_pfn[q] = 0;
	}
	if (vd->ops->reset)
		vd->ops->reset(vd);
}

static struct vmm_vq *cur_vq(struct vmm_virtio *vd)
{
	return vd->queue_sel < vd->ops->nqueues ? &vd->vq[vd->queue_sel] : NULL;
}

static void set_ready(struct vmm_virtio *vd, struct vmm_vq *vq, bool ready)
{
	if (!ready) {
		uint16_t num = vq->num;
		uint64_t d = vq->desc_gpa, a = vq->avail_gpa, u = vq->used_gpa;

		vmm_vq_reset(vq);
		vq->num = num;
		vq->desc_gpa = d;
		vq->avail_gpa = a;
		vq->used_gpa = u;
		return;
	}
	int err = vmm_vq_validate(vd->mem, vq);

	if (err) {
		needs_reset(vd, err);
		return;
	}
	vq->event_idx = (vd->drv_features & VIRTIO_F_RING_EVENT_IDX) != 0;
	vq->last_avail = vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->ready = true;
}

/* Legacy layout: desc at pfn * page size, avail after it, used at the next align boundary. */
static void set_pfn(struct vmm_virtio *vd, unsigned q, uint32_t pfn)
{
	struct vmm_vq *vq = &vd->vq[q];
	uint64_t align = vd->queue_align[q] ? vd->queue_align[q] : 4096;
	uint64_t page = vd->guest_page_size ? vd->guest_page_size : 4096;

	vd->queue_pfn[q] = pfn;
	if (pfn == 0) {
		set_ready(vd, vq, false);
		return;
	}
	if (align & (align - 1) || page & (page - 1)) {
		needs_reset(vd, VMM_VQ_ERR_RING);
		return;
	}
	vq->desc_gpa = (uint64_t)pfn * page;
	vq->avail_gpa = vq->desc_gpa + (uint64_t)vq->num * VRING_DESC_SIZE;
	vq->used_gpa = (vq->avail_gpa + 6 + 2ULL * vq->num + align - 1) & ~(align - 1);
	set_ready(vd, vq, true);
}

static uint32_t read_config(struct vmm_virtio *vd, uint64_t off, unsigned size)
{
	uint8_t buf[8] = {0};
	uint64_t v = 0;

	if (off + size > vd->ops->config_size || !vd->ops->read_config)
		return 0;
	vd->ops->read_config(vd, (uint32_t)off, buf, size);
	memcpy(&v, buf, size);
	return (uint32_t)v;
}

uint64_t vmm_virtio_mmio_read(struct vmm_virtio *vd, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	struct vmm_vq *vq;

	pthread_mutex_lock(&vd->lock);
	vd->stats.mmio_reads++;
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (size == 1 || size == 2 || size == 4)
			v = read_config(vd, off - VIRTIO_MMIO_CONFIG, size);
		else if (size == 8)
			v = read_config(vd, off - VIRTIO_MMIO_CONFIG, 4) |
			    (uint64_t)read_config(vd, off - VIRTIO_MMIO_CONFIG + 4, 4) << 32;
		goto out;
	}
	if (size != 4)
		goto out;
	vq = cur_vq(vd);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		v = VIRTIO_MMIO_MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		v = vd->version;
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		v = vd->ops->device_id;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		v = VIRTIO_VENDOR_ID;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		v = vd->dev_feat_sel == 0   ? (uint32_t)vmm_virtio_offered(vd)
		    : vd->dev_feat_sel == 1 ? (uint32_t)(vmm_virtio_offered(vd) >> 32)
					    : 0;
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		v = vq ? VMM_VQ_MAX_SIZE : 0;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		v = vq && vq->ready;
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		v = vq && vd->version == 1 ? vd->queue_pfn[vd->queue_sel] : 0;
		break;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		v = vd->isr;
		break;
	case VIRTIO_MMIO_STATUS:
		v = vd->status;
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		v = vd->config_gen;
		break;
	default:
		break;
	}
out:
	pthread_mutex_unlock(&vd->lock);
	return v;
}

static void write_status(struct vmm_virtio *vd, uint32_t val)
{
	if (val == 0) {
		reset(vd);
		return;
	}
	if ((val & VIRTIO_STATUS_FEATURES_OK) && !(vd->status & VIRTIO_STATUS_FEATURES_OK)) {
		uint64_t offered = vmm_virtio_offered(vd);
		bool ok = (vd->drv_features & ~offered) == 0;

		if (vd->version == 2 && !(vd->drv_features & VIRTIO_F_VERSION_1))
			ok = false;
		if (!ok)
			val &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	/* Legacy drivers never set FEATURES_OK; their features are final at DRIVER_OK. */
	vd->status = (vd->status & VIRTIO_STATUS_NEEDS_RESET) | (val & ~VIRTIO_STATUS_NEEDS_RESET);
	if (vd->version == 1)
		for (unsigned q = 0; q < vd->ops->nqueues; q++)
			vd->vq[q].event_idx = (vd->drv_features & VIRTIO_F_RING_EVENT_IDX) != 0;
}

static void set_addr(uint64_t *a, bool high, uint32_t v)
{
	*a = high ? (*a & 0xffffffffULL) | (uint64_t)v << 32 : (*a & ~0xffffffffULL) | v;
}

void vmm_virtio_mmio_write(struct vmm_virtio *vd, uint64_t off, unsigned size, uint64_t val64)
{
	uint32_t val = (uint32_t)val64;
	struct vmm_vq *vq;
	bool setup_ok;

	pthread_mutex_lock(&vd->lock);
	vd->stats.mmio_writes++;
	if (size != 4 || off >= VIRTIO_MMIO_CONFIG) /* config space is read-only here */
		goto out;
	vq = cur_vq(vd);
	/* Queue layout may change only while the queue is off and the device is being set up. */
	setup_ok = vq && !vq->ready && !(vd->status & VIRTIO_STATUS_DRIVER_OK);
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vd->dev_feat_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vd->drv_feat_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (vd->status & VIRTIO_STATUS_FEATURES_OK)
			break;
		if (vd->drv_feat_sel == 0)
			vd->drv_features = (vd->drv_features & ~0xffffffffULL) | val;
		else if (vd->drv_feat_sel == 1)
			vd->drv_features = (vd->drv_features & 0xffffffffULL) | (uint64_t)val << 32;
		break;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		if (vd->version == 1)
			vd->guest_page_size = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vd->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (setup_ok || (vq && vd->version == 1 && !vq->ready))
			vq->num = val > 0xffff ? 0 : (uint16_t)val;
		break;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		if (vq && vd->version == 1)
			vd->queue_align[vd->queue_sel] = val;
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		if (vq && vd->version == 1 && !(vd->status & VIRTIO_STATUS_NEEDS_RESET))
			set_pfn(vd, vd->queue_sel, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (vq && vd->version == 2 && !(vd->status & VIRTIO_STATUS_NEEDS_RESET))
			set_ready(vd, vq, val & 1);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		vd->stats.notifies++;
		if (val < vd->ops->nqueues && vd->notify) {
			pthread_mutex_unlock(&vd->lock);
			vd->notify(vd->cb_ctx, val);
			return;
		}
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		vd->isr &= ~val;
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(vd, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (setup_ok && vd->version == 2)
			set_addr(&vq->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (setup_ok && vd->version == 2)
			set_addr(&vq->avail_gpa, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (setup_ok && vd->version == 2)
			set_addr(&vq->used_gpa, off == VIRTIO_MMIO_QUEUE_USED_HIGH, val);
		break;
	default:
		break;
	}
out:
	pthread_mutex_unlock(&vd->lock);
}

void vmm_virtio_process(struct vmm_virtio *vd, unsigned q)
{
	struct vmm_vq *vq;
	bool pushed = false;
	unsigned budget = PROCESS_BUDGET;

	if (q >= vd->ops->nqueues)
		return;
	pthread_mutex_lock(&vd->lock);
	vq = &vd->vq[q];
	if (!(vd->status & VIRTIO_STATUS_DRIVER_OK) || (vd->status & VIRTIO_STATUS_NEEDS_RESET) ||
	    !vq->ready)
		goto out;
	while (budget--) {
		uint32_t written = 0;
		int r = vmm_vq_pop(vd->mem, vq, &vd->chain);

		if (r < 0) {
			needs_reset(vd, r);
			break;
		}
		if (r == 0) {
			if (vmm_vq_enable_notify(vd->mem, vq))
				continue;
			break;
		}
		r = vd->ops->handle(vd, q, &vd->chain, &written);
		if (r == VMM_VIRTIO_DEFER) {
			vq->last_avail--;
			break;
		}
		if (r < 0) {
			needs_reset(vd, r);
			break;
		}
		vd->stats.chains++;
		vmm_vq_push(vd->mem, vq, vd->chain.head, written);
		pushed = true;
	}
	if (budget == (unsigned)-1 && (vd->requeue || vd->notify)) {
		/* Out of budget with work left: come back after other events. */
		pthread_mutex_unlock(&vd->lock);
		(vd->requeue ? vd->requeue : vd->notify)(vd->cb_ctx, q);
		pthread_mutex_lock(&vd->lock);
	}
	if (pushed && vq->ready && vmm_vq_need_irq(vd->mem, vq))
		raise_irq(vd, VIRTIO_INT_USED_RING);
out:
	pthread_mutex_unlock(&vd->lock);
}
