/* maxrss LIMIT_KB COMMAND [ARGS...]: runs COMMAND and fails (status 1) unless it exits with 0
 * and its peak resident memory (getrusage's ru_maxrss of the child) stays at or under
 * LIMIT_KB. Prints the peak, so a test log carries the figure. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	long limit;
	pid_t pid;

	if (argc < 3 || (limit = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: maxrss LIMIT_KB COMMAND [ARGS...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("maxrss: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("maxrss: wait4");
		return 1;
	}
	printf("maxrss: %ld KB (limit %ld KB), status 0x%x\n", ru.ru_maxrss, limit, status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 1;
	return ru.ru_maxrss <= limit ? 0 : 1;
}
