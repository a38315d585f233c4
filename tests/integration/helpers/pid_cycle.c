/* pid_cycle.c: forks until a child gets a chosen pid (the kernel hands pids out in turn), and that child runs a command. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * usage: pid_cycle PID CMD [ARG...]
 * Forks children that exit at once until one is given PID, which then execs CMD; waits for it and exits
 * with its status. Gives up (exit 3) after twice kernel.pid_max forks: PID is held by a live process.
 */
int main(int argc, char **argv)
{
	long want, limit = 2 * 4194304L, max = 0;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	int st;

	if (argc < 3 || (want = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pid_cycle PID CMD [ARG...]\n");
		return 2;
	}
	if (f && fscanf(f, "%ld", &max) == 1 && max > 0)
		limit = 2 * max;
	if (f)
		fclose(f);
	for (long i = 0; i < limit; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("pid_cycle: fork");
			return 1;
		}
		if (pid == 0) {
			if (getpid() == want) {
				execvp(argv[2], argv + 2);
				perror("pid_cycle: exec");
			}
			_exit(0);
		}
		if (waitpid(pid, &st, 0) < 0) {
			perror("pid_cycle: waitpid");
			return 1;
		}
		if (pid == want)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	fprintf(stderr, "pid_cycle: pid %ld never came round\n", want);
	return 3;
}
