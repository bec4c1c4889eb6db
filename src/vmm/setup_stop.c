/* The set-up phase's stop thread (setup_stop.h). It takes SIGINT/SIGTERM with sigwait, so no
 * handler and no unblocked mask is ever left behind for the threads set-up creates; disarming
 * wakes it with VMM_KICK_SIGNAL sent to it alone, so no stop signal is consumed and lost. */
#define _GNU_SOURCE
#include "setup_stop.h"
#include "backend.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_t stop_thread;
static bool armed;

static void *stop_main(void *arg)
{
	sigset_t set;
	int sig = 0;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, VMM_KICK_SIGNAL);
	/* Blocked in every thread and a valid set: sigwait returns one of the three. */
	sigwait(&set, &sig);
	if (sig == VMM_KICK_SIGNAL)
		return NULL;
	/* Nothing set-up did needs undoing: the terminal is still as it was, and closing the
	 * VM's file descriptors destroys the VM. */
	dprintf(2, "gzvmm: stopped by SIG%s during set-up\n", sigabbrev_np(sig));
	_exit(128 + sig);
}

int vmm_setup_stop_arm(void)
{
	armed = pthread_create(&stop_thread, NULL, stop_main, NULL) == 0;
	return -(int)!armed; /* 0, or -1: set-up runs unguarded */
}

void vmm_setup_stop_disarm(void)
{
	if (!armed)
		return;
	pthread_kill(stop_thread, VMM_KICK_SIGNAL);
	pthread_join(stop_thread, NULL);
	armed = false;
}
