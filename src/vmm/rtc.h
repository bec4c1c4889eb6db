/* gzvmm's PL031 real-time clock: the register model of src/dev (gzdev/pl031.h) behind a
 * lock, counting the host's wall-clock seconds (CLOCK_REALTIME), so the guest reads the
 * time of day; its match interrupt comes from a timerfd the event loop watches. */
#ifndef VMM_RTC_H
#define VMM_RTC_H

#include <gzdev/pl031.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vmm_rtc {
	pthread_mutex_t lock;
	struct gzdev_pl031 m;
	int timer_fd;	   /* fires at match_at */
	uint64_t match_at; /* host seconds at which the counter reaches the match register */
	/* A deterministic run's clock (seconds), NULL: the host's. With it the match is
	 * polled (vmm_rtc_poll), not timed. */
	uint64_t (*clock)(void *ctx);
	void *clock_ctx;
};

/* -1 if the timerfd cannot be had. set_irq gets the interrupt line's level. */
int vmm_rtc_init(struct vmm_rtc *r, void (*set_irq)(void *ctx, bool level), void *ctx);
/* Registers reset, the counter back on the host's clock (a reboot). */
void vmm_rtc_reset(struct vmm_rtc *r);
void vmm_rtc_destroy(struct vmm_rtc *r);
uint64_t vmm_rtc_read(struct vmm_rtc *r, uint64_t off, unsigned size);
void vmm_rtc_write(struct vmm_rtc *r, uint64_t off, unsigned size, uint64_t val);
/* The event loop saw timer_fd fire. */
void vmm_rtc_timer(struct vmm_rtc *r);
/* Count from clock instead of the host's (registers reset); then vmm_rtc_poll raises the
 * match once it is due. */
void vmm_rtc_set_clock(struct vmm_rtc *r, uint64_t (*clock)(void *ctx), void *ctx);
void vmm_rtc_poll(struct vmm_rtc *r);

#endif
