/*
 * Guest -> hypervisor calls (HVC/SMC from EL1): PSCI 1.1, SMCCC 1.1 architecture calls, the
 * vendor-hypervisor service (UID and the pKVM-numbered memory / MMIO-guard calls GenieZone
 * guests use) and PTP. Function ids and return codes only.
 */
#ifndef GZ_GUEST_CALLS_H
#define GZ_GUEST_CALLS_H

/* ---- SMCCC function-id fields -------------------------------------------------------- */
#define GZ_SMCCC_FAST_CALL	  0x80000000U
#define GZ_SMCCC_SMC64		  0x40000000U
#define GZ_SMCCC_OWNER_SHIFT	  24
#define GZ_SMCCC_OWNER_MASK	  0x3fU
#define GZ_SMCCC_FUNC_MASK	  0xffffU
#define GZ_SMCCC_OWNER(id)	  (((id) >> GZ_SMCCC_OWNER_SHIFT) & GZ_SMCCC_OWNER_MASK)
#define GZ_SMCCC_OWNER_ARCH	  0
#define GZ_SMCCC_OWNER_STANDARD	  4
#define GZ_SMCCC_OWNER_VENDOR_HYP 6

/* SMCCC return values */
#define GZ_SMCCC_RET_SUCCESS	       0
#define GZ_SMCCC_RET_NOT_SUPPORTED     (-1)
#define GZ_SMCCC_RET_NOT_REQUIRED      (-2)
#define GZ_SMCCC_RET_INVALID_PARAMETER (-3)

/* ---- SMCCC architecture calls --------------------------------------------------------- */
#define GZ_SMCCC_VERSION	   0x80000000U
#define GZ_SMCCC_ARCH_FEATURES	   0x80000001U
#define GZ_SMCCC_ARCH_SOC_ID	   0x80000002U
#define GZ_SMCCC_ARCH_WORKAROUND_1 0x80008000U
#define GZ_SMCCC_ARCH_WORKAROUND_2 0x80007fffU
#define GZ_SMCCC_ARCH_WORKAROUND_3 0x80003fffU
#define GZ_SMCCC_VERSION_1_1	   0x10001U

/* ---- PSCI 1.1 -------------------------------------------------------------------------- */
#define GZ_PSCI_VERSION			   0x84000000U
#define GZ_PSCI_CPU_SUSPEND_32		   0x84000001U
#define GZ_PSCI_CPU_SUSPEND_64		   0xc4000001U
#define GZ_PSCI_CPU_OFF			   0x84000002U
#define GZ_PSCI_CPU_ON_32		   0x84000003U
#define GZ_PSCI_CPU_ON_64		   0xc4000003U
#define GZ_PSCI_AFFINITY_INFO_32	   0x84000004U
#define GZ_PSCI_AFFINITY_INFO_64	   0xc4000004U
#define GZ_PSCI_MIGRATE_32		   0x84000005U
#define GZ_PSCI_MIGRATE_64		   0xc4000005U
#define GZ_PSCI_MIGRATE_INFO_TYPE	   0x84000006U
#define GZ_PSCI_MIGRATE_INFO_UP_CPU_32	   0x84000007U
#define GZ_PSCI_MIGRATE_INFO_UP_CPU_64	   0xc4000007U
#define GZ_PSCI_SYSTEM_OFF		   0x84000008U
#define GZ_PSCI_SYSTEM_RESET		   0x84000009U
#define GZ_PSCI_FEATURES		   0x8400000aU
#define GZ_PSCI_CPU_FREEZE		   0x8400000bU
#define GZ_PSCI_CPU_DEFAULT_SUSPEND_32	   0x8400000cU
#define GZ_PSCI_CPU_DEFAULT_SUSPEND_64	   0xc400000cU
#define GZ_PSCI_NODE_HW_STATE_32	   0x8400000dU
#define GZ_PSCI_NODE_HW_STATE_64	   0xc400000dU
#define GZ_PSCI_SYSTEM_SUSPEND_32	   0x8400000eU
#define GZ_PSCI_SYSTEM_SUSPEND_64	   0xc400000eU
#define GZ_PSCI_SET_SUSPEND_MODE	   0x8400000fU
#define GZ_PSCI_STAT_RESIDENCY_32	   0x84000010U
#define GZ_PSCI_STAT_RESIDENCY_64	   0xc4000010U
#define GZ_PSCI_STAT_COUNT_32		   0x84000011U
#define GZ_PSCI_STAT_COUNT_64		   0xc4000011U
#define GZ_PSCI_SYSTEM_RESET2_32	   0x84000012U
#define GZ_PSCI_SYSTEM_RESET2_64	   0xc4000012U
#define GZ_PSCI_MEM_PROTECT		   0x84000013U
#define GZ_PSCI_MEM_PROTECT_CHECK_RANGE_32 0x84000014U
#define GZ_PSCI_MEM_PROTECT_CHECK_RANGE_64 0xc4000014U

#define GZ_PSCI_VERSION_1_1 0x10001U

/* PSCI return codes */
#define GZ_PSCI_RET_SUCCESS	       0
#define GZ_PSCI_RET_NOT_SUPPORTED      (-1)
#define GZ_PSCI_RET_INVALID_PARAMETERS (-2)
#define GZ_PSCI_RET_DENIED	       (-3)
#define GZ_PSCI_RET_ALREADY_ON	       (-4)
#define GZ_PSCI_RET_ON_PENDING	       (-5)
#define GZ_PSCI_RET_INTERNAL_FAILURE   (-6)
#define GZ_PSCI_RET_NOT_PRESENT	       (-7)
#define GZ_PSCI_RET_DISABLED	       (-8)
#define GZ_PSCI_RET_INVALID_ADDRESS    (-9)

/* AFFINITY_INFO results */
#define GZ_PSCI_AFFINITY_ON	    0
#define GZ_PSCI_AFFINITY_OFF	    1
#define GZ_PSCI_AFFINITY_ON_PENDING 2

/* MIGRATE_INFO_TYPE: no Trusted OS needing migration */
#define GZ_PSCI_TOS_NOT_PRESENT_MP 2

/* CPU_SUSPEND power_state: StateType bit (1 = powerdown) in the extended format */
#define GZ_PSCI_POWER_STATE_TYPE_BIT (1U << 30)

/* SYSTEM_RESET2 reset_type: bit 31 = vendor-specific; 0 = architectural warm reset */
#define GZ_PSCI_RESET2_VENDOR_BIT (1U << 31)

/* ---- Vendor hypervisor service (owner 6) --------------------------------------------- */
#define GZ_VENDOR_HYP_CALL_UID 0x8600ff01U
#define GZ_VENDOR_HYP_FEATURES 0x86000000U /* x0 = bitmap of the function numbers below */
#define GZ_VENDOR_HYP_PTP      0x86000001U
/* pKVM numbering, SMC64 */
#define GZ_VENDOR_HYP_MEMINFO		0xc6000002U
#define GZ_VENDOR_HYP_MEM_SHARE		0xc6000003U
#define GZ_VENDOR_HYP_MEM_UNSHARE	0xc6000004U
#define GZ_VENDOR_HYP_MMIO_GUARD_INFO	0xc6000005U
#define GZ_VENDOR_HYP_MMIO_GUARD_ENROLL 0xc6000006U
#define GZ_VENDOR_HYP_MMIO_GUARD_MAP	0xc6000007U
#define GZ_VENDOR_HYP_MMIO_GUARD_UNMAP	0xc6000008U
#define GZ_VENDOR_HYP_MEM_RELINQUISH	0xc6000009U

/* The GenieZone UUID 7e134ed0-3b82-488d-8cee-69c19211dbe7 as the UID call returns it
 * (w0..w3, SMCCC byte order as for the KVM UID). */
#define GZ_GENIEZONE_UID_W0 0xd04e137eU
#define GZ_GENIEZONE_UID_W1 0x8d48823bU
#define GZ_GENIEZONE_UID_W2 0xc169ee8cU
#define GZ_GENIEZONE_UID_W3 0xe7db1192U

/* Function numbers (low 16 bits of the ids above) in the FEATURES bitmap */
#define GZ_VENDOR_HYP_FN(id) ((id)&0xffffU)

/* MEMINFO / MMIO_GUARD_INFO: the protection granule */
#define GZ_VENDOR_HYP_GRANULE 4096
/* MEM_SHARE / MEM_UNSHARE: most granules one call takes (x2; 0 means one) */
#define GZ_VENDOR_HYP_MEM_RANGE_MAX 512

/* PTP args[1] */
#define GZ_PTP_VIRT_COUNTER 0
#define GZ_PTP_PHYS_COUNTER 1

#endif
