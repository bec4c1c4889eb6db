// SPDX-License-Identifier: GPL-2.0
/* ioeventfd: the per-VM table of MMIO addresses whose guest writes signal an eventfd in the
 * kernel instead of exiting to the VMM. Validation, collision and matching rules are v13's
 * (reference §4.1).
 */
#include "gzdrv_priv.h"

#define GZDRV_IOEVENTFD_FLAGS                                                                      \
	(GZVM_IOEVENTFD_FLAG_DATAMATCH | GZVM_IOEVENTFD_FLAG_PIO | GZVM_IOEVENTFD_FLAG_DEASSIGN)

static bool len_ok(uint32_t len)
{
	return len == 0 || len == 1 || len == 2 || len == 4 || len == 8;
}

static int ioeventfd_check(const struct gzvm_ioeventfd *a)
{
	uint64_t end;
	unsigned int i;

	if (a->flags & ~(uint32_t)GZDRV_IOEVENTFD_FLAGS)
		return -EINVAL;
	if (a->flags & GZVM_IOEVENTFD_FLAG_PIO) /* arm64 has no port I/O bus */
		return -EINVAL;
	if (!len_ok(a->len))
		return -EINVAL;
	if (__builtin_add_overflow(a->addr, (uint64_t)a->len, &end))
		return -EINVAL;
	if (!a->len && (a->flags & GZVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;
	for (i = 0; i < sizeof(a->pad); i++)
		if (a->pad[i])
			return -EINVAL;
	return 0;
}

static bool collides(const struct gzdrv_ioeventfd *p, const struct gzdrv_ioeventfd *n)
{
	if (p->addr == n->addr &&
	    (!p->len || !n->len ||
	     (p->len == n->len && (p->wildcard || n->wildcard || p->datamatch == n->datamatch))))
		return true;
	return n->addr >= p->addr && n->addr - p->addr < p->len;
}

static int assign(struct gzdrv_vm *vm, struct gzdrv_ioeventfd *n)
{
	struct gzdrv_ioeventfd *slot = NULL;
	unsigned int i;

	for (i = 0; i < GZDRV_MAX_IOEVENTFDS; i++) {
		struct gzdrv_ioeventfd *p = &vm->ioeventfds[i];

		if (!p->used) {
			if (!slot)
				slot = p;
			continue;
		}
		if (collides(p, n))
			return -EEXIST;
	}
	if (!slot)
		return -ENOSPC;
	*slot = *n;
	slot->used = true;
	return 0;
}

static int deassign(struct gzdrv_vm *vm, const struct gzdrv_ioeventfd *n)
{
	unsigned int i;

	for (i = 0; i < GZDRV_MAX_IOEVENTFDS; i++) {
		struct gzdrv_ioeventfd *p = &vm->ioeventfds[i];

		if (!p->used || p->efd != n->efd || p->addr != n->addr || p->len != n->len ||
		    p->wildcard != n->wildcard || (!p->wildcard && p->datamatch != n->datamatch))
			continue;
		vm->drv->ops->eventfd_put(vm->drv->env, p->efd);
		memset(p, 0, sizeof(*p));
		return 0;
	}
	return -ENOENT;
}

long gzdrv_ioeventfd(struct gzdrv_vm *vm, uint64_t arg)
{
	const struct gzdrv_ops *ops = vm->drv->ops;
	struct gzvm_ioeventfd a;
	struct gzdrv_ioeventfd n;
	int ret;

	if (ops->copy_from_user(vm->drv->env, &a, arg, sizeof(a)))
		return -EFAULT;
	ret = ioeventfd_check(&a);
	if (ret)
		return ret;
	memset(&n, 0, sizeof(n));
	n.addr = a.addr;
	n.len = a.len;
	n.wildcard = !(a.flags & GZVM_IOEVENTFD_FLAG_DATAMATCH);
	n.datamatch = n.wildcard ? 0 : a.datamatch;
	ret = ops->eventfd_get(vm->drv->env, a.fd, &n.efd);
	if (ret)
		return ret;
	gzdrv_lock(vm);
	if (a.flags & GZVM_IOEVENTFD_FLAG_DEASSIGN)
		ret = deassign(vm, &n);
	else
		ret = assign(vm, &n);
	gzdrv_unlock(vm);
	/* assign keeps the reference in the table; deassign dropped the table's */
	if (ret || (a.flags & GZVM_IOEVENTFD_FLAG_DEASSIGN))
		ops->eventfd_put(vm->drv->env, n.efd);
	return ret;
}

static uint64_t mmio_value(const uint8_t *data, uint32_t len)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < len; i++) /* little-endian, as the guest stored it */
		v |= (uint64_t)data[i] << (8 * i);
	return v;
}

bool gzdrv_ioeventfd_write(struct gzdrv_vm *vm, uint64_t addr, uint32_t len, const uint8_t *data)
{
	uint64_t val;
	unsigned int i;
	bool hit = false;

	if (!len_ok(len) || !len)
		return false;
	val = mmio_value(data, len);
	gzdrv_lock(vm);
	for (i = 0; i < GZDRV_MAX_IOEVENTFDS; i++) {
		struct gzdrv_ioeventfd *p = &vm->ioeventfds[i];

		if (!p->used || p->addr != addr)
			continue;
		if (p->len && (p->len != len || (!p->wildcard && p->datamatch != val)))
			continue;
		vm->drv->ops->eventfd_signal(vm->drv->env, p->efd);
		vm->stats.ioeventfd_hits++;
		hit = true;
		break;
	}
	gzdrv_unlock(vm);
	return hit;
}

void gzdrv_ioeventfd_release_all(struct gzdrv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < GZDRV_MAX_IOEVENTFDS; i++) {
		struct gzdrv_ioeventfd *p = &vm->ioeventfds[i];

		if (p->used)
			vm->drv->ops->eventfd_put(vm->drv->env, p->efd);
		memset(p, 0, sizeof(*p));
	}
}
