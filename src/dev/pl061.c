/* PL061 GPIO register model (see gzdev/pl061.h). */
#include <gzdev/pl061.h>

/* Peripheral ID 0x00041061 and the PrimeCell ID 0xb105f00d, byte by byte. */
static const uint8_t pl061_ids[8] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void gzdev_pl061_init(struct gzdev_pl061 *g, void (*set_irq)(void *ctx, bool level), void *ctx)
{
	*g = (struct gzdev_pl061){.set_irq = set_irq, .ctx = ctx};
}

/* What each line carries: outputs drive the latch, inputs what the board drives. */
static uint8_t pins(const struct gzdev_pl061 *g)
{
	return (uint8_t)((g->data & g->dir) | (g->in & ~g->dir));
}

/* Detects edges since the last look and recomputes level-sensitive lines, then the output
 * line (RIS & IE). */
static void update(struct gzdev_pl061 *g)
{
	uint8_t now = pins(g), changed = now ^ g->level, edge = (uint8_t)~g->is;
	uint8_t rising = changed & now, falling = changed & ~now;
	uint8_t hit = (uint8_t)((changed & g->ibe) | (rising & g->iev & ~g->ibe) |
				(falling & ~g->iev & ~g->ibe));
	bool level;

	hit &= edge;
	if (hit)
		g->edges++;
	g->ris |= hit;
	/* Level lines: raw status follows the line (high when IEV says active high). */
	g->ris = (uint8_t)((g->ris & edge) | (~(now ^ g->iev) & g->is));
	g->level = now;
	level = (g->ris & g->ie) != 0;
	if (level != g->irq_level) {
		g->irq_level = level;
		if (g->set_irq)
			g->set_irq(g->ctx, level);
	}
}

static uint8_t read_reg(const struct gzdev_pl061 *g, uint64_t off)
{
	if (off < GZDEV_PL061_DIR)
		return pins(g) & (uint8_t)(off >> 2);
	switch (off) {
	case GZDEV_PL061_DIR:
		return g->dir;
	case GZDEV_PL061_IS:
		return g->is;
	case GZDEV_PL061_IBE:
		return g->ibe;
	case GZDEV_PL061_IEV:
		return g->iev;
	case GZDEV_PL061_IE:
		return g->ie;
	case GZDEV_PL061_RIS:
		return g->ris;
	case GZDEV_PL061_MIS:
		return g->ris & g->ie;
	case GZDEV_PL061_AFSEL:
		return g->afsel;
	default:
		if (off >= GZDEV_PL061_ID && off < GZDEV_PL061_ID + 32)
			return pl061_ids[(off - GZDEV_PL061_ID) / 4];
		return 0;
	}
}

uint64_t gzdev_pl061_read(struct gzdev_pl061 *g, uint64_t off, unsigned size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return 0;
	g->reads++;
	/* One byte of each word is used: lanes 1-3 read 0. */
	return (off & 3) ? 0 : read_reg(g, off);
}

void gzdev_pl061_write(struct gzdev_pl061 *g, uint64_t off, unsigned size, uint64_t val)
{
	uint8_t v = (uint8_t)val;

	if ((size != 1 && size != 2 && size != 4 && size != 8) || (off & 3))
		return;
	g->writes++;
	if (off < GZDEV_PL061_DIR) {
		uint8_t mask = (uint8_t)(off >> 2);

		g->data = (uint8_t)((g->data & ~mask) | (v & mask));
	} else {
		switch (off) {
		case GZDEV_PL061_DIR:
			g->dir = v;
			break;
		case GZDEV_PL061_IS:
			g->is = v;
			break;
		case GZDEV_PL061_IBE:
			g->ibe = v;
			break;
		case GZDEV_PL061_IEV:
			g->iev = v;
			break;
		case GZDEV_PL061_IE:
			g->ie = v;
			break;
		case GZDEV_PL061_IC:
			g->ris &= (uint8_t) ~(v & ~g->is);
			break;
		case GZDEV_PL061_AFSEL:
			g->afsel = v;
			break;
		default:
			return;
		}
	}
	update(g);
}

void gzdev_pl061_set_input(struct gzdev_pl061 *g, unsigned line, bool level)
{
	if (line > 7)
		return;
	if (level)
		g->in |= (uint8_t)(1U << line);
	else
		g->in &= (uint8_t) ~(1U << line);
	update(g);
}
