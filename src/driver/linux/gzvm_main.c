// SPDX-License-Identifier: GPL-2.0
/*
 * gzvm.ko: the GenieZone-style hypervisor driver for opengz's gzhyp. A platform driver bound
 * to the device-tree node "mediatek,geniezone" that gzhyp adds to the host's tree; probe
 * does the PROBE version handshake and registers /dev/gzvm. The ioctls of /dev/gzvm, the
 * anon-inode VM fds and vCPU fds are served by the portable gzdrv logic.
 */
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <clocksource/arm_arch_timer.h>

#include "gzvm_env.h"

struct gzdrv gzvm_drv;
/* 2 MiB stage-2 blocks gzhyp made for the VMs released so far (sysfs s2_blocks) */
static atomic64_t gzvm_s2_blocks = ATOMIC64_INIT(0);

static void gzvm_vm_put_release(struct kref *ref)
{
	struct gzvm_vm_priv *priv = container_of(ref, struct gzvm_vm_priv, ref);

	gzvm_debugfs_vm_remove(priv);
	atomic64_add(priv->vm->stats.s2_blocks, &gzvm_s2_blocks);
	gzdrv_vm_release(priv->vm);
	kfree(priv);
}

void gzvm_vm_put(struct gzvm_vm_priv *priv)
{
	kref_put(&priv->ref, gzvm_vm_put_release);
}

static long gzvm_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct gzvm_vm_priv *priv = filp->private_data;

	return gzdrv_vm_ioctl(priv->vm, cmd, arg);
}

static int gzvm_vm_release(struct inode *inode, struct file *filp)
{
	gzvm_vm_put(filp->private_data);
	return 0;
}

/* clang-format off */
static const struct file_operations gzvm_vm_fops = {
	.owner = THIS_MODULE,
	.release = gzvm_vm_release,
	.unlocked_ioctl = gzvm_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
/* clang-format on */

static long gzvm_vcpu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	return gzdrv_vcpu_ioctl(filp->private_data, cmd, arg);
}

static int gzvm_vcpu_release(struct inode *inode, struct file *filp)
{
	struct gzdrv_vcpu *vcpu = filp->private_data;

	gzvm_vm_put(vcpu->vm->priv);
	return 0;
}

/* clang-format off */
static const struct file_operations gzvm_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = gzvm_vcpu_release,
	.unlocked_ioctl = gzvm_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
/* clang-format on */

static long gzvm_dev_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	return gzdrv_dev_ioctl(&gzvm_drv, cmd, arg);
}

/* clang-format off */
static const struct file_operations gzvm_chardev_ops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gzvm_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
/* clang-format on */

/* clang-format off */
static struct miscdevice gzvm_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KBUILD_MODNAME,
	.fops = &gzvm_chardev_ops,
};
/* clang-format on */

/* /sys/kernel/gzvm/{demand_paging_batch_pages,block_paging,destroy_batch_pages,max_vms,
 * vm_hyp_quota_pages,pinned_pages,s2_blocks,hyp_pool_used_bytes,hyp_pool_total_bytes,
 * hyp_table_bytes} */
static ssize_t demand_paging_batch_pages_show(struct kobject *kobj, struct kobj_attribute *attr,
					      char *buf)
{
	return sysfs_emit(buf, "%u\n", gzvm_drv.batch_pages);
}

static ssize_t demand_paging_batch_pages_store(struct kobject *kobj, struct kobj_attribute *attr,
					       const char *buf, size_t count)
{
	u32 v;
	int ret = kstrtou32(buf, 0, &v);

	if (!ret)
		ret = gzdrv_set_batch_pages(&gzvm_drv, v);
	return ret ? ret : count;
}

/* 1: new VMs fault their memory in by 2 MiB block; 0: one 4 KiB page per fault */
static ssize_t block_paging_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", gzvm_drv.block_paging ? 1 : 0);
}

static ssize_t block_paging_store(struct kobject *kobj, struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	bool v;
	int ret = kstrtobool(buf, &v);

	if (!ret)
		gzdrv_set_block_paging(&gzvm_drv, v);
	return ret ? ret : count;
}

static ssize_t destroy_batch_pages_show(struct kobject *kobj, struct kobj_attribute *attr,
					char *buf)
{
	return sysfs_emit(buf, "%u\n", gzvm_drv.destroy_batch_pages);
}

static ssize_t destroy_batch_pages_store(struct kobject *kobj, struct kobj_attribute *attr,
					 const char *buf, size_t count)
{
	u32 v;
	int ret = kstrtou32(buf, 0, &v);

	if (!ret)
		ret = gzdrv_set_destroy_batch_pages(&gzvm_drv, v);
	return ret ? ret : count;
}

/* The hypervisor's limits (opengz): VMs at once, and the quota of hypervisor memory (pages)
 * each new VM gets. Read from the hypervisor, written to it. */
static ssize_t limit_show(char *buf, int (*get)(struct gzdrv *, uint64_t, uint64_t *))
{
	uint64_t v;
	int ret = get(&gzvm_drv, 0, &v);

	return ret ? ret : sysfs_emit(buf, "%llu\n", (unsigned long long)v);
}

static ssize_t limit_store(const char *buf, size_t count,
			   int (*set)(struct gzdrv *, uint64_t, uint64_t *))
{
	u64 v, now;
	int ret = kstrtou64(buf, 0, &v);

	if (!ret && v == 0)
		ret = -EINVAL;
	if (!ret)
		ret = set(&gzvm_drv, v, &now);
	return ret ? ret : count;
}

static ssize_t max_vms_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return limit_show(buf, gzdrv_vm_limit);
}

static ssize_t max_vms_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf,
			     size_t count)
{
	return limit_store(buf, count, gzdrv_vm_limit);
}

static ssize_t vm_hyp_quota_pages_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return limit_show(buf, gzdrv_hyp_quota_default);
}

static ssize_t vm_hyp_quota_pages_store(struct kobject *kobj, struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	return limit_store(buf, count, gzdrv_hyp_quota_default);
}

/* Pages the driver holds pinned for all VMs: 0 once every VM is gone. */
static ssize_t pinned_pages_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(&gzvm_pinned_pages));
}

/* 2 MiB stage-2 block descriptors gzhyp made for the VMs released since the module loaded
 * (each a huge page of guest RAM mapped whole) */
static ssize_t s2_blocks_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(&gzvm_s2_blocks));
}

/* The hypervisor's own memory, asked at each read (GET_STATISTICS of VM 0): what a soak run
 * watches for leaks across VM lifetimes (bench/soak). */
static ssize_t hyp_mem_show(char *buf, size_t field)
{
	struct gzdrv_hyp_mem m;
	int ret = gzdrv_hyp_mem(&gzvm_drv, &m);

	if (ret)
		return ret;
	return sysfs_emit(buf, "%llu\n", (unsigned long long)*(u64 *)((char *)&m + field));
}

static ssize_t hyp_pool_used_bytes_show(struct kobject *kobj, struct kobj_attribute *attr,
					char *buf)
{
	return hyp_mem_show(buf, offsetof(struct gzdrv_hyp_mem, pool_used));
}

static ssize_t hyp_pool_total_bytes_show(struct kobject *kobj, struct kobj_attribute *attr,
					 char *buf)
{
	return hyp_mem_show(buf, offsetof(struct gzdrv_hyp_mem, pool_total));
}

static ssize_t hyp_table_bytes_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return hyp_mem_show(buf, offsetof(struct gzdrv_hyp_mem, tables));
}

/* clang-format off */
static struct kobj_attribute pinned_pages_attr = __ATTR_RO(pinned_pages);
static struct kobj_attribute s2_blocks_attr = __ATTR_RO(s2_blocks);
static struct kobj_attribute hyp_pool_used_bytes_attr = __ATTR_RO(hyp_pool_used_bytes);
static struct kobj_attribute hyp_pool_total_bytes_attr = __ATTR_RO(hyp_pool_total_bytes);
static struct kobj_attribute hyp_table_bytes_attr = __ATTR_RO(hyp_table_bytes);
static struct kobj_attribute demand_paging_batch_pages_attr =
	__ATTR_RW_MODE(demand_paging_batch_pages, 0660);
static struct kobj_attribute block_paging_attr = __ATTR_RW_MODE(block_paging, 0660);
static struct kobj_attribute destroy_batch_pages_attr =
	__ATTR_RW_MODE(destroy_batch_pages, 0660);
static struct kobj_attribute max_vms_attr = __ATTR_RW_MODE(max_vms, 0660);
static struct kobj_attribute vm_hyp_quota_pages_attr = __ATTR_RW_MODE(vm_hyp_quota_pages, 0660);
/* clang-format on */

/* clang-format off */
static struct attribute *gzvm_attrs[] = {
	&demand_paging_batch_pages_attr.attr,
	&block_paging_attr.attr,
	&destroy_batch_pages_attr.attr,
	&max_vms_attr.attr,
	&vm_hyp_quota_pages_attr.attr,
	&pinned_pages_attr.attr,
	&s2_blocks_attr.attr,
	&hyp_pool_used_bytes_attr.attr,
	&hyp_pool_total_bytes_attr.attr,
	&hyp_table_bytes_attr.attr,
	NULL,
};
/* clang-format on */

/* clang-format off */
static const struct attribute_group gzvm_attr_group = {
	.attrs = gzvm_attrs,
};
/* clang-format on */

static struct kobject *gzvm_kobj;

static bool gzvm_probed;

/* The exit trace (docs/debugging.md): the last N exits of every VM in debugfs exit_trace. */
static unsigned int exit_trace;
module_param(exit_trace, uint, 0444);
MODULE_PARM_DESC(exit_trace, "exits kept in debugfs gzvm/exit_trace (0: no trace)");

static int gzvm_drv_probe(struct platform_device *pdev)
{
	int ret;

	/* One hypervisor per machine: a second node must not reset the driver's state. */
	if (gzvm_probed) {
		dev_err(&pdev->dev, "a GenieZone hypervisor is already bound\n");
		return -EBUSY;
	}
	gzdrv_init(&gzvm_drv, &gzvm_ops, NULL, CONFIG_ARM64_PA_BITS, arch_timer_get_cntfrq());
	ret = gzdrv_probe(&gzvm_drv);
	if (ret) {
		gzdrv_fini(&gzvm_drv);
		dev_err(&pdev->dev, "no GenieZone hypervisor answered the probe (%d)\n", ret);
		return ret;
	}
	dev_info(&pdev->dev,
		 "hypervisor %u.%u.%u, driver %u.%u.%u, batch %u pages, destroy batch %u pages\n",
		 gzvm_drv.hyp_version[0], gzvm_drv.hyp_version[1], gzvm_drv.hyp_version[2],
		 GZDRV_VERSION_MAJOR, GZDRV_VERSION_MINOR, GZDRV_VERSION_SUB, gzvm_drv.batch_pages,
		 gzvm_drv.destroy_batch_pages);

	gzvm_kobj = kobject_create_and_add("gzvm", kernel_kobj);
	if (!gzvm_kobj) {
		gzdrv_fini(&gzvm_drv);
		return -ENOMEM;
	}
	ret = sysfs_create_group(gzvm_kobj, &gzvm_attr_group);
	if (ret)
		goto err_kobj;
	if (exit_trace && gzdrv_xtrace_start(&gzvm_drv, exit_trace))
		dev_warn(&pdev->dev, "no room for an exit trace of %u exits\n", exit_trace);
	gzvm_debugfs_init();
	ret = misc_register(&gzvm_dev);
	if (ret)
		goto err_debugfs;
	gzvm_probed = true;
	return 0;

err_debugfs:
	gzvm_debugfs_exit();
	gzdrv_xtrace_stop(&gzvm_drv);
	sysfs_remove_group(gzvm_kobj, &gzvm_attr_group);
err_kobj:
	kobject_put(gzvm_kobj);
	gzvm_kobj = NULL;
	gzdrv_fini(&gzvm_drv);
	return ret;
}

static int gzvm_drv_remove(struct platform_device *pdev)
{
	misc_deregister(&gzvm_dev);
	gzvm_debugfs_exit();
	gzdrv_xtrace_stop(&gzvm_drv);
	sysfs_remove_group(gzvm_kobj, &gzvm_attr_group);
	kobject_put(gzvm_kobj);
	gzvm_kobj = NULL;
	gzdrv_fini(&gzvm_drv);
	gzvm_probed = false;
	return 0;
}

/* clang-format off */
static const struct of_device_id gzvm_of_match[] = {
	{ .compatible = "mediatek,geniezone" },
	{ /* sentinel */ },
};
MODULE_DEVICE_TABLE(of, gzvm_of_match);

static struct platform_driver gzvm_driver = {
	.probe = gzvm_drv_probe,
	.remove = gzvm_drv_remove,
	.driver = {
		.name = KBUILD_MODNAME,
		.of_match_table = gzvm_of_match,
		.suppress_bind_attrs = true,
	},
};
/* clang-format on */

static int __init gzvm_init(void)
{
	gzvm_env_set_fops(&gzvm_vm_fops, &gzvm_vcpu_fops);
	return platform_driver_register(&gzvm_driver);
}

static void __exit gzvm_exit(void)
{
	platform_driver_unregister(&gzvm_driver);
}

module_init(gzvm_init);
module_exit(gzvm_exit);

MODULE_AUTHOR("opengz");
MODULE_DESCRIPTION("GenieZone-style hypervisor driver (/dev/gzvm) for opengz's gzhyp");
MODULE_LICENSE("GPL");
MODULE_VERSION("16.0.0");
