// SPDX-License-Identifier: GPL-2.0
/* Hypercalls to gzhyp: argument packing, tracing around each call, and the mapping of the
 * hypervisor's LK-style status codes to errno values (reference §2.2).
 */
#include "gzdrv_priv.h"

int gzdrv_status_to_errno(int64_t status)
{
	switch (status) {
	case GZ_OK:
		return 0;
	case GZ_ERR_NO_MEMORY:
		return -ENOMEM;
	case GZ_ERR_INVALID_ARGS:
		return -EINVAL;
	case GZ_ERR_NOT_SUPPORTED:
	case GZ_ERR_NOT_IMPLEMENTED:
		return -EOPNOTSUPP;
	case GZ_ERR_BUSY:
		return -EAGAIN;
	case GZ_ERR_FAULT:
		return -EFAULT;
	case GZ_ERR_ACCESS_DENIED:
		/* opengz: the host may not do this, e.g. ONE_REG on a protected VM that ran */
		return -EPERM;
	case GZ_ERR_NO_RESOURCES:
		/* opengz: a limit the host set is reached (the VM limit at CREATE_VM, a VM's
		 * quota of hypervisor memory at a map or CREATE_VCPU): not the pool running dry */
		return -ENOSPC;
	default:
		return -EINVAL;
	}
}

int gzdrv_call(struct gzdrv *drv, uint32_t id, const uint64_t *args, unsigned int nargs,
	       struct gzdrv_hvc_out *out)
{
	const struct gzdrv_ops *ops = drv->ops;
	struct gzdrv_hvc_in in;
	struct gzdrv_hvc_out res;
	unsigned int i;
	int64_t status;

	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	in.x[0] = id;
	for (i = 0; i < nargs && i < 7; i++)
		in.x[i + 1] = args[i];
	if (ops->trace_hvc_enter)
		ops->trace_hvc_enter(drv->env, id);
	ops->hvc(drv->env, &in, &res);
	status = (int64_t)res.x[0];
	if (ops->trace_hvc_leave)
		ops->trace_hvc_leave(drv->env, id, status == GZ_ERR_NOT_SUPPORTED);
	if (out)
		*out = res;
	return gzdrv_status_to_errno(status);
}

int gzdrv_call1(struct gzdrv *drv, uint32_t id, uint64_t a1, struct gzdrv_hvc_out *out)
{
	return gzdrv_call(drv, id, &a1, 1, out);
}

int gzdrv_call3(struct gzdrv *drv, uint32_t id, uint64_t a1, uint64_t a2, uint64_t a3,
		struct gzdrv_hvc_out *out)
{
	uint64_t a[3] = {a1, a2, a3};

	return gzdrv_call(drv, id, a, 3, out);
}

int gzdrv_call5(struct gzdrv *drv, uint32_t id, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		uint64_t a5, struct gzdrv_hvc_out *out)
{
	uint64_t a[5] = {a1, a2, a3, a4, a5};

	return gzdrv_call(drv, id, a, 5, out);
}

int gzdrv_enable_cap_hvc(struct gzdrv *drv, uint16_t vm_id, uint64_t cap, const __u64 *args5,
			 struct gzdrv_hvc_out *out)
{
	uint64_t a[7] = {vm_id, cap, 0, 0, 0, 0, 0};
	unsigned int i;

	for (i = 0; args5 && i < 5; i++)
		a[i + 2] = args5[i];
	return gzdrv_call(drv, GZ_HVC_ENABLE_CAP, a, 7, out);
}

const char *gzdrv_exit_name(uint32_t exit_reason)
{
	static const char *const names[] = {
	    "UNKNOWN",
	    "MMIO",
	    "HYPERCALL",
	    "IRQ",
	    "EXCEPTION",
	    "DEBUG",
	    "FAIL_ENTRY",
	    "INTERNAL_ERROR",
	    "SYSTEM_EVENT",
	    "SHUTDOWN",
	    "GZ",
	    "IDLE",
	    "?",
	    "IPI",
	};
	uint32_t i = exit_reason - GZVM_EXIT_UNKNOWN;

	if (exit_reason < GZVM_EXIT_UNKNOWN || i >= GZDRV_ARRAY_SIZE(names))
		return "?";
	return names[i];
}
