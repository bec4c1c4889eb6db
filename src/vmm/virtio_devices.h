/* The virtio devices gzvmm offers: virtio-blk (raw file), virtio-console (one port, no
 * multiport) and virtio-rng. Each plugs into a virtio-mmio transport. */
#ifndef VMM_VIRTIO_DEVICES_H
#define VMM_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console.h"
#include "virtio_mmio.h"

#define VIRTIO_ID_BLOCK	  2U
#define VIRTIO_ID_CONSOLE 3U
#define VIRTIO_ID_RNG	  4U

#define VIRTIO_BLK_F_SEG_MAX  (1ULL << 2)
#define VIRTIO_BLK_F_RO	      (1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_FLUSH    (1ULL << 9)

#define VIRTIO_BLK_T_IN	       0U
#define VIRTIO_BLK_T_OUT       1U
#define VIRTIO_BLK_T_FLUSH     4U
#define VIRTIO_BLK_T_GET_ID    8U
#define VIRTIO_BLK_S_OK	       0U
#define VIRTIO_BLK_S_IOERR     1U
#define VIRTIO_BLK_S_UNSUPP    2U
#define VIRTIO_BLK_SECTOR      512U
#define VIRTIO_BLK_ID_BYTES    20U
#define VIRTIO_BLK_HDR_SIZE    16U
#define VIRTIO_BLK_SEG_MAX     (VMM_VQ_MAX_SIZE - 2U)
#define VIRTIO_BLK_CONFIG_SIZE 24U

struct vmm_blk {
	int fd;
	bool ro;
	uint64_t sectors;
	char id[VIRTIO_BLK_ID_BYTES];
	uint64_t reads, writes, flushes, ioerrs;
};

/* Opens a raw disk file; -1 with a one-line message. */
int vmm_blk_open(struct vmm_blk *b, const char *path, bool ro, unsigned index, char *err,
		 size_t errlen);
/* Wraps an already open file descriptor (tests, fuzzers). */
void vmm_blk_init_fd(struct vmm_blk *b, int fd, bool ro, uint64_t size);
void vmm_blk_close(struct vmm_blk *b);
extern const struct vmm_virtio_dev_ops vmm_blk_ops;

#define VMM_VCON_RX    0U
#define VMM_VCON_TX    1U
#define VMM_VCON_INBUF 4096U

struct vmm_vcon {
	struct vmm_console *out;
	uint8_t in[VMM_VCON_INBUF]; /* pending input, protected by the transport lock */
	size_t in_len;
	uint64_t rx_bytes, tx_bytes;
};

extern const struct vmm_virtio_dev_ops vmm_vcon_ops;
/* Queues input bytes (takes the transport lock); returns how many were accepted. The caller
 * then processes the RX queue. */
size_t vmm_vcon_input(struct vmm_virtio *vd, const void *buf, size_t len);
size_t vmm_vcon_input_space(struct vmm_virtio *vd);

struct vmm_rng {
	uint64_t bytes;
	bool det;	/* deterministic run: bytes from a PRNG seeded with state */
	uint64_t state; /* splitmix64 */
};

extern const struct vmm_virtio_dev_ops vmm_rng_ops;

#endif
