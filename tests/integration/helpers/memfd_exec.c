/* memfd_exec.c: evasion case: copies PROG into an anonymous memfd and runs it with fexecve (execveat AT_EMPTY_PATH): no file on disk. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	char buf[65536];
	ssize_t n;
	int src, mfd;

	if (argc < 2) {
		fprintf(stderr, "usage: memfd_exec PROG [ARG...]\n");
		return 2;
	}
	src = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		perror(argv[1]);
		return 1;
	}
	mfd = memfd_create("mcpwarden-test", MFD_CLOEXEC);
	if (mfd < 0) {
		perror("memfd_exec: memfd_create");
		return 1;
	}
	while ((n = read(src, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n) {
			perror("memfd_exec: write to the memfd");
			return 1;
		}
	if (n < 0) {
		perror(argv[1]);
		return 1;
	}
	fexecve(mfd, argv + 1, environ);
	perror("memfd_exec: fexecve");
	return 127;
}
