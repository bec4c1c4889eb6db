/* PL011 register model (see gzdev/pl011.h). */
#include <gzdev/pl011.h>

/* Peripheral ID 0x00341011 (PL011 r1p5) and the PrimeCell ID 0xb105f00d, byte by byte. */
static const uint8_t pl011_ids[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void gzdev_pl011_init(struct gzdev_pl011 *u, void (*tx)(void *ctx, uint8_t byte),
		      void (*set_irq)(void *ctx, bool level), void *ctx)
{
	*u = (struct gzdev_pl011){.tx = tx, .set_irq = set_irq, .ctx = ctx};
	u->cr = GZDEV_PL011_CR_RESET;
	u->ifls = GZDEV_PL011_IFLS_RESET;
}

static unsigned fifo_depth(const struct gzdev_pl011 *u)
{
	return (u->lcr_h & PL011_LCRH_FEN) ? GZDEV_PL011_FIFO : 1;
}

static void update_irq(struct gzdev_pl011 *u)
{
	bool level = (u->ris & u->imsc) != 0;

	if (level != u->irq_level) {
		u->irq_level = level;
		u->irq_changes++;
		if (u->set_irq)
			u->set_irq(u->ctx, level);
	}
}

/* Moves backlog bytes into the FIFO and recomputes the receive interrupts. */
static void refill(struct gzdev_pl011 *u)
{
	while (u->fifo_count < fifo_depth(u) && u->backlog_len) {
		u->fifo[(u->fifo_head + u->fifo_count) % GZDEV_PL011_FIFO] =
		    u->backlog[u->backlog_head];
		u->fifo_count++;
		u->backlog_head = (u->backlog_head + 1) % GZDEV_PL011_BACKLOG;
		u->backlog_len--;
	}
	if (u->fifo_count)
		u->ris |= PL011_INT_RX | PL011_INT_RT;
	else
		u->ris &= ~(uint32_t)(PL011_INT_RX | PL011_INT_RT);
}

static uint32_t read_dr(struct gzdev_pl011 *u)
{
	uint32_t v;

	if (!u->fifo_count)
		return 0;
	v = u->fifo[u->fifo_head];
	u->fifo_head = (u->fifo_head + 1) % GZDEV_PL011_FIFO;
	u->fifo_count--;
	u->rx_bytes++;
	refill(u);
	update_irq(u);
	return v;
}

uint32_t gzdev_pl011_fr(const struct gzdev_pl011 *u)
{
	uint32_t v = PL011_FR_TXFE;

	if (u->fifo_count == 0)
		v |= PL011_FR_RXFE;
	if (u->fifo_count >= fifo_depth(u))
		v |= PL011_FR_RXFF;
	return v;
}

static uint32_t read_reg(struct gzdev_pl011 *u, uint64_t off)
{
	switch (off) {
	case PL011_DR:
		return read_dr(u);
	case PL011_FR:
		return gzdev_pl011_fr(u);
	case PL011_ILPR:
		return u->ilpr;
	case PL011_IBRD:
		return u->ibrd;
	case PL011_FBRD:
		return u->fbrd;
	case PL011_LCR_H:
		return u->lcr_h;
	case PL011_CR:
		return u->cr;
	case PL011_IFLS:
		return u->ifls;
	case PL011_IMSC:
		return u->imsc;
	case PL011_RIS:
		return u->ris;
	case PL011_MIS:
		return u->ris & u->imsc;
	case PL011_DMACR:
		return u->dmacr;
	default: /* RSR: no errors are ever flagged */
		if (off >= PL011_ID_BASE && off < PL011_ID_BASE + 4 * sizeof(pl011_ids))
			return pl011_ids[(off - PL011_ID_BASE) / 4];
		return 0;
	}
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

uint64_t gzdev_pl011_read(struct gzdev_pl011 *u, uint64_t off, unsigned size)
{
	if (!size_ok(size))
		return 0;
	u->reads++;
	return read_reg(u, off & ~3ULL);
}

void gzdev_pl011_write(struct gzdev_pl011 *u, uint64_t off, unsigned size, uint64_t val64)
{
	uint32_t val = (uint32_t)val64;

	if (!size_ok(size))
		return;
	u->writes++;
	switch (off & ~3ULL) {
	case PL011_DR:
		u->tx(u->ctx, (uint8_t)val);
		u->tx_bytes++;
		u->ris |= PL011_INT_TX; /* the transmit FIFO is empty again at once */
		break;
	case PL011_ILPR:
		u->ilpr = val & 0xff;
		break;
	case PL011_IBRD:
		u->ibrd = val & 0xffff;
		break;
	case PL011_FBRD:
		u->fbrd = val & 0x3f;
		break;
	case PL011_LCR_H:
		/* Enabling the FIFO lets more waiting bytes in. */
		u->lcr_h = val & 0xff;
		refill(u);
		break;
	case PL011_CR:
		u->cr = val & 0xffff;
		break;
	case PL011_IFLS:
		u->ifls = val & 0x3f;
		break;
	case PL011_IMSC:
		u->imsc = val & PL011_INT_ALL;
		break;
	case PL011_ICR:
		u->ris &= ~val;
		/* Receive interrupts stay raised while data is waiting. */
		if (u->fifo_count)
			u->ris |= val & (PL011_INT_RX | PL011_INT_RT);
		break;
	case PL011_DMACR:
		u->dmacr = val & 0x7;
		break;
	default: /* RSR (error clear: there are none), read-only registers, holes */
		break;
	}
	update_irq(u);
}

size_t gzdev_pl011_input_space(const struct gzdev_pl011 *u)
{
	return GZDEV_PL011_BACKLOG - u->backlog_len;
}

size_t gzdev_pl011_input(struct gzdev_pl011 *u, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n = gzdev_pl011_input_space(u);

	if (n > len)
		n = len;
	for (size_t i = 0; i < n; i++)
		u->backlog[(u->backlog_head + u->backlog_len + i) % GZDEV_PL011_BACKLOG] = p[i];
	u->backlog_len += n;
	refill(u);
	update_irq(u);
	return n;
}

void gzdev_pl011_reset(struct gzdev_pl011 *u)
{
	/* Bytes still in the FIFO go back in front of the backlog, in order. */
	for (unsigned i = u->fifo_count; i-- > 0;) {
		if (u->backlog_len == GZDEV_PL011_BACKLOG)
			break;
		u->backlog_head = (u->backlog_head + GZDEV_PL011_BACKLOG - 1) % GZDEV_PL011_BACKLOG;
		u->backlog[u->backlog_head] = u->fifo[(u->fifo_head + i) % GZDEV_PL011_FIFO];
		u->backlog_len++;
	}
	u->fifo_head = u->fifo_count = 0;
	u->ibrd = u->fbrd = u->lcr_h = u->imsc = u->ris = u->dmacr = u->ilpr = 0;
	u->cr = GZDEV_PL011_CR_RESET;
	u->ifls = GZDEV_PL011_IFLS_RESET;
	refill(u);
	update_irq(u);
}
