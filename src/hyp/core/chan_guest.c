/* The guest side of inter-VM channels: the GZ_VENDOR_HYP_CHAN_* calls decoded from the
 * vCPU's registers (include/gzabi/chan.h), their results written back, and the exit that
 * asks the host to wake a VM whose doorbell rang (its vCPUs may sleep in the host, where
 * only the host can wake them). */
#include <uapi/linux/gzvm.h>
#include <gzabi/chan.h>
#include <gzabi/guest_calls.h>
#include <gzhyp/chan.h>
#include <gzhyp/chan_guest.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vcpu_exit.h>
#include <gzhyp/vm.h>

#define FEATURE(id) (1ULL << GZ_VENDOR_HYP_FN(id))

uint64_t gz_chan_guest_features(void)
{
	return FEATURE(GZ_VENDOR_HYP_CHAN_SEND) | FEATURE(GZ_VENDOR_HYP_CHAN_RECV) |
	       FEATURE(GZ_VENDOR_HYP_CHAN_STATE);
}

bool gz_chan_guest_owns(uint32_t fid)
{
	return fid >= GZ_VENDOR_HYP_CHAN_FIRST && fid <= GZ_VENDOR_HYP_CHAN_LAST;
}

enum gz_exit_action gz_chan_guest_call(struct gz_vcpu *v, uint32_t fid)
{
	uint64_t *x = v->ctx.x;
	struct gz_chan_result res;
	unsigned i;

	switch (fid) {
	case GZ_VENDOR_HYP_CHAN_SEND:
		gz_chan_send(v->vm, x[1], x[2], x[3], &res);
		break;
	case GZ_VENDOR_HYP_CHAN_RECV:
		gz_chan_recv(v->vm, x[1], x[2], x[3], &res);
		break;
	case GZ_VENDOR_HYP_CHAN_STATE:
		gz_chan_state(v->vm, x[1], &res);
		break;
	default:
		res = (struct gz_chan_result){.ret = GZ_SMCCC_RET_NOT_SUPPORTED};
		break;
	}
	if (res.wake_vm) {
		/* Final results now: the host only wakes the peer, nothing comes back. Only the
		 * call and the VM to wake leave the hypervisor, never the guest's arguments. */
		gz_vcpu_exit_hypercall(v);
		for (i = 0; i < 8; i++)
			v->run->hypercall.args[i] = 0;
		v->run->hypercall.args[0] = GZ_VENDOR_HYP_CHAN_WAKE;
		v->run->hypercall.args[1] = res.wake_vm;
		v->hvc_copy_back = false;
	}
	x[0] = (uint64_t)res.ret;
	for (i = 0; i < 3; i++)
		x[i + 1] = res.r[i];
	return res.wake_vm ? GZ_EXIT_TO_HOST : GZ_EXIT_RESUME;
}
