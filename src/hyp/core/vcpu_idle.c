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

/* A vCPU whose own timer is due within this many times the HAL's poll maximum waits for it
 * at EL2 instead of in the host: a sleep in the host driver and its hrtimer wake-up cost
 * about 200 us more per wake-up than a poll in the full stack under QEMU (bench/vs-kvm's
 * vtimer_wfi: 249 us against 43.6 us in gzhyp's test mode, which polls), so the spin is the
 * cheaper wait up to a few times that. 800 us on gzhyp. */
#define IDLE_TIMER_POLL_MAXES 4
/* Rounds of a poll between two looks at the vGIC without a kick (a round is a few counter and
 * register reads) */
#define POLL_VGIC_EVERY 8

/*
 * Halt polling, as KVM's halt_poll_ns: before a waiting vCPU gives its CPU back to the host
 * (an IDLE exit, a sleep in the host driver and a wake-up through the host scheduler), spin
 * up to v->poll_ticks for an interrupt, its timer or the VM's end. The window adapts: a vCPU
 * kicked within the HAL's maximum after its last IDLE exit polls longer next time (from an
 * eighth of the maximum, doubling), one that slept longer polls half as long. Unlike KVM's,
 * the window also stretches to the vCPU's own timer when it is due soon
 * (IDLE_TIMER_POLL_MAXES): that wake-up is known to come. A host interrupt stops the poll at
 * once.
 */
static bool poll_for_wake(struct gz_vcpu *v)
{
	uint64_t max = gz_hal_idle_poll_max(), window = GZ_MIN(v->poll_ticks, max), start, now;
	uint64_t delay;
	uint32_t armed;

	if (!max)
		return false;
	start = now = gz_hal_cntpct();
	gz_vtimer_idle_info(&v->ctx, start, &delay, &armed);
	if (armed && delay <= max * IDLE_TIMER_POLL_MAXES)
		window = GZ_MAX(window, delay + max / 8); /* a margin past the deadline */
	if (!window)
		return false;
	for (unsigned round = 0;; round++) {
		/* The vGIC is asked (under its lock) when a kick says something changed for this
		 * vCPU since it entered, and every POLL_VGIC_EVERY rounds in case the sender's
		 * run loop took that kick first: the sender of the wake-up needs the lock to
		 * make its interrupt pending, and a poll that held it every round would contend
		 * with each IPI. */
		bool ask = (gz_atomic_load(&v->vm->kick_mask) & (1u << (v->id % 32))) ||
			   round % POLL_VGIC_EVERY == 0;

		if ((ask && gz_vgic_vcpu_pending(&v->vm->vgic, v->id)) ||
		    gz_vtimer_asserted(&v->ctx, now) || gz_ptimer_asserted(&v->ctx, now) ||
		    gz_atomic_load_acquire(&v->vm->state) == GZ_VM_OFF)
			return true;
		if (gz_hal_host_irq_pending())
			return false;
		now = gz_hal_cntpct();
		/* the window is over: the last word is the vGIC's, before the IDLE exit */
		if (now - start >= window)
			return gz_vgic_vcpu_pending(&v->vm->vgic, v->id);
	}
}

void gz_vcpu_idle_adapt(struct gz_vcpu *v, uint64_t woken_at)
{
	uint64_t max = gz_hal_idle_poll_max(), at;

	if (!v->went_idle)
		return;
	v->went_idle = false;
	/* Measured to the wake-up itself, not to this RUN: the host's wake-up of the thread
	 * comes on top, and under QEMU it alone takes longer than the maximum (200 us): a
	 * vCPU kicked at once after its IDLE exit measured "a long sleep" every time, and its
	 * window, shut at the start, never opened (bench/vs-kvm's ipi_wfi). */
	at = woken_at && woken_at >= v->idle_since ? woken_at : gz_hal_cntpct();
	if (at - v->idle_since <= max)
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
