/* The guest's device tree, generated with libfdt: memory, cpus, psci, GICv3, timer, PL011,
 * PL031, PL061 with virt's gpio-keys, the flash banks (with --bios), chosen and one
 * virtio,mmio node per transport, at the addresses of layout.h. */
#ifndef VMM_FDT_BUILD_H
#define VMM_FDT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmm_fdt_params {
	uint64_t ram_base;
	uint64_t ram_size;
	unsigned cpus;
	const char *bootargs;  /* NULL: no bootargs property */
	uint64_t initrd_start; /* initrd_end == 0: no initrd */
	uint64_t initrd_end;
	unsigned nvirtio; /* transports 0..nvirtio-1 at VMM_VIRTIO_BASE + i * stride */
	bool flash;	  /* the two CFI banks at 0 (--bios) */
	bool channel;	  /* an "opengz,channel" node, id 0 until vmm_fdt_set_channel_id */
	/* both non-zero: the channel carries vsock, "opengz,vsock-cids" = <own peer> */
	uint32_t vsock_cid, peer_vsock_cid;
	/* non-zero: the channel's bulk region, "opengz,region" = <IPA size> at
	 * VMM_CHAN_REGION_BASE, and "opengz,region-owner" in the VM that owns it */
	uint64_t chan_region;
	bool chan_region_owner;
	const void *bootsig; /* --boot-sig: /chosen's opengz,boot-signature (NULL: none) */
	bool dice;	     /* --pvmfw: /reserved-memory/dice@7ffff000, the DICE handover */
	size_t bootsig_size;
	/* swiotlb_size != 0: a "restricted-dma-pool" there (a protected VM's bounce pool,
	 * swiotlb.h), the memory-region of every virtio transport */
	uint64_t swiotlb_base, swiotlb_size;
};

#define VMM_FDT_PHANDLE_GIC	1U
#define VMM_FDT_PHANDLE_CLK	2U
#define VMM_FDT_PHANDLE_GPIO	3U
#define VMM_FDT_PHANDLE_SWIOTLB 4U

/* Builds the blob into buf (bufsize bytes, packed). Returns 0, or -1 if it does not fit or
 * the parameters are out of range. */
int vmm_fdt_build(const struct vmm_fdt_params *p, void *buf, size_t bufsize);

/* Write the channel's id into the channel node of a blob vmm_fdt_build made (same size,
 * in place). Returns 0, or -1 if the blob has no channel node. */
int vmm_fdt_set_channel_id(void *fdt, uint32_t id);

#endif
