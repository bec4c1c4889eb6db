// SPDX-License-Identifier: GPL-2.0
/*
 * gzvm.ko debugfs: /sys/kernel/debug/gzvm/<pid>-<vmid>/ per VM. protected_hyp_mem and
 * protected_shared_mem come from the hypervisor (GET_STATISTICS, bytes); the driver's own
 * counters (pinned pages, demand faults, relinquished pages, ioeventfd hits, injections,
 * destroy calls, leaked pages) are read from its statistics.
 */
#include <linux/debugfs.h>
#include <linux/sched.h>

#include "gzvm_env.h"

static struct dentry *gzvm_debugfs_root;

static int hyp_mem_get(void *data, u64 *val)
{
	struct gzvm_vm_priv *priv = data;
	u64 hyp, shared;
	int ret = gzdrv_vm_hyp_stats(priv->vm, &hyp, &shared);

	*val = hyp;
	return ret;
}

static int shared_mem_get(void *data, u64 *val)
{
	struct gzvm_vm_priv *priv = data;
	u64 hyp, shared;
	int ret = gzdrv_vm_hyp_stats(priv->vm, &hyp, &shared);

	*val = shared;
	return ret;
}

DEFINE_DEBUGFS_ATTRIBUTE(hyp_mem_fops, hyp_mem_get, NULL, "%llu\n");
DEFINE_DEBUGFS_ATTRIBUTE(shared_mem_fops, shared_mem_get, NULL, "%llu\n");

void gzvm_debugfs_init(void)
{
	gzvm_debugfs_root = debugfs_create_dir("gzvm", NULL);
}

void gzvm_debugfs_exit(void)
{
	debugfs_remove_recursive(gzvm_debugfs_root);
	gzvm_debugfs_root = NULL;
}

void gzvm_debugfs_vm_add(struct gzvm_vm_priv *priv)
{
	struct gzdrv_vm_stats *st = &priv->vm->stats;
	char name[32];
	struct dentry *d;

	if (IS_ERR_OR_NULL(gzvm_debugfs_root))
		return;
	snprintf(name, sizeof(name), "%d-%u", task_pid_nr(current), priv->vm->vm_id);
	d = debugfs_create_dir(name, gzvm_debugfs_root);
	priv->debugfs = d;
	debugfs_create_file_unsafe("protected_hyp_mem", 0444, d, priv, &hyp_mem_fops);
	debugfs_create_file_unsafe("protected_shared_mem", 0444, d, priv, &shared_mem_fops);
	debugfs_create_u64("pinned_pages", 0444, d, &st->pinned_pages);
	debugfs_create_u64("pinned_max", 0444, d, &st->pinned_max);
	debugfs_create_u64("demand_faults", 0444, d, &st->demand_faults);
	debugfs_create_u64("relinquished", 0444, d, &st->relinquished);
	debugfs_create_u64("ioeventfd_hits", 0444, d, &st->ioeventfd_hits);
	debugfs_create_u64("irq_injections", 0444, d, &st->irq_injections);
	debugfs_create_u64("destroy_calls", 0444, d, &st->destroy_calls);
	debugfs_create_u64("leaked_pages", 0444, d, &st->leaked_pages);
}

void gzvm_debugfs_vm_remove(struct gzvm_vm_priv *priv)
{
	debugfs_remove_recursive(priv->debugfs);
	priv->debugfs = NULL;
}
