// SPDX-License-Identifier: GPL-2.0
/*
 * gzvm.ko debugfs: /sys/kernel/debug/gzvm/<pid>-<vmid>/ per VM. protected_hyp_mem and
 * protected_shared_mem come from the hypervisor (GET_STATISTICS, bytes); the driver's own
 * counters (pinned pages, demand faults, relinquished pages, ioeventfd hits, injections,
 * destroy calls, leaked pages, the 2 MiB stage-2 blocks gzhyp made) are read from its
 * statistics. gzvm/exit_trace (with the module's exit_trace parameter) lists the driver's exit
 * trace, one exit a line, oldest first (scripts/gzvm-exit-trace turns it into the JSON lines
 * of gzvmm --trace); a write empties it.
 */
#include <linux/debugfs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

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

/* Position 0 is the header line, position n the trace's record n - 1. */
static void *xt_at(loff_t *pos)
{
	struct gzdrv_xrec r;
	u64 lost;

	if (!gzvm_drv.xtrace)
		return NULL;
	if (!*pos || gzdrv_xtrace_get(&gzvm_drv, (u64)*pos - 1, &r, &lost))
		return pos;
	return NULL;
}

static void *xt_start(struct seq_file *m, loff_t *pos)
{
	return xt_at(pos);
}

static void *xt_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return xt_at(pos);
}

static void xt_stop(struct seq_file *m, void *v)
{
}

static int xt_show(struct seq_file *m, void *v)
{
	loff_t i = *(loff_t *)v;
	struct gzdrv_xrec r;
	u64 lost = 0;

	if (!gzdrv_xtrace_get(&gzvm_drv, i ? (u64)i - 1 : 0, &r, &lost) && i)
		return SEQ_SKIP; /* emptied meanwhile */
	if (!i) {
		seq_printf(m, "# gzvm exit trace: cntfrq=%llu lost=%llu\n",
			   (unsigned long long)gzvm_drv.cntfrq, (unsigned long long)lost);
		return 0;
	}
	seq_printf(m,
		   "vm=%u vcpu=%u t=%llu cost=%u kind=%u handler=%u esr=%#llx far=%#llx "
		   "hpfar=%#llx pc=%#llx gzvm_exit=%#x\n",
		   r.vm_id, r.vcpu, (unsigned long long)r.t_exit, r.cost, r.kind, r.handler,
		   (unsigned long long)r.esr, (unsigned long long)r.far,
		   (unsigned long long)r.hpfar, (unsigned long long)r.pc, r.gzvm_exit);
	return 0;
}

static const struct seq_operations xt_seq_ops = {
    .start = xt_start,
    .next = xt_next,
    .stop = xt_stop,
    .show = xt_show,
};

static int xt_open(struct inode *inode, struct file *file)
{
	return seq_open(file, &xt_seq_ops);
}

static ssize_t xt_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	gzdrv_xtrace_clear(&gzvm_drv);
	return len;
}

static const struct file_operations xt_fops = {
    .owner = THIS_MODULE,
    .open = xt_open,
    .read = seq_read,
    .llseek = seq_lseek,
    .release = seq_release,
    .write = xt_write,
};

void gzvm_debugfs_init(void)
{
	gzvm_debugfs_root = debugfs_create_dir("gzvm", NULL);
	if (!IS_ERR_OR_NULL(gzvm_debugfs_root) && gzvm_drv.xtrace)
		debugfs_create_file("exit_trace", 0600, gzvm_debugfs_root, NULL, &xt_fops);
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
	debugfs_create_u64("s2_blocks", 0444, d, &st->s2_blocks);
}

void gzvm_debugfs_vm_remove(struct gzvm_vm_priv *priv)
{
	debugfs_remove_recursive(priv->debugfs);
	priv->debugfs = NULL;
}
