/* The checks of the fake environment (drv_fake.h): a VM's structural invariants (memslots,
 * ioeventfds, irqfds, eventfd references) after any sequence of driver calls, and what a test
 * left behind (pins, pages, allocations, locks, eventfds). */
#include "drv_fake.h"

#include <string.h>

static bool io_same_addr_collision(const struct gzdrv_ioeventfd *p, const struct gzdrv_ioeventfd *n)
{
	return p->addr == n->addr &&
	       (!p->len || !n->len ||
		(p->len == n->len && (p->wildcard || n->wildcard || p->datamatch == n->datamatch)));
}

static bool io_inside(const struct gzdrv_ioeventfd *p, const struct gzdrv_ioeventfd *n)
{
	return n->addr >= p->addr && n->addr - p->addr < p->len;
}

const char *fake_vm_invariants(const struct gzdrv_vm *vm)
{
	static int refs[FAKE_MAX_EFDS];
	uint64_t pinned = 0, level = 0;
	unsigned int i, j;
	uint64_t k;

	for (i = 0; i < GZDRV_MAX_SLOTS; i++) {
		const struct gzdrv_slot *s = &vm->slots[i];
		uint64_t n = 0;

		if (!s->used)
			continue;
		if (!s->npages || !s->pa)
			return "used slot without pages";
		for (k = 0; k < s->npages; k++) {
			if (!s->pa[k])
				continue;
			n++;
			if (s->pa[k] != fake_ram_pa(s->uaddr + k * GZDRV_PAGE_SIZE))
				return "slot records a PA that is not its page's";
		}
		if (n != s->nr_pinned)
			return "slot pin count wrong";
		pinned += n;
		for (j = i + 1; j < GZDRV_MAX_SLOTS; j++) {
			const struct gzdrv_slot *o = &vm->slots[j];

			if (o->used && s->base_gfn < o->base_gfn + o->npages &&
			    o->base_gfn < s->base_gfn + s->npages)
				return "slots overlap";
		}
	}
	if (pinned != vm->stats.pinned_pages)
		return "VM pin statistics wrong";
	memset(refs, 0, sizeof(refs));
	for (i = 0; i < GZDRV_MAX_IOEVENTFDS; i++) {
		const struct gzdrv_ioeventfd *a = &vm->ioeventfds[i];

		if (!a->used)
			continue;
		refs[(struct fake_efd *)a->efd - fake.efds]++;
		for (j = i + 1; j < GZDRV_MAX_IOEVENTFDS; j++) {
			const struct gzdrv_ioeventfd *b = &vm->ioeventfds[j];

			if (!b->used)
				continue;
			if (io_same_addr_collision(a, b) || (io_inside(a, b) && io_inside(b, a)))
				return "colliding ioeventfds";
		}
	}
	for (i = 0; i < GZDRV_MAX_IRQFDS; i++) {
		const struct gzdrv_irqfd *a = &vm->irqfds[i];

		if (!a->used)
			continue;
		refs[(struct fake_efd *)a->efd - fake.efds]++;
		if (a->level != (a->resample_efd != NULL))
			return "level irqfd without resamplefd";
		if (a->resample_efd) {
			refs[(struct fake_efd *)a->resample_efd - fake.efds]++;
			level++;
		}
		for (j = i + 1; j < GZDRV_MAX_IRQFDS; j++)
			if (vm->irqfds[j].used && vm->irqfds[j].efd == a->efd)
				return "two irqfds on one eventfd";
	}
	if (level != vm->nr_level_irqfds)
		return "level irqfd count wrong";
	for (i = 0; i < FAKE_MAX_EFDS; i++)
		if (refs[i] != fake.efds[i].refs)
			return "eventfd reference count wrong";
	return NULL;
}

struct gzdrv_vm *fake_vm_new(void)
{
	struct gzdrv_vm *vm = NULL;

	if (gzdrv_vm_create(&fake.drv, 0, &vm))
		return NULL;
	return vm;
}

const char *fake_leaks(void)
{
	unsigned int i;

	if (fake.lock_error)
		return "lock misuse";
	if (fake.pin_error)
		return "unpin/put of something not held";
	if (fake.pages_out)
		return "shared pages not freed";
	if (fake.zallocs_out)
		return "allocations not freed";
	if (fake.locks_out)
		return "locks not destroyed";
	if (fake.pins_out)
		return "pages still pinned";
	for (i = 0; i < FAKE_MAX_EFDS; i++)
		if (fake.efds[i].refs || fake.efds[i].watcher)
			return "eventfd still referenced or watched";
	return NULL;
}
