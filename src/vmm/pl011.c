/* PL011 register model. */
#include "pl011.h"

#include <string.h>

/* Peripheral ID 0x00341011 (PL011 r1p5) and the PrimeCell ID 0xb105f00d, byte by byte. */
static const uint8_t pl011_ids[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static void reset_regs(struct pl011 *u)
{
	u->ibrd = u->fbrd = u->lcr_h = u->imsc = u->ris = u->dmacr = u->ilpr = 0;
	u->cr = PL011_CR_RESET;
	u->ifls = PL011_IFLS_RESET;
	u->fifo_head = u->fifo_count = 0;
}

int pl011_init(struct pl011 *u, struct vmm_console *out)
{
	memset(u, 0, sizeof(*u));
	if (pthread_mutex_init(&u->lock, NULL) != 0)
		return -1;
	u->out = out;
	reset_regs(u);
	return 0;
}

void pl011_destroy(struct pl011 *u)
{
	pthread_mutex_destroy(&u->lock);
}

static unsigned fifo_depth(const struct pl011 *u)
{
	return (u->lcr_h & PL011_LCRH_FEN) ? PL011_FIFO : 1;
}

static void update_irq(struct pl011 *u)
{
	bool level = (u->ris & u->imsc) != 0;

	if (level != u->irq_level) {
		u->irq_level = level;
		u->irq_changes++;
		if (u->set_irq)
			u->set_irq(u->irq_ctx, level);
	}
}

/* Moves backlog bytes into the FIFO and recomputes the receive interrupts. */
static void refill(struct pl011 *u)
{
	size_t moved = 0;

	while (u->fifo_count < fifo_depth(u) && moved < u->backlog_len) {
		u->fifo[(u->fifo_head + u->fifo_count) % PL011_FIFO] = u->backlog[moved++];
		u->fifo_count++;
	}
	if (moved) {
		memmove(u->backlog, u->backlog + moved, u->backlog_len - moved);
		u->backlog_len -= moved;
	}
	if (u->fifo_count)
		u->ris |= PL011_INT_RX | PL011_INT_RT;
	else
		u->ris &= ~(uint32_t)(PL011_INT_RX | PL011_INT_RT);
}

static uint32_t read_reg(struct pl011 *u, uint64_t off)
{
	uint32_t v;

	switch (off) {
	case PL011_DR:
		if (!u->fifo_count)
			return 0;
		v = u->fifo[u->fifo_head];
		u->fifo_head = (u->fifo_head + 1) % PL011_FIFO;
		u->fifo_count--;
		u->rx_bytes++;
		refill(u);
		update_irq(u);
		return v;
	case PL011_RSR:
		return 0;
	case PL011_FR:
		v = PL011_FR_TXFE;
		if (u->fifo_count == 0)
			v |= PL011_FR_RXFE;
		if (u->fifo_count >= fifo_depth(u))
			v |= PL011_FR_RXFF;
		return v;
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
	default:
		if (off >= PL011_ID_BASE && off < PL011_ID_BASE + 32 && !(off & 3))
			return pl011_ids[(off - PL011_ID_BASE) / 4];
		return 0;
	}
}

uint64_t pl011_read(struct pl011 *u, uint64_t off, unsigned size)
{
	uint64_t v;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return 0;
	pthread_mutex_lock(&u->lock);
	u->reads++;
	v = read_reg(u, off & ~3ULL);
	pthread_mutex_unlock(&u->lock);
	return v;
}

void pl011_write(struct pl011 *u, uint64_t off, unsigned size, uint64_t val64)
{
	uint32_t val = (uint32_t)val64;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	pthread_mutex_lock(&u->lock);
	u->writes++;
	switch (off & ~3ULL) {
	case PL011_DR: {
		char c = (char)(val & 0xff);

		vmm_console_write(u->out, &c, 1);
		u->tx_bytes++;
		u->ris |= PL011_INT_TX; /* the transmit FIFO is empty again at once */
		break;
	}
	case PL011_RSR:
		break; /* error clear: no errors are ever flagged */
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
	default:
		break;
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

size_t pl011_input_space(struct pl011 *u)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = PL011_BACKLOG - u->backlog_len;
	pthread_mutex_unlock(&u->lock);
	return n;
}

size_t pl011_input(struct pl011 *u, const void *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = PL011_BACKLOG - u->backlog_len;
	if (n > len)
		n = len;
	memcpy(u->backlog + u->backlog_len, buf, n);
	u->backlog_len += n;
	refill(u);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}
