/* gzvmm's PL061 GPIO and virt's power key: the register model of src/dev (gzdev/pl061.h)
 * behind a lock; pressing the key drives line 3 high and, 100 ms later (a timerfd the event
 * loop watches), low again, as QEMU's gpio-key does. The guest's gpio-keys driver sees
 * KEY_POWER and shuts down. */
#ifndef VMM_GPIO_H
#define VMM_GPIO_H

#include <gzdev/pl061.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define VMM_GPIO_KEY_PULSE_MS 100

struct vmm_gpio {
	pthread_mutex_t lock;
	struct gzdev_pl061 m;
	int key_fd; /* releases the key */
	uint64_t presses;
};

int vmm_gpio_init(struct vmm_gpio *g, void (*set_irq)(void *ctx, bool level), void *ctx);
void vmm_gpio_reset(struct vmm_gpio *g);
void vmm_gpio_destroy(struct vmm_gpio *g);
uint64_t vmm_gpio_read(struct vmm_gpio *g, uint64_t off, unsigned size);
void vmm_gpio_write(struct vmm_gpio *g, uint64_t off, unsigned size, uint64_t val);
void vmm_gpio_press_power_key(struct vmm_gpio *g);
/* The event loop saw key_fd fire: the key goes up. */
void vmm_gpio_key_timer(struct vmm_gpio *g);

#endif
