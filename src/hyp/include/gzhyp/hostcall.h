/*
 * The host hypercall entry of the core: every MT_HVC_GZVM_* call (include/gzabi/hvc.h) arrives
 * here with the SMCCC registers of the calling host CPU, and the core's global state is set
 * up once by gz_core_init before the first call.
 */
#ifndef GZ_HOSTCALL_H
#define GZ_HOSTCALL_H

#include <arm64/types.h>
#include <gzhyp/mem.h>

struct gz_smccc_regs {
	uint64_t a[8];
};

/* In: a[0] = function id, a[1..7] = arguments. Out: a[0] = status (include/gzabi/status.h),
 * a[1..3] = results; a[4..7] are left as they were. Never fails silently: unknown ids get
 * GZ_ERR_NOT_SUPPORTED, bad arguments GZ_ERR_INVALID_ARGS and nothing changes. */
void gz_hostcall_dispatch(struct gz_smccc_regs *regs);

struct gz_core_config {
	struct gz_mem_config mem; /* hypervisor image and working memory (gz_mem_init) */
	unsigned vmid_bits;	  /* 8 or 16 (ID_AA64MMFR1_EL1.VMIDBits); 0 means 8 */
};

/* Initialise the core: memory (page-state store, pool, host stage-2), VMID allocator, VM
 * table. Call once per boot (tests: once per test, after
 * fake_hal_reset). Returns GZ_OK or the failing step's negative status. */
int gz_core_init(const struct gz_core_config *cfg);

#endif
