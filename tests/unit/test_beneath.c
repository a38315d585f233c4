/* test_beneath.c: unit tests for opening paths beneath a directory without links (user/discover/beneath.c). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "discover/beneath.h"

static char top[] = "/tmp/test_beneath.XXXXXX";
static int dirfd_top;

static int setup(void **state)
{
	char p[128];

	(void)state;
	if (!mkdtemp(top))
		return -1;
	snprintf(p, sizeof(p), "%s/a", top);
	if (mkdir(p, 0700) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/a/b", top);
	if (mkdir(p, 0700) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/a/b/f", top);
	if (close(open(p, O_CREAT | O_WRONLY, 0600)) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/link", top);
	if (symlink("a", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/a/out", top);
	if (symlink("/etc/passwd", p) < 0)
		return -1;
	dirfd_top = open(top, O_PATH | O_DIRECTORY);
	return dirfd_top < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	close(dirfd_top);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void fails(const char *rel, int err)
{
	errno = 0;
	assert_int_equal(beneath_open(dirfd_top, rel, O_RDONLY, 0), -1);
	assert_int_equal(errno, err);
}

static void opens_below(void **state)
{
	int fd;

	(void)state;
	assert_true((fd = beneath_open(dirfd_top, "a/b/f", O_RDONLY, 0)) >= 0);
	close(fd);
	assert_true((fd = beneath_open(dirfd_top, "", O_PATH | O_DIRECTORY, 0)) >= 0);
	close(fd);
	fails("a/b/missing", ENOENT);
}

static void refuses_links_and_ways_out(void **state)
{
	(void)state;
	fails("link/b/f", ELOOP);	/* a link on the way */
	fails("a/out", ELOOP);		/* the file itself */
	errno = 0;
	assert_int_equal(beneath_open(dirfd_top, "link", O_PATH | O_DIRECTORY, 0), -1);
	assert_int_equal(errno, ELOOP);	/* a link to a directory, as a directory */
	fails("../etc/passwd", EXDEV);
	fails("a/../../etc", EXDEV);
	fails("/etc/passwd", EXDEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opens_below),
		cmocka_unit_test(refuses_links_and_ways_out),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
