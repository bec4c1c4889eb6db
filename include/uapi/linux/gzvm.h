/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The GenieZone user ABI (/dev/gzvm, VM fd, vCPU fd) at the level of the v13 patch series,
 * as opengz implements it. Shared by three worlds: the Linux driver, user space (VMMs) and
 * the freestanding hypervisor core, which sees the same structures through the run page.
 * opengz extensions are listed in docs/abi.md (GET_ONE_REG, memslot delete, typed IRQ_LINE,
 * irqfd RESAMPLE, the MMIO completion).
 */
#ifndef __GZVM_UAPI_H__
#define __GZVM_UAPI_H__

#include <linux/types.h>
#include <linux/ioctl.h>

#define GZVM_IOC_MAGIC 0x92

/* Limits the driver and the hypervisor share. */
#define GZVM_MAX_VCPUS	    8
#define GZVM_MAX_MEM_REGION 10

/* ---- Capabilities (CHECK_EXTENSION / ENABLE_CAP) --------------------------------------- */
#define GZVM_CAP_VM_GPA_SIZE		   0xa5
#define GZVM_CAP_ARM_VM_IPA_SIZE	   GZVM_CAP_VM_GPA_SIZE /* crosvm's name */
#define GZVM_CAP_PROTECTED_VM		   0xffbadab1
#define GZVM_CAP_ARM_PROTECTED_VM	   GZVM_CAP_PROTECTED_VM /* crosvm's name */
#define GZVM_CAP_BLOCK_BASED_DEMAND_PAGING 0x9201
#define GZVM_CAP_ENABLE_DEMAND_PAGING	   0x9202
#define GZVM_CAP_ENABLE_IDLE		   0x9203
#define GZVM_CAP_QUERY_HYP_BATCH_PAGES	   0x9204
#define GZVM_CAP_QUERY_DESTROY_BATCH_PAGES 0x9205
/* opengz extension (docs/abi.md): a device register that always reads the same. args[0] = IPA,
 * args[1] = access size (1, 2, 4; 0 removes the declaration), args[2] = the value as the VMM
 * would return it for that read; args[3] = flags, args[4] = 0. Declarations only before the
 * VM's first run; one made with GZVM_MMIO_CONST_UPDATABLE may have its value changed later (a
 * register that changes now and then, as a UART's flag register when input arrives). */
#define GZVM_CAP_OPENGZ_MMIO_CONST 0x9280
#define GZVM_MMIO_CONST_UPDATABLE  (1ULL << 0)
/* opengz extensions (docs/abi.md). VM_LIMIT: CHECK_EXTENSION answers how many VMs may exist
 * at once. HYP_QUOTA: ENABLE_CAP on a VM fd with args[0] = pages (0: only ask) sets the VM's
 * quota of the hypervisor's memory and answers it in args[1]. */
#define GZVM_CAP_OPENGZ_VM_LIMIT  0x9281
#define GZVM_CAP_OPENGZ_HYP_QUOTA 0x9282

/* GZVM_CAP_PROTECTED_VM sub-commands, in gzvm_enable_cap.args[0]. */
#define GZVM_CAP_PVM_SET_PVMFW_GPA	  0
#define GZVM_CAP_ARM_PVM_SET_PVMFW_IPA	  GZVM_CAP_PVM_SET_PVMFW_GPA
#define GZVM_CAP_PVM_GET_PVMFW_SIZE	  1
#define GZVM_CAP_ARM_PVM_GET_PVMFW_SIZE	  GZVM_CAP_PVM_GET_PVMFW_SIZE
#define GZVM_CAP_PVM_SET_PROTECTED_VM	  2
#define GZVM_CAP_ARM_PVM_SET_PROTECTED_VM GZVM_CAP_PVM_SET_PROTECTED_VM

/* ---- Memory regions -------------------------------------------------------------------- */
/* "Purpose" flags of gzvm_userspace_memory_region.flags, forwarded to the hypervisor. */
#define GZVM_USER_MEM_REGION_GUEST_MEM	    (1 << 0)
#define GZVM_USER_MEM_REGION_PROTECT_FW	    (1 << 1)
#define GZVM_USER_MEM_REGION_STATIC_SWIOTLB (1 << 2)
/* opengz extension: the guest may read and execute the slot but not write it; a store there
 * is an MMIO exit (as a KVM_MEM_READONLY slot). Flash that executes in place needs it. */
#define GZVM_USER_MEM_REGION_READONLY (1 << 16)

struct gzvm_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size; /* bytes */
};

struct gzvm_userspace_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size; /* bytes; opengz: 0 deletes the slot */
	__u64 userspace_addr;
};

/* ---- Interrupt lines ------------------------------------------------------------------- */
/* gzvm_irq_level.irq: VCPU2[31:28] TYPE[27:24] VCPU[23:16] NUM[15:0]. Upstream treats NUM
 * as a 0-based SPI index whatever TYPE says; opengz also honours TYPE = PPI (docs/abi.md). */
#define GZVM_IRQ_VCPU2_SHIFT 28
#define GZVM_IRQ_VCPU2_MASK  0xf
#define GZVM_IRQ_TYPE_SHIFT  24
#define GZVM_IRQ_TYPE_MASK   0xf
#define GZVM_IRQ_VCPU_SHIFT  16
#define GZVM_IRQ_VCPU_MASK   0xff
#define GZVM_IRQ_NUM_SHIFT   0
#define GZVM_IRQ_NUM_MASK    0xffff

#define GZVM_IRQ_TYPE_CPU 0
#define GZVM_IRQ_TYPE_SPI 1
#define GZVM_IRQ_TYPE_PPI 2

#define GZVM_IRQ_CPU_IRQ 0
#define GZVM_IRQ_CPU_FIQ 1

#define GZVM_IRQ_LINE_ENCODE(type, vcpu, num)                                                      \
	((((__u32)(type)&GZVM_IRQ_TYPE_MASK) << GZVM_IRQ_TYPE_SHIFT) |                             \
	 ((((__u32)(vcpu) >> 8) & GZVM_IRQ_VCPU2_MASK) << GZVM_IRQ_VCPU2_SHIFT) |                  \
	 (((__u32)(vcpu)&GZVM_IRQ_VCPU_MASK) << GZVM_IRQ_VCPU_SHIFT) |                             \
	 (((__u32)(num)&GZVM_IRQ_NUM_MASK) << GZVM_IRQ_NUM_SHIFT))
#define GZVM_IRQ_LINE_TYPE(irq) (((__u32)(irq) >> GZVM_IRQ_TYPE_SHIFT) & GZVM_IRQ_TYPE_MASK)
#define GZVM_IRQ_LINE_VCPU(irq)                                                                    \
	(((((__u32)(irq) >> GZVM_IRQ_VCPU2_SHIFT) & GZVM_IRQ_VCPU2_MASK) << 8) |                   \
	 (((__u32)(irq) >> GZVM_IRQ_VCPU_SHIFT) & GZVM_IRQ_VCPU_MASK))
#define GZVM_IRQ_LINE_NUM(irq) (((__u32)(irq) >> GZVM_IRQ_NUM_SHIFT) & GZVM_IRQ_NUM_MASK)

struct gzvm_irq_level {
	union {
		__u32 irq;
		__s32 status;
	};
	__u32 level; /* 1 assert, 0 deassert */
};

/* ---- Devices --------------------------------------------------------------------------- */
#define GZVM_DEV_TYPE_ARM_VGIC_V3_DIST	 0
#define GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST 1
#define GZVM_DEV_TYPE_MAX		 2

struct gzvm_create_device {
	__u32 dev_type;
	__u32 id;
	__u64 flags;
	__u64 dev_addr;	    /* guest IPA of the frame */
	__u64 dev_reg_size; /* frame size (REDIST: per-vCPU frame) */
	__u64 attr_addr;    /* user VA; the driver replaces it by a PA */
	__u64 attr_size;    /* at most one page */
};

/* ---- Capabilities ---------------------------------------------------------------------- */
struct gzvm_enable_cap {
	__u64 cap;
	__u64 args[5]; /* become hypercall arguments x3..x7 */
};

/* ---- Registers ------------------------------------------------------------------------- */
struct gzvm_one_reg {
	__u64 id;
	__u64 addr; /* user pointer to the value */
};

/* KVM's arm64 register-id encoding. */
#define GZVM_REG_ARCH_MASK  0xff00000000000000ULL
#define GZVM_REG_GENERIC    0x0000000000000000ULL
#define GZVM_REG_ARM	    0x4000000000000000ULL
#define GZVM_REG_ARCH_ARM64 0x6000000000000000ULL
#define GZVM_REG_ARM64	    GZVM_REG_ARCH_ARM64

#define GZVM_REG_SIZE_SHIFT 52
#define GZVM_REG_SIZE_MASK  0x00f0000000000000ULL
#define GZVM_REG_SIZE_U8    0x0000000000000000ULL
#define GZVM_REG_SIZE_U16   0x0010000000000000ULL
#define GZVM_REG_SIZE_U32   0x0020000000000000ULL
#define GZVM_REG_SIZE_U64   0x0030000000000000ULL
#define GZVM_REG_SIZE_U128  0x0040000000000000ULL
#define GZVM_REG_SIZE_U256  0x0050000000000000ULL
#define GZVM_REG_SIZE_U512  0x0060000000000000ULL
#define GZVM_REG_SIZE_U1024 0x0070000000000000ULL
#define GZVM_REG_SIZE_U2048 0x0080000000000000ULL
#define GZVM_REG_SIZE(id)   (1U << (((id)&GZVM_REG_SIZE_MASK) >> GZVM_REG_SIZE_SHIFT))

#define GZVM_REG_ARM_COPROC_MASK  0x000000000FFF0000ULL
#define GZVM_REG_ARM_COPROC_SHIFT 16
#define GZVM_REG_TYPE_GENERAL	  (0x0010ULL << GZVM_REG_ARM_COPROC_SHIFT)
#define GZVM_REG_ARM_CORE	  GZVM_REG_TYPE_GENERAL
#define GZVM_REG_ARM_DEMUX	  (0x0011ULL << GZVM_REG_ARM_COPROC_SHIFT)
#define GZVM_REG_ARM64_SYSREG	  (0x0013ULL << GZVM_REG_ARM_COPROC_SHIFT)

#define GZVM_REG_ARM64_SYSREG_OP0_MASK	0x000000000000c000ULL
#define GZVM_REG_ARM64_SYSREG_OP0_SHIFT 14
#define GZVM_REG_ARM64_SYSREG_OP1_MASK	0x0000000000003800ULL
#define GZVM_REG_ARM64_SYSREG_OP1_SHIFT 11
#define GZVM_REG_ARM64_SYSREG_CRN_MASK	0x0000000000000780ULL
#define GZVM_REG_ARM64_SYSREG_CRN_SHIFT 7
#define GZVM_REG_ARM64_SYSREG_CRM_MASK	0x0000000000000078ULL
#define GZVM_REG_ARM64_SYSREG_CRM_SHIFT 3
#define GZVM_REG_ARM64_SYSREG_OP2_MASK	0x0000000000000007ULL
#define GZVM_REG_ARM64_SYSREG_OP2_SHIFT 0

#define GZVM_ARM64_SYS_REG(op0, op1, crn, crm, op2)                                                \
	(GZVM_REG_ARCH_ARM64 | GZVM_REG_SIZE_U64 | GZVM_REG_ARM64_SYSREG |                         \
	 (((__u64)(op0) << GZVM_REG_ARM64_SYSREG_OP0_SHIFT) & GZVM_REG_ARM64_SYSREG_OP0_MASK) |    \
	 (((__u64)(op1) << GZVM_REG_ARM64_SYSREG_OP1_SHIFT) & GZVM_REG_ARM64_SYSREG_OP1_MASK) |    \
	 (((__u64)(crn) << GZVM_REG_ARM64_SYSREG_CRN_SHIFT) & GZVM_REG_ARM64_SYSREG_CRN_MASK) |    \
	 (((__u64)(crm) << GZVM_REG_ARM64_SYSREG_CRM_SHIFT) & GZVM_REG_ARM64_SYSREG_CRM_MASK) |    \
	 (((__u64)(op2) << GZVM_REG_ARM64_SYSREG_OP2_SHIFT) & GZVM_REG_ARM64_SYSREG_OP2_MASK))

/* The layout CORE register ids index (KVM's kvm_regs): id = byte offset / 4. */
struct gzvm_user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};

struct gzvm_user_fpsimd_state {
	__u64 vregs[64]; /* V0..V31, 128 bits each, low half first */
	__u32 fpsr;
	__u32 fpcr;
	__u32 __reserved[2];
};

#define GZVM_NR_SPSR 5

struct gzvm_regs {
	struct gzvm_user_pt_regs regs;
	__u64 sp_el1;
	__u64 elr_el1;
	__u64 spsr[GZVM_NR_SPSR];
	__u64 __pad; /* fp_regs is 16-byte aligned in KVM's layout */
	struct gzvm_user_fpsimd_state fp_regs;
};

#define GZVM_REG_ARM_CORE_REG(name) (__builtin_offsetof(struct gzvm_regs, name) / sizeof(__u32))
#define GZVM_REG_CORE_ID(size, name)                                                               \
	(GZVM_REG_ARCH_ARM64 | (size) | GZVM_REG_ARM_CORE | GZVM_REG_ARM_CORE_REG(name))
#define GZVM_REG_CORE_X(n)    GZVM_REG_CORE_ID(GZVM_REG_SIZE_U64, regs.regs[n])
#define GZVM_REG_CORE_SP      GZVM_REG_CORE_ID(GZVM_REG_SIZE_U64, regs.sp)
#define GZVM_REG_CORE_PC      GZVM_REG_CORE_ID(GZVM_REG_SIZE_U64, regs.pc)
#define GZVM_REG_CORE_PSTATE  GZVM_REG_CORE_ID(GZVM_REG_SIZE_U64, regs.pstate)
#define GZVM_REG_CORE_SP_EL1  GZVM_REG_CORE_ID(GZVM_REG_SIZE_U64, sp_el1)
#define GZVM_REG_CORE_ELR_EL1 GZVM_REG_CORE_ID(GZVM_REG_SIZE_U64, elr_el1)
#define GZVM_REG_CORE_SPSR(n) GZVM_REG_CORE_ID(GZVM_REG_SIZE_U64, spsr[n])
#define GZVM_REG_CORE_V(n)    GZVM_REG_CORE_ID(GZVM_REG_SIZE_U128, fp_regs.vregs[2 * (n)])
#define GZVM_REG_CORE_FPSR    GZVM_REG_CORE_ID(GZVM_REG_SIZE_U32, fp_regs.fpsr)
#define GZVM_REG_CORE_FPCR    GZVM_REG_CORE_ID(GZVM_REG_SIZE_U32, fp_regs.fpcr)

/* ---- irqfd / ioeventfd ----------------------------------------------------------------- */
#define GZVM_IRQFD_FLAG_DEASSIGN (1 << 0)
#define GZVM_IRQFD_FLAG_RESAMPLE (1 << 1)

struct gzvm_irqfd {
	__u32 fd;
	__u32 gsi; /* 0-based SPI index */
	__u32 flags;
	__u32 resamplefd;
	__u8 pad[16]; /* must be zero */
};

enum {
	gzvm_ioeventfd_flag_nr_datamatch = 0,
	gzvm_ioeventfd_flag_nr_pio = 1,
	gzvm_ioeventfd_flag_nr_deassign = 2,
	gzvm_ioeventfd_flag_nr_max,
};
#define GZVM_IOEVENTFD_FLAG_DATAMATCH  (1 << gzvm_ioeventfd_flag_nr_datamatch)
#define GZVM_IOEVENTFD_FLAG_PIO	       (1 << gzvm_ioeventfd_flag_nr_pio)
#define GZVM_IOEVENTFD_FLAG_DEASSIGN   (1 << gzvm_ioeventfd_flag_nr_deassign)
#define GZVM_IOEVENTFD_VALID_FLAG_MASK ((1 << gzvm_ioeventfd_flag_nr_max) - 1)

struct gzvm_ioeventfd {
	__u64 datamatch;
	__u64 addr; /* legal MMIO address */
	__u32 len;  /* 0, 1, 2, 4 or 8 bytes */
	__s32 fd;
	__u32 flags;
	__u8 pad[36];
};

/* ---- Device tree ----------------------------------------------------------------------- */
struct gzvm_dtb_config {
	__u64 dtb_addr; /* guest PA of the DTB */
	__u64 dtb_size;
};

/* ---- The run structure ----------------------------------------------------------------- */
#define GZVM_EXIT_UNKNOWN	 0x92920000
#define GZVM_EXIT_MMIO		 0x92920001
#define GZVM_EXIT_HYPERCALL	 0x92920002
#define GZVM_EXIT_HVC		 GZVM_EXIT_HYPERCALL /* crosvm's name */
#define GZVM_EXIT_IRQ		 0x92920003
#define GZVM_EXIT_EXCEPTION	 0x92920004
#define GZVM_EXIT_DEBUG		 0x92920005
#define GZVM_EXIT_FAIL_ENTRY	 0x92920006
#define GZVM_EXIT_INTERNAL_ERROR 0x92920007
#define GZVM_EXIT_SYSTEM_EVENT	 0x92920008
#define GZVM_EXIT_SHUTDOWN	 0x92920009
#define GZVM_EXIT_GZ		 0x9292000a
#define GZVM_EXIT_IDLE		 0x9292000b
#define GZVM_EXIT_IPI		 0x9292000d

/* exception.exception */
#define GZVM_EXCEPTION_UNKNOWN	  0x0
#define GZVM_EXCEPTION_PAGE_FAULT 0x1

/* internal.suberror (opengz; data[] in docs/abi.md) */
#define GZVM_INTERNAL_MMIO_NO_ISV 1 /* data abort without a syndrome outside memory */
#define GZVM_INTERNAL_SERROR	  2

/* system_event.type (KVM's numbers) */
#define GZVM_SYSTEM_EVENT_SHUTDOWN 1
#define GZVM_SYSTEM_EVENT_RESET	   2
#define GZVM_SYSTEM_EVENT_CRASH	   3
#define GZVM_SYSTEM_EVENT_WAKEUP   4
#define GZVM_SYSTEM_EVENT_SUSPEND  5
#define GZVM_SYSTEM_EVENT_SEV_TERM 6
#define GZVM_SYSTEM_EVENT_S2IDLE   7

/* hypercall.args[0] of forwarded guest calls */
#define GZVM_HVC_PTP		0x86000001
#define GZVM_HVC_MEM_RELINQUISH 0xc6000009

/* mmio.completion (opengz extension, docs/abi.md): how the next RUN completes the access of
 * an MMIO exit or of an INTERNAL_ERROR exit with GZVM_INTERNAL_MMIO_NO_ISV (the field lies past
 * that exit's data, in internal.data[4]). 0 is what gzvm v13 does, so a VMM that never sets
 * the field gets it. */
#define GZVM_MMIO_COMPLETE_DATA                                                                    \
	0			       /* MMIO: a read loads data[], the PC steps past the access; \
					* MMIO_NO_ISV: nothing, the access runs again */
#define GZVM_MMIO_COMPLETE_EXT_ABORT 1 /* the access takes a synchronous external abort */

struct gzvm_vcpu_run {
	__u32 exit_reason;
	__u8 immediate_exit;
	__u8 padding1[3]; /* must be zero */
	union {
		/* GZVM_EXIT_MMIO */
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u64 size; /* bytes: 1, 2, 4 or 8 */
			__u32 reg_nr;
			__u8 is_write;
			__u64 reserved;	 /* opengz: zero */
			__u8 completion; /* opengz: GZVM_MMIO_COMPLETE_* (v13: padding) */
		} mmio;
		/* GZVM_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
		} fail_entry;
		/* GZVM_EXIT_EXCEPTION */
		struct {
			__u32 exception;
			__u32 error_code;
			__u64 fault_gpa;
			__u64 reserved[30];
		} exception;
		/* GZVM_EXIT_HYPERCALL */
		struct {
			__u64 args[8];
		} hypercall;
		/* GZVM_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		/* GZVM_EXIT_SYSTEM_EVENT */
		struct {
			__u32 type;
			__u32 ndata;
			__u64 data[16];
		} system_event;
		char padding[256];
	};
};

/* ---- ioctls ---------------------------------------------------------------------------- */
/* on /dev/gzvm */
#define GZVM_CREATE_VM	     _IO(GZVM_IOC_MAGIC, 0x01)
#define GZVM_CHECK_EXTENSION _IO(GZVM_IOC_MAGIC, 0x03) /* also on the VM fd */
/* on a VM fd */
#define GZVM_SET_MEMORY_REGION	    _IOW(GZVM_IOC_MAGIC, 0x40, struct gzvm_memory_region)
#define GZVM_CREATE_VCPU	    _IO(GZVM_IOC_MAGIC, 0x41)
#define GZVM_SET_USER_MEMORY_REGION _IOW(GZVM_IOC_MAGIC, 0x46, struct gzvm_userspace_memory_region)
#define GZVM_CREATE_IRQCHIP	    _IO(GZVM_IOC_MAGIC, 0x60) /* crosvm leftover, a no-op */
#define GZVM_IRQ_LINE		    _IOW(GZVM_IOC_MAGIC, 0x61, struct gzvm_irq_level)
#define GZVM_IRQFD		    _IOW(GZVM_IOC_MAGIC, 0x76, struct gzvm_irqfd)
#define GZVM_IOEVENTFD		    _IOW(GZVM_IOC_MAGIC, 0x79, struct gzvm_ioeventfd)
#define GZVM_ENABLE_CAP		    _IOW(GZVM_IOC_MAGIC, 0xa3, struct gzvm_enable_cap)
#define GZVM_CREATE_DEVICE	    _IOWR(GZVM_IOC_MAGIC, 0xe0, struct gzvm_create_device)
#define GZVM_SET_DTB_CONFIG	    _IOW(GZVM_IOC_MAGIC, 0xff, struct gzvm_dtb_config)
/* opengz extension on a VM fd: a channel between this VM and the VM of peer_fd (another VM
 * fd of the same device), docs/abi.md "Channels between VMs". irq / peer_irq: the doorbell
 * INTID (an SPI, 32..287) in this VM / in the peer; flags and reserved 0; id: out, the
 * channel id both guests use. */
struct gzvm_create_channel {
	__s32 peer_fd;
	__u32 flags;
	__u32 irq;
	__u32 peer_irq;
	__u32 id;
	__u32 reserved;
};
#define GZVM_CREATE_CHANNEL _IOWR(GZVM_IOC_MAGIC, 0xc0, struct gzvm_create_channel)
/* opengz extension on a VM fd: the bulk region of channel id, which joins this VM and the VM
 * of peer_fd (docs/abi.md "A channel's bulk region"): size bytes (a multiple of 4096, at most
 * 2 MiB) of memory the driver allocates, which leaves the host (neither user space nor the
 * kernel can read it from then on), owned by this VM and mapped read/write at ipa in it and
 * at peer_ipa in the peer until either VM is destroyed. flags and reserved 0. */
struct gzvm_create_channel_region {
	__s32 peer_fd;
	__u32 id;
	__u64 size;
	__u64 ipa;
	__u64 peer_ipa;
	__u32 flags;
	__u32 reserved;
};
#define GZVM_CREATE_CHANNEL_REGION _IOW(GZVM_IOC_MAGIC, 0xc1, struct gzvm_create_channel_region)

/* on a vCPU fd */
#define GZVM_RUN	 _IO(GZVM_IOC_MAGIC, 0x80) /* arg: user VA of a gzvm_vcpu_run */
#define GZVM_GET_ONE_REG _IOW(GZVM_IOC_MAGIC, 0xab, struct gzvm_one_reg)
#define GZVM_SET_ONE_REG _IOW(GZVM_IOC_MAGIC, 0xac, struct gzvm_one_reg)

/* ---- Layout checks (LP64; every number is the reference's) ----------------------------- */
#ifndef __cplusplus
#define __GZVM_CHECK(c)	 _Static_assert(c, #c)
#define __GZVM_OFF(t, f) __builtin_offsetof(struct t, f)
__GZVM_CHECK(sizeof(struct gzvm_memory_region) == 24);
__GZVM_CHECK(__GZVM_OFF(gzvm_memory_region, flags) == 4);
__GZVM_CHECK(__GZVM_OFF(gzvm_memory_region, guest_phys_addr) == 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_memory_region, memory_size) == 16);
__GZVM_CHECK(sizeof(struct gzvm_userspace_memory_region) == 32);
__GZVM_CHECK(__GZVM_OFF(gzvm_userspace_memory_region, flags) == 4);
__GZVM_CHECK(__GZVM_OFF(gzvm_userspace_memory_region, guest_phys_addr) == 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_userspace_memory_region, memory_size) == 16);
__GZVM_CHECK(__GZVM_OFF(gzvm_userspace_memory_region, userspace_addr) == 24);
__GZVM_CHECK(sizeof(struct gzvm_irq_level) == 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_irq_level, level) == 4);
__GZVM_CHECK(sizeof(struct gzvm_create_device) == 48);
__GZVM_CHECK(__GZVM_OFF(gzvm_create_device, id) == 4);
__GZVM_CHECK(__GZVM_OFF(gzvm_create_device, flags) == 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_create_device, dev_addr) == 16);
__GZVM_CHECK(__GZVM_OFF(gzvm_create_device, dev_reg_size) == 24);
__GZVM_CHECK(__GZVM_OFF(gzvm_create_device, attr_addr) == 32);
__GZVM_CHECK(__GZVM_OFF(gzvm_create_device, attr_size) == 40);
__GZVM_CHECK(sizeof(struct gzvm_enable_cap) == 48);
__GZVM_CHECK(__GZVM_OFF(gzvm_enable_cap, args) == 8);
__GZVM_CHECK(sizeof(struct gzvm_one_reg) == 16);
__GZVM_CHECK(__GZVM_OFF(gzvm_one_reg, addr) == 8);
__GZVM_CHECK(sizeof(struct gzvm_irqfd) == 32);
__GZVM_CHECK(__GZVM_OFF(gzvm_irqfd, gsi) == 4);
__GZVM_CHECK(__GZVM_OFF(gzvm_irqfd, flags) == 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_irqfd, resamplefd) == 12);
__GZVM_CHECK(__GZVM_OFF(gzvm_irqfd, pad) == 16);
__GZVM_CHECK(sizeof(struct gzvm_ioeventfd) == 64);
__GZVM_CHECK(__GZVM_OFF(gzvm_ioeventfd, addr) == 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_ioeventfd, len) == 16);
__GZVM_CHECK(__GZVM_OFF(gzvm_ioeventfd, fd) == 20);
__GZVM_CHECK(__GZVM_OFF(gzvm_ioeventfd, flags) == 24);
__GZVM_CHECK(__GZVM_OFF(gzvm_ioeventfd, pad) == 28);
__GZVM_CHECK(sizeof(struct gzvm_dtb_config) == 16);
__GZVM_CHECK(__GZVM_OFF(gzvm_dtb_config, dtb_size) == 8);
__GZVM_CHECK(sizeof(struct gzvm_vcpu_run) == 264);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, immediate_exit) == 4);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, padding1) == 5);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, mmio.phys_addr) == 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, mmio.data) == 8 + 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, mmio.size) == 8 + 16);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, mmio.reg_nr) == 8 + 24);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, mmio.is_write) == 8 + 28);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, mmio.completion) == 8 + 40);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, mmio.completion) ==
	     __GZVM_OFF(gzvm_vcpu_run, internal.data[4]));
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, fail_entry.cpu) == 8 + 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, exception.error_code) == 8 + 4);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, exception.fault_gpa) == 8 + 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, exception.reserved) == 8 + 16);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, hypercall.args) == 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, internal.ndata) == 8 + 4);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, internal.data) == 8 + 8);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, system_event.ndata) == 8 + 4);
__GZVM_CHECK(__GZVM_OFF(gzvm_vcpu_run, system_event.data) == 8 + 8);
__GZVM_CHECK(sizeof(struct gzvm_regs) == 864);
__GZVM_CHECK(__GZVM_OFF(gzvm_regs, sp_el1) == 272);
__GZVM_CHECK(__GZVM_OFF(gzvm_regs, fp_regs) == 336);
__GZVM_CHECK(GZVM_REG_CORE_X(0) == 0x6030000000100000ULL);
__GZVM_CHECK(GZVM_REG_CORE_SP == 0x603000000010003eULL);
__GZVM_CHECK(GZVM_REG_CORE_PC == 0x6030000000100040ULL);
__GZVM_CHECK(GZVM_REG_CORE_PSTATE == 0x6030000000100042ULL);
__GZVM_CHECK(GZVM_CREATE_VM == 0x00009201);
__GZVM_CHECK(GZVM_CHECK_EXTENSION == 0x00009203);
__GZVM_CHECK(GZVM_SET_MEMORY_REGION == 0x40189240);
__GZVM_CHECK(GZVM_CREATE_VCPU == 0x00009241);
__GZVM_CHECK(GZVM_SET_USER_MEMORY_REGION == 0x40209246);
__GZVM_CHECK(GZVM_CREATE_IRQCHIP == 0x00009260);
__GZVM_CHECK(GZVM_IRQ_LINE == 0x40089261);
__GZVM_CHECK(GZVM_IRQFD == 0x40209276);
__GZVM_CHECK(GZVM_IOEVENTFD == 0x40409279);
__GZVM_CHECK(GZVM_RUN == 0x00009280);
__GZVM_CHECK(GZVM_ENABLE_CAP == 0x403092a3);
__GZVM_CHECK(GZVM_GET_ONE_REG == 0x401092ab);
__GZVM_CHECK(GZVM_SET_ONE_REG == 0x401092ac);
__GZVM_CHECK(GZVM_CREATE_DEVICE == 0xc03092e0);
__GZVM_CHECK(GZVM_SET_DTB_CONFIG == 0x401092ff);
__GZVM_CHECK(GZVM_CREATE_CHANNEL == 0xc01892c0);
__GZVM_CHECK(GZVM_CREATE_CHANNEL_REGION == 0x402892c1);
#undef __GZVM_OFF
#undef __GZVM_CHECK
#endif

#endif /* __GZVM_UAPI_H__ */
