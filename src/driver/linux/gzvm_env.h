/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gzvm.ko: what the module's files share. The driver's logic is the portable gzdrv
 * (src/driver/common); this module gives it the Linux kernel as its environment (struct
 * gzdrv_ops in gzvm_env.c) and wires it to /dev/gzvm, anon-inode VM and vCPU fds, sysfs,
 * debugfs and tracepoints.
 */
#ifndef GZVM_ENV_H
#define GZVM_ENV_H

#include <linux/debugfs.h>
#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/wait.h>

#include "gzdrv.h"

/* Kernel side of a VM: one reference per open VM or vCPU fd. */
struct gzvm_vm_priv {
	struct kref ref;
	struct gzdrv_vm *vm;
	struct dentry *debugfs;
};

/* Kernel side of a vCPU: where its thread sleeps on IDLE. */
struct gzvm_vcpu_priv {
	wait_queue_head_t wq;
	atomic_t wake;
};

extern const struct gzdrv_ops gzvm_ops;
extern struct gzdrv gzvm_drv;
extern atomic64_t gzvm_pinned_pages;

void gzvm_vm_put(struct gzvm_vm_priv *priv);
void gzvm_env_set_fops(const struct file_operations *vm, const struct file_operations *vcpu);

void gzvm_debugfs_init(void);
void gzvm_debugfs_exit(void);
void gzvm_debugfs_vm_add(struct gzvm_vm_priv *priv);
void gzvm_debugfs_vm_remove(struct gzvm_vm_priv *priv);

#endif
