/*
 * The canonical description of a VM's machine in its device tree: what a protected VM's boot
 * signature binds beside the kernel, the initrd and the bootargs (docs/security.md "The
 * machine in the configuration"). pvmfw computes it from the device tree the host handed the
 * VM, gz-sign from the DTB gzvmm writes with --dump-dtb; both through this one function, so
 * the two meet byte for byte.
 *
 * Two SHA-256 digests:
 *  - memory: every (base, size) pair of every device_type = "memory" node's reg, sorted by
 *    base then size, each as two little-endian 64-bit words;
 *  - devices: every other node but the root that has a "compatible" property is a device;
 *    its record is
 *        le32 length of compatible, compatible's bytes as they are (NUL-separated list),
 *        le32 number of reg entries, each as le64 address, le64 size (its parent's
 *            #address-cells / #size-cells decoded; size 0 when #size-cells is 0),
 *        le32 number of interrupts cells, each as le32;
 *    the digest is SHA-256 of the records' SHA-256s sorted in ascending byte order.
 * Sorted, so the order of nodes in the blob (the host's choice) does not count; names do not
 * count either (a unit address repeats reg), nor any other property.
 */
#ifndef GZ_FDT_VMDESC_H
#define GZ_FDT_VMDESC_H

#include <gzhyp/fdt.h>

#define GZ_VMDESC_MAX_MEMORY  16 /* memory ranges accepted */
#define GZ_VMDESC_MAX_DEVICES 128

struct gz_vmdesc {
	unsigned nmem, ndevices;
	uint64_t mem_base[GZ_VMDESC_MAX_MEMORY], mem_size[GZ_VMDESC_MAX_MEMORY]; /* sorted */
	uint8_t memory_sha256[32], devices_sha256[32];
};

/* Fills @d from the checked blob @fdt: GZ_FDT_OK, or the reader's error for a malformed reg,
 * interrupts or cell count, GZ_FDT_E_BADVALUE for more memory ranges or devices than the
 * limits above (nothing is silently left out). */
int gz_vmdesc_read(struct gz_vmdesc *d, const struct gz_fdt *fdt);

/* The SHA-256 of the device record (the encoding above) of node @node. */
int gz_vmdesc_device(const struct gz_fdt *fdt, int node, uint8_t out[32]);

#endif
