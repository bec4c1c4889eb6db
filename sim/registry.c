/* The vCPU registry (registry.h). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <arm64/sysreg.h>
#include <arm64/traps.h>
#include <arm64/vtcr.h>
#include "exec.h"
#include "machine.h"
#include "sysemu.h"
#include "trap.h"
#include "ucreg.h"
#include "registry.h"
#include "trace.h"

#define MAX_VCPUS  64
#define TCG_BUFFER (64u << 20)

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct gz_sim_vcpu *vcpus[MAX_VCPUS];

static struct gz_sim_vcpu *create_vcpu(const struct gz_cpu_ctx *key)
{
	struct gz_sim_vcpu *v = calloc(1, sizeof(*v));
	int model = gz_sim_m.cfg.cpu_model < 0 ? UC_CPU_ARM64_A72 : gz_sim_m.cfg.cpu_model;
	uc_hook h;

	if (!v)
		return NULL;
	v->key = key;
	v->stop_at = GZ_SIM_NO_STOP;
	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &v->uc) != UC_ERR_OK) {
		free(v);
		return NULL;
	}
	uc_ctl_set_cpu_model(v->uc, model);
	uc_ctl_set_tcg_buffer_size(v->uc, TCG_BUFFER);
	/* No exit address at all (an empty set): with "until" as its one exit, every
	 * uc_emu_start ended by invalidating the translation at address 0 (until - 1), which
	 * cost a TLB fill per exit and a new translation of code there each time. */
	uc_ctl_exits_enable(v->uc);
	uc_ctl_set_exits(v->uc, NULL, 0);
	/* Non-secure EL1 under an AArch64 EL2: HVC reaches "EL2" (our hook) with SCR_EL3.HCE,
	 * and Unicorn's HCR_EL2/CNTHCTL_EL2 traps give precise PCs for trapped instructions. */
	gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_scr_el3,
			      gz_sim_ucreg_cp_read(v->uc, gz_sim_ucreg_scr_el3) | SCR_EL3_NS |
				  SCR_EL3_HCE | SCR_EL3_RW);
	v->uc_hcr = HCR_RW | HCR_IMO | HCR_FMO;
	v->hflags_el = 1;
	gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_hcr_el2, v->uc_hcr);
	/* CNTPCT readable, CNTP_* trap, until a context says otherwise (run.c) */
	v->uc_cnthctl = CNTHCTL_EL1PCTEN;
	gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_cnthctl_el2, v->uc_cnthctl);
	gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_cptr_el2, CPTR_GUEST);
	gz_sim_ucreg_cp_write(v->uc, gz_sim_ucreg_mdcr_el2, 0);
	gz_sim_ucmap_init(&v->map, v->uc, (void *)gz_sim_trap_mem_hook, v);
	uc_hook_add(v->uc, &h, UC_HOOK_INTR, gz_sim_trap_intr_hook, v, 1, 0);
	uc_hook_add(v->uc, &h, UC_HOOK_BLOCK, gz_sim_exec_block_hook, v, 1, 0);
	uc_hook_add(v->uc, &h, UC_HOOK_INSN, gz_sim_sysemu_mrs_hook, v, 1, 0, UC_ARM64_INS_MRS);
	uc_hook_add(v->uc, &h, UC_HOOK_INSN, gz_sim_sysemu_msr_hook, v, 1, 0, UC_ARM64_INS_MSR);
	uc_hook_add(v->uc, &h, UC_HOOK_INSN, gz_sim_sysemu_sys_hook, v, 1, 0, UC_ARM64_INS_SYS);
	return v;
}

static void destroy_vcpu(struct gz_sim_vcpu *v)
{
	if (v)
		gz_sim_trace_forget(v); /* its last exit */
	if (!v)
		return;
	uc_close(v->uc);
	gz_sim_ucmap_fini(&v->map);
	free(v);
}

struct gz_sim_vcpu *gz_sim_registry_find(const struct gz_cpu_ctx *key, bool create)
{
	struct gz_sim_vcpu *v = NULL;
	int free_slot = -1;

	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		if (vcpus[i] && vcpus[i]->key == key) {
			v = vcpus[i];
			break;
		}
		if (!vcpus[i] && free_slot < 0)
			free_slot = i;
	}
	if (!v && create && free_slot >= 0) {
		v = create_vcpu(key);
		vcpus[free_slot] = v;
	}
	pthread_mutex_unlock(&reg_mu);
	return v;
}

void gz_sim_vcpu_forget(const struct gz_cpu_ctx *ctx)
{
	struct gz_sim_vcpu *v = NULL;

	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		if (vcpus[i] && vcpus[i]->key == ctx) {
			v = vcpus[i];
			vcpus[i] = NULL;
		}
	}
	pthread_mutex_unlock(&reg_mu);
	destroy_vcpu(v);
}

void gz_sim_registry_forget_all(void)
{
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		destroy_vcpu(vcpus[i]);
		vcpus[i] = NULL;
	}
	pthread_mutex_unlock(&reg_mu);
}

/* A kick is a flag the vCPU's own block hook sees at the next block it starts
 * (gz_sim_vcpu_must_leave), and stops there with uc_emu_stop from inside the engine. Never
 * uc_emu_stop from another thread: Unicorn 2.1 stores the PC before each memory access and,
 * stopped from outside, ends the block without writing it back, so the vCPU left with its PC
 * on a load or store it had already executed and ran it again at its next entry (Debian's
 * kernel died of a load whose base was its destination, in ct_nmi_exit). */
void gz_sim_vcpu_kick(const struct gz_cpu_ctx *ctx)
{
	struct gz_sim_vcpu *v = gz_sim_registry_find(ctx, false);

	if (!v)
		return;
	atomic_store(&v->kick, 1);
	if (atomic_load(&v->running))
		gz_sim_exec_kicked(v);
}

/* Only a vCPU inside gz_hal_vcpu_run is kicked; the next entry sees what was made pending
 * anyway. */
void gz_hal_vcpu_kick(const struct gz_cpu_ctx *ctx)
{
	struct gz_sim_vcpu *v = gz_sim_registry_find(ctx, false);

	if (!v || !atomic_load(&v->running))
		return;
	atomic_store(&v->hyp_kick, 1);
	gz_sim_exec_kicked(v); /* it may be waiting for the turn */
}

/* The simulator's vCPUs take a kick at their next instruction: nothing to wait for. */
void gz_hal_vcpu_kick_settle(void)
{
}

void gz_sim_registry_kick_all(void)
{
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		if (vcpus[i])
			atomic_store(&vcpus[i]->kick, 1);
	}
	pthread_mutex_unlock(&reg_mu);
	gz_sim_exec_kicked(NULL);
}

void gz_sim_registry_kick_executing(void)
{
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		if (vcpus[i] && atomic_load(&vcpus[i]->running) &&
		    !atomic_load(&vcpus[i]->det_parked))
			atomic_store(&vcpus[i]->kick, 1);
	}
	pthread_mutex_unlock(&reg_mu);
	gz_sim_exec_kicked(NULL);
}

uint64_t gz_sim_vcpu_insns(const struct gz_cpu_ctx *ctx)
{
	struct gz_sim_vcpu *v = gz_sim_registry_find(ctx, false);

	return v ? v->insns : 0;
}

uint64_t gz_sim_vcpu_remaps(const struct gz_cpu_ctx *ctx)
{
	struct gz_sim_vcpu *v = gz_sim_registry_find(ctx, false);

	return v ? v->map.remaps : 0;
}

void gz_sim_registry_invalidate(bool all, uint16_t vmid)
{
	struct gz_sim_vcpu *targets[MAX_VCPUS];
	int n = 0;

	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < MAX_VCPUS; i++) {
		struct gz_sim_vcpu *v = vcpus[i];

		if (!v || !v->map.valid ||
		    (!all && (uint16_t)(v->map.vttbr >> ARCH_VTTBR_VMID_SHIFT) != vmid))
			continue;
		atomic_store(&v->stale, 1);
		targets[n++] = v;
	}
	pthread_mutex_unlock(&reg_mu);
	for (int i = 0; i < n; i++) {
		/* A vCPU parked for the deterministic scheduler's turn executes nothing before
		 * it remapped, and cannot get the turn while the caller holds it; one in the
		 * core's fast exit remaps before it runs again, and may wait for a lock the
		 * caller holds (a memslot's, in a fault served ahead). */
		while (atomic_load(&targets[i]->running) && atomic_load(&targets[i]->stale) &&
		       !atomic_load(&targets[i]->det_parked) &&
		       !atomic_load(&targets[i]->in_fast_exit)) {
			gz_sim_exec_kicked(targets[i]); /* it may be waiting for the turn */
			sched_yield();
		}
	}
}

/* The HAL's stage-2 TLB maintenance, and guest code changed by the host: the vCPUs concerned
 * rebuild their Unicorn mappings and drop their translations before they run on. */
void gz_hal_tlbi_ipa(uint16_t vmid, gz_ipa_t ipa, unsigned level)
{
	(void)ipa;
	(void)level;
	gz_sim_registry_invalidate(false, vmid);
}

void gz_hal_tlbi_vmid(uint16_t vmid)
{
	gz_sim_registry_invalidate(false, vmid);
}

void gz_hal_tlbi_all_vmids(void)
{
	gz_sim_registry_invalidate(true, 0);
}

void gz_hal_icache_inval_all(void)
{
	gz_sim_registry_invalidate(true, 0);
}
