/* no_openat2.c: runs CMD as on a kernel without openat2: a seccomp filter makes openat2 fail with ENOSYS. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;

	if (argc < 2) {
		fprintf(stderr, "usage: no_openat2 CMD [ARG...]\n");
		return 2;
	}
	if (!(ctx = seccomp_init(SCMP_ACT_ALLOW)) ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 || seccomp_load(ctx) < 0) {
		fprintf(stderr, "no_openat2: installing the seccomp filter failed\n");
		return 1;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
