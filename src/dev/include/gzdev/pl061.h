/* PL061 GPIO register model: eight lines with direction, masked data access (address bits
 * 9:2 select the lines a data access touches), edge or level interrupt detection per line
 * (sense, both edges, event), the interrupt mask/raw/masked/clear registers, mode control and
 * the peripheral and PrimeCell IDs. The board drives input lines (QEMU's virt wires its power
 * key to line 3); the combined interrupt line's level leaves through a callback.
 * Freestanding; the caller serialises calls on one controller. */
#ifndef GZDEV_PL061_H
#define GZDEV_PL061_H

#include <stdbool.h>
#include <stdint.h>

#define GZDEV_PL061_DATA  0x000U /* 0x000-0x3fc: mask = offset bits 9:2 */
#define GZDEV_PL061_DIR	  0x400U
#define GZDEV_PL061_IS	  0x404U
#define GZDEV_PL061_IBE	  0x408U
#define GZDEV_PL061_IEV	  0x40cU
#define GZDEV_PL061_IE	  0x410U
#define GZDEV_PL061_RIS	  0x414U
#define GZDEV_PL061_MIS	  0x418U
#define GZDEV_PL061_IC	  0x41cU
#define GZDEV_PL061_AFSEL 0x420U
#define GZDEV_PL061_ID	  0xfe0U

struct gzdev_pl061 {
	void (*set_irq)(void *ctx, bool level); /* NULL: nothing wired */
	void *ctx;
	bool irq_level;
	uint8_t data;  /* output latch */
	uint8_t in;    /* levels the board drives on the lines */
	uint8_t level; /* the lines as the detector last saw them */
	uint8_t dir, is, ibe, iev, ie, ris, afsel;
	uint64_t reads, writes, edges;
};

void gzdev_pl061_init(struct gzdev_pl061 *g, void (*set_irq)(void *ctx, bool level), void *ctx);
/* Registers are 32-bit words (8 bits used); the low two bits of off select bytes of them. */
uint64_t gzdev_pl061_read(struct gzdev_pl061 *g, uint64_t off, unsigned size);
void gzdev_pl061_write(struct gzdev_pl061 *g, uint64_t off, unsigned size, uint64_t val);
/* The board drives line (0-7) to level; it matters while the line is an input. */
void gzdev_pl061_set_input(struct gzdev_pl061 *g, unsigned line, bool level);

#endif
