/* What a waiting vCPU does (gzhyp/vcpu_idle.h): halt polling and the IDLE exit. */
#include <uapi/linux/gzvm.h>
#include <gzabi/hvc.h>
#include <gzhyp/atomic.h>
#include <gzhyp/lib.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vcpu_exit.h>
#include <gzhyp/vcpu_idle.h>
#include <gzhyp/vm.h>
#include <gzhyp/ptimer.h>
#include <gzhyp/vtimer.h>
#include <hal.h>

void gz_vcpu_idle_exit(struct gz_vcpu *v, uint64_t delay, uint32_t migrate)
{
	gz_vcpu_exit_simple(v, GZVM_EXIT_IDLE);
	v->hwstate->vtimer_delay = delay;
	v->hwstate->vtimer_migrate = migrate;
}

/*
 * Halt polling, as KVM's halt_poll_ns: before a waiting vCPU gives its CPU back to the host
 * (an IDLE exit, a sleep in the host driver and a wake-up through the host scheduler), spin
 * up to v->poll_ticks for an interrupt, its timer or the VM's end. The window adapts: a vCPU
 * woken within the HAL's maximum after its last IDLE exit polls longer next time (from an
 * eighth of the maximum, doubling), one that slept longer polls half as long. A host
 * interrupt stops the poll at once.
 */
static bool poll_for_wake(struct gz_vcpu *v)
{
	uint64_t window = GZ_MIN(v->poll_ticks, gz_hal_idle_poll_max()), start, now;

	if (!window)
		return false;
	start = now = gz_hal_cntpct();
	do {
		if (gz_vgic_vcpu_pending(&v->vm->vgic, v->id) || gz_vtimer_asserted(&v->ctx, now) ||
		    gz_ptimer_asserted(&v->ctx, now) ||
		    gz_atomic_load_acquire(&v->vm->state) == GZ_VM_OFF)
			return true;
		if (gz_hal_host_irq_pending())
			return false;
		now = gz_hal_cntpct();
	} while (now - start < window);
	return false;
}

void gz_vcpu_idle_adapt(struct gz_vcpu *v)
{
	uint64_t max = gz_hal_idle_poll_max();

	if (!v->went_idle)
		return;
	v->went_idle = false;
	if (gz_hal_cntpct() - v->idle_since <= max)
		v->poll_ticks = v->poll_ticks ? GZ_MIN(v->poll_ticks * 2, max) : max / 8;
	else
		v->poll_ticks /= 2;
}

enum gz_exit_action gz_vcpu_wfi(struct gz_vcpu *v)
{
	uint64_t delay;
	uint32_t migrate;

	if (!gz_atomic_load(&v->vm->idle_cap) || gz_vgic_vcpu_pending(&v->vm->vgic, v->id))
		return GZ_EXIT_RESUME;
	if (poll_for_wake(v)) {
		v->nr_polled_wakes++;
		return GZ_EXIT_RESUME;
	}
	gz_vtimer_idle_info(&v->ctx, gz_hal_cntpct(), &delay, &migrate);
	gz_vcpu_idle_exit(v, delay, migrate);
	v->idle_since = gz_hal_cntpct();
	v->went_idle = true;
	return GZ_EXIT_TO_HOST;
}
