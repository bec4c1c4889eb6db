/*
 * Guest VMs: the VM table, the VM object and its state machine.
 *
 *   (free) --CREATE_VM--> CREATED --first RUN--> RUNNING --SYSTEM_OFF/RESET--> OFF
 *      ^                     |                      |                          |
 *      +----- DESTROY_VM (batched; DESTROYING until GZ_OK) <-------------------+
 *
 * CREATED: configuration calls (ENABLE_CAP of the mode capabilities, SET_DTB_CONFIG) are
 * accepted; RUNNING: a vCPU has run; OFF: the guest asked for power-off/reset, every RUN
 * repeats the SYSTEM_EVENT exit; DESTROYING: reclaim in progress, only DESTROY_VM is
 * accepted. VM ids are 1..GZ_MAX_VMS (0 addresses the hypervisor in ENABLE_CAP queries).
 *
 * Limits the host sets (opengz extensions, docs/abi.md): how many VMs may exist at once
 * (1..GZ_MAX_VMS, the table's size; CREATE_VM beyond it is GZ_ERR_NO_RESOURCES), and the quota
 * of pool pages each new VM gets (gz_vm_mem_quota_set), which one VM cannot go past, so it
 * cannot take the pool from the others. A quota the host sets for one VM (ENABLE_CAP) is
 * also a reservation: held for that VM, refused when the pool cannot back it.
 *
 * The VM control blocks live in the hypervisor's own memory (a fixed table; the embedded
 * vGIC needs more than one contiguous page and the pool hands out single pages). Everything
 * that grows with the guest comes from host-donated pool pages charged to the VM: vCPU
 * objects, stage-2 tables (gz_vm_mem).
 */
#ifndef GZ_VM_H
#define GZ_VM_H

#include <arm64/idreg.h>
#include <arm64/types.h>
#include <gzhyp/mem.h>
#include <gzhyp/mmio_const.h>
#include <gzhyp/mmio_guard.h>
#include <gzhyp/pvmfw.h>
#include <gzhyp/vgic.h>
#include <gzhyp/vmid.h>
#include <hal.h>

/* The VM table's size (a build setting): 12 KiB of gzhyp's BSS per VM, the embedded vGIC
 * most of it. */
#ifndef GZ_MAX_VMS
#define GZ_MAX_VMS 64
#endif
/* The default quota of a VM's pool pages: an 8 GiB guest mapped page by page (4096 last-level
 * tables, 8 above them, the root) with 8 vCPUs, and room to spare. */
#define GZ_VM_HYP_QUOTA_DEFAULT 4608
#define GZ_VM_MAX_VCPUS		8  /* GZVM_MAX_VCPUS */
#define GZ_VM_IPA_BITS		40 /* guest IPA size (crosvm's fallback, covers 0x80000000+) */
#define GZ_VM_NR_SPIS		256
#define GZ_VM_TYPE_LINUX	0 /* the only vm_type CREATE_VM accepts */

enum gz_vm_state {
	GZ_VM_FREE = 0,
	GZ_VM_CREATED,
	GZ_VM_RUNNING,
	GZ_VM_OFF,
	GZ_VM_DESTROYING,
	GZ_VM_CREATING, /* slot reserved by a CREATE_VM in progress: invisible */
};

struct gz_vcpu;

/*
 * Who may touch a field (its rule is next to it):
 *   [const]  set by CREATE_VM before the state is published (release); read-only after
 *   [lock]   vm->lock
 *   [table]  the VM table's lock (vm.c)
 *   [atomic] only through gzhyp/atomic.h, with the order the rule names
 */
struct gz_vm {
	uint16_t id; /* [const] */
	/* enum gz_vm_state. Changed under [lock] (FREE/CREATING under [table]), every change a
	 * gz_atomic_store_release; read under the lock, or with gz_atomic_load_acquire */
	uint8_t state;
	uint8_t ipa_bits; /* [const] guest IPAs are below 1 << ipa_bits */
	gz_lock_t lock;
	struct gz_vcpu *vcpus[GZ_VM_MAX_VCPUS]; /* [lock] */
	unsigned nr_vcpus;			/* [lock] */
	/* ENABLE_IDLE. [atomic] relaxed: set by the capability call, read by running vCPUs,
	 * which see it at their next WFI (demand paging is the memory object's: mem) */
	bool idle_cap;
	/* the guest's MMIO_GUARD calls and the exits they filter (exit.c) [lock] */
	struct gz_mmio_guard mmio_guard;
	/* constant device registers the VMM declared (gzhyp/mmio_const.h): written under [lock]
	 * while the VM is CREATED; after, only an updatable entry's value, under [lock] */
	struct gz_mmio_const mmio_const;
	/* SET_DTB_CONFIG [lock] */
	gz_ipa_t dtb_addr;
	uint64_t dtb_size;
	/* PSCI system events: the type every further RUN reports once the VM is OFF. Written
	 * once, under [lock], before state becomes OFF: read without the lock after an acquire
	 * load of state that saw OFF */
	uint32_t sys_event;
	uint64_t sys_event_data;
	uint64_t cntvoff;  /* [const] vtimer_offset: host counter at VM creation */
	uint64_t vtcr_el2; /* [const] of its vCPUs: its stage 2 and the VMID width */
	/* [const] the ID registers its vCPUs read (gzhyp/sysreg_id.h) */
	uint64_t id_aa64[ID_AA64_NR];
	/* vCPUs the vGIC asked to look at their interrupts (bit per index): each vCPU takes
	 * its own bit at every entry, and a waiting one polls it. [atomic] (the interrupts
	 * themselves are ordered by the vGIC's lock): set by the kick (gz_atomic_or_seq_cst)
	 * before it looks at the target under [lock] and for the CPU that has it loaded, read
	 * by the HAL after it published an entry (hal.h, gz_hal_ctx_kicked, through the
	 * vCPU context's kick_word); cleared (relaxed) only by gz_vm_kicks_take, which clears
	 * exactly the bits it loaded: a kick set in between stays for the next */
	uint32_t kick_mask;
	/* The kicked vCPUs that were not inside a RUN (their host thread may sleep in IDLE):
	 * a running vCPU turns these into a GZVM_EXIT_IPI so the host wakes them. A vCPU
	 * inside a RUN (in its guest or polling at EL2) sees its kick itself and costs no trip
	 * to the host. [atomic] set under [lock] by the kick, taken by gz_vm_wakes_take. */
	uint32_t wake_mask;
	/* [table] host calls using the VM right now (gz_vm_acquire): DESTROY_VM frees the
	 * control block only when it is the last one */
	uint32_t users;
	struct gz_vmid vmid; /* the VMID allocator's lock (gzhyp/vmid.h) */
	/* the memory lock (gzhyp/mem.h); mem.s2.vmid: gzhyp/pgtable.h. mem.kind, the VM's kind
	 * (gz_vm_kind): written only by gz_vm_set_kind while the VM is CREATED, under [lock] and
	 * the memory lock; read under either, or by a vCPU, whose RUN made the VM RUNNING under
	 * [lock], after which it never changes */
	struct gz_vm_mem mem;
	struct gz_vgic vgic;   /* its own lock (gzhyp/vgic.h) */
	struct gz_pvmfw pvmfw; /* [lock] its firmware (gzhyp/pvmfw.h) */
};

/* Reset the VM table (gz_core_init), the VM limit and the default quota. */
void gz_vm_table_init(void);
/* The host's limits. Set the number of VMs that may exist at once (1..GZ_MAX_VMS, else
 * GZ_ERR_INVALID_ARGS; VMs beyond a lowered limit stay); the limit now. */
int gz_vm_limit_set(uint64_t n);
unsigned gz_vm_limit(void);
/* Set the quota (pool pages, at least 1, else GZ_ERR_INVALID_ARGS) VMs created from now on
 * get; the default now. */
int gz_vm_quota_default_set(uint64_t pages);
uint64_t gz_vm_quota_default(void);
/* The VMID allocator the VMs use (initialised by gz_core_init with @bits 8 or 16). */
struct gz_vmid_alloc *gz_vm_vmid_alloc(void);

/* CREATE_VM: allocate a VM of @vm_type. GZ_OK and *@id; GZ_ERR_INVALID_ARGS for an unknown
 * type, GZ_ERR_NO_RESOURCES when the VM limit is reached, GZ_ERR_NO_MEMORY (pool empty). */
int gz_vm_create(uint64_t vm_type, uint16_t *id);
/* The live VM with @id (any state but FREE), or NULL. */
struct gz_vm *gz_vm_get(uint64_t id);
/* The VM with @id for the duration of a host call, with a reference held (any state but
 * FREE/CREATING), or NULL. Every acquire is paired with gz_vm_release, except a successful
 * gz_vm_destroy, which consumes the caller's reference. */
struct gz_vm *gz_vm_acquire(uint64_t id);
void gz_vm_release(struct gz_vm *vm);
/* DESTROY_VM on a VM the caller acquired: the first call moves it to DESTROYING (GZ_ERR_BUSY
 * while a vCPU is running), destroys its vCPUs and starts the reclaim; each call reclaims at
 * most @batch pages (0: GZ_MEM_DESTROY_BATCH). GZ_ERR_BUSY: call again (also while another
 * host call still uses the VM); GZ_OK: the VM is gone and the reference consumed. */
int gz_vm_destroy(struct gz_vm *vm, uint64_t batch);
/* The VM's kind (enum gz_vm_kind, gzhyp/mem.h): GZ_VM_NORMAL from CREATE_VM. */
static inline enum gz_vm_kind gz_vm_kind(const struct gz_vm *vm)
{
	return (enum gz_vm_kind)vm->mem.kind;
}
/* Set the VM's kind before its first RUN (the protected-VM capability): GZ_OK (also when it
 * is that kind already), GZ_ERR_BAD_STATE once a vCPU has run (or the VM is OFF or being
 * destroyed), GZ_ERR_NOT_ALLOWED for protected -> normal (donated pages cannot become lent
 * ones), GZ_ERR_INVALID_ARGS for an unknown kind. */
int gz_vm_set_kind(struct gz_vm *vm, enum gz_vm_kind kind);
/* Number of live VMs and access by index (invariant checks). */
unsigned gz_vm_count(void);
struct gz_vm *gz_vm_at(unsigned idx);

/* Take the pending kicks of the vCPUs in @mask: clear and return those set now. */
uint32_t gz_vm_kicks_take(struct gz_vm *vm, uint32_t mask);
/* Take the pending host wake-ups (wake_mask) of the vCPUs in @mask, as gz_vm_kicks_take. */
uint32_t gz_vm_wakes_take(struct gz_vm *vm, uint32_t mask);
/* The vCPU of @vm whose MPIDR affinity is @mpidr (other bits must be zero), or NULL. */
struct gz_vcpu *gz_vm_find_vcpu_by_mpidr(struct gz_vm *vm, uint64_t mpidr);

#endif
