/* gzvmm's set-up stop thread: SIGINT and SIGTERM end a set-up that is stuck (here: a child
 * that sleeps where set-up would block) with status 128 + N, and once disarmed a stop signal
 * is left pending for the run loop's signalfd, not consumed. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "setup_stop.h"

static void block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* Forks a child that arms (and with @disarm disarms) the thread, tells the parent, then waits
 * as a stuck set-up would; the parent sends @sig. The child's wait status. */
static int run_child(int sig, bool disarm)
{
	int p[2], status = 0;
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sigset_t set;
		int got = 0;

		block_stop_signals(&set);
		alarm(20); /* a lost signal ends the child with SIGALRM, not a hang */
		if (vmm_setup_stop_arm() != 0)
			_exit(90);
		if (disarm)
			vmm_setup_stop_disarm();
		if (write(p[1], "x", 1) != 1)
			_exit(91);
		if (!disarm) {
			for (;;)
				pause();
		}
		sigdelset(&set, VMM_KICK_SIGNAL);
		/* What the run loop's signalfd would read. */
		if (sigwait(&set, &got) != 0 || got != sig)
			_exit(92);
		exit(64); /* not _exit: a coverage build keeps what the child ran */
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(kill(pid, sig), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_stops_setup(void **state)
{
	int st;

	(void)state;
	st = run_child(SIGTERM, false);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 128 + SIGTERM);
	st = run_child(SIGINT, false);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 128 + SIGINT);
}

static void test_disarmed_leaves_signal_pending(void **state)
{
	int st;

	(void)state;
	st = run_child(SIGTERM, true);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 64);
	/* Disarming twice, or without arming, is harmless. */
	vmm_setup_stop_disarm();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stops_setup),
	    cmocka_unit_test(test_disarmed_leaves_signal_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
