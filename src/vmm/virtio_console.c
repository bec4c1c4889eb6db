/* virtio-console with a single port (no multiport): transmitq output to the console sink,
 * receiveq filled from input queued by the event loop. */
#include "virtio_devices.h"

#include <string.h>

static uint64_t vcon_features(struct vmm_virtio *vd)
{
	(void)vd;
	return 0;
}

static void vcon_config(struct vmm_virtio *vd, uint32_t off, void *dst, uint32_t len)
{
	uint8_t cfg[8] = {0}; /* cols, rows, max_nr_ports: unused without features */

	(void)vd;
	memcpy(dst, cfg + off, len);
}

static int vcon_handle(struct vmm_virtio *vd, unsigned q, const struct vmm_vq_chain *c,
		       uint32_t *written)
{
	struct vmm_vcon *v = vd->dev;

	if (q == VMM_VCON_TX) {
		if (c->nread != c->n) /* transmit buffers are device-readable only */
			return -VMM_VQ_ERR_DEVICE;
		for (unsigned i = 0; i < c->n; i++)
			vmm_console_write(v->out, c->buf[i].hva, c->buf[i].len);
		v->tx_bytes += c->read_len;
		*written = 0;
		return 0;
	}
	if (c->nread != 0) /* receive buffers are device-writable only */
		return -VMM_VQ_ERR_DEVICE;
	if (v->in_len == 0)
		return VMM_VIRTIO_DEFER;
	uint64_t n = vmm_vq_write(c, 0, v->in, v->in_len);

	memmove(v->in, v->in + n, v->in_len - n);
	v->in_len -= n;
	v->rx_bytes += n;
	*written = (uint32_t)n;
	return 0;
}

size_t vmm_vcon_input_space(struct vmm_virtio *vd)
{
	struct vmm_vcon *v = vd->dev;
	size_t n;

	pthread_mutex_lock(&vd->lock);
	n = sizeof(v->in) - v->in_len;
	pthread_mutex_unlock(&vd->lock);
	return n;
}

size_t vmm_vcon_input(struct vmm_virtio *vd, const void *buf, size_t len)
{
	struct vmm_vcon *v = vd->dev;
	size_t n;

	pthread_mutex_lock(&vd->lock);
	n = sizeof(v->in) - v->in_len;
	if (n > len)
		n = len;
	memcpy(v->in + v->in_len, buf, n);
	v->in_len += n;
	pthread_mutex_unlock(&vd->lock);
	return n;
}

const struct vmm_virtio_dev_ops vmm_vcon_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .nqueues = 2,
    .features = vcon_features,
    .read_config = vcon_config,
    .config_size = 8,
    .handle = vcon_handle,
};
