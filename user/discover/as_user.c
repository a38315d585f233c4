/* as_user.c: runs a function in a child process that has become a given user (uid, gid and groups). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "discover/as_user.h"

/* In the child: closes the descriptors from lo to hi (none when lo > hi). 0, or -1 with a message. */
static int close_between(unsigned lo, unsigned hi)
{
	struct dirent *e;
	DIR *d;

	if (lo > hi || close_range(lo, hi, 0) == 0)
		return 0;
	if (!(d = opendir("/proc/self/fd"))) {	/* a kernel before 5.9 has no close_range */
		log_warn("closing descriptors %u to %u: no close_range, and /proc/self/fd", lo, hi);
		return -1;
	}
	while ((e = readdir(d))) {
		char *end;
		unsigned long fd = strtoul(e->d_name, &end, 10);

		if (e->d_name[0] != '.' && !*end && fd >= lo && fd <= hi && (int)fd != dirfd(d))
			close((int)fd);
	}
	closedir(d);
	return 0;
}

/* In the child: closes every descriptor but 0, 1, 2, out and keep (-1: none). 0, or -1 with a message. */
static int close_others(int out, int keep)
{
	unsigned k[2] = { (unsigned)out, keep < 0 ? (unsigned)out : (unsigned)keep }, from = 3;

	if (k[0] > k[1]) {
		k[0] = k[1];
		k[1] = (unsigned)out;
	}
	for (size_t i = 0; i < 2; i++) {
		if (k[i] < from)
			continue;	/* below 3, or kept already */
		if (close_between(from, k[i] - 1) < 0)
			return -1;
		from = k[i] + 1;
	}
	return close_between(from, ~0U);
}

/* The user may not ptrace the child, read its memory, or get a core of it (root's descriptors and environment). */
static int undumpable(void)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) {
		log_warn("prctl(PR_SET_DUMPABLE)");
		return -1;
	}
	return 0;
}

/* In the child: becomes u. 0, or -1 with a message. */
static int become(const struct user_cred *u)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
		return -1;
	}
	if (geteuid() != 0 || u->uid == 0)
		return undumpable();
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
	return undumpable();	/* after the switch: changing uid resets it to fs.suid_dumpable */
}

/* Hands each line read from fd to on_line until EOF, a line longer than AS_USER_MAX_LINE cut there (the
 * rest of it skipped); -1 with a message naming uid when the deadline passed first, or out of memory. */
static int read_lines(int fd, uid_t uid, void (*on_line)(char *line, void *arg), void *arg)
{
	struct timespec now, end;
	char *buf = malloc(AS_USER_MAX_LINE + 1), *line, *nl;
	size_t len = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	bool skip = false;	/* in the rest of a line that was cut */
	ssize_t n;
	int rc = 0;

	if (!buf) {
		log_warnx("the lines of the child acting as uid %u: out of memory", (unsigned)uid);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += AS_USER_DEADLINE_S;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;

		if (left <= 0 || (n = poll(&p, 1, (int)left)) == 0) {
			log_warnx("the child acting as uid %u did not finish within %d s: killed", (unsigned)uid,
				  AS_USER_DEADLINE_S);
			rc = -1;
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if ((n = read(fd, buf + len, AS_USER_MAX_LINE - len)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;	/* EOF: the child is done */
		}
		len += (size_t)n;
		buf[len] = '\0';
		for (line = buf; (nl = memchr(line, '\n', len - (size_t)(line - buf))); line = nl + 1) {
			*nl = '\0';
			if (!skip)
				on_line(line, arg);
			skip = false;
		}
		len -= (size_t)(line - buf);
		memmove(buf, line, len);
		buf[len] = '\0';
		if (len == AS_USER_MAX_LINE) {	/* a line that does not fit: what fits, then nothing of it */
			if (!skip)
				on_line(buf, arg);
			skip = true;
			len = 0;
		}
	}
	if (!rc && len && !skip)
		on_line(buf, arg);
	free(buf);
	return rc;
}

/* In the child: points 0 and 1 at /dev/null, so nothing of root's terminal or pipes reaches the user (stderr
 * stays, for messages). 0, or -1 with a message. */
static int quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0) {
		log_warn("/dev/null as the child's stdin and stdout");
		return -1;
	}
	if (fd > 2)
		close(fd);
	return 0;
}

/* Reaps pid, which has closed its pipe: given AS_USER_GRACE_MS to exit, then killed (its user may have stopped
 * it). 0 with *status set, or -1 with a message. */
static int reap(pid_t pid, uid_t uid, int *status)
{
	struct timespec tick = { 0, 10 * 1000000 };
	pid_t r;

	for (int waited = 0; (r = waitpid(pid, status, WNOHANG)) != pid; waited += 10) {
		if (r < 0 && errno != EINTR) {
			log_warn("waitpid");
			return -1;
		}
		if (waited >= AS_USER_GRACE_MS) {
			log_warnx("the child acting as uid %u closed its pipe but did not exit within %d ms: killed",
				  (unsigned)uid, AS_USER_GRACE_MS);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0)
				if (errno != EINTR) {
					log_warn("waitpid");
					return -1;
				}
			return 0;
		}
		nanosleep(&tick, NULL);
	}
	return 0;
}

int as_user(const struct user_cred *u, int keep_fd, int (*child)(void *arg, FILE *to_parent), void *arg,
	    void (*on_line)(char *line, void *arg), void *line_arg)
{
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
		if (quiet_stdio() == 0 && close_others(fds[1], keep_fd) == 0 && become(u) == 0 && (f = fdopen(fds[1], "w"))) {
			rc = child(arg, f);
			if (fclose(f) != 0)
				rc = 1;
		}
		fflush(stderr);
		_exit(rc);
	}
	close(fds[1]);
	if (read_lines(fds[0], u->uid, on_line, line_arg) < 0)
		kill(pid, SIGKILL);
	close(fds[0]);
	if (reap(pid, u->uid, &status) < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	log_warnx("the child acting as uid %u was killed by signal %d", (unsigned)u->uid, WTERMSIG(status));
	return -1;
}
