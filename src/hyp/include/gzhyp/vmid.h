/*
 * VMID allocation with generations (the scheme of Arm's ASID allocators): a VM's VMID is
 * valid while its generation is the allocator's. When the VMID space runs out, the
 * generation advances, every TLB entry of every VMID is invalidated (gz_hal_tlbi_all_vmids)
 * and VMIDs are handed out afresh; VMIDs live on a CPU at that moment are kept by their VMs.
 * VMID 0 is reserved for the host VM. 8- or 16-bit VMIDs (VTCR_EL2.VS).
 */
#ifndef GZ_VMID_H
#define GZ_VMID_H

#include <hal.h>

#ifndef GZ_MAX_PCPUS
#define GZ_MAX_PCPUS 8
#endif

#define GZ_VMID_HOST 0

/* A VM's VMID: generation << 16 | vmid; 0 = none yet. Zero-initialise. */
struct gz_vmid {
	uint64_t id;
};

struct gz_vmid_alloc {
	gz_lock_t lock;
	unsigned bits;			 /* 8 or 16 */
	uint64_t generation;		 /* starts at 1 */
	uint32_t next;			 /* where the search for a free VMID starts */
	uint64_t active[GZ_MAX_PCPUS];	 /* id entered on each CPU (0: none) */
	uint64_t reserved[GZ_MAX_PCPUS]; /* ids kept across the last rollover */
	uint64_t used[(1u << 16) / 64];	 /* VMIDs of the current generation */
	uint64_t rollovers;		 /* statistics */
};

/* @bits must be 8 or 16 (the CPU's ID_AA64MMFR1_EL1.VMIDBits). GZ_ERR_INVALID_ARGS. */
int gz_vmid_alloc_init(struct gz_vmid_alloc *a, unsigned bits);
/* Before entering a vCPU of the VM owning @vmid on @cpu: the VMID to run with (allocated or
 * renewed as needed; may roll over). @cpu < GZ_MAX_PCPUS. Lock-protected inside. */
uint16_t gz_vmid_enter(struct gz_vmid_alloc *a, struct gz_vmid *vmid, unsigned cpu);
/* The VMID last handed to @vmid (for TLB maintenance); 0 when it never ran. */
static inline uint16_t gz_vmid_value(const struct gz_vmid *vmid)
{
	return (uint16_t)(vmid->id & 0xffff);
}
/* The VM is destroyed: its TLB entries are flushed and its VMID goes back. */
void gz_vmid_release(struct gz_vmid_alloc *a, struct gz_vmid *vmid);
/* VTCR_EL2.VS for this allocator's VMID width. */
uint64_t gz_vmid_vtcr_vs(const struct gz_vmid_alloc *a);

#endif
