/* PL031 real-time clock register model (see gzdev/pl031.h). */
#include <gzdev/pl031.h>

/* Peripheral ID 0x00041031 and the PrimeCell ID 0xb105f00d, byte by byte. */
static const uint8_t pl031_ids[8] = {0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static void update_irq(struct gzdev_pl031 *d)
{
	bool level = (d->ris & d->imsc & 1) != 0;

	if (level != d->irq_level) {
		d->irq_level = level;
		if (d->set_irq)
			d->set_irq(d->ctx, level);
	}
}

void gzdev_pl031_init(struct gzdev_pl031 *d, void (*set_irq)(void *ctx, bool level), void *ctx)
{
	/* Offset 0: the counter is the time base itself. */
	*d = (struct gzdev_pl031){.set_irq = set_irq, .ctx = ctx};
}

static uint32_t counter(const struct gzdev_pl031 *d, uint64_t now)
{
	return (uint32_t)now + d->offset;
}

static uint32_t read_reg(struct gzdev_pl031 *d, uint64_t off, uint64_t now)
{
	switch (off) {
	case GZDEV_PL031_DR:
		return counter(d, now);
	case GZDEV_PL031_MR:
		return d->mr;
	case GZDEV_PL031_LR:
		return d->lr;
	case GZDEV_PL031_CR:
		return d->cr;
	case GZDEV_PL031_IMSC:
		return d->imsc;
	case GZDEV_PL031_RIS:
		return d->ris;
	case GZDEV_PL031_MIS:
		return d->ris & d->imsc;
	default:
		if (off >= GZDEV_PL031_ID && off < GZDEV_PL031_ID + 32)
			return pl031_ids[(off - GZDEV_PL031_ID) / 4];
		return 0;
	}
}

uint64_t gzdev_pl031_read(struct gzdev_pl031 *d, uint64_t off, unsigned size, uint64_t now)
{
	uint64_t v;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return 0;
	d->reads++;
	v = read_reg(d, off & ~3ULL, now) >> (8 * (off & 3));
	return size >= 4 ? v : v & ((1ULL << (8 * size)) - 1);
}

void gzdev_pl031_write(struct gzdev_pl031 *d, uint64_t off, unsigned size, uint64_t val,
		       uint64_t now)
{
	uint32_t v = (uint32_t)val;

	if (size != 4 && size != 8)
		return; /* the registers take whole words */
	d->writes++;
	switch (off) {
	case GZDEV_PL031_MR:
		d->mr = v;
		break;
	case GZDEV_PL031_LR:
		/* The counter continues from the loaded value. */
		d->lr = v;
		d->offset = v - (uint32_t)now;
		break;
	case GZDEV_PL031_CR:
		/* Start: once set, it stays set until reset. */
		d->cr |= v & 1;
		break;
	case GZDEV_PL031_IMSC:
		d->imsc = v & 1;
		break;
	case GZDEV_PL031_ICR:
		d->ris &= ~(v & 1);
		break;
	default:
		break;
	}
	update_irq(d);
}

uint32_t gzdev_pl031_until_match(const struct gzdev_pl031 *d, uint64_t now)
{
	return d->mr - counter(d, now);
}

void gzdev_pl031_match(struct gzdev_pl031 *d)
{
	d->ris |= 1;
	d->matches++;
	update_irq(d);
}
