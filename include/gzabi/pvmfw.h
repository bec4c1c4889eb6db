/*
 * opengz's protected-VM firmware (pvmfw, src/pvmfw) and what gzhyp, gzvmm and the firmware
 * share about it (docs/security.md "Verified boot"): the image header gzhyp reads at
 * SET_PVMFW_GPA, the firmware's place in the guest's memory map, the guest calls by which
 * the firmware asks gzhyp for the platform's trusted key and reports a refusal, and the
 * refusal codes gzvmm turns into its message. Freestanding: shared by gzhyp, the driver, the
 * VMM and the firmware.
 */
#ifndef GZ_PVMFW_H
#define GZ_PVMFW_H

/* The header's constants are also read by the firmware's assembler (no suffixes there). */

/* ---- the image -------------------------------------------------------------------------- */
/* The first 64 bytes of the firmware image (little-endian). gzhyp checks them at
 * SET_PVMFW_GPA: the magic, the version, image_size <= mem_size <= what the PROTECT_FW memslot
 * holds from the image's start, entry_offset 4-aligned and inside the image. */
#define GZ_PVMFW_MAGIC	      0x0031574d56505a47 /* "GZPVMW1\0" */
#define GZ_PVMFW_VERSION      1
#define GZ_PVMFW_HEADER_SIZE  64
#define GZ_PVMFW_MAX_SIZE     (4ULL << 20) /* crosvm's slot */
#define GZ_PVMFW_OFF_MAGIC    0
#define GZ_PVMFW_OFF_VERSION  8
#define GZ_PVMFW_OFF_HDR_SIZE 12
#define GZ_PVMFW_OFF_IMAGE    16 /* bytes of the image (header included), what is measured */
#define GZ_PVMFW_OFF_MEM      24 /* bytes it runs in (image, BSS, stack) */
#define GZ_PVMFW_OFF_ENTRY    32 /* entry point, from the image's start */

/* Where gzvmm loads it (crosvm's choice: 4 MiB below 2 GiB), in a PROTECT_FW memslot of
 * GZ_PVMFW_MAX_SIZE bytes; guest RAM must end below it. */
#define GZ_PVMFW_GPA 0x7fc00000ULL

/* ---- the handover ----------------------------------------------------------------------- */
/* The first RUN of the VM enters the firmware, whatever the host set: PC = the image's entry,
 * EL1h with DAIF masked, MMU off, x0 = the x0 the host set (the device tree's IPA), x1 = the
 * PC the host set (the kernel's first byte, which the firmware verifies before it jumps
 * there with x0 = the device tree, x1-x3 = 0). */

/* The device tree carries the boot signature block (gzcrypto/bootsig.h, 232 bytes) as this
 * property of /chosen; bootargs and linux,initrd-start/-end as usual. */
#define GZ_PVMFW_DT_BOOTSIG "opengz,boot-signature"

/* ---- guest calls (vendor-hypervisor service, owner 6, SMC64) ---------------------------- */
/* KEY(x1 = IPA of 32 bytes): gzhyp writes the platform's trusted Ed25519 public key there
 * (it came with gzhyp's own boot, never from the host). x0 = 0, NOT_SUPPORTED (-1) when the
 * platform has none, INVALID_PARAMETER (-3) for a buffer the VM cannot write. Any VM. */
#define GZ_VENDOR_HYP_PVMFW_KEY 0xc6000020U
/* REFUSE(x1 = code, below): the firmware will not start the kernel. gzhyp records it (no
 * later call of the VM's can undo it) and forwards it to the host as GZVM_EXIT_HYPERCALL
 * (args[0] = this id, args[1] = the code), which gzvmm reports; the firmware then powers the
 * VM off. Only a VM booted through pvmfw; others get NOT_SUPPORTED. */
#define GZ_VENDOR_HYP_PVMFW_REFUSE 0xc6000021U
/* RAM(x1 = IPA, x2 = length): x0 = 0 when every byte of the range lies in the VM's memslots
 * (memory gzhyp gives the VM: for a protected VM, pages the host cannot see or change), else
 * INVALID_PARAMETER. What the device tree calls memory is the host's word; this is gzhyp's.
 * The firmware hashes and starts nothing outside such memory: elsewhere every read would be
 * an MMIO exit the host answers as it likes, now and again later. */
#define GZ_VENDOR_HYP_PVMFW_RAM 0xc6000022U
/* The id range the pvmfw module answers (function numbers 0x20..0x2f). */
#define GZ_VENDOR_HYP_PVMFW_FIRST 0xc6000020U
#define GZ_VENDOR_HYP_PVMFW_LAST  0xc600002fU

/* REFUSE's codes: 1..7 are gzcrypto_bootsig_verify's statuses (gzcrypto/bootsig.h), the rest
 * the firmware's own. */
#define GZ_PVMFW_REFUSE_NO_KEY	   16 /* the platform gave gzhyp no trusted key */
#define GZ_PVMFW_REFUSE_NO_SIG	   17 /* no boot signature block in /chosen */
#define GZ_PVMFW_REFUSE_BAD_DT	   18 /* no readable device tree at x0 */
#define GZ_PVMFW_REFUSE_BAD_IMAGES 19 /* kernel or initrd outside the VM's RAM, or overlapping */
#define GZ_PVMFW_REFUSE_CODE_MAX   31

#endif
