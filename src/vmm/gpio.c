/* gzvmm's PL061 and power key: locking and the key's release timer. */
#include "gpio.h"

#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "layout.h"

int vmm_gpio_init(struct vmm_gpio *g, void (*set_irq)(void *ctx, bool level), void *ctx)
{
	memset(g, 0, sizeof(*g));
	g->key_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (g->key_fd < 0 || pthread_mutex_init(&g->lock, NULL) != 0)
		return -1;
	gzdev_pl061_init(&g->m, set_irq, ctx);
	return 0;
}

void vmm_gpio_reset(struct vmm_gpio *g)
{
	struct itimerspec off = {{0, 0}, {0, 0}};

	pthread_mutex_lock(&g->lock);
	timerfd_settime(g->key_fd, 0, &off, NULL);
	gzdev_pl061_init(&g->m, g->m.set_irq, g->m.ctx);
	pthread_mutex_unlock(&g->lock);
}

void vmm_gpio_destroy(struct vmm_gpio *g)
{
	if (g->key_fd >= 0)
		close(g->key_fd);
	g->key_fd = -1;
	pthread_mutex_destroy(&g->lock);
}

uint64_t vmm_gpio_read(struct vmm_gpio *g, uint64_t off, unsigned size)
{
	uint64_t v;

	pthread_mutex_lock(&g->lock);
	v = gzdev_pl061_read(&g->m, off, size);
	pthread_mutex_unlock(&g->lock);
	return v;
}

void vmm_gpio_write(struct vmm_gpio *g, uint64_t off, unsigned size, uint64_t val)
{
	pthread_mutex_lock(&g->lock);
	gzdev_pl061_write(&g->m, off, size, val);
	pthread_mutex_unlock(&g->lock);
}

void vmm_gpio_press_power_key(struct vmm_gpio *g)
{
	struct itimerspec its = {{0, 0}, {0, VMM_GPIO_KEY_PULSE_MS * 1000000L}};

	pthread_mutex_lock(&g->lock);
	gzdev_pl061_set_input(&g->m, VMM_GPIO_POWER_LINE, true);
	g->presses++;
	timerfd_settime(g->key_fd, 0, &its, NULL);
	pthread_mutex_unlock(&g->lock);
}

void vmm_gpio_key_timer(struct vmm_gpio *g)
{
	uint64_t n;

	while (read(g->key_fd, &n, sizeof(n)) > 0)
		;
	pthread_mutex_lock(&g->lock);
	gzdev_pl061_set_input(&g->m, VMM_GPIO_POWER_LINE, false);
	pthread_mutex_unlock(&g->lock);
}
