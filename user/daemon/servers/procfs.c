/* procfs.c: reads a live process's parent from /proc/PID/status, and the identity of the file it runs from /proc/PID/exe. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/servers/procfs.h"

int procfs_ppid(pid_t pid, pid_t *ppid)
{
	char path[64], line[256], state = 0;
	int tgid = -1, parent = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:", 6))
			sscanf(line + 6, " %c", &state);
		else if (!strncmp(line, "Tgid:", 5))
			sscanf(line + 5, "%d", &tgid);
		else if (!strncmp(line, "PPid:", 5))
			sscanf(line + 5, "%d", &parent);
	}
	fclose(f);
	/* A zombie's exit was already seen, and a thread id is no process: tracking either
	 * would leave an entry nothing ever removes. */
	if (state == 'Z' || state == 'X' || tgid != (int)pid || parent < 0) {
		errno = ESRCH;
		return -1;
	}
	*ppid = parent;
	return 0;
}

int procfs_start_ticks(pid_t pid, uint64_t *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long long v;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: the fields start after its last ')'. starttime is field 22. */
	if (!(p = strrchr(buf, ')')))
		return -1;
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &v) != 1)
		return -1;
	*ticks = v;
	return 0;
}

bool procfs_runs_own_exe(pid_t pid)
{
	char path[64];
	struct stat self, other;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return !stat("/proc/self/exe", &self) && !stat(path, &other) && self.st_dev == other.st_dev &&
	       self.st_ino == other.st_ino;
}
