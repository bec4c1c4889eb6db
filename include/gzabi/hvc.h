/*
 * The host -> hypervisor call ABI (MT_HVC_GZVM_*, v13 numbering): SMC64 fast-call function
 * ids issued with HVC #0, x1..x7 arguments, x0 status (include/gzabi/status.h) and x1..x3
 * results; the vm/vcpu tuple; the shared per-vCPU block (run page + hwstate page); the
 * memory-region descriptor of SET_MEMREGION. Shared by the driver and the hypervisor.
 */
#ifndef GZ_HVC_H
#define GZ_HVC_H

#include <linux/types.h>

/* SMCCC: fast call (bit 31), SMC64 (bit 30), owner 59 (SMC_ENTITY_MTK) in [29:24],
 * function number 0x1000 + n in [15:0]. */
#define GZ_HVC_FAST_CALL   0x80000000U
#define GZ_HVC_SMC64	   0x40000000U
#define GZ_HVC_OWNER_SHIFT 24
#define GZ_HVC_OWNER_MTK   59U
#define GZ_HVC_FN_BASE	   0x1000U
#define GZ_HVC_ID(n)                                                                               \
	(GZ_HVC_FAST_CALL | GZ_HVC_SMC64 | (GZ_HVC_OWNER_MTK << GZ_HVC_OWNER_SHIFT) |              \
	 (GZ_HVC_FN_BASE + (__u32)(n)))
/* The SMC32 ids of v1-v8 and vendor kernels (0xBB0010nn); opengz does not accept them. */
#define GZ_HVC_ID_SMC32(n) (GZ_HVC_ID(n) & ~GZ_HVC_SMC64)

enum gz_hvc_fn {
	GZ_HVC_FN_CREATE_VM = 0,
	GZ_HVC_FN_DESTROY_VM = 1,
	GZ_HVC_FN_CREATE_VCPU = 2,
	GZ_HVC_FN_DESTROY_VCPU = 3,
	GZ_HVC_FN_SET_MEMREGION = 4,
	GZ_HVC_FN_RUN = 5,
	GZ_HVC_FN_GET_REGS = 6, /* removed in v5: NOT_SUPPORTED */
	GZ_HVC_FN_SET_REGS = 7, /* removed in v5: NOT_SUPPORTED */
	GZ_HVC_FN_GET_ONE_REG = 8,
	GZ_HVC_FN_SET_ONE_REG = 9,
	GZ_HVC_FN_IRQ_LINE = 10,
	GZ_HVC_FN_CREATE_DEVICE = 11,
	GZ_HVC_FN_PROBE = 12,
	GZ_HVC_FN_ENABLE_CAP = 13,
	GZ_HVC_FN_INFORM_EXIT = 14,
	GZ_HVC_FN_MEMREGION_PURPOSE = 15,
	GZ_HVC_FN_SET_DTB_CONFIG = 16,
	GZ_HVC_FN_MAP_GUEST = 17,
	GZ_HVC_FN_MAP_GUEST_BLOCK = 18,
	GZ_HVC_FN_GET_STATISTICS = 19,
	GZ_HVC_FN_NR
};

/* opengz: MAP_GUEST_AHEAD(x1 = vm, x2 = slot, x3 = gfn, x4 = pfn of gfn, x5..x7 = pfns of
 * gfn + 1 .. gfn + 3, 0 for none). Maps gfn as MAP_GUEST(vm, slot, x4, gfn, 1) does; the other
 * pages stay the host's, held for the guest's first stage-2 fault on their gfn, which gzhyp
 * then serves itself (the same checks as MAP_GUEST, at that moment) without a trip to the
 * host. A later call replaces what the last one held. Function number 0x42, after
 * CHAN_CREATE's 0x40 and CHAN_REGION's 0x41 (include/gzabi/chan.h), away from gzvm's 0..19.
 * docs/abi.md. */
#define GZ_HVC_FN_MAP_GUEST_AHEAD 0x42U
#define GZ_HVC_MAP_GUEST_AHEAD	  0xfb001042U
#define GZ_MAP_AHEAD_PAGES	  3 /* pages a MAP_GUEST_AHEAD holds beyond its gfn */

#define GZ_HVC_CREATE_VM	 GZ_HVC_ID(GZ_HVC_FN_CREATE_VM)		/* 0xfb001000 */
#define GZ_HVC_DESTROY_VM	 GZ_HVC_ID(GZ_HVC_FN_DESTROY_VM)	/* 0xfb001001 */
#define GZ_HVC_CREATE_VCPU	 GZ_HVC_ID(GZ_HVC_FN_CREATE_VCPU)	/* 0xfb001002 */
#define GZ_HVC_DESTROY_VCPU	 GZ_HVC_ID(GZ_HVC_FN_DESTROY_VCPU)	/* 0xfb001003 */
#define GZ_HVC_SET_MEMREGION	 GZ_HVC_ID(GZ_HVC_FN_SET_MEMREGION)	/* 0xfb001004 */
#define GZ_HVC_RUN		 GZ_HVC_ID(GZ_HVC_FN_RUN)		/* 0xfb001005 */
#define GZ_HVC_GET_REGS		 GZ_HVC_ID(GZ_HVC_FN_GET_REGS)		/* 0xfb001006 */
#define GZ_HVC_SET_REGS		 GZ_HVC_ID(GZ_HVC_FN_SET_REGS)		/* 0xfb001007 */
#define GZ_HVC_GET_ONE_REG	 GZ_HVC_ID(GZ_HVC_FN_GET_ONE_REG)	/* 0xfb001008 */
#define GZ_HVC_SET_ONE_REG	 GZ_HVC_ID(GZ_HVC_FN_SET_ONE_REG)	/* 0xfb001009 */
#define GZ_HVC_IRQ_LINE		 GZ_HVC_ID(GZ_HVC_FN_IRQ_LINE)		/* 0xfb00100a */
#define GZ_HVC_CREATE_DEVICE	 GZ_HVC_ID(GZ_HVC_FN_CREATE_DEVICE)	/* 0xfb00100b */
#define GZ_HVC_PROBE		 GZ_HVC_ID(GZ_HVC_FN_PROBE)		/* 0xfb00100c */
#define GZ_HVC_ENABLE_CAP	 GZ_HVC_ID(GZ_HVC_FN_ENABLE_CAP)	/* 0xfb00100d */
#define GZ_HVC_INFORM_EXIT	 GZ_HVC_ID(GZ_HVC_FN_INFORM_EXIT)	/* 0xfb00100e */
#define GZ_HVC_MEMREGION_PURPOSE GZ_HVC_ID(GZ_HVC_FN_MEMREGION_PURPOSE) /* 0xfb00100f */
#define GZ_HVC_SET_DTB_CONFIG	 GZ_HVC_ID(GZ_HVC_FN_SET_DTB_CONFIG)	/* 0xfb001010 */
#define GZ_HVC_MAP_GUEST	 GZ_HVC_ID(GZ_HVC_FN_MAP_GUEST)		/* 0xfb001011 */
#define GZ_HVC_MAP_GUEST_BLOCK	 GZ_HVC_ID(GZ_HVC_FN_MAP_GUEST_BLOCK)	/* 0xfb001012 */
#define GZ_HVC_GET_STATISTICS	 GZ_HVC_ID(GZ_HVC_FN_GET_STATISTICS)	/* 0xfb001013 */

/* ---- vm/vcpu tuple in x1: (vm_id << 16) | vcpu_id, both u16 ------------------------- */
#define GZ_HVC_INVALID_VM_ID 0xffffU
static inline __u64 gz_hvc_tuple(__u16 vm_id, __u16 vcpu_id)
{
	return ((__u64)vm_id << 16) | vcpu_id;
}
static inline __u16 gz_hvc_tuple_vm(__u64 tuple)
{
	return (__u16)(tuple >> 16);
}
static inline __u16 gz_hvc_tuple_vcpu(__u64 tuple)
{
	return (__u16)tuple;
}
/* A tuple argument with bits above 31 set is malformed (rejected with INVALID_ARGS). */
static inline int gz_hvc_tuple_valid(__u64 tuple)
{
	return (tuple >> 32) == 0;
}

/* ---- PROBE version handshake ------------------------------------------------------------ */
/* The v13 driver sends its version (16.0.0) in x1..x3; the hypervisor answers its own in
 * x1..x3. A driver major of 0 (pre-v13 drivers send nothing) is accepted as legacy; any
 * other major than GZ_HYP_VERSION_MAJOR is refused with ERR_NOT_SUPPORTED. */
#define GZ_DRV_VERSION_MAJOR 16
#define GZ_DRV_VERSION_MINOR 0
#define GZ_DRV_VERSION_SUB   0
#define GZ_HYP_VERSION_MAJOR 16
#define GZ_HYP_VERSION_MINOR 0
#define GZ_HYP_VERSION_SUB   0

/* ---- Shared per-vCPU block (CREATE_VCPU x2): 2 pages, page 0 run, page 1 hwstate ------ */
#define GZ_HVC_PAGE_SIZE	 4096
#define GZVM_VCPU_RUN_MAP_SIZE	 (2 * GZ_HVC_PAGE_SIZE)
#define GZVM_VCPU_HWSTATE_OFFSET GZ_HVC_PAGE_SIZE
#define GZVM_VCPU_HWSTATE_NR_LRS 16

struct gzvm_vcpu_hwstate {
	__le32 nr_lrs;
	__le32 __pad;
	__le64 lr[GZVM_VCPU_HWSTATE_NR_LRS];
	__le64 vtimer_offset;  /* host counter when the guest started */
	__le64 vtimer_delay;   /* counter ticks until the guest vtimer fires */
	__le32 vtimer_migrate; /* non-zero: the host emulates the pending vtimer */
	__le32 __pad2;
};

/* opengz extension: the vCPU's exit log, in the hwstate page after gzvm_vcpu_hwstate. While
 * the host sets `on` (read at the start of each RUN), gzhyp appends every exit of a normal
 * VM's vCPU (a protected VM's stay closed: none), the ones its fast path and core finished
 * inside the RUN and the one that ended it, and ends a RUN (GZVM_EXIT_GZ, as at the end of
 * its budget) before the log wraps over a record of that RUN; the host reads what is new
 * after each RUN (gzvm.ko's exit trace, docs/debugging.md). */
#define GZ_EXIT_LOG_OFFSET 256 /* in the hwstate page */
#define GZ_EXIT_LOG_NR	   78

enum gz_exit_log_handler {
	GZ_EXIT_LOG_FAST = 1, /* the core's fast path, from the trap */
	GZ_EXIT_LOG_CORE = 2, /* the core's run loop, back into the guest */
	GZ_EXIT_LOG_HOST = 3, /* the run page holds it for the host (run->exit_reason) */
};

struct gz_exit_log_rec {
	__le64 t_exit; /* the physical counter at the exit */
	__le64 esr, far, hpfar, pc;
	__le32 cost;  /* counter ticks from the exit to the vCPU's next entry; 0: not yet */
	__u8 kind;    /* enum gz_exit_kind: 0 sync, 1 irq, 2 serror, 3 fail-entry */
	__u8 handler; /* enum gz_exit_log_handler */
	__le16 __pad;
};

struct gz_exit_log {
	__le32 head; /* records written (mod 2^32): the next goes to rec[head % GZ_EXIT_LOG_NR] */
	__le32 on;   /* the host's: non-zero, log the exits of the RUNs to come */
	__le64 __pad;
	struct gz_exit_log_rec rec[GZ_EXIT_LOG_NR];
};

/* ---- SET_MEMREGION descriptor (x3 = PA of an 8 KiB buffer, x2 = its size) --------------- */
#define GZVM_MEMREGION_BUF_SIZE (2 * GZ_HVC_PAGE_SIZE)

struct mem_region_addr_range {
	__u64 address; /* host PA, 4 KiB aligned */
	__u32 pg_cnt;
	__u32 reserved;
};

struct gzvm_memory_region_ranges {
	__u32 slot;
	__u32 constituent_cnt;
	__u64 total_pages;
	__u64 gpa;
	struct mem_region_addr_range constituents[];
};

#define GZVM_MEMREGION_MAX_CONSTITUENTS                                                            \
	((GZVM_MEMREGION_BUF_SIZE - sizeof(struct gzvm_memory_region_ranges)) /                    \
	 sizeof(struct mem_region_addr_range))

/* ---- GET_STATISTICS results ------------------------------------------------------------ */
/* x1 = protected_hyp_mem (bytes of hypervisor-owned memory incl. stage-2 tables),
 * x2 = protected_shared_mem (bytes shared with the host). */

#ifndef __cplusplus
_Static_assert(GZ_HVC_CREATE_VM == 0xfb001000U, "SMC64 id");
_Static_assert(GZ_HVC_RUN == 0xfb001005U, "SMC64 id");
_Static_assert(GZ_HVC_GET_STATISTICS == 0xfb001013U, "SMC64 id");
_Static_assert(GZ_HVC_MAP_GUEST_AHEAD == GZ_HVC_ID(GZ_HVC_FN_MAP_GUEST_AHEAD), "SMC64 id");
_Static_assert(GZ_HVC_ID_SMC32(5) == 0xbb001005U, "SMC32 id");
_Static_assert(sizeof(struct gzvm_vcpu_hwstate) == 160, "hwstate size");
_Static_assert(sizeof(struct gz_exit_log_rec) == 48, "exit log record");
_Static_assert(GZ_EXIT_LOG_OFFSET >= sizeof(struct gzvm_vcpu_hwstate) &&
		   GZ_EXIT_LOG_OFFSET + sizeof(struct gz_exit_log) <= GZ_HVC_PAGE_SIZE,
	       "the exit log fits the hwstate page after the hwstate");
_Static_assert(__builtin_offsetof(struct gzvm_vcpu_hwstate, lr) == 8, "hwstate lr");
_Static_assert(__builtin_offsetof(struct gzvm_vcpu_hwstate, vtimer_offset) == 136, "offset");
_Static_assert(__builtin_offsetof(struct gzvm_vcpu_hwstate, vtimer_delay) == 144, "delay");
_Static_assert(__builtin_offsetof(struct gzvm_vcpu_hwstate, vtimer_migrate) == 152, "migrate");
_Static_assert(sizeof(struct gzvm_memory_region_ranges) == 24, "ranges header");
_Static_assert(sizeof(struct mem_region_addr_range) == 16, "constituent");
_Static_assert(GZVM_MEMREGION_MAX_CONSTITUENTS == 510, "510 constituents per call");
#endif

#endif
