/*
 * opengz's protected-VM firmware (pvmfw, src/pvmfw) and what gzhyp, gzvmm and the firmware
 * share about it (docs/security.md "Verified boot"): the image header gzhyp reads at
 * SET_PVMFW_GPA, the firmware's place in the guest's memory map, the guest calls by which
 * the firmware asks gzhyp for the platform's trusted key and reports a refusal, and the
 * refusal codes gzvmm turns into its message. Freestanding: shared by gzhyp, the driver, the
 * VMM, the firmware and the attestation report's verifier.
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

/* The device tree carries the boot signature block (gzcrypto/bootsig.h, 296 bytes) as this
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
/* HANDOVER(x1 = IPA of 96 bytes: SHA-256 of the kernel, of the initrd, and the configuration
 * measurement (gzcrypto_bootsig_config: bootargs, memory and devices), each as the boot
 * signature block holds them): the firmware, once, after
 * it verified them and just before it starts the kernel. gzhyp keeps them beside the
 * firmware's own as the VM's measurements, derives the VM's compound device identifier (CDI)
 * from its per-boot secret and the four, and writes the DICE handover (below) into the last
 * page of the PROTECT_FW slot. x0 = 0; NOT_SUPPORTED for a VM without a firmware or on a
 * platform without a secret; INVALID_PARAMETER for a buffer it cannot read, x2/x3 set, a
 * second call, or after REFUSE. */
#define GZ_VENDOR_HYP_PVMFW_HANDOVER 0xc6000023U
/* ATTEST(x1 = IPA of a 32-byte nonce, x2 = IPA of GZ_ATTEST_REPORT_SIZE bytes): gzhyp writes
 * an attestation report (below) over the VM's measurements and the nonce there, signed with
 * its attestation key. x0 = 0; NOT_SUPPORTED before HANDOVER (no measurements to attest);
 * INVALID_PARAMETER for buffers it cannot read or write, or x3 set. */
#define GZ_VENDOR_HYP_ATTEST 0xc6000024U
/* The id range the pvmfw module answers (function numbers 0x20..0x2f). */
#define GZ_VENDOR_HYP_PVMFW_FIRST 0xc6000020U
#define GZ_VENDOR_HYP_PVMFW_LAST  0xc600002fU

/* REFUSE's codes: 1..9 are gzcrypto_bootsig_verify's statuses (gzcrypto/bootsig.h), the rest
 * the firmware's own. */
#define GZ_PVMFW_REFUSE_NO_KEY	   16 /* the platform gave gzhyp no trusted key */
#define GZ_PVMFW_REFUSE_NO_SIG	   17 /* no boot signature block in /chosen */
#define GZ_PVMFW_REFUSE_BAD_DT	   18 /* no readable device tree at x0 */
#define GZ_PVMFW_REFUSE_BAD_IMAGES 19 /* kernel or initrd outside the VM's RAM, or overlapping */
#define GZ_PVMFW_REFUSE_BAD_MEMORY 20 /* the device tree's memory is not the VM's memslots */
#define GZ_PVMFW_REFUSE_CODE_MAX   31

/* ---- measurements, the DICE handover and the attestation report (docs/security.md) ------- */
#define GZ_MEASURE_SIZE 32 /* SHA-256 */
/* The DICE handover page: the last page of the PROTECT_FW slot (GZ_PVMFW_DICE_GPA for gzvmm's
 * slot), named in the device tree as /reserved-memory/dice@7ffff000 (compatible
 * "opengz,dice"); the firmware's memory (its header's mem_size) must end before it. It holds
 * the magic, the VM's CDI, its four measurements and the attestation key's certificate. */
#define GZ_PVMFW_DICE_SIZE	 4096
#define GZ_PVMFW_DICE_GPA	 (GZ_PVMFW_GPA + GZ_PVMFW_MAX_SIZE - GZ_PVMFW_DICE_SIZE)
#define GZ_DICE_MAGIC		 0x0031454349445a47 /* "GZDICE1\0" */
#define GZ_DICE_OFF_CDI		 16		    /* 32 bytes */
#define GZ_DICE_OFF_MEASUREMENTS 48		    /* firmware, kernel, initrd, configuration */
#define GZ_DICE_OFF_CERT	 176 /* the attestation key's certificate (zero: none) */
#define GZ_DICE_SIZE		 320
/* The attestation key's certificate (gzcrypto/cert.h): issued by the platform's attestation
 * root, usage 1, the attestation public key as its subject. */
#define GZ_ATTEST_CERT_SIZE 144
/* The report: magic, version 1, flags 0, the four measurements, the nonce, the attestation
 * public key, and the Ed25519 signature of the 208 bytes before it. */
#define GZ_ATTEST_MAGIC		   0x3154535454415a47 /* "GZATTST1" */
#define GZ_ATTEST_VERSION	   1
#define GZ_ATTEST_OFF_MEASUREMENTS 16
#define GZ_ATTEST_OFF_NONCE	   144
#define GZ_ATTEST_OFF_KEY	   176
#define GZ_ATTEST_SIGNED	   208
#define GZ_ATTEST_REPORT_SIZE	   272
#define GZ_ATTEST_NONCE_SIZE	   32

#endif
