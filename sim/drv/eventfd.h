/* The in-process driver's eventfds (eventfd.c): gzdrv_ops' eventfd and irqfd operations over
 * the process's own Linux eventfds, and the watcher thread that fires an irqfd when its
 * eventfd is signalled. */
#ifndef GZ_SIM_DRV_EVENTFD_H
#define GZ_SIM_DRV_EVENTFD_H

#include "gzdrv.h"

/* gzdrv_ops.eventfd_get/put/signal (@env unused) */
int gz_sim_eventfd_get(void *env, int fd, void **out);
void gz_sim_eventfd_put(void *env, void *efd);
void gz_sim_eventfd_signal(void *env, void *efd);
/* gzdrv_ops.irqfd_watch/unwatch: the first watch starts the watcher thread */
int gz_sim_irqfd_watch(void *env, struct gzdrv_irqfd *irqfd);
void gz_sim_irqfd_unwatch(void *env, struct gzdrv_irqfd *irqfd);
/* Driver start and end: the watcher's wake-up pipe (0 or -errno); the end stops the watcher
 * and forgets every watched irqfd. */
int gz_sim_irqfd_init(void);
void gz_sim_irqfd_fini(void);

#endif
