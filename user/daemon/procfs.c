/* procfs.c: reads a process's parent from /proc/PID/stat. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/procfs.h"

int procfs_ppid(pid_t pid, pid_t *ppid)
{
	char path[64], buf[512];
	const char *close_paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses, so scan from the last ')'. */
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 1, " %*c %d", ppid) != 1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
