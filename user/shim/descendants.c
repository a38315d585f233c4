/* descendants.c: finds the shim's descendants by ancestry in /proc and kills them through pidfds. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "shim/descendants.h"

int descendants_adopt(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		log_warn("PR_SET_CHILD_SUBREAPER");
		return -1;
	}
	return 0;
}

/* The parent of pid from /proc/PID/stat (after the comm's last ')'), or -1; *zombie when it is one (a zombie has
 * no children left and needs no signal). */
static pid_t parent_state(pid_t pid, bool *zombie)
{
	char path[64], buf[512], *p;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -1;
	*zombie = p[2] == 'Z' || p[2] == 'X';
	return (pid_t)strtol(p + 4, NULL, 10);
}

static pid_t parent_of(pid_t pid)
{
	bool zombie;

	return parent_state(pid, &zombie);
}

struct proc {
	pid_t pid, ppid;
	signed char below;	/* -1 not known yet, 0 no, 1 yes */
};

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc *)a)->pid, y = ((const struct proc *)b)->pid;

	return (x > y) - (x < y);
}

/* Every process and its parent; *n of them. NULL when /proc can't be read (logged). */
static struct proc *snapshot(size_t *n)
{
	size_t cap = 256;
	struct proc *v = malloc(cap * sizeof(*v)), *grown;
	struct dirent *e;
	DIR *dir = opendir("/proc");

	*n = 0;
	if (!v || !dir) {
		log_warn("reading /proc for the server's descendants");
		free(v);
		if (dir)
			closedir(dir);
		return NULL;
	}
	while ((e = readdir(dir))) {
		pid_t pid = (pid_t)strtol(e->d_name, NULL, 10), ppid;
		bool zombie = false;

		if (pid <= 0 || (ppid = parent_state(pid, &zombie)) < 0 || zombie)
			continue;
		if (*n == cap) {
			if (!(grown = realloc(v, 2 * cap * sizeof(*v))))
				break;	/* the next round sees the rest */
			v = grown;
			cap *= 2;
		}
		v[(*n)++] = (struct proc){ .pid = pid, .ppid = ppid, .below = -1 };
	}
	closedir(dir);
	qsort(v, *n, sizeof(*v), by_pid);
	return v;
}

/* Whether v[i] is below self: up its parents (found by pid, v sorted) to self, init or a known answer, each
 * answer on the way kept; a cycle (pids reused mid-scan) is cut by the depth bound. */
static bool below(struct proc *v, size_t n, size_t i, pid_t self)
{
	size_t path[256], len = 0;
	signed char answer = 0;

	while (len < sizeof(path) / sizeof(path[0])) {
		struct proc key = { .pid = v[i].ppid }, *parent;

		if (v[i].below >= 0) {
			answer = v[i].below;
			break;
		}
		path[len++] = i;
		if (v[i].ppid == self) {
			answer = 1;
			break;
		}
		parent = bsearch(&key, v, n, sizeof(*v), by_pid);
		if (!parent || parent->pid == self || v[i].ppid <= 1)
			break;	/* outside: not a descendant */
		i = (size_t)(parent - v);
	}
	while (len)
		v[path[--len]].below = answer;
	return answer == 1;
}

/* SIGKILLs pid if its parent is still ppid once a pidfd holds it (so it is the process seen). */
static bool kill_if_child_of(pid_t pid, pid_t ppid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	bool done = false;

	if (fd < 0)
		return false;	/* gone already */
	if (parent_of(pid) == ppid)
		done = syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0;
	close(fd);
	return done;
}

unsigned descendants_kill(void)
{
	pid_t self = getpid();
	unsigned killed = 0;

	for (int round = 0; round < DESCENDANTS_ROUNDS; round++) {
		size_t n, hit = 0;
		struct proc *v = snapshot(&n);

		if (!v)
			break;
		for (size_t i = 0; i < n; i++)
			if (v[i].pid != self && below(v, n, i, self) && kill_if_child_of(v[i].pid, v[i].ppid))
				hit++;
		free(v);
		killed += (unsigned)hit;
		if (!hit)
			break;
	}
	return killed;
}

void descendants_reap(int server)
{
	siginfo_t si;

	/* Peek first (WNOWAIT): the server's status is child_reap's to take. */
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || !si.si_pid || si.si_pid == server)
			return;
		waitpid(si.si_pid, NULL, WNOHANG);
	}
}
