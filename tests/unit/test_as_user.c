/* test_as_user.c: unit tests for the per-home child (user/discover/as_user.c): it keeps no descriptor of the caller's but 0-2, its pipe and the one it is given, with close_range and without. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "discover/as_user.h"

static char seen[256];	/* what the child said, one word a line */

static void on_line(char *line, void *arg)
{
	(void)arg;
	strncat(seen, line, sizeof(seen) - strlen(seen) - 2);
	strcat(seen, " ");
}

/* In the child: each descriptor above 2 it has, as "keep", "pipe" or "other:N". */
static int list_fds(void *arg, FILE *to_parent)
{
	int keep = *(int *)arg, fd;
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return 2;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (fd = atoi(e->d_name)) < 3 || fd == dirfd(d))
			continue;
		if (fd == keep)
			fprintf(to_parent, "keep\n");
		else if (fd == fileno(to_parent))
			fprintf(to_parent, "pipe\n");
		else
			fprintf(to_parent, "other:%d\n", fd);
	}
	closedir(d);
	return 0;
}

/*
 * Opens what root's scan may hold (a file only its owner reads, low and at 300, and a pipe), then runs
 * list_fds as a user: nobody when this is root, else this process's own. The child must name its pipe
 * and the kept descriptor, and nothing else. Returns what it said, or "" when as_user failed.
 */
static const char *child_fds(void)
{
	char path[] = "/tmp/test_as_user.XXXXXX";
	struct user_cred u = { .uid = geteuid() ? geteuid() : 65534, .gid = geteuid() ? getegid() : 65534 };
	int secret = mkstemp(path), p[2], keep = open("/", O_PATH | O_CLOEXEC), rc;

	if (secret < 0 || fchmod(secret, 0600) < 0 || dup2(secret, 300) < 0 || pipe(p) < 0 || keep < 0)
		return "";
	unlink(path);
	seen[0] = '\0';
	rc = as_user(&u, keep, list_fds, &keep, on_line, NULL);
	close(secret);
	close(300);
	close(p[0]);
	close(p[1]);
	close(keep);
	return rc == 0 ? seen : "";
}

static void keeps_only_its_own(void **state)
{
	const char *got;

	(void)state;
	got = child_fds();
	assert_true(!strcmp(got, "keep pipe ") || !strcmp(got, "pipe keep "));
}

/* Where the kernel has no close_range (ENOSYS here, from a seccomp filter), the walk of /proc/self/fd holds the same line. */
static void without_close_range(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		const char *got;

		if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(close_range), 0) < 0 ||
		    seccomp_load(ctx) < 0)
			_exit(3);
		seccomp_release(ctx);
		got = child_fds();
		fprintf(stderr, "child's descriptors: %s\n", got);
		_exit(!strcmp(got, "keep pipe ") || !strcmp(got, "pipe keep ") ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* In the child: closes its pipe, then stops itself, as its user may; says what 0 and 1 are first. */
static int stdio_then_stop(void *arg, FILE *to_parent)
{
	struct stat null, in, out;

	(void)arg;
	if (stat("/dev/null", &null) == 0 && fstat(0, &in) == 0 && fstat(1, &out) == 0 && in.st_rdev == null.st_rdev &&
	    out.st_rdev == null.st_rdev && S_ISCHR(in.st_mode) && S_ISCHR(out.st_mode))
		fprintf(to_parent, "null\n");
	fflush(to_parent);
	close(fileno(to_parent));
	raise(SIGSTOP);
	return 0;
}

/* The child's 0 and 1 are /dev/null, not root's; and a child stopped after it closed its pipe is killed after the
 * grace, not waited for forever (the alarm fails the test first if it is). */
static void stdio_and_a_stopped_child(void **state)
{
	struct user_cred u = { .uid = geteuid() ? geteuid() : 65534, .gid = geteuid() ? getegid() : 65534 };

	(void)state;
	seen[0] = '\0';
	alarm(AS_USER_GRACE_MS / 1000 + 10);
	assert_int_equal(as_user(&u, -1, stdio_then_stop, NULL, on_line, NULL), -1);
	alarm(0);
	assert_string_equal(seen, "null ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_only_its_own),
		cmocka_unit_test(without_close_range),
		cmocka_unit_test(stdio_and_a_stopped_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
