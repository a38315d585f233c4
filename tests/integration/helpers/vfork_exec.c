/* vfork_exec.c: evasion case: runs PROG [ARG...] from a vfork()ed child, which shares the parent's memory until exec. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: vfork_exec PROG [ARG...]\n");
		return 2;
	}
	pid = vfork();
	if (pid == 0) {
		execv(argv[1], argv + 1);
		_exit(127);	/* nothing else is safe in a vfork child */
	}
	if (pid < 0) {
		perror("vfork_exec: vfork");
		return 1;
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("vfork_exec: waitpid");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
