/* as_user.c: runs a function in a child process that has become a given user (uid, gid and groups). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "discover/as_user.h"

/* In the child: becomes u. 0, or -1 with a message. */
static int become(const struct user_cred *u)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		log_warn("prctl(PR_SET_DUMPABLE)");
		return -1;
	}
	if (geteuid() != 0 || u->uid == 0)
		return 0;
	if (setgroups(u->ngroups, u->groups) < 0) {
		log_warn("setgroups for uid %u", (unsigned)u->uid);
		return -1;
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0) {
		log_warn("setresgid(%u)", (unsigned)u->gid);
		return -1;
	}
	if (setresuid(u->uid, u->uid, u->uid) < 0) {
		log_warn("setresuid(%u)", (unsigned)u->uid);
		return -1;
	}
	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 || r != u->uid || e != u->uid ||
	    s != u->uid || rg != u->gid || eg != u->gid || sg != u->gid || setuid(0) == 0) {
		log_warnx("uid %u: the switch to the user did not hold", (unsigned)u->uid);
		return -1;
	}
	return 0;
}

int as_user(const struct user_cred *u, int (*child)(void *arg, FILE *to_parent), void *arg,
	    void (*on_line)(char *line, void *arg), void *line_arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int fds[2], status;
	FILE *f;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_warn("pipe");
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		log_warn("fork");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int rc = 1;

		close(fds[0]);
		if (become(u) == 0 && (f = fdopen(fds[1], "w"))) {
			rc = child(arg, f);
			if (fclose(f) != 0)
				rc = 1;
		}
		fflush(stderr);
		_exit(rc);
	}
	close(fds[1]);
	if (!(f = fdopen(fds[0], "r"))) {
		log_warn("fdopen");
		close(fds[0]);
	}
	while (f && (n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		on_line(line, line_arg);
	}
	free(line);
	if (f)
		fclose(f);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			log_warn("waitpid");
			return -1;
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	log_warnx("the child acting as uid %u was killed by signal %d", (unsigned)u->uid, WTERMSIG(status));
	return -1;
}
