/*
 * Test support for the VM/vCPU/exit modules (test_vm.c, test_psci.c, test_mmio.c,
 * test_hostcall.c, test_one_reg.c, test_exit.c, fuzz_exit.c, fuzz_hostcall.c): a core set up
 * on the fake machine of mem_fixture.h, host-call wrappers, and a scripted guest that plays
 * one exit per entry. Header-only.
 */
#ifndef VM_FIXTURE_H
#define VM_FIXTURE_H

#include <uapi/linux/gzvm.h>
#include <arm64/esr.h>
#include <arm64/sysreg.h>
#include <gzabi/guest_calls.h>
#include <gzhyp/hostcall.h>
#include <gzabi/hvc.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>

#include "mem_fixture.h"

/* A core on a fake machine of @phys bytes (at least 16 MiB: the fixture's pages end below). */
static inline int vfix_init_size(uint64_t phys)
{
	struct gz_core_config cfg = {
	    .mem =
		{
		    .hyp_base = FIX_HYP_BASE,
		    .hyp_size = FIX_HYP_SIZE,
		    .work_base = FIX_WORK_BASE,
		    .work_size = FIX_WORK_SIZE,
		},
	    .vmid_bits = 8,
	};

	fake_hal_reset(phys, 4);
	return gz_core_init(&cfg);
}

static inline int vfix_init(void)
{
	return vfix_init_size(FIX_PHYS_SIZE);
}

static inline struct gz_smccc_regs hcall(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
					 uint64_t a4, uint64_t a5)
{
	struct gz_smccc_regs r = {{fid, a1, a2, a3, a4, a5, 0, 0}};

	gz_hostcall_dispatch(&r);
	return r;
}

static inline int64_t hstatus(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	return (int64_t)hcall(fid, a1, a2, a3, a4, a5).a[0];
}

/* Host pages for vCPU shared blocks: vCPU i of any VM uses FIX_PAGE(2i + 16 * vm). */
#define VFIX_SHARED(vm, i) FIX_PAGE(2 * (i) + 16 * (vm))
/* Host pages tests hand to guests start here. */
#define VFIX_GUEST_PAGE(i) FIX_PAGE(512 + (i))

static inline uint16_t vfix_create_vm(void)
{
	struct gz_smccc_regs r = hcall(GZ_HVC_CREATE_VM, 0, 0, 0, 0, 0);

	return r.a[0] == GZ_OK ? (uint16_t)r.a[1] : 0;
}

static inline int64_t vfix_create_vcpu(uint16_t vm, uint16_t i)
{
	return hstatus(GZ_HVC_CREATE_VCPU, gz_hvc_tuple(vm, i), VFIX_SHARED(vm, i), 0, 0, 0);
}

static inline struct gzvm_vcpu_run *vfix_run_page(uint16_t vm, uint16_t i)
{
	return gz_hal_pa_to_va(VFIX_SHARED(vm, i));
}

static inline struct gzvm_vcpu_hwstate *vfix_hwstate(uint16_t vm, uint16_t i)
{
	return gz_hal_pa_to_va(VFIX_SHARED(vm, i) + GZ_PAGE_SIZE);
}

static inline struct gz_vcpu *vfix_vcpu(uint16_t vm, uint16_t i)
{
	return gz_vcpu_get(gz_vm_get(vm), i);
}

/* ---- scripted guest --------------------------------------------------------------------- */
struct vfix_step {
	enum gz_exit_kind kind;
	uint64_t esr, far, hpfar;
	int ret;
	void (*fn)(struct gz_cpu_ctx *ctx, void *arg); /* plays the guest before the exit */
	void *arg;
};

#define VFIX_MAX_STEPS 256
static struct {
	struct vfix_step steps[VFIX_MAX_STEPS];
	unsigned n, next;
	struct gz_cpu_ctx last; /* context at the last entry */
	unsigned entries;
} vfix_guest;

static inline int vfix_run_fn(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit, void *arg)
{
	struct vfix_step *s;

	(void)arg;
	vfix_guest.last = *ctx;
	vfix_guest.entries++;
	if (vfix_guest.next >= vfix_guest.n) {
		exit->kind = GZ_EXIT_KIND_FAIL_ENTRY;
		return GZ_ERR_BAD_STATE;
	}
	s = &vfix_guest.steps[vfix_guest.next++];
	if (s->fn)
		s->fn(ctx, s->arg);
	exit->kind = s->kind;
	exit->esr = s->esr;
	exit->far = s->far;
	exit->hpfar = s->hpfar;
	return s->ret;
}

static inline void vfix_guest_reset(void)
{
	memset(&vfix_guest, 0, sizeof(vfix_guest));
	fake_hal_set_run_handler(vfix_run_fn, NULL);
}

static inline void vfix_push(enum gz_exit_kind kind, uint64_t esr, uint64_t far, uint64_t hpfar,
			     void (*fn)(struct gz_cpu_ctx *, void *), void *arg)
{
	struct vfix_step *s = &vfix_guest.steps[vfix_guest.n++];

	*s = (struct vfix_step){kind, esr, far, hpfar, 0, fn, arg};
}

/* ESR values; SYS_ISS: the ISS of a trapped MSR/MRS (rd 1: a read) */
#define SYS_ISS(op0, op1, crn, crm, op2, rt, rd)                                                   \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((rt) << 5) |             \
	 ((crm) << 1) | (rd))

static inline uint64_t esr_ec(unsigned ec, uint32_t iss)
{
	return ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | iss;
}

static inline uint64_t esr_dabt(bool isv, unsigned sas, bool sse, unsigned srt, bool sf, bool wnr,
				unsigned fsc)
{
	uint32_t iss = fsc;

	if (isv)
		iss |= ESR_xABT_ISV | (sas << 22) | (sse ? ESR_DABT_SSE : 0) | (srt << 16) |
		       (sf ? ESR_DABT_SF : 0);
	if (wnr)
		iss |= ESR_DABT_WNR;
	return esr_ec(ESR_EC_DABT_LOW, iss);
}

static inline uint64_t hpfar_of(gz_ipa_t ipa)
{
	return (ipa >> GZ_PAGE_SHIFT) << HPFAR_FIPA_SHIFT;
}

/* A guest that issues HVC #0 with x0..x3 = args[0..3]. */
static inline void vfix_set_x(struct gz_cpu_ctx *ctx, void *arg)
{
	const uint64_t *a = arg;

	for (int i = 0; i < 4; i++)
		ctx->x[i] = a[i];
}

static inline void vfix_push_hvc(uint64_t *args)
{
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 0), 0, 0, vfix_set_x, args);
}

/* RUN and return the status; *reason gets the exit reason. */
static inline int64_t vfix_run(uint16_t vm, uint16_t i, uint32_t *reason)
{
	struct gz_smccc_regs r = hcall(GZ_HVC_RUN, gz_hvc_tuple(vm, i), 0, 0, 0, 0);

	if (reason)
		*reason = (uint32_t)r.a[1];
	return (int64_t)r.a[0];
}

/* A core with one VM of @nr_vcpus vCPUs and a reset scripted guest: the set-up most exit
 * tests share. Returns the VM's id, 0 on failure. */
static inline uint16_t vfix_setup_vm(unsigned nr_vcpus);
/* Their teardown: destroys every VM and the fake machine; false when a lock was still held
 * (checked first). */
static inline bool vfix_teardown(void);

/* Destroy every VM (batched), then check nothing leaked. */
static inline void vfix_destroy_all(void)
{
	for (unsigned id = 1; id <= GZ_MAX_VMS; id++)
		while (hstatus(GZ_HVC_DESTROY_VM, id, 0, 0, 0, 0) == GZ_ERR_BUSY)
			;
}

static inline uint16_t vfix_setup_vm(unsigned nr_vcpus)
{
	uint16_t vm;

	if (vfix_init() != GZ_OK)
		return 0;
	vfix_guest_reset();
	vm = vfix_create_vm();
	for (unsigned i = 0; vm && i < nr_vcpus; i++)
		if (vfix_create_vcpu(vm, (uint16_t)i) != GZ_OK)
			return 0;
	return vm;
}

static inline bool vfix_teardown(void)
{
	bool clean = fake_hal_locks_held() == 0;

	vfix_destroy_all();
	fake_hal_teardown();
	return clean;
}

#ifdef cmocka_unit_test
/* The CMocka set-up and teardown the exit tests share: one VM of @nr vCPUs, its id in *@vm and
 * its vCPU 0 in *@v0. */
static inline int vfix_cmocka_setup(unsigned nr, uint16_t *vm, struct gz_vcpu **v0)
{
	*vm = vfix_setup_vm(nr);
	assert_int_not_equal(*vm, 0);
	*v0 = vfix_vcpu(*vm, 0);
	return 0;
}

static inline int vfix_cmocka_teardown(void **state)
{
	(void)state;
	assert_true(vfix_teardown());
	return 0;
}
#endif

#endif
