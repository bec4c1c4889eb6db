/* virtio-blk over a raw file or a block device: read, write, flush, get-id; read-only option.
 * Request layout (header, data, status) is checked strictly; a bad layout is a malformed request
 * (device reset), a bad sector or a write to a read-only disk is an I/O error status. */
#include "virtio_devices.h"
#include "msg.h"
#include "openfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int vmm_blk_open(struct vmm_blk *b, const char *path, bool ro, unsigned index, char *err,
		 size_t errlen)
{
	struct stat st;
	off_t size = -1;
	int fd = vmm_open_noblock(path, ro ? O_RDONLY : O_RDWR, 0);

	if (fd < 0)
		return vmm_fail(err, errlen, "cannot open disk '%s': %s", path, strerror(errno));
	/* A block device (a disk the host itself was given) tells its size through its end. */
	if (fstat(fd, &st) != 0)
		st.st_mode = 0;
	if (S_ISREG(st.st_mode))
		size = st.st_size;
	else if (S_ISBLK(st.st_mode))
		size = lseek(fd, 0, SEEK_END);
	if (size < 0) {
		close(fd);
		return vmm_fail(err, errlen, "disk '%s' is not a regular file or a block device",
				path);
	}
	if ((uint64_t)size < VIRTIO_BLK_SECTOR) {
		close(fd);
		return vmm_fail(err, errlen, "disk '%s' is smaller than one 512-byte sector", path);
	}
	vmm_blk_init_fd(b, fd, ro, (uint64_t)size);
	snprintf(b->id, sizeof(b->id), "gzvmm-disk%u", index);
	return 0;
}

void vmm_blk_init_fd(struct vmm_blk *b, int fd, bool ro, uint64_t size)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->ro = ro;
	b->sectors = size / VIRTIO_BLK_SECTOR;
	snprintf(b->id, sizeof(b->id), "gzvmm-disk");
}

void vmm_blk_close(struct vmm_blk *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

static uint64_t blk_features(struct vmm_virtio *vd)
{
	struct vmm_blk *b = vd->dev;
	uint64_t f = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH;

	return b->ro ? f | VIRTIO_BLK_F_RO : f;
}

static void blk_config(struct vmm_virtio *vd, uint32_t off, void *dst, uint32_t len)
{
	struct vmm_blk *b = vd->dev;
	uint8_t cfg[VIRTIO_BLK_CONFIG_SIZE] = {0};
	uint32_t seg_max = VIRTIO_BLK_SEG_MAX, blk_size = VIRTIO_BLK_SECTOR;

	memcpy(cfg, &b->sectors, 8);   /* capacity */
	memcpy(cfg + 12, &seg_max, 4); /* seg_max (size_max at 8 stays 0) */
	memcpy(cfg + 20, &blk_size, 4);
	memcpy(dst, cfg + off, len);
}

/* The chain's buffers [first, last) from byte off on, at most len bytes, as an iovec array:
 * one preadv or pwritev moves a whole request however many buffers the guest scattered it
 * over (a 1 MiB O_DIRECT read is up to 256 pages). Returns the number of entries. */
static unsigned chain_iov(const struct vmm_vq_chain *c, unsigned first, unsigned last, uint64_t off,
			  uint64_t len, struct iovec *iov)
{
	unsigned n = 0;

	for (unsigned i = first; i < last && len; i++) {
		uint64_t k;

		if (off >= c->buf[i].len) {
			off -= c->buf[i].len;
			continue;
		}
		k = c->buf[i].len - off < len ? c->buf[i].len - off : len;
		iov[n].iov_base = c->buf[i].hva + off;
		iov[n++].iov_len = (size_t)k;
		len -= k;
		off = 0;
	}
	return n;
}

/* Moves the n buffers of iov to or from the file at byte offset pos, resuming after short
 * transfers. Returns 0 or -1 on an I/O error; a read past the end of a file that shrank
 * under us reads zeros. */
static int blk_rw(struct vmm_blk *b, struct iovec *iov, unsigned n, uint64_t pos, bool to_file)
{
	while (n) {
		ssize_t r = to_file ? pwritev(b->fd, iov, (int)n, (off_t)pos)
				    : preadv(b->fd, iov, (int)n, (off_t)pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r == 0 && to_file))
			return -1;
		if (r == 0) {
			for (unsigned i = 0; i < n; i++)
				memset(iov[i].iov_base, 0, iov[i].iov_len);
			return 0;
		}
		pos += (uint64_t)r;
		for (; n && (size_t)r >= iov->iov_len; n--, iov++)
			r -= (ssize_t)iov->iov_len;
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

static int blk_handle(struct vmm_virtio *vd, unsigned q, const struct vmm_vq_chain *c,
		      uint32_t *written)
{
	struct vmm_blk *b = vd->dev;
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE];
	uint32_t type;
	uint64_t sector, data_len;
	uint8_t status = VIRTIO_BLK_S_OK;
	const struct vmm_vq_buf *last;
	struct iovec iov[VMM_VQ_MAX_SIZE];
	unsigned niov;

	(void)q;
	/* Header: 16 readable bytes; status: the last writable byte. */
	if (c->read_len < VIRTIO_BLK_HDR_SIZE || c->write_len < 1)
		return -VMM_VQ_ERR_DEVICE;
	last = &c->buf[c->n - 1];
	if (!last->write)
		return -VMM_VQ_ERR_DEVICE;
	vmm_vq_read(c, 0, hdr, sizeof(hdr));
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	*written = 1;

	switch (type) {
	case VIRTIO_BLK_T_IN:
		data_len = c->write_len - 1;
		if (c->read_len != VIRTIO_BLK_HDR_SIZE || data_len % VIRTIO_BLK_SECTOR)
			return -VMM_VQ_ERR_DEVICE;
		if (sector > b->sectors || data_len / VIRTIO_BLK_SECTOR > b->sectors - sector) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		niov = chain_iov(c, c->nread, c->n, 0, data_len, iov);
		if (blk_rw(b, iov, niov, sector * VIRTIO_BLK_SECTOR, false) != 0) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		b->reads++;
		*written = (uint32_t)(data_len + 1);
		break;
	case VIRTIO_BLK_T_OUT:
		data_len = c->read_len - VIRTIO_BLK_HDR_SIZE;
		if (c->write_len != 1 || data_len % VIRTIO_BLK_SECTOR)
			return -VMM_VQ_ERR_DEVICE;
		if (b->ro || sector > b->sectors ||
		    data_len / VIRTIO_BLK_SECTOR > b->sectors - sector) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		/* Data may start inside the header's buffer: the iovec starts past the header. */
		niov = chain_iov(c, 0, c->nread, VIRTIO_BLK_HDR_SIZE, data_len, iov);
		if (blk_rw(b, iov, niov, sector * VIRTIO_BLK_SECTOR, true) != 0)
			status = VIRTIO_BLK_S_IOERR;
		if (status == VIRTIO_BLK_S_OK)
			b->writes++;
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (c->read_len != VIRTIO_BLK_HDR_SIZE || c->write_len != 1)
			return -VMM_VQ_ERR_DEVICE;
		if (!b->ro && fdatasync(b->fd) != 0)
			status = VIRTIO_BLK_S_IOERR;
		b->flushes++;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t n = c->write_len - 1;

		if (c->read_len != VIRTIO_BLK_HDR_SIZE)
			return -VMM_VQ_ERR_DEVICE;
		if (n > VIRTIO_BLK_ID_BYTES)
			n = VIRTIO_BLK_ID_BYTES;
		{
			char id[VIRTIO_BLK_ID_BYTES] = {0};

			memcpy(id, b->id, strnlen(b->id, sizeof(id)));
			vmm_vq_write(c, 0, id, n);
		}
		*written = c->write_len > UINT32_MAX ? UINT32_MAX : (uint32_t)c->write_len;
		break;
	}
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (status != VIRTIO_BLK_S_OK) {
		b->ioerrs++;
		*written = 1;
	}
	/* The status byte is the very last writable byte of the chain. */
	vmm_vq_write(c, c->write_len - 1, &status, 1);
	return 0;
}

const struct vmm_virtio_dev_ops vmm_blk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .features = blk_features,
    .read_config = blk_config,
    .config_size = VIRTIO_BLK_CONFIG_SIZE,
    .handle = blk_handle,
};
