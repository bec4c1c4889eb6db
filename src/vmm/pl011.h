/* gzvmm's PL011: the register model of src/dev (gzdev/pl011.h) behind a lock, since vCPU
 * threads access its registers while the event loop feeds it stdin; transmitted bytes go to
 * the console sink, the interrupt line to a set_irq callback (IRQ_LINE). */
#ifndef VMM_PL011_H
#define VMM_PL011_H

#include <gzdev/pl011.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console.h"

struct pl011 {
	pthread_mutex_t lock;
	struct vmm_console *out;
	/* Sets the interrupt line level (IRQ_LINE); called with the lock held. */
	void (*set_irq)(void *ctx, bool level);
	void *irq_ctx;
	/* The flag register's value as the hypervisor answers reads of it (pl011_fr_track):
	 * told every change, with the lock held, before the guest can see the change through
	 * any other register or the interrupt line. NULL: every read of FR comes here. */
	bool (*fr_set)(void *ctx, uint32_t fr);
	void *fr_ctx;
	uint32_t fr_known;    /* the value fr_set last took */
	struct gzdev_pl011 m; /* registers and counters */
};

int pl011_init(struct pl011 *u, struct vmm_console *out);
void pl011_destroy(struct pl011 *u);
void pl011_reset(struct pl011 *u);
uint64_t pl011_read(struct pl011 *u, uint64_t off, unsigned size);
void pl011_write(struct pl011 *u, uint64_t off, unsigned size, uint64_t val);
/* Input from the host; returns bytes accepted (the rest must be offered again later). */
size_t pl011_input(struct pl011 *u, const void *buf, size_t len);
size_t pl011_input_space(struct pl011 *u);
/* Hands the flag register to @fr_set: called at once with its value and then with every new
 * one, each before the access or input that changed it returns and before an interrupt it
 * raises. A guest printing polls FR twice per byte (earlycon: "FIFO full?" before, "busy?"
 * after), and while no input arrives it never changes: the hypervisor answers those reads
 * (an updatable constant register) and only the data register's write leaves the guest. When
 * @fr_set refuses the first value, nothing is handed over. */
bool pl011_fr_track(struct pl011 *u, bool (*fr_set)(void *ctx, uint32_t fr), void *ctx);

#endif
