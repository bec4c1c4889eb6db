/* virtio-rng: fills device-writable buffers from the host's getrandom(), or in a
 * deterministic run from a PRNG seeded with the run's seed. */
#include "virtio_devices.h"

#include <sys/random.h>

static uint64_t rng_features(struct vmm_virtio *vd)
{
	(void)vd;
	return 0;
}

static uint8_t det_byte(struct vmm_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint8_t)(z ^ (z >> 31));
}

static int rng_handle(struct vmm_virtio *vd, unsigned q, const struct vmm_vq_chain *c,
		      uint32_t *written)
{
	struct vmm_rng *r = vd->dev;
	uint64_t total = 0;

	(void)q;
	if (c->nread != 0) /* entropy buffers are device-writable only */
		return -VMM_VQ_ERR_DEVICE;
	for (unsigned i = 0; i < c->n; i++) {
		uint64_t done = 0;

		while (done < c->buf[i].len) {
			size_t want = c->buf[i].len - done > 256 ? 256 : c->buf[i].len - done;
			ssize_t n = (ssize_t)want;

			if (r->det)
				for (size_t k = 0; k < want; k++)
					((uint8_t *)c->buf[i].hva)[done + k] = det_byte(r);
			else
				n = getrandom(c->buf[i].hva + done, want, 0);

			if (n <= 0)
				break;
			done += (uint64_t)n;
		}
		total += done;
		if (done < c->buf[i].len)
			break;
	}
	r->bytes += total;
	*written = (uint32_t)total;
	return 0;
}

const struct vmm_virtio_dev_ops vmm_rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .nqueues = 1,
    .features = rng_features,
    .handle = rng_handle,
};
