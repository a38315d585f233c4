/* procs.c: a snapshot of the host's processes, to join configured servers to running ones. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "discover/procs.h"

/* Reads /proc/PID/name into buf (NUL-terminated); returns the length, or -1. */
static ssize_t read_proc_file(pid_t pid, const char *name, char *buf, size_t sz)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static int read_argv(pid_t pid, struct proc_info *p)
{
	char buf[8192];
	ssize_t n = read_proc_file(pid, "cmdline", buf, sizeof(buf));

	if (n <= 0)
		return -1;	/* kernel threads and zombies have none */
	p->argv = calloc((size_t)n + 1, sizeof(char *));
	for (ssize_t off = 0; p->argv && off < n; off += (ssize_t)strlen(buf + off) + 1)
		p->argv[p->argc++] = strdup(buf + off);
	return p->argv ? 0 : -1;
}

static pid_t read_ppid(pid_t pid)
{
	char buf[1024], *close_paren;
	int ppid = 0;

	if (read_proc_file(pid, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	close_paren = strrchr(buf, ')');	/* comm may hold spaces and parens */
	if (!close_paren || sscanf(close_paren + 2, "%*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

static void info_free(struct proc_info *p)
{
	for (size_t i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
}

int procs_snapshot(struct proc_list *l)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t cap = 0;

	memset(l, 0, sizeof(*l));
	if (!d) {
		log_warn("/proc");
		return -1;
	}
	while ((de = readdir(d))) {
		struct proc_info p = { 0 };

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		p.pid = atoi(de->d_name);
		p.ppid = read_ppid(p.pid);
		if (p.ppid < 0 || read_argv(p.pid, &p) < 0) {
			info_free(&p);
			continue;
		}
		if (l->n == cap) {
			struct proc_info *nv = realloc(l->v, (cap = cap ? cap * 2 : 256) * sizeof(*nv));

			if (!nv) {
				info_free(&p);
				break;
			}
			l->v = nv;
		}
		l->v[l->n++] = p;
	}
	closedir(d);
	procs_index(l);
	return 0;
}

void procs_free(struct proc_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		info_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc_info *)a)->pid, y = ((const struct proc_info *)b)->pid;

	return x < y ? -1 : x > y;
}

const struct proc_info *procs_find(const struct proc_list *l, pid_t pid)
{
	const struct proc_info key = { .pid = pid };

	return l->n ? bsearch(&key, l->v, l->n, sizeof(key), by_pid) : NULL;
}

bool proc_is_shim(const struct proc_info *p)
{
	const char *base;

	if (p->argc < 2)
		return false;
	base = strrchr(p->argv[0], '/') ? strrchr(p->argv[0], '/') + 1 : p->argv[0];
	return !strcmp(base, "mcpwarden") && !strcmp(p->argv[1], "run");
}

void procs_index(struct proc_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), by_pid);
	for (size_t i = 0; i < l->n; i++) {
		const struct proc_info *p = &l->v[i];

		l->v[i].shim = 0;
		for (int depth = 0; p && p->ppid > 1 && depth < 64; depth++) {
			p = procs_find(l, p->ppid);
			if (p && proc_is_shim(p)) {
				l->v[i].shim = p->pid;
				break;
			}
		}
	}
}
