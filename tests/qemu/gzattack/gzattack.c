// SPDX-License-Identifier: GPL-2.0
/* gzattack.ko: the malicious host kernel of the full-stack attack test. It does what gzvm.ko
 * never would: issues gzhyp's host calls with the arguments user space forges (GZATTACK_HVC)
 * and maps any physical page into user space (mmap at the page's address, as /dev/mem), so
 * that a plain program can try every forged call and every read and write of a protected
 * guest's memory. Test-only: built beside gzvm.ko, loaded only by host_attack_test.sh. */
#include <linux/arm-smccc.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "gzattack.h"

#define GZATTACK_MAX_ALLOCS 64

static struct page *allocs[GZATTACK_MAX_ALLOCS];
static unsigned int nr_allocs;
static DEFINE_MUTEX(alloc_lock);

static long attack_hvc(void __user *argp)
{
	struct gzattack_hvc h;
	struct arm_smccc_1_2_regs args, res;

	if (copy_from_user(&h, argp, sizeof(h)))
		return -EFAULT;
	memset(&args, 0, sizeof(args));
	args.a0 = h.a[0];
	args.a1 = h.a[1];
	args.a2 = h.a[2];
	args.a3 = h.a[3];
	args.a4 = h.a[4];
	args.a5 = h.a[5];
	args.a6 = h.a[6];
	args.a7 = h.a[7];
	arm_smccc_1_2_hvc(&args, &res);
	h.a[0] = res.a0;
	h.a[1] = res.a1;
	h.a[2] = res.a2;
	h.a[3] = res.a3;
	return copy_to_user(argp, &h, sizeof(h)) ? -EFAULT : 0;
}

static long attack_alloc(void __user *argp)
{
	struct page *p;
	__u64 pa;

	mutex_lock(&alloc_lock);
	if (nr_allocs == GZATTACK_MAX_ALLOCS) {
		mutex_unlock(&alloc_lock);
		return -ENOSPC;
	}
	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	if (!p) {
		mutex_unlock(&alloc_lock);
		return -ENOMEM;
	}
	allocs[nr_allocs++] = p;
	mutex_unlock(&alloc_lock);
	pa = page_to_phys(p);
	return copy_to_user(argp, &pa, sizeof(pa)) ? -EFAULT : 0;
}

static long attack_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case GZATTACK_HVC:
		return attack_hvc((void __user *)arg);
	case GZATTACK_ALLOC:
		return attack_alloc((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int attack_mmap(struct file *f, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff, vma->vm_end - vma->vm_start,
			       vma->vm_page_prot);
}

static const struct file_operations attack_fops = {
    .owner = THIS_MODULE,
    .unlocked_ioctl = attack_ioctl,
    .mmap = attack_mmap,
};

static struct miscdevice attack_dev = {
    .minor = MISC_DYNAMIC_MINOR,
    .name = "gzattack",
    .fops = &attack_fops,
    .mode = 0600,
};

static int __init attack_init(void)
{
	return misc_register(&attack_dev);
}

static void __exit attack_exit(void)
{
	misc_deregister(&attack_dev);
	while (nr_allocs)
		__free_pages(allocs[--nr_allocs], 1);
}

module_init(attack_init);
module_exit(attack_exit);
MODULE_AUTHOR("opengz");
MODULE_DESCRIPTION("opengz test only: a malicious host's forged calls to gzhyp");
MODULE_LICENSE("GPL");
