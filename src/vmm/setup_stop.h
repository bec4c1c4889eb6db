/* SIGINT and SIGTERM during set-up. gzvmm blocks both before it starts any thread, so that
 * later they reach only the run loop's signalfd (vm_run.c); until that loop exists, a thread
 * waits for them and ends gzvmm at once with status 128 + N, whatever set-up is doing. */
#ifndef VMM_SETUP_STOP_H
#define VMM_SETUP_STOP_H

/* Start the waiting thread. The caller blocks SIGINT, SIGTERM and VMM_KICK_SIGNAL first (in
 * every thread); once. 0, or -1 if no thread could be started (set-up then runs unguarded). */
int vmm_setup_stop_arm(void);
/* Stop it before the run loop: a signal that comes after stays pending for the signalfd. */
void vmm_setup_stop_disarm(void);

#endif
