/* The set-up phase's stop thread (setup_stop.h). It takes SIGINT/SIGTERM with sigwait, so no
 * handler and no unblocked mask is ever left behind for the threads set-up creates; disarming
 * wakes it with VMM_KICK_SIGNAL sent to it alone, so no stop signal is consumed and lost. */
#include "setup_stop.h"
#include "backend.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
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
	while (sigwait(&set, &sig) != 0)
		;
	if (sig == SIGINT || sig == SIGTERM) {
		static const char msg_int[] = "gzvmm: stopped by SIGINT during set-up\n";
		static const char msg_term[] = "gzvmm: stopped by SIGTERM during set-up\n";
		const char *m = sig == SIGINT ? msg_int : msg_term;

		ssize_t n = write(2, m, strlen(m));

		(void)n;
		/* Nothing set-up did needs undoing: the terminal is still as it was, and closing
		 * the VM's file descriptors destroys the VM. */
		_exit(128 + sig);
	}
	return NULL;
}

int vmm_setup_stop_arm(void)
{
	if (armed)
		return 0;
	if (pthread_create(&stop_thread, NULL, stop_main, NULL) != 0)
		return -1;
	armed = true;
	return 0;
}

void vmm_setup_stop_disarm(void)
{
	if (!armed)
		return;
	pthread_kill(stop_thread, VMM_KICK_SIGNAL);
	pthread_join(stop_thread, NULL);
	armed = false;
}
