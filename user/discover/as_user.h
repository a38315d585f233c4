/* as_user.h: runs a function in a child process that has become a given user (uid, gid and groups). */
#ifndef MCPWARDEN_AS_USER_H
#define MCPWARDEN_AS_USER_H

#include <stdio.h>
#include <sys/types.h>

struct user_cred {
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* supplementary groups */
	size_t ngroups;
};

/*
 * Forks a child that first points 0 and 1 at /dev/null (2 stays, for its messages) and
 * closes every descriptor of this process but 0, 1, 2, its pipe to here and keep_fd (-1:
 * none), so none of root's reaches the user (close_range,
 * or where the kernel lacks it a walk of /proc/self/fd; the child gives up when neither
 * works). Then, when this process is root and u is not, it sets u's groups, gid and uid
 * (setgroups, setresgid, setresuid, each checked, and checked again after) and otherwise
 * stays as this process is; the child is not dumpable. It then returns child(arg,
 * to_parent) as its exit code; each line it writes to to_parent is handed to on_line
 * (its newline removed) here, as it comes, a line longer than AS_USER_MAX_LINE cut
 * there (on_line sees what fits, and nothing of the rest). The user owns the child, so
 * may stop it: a child that has not finished within AS_USER_DEADLINE_S, or has not exited
 * AS_USER_GRACE_MS after it closed its pipe, is killed.
 * Returns the child's exit code, or -1 with a message when it could not start, did not
 * exit, or ran out of time.
 */
#define AS_USER_DEADLINE_S	60
#define AS_USER_GRACE_MS	2000
#define AS_USER_MAX_LINE	(1 << 20)
int as_user(const struct user_cred *u, int keep_fd, int (*child)(void *arg, FILE *to_parent), void *arg,
	    void (*on_line)(char *line, void *arg), void *line_arg);

#endif
