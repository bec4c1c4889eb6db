/*
 * The ID registers a guest reads (HCR_EL2.TID3 traps them all, as KVM does): one view per VM,
 * computed once at CREATE_VM from the physical CPU's registers (gz_hal_cpu_id_reg) and what
 * opengz virtualizes, so a guest is told of nothing that would not work and every vCPU of it
 * reads the same values on every CPU and in every world. The table is docs/architecture.md's.
 */
#ifndef GZ_SYSREG_ID_H
#define GZ_SYSREG_ID_H

#include <arm64/idreg.h>
#include <arm64/types.h>
#include <gzhyp/exit.h>

/* What the view offers of guest debug and the PMU (the counts, minus one as in
 * ID_AA64DFR0_EL1, are upper bounds: a CPU with fewer keeps its own). */
#define GZ_ID_BRPS_MAX	   5 /* 6 breakpoints */
#define GZ_ID_WRPS_MAX	   3 /* 4 watchpoints */
#define GZ_ID_CTX_CMPS_MAX 1 /* 2 of the breakpoints context-aware */

/* Fill a VM's @view (indexed by ID_AA64_INDEX). */
void gz_sysreg_id_init(uint64_t view[ID_AA64_NR]);

/* A trapped ID-register access (a handler of trapped system registers): a read gets the VM's
 * view (AArch32 and unallocated encodings read as zero), a write is UNDEFINED (GZ_EXIT_NEXT
 * leaves it to the default outcome). */
enum gz_exit_action gz_sysreg_id(struct gz_vcpu *vcpu, const struct gz_exit *x);

#endif
