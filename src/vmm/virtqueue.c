/* Device side of split virtqueues with strict validation of everything the driver wrote. */
#include "virtqueue.h"

#include <string.h>

static const char *const err_names[VMM_VQ_ERR_COUNT] = {
    [VMM_VQ_OK] = "ok",
    [VMM_VQ_ERR_RING] = "bad ring placement",
    [VMM_VQ_ERR_INDEX] = "bad avail index",
    [VMM_VQ_ERR_HEAD] = "head index out of range",
    [VMM_VQ_ERR_NEXT] = "next index out of range",
    [VMM_VQ_ERR_LOOP] = "descriptor loop",
    [VMM_VQ_ERR_RANGE] = "buffer outside guest memory",
    [VMM_VQ_ERR_OVERLAP] = "overlapping buffers",
    [VMM_VQ_ERR_INDIRECT] = "indirect descriptor",
    [VMM_VQ_ERR_ORDER] = "readable buffer after writable",
    [VMM_VQ_ERR_DEVICE] = "malformed request",
};

const char *vmm_vq_err_name(int err)
{
	if (err < 0)
		err = -err;
	return err < VMM_VQ_ERR_COUNT ? err_names[err] : "unknown";
}

static uint64_t desc_bytes(uint16_t n)
{
	return (uint64_t)n * VRING_DESC_SIZE;
}
static uint64_t avail_bytes(uint16_t n)
{
	return 6 + 2ULL * n; /* flags, idx, ring[n], used_event */
}
static uint64_t used_bytes(uint16_t n)
{
	return 6 + 8ULL * n; /* flags, idx, ring[n], avail_event */
}

void vmm_vq_reset(struct vmm_vq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

int vmm_vq_validate(const struct vmm_mem *m, const struct vmm_vq *vq)
{
	if (vq->num == 0 || vq->num > VMM_VQ_MAX_SIZE || (vq->num & (vq->num - 1)))
		return -VMM_VQ_ERR_RING;
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3))
		return -VMM_VQ_ERR_RING;
	if (!vmm_mem_contains(m, vq->desc_gpa, desc_bytes(vq->num)) ||
	    !vmm_mem_contains(m, vq->avail_gpa, avail_bytes(vq->num)) ||
	    !vmm_mem_contains(m, vq->used_gpa, used_bytes(vq->num)))
		return -VMM_VQ_ERR_RING;
	/* The device writes the used ring: it must not alias what the driver owns. */
	if (vmm_range_overlap(vq->used_gpa, used_bytes(vq->num), vq->desc_gpa,
			      desc_bytes(vq->num)) ||
	    vmm_range_overlap(vq->used_gpa, used_bytes(vq->num), vq->avail_gpa,
			      avail_bytes(vq->num)))
		return -VMM_VQ_ERR_RING;
	return 0;
}

static uint16_t ld16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

static void st16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELEASE);
}

static bool hits_ring(const struct vmm_vq *vq, uint64_t gpa, uint64_t len)
{
	return vmm_range_overlap(gpa, len, vq->desc_gpa, desc_bytes(vq->num)) ||
	       vmm_range_overlap(gpa, len, vq->avail_gpa, avail_bytes(vq->num)) ||
	       vmm_range_overlap(gpa, len, vq->used_gpa, used_bytes(vq->num));
}

int vmm_vq_pop(const struct vmm_mem *m, struct vmm_vq *vq, struct vmm_vq_chain *c)
{
	uint8_t *avail, *desc;
	uint16_t avail_idx, head, idx;
	bool seen_write = false;
	uint64_t visited[VMM_VQ_MAX_SIZE / 64] = {0};

	if (!vq->ready)
		return 0;
	avail = vmm_mem_ptr(m, vq->avail_gpa, avail_bytes(vq->num));
	desc = vmm_mem_ptr(m, vq->desc_gpa, desc_bytes(vq->num));
	if (!avail || !desc)
		return -VMM_VQ_ERR_RING;
	avail_idx = ld16(avail + 2);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num)
		return -VMM_VQ_ERR_INDEX;
	head = ld16(avail + 4 + 2 * (vq->last_avail % vq->num));
	if (head >= vq->num)
		return -VMM_VQ_ERR_HEAD;

	memset(c, 0, offsetof(struct vmm_vq_chain, buf));
	c->head = head;
	idx = head;
	for (;;) {
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;
		const uint8_t *d = desc + (uint64_t)idx * VRING_DESC_SIZE;
		struct vmm_vq_buf *b;

		/* Copy the descriptor once: the guest may change it under us. */
		memcpy(&addr, d, 8);
		memcpy(&len, d + 8, 4);
		memcpy(&flags, d + 12, 2);
		memcpy(&next, d + 14, 2);
		/* A descriptor seen twice in one chain is a loop. */
		if (visited[idx / 64] & (1ULL << (idx % 64)) || c->n >= vq->num)
			return -VMM_VQ_ERR_LOOP;
		visited[idx / 64] |= 1ULL << (idx % 64);
		if (flags & VRING_DESC_F_INDIRECT)
			return -VMM_VQ_ERR_INDIRECT;
		if (len == 0 || !vmm_mem_contains(m, addr, len))
			return -VMM_VQ_ERR_RANGE;
		if (flags & VRING_DESC_F_WRITE) {
			seen_write = true;
			if (hits_ring(vq, addr, len))
				return -VMM_VQ_ERR_OVERLAP;
		} else if (seen_write) {
			return -VMM_VQ_ERR_ORDER;
		}
		/* Buffers the device only reads may repeat: Linux zeroes a range by writing its
		 * zero page many times in one request. One the device writes must overlap nothing.
		 */
		for (unsigned i = 0; i < c->n; i++)
			if ((c->buf[i].write || (flags & VRING_DESC_F_WRITE)) &&
			    vmm_range_overlap(addr, len, c->buf[i].gpa, c->buf[i].len))
				return -VMM_VQ_ERR_OVERLAP;
		b = &c->buf[c->n++];
		b->gpa = addr;
		b->len = len;
		b->write = (flags & VRING_DESC_F_WRITE) != 0;
		b->hva = vmm_mem_ptr(m, addr, len);
		if (b->write) {
			c->write_len += len;
		} else {
			c->nread++;
			c->read_len += len;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		if (next >= vq->num)
			return -VMM_VQ_ERR_NEXT;
		idx = next;
	}
	vq->last_avail++;
	return 1;
}

void vmm_vq_push(const struct vmm_mem *m, struct vmm_vq *vq, uint16_t head, uint32_t len)
{
	uint8_t *used = vmm_mem_ptr(m, vq->used_gpa, used_bytes(vq->num));
	uint8_t *e;

	if (!used)
		return;
	e = used + 4 + 8ULL * (vq->used_idx % vq->num);
	uint32_t id = head;

	memcpy(e, &id, 4);
	memcpy(e + 4, &len, 4);
	vq->used_idx++;
	st16(used + 2, vq->used_idx);
}

bool vmm_vq_need_irq(const struct vmm_mem *m, struct vmm_vq *vq)
{
	uint8_t *avail = vmm_mem_ptr(m, vq->avail_gpa, avail_bytes(vq->num));
	uint16_t old = vq->signalled_used, new = vq->used_idx;
	bool valid = vq->signalled_valid;

	if (!avail)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->signalled_used = new;
	vq->signalled_valid = true;
	if (!vq->event_idx)
		return !(ld16(avail) & VRING_AVAIL_F_NO_INTERRUPT);
	if (!valid)
		return true;
	uint16_t used_event = ld16(avail + 4 + 2ULL * vq->num);

	return (uint16_t)(new - used_event - 1) < (uint16_t)(new - old);
}

bool vmm_vq_enable_notify(const struct vmm_mem *m, struct vmm_vq *vq)
{
	uint8_t *used = vmm_mem_ptr(m, vq->used_gpa, used_bytes(vq->num));
	uint8_t *avail = vmm_mem_ptr(m, vq->avail_gpa, avail_bytes(vq->num));

	if (!used || !avail || !vq->ready)
		return false;
	if (vq->event_idx)
		st16(used + 4 + 8ULL * vq->num, vq->last_avail);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ld16(avail + 2) != vq->last_avail;
}

/* Copies between a flat buffer and the chain's buffers [first, last), skipping off bytes
 * of them first: the one walk both directions share. */
static uint64_t vq_copy(const struct vmm_vq_chain *c, unsigned first, unsigned last, uint64_t off,
			uint8_t *flat, uint64_t len, bool to_guest)
{
	uint64_t done = 0;

	for (unsigned i = first; i < last && done < len; i++) {
		const struct vmm_vq_buf *b = &c->buf[i];

		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		uint64_t n = b->len - off;

		if (n > len - done)
			n = len - done;
		if (to_guest)
			memcpy(b->hva + off, flat + done, n);
		else
			memcpy(flat + done, b->hva + off, n);
		done += n;
		off = 0;
	}
	return done;
}

uint64_t vmm_vq_read(const struct vmm_vq_chain *c, uint64_t off, void *dst, uint64_t len)
{
	return vq_copy(c, 0, c->nread, off, dst, len, false);
}

uint64_t vmm_vq_write(const struct vmm_vq_chain *c, uint64_t off, const void *src, uint64_t len)
{
	/* The device writes only into the chain's write-only buffers, after the readable ones. */
	return vq_copy(c, c->nread, c->n, off, (uint8_t *)(uintptr_t)src, len, true);
}
