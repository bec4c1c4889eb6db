/* The in-process driver's eventfds: an eventfd the VMM hands over (ioeventfd, irqfd) is the
 * process's own Linux eventfd, kept as a dup of it; a thread polls every watched irqfd's
 * eventfd and fires the irqfd when it is signalled (the kernel's irqfd wait-queue callback),
 * never after its unwatch returned: the VM it injects into may be gone by then. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "eventfd.h"

#define MAX_WATCH 64

struct efd {
	int fd;
};

static struct {
	pthread_mutex_t mu; /* watched, watcher_stop */
	pthread_t watcher;
	bool watcher_up, watcher_stop, pipe_up;
	struct gzdrv_irqfd *watched[MAX_WATCH];
	int wake_pipe[2]; /* wakes the watcher to read the list again */
} W = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void *watcher_main(void *arg);

int gz_sim_eventfd_get(void *env, int fd, void **out)
{
	char path[64], target[64];
	ssize_t n;
	struct efd *e;

	(void)env;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -EBADF;
	target[n] = 0;
	if (strcmp(target, "anon_inode:[eventfd]"))
		return -EINVAL;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fd = dup(fd);
	if (e->fd < 0) {
		free(e);
		return -EBADF;
	}
	*out = e;
	return 0;
}

void gz_sim_eventfd_put(void *env, void *p)
{
	struct efd *e = p;

	(void)env;
	if (e) {
		close(e->fd);
		free(e);
	}
}

void gz_sim_eventfd_signal(void *env, void *p)
{
	struct efd *e = p;
	uint64_t one = 1;

	(void)env;
	if (write(e->fd, &one, sizeof(one)) < 0)
		perror("gzsim driver: eventfd write");
}

static void poke_watcher(void)
{
	char c = 1;

	if (write(W.wake_pipe[1], &c, 1) < 0)
		perror("gzsim driver: watcher pipe");
}

int gz_sim_irqfd_watch(void *env, struct gzdrv_irqfd *irqfd)
{
	int r = -ENOSPC;

	(void)env;
	pthread_mutex_lock(&W.mu);
	if (!W.watcher_up) {
		W.watcher_stop = false;
		if (pthread_create(&W.watcher, NULL, watcher_main, NULL) == 0)
			W.watcher_up = true;
	}
	for (int i = 0; i < MAX_WATCH && W.watcher_up; i++) {
		if (!W.watched[i]) {
			W.watched[i] = irqfd;
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&W.mu);
	poke_watcher();
	return r;
}

void gz_sim_irqfd_unwatch(void *env, struct gzdrv_irqfd *irqfd)
{
	(void)env;
	pthread_mutex_lock(&W.mu);
	for (int i = 0; i < MAX_WATCH; i++)
		if (W.watched[i] == irqfd)
			W.watched[i] = NULL;
	pthread_mutex_unlock(&W.mu);
	poke_watcher();
}

static bool still_watched(const struct gzdrv_irqfd *irqfd)
{
	for (int i = 0; i < MAX_WATCH; i++)
		if (W.watched[i] == irqfd)
			return true;
	return false;
}

/* Polls every watched irqfd's eventfd; a signal fires the irqfd, a hang-up drops it. */
static void *watcher_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd pfd[MAX_WATCH + 1];
		struct gzdrv_irqfd *who[MAX_WATCH];
		int n = 0;

		pthread_mutex_lock(&W.mu);
		if (W.watcher_stop) {
			pthread_mutex_unlock(&W.mu);
			return NULL;
		}
		for (int i = 0; i < MAX_WATCH; i++) {
			if (!W.watched[i])
				continue;
			pfd[n] = (struct pollfd){.fd = ((struct efd *)W.watched[i]->efd)->fd,
						 .events = POLLIN};
			who[n++] = W.watched[i];
		}
		pthread_mutex_unlock(&W.mu);
		pfd[n] = (struct pollfd){.fd = W.wake_pipe[0], .events = POLLIN};
		if (poll(pfd, (nfds_t)n + 1, -1) < 0)
			continue;
		if (pfd[n].revents) {
			char buf[64];

			if (read(W.wake_pipe[0], buf, sizeof(buf)) < 0)
				continue;
		}
		/* Fired under the lock, and only while still watched: unwatch (a VM going away)
		 * waits for a firing in progress, and nothing fires an irqfd after it. */
		pthread_mutex_lock(&W.mu);
		for (int i = 0; i < n; i++) {
			uint64_t cnt;

			if (pfd[i].revents & POLLIN && still_watched(who[i]) &&
			    read(pfd[i].fd, &cnt, sizeof(cnt)) == sizeof(cnt))
				gzdrv_irqfd_fire(who[i]);
		}
		pthread_mutex_unlock(&W.mu);
	}
}

int gz_sim_irqfd_init(void)
{
	gz_sim_irqfd_fini();
	if (pipe(W.wake_pipe))
		return -errno;
	W.pipe_up = true;
	return 0;
}

void gz_sim_irqfd_fini(void)
{
	if (W.watcher_up) {
		pthread_mutex_lock(&W.mu);
		W.watcher_stop = true;
		pthread_mutex_unlock(&W.mu);
		poke_watcher();
		pthread_join(W.watcher, NULL);
		W.watcher_up = false;
	}
	if (W.pipe_up) {
		close(W.wake_pipe[0]);
		close(W.wake_pipe[1]);
		W.pipe_up = false;
	}
	memset(W.watched, 0, sizeof(W.watched));
}
