/* gzvmm's PL031: host clock, locking and the match timer around the register model. */
#include "rtc.h"

#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_s(struct vmm_rtc *r)
{
	struct timespec ts;

	if (r->clock)
		return r->clock(r->clock_ctx);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Called with the lock held after anything that moves the match: raise it now, or arm the
 * timer for it. */
static void arm(struct vmm_rtc *r, uint64_t now)
{
	uint32_t left = gzdev_pl031_until_match(&r->m, now);
	struct itimerspec its = {{0, 0}, {0, 0}};

	r->match_at = now + left;
	if (left == 0) {
		gzdev_pl031_match(&r->m);
		r->match_at = UINT64_MAX;
	} else if (!r->clock) {
		its.it_value.tv_sec = (time_t)r->match_at;
	}
	timerfd_settime(r->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

int vmm_rtc_init(struct vmm_rtc *r, void (*set_irq)(void *ctx, bool level), void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (r->timer_fd < 0 || pthread_mutex_init(&r->lock, NULL) != 0)
		return -1;
	gzdev_pl031_init(&r->m, set_irq, ctx);
	/* Match register 0: armed for when the 32-bit counter wraps round to it. */
	arm(r, now_s(r));
	return 0;
}

void vmm_rtc_reset(struct vmm_rtc *r)
{
	pthread_mutex_lock(&r->lock);
	gzdev_pl031_init(&r->m, r->m.set_irq, r->m.ctx);
	arm(r, now_s(r));
	pthread_mutex_unlock(&r->lock);
}

void vmm_rtc_destroy(struct vmm_rtc *r)
{
	if (r->timer_fd >= 0)
		close(r->timer_fd);
	r->timer_fd = -1;
	pthread_mutex_destroy(&r->lock);
}

uint64_t vmm_rtc_read(struct vmm_rtc *r, uint64_t off, unsigned size)
{
	uint64_t v;

	pthread_mutex_lock(&r->lock);
	v = gzdev_pl031_read(&r->m, off, size, now_s(r));
	pthread_mutex_unlock(&r->lock);
	return v;
}

void vmm_rtc_write(struct vmm_rtc *r, uint64_t off, unsigned size, uint64_t val)
{
	uint64_t now = now_s(r);

	pthread_mutex_lock(&r->lock);
	gzdev_pl031_write(&r->m, off, size, val, now);
	if (off == GZDEV_PL031_MR || off == GZDEV_PL031_LR)
		arm(r, now);
	pthread_mutex_unlock(&r->lock);
}

void vmm_rtc_set_clock(struct vmm_rtc *r, uint64_t (*clock)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&r->lock);
	r->clock = clock;
	r->clock_ctx = ctx;
	gzdev_pl031_init(&r->m, r->m.set_irq, r->m.ctx);
	arm(r, now_s(r));
	pthread_mutex_unlock(&r->lock);
}

void vmm_rtc_poll(struct vmm_rtc *r)
{
	pthread_mutex_lock(&r->lock);
	if (r->clock && r->match_at != UINT64_MAX && now_s(r) >= r->match_at) {
		gzdev_pl031_match(&r->m);
		r->match_at = UINT64_MAX;
	}
	pthread_mutex_unlock(&r->lock);
}

void vmm_rtc_timer(struct vmm_rtc *r)
{
	uint64_t n, now = now_s(r);

	while (read(r->timer_fd, &n, sizeof(n)) > 0)
		;
	pthread_mutex_lock(&r->lock);
	/* The host clock may have been set meanwhile: a match that is due is raised,
	 * one that is not is waited for again. */
	if (now >= r->match_at)
		gzdev_pl031_match(&r->m);
	else
		arm(r, now);
	pthread_mutex_unlock(&r->lock);
}
