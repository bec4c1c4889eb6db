/* SPDX-License-Identifier: GPL-2.0 */
/* Internal helpers of the portable driver logic: hypercall wrappers, locking, the functions
 * its files share. Not for embedders.
 */
#ifndef GZDRV_PRIV_H
#define GZDRV_PRIV_H

#include "gzdrv.h"
#include <uapi/linux/gzvm.h>
#include <gzabi/hvc.h>
#include <gzabi/status.h>
#include <gzabi/chan.h>
#include <gzabi/guest_calls.h>
#include <arm64/gicv3.h>
#include <arm64/ich.h>

/* The guest's GIC: SPI n is INTID n + ARCH_GIC_SPI_BASE; NUM of an SPI index must stay below
 * 988. */
#define GZDRV_MAX_SPIS 988

#define GZDRV_NSEC_PER_SEC 1000000000ULL
/* A hypervisor that answers BUSY forever must not hang VM teardown. */
#define GZDRV_DESTROY_MAX_CALLS (1U << 22)

/* The exit trace's side of a vCPU (xtrace.c): created, after each RUN (@exit_reason its
 * GZVM_EXIT_*), its last exit finished in the kernel, freed. Nothing while the trace is off. */
void gzdrv_xtrace_vcpu_init(struct gzdrv_vcpu *vcpu);
void gzdrv_xtrace_run(struct gzdrv_vcpu *vcpu, uint32_t exit_reason);
void gzdrv_xtrace_in_kernel(struct gzdrv_vcpu *vcpu);
void gzdrv_xtrace_vcpu_end(struct gzdrv_vcpu *vcpu);

static inline void gzdrv_lock(struct gzdrv_vm *vm)
{
	vm->drv->ops->lock(vm->drv->env, vm->lock);
}

static inline void gzdrv_unlock(struct gzdrv_vm *vm)
{
	vm->drv->ops->unlock(vm->drv->env, vm->lock);
}

/* Issue function id with up to 7 arguments; returns -errno of the status, results in out
 * (may be NULL).
 */
int gzdrv_call(struct gzdrv *drv, uint32_t id, const uint64_t *args, unsigned int nargs,
	       struct gzdrv_hvc_out *out);
int gzdrv_call1(struct gzdrv *drv, uint32_t id, uint64_t a1, struct gzdrv_hvc_out *out);
int gzdrv_call3(struct gzdrv *drv, uint32_t id, uint64_t a1, uint64_t a2, uint64_t a3,
		struct gzdrv_hvc_out *out);
int gzdrv_call5(struct gzdrv *drv, uint32_t id, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		uint64_t a5, struct gzdrv_hvc_out *out);
int gzdrv_enable_cap_hvc(struct gzdrv *drv, uint16_t vm_id, uint64_t cap, const __u64 *args5,
			 struct gzdrv_hvc_out *out);

/* check-extension answer for cap (>= 0) or -EOPNOTSUPP */
long gzdrv_check_extension_value(struct gzdrv *drv, uint64_t cap);
long gzdrv_check_extension(struct gzdrv *drv, uint64_t arg);

/* memslot.c */
long gzdrv_set_user_memory_region(struct gzdrv_vm *vm, uint64_t arg);
struct gzdrv_slot *gzdrv_slot_find(struct gzdrv_vm *vm, uint64_t gfn, uint32_t *slot_id);
void gzdrv_slot_unpin_all(struct gzdrv_vm *vm, struct gzdrv_slot *s);
void gzdrv_slots_free(struct gzdrv_vm *vm, bool unpin);
int gzdrv_pin_gfn(struct gzdrv_vm *vm, struct gzdrv_slot *s, uint64_t gfn, uint64_t *pa);

/* paging.c */
int gzdrv_handle_page_fault(struct gzdrv_vm *vm, uint64_t gpa, bool *handled);
int gzdrv_populate_fw_slot(struct gzdrv_vm *vm, uint64_t gpa);
void gzdrv_handle_relinquish(struct gzdrv_vm *vm, uint64_t ipa);

/* ioeventfd.c */
long gzdrv_ioeventfd(struct gzdrv_vm *vm, uint64_t arg);
bool gzdrv_ioeventfd_write(struct gzdrv_vm *vm, uint64_t addr, uint32_t len, const uint8_t *data);
void gzdrv_ioeventfd_release_all(struct gzdrv_vm *vm);

/* irqfd.c */
long gzdrv_irqfd(struct gzdrv_vm *vm, uint64_t arg);
void gzdrv_irqfd_release_all(struct gzdrv_vm *vm);
void gzdrv_irqfd_scan_lrs(struct gzdrv_vcpu *vcpu);
int gzdrv_irq_line(struct gzdrv_vm *vm, uint32_t vcpu, uint32_t irq, uint32_t level);

/* chan.c */
long gzdrv_create_channel(struct gzdrv_vm *vm, uint64_t arg);
long gzdrv_create_channel_region(struct gzdrv_vm *vm, uint64_t arg);
/* Free the regions @vm owns once the hypervisor destroyed it (@destroyed), else forget them. */
void gzdrv_regions_free(struct gzdrv_vm *vm, bool destroyed);
void gzdrv_vm_register(struct gzdrv_vm *vm, bool on);
void gzdrv_chan_wake(struct gzdrv *drv, uint64_t vm_id);
void gzdrv_chan_wake_peers(struct gzdrv_vm *vm);

/* vcpu.c */
void gzdrv_vcpu_free(struct gzdrv_vcpu *vcpu);
long gzdrv_run(struct gzdrv_vcpu *vcpu, uint64_t arg);

#endif
