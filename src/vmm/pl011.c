/* gzvmm's PL011: locking and wiring around the shared register model. */
#include "pl011.h"

#include <string.h>

static void tx(void *ctx, uint8_t byte)
{
	struct pl011 *u = ctx;

	vmm_console_write(u->out, &byte, 1);
}

/* Tells fr_set about a new FR; the lock is held. A refusal is retried at the next change. */
static void fr_sync(struct pl011 *u)
{
	uint32_t fr;

	if (!u->fr_set)
		return;
	fr = gzdev_pl011_fr(&u->m);
	if (fr != u->fr_known && u->fr_set(u->fr_ctx, fr))
		u->fr_known = fr;
}

static void irq(void *ctx, bool level)
{
	struct pl011 *u = ctx;

	/* input raises RX: FR says so before the guest takes the interrupt */
	fr_sync(u);
	if (u->set_irq)
		u->set_irq(u->irq_ctx, level);
}

bool pl011_fr_track(struct pl011 *u, bool (*fr_set)(void *ctx, uint32_t fr), void *ctx)
{
	bool ok;

	pthread_mutex_lock(&u->lock);
	u->fr_known = gzdev_pl011_fr(&u->m);
	ok = fr_set(ctx, u->fr_known);
	u->fr_set = ok ? fr_set : NULL;
	u->fr_ctx = ok ? ctx : NULL;
	pthread_mutex_unlock(&u->lock);
	return ok;
}

int pl011_init(struct pl011 *u, struct vmm_console *out)
{
	memset(u, 0, sizeof(*u));
	if (pthread_mutex_init(&u->lock, NULL) != 0)
		return -1;
	u->out = out;
	gzdev_pl011_init(&u->m, tx, irq, u);
	return 0;
}

void pl011_destroy(struct pl011 *u)
{
	pthread_mutex_destroy(&u->lock);
}

void pl011_reset(struct pl011 *u)
{
	pthread_mutex_lock(&u->lock);
	gzdev_pl011_reset(&u->m);
	fr_sync(u);
	pthread_mutex_unlock(&u->lock);
}

uint64_t pl011_read(struct pl011 *u, uint64_t off, unsigned size)
{
	uint64_t v;

	pthread_mutex_lock(&u->lock);
	v = gzdev_pl011_read(&u->m, off, size);
	fr_sync(u); /* a read of DR took a byte: FR first, then the guest gets the byte */
	pthread_mutex_unlock(&u->lock);
	return v;
}

void pl011_write(struct pl011 *u, uint64_t off, unsigned size, uint64_t val)
{
	pthread_mutex_lock(&u->lock);
	gzdev_pl011_write(&u->m, off, size, val);
	fr_sync(u);
	pthread_mutex_unlock(&u->lock);
}

size_t pl011_input_space(struct pl011 *u)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = gzdev_pl011_input_space(&u->m);
	pthread_mutex_unlock(&u->lock);
	return n;
}

size_t pl011_input(struct pl011 *u, const void *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = gzdev_pl011_input(&u->m, buf, len);
	fr_sync(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}
