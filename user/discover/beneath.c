/* beneath.c: opens a path below a directory without leaving it and without following any symbolic link. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "discover/beneath.h"

/* The component walk: each directory on the way opened O_PATH | O_NOFOLLOW from the last. */
static int walk(int dirfd, const char *rel, int flags, mode_t mode)
{
	char comp[256];
	int cur = dirfd, fd;

	for (;;) {
		const char *slash = strchr(rel, '/');
		size_t n = slash ? (size_t)(slash - rel) : strlen(rel);
		bool last = !slash || !slash[1 + strspn(slash + 1, "/")];
		struct stat st;

		if (n >= sizeof(comp)) {
			fd = -1;
			errno = ENAMETOOLONG;
			break;
		}
		memcpy(comp, rel, n);
		comp[n] = '\0';
		if (!n)
			strcpy(comp, ".");
		fd = openat(cur, comp, last ? flags : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0 && errno == ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			errno = ELOOP;	/* O_DIRECTORY met a link: say so, as openat2 does */
		if (cur != dirfd) {
			int saved = errno;

			close(cur);
			errno = saved;
		}
		if (fd >= 0 && last && (flags & O_PATH) && (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode))) {
			close(fd);	/* O_PATH | O_NOFOLLOW opened the link itself */
			fd = -1;
			errno = ELOOP;
		}
		if (fd < 0 || last)
			break;
		cur = fd;
		rel = slash + 1 + strspn(slash + 1, "/");
	}
	return fd;
}

int beneath_open(int dirfd, const char *rel, int flags, mode_t mode)
{
	static bool no_openat2;
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC),	/* O_NOFOLLOW would let O_PATH open a link */
		.mode = flags & (O_CREAT | O_TMPFILE) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};
	const char *p = rel;
	long fd;

	if (rel[0] == '/') {
		errno = EXDEV;
		return -1;
	}
	for (; *p; p += strcspn(p, "/"), p += strspn(p, "/"))
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2])) {
			errno = EXDEV;
			return -1;
		}
	if (!rel[0])
		rel = ".";
	if (!no_openat2) {
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return (int)fd;
		no_openat2 = true;
	}
	return walk(dirfd, rel, flags | O_CLOEXEC | O_NOFOLLOW, mode);
}
